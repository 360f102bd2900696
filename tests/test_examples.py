"""Every example builds for FDA and NMPA with 0 errors, and its output passes `validate` and `pdfcheck`.

Issue 10 item 5: MCT-101 (cell + gene therapy), a small-molecule oral tablet and a monoclonal antibody for
injection, each a complete first-in-human IND with invented data. The sequence is checked against the
official DTD/XSD by `indbuilder validate` and every PDF by `indbuilder pdfcheck` (fonts embedded, no
encryption, links relative); both are separate commands from the build that wrote them.
"""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from examples_support import EXAMPLES, MODALITIES, BuiltExample, build_example
from indbuilder.cli import app
from indbuilder.config import load_config

runner = CliRunner()
SUMMARY = re.compile(r"(\d+) errors?, (\d+) warnings?")


@pytest.fixture(scope="module", params=sorted(EXAMPLES))
def built(request, tmp_path_factory) -> BuiltExample:
    return build_example(request.param, tmp_path_factory.mktemp(request.param) / "project")


def test_example_builds_for_both_regions_without_errors(built):
    assert built.exit_code == 0, built.output
    counts = SUMMARY.findall(built.output)
    assert counts and counts[-1][0] == "0", built.output[-2000:]
    config, _ = load_config(built.root)
    assert config is not None and list(config.settings.regions) == ["fda", "nmpa"]
    for region in ("fda", "nmpa"):
        assert (built.sequence(region) / "index.xml").is_file()


def test_example_is_the_modality_it_claims(built):
    import yaml

    product = yaml.safe_load((built.root / "content" / "product.yaml").read_text(encoding="utf-8"))["product"]
    assert tuple(product["modality"]) == MODALITIES[built.name]


def test_example_sequences_validate(built):
    for region in ("fda", "nmpa"):
        result = runner.invoke(app, ["validate", str(built.sequence(region))])
        assert result.exit_code == 0, f"{built.name} {region}: {result.output[-3000:]}"


def test_example_pdfs_pass_pdfcheck(built):
    for region in ("fda", "nmpa"):
        pdfs = sorted(str(p) for p in built.sequence(region).rglob("*.pdf"))
        assert len(pdfs) > 20, f"{built.name} {region}: only {len(pdfs)} PDFs"
        result = runner.invoke(app, ["pdfcheck", *pdfs])
        assert result.exit_code == 0, f"{built.name} {region}: {result.output[-3000:]}"


def test_every_generated_document_says_the_data_are_illustrative(built):
    """Honest data: the project's disclaimer is on every document (checked in the DOCX review copies)."""
    import docx

    config, _ = load_config(built.root)
    assert config is not None and config.settings.disclaimer
    for region, lang in (("fda", "en"), ("nmpa", "zh")):
        statement = config.settings.disclaimer[lang]
        copies = sorted((built.root / "build" / region / "docx").rglob("*.docx"))
        assert copies
        for path in copies:
            d = docx.Document(str(path))
            header_text = " ".join(p.text for s in d.sections for p in s.header.paragraphs)
            assert statement in header_text, f"{path.name} has no disclaimer"
