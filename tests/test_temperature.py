"""Storage-temperature phrases read as ranges (checks/temperature.py), and the storage rules built on them.

The table holds storage phrases as labels, protocols, stability reports and CN 制造及检定规程 print
them. A hyphen between two numbers is a range ("20-25 °C" is 20 to 25 °C, never −25 °C); a minus is a
sign only where no number precedes it.
"""

from __future__ import annotations

import pytest

from checks_helpers import FIXTURE, Edit, apply, copy_project, findings, run
from indbuilder.checks.temperature import TempRange, parse_temperature, temperatures_in

N = None
# phrase -> (low, high, nominal); None on a side that the phrase leaves open
PHRASES: list[tuple[str, tuple[float | None, float | None, float | None] | None]] = [
    # English
    ("≤ -65 °C", (N, -65, N)),
    ("Store below 25 °C", (N, 25, N)),
    ("not above 30 °C", (N, 30, N)),
    ("Store at or below 25 °C. Keep the bottle tightly closed.", (N, 25, N)),
    ("-20 ± 5 °C", (-25, -15, -20)),
    ("−20 °C ± 5 °C", (-25, -15, -20)),
    ("2–8 °C", (2, 8, N)),
    ("2-8°C", (2, 8, N)),
    ("2 - 8 °C", (2, 8, N)),
    ("2 to 8 °C", (2, 8, N)),
    ("Store at 2 °C to 8 °C. Do not freeze. Do not shake.", (2, 8, N)),
    ("Store refrigerated between 2 and 8 °C", (2, 8, N)),
    ("20-25 °C", (20, 25, N)),
    ("Store at 20–25 °C (68–77 °F); excursions permitted to 15–30 °C", (20, 25, N)),
    ("Store frozen at -25 °C to -15 °C", (-25, -15, N)),
    ("−70 °C or colder", (N, -70, N)),
    ("≤ −150 °C (vapour phase of liquid nitrogen)", (N, -150, N)),
    ("Store in the vapour phase of liquid nitrogen at ≤ −150 °C. Do not irradiate.", (N, -150, N)),
    ("Store at −80 °C", (-80, -80, -80)),
    ("25 °C ± 2 °C / 60 % ± 5 % RH", (23, 27, 25)),
    ("5 °C ± 3 °C, vials stored inverted", (2, 8, 5)),
    ("not more than 25°C", (N, 25, N)),
    ("room temperature", None),
    ("Do not freeze", None),
    ("Protect from light.", None),
    # Chinese
    ("2~8℃", (2, 8, N)),
    ("2℃~8℃", (2, 8, N)),
    ("2-8 ℃", (2, 8, N)),
    ("2～8℃避光保存", (2, 8, N)),
    ("于2 °C至8 °C冷藏，置于原包装盒内避光保存。", (2, 8, N)),
    ("-20℃±5℃", (-25, -15, -20)),
    ("不超过25℃", (N, 25, N)),
    ("不超过25 °C保存。保持瓶盖密闭。", (N, 25, N)),
    ("25℃以下", (N, 25, N)),
    ("≤-65℃", (N, -65, N)),
    ("液氮气相（≤-150℃）", (N, -150, N)),
    ("于液氮气相中≤−150 °C保存。禁止辐照。", (N, -150, N)),
    ("冷藏（2~8℃）避光保存", (2, 8, N)),
    ("-20℃以下冷冻保存", (N, -20, N)),
    ("阴凉处（不超过20℃）", (N, 20, N)),
    ("室温", None),
    ("请勿冷冻", None),
]


@pytest.mark.parametrize("phrase,expected", PHRASES, ids=[p for p, _ in PHRASES])
def test_phrase(phrase: str, expected: tuple[float | None, float | None, float | None] | None) -> None:
    r = parse_temperature(phrase)
    if expected is None:
        assert r is None, r
        return
    assert r is not None, phrase
    assert (r.low, r.high, r.nominal) == expected, r
    assert r.unit == "°C"


def test_table_is_large_enough() -> None:
    """The issue asks for at least 20 real phrases, in English and Chinese."""
    zh = [p for p, _ in PHRASES if any("\u4e00" <= c <= "\u9fff" or c == "℃" for c in p)]
    assert len(PHRASES) >= 20 and len(zh) >= 10


def test_several_statements_in_one_text() -> None:
    found = temperatures_in("after thawing at 37 °C, held in the bag at 15-25 °C (room temperature)")
    assert [(r.low, r.high) for r in found] == [(37, 37), (15, 25)]
    found = temperatures_in("18 hours at 2 °C to 8 °C followed by 6 hours at 25 °C")
    assert [r.describe() for r in found] == ["2 °C to 8 °C", "25 °C"]


def test_fahrenheit_is_not_read() -> None:
    assert temperatures_in("(68–77 °F)") == []
    assert [r.high for r in temperatures_in("20–25 °C (68–77 °F)")] == [25]


def test_hyphen_in_a_name_is_not_a_sign() -> None:
    # the number after a lot id's hyphen is not a temperature, and 5 °C keeps its sign
    assert [(r.low, r.high) for r in temperatures_in("lot A-25 at 5 °C")] == [(5, 5)]
    assert [r.high for r in temperatures_in("Store at-20 °C")] == [20]  # glued to a word: a hyphen


