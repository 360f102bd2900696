"""CLI behaviour: help, version, rules, exit codes 0/1/2/3 and machine-readable reports."""

import json

import pytest
from typer.testing import CliRunner

from indbuilder import __version__
from indbuilder.cli import app

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"indbuilder {__version__}"


def test_help_lists_commands_for_a_regulatory_user():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("build", "check", "outline", "rules", "validate", "pdfcheck", "standards"):
        assert command in result.output
    assert "Investigational New Drug" in result.output


@pytest.mark.parametrize("command", ["build", "check", "outline", "rules", "validate", "pdfcheck"])
def test_each_command_explains_itself(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and len(result.output) > 200


def test_rules_lists_ids_with_severity():
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0
    assert any(line.startswith("yaml.duplicate-key") and "error" in line for line in result.output.splitlines())
    count = int(result.output.strip().splitlines()[-1].split()[0])
    assert count >= 60


def test_rules_explains_one_rule():
    result = runner.invoke(app, ["rules", "yaml.duplicate-key"])
    assert result.exit_code == 0 and "silently keep" in result.output


def test_unknown_rule_is_a_usage_error_with_suggestion():
    result = runner.invoke(app, ["rules", "yaml.duplicate-kye"])
    assert result.exit_code == 2 and "yaml.duplicate-key" in result.output


def test_bad_option_is_a_usage_error():
    assert runner.invoke(app, ["check", "--format", "pdf"]).exit_code == 2
    assert runner.invoke(app, ["outline", "--region", "ema"]).exit_code == 2


def test_folder_without_project_is_a_content_error(tmp_path):
    result = runner.invoke(app, ["check", "-p", str(tmp_path)])
    assert result.exit_code == 1
    assert "[config.missing]" in result.output and result.stdout.rstrip().endswith("1 error, 0 warnings, 0 waived")


def test_json_report_has_the_same_findings(tmp_path):
    result = runner.invoke(app, ["check", "-p", str(tmp_path), "--format", "json"])
    payload = json.loads(result.stdout)
    assert payload["summary"]["errors"] == 1
    assert payload["diagnostics"][0]["rule"] == "config.missing"


def test_internal_error_is_exit_3_without_traceback(tmp_path, monkeypatch):
    import indbuilder.pipeline as pipeline

    def boom(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(pipeline, "check_project", boom)
    monkeypatch.delenv("INDBUILDER_DEBUG", raising=False)
    result = runner.invoke(app, ["check", "-p", str(tmp_path)])
    assert result.exit_code == 3
    assert "internal error: RuntimeError: simulated bug" in result.output
    assert "Traceback" not in result.output


def test_outline_prints_states_plain_or_coloured():
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[1])
    plain = runner.invoke(app, ["outline", "-p", root, "-r", "fda", "--no-color"])
    assert plain.exit_code == 0, plain.output
    assert "3.2.P.8.1 Stability Summary and Conclusion — filled" in plain.output
    assert "\x1b[" not in plain.output
    coloured = runner.invoke(app, ["outline", "-p", root, "-r", "nmpa", "--color"])
    assert coloured.exit_code == 0 and "\x1b[" in coloured.output and "稳定性" in coloured.output


def test_outline_shows_a_missing_required_section_and_fails(tmp_path):
    from example_project import copy_example

    root = copy_example(tmp_path / "p", templates=False)
    (root / "content/narratives/form-1571.en.md").unlink()  # the data Form FDA 1571 is filled from
    result = runner.invoke(app, ["outline", "-p", str(root), "-r", "fda", "--no-color"])
    assert result.exit_code == 1
    assert "1.1 Forms — MISSING: declare an attachment with node: form:fdaft1" in result.output
