"""The write stage: every rendered document of a region in each configured format.

DOCX review copies go to ``<dest>/docx/<eCTD path>.docx`` (they link to each other in the same
relative tree as the sequence's PDFs); the PDFs (rendered, filled forms, user attachments and
carried-forward submitted files) are returned for assembly, keyed by doc id, in plan order.
"""

from __future__ import annotations

from pathlib import Path

from .build import Project, RegionBuild, RenderedDoc
from .carry_forward import write_fingerprints
from .diagnostics import Diagnostics
from .yamlio import load_yaml


def write_documents(project: Project, rb: RegionBuild, dest: Path, diags: Diagnostics, pdf: bool = True) -> dict[str, bytes] | None:
    """Write the DOCX review copies of ``rb`` and return its submission PDFs by doc id.

    ``None`` when no sequence is to be assembled (PDF not configured, ``--no-pdf``, or no font).
    """
    from .placement import goes_into_sequence
    from .pdfcheck import check_pdf
    from .writers.docx import DocxOptions, write_docx

    formats = project.config.settings.formats
    write_fingerprints(rb.docs, dest)
    with project.timings.stage("write-docx"):
        if "docx" in formats:
            review = DocxOptions(review_links=True)
            for rd in rb.docs:
                if rd.document is None:
                    continue
                target = dest / "docx" / (str(Path(rd.path).with_suffix(".docx")))
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(write_docx(rd.document, diags, review))
    if not (pdf and "pdf" in formats):
        return None
    from .writers.pdf import PdfRenderError, render_pdf
    from .writers.pdf_fonts import MissingFontError

    files: dict[str, bytes] = {}
    with project.timings.stage("write-pdf"):
        for rd in rb.docs:
            where = rd.source
            if not goes_into_sequence(rd.planned):
                continue
            if rd.reuse is not None:  # unchanged since submitted: the same bytes, left out by assembly
                files[rd.doc_id] = rd.reuse.read_bytes()
                continue
            if rd.document is None:  # a user-supplied PDF: checked against the same PDF rules
                if rd.attachment is None or not rd.attachment.is_file():
                    continue
                data, profile = _attachment_bytes(project, rd, diags)
                diags.extend(check_pdf(data, rd.planned.attachment, profile=profile))
            else:
                try:
                    data = render_pdf(rd.document, diags, where)
                except MissingFontError as exc:
                    diags.emit("pdf.font-missing", str(exc), where)
                    return None
                except PdfRenderError as exc:
                    diags.emit("pdf.render-failed", str(exc), where)
                    continue
            files[rd.doc_id] = data
    return files


def _attachment_bytes(project: Project, rd: RenderedDoc, diags: Diagnostics) -> tuple[bytes, str]:
    """A user PDF as placed in the sequence: filled from the facts when it is a fillable form."""
    from .pdfcheck import fill_form, resolve_mapping

    assert rd.attachment is not None
    record = next((a for a in project.dossier.attachments if a.file == rd.planned.attachment), None)
    if record is None or not record.fill:
        return rd.attachment.read_bytes(), "document"
    template = rd.attachment.read_bytes()
    mapping = project.config.root / record.fill
    values = resolve_mapping(load_yaml(mapping, record.fill), project.dossier, diags, template_pdf=template)
    # agency forms keep their own security settings (FDA PDF specifications exempt forms)
    return fill_form(template, values), "form"
