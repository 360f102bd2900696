"""The PDF writer's registry entry: the submission format, typeset by :mod:`.pdf` on first write.

Kept apart from :mod:`.pdf` so that listing or choosing writers (``indbuilder check``, a
``--no-pdf`` build) never imports typst.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ..diagnostics import Diagnostics
from .base import WriteContext, WriteError, WriteResult

if TYPE_CHECKING:  # pragma: no cover
    from ..doctree import Document

#: A PDF standard typst can write and this writer offers.
PdfStandard = Literal["1.7", "a-2b"]
#: typst's PDF standard: plain PDF 1.7, the newest version both agencies accept.
PDF_STANDARD: PdfStandard = "1.7"
#: Standards a project may choose instead (FDA PDF specs v4 and NMPA 6.16 accept PDF/A-1 and -2;
#: "a-2b" is PDF/A-2b on PDF 1.7).
PDF_STANDARDS: tuple[PdfStandard, ...] = ("1.7", "a-2b")


@dataclass(frozen=True)
class PdfWriter:
    """The submission writer (registry name ``pdf``): the only format eCTD sequences accept.

    ``write`` raises :class:`~.pdf_fonts.MissingFontError` (``pdf.font-missing``, stops PDF
    writing) and :class:`~.pdf.PdfRenderError` (``pdf.render-failed``); content findings come
    back in the result.
    """

    name: str = "pdf"
    extension: str = ".pdf"
    submission: bool = True
    standard: PdfStandard = PDF_STANDARD

    def write(self, doc: "Document", ctx: WriteContext) -> WriteResult:
        """Typeset ``doc`` for the sequence (see :func:`~.pdf.render_pdf`)."""
        from .pdf import render_pdf

        diags = Diagnostics()
        try:
            data = render_pdf(doc, diags, ctx, standard=self.standard)
        except WriteError as exc:
            exc.diagnostics = diags.items + exc.diagnostics  # what was found before it failed
            raise
        return WriteResult(data, diags.items)


#: The registry entry (``writers.get_writer("pdf")``).
WRITER = PdfWriter()
