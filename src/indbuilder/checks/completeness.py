"""Rule family B: completeness of content that the outline planner cannot see.

The planner (``indbuilder.outline``) already reports required sections without a source
(``completeness.missing``) and 21 CFR 312.23(a) / NMPA IND items with no carrier
(``completeness.ind-item-missing``). This family checks what lies inside the content: the QOS
summarises exactly the Module 3 sections present (B10), each nonclinical study has its GLP
statement (B6), labels carry the mandatory statements (B5) and the environmental claim is made (B3).
"""

from __future__ import annotations

import re

from ..diagnostics import Diagnostics, Location
from ..doctree import block_texts, plain_text
from ..outline.model import OutlineNode
from .context import CheckContext, RegionBuild
from .support import (
    CN_LABELS,
    FDA_LABELS,
    define,
    docs_at,
    normalize,
    project_languages,
    rendered,
    where,
)
from ..derived import SAFETY_CATEGORIES

define(
    "completeness.qos-body-match",
    "error",
    "The Quality Overall Summary and Module 3 do not cover the same sections (2.3.S/P <-> 3.2.S/P).",
    """
    The QOS follows the scope and outline of the body of data: a 2.3.S (2.3.P, 2.3.A, 2.3.R) summary exists
    exactly when 3.2.S (3.2.P, 3.2.A, 3.2.R) has content, and every 2.3.S.n / 2.3.P.n heading of the summary
    corresponds to a 3.2.S.n / 3.2.P.n section that is filled or declared not applicable, and the reverse.
    """,
    "ICH M4Q(R1) 2.3 introduction (the QOS follows the scope and outline of the Body of Data in Module "
    "3).",
)
define(
    "completeness.glp-statement",
    "error",
    "A nonclinical study lacks a usable GLP compliance statement (or the reason it was not GLP).",
    """
    For each nonclinical laboratory study the IND contains a statement that it was conducted in compliance
    with the GLP regulations in 21 CFR Part 58 or, if not, a brief statement of the reason. The statement
    must exist in English and Chinese and agree with the study's `glp` flag.
    """,
    "21 CFR 312.23(a)(8)(iii) (GLP compliance statement for each nonclinical laboratory study); 21 CFR "
    "Part 58.",
)
define(
    "completeness.pivotal-not-glp",
    "warning",
    "A pivotal safety study was not conducted under GLP.",
    "Pivotal toxicology supporting a first-in-human trial is expected to be GLP-compliant; a non-GLP pivotal study needs a justification.",
    "21 CFR 58.3(d) (nonclinical laboratory study), 312.23(a)(8)(iii); ICH M3(R2).",
)
define(
    "completeness.label-statement",
    "error",
    "An investigational label lacks the caution statement or the autologous-use statement.",
    """
    Investigational labels (1.14.4.2; CN 1.3.2.1) carry the caution statement "Caution: New Drug—Limited by
    Federal (or United States) law to investigational use" (and its Chinese counterpart), and autologous
    products "FOR AUTOLOGOUS USE ONLY". The rule reads the rendered label documents.
    """,
    "21 CFR 312.6(a) (caution statement); 21 CFR 1271.90(c) (FOR AUTOLOGOUS USE ONLY); 21 CFR "
    "312.23(a)(7)(iv)(d).",
)
define(
    "completeness.environmental-claim",
    "error",
    "The environmental analysis neither claims a categorical exclusion nor refers to an environmental assessment.",
    "An IND contains a claim for categorical exclusion under 21 CFR 25.30/25.31 or an environmental assessment under 25.40.",
    "21 CFR 312.23(a)(7)(iv)(e); 21 CFR 25.31(e).",
)

define(
    "completeness.empty-document",
    "error",
    "A rendered document has no content besides its title.",
    """
    A section counts as provided only if its document says something: a template whose conditions all
    evaluate to nothing (or a narrative with an empty body) produces a document with a title only, which
    would be filed as if the IND item were present.
    """,
    "21 CFR 312.23(a) (each item shall be submitted); 生物制品注册受理审查指南（试行）(CDE, 2025) §三 (an item without "
    "content keeps its number and title and states 不适用 with the reason, never an empty section).",
)

