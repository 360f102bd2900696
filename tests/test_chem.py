"""Structure facts computed from a SMILES (indbuilder.chem) and the identity.structure rule."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace as NS

import pytest

from indbuilder import chem
from indbuilder.checks import structure as structure_rule
from indbuilder.diagnostics import Diagnostics, Location, Severity

SITAGLIPTIN = "C1CN2C(=NN=C2C(F)(F)F)CN1C(=O)C[C@@H](CC3=CC(=C(C=C3F)F)F)N"
SITAGLIPTIN_INCHI = (
    "InChI=1S/C16H15F6N5O/c17-10-6-12(19)11(18)4-8(10)3-9(23)5-14(28)26-1-2-27-13(7-26)24-25-15(27)"
    "16(20,21)22/h4,6,9H,1-3,5,7,23H2/t9-/m1/s1"
)
CAFFEINE = "CN1C=NC2=C1C(=O)N(C(=O)N2C)C"
SRC = Path(__file__).resolve().parents[1] / "src"


# ------------------------------------------------------------------ computed facts


def test_sitagliptin_formula_weight_inchi_and_stereocentre():
    facts = chem.analyse(SITAGLIPTIN)
    assert facts.formula == "C16H15F6N5O"
    assert facts.molecular_weight == pytest.approx(407.32, abs=0.01)
    assert facts.inchi == SITAGLIPTIN_INCHI
    assert facts.inchikey == "MFFMDFFZMYYVKS-SECBINFHSA-N"
    assert [(s.kind, s.symbol, s.assigned, s.label) for s in facts.stereo] == [("atom", "C", True, "R")]
    assert facts.undefined_stereo == ()


def test_caffeine_is_achiral():
    facts = chem.analyse(CAFFEINE)
    assert (facts.formula, round(facts.molecular_weight, 2)) == ("C8H10N4O2", 194.19)
    assert facts.inchikey == "RYYVLZVUVIJVGH-UHFFFAOYSA-N"
    assert facts.stereo == ()


def test_undefined_stereocentres_and_double_bond_are_counted():
    facts = chem.analyse("CC(O)C(N)C=CC")
    assert [(s.kind, s.index, s.assigned) for s in facts.undefined_stereo] == [
        ("atom", 1, False), ("atom", 3, False), ("bond", 5, False),
    ]


def test_salt_and_hydrate_are_one_hill_formula():
    facts = chem.analyse(SITAGLIPTIN + ".OP(=O)(O)O.O")  # sitagliptin phosphate monohydrate
    assert facts.formula == "C16H20F6N5O6P"
    assert facts.fragments == 3
    assert facts.molecular_weight == pytest.approx(523.32, abs=0.01)


@pytest.mark.parametrize(
    "smiles, words",
    [
        ("C1CC(C", ["extra open parentheses", "character 5", "C1CC^(C"]),
        ("CCX", ["syntax error", "character 3", "CC^X"]),
        ("C1CC", ["unclosed ring"]),
        ("CC(C)(C)(C)(C)C", ["valence", "C (atom 2 as written)"]),
        ("c1cccc1", ["kekulize", "atom 1 as written"]),
        ("  ", ["empty"]),
    ],
)
def test_bad_smiles_says_what_and_where(smiles, words):
    with pytest.raises(chem.SmilesError) as err:
        chem.analyse(smiles)
    for word in words:
        assert word in str(err.value)


def test_formula_parsing_accepts_what_authors_write():
    assert chem.formula_counts("C16H15F6N5O·H3PO4·H2O") == {"C": 16, "H": 20, "F": 6, "N": 5, "O": 6, "P": 1}
    assert chem.formula_counts("C₁₆H₁₅F₆N₅O") == chem.formula_counts("C16H15F6N5O")
    assert chem.formula_counts("(C8H9NO2)2·H2SO4") == {"C": 16, "H": 20, "N": 2, "O": 8, "S": 1}
    assert chem.formula_counts("2C7H5NO3S.H2O") == {"C": 14, "H": 12, "N": 2, "O": 7, "S": 2}
    assert chem.formula_counts("Ca(OH)2") == {"Ca": 1, "O": 2, "H": 2}
    assert chem.hill_formula({"O": 1, "H": 2}) == "H2O"
    assert chem.hill_formula({"N": 5, "C": 16, "O": 1, "H": 15, "F": 6}) == "C16H15F6N5O"
    for bad in ("", "C16H15x", "C(H2", "CH)2"):
        with pytest.raises(ValueError):
            chem.formula_counts(bad)


def test_inchi_difference_names_the_layer():
    assert chem.inchi_difference(SITAGLIPTIN_INCHI, SITAGLIPTIN_INCHI) is None
    assert chem.inchi_difference(SITAGLIPTIN_INCHI.replace("/m1", "/m0"), SITAGLIPTIN_INCHI) == "stereo parity (/m)"
    assert chem.inchi_difference("InChI=1S/C16H16F6N5O/c1", SITAGLIPTIN_INCHI) == "formula"


# ------------------------------------------------------------------ drawings


def test_png_drawing_is_deterministic_and_sized():
    a, b = chem.draw_png(SITAGLIPTIN), chem.draw_png(SITAGLIPTIN)
    assert a == b
    assert a.startswith(b"\x89PNG\r\n\x1a\n")
    assert chem.png_size(a) == chem.DRAWING_SIZE
    assert b"pHYs" in a[:80]  # the DPI is recorded right after IHDR
    assert b"tIME" not in a  # no timestamp chunk
    assert chem.draw_png(CAFFEINE) != a


def test_png_drawing_is_identical_across_processes():
    code = (
        "import hashlib; from indbuilder import chem; "
        f"print(hashlib.sha256(chem.draw_png({SITAGLIPTIN!r})).hexdigest())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env={"PYTHONPATH": str(SRC)}, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == hashlib.sha256(chem.draw_png(SITAGLIPTIN)).hexdigest()


def test_svg_drawing():
    svg = chem.draw_svg(CAFFEINE)
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    assert svg == chem.draw_svg(CAFFEINE)


def test_rdkit_version_is_reported():
    assert chem.rdkit_version().count(".") >= 2


# ------------------------------------------------------------------ the rule


def _structure(**over):
    base = dict(
        smiles=SITAGLIPTIN,
        inchi=SITAGLIPTIN_INCHI,
        molecular_formula="C16H15F6N5O",
        molecular_weight=407.32,
        stereochemistry=NS(en="Single enantiomer, (R)-configuration at C-3", zh="单一对映体（R构型）"),
        salt_form=None,
        chemical_name=NS(en="x", zh="x"),
        cas_number="486460-32-6",
    )
    base.update(over)
    return NS(**base)


LINES = {"smiles": 4, "molecular_formula": 5, "molecular_weight": 6, "inchi": 7}


def _run(structure):
    """The rule through its family entry point, with facts located in content/product.yaml."""
    def where(*path):
        return Location("content/product.yaml", LINES.get(path[-1], 3))

    ctx = NS(dossier=NS(product=NS(structure=structure), where=where))
    diags = Diagnostics()
    structure_rule.check(ctx, diags)
    return [(d.rule, d.severity, str(d.location), d.message) for d in diags]


def test_rule_quiet_on_matching_facts():
    assert _run(_structure()) == []
    assert _run(_structure(smiles=CAFFEINE, molecular_formula="C8H10N4O2", molecular_weight=194.19, inchi=None,
                           stereochemistry=NS(en="Achiral", zh="无手性"))) == []


def test_rule_quiet_without_structure():
    diags = Diagnostics()
    structure_rule.check(NS(dossier=NS(product=NS(code="MCT-101"), where=lambda *p: None)), diags)
    structure_rule.check(NS(dossier=NS(product=None, where=lambda *p: None)), diags)
    assert list(diags) == []


def test_rule_fires_on_wrong_formula():
    found = _run(_structure(molecular_formula="C16H17F6N5O"))
    assert len(found) == 1
    rule, severity, where, message = found[0]
    assert (rule, severity, where) == ("identity.structure", Severity.ERROR, "content/product.yaml:5")
    assert "C16H15F6N5O" in message and "H 17 declared, 15 in the SMILES" in message


def test_rule_accepts_formula_in_other_order_and_salt_notation():
    salt = _structure(smiles=SITAGLIPTIN + ".OP(=O)(O)O.O", inchi=None,
                      molecular_formula="C16H15F6N5O·H3PO4·H2O", molecular_weight=523.32)
    assert _run(salt) == []
    assert _run(_structure(molecular_formula="F6C16N5OH15")) == []


def test_rule_fires_on_wrong_molecular_weight_beyond_tolerance():
    assert _run(_structure(molecular_weight=407.40)) == []  # within 0.1 g/mol
    found = _run(_structure(molecular_weight=407.5))
    assert [(r, w) for r, _, w, _ in found] == [("identity.structure", "content/product.yaml:6")]
    assert "407.32 g/mol" in found[0][3]


def test_rule_fires_on_wrong_inchi():
    found = _run(_structure(inchi=SITAGLIPTIN_INCHI.replace("/m1", "/m0")))  # the (S)-enantiomer
    assert [(r, w) for r, _, w, _ in found] == [("identity.structure", "content/product.yaml:7")]
    assert "stereo parity" in found[0][3]


def test_unparsable_smiles_is_an_error_at_the_smiles():
    found = _run(_structure(smiles="C1CN2C(=NN=C2C(F)(F)F)CN1C(=O)C[C@@H](CC3=CC(=C(C=C3F)F)F"))
    assert [(r, s, w) for r, s, w, _ in found] == [("identity.structure", Severity.ERROR, "content/product.yaml:4")]
    assert "cannot be read" in found[0][3]


def test_undefined_stereocentre_with_single_isomer_claim_is_a_warning():
    racemic_smiles = SITAGLIPTIN.replace("[C@@H]", "C")
    found = _run(_structure(smiles=racemic_smiles, inchi=None))
    assert [(r, s, w) for r, s, w, _ in found] == [("identity.structure", Severity.WARNING, "content/product.yaml:4")]
    assert "atom 17 (C)" in found[0][3]
    # the same SMILES described as a racemate is fine
    assert _run(_structure(smiles=racemic_smiles, inchi=None, stereochemistry=NS(en="Racemate", zh="外消旋体"))) == []


def test_check_path_does_not_import_rdkit_without_a_structure():
    code = (
        "import sys; from types import SimpleNamespace as NS; from indbuilder.checks import structure; "
        "from indbuilder.diagnostics import Diagnostics; "
        "structure.check(NS(dossier=NS(product=NS(code='X'), where=lambda *p: None)), Diagnostics()); "
        "print('rdkit' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env={"PYTHONPATH": str(SRC)}, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_rule_reads_the_product_model_record():
    """The fact record of the model (product.structure: ChemicalStructure), not just a stand-in."""
    from indbuilder.model.common import Text
    from indbuilder.model.product import ChemicalStructure

    def record(formula: str) -> ChemicalStructure:
        return ChemicalStructure(
            smiles=SITAGLIPTIN, inchi=SITAGLIPTIN_INCHI, molecular_formula=formula, molecular_weight=407.32,
            chemical_name=Text(en="(3R)-3-amino-1-[3-(trifluoromethyl)-5,6-dihydro[1,2,4]triazolo[4,3-a]pyrazin-"
                                  "7(8H)-yl]-4-(2,4,5-trifluorophenyl)butan-1-one", zh="西格列汀"),
            stereochemistry=Text(en="one stereocentre, (R)-configuration; single enantiomer", zh="单一对映体"),
        )

    assert _run(record("C16H15F6N5O")) == []
    assert [r for r, *_ in _run(record("C16H15F5N5O"))] == ["identity.structure"]
