"""Regulatory values derived from the facts, computed once and read by templates and checks alike.

A template that decides "is the shelf life covered by the data?" with its own Jinja loop and a check
that decides it again with another definition can disagree: the document then says "covered" while
the check reports it is not. Every such value is computed here, once per dossier, with the regulatory
definition; templates read it as ``derived`` in their context and the rule families call
:func:`compute` (cached per dossier, so both get the same object).

- :class:`Coverage`: shelf life and in-use time against the stability data (ICH Q1A(R2) 2.2.7,
  ICH Q5C 5: the claimed period must not exceed the longest timepoint at which every result of the
  study is within its acceptance criterion).
- :func:`result_decimals`: the precision each specification test's results are reported with.
- :class:`DoseMargins`: the starting and maximum dose against the NOAEL-derived human-equivalent dose
  (FDA 2005 MRSD guidance for mg/kg and flat mg doses, BSA conversion by modality; MABEL/PAD when
  declared; FDA CGT early-phase guidance 2015 for cells/kg and vg/kg), with the basis in words.
- :class:`LabelContent`: the label text pieces that every label and the IB/protocol pharmacy sections
  share (21 CFR 312.6(a), 21 CFR 1271.90(c)).

Every result carries ``sources``: the fact paths it was computed from, so that a document that prints a
derived value records, in its provenance, the facts the value depends on.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import dosecalc
from .numtext import num
from .model.common import Quantity, Text, convert

if TYPE_CHECKING:  # pragma: no cover
    from .model.clinical import Cohort, Protocol
    from .model.cmc import Limit, SpecTest, StabilityStudy
    from .model.dossier import Dossier
    from .model.nonclinical import Study
    from .model.product import Product

FactPath = tuple[str | int, ...]  # as in indbuilder.render.provenance (not imported: derived is light)

# ------------------------------------------------------------------ stability coverage


def result_passes(limit: "Limit", value: float | str) -> bool:
    """``limit.passes(value)``, reading a numeric criterion's text value as a number when it is one.

    YAML 1.1 (PyYAML) reads ``1.0e7`` (no sign in the exponent) as text, so a result written that way
    arrives as a string; it is still the number a reader sees.
    """
    if isinstance(value, str) and limit.kind != "equals":
        try:
            value = float(value.replace("−", "-"))
        except ValueError:
            return False
    return limit.passes(value)


def supported_time(study: "StabilityStudy", tests: dict[str, "SpecTest"]) -> float | None:
    """Longest timepoint (in the study's unit) up to which every reported result passes its criterion.

    ICH Q5C 5 / Q1A(R2) 2.2.7: the shelf life rests on real-time data within the (shelf-life)
    specification; the first timepoint with a failing result ends the supported period.
    """
    best: float | None = None
    for tp in sorted(study.timepoints, key=lambda t: t.time):
        ok = all(
            result_passes(tests[tid].limit, v)
            for lot_results in tp.results.values()
            for tid, v in lot_results.items()
            if tid in tests
        )
        if not ok:
            break
        best = tp.time
    return best


@dataclass(frozen=True)
class Coverage:
    """A claimed period (shelf life, in-use time) against the stability studies that support it.

    ``supported`` is the longest supported period in the claim's unit (None: no study supports it,
    or the claim's unit is not a time unit: ``unit_known`` is False then).
    """

    field: str  # "shelf_life" or "in_use_time" (the product field)
    supports: str  # the stability studies' `supports` value: "shelf-life" or "in-use-time"
    claim: Quantity
    studies: tuple[str, ...]  # ids of the studies with that `supports`, in dossier order
    supported: float | None
    study: str | None  # the study that gives `supported`
    unit_error: str | None = None  # why the claim's unit is not a time unit ("cannot convert …")
    sources: tuple[FactPath, ...] = ()

    @property
    def unit_known(self) -> bool:
        return self.unit_error is None

    @property
    def covered(self) -> bool:
        """Whether the claim is within the supported period (ICH Q1A(R2)/Q5C: no extrapolation)."""
        return self.supported is not None and self.claim.value <= self.supported + 1e-9


def coverage(dossier: "Dossier", field_name: str, supports: str) -> Coverage | None:
    """The :class:`Coverage` of ``product.<field_name>`` (a drug product claim) by the drug product's
    stability studies with ``supports``; ``None`` when the product makes no such claim."""
    product: Product | None = dossier.product
    dp = dossier.drug_product
    if product is None or dp is None:
        return None
    claim: Quantity | None = getattr(product, field_name)
    if claim is None:
        return None
    tests: dict[str, SpecTest] = {t.id: t for t in dp.specification.tests}
    studies: list[StabilityStudy] = [s for s in dp.stability if s.supports == supports]
    sources: tuple[FactPath, ...] = (("product", field_name), ("drug_product", "specification", "tests")) + tuple(
        ("drug_product", "stability", s.id) for s in studies
    )
    try:
        convert(1.0, "hours", claim.unit)
    except ValueError as exc:
        return Coverage(field_name, supports, claim, tuple(s.id for s in studies), None, None, str(exc), sources)
    best_study: str | None = None
    best: float | None = None
    for s in studies:
        t = supported_time(s, tests)
        if t is None:
            continue
        value = convert(t, s.time_unit, claim.unit)
        if best is None or value > best:
            best_study, best = s.id, value
    return Coverage(field_name, supports, claim, tuple(s.id for s in studies), best, best_study, None, sources)


# ------------------------------------------------------------------ result precision


def result_decimals(dossier: "Dossier") -> dict[str, int]:
    """Per specification test, the most decimals any batch or stability result is recorded with.

    Tables print every result of a test with that precision, so 12.0 stands as 12.0 beside 12.4
    (results are reported as recorded, never rounded into a different precision).
    """
    values: list[tuple[str, Any]] = [(tid, v) for b in dossier.batches for tid, v in b.results.items()]
    values += [
        (tid, v)
        for st in dossier.stability
        for tp in st.timepoints
        for res in tp.results.values()
        for tid, v in res.items()
    ]
    out: dict[str, int] = {}
    for tid, v in values:
        text = str(v)
        if isinstance(v, (int, float)) and abs(v) < 100000 and "." in text and "e" not in text:
            out[tid] = max(out.get(tid, 0), len(text.split(".")[1]))
    return out


# ------------------------------------------------------------------ dose margins

# The arithmetic (FDA 2005 Table 1, HED, MRSD, per-kg conversions, unit families) is in
# indbuilder.dosecalc; this section applies it to the dossier's product, protocol and studies.
# Old names kept for their callers (checks.completeness, checks.traceability, tests).
KM_HUMAN = dosecalc.KM_HUMAN
HUMAN_BW_KG = dosecalc.REFERENCE_ADULT_KG
SPECIES_TABLE: dict[str, tuple[float, float]] = {c: (s.body_weight_kg, s.km) for c, s in dosecalc.KM_TABLE.items()}
# FDA MRSD guidance (2005) step 3: the studies whose NOAEL can govern the starting dose; also the
# safety studies whose test lots must be characterised (checks.traceability)
SAFETY_CATEGORIES = {
    "single-dose-toxicity",
    "repeat-dose-toxicity",
    "safety-pharmacology",
    "genotoxicity",
    "tumorigenicity",
    "local-tolerance",
    "other-toxicity",
}


def dose_family(unit: str) -> str | None:
    """The kind of dose a unit measures: "cells", "vg" (vector genomes) or "mg"; None if unknown."""
    return dosecalc.family(unit)


def human_per_kg(value: float, unit: str) -> float:
    """A human dose per kg in its family's base unit: flat doses are divided by the guidance's 60 kg
    reference adult (FDA 2005); a unit that is not a dose unit is taken as written."""
    converted = dosecalc.human_per_kg(value, unit)
    return value if converted is None else converted


def hed(study: "Study", bsa: bool) -> float | None:
    """The human-equivalent dose per kg of a study's NOAEL, or None when it cannot be computed.

    ``bsa``: body-surface-area (Km) scaling, FDA 2005 Table 1; cell and gene therapies (and proteins
    declared for mg/kg scaling) are compared per kg without it.
    """
    noael = study.noael
    unit = dosecalc.parse_unit(noael.unit) if noael is not None else None
    if noael is None or unit is None:
        return None
    noael_per_kg = dosecalc.animal_per_kg(noael.value, unit, study.species_code)
    if noael_per_kg is None:
        return None
    return dosecalc.hed_per_kg(noael_per_kg, study.species_code, "bsa" if bsa else "per-kg")


def product_modalities(product: "Product") -> tuple[str, ...]:
    """The product's modalities (``product.modality``, primary first)."""
    return tuple(product.modality)


def _field(obj: Any, name: str) -> Any:
    # protocol.starting_dose may be a record (once the model has it) or a plain mapping
    if obj is None:
        return None
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


@dataclass(frozen=True)
class StartingDoseDeclaration:
    """What the protocol declares its starting dose rests on (``protocol.starting_dose``), with defaults
    for a protocol that only names ``starting_dose_basis``.

    ``basis``: ``noael`` (FDA 2005 steps 1-4), ``mabel`` (EMA EMEA/CHMP/SWP/28367/07 Rev. 1) or ``pad``
    (FDA 2005 step 5); ``estimate``: the declared MABEL or PAD (a human dose); ``scaling``: ``per-kg``
    when the sponsor declares mg/kg scaling for a protein (FDA 2005: > 100 kDa, intravascular).
    """

    basis: str = "noael"
    study: str | None = None
    scaling: str | None = None
    estimate: Quantity | None = None
    justification: Text | None = None
    declared: bool = False  # protocol.starting_dose is present

    @property
    def scaling_kind(self) -> str | None:
        """The declared scaling as "bsa" or "per-kg" ("mg/kg" and "per-kg" are both per kg);
        None when none is declared, the text as written when it is neither."""
        if self.scaling is None:
            return None
        return _SCALING_WORDS.get(self.scaling, self.scaling)


# protocol.starting_dose.scaling as written -> the scaling it declares
_SCALING_WORDS = {"bsa": "bsa", "mg/kg": "per-kg", "per-kg": "per-kg", "body-weight": "per-kg"}


def starting_dose_declaration(protocol: "Protocol") -> StartingDoseDeclaration:
    """The :class:`StartingDoseDeclaration` of a protocol (read defensively: ``starting_dose`` is optional)."""
    sd = getattr(protocol, "starting_dose", None)
    basis = str(_field(sd, "basis") or "noael")
    study = _field(sd, "study") or getattr(protocol, "starting_dose_basis", None)
    est = _field(sd, basis) if basis in ("mabel", "pad") else None
    estimate: Quantity | None = None
    value, unit = _field(est, "value"), _field(est, "unit")
    if isinstance(value, (int, float)) and isinstance(unit, str) and value >= 0:
        estimate = Quantity(value=float(value), unit=unit)
    justification = _field(est, "justification")
    scaling = _field(sd, "scaling")
    return StartingDoseDeclaration(
        basis=basis,
        study=str(study) if study else None,
        scaling=str(scaling) if scaling else None,
        estimate=estimate,
        justification=justification if isinstance(justification, Text) else None,
        declared=sd is not None,
    )


@dataclass(frozen=True)
class Hed:
    """The human-equivalent dose of one study's NOAEL."""

    study_id: str
    species: str
    noael: Quantity  # the study's NOAEL as recorded
    value: float  # per kg, in the product's dose family base (mg/kg, cells/kg or vg/kg)


@dataclass(frozen=True)
class UnitMismatch:
    """Two dose facts that cannot be compared (different families, or a unit that is not a dose unit).

    ``message`` names the first fact and why; the dose rules add both facts' file:line.
    """

    path: FactPath  # the fact reported (its unit)
    other: FactPath  # the fact it is compared with
    other_what: str  # "the product's dose unit (mg)"
    message: str


# Basis words for the documents, per family and scaling (EN, ZH): a phrase that follows a margin,
# e.g. "… is 12-fold below the NOAEL …, compared on a mg/kg basis after body-surface-area conversion …".
_BASIS_WORDS: dict[tuple[str, str], dict[str, str]] = {
    ("mg", "bsa"): {
        "en": "compared on a mg/kg basis after body-surface-area conversion (FDA 2005, Table 1)",
        "zh": "经体表面积换算后按mg/kg比较（FDA 2005年最大推荐起始剂量指导原则，表1）",
    },
    ("mg", "per-kg"): {
        "en": "compared on a mg/kg basis without body-surface-area conversion, as FDA 2005 accepts for "
        "proteins larger than 100 kDa given intravascularly",
        "zh": "按mg/kg比较，不进行体表面积换算（FDA 2005年指导原则允许分子量大于100 kDa、血管内给药的蛋白质按mg/kg换算）",
    },
    ("cells", "per-kg"): {
        "en": "compared on a cells/kg basis without body-surface-area scaling, as FDA recommends for "
        "cell products (FDA 2015, early-phase cellular and gene therapy trials)",
        "zh": "按个细胞/kg比较，不进行体表面积换算（FDA 2015年细胞和基因治疗产品早期临床试验设计指导原则）",
    },
    ("vg", "per-kg"): {
        "en": "compared on a vector genomes per kg (vg/kg) basis without body-surface-area scaling, as FDA "
        "recommends for gene therapy products (FDA 2015, early-phase cellular and gene therapy trials)",
        "zh": "按载体基因组拷贝数/kg（vg/kg）比较，不进行体表面积换算（FDA 2015年细胞和基因治疗产品早期临床试验设计指导原则）",
    },
}
_FLAT_WORDS = {
    "en": "; flat doses are taken per kg of the 60 kg reference adult",
    "zh": "；固定剂量按60 kg参考成人折算为每kg剂量",
}
_METHOD_WORDS: dict[str, dict[str, str]] = {
    "noael": {
        "en": "the NOAEL of the most sensitive species, converted to a human-equivalent dose and divided "
        "by the safety factor (FDA 2005 MRSD guidance)",
        "zh": "最敏感种属的NOAEL换算为人等效剂量后除以安全系数（FDA 2005年最大推荐起始剂量指导原则）",
    },
    "mabel": {
        "en": "the minimal anticipated biological effect level (MABEL; EMA EMEA/CHMP/SWP/28367/07 Rev. 1, 2017)",
        "zh": "最低预期生物效应剂量（MABEL；EMA EMEA/CHMP/SWP/28367/07 Rev. 1，2017年）",
    },
    "pad": {
        "en": "the pharmacologically active dose (PAD; FDA 2005 MRSD guidance, step 5)",
        "zh": "药理活性剂量（PAD；FDA 2005年最大推荐起始剂量指导原则，第5步）",
    },
}


@dataclass(frozen=True)
class DoseMargins:
    """The clinical doses against the NOAEL-derived human-equivalent dose (FDA MRSD guidance 2005).

    ``start_*``: the first cohort (cohorts are listed in dosing order); ``top_*``: the highest dose.
    ``governing``: the lowest HED among the basis study and the pivotal safety studies (step 3: the
    most sensitive species). Every value per kg is in ``per_kg_unit`` (mg/kg, cells/kg, vg/kg); flat
    human doses are per 60 kg reference adult. Margins are None when the doses cannot be compared
    (``mismatches`` says why): a margin is never computed across units.
    """

    start_cohort: Cohort
    top_cohort: Cohort
    safety_factor: float
    family: str | None
    per_kg_unit: str
    bsa: bool
    heds: tuple[Hed, ...]
    governing: Hed | None
    basis: Hed | None
    sources: tuple[FactPath, ...] = ()
    dose_unit: str = ""  # the product's dose unit, as written
    modalities: tuple[str, ...] = ()
    bsa_by_default: bool = True  # the modality converts NOAELs by body surface area (registry)
    protein: bool = False  # the product is (among others) a protein: mg/kg scaling may be declared
    scaling: str = "bsa"  # "bsa" or "per-kg", as applied
    declaration: StartingDoseDeclaration = field(default_factory=StartingDoseDeclaration)
    mismatches: tuple[UnitMismatch, ...] = ()

    # -- the doses

    @property
    def start_dose(self) -> float:
        return self.start_cohort.dose

    @property
    def top_dose(self) -> float:
        return self.top_cohort.dose

    def _cohort_per_kg(self, c: "Cohort") -> float | None:
        if self.family is None or dose_family(c.unit) != self.family:
            return None
        return dosecalc.human_per_kg(c.dose, c.unit)

    @property
    def start_per_kg(self) -> float | None:
        """The starting dose per kg (flat: per 60 kg adult); None when not in the product's family."""
        return self._cohort_per_kg(self.start_cohort)

    @property
    def top_per_kg(self) -> float | None:
        """The maximum dose per kg (flat: per 60 kg adult); None when not in the product's family."""
        return self._cohort_per_kg(self.top_cohort)

    @property
    def flat(self) -> bool:
        """Whether the product is dosed flat (mg, cells, vg) rather than per kg."""
        unit = dosecalc.parse_unit(self.dose_unit)
        return unit is not None and not unit.per_kg

    def in_dose_unit(self, value_per_kg: float) -> float:
        """A per-kg value in the product's dose unit: times 60 kg for a flat unit, scaled to µg etc.

        E.g. an MRSD of 0.81 mg/kg is 48.6 for a product dosed in mg (a 60 kg adult).
        """
        unit = dosecalc.parse_unit(self.dose_unit)
        if unit is None:
            return value_per_kg
        value = value_per_kg if unit.per_kg else dosecalc.flat_dose(value_per_kg)
        return value / unit.factor

    # -- HED, MRSD, margins

    @property
    def comparable(self) -> bool:
        """Whether the clinical doses and the governing NOAEL are in one unit family (a margin exists)."""
        return self.governing is not None and self.start_per_kg is not None and self.top_per_kg is not None

    @property
    def hed(self) -> float | None:
        """The governing HED per kg (``per_kg_unit``)."""
        return self.governing.value if self.governing else None

    @property
    def mrsd(self) -> float | None:
        """Maximum recommended starting dose per kg: governing HED / safety factor (step 4)."""
        return dosecalc.mrsd(self.governing.value, self.safety_factor) if self.governing else None

    @property
    def hed_in_dose_unit(self) -> float | None:
        """The governing HED in the product's dose unit (mg for a 60 kg adult when dosed flat)."""
        return self.in_dose_unit(self.governing.value) if self.governing else None

    @property
    def mrsd_in_dose_unit(self) -> float | None:
        """The MRSD in the product's dose unit (mg for a 60 kg adult when dosed flat)."""
        value = self.mrsd
        return None if value is None else self.in_dose_unit(value)

    @property
    def start_margin(self) -> float | None:
        """How many times the starting dose is below the governing HED (None: not comparable)."""
        start = self.start_per_kg
        if self.governing is None or start is None:
            return None
        return dosecalc.margin(self.governing.value, start)

    @property
    def top_margin(self) -> float | None:
        """How many times the maximum dose is below the governing HED (None: not comparable)."""
        top = self.top_per_kg
        if self.governing is None or top is None:
            return None
        return dosecalc.margin(self.governing.value, top)

    # -- MABEL / PAD

    @property
    def start_basis(self) -> str:
        """What the starting dose rests on: "noael", "mabel" or "pad"."""
        return self.declaration.basis

    @property
    def estimate_per_kg(self) -> float | None:
        """The declared MABEL or PAD per kg in the product's family (None: none, or another family)."""
        est = self.declaration.estimate
        unit = dosecalc.parse_unit(est.unit) if est is not None else None
        if est is None or unit is None or unit.family != self.family:
            return None
        return dosecalc.per_kg(est.value, unit)

    @property
    def estimate_margin(self) -> float | None:
        """How many times the starting dose is below the declared MABEL or PAD."""
        est, start = self.estimate_per_kg, self.start_per_kg
        return None if est is None or start is None else dosecalc.margin(est, start)

    # -- words for the documents

    def basis_text(self, lang: str = "en") -> str:
        """How the doses are compared, in words of the product's unit family (EN or ZH), e.g.
        "compared on a mg/kg basis after body-surface-area conversion (FDA 2005, Table 1)"."""
        key = (self.family or "mg", self.scaling)
        words = _BASIS_WORDS.get(key) or _BASIS_WORDS[(self.family or "mg", "per-kg")]
        text = words.get(lang, words["en"])
        if self.flat:
            text += _FLAT_WORDS.get(lang, _FLAT_WORDS["en"])
        return text

    def method_text(self, lang: str = "en") -> str:
        """What the starting dose rests on, in words (NOAEL/HED/MRSD, MABEL or PAD), EN or ZH."""
        words = _METHOD_WORDS.get(self.start_basis, _METHOD_WORDS["noael"])
        return words.get(lang, words["en"])

    def scaling_text(self, lang: str = "en") -> str:
        """The short scaling phrase for check messages and tables."""
        if self.scaling == "bsa":
            return "Km scaling, FDA 2005 Table 1" if lang != "zh" else "按Km系数换算（FDA 2005年指导原则，表1）"
        if lang == "zh":
            return f"按{self.per_kg_unit}换算，不进行体表面积换算"
        return f"{self.per_kg_unit} scaling, no body-surface-area conversion"


def _mismatch_message(what: str, unit: str, target_unit: str, target_family: str | None) -> str:
    fam = dosecalc.family(unit)
    if fam is None:
        why = f"'{unit}' is not a dose unit (mg, µg, cells or vg, flat or per kg)"
    elif target_family is None:
        why = f"'{target_unit}' is not a dose unit"
    else:
        why = (
            f"a {dosecalc.FAMILY_WORDS[fam]} dose cannot be converted into a "
            f"{dosecalc.FAMILY_WORDS[target_family]} dose, so no margin can be computed"
        )
    return f"{what} is not in a {target_unit}-compatible unit: {why}"


def dose_margins(dossier: "Dossier") -> DoseMargins | None:
    """The :class:`DoseMargins` of the protocol, or None without product, protocol or cohorts."""
    product: Product | None = dossier.product
    protocol: Protocol | None = dossier.protocol
    if product is None or protocol is None or not protocol.cohorts:
        return None
    modalities = product_modalities(product)
    kind = product.kind  # the modality registry: permitted dose units, BSA scaling
    protein = kind.has("protein")
    decl = starting_dose_declaration(protocol)
    dose_unit = str(product.dose_unit)
    family = dose_family(dose_unit)
    declared_scaling = decl.scaling_kind
    kda = getattr(getattr(product, "protein", None), "molecular_weight_kda", None)
    if declared_scaling == "per-kg" and isinstance(kda, (int, float)) and kda <= dosecalc.PROTEIN_MG_PER_KG_MIN_KDA:
        declared_scaling = None  # FDA 2005: mg/kg only above 100 kDa (dose.scaling-unsupported reports it)
    scaling = dosecalc.scaling_for(kind.bsa_scaling, protein, declared_scaling)
    if family in ("cells", "vg"):
        scaling = "per-kg"  # counts are never BSA-scaled, whatever the modality says (reported below)
    studies: list[Study] = dossier.studies
    by_id = {s.id: s for s in studies}
    product_what = f"the product's dose unit ({dose_unit})"
    mismatches: list[UnitMismatch] = []
    # the product's dose unit against its modality is the loader's finding (schema.modality-dose-unit)
    for c in protocol.cohorts:
        if dose_family(c.unit) != family:
            mismatches.append(
                UnitMismatch(
                    ("protocol", "cohorts", c.id, "unit"),
                    ("product", "dose_unit"),
                    product_what,
                    _mismatch_message(f"cohort {c.id} dose {c.dose:g} {c.unit}", c.unit, dose_unit, family),
                )
            )
    for s in studies:
        if s.noael is not None and dose_family(s.noael.unit) != family:
            mismatches.append(
                UnitMismatch(
                    ("studies", s.id, "noael", "unit"),
                    ("product", "dose_unit"),
                    product_what,
                    _mismatch_message(f"study {s.id} NOAEL {num(s.noael.value)} {s.noael.unit}", s.noael.unit, dose_unit, family),
                )
            )
    if decl.estimate is not None and dose_family(decl.estimate.unit) != family:
        mismatches.append(
            UnitMismatch(
                ("protocol", "starting_dose", decl.basis, "unit"),
                ("product", "dose_unit"),
                product_what,
                _mismatch_message(
                    f"the declared {decl.basis.upper()} {num(decl.estimate.value)} {decl.estimate.unit}",
                    decl.estimate.unit, dose_unit, family,
                ),
            )
        )

    basis_study = by_id.get(decl.study or "")
    candidates: dict[str, Study] = {}
    if basis_study is not None and basis_study.noael is not None:
        candidates[basis_study.id] = basis_study
    if candidates or decl.basis != "noael":
        for s in studies:
            if s.pivotal and s.category in SAFETY_CATEGORIES and s.noael is not None:
                candidates[s.id] = s
    heds: list[Hed] = []
    for s in candidates.values():
        if s.noael is None or family is None or dose_family(s.noael.unit) != family:
            continue
        value = hed(s, scaling == "bsa")
        if value is not None:
            heds.append(Hed(s.id, s.species_code, Quantity(value=s.noael.value, unit=s.noael.unit), value))
    governing = min(heds, key=lambda h: h.value) if heds else None
    basis = next((h for h in heds if h.study_id == decl.study), None)
    top = max(protocol.cohorts, key=lambda c: human_per_kg(c.dose, c.unit) if dose_family(c.unit) == family else -1.0)
    sources: tuple[FactPath, ...] = (
        ("product", "dose_unit"),
        ("product", "modality"),
        ("protocol", "cohorts"),
        ("protocol", "safety_factor"),
        ("protocol", "starting_dose_basis"),
        ("protocol", "starting_dose"),
    ) + tuple(("studies", sid, "noael") for sid in candidates)
    return DoseMargins(
        start_cohort=protocol.cohorts[0],
        top_cohort=top,
        safety_factor=protocol.safety_factor,
        family=family,
        per_kg_unit=f"{family}/kg" if family else f"{dose_unit}",
        bsa=scaling == "bsa",
        heds=tuple(heds),
        governing=governing,
        basis=basis,
        sources=sources,
        dose_unit=dose_unit,
        modalities=modalities,
        bsa_by_default=kind.bsa_scaling,
        protein=protein,
        scaling=scaling,
        declaration=decl,
        mismatches=tuple(mismatches),
    )




# ------------------------------------------------------------------ label content


@dataclass(frozen=True)
class LabelContent:
    """What every investigational label states, in both languages (the label templates, the IB and
    protocol pharmacy sections and the label checks read the same pieces).

    21 CFR 312.6(a) caution statement; 21 CFR 1271.90(c) autologous use; 21 CFR 610.60-610.61
    (storage, expiry); NMPA 《药物临床试验质量管理规范》 (2020) 第四十四条 (labels of investigational product).
    """

    caution: Text
    autologous: Text | None
    storage: Text
    shelf_life: Quantity  # expiry = date of manufacture + shelf life
    in_use_time: Quantity | None  # after thaw, dilution or opening; None when the product has no such limit
    manufacturer_id: str
    sources: tuple[FactPath, ...] = ()

    def statements(self, lang: str) -> list[tuple[str, str, FactPath]]:
        """The fixed statements every label must carry in ``lang``: (name, text, fact path).

        The caution statement always (21 CFR 312.6(a)); the autologous-use statement for an
        autologous product (21 CFR 1271.90(c)).
        """
        out: list[tuple[str, str, FactPath]] = [
            ("caution statement", self.caution.get(lang), ("product", "caution_statement", lang))
        ]
        if self.autologous is not None:
            out.append(("autologous statement", self.autologous.get(lang), ("product", "autologous_statement", lang)))
        return out


def label_content(dossier: "Dossier") -> LabelContent | None:
    """The :class:`LabelContent` of the product, or None without product facts."""
    product: Product | None = dossier.product
    if product is None:
        return None
    return LabelContent(
        caution=product.caution_statement,
        autologous=product.autologous_statement if product.autologous else None,
        storage=product.storage.label_text,
        shelf_life=product.shelf_life,
        in_use_time=product.in_use_time,
        manufacturer_id=product.manufacturer_id,
        sources=(
            ("product", "caution_statement"),
            ("product", "autologous_statement"),
            ("product", "storage", "label_text"),
            ("product", "shelf_life"),
            ("product", "in_use_time"),
            ("product", "manufacturer_id"),
        ),
    )


# ------------------------------------------------------------------ all of it, once per dossier


@dataclass(frozen=True)
class Derived:
    """Every derived value of one dossier (templates: ``derived.shelf_life.covered`` …)."""

    shelf_life: Coverage | None
    in_use_time: Coverage | None
    result_decimals: dict[str, int] = field(default_factory=dict)
    dose: DoseMargins | None = None
    label: LabelContent | None = None


_CACHE: dict[int, tuple["weakref.ReferenceType[Dossier]", Derived]] = {}


def compute(dossier: "Dossier") -> Derived:
    """The :class:`Derived` values of ``dossier``, computed on first use and cached while it lives."""
    key = id(dossier)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is dossier:
        return hit[1]
    result = Derived(
        shelf_life=coverage(dossier, "shelf_life", "shelf-life"),
        in_use_time=coverage(dossier, "in_use_time", "in-use-time"),
        result_decimals=result_decimals(dossier),
        dose=dose_margins(dossier),
        label=label_content(dossier),
    )

    def forget(_ref: "weakref.ReferenceType[Dossier]") -> None:
        _CACHE.pop(key, None)

    _CACHE[key] = (weakref.ref(dossier, forget), result)
    return result
