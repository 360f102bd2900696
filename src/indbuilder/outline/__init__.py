"""Region outlines (versioned IND section trees) and the completeness planner.

* :func:`load_outline` reads ``outline/data/<region>.yaml`` (``fda``, ``nmpa``) into an :class:`Outline`
  of :class:`OutlineNode` keyed by eCTD element name.
* :func:`plan` decides, from a :class:`Sources` description of the project, which documents fill
  each node and reports completeness diagnostics (rules ``completeness.*``).
* :func:`not_applicable_text` gives the NMPA "number + title + 不适用 + reason" text.
* :func:`format_outline` prints a plan as a tree.

Fill vocabulary (the ``fill`` of a node; see :class:`Fill` and ``docs/outline.md``):
``template: <path>`` (one document rendered from ``templates/ectd/<path>`` in the region's language),
``each: <collection>`` + ``where: {field: value}`` + ``template`` (one document per matching fact
record, or the record's own attachment), ``attachment: true`` (user PDFs declared at the node).
A Markdown narrative with front matter ``node: <id>`` may fill any non-heading node.
"""

from . import completeness
from .fact_state import FactState, NodeFacts, node_facts, outline_facts
from .json_format import outline_json
from .loader import load_outline
from .model import Fill, FillKind, IndItem, Outline, OutlineError, OutlineNode, Status, Title
from .na_text import not_applicable_text
from .planner import (
    DeclaredFile,
    FactRecord,
    NodePlan,
    NodeState,
    NotApplicableDecl,
    Plan,
    PlannedDocument,
    Sources,
    plan,
)
from .tree_format import format_outline

__all__ = [
    "DeclaredFile",
    "FactState",
    "NodeFacts",
    "node_facts",
    "outline_facts",
    "outline_json",
    "FactRecord",
    "Fill",
    "FillKind",
    "IndItem",
    "NodePlan",
    "NodeState",
    "NotApplicableDecl",
    "Outline",
    "OutlineError",
    "OutlineNode",
    "Plan",
    "PlannedDocument",
    "Sources",
    "Status",
    "Title",
    "completeness",
    "format_outline",
    "load_outline",
    "not_applicable_text",
    "plan",
]
