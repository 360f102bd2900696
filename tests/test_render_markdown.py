"""Markdown narrative -> document tree, front matter and source locations."""

from __future__ import annotations

from pathlib import Path

from indbuilder.diagnostics import Diagnostics
from indbuilder.doctree import (
    Cell,
    CodeBlock,
    Code,
    Emph,
    FootnoteRef,
    Heading,
    LineBreak,
    Link,
    ListBlock,
    Note,
    PageBreak,
    Paragraph,
    Quote,
    Strong,
    Sub,
    Sup,
    Table,
    Text,
)
from indbuilder.render import MarkdownSource, SourceMap, markdown_to_blocks, parse_markdown_file


def convert(text: str, path: str = "n.md", offset: int = 0):
    diags = Diagnostics()
    res = markdown_to_blocks(MarkdownSource(text, path, offset), diags)
    return res, diags


def test_headings_anchors_and_level_clamp():
    res, diags = convert("# Introduction\n\n## Results {#results}\n\n##### Deep *one*\n\n# Introduction\n\n# 稳定性\n")
    assert res.blocks == [
        Heading(1, (Text("Introduction"),), "introduction"),
        Heading(2, (Text("Results"),), "results"),
        Heading(4, (Text("Deep "), Emph((Text("one"),))), "deep-one"),
        Heading(1, (Text("Introduction"),), "introduction-2"),
        Heading(1, (Text("稳定性"),), "section"),
    ]
    assert not diags.items


def test_duplicate_explicit_anchor_is_an_error_with_line():
    _, diags = convert("## A {#x}\n\ntext\n\n## B {#x}\n", offset=3)
    assert [d.format() for d in diags] == ["n.md:8: error [narrative.duplicate-anchor] anchor 'x' is used twice in this document"]


def test_inline_formatting():
    res, diags = convert("*e* **s** `c` H~2~O 10^6^ cells  \nnext\nline [site](https://example.org) [here](#results) [doc](../32p8/s.pdf#tbl-1)")
    (p,) = res.blocks
    assert p.children == (
        Emph((Text("e"),)),
        Text(" "),
        Strong((Text("s"),)),
        Text(" "),
        Code("c"),
        Text(" H"),
        Sub((Text("2"),)),
        Text("O 10"),
        Sup((Text("6"),)),
        Text(" cells"),
        LineBreak(),
        Text("next line "),
        Link((Text("site"),), url="https://example.org"),
        Text(" "),
        Link((Text("here"),), anchor="results"),
        Text(" "),
        Link((Text("doc"),), href="../32p8/s.pdf", anchor="tbl-1"),
    )
    assert not diags.items


def test_cjk_soft_break_joins_without_space():
    res, _ = convert("细胞活率\n不低于70%。\nThen English\ncontinues.")
    assert res.blocks[0].children == (Text("细胞活率不低于70%。 Then English continues."),)


def test_nested_and_ordered_lists():
    res, _ = convert("3. first\n   - sub a\n   - sub b\n4. second\n\n- x\n")
    assert res.blocks == [
        ListBlock(
            True,
            [
                [Paragraph((Text("first"),)), ListBlock(False, [[Paragraph((Text("sub a"),))], [Paragraph((Text("sub b"),))]])],
                [Paragraph((Text("second"),))],
            ],
            start=3,
        ),
        ListBlock(False, [[Paragraph((Text("x"),))]]),
    ]


def test_table_with_caption_anchor_header_and_alignment():
    src = "Table: Release *specification* {#tbl-spec}\n\n| Test | Method | Limit |\n|:--|:-:|--:|\n| Sterility | USP <71> | a \\| b |\n"
    res, diags = convert(src)
    assert res.blocks == [
        Table(
            header=[[Cell((Text("Test"),), "left"), Cell((Text("Method"),), "center"), Cell((Text("Limit"),), "right")]],
            rows=[[Cell((Text("Sterility"),), "left"), Cell((Text("USP <71>"),), "center"), Cell((Text("a | b"),), "right")]],
            caption=(Text("Release "), Emph((Text("specification"),))),
            anchor="tbl-spec",
        )
    ]
    assert not diags.items


