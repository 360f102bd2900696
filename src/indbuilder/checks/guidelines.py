"""Rule family: the nonclinical programme the product's governing guideline expects before a first-in-human trial.

The modality decides the guideline (``ModalityProfile.guideline``):

* small molecules: ICH M3(R2) (timing and duration), ICH S7A (safety pharmacology core battery: central
  nervous, cardiovascular and respiratory systems), ICH S2(R1) (genotoxicity battery), ICH S3A
  (toxicokinetics);
* therapeutic proteins and monoclonal antibodies: ICH S6(R1) (pharmacologically relevant species,
  immunogenicity, tissue cross-reactivity; no standard genotoxicity battery), with the study durations
  of ICH M3(R2) table 1 (M3(R2) 1.3: the timing of biotechnology-derived products' studies follows M3);
* cell and gene therapies: the FDA 2013 preclinical CGT guidance, checked by the ``cgt.*`` rules.

Each rule is satisfied by a study of the right category (``content/nonclinical/studies.yaml``) or by an
explicit ``not_applicable`` declaration of its Module 4 node with a written justification (e.g. an
exploratory IND under M3(R2) section 7, or S6(R1) 5.5 for genotoxicity of a protein). Findings point at
the studies section (or the study concerned), so the writer sees where the programme is described.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from ..diagnostics import Diagnostics, Location
from ..model.nonclinical import Study
from .context import CheckContext
from .support import define, where

define(
    "guidelines.m3-safety-pharmacology",
    "error",
    "A small-molecule IND has no safety pharmacology study and no not-applicable declaration for 4.2.1.3.",
    """
    ICH M3(R2) section 2 and ICH S7A: the safety pharmacology core battery (effects on the central nervous,
    cardiovascular and respiratory systems) is assessed before first human exposure. It may be a stand-alone
    study or part of the toxicity studies; record either as a study of category safety-pharmacology, or
    declare m4-2-1-3-safety-pharmacology not applicable with the justification (e.g. an exploratory IND,
    M3(R2) section 7).
    """,
    "ICH M3(R2) section 2; ICH S7A section 2.7 (core battery) and 2.9 (timing); 21 CFR 312.23(a)(8)(i).",
)
define(
    "guidelines.s7a-core-battery",
    "warning",
    "The safety pharmacology studies do not evaluate one of the core battery systems (CNS, cardiovascular, respiratory).",
    """
    ICH S7A 2.7.1: the core battery covers the central nervous system (motor activity, behaviour, coordination,
    e.g. Irwin or functional observational battery), the cardiovascular system (blood pressure, heart rate,
    ECG; ICH S7B for QT) and the respiratory system (respiratory rate, tidal volume). A system may be evaluated
    within a toxicity study; the finding lists the systems no study's title or findings mention.
    """,
    "ICH S7A 2.7.1; ICH S7B; ICH M3(R2) section 2.",
)
define(
    "guidelines.m3-genotoxicity",
    "error",
    "A small-molecule IND lacks the genotoxicity studies ICH M3(R2) 6.1 expects before the planned trial.",
    """
    ICH M3(R2) 6.1 with ICH S2(R1): a gene mutation assay (bacterial reverse mutation, Ames) before any human
    exposure; for multiple-dose trials an assessment of chromosomal damage in a mammalian system (in vitro
    micronucleus, chromosomal aberration or mouse lymphoma assay, or in vivo micronucleus); the complete battery,
    including an in vivo test, before phase 2. Declare m4-2-3-3-genotoxicity not applicable only with a
    justification (e.g. a microdose exploratory IND, M3(R2) section 7).
    """,
    "ICH M3(R2) 6.1; ICH S2(R1) 2.2 (standard battery options 1 and 2); 21 CFR 312.23(a)(8)(ii).",
)
define(
    "guidelines.m3-repeat-dose",
    "error",
    "A small-molecule IND lacks a GLP repeat-dose toxicity study in a rodent or a non-rodent species long enough for the trial.",
    """
    ICH M3(R2) section 5 and table 1: repeat-dose toxicity studies in two mammalian species (one rodent, one
    non-rodent), conducted under GLP, lasting at least as long as the clinical treatment (minimum 2 weeks; 6
    months in rodents and 9 months in non-rodents support any longer trial). In the US an extended single-dose
    toxicity study can support a single-dose trial (table 1 footnote a). Declare
    m4-2-3-2-repeat-dose-toxicity not applicable only with a justification (exploratory IND, section 7).
    """,
    "ICH M3(R2) section 5, table 1; 21 CFR 58 (GLP); 21 CFR 312.23(a)(8)(ii).",
)
define(
    "guidelines.toxicokinetics",
    "warning",
    "A pivotal repeat-dose toxicity study of a drug or protein records no toxicokinetics.",
    """
    ICH S3A: systemic exposure is measured in the toxicity studies so that the NOAEL can be related to human
    exposure (ICH M3(R2) section 3). Record what was measured in the study's ``toxicokinetics``.
    """,
    "ICH S3A; ICH M3(R2) section 3; ICH S6(R1) 3.3.",
)
define(
    "guidelines.s6-repeat-dose",
    "error",
    "A protein IND lacks a GLP repeat-dose toxicity study in vivo long enough for the trial.",
    """
    ICH S6(R1) 3.3 and 5.2: repeat-dose toxicity in a pharmacologically relevant species (two species when two
    are relevant, one when only one is, e.g. the cynomolgus monkey for many antibodies), with the duration
    of ICH M3(R2) table 1: at least as long as the clinical treatment, minimum 2 weeks.
    """,
    "ICH S6(R1) 3.3, 5.2; ICH M3(R2) table 1; 21 CFR 58; 21 CFR 312.23(a)(8)(ii).",
)
define(
    "guidelines.s6-relevant-species",
    "warning",
    "No study shows that the species of the protein's repeat-dose toxicity study is pharmacologically relevant.",
    """
    ICH S6(R1) 3.1: a relevant species is one in which the test material is pharmacologically active (target
    expressed, epitope present, binding and functional activity comparable to human). The rule looks for a
    study (pharmacology, tissue cross-reactivity, or the toxicity study itself) whose title, model or findings
    name the toxicity species together with binding, cross-reactivity or pharmacological relevance.
    """,
    "ICH S6(R1) 3.1 and Addendum 2.1 (species selection).",
)
define(
    "guidelines.s6-immunogenicity",
    "warning",
    "No repeat-dose toxicity study of the protein measured anti-drug antibodies.",
    """
    ICH S6(R1) 3.4 (Addendum 4): anti-drug antibodies (ADA) are measured in the repeat-dose studies to interpret
    exposure, pharmacodynamic activity and immune-mediated findings. Record the ADA results in the study's
    ``immunogenicity``.
    """,
    "ICH S6(R1) 3.4; ICH S6(R1) Addendum section 4.",
)
define(
    "guidelines.s6-tissue-cross-reactivity",
    "warning",
    "A monoclonal antibody has no tissue cross-reactivity study and no not-applicable declaration.",
    """
    ICH S6(R1) 3.1 and FDA Points to Consider in the Manufacture and Testing of Monoclonal Antibody Products
    (1997): a tissue cross-reactivity study on human (and animal) tissues supports species selection and flags
    unexpected binding before phase 1. Record it (category tissue-cross-reactivity, usually under
    m4-2-3-7-7-other) or declare that node not applicable with the reason (e.g. a target with known
    expression and an established class).
    """,
    "ICH S6(R1) 3.1; FDA Points to Consider, Monoclonal Antibody Products for Human Use (1997), II.D.2.",
)
define(
    "guidelines.s6-genotoxicity",
    "warning",
    "A protein IND neither declares genotoxicity not applicable nor describes a genotoxicity study.",
    """
    ICH S6(R1) 5.5: the standard genotoxicity battery does not apply to biotechnology-derived pharmaceuticals.
    Say so: declare m4-2-3-3-genotoxicity not applicable with that justification, so that 2.4, 2.6 and the NMPA
    Module 4 state it instead of "not provided".
    """,
    "ICH S6(R1) 5.5.",
)

RODENTS = frozenset({"mouse", "hamster", "rat", "guinea-pig"})
NON_RODENTS = frozenset({"rabbit", "dog", "minipig", "monkey"})
IN_VITRO = frozenset({"in-vitro", "human-tissue"})

# ICH M3(R2) table 1: the shortest repeat-dose study that supports any trial, and the longest needed
# (6 months in rodents, 9 months in non-rodents support trials of any length).
MIN_WEEKS = 2.0
MAX_WEEKS = {"rodent": 26.0, "non-rodent": 39.0}

NODE_SAFETY_PHARM = "m4-2-1-3-safety-pharmacology"
NODE_REPEAT = "m4-2-3-2-repeat-dose-toxicity"
NODE_GENOTOX = "m4-2-3-3-genotoxicity"
NODE_OTHER_TOX = ("m4-2-3-7-7-other", "m4-2-3-7-other-toxicity-studies")

# ICH S7A 2.7.1 core battery: what each system's evaluation is called in titles and findings.
CORE_BATTERY = {
    "central nervous system": re.compile(
        r"central nervous|\bCNS\b|neurobehavio|neurolog|\bIrwin\b|functional observational battery|\bFOB\b|中枢神经|神经系统", re.I
    ),
    "cardiovascular system": re.compile(
        r"cardiovascular|cardiac|\bECGs?\b|electrocardiogra|\bQTc?\b|\bhERG\b|blood pressure|heart rate|心血管|心电", re.I
    ),
    "respiratory system": re.compile(r"respirat|plethysmograph|pulmonary function|tidal volume|呼吸", re.I),
}
AMES = re.compile(r"\bAmes\b|bacterial reverse mutation|reverse mutation|细菌回复突变", re.I)
CHROMOSOMAL = re.compile(
    r"micronucle|chromosom|clastogen|mouse lymphoma|\bMLA\b|\bTK6?\b|mammalian cell|微核|染色体|小鼠淋巴瘤", re.I
)
RELEVANCE = re.compile(
    r"cross[- ]?reactiv|pharmacologically (?:relevant|active)|relevant species|\bbind(?:s|ing)?\b|affinity|"
    r"相关种属|交叉反应|结合",
    re.I,
)


@dataclass(frozen=True)
class _Clinical:
    """What the trial needs of the studies: dosing weeks, single-dose or not, the phase."""

    weeks: float
    single_dose: bool
    phase: str


def _text(study: Study) -> str:
    """A study's words in every language (title, model, dosing, findings, TK, ADA)."""
    parts: list[str] = []
    for t in (study.title, study.model, study.dosing, study.key_findings, study.toxicokinetics, study.immunogenicity):
        if t is not None:
            parts.extend(v for v in t.model_dump().values() if isinstance(v, str))
    parts.append(study.species_code)
    parts.extend(v for v in study.species.model_dump().values() if isinstance(v, str))
    return " ".join(parts)


