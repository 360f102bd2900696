"""Build the :class:`~indbuilder.render.xref.XrefIndex` of one region from the plan and the dossier.

The index must exist before documents are rendered, so the pipeline calls
:func:`build_xref_index` once per region with the eCTD path chosen for every planned document.
Tables get their anchors only when documents are rendered: :func:`register_tables` adds the
tables of rendered documents, so ``table:<id>`` references across documents need a first
rendering pass (diagnostics discarded) before the real one.
"""

from __future__ import annotations

from typing import Any, Mapping

from .. import rules
from ..diagnostics import Diagnostics
from ..doctree import Document, plain_text
from ..outline.planner import NodeState, Plan
from .xref import XrefIndex, XrefTarget

rules.define(
    "xref.duplicate-target",
    "error",
    "Two documents define the same table anchor",
    """
    ``table:<id>`` references must land on one table. The same ``{#id}`` anchor is used by tables
    in two documents of the submission; rename one of them.
    """,
    "ICH eCTD Specification v3.2.2 (hyperlinks reach the intended destination).",
)

# Where batch and specification-test references land when no anchor is known: ICH M4Q sections.
BATCH_NODE = "m3-2-p-5-4-batch-analyses"  # ICH M4Q 3.2.P.5.4 Batch Analyses
SPEC_NODE = "m3-2-p-5-1-specifications"  # ICH M4Q 3.2.P.5.1 Specification(s)
DS_BATCH_NODE = "m3-2-s-4-4-batch-analyses"  # ICH M4Q 3.2.S.4.4 Batch Analyses
DS_SPEC_NODE = "m3-2-s-4-1-specification"  # ICH M4Q 3.2.S.4.1 Specification

_REASONS = {
    NodeState.NOT_APPLICABLE: "declared not applicable",
    NodeState.NOT_PROVIDED: "no document is provided for it",
    NodeState.MISSING: "no document is provided for it (required section missing)",
    NodeState.NOT_FOR_IND: "an IND must not contain this section",
}


