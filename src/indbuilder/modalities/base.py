"""What a product modality is to indbuilder: the :class:`ModalityProfile` every modality module exports.

A modality (small molecule, therapeutic protein, cell therapy, gene therapy, or one a plug-in registers)
decides which facts a product must have, which guideline governs its nonclinical programme, which FDA
centre receives its IND, its NMPA registration category, the dose units it is given in, and the wording
that only its documents use. A product may combine modalities where reality does: a genetically modified
cell therapy is ``[cell-therapy, gene-therapy]``.

Profiles are plain data: importing one is cheap and pulls in nothing heavy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Centre = Literal["CDER", "CBER"]


@dataclass(frozen=True)
class Requirement:
    """A fact a product of this modality must have, and why (shown to the writer when it is missing).

    ``path`` is a dotted fact path: ``product.structure``, ``drug_substance.cell_bank``,
    ``protocol.ltfu``; ``batches[].donor`` means "every batch of the drug product".
    """

    path: str
    why: str


@dataclass(frozen=True)
class Wording:
    """A word or phrase only documents of this modality use (``identity.modality-wording``).

    ``pattern`` is a regular expression matched case-insensitively against a document's text in
    ``lang`` (``None``: every language). ``what`` names it for the finding.
    """

    pattern: str
    what: str
    lang: str | None = None

    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.pattern, re.IGNORECASE)


@dataclass(frozen=True)
class ModalityProfile:
    """One product modality (see the module docstring)."""

    name: str  # "small-molecule"
    title: dict[str, str]  # the kind of product in words, per language: {"en": "small-molecule drug", "zh": "化学药品"}
    fda_centre: Centre  # 21 CFR 5.1100 / the FDA intercentre agreements: who reviews the IND
    nmpa_product_type: str  # NMPA eCTD envelope product-type code: cnprt1 化学药品, cnprt2 生物制品
    nmpa_category: dict[str, str]  # registration category family (《药品注册管理办法》 2020 第四条)
    guideline: str  # the guideline that sets the nonclinical programme
    dose_units: tuple[str, ...]  # units a clinical dose of this modality may be stated in
    bsa_scaling: bool  # FDA 2005 MRSD guidance: body-surface-area conversion of the NOAEL applies
    requires: tuple[Requirement, ...] = ()
    wording: tuple[Wording, ...] = ()  # words only this modality's documents use
    study_categories: tuple[str, ...] = ()  # nonclinical study categories only this modality has
    priority: int = 50  # order of template parts when modalities combine (lower first)
    related: tuple[str, ...] = field(default=())  # modalities whose wording this one may share


# Wording every biological modality shares (protein, cell therapy, gene therapy): foreign to a chemical drug
# only. One tuple, so the pattern strings are the same in each profile (foreign_wording compares them).
# Cell bank: allogeneic cells, vector producer cells; ICH Q5A-Q5E/Q6B: biotechnological/biological products;
# ICH S6 and viral clearance: a cell product also explains why it has none.
BIOLOGICS_WORDING: tuple[Wording, ...] = (
    Wording(r"\bcell banks?\b|\bMCB\b|\bWCB\b", "cell bank", "en"),
    Wording(r"细胞库", "细胞库", "zh"),
    Wording(r"ICH Q5[A-E]|ICH Q6B", "ICH Q5A-Q5E/Q6B (biotechnological/biological products)"),
    Wording(r"ICH S6", "ICH S6 (biotechnology-derived products)"),
    Wording(r"\bviral clearance\b", "viral clearance", "en"),
    Wording(r"病毒清除", "病毒清除", "zh"),
)
# Shared by protein and gene therapy (vectors are made in cell substrates too).
HOST_CELL_WORDING: tuple[Wording, ...] = (
    Wording(r"\bhost[- ]cell proteins?\b", "host-cell protein", "en"),
    Wording(r"宿主细胞蛋白", "宿主细胞蛋白", "zh"),
)

__all__ = ["BIOLOGICS_WORDING", "Centre", "HOST_CELL_WORDING", "ModalityProfile", "Requirement", "Wording"]