def _declared(ctx: CheckContext, *nodes: str) -> bool:
    """Whether a not-applicable declaration with a written justification covers any of ``nodes`` (or a parent)."""
    for na in ctx.dossier.not_applicable:
        justified = any(isinstance(v, str) and v.strip() for v in na.justification.model_dump().values())
        if justified and any(node == na.node or node.startswith(na.node + "-") for node in nodes):
            return True
    return False


def _studies_loc(ctx: CheckContext) -> Location | None:
    return where(ctx, "studies") or where(ctx, "product", "modality")


def _weeks(study: Study) -> float | None:
    try:
        return study.duration.in_unit("weeks")
    except ValueError:  # units.unknown reports it
        return None


def _clinical(ctx: CheckContext) -> _Clinical:
    d = ctx.dossier
    phase = d.protocol.phase if d.protocol is not None else (d.product.phase if d.product is not None else "1")
    if d.protocol is None:
        return _Clinical(MIN_WEEKS, False, phase)
    try:
        days = d.protocol.treatment_duration.in_unit("days")
    except ValueError:
        return _Clinical(MIN_WEEKS, False, phase)
    return _Clinical(days / 7.0, days <= 1.0, phase)


def _class_of(species: str) -> str | None:
    if species in RODENTS:
        return "rodent"
    if species in NON_RODENTS:
        return "non-rodent"
    return None


