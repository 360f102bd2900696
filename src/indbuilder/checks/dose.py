"""Rule family G: the starting and maximum clinical doses against the nonclinical NOAELs.

Scaling follows the product's modality (FDA MRSD guidance 2005, FDA early-phase CGT guidance 2015;
arithmetic in :mod:`indbuilder.dosecalc`):

* small molecules: FDA 2005 MRSD guidance, Table 1: HED (mg/kg) = animal NOAEL (mg/kg) × Km(animal) /
  Km(human = 37); a flat human dose in mg is a dose for the guidance's 60 kg reference adult;
* therapeutic proteins: the same, or mg/kg without body-surface-area conversion when the protocol
  declares it (FDA 2005 accepts it for proteins > 100 kDa given intravascularly); a MABEL- or PAD-based
  starting dose when the protocol declares one (EMA EMEA/CHMP/SWP/28367/07 Rev. 1, 2017; FDA 2005 step 5);
* cell and gene therapy products: cells/kg or vg/kg (flat doses per 60 kg adult), no body-surface-area
  scaling (FDA CGT early-phase guidance, 2015); a flat animal dose is divided by the species' Table 1
  body weight.

The maximum recommended starting dose (MRSD) is the lowest HED among the pivotal toxicology species
(the most sensitive one) divided by the protocol's safety factor (default 10). Doses of different kinds
(mg, cells, vector genomes) are never compared: that is a dose.unit-mismatch, not a margin.
"""

from __future__ import annotations

from .. import dosecalc
from ..derived import (
    HUMAN_BW_KG,
    KM_HUMAN,
    SPECIES_TABLE,
    DoseMargins,
    Hed,
    compute,
    dose_family,
    human_per_kg,
)
from ..diagnostics import Diagnostics, Severity
from ..model.clinical import Protocol
from ..model.nonclinical import Study
from ..model.product import Product
from .context import CheckContext
from .support import define, num, where

# The HED and margin arithmetic (FDA 2005 Table 1 species factors, Km scaling, MRSD) lives in
# indbuilder.dosecalc, applied to the dossier in indbuilder.derived, which the protocol, IB and plan
# templates read too; re-exported for callers.
__all__ = ["HUMAN_BW_KG", "KM_HUMAN", "SPECIES_TABLE", "Hed", "check"]

