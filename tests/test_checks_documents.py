"""Rules that read rendered documents: quiet on documents that agree with the facts, firing on each deviation.

Documents are built directly as doctree objects (what the renderer produces) for the fixture dossier;
Each rendered document knows the template it came from (``RenderedDoc.source``), which is where findings point.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from checks_helpers import FIXTURE, findings, region_build, run
from indbuilder.checks.support import document_text
from indbuilder.diagnostics import Diagnostics
from indbuilder.outline.planner import NodePlan, Plan, PlannedDocument
from indbuilder.doctree import Cell, DocMeta, Document, Heading, Paragraph, Table, text
from indbuilder.outline import NodeState, load_outline

PRODUCT_EN = "Testocel autologous gene-modified MSC"
PRODUCT_ZH = "特斯细胞自体基因修饰间充质干细胞"
SPONSOR = {"en": "Testo Therapeutics, Inc.", "zh": "特斯治疗公司"}
LABEL = {
    "en": ["Caution: New Drug - Limited by Federal (or United States) law to investigational use.",
           "FOR AUTOLOGOUS USE ONLY", "Store in the vapour phase of liquid nitrogen at ≤ −150 °C."],
    "zh": ["注意：新药——仅限临床研究使用。", "仅限自体使用", "于液氮气相中 ≤ −150 °C 保存。"],
}


JUSTIFIED = ("Sterility, Mycoplasma, Endotoxin, Viability, Viable cell count, Identity: CD73 positive, "
             "Identity: CD45 negative, Transgene expression identity, Potency: GLP-1 secretion, Potency: FGF21 secretion, "
             "Vector copy number (VCN) and Replication-competent lentivirus (RCL) are justified below.")


def make(element, title, lang="en", region="fda", paras=(), tables=(), headings=(), **meta):
    meta.setdefault("product", PRODUCT_EN if lang == "en" else PRODUCT_ZH)
    meta.setdefault("sponsor", SPONSOR[lang])
    meta.setdefault("date", "2026-06-30")
    blocks = [Heading(1, text(h)) for h in headings] + [Paragraph(text(p)) for p in paras] + list(tables)
    return Document(DocMeta(title=title, ctd_section=meta.pop("section", "1.x"), element=element, region=region, lang=lang, **meta), blocks)


def spec_table(rows, lang="en"):
    header = ["Test", "Acceptance criterion"] if lang == "en" else ["检验项目", "可接受标准"]
    return Table([[Cell(text(h)) for h in header]], [[Cell(text(a)), Cell(text(b))] for a, b in rows])


def good_docs():
    """One document per rule that reads documents, each agreeing with the fixture facts."""
    fda = [
        make("m1-20-general-investigational-plan-for-initial-ind", "General Investigational Plan",
             paras=["Testocel is studied in type 2 diabetes mellitus. A total of 9 subjects will be enrolled (3 subjects per cohort)."]),
        make("m1-14-4-2-investigational-drug-labeling", "Investigational Drug Labeling", paras=LABEL["en"]),
        make("m1-14-4-1-investigational-brochure", "Investigator's Brochure", version="1.0",
             paras=["Indication: type 2 diabetes mellitus.", LABEL["en"][2]]),
        make("m5-3-3-2-patient-pk-and-initial-tolerability-study-reports", "Clinical Study Protocol TST-101-001", version="2.0",
             paras=["A Phase 1 study in type 2 diabetes mellitus.", LABEL["en"][2], "See the Investigator's Brochure version 1.0 dated 1 May 2026."]),
        make("m3-2-p-5-1-specifications", "Specifications", tables=[spec_table([("Endotoxin", "≤ 5.0 EU/mL"), ("Viability", "≥ 70 %")])]),
        make("m3-2-p-8-1-stability-summary-and-conclusion", "Stability Summary",
             paras=[LABEL["en"][2], "A shelf life of 6 months is proposed; use within 4 hours after thaw."]),
        make("m3-2-p-3-1-manufacturers", "Manufacturer(s)", paras=["Testo Manufacturing, 2 Plant Rd, Boston, MA"]),
        make("m3-2-p-5-6-justification-of-specifications", "Justification of Specification(s)", paras=[JUSTIFIED]),
        make("form:fdaft1", "Form FDA 1571 - entries", paras=["Monitor: Mona Monitor, MD", "Safety: Sam Safety, MD"]),
        make("m1-1-forms", "Form FDA 1572 - Carol Principal, MD",
             paras=["Protocol TST-101-001", "Carol Principal, MD", "Boston Clinical Research Unit", "Boston Central IRB", "Dan Sub, MD"]),
    ]
    nmpa = [
        make("cn-1-0", "说明函", lang="zh", region="nmpa", paras=["特斯细胞（TST-101）治疗2型糖尿病的临床试验申请，注册分类：治疗用生物制品1类。"]),
        make("cn-1-3-4-2", "知情同意书样稿", lang="zh", region="nmpa", version="2.0", date="2026-04-15", paras=["知情同意书 第2.0版，2026年4月15日。", "给药后您将接受15年随访。"]),
        make("cn-1-3-2-1", "研究药物包装标签", lang="zh", region="nmpa", paras=LABEL["zh"]),
        make("cn-1-3-4-3", "研究者手册", lang="zh", region="nmpa", version="1.0", paras=["适应症：2型糖尿病。", LABEL["zh"][2]]),
        make("m3-2-p-5-1-specifications", "质量标准", lang="zh", region="nmpa",
             tables=[spec_table([("细菌内毒素", "≤ 5.0 EU/mL")], lang="zh")]),
    ]
    return fda, nmpa


def regions(fda, nmpa, sources=None):
    def src(docs):
        return {d.meta.element: f"templates/ectd/{d.meta.element}.md.j2" for d in docs}

    return [
        # the Module 5 document at PROTOCOL is the protocol (planned from m5/study-protocol.md.j2)
        region_build("fda", fda, sources if sources is not None else src(fda), doc_ids={PROTOCOL: "study-protocol"}),
        region_build("nmpa", nmpa, src(nmpa), doc_ids={PROTOCOL: "study-protocol"}),
    ]


DOC_RULES = {
    "identity.product-name", "identity.sponsor-name", "identity.indication", "identity.phase",
    "completeness.label-statement", "cmc.spec-inconsistent", "cmc.storage-text", "protocol.1572-sites",
    "protocol.sample-size", "dates.ib-version", "dates.protocol-version", "dates.after-submission", "china.zh-rendition",
    "protocol.1571-contacts", "china.cover-letter-facts", "completeness.empty-document", "dates.consent-version",
    "cmc.shelf-life-text", "cmc.manufacturer-name", "cmc.spec-justification",
}  # trace.unknown-lot-cited reads both narratives (test_checks_facts) and documents (lot-in-doc below)


def test_good_documents_are_quiet():
    fda, nmpa = good_docs()
    assert [d.format() for d in run(FIXTURE, regions(fda, nmpa))] == []


def _replace(docs, element, **changes):
    """A copy of ``docs`` where the document at ``element`` is rebuilt with ``changes``."""
    out = []
    for d in docs:
        if d.meta.element == element:
            paras = changes.pop("paras", [p.children[0].text for p in d.blocks if isinstance(p, Paragraph)])
            tables = changes.pop("tables", [b for b in d.blocks if isinstance(b, Table)])
            headings = changes.pop("headings", [])
            meta = {k: getattr(d.meta, k) for k in ("product", "sponsor", "version", "date")} | changes
            meta["section"] = d.meta.ctd_section
            out.append(make(d.meta.element, meta.pop("title", d.meta.title), d.meta.lang, d.meta.region, paras, tables, headings, **meta))
        else:
            out.append(d)
    return out


PLAN = "m1-20-general-investigational-plan-for-initial-ind"
LABELS = "m1-14-4-2-investigational-drug-labeling"
IB = "m1-14-4-1-investigational-brochure"
PROTOCOL = "m5-3-3-2-patient-pk-and-initial-tolerability-study-reports"

CASES = [
    ("product-meta", "fda", PLAN, {"product": "Testocel-X"}, "identity.product-name",
     "names the product 'Testocel-X'; expected 'Testocel autologous gene-modified MSC' or 'Testocel' (TST-101)"),
    ("product-code", "fda", PLAN, {"paras": ["TST-109 is studied in type 2 diabetes mellitus. A total of 9 subjects will be enrolled."]}, "identity.product-name",
     "names product code 'TST-109'; the product code is 'TST-101'"),
    ("sponsor", "fda", LABELS, {"sponsor": "Testo Therapeutics"}, "identity.sponsor-name",
     "names the sponsor 'Testo Therapeutics'; expected 'Testo Therapeutics, Inc.'"),
    ("indication", "fda", PLAN, {"paras": ["Testocel is studied in diabetes in 9 subjects."]}, "identity.indication",
     "does not state the indication 'type 2 diabetes mellitus'"),
    ("indication-zh", "nmpa", "cn-1-3-4-3", {"paras": ["适应症：糖尿病。", LABEL["zh"][2]]}, "identity.indication",
     "does not state the indication '2型糖尿病'"),
    ("phase", "fda", PROTOCOL, {"headings": ["A Phase 2 Study"]}, "identity.phase",
     "has a title or heading saying phase 2; the product is phase 1"),
    ("caution", "fda", LABELS, {"paras": LABEL["en"][1:]}, "completeness.label-statement",
     "does not carry the caution statement"),
    ("autologous-zh", "nmpa", "cn-1-3-2-1", {"paras": [LABEL["zh"][0], LABEL["zh"][2]]}, "completeness.label-statement",
     "does not carry the autologous statement '仅限自体使用'"),
    ("spec-table", "fda", "m3-2-p-5-1-specifications",
     {"tables": [spec_table([("Endotoxin", "≤ 10 EU/mL"), ("Viability", "≥ 70 %")])]}, "cmc.spec-inconsistent",
     "prints the acceptance criterion of T-ENDO (Endotoxin) as '≤ 10 EU/mL'; the drug product specification says '≤ 5.0 EU/mL'"),
    ("spec-table-zh", "nmpa", "m3-2-p-5-1-specifications",
     {"tables": [spec_table([("细菌内毒素", "≤ 5 EU/mL")], lang="zh")]}, "cmc.spec-inconsistent",
     "prints the acceptance criterion of T-ENDO (细菌内毒素) as '≤ 5 EU/mL'; the drug product specification says '≤ 5.0 EU/mL'"),
    ("storage", "fda", "m3-2-p-8-1-stability-summary-and-conclusion", {"paras": ["Store at −80 °C."]}, "cmc.storage-text",
     "does not state the storage condition 'Store in the vapour phase of liquid nitrogen at ≤ −150 °C.'"),
    ("storage-protocol", "fda", PROTOCOL, {"paras": ["A Phase 1 study in type 2 diabetes mellitus."]}, "cmc.storage-text",
     "does not state the storage condition"),
    ("1572-irb", "fda", "m1-1-forms", {"paras": ["Protocol TST-101-001", "Carol Principal, MD", "Boston Clinical Research Unit", "Dan Sub, MD"]},
     "protocol.1572-sites", "the 1572 of Carol Principal, MD does not match site SITE-US1: missing IRB (item 5)"),
    ("1572-protocol", "fda", "m1-1-forms", {"paras": ["Protocol TST-101-002", "Carol Principal, MD", "Boston Clinical Research Unit", "Boston Central IRB", "Dan Sub, MD"]},
     "protocol.1572-sites", "does not give the protocol code number TST-101-001 (1572 item 7)"),
    ("1572-pi", "fda", "m1-1-forms", {"title": "Form FDA 1572 - Erin Other, MD", "paras": ["Protocol TST-101-001", "Erin Other, MD"]},
     "protocol.1572-sites", "principal investigator Carol Principal, MD of site SITE-US1 has no Form FDA 1572"),
    ("plan-no-sample", "fda", PLAN, {"paras": ["Testocel is studied in type 2 diabetes mellitus."]}, "protocol.sample-size",
     "does not state the estimated number of patients (9 in protocol TST-101-001; 21 CFR 312.23(a)(3)(iv))"),
    ("plan-sample", "fda", PLAN, {"paras": ["Testocel is studied in type 2 diabetes mellitus. A total of 12 subjects will be enrolled."]}, "protocol.sample-size",
     "states 12 subjects; protocol TST-101-001 enrols 9"),
    ("ib-meta", "fda", IB, {"version": "0.9"}, "dates.ib-version", "is version 0.9; regulatory.ib_version is 1.0"),
    ("ib-cited", "fda", PROTOCOL, {"paras": ["A Phase 1 study in type 2 diabetes mellitus.", LABEL["en"][2], "See the Investigator's Brochure version 1.0 dated 1 April 2026."]},
     "dates.ib-version", "cites the Investigator's Brochure dated 2026-04-01; it is dated 2026-05-01"),
    ("protocol-meta", "fda", PROTOCOL, {"version": "1.0"}, "dates.protocol-version", "is version 1.0; protocol TST-101-001 is version 2.0"),
    ("doc-date", "fda", LABELS, {"date": "2026-07-01"}, "dates.after-submission", "is dated 2026-07-01, after the submission date 2026-06-30"),
    ("1571-safety", "fda", "form:fdaft1", {"paras": ["Monitor: Mona Monitor, MD"]}, "protocol.1571-contacts",
     "Form FDA 1571 - entries does not name Sam Safety, MD, the sponsor's 'safety' contact"),
    ("cover-letter", "nmpa", "cn-1-0", {"paras": ["特斯细胞（TST-101）治疗2型糖尿病，注册分类：治疗用生物制品1类。"]}, "china.cover-letter-facts",
     "说明函 说明函 does not state the application type (临床试验申请)"),
    ("empty", "fda", "m3-2-p-8-1-stability-summary-and-conclusion", {"paras": [], "headings": ["3.2.P.8.1 Stability Summary"]},
     "completeness.empty-document", "1.x Stability Summary (fda) has no content besides its title and headings"),
    ("icf-meta", "nmpa", "cn-1-3-4-2", {"version": "1.0"}, "dates.consent-version", "is version 1.0; consent.version is 2.0"),
    ("icf-cited", "nmpa", "cn-1-3-4-2", {"paras": ["知情同意书 第2.0版，2026年3月15日。"]}, "dates.consent-version",
     "cites the informed consent form dated 2026-03-15; it is dated 2026-04-15"),
    ("shelf-life-text", "fda", "m3-2-p-8-1-stability-summary-and-conclusion",
     {"paras": [LABEL["en"][2], "A shelf life of 12 months is proposed; use within 4 hours after thaw."]},
     "cmc.shelf-life-text", "1.x Stability Summary (fda) does not state the shelf life of 6 months"),
    ("in-use-text", "fda", "m3-2-p-8-1-stability-summary-and-conclusion",
     {"paras": [LABEL["en"][2], "A shelf life of 6 months is proposed; use within 2 hours after thaw."]},
     "cmc.shelf-life-text", "does not state the in-use time of 4 hours"),
    ("manufacturer", "fda", "m3-2-p-3-1-manufacturers", {"paras": ["Testo Manufacturing, Boston"]}, "cmc.manufacturer-name",
     "1.x Manufacturer(s) (fda) does not give the address of manufacturer ORG-MFG: '2 Plant Rd, Boston, MA'"),
    ("justification", "fda", "m3-2-p-5-6-justification-of-specifications", {"paras": [JUSTIFIED.replace("Endotoxin, ", "")]},
     "cmc.spec-justification", "does not discuss 1 test(s): T-ENDO"),
    ("vector-in-doc", "fda", IB, {"paras": ["Indication: type 2 diabetes mellitus.", LABEL["en"][2], "Vector pLV-GLP2-FGF21."]},
     "identity.vector-name", "names vector 'pLV-GLP2-FGF21'; the vector is 'pLV-GLP1-FGF21'"),
    ("lot-in-doc", "nmpa", "cn-1-3-4-3", {"paras": ["适应症：2型糖尿病。批次CLIN-002。", LABEL["zh"][2]]}, "trace.unknown-lot-cited",
     "1.x 研究者手册 (nmpa) cites lot CLIN-002, which is not in the batch records"),
    ("zh-rendition", "nmpa", "cn-1-3-2-1", {"paras": ["Store frozen. Investigational use only. For autologous use."]}, "china.zh-rendition",
     "is not in Chinese"),
]


@pytest.mark.parametrize("name,region,element,changes,rule,message", CASES, ids=[c[0] for c in CASES])
def test_document_rule_fires(name, region, element, changes, rule, message):
    fda, nmpa = good_docs()
    if region == "fda":
        fda = _replace(fda, element, **changes)
    else:
        nmpa = _replace(nmpa, element, **changes)
    diags = run(FIXTURE, regions(fda, nmpa))
    hits = [d for d in findings(diags, rule) if message in d.message]
    assert hits, f"no {rule} with {message!r}; got {[d.format() for d in diags]}"
    if rule not in ("protocol.1572-sites",) or "has no Form" not in message:
        assert hits[0].location is not None and hits[0].location.path == f"templates/ectd/{element}.md.j2"


def test_document_cases_cover_every_document_rule():
    assert {c[4] for c in CASES} >= DOC_RULES


def test_product_name_outlier_in_a_region():
    """All documents of a region print the same product name: the odd one out is reported."""
    fda, nmpa = good_docs()
    fda = _replace(fda, LABELS, product="Testocel")  # an accepted name, but not the one the others print
    diags = findings(run(FIXTURE, regions(fda, nmpa)), "identity.product-name")
    assert [d.message for d in diags] == [
        "1.x Investigational Drug Labeling (fda) names the product 'Testocel', other fda documents "
        "'Testocel autologous gene-modified MSC'"
    ]


def test_each_document_keeps_its_planned_document_and_source():
    """Three documents at one element: each finding source and protocol test follows its own planned document."""
    from indbuilder.checks.support import is_protocol_doc, rendered

    el = PROTOCOL
    names = ["study-protocol", "study-consent-form", "study-investigators"]
    docs = [make(el, "Patient PK and Initial Tolerability Study Reports") for _ in names]
    planned = [PlannedDocument(el, n, "template", "en", template=f"m5/{n}.md.j2") for n in names]
    region = region_build("fda", docs, {n: f"m5/{n}.md.j2" for n in names}, planned=planned)
    ctx = SimpleNamespace(regions=[region])
    assert [str(rd.source) for rd in rendered(ctx)] == [f"m5/{n}.md.j2" for n in names]
    assert [is_protocol_doc(rd, "TST-101-001") for rd in rendered(ctx)] == [True, False, False]
    # a document without a recorded source has none (findings fall back to the fact's location)
    assert [rd.source for rd in region_build("fda", [docs[0]], {}).docs] == [None]


def test_document_text_reads_tables_and_headings():
    doc = make("x", "Title", headings=["Heading"], paras=["Para"], tables=[spec_table([("Endotoxin", "≤ 5.0 EU/mL")])])
    assert document_text(doc).splitlines() == ["Title", "Heading", "Para", "Test | Acceptance criterion", "Endotoxin | ≤ 5.0 EU/mL"]


# ------------------------------------------------------------------ B10 QOS <-> Module 3, with the real FDA outline


def _plan(outline, filled):
    nodes = {}
    for n in outline.walk():
        state = NodeState.FILLED if n.id in filled else (NodeState.HEADING if n.is_heading else NodeState.NOT_PROVIDED)
        docs = (PlannedDocument(n.id, n.id, "template", "en", template=f"templates/{n.id}.md.j2"),) if n.id in filled else ()
        nodes[n.id] = NodePlan(n, state, docs)
    return Plan(outline, nodes, Diagnostics())


def _qos_doc(numbers):
    doc = make("m2-3-p-drug-product", "Drug Product", section="2.3.P")
    doc.blocks = [Heading(2, text(f"{n} Section"), numbered=n) for n in numbers]
    return doc


@pytest.fixture(scope="module")
def fda_outline():
    return load_outline("fda")


def _qos_findings(outline, filled, numbers):
    region = region_build("fda", [_qos_doc(numbers)], outline=outline, plan=_plan(outline, filled), sources=
                          {n: f"templates/{n}.md.j2" for n in filled})
    return findings(run(FIXTURE, [region], families=["completeness"]), "completeness.qos-body-match")


def test_qos_matches_body(fda_outline):
    filled = {"m2-3-p-drug-product", "m3-2-p-1-description-and-composition-of-the-drug-product",
              "m3-2-p-8-1-stability-summary-and-conclusion"}
    assert _qos_findings(fda_outline, filled, ["2.3.P.1", "2.3.P.8"]) == []


def test_qos_heading_without_body(fda_outline):
    filled = {"m2-3-p-drug-product", "m3-2-p-1-description-and-composition-of-the-drug-product"}
    diags = _qos_findings(fda_outline, filled, ["2.3.P.1", "2.3.P.8"])
    assert [d.message for d in diags] == ["fda: Drug Product has a 2.3.P.8 Section summary, but section 3.2.P.8 has no content"]
    assert str(diags[0].location) == "templates/m2-3-p-drug-product.md.j2"


def test_body_without_qos_heading(fda_outline):
    filled = {"m2-3-p-drug-product", "m3-2-p-1-description-and-composition-of-the-drug-product",
              "m3-2-p-8-1-stability-summary-and-conclusion"}
    diags = _qos_findings(fda_outline, filled, ["2.3.P.1"])
    assert [d.message for d in diags] == [
        "fda: section 3.2.P.8 Stability has content, but Drug Product has no 2.3.P.8 summary"
    ]


def test_body_without_qos_document(fda_outline):
    filled = {"m3-2-p-1-description-and-composition-of-the-drug-product"}
    region = region_build("fda", [], outline=fda_outline, plan=_plan(fda_outline, filled))
    diags = findings(run(FIXTURE, [region], families=["completeness"]), "completeness.qos-body-match")
    assert [d.message for d in diags] == ["fda: 3.2.P has content (3.2.P.1) but the QOS has no 2.3.P summary"]
    assert str(diags[0].location) == "templates/m3-2-p-1-description-and-composition-of-the-drug-product.md.j2"


def test_reference_list_keeps_original_language():
    """A Chinese reference list cites English publications: only its title and headings must be Chinese."""
    fda, nmpa = good_docs()
    refs = make("m2-7-5-literature-references", "参考文献", lang="zh", region="nmpa", headings=["2.7.5 参考文献"],
                paras=["Dominici M, et al. Minimal criteria for defining multipotent mesenchymal stromal cells. Cytotherapy. 2006;8:315-317."])
    assert findings(run(FIXTURE, regions(fda, nmpa + [refs])), "china.zh-rendition") == []
    english = make("m2-7-5-literature-references", "References", lang="zh", region="nmpa", headings=["2.7.5 References"],
                   paras=["Dominici M, et al. Cytotherapy. 2006;8:315-317."])
    hits = findings(run(FIXTURE, regions(fda, nmpa + [english])), "china.zh-rendition")
    assert [d.message for d in hits] == ["NMPA document 1.x References is not in Chinese (lang zh, 0% Chinese characters among letters)"]


def test_drug_substance_justification_may_refer_to_drug_product():
    """A cell product's drug substance is released as the drug product: 3.2.S.4.5 may refer to 3.2.P.5.6."""
    fda, nmpa = good_docs()
    ref = make("m3-2-s-4-5-justification-of-specification", "Justification of Specification",
               paras=["See Section 3.2.P.5.6 Justification of Specification(s)."])
    assert findings(run(FIXTURE, regions(fda + [ref], nmpa)), "cmc.spec-justification") == []
    own = make("m3-2-s-4-5-justification-of-specification", "Justification of Specification", paras=["Sterility is justified."])
    assert len(findings(run(FIXTURE, regions(fda + [own], nmpa)), "cmc.spec-justification")) == 1


