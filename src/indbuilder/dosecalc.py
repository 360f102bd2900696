"""Dose arithmetic for first-in-human starting doses: pure functions, no dossier.

The regulatory sources, and what each one contributes here:

* FDA/CDER, *Guidance for Industry: Estimating the Maximum Safe Starting Dose in Initial Clinical
  Trials for Therapeutics in Adult Healthy Volunteers* (July 2005), "FDA 2005" below:

  - step 1: the NOAEL of each species tested;
  - step 2: its human-equivalent dose (HED) by body-surface-area (BSA) conversion,
    ``HED (mg/kg) = NOAEL (mg/kg) × Km(animal) / Km(human)``, with the Km factors of Table 1
    (body weight / body surface area; human 37 for the 60 kg reference adult). The guidance accepts
    mg/kg scaling without BSA conversion for therapeutic proteins above 100 kDa given
    intravascularly (one of the exceptions to mg/m² scaling it lists);
  - step 3: the most appropriate species, by default the most sensitive one (lowest HED);
  - step 4: MRSD = HED / safety factor (default 10);
  - step 5: lower it when the pharmacologically active dose (PAD) is lower.

  A flat human dose (mg) is a dose for the guidance's 60 kg reference adult.

* EMA, *Guideline on strategies to identify and mitigate risks for first-in-human and early clinical
  trials with investigational medicinal products*, EMEA/CHMP/SWP/28367/07 Rev. 1 (2017): the
  minimal anticipated biological effect level (MABEL) as a starting-dose basis, in particular for
  proteins acting on the immune system; when estimates differ the lowest one applies unless justified.

* FDA, *Considerations for the Design of Early-Phase Clinical Trials of Cellular and Gene Therapy
  Products* (2015): cell doses (cells/kg) and vector doses (vg/kg) are compared per kg, without BSA
  scaling; a flat cell or vector dose is per 60 kg reference adult as for drugs.

Units are grouped in *families*: a mass ("mg": ng, µg, mg, g), a cell count ("cells") and a
vector-genome count ("vg"). Doses of two families are never compared: no conversion exists between
milligrams and cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Iterable, Literal, Mapping

GUIDANCE_2005 = (
    "FDA/CDER, Guidance for Industry: Estimating the Maximum Safe Starting Dose in Initial Clinical "
    "Trials for Therapeutics in Adult Healthy Volunteers (July 2005)"
)
GUIDANCE_EMA_FIH = (
    "EMA, Guideline on strategies to identify and mitigate risks for first-in-human and early clinical "
    "trials with investigational medicinal products, EMEA/CHMP/SWP/28367/07 Rev. 1 (2017)"
)
GUIDANCE_CGT_2015 = (
    "FDA, Considerations for the Design of Early-Phase Clinical Trials of Cellular and Gene Therapy "
    "Products (June 2015)"
)

REFERENCE_ADULT_KG = 60.0  # FDA 2005 Table 1 (human reference body weight)
KM_HUMAN = 37.0  # FDA 2005 Table 1 (human Km)
DEFAULT_SAFETY_FACTOR = 10.0  # FDA 2005 step 4


@dataclass(frozen=True)
class SpeciesFactor:
    """One row of FDA 2005 Table 1: the species' reference body weight and its Km factor.

    ``Km`` = body weight (kg) / body surface area (m²); the HED of a mg/kg dose is the dose
    × Km(animal) / Km(human).
    """

    code: str
    body_weight_kg: float
    km: float

    @property
    def hed_divisor(self) -> float:
        """Table 1's "divide animal dose by" column (37 / Km; the guidance prints it rounded)."""
        return KM_HUMAN / self.km


