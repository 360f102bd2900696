"""The NMPA Module 1 documents that describe the application itself: 1.1 目录 and 申报资料自查表.

Both are templates (``m1/cn/11-toc.zh.md.j2``, ``m1/cn/11-checklist.zh.md.j2``) fed with data no other
template sees: every document placed in the sequence, and the plan's state of every outline node. The
render stage renders them like any template (without that data they print only their introduction);
:func:`render_contents` renders them again with it as soon as the region's documents are rendered, so
the rule families check what will be written.

The 目录 lists each document's page count, known only once the PDFs exist. The write stage therefore
writes every other document first, counts their pages (:func:`page_count`), and renders and writes the
目录 last (:func:`write_late`), repeating until the 目录's own page count is stable (it lists itself).
Everything it reads is in plan order, so two builds of the same project write the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .build import Project, RegionBuild, RenderedDoc
from .diagnostics import Diagnostics
from .outline.model import Status
from .outline.planner import DocKind, NodeState, Plan, PlannedDocument

TOC_TEMPLATE = "m1/cn/11-toc.md.j2"  # CDE M4 模块一 1.1 目录: the table of contents of the application
CHECKLIST_TEMPLATE = "m1/cn/11-checklist.md.j2"  # 申报资料自查表 (生物制品注册受理审查指南（试行）2025)
# Titles of the documents that share a node with another one: every leaf of an eCTD element needs its own.
# The NMPA Module 1 (cn-regional-1-0.xsd, element-property_CN.xml) has no element for the 自查表, so it is
# a second leaf of cn-1-1 目录, the element that describes the application's contents.
_TITLES: Mapping[str, Mapping[str, str]] = {CHECKLIST_TEMPLATE: {"zh": "申报资料自查表", "en": "Dossier Self-Check Table"}}
# Documents that print page counts: rendered and written after every other document.
LATE_TEMPLATES = frozenset({TOC_TEMPLATE})
_MAX_PASSES = 4  # the 目录's own page count settles after one or two passes


def is_contents(pd: PlannedDocument) -> bool:
    """Whether ``pd`` is rendered with the application's contents (1.1 目录, 申报资料自查表)."""
    return pd.kind is DocKind.TEMPLATE and pd.template in (TOC_TEMPLATE, CHECKLIST_TEMPLATE)


def is_late(rd: RenderedDoc) -> bool:
    """Whether ``rd`` prints the page counts of the other documents (written after them)."""
    return rd.document is not None and rd.planned.template in LATE_TEMPLATES


def page_count(data: bytes) -> int:
    """The number of pages of a PDF (0 when it cannot be read)."""
    from io import BytesIO

    from pypdf import PdfReader

    from .pdfcheck.quiet import quiet_pypdf

    try:
        with quiet_pypdf():
            return len(PdfReader(BytesIO(data)).pages)
    except Exception:  # a damaged user PDF is reported by the PDF checks, not here
        return 0


@dataclass(frozen=True)
class ContentsEntry:
    """One document of the application as the 目录 lists it."""

    module: str  # "1" ... "5"
    number: str  # CTD number of the heading it is placed at
    section: str  # that heading's title
    doc_id: str
    title: str  # the document's own title (its eCTD leaf title)
    pages: int | None  # None until the PDFs are written


@dataclass(frozen=True)
class ChecklistRow:
    """One item of the outline in the 申报资料自查表: required or not, provided, 不适用 or not provided."""

    module: str
    number: str
    title: str
    requirement: str  # "required" | "conditional" | "optional"
    state: str  # "provided" | "not-applicable" | "not-provided" | "missing"
    reason: str  # the 不适用 justification
    doc_ids: tuple[str, ...]  # the documents that provide it, or the 不适用 statement that lists it


