"""Links between the files of a sequence: every GoToR/Launch target must exist, relative to the
linking file, and a named destination must exist in the target PDF.

Checked on the files as they lie on disk, so a sequence folder that was moved or copied is
checked exactly as a reviewer would open it (NMPA eCTD validation 6.1-6.2/6.9: links must work
and be relative; FDA PDF Specifications: hypertext links must remain active).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject

from ..diagnostics import Diagnostic, Diagnostics, Location
from ..paths import refusal
from ..rules import define
from ..writers.pdf_postprocess import pdf_string_bytes

__all__ = ["FileLink", "catalog", "file_links", "file_spec_path", "destination_names", "check_links"]

define(
    "pdf.link-broken",
    "error",
    "A link to another file of the submission points to a file or destination that does not exist.",
    "The target path is resolved relative to the folder of the linking PDF, as a viewer does. "
    "Check the target file name and the anchor (named destination) in it.",
    basis="FDA PDF Specifications (hypertext links must remain active); NMPA eCTD validation 6.1/6.2/6.9",
)


@dataclass(frozen=True)
class FileLink:
    """A GoToR/Launch link: the target file as written, the named destination (if any), the page."""

    target: str
    destination: bytes | None
    page: int  # 1-based page of the link annotation


_MAX_TARGET_BYTES = 500 * 1024 * 1024  # the PDF size limit (PdfCheckLimits.max_bytes)

def file_spec_path(action: DictionaryObject) -> str:
    """The file a GoToR/Launch action opens (``/F`` string or file specification ``/UF``/``/F``)."""
    f = action.get("/F")
    f = f.get_object() if f is not None else ""
    if isinstance(f, DictionaryObject):
        f = f.get("/UF", f.get("/F", ""))
    return str(f)


def file_links(reader: PdfReader) -> Iterator[FileLink]:
    """Every link annotation of ``reader`` that opens another file."""
    for number, page in enumerate(reader.pages, start=1):
        for ref in page.get("/Annots", None) or []:
            annot = ref.get_object()
            action = annot.get("/A")
            action = action.get_object() if action is not None else None
            if annot.get("/Subtype") != "/Link" or not isinstance(action, DictionaryObject):
                continue
            if action.get("/S") not in ("/GoToR", "/Launch"):
                continue
            dest = action.get("/D")
            name = None
            if dest is not None and not isinstance(dest.get_object(), ArrayObject):
                name = pdf_string_bytes(dest.get_object())
            yield FileLink(file_spec_path(action), name, number)


def catalog(reader: PdfReader) -> DictionaryObject:
    """The document catalog (the trailer's ``/Root``), which ISO 32000-1 7.7.2 requires to be a dictionary.

    Unlike ``PdfReader.root_object`` this does not try to recover a broken catalog: a PDF whose
    catalog cannot be read is reported as unreadable by the callers.
    """
    root = reader.trailer["/Root"].get_object()
    if not isinstance(root, DictionaryObject):
        raise PdfReadError(f"the document catalog is not a dictionary ({type(root).__name__})")
    return root


def destination_names(reader: PdfReader) -> set[bytes]:
    """The named destinations of a PDF (name tree ``/Names /Dests`` and the old ``/Dests`` dict)."""
    root = catalog(reader)
    names: set[bytes] = set()
    old = root.get("/Dests")
    if old is not None:
        names.update(str(k).lstrip("/").encode("utf-8") for k in old.get_object().keys())
    tree = root.get("/Names")
    tree = tree.get_object().get("/Dests") if tree is not None else None
    stack = [tree] if tree is not None else []
    while stack:
        node = stack.pop().get_object()
        flat = node.get("/Names")
        if flat is not None:
            flat = flat.get_object()
            names.update(pdf_string_bytes(flat[i]) for i in range(0, len(flat) - 1, 2))
        stack.extend(node.get("/Kids", None) or [])
    return names


def check_links(pdf: Path, display: str | None = None) -> list[Diagnostic]:
    """Check the cross-file links of one PDF on disk."""
    diags = Diagnostics()
    loc = Location(display or pdf.as_posix())
    try:
        reader = PdfReader(pdf)
        links = list(file_links(reader))
    except Exception:  # unreadable or encrypted: reported by check_pdf
        return []
    targets: dict[Path, set[bytes] | None] = {}
    for link in links:
        if not link.target or "://" in link.target or link.target.startswith(("/", "\\")):
            continue  # external/absolute links are pdf.external-link / pdf.absolute-link
        target = (pdf.parent / link.target).resolve()
        if not target.is_file():
            diags.emit("pdf.link-broken", f"page {link.page}: linked file '{link.target}' does not exist", loc)
            continue
        if link.destination is None:
            continue
        if target not in targets and refusal(target, _MAX_TARGET_BYTES) is not None:
            targets[target] = None  # not a regular file, or too large to open: destinations not checked
        if target not in targets:
            try:
                targets[target] = destination_names(PdfReader(target)) if target.suffix.lower() == ".pdf" else None
            except Exception:
                targets[target] = set()
        known = targets[target]
        if known is not None and link.destination not in known:
            shown = link.destination.decode("utf-8", "replace")
            diags.emit(
                "pdf.link-broken",
                f"page {link.page}: '{link.target}' has no destination '{shown}'",
                loc,
                hint="link to a heading or table anchor of the target document",
            )
    return diags.items
