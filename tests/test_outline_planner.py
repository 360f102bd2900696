"""The completeness planner on synthetic project sources: each rule fires on bad input and is quiet on good input."""

from __future__ import annotations

from indbuilder import rules
from indbuilder.diagnostics import Location, Severity
from indbuilder.outline import (
    DeclaredFile,
    FactRecord,
    FillKind,
    NodeState,
    NotApplicableDecl,
    Sources,
    Status,
    completeness,
    load_outline,
    not_applicable_text,
    plan,
)

FDA = load_outline("fda")
NMPA = load_outline("nmpa")
P81 = "m3-2-p-8-1-stability-summary-and-conclusion"
P81_TEMPLATE = "m3/32p81-stability-summary.md.j2"
TOX = "m4-2-3-2-repeat-dose-toxicity"
LOC = Location("content/not-applicable.yaml", 4, 3)


def complete_sources(outline, **overrides) -> Sources:
    """Sources that fill every required node: all templates exist, one PDF per required attachment
    node (plus NMPA 1.11.1), one study per required study node and one protocol (FDA Module 5)."""
    templates = {f.template for n in outline.walk() for f in n.fills if f.template}
    attachment_nodes = [
        n for n in outline.walk() if n.status is Status.REQUIRED and any(f.kind is FillKind.ATTACHMENT for f in n.fills)
    ]
    if outline.region == "nmpa":
        attachment_nodes.append(outline["cn-1-11-1"])  # a domestic applicant's certificates (item 1.11)
    # FDA 1.1 takes its PDFs at form:<code> pseudo-nodes, one per required form
    targets = [s.node_id for n in attachment_nodes for s in n.forms if s.status is Status.REQUIRED]
    targets += [n.id for n in attachment_nodes if not n.forms]
    attachments = tuple(DeclaredFile(node=t, path=f"content/pdf/{t.replace(':', '-')}.pdf") for t in targets)
    studies = tuple(
        FactRecord(id=f"S-{i}", fields={"ich_node": n.id})
        for i, n in enumerate(outline.walk())
        if n.status is Status.REQUIRED and any(f.each == "studies" for f in n.fills)
    )
    protocols = (FactRecord(id="GLP1-FIH-01", fields={"ich_node": "m5-3-3-2-patient-pk-and-initial-tolerability-study-reports"}),)
    base = dict(
        templates=frozenset(templates),
        attachments=attachments,
        records={"studies": studies, "protocols": protocols},
    )
    base.update(overrides)
    return Sources(**base)


def diags_of(p, rule):
    return [d for d in p.diagnostics if d.rule == rule]


def test_rules_are_registered_with_a_basis():
    assert len(completeness.RULES) == 10
    for rule in completeness.RULES:
        assert rule.id.startswith("completeness.") and rule.basis and rule.summary and rule.explanation
        assert rules.default_severity(rule.id) is rule.severity


def test_complete_project_is_quiet():
    for outline in (FDA, NMPA):
        p = plan(outline, complete_sources(outline))
        errors = [d for d in p.diagnostics if d.severity is Severity.ERROR]
        assert errors == [], [d.format() for d in errors]
        assert p.in_state(NodeState.MISSING) == []
        assert p.state(P81) is NodeState.FILLED


def test_missing_required_section_has_the_exact_message():
    src = complete_sources(FDA)
    src = Sources(templates=src.templates - {P81_TEMPLATE}, attachments=src.attachments, records=src.records)
    p = plan(FDA, src)
    assert p.state(P81) is NodeState.MISSING
    missing = diags_of(p, "completeness.missing")
    assert [d.message for d in missing] == [
        "required section 3.2.P.8.1 Stability Summary and Conclusion has no source: add template "
        "templates/ectd/m3/32p81-stability-summary.md.j2 or declare it not applicable"
    ]
    assert missing[0].severity is Severity.ERROR
    assert P81 in missing[0].hint


def test_template_fill_plans_one_document_with_a_stable_id():
    p1 = plan(FDA, complete_sources(FDA))
    (doc,) = p1[P81].documents
    assert (doc.kind, doc.template, doc.doc_id, doc.language) == ("template", P81_TEMPLATE, "32p81-stability-summary", "en")
    p2 = plan(FDA, complete_sources(FDA))
    assert p1.documents() == p2.documents()
    ids = [d.doc_id for d in p1.documents()]
    assert len(ids) == len(set(ids))