def in_sequence(rb: RegionBuild, docs: Sequence[RenderedDoc]) -> list[RenderedDoc]:
    """The documents of ``docs`` placed in ``rb``'s sequence (eCTD leaves), in plan order."""
    from .placement import goes_into_sequence

    placed = rb.placement.items if rb.placement is not None else {}
    return [rd for rd in docs if rd.doc_id in placed and goes_into_sequence(rd.planned)]


def toc_entries(rb: RegionBuild, docs: Sequence[RenderedDoc], pages: Mapping[str, int] | None) -> list[ContentsEntry]:
    """Every document of the sequence with its number, title and (once written) page count."""
    out = []
    for rd in in_sequence(rb, docs):
        node = rb.outline.get(rd.planned.node)
        if node is None:
            continue
        # the eCTD leaf title, as the reviewer's viewer lists the document (placement.leaf_title)
        title = rd.document.meta.ectd_title if rd.document is not None else (rd.planned.title or node.title.get(rb.lang))
        out.append(ContentsEntry(node.module[1:], node.number, node.title.get(rb.lang), rd.doc_id, title,
                                 None if pages is None else pages.get(rd.doc_id)))
    return out


_STATE = {
    NodeState.FILLED: "provided",
    NodeState.NOT_APPLICABLE: "not-applicable",
    NodeState.NOT_PROVIDED: "not-provided",
    NodeState.MISSING: "missing",
}


def checklist_rows(rb: RegionBuild, docs: Sequence[RenderedDoc]) -> list[ChecklistRow]:
    """Every item of the outline that can hold documents (headings and items an IND must not contain
    left out), with what the application provides for it and where."""
    from .outline.na_text import justification_text

    placed = {rd.doc_id for rd in in_sequence(rb, docs)}
    plan = rb.plan
    out = []
    for node in rb.outline.walk():
        np = plan.nodes.get(node.id)
        if np is None or node.is_heading or np.state not in _STATE:
            continue
        ids: tuple[str, ...] = tuple(d.doc_id for d in np.documents if d.doc_id in placed)
        if np.state is NodeState.NOT_APPLICABLE and not ids:  # gathered in a statement above it
            ids = next(
                (tuple(d.doc_id for d in plan.nodes[a.id].documents if d.kind is DocKind.NOT_APPLICABLE and d.doc_id in placed)
                 for a in rb.outline.ancestors(node.id)
                 if any(d.kind is DocKind.NOT_APPLICABLE for d in plan.nodes[a.id].documents)),
                (),
            )
        requirement = node.status.value if node.status in (Status.REQUIRED, Status.CONDITIONAL, Status.OPTIONAL) else "optional"
        out.append(ChecklistRow(node.module[1:], node.number, node.title.get(rb.lang), requirement, _STATE[np.state],
                                justification_text(np.justification, rb.lang), ids))
    return out


def contents_context(rb: RegionBuild, docs: Sequence[RenderedDoc], pages: Mapping[str, int] | None) -> dict[str, Any]:
    """What the contents templates see as ``contents``: ``documents`` (:class:`ContentsEntry`),
    ``checklist`` (:class:`ChecklistRow`) and ``paged`` (whether page counts are known)."""
    return {"documents": toc_entries(rb, docs, pages), "checklist": checklist_rows(rb, docs), "paged": pages is not None}


