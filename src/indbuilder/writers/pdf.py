"""The PDF writer: document tree -> submission-ready PDF, typeset by typst.

Pipeline: :func:`~indbuilder.writers.pdf_data.document_data` turns the tree into JSON, the constant
template ``pdf_template.typ`` reads it from ``sys.inputs`` (so author text can never become typst
markup), typst compiles it (PDF 1.7, tagged, fonts subset-embedded, bookmarks for every heading),
and :func:`~indbuilder.writers.pdf_postprocess.finish_pdf` sets the bookmarks-panel initial view,
turns relative links into GoToR actions and names the table anchors as destinations.

Requirements implemented (FDA "Portable Document Format (PDF) Specifications" v4.x; NMPA eCTD
validation criteria chapter 6): PDF 1.4-1.7, no security, no JavaScript, no attachments, embedded
fonts, bookmarks, hyperlinked table of contents above 5 pages, relative links only, no external web
links, the region's paper (US Letter for FDA, A4 for NMPA) with 1 inch / 25 mm margins,
reproducible bytes.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import typst
from pypdf import PdfReader

from ..diagnostics import Diagnostics, Location
from ..doctree import Document
from ..rules import define
from .base import WriteContext, WriteError, document_context
from .pdf_data import all_text, document_data, parse_date
from .pdf_fonts import MissingFontError, font_setup, has_cjk
from .pdf_glyphs import missing_glyphs
from .pdf_postprocess import AnchorPosition, finish_pdf
from .pdf_writer import PDF_STANDARD, PDF_STANDARDS, WRITER, PdfStandard, PdfWriter
from .text_check import describe

__all__ = [
    "PdfWriter",
    "WRITER",
    "PdfRenderError",
    "MissingFontError",
    "write_pdf",
    "render_pdf",
    "typst_source",
    "typst_inputs",
    "TOC_PAGE_THRESHOLD",
    "PDF_STANDARD",
    "PDF_STANDARDS",
    "PdfStandard",
]

define(
    "pdf.font-missing",
    "error",
    "A font needed for the document (Chinese text) is not installed.",
    "Without a CJK font Chinese text would print as empty boxes, so no PDF is written. Install the "
    "Debian package fonts-noto-cjk or set INDBUILDER_FONT_PATHS to a folder with Noto CJK fonts.",
    basis="NMPA eCTD validation 6.25/6.26 (searchable text, embedded fonts)",
)
define(
    "pdf.missing-glyph",
    "error",
    "Text of a document holds characters that no available font can draw.",
    "typst prints such a character as an empty box (or not at all) and it is missing from the "
    "PDF's text, so the reader of the submission does not see what the author wrote. Emoji and "
    "flags are the usual cause: no font of a submission setup has them, and they do not belong in "
    "a regulatory document; write the word instead. For other scripts, install a font that covers "
    "them in one of the font folders (INDBUILDER_FONT_PATHS).",
    basis="FDA PDF Specifications (all fonts embedded, all text readable and searchable); NMPA eCTD "
    "validation 6.25/6.26 (searchable text, embedded fonts)",
)
define(
    "pdf.render-warning",
    "warning",
    "typst reported a warning while typesetting a document.",
    "For example 'layout did not converge within 5 attempts', after which page numbers or the "
    "table of contents may be off. Check the PDF and report the document to the indbuilder team.",
)
define(
    "pdf.render-failed",
    "error",
    "typst could not typeset a document.",
    "This is a bug in indbuilder (author text never reaches typst as markup); please report it "
    "with the document that triggered it.",
)

#: Documents with more pages than this get a hyperlinked table of contents (FDA PDF specs:
#: bookmarks and a hyperlinked TOC for documents over 5 pages; NMPA 6.23).
TOC_PAGE_THRESHOLD = 5


_INPUT_KEY = "indbuilder-doc"
_IMAGES_KEY = "indbuilder-images"
_TEMPLATE = Path(__file__).with_name("pdf_template.typ")


class PdfRenderError(WriteError):
    """typst failed on a document (a writer bug, reported as ``pdf.render-failed``)."""

    rule = "pdf.render-failed"


@lru_cache(maxsize=1)
def typst_source() -> bytes:
    """The constant typst template (bytes of ``pdf_template.typ``)."""
    return _TEMPLATE.read_bytes()


def typst_inputs(doc: Document, *, ctx: WriteContext | None = None, toc: bool | str | None = None,
                 diagnostics: Diagnostics | None = None) -> dict[str, str]:
    """The ``sys_inputs`` for the template: the document as one JSON string (and, when it has
    figures, their images as a JSON list of byte arrays under a second key).

    ``ctx`` gives the paper and words (default: those of the document's region and language).
    ``toc`` defaults to the document's choice: always with ``meta.toc``, otherwise ``"auto"``
    (above :data:`TOC_PAGE_THRESHOLD` pages, when there are headings to list).
    """
    ctx = ctx or document_context(doc)
    if toc is None:
        toc = True if doc.meta.toc else ("auto" if next(doc.headings(), None) is not None else False)
    text = all_text(doc)
    fonts = font_setup(doc.meta.lang, needs_cjk=has_cjk(text))
    data = document_data(doc, fonts, paper=ctx.paper, words=ctx.words, toc=toc, toc_pages=TOC_PAGE_THRESHOLD,
                         diagnostics=diagnostics, location=ctx.source)
    images = data.pop("images", None)
    encoded = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if diagnostics is not None:
        # Every character typst will print is in the JSON (keys and font names are ASCII).
        missing = missing_glyphs([encoded], fonts)
        if missing:
            diagnostics.emit("pdf.missing-glyph", _missing_message(missing, text), ctx.source,
                             "replace emoji and symbols by words, or install a font that has them")
    inputs = {_INPUT_KEY: encoded}
    if images:  # figure images travel apart from the text (no glyphs to check in them)
        inputs[_IMAGES_KEY] = json.dumps(images, separators=(",", ":"))
    return inputs


#: Missing characters named in one message; the rest are counted.
_MISSING_LISTED = 10


def _missing_message(missing: list[str], text: str) -> str:
    """``no font has U+1F600 '😀' (in '...a smile 😀 here...'), ...``"""
    parts = []
    for ch in missing[:_MISSING_LISTED]:
        at = text.find(ch)
        where = ""
        if at >= 0:
            snippet = " ".join(text[max(0, at - 12):at + 13].split())
            where = f" (in '{snippet}')"
        parts.append(describe(ch) + where)
    more = f" and {len(missing) - _MISSING_LISTED} more" if len(missing) > _MISSING_LISTED else ""
    return f"no available font has {', '.join(parts)}{more}: printed as empty boxes and missing from the PDF text"


# Where each labelled table/figure landed: typst makes named destinations for labelled headings
# only, so finish_pdf adds them for tables (targets of links from other documents).
_ANCHOR_POSITIONS = (
    'query(selector(figure).or(table)).filter(e => e.has("label"))'
    ".map(e => (str(e.label), e.location().position()))"
)


@dataclass(frozen=True)
class Typeset:
    """One typst run: the PDF and the positions of anchored tables."""

    pdf: bytes
    anchors: dict[str, AnchorPosition]


def _typeset(doc: Document, inputs: dict[str, str], standard: PdfStandard = PDF_STANDARD,
             diagnostics: Diagnostics | None = None, location: Location | None = None) -> Typeset:
    fonts = font_setup(doc.meta.lang, needs_cjk=False).fonts
    date = parse_date(doc.meta.date) if doc.meta.date else None
    # typst's `datetime.today()` and default metadata dates use this timestamp; fixing it to the
    # document date (or the epoch) keeps output reproducible (like SOURCE_DATE_EPOCH).
    ts = _dt.datetime(*date, tzinfo=_dt.timezone.utc) if date else 0
    try:
        compiler = typst.Compiler(
            str(_TEMPLATE), root=str(_TEMPLATE.parent), font_paths=fonts,
            ignore_system_fonts=True, sys_inputs=inputs,
        )
        pdf, warnings = compiler.compile_with_warnings(pdf_standards=standard, timestamp=ts, pdf_tags=True)
        # eval reuses the memoized layout of the compile above: it costs well under a millisecond.
        found = json.loads(compiler.eval(_ANCHOR_POSITIONS, format="json"))
    except (typst.TypstError, RuntimeError) as exc:  # only on writer bugs
        detail = getattr(exc, "message", str(exc))
        raise PdfRenderError(f"typst failed on '{doc.meta.title}': {detail}") from exc
    assert isinstance(pdf, bytes)
    if diagnostics is not None:
        for w in warnings:  # e.g. "layout did not converge": page numbers could be wrong
            diagnostics.emit("pdf.render-warning", f"typst: {w.message}", location)
    anchors = {
        label: AnchorPosition(pos["page"] - 1, _pt(pos["x"]), _pt(pos["y"])) for label, pos in found
    }
    return Typeset(pdf, anchors)


def _pt(length: str) -> float:
    """typst's JSON for a length, e.g. ``"72.5pt"``, in points."""
    return float(length.removesuffix("pt"))


def page_count(pdf: bytes) -> int:
    """Number of pages of a PDF held in memory."""
    return len(PdfReader(io.BytesIO(pdf)).pages)


def render_pdf(doc: Document, diagnostics: Diagnostics | None = None,
               ctx: WriteContext | None = None, standard: str = PDF_STANDARD) -> bytes:
    """Typeset ``doc``; content problems (dangling links, duplicate anchors) go to ``diagnostics``.

    ``ctx`` gives the paper, words and source location (default: :func:`document_context`).
    ``standard`` is one of :data:`PDF_STANDARDS` (plain PDF 1.7 by default, or PDF/A-2b).

    Raises :class:`MissingFontError` when Chinese text has no font (report as ``pdf.font-missing``)
    and :class:`PdfRenderError` if typst fails (``pdf.render-failed``).
    """
    chosen = next((s for s in PDF_STANDARDS if s == standard), None)
    if chosen is None:
        raise ValueError(f"unsupported PDF standard {standard!r}; use one of {', '.join(PDF_STANDARDS)}")
    ctx = ctx or document_context(doc)
    inputs = typst_inputs(doc, ctx=ctx, diagnostics=diagnostics)
    result = _typeset(doc, inputs, chosen, diagnostics, ctx.source)
    return finish_pdf(result.pdf, result.anchors)


def write_pdf(doc: Document) -> bytes:
    """The PDF bytes of ``doc`` (same input, same bytes)."""
    return render_pdf(doc)
