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
    # Words only a chemical drug's documents use. Patterns stay narrow so that legitimate text of other
    # modalities never matches: "capsule" of an organ in histopathology, genetic "polymorphism" (CYP2D6,
    # FcγR), ICH S2(R1)/M3(R2), which biologics cite to say a study does not apply, are left out.
    wording=(
        Wording(r"(?<!renal )(?<!joint )(?<!lens )(?<!liver )(?<!hepatic )(?<!splenic )(?<!adrenal )\b(?:tablets?|capsules?)\b", "tablet, capsule", "en"),
        Wording(r"\bfilm[- ]coated\b|\bcoating suspension\b", "film coating", "en"),
        Wording(r"片剂|胶囊|薄膜衣", "片剂/胶囊/薄膜衣", "zh"),
        Wording(r"\bdissolution\b", "dissolution", "en"),
        Wording(r"溶出度|溶出曲线", "溶出度", "zh"),
        Wording(r"\bpolymorphs?\b|\bpolymorphic forms?\b|\bcrystalline forms?\b", "polymorph, crystalline form", "en"),
        Wording(r"晶型", "晶型", "zh"),
        Wording(r"\bstarting materials? for synthesis\b|\bsynthetic route\b|\broute of synthesis\b", "synthetic route", "en"),
        Wording(r"合成路线", "合成路线", "zh"),
        # chemical drugs: impurities (Q3A/Q3B) and specifications (Q6A); Q3C/Q3D apply to every product
        Wording(r"ICH Q3A|ICH Q3B|ICH Q6A", "ICH Q3A/Q3B/Q6A (chemical drugs)"),
        Wording(r"\bCDER\b", "CDER"),
    ),
    study_categories=("genotoxicity",),
    priority=10,
)