define(
    "dose.start-not-covered",
    "error",
    "The clinical starting dose is above the human-equivalent dose of the NOAEL.",
    """
    The first cohort's dose must not exceed the human-equivalent dose (HED) of the no-observed-adverse-effect
    level in the most sensitive pivotal species; it should be lower by the safety factor (see dose.margin).
    """,
    "FDA Guidance: Estimating the Maximum Safe Starting Dose in Initial Clinical Trials for Therapeutics "
    "in Adult Healthy Volunteers (2005), steps 1-4; 21 CFR 312.23(a)(6)(iii)(e), (a)(8).",
)
define(
    "dose.margin",
    "error",
    "The starting dose leaves less than the stated safety factor below the NOAEL-derived HED.",
    """
    MRSD = lowest HED / safety factor (default 10). A starting dose above the MRSD, or a safety factor
    below 10 without justification, leaves too small a margin for a first-in-human trial. A flat dose
    (mg, cells) is compared per kg of the guidance's 60 kg reference adult.
    """,
    "FDA Guidance: Estimating the Maximum Safe Starting Dose in Initial Clinical Trials for Therapeutics "
    "in Adult Healthy Volunteers (2005), step 4 (safety factor 10); FDA Guidance: Considerations for the "
    "Design of Early-Phase Clinical Trials of Cellular and Gene Therapy Products (2015).",
)
define(
    "dose.max-not-covered",
    "error",
    "The planned maximum dose is above the highest dose with nonclinical safety coverage.",
    "The highest cohort's dose must not exceed the HED of the NOAEL of the most sensitive pivotal species.",
    "21 CFR 312.23(a)(6)(iii)(e) (planned maximum dose).",
)
define(
    "dose.unit-mismatch",
    "error",
    "Dose units differ between the product, the protocol cohorts and the nonclinical studies.",
    """
    The product is dosed in one kind of unit everywhere: a mass (mg, mg/kg) for small molecules and
    proteins, cells (cells, cells/kg) for cell products, vector genomes (vg, vg/kg) for gene therapy
    vectors. Cohorts use the product's dose unit, and NOAELs are in a unit of the same kind, so that the
    margin can be computed; milligrams cannot be converted into cells or vector genomes, and a margin
    across them would be meaningless. A NOAEL that cannot be turned into a human-equivalent dose (a flat
    animal dose in a species without a reference body weight) is reported too.
    """,
    "FDA Guidance: Estimating the Maximum Safe Starting Dose in Initial Clinical Trials for Therapeutics "
    "in Adult Healthy Volunteers (2005), step 2 and Table 1; FDA Guidance: Considerations for the Design "
    "of Early-Phase Clinical Trials of Cellular and Gene Therapy Products (2015) (cell doses in "
    "cells/kg).",
)
define(
    "dose.basis-no-noael",
    "error",
    "The study named as the starting-dose basis has no NOAEL.",
    "protocol.starting_dose_basis must name a study with a NOAEL from which the starting dose is derived.",
    "FDA Guidance: Estimating the Maximum Safe Starting Dose in Initial Clinical Trials for Therapeutics "
    "in Adult Healthy Volunteers (2005), step 1 (the NOAEL of each species).",
)
define(
    "dose.basis-not-most-sensitive",
    "warning",
    "The starting-dose basis is not the most sensitive pivotal species (lowest HED).",
    "By default the MRSD uses the species with the lowest HED; choosing another species needs a justification.",
    "FDA Guidance: Estimating the Maximum Safe Starting Dose in Initial Clinical Trials for Therapeutics "
    "in Adult Healthy Volunteers (2005), step 3 (the most appropriate species, by default the most "
    "sensitive).",
)
define(
    "dose.noael-not-tested",
    "warning",
    "A study's NOAEL is not one of the dose levels it tested.",
    "A NOAEL is one of the administered dose levels; any other value is a transcription error or an extrapolation.",
    "FDA Guidance: Estimating the Maximum Safe Starting Dose in Initial Clinical Trials for Therapeutics "
    "in Adult Healthy Volunteers (2005), step 1 (the NOAEL is a tested dose level).",
)
define(
    "dose.cohort-order",
    "warning",
    "Dose cohorts do not escalate (a later cohort has a lower dose).",
    "Cohorts are listed in the order they are dosed; in a dose-escalation trial each dose is at least the previous one.",
    "21 CFR 312.23(a)(6)(iii)(e) (how the dose is chosen) (derived).",
)
define(
    "dose.basis-estimate-missing",
    "error",
    "The starting dose is declared to rest on a MABEL or PAD, but no value is given.",
    """
    protocol.starting_dose.basis 'mabel' needs protocol.starting_dose.mabel (value, unit and the
    justification: the receptor occupancy or PK/PD model it comes from); 'pad' needs .pad likewise.
    """,
    "EMA EMEA/CHMP/SWP/28367/07 Rev. 1 (2017), estimation of the first dose in human; FDA MRSD guidance (2005) step 5.",
)
define(
    "dose.start-above-estimate",
    "error",
    "The starting dose is above the MABEL or PAD the protocol declares as its basis.",
    """
    A starting dose based on the minimal anticipated biological effect level (MABEL) or the
    pharmacologically active dose (PAD) must not exceed it; when the NOAEL-based MRSD and the MABEL
    differ, the lower one is used unless justified.
    """,
    "EMA EMEA/CHMP/SWP/28367/07 Rev. 1 (2017), estimation of the first dose in human; FDA MRSD guidance (2005) step 5.",
)
define(
    "dose.scaling-unsupported",
    "error",
    "The declared dose scaling does not apply to the product's modality or route.",
    """
    mg/kg scaling without body-surface-area conversion is accepted for therapeutic proteins larger than
    100 kDa given intravascularly (FDA 2005); small molecules are converted by body surface area, and
    cell and vector doses are never body-surface-area scaled (cells/kg, vg/kg). A protein given by
    another route keeps body-surface-area conversion unless justified (warning).
    """,
    "FDA MRSD guidance (2005) step 2 (exceptions to mg/m² scaling); FDA CGT early-phase guidance (2015).",
)


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """G1, G2, G4: starting dose, maximum dose and dose units against the NOAELs (and a declared MABEL/PAD)."""
    d = ctx.dossier
    product: Product | None = d.product
    protocol: Protocol | None = d.protocol
    if product is None or protocol is None or not protocol.cohorts:
        return
    # the margins the protocol, IB and plan state are these same values (indbuilder.derived)
    margins = compute(d).dose
    if margins is None:
        return
    family = margins.family
    all_studies: list[Study] = d.studies
    studies = {s.id: s for s in all_studies}

    _units(ctx, diags, margins, product, protocol, all_studies)
    _scaling(ctx, diags, margins, product)

    for prev, c in zip(protocol.cohorts, protocol.cohorts[1:]):
        if dose_family(c.unit) == dose_family(prev.unit) and human_per_kg(c.dose, c.unit) < human_per_kg(prev.dose, prev.unit):
            diags.emit(
                "dose.cohort-order",
                f"cohort {c.id} ({num(c.dose)} {c.unit}) has a lower dose than the cohort before it, {prev.id} ({num(prev.dose)} {prev.unit})",
                where(ctx, "protocol", "cohorts", c.id, "dose"),
            )

    decl = margins.declaration
    if decl.basis in ("mabel", "pad"):
        _estimate(ctx, diags, margins)
    basis = studies.get(decl.study or "")
    if basis is None:
        if decl.basis == "noael" and decl.study:
            return  # ref.unknown-id reports it
    elif basis.noael is None:
        if decl.basis == "noael":
            diags.emit(
                "dose.basis-no-noael",
                f"protocol starting_dose_basis names study {basis.id} ({basis.study_number}), which has no NOAEL",
                where(ctx, "protocol", "starting_dose_basis"),
            )
            return
    elif dose_family(basis.noael.unit) == family and margins.basis is None:
        # same kind of dose, yet no HED: a flat animal dose in a species without a Table 1 body weight
        diags.emit(
            "dose.unit-mismatch",
            f"study {basis.id} NOAEL {num(basis.noael.value)} {basis.noael.unit} cannot be converted to a human-equivalent "
            f"dose: species '{basis.species_code}' has no reference body weight and Km factor in FDA 2005 Table 1; "
            "give the NOAEL per kg",
            where(ctx, "studies", basis.id, "noael"),
        )
    _margins(ctx, diags, margins)
    factor = margins.safety_factor
    if factor < dosecalc.DEFAULT_SAFETY_FACTOR:
        diags.emit(
            "dose.margin",
            f"protocol safety_factor is {factor:g}; FDA's default is 10 and a smaller factor needs a written justification",
            where(ctx, "protocol", "safety_factor"),
            severity=Severity.WARNING,
        )


