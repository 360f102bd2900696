"""The modality registry and what it makes the loader require (issue 10)."""

from pathlib import Path

import pytest

from indbuilder import modalities
from indbuilder.diagnostics import Diagnostics
from indbuilder.loader import load_content
from indbuilder.modalities import ModalityProfile, Wording


def test_built_in_modalities_are_registered():
    assert modalities.names()[:4] == ("small-molecule", "protein", "cell-therapy", "gene-therapy")
    with pytest.raises(KeyError, match="known: small-molecule"):
        modalities.get("vaccine")


@pytest.mark.parametrize(
    "names, centre, product_type, title",
    [
        (["small-molecule"], "CDER", "cnprt1", "small-molecule drug"),
        (["protein"], "CDER", "cnprt2", "therapeutic protein"),
        (["cell-therapy"], "CBER", "cnprt2", "cell therapy product"),
        (["gene-therapy"], "CBER", "cnprt2", "gene therapy product"),
        (["cell-therapy", "gene-therapy"], "CBER", "cnprt2", "gene-modified cell therapy product"),
    ],
)
def test_combined_modality_decides_centre_category_and_title(names, centre, product_type, title):
    kind = modalities.resolve(names)
    assert (kind.fda_centre, kind.nmpa_product_type, kind.title("en")) == (centre, product_type, title)


def test_foreign_wording_is_what_only_other_modalities_say():
    small = {w.what for _, w in modalities.resolve(["small-molecule"]).foreign_wording()}
    assert "CBER" in small and "vector" in small and "cells/kg, viable cells" in small
    assert "tablet, capsule" not in small and "CDER" not in small
    cell = {w.what for _, w in modalities.resolve(["cell-therapy", "gene-therapy"]).foreign_wording()}
    assert "tablet, capsule" in cell and "CDER" in cell and "CBER" not in cell
    # ICH S6 is biologics' wording: foreign to a small molecule only
    assert any("ICH S6" in w for w in small) and not any("ICH S6" in w for w in cell)


def test_a_plugin_modality_can_be_registered():
    toy = ModalityProfile(
        name="toy-vaccine", title={"en": "vaccine"}, fda_centre="CBER", nmpa_product_type="cnprt2",
        nmpa_category={"en": "Preventive biological product", "zh": "预防用生物制品"}, guideline="WHO TRS 927",
        dose_units=("µg",), bsa_scaling=False, wording=(Wording(r"\badjuvant\b", "adjuvant", "en"),),
    )
    modalities.register(toy)
    try:
        assert "toy-vaccine" in modalities.names()
        assert any(w.what == "adjuvant" for _, w in modalities.resolve(["small-molecule"]).foreign_wording())
    finally:
        modalities.unregister("toy-vaccine")
    assert "toy-vaccine" not in modalities.names()


# ------------------------------------------------------------------ what the loader asks of a project

PRODUCT = """product:
  id: xyz
  code: XYZ-123
  name: {name}
  short_name: {name}
  description: {name}
  modality: [{modality}]
  dosage_form: {name}
  route: {name}
  route_code: oral
  dose_unit: {unit}
  container: {name}
  storage: {{condition: {name}, max_temperature_c: 25, label_text: {name}}}
  shelf_life: {{value: 24, unit: months}}
  mechanism: {name}
  indication: {name}
  phase: "1"
  caution_statement: {name}
  substance_name: xyz
  manufacturer_id: org-1
{extra}"""

EN = "{en: text}"
BOTH = "{en: text, zh: 文本}"


def load(tmp_path: Path, files: dict[str, str], regions: tuple[str, ...] | None):
    for name, text in files.items():
        p = tmp_path / "content" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    diags = Diagnostics()
    dossier = load_content(tmp_path, tmp_path / "content", diags, region_names=regions)
    return dossier, [d for d in diags.sorted() if d.rule not in ("schema.missing-section",)]


def product(modality="small-molecule", unit="mg", name=EN, extra=""):
    return PRODUCT.format(modality=modality, unit=unit, name=name, extra=extra)


STRUCTURE = """  strength: {en: 25 mg per tablet}
  structure:
    smiles: CN1C=NC2=C1C(=O)N(C(=O)N2C)C
    molecular_formula: C8H10N4O2
    molecular_weight: 194.19
    chemical_name: {en: caffeine}
    stereochemistry: {en: achiral}
"""


def test_an_fda_only_project_writes_no_chinese(tmp_path):
    dossier, diags = load(tmp_path, {"product.yaml": product(extra=STRUCTURE)}, ("fda",))
    assert diags == [] and dossier.product is not None
    assert dossier.product.name.get("zh") == "text"  # falls back to English where asked


