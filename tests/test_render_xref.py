"""Cross-references, citations and render_document end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from indbuilder.diagnostics import Diagnostics, Location
from indbuilder.doctree import DocMeta, Heading, Link, ListBlock, Paragraph, Text, plain_text
from indbuilder.render import (
    MarkdownSource,
    TemplateEnv,
    TemplateSource,
    XrefIndex,
    XrefTarget,
    render_document,
    report_unused,
)

STAB = "m3/32-body-data/32p-drug-prod/32p8-stab/stability-summary.pdf"
QOS = "m2/23-qos/introduction.pdf"
TOX = "m4/42-stud-rep/423-tox/4232-repeat-dose-tox/nc-tox-001.pdf"


def index() -> XrefIndex:
    ix = XrefIndex()
    ix.add(
        XrefTarget(
            "section",
            "3.2.P.8.1",
            "Stability Summary and Conclusion",
            "稳定性总结和结论",
            path=STAB,
            aliases=("m3-2-p-8-1-stability-summary-and-conclusion",),
        )
    )
    ix.add(XrefTarget("section", "3.2.P.8.2", "Post-approval Stability Protocol and Stability Commitment", "批准后稳定性研究方案和承诺", path="m3/32-body-data/32p-drug-prod/32p8-stab/commitment.pdf"))
    ix.add(XrefTarget("section", "3.2.A.1", "Facilities and Equipment", "设施和设备", available=False, reason="not applicable to this product (declared N/A)"))
    ix.add(XrefTarget("table", "tbl-stab", "Long-term stability results", "长期稳定性结果", path=STAB, anchor="tbl-stab"))
    ix.add(XrefTarget("table", "tbl-local", "Batch analyses", "批分析", path=QOS, anchor="tbl-local"))
    ix.add(XrefTarget("study", "NC-TOX-001", "4-week repeat-dose toxicity in NSG mice", "NSG小鼠4周重复给药毒性", path=TOX, source=Location("content/nonclinical/studies.yaml", 3)))
    ix.add(XrefTarget("study", "NC-TOX-002", "Tumorigenicity", "致瘤性", path=TOX.replace("001", "002"), source=Location("content/nonclinical/studies.yaml", 19)))
    ix.add(XrefTarget("lot", "L2024-01", "Engineering run", "工程批", path=QOS, anchor="lot-l2024-01"))
    ix.add(XrefTarget("lit", "smith2020", "Smith J. CAR-T persistence. Blood. 2020;135:1-10.", path="m4/43-lit-ref/smith2020.pdf", source=Location("content/literature.yaml", 2)))
    ix.add(XrefTarget("lit", "lee2019", "Lee K. Cytokine release. NEJM. 2019;380:45-56.", source=Location("content/literature.yaml", 9)))
    ix.add(XrefTarget("lit", "wang2021", "Wang L. Unused. 2021.", source=Location("content/literature.yaml", 16)))
    return ix


def meta(lang: str = "en", region: str = "fda") -> DocMeta:
    return DocMeta(title="Quality Overall Summary", ctd_section="2.3", element="m2-3-quality-overall-summary", region=region, lang=lang)


def render_md(text: str, lang: str = "en", ix: XrefIndex | None = None, doc_path: str | None = QOS, path: str = "content/n.md"):
    diags = Diagnostics()
    doc = render_document(MarkdownSource(text, path), {}, meta(lang), ix or index(), diags, doc_path=doc_path)
    assert doc is not None
    return doc, diags


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("en", "Section 3.2.P.8.1 Stability Summary and Conclusion"),
        ("zh", "3.2.P.8.1 稳定性总结和结论"),
    ],
)
def test_section_ref_text_and_relative_href(lang, expected):
    doc, diags = render_md("See [](ref:3.2.P.8.1).", lang)
    (p,) = doc.blocks
    assert p.children == (
        Text("See "),
        Link((Text(expected),), href="../../m3/32-body-data/32p-drug-prod/32p8-stab/stability-summary.pdf"),
        Text("."),
    )
    assert not diags.items


def test_element_name_lowercase_and_custom_text():
    doc, diags = render_md("[](ref:m3-2-p-8-1-stability-summary-and-conclusion) [stability data](ref:3.2.p.8.1)")
    links = [c for c in doc.blocks[0].children if isinstance(c, Link)]
    assert [plain_text(l.children) for l in links] == ["Section 3.2.P.8.1 Stability Summary and Conclusion", "stability data"]
    assert {l.href for l in links} == {"../../m3/32-body-data/32p-drug-prod/32p8-stab/stability-summary.pdf"}
    assert not diags.items


def test_same_folder_and_same_document_links():
    doc, _ = render_md("[](ref:3.2.P.8.2) [](ref:table:tbl-stab)", doc_path=STAB)
    links = [c for c in doc.blocks[0].children if isinstance(c, Link)]
    assert links[0] == Link((Text("Section 3.2.P.8.2 Post-approval Stability Protocol and Stability Commitment"),), href="commitment.pdf")
    assert links[1] == Link((Text("Long-term stability results"),), anchor="tbl-stab")


def test_table_study_and_lot_labels():
    doc, diags = render_md("[](ref:table:tbl-stab); [](ref:study:NC-TOX-001); [](ref:lot:L2024-01)", lang="zh")
    links = [c for c in doc.blocks[0].children if isinstance(c, Link)]
    assert [plain_text(l.children) for l in links] == ["长期稳定性结果", "研究NC-TOX-001", "批号L2024-01"]
    assert links[0].href == "../../m3/32-body-data/32p-drug-prod/32p8-stab/stability-summary.pdf" and links[0].anchor == "tbl-stab"
    assert links[2] == Link((Text("批号L2024-01"),), anchor="lot-l2024-01")  # same document: anchor only
    assert not diags.items


def test_unresolved_with_suggestion_and_location():
    _, diags = render_md("line one\n\nSee [](ref:3.2.P.8.1x) and [](ref:study:NC-TOX-01).\n", path="content/narrative/qos.md")
    assert [d.format() for d in diags] == [
        "content/narrative/qos.md:3: error [xref.unresolved] cross-reference '3.2.P.8.1x' does not resolve: no CTD section '3.2.P.8.1x'\n"
        "    hint: did you mean '3.2.P.8.1'?",
        "content/narrative/qos.md:3: error [xref.unresolved] cross-reference 'study:NC-TOX-01' does not resolve: no study 'NC-TOX-01'\n"
        "    hint: did you mean 'study:NC-TOX-001'?",
    ]


def test_unknown_kind_and_no_suggestion():
    _, diags = render_md("[](ref:fig:1) [](ref:9.9.9.9.9.9.9)")
    assert [d.rule for d in diags] == ["xref.unresolved", "xref.unresolved"]
    assert "unknown kind 'fig'" in diags.items[0].message
    assert diags.items[1].hint is None


def test_not_in_region_keeps_text_without_link():
    doc, diags = render_md("See [](ref:3.2.A.1).")
    assert doc.blocks[0].children == (Text("See Section 3.2.A.1 Facilities and Equipment."),)
    assert [d.format() for d in diags] == [
        "content/n.md:1: error [xref.not-in-region] cross-reference '3.2.A.1' (Facilities and Equipment) is not part of this submission: not applicable to this product (declared N/A)"
    ]


def test_literature_numbering_and_bibliography():
    text = (
        "First [](ref:lit:lee2019), then [](ref:lit:smith2020), again [](ref:lit:lee2019).\n\n"
        "Per [Smith et al.](ref:lit:smith2020).\n\n"
        "## References\n\n::: bibliography\n:::\n"
    )
    doc, diags = render_md(text)
    p1 = doc.blocks[0].children
    assert p1 == (
        Text("First [1], then "),
        Link((Text("[2]"),), href="../../m4/43-lit-ref/smith2020.pdf"),
        Text(", again [1]."),
    )
    assert doc.blocks[1].children == (
        Text("Per Smith et al. "),
        Link((Text("[2]"),), href="../../m4/43-lit-ref/smith2020.pdf"),
        Text("."),
    )
    assert plain_text(doc.blocks[1].children) == "Per Smith et al. [2]."
    assert isinstance(doc.blocks[2], Heading)
    bib = doc.blocks[3]
    assert bib == ListBlock(
        True,
        [
            [Paragraph((Text("Lee K. Cytokine release. NEJM. 2019;380:45-56."),))],
            [Paragraph((Link((Text("Smith J. CAR-T persistence. Blood. 2020;135:1-10."),), href="../../m4/43-lit-ref/smith2020.pdf"),))],
        ],
        start=1,
    )
    assert len(doc.blocks) == 4 and not diags.items


def test_missing_citation():
    doc, diags = render_md("As shown [](ref:lit:smyth2020).")
    assert [d.format() for d in diags] == [
        "content/n.md:1: error [xref.citation-missing] literature reference 'lit:smyth2020' is not in the literature list\n"
        "    hint: did you mean 'lit:smith2020'?"
    ]
    assert plain_text(doc.blocks[0].children) == "As shown [smyth2020?]."


def test_unused_literature_and_studies_across_documents():
    ix = index()
    render_md("[](ref:lit:smith2020) [](ref:study:NC-TOX-001)", ix=ix)
    render_md("[](ref:lit:lee2019)", ix=ix, lang="zh")
    diags = Diagnostics()
    ix.report_unused(diags)
    assert [d.format() for d in diags] == [
        "content/literature.yaml:16: warning [xref.unused-literature] literature reference 'wang2021' is never cited (no ref lit:wang2021 in any document)",
        "content/nonclinical/studies.yaml:19: warning [xref.unused-study] study 'NC-TOX-002' is never cited (no ref study:NC-TOX-002 in any document)",
    ]
    quiet = Diagnostics()
    assert report_unused("lit", ["a", "b"], {"lit:a", "b"}, quiet) == [] and not quiet.items


def test_template_ref_reports_template_line(tmp_path: Path):
    tdir = tmp_path / "templates/ectd"
    (tdir / "m2").mkdir(parents=True)
    (tdir / "m2/qos.md.j2").write_text(
        "# {{ t(title) }}\n\n{% for s in sections %}\n- {{ ref(s) }}\n{% endfor %}\n\nCited {{ ref('lit:smith2020') }}.\n\n"
        "{{ table(rows, [('id', 'Study'), ('ref', 'Link')], caption='Studies', id='tbl-studies') }}"
        "{{ bibliography() }}",
        encoding="utf-8",
    )
    env = TemplateEnv([tdir], root=tmp_path)
    diags = Diagnostics()
    ctx = {
        "title": {"en": "Quality Overall Summary", "zh": "质量综述"},
        "sections": ["3.2.P.8.1", "m3-2-p-8-1-stability-summary-and-conclusions"],
        "rows": [{"id": "NC-TOX-001", "ref": env.environment("zh").globals["ref"]("study:NC-TOX-001")}],
    }
    doc = render_document(TemplateSource("m2/qos.md.j2"), ctx, meta("zh", "nmpa"), index(), diags, env=env, doc_path=QOS)
    assert doc is not None
    assert [d.format() for d in diags] == [
        "templates/ectd/m2/qos.md.j2:4: error [xref.unresolved] cross-reference 'm3-2-p-8-1-stability-summary-and-conclusions' does not resolve: "
        "no CTD section 'm3-2-p-8-1-stability-summary-and-conclusions'\n"
        "    hint: did you mean 'm3-2-p-8-1-stability-summary-and-conclusion'?"
    ]
    heading, lst, para, table, bib = doc.blocks
    assert heading.children == (Text("质量综述"),)
    assert plain_text(lst.items[0][0].children) == "3.2.P.8.1 稳定性总结和结论"
    assert plain_text(para.children) == "Cited [1]."
    assert table.anchor == "tbl-studies" and plain_text(table.caption) == "Studies"
    assert table.rows[0][1].children == (Link((Text("研究NC-TOX-001"),), href="../../" + TOX),)
    assert isinstance(bib, ListBlock) and len(bib.items) == 1


def test_template_failure_returns_none(tmp_path: Path):
    (tmp_path / "x.md.j2").write_text("{{ nope }}\n", encoding="utf-8")
    diags = Diagnostics()
    doc = render_document(TemplateSource("x.md.j2"), {}, meta(), index(), diags, env=TemplateEnv([tmp_path], root=tmp_path))
    assert doc is None and [d.rule for d in diags] == ["template.undefined"]


def test_narrative_file_path_source(tmp_path: Path):
    f = tmp_path / "content/narrative/qos.md"
    f.parent.mkdir(parents=True)
    f.write_text("---\ntitle: QOS\n---\nText.\n\nSee [](ref:3.2.P.8.9).\n", encoding="utf-8")
    diags = Diagnostics()
    doc = render_document(f, {}, meta(), index(), diags, doc_path=QOS, root=tmp_path)
    assert doc is not None and plain_text(doc.blocks[0].children) == "Text."
    assert [str(d.location) for d in diags] == ["content/narrative/qos.md:6"]


def test_same_input_same_tree():
    a, _ = render_md("# T\n\n[](ref:lit:lee2019) [](ref:3.2.P.8.1)\n\n::: bibliography\n:::\n")
    b, _ = render_md("# T\n\n[](ref:lit:lee2019) [](ref:3.2.P.8.1)\n\n::: bibliography\n:::\n")
    assert a == b


def test_ref_line_inside_multiline_paragraph_and_list():
    text = "intro\n\nA long paragraph\nthat wraps, see [](ref:3.2.P.8.9)\nand later [](ref:3.2.P.8.9) again.\n\n- item\n- item [](ref:doc:nope)\n"
    _, diags = render_md(text)
    assert [str(d.location) for d in diags] == ["content/n.md:4", "content/n.md:5", "content/n.md:8"]


HOSTILE = ["USP <71>", "*", "a|b", "#3 $5 [a](ref:3.2.P.8.1) @c \\d", "_x_ **y** `z`", "1. x", "&amp;", "^s^ ~s~ [^f]", "{#a}", "<b>b</b>"]


@pytest.mark.parametrize("fact", HOSTILE)
def test_hostile_fact_through_template_prints_literally(tmp_path: Path, fact: str):
    (tmp_path / "h.md.j2").write_text(
        "# {{ f|md_escape }}\n\n{{ f|md_escape }}\n\n- {{ f|md_escape }}\n\n{{ table([{'v': f}], [('v', 'V')], caption=f, id='tbl-h') }}",
        encoding="utf-8",
    )
    diags = Diagnostics()
    doc = render_document(TemplateSource("h.md.j2"), {"f": fact}, meta(), index(), diags, env=TemplateEnv([tmp_path]))
    heading, para, lst, table = doc.blocks
    assert heading.children == (Text(fact),)
    assert para.children == (Text(fact),)
    assert lst.items[0][0].children == (Text(fact),)
    assert table.caption == (Text(fact),) and table.rows[0][0].children == (Text(fact),)
    assert not diags.items


def test_reference_to_own_table_resolves_without_index_entry():
    text = "See [](ref:table:tbl-own) and [the data](ref:table:TBL-OWN).\n\nTable: Own *results* {#tbl-own}\n\n| a |\n|---|\n| 1 |\n"
    doc, diags = render_md(text, ix=XrefIndex())
    assert doc.blocks[0].children == (
        Text("See "),
        Link((Text("Table 2.3-1 Own results"),), anchor="tbl-own"),  # numbered as its caption prints
        Text(" and "),
        Link((Text("the data"),), anchor="tbl-own"),
        Text("."),
    )
    assert not diags.items
    assert [t.number for t in doc.tables()] == ["2.3-1"]
    _, diags = render_md("See [](ref:table:tbl-other).\n\nTable: Own {#tbl-own}\n\n| a |\n|---|\n| 1 |\n", ix=XrefIndex())
    assert [(d.rule, d.hint) for d in diags] == [("xref.unresolved", "did you mean 'table:tbl-own'?")]


def test_markdown_findings_in_templates_point_at_template_lines(tmp_path: Path):
    from indbuilder.render import SourceMap

    (tmp_path / "t.md.j2").write_text(
        "# A { #dup }\n\n{% for s in ['x'] %}\nText ~~{{ s }}~~ and [](ref:3.2.P.8.7).\n{% endfor %}\n\n## B { #dup }\n",
        encoding="utf-8",
    )
    diags = Diagnostics()
    sm = SourceMap()
    doc = render_document(TemplateSource("t.md.j2"), {}, meta(), index(), diags, env=TemplateEnv([tmp_path], root=tmp_path), source_map=sm)
    assert [(d.rule, str(d.location)) for d in diags] == [
        ("narrative.unsupported", "t.md.j2:4"),
        ("xref.unresolved", "t.md.j2:4"),
        ("narrative.duplicate-anchor", "t.md.j2:7"),
    ]
    assert [str(sm.get(b)) for b in doc.blocks] == ["t.md.j2:1", "t.md.j2:4", "t.md.j2:7"]


def test_citations_without_bibliography_warn():
    _, diags = render_md("Cited [](ref:lit:lee2019) and [](ref:lit:smith2020).\n")
    assert [d.format() for d in diags] == [
        "content/n.md: warning [xref.bibliography-missing] 2 literature reference(s) cited (first: lit:lee2019) "
        "but the document has no bibliography\n"
        "    hint: add {{ bibliography() }} (templates) or a '::: bibliography' block (Markdown)"
    ]
    _, quiet = render_md("Cited [](ref:lit:lee2019).\n\n::: bibliography\n:::\n")
    assert not quiet.items