_PARTS = (("s", "drug-substance"), ("p", "drug-product"), ("a", "appendices"), ("r", "regional-information"))
_QOS_HEADING = re.compile(r"^\s*2\.3\.([SPAR])\.(\d+)\b", re.I)
_FILLED = {"filled", "not-applicable"}


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """B3, B5, B6, B10."""
    _glp(ctx, diags)
    _environment(ctx, diags)
    _labels(ctx, diags)
    for region in ctx.regions:
        _qos(ctx, region, diags)
    for rd in rendered(ctx):
        body = [t for t in block_texts(rd.doc) if t.strip()]
        headings = {normalize(plain_text(h.children)) for h in rd.doc.headings()} | {normalize(rd.doc.meta.title)}
        if all(normalize(t) in headings for t in body):
            diags.emit(
                "completeness.empty-document",
                f"{rd.label} ({rd.region}) has no content besides its title and headings",
                rd.source,
            )


def _glp(ctx: CheckContext, diags: Diagnostics) -> None:
    for s in ctx.dossier.studies:
        st = s.glp_statement
        loc = where(ctx, "studies", s.id, "glp_statement")
        langs = project_languages(ctx)
        empty = [lang for lang in langs if lang not in st.texts() or not st.texts()[lang].strip()]
        if empty:
            diags.emit(
                "completeness.glp-statement",
                f"study {s.id} ({s.study_number}) has an empty GLP statement ({', '.join(empty)})",
                loc,
            )
            continue
        # read in English when the project writes English, else in Chinese (NMPA-only project)
        en = st.en.lower() if "en" in langs else st.zh.lower()
        negated = bool(re.search(r"\bnot\b|\bnon[- ]?glp\b|\bno\b|非glp|未按|不符合|未在", en))
        if s.glp and (negated or not re.search(r"\bglp\b|part 58|58|质量管理规范", en)):
            diags.emit(
                "completeness.glp-statement",
                f"study {s.id} ({s.study_number}) is glp: true, but its statement '{st.get(langs[0])}' does not state "
                f"compliance with 21 CFR Part 58",
                loc,
            )
        elif not s.glp and not negated:
            diags.emit(
                "completeness.glp-statement",
                f"study {s.id} ({s.study_number}) is glp: false, but its statement '{st.get(langs[0])}' does not say why it "
                f"was not conducted under GLP",
                loc,
            )
        if s.pivotal and s.category in SAFETY_CATEGORIES and not s.glp:
            diags.emit(
                "completeness.pivotal-not-glp",
                f"pivotal {s.category} study {s.id} ({s.study_number}) is not GLP",
                where(ctx, "studies", s.id, "glp"),
            )


def _environment(ctx: CheckContext, diags: Diagnostics) -> None:
    reg = ctx.dossier.regulatory
    if reg is None or "fda" not in ctx.config.settings.regions:
        return
    text = reg.environmental_assessment.en
    if not re.search(r"25\.3[01]|25\.40|categorical exclusion|environmental assessment", text, re.I):
        diags.emit(
            "completeness.environmental-claim",
            f"regulatory.environmental_assessment '{text}' cites neither a categorical exclusion (21 CFR 25.30/25.31) "
            f"nor an environmental assessment (21 CFR 25.40)",
            where(ctx, "regulatory", "environmental_assessment", "en"),
        )


def _labels(ctx: CheckContext, diags: Diagnostics) -> None:
    product = ctx.dossier.product
    if product is None:
        return
    for rd in docs_at(ctx, [FDA_LABELS, CN_LABELS]):
        text = normalize(rd.text).lower()
        wanted = [("caution statement", product.caution_statement.get(rd.lang), ("product", "caution_statement", rd.lang))]
        if product.autologous and product.autologous_statement is not None:
            wanted.append(
                ("autologous statement", product.autologous_statement.get(rd.lang), ("product", "autologous_statement", rd.lang))
            )
        for label, value, path in wanted:
            if normalize(value).lower() not in text:
                diags.emit(
                    "completeness.label-statement",
                    f"{rd.label} ({rd.region}) does not carry the {label} "
                    f"'{value}'",
                    rd.source or where(ctx, *path),
                )


