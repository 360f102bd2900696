"""Chinese typography: the normaliser (indbuilder.render.zh_typography) and the rule china.typography."""

from __future__ import annotations

from pathlib import Path

import pytest

from example_project import REPO, copy_example, edit
from indbuilder.checks.zh_typography import Unit, english_prose, problems
from indbuilder.doctree import Code, Emph, Link, Paragraph, Strong, Sup, Text
from indbuilder.pipeline import check_project
from indbuilder.render.zh_typography import normalise_blocks, normalise_inlines, normalise_text

# (before, after): after == before means the normaliser must leave the text alone.
CASES = [
    # half-width marks in Chinese text
    ("访视及评估计划 (1/2)", "访视及评估计划（1/2）"),
    ("胰高血糖素样肽-1 (GLP-1)受体激动剂", "胰高血糖素样肽-1（GLP-1）受体激动剂"),
    ("我们检测了血压, 然后进行随访", "我们检测了血压，然后进行随访"),
    ("是否适用? 是!", "是否适用？是！"),
    ("时间:10:30", "时间：10:30"),
    ("注: 见下表; 另见附件", "注：见下表；另见附件"),
    ("(1) 受试者签署知情同意书", "（1）受试者签署知情同意书"),
    ("-28 (第−28至−2天)", "-28（第−28至−2天）"),
    ("小鼠（C57BL/6J） (TNF诱导模型)", "小鼠（C57BL/6J）（TNF诱导模型）"),
    ("（USP <71>; 21 CFR 610.12)中国", "（USP <71>; 21 CFR 610.12）中国"),
    # quotes
    ('注明"不适用"及理由。', "注明“不适用”及理由。"),
    ('一面刻有"A5"（5 mg）', "一面刻有“A5”（5 mg）"),
    ("称为'储库'的细胞", "称为‘储库’的细胞"),
    # enumerations (three or more short items) and what is not one
    ("主要指标为血压, 心率, 体温", "主要指标为血压、心率、体温"),
    ("检查血压, 心率, 心电图, 体温等。", "检查血压、心率、心电图、体温等。"),
    ("血压, 心率", "血压，心率"),
    # spacing
    ("MCT-101 相关", "MCT-101相关"),
    ("1.0 × 10⁸ 个细胞/kg", "1.0 × 10⁸个细胞/kg"),
    ("中国 人民", "中国人民"),
    ("完成。 NOAEL：1.0 × 10⁸个细胞/kg", "完成。NOAEL：1.0 × 10⁸个细胞/kg"),
    ("（ICH M3(R2) 第11节；ICH S6(R1)）", "（ICH M3(R2)第11节；ICH S6(R1)）"),
    # kept: section numbers before titles, caption numbers, heading and step numbers, units, operators
    ("见3.2.P.5.4 批分析。", "见3.2.P.5.4 批分析。"),
    ("9 安全性", "9 安全性"),
    ("3. 原代培养（P0代）", "3. 原代培养（P0代）"),
    ("表 3.2.P.5.4-1 批分析结果", "表 3.2.P.5.4-1 批分析结果"),
    ("≥ 95.0 %", "≥ 95.0 %"),
    ("第4周降低38 %，持续", "第4周降低38 %，持续"),
    ("血糖 ≥ 7.0 mmol/L", "血糖 ≥ 7.0 mmol/L"),
    ("每袋20 mL\n- 给药途径", "每袋20 mL\n- 给药途径"),
    # never changed: identifiers, numbers, times, ratios, chemistry, notation, Latin spans, URLs
    ("批号MCT-CLN-2601", "批号MCT-CLN-2601"),
    ("3.0 × 10⁷个细胞", "3.0 × 10⁷个细胞"),
    ("于10:30给药", "于10:30给药"),
    ("按1:1随机", "按1:1随机"),
    ("每批1,800至2,400瓶，含量99.5 %", "每批1,800至2,400瓶，含量99.5 %"),
    ("N,N-二甲基甲酰胺", "N,N-二甲基甲酰胺"),
    ("2,4-二氟-1-硝基苯", "2,4-二氟-1-硝基苯"),
    ("(R)-对映体", "(R)-对映体"),
    ("N-(叔丁氧羰基)-L-丝氨酸", "N-(叔丁氧羰基)-L-丝氨酸"),
    ("直链淀粉-三(3,5-二甲基苯基氨基甲酸酯)色谱柱", "直链淀粉-三(3,5-二甲基苯基氨基甲酸酯)色谱柱"),
    ("稳态AUC(0-24h)为11.8", "稳态AUC(0-24h)为11.8"),
    ("CFR 1271.90(a)(1)规定", "CFR 1271.90(a)(1)规定"),
    ("（USP <905> (uniformity of dosage units); ChP 0941）", "（USP <905> (uniformity of dosage units); ChP 0941）"),
    ("（FDA guidance: Testing of Retroviral Vectors (2020)）", "（FDA guidance: Testing of Retroviral Vectors (2020)）"),
    ("GLP-1, FGF21和", "GLP-1, FGF21和"),
    ("网址:https://www.cde.org.cn/a,b:c?d=1", "网址：https://www.cde.org.cn/a,b:c?d=1"),
    # English-only text is never touched
    ("Clinical site (patient's own tissue)", "Clinical site (patient's own tissue)"),
    ('He said "yes", then left; (see above)', 'He said "yes", then left; (see above)'),
]