class ContentsRenderer:
    """Renders the contents documents of one region with the data of :func:`contents_context`.

    Set up as the render stage sets up a region (template search path, facts, cross-reference index),
    so a contents document rendered here is the document the render stage would make with that data.
    """

    def __init__(self, project: Project, rb: RegionBuild) -> None:
        from .render.jinja_env import TemplateEnv
        from .render.xref_index import build_xref_index
        from .sources import template_context, template_dirs

        config, dossier = project.config, project.dossier
        assert rb.placement is not None
        self.project, self.rb = project, rb
        self.env = TemplateEnv(template_dirs(config, dossier), root=config.root, scope=config.read_scope,
                               project_templates=config.settings.templates)
        self.xrefs = build_xref_index(rb.plan, dict(rb.placement.paths), dossier)

        def narrative(narrative_id: str) -> str:  # the contents templates print no narrative
            raise KeyError(f"no narrative '{narrative_id}' in the contents documents")

        self.base = template_context(config, dossier, rb.region, narrative)

    def render(self, rd: RenderedDoc, contents: Mapping[str, Any], diags: Diagnostics) -> RenderedDoc:
        """``rd`` rendered again with ``contents``; ``rd`` itself when its template fails (reported)."""
        from .render.document import TemplateSource, render_document
        from .render.stage import doc_meta

        pd = rd.planned
        node = self.rb.outline.get(pd.node)
        ctx: dict[str, Any] = dict(self.base)
        ctx.update(node={"id": pd.node, "number": node.number if node else "", "title": node.title.get(self.rb.lang) if node else ""},
                   record=None, planned=pd, contents=contents)
        with self.env.collecting(diags):
            doc = render_document(TemplateSource(pd.template or ""), ctx, doc_meta(self.project, self.rb, pd), self.xrefs, diags,
                                  env=self.env, doc_path=rd.path, root=self.project.config.root)
        if doc is None:
            return rd
        doc.meta.toc = sum(1 for _ in doc.headings()) >= 8
        return replace(rd, planned=pd, document=doc)


def titled(pd: PlannedDocument, lang: str) -> PlannedDocument:
    """``pd`` with its own title when it shares its node with another document (the 自查表 at 1.1)."""
    own = _TITLES.get(pd.template or "") if pd.kind is DocKind.TEMPLATE else None
    return replace(pd, title=own.get(lang, own["en"])) if own is not None and pd.title is None else pd


def with_titles(plan: Plan) -> Plan:
    """``plan`` with the contents documents titled (:func:`titled`), before they are placed, indexed for
    cross-references and rendered, so the eCTD leaf, the links and the title page all carry the title."""
    lang = plan.outline.language
    nodes = {k: replace(np, documents=tuple(titled(d, lang) for d in np.documents)) if np.documents else np
             for k, np in plan.nodes.items()}
    return Plan(plan.outline, nodes, plan.diagnostics)


def render_contents(project: Project, rb: RegionBuild, docs: list[RenderedDoc], diags: Diagnostics) -> list[RenderedDoc]:
    """``docs`` with the contents documents rendered with the application's contents (page counts unknown)."""
    if rb.placement is None or not any(is_contents(rd.planned) and rd.document is not None for rd in docs):
        return docs
    renderer = ContentsRenderer(project, rb)
    data = contents_context(rb, docs, None)
    return [renderer.render(rd, data, diags) if is_contents(rd.planned) and rd.document is not None else rd for rd in docs]


def write_late(
    project: Project,
    rb: RegionBuild,
    written: Mapping[str, bytes],
    write: Callable[[RenderedDoc], bytes | None],
) -> dict[str, RenderedDoc]:
    """Render the late documents of ``rb`` with the page counts of ``written`` (doc id -> PDF bytes).

    ``write`` writes one rendered document and returns its PDF (``None`` when it could not be written).
    A late document lists itself, so it is rendered again until the page count it prints for itself is
    the page count it has. Returns the final rendered documents by doc id (their review copies are
    written from them); their PDFs are the last ``write`` of each.
    """
    late = [rd for rd in rb.docs if is_late(rd)]
    if not late:
        return {}
    renderer = ContentsRenderer(project, rb)
    pages = {doc_id: page_count(data) for doc_id, data in written.items()}
    out: dict[str, RenderedDoc] = {}
    for rd in late:
        own = 1
        final = rd
        for _ in range(_MAX_PASSES):
            pages[rd.doc_id] = own
            scratch = Diagnostics()  # its findings were reported when it was rendered without page counts
            final = renderer.render(rd, contents_context(rb, rb.docs, pages), scratch)
            data = write(final)
            if data is None:
                break
            counted = page_count(data)
            if counted == own:
                break
            own = counted
        out[rd.doc_id] = final
    return out