def test_range_helpers() -> None:
    r = TempRange(2, 8)
    assert r.contains(8) and not r.contains(8.5) and r.has_upper(8) and not r.has_upper(2)
    assert TempRange(None, -150).describe() == "≤ -150 °C"
    assert TempRange(-25, -15, -20).has_upper(-20) and TempRange(-25, -15, -20).describe() == "-20 °C ± 5 °C"


# ------------------------------------------------------------------ the storage rules on a dossier

PRODUCT = "content/product.yaml"
STAB = "content/cmc/stability.yaml"
EN = "content/narratives/intro.en.md"


def _storage(label_en: str, label_zh: str, max_c: str) -> list[Edit]:
    return [
        Edit(PRODUCT, 'condition: {en: "vapour phase of liquid nitrogen at ≤ −150 °C", zh: "液氮气相中 ≤ −150 °C"}',
             f'condition: {{en: "{label_en}", zh: "{label_zh}"}}'),
        Edit(PRODUCT, "max_temperature_c: -150", f"max_temperature_c: {max_c}"),
        Edit(PRODUCT, 'label_text: {en: "Store in the vapour phase of liquid nitrogen at ≤ −150 °C.", zh: "于液氮气相中 ≤ −150 °C 保存。"}',
             f'label_text: {{en: "Store at {label_en}.", zh: "于{label_zh}保存。"}}'),
    ]


def _study(condition: str) -> Edit:
    return Edit(STAB, 'condition: {en: "≤ −150 °C", zh: "≤ −150 °C"}', f'condition: {{en: "{condition}", zh: "{condition}"}}')


STORAGE_RULES = ("cmc.storage-text", "cmc.storage-stability-condition")

# (storage en, storage zh, max_temperature_c, long-term study condition)
CONSISTENT = [
    ("20-25 °C", "20-25℃", "25", "25 °C/60% RH"),
    ("20–25 °C (68–77 °F)", "20~25℃", "25", "25 °C ± 2 °C / 60 % ± 5 % RH"),
    ("2 °C to 8 °C", "2℃~8℃", "8", "5 °C ± 3 °C"),
    ("-20 ± 5 °C", "-20℃±5℃", "-15", "-20 °C ± 5 °C"),
    ("≤ -65 °C", "≤-65℃", "-65", "−70 °C ± 10 °C"),
    ("not above 30 °C", "不超过30℃", "30", "30 °C ± 2 °C / 65 % RH"),
]
INCONSISTENT = [
    # (storage, zh, max, study, rule, message fragment)
    ("20-25 °C", "20-25℃", "30", "25 °C/60% RH", "cmc.storage-text",
     "product.storage.condition (en) '20-25 °C' states 20 °C to 25 °C; max_temperature_c is 30 °C"),
    ("2 °C to 8 °C", "2℃~8℃", "8", "-20 °C ± 5 °C", "cmc.storage-stability-condition",
     "no long-term stability study of the drug product was run that warm: STB-LT at -20 °C ± 5 °C"),
    ("below 30 °C", "30℃以下", "30", "25 °C/60% RH", "cmc.storage-stability-condition",
     "may be stored at up to 30 °C"),
]


@pytest.mark.parametrize("en,zh,max_c,study", CONSISTENT, ids=[c[0] for c in CONSISTENT])
def test_storage_rules_quiet_on_consistent_pairs(tmp_path, en, zh, max_c, study) -> None:
    root = copy_project(FIXTURE, tmp_path / "project")
    for edit in [*_storage(en, zh, max_c), _study(study)]:
        apply(root, edit)
    diags = run(root)
    assert [d.format() for d in diags if d.rule in STORAGE_RULES] == []


@pytest.mark.parametrize("en,zh,max_c,study,rule,message", INCONSISTENT, ids=[f"{c[0]}|{c[3]}" for c in INCONSISTENT])
def test_storage_rules_fire_on_inconsistent_pairs(tmp_path, en, zh, max_c, study, rule, message) -> None:
    root = copy_project(FIXTURE, tmp_path / "project")
    for edit in [*_storage(en, zh, max_c), _study(study)]:
        apply(root, edit)
    hits = findings(run(root), rule)
    assert any(message in d.message for d in hits), [d.message for d in hits]


def test_narrative_range_is_not_a_negative_temperature(tmp_path) -> None:
    """The user's report: a storage sentence with "20-25 °C" was read as −25 °C."""
    root = copy_project(FIXTURE, tmp_path / "project")
    for edit in [*_storage("20-25 °C", "20-25℃", "25", ), _study("25 °C/60% RH"),
                 Edit(EN, "The toxicology lot", "Store the product at 20-25 °C.\nThe toxicology lot")]:
        apply(root, edit)
    assert [d.format() for d in run(root) if d.rule in STORAGE_RULES] == []
    apply(root, Edit(EN, "Store the product at 20-25 °C.", "Store the product at 2-8 °C."))
    hits = findings(run(root), "cmc.storage-text")
    assert [d.message for d in hits] == ["storage statement gives 2 °C to 8 °C; the product is stored at 25 °C ('Store at 20-25 °C.')"]