def _fmt_weeks(weeks: float) -> str:
    return f"{weeks:g} week{'s' if weeks != 1 else ''}"


def _repeat_dose_gap(
    candidates: Iterable[Study], needed: float, label: str, clinical: _Clinical, allow_single: bool
) -> str | None:
    """Why no study among ``candidates`` supports the trial (None when one does)."""
    in_vivo = [s for s in candidates if s.species_code not in IN_VITRO]
    repeat = [s for s in in_vivo if s.category == "repeat-dose-toxicity"]
    # ICH M3(R2) table 1 footnote a: in the US an extended single-dose study can support a single-dose trial.
    usable = repeat + ([s for s in in_vivo if s.category == "single-dose-toxicity"] if allow_single else [])
    good = [s for s in usable if s.glp and (_weeks(s) or 0.0) + 1e-9 >= needed]
    if good:
        return None
    if not usable:
        return f"no repeat-dose toxicity study in a {label} species"
    long_enough = [s for s in usable if (_weeks(s) or 0.0) + 1e-9 >= needed]
    if long_enough:
        names = ", ".join(f"{s.id} ({s.study_number})" for s in long_enough)
        return f"the {label} repeat-dose toxicity study {names} was not conducted under GLP"
    longest = max(usable, key=lambda s: _weeks(s) or 0.0)
    return (
        f"the longest {label} repeat-dose toxicity study, {longest.id} ({longest.study_number}), lasts "
        f"{longest.duration.value:g} {longest.duration.unit}; {_fmt_weeks(needed)} are needed for a trial dosing for "
        f"{_fmt_weeks(round(clinical.weeks, 2))} (ICH M3(R2) table 1, minimum {_fmt_weeks(MIN_WEEKS)})"
    )


