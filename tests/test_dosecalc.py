"""The dose arithmetic of indbuilder.dosecalc against values computed by hand from FDA 2005 (MRSD guidance).

HED (mg/kg) = NOAEL (mg/kg) × Km(animal) / 37; MRSD = HED / 10; a flat adult dose is the per-kg dose × 60 kg.
"""

from __future__ import annotations

import pytest

from indbuilder import dosecalc

# Table 1, "to convert animal dose in mg/kg to HED in mg/kg, divide animal dose by" (as printed, rounded)
TABLE1_DIVISORS = {
    "mouse": 12.3, "hamster": 7.4, "rat": 6.2, "ferret": 5.3, "guinea-pig": 4.6, "rabbit": 3.1, "dog": 1.8,
    "monkey": 3.1, "marmoset": 6.2, "squirrel-monkey": 5.3, "baboon": 1.8, "micropig": 1.4, "minipig": 1.1,
}


@pytest.mark.parametrize("species,divisor", sorted(TABLE1_DIVISORS.items()))
def test_km_table_matches_the_printed_divisors(species, divisor):
    # the guidance prints one decimal (dog and baboon 37 / 20 = 1.85 appear as 1.8)
    assert dosecalc.KM_TABLE[species].hed_divisor == pytest.approx(divisor, abs=0.051)


def test_km_table_covers_table_1_and_the_human_reference():
    assert set(dosecalc.KM_TABLE) == set(TABLE1_DIVISORS)
    assert (dosecalc.HUMAN.body_weight_kg, dosecalc.HUMAN.km) == (60.0, 37.0)


# (species, NOAEL mg/kg, HED mg/kg, MRSD mg/kg, MRSD mg for a 60 kg adult), by hand: NOAEL × Km / 37
HED_CASES = [
    ("rat", 50.0, 8.1081, 0.81081, 48.649),  # 50 × 6 / 37
    ("dog", 10.0, 5.4054, 0.54054, 32.432),  # 10 × 20 / 37
    ("mouse", 100.0, 8.1081, 0.81081, 48.649),  # 100 × 3 / 37
    ("monkey", 30.0, 9.7297, 0.97297, 58.378),  # 30 × 12 / 37
    ("rabbit", 12.0, 3.8919, 0.38919, 23.351),  # 12 × 12 / 37
    ("minipig", 37.0, 35.0, 3.5, 210.0),  # 37 × 35 / 37
]


@pytest.mark.parametrize("species,noael,hed,mrsd,flat", HED_CASES, ids=[c[0] for c in HED_CASES])
def test_hed_mrsd_and_flat_adult_dose(species, noael, hed, mrsd, flat):
    got = dosecalc.hed_mg_per_kg(noael, species)
    assert got == pytest.approx(hed, rel=1e-4)
    assert dosecalc.hed_per_kg(noael, species, "bsa") == got
    assert dosecalc.mrsd(got) == pytest.approx(mrsd, rel=1e-4)
    assert dosecalc.flat_dose(dosecalc.mrsd(got)) == pytest.approx(flat, rel=1e-4)


def test_per_kg_scaling_is_one_to_one_and_unknown_species_has_no_hed():
    assert dosecalc.hed_per_kg(2.0e7, "rat", "per-kg") == 2.0e7  # cells/kg, vg/kg, proteins > 100 kDa i.v.
    assert dosecalc.hed_mg_per_kg(5.0, "in-vitro") is None
    assert dosecalc.hed_per_kg(5.0, "in-vitro", "bsa") is None


def test_safety_factor():
    assert dosecalc.mrsd(8.0, 20.0) == 0.4
    assert dosecalc.DEFAULT_SAFETY_FACTOR == 10.0
    with pytest.raises(ValueError):
        dosecalc.mrsd(8.0, 0.0)


