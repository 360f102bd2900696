"""Building the cross-reference index from a real outline plan and dossier-like facts."""

from __future__ import annotations

from types import SimpleNamespace

from indbuilder.diagnostics import Diagnostics, Location
from indbuilder.doctree import DocMeta, Link, Text, plain_text
from indbuilder.outline import NotApplicableDecl, Sources, load_outline, plan
from indbuilder.render import MarkdownSource, render_document
from indbuilder.render.xref_index import build_xref_index, citation_text, register_tables

STAB = "m3/32-body-data/32p-drug-prod/32p8-stab/32p81-stability-summary.pdf"
BATCH = "m3/32-body-data/32p-drug-prod/32p5-contr-drug-prod/32p54-batch-analyses.pdf"


def fda_plan():
    templates = frozenset({"m3/32p81-stability-summary.md.j2", "m3/32p54-batch-analyses.md.j2"})
    na = (NotApplicableDecl("m3-2-a-1-facilities-and-equipment", {"en": "Not a biotech facility", "zh": "不适用"}),)
    return plan(load_outline("fda"), Sources(templates=templates, not_applicable=na))


def dossier():
    t = lambda en, zh: SimpleNamespace(en=en, zh=zh)  # noqa: E731
    return SimpleNamespace(
        studies=[SimpleNamespace(id="tox-01", study_number="NC-TOX-001", title=t("Repeat-dose toxicity", "重复给药毒性"))],
        drug_product=SimpleNamespace(
            batches=[SimpleNamespace(id="LOT-01")],
            specification=SimpleNamespace(tests=[SimpleNamespace(id="sterility", name=t("Sterility", "无菌"))]),
        ),
        literature=[SimpleNamespace(id="june2018", authors="June CH, Sadelain M", title="Chimeric antigen receptor therapy.", source="N Engl J Med 379:64-73", year=2018, doi="10.1056/NEJMra1706169")],
        where=lambda *path: Location("content/facts.yaml", len(path)),
    )


def paths(p):
    by_node = {"m3-2-p-8-1-stability-summary-and-conclusion": STAB, "m3-2-p-5-4-batch-analyses": BATCH}
    return {d.doc_id: by_node[d.node] for d in p.documents()}


def test_sections_docs_and_facts_indexed():
    p = fda_plan()
    ix = build_xref_index(p, paths(p), dossier())
    s = ix.lookup("section", "m3-2-p-8-1-stability-summary-and-conclusion")
    assert (s.key, s.title_zh, s.path, s.available) == ("3.2.P.8.1", "稳定性总结和结论", STAB, True)
    heading = ix.lookup("section", "3.2.P.8")
    assert heading.available and heading.path == STAB
    na = ix.lookup("section", "3.2.A.1")
    assert (na.available, na.reason) == (False, "declared not applicable")
    assert not ix.lookup("section", "3.2.P.8.2").available
    assert ix.lookup("lot", "LOT-01").path == BATCH
    assert ix.lookup("test", "sterility").path is None  # 3.2.P.5.1 is not planned here
    assert ix.lookup("study", "tox-01").label("en") == "Study NC-TOX-001"
    assert ix.lookup("doc", "32p81-stability-summary").path == STAB


def test_rendering_against_built_index():
    p = fda_plan()
    ix = build_xref_index(p, paths(p), dossier())
    meta = DocMeta("QOS", "2.3", "m2-3-introduction", "fda", "en")
    diags = Diagnostics()
    doc = render_document(
        MarkdownSource("[](ref:3.2.P.8.1) [](ref:lot:LOT-01) [](ref:3.2.A.1) [](ref:lit:june2018)\n\n::: bibliography\n:::\n", "n.md"),
        {}, meta, ix, diags, doc_path="m2/23-qos/introduction.pdf",
    )
    assert doc.blocks[0].children[0] == Link(
        (Text("Section 3.2.P.8.1 Stability Summary and Conclusion"),), href="../../" + STAB
    )
    assert [d.rule for d in diags] == ["xref.not-in-region"]
    assert "declared not applicable" in diags.items[0].message
    assert plain_text(doc.blocks[0].children).endswith("[1]")


def test_citation_text():
    (ref,) = dossier().literature
    assert citation_text(ref) == (
        "June CH, Sadelain M. Chimeric antigen receptor therapy. N Engl J Med 379:64-73; 2018. doi:10.1056/NEJMra1706169"
    )


def test_register_tables_and_duplicates():
    p = fda_plan()
    ix = build_xref_index(p, paths(p))
    meta = DocMeta("Stability", "3.2.P.8.1", "m3-2-p-8-1-stability-summary-and-conclusion", "fda", "en")
    md = MarkdownSource("Table: Long-term data {#tbl-lt}\n\n| a |\n|---|\n| 1 |\n", "s.md")
    diags = Diagnostics()
    doc = render_document(md, {}, meta, ix, diags, doc_path=STAB)
    register_tables(ix, doc, STAB, diags)
    register_tables(ix, doc, STAB, diags)  # same document again: no finding
    assert not diags.items
    t = ix.lookup("table", "tbl-lt")
    assert (t.title_en, t.path, t.anchor) == ("Long-term data", STAB, "tbl-lt")
    register_tables(ix, doc, BATCH, diags)
    assert [d.format() for d in diags] == [
        f"error [xref.duplicate-target] table anchor 'tbl-lt' is used in {STAB} and in {BATCH}"
    ]
