"""Finishing touches typst does not do itself, applied with pypdf (deterministically).

- ``/PageMode /UseOutlines``: the document opens with the bookmarks panel (FDA PDF
  Specifications, "Initial view: Bookmarks Panel and Page"; NMPA eCTD validation 6.20).
- Links to other files of the sequence: typst writes ``link("../x.pdf")`` as a URI action with a
  relative address. NMPA validation 6.4/6.11 allows only GoTo, GoToR and Launch actions, and both
  agencies require relative links (NMPA 6.2/6.9), so every such URI action becomes a GoToR action
  with a relative file specification (and a named destination when the href has a ``#anchor``;
  otherwise the first page with inherited zoom, NMPA 6.8/6.15).
- Named destinations for anchored tables (typst names only headings), so that links from other
  files can target a table.

Changes are appended as an incremental update; typst's bytes (and its content-derived ``/ID``)
stay as they are, so equal input gives equal bytes.
"""

from __future__ import annotations

import io
import re
from typing import NamedTuple, cast
from urllib.parse import unquote

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def is_relative_reference(uri: str) -> bool:
    """True for a relative path such as ``../32p8/x.pdf#sec`` (no scheme, not absolute)."""
    return bool(uri) and not _SCHEME.match(uri) and not uri.startswith(("/", "\\", "//"))


def dest_name(label: str) -> ByteStringObject | TextStringObject:
    """A named-destination key as typst writes it: the UTF-8 bytes of the label."""
    return TextStringObject(label) if label.isascii() else ByteStringObject(label.encode("utf-8"))


def pdf_string_bytes(obj: object) -> bytes:
    """The bytes of a PDF string as written in the file (pypdf may have decoded them as text)."""
    if isinstance(obj, ByteStringObject):
        return bytes(obj)
    original = getattr(obj, "original_bytes", None)
    return bytes(original) if original is not None else str(obj).encode("utf-8")


def _utf8_string(obj: object) -> str:
    """A PDF string typst wrote as UTF-8 bytes (pypdf decodes it as PDFDocEncoding)."""
    raw = pdf_string_bytes(obj)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return str(obj)


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
        # A named destination, encoded as typst encodes the names it writes (UTF-8 bytes).
        dest: object = dest_name(unquote(fragment))
    else:
        # First page, keep the reader's position and zoom ("Inherit Zoom").
        dest = ArrayObject([NumberObject(0), NameObject("/XYZ"), NullObject(), NullObject(), NullObject()])
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Action"),
            NameObject("/S"): NameObject("/GoToR"),
            NameObject("/F"): filespec,
            NameObject("/D"): dest,
        }
    )


class AnchorPosition(NamedTuple):
    """Where a link target sits: 0-based page index, x and y (from the top) in points."""

    page: int
    x: float
    y: float


def finish_pdf(data: bytes, anchors: dict[str, AnchorPosition] | None = None) -> bytes:
    """Apply the page mode and the relative-link rewrite to a typst PDF, and add a named
    destination for each of ``anchors`` that typst did not name itself (tables).

    The changes are appended as one incremental update (ISO 32000-1 §7.5.6): typst's bytes stay
    untouched and only the catalog and the rewritten link actions are added. pypdf reads the file
    and serializes the changed objects; a full pypdf rewrite would clone the whole tagged
    structure tree and costs ~4x the typesetting time.
    """
    reader = PdfReader(io.BytesIO(data))
    changed: dict[tuple[int, int], PdfObject] = {}
    root_ref = reader.trailer.raw_get("/Root")
    catalog = root_ref.get_object()
    if "/Outlines" in catalog and catalog.get("/PageMode") != "/UseOutlines":
        catalog[NameObject("/PageMode")] = NameObject("/UseOutlines")
        changed[(root_ref.idnum, root_ref.generation)] = catalog
    if anchors and _add_named_destinations(reader, catalog, anchors):
        changed[(root_ref.idnum, root_ref.generation)] = catalog
    for page in reader.pages:
        for ref in page.get("/Annots", None) or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link" or "/A" not in annot:
                continue
            raw_action = annot.raw_get("/A")
            action = raw_action.get_object()
            uri = _utf8_string(action.get("/URI", ""))
            if action.get("/S") != "/URI" or not is_relative_reference(uri):
                continue
            new_action = goto_remote_action(uri)
            if isinstance(raw_action, IndirectObject):
                changed[(raw_action.idnum, raw_action.generation)] = new_action
            elif isinstance(ref, IndirectObject):
                annot[NameObject("/A")] = new_action
                changed[(ref.idnum, ref.generation)] = annot
            else:  # an annotation written inline in /Annots: rewrite the page object
                annot[NameObject("/A")] = new_action
                page_ref = page.indirect_reference
                assert page_ref is not None  # pages read from a file are indirect objects
                changed[(page_ref.idnum, page_ref.generation)] = page
    if not changed:
        return data
    return _append_update(data, reader, changed)