def test_language_variant_counts_as_the_template():
    src = complete_sources(NMPA)
    variant = P81_TEMPLATE.replace(".md.j2", ".zh.md.j2")
    src = Sources(templates=(src.templates - {P81_TEMPLATE}) | {variant}, attachments=src.attachments, records=src.records)
    p = plan(NMPA, src)
    (doc,) = p[P81].documents
    assert doc.template == P81_TEMPLATE and doc.language == "zh"
    # an English-only variant does not fill the Chinese dossier
    src2 = Sources(templates=(src.templates - {variant}) | {P81_TEMPLATE.replace(".md.j2", ".en.md.j2")},
                   attachments=src.attachments, records=src.records)
    assert plan(NMPA, src2).state(P81) is NodeState.MISSING


def test_justified_not_applicable_is_quiet_and_unjustified_is_an_error():
    node = "m3-2-s-5-reference-standards-or-materials"
    src = complete_sources(FDA)
    src = Sources(
        templates=src.templates - {"m3/32s5-reference-standards.md.j2"},
        attachments=src.attachments,
        records=src.records,
        not_applicable=(NotApplicableDecl(node, {"en": "No reference standard is used.", "zh": "未使用对照品。"}, LOC),),
    )
    p = plan(FDA, src)
    assert p.state(node) is NodeState.NOT_APPLICABLE
    assert p[node].documents == ()  # FDA: the element is simply omitted
    assert list(p.diagnostics) == []

    bad = Sources(templates=src.templates, attachments=src.attachments, records=src.records,
                  not_applicable=(NotApplicableDecl(node, {"en": "  ", "zh": "未使用对照品。"}, LOC),))
    (d,) = plan(FDA, bad).diagnostics
    assert d.rule == "completeness.na-unjustified" and d.severity is Severity.ERROR
    assert d.location == LOC
    assert "3.2.S.5 Reference Standards or Materials" in d.message and "(English)" in d.message


def test_nmpa_needs_a_chinese_justification_and_renders_the_statement():
    node = "m3-2-s-5-reference-standards-or-materials"
    src = complete_sources(NMPA)
    src = Sources(templates=src.templates - {"m3/32s5-reference-standards.md.j2"}, attachments=src.attachments,
                  records=src.records,
                  not_applicable=(NotApplicableDecl(node, {"en": "No reference standard.", "zh": ""}, LOC),))
    p = plan(NMPA, src)
    assert [d.rule for d in p.diagnostics if d.severity is Severity.ERROR] == ["completeness.na-unjustified"]

    src = Sources(templates=src.templates, attachments=src.attachments, records=src.records,
                  not_applicable=(NotApplicableDecl(node, {"en": "No reference standard.", "zh": "本品放行检验不使用对照品。"}, LOC),))
    p = plan(NMPA, src)
    (doc,) = p[node].documents
    assert doc.kind == "not-applicable" and doc.language == "zh"
    assert doc.text == "# 3.2.S.5 对照品/标准品\n\n不适用。本品放行检验不使用对照品。\n"


def test_not_applicable_on_a_section_an_ind_cannot_omit():
    node = "m1-20-general-investigational-plan-for-initial-ind"
    src = complete_sources(FDA)
    src = Sources(templates=src.templates - {"m1/us/120-general-investigational-plan.md.j2"}, attachments=src.attachments,
                  records=src.records,
                  not_applicable=(NotApplicableDecl(node, {"en": "Covered elsewhere.", "zh": "见他处。"}, LOC),))
    (d,) = plan(FDA, src).diagnostics
    assert d.rule == "completeness.na-required" and d.severity is Severity.ERROR
    assert d.message.startswith("section 1.20 General Investigational Plan for Initial IND cannot be declared not applicable")
    assert "21 CFR 312.23(a)(3)" in d.message


