"""The regulatory-writing filters, called directly and through the sandboxed environment."""

from __future__ import annotations

import datetime as dt

import pytest

from indbuilder.diagnostics import Diagnostics
from indbuilder.doctree import Text, plain_text
from indbuilder.render import MarkdownSource, TemplateEnv, markdown_to_blocks
from indbuilder.render import filters as F


@pytest.mark.parametrize(
    "value, decimals, expected",
    [
        (1234567, None, "1,234,567"),
        (12345.678, 1, "12,345.7"),
        (0.125, 2, "0.13"),  # half-up, not banker's rounding
        (2.5, 0, "3"),
        (1234.5, None, "1,234.5"),
        ("98765", None, "98,765"),
        (-1500.0, 0, "-1,500"),
    ],
)
def test_num(value, decimals, expected):
    assert F.num(value, decimals) == expected


@pytest.mark.parametrize("bad", ["ninety", None, True, float("nan")])
def test_num_rejects_non_numbers(bad):
    with pytest.raises(F.FilterError):
        F.num(bad)


@pytest.mark.parametrize(
    "value, digits, expected",
    [
        (1e6, 1, "1.0 × 10⁶"),
        (2.5e8, 1, "2.5 × 10⁸"),
        (1234567, 2, "1.23 × 10⁶"),
        (0.00042, 1, "4.2 × 10⁻⁴"),
        ("1.0 x 10^6", 1, "1.0 × 10⁶"),
        ("1.50 × 10^7", 1, "1.50 × 10⁷"),
        ("3e5", 1, "3 × 10⁵"),
        (5, 1, "5.0"),
    ],
)
def test_sci(value, digits, expected):
    assert F.sci(value, digits) == expected


def test_pct():
    assert F.pct(95.46) == "95.5%"
    assert F.pct(0.9546, ratio=True) == "95.5%"
    assert F.pct(100, 0) == "100%"


def test_unit_spacing_per_language():
    assert F.unit(5, "mL") == "5 mL"
    assert F.unit(37, "°C") == "37 °C"
    assert F.unit(12, "%") == "12%"
    assert F.unit(F.sci(2e6), "cells/kg") == "2.0 × 10⁶ cells/kg"
    assert F.unit(F.sci(2e6), "cells/kg", lang="zh") == "2.0 × 10⁶个细胞/kg"
    assert F.unit(28, "days", lang="zh") == "28天"
    assert F.unit(5, "mL", lang="zh") == "5 mL"
    assert F.unit(3, {"en": "vials", "zh": "瓶"}, lang="zh") == "3瓶"


def test_unit_of_quantity_object():
    class Q:
        value = 1500
        unit = "mL"

    assert F.unit(Q()) == "1,500 mL"
    with pytest.raises(F.FilterError):
        F.unit(3)


def test_date():
    assert F.date("2026-03-05") == "05 March 2026"
    assert F.date(dt.date(2026, 3, 5), lang="zh") == "2026年3月5日"
    assert F.date(dt.datetime(2026, 12, 31, 8, 0), "iso") == "2026-12-31"
    with pytest.raises(F.FilterError):
        F.date("5/3/2026")
    with pytest.raises(F.FilterError):
        F.date("2026-03-05", "short")


def test_pick_lang():
    assert F.pick_lang({"en": "Stability", "zh": "稳定性"}, "zh") == "稳定性"

    class T:
        en = "Stability"
        zh = "稳定性"

    assert F.pick_lang(T(), "en") == "Stability"
    assert F.pick_lang("plain", "zh") == "plain"
    with pytest.raises(F.FilterError, match="no 'zh' text"):
        F.pick_lang({"en": "only English"}, "zh")


HOSTILE = ["USP <71>", "*", "a|b", "#3 $5 [a](b) @c \\d", "_x_ **y** `z`", "1. not a list", "&amp;", "^sup^ ~sub~ [^fn]", "{#anchor}", "- dash", "<b>bold</b>"]


