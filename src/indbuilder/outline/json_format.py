"""``indbuilder outline --format json``: every section's state, documents and fact state, for tools."""

from __future__ import annotations

import json
from typing import Any, Mapping

from .fact_state import NodeFacts, summary
from .planner import Plan


def outline_json(plan: Plan, facts: Mapping[str, NodeFacts] | None = None) -> str:
    """The plan as JSON: ``{"region", "version", "sections": [{id, number, title, state, documents, facts, ...}], "counts"}``."""
    facts = facts or {}
    sections: list[dict[str, Any]] = []
    for np in plan:
        entry: dict[str, Any] = {
            "id": np.node.id,
            "number": np.node.number,
            "title": np.node.title.en,
            "state": np.state.value,
            "documents": [
                {"kind": d.kind.value, "source": d.template or d.narrative or d.attachment, "record": d.record}
                for d in np.documents
            ],
        }
        if np.node.id in facts:
            entry.update(facts[np.node.id].as_json())
        if np.expected and np.state.value in ("missing", "not-provided"):
            entry["expected"] = list(np.expected)
        sections.append(entry)
    from_facts, template_only = summary(facts)
    counts = {state.value: n for state, n in plan.counts().items()}
    counts.update({"from-facts": from_facts, "template-only": template_only})
    doc = {"region": plan.outline.region, "version": plan.outline.version, "sections": sections, "counts": counts}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


__all__ = ["outline_json"]
