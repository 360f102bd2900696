"""A readable tree of a plan: every node's number, title and state (``indbuilder outline``)."""

from __future__ import annotations

import re
import unicodedata
from typing import Collection, Mapping

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
        "facts_summary": " (of the filled sections from templates: {a} from facts, {b} template only)",
        "shown": "; shown: {n} {which} and their parent sections",
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
        "facts_summary": "（由模板填写的章节中：{a} 个由事实数据生成，{b} 个仅有模板）",
        "shown": "；显示：{n} 个{which}章节及其上级章节",
    },
}


def _state_text(np: NodePlan, lang: str, plan: Plan, facts: NodeFacts | None = None) -> str:
    words = _WORDS["zh" if lang.startswith("zh") else "en"]
    if np.state is NodeState.HEADING:
        return ""
    text = words[np.state]
    if np.state is NodeState.FILLED and facts is not None and facts.state is FactState.TEMPLATE_ONLY:
        return facts.describe(lang) + " — " + _sources(np)
    if np.state is NodeState.FILLED and facts is not None:
        text += ("，" if lang.startswith("zh") else " ") + facts.describe(lang)
    if np.state is NodeState.FILLED:
        n = len(np.documents)
        count = f"{n} {words['document'] if n == 1 else words['documents']}"
        text += (f"（{count}）：" if lang.startswith("zh") else f" ({count}): ") + _sources(np)
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


def cell_width(text: str) -> int:
    """Terminal columns ``text`` takes: East Asian wide and fullwidth characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1 for ch in text)


def wrap_cells(text: str, width: int, later: int | None = None) -> list[str]:
    """``text`` cut into pieces of at most ``width`` terminal columns (``later`` for the pieces after
    the first), at spaces where possible; Chinese text, which has none, is cut between characters."""
    widths = (max(width, 8), max(later if later is not None else width, 8))
    pieces: list[str] = []
    line = ""

    def room() -> int:
        return widths[1 if pieces else 0]

    for word in re.split(r"(?<= )", text):  # keep each space at the end of its word
        if cell_width(line + word.rstrip()) <= room():
            line += word
            continue
        if cell_width(word.rstrip()) <= widths[1]:  # the word fits on a line of its own
            if line.strip():
                pieces.append(line.rstrip())
            line = word
            continue
        for ch in word:  # a word longer than a line (a path, Chinese text): cut between characters
            if cell_width(line + ch) > room() and line.strip():
                pieces.append(line.rstrip())
                line = ""
            line += ch
    if line.strip() or not pieces:
        pieces.append(line.rstrip())
    return pieces


ONLY_STATES: dict[str, tuple[NodeState, ...]] = {
    "missing": (NodeState.MISSING,),
    "filled": (NodeState.FILLED,),
    "na": (NodeState.NOT_APPLICABLE,),
    "not-provided": (NodeState.NOT_PROVIDED, NodeState.NOT_FOR_IND),
}


def format_outline(plan: Plan, color: bool = False, lang: str = "en", facts: Mapping[str, NodeFacts] | None = None,
                   only: Collection[NodeState] | None = None, width: int | None = None) -> str:
    """The plan as an indented tree with box-drawing guides, one node per line::

        ├── 3.2.P.8 Stability
        │   ├── 3.2.P.8.1 Stability Summary and Conclusion — filled (1 document): m3/32p81-stability-summary.md.j2
        │   └── 3.2.P.8.3 Stability Data — MISSING: add template templates/ectd/m3/32p83-stability-data.md.j2

    Titles and state words are in ``lang`` (``en`` or ``zh``); ANSI colours only when ``color`` is true.
    ``facts`` (:func:`.fact_state.node_facts`) tells a section filled from facts from one whose template
    exists but whose facts are missing or placeholders ("template only"). ``only`` keeps the nodes in
    those states and their ancestors (see :data:`ONLY_STATES`). With ``width`` (the terminal's
    columns) a long line is wrapped and continued under its title, inside the tree's guides, so a
    terminal never wraps it back to column 0. Ends with a count of nodes per state.
    """
    o = plan.outline
    lines = [f"{o.name} outline {o.version} (effective {o.effective.isoformat()})"]

    facts = facts or {}
    keep = None if only is None else _kept(plan, set(only))

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
        child_prefix = prefix + ("    " if last else "│   ")
        children = [c for c in node.children if keep is None or c.id in keep]
        if width is None:
            lines.append(prefix + branch + paint(np.state, line, node_id))
        else:
            # continuation lines keep the guides: the node's own (to its children) and its ancestors'
            more = child_prefix + ("│   " if children else "    ")
            first, *rest = wrap_cells(line, width - cell_width(prefix + branch), width - cell_width(more))
            lines.append(prefix + branch + paint(np.state, first, node_id))
            lines.extend(more + paint(np.state, piece, node_id) for piece in rest)
        for i, child in enumerate(children):
            emit(child.id, child_prefix, i == len(children) - 1)

    modules = [m for m in o.modules if keep is None or m.id in keep]
    for i, module in enumerate(modules):
        emit(module.id, "", i == len(modules) - 1)

    counts = plan.counts()
    words = _WORDS["zh" if lang.startswith("zh") else "en"]
    summary = ("，" if lang.startswith("zh") else ", ").join(
        f"{counts[s]} {words[s]}"
        for s in (NodeState.FILLED, NodeState.MISSING, NodeState.NOT_APPLICABLE, NodeState.NOT_PROVIDED)
    )
    if facts:
        from_facts, template_only = facts_summary(facts)
        summary += words["facts_summary"].format(a=from_facts, b=template_only)
    if only is not None:
        shown = sum(1 for np in plan if np.state in only)
        chosen = "/".join(dict.fromkeys(words[s] for s in only if s in words))
        summary += words["shown"].format(n=shown, which=chosen)
    if width is None:
        lines.append(summary)
    else:
        first, *rest = wrap_cells(summary, width, width - 2)
        lines.extend([first] + ["  " + piece for piece in rest])
    return "\n".join(lines) + "\n"


def _kept(plan: Plan, states: set[NodeState]) -> set[str]:
    """The ids of the nodes in ``states`` and of every ancestor of one, so the tree still reads top-down."""
    keep: set[str] = set()

    def visit(node_id: str) -> bool:
        np = plan[node_id]
        hit = np.state in states
        for child in np.node.children:
            hit = visit(child.id) or hit
        if hit:
            keep.add(node_id)
        return hit

    for module in plan.outline.modules:
        visit(module.id)
    return keep
