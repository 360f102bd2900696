"""identity.modality-wording(-user): a document uses wording of a modality the product is not.

The dossier is the example's (MCT-101, a gene-modified cell therapy) loaded once; a test that needs another
kind of product copies the product record with another ``modality`` list. Documents are built as the
renderer builds them (doctree), each with the template or narrative it came from.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from checks_helpers import EXAMPLE, findings, load_context
from indbuilder.build import RegionBuild, RenderedDoc
from indbuilder.checks import modality
from indbuilder.checks.context import CheckContext
from indbuilder.diagnostics import Diagnostics, Location
from indbuilder.doctree import DocMeta, Document, Paragraph, text
from indbuilder.model.dossier import Narrative
from indbuilder import regions as region_registry
from indbuilder.outline import load_outline
from indbuilder.outline.planner import Plan, PlannedDocument
from indbuilder.render.provenance import Provenance


@pytest.fixture(scope="module")
def base() -> CheckContext:
    ctx, diags = load_context(EXAMPLE)
    assert not [d for d in diags if d.severity.value == "error"], [d.format() for d in diags]
    return ctx


def with_kind(ctx: CheckContext, *kinds: str) -> CheckContext:
    """The example's dossier with its product declared as ``kinds``."""
    facts = dict(ctx.dossier.facts)
    facts["product"] = ctx.dossier.product.model_copy(update={"modality": list(kinds)})
    dossier = copy.copy(ctx.dossier)
    dossier.facts = facts
    return CheckContext(ctx.config, dossier, [])


def doc(region: str, paragraphs: list[str], template: Path | None = None, narrative: str | None = None,
        element: str = "m2-4-nonclinical-overview", title: str = "Nonclinical Overview") -> RenderedDoc:
    lang = region_registry.get(region).lang
    meta = DocMeta(title=title, ctd_section="2.4", element=element, region=region, lang=lang)
    document = Document(meta, [Paragraph(text(p)) for p in paragraphs])
    kind = "narrative" if narrative else "template"
    pd = PlannedDocument(element, element, kind, lang, template=None if narrative else "m2/24.md.j2", narrative=narrative)
    prov = Provenance(templates=frozenset({str(template)}) if template else frozenset(),
                      narratives=frozenset({narrative}) if narrative else frozenset())
    origin = narrative or (str(template) if template else "m2/24.md.j2")
    return RenderedDoc(pd, region, lang, element, None, document, Location(origin), provenance=prov)


def run_rule(ctx: CheckContext, docs: list[RenderedDoc]) -> list:
    by_region: dict[str, RegionBuild] = {}
    for d in docs:
        if d.region not in by_region:
            by_region[d.region] = RegionBuild(region_registry.get(d.region), load_outline(d.region),
                                              Plan(load_outline(d.region), {}, Diagnostics()))
        by_region[d.region].docs.append(d)
    ctx = CheckContext(ctx.config, ctx.dossier, list(by_region.values()))
    out = Diagnostics()
    modality.check(ctx, out)
    return out.sorted()


def test_template_wording_of_another_modality_is_an_error_at_the_template_line(base, tmp_path):
    tpl = tmp_path / "24.md.j2"
    tpl.write_text("# Overview\n\n{{ product.name.en }} is given at 2 × 10^6 cells/kg to each donor.\n", encoding="utf-8")
    ctx = with_kind(base, "small-molecule")
    diags = run_rule(ctx, [doc("fda", ["MCT-101 is given at 2 × 10^6 cells/kg to each donor."], template=tpl)])
    hits = findings(diags, "identity.modality-wording")
    assert len(hits) == 2, [d.format() for d in diags]  # cells/kg and donor: two words, one line
    for d in hits:
        assert d.severity.value == "error"
        assert d.location is not None and d.location.line == 3 and d.location.path.endswith("24.md.j2")
        assert "Nonclinical Overview" in d.message and "cell therapy product" in d.message
        assert "cells/kg to each donor" in d.message  # the sentence


