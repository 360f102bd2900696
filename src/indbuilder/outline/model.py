"""The outline data model: a region's versioned section tree of an IND, as frozen dataclasses.

An :class:`Outline` is the tree of eCTD sections an IND uses for one region (``fda`` or ``nmpa``).
Every :class:`OutlineNode` is keyed by its eCTD element name exactly as the DTD/XSD spells it
(``m3-2-p-8-1-stability-summary-and-conclusion``, ``m1-14-4-1-investigational-brochure``,
``cn-1-3-4-1``), carries its display number and bilingual title, its IND status, the regulatory
basis of that status, and what fills it (see :class:`Fill`).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field, replace
from typing import Iterator, Mapping


class OutlineError(ValueError):
    """The outline data itself is invalid (a packaging bug, not a content problem)."""


class Status(str, enum.Enum):
    """How an IND treats a section.

    * ``required``: the IND must provide it, or declare it not applicable with a justification
      (unless ``na_allowed`` is false, e.g. Form FDA 1571 under 21 CFR 312.23(a)(1)).
    * ``conditional``: provided when the product or program calls for it.
    * ``optional``: may be provided.
    * ``not-for-ind``: part of the regional tree, but an IND must not use it
      (e.g. NMPA eCTD validation rule 4.3.6 forbids cn-1-3-1-2 in an IND).
    * ``heading``: groups sub-sections and holds no documents of its own.
    """

    REQUIRED = "required"
    CONDITIONAL = "conditional"
    OPTIONAL = "optional"
    NOT_FOR_IND = "not-for-ind"
    HEADING = "heading"


class FillKind(str, enum.Enum):
    TEMPLATE = "template"
    EACH = "each"
    ATTACHMENT = "attachment"


@dataclass(frozen=True)
class Title:
    """A section title in English and Simplified Chinese."""

    en: str
    zh: str

    def get(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en


@dataclass(frozen=True)
class Fill:
    """One way a node is filled. The YAML vocabulary (documented in docs/outline.md):

    * ``template: <path>``: render ``templates/ectd/<path>`` in the region's language; one document.
      A language variant ``<name>.<lang>.md.j2`` is preferred when it exists.
    * ``each: <collection>`` + ``where: {field: value}`` + ``template: <path>``: one document per fact
      record of ``collection`` whose fields equal ``where`` (the value ``$node`` stands for this node's
      id); a record that has its own attachment (e.g. a CRO report PDF) contributes that file instead,
      unless ``record_attachment: false``. ``file_tag`` gives the ICH STF file-tag of the documents.
    * ``attachment: true``: filled by user PDFs declared in the content with this node id.

    Any fillable node may also be filled by a Markdown narrative whose front matter says ``node: <id>``.
    """

    kind: FillKind
    template: str | None = None
    each: str | None = None
    where: tuple[tuple[str, str], ...] = ()
    file_tag: str | None = None
    record_attachment: bool = True

    def where_for(self, node_id: str) -> dict[str, str]:
        """The ``where`` filter with ``$node`` replaced by ``node_id``."""
        return {k: (node_id if v == "$node" else v) for k, v in self.where}


@dataclass(frozen=True)
class FormSlot:
    """A form expected inside FDA 1.1 (``m1-1-forms``), where documents sit in ``<form form-type="...">``.

    Content declares a form's attachment at the pseudo-node ``form:<code>`` (e.g. ``form:fdaft1``), the
    same id eCTD assembly takes (:mod:`indbuilder.ectd.model`).
    """

    code: str
    title: Title
    status: Status
    basis: str = ""
    na_allowed: bool = True

    @property
    def node_id(self) -> str:
        return f"form:{self.code}"


@dataclass(frozen=True)
class OutlineNode:
    """One section of the outline (an eCTD heading element)."""

    id: str
    number: str
    title: Title
    status: Status
    # The status for a product of a given modality where it differs (``{small-molecule: conditional}``:
    # 3.2.A.2 is needed for a chemical drug only when a material is of human or animal origin).
    by_modality: tuple[tuple[str, Status], ...] = ()
    basis: str = ""
    fills: tuple[Fill, ...] = ()
    ind_items: tuple[str, ...] = ()
    na_allowed: bool = True
    repeat: tuple[str, ...] = ()
    note: str | None = None
    forms: tuple[FormSlot, ...] = ()
    children: tuple["OutlineNode", ...] = ()
    parent_id: str | None = None

    @property
    def is_heading(self) -> bool:
        return self.status is Status.HEADING

    @property
    def module(self) -> str:
        """``m1`` ... ``m5`` (CN Module 1 nodes are ``m1`` too)."""
        return "m" + self.number.split(".")[0]

    def label(self, lang: str = "en") -> str:
        """``3.2.P.8.1 Stability Summary and Conclusion``."""
        return f"{self.number} {self.title.get(lang)}"

    def walk(self) -> Iterator["OutlineNode"]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class IndItem:
    """A content item an IND must contain (21 CFR 312.23(a)(n), or an NMPA IND-mandatory element).

    ``satisfied_by: backbone`` marks items the eCTD backbone itself provides (the table of contents).
    """

    id: str
    title: Title
    basis: str
    satisfied_by: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class SourceRef:
    """A regulation, guidance or standard the outline is built from."""

    id: str
    title: str


@dataclass(frozen=True)
class Outline:
    """A region's IND outline: file-level metadata plus the module trees."""

    region: str
    version: str
    effective: dt.date
    language: str
    not_applicable: str  # "omit" (FDA: leave the element out) or "render" (NMPA: keep number+title with 不适用)
    sources: tuple[SourceRef, ...]
    ind_items: tuple[IndItem, ...]
    modules: tuple[OutlineNode, ...]
    _index: Mapping[str, OutlineNode] = field(default_factory=dict, repr=False, compare=False)
    _numbers: Mapping[str, OutlineNode] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, OutlineNode] = {}
        numbers: dict[str, OutlineNode] = {}
        for node in self.walk():
            index.setdefault(node.id, node)
            numbers.setdefault(node.number, node)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_numbers", numbers)

    def walk(self) -> Iterator[OutlineNode]:
        """Every node, depth-first in document order."""
        for module in self.modules:
            yield from module.walk()

    def for_modalities(self, names: tuple[str, ...] | list[str]) -> "Outline":
        """This outline with each node's status for a product of modalities ``names`` (primary first):
        a node's ``by_modality`` entry for the first of them that has one replaces its status."""

        def adapt(node: OutlineNode) -> OutlineNode:
            status = next((s for name in names for m, s in node.by_modality if m == name), node.status)
            children = tuple(adapt(c) for c in node.children)
            if status is node.status and children == node.children:
                return node
            return replace(node, status=status, children=children)

        modules = tuple(adapt(m) for m in self.modules)
        return self if modules == self.modules else replace(self, modules=modules)

    def get(self, node_id: str) -> OutlineNode | None:
        return self._index.get(node_id)

    def __getitem__(self, node_id: str) -> OutlineNode:
        return self._index[node_id]

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._index

    def by_number(self, number: str) -> OutlineNode | None:
        """The node with display number ``number`` (e.g. ``3.2.P.8.1``); case-insensitive."""
        node = self._numbers.get(number)
        if node is None:
            for key, candidate in self._numbers.items():
                if key.lower() == number.lower():
                    return candidate
        return node

    def parent(self, node_id: str) -> OutlineNode | None:
        node = self._index.get(node_id)
        return self._index.get(node.parent_id) if node and node.parent_id else None

    def ancestors(self, node_id: str) -> list[OutlineNode]:
        """Parents of ``node_id``, nearest first."""
        out = []
        parent = self.parent(node_id)
        while parent is not None:
            out.append(parent)
            parent = self.parent(parent.id)
        return out

    def ids(self) -> list[str]:
        return list(self._index)

    def form(self, pseudo_id: str) -> tuple[OutlineNode, FormSlot] | None:
        """The node and slot of a form pseudo-node id ``form:<code>`` (FDA 1.1), or ``None``."""
        for node in self.walk():
            for slot in node.forms:
                if slot.node_id == pseudo_id:
                    return node, slot
        return None

    def ind_item(self, item_id: str) -> IndItem | None:
        return next((i for i in self.ind_items if i.id == item_id), None)

    def nodes_for_item(self, item_id: str) -> list[OutlineNode]:
        """Nodes marked as carrying IND item ``item_id`` (e.g. ``312.23(a)(6)``)."""
        return [n for n in self.walk() if item_id in n.ind_items]

    @property
    def name(self) -> str:
        return {"fda": "FDA IND", "nmpa": "NMPA IND"}.get(self.region, f"{self.region} IND")
