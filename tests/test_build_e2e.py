"""End to end: `indbuilder build` on a copy of the example, checked with independent tools.

One build of both regions is shared by the tests of this module (it is the slow part); the
determinism test makes a second build and compares every file byte for byte.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from lxml import etree
from typer.testing import CliRunner

from example_project import copy_example, edit
from indbuilder.cli import app
from indbuilder.config import default_standards_cache
from indbuilder.diagnostics import Diagnostics
from indbuilder.outline import NodeState, Status
from indbuilder.pipeline import load_project, plan_regions

runner = CliRunner()
LETTER = re.compile(r"(cover-letter|loa-|letter)")


def build(root: Path, *extra: str):
    return runner.invoke(app, ["build", "-p", str(root), *extra])


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("e2e") / "project")
    result = build(root)
    assert result.exit_code == 0, result.output
    return root


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def sequence(root: Path, region: str) -> Path:
    [seq] = list((root / "build" / region / "ectd").glob("*/0000"))
    return seq


def test_every_required_node_of_both_outlines_is_filled():
    diags = Diagnostics()
    project = load_project(Path(__file__).resolve().parents[1], diags)
    for rb in plan_regions(project, ["fda", "nmpa"], diags):
        required = [n for n in rb.outline.walk() if n.status is Status.REQUIRED]
        assert len(required) > 40
        # filled, or declared not applicable with a written justification in the region's language
        not_filled = [
            n.number
            for n in required
            if not (
                rb.plan[n.id].state is NodeState.FILLED
                or (rb.plan[n.id].state is NodeState.NOT_APPLICABLE and (rb.plan[n.id].justification or {}).get(rb.lang))
            )
        ]
        assert not_filled == [], rb.region


def test_build_writes_docx_and_a_sequence_per_region(built):
    for region in ("fda", "nmpa"):
        docs = list((built / "build" / region / "docx").rglob("*.docx"))
        assert len(docs) > 80
        seq = sequence(built, region)
        assert (seq / "index.xml").is_file() and (seq / "index-md5.txt").is_file()
    assert not list((built / "build").glob(".staging-*")), "staging folders must be cleaned up"


def test_every_docx_has_heading_styles_title_block_and_real_tables(built):
    for path in (built / "build").rglob("*.docx"):
        d = docx.Document(str(path))
        styles = {p.style.name for p in d.paragraphs}
        assert "Title" in styles, path
        body_headings = [p for p in d.paragraphs if p.style.name.startswith("Heading")]
        if not LETTER.search(path.name):  # letters (cover letter, letter of authorization) have no sections
            assert body_headings, f"{path} has no heading styles"
        for table in d.tables:
            assert table.style is not None and len(table.rows) >= 1
            first_row = table.rows[0]._tr
            # header rows repeat on every page (w:tblHeader); only two-column key/value tables
            # (study synopsis, protocol identification) have no header row
            if first_row.find(".//{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") is None:
                assert len(table.columns) == 2, (path, [c.text for c in table.rows[0].cells])


def test_chinese_docx_is_chinese_and_carries_the_disclaimer(built):
    path = next((built / "build" / "nmpa" / "docx").rglob("32p81*.docx"))
    d = docx.Document(str(path))
    text = "\n".join(p.text for p in d.paragraphs)
    assert "稳定性" in text
    header = "\n".join(p.text for p in d.sections[0].header.paragraphs)
    assert "示例文件" in header + text


def test_backbones_validate_against_the_official_dtd_and_xsd(built):
    standards = Path(__import__("os").environ.get("INDBUILDER_STANDARDS") or default_standards_cache())
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    ich = etree.DTD(str(next(standards.rglob("ich-ectd-3-2.dtd"))))
    us = etree.DTD(str(next(standards.rglob("us-regional-v3-3.dtd"))))
    fda = sequence(built, "fda")
    assert ich.validate(etree.parse(str(fda / "index.xml"), parser)), ich.error_log
    assert us.validate(etree.parse(str(fda / "m1/us/us-regional.xml"), parser)), us.error_log
    nmpa = sequence(built, "nmpa")
    assert ich.validate(etree.parse(str(nmpa / "index.xml"), parser)), ich.error_log
    # the sequence's own util/dtd copy, as an agency validator reads it (its imports sit beside it)
    schema = etree.XMLSchema(etree.parse(str(nmpa / "util/dtd/cn-regional-1-0.xsd")))
    assert schema.validate(etree.parse(str(nmpa / "m1/cn/cn-regional.xml"), parser)), schema.error_log


def test_every_checksum_recomputes(built):
    # ICH and FDA backbones use the DTD-fixed w3c.org namespace, the NMPA schema the W3C one
    hrefs = ("{http://www.w3c.org/1999/xlink}href", "{http://www.w3.org/1999/xlink}href")
    for region in ("fda", "nmpa"):
        seq = sequence(built, region)
        index_md5 = hashlib.md5((seq / "index.xml").read_bytes()).hexdigest()
        assert (seq / "index-md5.txt").read_text() == index_md5
        for backbone in [seq / "index.xml", *seq.glob("m1/*/*-regional.xml")]:
            tree = etree.parse(str(backbone), etree.XMLParser(load_dtd=False, no_network=True))
            leaves = [el for el in tree.iter() if isinstance(el.tag, str) and el.tag.endswith("leaf")]
            assert leaves
            for leaf in leaves:
                href = next(leaf.get(h) for h in hrefs if leaf.get(h))
                target = (backbone.parent / href).resolve()
                assert hashlib.md5(target.read_bytes()).hexdigest() == leaf.get("checksum"), target


def _tool(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def test_pdfs_meet_the_pdf_rules_by_poppler(built):
    for region, size in (("fda", "612 x 792"), ("nmpa", "595.276 x 841.89")):
        pdfs = sorted(sequence(built, region).rglob("*.pdf"))
        assert len(pdfs) > 60
        for pdf in pdfs[:: max(1, len(pdfs) // 12)]:  # a spread of documents across modules
            info = _tool("pdfinfo", str(pdf))
            version = float(re.search(r"PDF version:\s+([\d.]+)", info).group(1))
            assert version <= 1.7 and re.search(r"Encrypted:\s+no", info), pdf
            assert size in info, (pdf, info)
            fonts = _tool("pdffonts", str(pdf)).splitlines()[2:]
            assert fonts and all(line.split()[-5] == "yes" for line in fonts), (pdf, fonts)


def test_chinese_pdf_text_is_recoverable(built):
    pdf = next(sequence(built, "nmpa").rglob("32p81*.pdf"))
    text = _tool("pdftotext", str(pdf), "-")
    assert "稳定性" in text and "示例文件" in text


def test_validate_command_accepts_our_sequences(built):
    for region in ("fda", "nmpa"):
        result = runner.invoke(app, ["validate", str(sequence(built, region))])
        assert result.exit_code == 0, result.output


def test_two_builds_are_byte_identical(built, tmp_path):
    again = tmp_path / "again"  # the very same sources, in another folder
    shutil.copytree(built, again, ignore=shutil.ignore_patterns("build"))
    assert build(again).exit_code == 0
    first, second = tree_digest(built / "build"), tree_digest(again / "build")
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_failed_build_keeps_the_previous_output(built, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(built, root)
    before = tree_digest(root / "build")
    edit(root, "templates/ectd/m3/32p81-stability-summary.en.md.j2", "product.shelf_life", "product.shelf_lif", 1)
    result = build(root)
    assert result.exit_code == 1 and "[template.undefined]" in result.output
    assert tree_digest(root / "build") == before
    assert not list((root / "build").glob(".staging-*"))
