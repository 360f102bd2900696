"""format_outline: the plan as a readable tree, plain or with ANSI colours, in English or Chinese."""

from __future__ import annotations

from indbuilder.outline import NodeState, NotApplicableDecl, Sources, format_outline, load_outline, plan

FDA = load_outline("fda")
NMPA = load_outline("nmpa")
P81 = "m3/32p81-stability-summary.md.j2"
S5 = "m3-2-s-5-reference-standards-or-materials"


def _plan(outline, templates=frozenset({P81})):
    na = (NotApplicableDecl(S5, {"en": "No reference standard is used.", "zh": "不使用对照品。"}),)
    return plan(outline, Sources(templates=templates, not_applicable=na))


def test_plain_tree_shows_number_title_and_state():
    text = format_outline(_plan(FDA), color=False, lang="en")
    assert "\x1b[" not in text
    lines = text.splitlines()
    assert lines[0] == "FDA IND outline 1.1 (effective 2026-11-28)"
    assert (
        "│   │   │       ├── 3.2.P.8.1 Stability Summary and Conclusion — filled (1 document): "
        "m3/32p81-stability-summary.md.j2"
    ) in lines
    assert any(
        line.endswith("3.2.P.8.3 Stability Data — MISSING: add template templates/ectd/m3/32p83-stability-data.md.j2")
        for line in lines
    )
    assert any(line.endswith("3.2.S.5 Reference Standards or Materials — not applicable: No reference standard is used.")
               for line in lines)
    assert any(line.endswith("1.6.1 Meeting Request — not provided") for line in lines)
    assert lines[1] == "├── 1 Module 1: Administrative Information (US regional)"
    assert "└── 5 Module 5: Clinical Study Reports" in lines
    c = _plan(FDA).counts()
    assert lines[-1] == (
        f"{c[NodeState.FILLED]} filled, {c[NodeState.MISSING]} MISSING, 1 not applicable, "
        f"{c[NodeState.NOT_PROVIDED]} not provided"
    )
    assert c[NodeState.FILLED] == 1


def test_colour_only_when_asked():
    coloured = format_outline(_plan(FDA), color=True, lang="en")
    assert "\x1b[1;31m" in coloured and "\x1b[32m" in coloured and "\x1b[0m" in coloured
    missing_line = next(line for line in coloured.splitlines() if "3.2.P.8.3 Stability Data" in line)
    assert "\x1b[1;31m3.2.P.8.3 Stability Data — MISSING" in missing_line
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == format_outline(_plan(FDA), color=False, lang="en")


def test_chinese_tree_uses_chinese_titles_and_state_words():
    text = format_outline(_plan(NMPA), color=False, lang="zh")
    assert "3.2.P.8.1 稳定性总结和结论 — 已提供（1 份文件）：m3/32p81-stability-summary.md.j2" in text
    assert "3.2.S.5 对照品/标准品 — 不适用：不使用对照品。" in text
    assert "1.3.4.1 临床试验计划和方案 — 缺失" in text
    assert "1.3.1.2 上市药品说明书及修订说明（适用于上市及上市后变更申请） — 不适用于临床试验申请" in text
