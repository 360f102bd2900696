"""guidelines.*: the nonclinical programme of ICH M3(R2)/S7A/S2(R1) (small molecules) and ICH S6(R1) (proteins).

Small dossiers are made from the example's loaded facts (MCT-101): the product is declared another modality
and the study list is replaced with studies made from the example's own study records, so each test states
exactly the programme it checks.
"""

from __future__ import annotations

import copy

import pytest

from checks_helpers import EXAMPLE, findings, load_context
from indbuilder.checks import guidelines
from indbuilder.checks.context import CheckContext
from indbuilder.diagnostics import Diagnostics
from indbuilder.model.common import Quantity, Text
from indbuilder.model.literature import NotApplicable


@pytest.fixture(scope="module")
def base() -> CheckContext:
    ctx, diags = load_context(EXAMPLE)
    assert not [d for d in diags if d.severity.value == "error"], [d.format() for d in diags]
    return ctx


def T(en: str) -> Text:
    return Text(en=en, zh=en)


def study(base: CheckContext, id: str, category: str, species: str, weeks: float = 4, glp: bool = True,
          title: str = "", tk: bool = True, ada: bool = False, pivotal: bool = True, findings_: str = ""):
    proto = base.dossier.studies[0]
    return proto.model_copy(update={
        "id": id, "study_number": id.upper(), "category": category, "species_code": species,
        "species": T({"monkey": "cynomolgus monkey", "rat": "rat (Sprague Dawley)", "dog": "beagle dog"}.get(species, species)),
        "title": T(title or f"{category} study in {species}"), "duration": Quantity(value=weeks, unit="weeks"), "glp": glp,
        "toxicokinetics": T("Cmax and AUC measured") if tk else None,
        "immunogenicity": T("ADA measured on days 1, 29") if ada else None,
        "key_findings": T(findings_ or "No adverse findings."), "pivotal": pivotal, "model": None,
    })


def make(base: CheckContext, kinds: list[str], studies: list, na: list[str] = (), days: float = 14, phase: str = "1",
         protein_kind: str | None = None) -> CheckContext:
    facts = dict(base.dossier.facts)
    update = {"modality": kinds}
    if protein_kind is not None:
        from indbuilder.model.product import ProteinFacts
        update["protein"] = ProteinFacts(kind=protein_kind, molecular_weight_kda=148, expression_system=T("CHO cells"),
                                         structure=T("IgG1"), glycosylation=T("N297"), variants=T("charge variants"))
    facts["product"] = base.dossier.product.model_copy(update=update)
    facts["studies"] = list(studies)
    facts["not_applicable"] = [NotApplicable(node=n, justification=T("Not applicable: justified here.")) for n in na]
    facts["protocol"] = base.dossier.protocol.model_copy(
        update={"treatment_duration": Quantity(value=days, unit="days"), "phase": phase})
    dossier = copy.copy(base.dossier)
    dossier.facts = facts
    return CheckContext(base.config, dossier, [])


def run(ctx: CheckContext) -> list:
    out = Diagnostics()
    guidelines.check(ctx, out)
    return out.sorted()


def sm_good(base: CheckContext) -> list:
    return [
        study(base, "sp-cv", "safety-pharmacology", "dog", 1, title="Cardiovascular telemetry (ECG, blood pressure)"),
        study(base, "sp-cns", "safety-pharmacology", "rat", 1, title="Irwin test and whole-body plethysmography (respiratory)"),
        study(base, "ames", "genotoxicity", "in-vitro", 1, title="Bacterial reverse mutation assay (Ames)"),
        study(base, "mn", "genotoxicity", "in-vitro", 1, title="In vitro micronucleus assay in TK6 cells"),
        study(base, "rat-4w", "repeat-dose-toxicity", "rat", 6),
        study(base, "dog-4w", "repeat-dose-toxicity", "dog", 6),
    ]


def test_small_molecule_complete_programme_is_quiet(base):
    diags = run(make(base, ["small-molecule"], sm_good(base)))
    assert not diags, [d.format() for d in diags]


def test_small_molecule_without_safety_pharmacology_or_genotoxicity_fires(base):
    studies = [s for s in sm_good(base) if s.category not in ("safety-pharmacology", "genotoxicity")]
    diags = run(make(base, ["small-molecule"], studies))
    assert len(findings(diags, "guidelines.m3-safety-pharmacology")) == 1
    geno = findings(diags, "guidelines.m3-genotoxicity")
    assert len(geno) == 2 and "Ames" in geno[0].message + geno[1].message  # Ames + chromosomal (multiple doses)
    assert all(d.location == base.dossier.where("studies") for d in diags)


def test_declared_not_applicable_is_quiet(base):
    studies = [s for s in sm_good(base) if s.category == "repeat-dose-toxicity"]
    ctx = make(base, ["small-molecule"], studies, na=["m4-2-1-3-safety-pharmacology", "m4-2-3-3-genotoxicity"])
    assert not run(ctx)


