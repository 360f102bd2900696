"""A readable tree of a plan: every node's number, title and state (``indbuilder outline``)."""

from __future__ import annotations

from typing import Mapping

from .fact_state import FactState, NodeFacts, summary as facts_summary
from .na_text import justification_text
from .planner import NodePlan, NodeState, Plan, PlannedDocument

_ANSI = {
    NodeState.FILLED: "\x1b[32m",  # green
    NodeState.MISSING: "\x1b[1;31m",  # bold red
    NodeState.NOT_APPLICABLE: "\x1b[36m",  # cyan
    NodeState.NOT_PROVIDED: "\x1b[2m",  # dim
    NodeState.NOT_FOR_IND: "\x1b[2m",
    NodeState.HEADING: "\x1b[1m",  # bold
}
_RESET = "\x1b[0m"

_WORDS = {
    "en": {
        NodeState.FILLED: "filled",
        NodeState.MISSING: "MISSING",
        NodeState.NOT_APPLICABLE: "not applicable",
        NodeState.NOT_PROVIDED: "not provided",
        NodeState.NOT_FOR_IND: "not for IND",
        "documents": "documents",
        "document": "document",
        "inherited": "see",
    },
    "zh": {
        NodeState.FILLED: "已提供",
        NodeState.MISSING: "缺失",
        NodeState.NOT_APPLICABLE: "不适用",
        NodeState.NOT_PROVIDED: "未提供",
        NodeState.NOT_FOR_IND: "不适用于临床试验申请",
        "documents": "份文件",
        "document": "份文件",
        "inherited": "见",
    },
}


def _state_text(np: NodePlan, lang: str, plan: Plan, facts: NodeFacts | None = None) -> str:
    words = _WORDS["zh" if lang.startswith("zh") else "en"]
    if np.state is NodeState.HEADING:
        return ""
    text = words[np.state]
    if np.state is NodeState.FILLED and facts is not None and facts.state is FactState.TEMPLATE_ONLY:
        return facts.describe() + " — " + _sources(np)
    if np.state is NodeState.FILLED and facts is not None:
        text += " from facts"
    if np.state is NodeState.FILLED:
        n = len(np.documents)
        text += f" ({n} {words['document'] if n == 1 else words['documents']}): " + _sources(np)
    elif np.state is NodeState.NOT_APPLICABLE:
        if np.na_declared_at and np.na_declared_at != np.node.id:
            text += f" ({words['inherited']} {plan.outline[np.na_declared_at].number})"
        else:
            reason = justification_text(np.justification, lang)
            if reason:
                text += ("：" if lang.startswith("zh") else ": ") + reason
    elif np.state is NodeState.MISSING and np.expected:
        text += f": {np.expected[0]}"
    return text


def _source(doc: PlannedDocument) -> str:
    what = doc.template or doc.narrative or doc.attachment or doc.kind
    if doc.record:
        what += f" [{doc.record}]"
    if doc.node.startswith("form:"):
        what = f"{doc.node} {what}"
    return what


def _sources(np: NodePlan, limit: int = 3) -> str:
    shown = [_source(d) for d in np.documents[:limit]]
    more = len(np.documents) - limit
    return ", ".join(shown) + (f", +{more}" if more > 0 else "")


def format_outline(plan: Plan, color: bool = False, lang: str = "en", facts: Mapping[str, NodeFacts] | None = None) -> str:
    """The plan as an indented tree with box-drawing guides, one node per line::

        ├── 3.2.P.8 Stability
        │   ├── 3.2.P.8.1 Stability Summary and Conclusion — filled (1 document): m3/32p81-stability-summary.md.j2
        │   └── 3.2.P.8.3 Stability Data — MISSING: add template templates/ectd/m3/32p83-stability-data.md.j2

    Titles and state words are in ``lang`` (``en`` or ``zh``); ANSI colours only when ``color`` is true.
    ``facts`` (:func:`.fact_state.node_facts`) tells a section filled from facts from one whose template
    exists but whose facts are missing or placeholders ("template only"). Ends with a count of nodes per state.
    """
    o = plan.outline
    lines = [f"{o.name} outline {o.version} (effective {o.effective.isoformat()})"]

    facts = facts or {}

    def paint(state: NodeState, text: str, node_id: str = "") -> str:
        if node_id in facts and facts[node_id].state is FactState.TEMPLATE_ONLY:
            state = NodeState.NOT_PROVIDED  # dim: the template is there, the facts are not
        return f"{_ANSI[state]}{text}{_RESET}" if color else text

    def emit(node_id: str, prefix: str, last: bool) -> None:
        np = plan[node_id]
        node = np.node
        state = _state_text(np, lang, plan, facts.get(node_id))
        label = node.label(lang)
        line = label + (f" — {state}" if state else "")
        branch = "└── " if last else "├── "
        lines.append(prefix + branch + paint(np.state, line, node_id))
        child_prefix = prefix + ("    " if last else "│   ")
        for i, child in enumerate(node.children):
            emit(child.id, child_prefix, i == len(node.children) - 1)

    for i, module in enumerate(o.modules):
        emit(module.id, "", i == len(o.modules) - 1)

    counts = plan.counts()
    words = _WORDS["zh" if lang.startswith("zh") else "en"]
    summary = ", ".join(
        f"{counts[s]} {words[s]}"
        for s in (NodeState.FILLED, NodeState.MISSING, NodeState.NOT_APPLICABLE, NodeState.NOT_PROVIDED)
    )
    if facts:
        from_facts, template_only = facts_summary(facts)
        summary += f" (of the filled sections from templates: {from_facts} from facts, {template_only} template only)"
    lines.append(summary)
    return "\n".join(lines) + "\n"