def _needed(clinical: _Clinical, cls: str) -> float:
    return max(MIN_WEEKS, min(clinical.weeks, MAX_WEEKS[cls]))


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """The governing guideline's nonclinical programme: ICH M3(R2)/S7A/S2(R1) or ICH S6(R1)."""
    product = ctx.dossier.product
    if product is None:
        return
    kind = product.kind  # the loader admits only registered modalities
    if kind.has("small-molecule"):
        _small_molecule(ctx, diags)
    if kind.has("protein"):
        _protein(ctx, diags)


def _small_molecule(ctx: CheckContext, diags: Diagnostics) -> None:
    studies = ctx.dossier.studies
    loc = _studies_loc(ctx)
    clinical = _clinical(ctx)
    allow_single = clinical.single_dose and "fda" in ctx.config.settings.regions

    # ICH M3(R2) section 2, ICH S7A: the core battery before first human exposure.
    sp = [s for s in studies if s.category == "safety-pharmacology"]
    if not _declared(ctx, NODE_SAFETY_PHARM):
        if not sp:
            diags.emit(
                "guidelines.m3-safety-pharmacology",
                f"no safety pharmacology study among the {len(studies)} nonclinical studies and no not-applicable "
                f"declaration for {NODE_SAFETY_PHARM}: ICH M3(R2) section 2 and ICH S7A expect the core battery "
                f"(CNS, cardiovascular, respiratory) before the first human dose",
                loc,
            )
        else:
            tox = [s for s in studies if s.category in ("repeat-dose-toxicity", "single-dose-toxicity")]
            text = " ".join(_text(s) for s in sp + tox)
            systems = [system for system, rx in CORE_BATTERY.items() if not rx.search(text)]
            if systems:
                diags.emit(
                    "guidelines.s7a-core-battery",
                    f"no safety pharmacology or toxicity study evaluates the {' or the '.join(systems)} (ICH S7A "
                    f"core battery); safety pharmacology studies: {', '.join(s.id for s in sp)}",
                    where(ctx, "studies", sp[0].id) or loc,
                )

    # ICH M3(R2) 6.1, ICH S2(R1): Ames first; chromosomal damage for multiple doses; the battery before phase 2.
    if not _declared(ctx, NODE_GENOTOX):
        genotox = [s for s in studies if s.category == "genotoxicity"]
        ames = [s for s in genotox if AMES.search(_text(s))]
        # an in vivo genotoxicity test in S2(R1) is a micronucleus or chromosomal test: it counts as chromosomal damage
        chromosomal = [s for s in genotox if s not in ames and (CHROMOSOMAL.search(_text(s)) or s.species_code not in IN_VITRO)]
        in_vivo = [s for s in genotox if s.species_code not in IN_VITRO]
        missing: list[str] = []
        if not ames:
            missing.append("a bacterial reverse mutation (Ames) assay, needed before any human exposure")
        if not clinical.single_dose and not chromosomal:
            missing.append(
                "an assessment of chromosomal damage in a mammalian system (in vitro micronucleus, chromosomal "
                "aberration or mouse lymphoma assay, or in vivo micronucleus), needed for a multiple-dose trial"
            )
        if clinical.phase not in ("1",) and not in_vivo:
            missing.append(f"an in vivo genotoxicity test, completing the ICH S2(R1) battery before a phase {clinical.phase} trial")
        for what in missing:
            diags.emit(
                "guidelines.m3-genotoxicity",
                f"the genotoxicity studies ({', '.join(s.id for s in genotox) or 'none'}) lack {what}; or declare "
                f"{NODE_GENOTOX} not applicable with the justification",
                loc,
            )

    # ICH M3(R2) section 5, table 1: a rodent and a non-rodent, GLP, long enough.
    if not _declared(ctx, NODE_REPEAT):
        for cls in ("rodent", "non-rodent"):
            candidates = [s for s in studies if _class_of(s.species_code) == cls]
            gap = _repeat_dose_gap(candidates, _needed(clinical, cls), cls, clinical, allow_single)
            if gap is not None:
                diags.emit(
                    "guidelines.m3-repeat-dose",
                    f"{gap}; ICH M3(R2) expects GLP repeat-dose toxicity in one rodent and one non-rodent species, or "
                    f"declare {NODE_REPEAT} not applicable with the justification",
                    loc,
                )
    _toxicokinetics(ctx, diags)