def _units(ctx: CheckContext, diags: Diagnostics, margins: DoseMargins, product: Product, protocol: Protocol, studies: list[Study]) -> None:
    """dose.unit-mismatch and dose.noael-not-tested: every dose fact in a unit of the product's kind."""
    family = margins.family
    for m in margins.mismatches:
        other = where(ctx, *m.other)
        diags.emit(
            "dose.unit-mismatch",
            f"{m.message} (compared with {m.other_what}" + (f" at {other})" if other else ")"),
            where(ctx, *m.path),
        )
    product_at = where(ctx, "product", "dose_unit")
    for c in protocol.cohorts:
        if c.unit != product.dose_unit and dose_family(c.unit) == family:  # other families: in mismatches
            diags.emit(
                "dose.unit-mismatch",
                f"cohort {c.id} is dosed in {c.unit}; the product's dose unit is {product.dose_unit}"
                + (f" ({product_at})" if product_at else "")
                + ": every document states the dose in the product's unit",
                where(ctx, "protocol", "cohorts", c.id, "unit"),
            )
    for s in studies:
        for i, lvl in enumerate(s.dose_levels):
            if dose_family(lvl.unit) != family:
                diags.emit(
                    "dose.unit-mismatch",
                    f"study {s.id} dose level {num(lvl.value)} {lvl.unit} is not in a {product.dose_unit}-compatible unit"
                    + (f" (the product's dose unit, {product_at})" if product_at else ""),
                    where(ctx, "studies", s.id, "dose_levels", i, "unit"),
                )
        if s.noael is not None and dose_family(s.noael.unit) == family:
            if not any(abs(l.value - s.noael.value) <= 1e-9 * max(1.0, abs(l.value)) and l.unit == s.noael.unit for l in s.dose_levels):
                diags.emit(
                    "dose.noael-not-tested",
                    f"study {s.id} NOAEL {num(s.noael.value)} {s.noael.unit} is not one of its dose levels "
                    f"({', '.join(f'{num(l.value)} {l.unit}' for l in s.dose_levels)})",
                    where(ctx, "studies", s.id, "noael"),
                )


