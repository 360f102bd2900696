"""Dose rules: cells/kg scaling for cell products, FDA 2005 body-surface-area scaling for drugs and proteins."""

from __future__ import annotations

import re

import pytest

from checks_helpers import FIXTURE, At, Edit, apply, copy_project, findings, load_context, run
from indbuilder.checks import run_checks
from indbuilder.checks.dose import KM_HUMAN, SPECIES_TABLE
from indbuilder.derived import compute
from indbuilder.diagnostics import Diagnostics

PRODUCT = "content/product.yaml"
PROTO = "content/clinical/protocol.yaml"
STUDIES = "content/nonclinical/studies.yaml"

# FDA 2005 MRSD guidance Table 1, "to convert animal dose in mg/kg to HED in mg/kg, divide animal dose by"
TABLE1_DIVISORS = {"mouse": 12.3, "hamster": 7.4, "rat": 6.2, "rabbit": 3.1, "dog": 1.8, "monkey": 3.1, "minipig": 1.1}


@pytest.mark.parametrize("species,divisor", sorted(TABLE1_DIVISORS.items()))
def test_km_ratios_match_the_published_divisors(species, divisor):
    _, km = SPECIES_TABLE[species]
    assert KM_HUMAN / km == pytest.approx(divisor, rel=0.05)  # the guidance rounds (mini-pig 37/35 = 1.06 -> 1.1)


# What the loader requires of a small-molecule product beyond the cell fixture (an invented tablet).
SMALL_MOLECULE_FACTS = """\
  strength: {en: "25 mg per tablet", zh: "每片25 mg"}
  structure:
    smiles: "CC(=O)NC1=CC=C(O)C=C1"
    molecular_formula: C8H9NO2
    molecular_weight: 151.16
    chemical_name: {en: "N-(4-hydroxyphenyl)acetamide", zh: "N-(4-羟基苯基)乙酰胺"}
    stereochemistry: {en: "achiral", zh: "无手性"}
"""


def _set_modality(root, *names: str, extra: str = "") -> None:
    """Write ``product.modality`` (the fixture's modality line, or the older ``product_type`` line),
    followed by ``extra`` facts the modality requires."""
    path = root / PRODUCT
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(r"(?m)^  (?:modality|product_type):[^\n]*\n(?:    - [^\n]*\n)*", f"  modality: [{', '.join(names)}]\n{extra}", text)
    assert n == 1, "no modality line in the fixture's product.yaml"
    path.write_text(new, encoding="utf-8")


