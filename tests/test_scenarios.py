"""Scenario projects (tests/projects/*/scenario.yaml): the example dossier with one mistake each,
and the exact diagnostics ``indbuilder check`` must report for it.

Each scenario edits or deletes files in a fresh copy of the example, runs ``indbuilder check`` as a
user would, and compares every reported finding (waived ones excluded) with ``expected``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from example_project import copy_example, edit
from indbuilder.cli import app

SCENARIOS = sorted(p.parent.name for p in (Path(__file__).parent / "projects").glob("*/scenario.yaml"))


def run_scenario(name: str, tmp_path: Path):
    spec = yaml.safe_load((Path(__file__).parent / "projects" / name / "scenario.yaml").read_text(encoding="utf-8"))
    root = copy_example(tmp_path / name)
    for e in spec.get("edits") or []:
        edit(root, e["file"], e["find"], e["replace"], e.get("count"))
    for rel in spec.get("delete") or []:
        (root / rel).unlink()
    args = ["check", "-p", str(root)]
    for region in spec.get("regions") or []:
        args += ["-r", region]
    if spec.get("strict"):
        args.append("--strict")
    result = CliRunner().invoke(app, args)
    lines = result.stdout.rstrip("\n").splitlines()
    findings = [l for l in lines[:-1] if not l.startswith("    ") and "(waived)" not in l]
    return spec, result, findings, lines[-1]


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_reports_exactly_the_expected_findings(name, tmp_path):
    spec, result, findings, summary = run_scenario(name, tmp_path)
    assert findings == spec["expected"], result.output
    assert result.exit_code == spec["exit"], result.output
    if "summary" in spec:
        assert summary == spec["summary"]
