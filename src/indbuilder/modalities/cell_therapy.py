"""Cell therapies: living human cells, autologous or allogeneic, with or without genetic modification."""

from __future__ import annotations

from .base import BIOLOGICS_WORDING, ModalityProfile, Requirement, Wording

PROFILE = ModalityProfile(
    name="cell-therapy",
    title={"en": "cell therapy product", "zh": "细胞治疗产品"},
    # Cellular products are regulated by CBER (Office of Therapeutic Products), 21 CFR 1271 / PHS Act 351.
    fda_centre="CBER",
    nmpa_product_type="cnprt2",
    nmpa_category={"en": "Therapeutic biological product", "zh": "治疗用生物制品"},
    guideline="FDA Preclinical Assessment of Investigational Cellular and Gene Therapy Products (2013)",
    dose_units=("cells/kg", "cells"),
    bsa_scaling=False,
    requires=(
        Requirement("product.autologous", "autologous or allogeneic decides donor eligibility (21 CFR 1271.90) and labelling"),
        Requirement("product.concentration", "the dose volume is computed from the cell concentration (FDA CGT CMC guidance 2020, IV.A)"),
        Requirement("product.in_use_time", "thawed cells must be given within a stated time (FDA CGT CMC guidance 2020, IV.C.8)"),
        Requirement("drug_product.batches[].donor", "every lot records its donor or tissue source (21 CFR 1271 subpart C)"),
    ),
    # "donor"/"allogeneic" stay clear of a subject's history ("prior allogeneic stem cell transplant", "blood
    # donor"), which any protocol may state, and of chemistry ("hydrogen-bond donor"); "viable cells" of the
    # "viable cell density" of a protein's bioreactor and a "cell suspension culture" are not cell products. Shared with other biological modalities (same pattern string
    # there): cell bank, ICH Q5A-Q5E/Q6B, ICH S6, viral clearance; with gene therapy: CBER.
    wording=BIOLOGICS_WORDING
    + (
        Wording(r"cells/kg|\bviable cells?\b(?! density)|\bcell suspension\b(?! cultur)", "cells/kg, viable cells", "en"),
        Wording(r"个细胞/kg|活细胞(?!密度)|细胞混悬液", "个细胞/kg, 活细胞", "zh"),  # 活细胞密度: a bioreactor reading
        Wording(
            r"(?<!blood )(?<!plasma )(?<!organ )(?<!bond )(?<!H-bond )\bdonors?\b(?! (?:blood|plasma|organ))|\bautologous\b|"
            r"\ballogeneic\b(?! (?:haematopoietic|hematopoietic|stem|bone|HSCT|transplant))|\blipoaspirates?\b|"
            r"\bleukapheresis\b|\bapheresis\b",
            "donor, autologous, allogeneic",
            "en",
        ),
        Wording(r"供者|自体|同种异体|异体细胞|脂肪抽吸物|单采", "供者/自体/异体", "zh"),
        Wording(r"\bchain of (?:identity|custody)\b", "chain of identity", "en"),
        Wording(r"身份链|监管链", "身份链", "zh"),
        Wording(r"\bISCT\b", "ISCT"),
        Wording(r"\bCBER\b", "CBER"),
    ),
    study_categories=("tumorigenicity", "biodistribution"),
    priority=30,
)