def test_fda_and_nmpa_renditions_cite_the_same_lots():
    """The English (FDA) and Chinese (NMPA) renditions of a Module 3 document cite the same lots."""
    fda, nmpa = good_docs()
    p81 = "m3-2-p-8-1-stability-summary-and-conclusion"
    fda = _replace(fda, p81, paras=[LABEL["en"][2], "A shelf life of 6 months is proposed; use within 4 hours after thaw. Lot TOX-001."])

    def zh(lot):
        return make(p81, "稳定性总结和结论", lang="zh", region="nmpa",
                    paras=[LABEL["zh"][2], f"有效期6个月；解冻后4小时内使用。批次{lot}。"])

    assert findings(run(FIXTURE, regions(fda, nmpa + [zh("TOX-001")])), "china.translation-facts") == []
    hits = findings(run(FIXTURE, regions(fda, nmpa + [zh("ENG-001")])), "china.translation-facts")
    assert [d.message for d in hits] == ["1.x 稳定性总结和结论: only the English cites TOX-001; only the Chinese cites ENG-001"]
    assert str(hits[0].location) == f"templates/ectd/{p81}.md.j2"


def _investigator_list(paras):
    el = PROTOCOL
    doc = make(el, "Patient PK and Initial Tolerability Study Reports", paras=paras)
    planned = SimpleNamespace(doc_id="study-investigators-tst", node=el, kind="template",
                              template="m5/study-investigators.md.j2", narrative=None, title=None)
    plan = SimpleNamespace(nodes={el: SimpleNamespace(documents=(planned,))})
    return region_build("fda", [doc], {"study-investigators-tst": "m5/study-investigators.md.j2"}, planned=[planned], plan=plan)


