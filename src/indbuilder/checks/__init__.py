"""The consistency-rule catalog: one module per rule family (consistency-rule groups A-J).

Each family is a function ``check(ctx, diags)`` that reads the facts (and, where a rule needs
them, the rendered documents of each region) and emits :class:`~indbuilder.diagnostics.Diagnostic`
findings through ``diags.emit``. Rules are registered with :func:`indbuilder.rules.define` when
the family module is imported, so ``indbuilder rules`` lists them all.

=============  ===============================================================  =========
family         what it checks                                                   group
=============  ===============================================================  =========
identity       product name/code, sponsor, indication, phase across documents   A1-A4
structure      a chemical structure's formula, weight, InChI and stereochemistry  A
               against its SMILES (RDKit; identity.structure)
modality       no document uses another modality's wording (cells/kg for a     K
               small molecule, tablet for a cell therapy; identity.modality-*)
completeness   2.3 <-> 3.2 sections, GLP statements, label statements,           B
               environmental claim, empty documents (missing sections and
               312.23(a) / NMPA IND items: outline planner, completeness.*)
dates          protocol/IB version and date citations, dates <= submission      D1-D3
cmc            specification, methods, batches, process (+ stability module:   E
               shelf life / in-use time vs data, storage statements)
traceability   tox lots, routes and durations against CMC and the protocol      F
dose           starting/maximum dose against NOAELs (cells/kg or BSA scaling)   G
protocol       1572 data, sample size, endpoints and the schedule               H
consent        the consent form states what the protocol requires of           H
               participants (contraception, sample export, LTFU)
comedication   IB prohibitions against the protocol's concomitant medications  H
cgt            cell/gene therapy release panel, vector, LTFU, biodistribution   I
nonclinical    toxicokinetics statements against the study designs (ICH S3A)   (B/F)
guidelines     nonclinical studies the governing guideline expects: ICH M3(R2)  (B/I)
               + S7A + S2(R1) for small molecules, ICH S6(R1) for proteins
china          zh renditions, translation pairs and staleness, NMPA envelope    J
references     every id reference between fact records resolves                 (C/E/F)
=============  ===============================================================  =========
"""

from __future__ import annotations

from typing import Callable, Iterable

from ..diagnostics import Diagnostics
from . import cgt, china, cmc, completeness, dates, dose, identity, protocol, references, structure, traceability
from . import guidelines, modality, nonclinical
from . import comedication, consent
from . import placeholders
from .context import CheckContext, RegionBuild

Family = Callable[[CheckContext, Diagnostics], None]

FAMILIES: dict[str, Family] = {
    "references": references.check,
    "identity": identity.check,
    "structure": structure.check,
    "modality": modality.check,
    "completeness": completeness.check,
    "dates": dates.check,
    "cmc": cmc.check,
    "traceability": traceability.check,
    "dose": dose.check,
    "protocol": protocol.check,
    "consent": consent.check,
    "comedication": comedication.check,
    "cgt": cgt.check,
    "guidelines": guidelines.check,
    "nonclinical": nonclinical.check,
    "china": china.check,
    "placeholders": placeholders.check,
}


def run_checks(ctx: CheckContext, diags: Diagnostics, families: Iterable[str] | None = None) -> None:
    """Run the rule families (all, or the named ones, in catalog order) and add their findings to ``diags``.

    Unknown family names raise ``KeyError`` (a caller bug, not a content problem).
    """
    names = list(FAMILIES) if families is None else list(families)
    for name in names:
        if name not in FAMILIES:
            raise KeyError(f"unknown rule family {name!r}; known: {', '.join(FAMILIES)}")
    china.reset_caches()
    for name in FAMILIES:
        if name in names:
            FAMILIES[name](ctx, diags)


__all__ = ["FAMILIES", "CheckContext", "RegionBuild", "run_checks"]