@pytest.mark.parametrize("fact", HOSTILE)
def test_md_escape_round_trips_literally(fact):
    """Escaped fact text comes back as exactly one Text node with the same characters."""
    diags = Diagnostics()
    res = markdown_to_blocks(MarkdownSource(f"Result: {F.md_escape(fact)}", "t.md"), diags)
    (para,) = res.blocks
    assert para.children == (Text(f"Result: {fact}"),)
    assert not diags.items


def test_md_escape_at_line_start_and_heading():
    diags = Diagnostics()
    src = f"{F.md_escape('# not a heading')}\n\n## Title {F.md_escape('{#fake}')}\n"
    res = markdown_to_blocks(MarkdownSource(src, "t.md"), diags)
    assert plain_text(res.blocks[0].children) == "# not a heading"
    assert plain_text(res.blocks[1].children) == "Title {#fake}"
    assert res.blocks[1].anchor == "title-fake"  # slug, not the escaped fake anchor


def test_md_escape_leaves_markdown_alone():
    m = F.Markdown("**bold**")
    assert F.md_escape(m) is m
    assert F.md_escape(None) == ""
    assert F.md_escape("a\nb") == "a b"


def test_table_helper_builds_pipe_table_with_caption_and_anchor():
    rows = [
        {"test": "Sterility", "method": "USP <71>", "criterion": "No growth | none"},
        {"test": "Viability", "method": {"en": "Flow", "zh": "流式"}, "criterion": 70},
    ]
    cols = [("test", "Test"), {"key": "method", "title": {"en": "Method", "zh": "方法"}}, ("criterion", "Criterion", "right")]
    md = F.table(rows, cols, caption="Release tests *", id="tbl-release", lang="zh")
    diags = Diagnostics()
    (table,) = markdown_to_blocks(MarkdownSource(md, "t.md"), diags).blocks
    assert not diags.items
    assert table.anchor == "tbl-release"
    assert plain_text(table.caption) == "Release tests *"
    assert [plain_text(c.children) for c in table.header[0]] == ["Test", "方法", "Criterion"]
    assert [plain_text(c.children) for c in table.rows[0]] == ["Sterility", "USP <71>", "No growth | none"]
    assert [plain_text(c.children) for c in table.rows[1]] == ["Viability", "流式", "70"]
    assert table.header[0][2].align == "right"


def test_table_helper_errors():
    with pytest.raises(F.FilterError, match="no 'missing'"):
        F.table([{"a": 1}], ["missing"])
    with pytest.raises(F.FilterError, match="bad anchor"):
        F.table([], ["a"], id="has space")


def test_filters_through_environment(tmp_path):
    (tmp_path / "x.md.j2").write_text(
        "{{ 12345.6|num(0) }}|{{ 2e6|sci|unit('cells/kg') }}|{{ '2026-01-02'|date }}|{{ 0.5|pct(0, true) }}|{{ t(name) }}|{{ name|t }}\n",
        encoding="utf-8",
    )
    env = TemplateEnv([tmp_path])
    ctx = {"name": {"en": "Product", "zh": "产品"}}
    en = env.render("x.md.j2", ctx, "en", Diagnostics())
    zh = env.render("x.md.j2", ctx, "zh", Diagnostics())
    assert en is not None and zh is not None
    assert en.text == "12,346|2.0 × 10⁶ cells/kg|02 January 2026|50%|Product|Product\n"
    assert zh.text == "12,346|2.0 × 10⁶个细胞/kg|2026年1月2日|50%|产品|产品\n"


@pytest.mark.parametrize("value, u", [("<5", "cells*"), ("a_b_", "10^3^/mL"), ("~1~", "[x](y)")])
def test_unit_escapes_fact_text_but_keeps_plain_units_readable(value, u):
    diags = Diagnostics()
    (para,) = markdown_to_blocks(MarkdownSource(F.unit(value, u), "t.md"), diags).blocks
    assert para.children == (Text(f"{value} {u}"),)
    assert F.unit(12.5, "%") == "12.5%" and F.unit(2, "cells/kg") == "2 cells/kg"
