"""Completeness rules: every section an IND needs has a source or a justified not-applicable.

The planner (:mod:`indbuilder.outline.planner`) emits these; they are registered here at import time.
"""

from __future__ import annotations

from ..rules import Rule, define

_RULES: list[Rule] = []


def _define(id: str, severity: str, summary: str, explanation: str, basis: str) -> str:
    """Register a rule with :func:`indbuilder.rules.define` and keep it in :data:`RULES`."""
    rule = define(id, severity, summary, explanation, basis)
    _RULES.append(rule)
    return rule.id


MISSING = _define(
    "completeness.missing",
    "error",
    "A required section has no source.",
    """
    Every required section of the region's IND outline needs a source: its template, a narrative whose
    front matter declares the node, a user attachment declared at the node, or matching fact records.
    Otherwise declare the section not applicable with a written justification.
    """,
    "21 CFR 312.23(a) (an IND shall contain items (1)-(10)); NMPA eCTD验证标准 4.3.5; "
    "生物制品注册受理审查指南（试行）2025 (keep every CTD number; 不适用 with the reason)",
)

NA_UNJUSTIFIED = _define(
    "completeness.na-unjustified",
    "error",
    "A section is declared not applicable without a justification in the region's language.",
    """
    A not-applicable declaration must say why, in the language the region's documents use
    (English for FDA, Simplified Chinese for NMPA). NMPA prints the reason under the kept number and title.
    """,
    "生物制品注册受理审查指南（试行）2025 Part 1: 如无相关信息或研究资料，应保留项目编号和名称，并注明\u201c不适用\u201d及理由",
)

NA_REQUIRED = _define(
    "completeness.na-required",
    "error",
    "A section that an IND cannot omit is declared not applicable.",
    """
    Some sections cannot be waived for an IND: Form FDA 1571 and the general investigational plan
    (21 CFR 312.23(a)(1), (a)(3)); the NMPA 说明函, 申请表, protocol, informed consent form and
    investigator's brochure (NMPA eCTD validation rule 4.3.5 and the M4 Module 1 IND items).
    """,
    "21 CFR 312.23(a)(1), (a)(3); NMPA eCTD验证标准 4.3.5",
)

UNKNOWN_NODE = _define(
    "completeness.unknown-node",
    "error",
    "Content names an outline node that the region's outline does not have.",
    """
    Narratives (front matter ``node:``), attachments, not-applicable declarations and fact records
    (e.g. a study's ``ich_node``) must name a node id of the outline: the eCTD element name as the
    DTD/XSD spells it. The message suggests the nearest id.
    """,
    "ICH eCTD v3.2.2 ich-ectd-3-2.dtd; FDA us-regional-v3-3.dtd; NMPA cn-regional-1-0.xsd",
)

HEADING_NODE = _define(
    "completeness.heading-node",
    "error",
    "Content is placed at a heading that holds no documents.",
    """
    Grouping headings (e.g. FDA 1.14.4, NMPA 1.3.4) cannot hold leaves; place the document at one of
    the heading's sub-sections.
    """,
    "FDA eCTD Module 1 specification v2.3 section VI (leaves only at the lowest level); cn-regional-1-0.xsd",
)

NOT_FOR_IND = _define(
    "completeness.not-for-ind",
    "error",
    "Content is placed at a section that an IND must not use.",
    """
    The section belongs to marketing or post-approval submissions; an IND sequence must not contain it.
    """,
    "NMPA eCTD验证标准 4.3.6",
)

NA_CONFLICT = _define(
    "completeness.na-conflict",
    "warning",
    "A section is declared not applicable but also has content.",
    """
    The content is used and the not-applicable declaration is ignored; remove one of them.
    """,
    "21 CFR 312.23(a); consistency of the dossier",
)

IND_ITEM_MISSING = _define(
    "completeness.ind-item-missing",
    "error",
    "An item an IND must contain has no section that provides it.",
    """
    For items that may sit in one of several sections (e.g. the protocol of 21 CFR 312.23(a)(6) goes in
    the Module 5 section of its study type; NMPA 1.11 needs 1.11.1 or 1.11.2), at least one of them
    must be filled or declared not applicable.
    """,
    "21 CFR 312.23(a) 'shall submit ... in the following order'; NMPA eCTD验证标准 4.3.5",
)

TEMPLATE_MISSING = _define(
    "completeness.template-missing",
    "error",
    "A fact record needs a document at a section, but the section's template does not exist.",
    """
    A record (e.g. a nonclinical study with ``ich_node``) selects a section whose document is rendered
    from a template; the template file is missing and the record has no attachment of its own.
    """,
    "ICH M4S(R2) 4.2 (one report per study)",
)

NA_UNDECLARED = _define(
    "completeness.na-undeclared",
    "warning",
    "A Module 2-5 section of an NMPA dossier has no content and no 不适用 declaration.",
    """
    NMPA keeps every CTD number and title; a section without information states 不适用 and the reason.
    Declare the section (or its heading) not applicable, or provide content.
    """,
    "生物制品注册受理审查指南（试行）2025 Part 1; 《生物制品注册分类及申报资料要求》(2020)",
)

RULES: tuple[Rule, ...] = tuple(_RULES)
RULE_IDS: tuple[str, ...] = tuple(r.id for r in RULES)
