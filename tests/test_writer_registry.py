"""A third-party writer, registered from the test tree alone, gets its files in the build.

The toy writer prints a document as plain text, one line per block. Listed in ``formats`` next
to ``docx``, its ``.txt`` files land in ``<region>/txt/`` with the same eCTD paths as the DOCX
review copies in ``<region>/docx/``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import EntryPoint
from pathlib import Path

import docx
import pytest
from example_project import copy_example, edit

from indbuilder import doctree as dt
from indbuilder import writers
from indbuilder.diagnostics import Severity
from indbuilder.pipeline import build_project
from indbuilder.writers import WriteContext, WriteResult


@dataclass(frozen=True)
class PlainTextWriter:
    """One line per block: the title, then every heading, paragraph, table row and code block."""

    name: str = "txt"
    extension: str = ".txt"
    submission: bool = False

    def write(self, doc: dt.Document, ctx: WriteContext) -> WriteResult:
        return WriteResult((dt.document_text(doc) + "\n").encode("utf-8"), [])


TOY = PlainTextWriter()


@pytest.fixture
def toy_writer() -> Iterator[PlainTextWriter]:
    writers.register(TOY)
    try:
        yield TOY
    finally:
        writers.unregister(TOY.name)


def _files(root: Path, suffix: str) -> dict[str, Path]:
    return {p.relative_to(root).with_suffix("").as_posix(): p for p in root.rglob(f"*{suffix}")}


def test_registered_writer_files_land_beside_the_docx_copies(tmp_path, toy_writer):
    project = copy_example(tmp_path / "project")
    edit(project, "indbuilder.yaml", "formats: [docx, pdf]", "formats: [docx, txt]")
    diags = build_project(project, pdf=False)
    assert not diags.has_errors, [d.format() for d in diags if d.severity is Severity.ERROR]
    out = project / "build"
    for region in ("fda", "nmpa"):
        copies = _files(out / region / "docx", ".docx")
        texts = _files(out / region / "txt", ".txt")
        assert len(copies) > 20 and texts.keys() == copies.keys()
        for key, path in copies.items():
            lines = texts[key].read_text(encoding="utf-8").splitlines()
            word = docx.Document(io.BytesIO(path.read_bytes()))
            # the title first (a DOCX core property holds at most 255 characters: a longer title is cut with …)
            core = word.core_properties.title
            assert lines[0] == core or (core.endswith("…") and len(core) == 255 and lines[0].startswith(core[:-1]))
            # every heading the reviewer sees in Word is a line of the text file
            headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
            for heading in headings:
                assert any(heading.endswith(line) and line for line in lines), (key, heading)
    assert not (out / "fda" / "pdf").exists()  # no PDF asked for: no sequence either


def test_unknown_format_in_the_config_is_a_clear_error(tmp_path):
    project = copy_example(tmp_path / "project")
    edit(project, "indbuilder.yaml", "formats: [docx, pdf]", "formats: [docx, nosuch]")
    diags = build_project(project, pdf=False)
    errors = [d for d in diags if d.severity is Severity.ERROR]
    assert errors, "an unknown format must fail the build"
    message = " ".join(d.message for d in errors)
    assert "nosuch" in message and re.search(r"\bdocx\b", message) and re.search(r"\bpdf\b", message)
    assert all(d.location is not None and d.location.path == "indbuilder.yaml" for d in errors)
    assert not (project / "build").exists()


def test_writer_from_an_entry_point(monkeypatch, toy_writer):
    writers.unregister("txt")  # only the entry point knows it now
    point = EntryPoint(name="txt", value=f"{__name__}:TOY", group=writers.ENTRY_POINT_GROUP)
    monkeypatch.setattr(writers, "entry_points", lambda group: [point] if group == writers.ENTRY_POINT_GROUP else [])
    assert "txt" in writers.available()
    assert writers.get_writer("txt") is TOY
    doc = dt.Document(
        dt.DocMeta(title="T", ctd_section="1", element="e", region="fda", lang="en"),
        [dt.Heading(1, dt.text("Scope")), dt.Paragraph(dt.text("One line."))],
    )
    assert writers.get_writer("txt").write(doc, writers.document_context(doc)).data == b"T\nScope\nOne line.\n"
