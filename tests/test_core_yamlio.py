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


# ---------------------------------------------------------------- hostile input (issue 15)

import os  # noqa: E402
import time  # noqa: E402

import pytest  # noqa: E402

from indbuilder.yamlio import MAX_YAML_BYTES, load_yaml  # noqa: E402


def _only(text: str) -> tuple[str, str]:
    loaded = load_yaml_text(text, "f.yaml")
    [diag] = loaded.diagnostics
    assert loaded.data is None
    return diag.rule, str(diag.location)


@pytest.mark.parametrize(
    "text, rule, where",
    [
        ("a: 2026-02-30\n", "yaml.value", "f.yaml:1:4"),
        ("a: !!timestamp nope\n", "yaml.value", "f.yaml:1:4"),
        ("a: !!int twelve\n", "yaml.value", "f.yaml:1:4"),
        ("x: 1\n? {a: 1}\n: x\n", "yaml.key-type", "f.yaml:2:3"),
        ("x: 1\ny: [a, \x07]\n", "yaml.control-character", "f.yaml:2:8"),
        ('x: "\\x1b[31m"\n', "yaml.control-character", "f.yaml:1:4"),
        ('x:\n  - "\\ud800"\n', "yaml.surrogate", "f.yaml:2:8"),  # libyaml names the escape itself
        ("x: &a [*a]\n", "yaml.limit", "f.yaml:1:4"),
        ("[" * 1000 + "]" * 1000, "yaml.limit", "f.yaml:1:201"),
        ("x: !!python/object/apply:os.system [id]\n", "yaml.syntax", "f.yaml:1:4"),
        ("a: 1\n---\nb: 2\n", "yaml.syntax", "f.yaml:2:1"),
    ],
)
def test_hostile_yaml_is_one_located_finding(text, rule, where):
    assert _only(text) == (rule, where)


def test_alias_bomb_is_refused_quickly():
    bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 10)
    )
    t0 = time.perf_counter()
    rule, _ = _only(bomb)
    assert rule == "yaml.limit" and time.perf_counter() - t0 < 1.0


def test_a_few_aliases_are_fine():
    loaded = load_yaml_text("base: &b {en: x, zh: y}\nother: *b\n", "f.yaml")
    assert loaded.diagnostics == [] and loaded.data["other"] == {"en": "x", "zh": "y"}


@pytest.mark.parametrize("text, data", [("", None), ("# only a comment\n", None), ("\ufeffa: 1\n", {"a": 1}), ("a: -0\n", {"a": 0})])
def test_harmless_oddities_load(text, data):
    loaded = load_yaml_text(text, "f.yaml")
    assert loaded.diagnostics == [] and loaded.data == data


def test_oversized_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.yaml"
    with path.open("wb") as fh:  # sparse: 50 MB that cost nothing to write
        fh.truncate(50 * 1024 * 1024)
    t0 = time.perf_counter()
    loaded = load_yaml(path, "big.yaml")
    assert [d.rule for d in loaded.diagnostics] == ["yaml.limit"] and time.perf_counter() - t0 < 0.5
    assert f"{MAX_YAML_BYTES // 1_048_576} MB" in loaded.diagnostics[0].message


def test_a_named_pipe_is_not_read(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    assert [d.rule for d in load_yaml(fifo, "pipe.yaml").diagnostics] == ["yaml.unreadable"]