def _text(value: Any, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return str(value.get(lang) or "")
    return str(getattr(value, lang, "") or "")


def citation_text(ref: Any) -> str:
    """``Authors. Title. Source; Year. doi:…`` (ICMJE/Vancouver order) for a literature record."""
    parts = [getattr(ref, "authors", ""), getattr(ref, "title", ""), getattr(ref, "source", "")]
    text = ". ".join(p.strip().rstrip(".") for p in parts if p and p.strip())
    year = getattr(ref, "year", None)
    if year:
        text += f"; {year}"
    text += "."
    doi = getattr(ref, "doi", None)
    if doi:
        text += f" doi:{doi}"
    return text


def build_xref_index(
    plan: Plan,
    doc_paths: Mapping[str, str],
    dossier: Any | None = None,
    *,
    batch_node: str = BATCH_NODE,
    spec_node: str = SPEC_NODE,
) -> XrefIndex:
    """Every section, planned document, study, batch, specification test and literature entry.

    ``doc_paths`` maps a planned document's ``doc_id`` to its eCTD path in the sequence
    (``m3/32-body-data/…/stability-summary.pdf``). A section links to the first document at or
    below it; a section is *available* only when the plan fills it (headings: when a
    sub-section is filled), so references to N/A or absent sections give ``xref.not-in-region``.
    """
    ix = XrefIndex()
    outline = plan.outline
    first_path: dict[str, str] = {}
    record_path: dict[tuple[str, str], str] = {}
    for doc in plan.documents():
        path = doc_paths.get(doc.doc_id)
        node = outline.get(doc.node)
        title = doc.title or (node.title.en if node else doc.doc_id)
        title_zh = doc.title or (node.title.zh if node else doc.doc_id)
        if ix.lookup("doc", doc.doc_id) is None:
            ix.add(XrefTarget("doc", doc.doc_id, title, title_zh, path=path, source=doc.location))
        if path:
            first_path.setdefault(doc.node, path)
            if doc.collection and doc.record:
                record_path.setdefault((doc.collection, doc.record), path)
    for node in outline.walk():
        np = plan.nodes.get(node.id)
        state = np.state if np is not None else NodeState.NOT_PROVIDED
        subtree = list(node.walk())
        path = next((first_path[n.id] for n in subtree if n.id in first_path), None)
        if state is NodeState.HEADING:
            filled = any(
                plan.nodes[n.id].state is NodeState.FILLED for n in subtree if n.id in plan.nodes
            )
            available, reason = filled, "" if filled else "none of its sub-sections is provided"
        else:
            available, reason = state is NodeState.FILLED, _REASONS.get(state, "")
        if ix.lookup("section", node.number) is not None or ix.lookup("section", node.id) is not None:
            continue
        ix.add(
            XrefTarget(
                "section",
                node.number,
                node.title.en,
                node.title.zh,
                path=path,
                aliases=(node.id,),
                available=available,
                reason=reason,
            )
        )
    if dossier is not None:
        _add_facts(ix, dossier, first_path, record_path, batch_node, spec_node)
    return ix


def _add_facts(
    ix: XrefIndex,
    dossier: Any,
    first_path: Mapping[str, str],
    record_path: Mapping[tuple[str, str], str],
    batch_node: str,
    spec_node: str,
) -> None:
    where = getattr(dossier, "where", lambda *a: None)
    for s in getattr(dossier, "studies", None) or []:
        ix.add(
            XrefTarget(
                "study",
                s.id,
                _text(getattr(s, "title", None), "en"),
                _text(getattr(s, "title", None), "zh"),
                number=getattr(s, "study_number", "") or s.id,
                path=record_path.get(("studies", s.id)),
                source=where("studies", s.id),
            )
        )
    # A lot links to the batch analyses of the record that holds it (3.2.S.4.4 or 3.2.P.5.4); a test to
    # its specification. Drug product tests come first: `test:` ids the two specifications share name
    # the drug product's test (the one the label, protocol and IB speak of).
    parts = [(dp, batch_node, spec_node) for dp in [getattr(dossier, "drug_product", None)] if dp is not None]
    parts += [(ds, DS_BATCH_NODE, DS_SPEC_NODE) for ds in [getattr(dossier, "drug_substance", None)] if ds is not None]
    for part, lots_node, tests_node in parts:
        for b in part.batches:
            ix.add(XrefTarget("lot", b.id, b.id, b.id, path=first_path.get(lots_node), source=where("batches", b.id)))
    seen_tests: set[str] = set()
    for part, lots_node, tests_node in parts:
        section = "drug_product" if part is getattr(dossier, "drug_product", None) else "drug_substance"
        for t in part.specification.tests if part.specification is not None else []:
            if t.id in seen_tests:
                continue
            seen_tests.add(t.id)
            ix.add(
                XrefTarget(
                    "test",
                    t.id,
                    _text(t.name, "en"),
                    _text(t.name, "zh"),
                    path=first_path.get(tests_node),
                    source=where(section, "specification", "tests", t.id),
                )
            )
    for r in getattr(dossier, "literature", None) or []:
        text = citation_text(r)
        ix.add(
            XrefTarget(
                "lit",
                r.id,
                text,
                text,
                path=record_path.get(("literature", r.id)),
                source=where("literature", r.id),
            )
        )


def register_tables(ix: XrefIndex, document: Document, doc_path: str, diags: Diagnostics) -> None:
    """Add the anchored tables of a rendered document as ``table:<anchor>`` targets."""
    for table in document.tables():
        if not table.anchor:
            continue
        caption = plain_text(table.caption) or table.anchor
        target = XrefTarget(
            "table", table.anchor, caption, caption, number=table.number, path=doc_path, anchor=table.anchor
        )
        existing = ix.lookup("table", table.anchor)
        if existing is not None and existing != target:
            if existing.path != doc_path:
                diags.emit(
                    "xref.duplicate-target",
                    f"table anchor '{table.anchor}' is used in {existing.path} and in {doc_path}",
                )
            continue
        ix.add(target)
