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

from ..derived import CELL_PRODUCTS, HUMAN_BW_KG, KM_HUMAN, SPECIES_TABLE, Hed, compute, dose_family, human_per_kg
from ..diagnostics import Diagnostics, Severity
from ..model.clinical import Protocol
from ..model.nonclinical import Study
from ..model.product import Product
from .context import CheckContext
from .support import define, num, where

# The HED and margin arithmetic (FDA 2005 Table 1 species factors, Km scaling, MRSD) lives in
# indbuilder.derived, which the protocol, IB and plan templates read too; re-exported for callers.
__all__ = ["CELL_PRODUCTS", "HUMAN_BW_KG", "KM_HUMAN", "SPECIES_TABLE", "Hed", "check"]

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


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """G1, G2, G4: starting dose, maximum dose and dose units against the NOAELs."""
    d = ctx.dossier
    product: Product | None = d.product
    protocol: Protocol | None = d.protocol
    if product is None or protocol is None or not protocol.cohorts:
        return
    family = dose_family(product.dose_unit)
    all_studies: list[Study] = d.studies
    studies = {s.id: s for s in all_studies}

    for c in protocol.cohorts:
        if c.unit != product.dose_unit:
            diags.emit(
                "dose.unit-mismatch",
                f"cohort {c.id} is dosed in {c.unit}; the product's dose unit is {product.dose_unit}",
                where(ctx, "protocol", "cohorts", c.id, "unit"),
            )
    for s in all_studies:
        for i, lvl in enumerate(s.dose_levels):
            if dose_family(lvl.unit) != family:
                diags.emit(
                    "dose.unit-mismatch",
                    f"study {s.id} dose level {num(lvl.value)} {lvl.unit} is not in a {product.dose_unit}-compatible unit",
                    where(ctx, "studies", s.id, "dose_levels", i, "unit"),
                )
        if s.noael is not None:
            if dose_family(s.noael.unit) != family:
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
    # the margins the protocol, IB and plan state are these same values (indbuilder.derived)
    margins = compute(d).dose
    if margins is None or margins.governing is None:
        return
    governing, basis_hed = margins.governing, margins.basis
    per_kg_unit = margins.per_kg_unit
    scaling = "Km scaling, FDA 2005 Table 1" if margins.bsa else f"{per_kg_unit} scaling, no body-surface-area conversion"
    if basis_hed is not None and basis_hed.value > governing.value * (1 + 1e-9):
        diags.emit(
            "dose.basis-not-most-sensitive",
            f"the starting dose is based on study {basis.id} (HED {num(basis_hed.value)} {per_kg_unit}); study "
            f"{governing.study_id} ({governing.species}) gives a lower HED of {num(governing.value)} {per_kg_unit}",
            where(ctx, "protocol", "starting_dose_basis"),
        )
    factor = margins.safety_factor
    mrsd = governing.value / factor
    first = margins.start_cohort
    start = margins.start_per_kg
    where_start = where(ctx, "protocol", "cohorts", first.id, "dose")
    basis_text = (
        f"HED {num(governing.value)} {per_kg_unit} from the NOAEL {_noael_text(governing)} of study "
        f"{governing.study_id} ({governing.species}; {scaling})"
    )
    if first.unit == product.dose_unit or dose_family(first.unit) == family:
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
                f"{margins.start_margin or 0.0:.1f}× below the {basis_text}; the safety factor is {factor:g}× "
                f"(MRSD {num(mrsd)} {per_kg_unit})",
                where_start,
            )
        top = margins.top_cohort
        if margins.top_per_kg > governing.value * (1 + 1e-9):
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


def _noael_text(h: Hed) -> str:
    return f"{num(h.noael.value)} {h.noael.unit}"