@pytest.mark.parametrize("before,after", CASES, ids=[c[0][:24] for c in CASES])
def test_normalise_text(before: str, after: str) -> None:
    assert normalise_text(before) == after
    assert normalise_text(after) == after  # idempotent


def test_case_table_is_large_enough() -> None:
    assert len(CASES) >= 25
    assert sum(1 for b, a in CASES if b == a) >= 10  # what it must not change is tested too


def test_inline_structure_is_kept_and_code_is_never_touched() -> None:
    inlines = (
        Text('注明"'),
        Strong((Text("不适用"),)),
        Text('"及理由, 见 '),
        Code("a, b: (c)"),
        Text(" 与 "),
        Link((Text("3.2.P.5.4 批分析"),), href="x.pdf"),
        Text("。10"),
        Sup((Text("8"),)),
        Text(" 个细胞"),
    )
    out = normalise_inlines(inlines)
    assert out == (
        Text("注明“"),
        Strong((Text("不适用"),)),
        Text("”及理由，见"),
        Code("a, b: (c)"),
        Text("与"),
        Link((Text("3.2.P.5.4 批分析"),), href="x.pdf"),
        Text("。10"),
        Sup((Text("8"),)),
        Text("个细胞"),
    )


def test_english_paragraph_and_bibliography_untouched() -> None:
    english = Paragraph((Emph((Text("Smith J (2020): a study, part 1"),)),))
    bib = Paragraph((Text('张三 (2020). "研究", 期刊: 1-2'),), style="_bibliography")
    zh = Paragraph((Text("见附件 (1)"),))
    blocks = normalise_blocks([english, bib, zh], "_bibliography")
    assert blocks[0].children == english.children
    assert blocks[1].children == (Text('张三 (2020). "研究", 期刊: 1-2'),)
    assert blocks[2].children == (Text("见附件（1）"),)


# ------------------------------------------------------------------ the rule, on text runs


def _kinds(text: str, cell: bool = False) -> list[tuple[str, str]]:
    return [(p.kind, p.found) for p in problems(Unit(text, cell), frozenset({"glucagon like peptide 1"}))]


def test_rule_finds_each_kind() -> None:
    assert ("sentence", "the study was stopped early for safety reasons") in _kinds(
        "结果：the study was stopped early for safety reasons。"
    )
    assert _kinds("5.0 × 10⁷ cells/kg组呼吸频率升高") == [("unit-word", "cells/kg")]
    assert _kinds("随访12 months后") == [("unit-word", "months")]
    assert _kinds("血糖< 54 mg/dL") == [("us-unit", "mg/dL")]
    assert _kinds("体温 > 100.4 °F") == [("us-unit", "°F")]
    assert _kinds("Clinical site (patient's own tissue)", cell=True) == [("cell", "Clinical site (patient's own tissue)")]