def test_an_nmpa_project_needs_chinese_text_and_says_why(tmp_path):
    _, diags = load(tmp_path, {"product.yaml": product(extra=STRUCTURE)}, ("fda", "nmpa"))
    assert diags and all(d.rule == "schema.value" for d in diags)
    assert "'zh' (nmpa is one of the project's regions in indbuilder.yaml)" in diags[0].message
    assert str(diags[0].location) == "content/product.yaml:4:3"  # name:


def test_a_small_molecule_needs_its_structure_and_strength(tmp_path):
    _, diags = load(tmp_path, {"product.yaml": product()}, ("fda",))
    required = sorted(d.message.split(" is required")[0] for d in diags if d.rule == "schema.modality-required")
    assert required == ["product.strength", "product.structure"]
    assert "3.2.S.1.2 shows the structure drawn from its SMILES" in next(d.message for d in diags if "structure" in d.message)


def test_cell_fields_are_not_asked_of_a_small_molecule_but_of_a_cell_therapy(tmp_path):
    _, small = load(tmp_path / "a", {"product.yaml": product(extra=STRUCTURE)}, ("fda",))
    assert small == []
    _, cell = load(tmp_path / "b", {"product.yaml": product("cell-therapy", "cells/kg")}, ("fda",))
    missing = {d.message.split(" is required")[0] for d in cell if d.rule == "schema.modality-required"}
    assert {"product.autologous", "product.in_use_time", "product.concentration"} <= missing


def test_a_dose_unit_of_another_modality_is_an_error(tmp_path):
    _, diags = load(tmp_path, {"product.yaml": product(unit="cells/kg", extra=STRUCTURE)}, ("fda",))
    assert [d.rule for d in diags] == ["schema.modality-dose-unit"]
    assert "use mg/kg, mg" in diags[0].message


def test_an_unknown_modality_names_the_known_ones(tmp_path):
    _, diags = load(tmp_path, {"product.yaml": product(modality="antibody")}, ("fda",))
    assert diags[0].rule == "schema.value" and "'small-molecule'" in diags[0].message and "got 'antibody'" in diags[0].message


def test_regional_facts_are_required_only_for_built_regions(tmp_path):
    regulatory = "regulatory:\n  fda: {application_number: '123456', description: IND}\n  environmental_assessment: {en: x}\n" \
                 "  ib_version: '1.0'\n  ib_date: 2026-01-01\n  protocol_ref: p\n"
    _, fda = load(tmp_path / "a", {"r.yaml": regulatory}, ("fda",))
    assert fda == []
    _, both = load(tmp_path / "b", {"r.yaml": regulatory.replace("{en: x}", "{en: x, zh: 文}")}, ("fda", "nmpa"))
    assert [(d.rule, d.message) for d in both] == [
        ("schema.region-required", "regulatory.nmpa is required because nmpa is one of the project's regions (indbuilder.yaml regions)")
    ]


# ------------------------------------------------------------------ drug substance and drug product records

PROCESS = """drug_substance:
  id: ds
  name: {en: substance}
  isolated: false
  process: {id: p1, version: "1", site: org-1, description: {en: d}, steps: []}
"""


def test_a_record_may_be_spread_over_files_and_a_key_given_twice_is_refused(tmp_path):
    dossier, diags = load(tmp_path, {"a.yaml": PROCESS, "b.yaml": "drug_substance:\n  materials: []\n"}, ("fda",))
    assert diags == [] and dossier.drug_substance is not None and dossier.drug_substance.id == "ds"
    _, twice = load(tmp_path / "again", {"a.yaml": PROCESS, "b.yaml": PROCESS}, ("fda",))
    assert {d.rule for d in twice} == {"schema.duplicate-section"}
    assert "drug_substance.id is already defined in content/a.yaml:2" in twice[0].message


def test_an_isolated_drug_substance_needs_its_own_release_data(tmp_path):
    _, diags = load(tmp_path, {"a.yaml": PROCESS.replace("isolated: false", "isolated: true")}, ("fda",))
    assert [d.rule for d in diags] == ["schema.value"]
    assert "an isolated drug substance needs specification, batches, stability" in diags[0].message
    assert "set 'isolated: false'" in diags[0].message


def test_a_former_top_level_section_says_where_it_belongs_now(tmp_path):
    _, diags = load(tmp_path, {"cmc/batches.yaml": "batches: []\n"}, ("fda",))
    assert [d.rule for d in diags] == ["schema.unknown-section"]
    assert "drug_product.batches (3.2.P.5.4)" in diags[0].hint