def _scaling(ctx: CheckContext, diags: Diagnostics, margins: DoseMargins, product: Product) -> None:
    """dose.scaling-unsupported: a declared scaling that the modality, size or route does not allow."""
    decl = margins.declaration
    declared, kind = decl.scaling, decl.scaling_kind
    if declared is None or kind is None:
        return
    at = where(ctx, "protocol", "starting_dose", "scaling")
    mods = ", ".join(margins.modalities)
    if kind not in ("bsa", "per-kg"):
        diags.emit(
            "dose.scaling-unsupported",
            f"protocol starting_dose.scaling is '{declared}'; expected 'bsa' (body-surface-area conversion) or 'mg/kg'",
            at,
        )
        return
    if not dosecalc.scaling_allowed(margins.bsa_by_default, margins.protein, kind):
        why = (
            "mg/kg scaling without body-surface-area conversion is accepted only for proteins larger than 100 kDa "
            "given intravascularly (FDA 2005)"
            if kind == "per-kg"
            else "cell and vector doses are compared per kg, never by body surface area (FDA CGT early-phase guidance, 2015)"
        )
        diags.emit("dose.scaling-unsupported", f"protocol starting_dose.scaling is '{declared}' for a {mods} product: {why}", at)
        return
    if kind != "per-kg" or not margins.protein:
        return
    # FDA 2005 step 2: mg/kg scaling is accepted for proteins > 100 kDa given intravascularly
    kda = getattr(getattr(product, "protein", None), "molecular_weight_kda", None)
    if isinstance(kda, (int, float)) and kda <= dosecalc.PROTEIN_MG_PER_KG_MIN_KDA:
        diags.emit(
            "dose.scaling-unsupported",
            f"protocol starting_dose.scaling is '{declared}' but the protein's molecular weight is {kda:g} kDa"
            + (f" ({where(ctx, 'product', 'protein', 'molecular_weight_kda')})" if where(ctx, "product", "protein") else "")
            + "; FDA 2005 accepts mg/kg scaling only above 100 kDa, so the HED is converted by body surface area",
            at,
        )
    elif product.route_code not in dosecalc.INTRAVASCULAR_ROUTES:
        diags.emit(
            "dose.scaling-unsupported",
            f"protocol starting_dose.scaling is '{declared}' but the protein is given by the {product.route_code} route; "
            "FDA 2005 accepts mg/kg scaling for proteins larger than 100 kDa given intravascularly, otherwise the "
            "HED is converted by body surface area unless justified",
            at,
            severity=Severity.WARNING,
        )


