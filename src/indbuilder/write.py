"""The write stage: every rendered document of a region in each configured format.

Each format of ``indbuilder.yaml``'s ``formats`` is written by its registered writer (see
:mod:`indbuilder.writers`). Review copies (every format but the submission one) go to
``<dest>/<format>/<eCTD path with the writer's extension>``, e.g. ``<dest>/docx/m3/.../stability.docx``,
and link to each other in the same relative tree as the sequence's PDFs. The submission format's
files (rendered documents, filled forms, user attachments and carried-forward submitted files) are
returned for assembly, keyed by doc id, in plan order.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .build import Project, RegionBuild, RenderedDoc
from .carry_forward import write_fingerprints
from .diagnostics import Diagnostics
from .yamlio import load_yaml

if TYPE_CHECKING:  # pragma: no cover
    from .doctree import Document
    from .writers import WriteResult, Writer


def write_documents(project: Project, rb: RegionBuild, dest: Path, diags: Diagnostics, pdf: bool = True) -> dict[str, bytes] | None:
    """Write the review copies of ``rb`` and return its submission files (PDF) by doc id.

    ``None`` when no sequence is to be assembled: no submission format configured, ``pdf=False``
    (``--no-pdf``), or a problem that stops the format (e.g. ``pdf.font-missing``).
    """
    from .writers import get_writer

    chosen = [get_writer(name) for name in project.config.settings.formats]
    submission = [w for w in chosen if w.submission]
    if len(submission) > 1:  # an eCTD leaf is one file: one submission format per build
        raise ValueError(f"formats lists more than one submission format: {', '.join(w.name for w in submission)}")
    write_fingerprints(rb.docs, dest)
    # Review copies first: a problem that stops the submission format must not cost them. Documents that
    # print the page counts of the others (1.1 目录, contents.py) are written last, in a second pass.
    review = [w for w in chosen if not w.submission]
    for writer in review:
        with project.timings.stage(f"write-{writer.name}"):
            _write_copies(writer, rb, dest, diags, late=False)
    files = None
    if pdf and submission:
        with project.timings.stage(f"write-{submission[0].name}"):
            files = _submission_files(submission[0], project, rb, diags)
            if files is not None:
                files, rb = _write_late(submission[0], project, rb, files, diags)
    for writer in review:
        with project.timings.stage(f"write-{writer.name}"):
            _write_copies(writer, rb, dest, diags, late=True)
    return files


def _write_late(writer: "Writer", project: Project, rb: RegionBuild, files: dict[str, bytes],
                diags: Diagnostics) -> tuple[dict[str, bytes], RegionBuild]:
    """The second pass: the documents that list page counts, rendered with the page counts of ``files``
    and written; returns every submission file in plan order and ``rb`` with those documents replaced."""
    from dataclasses import replace

    from .contents import is_late, write_late
    from .placement import goes_into_sequence
    from .progress import step
    from .writers import WriteError, WriteResult

    results: dict[str, WriteResult] = {}

    def write(rd: RenderedDoc) -> bytes | None:
        try:
            results[rd.doc_id] = _write(writer, rb, rd, rd.doc, review=False)
        except WriteError:
            results.pop(rd.doc_id, None)
            return None
        return results[rd.doc_id].data

    final = write_late(project, rb, files, write)
    rb = replace(rb, docs=[final.get(rd.doc_id, rd) for rd in rb.docs])
    for rd in rb.docs:
        if not (is_late(rd) and goes_into_sequence(rd.planned)):
            continue
        result = results.get(rd.doc_id)
        if result is None:  # report why it could not be written
            data = _write_reported(writer, rb, rd, rd.doc, False, diags)
            if data is None:
                continue
            result = WriteResult(data)
        else:
            step(Path(rd.path).with_suffix(writer.extension).as_posix())
            diags.extend(result.diagnostics)
        files[rd.doc_id] = result.data
    order = {rd.doc_id: i for i, rd in enumerate(rb.docs)}
    return dict(sorted(files.items(), key=lambda kv: order.get(kv[0], len(order)))), rb


def _write(writer: "Writer", rb: RegionBuild, rd: RenderedDoc, doc: "Document", review: bool) -> "WriteResult":
    from .writers import document_context

    return writer.write(doc, document_context(doc, paper=rb.profile.paper, source=rd.source, review_links=review))


class _FormatStopped(Exception):
    """A writer failed in a way that stops its whole format (e.g. no font for the document language)."""


def _write_reported(writer: "Writer", rb: RegionBuild, rd: RenderedDoc, doc: "Document", review: bool, diags: Diagnostics) -> bytes | None:
    """The document's bytes, its writer's findings added to ``diags``; None when it could not be written."""
    from .progress import step
    from .writers import WriteError

    step(Path(rd.path).with_suffix(writer.extension).as_posix())  # progress: one document of the write-<format> stage
    try:
        result = _write(writer, rb, rd, doc, review=review)
    except WriteError as exc:
        diags.extend(exc.diagnostics)
        diags.emit(exc.rule, str(exc), rd.source)
        if exc.stops_format:
            raise _FormatStopped from exc
        return None
    diags.extend(result.diagnostics)
    return result.data


def _write_copies(writer: "Writer", rb: RegionBuild, dest: Path, diags: Diagnostics, late: bool = False) -> None:
    """``<dest>/<format>/<eCTD path>``: one review copy per rendered document (attachments have none);
    ``late``: only the documents written after the others (contents.py), else only the others."""
    from .contents import is_late

    for rd in rb.docs:
        if rd.document is None or is_late(rd) != late:
            continue
        try:
            data = _write_reported(writer, rb, rd, rd.document, True, diags)
        except _FormatStopped:
            return
        if data is None:
            continue
        target = dest / writer.name / Path(rd.path).with_suffix(writer.extension)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _submission_files(writer: "Writer", project: Project, rb: RegionBuild, diags: Diagnostics) -> dict[str, bytes] | None:
    """The bytes of every document that goes into the sequence, by doc id; ``None`` when the format stopped."""
    from .contents import is_late
    from .placement import goes_into_sequence
    from .pdfcheck import check_pdf

    from .paths import check_attachments

    files: dict[str, bytes] = {}
    # no byte of an attachment is read before its path is known to stay inside the read scope
    refused = check_attachments(project, rb.docs, diags)
    for rd in rb.docs:
        if not goes_into_sequence(rd.planned) or rd.doc_id in refused or is_late(rd):
            continue  # late documents are written once the others' page counts are known (_write_late)
        if rd.reuse is not None:  # unchanged since submitted: the same bytes, left out by assembly
            files[rd.doc_id] = rd.reuse.read_bytes()
            continue
        if rd.document is None:  # a user-supplied PDF: checked against the same PDF rules
            if rd.attachment is None or not rd.attachment.is_file():
                continue
            filled = _attachment_bytes(project, rd, diags)
            if filled is None:
                continue
            data, profile, original = filled
            diags.extend(check_pdf(data, rd.planned.attachment, profile=profile, original=original))
        else:
            try:
                written = _write_reported(writer, rb, rd, rd.document, False, diags)
            except _FormatStopped:
                return None
            if written is None:
                continue
            data = written
        files[rd.doc_id] = data
    return files


def _attachment_bytes(project: Project, rd: RenderedDoc, diags: Diagnostics) -> tuple[bytes, str, bytes | None] | None:
    """A user PDF as placed in the sequence, its PDF-check profile and, for a filled form, the form's
    own bytes (a secured form keeps its security only as those bytes plus an incremental update,
    which ``check_pdf(original=...)`` verifies): filled from the facts when it is a fillable form.

    None (with a finding) when the file cannot be read or the form cannot be filled; the messages
    say what is wrong and never quote the file's bytes.
    """
    from .pdfcheck import fill_form, resolve_mapping
    from .pdfcheck.quiet import describe_pdf_error, quiet_pypdf

    assert rd.attachment is not None
    where = rd.planned.location or rd.source
    record = next((a for a in project.dossier.attachments if a.file == rd.planned.attachment), None)
    try:
        data = rd.attachment.read_bytes()
    except OSError as exc:
        diags.emit("build.attachment-unreadable", f"attachment {rd.planned.attachment!r} cannot be read: {exc.strerror or 'I/O error'}", where)
        return None
    if record is None or not record.fill:
        return data, "document", None
    mapping = project.config.root / record.fill
    try:
        with quiet_pypdf():
            values = resolve_mapping(load_yaml(mapping, record.fill), project.dossier, diags, template_pdf=data)
            # agency forms keep their own security settings (FDA PDF specifications exempt forms):
            # a secured form is filled by an incremental update after its unchanged bytes
            return fill_form(data, values), "form", data
    except Exception as exc:  # pypdf raises many types on a damaged form; its text may quote the file
        diags.emit("pdf.unreadable", f"form {rd.planned.attachment} cannot be filled: {describe_pdf_error(exc)}", where)
        return None
