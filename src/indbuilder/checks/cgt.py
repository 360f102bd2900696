"""Rule family I: cell and gene therapy specifics (release panel, vector safety, LTFU, nonclinical package)."""

from __future__ import annotations

import re

from ..diagnostics import Diagnostics
from ..model.cmc import SpecTest
from .context import CheckContext
from .support import define, project_languages, where


define(
    "cgt.release-safety-panel",
    "error",
    "The release specification lacks a test of the minimum cell/gene therapy safety panel.",
    """
    A cell product is released on sterility, mycoplasma, endotoxin, identity, potency, viability and cell
    number. A genetically modified product adds vector copy number and transgene expression (identity);
    a retro- or lentiviral vector adds replication-competent virus (RCL/RCR) testing.
    """,
    "21 CFR 610.12 (sterility), 610.13 (purity), 610.14 (identity), 610.30 (mycoplasma), 600.3(s) "
    "(potency); FDA Guidance: Content and Review of CMC Information for Human Somatic Cell Therapy INDs "
    "(2008); FDA Guidance: Chemistry, Manufacturing, and Control (CMC) Information for Human Gene Therapy "
    "INDs (2020).",
)
define(
    "cgt.integrating-vector",
    "error",
    "An integrating vector without replication-competent virus testing or without 15-year long-term follow-up.",
    """
    Products made with an integrating vector (lentiviral, gammaretroviral, transposon) carry a risk of
    insertional oncogenesis and, for retroviral vectors, of replication-competent virus. FDA expects RCL/RCR
    testing of the product and long-term follow-up of subjects for up to 15 years; CDE's 2021 LTFU guidance
    applies in China.
    """,
    "FDA Guidance: Long Term Follow-Up After Administration of Human Gene Therapy Products (2020); FDA "
    "Guidance: Testing of Retroviral Vector-Based Human Gene Therapy Products for Replication Competent "
    "Retrovirus During Product Manufacture and Patient Follow-up (2020); CDE "
    "基因治疗产品长期随访临床研究技术指导原则（试行）(2021).",
)
define(
    "cgt.biodistribution-tumorigenicity",
    "error",
    "No biodistribution or no tumorigenicity study, and no not-applicable justification.",
    """
    A cell or gene therapy IND includes biodistribution/persistence and tumorigenicity studies (or a written
    justification for their absence, declared as not applicable for the Module 4 node).
    """,
    "FDA Guidance: Preclinical Assessment of Investigational Cellular and Gene Therapy Products (2013); "
    "CDE 基因修饰细胞治疗产品非临床研究技术指导原则（试行）(2021).",
)
define(
    "cgt.autologous-statement",
    "error",
    "An autologous product has no 'FOR AUTOLOGOUS USE ONLY' label statement.",
    "Labels of autologous cellular products carry 'FOR AUTOLOGOUS USE ONLY' (and its Chinese equivalent on CN labels).",
    "21 CFR 1271.90(c) (FOR AUTOLOGOUS USE ONLY).",
)
define(
    "cgt.potency-moa",
    "warning",
    "A transgene product has no potency test measuring it.",
    "Potency is tied to the mechanism of action: each expressed transgene product needs a potency (or expression) test that names it.",
    "FDA Guidance: Potency Tests for Cellular and Gene Therapy Products (2011); 21 CFR 600.3(s), 610.10.",
)
define(
    "cgt.isct-phenotype",
    "warning",
    "An MSC identity marker limit is looser than the ISCT minimal criteria.",
    """
    ISCT minimal criteria for MSC: CD73, CD90, CD105 positive in ≥ 95 % of cells; CD45, CD34, CD14 or CD11b,
    CD79a or CD19, HLA-DR in ≤ 2 %. A looser limit must be justified in 3.2.P.5.6.
    """,
    "Dominici et al., Minimal criteria for defining multipotent mesenchymal stromal cells, ISCT position "
    "statement, Cytotherapy 2006;8(4):315-317.",
)

