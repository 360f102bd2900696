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
  (FDA 2005 MRSD guidance; FDA CGT early-phase guidance 2015 for cells/kg scaling).
- :class:`LabelContent`: the label text pieces that every label and the IB/protocol pharmacy sections
  share (21 CFR 312.6(a), 21 CFR 1271.90(c)).

Every result carries ``sources``: the fact paths it was computed from, so that a document that prints a
derived value records, in its provenance, the facts the value depends on.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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

# FDA 2005 "Estimating the Maximum Safe Starting Dose in Initial Clinical Trials for Therapeutics in
# Adult Healthy Volunteers", Table 1: reference body weight (kg) and Km factor per species.
KM_HUMAN = 37.0
HUMAN_BW_KG = 60.0
SPECIES_TABLE: dict[str, tuple[float, float]] = {
    "mouse": (0.02, 3.0),
    "hamster": (0.08, 5.0),
    "rat": (0.15, 6.0),
    "ferret": (0.30, 7.0),
    "guinea-pig": (0.40, 8.0),
    "rabbit": (1.8, 12.0),
    "dog": (10.0, 20.0),
    "monkey": (3.0, 12.0),
    "marmoset": (0.35, 6.0),
    "squirrel-monkey": (0.60, 7.0),
    "baboon": (12.0, 20.0),
    "micropig": (20.0, 27.0),
    "minipig": (40.0, 35.0),
}
CELL_PRODUCTS = {"cell-therapy", "gene-modified-cell-therapy", "gene-therapy"}
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
    u = unit.replace(" ", "").lower()
    if u in ("cells/kg", "cells", "vg/kg", "vg"):
        return "cells" if u.startswith("cells") else "vg"
    if u in ("mg/kg", "mg"):
        return "mg"
    return None


def human_per_kg(value: float, unit: str) -> float:
    """A human dose per kg: flat doses are divided by the guidance's 60 kg reference adult."""
    return value if unit.endswith("/kg") else value / HUMAN_BW_KG


def hed(study: "Study", bsa: bool) -> float | None:
    """The human-equivalent dose per kg of a study's NOAEL, or None when it cannot be computed.

    ``bsa``: body-surface-area (Km) scaling, FDA 2005 Table 1; cell and gene therapies are compared
    per kg without it (FDA CGT early-phase guidance, 2015).
    """
    noael = study.noael
    if noael is None:
        return None
    bw, km = SPECIES_TABLE.get(study.species_code, (None, None))
    per_kg = noael.value if noael.unit.endswith("/kg") else (noael.value / bw if bw else None)
    if per_kg is None:
        return None
    if bsa:
        if km is None:
            return None
        return float(per_kg * km / KM_HUMAN)
    return float(per_kg)


@dataclass(frozen=True)
class Hed:
    """The human-equivalent dose of one study's NOAEL."""

    study_id: str
    species: str
    noael: Quantity  # the study's NOAEL as recorded
    value: float  # per kg, in the product's dose family (cells/kg or mg/kg)


@dataclass(frozen=True)
class DoseMargins:
    """The clinical doses against the NOAEL-derived human-equivalent dose (FDA MRSD guidance 2005).

    ``start_*``: the first cohort (cohorts are listed in dosing order); ``top_*``: the highest dose.
    ``governing``: the lowest HED among the basis study and the pivotal safety studies (step 3: the
    most sensitive species). Margins are HED / dose per kg (None when no HED can be computed).
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

    @property
    def start_dose(self) -> float:
        return self.start_cohort.dose

    @property
    def top_dose(self) -> float:
        return self.top_cohort.dose

    @property
    def start_per_kg(self) -> float:
        return human_per_kg(self.start_cohort.dose, self.start_cohort.unit)

    @property
    def top_per_kg(self) -> float:
        return human_per_kg(self.top_cohort.dose, self.top_cohort.unit)

    @property
    def mrsd(self) -> float | None:
        """Maximum recommended starting dose per kg: governing HED / safety factor (step 4)."""
        return self.governing.value / self.safety_factor if self.governing else None

    @property
    def start_margin(self) -> float | None:
        """How many times the starting dose is below the governing HED."""
        return self.governing.value / self.start_per_kg if self.governing and self.start_per_kg else None

    @property
    def top_margin(self) -> float | None:
        """How many times the maximum dose is below the governing HED."""
        return self.governing.value / self.top_per_kg if self.governing and self.top_per_kg else None


def dose_margins(dossier: "Dossier") -> DoseMargins | None:
    """The :class:`DoseMargins` of the protocol, or None without product, protocol or cohorts."""
    product: Product | None = dossier.product
    protocol: Protocol | None = dossier.protocol
    if product is None or protocol is None or not protocol.cohorts:
        return None
    family = dose_family(product.dose_unit)
    bsa = product.kind.bsa_scaling
    studies: list[Study] = dossier.studies
    by_id = {s.id: s for s in studies}
    basis_study = by_id.get(protocol.starting_dose_basis)
    candidates: dict[str, Study] = {}
    if basis_study is not None and basis_study.noael is not None:
        candidates[basis_study.id] = basis_study
        for s in studies:
            if s.pivotal and s.category in SAFETY_CATEGORIES and s.noael is not None:
                candidates[s.id] = s
    heds: list[Hed] = []
    for s in candidates.values():
        if s.noael is None or dose_family(s.noael.unit) != family:
            continue
        value = hed(s, bsa)
        if value is not None:
            heds.append(Hed(s.id, s.species_code, Quantity(value=s.noael.value, unit=s.noael.unit), value))
    governing = min(heds, key=lambda h: h.value) if heds else None
    basis = next((h for h in heds if h.study_id == protocol.starting_dose_basis), None)
    top = max(protocol.cohorts, key=lambda c: human_per_kg(c.dose, c.unit))
    sources: tuple[FactPath, ...] = (
        ("product", "dose_unit"),
        ("product", "modality"),
        ("protocol", "cohorts"),
        ("protocol", "safety_factor"),
        ("protocol", "starting_dose_basis"),
    ) + tuple(("studies", sid, "noael") for sid in candidates)
    return DoseMargins(
        start_cohort=protocol.cohorts[0],
        top_cohort=top,
        safety_factor=protocol.safety_factor,
        family=family,
        per_kg_unit=f"{family}/kg" if family != "vg" else "vg/kg",
        bsa=bsa,
        heds=tuple(heds),
        governing=governing,
        basis=basis,
        sources=sources,
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
