"""YAML loading: key locations, duplicate keys and syntax errors become located diagnostics."""

from indbuilder.yamlio import load_yaml_text


def test_records_line_and_column_of_every_key():
    loaded = load_yaml_text("batches:\n  - id: LOT-1\n    results:\n      viability: 95\n", "b.yaml")
    assert loaded.diagnostics == []
    assert loaded.data == {"batches": [{"id": "LOT-1", "results": {"viability": 95}}]}
    assert str(loaded.location(("batches", 0, "results", "viability"))) == "b.yaml:4:7"
    assert str(loaded.location(("batches", 0, "id"))) == "b.yaml:2:5"


def test_unknown_path_falls_back_to_nearest_parent():
    loaded = load_yaml_text("product:\n  name: x\n", "p.yaml")
    assert str(loaded.location(("product", "missing", "deeper"))) == "p.yaml:1:1"


def test_duplicate_key_is_an_error_with_both_lines():
    loaded = load_yaml_text("product:\n  shelf_life: 6\n  shelf_life: 12\n", "p.yaml")
    [diag] = loaded.diagnostics
    assert diag.rule == "yaml.duplicate-key"
    assert diag.format() .startswith("p.yaml:3:3: error [yaml.duplicate-key] duplicate key 'shelf_life' (first defined on line 2)")
    assert loaded.data == {"product": {"shelf_life": 6}}


def test_unique_keys_give_no_diagnostic():
    assert load_yaml_text("a: 1\nb: 2\n", "x.yaml").diagnostics == []


def test_syntax_error_is_located():
    loaded = load_yaml_text("product:\n  name: [unclosed\n", "p.yaml")
    [diag] = loaded.diagnostics
    assert diag.rule == "yaml.syntax"
    assert diag.location.path == "p.yaml" and diag.location.line >= 2
    assert loaded.data is None
