"""Small helpers shared by the rule families: locations, id lists, document text and lookups.

Rule families read two kinds of input (see :class:`~indbuilder.checks.context.CheckContext`):

* the facts (``ctx.dossier``), whose every key has a file:line through ``dossier.where(...)``;
* per region, the rendered documents (``ctx.regions[*].documents``, :class:`~indbuilder.doctree.Document`).
  Their plain text is read with :func:`document_text`, and a finding in a rendered document is placed
  at the document's source (template or narrative) as recorded in ``RegionResult.sources``.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from .. import rules
from ..diagnostics import Location
from ..doctree import Document, block_texts, document_text, table_rows  # noqa: F401  (re-exported for rule families)
from .context import CheckContext, RegionResult


def define(id: str, severity: str, summary: str, explanation: str = "", basis: str = "") -> rules.Rule:
    """:func:`indbuilder.rules.define` with the explanation dedented (rule texts are indented in the source)."""
    return rules.define(id, severity, summary, textwrap.dedent(explanation), basis)


def where(ctx: CheckContext, *path: Any) -> Location | None:
    """The file:line of a fact (the nearest recorded parent when the exact key is not recorded)."""
    return ctx.dossier.where(*path)


def known(ids: Iterable[str], limit: int = 8) -> str:
    """A short, sorted list of known ids for a message: ``A, B, C, … (12 in all)``."""
    items = sorted(set(ids))
    if not items:
        return "none"
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f", … ({len(items)} in all)"


def num(value: float) -> str:
    """A number as a reviewer writes it: ``2e+07`` becomes ``2.0 × 10^7``; small numbers stay plain."""
    if value == 0:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-3:
        mantissa, exp = f"{value:.3e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        if "." not in mantissa:
            mantissa += ".0"
        return f"{mantissa} × 10^{int(exp)}"
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text


def normalize(text: str) -> str:
    """Whitespace-collapsed text for comparisons (keeps case and punctuation)."""
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class RenderedDoc:
    """A rendered document with its region, the place its text comes from and its planned document."""

    region: RegionResult
    doc: Document
    location: Location | None
    planned: Any = None  # indbuilder.outline.PlannedDocument when known

    @property
    def element(self) -> str:
        return self.doc.meta.element

    @property
    def label(self) -> str:
        """How findings name the document: CTD section and title, e.g. "3.2.P.8.1 Stability Summary"."""
        return f"{self.doc.meta.ctd_section} {self.doc.meta.title}"

    @property
    def lang(self) -> str:
        return self.doc.meta.lang

    @property
    def text(self) -> str:
        cached = _TEXT.get(id(self.doc))
        if cached is None or cached[0] is not self.doc:
            cached = (self.doc, document_text(self.doc))
            _TEXT[id(self.doc)] = cached
        return cached[1]


_TEXT: dict[int, tuple[Document, str]] = {}  # document text by id(document), checked against the object


def reset_caches() -> None:
    """Forget cached document texts and plan pairings (``run_checks`` calls it before and after a run)."""
    _TEXT.clear()
    _PLANNED.clear()


def planned_documents(region: RegionResult) -> dict[int, Any]:
    """The planned document (``PlannedDocument``) of each rendered document, keyed by ``id(document)``.

    ``RegionResult.documents`` lists the rendered documents in the order of ``RegionResult.sources``
    (keyed by planned doc id, attachments included); the plan gives each doc id its node. The pairing is
    used only when every paired document sits at its planned node, otherwise it is empty.
    """
    cached = _PLANNED.get(id(region))
    if cached is not None and cached[0] is region:
        return cached[1]
    by_id: dict[str, Any] = {}
    for node_plan in (getattr(region.plan, "nodes", None) or {}).values():
        for pd in getattr(node_plan, "documents", ()):
            by_id.setdefault(pd.doc_id, pd)
    rendered_ids = [k for k in region.sources if k in by_id and getattr(by_id[k], "kind", None) != "attachment"]
    pairs: dict[int, Any] = {}
    if len(rendered_ids) == len(region.documents) and all(
        getattr(by_id[k], "node", None) == doc.meta.element for k, doc in zip(rendered_ids, region.documents)
    ):
        pairs = {id(doc): by_id[k] for k, doc in zip(rendered_ids, region.documents)}
    _PLANNED[id(region)] = (region, pairs)
    return pairs


_PLANNED: dict[int, tuple[RegionResult, dict[int, Any]]] = {}


def source_of(region: RegionResult, doc: Document) -> Location | None:
    """The template or narrative a document was rendered from, as ``RegionResult.sources`` records it.

    ``sources`` is keyed by planned doc id (the pipeline) or by element (optionally ``<element>/<doc id>``).
    """
    planned = planned_documents(region).get(id(doc))
    if planned is not None and planned.doc_id in region.sources:
        return Location(region.sources[planned.doc_id])
    element = doc.meta.element
    if element in region.sources:
        return Location(region.sources[element])
    candidates = sorted(k for k in region.sources if k.startswith(element))
    title_slug = re.sub(r"[^a-z0-9]+", "-", doc.meta.title.lower())
    for key in candidates:
        rest = key[len(element) :].lstrip("/#:+ ").lower()
        if rest and rest in title_slug:
            return Location(region.sources[key])
    if candidates:
        return Location(region.sources[candidates[0]])
    # keyed by planned doc id but not pairable: the plan's documents at this element
    nodes = getattr(region.plan, "nodes", None) or {}
    planned_here = [
        pd
        for node_id, node_plan in nodes.items()
        for pd in getattr(node_plan, "documents", ())
        if getattr(pd, "node", node_id) == element and pd.doc_id in region.sources
    ]
    if planned_here:
        best = next((pd for pd in planned_here if pd.title and pd.title == doc.meta.title), planned_here[0])
        return Location(region.sources[best.doc_id])
    return None


def rendered(ctx: CheckContext, region: str | None = None) -> Iterator[RenderedDoc]:
    """Every rendered document (of one region, or of all), with its source location."""
    for r in ctx.regions:
        if region is not None and r.region != region:
            continue
        planned = planned_documents(r)
        for doc in r.documents:
            yield RenderedDoc(r, doc, source_of(r, doc), planned.get(id(doc)))


def docs_at(ctx: CheckContext, elements: Iterable[str], region: str | None = None) -> list[RenderedDoc]:
    """Rendered documents placed at any of ``elements`` (exact element ids or ``prefix*`` patterns)."""
    pats = list(elements)

    def match(element: str) -> bool:
        return any(element.startswith(p[:-1]) if p.endswith("*") else element == p for p in pats)

    return [d for d in rendered(ctx, region) if match(d.element)]


def narrative_lines(ctx: CheckContext, lang: str | None = None) -> Iterator[tuple[Any, int, str]]:
    """``(narrative, file line, text)`` for every body line of the Markdown narratives."""
    for n in ctx.dossier.narratives:
        if lang is not None and n.lang != lang:
            continue
        for i, line in enumerate(n.body.splitlines()):
            yield n, n.body_line + i, line


def find_line(text: str, needle: str) -> int:
    """1-based line of the first occurrence of ``needle`` in ``text`` (0 when absent)."""
    idx = text.find(needle)
    return text.count("\n", 0, idx) + 1 if idx >= 0 else 0


# Elements (eCTD element names) of the documents several rules read. FDA Module 1 names follow
# us-regional-v3-3.dtd, CN ones cn-regional-1-0.xsd, Modules 2-5 ich-ectd-3-2.dtd.
FDA_IB = "m1-14-4-1-investigational-brochure"
FDA_LABELS = "m1-14-4-2-investigational-drug-labeling"
FDA_PLAN = "m1-20-general-investigational-plan-for-initial-ind"
FDA_COVER = "m1-2-cover-letters"
CN_COVER = "cn-1-0"
CN_FORM = "cn-1-2"
CN_INSERT = "cn-1-3-1-1"
CN_LABELS = "cn-1-3-2-1"
CN_MFG_TESTING = "cn-1-3-3"
CN_PROTOCOL = "cn-1-3-4-1"
CN_ICF = "cn-1-3-4-2"
CN_IB = "cn-1-3-4-3"
P81 = "m3-2-p-8-1-stability-summary-and-conclusion"
P51 = "m3-2-p-5-1-specifications"


def is_protocol_doc(d: RenderedDoc, protocol_number: str) -> bool:
    """Whether a rendered document is the clinical protocol itself (CN 1.3.4.1 or the Module 5 protocol)."""
    if d.element == CN_PROTOCOL:
        return True
    if not d.element.startswith("m5-3-"):
        return False
    if d.planned is not None:
        what = " ".join(str(getattr(d.planned, k, None) or "") for k in ("doc_id", "template", "narrative")).lower()
        return "protocol" in what
    title = d.doc.meta.title.lower()
    return "protocol" in title or "方案" in title or protocol_number.lower() in title