def test_chinese_caption_directly_above_table():
    res, _ = convert("表：放行标准 {#tbl-cn}\n| 项目 | 标准 |\n|---|---|\n| 无菌 | 阴性 |\n")
    (t,) = res.blocks
    assert isinstance(t, Table) and t.caption == (Text("放行标准"),) and t.anchor == "tbl-cn"
    assert t.header[0][0].align is None


def test_caption_without_table_warns():
    res, diags = convert("para\n\nTable: Orphan caption\n\nmore text\n")
    assert [d.format() for d in diags] == [
        "n.md:3: warning [narrative.caption] caption line 'Table: Orphan caption' is not directly followed by a table"
    ]
    assert res.blocks[1] == Paragraph((Text("Table: Orphan caption"),))


def test_footnotes_named_and_inline():
    res, _ = convert("Claim[^src] and more^[inline note].\n\n[^src]: From *report* R-1.\n")
    assert res.blocks == [
        Paragraph((Text("Claim"), FootnoteRef("src"), Text(" and more"), FootnoteRef("inline-2"), Text(".")))
    ]
    assert res.footnotes == {
        "src": [Paragraph((Text("From "), Emph((Text("report"),)), Text(" R-1.")))],
        "inline-2": [Paragraph((Text("inline note"),))],
    }


def test_notes_quotes_code_and_pagebreak():
    src = (
        "> **Note:** Store below -150 °C.\n\n"
        "> **注：** 冻存。\n\n"
        "> A plain quote.\n\n"
        "::: warning\nDo not irradiate.\n:::\n\n"
        "::: pagebreak\n:::\n\n"
        "```\ncode <x>\n```\n"
    )
    res, diags = convert(src)
    assert res.blocks == [
        Note([Paragraph((Text("Store below -150 °C."),))], "note"),
        Note([Paragraph((Text("冻存。"),))], "note"),
        Quote([Paragraph((Text("A plain quote."),))]),
        Note([Paragraph((Text("Do not irradiate."),))], "warning"),
        PageBreak(),
        CodeBlock("code <x>"),
    ]
    assert not diags.items


def test_raw_html_is_literal_text():
    res, diags = convert("<div>block</div>\n\nInline <b>bold</b> &lt;\n")
    assert res.blocks == [Paragraph((Text("<div>block</div>"),)), Paragraph((Text("Inline <b>bold</b> <"),))]
    assert not diags.items


def test_unsupported_constructs_warn_with_line_and_keep_text():
    res, diags = convert("a ~~gone~~ b\n\n---\n\n![figure 1](fig.png)\n", offset=4)
    assert [d.format() for d in diags] == [
        "n.md:5: warning [narrative.unsupported] strikethrough ('~~text~~') cannot be represented in the document",
        "n.md:7: warning [narrative.unsupported] a horizontal rule ('---') cannot be represented in the document",
        "n.md:9: warning [narrative.unsupported] an image (fig.png) cannot be represented in the document",
    ]
    assert res.blocks == [Paragraph((Text("a gone b"),)), Paragraph((Text("figure 1"),))]


def test_source_map_records_file_lines():
    sm = SourceMap()
    diags = Diagnostics()
    res = markdown_to_blocks(MarkdownSource("# T\n\npara\n\n| a |\n|---|\n| 1 |\n", "c/n.md", 5), diags, source_map=sm)
    assert [str(sm.get(b)) for b in res.blocks] == ["c/n.md:6", "c/n.md:8", "c/n.md:10"]


def test_front_matter_offsets(tmp_path: Path):
    f = tmp_path / "n.md"
    f.write_text("---\ntitle: Stability\nnode: 3.2.P.8.1\n---\n# Heading\n\ntext ~~x~~\n", encoding="utf-8")
    diags = Diagnostics()
    fm, body, offset = parse_markdown_file(f, diags, root=tmp_path)
    assert fm == {"title": "Stability", "node": "3.2.P.8.1"}
    assert body == "# Heading\n\ntext ~~x~~\n"
    assert offset == 4
    markdown_to_blocks(MarkdownSource(body, "n.md", offset), diags)
    assert [str(d.location) for d in diags] == ["n.md:7"]  # body line 3 is file line 7


