"""Therapeutic proteins and monoclonal antibodies expressed from a cell bank."""

from __future__ import annotations

from .base import ModalityProfile, Requirement, Wording

PROFILE = ModalityProfile(
    name="protein",
    title={"en": "therapeutic protein", "zh": "治疗用生物制品"},
    # Most therapeutic proteins and monoclonal antibodies moved to CDER in 2003 (FDA transfer of
    # therapeutic biological products); regulatory.fda.centre: CBER covers the proteins CBER keeps.
    fda_centre="CDER",
    nmpa_product_type="cnprt2",
    nmpa_category={"en": "Therapeutic biological product", "zh": "治疗用生物制品"},
    guideline="ICH S6(R1)",
    dose_units=("mg/kg", "mg"),
    bsa_scaling=True,
    requires=(
        Requirement("product.protein", "3.2.S.1 describes the protein (ICH Q6B 2.1: structure, glycosylation, variants)"),
        Requirement("drug_substance.cell_bank", "3.2.S.2.3 describes the cell bank system (ICH Q5D)"),
        Requirement("drug_substance.viral_clearance", "3.2.A.2 needs the viral clearance studies (ICH Q5A(R2))"),
    ),
    wording=(
        Wording(r"\bcell banks?\b|\bMCB\b|\bWCB\b", "cell bank", "en"),
        Wording(r"细胞库", "细胞库", "zh"),
        Wording(r"\bhost[- ]cell protein", "host-cell protein", "en"),
        Wording(r"宿主细胞蛋白", "宿主细胞蛋白", "zh"),
        Wording(r"\bmonoclonal antibod", "monoclonal antibody", "en"),
        Wording(r"单克隆抗体", "单克隆抗体", "zh"),
        Wording(r"\bviral clearance\b", "viral clearance", "en"),
        Wording(r"病毒清除", "病毒清除", "zh"),
        Wording(r"ICH Q5A|ICH Q5D|ICH Q6B", "ICH Q5A/Q5D/Q6B (biotechnological products)"),
        Wording(r"ICH S6", "ICH S6 (biotechnology-derived products)"),
        Wording(r"\bCDER\b", "CDER"),
    ),
    priority=20,
)
