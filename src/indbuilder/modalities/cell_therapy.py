"""Cell therapies: living human cells, autologous or allogeneic, with or without genetic modification."""

from __future__ import annotations

from .base import ModalityProfile, Requirement, Wording

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
    wording=(
        Wording(r"cells/kg|\bviable cells?\b|\bcell suspension\b", "cells/kg, viable cells", "en"),
        Wording(r"个细胞|活细胞|细胞混悬液", "个细胞/活细胞", "zh"),
        Wording(r"\bdonors?\b|\bautologous\b|\ballogeneic\b|\blipoaspirate\b|\bapheresis\b", "donor, autologous, allogeneic", "en"),
        Wording(r"供者|自体|异体", "供者/自体/异体", "zh"),
        Wording(r"\bchain of identity\b", "chain of identity", "en"),
        Wording(r"身份链", "身份链", "zh"),
        Wording(r"\bISCT\b", "ISCT"),
        Wording(r"\bCBER\b", "CBER"),
        Wording(r"ICH S6", "ICH S6 (biotechnology-derived products)"),
    ),
    study_categories=("tumorigenicity", "biodistribution"),
    priority=30,
)
