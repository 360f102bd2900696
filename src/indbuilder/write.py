"""Stage 5 and 6: write each document in each format, then assemble the region's eCTD sequence.

Layout of one region's output folder::

    <region>/docx/<eCTD path>.docx                  review copies (Word, LibreOffice)
    <region>/ectd/<application>/<NNNN>/...          the submission sequence (PDFs, backbones, util/)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .diagnostics import Diagnostics, Location
from .ectd import assemble_sequence
from .ectd_bridge import envelope, submission_file
from .pdfcheck import check_pdf
from .writers import write as write_format

if TYPE_CHECKING:  # pragma: no cover
    from .pipeline import Project, RegionBuild


def write_region(project: "Project", rb: "RegionBuild", dest: Path, diags: Diagnostics, pdf: bool = True) -> None:
    """Write DOCX review copies and, with ``pdf``, the PDFs and the eCTD sequence of one region."""
    from .writers.pdf import PdfRenderError
    from .writers.pdf_fonts import MissingFontError

    formats = project.config.settings.formats
    files = []
    with project.timings.stage("write-docx"):
        if "docx" in formats:
            for rd in rb.docs:
                if rd.document is None:
                    continue
                target = dest / "docx" / (str(Path(rd.path).with_suffix(".docx")))
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(write_format("docx", rd.document, diags))
    if not (pdf and "pdf" in formats):
        return
    with project.timings.stage("write-pdf"):
        for rd in rb.docs:
            where = Location(rd.source) if rd.source else None
            if rd.document is None:  # a user-supplied PDF: checked against the same PDF rules
                if rd.attachment is None or not rd.attachment.is_file():
                    continue
                data = rd.attachment.read_bytes()
                diags.extend(check_pdf(data, rd.planned.attachment))
                title = rd.planned.title or rd.planned.doc_id
            else:
                try:
                    data = write_format("pdf", rd.document, diags)
                except MissingFontError as exc:
                    diags.emit("pdf.font-missing", str(exc), where)
                    return
                except PdfRenderError as exc:
                    diags.emit("pdf.render-failed", str(exc), where)
                    continue
                title = rd.document.meta.title
            files.append(submission_file(project, rd.planned, title, rb.lang, data))
    with project.timings.stage("assemble"):
        env = envelope(project, rb.region)
        history = project.config.history_dir / rb.region
        out = dest / "ectd" / env.application_number
        out.mkdir(parents=True, exist_ok=True)
        diags.extend(
            assemble_sequence(files, env, out, project.config.standards_dir(), history if history.is_dir() else None).items
        )
