"""Whether a filled section is filled from the project's facts or only has a template.

A section whose template exists is planned as filled, whatever the facts say; the outline should tell
"filled from facts" from "template exists, but its facts are missing". No declaration is needed: the
section's documents are rendered, and each document's provenance (:mod:`indbuilder.render.provenance`)
lists the facts it read. A template-filled section is

* ``from-facts`` when its documents rendered and none read a placeholder fact,
* ``template-only`` with ``pending`` placeholders (file:line) when a document read facts that still
  hold ``TODO:`` (:mod:`indbuilder.checks.placeholders`),
* ``template-only`` with ``missing=True`` when the facts do not load (a required fact file is absent or
  invalid), so nothing could be rendered from them; with ``failed=True`` when the facts load but the
  template did not render (``check`` reports the template finding).

Sections filled by narratives or attachments are the user's own documents and have no fact state.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from .planner import DocKind, NodeState, Plan

if TYPE_CHECKING:  # pragma: no cover
    from ..build import RenderedDoc
    from ..checks.placeholders import Placeholder
    from ..diagnostics import Diagnostics


class FactState(str, enum.Enum):
    FROM_FACTS = "from-facts"
    TEMPLATE_ONLY = "template-only"


@dataclass(frozen=True)
class NodeFacts:
    """The fact state of one filled section."""

    state: FactState
    missing: bool = False  # facts did not load: nothing was rendered
    failed: bool = False  # the facts loaded, but the template did not render (a template finding of `check`)
    pending: tuple["Placeholder", ...] = field(default_factory=tuple)

    def describe(self, lang: str = "en") -> str:
        """``from facts`` / ``template only: facts missing`` / ``template only: 3 facts to fill in (product.name at ...)``,
        in English or (``lang`` zh…) Chinese, the language of the outline it is shown in."""
        zh = lang.startswith("zh")
        if self.state is FactState.FROM_FACTS:
            return "由事实数据生成" if zh else "from facts"
        if self.failed:
            return ("仅有模板：无法由事实数据生成（见 'indbuilder check'）" if zh
                    else "template only: it does not render from the facts (see 'indbuilder check')")
        if self.missing or not self.pending:
            return "仅有模板：缺少所需的事实数据" if zh else "template only: its facts are missing"
        first = self.pending[0]
        if zh:
            return f"仅有模板：{len(self.pending)} 项事实待填写，首项为 {first.fact_name}（{first.location}）"
        return f"template only: {len(self.pending)} fact(s) to fill in, first {first.fact_name} at {first.location}"

    def as_json(self) -> dict[str, Any]:
        return {
            "facts": self.state.value,
            "facts_missing": self.missing,
            "render_failed": self.failed,
            "pending": [{"fact": p.fact_name, "location": str(p.location), "text": p.text} for p in self.pending],
        }


def node_facts(plan: Plan, docs: list["RenderedDoc"] | None, placeholders: list["Placeholder"]) -> dict[str, NodeFacts]:
    """The fact state of every filled section of ``plan`` whose documents come from templates.

    ``docs``: the region's rendered documents, or ``None`` when rendering was gated (facts missing)."""
    from ..checks.placeholders import pending_facts

    by_node: dict[str, list["RenderedDoc"]] = {}
    for rd in docs or []:
        by_node.setdefault(rd.node.id if rd.node is not None else rd.element, []).append(rd)
    out: dict[str, NodeFacts] = {}
    for np in plan:
        if np.state is not NodeState.FILLED or not any(d.kind is DocKind.TEMPLATE for d in np.documents):
            continue
        if docs is None:
            out[np.node.id] = NodeFacts(FactState.TEMPLATE_ONLY, missing=True)
            continue
        rendered = [rd for rd in by_node.get(np.node.id, []) if rd.planned.kind is DocKind.TEMPLATE]
        if not rendered:
            out[np.node.id] = NodeFacts(FactState.TEMPLATE_ONLY, failed=True)
            continue
        pending: dict[Any, "Placeholder"] = {}
        for rd in rendered:
            for ph in pending_facts(rd, placeholders):
                pending.setdefault((ph.location.path, ph.location.line), ph)
        state = FactState.TEMPLATE_ONLY if pending else FactState.FROM_FACTS
        out[np.node.id] = NodeFacts(state, pending=tuple(pending.values()))
    return out


def outline_facts(root: Path, region: str, diags: "Diagnostics") -> tuple[Plan | None, dict[str, NodeFacts]]:
    """Load, plan and (when the facts load) render ``region`` to know every section's fact state.

    Only the planner's findings go to ``diags`` (as ``outline`` always reported); rendering findings
    belong to ``check``."""
    from ..checks.placeholders import find_placeholders
    from ..diagnostics import Diagnostics as _Diagnostics
    from ..pipeline import _facts_broken, apply_policy, load_project, plan_regions, render_regions, verify_histories

    scratch = _Diagnostics()
    project = load_project(root, scratch)
    if project is None:
        diags.extend(scratch.items)
        return None, {}
    [rb] = plan_regions(project, [region], scratch)
    broken = _facts_broken(scratch)
    apply_policy(project, scratch)
    diags.extend(scratch.items)
    config = project.config
    placeholders = find_placeholders(config.root, config.content_dir, project.dossier)
    docs: list["RenderedDoc"] | None = None
    if not broken and verify_histories(project, [region], _Diagnostics()):
        [rendered] = render_regions(project, [rb], _Diagnostics())
        docs = rendered.docs
    return rb.plan, node_facts(rb.plan, docs, placeholders)


def summary(facts: Mapping[str, NodeFacts]) -> tuple[int, int]:
    """(sections filled from facts, sections with a template only)."""
    from_facts = sum(1 for f in facts.values() if f.state is FactState.FROM_FACTS)
    return from_facts, len(facts) - from_facts


__all__ = ["FactState", "NodeFacts", "node_facts", "outline_facts", "summary"]
