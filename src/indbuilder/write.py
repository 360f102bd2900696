"""Stage 5 and 6: write each document in each format, then assemble the region's eCTD sequence.

Layout of one region's output folder::

    <region>/docx/<eCTD path>.docx                  review copies (Word, LibreOffice)
    <region>/ectd/<application>/<NNNN>/...          the submission sequence (PDFs, backbones, util/)
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .carry_forward import write_fingerprints
from .diagnostics import Diagnostic, Diagnostics, Location
from .ectd import assemble_sequence
from .ectd_bridge import envelope, goes_into_sequence, submission_file
from .pdfcheck import PdfCheckLimits, check_pdf, fill_form, resolve_mapping, run_pdfcheck
from .writers.docx import DocxOptions, write_docx
from .yamlio import load_yaml

REVIEW_COPY = DocxOptions(review_links=True)

if TYPE_CHECKING:  # pragma: no cover
    from .pipeline import Project, RegionBuild, RenderedDoc


def write_region(project: "Project", rb: "RegionBuild", dest: Path, diags: Diagnostics, pdf: bool = True) -> None:
    """Write DOCX review copies and, with ``pdf``, the PDFs and the eCTD sequence of one region."""
    from .writers.pdf import PdfRenderError, render_pdf
    from .writers.pdf_fonts import MissingFontError

    formats = project.config.settings.formats
    files = []
    write_fingerprints(rb, dest)
    with project.timings.stage("write-docx"):
        if "docx" in formats:
            for rd in rb.docs:
                if rd.document is None:
                    continue
                target = dest / "docx" / (str(Path(rd.path).with_suffix(".docx")))
                target.parent.mkdir(parents=True, exist_ok=True)
                # review copies link to each other, in the same relative tree as the sequence's PDFs
                target.write_bytes(write_docx(rd.document, diags, REVIEW_COPY))
    if not (pdf and "pdf" in formats):
        return
    with project.timings.stage("write-pdf"):
        for rd in rb.docs:
            where = Location(rd.source) if rd.source else None
            if not goes_into_sequence(rd.planned):
                continue
            if rd.reuse is not None:  # unchanged since submitted: the same bytes, left out by assembly
                files.append(submission_file(project, rd.planned, rd.document.meta.title, rb.lang, rd.reuse.read_bytes()))
                continue
            if rd.document is None:  # a user-supplied PDF: checked against the same PDF rules
                if rd.attachment is None or not rd.attachment.is_file():
                    continue
                data, profile = _attachment_bytes(project, rd, diags)
                diags.extend(check_pdf(data, rd.planned.attachment, profile=profile))
                title = rd.planned.title or rd.planned.doc_id
            else:
                try:
                    data = render_pdf(rd.document, diags, where)
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
        # The application folder holds every sequence, as sent: lifecycle links such as
        # modified-file="../0000/index.xml#ID" resolve between sibling sequence folders.
        if history.is_dir():
            for earlier in sorted(p for p in history.iterdir() if p.is_dir() and p.name < env.sequence):
                shutil.copytree(earlier, out / earlier.name)
        found = assemble_sequence(files, env, out, project.config.standards_dir(), history if history.is_dir() else None)
        # Findings name paths inside the application folder ("0000/index.xml"); show where that
        # folder will be after publishing, so the two regions' findings can be told apart.
        published = f"{project.config.settings.output}/{rb.region}/ectd/{env.application_number}"
        diags.extend(_under(d, published) for d in found)
    with project.timings.stage("pdfcheck"):
        # Every PDF of the finished sequence against the FDA/NMPA PDF rules, including the
        # links between files, which can only be followed once the folder exists.
        sequence = out / env.sequence
        if sequence.is_dir():
            # Text extraction (pypdf) is most of this check's cost; typst output always carries
            # real text with ToUnicode maps, user PDFs were checked in full above, and the
            # example's end-to-end test reads the text back with pdftotext.
            found = run_pdfcheck([sequence], PdfCheckLimits(text_sample_pages=0))
            diags.extend(_under(d, published, strip=str(out)) for d in found)


def _attachment_bytes(project: "Project", rd: "RenderedDoc", diags: Diagnostics) -> tuple[bytes, str]:
    """A user PDF as placed in the sequence: filled from the facts when it is a fillable form."""
    assert rd.attachment is not None
    record = next((a for a in project.dossier.attachments if a.file == rd.planned.attachment), None)
    if record is None or not record.fill:
        return rd.attachment.read_bytes(), "document"
    template = rd.attachment.read_bytes()
    mapping = project.config.root / record.fill
    values = resolve_mapping(load_yaml(mapping, record.fill), project.dossier, diags, template_pdf=template)
    # agency forms keep their own security settings (FDA PDF specifications exempt forms)
    return fill_form(template, values), "form"


def _under(diag: Diagnostic, prefix: str, strip: str | None = None) -> Diagnostic:
    """``diag`` with its location shown below ``prefix`` (after removing the staging folder ``strip``)."""
    if diag.location is None:
        return diag
    path = diag.location.path
    if strip and path.startswith(strip):
        path = path[len(strip) :].lstrip("/")
    return replace(diag, location=replace(diag.location, path=f"{prefix}/{path}"))
