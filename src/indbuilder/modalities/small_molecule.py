"""Small-molecule drugs: a chemically synthesised drug substance in an oral or parenteral drug product."""

from __future__ import annotations

from .base import ModalityProfile, Requirement, Wording

PROFILE = ModalityProfile(
    name="small-molecule",
    title={"en": "small-molecule drug", "zh": "化学药品"},
    # Small-molecule drugs are reviewed by the Center for Drug Evaluation and Research.
    fda_centre="CDER",
    nmpa_product_type="cnprt1",
    nmpa_category={"en": "Chemical drug", "zh": "化学药品"},
    guideline="ICH M3(R2)",
    dose_units=("mg/kg", "mg"),
    bsa_scaling=True,
    requires=(
        Requirement("product.structure", "3.2.S.1.2 shows the structure drawn from its SMILES (ICH M4Q 3.2.S.1.2)"),
        Requirement("product.strength", "the label, protocol and 3.2.P.1 state the strength of each unit (21 CFR 312.23(a)(7)(iv)(b))"),
    ),
    wording=(
        Wording(r"\btablets?\b", "tablet", "en"),
        Wording(r"\bcapsules?\b", "capsule", "en"),
        Wording(r"片剂|胶囊", "片剂/胶囊", "zh"),
        Wording(r"\bdissolution\b", "dissolution", "en"),
        Wording(r"溶出度", "溶出度", "zh"),
        Wording(r"\bpolymorph", "polymorph", "en"),
        Wording(r"晶型", "晶型", "zh"),
        Wording(r"ICH Q3A|ICH Q3B|ICH Q6A|ICH S2\(R1\)", "ICH Q3A/Q3B/Q6A/S2(R1) (chemical drugs)"),
        Wording(r"\bCDER\b", "CDER"),
    ),
    study_categories=("genotoxicity",),
    priority=10,
)
