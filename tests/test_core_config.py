"""indbuilder.yaml: documented keys, unknown-key warnings, validation errors with locations."""

from pathlib import Path

from indbuilder.config import CONFIG_KEYS, load_config


def write(tmp_path: Path, text: str) -> Path:
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