def _estimate(ctx: CheckContext, diags: Diagnostics, margins: DoseMargins) -> None:
    """dose.basis-estimate-missing, dose.start-above-estimate: the declared MABEL or PAD."""
    decl = margins.declaration
    name = decl.basis.upper()
    if decl.estimate is None:
        diags.emit(
            "dose.basis-estimate-missing",
            f"protocol starting_dose.basis is '{decl.basis}' but starting_dose.{decl.basis} gives no value and unit",
            where(ctx, "protocol", "starting_dose", "basis"),
        )
        return
    est, start = margins.estimate_per_kg, margins.start_per_kg
    if est is None or start is None:
        return  # a unit mismatch, reported by _units
    first = margins.start_cohort
    if start > est * (1 + 1e-9):
        diags.emit(
            "dose.start-above-estimate",
            f"starting dose {num(first.dose)} {first.unit} (cohort {first.id}) is above the declared {name} of "
            f"{num(decl.estimate.value)} {decl.estimate.unit}"
            + (
                f" ({num(start)} {margins.per_kg_unit} for a 60 kg adult, against {num(est)} {margins.per_kg_unit})"
                if not first.unit.endswith("/kg")
                else ""
            ),
            where(ctx, "protocol", "cohorts", first.id, "dose"),
        )


def _margins(ctx: CheckContext, diags: Diagnostics, margins: DoseMargins) -> None:
    """dose.basis-not-most-sensitive, dose.start-not-covered, dose.margin, dose.max-not-covered."""
    governing, basis_hed = margins.governing, margins.basis
    if governing is None:
        return
    per_kg_unit = margins.per_kg_unit
    if basis_hed is not None and basis_hed.value > governing.value * (1 + 1e-9):
        diags.emit(
            "dose.basis-not-most-sensitive",
            f"the starting dose is based on study {basis_hed.study_id} (HED {num(basis_hed.value)} {per_kg_unit}); study "
            f"{governing.study_id} ({governing.species}) gives a lower HED of {num(governing.value)} {per_kg_unit}",
            where(ctx, "protocol", "starting_dose_basis"),
        )
    mrsd = margins.mrsd or 0.0
    factor = margins.safety_factor
    basis_text = (
        f"HED {num(governing.value)} {per_kg_unit} from the NOAEL {num(governing.noael.value)} {governing.noael.unit} of "
        f"study {governing.study_id} ({governing.species}; {margins.scaling_text()})"
    )
    first, top = margins.start_cohort, margins.top_cohort
    start, top_per_kg = margins.start_per_kg, margins.top_per_kg

    def shown(c_dose: float, c_unit: str, per_kg: float) -> str:
        # a flat dose is shown with its per-kg value for the 60 kg reference adult (FDA 2005)
        text = f"{num(c_dose)} {c_unit}"
        return text if c_unit.endswith("/kg") else f"{text} ({num(per_kg)} {per_kg_unit} for a 60 kg adult)"

    if start is not None:
        where_start = where(ctx, "protocol", "cohorts", first.id, "dose")
        if start > governing.value * (1 + 1e-9):
            diags.emit(
                "dose.start-not-covered",
                f"starting dose {shown(first.dose, first.unit, start)} (cohort {first.id}) exceeds the {basis_text}",
                where_start,
            )
        elif start > mrsd * (1 + 1e-9):
            mrsd_text = f"MRSD {num(mrsd)} {per_kg_unit}"
            if margins.flat:
                mrsd_text += f", {num(margins.in_dose_unit(mrsd))} {margins.dose_unit} for a 60 kg adult"
            diags.emit(
                "dose.margin",
                f"starting dose {shown(first.dose, first.unit, start)} (cohort {first.id}) leaves a margin of "
                f"{margins.start_margin or 0.0:.1f}× below the {basis_text}; the safety factor is {factor:g}× ({mrsd_text})",
                where_start,
            )
    if top_per_kg is not None and top_per_kg > governing.value * (1 + 1e-9):
        diags.emit(
            "dose.max-not-covered",
            f"maximum dose {shown(top.dose, top.unit, top_per_kg)} (cohort {top.id}) exceeds the {basis_text}",
            where(ctx, "protocol", "cohorts", top.id, "dose"),
        )