def _toxicokinetics(ctx: CheckContext, diags: Diagnostics) -> None:
    for s in ctx.dossier.studies:
        if s.category == "repeat-dose-toxicity" and s.pivotal and s.species_code not in IN_VITRO and s.toxicokinetics is None:
            diags.emit(
                "guidelines.toxicokinetics",
                f"pivotal repeat-dose toxicity study {s.id} ({s.study_number}) records no toxicokinetics (ICH S3A): "
                f"the NOAEL cannot be related to human exposure",
                where(ctx, "studies", s.id) or _studies_loc(ctx),
            )


def _protein(ctx: CheckContext, diags: Diagnostics) -> None:
    d = ctx.dossier
    product = d.product
    studies = d.studies
    loc = _studies_loc(ctx)
    clinical = _clinical(ctx)
    allow_single = clinical.single_dose and "fda" in ctx.config.settings.regions
    in_vivo_tox = [
        s for s in studies if s.category in ("repeat-dose-toxicity", "single-dose-toxicity") and s.species_code not in IN_VITRO
    ]
    if not _declared(ctx, NODE_REPEAT):
        needed = max(MIN_WEEKS, min(clinical.weeks, MAX_WEEKS["non-rodent"]))
        gap = _repeat_dose_gap(in_vivo_tox, needed, "pharmacologically relevant", clinical, allow_single)
        if gap is not None:
            diags.emit(
                "guidelines.s6-repeat-dose",
                f"{gap}; ICH S6(R1) expects GLP repeat-dose toxicity in a pharmacologically relevant species, or "
                f"declare {NODE_REPEAT} not applicable with the justification",
                loc,
            )
    repeat = [s for s in in_vivo_tox if s.category == "repeat-dose-toxicity"]

    # ICH S6(R1) 3.1: the toxicity species must be shown to be pharmacologically relevant.
    for s in repeat:
        names = _species_names(s)
        shown = any(
            RELEVANCE.search(_text(other)) and any(n in _text(other).casefold() for n in names)
            for other in studies
            if other.category in ("primary-pharmacodynamics", "secondary-pharmacodynamics", "tissue-cross-reactivity", "pharmacokinetics")
            or other is s
        )
        if not shown:
            diags.emit(
                "guidelines.s6-relevant-species",
                f"repeat-dose toxicity study {s.id} ({s.study_number}) uses the {s.species.en or s.species_code}, but no "
                f"study shows that the {s.species_code} is pharmacologically relevant (target binding, cross-reactivity "
                f"or activity in that species, ICH S6(R1) 3.1)",
                where(ctx, "studies", s.id, "species") or loc,
            )

    # ICH S6(R1) 3.4: anti-drug antibodies in the repeat-dose studies.
    if repeat and not any(s.immunogenicity is not None for s in repeat):
        diags.emit(
            "guidelines.s6-immunogenicity",
            f"no repeat-dose toxicity study ({', '.join(s.id for s in repeat)}) records anti-drug antibodies "
            f"(immunogenicity); ICH S6(R1) 3.4 uses them to interpret exposure and findings",
            where(ctx, "studies", repeat[0].id) or loc,
        )

    # ICH S6(R1) 3.1, FDA PtC 1997: tissue cross-reactivity for monoclonal antibodies.
    protein = product.protein if product is not None else None
    if protein is not None and protein.kind == "monoclonal-antibody":
        if not any(s.category == "tissue-cross-reactivity" for s in studies) and not _declared(ctx, *NODE_OTHER_TOX):
            diags.emit(
                "guidelines.s6-tissue-cross-reactivity",
                f"no tissue cross-reactivity study of the monoclonal antibody and no not-applicable declaration for "
                f"{NODE_OTHER_TOX[0]}",
                loc,
            )

    # ICH S6(R1) 5.5: genotoxicity does not apply; the dossier should say so rather than print "not provided".
    if not any(s.category == "genotoxicity" for s in studies) and not _declared(ctx, NODE_GENOTOX):
        diags.emit(
            "guidelines.s6-genotoxicity",
            f"no genotoxicity study and no not-applicable declaration for {NODE_GENOTOX}; declare it not applicable "
            f"citing ICH S6(R1) 5.5",
            loc,
        )
    if product is None or not product.kind.has("small-molecule"):  # a combined product is checked once
        _toxicokinetics(ctx, diags)


def _species_names(study: Study) -> list[str]:
    """How a study's species may be named in another study's text (code, English name and its first word)."""
    names = {study.species_code.casefold()}
    en = (study.species.en or "").casefold()
    if en:
        names.add(en.split("(")[0].strip())
        first = re.split(r"[\s,(]", en)[0]
        if first:
            names.add(first)
    if study.species_code == "monkey":
        names.update({"cynomolgus", "macaque", "rhesus", "non-human primate", "nhp"})
    if study.species_code == "minipig":
        names.add("göttingen")
    return [n for n in names if n]