# FDA 2005 Table 1 "Conversion of animal doses to human equivalent doses based on body surface area".
KM_TABLE: Mapping[str, SpeciesFactor] = MappingProxyType(
    {
        s.code: s
        for s in (
            SpeciesFactor("mouse", 0.02, 3.0),
            SpeciesFactor("hamster", 0.08, 5.0),
            SpeciesFactor("rat", 0.15, 6.0),
            SpeciesFactor("ferret", 0.30, 7.0),
            SpeciesFactor("guinea-pig", 0.40, 8.0),
            SpeciesFactor("rabbit", 1.8, 12.0),
            SpeciesFactor("dog", 10.0, 20.0),
            SpeciesFactor("monkey", 3.0, 12.0),  # primates: monkeys (rhesus, cynomolgus)
            SpeciesFactor("marmoset", 0.35, 6.0),
            SpeciesFactor("squirrel-monkey", 0.60, 7.0),
            SpeciesFactor("baboon", 12.0, 20.0),
            SpeciesFactor("micropig", 20.0, 27.0),
            SpeciesFactor("minipig", 40.0, 35.0),
        )
    }
)
HUMAN = SpeciesFactor("human", REFERENCE_ADULT_KG, KM_HUMAN)

Family = Literal["mg", "cells", "vg"]
Scaling = Literal["bsa", "per-kg"]

# Mass units, in mg; count units are counted one by one.
_MASS_MG = {"ng": 1e-6, "ug": 1e-3, "mg": 1.0, "g": 1e3}
_COUNTS: dict[str, Family] = {"cells": "cells", "cell": "cells", "vg": "vg", "gc": "vg"}
FAMILY_WORDS: Mapping[str, str] = MappingProxyType(
    {"mg": "mass (mg)", "cells": "cell count (cells)", "vg": "vector genomes (vg)"}
)


@dataclass(frozen=True)
class DoseUnit:
    """A dose unit read: its family, whether it is per kg of body weight, and its size in the
    family's base amount (mg, cells, vg), e.g. ``µg/kg`` is ``(mg, per_kg, 0.001)``."""

    text: str
    family: Family
    per_kg: bool
    factor: float

    @property
    def per_kg_unit(self) -> str:
        """The family's per-kg unit, in which HEDs and margins are computed: mg/kg, cells/kg, vg/kg."""
        return f"{self.family}/kg"


def parse_unit(unit: str) -> DoseUnit | None:
    """The :class:`DoseUnit` of a written unit, or None when it is not a dose unit.

    Accepts mass (ng, µg/ug/mcg, mg, g), ``cells`` and ``vg`` (or ``gc``, genome copies), each flat or
    ``/kg``; a trailing ``/day`` (a daily dose, as repeat-dose NOAELs are written) is the same dose.
    """
    u = unit.strip().lower().replace(" ", "").replace("µ", "u").replace("μ", "u")
    u = re.sub(r"^mcg", "ug", u)
    u = re.sub(r"/(day|d)$", "", u)
    per_kg = u.endswith("/kg")
    base = u[: -len("/kg")] if per_kg else u
    if base in _MASS_MG:
        return DoseUnit(unit, "mg", per_kg, _MASS_MG[base])
    if base in _COUNTS:
        return DoseUnit(unit, _COUNTS[base], per_kg, 1.0)
    return None


def family(unit: str) -> Family | None:
    """The family of a unit ("mg", "cells" or "vg"), or None when it is not a dose unit."""
    parsed = parse_unit(unit)
    return parsed.family if parsed else None


def per_kg(value: float, unit: DoseUnit, body_weight_kg: float = REFERENCE_ADULT_KG) -> float:
    """A dose in the family's base amount per kg (mg/kg, cells/kg, vg/kg).

    A flat dose is divided by ``body_weight_kg``: the 60 kg reference adult for a human dose
    (FDA 2005), the species' Table 1 body weight for an animal dose.
    """
    amount = value * unit.factor
    return amount if unit.per_kg else amount / body_weight_kg


def human_per_kg(value: float, unit: str) -> float | None:
    """A human dose per kg (family base per kg; flat doses per 60 kg adult), None for a non-dose unit."""
    parsed = parse_unit(unit)
    return per_kg(value, parsed) if parsed else None


