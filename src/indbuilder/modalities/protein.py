"""Therapeutic proteins and monoclonal antibodies expressed from a cell bank."""

from __future__ import annotations

from .base import BIOLOGICS_WORDING, HOST_CELL_WORDING, ModalityProfile, Requirement, Wording

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
    # Shared with other biological modalities (same pattern string there): cell bank (allogeneic cells, vector
    # producer cells), host-cell protein (vectors), ICH Q5A-Q5E/Q6B (biotechnological/biological products),
    # ICH S6 and viral clearance (a cell product explains why it has none). Viral inactivation is left out: any
    # product's raw materials (albumin, heparin, gelatin) may have it. Foreign to a chemical drug only.
    wording=BIOLOGICS_WORDING
    + HOST_CELL_WORDING
    + (
        # protein only
        Wording(r"\bmonoclonal antibod(?:y|ies)\b|(?-i:\bmAbs?\b)", "monoclonal antibody", "en"),
        Wording(r"单克隆抗体|单抗", "单克隆抗体", "zh"),
        Wording(r"\bglycoforms?\b|\bglycan profile\b|\bcharge variants?\b", "glycoform, charge variant", "en"),
        Wording(r"糖型|电荷变异体", "糖型/电荷变异体", "zh"),
        Wording(r"\bCDER\b", "CDER"),
    ),
    priority=20,
)
