"""Content loading: schema errors in a writer's words, located at the offending key."""

from pathlib import Path

from indbuilder.diagnostics import Diagnostics
from indbuilder.loader import load_content, split_front_matter


# The rest of a valid drug product record, for tests that write one of its keys (batches or stability).
DP_BASE = """drug_product:
  id: dp
  name: {en: product, zh: 制剂}
  process: {id: p, version: "1.0", site: ORG-1, description: {en: d, zh: 述}, steps: []}
  specification: {id: s, version: "1", title: {en: spec, zh: 标准}, tests: []}
  container_closure: {description: {en: vial, zh: 瓶}, components: []}
"""
DP_LISTS = {
    "batches": "  batches:\n    - {id: LOT-0, type: engineering, manufactured: 2026-01-01, site: ORG-1, process_version: '1.0',"
    " scale: {en: s, zh: 规}, results: {}}\n",
    "stability": "  stability:\n    - {id: ST-0, kind: long-term, title: {en: t, zh: 题}, condition: {en: c, zh: 件}, lots: [LOT-0],"
    " time_unit: months, tests: [], timepoints: [{time: 0, results: {}}], supports: shelf-life, conclusion: {en: ok, zh: 合格}}\n",
}


def load(tmp_path: Path, files: dict[str, str]):
    given = "".join(files.values())
    if "drug_product:" in given:
        base = DP_BASE + "".join(v for k, v in DP_LISTS.items() if f"  {k}:" not in given)
        files = {**files, "zz-base.yaml": base}
    for name, text in files.items():
        p = tmp_path / "content" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    diags = Diagnostics()
    dossier = load_content(tmp_path, tmp_path / "content", diags)
    # a fragment of the drug product leaves its other required keys missing: not what these tests are about
    return dossier, [d for d in diags.sorted() if d.rule != "schema.missing-section"]


def dp(text: str) -> str:
    """``text`` (a ``batches:``/``stability:`` list) as a key of the drug product record."""
    return "drug_product:\n" + "".join("  " + line if line.strip() else line for line in text.splitlines(True))


BATCH = """batches:
  - id: LOT-1
    type: clinical
    manufactured: 2026-01-05
    site: ORG-1
    process_version: "1.0"
    donor: {en: autologous, zh: 自体}
    scale: {en: one dose, zh: 单剂}
    results:
      viability_percent: {value}
"""


STABILITY = """stability:
  - id: STAB-1
    kind: long-term
    title: {en: Long-term, zh: 长期}
    condition: {en: LN2 vapour, zh: 液氮气相}
    lots: [LOT-1]
    time_unit: months
    tests: [viability]
    supports: shelf-life
    conclusion: {en: ok, zh: 合格}
    timepoints:
      - time: 0
        results: {LOT-1: {viability: 95}}
      - time: ninety
        results: {LOT-1: {viability: 94}}
"""


def test_wrong_type_names_key_value_and_line(tmp_path):
    _, diags = load(tmp_path, {"cmc/stability.yaml": dp(STABILITY)})
    assert [d.format() for d in diags] == [
        "content/cmc/stability.yaml:15:11: error [schema.type] 'timepoints.time' must be a number, got 'ninety'"
    ]


def test_valid_batch_loads_and_records_locations(tmp_path):
    dossier, diags = load(tmp_path, {"cmc/batches.yaml": dp(BATCH.replace("{value}", "92.5"))})
    assert diags == []
    assert dossier.index("batches")["LOT-1"].results["viability_percent"] == 92.5
    assert str(dossier.where("batches", "LOT-1", "results", "viability_percent")) == "content/cmc/batches.yaml:11:9"


def test_missing_required_field(tmp_path):
    text = BATCH.replace("{value}", "92.5").replace("    site: ORG-1\n", "")
    _, diags = load(tmp_path, {"cmc/batches.yaml": dp(text)})
    assert [(d.rule, d.message) for d in diags] == [("schema.missing", "'site' is required in drug_product.batches")]
    assert diags[0].location.line == 3


def test_unknown_key_with_suggestion(tmp_path):
    text = BATCH.replace("{value}", "92.5").replace("    site: ORG-1", "    stie: ORG-1\n    site: ORG-1")
    _, diags = load(tmp_path, {"cmc/batches.yaml": dp(text)})
    assert [(d.rule, d.message) for d in diags] == [("schema.unknown-key", "unknown key 'stie' in drug_product.batches")]
    assert diags[0].location.line == 6
    assert diags[0].hint == "did you mean 'site'?"


def test_unknown_section_and_duplicate_ids(tmp_path):
    ok = BATCH.replace("{value}", "92.5")
    _, diags = load(tmp_path, {"a.yaml": dp(ok), "b.yaml": dp(ok.replace("batches:", "batches:", 1)), "c.yaml": "drug_prodcut: {}\n"})
    rules = sorted(d.rule for d in diags)
    assert rules == ["schema.duplicate-id", "schema.unknown-section"]
    unknown = next(d for d in diags if d.rule == "schema.unknown-section")
    assert unknown.hint == "did you mean 'drug_product'?"


def test_missing_sections_are_reported(tmp_path):
    diags = Diagnostics()
    (tmp_path / "content").mkdir()
    load_content(tmp_path, tmp_path / "content", diags)
    missing = [d.message for d in diags if d.rule == "schema.missing-section"]
    assert any(m.startswith("no fact file defines 'product'") for m in missing)


