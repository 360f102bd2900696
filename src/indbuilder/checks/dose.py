"""Rule family G: the starting and maximum clinical doses against the nonclinical NOAELs.

Scaling depends on the product (ind-content.md §3.4):

* cell and gene therapy products are dosed in cells/kg (or a flat number of cells); FDA's CGT
  guidance does not apply body-surface-area scaling, so the human-equivalent dose (HED) of a NOAEL
  in cells/kg is the same cells/kg (a flat animal dose is divided by the species' reference body weight);
* small molecules and therapeutic proteins use the FDA 2005 MRSD guidance, Table 1:
  HED (mg/kg) = animal NOAEL (mg/kg) × Km(animal) / Km(human = 37).

The maximum recommended starting dose (MRSD) is the lowest HED among the pivotal toxicology
species (the most sensitive one) divided by the protocol's safety factor (default 10).
Flat human doses (cells, mg) are compared per kg of the guidance's 60 kg reference adult.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..diagnostics import Diagnostics, Severity
from .context import CheckContext
from .support import define, num, where
from .traceability import SAFETY_CATEGORIES

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

define(
    "dose.start-not-covered",
    "error",
    "The clinical starting dose is above the human-equivalent dose of the NOAEL.",
    """
    The first cohort's dose must not exceed the human-equivalent dose (HED) of the no-observed-adverse-effect
    level in the most sensitive pivotal species; it should be lower by the safety factor (see dose.margin).
    """,
    "FDA guidance Estimating the Maximum Safe Starting Dose (2005) steps 1-4; 21 CFR 312.23(a)(6)(iii)(e), "
    "(a)(8); ind-content.md §3.4, §5 G1.",
)
define(
    "dose.margin",
    "error",
    "The starting dose leaves less than the stated safety factor below the NOAEL-derived HED.",
    """
    MRSD = lowest HED / safety factor (default 10). A starting dose above the MRSD, or a safety factor
    below 10 without justification, leaves too small a margin for a first-in-human trial.
    """,
    "FDA MRSD guidance (2005) step 4 (safety factor 10); FDA CGT early-phase guidance (2015); ind-content.md §5 G1, G4.",
)
define(
    "dose.max-not-covered",
    "error",
    "The planned maximum dose is above the highest dose with nonclinical safety coverage.",
    "The highest cohort's dose must not exceed the HED of the NOAEL of the most sensitive pivotal species.",
    "21 CFR 312.23(a)(6)(iii)(e) (planned maximum dose); ind-content.md §5 G4.",
)
define(
    "dose.unit-mismatch",
    "error",
    "Dose units differ between the product, the protocol cohorts and the nonclinical studies.",
    """
    A cell product is dosed in cells/kg (or cells) everywhere: toxicology, IB, protocol and 3.2.P.1. The
    protocol cohorts use the product's dose unit, and NOAELs are in a unit of the same kind, so that the
    margin can be computed without an undeclared conversion (no mg/m² scaling for cells).
    """,
    "FDA CGT early-phase guidance (2015); ind-content.md §3.4, §5 G2.",
)
define(
    "dose.basis-no-noael",
    "error",
    "The study named as the starting-dose basis has no NOAEL.",
    "protocol.starting_dose_basis must name a study with a NOAEL from which the starting dose is derived.",
    "FDA MRSD guidance (2005) step 1; ind-content.md §5 G1.",
)
define(
    "dose.basis-not-most-sensitive",
    "warning",
    "The starting-dose basis is not the most sensitive pivotal species (lowest HED).",
    "By default the MRSD uses the species with the lowest HED; choosing another species needs a justification.",
    "FDA MRSD guidance (2005) step 3; ind-content.md §3.4.",
)
define(
    "dose.noael-not-tested",
    "warning",
    "A study's NOAEL is not one of the dose levels it tested.",
    "A NOAEL is one of the administered dose levels; any other value is a transcription error or an extrapolation.",
    "FDA MRSD guidance (2005) step 1 (the NOAEL is a tested dose level); ind-content.md §5 C4 (derived).",
)
define(
    "dose.cohort-order",
    "warning",
    "Dose cohorts do not escalate (a later cohort has a lower dose).",
    "Cohorts are listed in the order they are dosed; in a dose-escalation trial each dose is at least the previous one.",
    "21 CFR 312.23(a)(6)(iii)(e) (how the dose is chosen) (derived).",
)


@dataclass(frozen=True)
class Hed:
    study_id: str
    species: str
    noael: str
    value: float  # per kg, in the product's dose family (cells/kg or mg/kg)


def _family(unit: str) -> str | None:
    u = unit.replace(" ", "").lower()
    if u in ("cells/kg", "cells", "vg/kg", "vg"):
        return "cells" if u.startswith("cells") else "vg"
    if u in ("mg/kg", "mg"):
        return "mg"
    return None


def _human_per_kg(value: float, unit: str) -> float:
    return value if unit.endswith("/kg") else value / HUMAN_BW_KG


def _hed(study, bsa: bool) -> float | None:
    """The human-equivalent dose per kg of a study's NOAEL, or None when it cannot be computed."""
    noael = study.noael
    bw, km = SPECIES_TABLE.get(study.species_code, (None, None))
    per_kg = noael.value if noael.unit.endswith("/kg") else (noael.value / bw if bw else None)
    if per_kg is None:
        return None
    if bsa:
        if km is None:
            return None
        return per_kg * km / KM_HUMAN
    return per_kg


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """G1, G2, G4: starting dose, maximum dose and dose units against the NOAELs."""
    d = ctx.dossier
    product, protocol = d.product, d.protocol
    if product is None or protocol is None or not protocol.cohorts:
        return
    family = _family(product.dose_unit)
    bsa = product.product_type not in CELL_PRODUCTS
    studies = d.index("studies")

    for c in protocol.cohorts:
        if c.unit != product.dose_unit:
            diags.emit(
                "dose.unit-mismatch",
                f"cohort {c.id} is dosed in {c.unit}; the product's dose unit is {product.dose_unit}",
                where(ctx, "protocol", "cohorts", c.id, "unit"),
            )
    for s in d.studies:
        for i, lvl in enumerate(s.dose_levels):
            if _family(lvl.unit) != family:
                diags.emit(
                    "dose.unit-mismatch",
                    f"study {s.id} dose level {num(lvl.value)} {lvl.unit} is not in a {product.dose_unit}-compatible unit",
                    where(ctx, "studies", s.id, "dose_levels", i, "unit"),
                )
        if s.noael is not None:
            if _family(s.noael.unit) != family:
                diags.emit(
                    "dose.unit-mismatch",
                    f"study {s.id} NOAEL {num(s.noael.value)} {s.noael.unit} is not in a {product.dose_unit}-compatible unit",
                    where(ctx, "studies", s.id, "noael", "unit"),
                )
            elif not any(abs(l.value - s.noael.value) <= 1e-9 * max(1.0, abs(l.value)) and l.unit == s.noael.unit for l in s.dose_levels):
                diags.emit(
                    "dose.noael-not-tested",
                    f"study {s.id} NOAEL {num(s.noael.value)} {s.noael.unit} is not one of its dose levels "
                    f"({', '.join(f'{num(l.value)} {l.unit}' for l in s.dose_levels)})",
                    where(ctx, "studies", s.id, "noael"),
                )

    for prev, c in zip(protocol.cohorts, protocol.cohorts[1:]):
        if c.dose < prev.dose:
            diags.emit(
                "dose.cohort-order",
                f"cohort {c.id} ({num(c.dose)} {c.unit}) has a lower dose than the cohort before it, {prev.id} ({num(prev.dose)} {prev.unit})",
                where(ctx, "protocol", "cohorts", c.id, "dose"),
            )

    basis = studies.get(protocol.starting_dose_basis)
    if basis is None:
        return  # ref.unknown-id reports it
    if basis.noael is None:
        diags.emit(
            "dose.basis-no-noael",
            f"protocol starting_dose_basis names study {basis.id} ({basis.study_number}), which has no NOAEL",
            where(ctx, "protocol", "starting_dose_basis"),
        )
        return
    candidates = {basis.id: basis}
    for s in d.studies:
        if s.pivotal and s.category in SAFETY_CATEGORIES and s.noael is not None:
            candidates[s.id] = s
    heds: list[Hed] = []
    for s in candidates.values():
        if _family(s.noael.unit) != family:
            continue
        value = _hed(s, bsa)
        if value is not None:
            heds.append(Hed(s.id, s.species_code, f"{num(s.noael.value)} {s.noael.unit}", value))
    if not heds:
        return
    governing = min(heds, key=lambda h: h.value)
    per_kg_unit = f"{family}/kg" if family != "vg" else "vg/kg"
    scaling = "Km scaling, FDA 2005 Table 1" if bsa else f"{per_kg_unit} scaling, no body-surface-area conversion"
    basis_hed = next((h for h in heds if h.study_id == basis.id), None)
    if basis_hed is not None and basis_hed.value > governing.value * (1 + 1e-9):
        diags.emit(
            "dose.basis-not-most-sensitive",
            f"the starting dose is based on study {basis.id} (HED {num(basis_hed.value)} {per_kg_unit}); study "
            f"{governing.study_id} ({governing.species}) gives a lower HED of {num(governing.value)} {per_kg_unit}",
            where(ctx, "protocol", "starting_dose_basis"),
        )
    factor = protocol.safety_factor
    mrsd = governing.value / factor
    first = protocol.cohorts[0]
    start = _human_per_kg(first.dose, first.unit)
    where_start = where(ctx, "protocol", "cohorts", first.id, "dose")
    basis_text = (
        f"HED {num(governing.value)} {per_kg_unit} from the NOAEL {governing.noael} of study {governing.study_id} "
        f"({governing.species}; {scaling})"
    )
    if first.unit == product.dose_unit or _family(first.unit) == family:
        if start > governing.value * (1 + 1e-9):
            diags.emit(
                "dose.start-not-covered",
                f"starting dose {num(first.dose)} {first.unit} (cohort {first.id}) exceeds the {basis_text}",
                where_start,
            )
        elif start > mrsd * (1 + 1e-9):
            diags.emit(
                "dose.margin",
                f"starting dose {num(first.dose)} {first.unit} (cohort {first.id}) leaves a margin of "
                f"{governing.value / start:.1f}× below the {basis_text}; the safety factor is {factor:g}× "
                f"(MRSD {num(mrsd)} {per_kg_unit})",
                where_start,
            )
        top = max(protocol.cohorts, key=lambda c: _human_per_kg(c.dose, c.unit))
        if _human_per_kg(top.dose, top.unit) > governing.value * (1 + 1e-9):
            diags.emit(
                "dose.max-not-covered",
                f"maximum dose {num(top.dose)} {top.unit} (cohort {top.id}) exceeds the {basis_text}",
                where(ctx, "protocol", "cohorts", top.id, "dose"),
            )
    if factor < 10:
        diags.emit(
            "dose.margin",
            f"protocol safety_factor is {factor:g}; FDA's default is 10 and a smaller factor needs a written justification",
            where(ctx, "protocol", "safety_factor"),
            severity=Severity.WARNING,
        )