def _state(region: RegionBuild, node_id: str) -> str | None:
    node_plan = region.plan.nodes.get(node_id)
    return node_plan.state.value if node_plan is not None else None


def _planned_source(region: RegionBuild, node_id: str) -> Location | None:
    """The source file of the first planned document at ``node_id`` or below it."""
    outline_node = region.outline.get(node_id)
    below = {n.id for n in outline_node.walk()} if outline_node is not None else set()
    rendered = next((d.source for d in region.docs if d.element in below and d.source is not None), None)
    if rendered is not None:
        return rendered
    # nothing rendered there (check stopped early): the file the plan would render it from
    for pd in region.plan.documents():
        origin = pd.template or pd.narrative or pd.attachment
        if pd.node in below and origin:
            return Location(origin)
    return None


def _has_content(region: RegionBuild, node: OutlineNode) -> bool:
    """A section, or one of its sub-sections, is filled or declared not applicable."""
    return any(_state(region, n.id) in _FILLED for n in node.walk())


def _qos(ctx: CheckContext, region: RegionBuild, diags: Diagnostics) -> None:
    plan, outline = region.plan, region.outline
    for letter, name in _PARTS:
        qos_id, body_id = f"m2-3-{letter}-{name}", f"m3-2-{letter}-{name}"
        body = outline.get(body_id)
        if qos_id not in plan.nodes or body_id not in plan.nodes or body is None:
            continue
        qos_filled = _state(region, qos_id) == "filled"
        body_filled = [n for n in body.walk() if _state(region, n.id) == "filled"]
        loc = _planned_source(region, qos_id if qos_filled else body_id)
        qos_number = f"2.3.{letter.upper()}"
        body_number = f"3.2.{letter.upper()}"
        if qos_filled and not body_filled:
            diags.emit(
                "completeness.qos-body-match",
                f"{region.region}: {qos_number} summarises {body_number}, but no {body_number} section has content",
                loc,
            )
        elif body_filled and not qos_filled:
            diags.emit(
                "completeness.qos-body-match",
                f"{region.region}: {body_number} has content ({', '.join(n.number for n in body_filled[:5])}"
                f"{', …' if len(body_filled) > 5 else ''}) but the QOS has no {qos_number} summary",
                loc,
            )
    # headings inside the rendered QOS documents against the body sections
    for rd in region.documents:
        if not rd.element.startswith("m2-3-"):
            continue
        doc, loc = rd.doc, rd.source
        seen: set[tuple[str, str]] = set()
        for h in doc.headings():
            heading = plain_text(h.children)
            label = heading if not h.numbered or heading.startswith(h.numbered) else f"{h.numbered} {heading}"
            m = _QOS_HEADING.match(label)
            if not m:
                continue
            letter, n = m.group(1).upper(), m.group(2)
            seen.add((letter, n))
            body = outline.by_number(f"3.2.{letter}.{n}")
            if body is None or not _has_content(region, body):
                diags.emit(
                    "completeness.qos-body-match",
                    f"{region.region}: {doc.meta.title} has a {normalize(label)} summary, but section 3.2.{letter}.{n} "
                    f"{'is not in the outline' if body is None else 'has no content'}",
                    loc,
                )
        letters = {letter for letter, _ in seen}
        for letter in letters:
            body_root = outline.get(f"m3-2-{letter.lower()}-{dict(_PARTS)[letter.lower()]}")
            if body_root is None:
                continue
            for child in body_root.children:
                number = child.number.split(".")
                if len(number) != 4 or not any(_state(region, c.id) == "filled" for c in child.walk()):
                    continue
                if (letter, number[3]) not in seen:
                    diags.emit(
                        "completeness.qos-body-match",
                        f"{region.region}: section {child.number} {child.title.get(region.lang)} has content, but "
                        f"{doc.meta.title} has no 2.3.{letter}.{number[3]} summary",
                        loc,
                    )
