"""Finishing touches typst does not do itself, applied with pypdf (deterministically).

- ``/PageMode /UseOutlines``: the document opens with the bookmarks panel (FDA PDF
  Specifications, "Initial view: Bookmarks Panel and Page"; NMPA eCTD validation 6.20).
- Links to other files of the sequence: typst writes ``link("../x.pdf")`` as a URI action with a
  relative address. NMPA validation 6.4/6.11 allows only GoTo, GoToR and Launch actions, and both
  agencies require relative links (NMPA 6.2/6.9), so every such URI action becomes a GoToR action
  with a relative file specification (and a named destination when the href has a ``#anchor``;
  otherwise the first page with inherited zoom, NMPA 6.8/6.15).
- The PDF header keeps the version typst wrote (pypdf would otherwise write ``%PDF-1.3``).

The document ``/ID`` typst derives from the content is kept, so equal input gives equal bytes.
"""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NullObject,
    NumberObject,
    TextStringObject,
)

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def is_relative_reference(uri: str) -> bool:
    """True for a relative path such as ``../32p8/x.pdf#sec`` (no scheme, not absolute)."""
    return bool(uri) and not _SCHEME.match(uri) and not uri.startswith(("/", "\\", "//"))


def goto_remote_action(uri: str) -> DictionaryObject:
    """A GoToR action opening the relative file ``uri`` (``path#named-destination``)."""
    path, _, fragment = uri.partition("#")
    path = unquote(path)
    filespec = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Filespec"),
            NameObject("/F"): TextStringObject(path),
            NameObject("/UF"): TextStringObject(path),
        }
    )
    if fragment:
        dest: object = TextStringObject(unquote(fragment))
    else:
        # First page, keep the reader's position and zoom ("Inherit Zoom").
        dest = ArrayObject([NumberObject(0), NameObject("/XYZ"), NullObject(), NullObject(), NullObject()])
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Action"),
            NameObject("/S"): NameObject("/GoToR"),
            NameObject("/F"): filespec,
            NameObject("/D"): dest,  # type: ignore[dict-item]
        }
    )


def finish_pdf(data: bytes) -> bytes:
    """Apply the page mode and the relative-link rewrite to a typst PDF."""
    reader = PdfReader(io.BytesIO(data))
    version = data[:8] if data.startswith(b"%PDF-") else b"%PDF-1.7"
    writer = PdfWriter(clone_from=reader)
    writer.pdf_header = version
    if "/Outlines" in writer.root_object:
        writer.page_mode = "/UseOutlines"
    for page in writer.pages:
        for ref in page.get("/Annots", None) or []:
            annot = ref.get_object()
            action = annot.get("/A")
            if annot.get("/Subtype") != "/Link" or action is None:
                continue
            action = action.get_object()
            if action.get("/S") == "/URI":
                uri = str(action.get("/URI", ""))
                if is_relative_reference(uri):
                    annot[NameObject("/A")] = goto_remote_action(uri)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
