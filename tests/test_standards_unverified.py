"""ectd.standard-unverified: not on every build of the example, only under --strict (and in `standards status`)."""

from __future__ import annotations

from typer.testing import CliRunner

from example_project import copy_example
from indbuilder.cli import app

runner = CliRunner()


def test_example_build_is_quiet_about_unverified_standards_unless_strict(tmp_path):
    root = copy_example(tmp_path / "project")
    normal = runner.invoke(app, ["build", "-p", str(root), "-r", "fda"])
    assert normal.exit_code == 0, normal.output
    assert "ectd.standard-unverified" not in normal.output
    strict = runner.invoke(app, ["build", "-p", str(root), "-r", "fda", "--strict"])
    assert strict.output.count("[ectd.standard-unverified]") == 1
    assert strict.exit_code == 1  # --strict still means: warnings fail
