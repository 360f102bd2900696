"""indbuilder.yaml: documented keys, unknown-key warnings, validation errors with locations."""

from pathlib import Path

from indbuilder.config import CONFIG_KEYS, load_config


def write(tmp_path: Path, text: str) -> Path:
    """``text`` as indbuilder.yaml, with the required submission_date appended when it has none."""
    if "submission_date" not in text:
        text += "submission_date: 2027-01-15\n"
    (tmp_path / "indbuilder.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_valid_config_loads_with_defaults(tmp_path):
    cfg, diags = load_config(write(tmp_path, "regions: [fda]\nsequence: '0001'\n"))
    assert diags == []
    assert cfg.settings.regions == ["fda"] and cfg.settings.sequence == "0001"
    assert cfg.settings.formats == ["docx", "pdf"]


def test_unknown_key_is_a_warning_with_suggestion(tmp_path):
    cfg, diags = load_config(write(tmp_path, "regoins: [fda]\n"))
    assert cfg is not None
    [d] = diags
    assert d.format().splitlines()[0] == "indbuilder.yaml:1:1: warning [config.unknown-key] unknown key 'regoins' is ignored"
    assert d.hint == "did you mean 'regions'?"


def test_bad_sequence_is_an_error(tmp_path):
    cfg, diags = load_config(write(tmp_path, "regions: [fda]\nsequence: 12a\n"))
    assert cfg is None
    assert [d.rule for d in diags] == ["schema.value"]
    assert diags[0].location.line == 2


def test_bad_region_lists_allowed_values(tmp_path):
    cfg, diags = load_config(write(tmp_path, "regions: [ema]\n"))
    assert cfg is None
    assert diags[0].rule == "schema.value" and "'fda'" in diags[0].message


def test_missing_config_is_reported(tmp_path):
    cfg, diags = load_config(tmp_path)
    assert cfg is None and diags[0].rule == "config.missing"


def test_every_settings_field_is_documented():
    from indbuilder.config import ProjectSettings

    assert set(ProjectSettings.model_fields) == set(CONFIG_KEYS)


import pytest  # noqa: E402


@pytest.mark.parametrize(
    "text, rule, line",
    [
        ("regions: [fda]\noutput: content\n", "config.output", 2),
        ("regions: [fda]\noutput: .\n", "config.output", 2),
        ("regions: [fda]\noutput: templates/ectd/x\n", "config.output", 2),
        ("regions: [fda]\nhistory: submissions\noutput: submissions/fda\n", "config.output", 3),
        ("regions: [fda]\nhistory: content/sent\n", "config.history", 2),
        ("regions: [fda]\nformats: []\n", "config.formats", 2),
    ],
)
def test_output_history_and_formats_rules(tmp_path, text, rule, line):
    cfg, diags = load_config(write(tmp_path, text))
    assert cfg is None
    assert [(d.rule, d.location.path, d.location.line) for d in diags] == [(rule, "indbuilder.yaml", line)]


def test_gate_override_is_reported_and_ignored(tmp_path):
    cfg, diags = load_config(write(tmp_path, "regions: [fda]\nseverity:\n  schema.type: info\n  config.unknown-key: info\n"))
    assert cfg is not None
    [d] = diags
    assert d.rule == "config.gate-override" and d.location.line == 3 and "cannot be downgraded" in d.message
    assert cfg.settings.severity == {"config.unknown-key": "info"}  # the gate rule's override is dropped


def test_submission_date_is_required(tmp_path):
    (tmp_path / "indbuilder.yaml").write_text("regions: [fda]\n", encoding="utf-8")
    cfg, diags = load_config(tmp_path)
    assert cfg is None
    [d] = diags
    assert (d.rule, d.message) == ("schema.missing", "'submission_date' is required in indbuilder.yaml")
    assert d.location.path == "indbuilder.yaml"
    assert "submission_date: 2027-01-15" in d.hint and "YYYY-MM-DD" in d.hint
