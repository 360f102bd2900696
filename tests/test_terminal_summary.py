"""The summary at the end of build: per region the sequence folder, documents, files and size, the
sequence number and its lifecycle operations, the review copies, and the time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from example_project import copy_example
from indbuilder.build import BuildResult, PublishedRegion
from indbuilder.diagnostics import Diagnostics, Location
from indbuilder.summary import build_summary, human_size, sequence_figures

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The example, copied and built once for FDA (piped: plain progress lines)."""
    root = copy_example(tmp_path_factory.mktemp("summary") / "p", templates=False)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "INDBUILDER_PROGRESS")}
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run([sys.executable, "-m", "indbuilder", "build", "-r", "fda"], capture_output=True, text=True, cwd=root,
                          env=env, timeout=1200, check=False)
    return root, done


def test_build_prints_stage_lines_then_the_summary(built):
    root, done = built
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    err = done.stderr.splitlines()
    stages = ["loaded facts (", "[fda] rendered ", "ran checks (", "[fda] wrote 94 DOCX files (", "[fda] wrote ",
              "[fda] assembled and validated the eCTD sequence (", "[fda] checked the sequence's PDFs ("]
    positions = [next(i for i, line in enumerate(err) if line.startswith(s)) for s in stages]
    assert positions == sorted(positions), err
    assert done.stdout.splitlines()[-1].startswith("0 errors")  # the report's line for CI logs stays


def test_summary_names_the_sequence_its_counts_and_lifecycle_operations(built):
    root, done = built
    line = next(line for line in done.stderr.splitlines() if line.startswith("fda: "))
    seq = root / "build/fda/ectd/031562/0000"
    assert line.startswith("fda: build/fda/ectd/031562/0000  sequence 0000: ")
    figures = sequence_figures(seq)
    files = sum(1 for p in seq.rglob("*") if p.is_file())
    assert figures.files == files and f" in {files} files, " in line
    assert human_size(sum(p.stat().st_size for p in seq.rglob("*") if p.is_file())) in line
    new = figures.operations["new"]
    assert new > 90 and f"lifecycle: {new} new, 0 replace, 0 delete" in line and f"{new} documents in" in line
    review = next(line for line in done.stderr.splitlines() if "review copies:" in line)
    assert "build/fda/docx (94 DOCX files)" in review
    assert done.stderr.splitlines()[-1].startswith("built 1 region in ") and done.stderr.rstrip().endswith(" s")


def test_lifecycle_operations_are_read_from_the_backbones(tmp_path):
    seq = tmp_path / "0001"
    (seq / "m1/us").mkdir(parents=True)
    (seq / "util/dtd").mkdir(parents=True)
    leaf = '<leaf xmlns:xlink="http://www.w3.org/1999/xlink" ID="{i}" operation="{op}" xlink:href="x.pdf"/>'
    ops = ["new", "replace", "replace", "delete", "append"]
    (seq / "index.xml").write_text("<ectd:ectd xmlns:ectd='http://www.ich.org/ectd'><m2>"
                                   + "".join(leaf.format(i=f"a{i}", op=op) for i, op in enumerate(ops)) + "</m2></ectd:ectd>")
    (seq / "m1/us/us-regional.xml").write_text("<fda-regional>" + leaf.format(i="b", op="new") + "</fda-regional>")
    (seq / "util/dtd/ignored.xml").write_text("<x>" + leaf.format(i="c", op="new") + "</x>")
    figures = sequence_figures(seq)
    assert dict(figures.operations) == {"new": 2, "replace": 2, "delete": 1, "append": 1}
    assert figures.documents == 5 and figures.files == 3
    # a published region holds its sequence at <folder>/ectd/<application>/<sequence>
    region = tmp_path / "out/fda"
    (region / "ectd/0123").mkdir(parents=True)
    seq.rename(region / "ectd/0123/0001")
    result = BuildResult(Diagnostics(), published=[PublishedRegion("fda", region, "0123", "0001")], seconds=1.0)
    text = build_summary(result, cwd=tmp_path)
    assert "fda: out/fda/ectd/0123/0001  sequence 0001: 5 documents in 3 files" in text
    assert "lifecycle: 2 new, 2 replace, 1 append, 1 delete" in text


def test_a_failed_build_says_nothing_was_written():
    diags = Diagnostics()
    diags.emit("build.output", "cannot write build/fda: disk full", Location("build"))
    text = build_summary(BuildResult(diags, seconds=2.5))
    assert text == "nothing was written: 1 error (listed in the report); 2.5 s\n"
