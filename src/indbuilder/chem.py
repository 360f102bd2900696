"""Chemical structure facts computed from a SMILES with RDKit: formula, weight, InChI, stereo, drawings.

A small-molecule dossier declares its drug substance's structure (3.2.S.1.2, ICH M4Q(R1)): the
structural formula with stereochemistry, the molecular formula and the relative molecular mass. The
SMILES is the single source: this module derives from it everything a reviewer can check, so the
consistency rule ``identity.structure`` (checks/structure.py) can compare the declared facts with it,
and the drawing printed in 3.2.S.1.2 is generated, never drawn by hand.

RDKit is heavy (about a second to import): it is imported inside the functions, so that
``indbuilder check`` of a dossier without a structure never loads it.

Drawings are reproducible: a fixed canvas, fixed drawing options, 2D coordinates from RDKit's
CoordGen depiction, and no timestamp in the PNG (the same SMILES gives the same bytes in every
process, for one RDKit version).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pragma: no cover - typing only
    from rdkit.Chem import Mol


class SmilesError(ValueError):
    """A SMILES RDKit cannot read; ``str(err)`` says what and where, in words for an author."""


@dataclass(frozen=True)
class StereoElement:
    """One stereogenic element: a tetrahedral centre (``kind="atom"``) or a double bond (``"bond"``).

    ``index`` is RDKit's atom or bond index (0-based, atoms in the order they are written in the
    SMILES); ``assigned`` says whether the SMILES fixes its configuration (``@``/``@@``, ``/``/``\\``);
    ``label`` is the CIP label (R/S, E/Z) when assigned.
    """

    kind: Literal["atom", "bond"]
    index: int
    symbol: str  # the element of the centre atom ("C"), or "C=C" for a bond
    assigned: bool
    label: str | None = None


@dataclass(frozen=True)
class StructureFacts:
    """What RDKit computes from a SMILES (see :func:`analyse`)."""

    smiles: str
    canonical_smiles: str
    formula: str  # Hill order, e.g. "C16H15F6N5O"; salts and hydrates as one sum formula
    molecular_weight: float  # average molecular weight, g/mol (IUPAC standard atomic weights)
    inchi: str  # standard InChI ("" when the InChI library could not make one)
    inchikey: str
    stereo: tuple[StereoElement, ...]
    fragments: int  # disconnected parts: a salt or a hydrate has more than one

    @property
    def undefined_stereo(self) -> tuple[StereoElement, ...]:
        """The stereogenic elements whose configuration the SMILES leaves open."""
        return tuple(s for s in self.stereo if not s.assigned)

    @property
    def stereocentres(self) -> tuple[StereoElement, ...]:
        """The tetrahedral stereocentres (atoms)."""
        return tuple(s for s in self.stereo if s.kind == "atom")


def rdkit_version() -> str:
    """The RDKit version in use (drawings are reproducible for one version)."""
    from rdkit import rdBase

    return str(rdBase.rdkitVersion)


# ---------------------------------------------------------------- parsing

_TIMESTAMP = re.compile(r"^\[\d\d:\d\d:\d\d\]\s?")
_POSITION = re.compile(r"check for mistakes around position (\d+)")
_PARSE_ERROR = re.compile(r"SMILES Parse Error: (.+?)(?: while parsing: .*| for input: .*)?$")


def parse_smiles(smiles: str) -> "Mol":
    """The RDKit molecule of ``smiles`` (sanitized), or :class:`SmilesError` saying what is wrong.

    The error names the problem as RDKit reports it and where: the character position for syntax
    errors (``position 5: C1CC(^C``), the atom (index and element) for valence and aromaticity errors.
    """
    from rdkit import Chem, rdBase

    text = smiles.strip()
    if not text:
        raise SmilesError("the SMILES is empty")
    with rdBase.CaptureErrorLog() as log:
        mol = Chem.MolFromSmiles(text)
    if mol is not None and mol.GetNumAtoms() > 0:
        return mol
    raise SmilesError(_explain(text, str(log.messages or "")))


def _explain(smiles: str, log: str) -> str:
    lines: list[str] = []
    for raw in log.splitlines():
        line = _TIMESTAMP.sub("", raw).strip()
        if line and line not in lines:
            lines.append(line)
    position = next((int(m.group(1)) for m in map(_POSITION.search, lines) if m), None)
    reasons = [m.group(1) for m in map(_PARSE_ERROR.search, lines) if m and not m.group(1).startswith(("check for", "Failed parsing"))]
    if position is not None or any("Parse Error" in line for line in lines):
        what = reasons[0] if reasons else "syntax error"
        if position is None:
            return f"SMILES '{smiles}' cannot be read: {what}"
        pos = max(1, min(position, len(smiles)))
        marked = smiles[: pos - 1] + "^" + smiles[pos - 1 :]
        return f"SMILES '{smiles}' cannot be read: {what} at character {pos} ('{marked}', ^ marks the place)"
    problems = _chemistry_problems(smiles)
    if problems:
        return f"SMILES '{smiles}' is not a valid structure: " + "; ".join(problems)
    detail = "; ".join(lines) if lines else "no atoms"
    return f"SMILES '{smiles}' is not a valid structure: {detail}"


def _chemistry_problems(smiles: str) -> list[str]:
    """Valence/aromaticity problems of a syntactically valid SMILES, naming the atoms."""
    from rdkit import Chem, rdBase

    with rdBase.CaptureErrorLog():
        mol = Chem.MolFromSmiles(smiles, sanitize=False)
        if mol is None:
            return []
        found = Chem.DetectChemistryProblems(mol)
    out: list[str] = []
    for p in found:
        message = str(p.Message())
        idx = _atom_indices(p)
        if idx:
            atoms = ", ".join(f"{mol.GetAtomWithIdx(i).GetSymbol()} (atom {i + 1} as written)" for i in idx)
            out.append(f"{message} [{atoms}]")
        else:
            out.append(message)
    return out


def _atom_indices(problem: Any) -> list[int]:
    if hasattr(problem, "GetAtomIndices"):
        return [int(i) for i in problem.GetAtomIndices()]
    if hasattr(problem, "GetAtomIdx"):
        return [int(problem.GetAtomIdx())]
    return []


# ---------------------------------------------------------------- computed facts


def analyse(smiles: str) -> StructureFacts:
    """Formula (Hill order), average molecular weight, standard InChI/InChIKey and stereo of ``smiles``.

    Raises :class:`SmilesError` when RDKit cannot read it.
    """
    from rdkit import Chem, rdBase
    from rdkit.Chem import Descriptors, rdMolDescriptors

    mol = parse_smiles(smiles)
    with rdBase.BlockLogs():  # InChI warnings (e.g. "Omitted undefined stereo") are not errors here
        inchi = str(Chem.MolToInchi(mol) or "")  # type: ignore[no-untyped-call]
        inchikey = str(Chem.InchiToInchiKey(inchi) or "") if inchi else ""  # type: ignore[no-untyped-call]
    return StructureFacts(
        smiles=smiles.strip(),
        canonical_smiles=Chem.MolToSmiles(mol),
        formula=rdMolDescriptors.CalcMolFormula(mol),
        molecular_weight=float(getattr(Descriptors, "MolWt")(mol)),  # average MW (defined at import time)
        inchi=inchi,
        inchikey=inchikey,
        stereo=_stereo(mol),
        fragments=len(Chem.GetMolFrags(mol)),
    )


def _stereo(mol: "Mol") -> tuple[StereoElement, ...]:
    from rdkit import Chem

    # CIP labels with the new (2020) algorithm; assigned on a copy so the caller's molecule is untouched.
    labelled = Chem.Mol(mol)
    try:
        from rdkit.Chem import rdCIPLabeler

        rdCIPLabeler.AssignCIPLabels(labelled)
    except Exception:  # pragma: no cover - very large molecules can exceed the labeller's limits
        pass
    out: list[StereoElement] = []
    for info in Chem.FindPotentialStereo(labelled):
        assigned = info.specified == Chem.StereoSpecified.Specified
        if info.type == Chem.StereoType.Atom_Tetrahedral:
            atom = labelled.GetAtomWithIdx(info.centeredOn)
            label = atom.GetProp("_CIPCode") if assigned and atom.HasProp("_CIPCode") else None
            out.append(StereoElement("atom", info.centeredOn, atom.GetSymbol(), assigned, label))
        elif info.type == Chem.StereoType.Bond_Double:
            bond = labelled.GetBondWithIdx(info.centeredOn)
            symbol = f"{bond.GetBeginAtom().GetSymbol()}={bond.GetEndAtom().GetSymbol()}"
            label = bond.GetProp("_CIPCode") if assigned and bond.HasProp("_CIPCode") else None
            out.append(StereoElement("bond", info.centeredOn, symbol, assigned, label))
    return tuple(out)


# ---------------------------------------------------------------- formulas


_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*)|(\()|(\))(\d*)|(\s+)")
_PART_SEP = re.compile(r"\s*[.·•∙⋅*]\s*")
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_CHARGE = re.compile(r"(?:\d*[+-]|[+-]\d*)$")


def formula_counts(formula: str) -> dict[str, int]:
    """Element counts of a written molecular formula.

    Accepts what authors write: Hill or any other order, subscript digits (``C₁₆H₁₅…``),
    parentheses (``Ca(OH)2``), and salts/solvates as parts joined by ``·``, ``.`` or ``*`` with an
    optional leading multiplier (``C16H15F6N5O·H3PO4·H2O``, ``(C8H9NO2)2·H2SO4``, ``C7H5NO3S·½H2O``
    is not accepted: write ``2C7H5NO3S·H2O``). A trailing charge (``+``, ``2-``) is ignored.
    Raises ``ValueError`` on anything else.
    """
    total: dict[str, int] = {}
    text = formula.translate(_SUBSCRIPTS).strip()
    if not text:
        raise ValueError("the formula is empty")
    for part in _PART_SEP.split(text):
        m = re.match(r"(\d+)\s*(?=[A-Z(])", part)
        mult = int(m.group(1)) if m else 1
        body = _CHARGE.sub("", part[m.end():] if m else part)
        for element, n in _parse_group(body, formula).items():
            total[element] = total.get(element, 0) + n * mult
    return total


def _parse_group(text: str, whole: str) -> dict[str, int]:
    stack: list[dict[str, int]] = [{}]
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ValueError(f"'{whole}' is not a molecular formula (unexpected '{text[pos]}')")
        element, count, opening, closing, group_count, _space = m.groups()
        if element:
            stack[-1][element] = stack[-1].get(element, 0) + (int(count) if count else 1)
        elif opening:
            stack.append({})
        elif closing:
            if len(stack) == 1:
                raise ValueError(f"'{whole}' has a ')' without '('")
            inner = stack.pop()
            n = int(group_count) if group_count else 1
            for el, c in inner.items():
                stack[-1][el] = stack[-1].get(el, 0) + c * n
        pos = m.end()
    if len(stack) != 1:
        raise ValueError(f"'{whole}' has a '(' without ')'")
    return stack[0]


def hill_formula(counts: dict[str, int]) -> str:
    """Element counts as a Hill-order formula: C, then H, then the others alphabetically
    (all alphabetically when there is no carbon)."""
    def term(el: str) -> str:
        n = counts[el]
        return el if n == 1 else f"{el}{n}"

    present = [el for el, n in counts.items() if n]
    if "C" in present:
        order = ["C"] + (["H"] if "H" in present else []) + sorted(e for e in present if e not in ("C", "H"))
    else:
        order = sorted(present)
    return "".join(term(el) for el in order)


def inchi_difference(declared: str, computed: str) -> str | None:
    """Which InChI layer differs (``"formula"``, ``"connections (/c)"``, ``"stereo (/t)"`` …), or None when equal."""
    if declared.strip() == computed.strip():
        return None
    names = {
        "c": "connections (/c)", "h": "hydrogens (/h)", "q": "charge (/q)", "p": "protons (/p)",
        "b": "double-bond stereo (/b)", "t": "tetrahedral stereo (/t)", "m": "stereo parity (/m)",
        "s": "stereo type (/s)", "i": "isotopes (/i)",
    }
    a, b = declared.strip().split("/"), computed.strip().split("/")
    if a[:1] != b[:1]:
        return "version prefix"
    if a[1:2] != b[1:2]:
        return "formula"
    la = {p[:1]: p for p in a[2:]}
    lb = {p[:1]: p for p in b[2:]}
    for key in dict.fromkeys([*(p[:1] for p in b[2:]), *(p[:1] for p in a[2:])]):
        if la.get(key) != lb.get(key):
            return names.get(key, f"/{key}")
    return "layers"


# ---------------------------------------------------------------- drawings

#: The canvas of a structure drawing: 1200 x 800 px; printed 100 mm wide this is about 300 dpi.
DRAWING_SIZE = (1200, 800)
#: Dots per inch recorded in the PNG (so that word processors show it at the intended size).
DRAWING_DPI = 300


def _depiction(smiles: str) -> "Mol":
    from rdkit import Chem
    from rdkit.Chem import rdDepictor

    mol = Chem.Mol(parse_smiles(smiles))
    before = rdDepictor.GetPreferCoordGen()
    rdDepictor.SetPreferCoordGen(True)  # CoordGen: deterministic, tidy ring systems
    try:
        rdDepictor.Compute2DCoords(mol)
    finally:
        rdDepictor.SetPreferCoordGen(before)  # a process-wide switch: leave it as found
    return mol


def _options(drawer: Any) -> None:
    opts = drawer.drawOptions()
    opts.clearBackground = True
    opts.setBackgroundColour((1.0, 1.0, 1.0, 1.0))
    opts.useBWAtomPalette()  # black on white prints the same on any printer
    opts.bondLineWidth = 2
    opts.minFontSize = 14
    opts.fixedBondLength = -1
    opts.padding = 0.05
    opts.addStereoAnnotation = True  # (R)/(S), (E)/(Z) labels: the stereochemistry is visible
    opts.unspecifiedStereoIsUnknown = True  # an undefined centre is drawn as a wavy bond


def draw_png(smiles: str, size: tuple[int, int] = DRAWING_SIZE, dpi: int = DRAWING_DPI) -> bytes:
    """The structure of ``smiles`` as PNG bytes (RGB, white background, black atoms, stereo labels).

    Deterministic for one RDKit version: no timestamp, fixed options; the PNG records ``dpi``
    (pHYs chunk) so Word shows it at its intended size. Raises :class:`SmilesError`.
    """
    from rdkit.Chem.Draw import rdMolDraw2D

    mol = _depiction(smiles)
    drawer = rdMolDraw2D.MolDraw2DCairo(size[0], size[1])
    _options(drawer)
    drawer.DrawMolecule(mol)
    drawer.FinishDrawing()
    return _with_dpi(bytes(drawer.GetDrawingText()), dpi)


def draw_svg(smiles: str, size: tuple[int, int] = DRAWING_SIZE) -> str:
    """The structure of ``smiles`` as SVG text (same options as :func:`draw_png`)."""
    from rdkit.Chem.Draw import rdMolDraw2D

    mol = _depiction(smiles)
    drawer = rdMolDraw2D.MolDraw2DSVG(size[0], size[1])
    _options(drawer)
    drawer.DrawMolecule(mol)
    drawer.FinishDrawing()
    return str(drawer.GetDrawingText())


def _with_dpi(png: bytes, dpi: int) -> bytes:
    """``png`` with a pHYs chunk (pixels per metre) right after IHDR, replacing any existing one."""
    import struct
    import zlib

    sig, pos = png[:8], 8
    chunks: list[tuple[bytes, bytes]] = []
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind = png[pos + 4:pos + 8]
        chunks.append((kind, png[pos + 8:pos + 8 + length]))
        pos += 12 + length
    ppm = round(dpi / 0.0254)
    phys = struct.pack(">IIB", ppm, ppm, 1)
    out = [sig]
    for kind, data in chunks:
        if kind == b"pHYs":
            continue
        out.append(struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data)))
        if kind == b"IHDR":
            out.append(struct.pack(">I", len(phys)) + b"pHYs" + phys + struct.pack(">I", zlib.crc32(b"pHYs" + phys)))
    return b"".join(out)


def png_size(png: bytes) -> tuple[int, int]:
    """``(width, height)`` in pixels of PNG bytes (from the IHDR chunk)."""
    import struct

    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG image")
    w, h = struct.unpack(">II", png[16:24])
    return int(w), int(h)
