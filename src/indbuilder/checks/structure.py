"""Rule family: the declared chemical structure facts agree with the structure itself (small molecules).

``product.structure`` declares the SMILES of the drug substance and, next to it, what 3.2.S.1.2 prints:
the molecular formula, the relative molecular mass, the standard InChI and the stereochemistry. The
SMILES is the structure (the 3.2.S.1.2 drawing is generated from it), so every other fact is
recomputed from it with RDKit (:mod:`indbuilder.chem`) and must agree. RDKit is loaded only when a
product declares a structure.
"""

from __future__ import annotations

import re
from typing import Any

from ..diagnostics import Diagnostics, Location, Severity
from .context import CheckContext
from .support import define, where

define(
    "identity.structure",
    "error",
    "The declared molecular formula, molecular weight or InChI does not match the structure's SMILES.",
    """
    3.2.S.1.2 gives the structural formula (drawn from ``product.structure.smiles``), the molecular
    formula and the relative molecular mass; 2.3.S.1, the IB and the NMPA 原料药 section repeat them. They
    are recomputed from the SMILES with RDKit: the molecular formula must have the same atoms (any order;
    salts and hydrates written as parts joined by "·"), the molecular weight must be within 0.1 g/mol of
    the average molecular weight (IUPAC standard atomic weights), and a declared InChI must be the standard
    InChI of the SMILES. A SMILES RDKit cannot read is an error (the drawing cannot be made either).
    When ``stereochemistry`` describes a single stereoisomer (a single enantiomer, (R)/(S), (E)/(Z)) but the
    SMILES leaves stereocentres or stereogenic double bonds undefined, the finding is a warning: either
    the SMILES lacks its @/@@ or / \\ marks, or the description is wrong.
    """,
    "ICH M4Q(R1) 3.2.S.1.2 (structural formula including relative and absolute stereochemistry, molecular "
    "formula, relative molecular mass); ICH Q6A 2.3.3 (chiral drug substances); 21 CFR 312.23(a)(7)(iv)(a).",
)

#: How far the declared molecular weight may be from the computed one (rounding of a published value).
MW_TOLERANCE = 0.1

# Words by which a stereochemistry description claims one stereoisomer, and words that say otherwise.
_SINGLE = re.compile(
    r"single\s+(?:enantiomer|stereoisomer|diastereo(?:mer|isomer)|isomer)|enantio(?:merically\s+)?pure|"
    r"optically\s+(?:pure|active)|homochiral|absolute\s+configuration|\((?:[1-9]\d*[a-z]?,?\s*)?[RSEZ]\)|"
    r"\b[RSEZ][- ]configur|单一(?:对映体|异构体|立体异构体)|光学纯",
    re.IGNORECASE,
)
_NOT_SINGLE = re.compile(
    r"racem|mixture|\(±\)|\(\+/-\)|\brac-|\(RS\)|\(SR\)|achiral|no\s+(?:stereo|chiral)|not\s+chiral|"
    r"undefined|unspecified|外消旋|混合物|无手性",
    re.IGNORECASE,
)


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """``identity.structure``: the declared formula, weight, InChI and stereochemistry of
    ``product.structure`` against what RDKit computes from its SMILES."""
    product = ctx.dossier.product
    structure = getattr(product, "structure", None)  # the model gains `structure` for small molecules
    if structure is None:
        return
    check_structure(structure, diags, lambda *key: where(ctx, "product", "structure", *key))


def check_structure(structure: Any, diags: Diagnostics, locate: Any) -> None:
    """The rule on one structure record; ``locate(key)`` gives the file:line of ``structure.<key>``."""
    from ..chem import SmilesError, analyse, formula_counts, hill_formula, inchi_difference

    smiles = str(getattr(structure, "smiles", "") or "")
    at_smiles: Location | None = locate("smiles")
    try:
        facts = analyse(smiles)
    except SmilesError as exc:
        diags.emit(
            "identity.structure",
            f"product.structure.smiles: {exc}; the formula, molecular weight and drawing cannot be derived from it",
            at_smiles,
            hint="check the SMILES against the structure (e.g. in a structure editor) and correct it",
        )
        return

    declared_formula = getattr(structure, "molecular_formula", None)
    if declared_formula:
        try:
            counts = formula_counts(str(declared_formula))
        except ValueError as exc:
            diags.emit("identity.structure", f"product.structure.molecular_formula: {exc}", locate("molecular_formula"))
        else:
            computed = formula_counts(facts.formula)
            if counts != computed:
                parts = f" (the SMILES has {facts.fragments} parts)" if facts.fragments > 1 else ""
                diags.emit(
                    "identity.structure",
                    f"the molecular formula {declared_formula} ({hill_formula(counts)}) does not match the "
                    f"SMILES, which is {facts.formula}{parts}: {_difference(counts, computed)}",
                    locate("molecular_formula"),
                    hint="a salt or hydrate must be in both or in neither (SMILES parts joined by '.')",
                )

    declared_mw = getattr(structure, "molecular_weight", None)
    if declared_mw is not None:
        mw = float(declared_mw)
        if abs(mw - facts.molecular_weight) > MW_TOLERANCE:
            diags.emit(
                "identity.structure",
                f"the molecular weight {mw:g} g/mol differs from the {facts.molecular_weight:.2f} g/mol of the "
                f"SMILES ({facts.formula}) by {abs(mw - facts.molecular_weight):.2f} g/mol "
                f"(more than {MW_TOLERANCE:g})",
                locate("molecular_weight"),
            )

    declared_inchi = getattr(structure, "inchi", None)
    if declared_inchi and facts.inchi:
        layer = inchi_difference(str(declared_inchi), facts.inchi)
        if layer is not None:
            diags.emit(
                "identity.structure",
                f"the InChI differs from the standard InChI of the SMILES in its {layer} layer: "
                f"the SMILES gives {facts.inchi}",
                locate("inchi"),
            )

    undefined = facts.undefined_stereo
    claim = _text(getattr(structure, "stereochemistry", None))
    if undefined and claim and _SINGLE.search(claim) and not _NOT_SINGLE.search(claim):
        shown = ", ".join(
            f"{'atom' if s.kind == 'atom' else 'double bond'} {s.index + 1} ({s.symbol})" for s in undefined
        )
        diags.emit(
            "identity.structure",
            f"the stereochemistry says {claim.strip()!r} but the SMILES leaves {len(undefined)} stereogenic "
            f"element(s) undefined: {shown} (counted as written in the SMILES)",
            at_smiles,
            hint="mark each stereocentre with @/@@ and each double bond with / \\ in the SMILES, "
            "or describe the substance as a racemate/mixture",
            severity=Severity.WARNING,
        )


def _text(value: Any) -> str:
    """The English text of a bilingual Text (or a plain string)."""
    if value is None or isinstance(value, str):
        return value or ""
    return str(getattr(value, "en", None) or "")


def _difference(declared: dict[str, int], computed: dict[str, int]) -> str:
    """``H 15 declared, 17 in the SMILES; Cl 1 declared, 0 in the SMILES``."""
    out = []
    for el in sorted(set(declared) | set(computed), key=lambda e: (e not in ("C", "H"), e != "C", e)):
        a, b = declared.get(el, 0), computed.get(el, 0)
        if a != b:
            out.append(f"{el} {a} declared, {b} in the SMILES")
    return "; ".join(out)