# (unit as written, family, per kg, size in the family's base amount)
UNIT_CASES = [
    ("mg/kg", "mg", True, 1.0),
    ("mg", "mg", False, 1.0),
    ("mg/kg/day", "mg", True, 1.0),
    ("µg/kg", "mg", True, 1e-3),
    ("mcg/kg", "mg", True, 1e-3),
    ("ug", "mg", False, 1e-3),
    ("g", "mg", False, 1e3),
    ("cells/kg", "cells", True, 1.0),
    ("cells", "cells", False, 1.0),
    ("vg/kg", "vg", True, 1.0),
    ("vg", "vg", False, 1.0),
    ("GC/kg", "vg", True, 1.0),
]


@pytest.mark.parametrize("unit,family,per_kg,factor", UNIT_CASES, ids=[c[0] for c in UNIT_CASES])
def test_parse_unit(unit, family, per_kg, factor):
    parsed = dosecalc.parse_unit(unit)
    assert parsed is not None
    assert (parsed.family, parsed.per_kg, parsed.factor) == (family, per_kg, factor)
    assert parsed.per_kg_unit == f"{family}/kg"


@pytest.mark.parametrize("unit", ["mL", "mg/m2", "IU", "", "cells/m2"])
def test_not_dose_units(unit):
    assert dosecalc.parse_unit(unit) is None
    assert dosecalc.family(unit) is None


# (value, unit, per kg of the 60 kg reference adult)
HUMAN_CASES = [
    (25.0, "mg", 25.0 / 60),  # a 25 mg tablet is 0.4167 mg/kg
    (48.6486, "mg", 0.810810),
    (0.5, "mg/kg", 0.5),
    (100.0, "µg/kg", 0.1),
    (1.2e8, "cells", 2.0e6),
    (3.0e13, "vg", 5.0e11),
    (1.0e12, "vg/kg", 1.0e12),
]


@pytest.mark.parametrize("value,unit,per_kg", HUMAN_CASES)
def test_human_per_kg(value, unit, per_kg):
    assert dosecalc.human_per_kg(value, unit) == pytest.approx(per_kg, rel=1e-6)


def test_animal_flat_dose_uses_the_species_body_weight():
    cells = dosecalc.parse_unit("cells")
    assert cells is not None
    assert dosecalc.animal_per_kg(1.0e7, cells, "mouse") == pytest.approx(5.0e8)  # 0.02 kg mouse
    assert dosecalc.animal_per_kg(1.0e7, cells, "in-vitro") is None


def test_margin():
    assert dosecalc.margin(8.1081, 25.0 / 60) == pytest.approx(19.46, rel=1e-3)
    assert dosecalc.margin(8.0, 0.0) is None


# (modality converts by BSA (registry), protein, declared scaling, scaling that applies)
SCALING_CASES = [
    (True, False, None, "bsa"),  # small molecule
    (True, False, "per-kg", "bsa"),  # small molecule: the protein exception does not apply
    (True, True, None, "bsa"),  # protein: BSA by default
    (True, True, "per-kg", "per-kg"),  # FDA 2005: proteins > 100 kDa given intravascularly
    (False, False, None, "per-kg"),  # cells, vector genomes
    (False, False, "bsa", "per-kg"),  # never BSA for cells or vectors
]


@pytest.mark.parametrize("bsa,protein,declared,scaling", SCALING_CASES)
def test_scaling_for(bsa, protein, declared, scaling):
    assert dosecalc.scaling_for(bsa, protein, declared) == scaling


def test_scaling_allowed_and_families():
    assert dosecalc.scaling_allowed(True, True, "per-kg")
    assert not dosecalc.scaling_allowed(True, False, "per-kg")
    assert not dosecalc.scaling_allowed(False, False, "bsa")
    assert dosecalc.families(("cells/kg", "cells", "vg/kg", "vg")) == {"cells", "vg"}
    assert dosecalc.families(("mg/kg", "mg", "IU")) == {"mg"}


def test_modality_registry_agrees_with_the_arithmetic():
    """Each built-in modality's permitted dose units are of one family, and BSA applies exactly to mass doses."""
    from indbuilder import modalities

    for name in ("small-molecule", "protein", "cell-therapy", "gene-therapy"):
        profile = modalities.get(name)
        fams = dosecalc.families(profile.dose_units)
        assert len(fams) == 1, name
        assert profile.bsa_scaling == (fams == {"mg"}), name