def test_no_front_matter(tmp_path: Path):
    f = tmp_path / "n.md"
    f.write_text("\ufeff# Only body\n", encoding="utf-8")
    diags = Diagnostics()
    assert parse_markdown_file(f, diags) == ({}, "# Only body\n", 0)
    assert not diags.items


def test_bad_front_matter(tmp_path: Path):
    cases = {
        "yaml.md": "---\ntitle: ok\nnode: [unclosed\n---\nbody\n",
        "list.md": "---\n- a\n- b\n---\nbody\n",
        "open.md": "---\ntitle: x\n\nbody\n",
        "dup.md": "---\ntitle: a\ntitle: b\n---\nbody\n",
    }
    got = {}
    for name, text in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        diags = Diagnostics()
        fm, body, _off = parse_markdown_file(tmp_path / name, diags, root=tmp_path)
        if name != "dup.md":
            assert fm == {}
        got[name] = [(d.rule, str(d.location)) for d in diags]
    assert got["yaml.md"] == [("yaml.syntax", "yaml.md:4:1")]
    assert got["list.md"] == [("narrative.front-matter", "list.md:2")]
    assert got["open.md"] == [("narrative.front-matter", "open.md:1")]
    assert got["dup.md"][0][0] == "yaml.duplicate-key" and got["dup.md"][0][1].startswith("dup.md:3")


def test_non_utf8_narrative(tmp_path: Path):
    (tmp_path / "gbk.md").write_bytes("稳定性".encode("gbk"))
    diags = Diagnostics()
    assert parse_markdown_file(tmp_path / "gbk.md", diags, root=tmp_path) == ({}, "", 0)
    assert [d.rule for d in diags] == ["yaml.encoding"]
    assert str(diags.items[0].location) == "gbk.md"


def test_empty_header_row_means_no_header_and_empty_paragraphs_vanish():
    res, diags = convert("|  |  |\n|--|--|\n| a | b |\n\n![](x.png)\n")
    (table,) = res.blocks
    assert table.header == [] and [[c.children for c in r] for r in table.rows] == [[(Text("a"),), (Text("b"),)]]
    assert [d.rule for d in diags] == ["narrative.unsupported"]


def test_narrative_source_from_loaded_narrative(tmp_path: Path):
    from indbuilder.loader import load_narrative
    from indbuilder.render import narrative_source

    f = tmp_path / "content/narratives/qos.md"
    f.parent.mkdir(parents=True)
    f.write_text("---\nid: qos\nlang: en\nnode: m2-3-introduction\n---\n\nIntro.\n\nStruck ~~x~~.\n", encoding="utf-8")
    diags = Diagnostics()
    n = load_narrative(f, tmp_path, diags)
    src = narrative_source(n)
    assert (src.path, src.front_matter["node"]) == ("content/narratives/qos.md", "m2-3-introduction")
    markdown_to_blocks(src, diags)
    assert [str(d.location) for d in diags] == ["content/narratives/qos.md:9"]


def test_bold_ending_in_chinese_punctuation_is_bold():
    """CommonMark leaves `**设计。**非…` as literal asterisks; Chinese documents need it bold."""
    from indbuilder.doctree import Strong, plain_text
    from indbuilder.render.markdown import MarkdownSource, markdown_to_blocks

    result = markdown_to_blocks(MarkdownSource("**设计。**非随机、开放标签。\n\n**Design.** Open label.\n", "t.md"), Diagnostics())
    zh, en = result.blocks
    assert isinstance(zh.children[0], Strong) and plain_text(zh.children[0].children) == "设计。"
    assert "*" not in plain_text(zh.children)
    assert isinstance(en.children[0], Strong)


def test_literal_asterisks_between_spaces_stay_literal_in_chinese():
    from indbuilder.doctree import plain_text
    from indbuilder.render.markdown import MarkdownSource, markdown_to_blocks

    result = markdown_to_blocks(MarkdownSource("乘号 * 和 * 号\n", "t.md"), Diagnostics())
    assert plain_text(result.blocks[0].children) == "乘号 * 和 * 号"