def test_own_wording_is_quiet(base, tmp_path):
    tpl = tmp_path / "24.md.j2"
    tpl.write_text("given at cells/kg; the lentiviral vector; CBER\n", encoding="utf-8")
    diags = run_rule(base, [doc("fda", ["MCT-101 is given at 2 × 10^6 cells/kg; the lentiviral vector was reviewed by CBER."], template=tpl)])
    assert not diags, [d.format() for d in diags]


@pytest.mark.parametrize(
    "kinds, sentence, word",
    [
        (("cell-therapy", "gene-therapy"), "Each film-coated tablet contains 25 mg.", "tablet"),
        (("cell-therapy", "gene-therapy"), "Dissolution is tested per USP <711>.", "Dissolution"),
        (("cell-therapy", "gene-therapy"), "The IND is submitted to CDER.", "CDER"),
        (("cell-therapy", "gene-therapy"), "Impurities are qualified per ICH Q3A(R2).", "ICH Q3A"),
        (("small-molecule",), "Safety studies followed ICH S6(R1).", "ICH S6"),
        (("small-molecule",), "The IND is submitted to CBER.", "CBER"),
        (("small-molecule",), "The lentiviral vector was made by the holder.", "vector"),
        (("small-molecule",), "The master cell bank was tested.", "cell bank"),
        (("protein",), "Subjects receive 1 × 10^6 viable cells per kg.", "viable cells"),
        (("protein",), "Each tablet contains 25 mg.", "tablet"),
        (("small-molecule",), "每位受试者的供者均经筛查。", "供者"),
        (("cell-therapy", "gene-therapy"), "每片含25 mg，为薄膜衣片剂。", "薄膜衣"),
    ],
)
def test_each_modality_foreign_word_fires(base, tmp_path, kinds, sentence, word):
    region = "nmpa" if any("\u4e00" <= c <= "\u9fff" for c in sentence) else "fda"
    tpl = tmp_path / "t.md.j2"
    tpl.write_text(sentence + "\n", encoding="utf-8")
    diags = run_rule(with_kind(base, *kinds), [doc(region, [sentence], template=tpl)])
    hits = findings(diags, "identity.modality-wording")
    assert any(f"'{word}'" in d.message for d in hits), [d.format() for d in diags]


@pytest.mark.parametrize(
    "kinds, sentence",
    [
        # legitimate text of each modality that the patterns must not take for another's
        (("small-molecule",), "The compound inhibits signal transduction through JAK1."),
        (("small-molecule",), "Hydrogen-bond donor count: 2; the drug was assessed in telemetered dogs (pressure transducer)."),
        (("small-molecule",), "Subjects with a prior allogeneic stem cell transplant are excluded; blood donors are excluded."),
        (("small-molecule",), "Carcinogenicity was assessed in transgenic rasH2 mice."),
        (("protein",), "The CHO cells were transfected with an expression vector; viable cell density is controlled."),
        (("protein",), "FcγRIIIa polymorphism may affect ADCC."),
        (("cell-therapy", "gene-therapy"), "Hepatic capsule and renal capsule were unremarkable."),
        (("cell-therapy", "gene-therapy"), "Human serum albumin is made with a validated virus inactivation step."),
        (("small-molecule",), "受试者脱落率按10%估算；信号转导通路。"),
        (("small-molecule",), "本品为口服片剂。"),
    ],
)
def test_legitimate_text_is_quiet(base, tmp_path, kinds, sentence):
    region = "nmpa" if any("\u4e00" <= c <= "\u9fff" for c in sentence) else "fda"
    tpl = tmp_path / "t.md.j2"
    tpl.write_text(sentence + "\n", encoding="utf-8")
    diags = run_rule(with_kind(base, *kinds), [doc(region, [sentence], template=tpl)])
    assert not diags, [d.format() for d in diags]


