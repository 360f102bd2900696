"""Gene therapies: a viral or non-viral vector given in vivo, or used to modify cells ex vivo."""

from __future__ import annotations

from .base import ModalityProfile, Requirement, Wording

PROFILE = ModalityProfile(
    name="gene-therapy",
    title={"en": "gene therapy product", "zh": "基因治疗产品"},
    # Gene therapy products are regulated by CBER (Office of Therapeutic Products).
    fda_centre="CBER",
    nmpa_product_type="cnprt2",
    nmpa_category={"en": "Therapeutic biological product", "zh": "治疗用生物制品"},
    guideline="FDA Preclinical Assessment of Investigational Cellular and Gene Therapy Products (2013)",
    dose_units=("vg/kg", "vg"),
    bsa_scaling=False,
    requires=(
        Requirement("product.vector", "the vector decides replication-competent virus testing and follow-up (FDA CGT CMC guidance 2020)"),
        Requirement("protocol.ltfu", "long-term follow-up for delayed adverse events (FDA guidance Long Term Follow-up After Administration of Human Gene Therapy Products, 2020)"),
        Requirement("consent.ltfu", "the consent form explains the long-term follow-up (FDA LTFU guidance 2020, VI.B)"),
    ),
    wording=(
        Wording(r"\bvectors?\b|\bvector genomes?\b|vg/kg", "vector", "en"),
        Wording(r"载体", "载体", "zh"),
        Wording(r"\btransgenes?\b|\btransduc", "transgene, transduction", "en"),
        Wording(r"转导", "转导", "zh"),
        Wording(r"\breplication[- ]competent\b|\bRC[LRA]\b", "replication-competent virus", "en"),
        Wording(r"复制型", "复制型", "zh"),
        Wording(r"\bshedding\b", "shedding", "en"),
        Wording(r"\bintegration[- ]site", "integration site", "en"),
        Wording(r"\bCBER\b", "CBER"),
        Wording(r"ICH S6", "ICH S6 (biotechnology-derived products)"),
    ),
    study_categories=("biodistribution",),
    priority=40,
)
