"""Dose rules: cells/kg scaling for cell products, FDA 2005 body-surface-area scaling for drugs and proteins."""

from __future__ import annotations

import pytest

from checks_helpers import FIXTURE, Edit, apply, copy_project, findings, run
from indbuilder.checks.dose import KM_HUMAN, SPECIES_TABLE

PRODUCT = "content/product.yaml"
PROTO = "content/clinical/protocol.yaml"
STUDIES = "content/nonclinical/studies.yaml"

# FDA 2005 MRSD guidance Table 1, "to convert animal dose in mg/kg to HED in mg/kg, divide animal dose by"
TABLE1_DIVISORS = {"mouse": 12.3, "hamster": 7.4, "rat": 6.2, "rabbit": 3.1, "dog": 1.8, "monkey": 3.1, "minipig": 1.1}


@pytest.mark.parametrize("species,divisor", sorted(TABLE1_DIVISORS.items()))
def test_km_ratios_match_the_published_divisors(species, divisor):
    _, km = SPECIES_TABLE[species]
    assert KM_HUMAN / km == pytest.approx(divisor, rel=0.05)  # the guidance rounds (mini-pig 37/35 = 1.06 -> 1.1)


def _small_molecule(tmp_path, start: str):
    """The fixture turned into a small-molecule programme dosed in mg/kg (rat NOAEL 50 mg/kg)."""
    root = copy_project(FIXTURE, tmp_path / "project")
    for edit in [
        Edit(PRODUCT, "product_type: gene-modified-cell-therapy", "product_type: small-molecule"),
        Edit(PRODUCT, "dose_unit: cells/kg", "dose_unit: mg/kg"),
        Edit(PROTO, "{id: C1, dose: 5.0e5, unit: cells/kg", f"{{id: C1, dose: {start}, unit: mg/kg"),
        Edit(PROTO, "{id: C2, dose: 1.0e6, unit: cells/kg", "{id: C2, dose: 2.0, unit: mg/kg"),
        Edit(PROTO, "{id: C3, dose: 2.0e6, unit: cells/kg", "{id: C3, dose: 5.0, unit: mg/kg"),
        Edit(STUDIES, "{value: 1.0e6, unit: cells/kg, label: low}", "{value: 5, unit: mg/kg, label: low}"),
        Edit(STUDIES, "{value: 5.0e6, unit: cells/kg, label: mid}", "{value: 15, unit: mg/kg, label: mid}"),
        Edit(STUDIES, "{value: 2.0e7, unit: cells/kg, label: high}", "{value: 50, unit: mg/kg, label: high}"),
        Edit(STUDIES, "noael: {value: 2.0e7, unit: cells/kg}", "noael: {value: 50, unit: mg/kg}"),
        Edit(STUDIES, "      - {value: 2.0e7, unit: cells/kg}\n", "      - {value: 50, unit: mg/kg}\n"),
        Edit(STUDIES, "      - {value: 1.0e7, unit: cells}\n", "      - {value: 10, unit: mg}\n"),
    ]:
        apply(root, edit)
    return root


def test_bsa_scaling_quiet_within_mrsd(tmp_path):
    # HED = 50 mg/kg x 6/37 = 8.11 mg/kg; MRSD = 0.81 mg/kg; 0.5 mg/kg is covered with a 16x margin
    assert run(_small_molecule(tmp_path, "0.5"), families=["dose"]) == []


def test_bsa_scaling_margin(tmp_path):
    diags = findings(run(_small_molecule(tmp_path, "1.0"), families=["dose"]), "dose.margin")
    assert [d.message for d in diags] == [
        "starting dose 1 mg/kg (cohort C1) leaves a margin of 8.1× below the HED 8.1081 mg/kg from the NOAEL 50 mg/kg of "
        "study NC-TOX-001 (rat; Km scaling, FDA 2005 Table 1); the safety factor is 10× (MRSD 0.8108 mg/kg)"
    ]


def test_bsa_scaling_maximum(tmp_path):
    root = _small_molecule(tmp_path, "0.5")
    apply(root, Edit(PROTO, "{id: C3, dose: 5.0, unit: mg/kg", "{id: C3, dose: 10.0, unit: mg/kg"))
    diags = findings(run(root, families=["dose"]), "dose.max-not-covered")
    assert [d.message for d in diags] == [
        "maximum dose 10 mg/kg (cohort C3) exceeds the HED 8.1081 mg/kg from the NOAEL 50 mg/kg of study NC-TOX-001 "
        "(rat; Km scaling, FDA 2005 Table 1)"
    ]


def test_cell_doses_are_not_bsa_scaled(tmp_path):
    """The same numbers in cells/kg are compared one to one: 2.0 x 10^6 cells/kg is 10x under a 2.0 x 10^7 NOAEL."""
    root = copy_project(FIXTURE, tmp_path / "project")
    apply(root, Edit(PROTO, "{id: C1, dose: 5.0e5", "{id: C1, dose: 2.0e6"))
    apply(root, Edit(PROTO, "{id: C2, dose: 1.0e6", "{id: C2, dose: 2.0e6"))
    assert run(root, families=["dose"]) == []
    for cid in ("C1", "C2", "C3"):
        apply(root, Edit(PROTO, f"{{id: {cid}, dose: 2.0e6", f"{{id: {cid}, dose: 2.1e6"))
    assert [d.rule for d in run(root, families=["dose"])] == ["dose.margin"]


def test_flat_cell_dose_uses_the_60_kg_reference_adult(tmp_path):
    """Flat doses are compared per kg of the guidance's 60 kg adult: 1.2 x 10^8 cells is 2.0 x 10^6 cells/kg."""
    root = copy_project(FIXTURE, tmp_path / "project")
    apply(root, Edit(PRODUCT, "dose_unit: cells/kg", "dose_unit: cells"))
    for cid, dose in (("C1", "5.0e5"), ("C2", "1.0e6"), ("C3", "2.0e6")):
        apply(root, Edit(PROTO, f"{{id: {cid}, dose: {dose}, unit: cells/kg", f"{{id: {cid}, dose: {float(dose) * 60:.1e}, unit: cells"))
    assert run(root, families=["dose"]) == []
    apply(root, Edit(PROTO, "{id: C1, dose: 3.0e+07", "{id: C1, dose: 1.5e+08"))  # 2.5 x 10^6 cells/kg > MRSD
    margin = findings(run(root, families=["dose"]), "dose.margin")
    assert [d.message.split(" leaves")[0] for d in margin] == [
        "starting dose 1.5 × 10^8 cells (2.5 × 10^6 cells/kg for a 60 kg adult) (cohort C1)"
    ]
    assert "leaves a margin of 8.0×" in margin[0].message