def test_unknown_node_suggests_the_nearest_id():
    src = complete_sources(FDA, narratives=(
        DeclaredFile("m3-2-p-8-1-stability-summary", "content/narratives/stability.md", lang="en",
                     location=Location("content/narratives/stability.md", 2, 7)),
        DeclaredFile("3.2.P.8.3", "content/narratives/stab-data.md", lang="en"),
        DeclaredFile("zz-nothing-like-it", "content/narratives/x.md", lang="en"),
    ))
    found = {d.message: d for d in plan(FDA, src).diagnostics if d.rule == "completeness.unknown-node"}
    assert len(found) == 3
    msg = next(m for m in found if "stability-summary'" in m)
    assert msg == (
        "narrative content/narratives/stability.md names node 'm3-2-p-8-1-stability-summary', which is not a section "
        "of the FDA IND outline; did you mean m3-2-p-8-1-stability-summary-and-conclusion "
        "(3.2.P.8.1 Stability Summary and Conclusion)?"
    )
    assert found[msg].location == Location("content/narratives/stability.md", 2, 7)
    assert any("did you mean m3-2-p-8-3-stability-data" in m for m in found)
    assert any(m.endswith("'zz-nothing-like-it', which is not a section of the FDA IND outline") for m in found)


def test_narrative_replaces_the_template_and_headings_reject_content():
    src = complete_sources(FDA, narratives=(
        DeclaredFile(P81, "content/narratives/p81.md", doc_id="stability-summary", lang="en"),
        DeclaredFile(P81, "content/narratives/p81.zh.md", lang="zh"),  # other language: not for FDA
        DeclaredFile("m1-14-4-investigational-drug-labeling", "content/narratives/ib.md", lang="en"),
    ))
    p = plan(FDA, src)
    (doc,) = p[P81].documents
    assert (doc.kind, doc.narrative, doc.doc_id) == ("narrative", "content/narratives/p81.md", "stability-summary")
    (d,) = p.diagnostics
    assert d.rule == "completeness.heading-node"
    assert "1.14.4 Investigational Drug Labeling" in d.message and "1.14.4.1, 1.14.4.2" in d.message


def test_content_at_a_not_for_ind_section_and_na_conflict():
    src = complete_sources(NMPA, attachments=complete_sources(NMPA).attachments + (
        DeclaredFile("cn-1-3-1-2", "content/pdf/marketed-insert.pdf"),
    ), not_applicable=(NotApplicableDecl(P81, {"en": "x", "zh": "不适用理由"}, LOC),))
    p = plan(NMPA, src)
    by_rule = {d.rule: d for d in p.diagnostics}
    assert by_rule["completeness.not-for-ind"].severity is Severity.ERROR
    assert "1.3.1.2" in by_rule["completeness.not-for-ind"].message
    assert by_rule["completeness.na-conflict"].severity is Severity.WARNING
    # N/A on a heading conflicts with content below it as well
    heading_na = (NotApplicableDecl("m3-2-p-8-stability", {"en": "x", "zh": "不适用理由"}, LOC),)
    full = complete_sources(NMPA)
    p2 = plan(NMPA, Sources(templates=full.templates - {"m3/32p82-post-approval.md.j2"},
                            attachments=full.attachments, records=full.records, not_applicable=heading_na))
    conflicts = [d.message for d in p2.diagnostics if d.rule == "completeness.na-conflict"]
    assert len(conflicts) == 2 and all("(through 3.2.P.8 Stability (稳定性))" in m for m in conflicts)
    assert p2.state("m3-2-p-8-2-post-approval-stability-protocol-and-stability-commitment") is NodeState.NOT_APPLICABLE
    assert p.state(P81) is NodeState.FILLED
    assert p.state("cn-1-3-1-2") is NodeState.NOT_FOR_IND


