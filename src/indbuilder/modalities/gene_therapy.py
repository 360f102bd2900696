"""Gene therapies: a viral or non-viral vector given in vivo, or used to modify cells ex vivo."""

from __future__ import annotations

from .base import BIOLOGICS_WORDING, HOST_CELL_WORDING, ModalityProfile, Requirement, Wording

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
    # Narrow patterns: an "expression vector" or "plasmid vector" builds a protein's cell line, "signal
    # transduction" is pharmacology, "transgenic mice" a carcinogenicity model, 受试者脱落 a dropout; 载体
    # alone is any carrier (药物载体), so the Chinese pattern names the viral vector. Shared (same pattern string there): cell bank
    # and host-cell protein (vector producer cells), ICH Q5A-Q5E/Q6B, ICH S6, viral clearance, and CBER with cell
    # therapy.
    wording=BIOLOGICS_WORDING
    + HOST_CELL_WORDING
    + (
        Wording(r"(?<!expression )(?<!plasmid )(?<!cloning )\bvectors?\b|vg/kg", "vector", "en"),
        # 逆转录病毒 alone is ICH Q5A cell-bank wording (retrovirus-like particles of CHO cells); the vector is not
        Wording(r"病毒载体|慢病毒|逆转录病毒载体|腺相关病毒|腺病毒载体|载体基因组|载体拷贝", "病毒载体", "zh"),
        Wording(r"\btransgenes?\b|(?<!signal )\btransduc(?:ed|tion|ing|e)\b", "transgene, transduction", "en"),
        Wording(r"转基因(?!小鼠|大鼠|动物)|(?<!信号)转导", "转基因/转导", "zh"),
        Wording(r"\breplication[- ]competent\b|(?-i:\bRC[LRA]\b)", "replication-competent virus", "en"),
        Wording(r"复制型(?:慢|逆转录|腺)?病毒", "复制型病毒", "zh"),
        Wording(r"\bshedding\b", "shedding", "en"),
        Wording(r"(?:病毒|载体)脱落|排毒", "病毒/载体脱落", "zh"),
        Wording(r"\bintegration[- ]sites?\b|\binsertional (?:mutagenesis|oncogenesis)\b", "integration site", "en"),
        Wording(r"整合位点|插入突变", "整合位点", "zh"),
        Wording(r"\bCBER\b", "CBER"),
    ),
    study_categories=("biodistribution",),
    priority=40,
)