def test_core_battery_system_missing_is_a_warning(base):
    studies = [s for s in sm_good(base) if s.id != "sp-cns"]
    hits = findings(run(make(base, ["small-molecule"], studies)), "guidelines.s7a-core-battery")
    assert len(hits) == 1 and "central nervous system" in hits[0].message and "respiratory" in hits[0].message


def test_single_dose_phase_1_needs_only_ames_phase_2_needs_in_vivo(base):
    studies = [s for s in sm_good(base) if s.id != "mn"]
    assert not findings(run(make(base, ["small-molecule"], studies, days=1)), "guidelines.m3-genotoxicity")
    assert findings(run(make(base, ["small-molecule"], studies, days=14)), "guidelines.m3-genotoxicity")
    hits = findings(run(make(base, ["small-molecule"], sm_good(base), phase="2")), "guidelines.m3-genotoxicity")
    assert len(hits) == 1 and "in vivo" in hits[0].message


@pytest.mark.parametrize(
    "change, expect",
    [
        ({"dog-4w": None}, "no repeat-dose toxicity study in a non-rodent species"),
        ({"rat-4w": None}, "no repeat-dose toxicity study in a rodent species"),
        ({"dog-4w": {"duration": Quantity(value=1, unit="weeks")}}, "are needed"),
        ({"rat-4w": {"glp": False}}, "not conducted under GLP"),
    ],
)
def test_repeat_dose_rodent_and_non_rodent(base, change, expect):
    studies = []
    for s in sm_good(base):
        if s.id in change:
            if change[s.id] is None:
                continue
            s = s.model_copy(update=change[s.id])
        studies.append(s)
    hits = findings(run(make(base, ["small-molecule"], studies)), "guidelines.m3-repeat-dose")
    assert len(hits) == 1 and expect in hits[0].message, [d.format() for d in hits]


def test_duration_follows_the_trial(base):
    # a 6-week study supports 4 weeks of dosing, not 8
    assert not findings(run(make(base, ["small-molecule"], sm_good(base), days=28)), "guidelines.m3-repeat-dose")
    assert len(findings(run(make(base, ["small-molecule"], sm_good(base), days=56)), "guidelines.m3-repeat-dose")) == 2


def test_missing_toxicokinetics_is_a_warning_at_the_study(base):
    studies = [s.model_copy(update={"toxicokinetics": None}) if s.id == "rat-4w" else s for s in sm_good(base)]
    hits = findings(run(make(base, ["small-molecule"], studies)), "guidelines.toxicokinetics")
    assert len(hits) == 1 and "rat-4w" in hits[0].message


def mab_good(base: CheckContext) -> list:
    return [
        study(base, "binding", "primary-pharmacodynamics", "in-vitro", 1,
              title="Target binding affinity in human and cynomolgus monkey cells"),
        study(base, "tcr", "tissue-cross-reactivity", "human-tissue", 1, title="Tissue cross-reactivity in human tissues"),
        study(base, "nhp-4w", "repeat-dose-toxicity", "monkey", 6, ada=True),
    ]


def test_protein_complete_programme_is_quiet(base):
    ctx = make(base, ["protein"], mab_good(base), na=["m4-2-3-3-genotoxicity"], protein_kind="monoclonal-antibody")
    diags = run(ctx)
    assert not diags, [d.format() for d in diags]


def test_protein_rules_fire(base):
    studies = [study(base, "nhp-4w", "repeat-dose-toxicity", "monkey", 6)]  # no binding study, no ADA, no TCR
    diags = run(make(base, ["protein"], studies, protein_kind="monoclonal-antibody"))
    for rule in ("guidelines.s6-relevant-species", "guidelines.s6-immunogenicity",
                 "guidelines.s6-tissue-cross-reactivity", "guidelines.s6-genotoxicity"):
        assert len(findings(diags, rule)) == 1, (rule, [d.format() for d in diags])
    assert not findings(diags, "guidelines.s6-repeat-dose")
    # a fusion protein needs no tissue cross-reactivity study
    diags = run(make(base, ["protein"], studies, protein_kind="fusion-protein"))
    assert not findings(diags, "guidelines.s6-tissue-cross-reactivity")


def test_protein_without_repeat_dose_study_is_an_error(base):
    studies = [s for s in mab_good(base) if s.category != "repeat-dose-toxicity"]
    hits = findings(run(make(base, ["protein"], studies, protein_kind="monoclonal-antibody")), "guidelines.s6-repeat-dose")
    assert len(hits) == 1 and hits[0].severity.value == "error"


def test_cell_and_gene_therapies_keep_the_cgt_rules(base):
    # MCT-101 itself: neither M3(R2) nor S6(R1) rules apply (cgt.* covers it)
    assert not run(base)