def _add_named_destinations(reader: PdfReader, catalog: DictionaryObject,
                            anchors: dict[str, AnchorPosition]) -> bool:
    """Add ``anchors`` to the catalog's flat ``/Names /Dests`` tree; True when something changed.

    Destinations use /XYZ with a null zoom ("Inherit Zoom", NMPA eCTD validation 6.8/6.15).
    """
    names = catalog.get("/Names")
    names = names.get_object() if names is not None else None
    if names is None:
        names = DictionaryObject()
        catalog[NameObject("/Names")] = names
    elif catalog.raw_get("/Names") is not names:  # an indirect /Names dict: keep it simple
        return False
    dests = names.get("/Dests")
    if dests is None:
        dests = DictionaryObject({NameObject("/Names"): ArrayObject()})
        names[NameObject("/Dests")] = dests
    elif names.raw_get("/Dests") is not dests or "/Kids" in dests:
        return False
    flat = cast(ArrayObject, dests["/Names"])
    entries = {pdf_string_bytes(flat[i]): (flat[i], flat[i + 1]) for i in range(0, len(flat) - 1, 2)}
    added = False
    for label, pos in anchors.items():
        key = dest_name(label)
        if pdf_string_bytes(key) in entries or not 0 <= pos.page < len(reader.pages):
            continue
        page = reader.pages[pos.page]
        top = float(page.mediabox.top) - pos.y
        entries[pdf_string_bytes(key)] = (key, ArrayObject(
            [page.indirect_reference, NameObject("/XYZ"), FloatObject(round(pos.x, 3)),
             FloatObject(round(top, 3)), NullObject()]
        ))
        added = True
    if added:
        # Name-tree keys must be sorted (ISO 32000-1 §7.9.6).
        dests[NameObject("/Names")] = ArrayObject(x for k in sorted(entries) for x in entries[k])
    return added


def _append_update(data: bytes, reader: PdfReader, changed: dict[tuple[int, int], PdfObject]) -> bytes:
    """``data`` plus an incremental update section replacing the ``changed`` objects."""
    m = _STARTXREF.search(data[-1024:])
    if m is None:
        raise ValueError("PDF has no startxref (not a typst PDF?)")
    prev = int(m.group(1))
    out = bytearray(data)
    if not out.endswith(b"\n"):
        out += b"\n"
    offsets: dict[tuple[int, int], int] = {}
    for key in sorted(changed):
        offsets[key] = len(out)
        buf = io.BytesIO()
        changed[key].write_to_stream(buf)
        out += f"{key[0]} {key[1]} obj\n".encode() + buf.getvalue() + b"\nendobj\n"
    xref_at = len(out)
    # The free-list head (object 0) is repeated, as Acrobat does, so that readers which expect
    # every section to start at 0 do not renumber the objects.
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for key in sorted(changed):
        out += f"{key[0]} 1\n{offsets[key]:010d} {key[1]:05d} n \n".encode()
    trailer = DictionaryObject({NameObject("/Size"): NumberObject(int(cast(NumberObject, reader.trailer["/Size"]))),
                                NameObject("/Prev"): NumberObject(prev)})
    for name in ("/Root", "/Info", "/ID"):
        if name in reader.trailer:
            trailer[NameObject(name)] = reader.trailer.raw_get(name)
    buf = io.BytesIO()
    trailer.write_to_stream(buf)
    out += b"trailer\n" + buf.getvalue() + f"\nstartxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(out)