def _small_molecule(tmp_path, start: str):
    """The fixture turned into a small-molecule programme dosed in mg/kg (rat NOAEL 50 mg/kg)."""
    root = copy_project(FIXTURE, tmp_path / "project")
    _set_modality(root, "small-molecule", extra=SMALL_MOLECULE_FACTS)
    for edit in [
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


# ------------------------------------------------------------------ flat mg doses (FDA 2005, 60 kg adult)


def _flat_mg(tmp_path, start: str, mid: str = "100", top: str = "300"):
    """A small-molecule tablet dosed flat in mg against a rat NOAEL of 50 mg/kg (HED 8.11 mg/kg, MRSD
    0.811 mg/kg = 48.6 mg for a 60 kg adult)."""
    root = _small_molecule(tmp_path, "0.5")
    apply(root, Edit(PRODUCT, "dose_unit: mg/kg", "dose_unit: mg"))
    for cid, old, new in (("C1", "0.5", start), ("C2", "2.0", mid), ("C3", "5.0", top)):
        apply(root, Edit(PROTO, f"{{id: {cid}, dose: {old}, unit: mg/kg", f"{{id: {cid}, dose: {new}, unit: mg"))
    return root


def _with_dog(root, noael: str = "10"):
    """Turn the mouse tumorigenicity study into a pivotal dog repeat-dose study with a NOAEL in mg/kg."""
    for edit in [
        Edit(STUDIES, "species_code: mouse", "species_code: dog", nth=1),
        Edit(STUDIES, "category: tumorigenicity", "category: repeat-dose-toxicity"),
        Edit(STUDIES, "      - {value: 10, unit: mg}\n", f"      - {{value: {noael}, unit: mg/kg}}\n    noael: {{value: {noael}, unit: mg/kg}}\n    pivotal: true\n"),
    ]:
        apply(root, edit)


def test_flat_mg_within_the_mrsd_is_quiet(tmp_path):
    # 25 mg / 60 kg = 0.417 mg/kg < MRSD 0.811 mg/kg; 300 mg = 5 mg/kg < HED 8.11 mg/kg
    assert run(_flat_mg(tmp_path, "25"), families=["dose"]) == []


def test_flat_mg_above_the_mrsd_fires_margin(tmp_path):
    # 60 mg = 1.0 mg/kg > MRSD 0.811 mg/kg (48.6 mg): the margin is 8.1x, not "1-fold" (60 mg vs 50 mg/kg)
    diags = run(_flat_mg(tmp_path, "60"), families=["dose"])
    assert [d.rule for d in diags] == ["dose.margin"]
    assert diags[0].message == (
        "starting dose 60 mg (1 mg/kg for a 60 kg adult) (cohort C1) leaves a margin of 8.1× below the HED 8.1081 mg/kg "
        "from the NOAEL 50 mg/kg of study NC-TOX-001 (rat; Km scaling, FDA 2005 Table 1); the safety factor is 10× "
        "(MRSD 0.8108 mg/kg, 48.6486 mg for a 60 kg adult)"
    )


def test_flat_mg_maximum_above_the_hed(tmp_path):
    # 600 mg = 10 mg/kg > HED 8.11 mg/kg
    diags = findings(run(_flat_mg(tmp_path, "25", top="600"), families=["dose"]), "dose.max-not-covered")
    assert [d.message.split(" exceeds")[0] for d in diags] == ["maximum dose 600 mg (10 mg/kg for a 60 kg adult) (cohort C3)"]


def test_the_most_sensitive_species_governs(tmp_path):
    """Rat 50 mg/kg -> HED 8.11 mg/kg; dog 10 mg/kg -> HED 5.41 mg/kg, MRSD 0.541 mg/kg = 32.4 mg."""
    root = _flat_mg(tmp_path, "25")
    _with_dog(root)
    diags = run(root, families=["dose"])
    assert [d.rule for d in diags] == ["dose.basis-not-most-sensitive"]  # the protocol names the rat study
    assert "study NC-TUM-001 (dog) gives a lower HED of 5.4054 mg/kg" in diags[0].message
    apply(root, Edit(PROTO, "{id: C1, dose: 25", "{id: C1, dose: 40"))  # 0.667 mg/kg > 0.541 mg/kg
    margin = findings(run(root, families=["dose"]), "dose.margin")
    assert len(margin) == 1 and "HED 5.4054 mg/kg from the NOAEL 10 mg/kg of study NC-TUM-001 (dog;" in margin[0].message
    assert "MRSD 0.5405 mg/kg, 32.4324 mg for a 60 kg adult" in margin[0].message


def test_flat_mg_against_a_cells_noael_is_a_unit_mismatch(tmp_path):
    """A mg dose against a cells/kg NOAEL is never a margin: both facts are named with their file:line."""
    root = _flat_mg(tmp_path, "25")
    apply(root, Edit(STUDIES, "noael: {value: 50, unit: mg/kg}", "noael: {value: 2.0e7, unit: cells/kg}"))
    diags = run(root, families=["dose"])
    mismatch = findings(diags, "dose.unit-mismatch")
    noael = [d for d in mismatch if d.message.startswith("study NC-TOX-001 NOAEL")]
    assert len(noael) == 1, [d.format() for d in diags]
    product_line = At(PRODUCT, "dose_unit: mg").line(root)
    assert noael[0].message == (
        "study NC-TOX-001 NOAEL 2.0 × 10^7 cells/kg is not in a mg-compatible unit: a cell count (cells) dose cannot be "
        "converted into a mass (mg) dose, so no margin can be computed (compared with the product's dose unit (mg) at "
        f"{PRODUCT}:{product_line}:3)"
    )
    assert (noael[0].location.path, noael[0].location.line) == (STUDIES, At(STUDIES, "noael:").line(root))
    assert not findings(diags, "dose.margin") and not findings(diags, "dose.start-not-covered")
    m = _margins(root)
    assert m.start_margin is None and not m.comparable


# ------------------------------------------------------------------ facts the model does not take yet (mutated after loading)


def _run_mutated(root, mutate):
    """Load, change the facts in memory (``model_copy``: units and declarations the schema may not take yet), check."""
    ctx, diags = load_context(root)
    assert not list(diags), [d.format() for d in diags]
    mutate(ctx.dossier)
    out = Diagnostics()
    run_checks(ctx, out, ["dose"])
    return ctx, out.sorted()


def _update(d, section, **changes):
    d.facts[section] = d.facts[section].model_copy(update=changes)


def _cohort_units(d, unit, doses):
    p = d.protocol
    _update(d, "protocol", cohorts=[c.model_copy(update={"unit": unit, "dose": x}) for c, x in zip(p.cohorts, doses)])


def test_vector_genomes_against_a_mg_noael_is_a_unit_mismatch(tmp_path):
    root = _small_molecule(tmp_path, "0.5")

    def mutate(d):
        _update(d, "product", modality=["gene-therapy"], dose_unit="vg/kg")
        _cohort_units(d, "vg/kg", [1e11, 3e11, 1e12])

    ctx, diags = _run_mutated(root, mutate)
    noael = [x for x in findings(diags, "dose.unit-mismatch") if x.message.startswith("study NC-TOX-001 NOAEL 50 mg/kg")]
    assert noael and "a mass (mg) dose cannot be converted into a vector genomes (vg) dose" in noael[0].message
    assert f"{PRODUCT}:{At(PRODUCT, 'dose_unit:').line(root)}" in noael[0].message
    assert not [x for x in diags if x.rule != "dose.unit-mismatch"]


def test_vector_genomes_per_kg_are_not_bsa_scaled(tmp_path):
    """A vg/kg NOAEL of 1.0 x 10^13 vg/kg: HED 1.0 x 10^13 vg/kg (no Km), MRSD 1.0 x 10^12 vg/kg."""
    root = copy_project(FIXTURE, tmp_path / "project")

    def mutate(d, start):
        _update(d, "product", modality=["gene-therapy"], dose_unit="vg/kg")
        _cohort_units(d, "vg/kg", [start, 2e12, 5e12])
        studies = [
            s.model_copy(update={"noael": s.noael.model_copy(update={"value": 1e13, "unit": "vg/kg"}) if s.noael else None,
                                 "dose_levels": [l.model_copy(update={"value": 1e13, "unit": "vg/kg"}) for l in s.dose_levels]})
            for s in d.studies
        ]
        d.facts["studies"] = studies

    _, quiet = _run_mutated(root, lambda d: mutate(d, 1e12))
    assert quiet == []
    ctx, fired = _run_mutated(root, lambda d: mutate(d, 2e12))
    assert [x.rule for x in fired] == ["dose.margin"]
    assert "margin of 5.0× below the HED 1.0 × 10^13 vg/kg" in fired[0].message
    m = compute(ctx.dossier).dose
    assert m.scaling == "per-kg" and m.per_kg_unit == "vg/kg"
    assert "vg/kg" in m.basis_text("en") and "cells" not in m.basis_text("en") and "vg/kg" in m.basis_text("zh")


# ------------------------------------------------------------------ proteins: mg/kg scaling and MABEL


def _protein(d, **declaration):
    _update(d, "product", modality=["protein"])
    _update(d, "protocol", starting_dose=declaration)


def test_protein_mg_per_kg_scaling_when_declared(tmp_path):
    """Rat NOAEL 50 mg/kg: BSA HED 8.11 mg/kg (MRSD 0.81) by default; declared mg/kg: HED 50 (MRSD 5)."""
    root = _small_molecule(tmp_path, "1.0")
    _, default = _run_mutated(root, lambda d: _protein(d))
    assert [x.rule for x in default] == ["dose.margin"]  # 1 mg/kg > 0.81 mg/kg
    ctx, declared = _run_mutated(root, lambda d: _protein(d, basis="noael", scaling="mg/kg"))
    assert declared == []  # 1 mg/kg < 5 mg/kg; the fixture's route is intravenous
    m = compute(ctx.dossier).dose
    assert m.scaling == "per-kg" and m.hed == 50.0 and m.mrsd == 5.0
    assert m.basis_text("en").startswith("compared on a mg/kg basis without body-surface-area conversion")


def test_mg_per_kg_scaling_is_for_proteins_only(tmp_path):
    root = _small_molecule(tmp_path, "1.0")

    def mutate(d):
        _update(d, "protocol", starting_dose={"basis": "noael", "scaling": "mg/kg"})

    _, diags = _run_mutated(root, mutate)
    [d] = findings(diags, "dose.scaling-unsupported")
    assert d.message.startswith("protocol starting_dose.scaling is 'mg/kg' for a small-molecule product")
    assert findings(diags, "dose.margin")  # BSA conversion still applies: 1 mg/kg > 0.81 mg/kg


def test_protein_mg_per_kg_by_a_non_intravascular_route_warns(tmp_path):
    root = _small_molecule(tmp_path, "0.5")

    def mutate(d):
        _protein(d, scaling="mg/kg")
        _update(d, "product", route_code="subcutaneous")

    _, diags = _run_mutated(root, mutate)
    [d] = findings(diags, "dose.scaling-unsupported")
    assert d.severity.value == "warning" and "subcutaneous route" in d.message


def test_mabel_basis(tmp_path):
    """A MABEL of 0.1 mg/kg: a 0.5 mg/kg start is above it (though within the NOAEL-based MRSD)."""
    root = _small_molecule(tmp_path, "0.5")
    mabel = {"value": 0.1, "unit": "mg/kg", "justification": {"en": "10% receptor occupancy", "zh": "10%受体占有率"}}
    _, fired = _run_mutated(root, lambda d: _protein(d, basis="mabel", mabel=mabel))
    assert [x.rule for x in fired] == ["dose.start-above-estimate"]
    assert fired[0].message.startswith("starting dose 0.5 mg/kg (cohort C1) is above the declared MABEL of 0.1 mg/kg")
    _, micrograms = _run_mutated(root, lambda d: _protein(d, basis="mabel", mabel=dict(mabel, value=100, unit="µg/kg")))
    assert [x.rule for x in micrograms] == ["dose.start-above-estimate"]  # 100 µg/kg = 0.1 mg/kg
    _, ok = _run_mutated(root, lambda d: _protein(d, basis="mabel", mabel=dict(mabel, value=1.0)))
    assert ok == []
    _, missing = _run_mutated(root, lambda d: _protein(d, basis="mabel"))
    assert [x.rule for x in missing] == ["dose.basis-estimate-missing"]
    _, cells = _run_mutated(root, lambda d: _protein(d, basis="mabel", mabel=dict(mabel, unit="cells/kg")))
    assert [x.rule for x in cells] == ["dose.unit-mismatch"] and "the declared MABEL" in cells[0].message


# ------------------------------------------------------------------ the words and numbers the documents print


def _margins(root):
    ctx, diags = load_context(root)
    assert not list(diags)
    m = compute(ctx.dossier).dose
    assert m is not None
    return m


def test_documents_get_the_basis_of_the_products_unit_family(tmp_path):
    tablet = _margins(_flat_mg(tmp_path / "a", "25"))
    assert tablet.flat and tablet.family == "mg" and tablet.scaling == "bsa"
    assert tablet.start_margin == pytest.approx(8.108108 / (25 / 60))  # 19.5-fold, per 60 kg adult
    assert tablet.mrsd_in_dose_unit == pytest.approx(48.6486, rel=1e-5)  # mg for a 60 kg adult
    assert tablet.hed_in_dose_unit == pytest.approx(486.486, rel=1e-5)
    en, zh = tablet.basis_text("en"), tablet.basis_text("zh")
    assert en.startswith("compared on a mg/kg basis after body-surface-area conversion (FDA 2005, Table 1)")
    assert "60 kg reference adult" in en and "cells" not in en
    assert "体表面积换算" in zh and "mg/kg" in zh and "细胞" not in zh
    assert "NOAEL" in tablet.method_text("en") and "NOAEL" in tablet.method_text("zh")

    cells = _margins(copy_project(FIXTURE, tmp_path / "b"))
    assert cells.scaling == "per-kg" and not cells.flat
    assert cells.basis_text("en").startswith("compared on a cells/kg basis without body-surface-area scaling")
    assert cells.basis_text("zh").startswith("按个细胞/kg比较")
    assert cells.mrsd_in_dose_unit == pytest.approx(2.0e6)


def test_mabel_declared_in_the_protocol_facts(tmp_path):
    """protocol.starting_dose as written in YAML: a MABEL of 1.0 x 10^5 cells/kg is below the 5.0 x 10^5 start."""
    root = copy_project(FIXTURE, tmp_path / "project")
    apply(root, Edit(PROTO, "  starting_dose_basis:", "  starting_dose: {basis: mabel, mabel: {value: 1.0e5, unit: cells/kg, "
                     'justification: {en: "in vitro potency", zh: "体外效力"}}}\n  starting_dose_basis:'))
    diags = run(root, families=["dose"])
    assert [d.rule for d in diags] == ["dose.start-above-estimate"]
    assert diags[0].message.startswith("starting dose 5.0 × 10^5 cells/kg (cohort C1) is above the declared MABEL of 1.0 × 10^5 cells/kg")
    apply(root, Edit(PROTO, "value: 1.0e5, unit: cells/kg", "value: 5.0e5, unit: cells/kg"))
    assert run(root, families=["dose"]) == []