# name patterns of the minimum panel: (what, regex over test name + method title, test categories accepted)
_PANEL_CELL = [
    ("sterility", re.compile(r"steril|无菌", re.I)),
    ("mycoplasma", re.compile(r"mycoplasma|支原体", re.I)),
    ("endotoxin", re.compile(r"endotoxin|内毒素", re.I)),
    ("viability", re.compile(r"viabilit|活率", re.I)),
    ("cell number (viable cell count or dose)", re.compile(r"cell (count|number|dose)|viable cells?\b|cells? per|细胞(计数|数|浓度)", re.I)),
]
# (English and Chinese wording: a project's text is in the languages of its regions only)
_VCN = ("vector copy number", re.compile(r"\bVCN\b|copy number|拷贝数", re.I))
_RCV = ("replication-competent virus (RCL/RCR)", re.compile(r"\bRC[LR]\b|replication[- ]competent|复制型", re.I))
_POSITIVE = ("CD73", "CD90", "CD105")
_NEGATIVE = ("CD45", "CD34", "CD14", "CD11B", "CD79A", "CD19", "HLA-DR")
_TOKEN = re.compile(r"\b[A-Z][A-Za-z]*-?\d+[A-Za-z0-9]*\b")


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """I1, I2, I4, I5, I6, I7."""
    d = ctx.dossier
    product = d.product
    if product is None or not (product.kind.has("cell-therapy") or product.kind.has("gene-therapy")):
        return
    cells, gene = product.kind.has("cell-therapy"), product.kind.has("gene-therapy")
    dp = d.drug_product
    tests = [t for t in dp.specification.tests if t.release] if dp is not None else []
    methods = {m.id: m for m in d.methods}

    lang = project_languages(ctx)[0]

    def text_of(t: SpecTest) -> str:
        m = methods.get(t.method)
        # the project's first language: English, or Chinese in an NMPA-only project
        return f"{t.name.get(lang)} {m.title.get(lang) if m else ''}"

    # (what, pattern its test name or method title matches, or the spec category that covers it)
    required: list[tuple[str, re.Pattern[str] | None, str | None]] = []
    if cells:
        required += [(what, rx, None) for what, rx in _PANEL_CELL]
    required += [("identity", None, "identity"), ("potency", None, "potency")]
    vector = product.vector
    if gene and vector is not None:
        if cells:  # vector copy number per transduced cell (ex vivo modified cells)
            required.append((_VCN[0], _VCN[1], None))
        if vector.kind in ("lentiviral", "gammaretroviral"):
            required.append((_RCV[0], _RCV[1], None))
    spec_loc = where(ctx, "drug_product", "specification", "tests")
    for what, rx, category in required:
        if category is not None:
            found = any(t.category == category for t in tests)
        else:
            found = rx is not None and any(rx.search(text_of(t)) for t in tests)
        if not found:
            diags.emit(
                "cgt.release-safety-panel",
                f"the release specification has no {what} test (required for a {product.kind.title('en')}"
                + (f" with a {vector.kind} vector" if vector is not None and what.startswith(("vector", "replication")) else "")
                + ")",
                spec_loc,
            )

    if vector is not None and vector.integrating:
        p = d.protocol
        if p is not None and p.ltfu is not None and p.ltfu.years < 15:  # a missing ltfu is schema.modality-required
            diags.emit(
                "cgt.integrating-vector",
                f"vector {vector.id} ({vector.kind}) integrates, but protocol long-term follow-up is {p.ltfu.years} "
                f"years; expected 15 years",
                where(ctx, "protocol", "ltfu", "years"),
            )
        if vector.kind in ("lentiviral", "gammaretroviral") and not any(_RCV[1].search(text_of(t)) for t in tests):
            diags.emit(
                "cgt.integrating-vector",
                f"vector {vector.id} is an integrating {vector.kind} vector, but no release test detects "
                f"replication-competent virus (RCL/RCR)",
                spec_loc,
            )

    if cells or gene:
        na_nodes = {n.node for n in d.not_applicable}
        for category, label, nodes in (
            ("biodistribution", "biodistribution", ("m4-2-2-3-distribution",)),
            ("tumorigenicity", "tumorigenicity", ("m4-2-3-4", "m4-2-3-7-7")),
        ):
            declared = any(n.startswith(node) for n in na_nodes for node in nodes)
            if not any(s.category == category for s in d.studies) and not declared:
                diags.emit(
                    "cgt.biodistribution-tumorigenicity",
                    f"no {label} study among the nonclinical studies ({len(d.studies)} studies) and no not-applicable "
                    f"declaration for {' or '.join(nodes)}",
                    where(ctx, "studies"),
                )

    if product.autologous:
        stmt = product.autologous_statement
        langs = project_languages(ctx)
        if (
            stmt is None
            or ("en" in langs and "AUTOLOGOUS USE ONLY" not in stmt.en.upper())
            or ("zh" in langs and "自体" not in stmt.zh)
        ):
            diags.emit(
                "cgt.autologous-statement",
                f"product {product.code} is autologous but autologous_statement is "
                + ("missing" if stmt is None else f"'{stmt.en}' / '{stmt.zh}'")
                + "; expected " + " and ".join(
                    w for lang, w in (("en", "'FOR AUTOLOGOUS USE ONLY'"), ("zh", "a Chinese equivalent (仅限自体使用)")) if lang in langs
                ),
                where(ctx, "product", "autologous_statement") or where(ctx, "product", "autologous"),
            )

    if vector is not None:
        potency_text = " ".join(f"{t.name.en} {t.acceptance.en}" for t in tests if t.category in ("potency", "identity"))
        for k, tg in enumerate(vector.transgenes):
            tokens = [tok for tok in _TOKEN.findall(tg.en) if any(c.isdigit() for c in tok)]
            if tokens and not any(tok.lower() in potency_text.lower() for tok in tokens):
                diags.emit(
                    "cgt.potency-moa",
                    f"transgene '{tg.en}' is not measured by any potency or identity test (looked for {', '.join(tokens)})",
                    where(ctx, "product", "vector", "transgenes", k),
                )

    for t in tests:
        if t.category != "identity":
            continue
        name = t.name.en.upper()
        if any(re.search(rf"\b{m}\b", name) for m in _POSITIVE) and t.limit.min is not None and t.limit.min < 95:
            diags.emit(
                "cgt.isct-phenotype",
                f"identity test {t.id} ({t.name.en}) accepts ≥ {t.limit.min:g} %; ISCT minimal criteria require ≥ 95 %",
                where(ctx, "drug_product", "specification", "tests", t.id, "limit"),
            )
        if any(re.search(rf"\b{m}\b", name) for m in _NEGATIVE) and t.limit.max is not None and t.limit.max > 2:
            diags.emit(
                "cgt.isct-phenotype",
                f"identity test {t.id} ({t.name.en}) accepts ≤ {t.limit.max:g} %; ISCT minimal criteria require ≤ 2 %",
                where(ctx, "drug_product", "specification", "tests", t.id, "limit"),
            )