def test_each_fill_plans_one_document_per_record_and_checks_records():
    studies = (
        FactRecord("TOX-01", {"ich_node": TOX}, location=Location("content/nonclinical/studies.yaml", 3, 5)),
        FactRecord("TOX-02", {"ich_node": TOX}, attachment="content/reports/tox-02.pdf"),
        FactRecord("PD-01", {"ich_node": "m4-2-1-1-primary-pharmacodynamics"}),
        FactRecord("BD-01", {"ich_node": "m4-2-2-3-distributon"}, location=Location("content/nonclinical/studies.yaml", 40, 5)),
        FactRecord("X-01", {"ich_node": P81}),
    )
    src = complete_sources(FDA, records={"studies": studies, "protocols": complete_sources(FDA).records["protocols"]})
    p = plan(FDA, src)
    docs = p[TOX].documents
    assert [(d.kind, d.record, d.doc_id) for d in docs] == [
        ("template", "TOX-01", "study-report-tox-01"),
        ("attachment", "TOX-02", "study-report-tox-02"),
    ]
    assert docs[1].attachment == "content/reports/tox-02.pdf"
    unknown = [d for d in p.diagnostics if d.rule == "completeness.unknown-node"]
    assert len(unknown) == 2
    assert any("did you mean m4-2-2-3-distribution" in d.message and d.location.line == 40 for d in unknown)
    assert any("X-01" in d.message and "does not take studies records" in d.message for d in unknown)

    no_template = Sources(templates=src.templates - {"m4/study-report.md.j2"}, attachments=src.attachments, records=src.records)
    p = plan(FDA, no_template)
    tm = [d for d in p.diagnostics if d.rule == "completeness.template-missing"]
    assert {d.message.split()[2] for d in tm} == {"TOX-01", "PD-01"}
    assert [d.record for d in p[TOX].documents] == ["TOX-02"]
    # a required study node whose only record lacks its template is reported once, as template-missing
    pd = "m4-2-1-1-primary-pharmacodynamics"
    assert p.state(pd) is NodeState.MISSING
    assert p[pd].expected == ("add template templates/ectd/m4/study-report.md.j2",)
    assert not [d for d in p.diagnostics if d.rule == "completeness.missing" and "4.2.1.1 " in d.message]


def test_protocol_item_needs_one_module_5_section():
    src = complete_sources(FDA, records={"studies": complete_sources(FDA).records["studies"], "protocols": ()})
    (d,) = plan(FDA, src).diagnostics
    assert d.rule == "completeness.ind-item-missing"
    assert d.message.startswith("312.23(a)(6) Protocols: no section provides it (expected in one of 5.3.1.1")
    node = "m5-3-3-2-patient-pk-and-initial-tolerability-study-reports"
    # the protocol record exists but its template does not: reported once, as template-missing
    full = complete_sources(FDA)
    p = plan(FDA, Sources(templates=full.templates - {"m5/study-protocol.md.j2"}, attachments=full.attachments,
                          records=full.records))
    assert [d.rule for d in p.diagnostics] == ["completeness.template-missing"]
    assert p.state(node) is NodeState.FILLED  # the consent form and investigator list still render
    p = plan(FDA, Sources(templates=full.templates - {"m5/study-protocol.md.j2", "m5/study-consent-form.md.j2",
                                                      "m5/study-investigators.md.j2"},
                          attachments=full.attachments, records=full.records))
    assert sorted({d.rule for d in p.diagnostics}) == ["completeness.template-missing"]
    assert p.state(node) is NodeState.MISSING
    p = plan(FDA, complete_sources(FDA))
    assert [d.file_tag for d in p[node].documents] == [
        "protocol-or-amendment", "iec-irb-consent-form-list", "list-description-investigator-site"]


def test_nmpa_heading_not_applicable_covers_sub_sections():
    heading = "m4-2-3-5-reproductive-and-developmental-toxicity"
    src = complete_sources(NMPA)
    before = plan(NMPA, src)
    undeclared = {d.message.split()[1] for d in diags_of(before, "completeness.na-undeclared")}
    assert {"4.2.3.5.1", "4.2.3.5.4"} <= undeclared
    assert not [n for n in undeclared if n.startswith("1.")]  # M1 "如适用" items need no 不适用
    assert not diags_of(plan(FDA, complete_sources(FDA)), "completeness.na-undeclared")  # FDA omits empty elements
    src = Sources(templates=src.templates, attachments=src.attachments, records=src.records,
                  not_applicable=(NotApplicableDecl(heading, {"en": "Not needed for Phase 1.", "zh": "I期临床试验无需开展。"}, LOC),))
    p = plan(NMPA, src)
    child = "m4-2-3-5-1-fertility-and-early-embryonic-development"
    assert p.state(heading) is NodeState.NOT_APPLICABLE
    assert p.state(child) is NodeState.NOT_APPLICABLE and p[child].na_declared_at == heading
    assert p[child].documents[0].text.startswith("# 4.2.3.5.1 ")
    now = {d.message.split()[1] for d in diags_of(p, "completeness.na-undeclared")}
    assert not ({"4.2.3.5.1", "4.2.3.5.2", "4.2.3.5.3", "4.2.3.5.4"} & now)
    assert len(now) == len(undeclared) - 4
    # the remaining findings point at the project's not-applicable declarations, where the writer adds one
    assert {d.location for d in diags_of(p, "completeness.na-undeclared")} == {LOC}
    assert {d.location for d in diags_of(before, "completeness.na-undeclared")} == {None}  # none declared yet


