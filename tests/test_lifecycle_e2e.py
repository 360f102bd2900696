"""Lifecycle end to end through the CLI: build 0000, submit it, change the dossier, build 0001.

The FDA region only (the lifecycle logic is shared; the NMPA backbone is covered by the ectd tests).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from example_project import copy_example, edit
from indbuilder.cli import app

runner = CliRunner()
XLINK = "{http://www.w3c.org/1999/xlink}href"


def cli(*args: str):
    return runner.invoke(app, list(args))


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.md5(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def leaves(index: Path) -> list[etree._Element]:
    tree = etree.parse(str(index), etree.XMLParser(load_dtd=False, no_network=True))
    return [el for el in tree.iter("leaf")]


@pytest.fixture(scope="module")
def two_sequences(tmp_path_factory):
    root = copy_example(tmp_path_factory.mktemp("lifecycle") / "project")
    assert (r := cli("build", "-p", str(root), "-r", "fda")).exit_code == 0, r.output
    assert (r := cli("submit", "-p", str(root), "-r", "fda", "--date", "2026-12-14")).exit_code == 0, r.output
    submitted = digest(root / "submissions/fda/0000")
    # a fact that several documents state: the in-use time after thaw
    edit(root, "content/product.yaml", "  in_use_time:\n    value: 4\n", "  in_use_time:\n    value: 3\n")
    edit(root, "indbuilder.yaml", 'sequence: "0000"', 'sequence: "0001"')
    r = cli("build", "-p", str(root), "-r", "fda")
    return root, submitted, r


def test_submitted_sequence_is_recorded_and_unchanged(two_sequences):
    root, submitted, result = two_sequences
    assert result.exit_code == 0, result.output
    assert (root / "submissions/fda/0000.submitted.yaml").is_file()
    assert digest(root / "submissions/fda/0000") == submitted


def test_changed_documents_are_replaced_and_unchanged_ones_left_out(two_sequences):
    root, _, _ = two_sequences
    [app_dir] = list((root / "build/fda/ectd").iterdir())
    index1 = app_dir / "0001" / "index.xml"
    ops = leaves(index1)
    replaced = [l for l in ops if l.get("operation") == "replace"]
    assert replaced, "a changed fact must replace the documents that state it"
    assert all(l.get("operation") in ("replace", "new") for l in ops)
    # the 0000 documents that did not change are not in 0001 at all
    assert len(ops) < len(leaves(app_dir / "0000" / "index.xml")) / 2
    targets = {l.get("ID") for l in leaves(app_dir / "0000" / "index.xml")}
    for leaf in replaced:
        target = leaf.get("modified-file")
        assert target.startswith("../0000/index.xml#") and target.split("#")[1] in targets


def test_new_sequence_validates_with_its_history(two_sequences):
    root, _, _ = two_sequences
    [seq] = list((root / "build/fda/ectd").glob("*/0001"))
    result = cli("validate", str(seq))
    assert result.exit_code == 0, result.output


def test_submitted_sequence_is_never_rebuilt(two_sequences, tmp_path):
    root, submitted, _ = two_sequences
    edit(root, "indbuilder.yaml", 'sequence: "0001"', 'sequence: "0000"')
    try:
        result = cli("build", "-p", str(root), "-r", "fda")
        assert result.exit_code == 1
        assert "[ectd.sequence-submitted]" in result.output
        assert digest(root / "submissions/fda/0000") == submitted
    finally:
        edit(root, "indbuilder.yaml", 'sequence: "0000"', 'sequence: "0001"')


def test_submit_twice_is_refused(two_sequences):
    root, _, _ = two_sequences
    edit(root, "indbuilder.yaml", 'sequence: "0001"', 'sequence: "0000"')
    try:
        result = cli("submit", "-p", str(root), "-r", "fda")
        assert result.exit_code == 1 and "[submit.already-submitted]" in result.output
    finally:
        edit(root, "indbuilder.yaml", 'sequence: "0000"', 'sequence: "0001"')