def test_front_matter_split_counts_lines():
    fm, body, line = split_front_matter("---\nid: x\nlang: en\n---\n# Title\n", "n.md")
    assert fm.data == {"id": "x", "lang": "en"} and body == "# Title\n" and line == 5


def test_narrative_without_lang_is_reported(tmp_path):
    _, diags = load(tmp_path, {"n.md": "---\nid: intro\n---\ntext\n"})
    assert [(d.rule, str(d.location)) for d in diags] == [("narrative.front-matter", "content/n.md:2:1")]


def test_folded_chinese_text_loses_the_joining_space():
    """YAML '>-' joins lines with a space; Chinese has no word spacing, so it must not appear."""
    from indbuilder.model.common import Text

    assert Text(en="two words", zh="复制缺陷型 慢病毒载体、 已灭活").zh == "复制缺陷型慢病毒载体、已灭活"
    assert Text(en="x", zh="剂量 5.0×10^6 cells/kg 组").zh == "剂量 5.0×10^6 cells/kg 组"


def test_result_with_unsigned_exponent_is_a_number(tmp_path):
    """YAML 1.1 reads 2.46e7 as text; as a batch result it must compare as a number."""
    _, diags = load(tmp_path, {"cmc/batches.yaml": dp(BATCH.replace("{value}", "2.46e7"))})
    dossier, _ = load(tmp_path / "again", {"cmc/batches.yaml": dp(BATCH.replace("{value}", "2.46e7"))})
    assert diags == []
    assert dossier.index("batches")["LOT-1"].results["viability_percent"] == 24600000.0


# ---------------------------------------------------------------- hostile input (issue 15)

import os  # noqa: E402

from indbuilder.paths import ReadScope  # noqa: E402

NARRATIVE = "---\nid: intro\nlang: en\nnode: m2-2-introduction\n---\n{body}\n"


def test_control_characters_in_a_narrative_get_a_located_warning(tmp_path):
    dossier, diags = load(tmp_path, {"n.md": NARRATIVE.format(body="First line.\nA bell\x07 here.")})
    assert [(d.rule, str(d.location)) for d in diags] == [("narrative.control-character", "content/n.md:7:7")]
    assert "\x07" in dossier.narratives[0].body  # the writers leave it out (write.control-character)


def test_front_matter_of_the_wrong_type_is_located(tmp_path):
    text = "---\nid: intro\nlang: en\nnode: [a, b]\ntitle: {x: 1}\n---\nbody\n"
    dossier, diags = load(tmp_path, {"n.md": text})
    assert [(d.rule, str(d.location)) for d in diags] == [
        ("schema.type", "content/n.md:4:1"),
        ("schema.type", "content/n.md:5:1"),
    ]
    assert dossier.narratives == []


def test_two_narratives_with_one_id_and_language_is_an_error_naming_both(tmp_path):
    _, diags = load(tmp_path, {"a.md": NARRATIVE.format(body="a"), "b.md": NARRATIVE.format(body="b"),
                               "c.md": NARRATIVE.format(body="c").replace("lang: en", "lang: zh")})
    [diag] = diags
    assert diag.rule == "narrative.duplicate-id" and str(diag.location) == "content/b.md:2:1"
    assert "content/a.md" in diag.message


def _outside(tmp_path: Path) -> tuple[Path, Path]:
    shared = tmp_path / "shared"
    shared.mkdir()
    secret = shared / "secret.yaml"
    secret.write_text("product: {code: SECRET-BYTES}\n", encoding="utf-8")
    root = tmp_path / "project"
    (root / "content").mkdir(parents=True)
    os.symlink(secret, root / "content" / "product.yaml")
    return root, shared


def test_a_fact_file_linked_outside_the_project_is_refused_without_its_bytes(tmp_path):
    root, _ = _outside(tmp_path)
    diags = Diagnostics()
    load_content(root, root / "content", diags)
    [refused] = [d for d in diags if d.rule == "yaml.outside-project"]
    assert str(refused.location) == "content/product.yaml"
    assert all("SECRET-BYTES" not in d.message for d in diags)


def test_allow_outside_names_a_folder_that_may_be_read(tmp_path):
    root, shared = _outside(tmp_path)
    diags = Diagnostics()
    load_content(root, root / "content", diags, ReadScope.of(root, [shared]))
    assert not [d for d in diags if d.rule == "yaml.outside-project"]
    assert any(d.rule == "schema.missing" for d in diags)  # it was read: the product is incomplete


def test_a_content_folder_outside_the_project_is_refused(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    (root / "indbuilder.yaml").write_text("regions: [fda]\ncontent: /etc\n", encoding="utf-8")
    diags = Diagnostics()
    dossier = load_content(root, Path("/etc"), diags)
    assert [(d.rule, str(d.location)) for d in diags] == [("yaml.outside-project", "indbuilder.yaml:2:1")]
    assert dossier.facts == {} and dossier.narratives == []


def test_non_finite_and_negative_numbers_are_schema_errors(tmp_path):
    _, diags = load(tmp_path, {"b.yaml": dp(BATCH.replace("{value}", ".nan"))})
    assert [(d.rule, str(d.location)) for d in diags] == [("schema.value", "content/b.yaml:11:9")]