def test_fact_text_is_a_warning_at_the_fact(base):
    # the example's product description names autologous cells: a foreign word for a small molecule, written by the user
    sentence = base.dossier.product.description.en
    ctx = with_kind(base, "small-molecule")
    assert modality.scan(sentence, "en", ctx.dossier.product.kind.foreign_wording())
    diags = run_rule(ctx, [doc("fda", [f"Product: {sentence}"])])
    hits = findings(diags, "identity.modality-wording-user")
    errors = findings(diags, "identity.modality-wording")
    assert hits and not errors, [d.format() for d in diags]
    expected = base.dossier.where("product", "description", "en")
    assert all(d.location == expected for d in hits), [d.format() for d in hits]
    assert all(d.severity.value == "warning" and "from the fact product.description.en" in d.message for d in hits)


def test_literature_titles_are_not_checked(base):
    ref = base.dossier.literature[0]
    ctx = with_kind(base, "small-molecule")
    title = ref.title
    assert modality.scan(title, "en", ctx.dossier.product.kind.foreign_wording()), "the first reference should name cells"
    diags = run_rule(ctx, [doc("fda", [f"{ref.authors}. {title}. {ref.source} ({ref.year})."], element="m2-4-nonclinical-overview")])
    assert not diags, [d.format() for d in diags]


def test_narrative_text_is_a_warning_at_the_narrative_line(base):
    ctx = with_kind(base, "small-molecule")
    body = "# Pre-IND meeting\n\nThe Agency asked for the **dissolution** method.\nFDA (CBER) agreed to the plan.\n"
    n = Narrative("pre-ind", "content/narratives/pre-ind.en.md", "en", body, body_line=7, node="m1-6-1")
    ctx.dossier.narratives = [*ctx.dossier.narratives, n]
    diags = run_rule(ctx, [doc("fda", ["Pre-IND meeting", "The Agency asked for the dissolution method. FDA (CBER) agreed to the plan."],
                               narrative=n.path)])
    hits = findings(diags, "identity.modality-wording-user")
    assert [d.location for d in hits] == [Location(n.path, 10)], [d.format() for d in diags]  # CBER, line 4 of the body
    assert "from the narrative" in hits[0].message and not findings(diags, "identity.modality-wording")


def test_the_reviewing_centre_is_own_wording(base, tmp_path):
    tpl = tmp_path / "t.md.j2"
    tpl.write_text("Submitted to CBER.\n", encoding="utf-8")
    ctx = with_kind(base, "protein")
    fda = ctx.dossier.regulatory.fda.model_copy(update={"centre": "CBER"})
    ctx.dossier.facts["regulatory"] = ctx.dossier.regulatory.model_copy(update={"fda": fda})
    assert not run_rule(ctx, [doc("fda", ["Submitted to CBER."], template=tpl)])
    # and the other centre becomes foreign for this protein
    tpl.write_text("Submitted to CDER.\n", encoding="utf-8")
    diags = run_rule(ctx, [doc("fda", ["Submitted to CDER."], template=tpl)])
    assert any("'CDER'" in d.message for d in findings(diags, "identity.modality-wording")), [d.format() for d in diags]


def test_one_template_line_in_many_documents_is_one_finding(base, tmp_path):
    tpl = tmp_path / "t.md.j2"
    tpl.write_text("Each tablet contains 25 mg.\n", encoding="utf-8")
    docs = [doc("fda", ["Each tablet contains 25 mg."], template=tpl, element=e, title=t)
            for e, t in (("m2-4-nonclinical-overview", "Nonclinical Overview"), ("m2-5-clinical-overview", "Clinical Overview"))]
    hits = findings(run_rule(base, docs), "identity.modality-wording")
    assert len(hits) == 1 and "and 1 other document" in hits[0].message, [d.format() for d in hits]


def test_sentence_around_quotes_the_sentence():
    line = "First sentence. The cells/kg dose is set here. Last one."
    i = line.index("cells/kg")
    assert modality.sentence_around(line, i, i + 8) == "The cells/kg dose is set here."