def flat_dose(value_per_kg: float, body_weight_kg: float = REFERENCE_ADULT_KG) -> float:
    """The flat dose for an adult of ``body_weight_kg`` (FDA 2005: 60 kg) of a per-kg dose."""
    return value_per_kg * body_weight_kg


def hed_mg_per_kg(noael_mg_per_kg: float, species: str) -> float | None:
    """FDA 2005 step 2: the HED (mg/kg) of an animal NOAEL (mg/kg) by BSA conversion, or None when the
    species is not in Table 1. ``HED = NOAEL × Km(animal) / 37``; rat 50 mg/kg -> 8.11 mg/kg."""
    factor = KM_TABLE.get(species)
    if factor is None:
        return None
    return noael_mg_per_kg * factor.km / KM_HUMAN


def hed_per_kg(noael_per_kg: float, species: str, scaling: Scaling) -> float | None:
    """The HED per kg of a per-kg NOAEL: BSA conversion (``bsa``) or one to one (``per-kg``: cells,
    vector genomes, proteins > 100 kDa given intravascularly). None when BSA needs an unknown species."""
    if scaling == "per-kg":
        return noael_per_kg
    return hed_mg_per_kg(noael_per_kg, species)


def animal_per_kg(value: float, unit: DoseUnit, species: str) -> float | None:
    """An animal dose per kg: a flat dose is divided by the species' Table 1 body weight (None when the
    species has none)."""
    if unit.per_kg:
        return value * unit.factor
    factor = KM_TABLE.get(species)
    return per_kg(value, unit, factor.body_weight_kg) if factor else None


def mrsd(hed: float, safety_factor: float = DEFAULT_SAFETY_FACTOR) -> float:
    """FDA 2005 step 4: maximum recommended starting dose = HED / safety factor (per kg)."""
    if safety_factor <= 0:
        raise ValueError(f"the safety factor must be positive, got {safety_factor!r}")
    return hed / safety_factor


def margin(reference_per_kg: float, dose_per_kg: float) -> float | None:
    """How many times ``dose_per_kg`` is below ``reference_per_kg`` (None for a zero dose)."""
    return reference_per_kg / dose_per_kg if dose_per_kg > 0 else None


# ------------------------------------------------------------------ scaling

PROTEIN_MG_PER_KG_MIN_KDA = 100.0  # FDA 2005 step 2: mg/kg scaling for proteins > 100 kDa, intravascular
INTRAVASCULAR_ROUTES = frozenset({"intravenous", "intra-arterial", "intravascular", "intravenous-infusion"})


def families(units: Iterable[str]) -> frozenset[Family]:
    """The dose families of some units (a modality's permitted dose units: ``{"mg"}`` for mg, mg/kg)."""
    return frozenset(f for f in (family(u) for u in units) if f is not None)


def scaling_for(bsa_by_default: bool, protein: bool, declared: str | None = None) -> Scaling:
    """Which HED scaling applies to a product.

    ``bsa_by_default``: the modality's rule (the registry's ``bsa_scaling``): small molecules and proteins
    are converted by body surface area (FDA 2005 step 2); cells and vector genomes are compared per kg,
    never by BSA (FDA CGT early-phase guidance, 2015). A protein is compared per kg (mg/kg) when the
    sponsor declares it (``declared == "per-kg"``; FDA 2005 accepts it for proteins > 100 kDa given
    intravascularly). A declaration that does not apply leaves the scaling as it is (the rules report it).
    """
    if not bsa_by_default:
        return "per-kg"
    if protein and declared == "per-kg":
        return "per-kg"
    return "bsa"


def scaling_allowed(bsa_by_default: bool, protein: bool, declared: str) -> bool:
    """Whether a declared scaling ("bsa" or "per-kg") applies: per kg for proteins (and for cells and
    vectors, where it is the rule anyway); BSA only where the modality converts by BSA."""
    if declared == "per-kg":
        return protein or not bsa_by_default
    return bsa_by_default