def test_rule_quiet_on_names_titles_abbreviations_and_citations() -> None:
    assert _kinds("大鼠（Sprague Dawley Rag2/Il2rg双敲除，SRG）") == []
    assert _kinds("FDA《Testing of Retroviral Vector-Based Human Gene Therapy Products》") == []
    assert _kinds("Crestline Parenterals, Inc.", cell=True) == []
    assert _kinds("glucagon-like peptide-1", cell=True) == []  # the abbreviation list's expansion
    assert _kinds("USP <905> (uniformity of dosage units); ChP 0941", cell=True) == []
    assert _kinds("3-6 kp（5 mg）；8-14 kp（25 mg）", cell=True) == []
    assert _kinds("1.0 × 10⁸个细胞/kg；血糖< 3.0 mmol/L；HbA1c 7.0 %") == []
    assert not english_prose("NOD.Cg-Prkdcscid Il2rgtm1Wjl/SzJ")


# ------------------------------------------------------------------ the rule, on a project


@pytest.fixture(scope="module")
def example_findings() -> list[str]:
    diags, _ = check_project(REPO, ["nmpa"])
    return [f"{d.location}: {d.message}" for d in diags if d.rule == "china.typography"]


# Text facts that are one value for every language (plain strings in the fact model): they cannot carry a
# Chinese text until the model gives them one (Material.supplier, VectorElement.name). Everything the
# example writes in Chinese is quiet.
LANGUAGE_NEUTRAL = {"content/cmc/materials.yaml:8", "content/product.yaml:81"}


def test_rule_quiet_on_the_example(example_findings: list[str]) -> None:
    for f in example_findings:
        assert "one value for every language" in f, f
    assert {":".join(f.split(":")[:2]) for f in example_findings} <= LANGUAGE_NEUTRAL


def test_example_renders_typographic_chinese() -> None:
    _, analysis = check_project(REPO, ["nmpa"])
    assert analysis is not None
    texts = "\n".join(rd.text for rb in analysis.regions for rd in rb.documents)
    assert "cells/kg" not in texts
    assert "mg/dL" not in texts
    assert "访视及评估计划 (" not in texts  # (the schedule is one landscape table now: no "(1/2)" halves)
    assert '"不适用"' not in texts and "“不适用”" in texts


def test_rule_fires_at_the_fact_line(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "p", templates=False)
    edit(root, "content/nonclinical/studies.yaml", "1.0 × 10⁸个细胞/kg未转导", "1.0 × 10⁸ cells/kg未转导")
    edit(root, "content/clinical/protocol.yaml", "（血糖< 3.0 mmol/L）", "（血糖< 54 mg/dL）")
    edit(root, "content/product.yaml", "持续性自体“储库”发挥作用。",
         "持续性自体“储库”发挥作用。The cells act as a depot for both hormones。")
    diags, _ = check_project(root, ["nmpa"])
    found = [d for d in diags if d.rule == "china.typography" and "one value for every language" not in d.message]
    where = {(d.location.path if d.location else "", d.message.split(": ")[1]) for d in found}
    assert ("content/nonclinical/studies.yaml", "an English unit word in Chinese text") in where
    assert ("content/clinical/protocol.yaml", "a US unit where Chinese practice uses another") in where
    assert ("content/product.yaml", "English text in a Chinese document") in where
    unit = next(d for d in found if "cells/kg" in d.message)
    fact_line = 1 + (root / "content/nonclinical/studies.yaml").read_text(encoding="utf-8").split("1.0 × 10⁸ cells/kg未转导")[0].count("\n")
    assert unit.location is not None and unit.location.line == fact_line
    assert "个细胞/kg" in unit.message
