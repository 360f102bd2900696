"""A user-supplied fillable Form FDA 1571 is filled from the facts and placed in the sequence.

The fillable PDF is made by the test itself (tests/pdf_support.py); the official form works the
same way with a mapping of its field names.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from typer.testing import CliRunner

from example_project import copy_example
from indbuilder.cli import app
from pdf_support import fillable_pdf

MAPPING = """# PDF field name: fact path
SponsorName: sponsor.name.en
IndNumber: regulatory.fda.application_number
Phase: protocol.phase
"""


def as_pdf_17(data: bytes) -> bytes:
    """The agencies accept PDF 1.4-1.7; pypdf writes a 1.3 header by default."""
    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer.pdf_header = b"%PDF-1.7"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def form_project(tmp_path: Path, mapping: str) -> Path:
    root = copy_example(tmp_path / "p")
    (root / "content/narratives/form-1571.en.md").unlink()  # the official form replaces the data sheet
    forms = root / "forms"
    forms.mkdir()
    (forms / "fda-1571.pdf").write_bytes(as_pdf_17(fillable_pdf()))
    (forms / "fda-1571.map.yaml").write_text(mapping, encoding="utf-8")
    (root / "content/attachments.yaml").write_text(
        "attachments:\n"
        "  - id: form-1571\n"
        "    node: form:fdaft1\n"
        "    file: forms/fda-1571.pdf\n"
        "    fill: forms/fda-1571.map.yaml\n"
        "    title: {en: Form FDA 1571, zh: FDA 1571表}\n"
        "    regions: [fda]\n",
        encoding="utf-8",
    )
    return root


def test_form_is_filled_from_facts_and_placed_as_the_1571(tmp_path):
    root = form_project(tmp_path, MAPPING)
    result = CliRunner().invoke(app, ["build", "-p", str(root), "-r", "fda"])
    assert result.exit_code == 0, result.output
    [seq] = list((root / "build/fda/ectd").glob("*/0000"))
    regional = (seq / "m1/us/us-regional.xml").read_text(encoding="utf-8")
    assert 'form-type="fdaft1"' in regional
    [pdf] = [p for p in (seq / "m1/us").glob("*.pdf") if "1571" in p.name]
    fields = {k: v.get("/V") for k, v in PdfReader(io.BytesIO(pdf.read_bytes())).get_fields().items()}
    assert fields["SponsorName"] == "Meridian Cell Therapeutics, Inc."
    assert fields["IndNumber"] == "031562"
    assert fields["Phase"] == "1"


def test_mapping_to_a_field_the_form_lacks_is_an_error_at_its_line(tmp_path):
    root = form_project(tmp_path, MAPPING + "SponsorNmae: sponsor.name.en\n")
    result = CliRunner().invoke(app, ["build", "-p", str(root), "-r", "fda"])
    assert result.exit_code == 1
    assert "forms/fda-1571.map.yaml:5:1: error [pdf.form-unknown-field] the form has no field 'SponsorNmae'" in result.output
    assert not (root / "build/fda").exists()