SITE_ROWS = [
    "Boston Clinical Research Unit | 10 Hospital Dr, Boston, MA | Carol Principal, MD | Dan Sub, MD | Boston Central IRB",
    "Shanghai Phase I Unit | 20 Hospital Rd, Shanghai | Li Wei | Shanghai Hospital Ethics Committee",
]


def test_investigator_list_names_every_site():
    assert findings(run(FIXTURE, [_investigator_list(SITE_ROWS)], families=["protocol"]), "protocol.site-table") == []
    rows = [SITE_ROWS[0].replace("Dan Sub, MD | ", ""), SITE_ROWS[1].replace("20 Hospital Rd", "22 Hospital Rd")]
    hits = findings(run(FIXTURE, [_investigator_list(rows)], families=["protocol"]), "protocol.site-table")
    assert sorted(d.message for d in hits) == [
        "Patient PK and Initial Tolerability Study Reports (fda) does not name, for site SITE-CN1: address '20 Hospital Rd, Shanghai'",
        "Patient PK and Initial Tolerability Study Reports (fda) does not name, for site SITE-US1: sub-investigator 'Dan Sub, MD'",
    ]
    assert {str(d.location) for d in hits} == {"m5/study-investigators.md.j2"}


def test_spec_table_rows_are_read_by_their_test_name_column():
    """A category column may hold a word that is also a test's name ('Endotoxin' here): the row is still the
    Viability row, whose criterion is right, so nothing fires; a wrong criterion in it still does."""
    fda, nmpa = good_docs()

    def table(criterion):
        header = ["Category", "Test", "Acceptance criterion"]
        rows = [["Endotoxin", "Viability", criterion], ["Safety", "Endotoxin", "≤ 5.0 EU/mL"]]
        return Table([[Cell(text(h)) for h in header]], [[Cell(text(c)) for c in r] for r in rows])

    ok = make("m3-2-p-5-1-specifications", "Specification(s)", tables=[table("≥ 70 %")])
    fda_ok = [d for d in fda if d.meta.element != "m3-2-p-5-1-specifications"] + [ok]
    assert findings(run(FIXTURE, regions(fda_ok, nmpa)), "cmc.spec-inconsistent") == []
    bad = make("m3-2-p-5-1-specifications", "Specification(s)", tables=[table("≥ 60 %")])
    fda_bad = [d for d in fda if d.meta.element != "m3-2-p-5-1-specifications"] + [bad]
    hits = findings(run(FIXTURE, regions(fda_bad, nmpa)), "cmc.spec-inconsistent")
    assert len(hits) == 1 and "Viability" in hits[0].message and "'≥ 60 %'" in hits[0].message