def test_not_applicable_text():
    node = NMPA[P81]
    assert not_applicable_text(node, "zh", {"en": "x", "zh": "本品为细胞制剂。"}) == "# 3.2.P.8.1 稳定性总结和结论\n\n不适用。本品为细胞制剂。\n"
    assert not_applicable_text(node, "en", "Cells are not stored.") == (
        "# 3.2.P.8.1 Stability Summary and Conclusion\n\nNot applicable. Cells are not stored.\n"
    )
    assert not_applicable_text(node, "en", None).endswith("\n\nNot applicable.\n")


def test_fda_forms_are_declared_at_form_pseudo_nodes():
    full = complete_sources(FDA)
    p = plan(FDA, full)
    assert [(d.node, d.attachment) for d in p["m1-1-forms"].documents] == [
        ("form:fdaft1", "content/pdf/form-fdaft1.pdf"),
        ("form:fdaft7", "content/pdf/form-fdaft7.pdf"),
    ]
    without_3674 = tuple(a for a in full.attachments if a.node != "form:fdaft7")
    src = Sources(templates=full.templates, attachments=without_3674, records=full.records)
    p = plan(FDA, src)
    (d,) = p.diagnostics
    assert d.rule == "completeness.missing"
    assert d.message == (
        "required form Form FDA 3674 (Certification of Compliance, ClinicalTrials.gov) in 1.1 Forms has no source: "
        "declare an attachment with node: form:fdaft7 or declare it not applicable"
    )
    assert p.state("m1-1-forms") is NodeState.MISSING
    # a justified N/A covers the 3674; the 1571 can never be waived
    na = (NotApplicableDecl("form:fdaft7", {"en": "Filed with the protocol amendment.", "zh": "随方案修订提交。"}, LOC),
          NotApplicableDecl("form:fdaft1", {"en": "Sent on paper.", "zh": "纸质提交。"}, LOC))
    p = plan(FDA, Sources(templates=full.templates, attachments=without_3674, records=full.records, not_applicable=na))
    assert [d.rule for d in p.diagnostics] == ["completeness.na-required"]
    assert "form form:fdaft1 Form FDA 1571" in p.diagnostics.items[0].message
    assert p.state("m1-1-forms") is NodeState.FILLED
    # PDFs placed at 1.1 itself or at an unknown form are errors
    wrong = full.attachments + (DeclaredFile("m1-1-forms", "content/pdf/1571.pdf"), DeclaredFile("form:fdaft2", "content/pdf/356h.pdf"))
    rules_fired = sorted(d.rule for d in plan(FDA, Sources(templates=full.templates, attachments=wrong, records=full.records)).diagnostics)
    assert rules_fired == ["completeness.heading-node", "completeness.unknown-node"]


def test_nodes_of_the_other_region_are_not_unknown():
    shared = (
        DeclaredFile("m1-20-general-investigational-plan-for-initial-ind", "content/narratives/intro.zh.md", lang="zh"),
        DeclaredFile("cn-1-3-4-1", "content/narratives/protocol.en.md", lang="en"),
        DeclaredFile("cn-1-3-4-9", "content/narratives/typo.zh.md", lang="zh"),
    )
    nmpa = [d for d in plan(NMPA, complete_sources(NMPA, narratives=shared)).diagnostics if d.rule == "completeness.unknown-node"]
    assert [d.message.split()[1] for d in nmpa] == ["content/narratives/typo.zh.md"]
    fda = plan(FDA, complete_sources(FDA, not_applicable=(NotApplicableDecl("cn-1-3-8-1", {"en": "x", "zh": "y"}),)))
    assert list(fda.diagnostics) == []
