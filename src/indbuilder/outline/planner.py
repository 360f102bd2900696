"""The completeness planner: which document fills each outline node, and what is missing.

The pipeline describes what the project provides in a :class:`Sources` (templates that exist,
narratives and attachments that declare a node, fact records, not-applicable declarations);
:func:`plan` walks the outline and gives every node a :class:`NodeState` with its planned
documents, and collects completeness diagnostics (rules in :mod:`.completeness`).

Precedence at a node: narratives and attachments declared at the node replace the node's
``template`` fill (a user-written 3.2.P.8.1 wins over the generated one); ``each`` fills always
contribute one document per matching record. A not-applicable declaration on a heading covers
every sub-section that has no content of its own.
"""

from __future__ import annotations

import difflib
import enum
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from ..diagnostics import Diagnostics, Location
from . import completeness as rules
from .model import Fill, FillKind, Outline, OutlineNode, Status
from .na_text import gathered_statement_text, gathered_statement_title, justification_text, not_applicable_text

# Where the 不适用 statement of a node goes when it cannot stay at the node itself: a heading above it,
# or None (its own statement at its own heading). The pipeline passes the eCTD placement rule
# (:func:`indbuilder.placement.na_statement_home`); without one every node keeps its own statement.
NaHome = Callable[[OutlineNode], "OutlineNode | None"]


# ----------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class DeclaredFile:
    """A narrative or attachment that declares the node it fills."""

    node: str
    path: str  # project-relative path of the Markdown narrative or PDF
    doc_id: str | None = None  # stable id; defaults to the file name stem
    lang: str | None = None  # None: any language
    title: str | None = None
    location: Location | None = None  # where the declaration is (front matter line, attachments.yaml entry)


@dataclass(frozen=True)
class FactRecord:
    """A fact record offered to ``each`` fills: its id, the fields ``where`` compares, its own attachment."""

    id: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    attachment: str | None = None  # e.g. a CRO report PDF supplied with the record
    location: Location | None = None


@dataclass(frozen=True)
class NotApplicableDecl:
    """A project's declaration that a node does not apply, with its justification ``{en, zh}``."""

    node: str
    justification: Mapping[str, str] | None = None
    location: Location | None = None


@dataclass(frozen=True)
class Sources:
    """Everything the planner needs to know about a project (filled by the pipeline).

    ``templates`` holds paths relative to ``templates/ectd/`` (``m3/32p81-stability-summary.md.j2``,
    language variants ``m3/32p81-stability-summary.zh.md.j2``); ``records`` maps an ``each`` collection
    name (``studies``, ``protocols``) to its records.
    """

    templates: frozenset[str] = frozenset()
    narratives: tuple[DeclaredFile, ...] = ()
    attachments: tuple[DeclaredFile, ...] = ()
    records: Mapping[str, tuple[FactRecord, ...]] = field(default_factory=dict)
    not_applicable: tuple[NotApplicableDecl, ...] = ()

    @staticmethod
    def scan_templates(*roots: Path) -> frozenset[str]:
        """Every ``*.md.j2`` under the ``templates/ectd`` folders ``roots``, as POSIX relative paths.

        The ``modalities/`` folder of a root holds per-modality parts; only the product's own modality
        folders are searched, as roots of their own (``sources.template_dirs``)."""
        found: set[str] = set()
        for root in roots:
            if root.is_dir():
                found.update(
                    rel
                    for p in root.rglob("*.md.j2")
                    if p.is_file() and not (rel := p.relative_to(root).as_posix()).startswith("modalities/")
                )
        return frozenset(found)


# ----------------------------------------------------------------------------- outputs


class NodeState(str, enum.Enum):
    FILLED = "filled"
    MISSING = "missing"
    NOT_APPLICABLE = "not-applicable"
    NOT_PROVIDED = "not-provided"
    HEADING = "heading"
    NOT_FOR_IND = "not-for-ind"


class DocKind(str, enum.Enum):
    """What a planned document is made from (the values are the strings the plan always used)."""

    TEMPLATE = "template"
    NARRATIVE = "narrative"
    ATTACHMENT = "attachment"
    NOT_APPLICABLE = "not-applicable"

    def __str__(self) -> str:  # messages name the kind as the plain word ("narrative content/x.md ...")
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


@dataclass(frozen=True)
class PlannedDocument:
    """One document the build will produce at a node.

    ``kind`` is ``template`` (render ``template``, the base name: the renderer picks the
    ``<name>.<lang>.md.j2`` variant itself), ``narrative`` (render the Markdown file
    ``narrative``), ``attachment`` (copy the PDF ``attachment``) or ``not-applicable`` (render ``text``,
    the NMPA 不适用 statement).
    """

    node: str
    doc_id: str
    kind: DocKind
    language: str
    template: str | None = None
    narrative: str | None = None
    attachment: str | None = None
    record: str | None = None
    collection: str | None = None
    file_tag: str | None = None
    title: str | None = None
    text: str | None = None
    location: Location | None = None


@dataclass(frozen=True)
class NodePlan:
    """The planned state of one node."""

    node: OutlineNode
    state: NodeState
    documents: tuple[PlannedDocument, ...] = ()
    justification: Mapping[str, str] | None = None
    na_declared_at: str | None = None  # node id carrying the N/A declaration (this node or a heading above)
    expected: tuple[str, ...] = ()  # what would fill the node, in words


@dataclass
class Plan:
    """The planned documents and states of every outline node, plus completeness diagnostics."""

    outline: Outline
    nodes: dict[str, NodePlan]
    diagnostics: Diagnostics

    def __getitem__(self, node_id: str) -> NodePlan:
        return self.nodes[node_id]

    def __iter__(self) -> Iterator[NodePlan]:
        return iter(self.nodes.values())

    def state(self, node_id: str) -> NodeState:
        return self.nodes[node_id].state

    def documents(self) -> list[PlannedDocument]:
        """Every planned document, in outline order."""
        return [d for np in self.nodes.values() for d in np.documents]

    def in_state(self, state: NodeState) -> list[NodePlan]:
        return [np for np in self.nodes.values() if np.state is state]

    def counts(self) -> dict[NodeState, int]:
        out = {s: 0 for s in NodeState}
        for np in self.nodes.values():
            out[np.state] += 1
        return out


# ----------------------------------------------------------------------------- planning

_SLUG_RE = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """``Tox Study 01.pdf`` -> ``tox-study-01-pdf``: the eCTD-safe form used in doc ids."""
    return _SLUG_RE.sub("-", text.lower()).strip("-") or "doc"


def template_stem(template: str) -> str:
    """``m3/32p81-stability-summary.zh.md.j2`` -> ``32p81-stability-summary``."""
    name = template.rsplit("/", 1)[-1]
    name = name[: -len(".md.j2")] if name.endswith(".md.j2") else name
    parts = name.split(".")
    if len(parts) > 1 and parts[-1] in ("en", "zh"):
        name = ".".join(parts[:-1])
    return name


def resolve_template(template: str, lang: str, available: frozenset[str]) -> str | None:
    """The file that will render ``template`` for ``lang``: the variant ``<name>.<lang>.md.j2`` if it
    exists, else ``template`` itself if it exists, else ``None`` (same rule as ``render.jinja_env``)."""
    variant = template[: -len(".md.j2")] + f".{lang}.md.j2"
    if variant in available:
        return variant
    if template in available:
        return template
    return None


def _other_region_ids(outline: Outline) -> frozenset[str]:
    """Node and form ids of the other registered regions' outlines (content shared by the regions may name them)."""
    from .. import regions
    from .loader import load_outline

    ids: set[str] = set()
    for region in regions.names():
        if region != outline.region:
            other = load_outline(region)
            ids.update(other.ids())
            ids.update(slot.node_id for node in other.walk() for slot in node.forms)
    return frozenset(ids - set(outline.ids()))


def _numbering(node_id: str) -> str:
    """The numbering part of an element name: ``m3-2-p-8-1-stability-...`` -> ``m3-2-p-8-1``."""
    tokens = node_id.split("-")
    out: list[str] = []
    for tok in tokens:
        if out and not (tok.isdigit() or len(tok) == 1):
            break
        out.append(tok)
    return "-".join(out)


def plan(outline: Outline, sources: Sources, na_home: NaHome | None = None) -> Plan:
    """Plan every node of ``outline`` from ``sources``; completeness findings go to ``Plan.diagnostics``.

    ``na_home`` (outlines that render 不适用 statements): the heading that gathers a node's statement when
    the node cannot carry it (see :data:`NaHome`).
    """
    return _Planner(outline, sources, na_home).run()


class _Planner:
    def __init__(self, outline: Outline, sources: Sources, na_home: NaHome | None = None) -> None:
        self.o = outline
        self.s = sources
        self.na_home = na_home
        # heading id -> the not-applicable nodes whose statements it gathers, in outline order
        self.gathered: dict[str, list[tuple[OutlineNode, NotApplicableDecl]]] = {}
        self.lang = outline.language
        self.diags = Diagnostics()
        self.doc_ids: set[str] = set()
        # node id -> (kind, declaration, id the document is placed at: the node or a form:<code> pseudo-node)
        self.declared: dict[str, list[tuple[DocKind, DeclaredFile, str]]] = {}
        self.na: dict[str, NotApplicableDecl] = {}
        self.elsewhere = _other_region_ids(outline)
        self.matched: dict[str, int] = {}  # node id -> records selected by its each fills

    # -- helpers
    def title(self, node: OutlineNode) -> str:
        if self.lang == "zh":
            return f"{node.title.en} ({node.title.zh})"
        return node.title.en

    def label(self, node: OutlineNode) -> str:
        return f"{node.number} {self.title(node)}"

    def unique_id(self, base: str, node: OutlineNode) -> str:
        base = slug(base)
        candidate = base
        if candidate in self.doc_ids:
            candidate = f"{base}-{slug(node.number)}"
        n = 2
        while candidate in self.doc_ids:
            candidate = f"{base}-{slug(node.number)}-{n}"
            n += 1
        self.doc_ids.add(candidate)
        return candidate

    def anchor(self, *kinds: str) -> Location | None:
        """Where a writer adds what a section lacks, so the finding names a file (and line) an editor or a
        CI annotation can open: the first attachment declaration (``attachments``) or not-applicable
        declaration (``not_applicable``) of the project, in the order asked; ``None`` when it has neither."""
        for kind in kinds:
            pool: tuple[DeclaredFile, ...] | tuple[NotApplicableDecl, ...] = (
                self.s.attachments if kind == "attachments" else self.s.not_applicable
            )
            located = [d.location for d in pool if d.location is not None]
            if located:
                return min(located, key=lambda loc: (loc.path, loc.line, loc.col))
        return None

    def form_ids(self) -> list[str]:
        return [slot.node_id for node in self.o.walk() for slot in node.forms]

    def suggest(self, value: str) -> str:
        """``; did you mean <id> (<number title>)?`` for the nearest node id, or ``""``.

        A display number (``3.2.P.8.1``) maps to its node; an id with the right numbering part
        (``m3-2-p-8-1-...``) prefers nodes with that numbering; otherwise difflib's closest id.
        """
        if value.startswith("form:"):
            forms = {slot.node_id: slot for node in self.o.walk() for slot in node.forms}
            close = difflib.get_close_matches(value, list(forms), n=1, cutoff=0.5)
            if close:
                return f"; did you mean {close[0]} ({forms[close[0]].title.en})?"
            listed = ", ".join(f"{k} ({s.title.en})" for k, s in forms.items())
            return f"; forms of this outline: {listed}" if listed else ""
        node = self.o.by_number(value)
        if node is None:
            ids = self.o.ids()
            prefix = _numbering(value)
            same = [i for i in ids if prefix and _numbering(i) == prefix]
            if len(same) == 1:
                node = self.o[same[0]]
            else:
                close = difflib.get_close_matches(value, same or ids, n=1, cutoff=0.5)
                node = self.o[close[0]] if close else None
        return f"; did you mean {node.id} ({node.label('en')})?" if node else ""

    def unknown(self, what: str, value: str, location: Location | None) -> None:
        if value in self.elsewhere:
            return  # a node of the other region's outline: not part of this submission, not an error
        self.diags.emit(
            rules.UNKNOWN_NODE,
            f"{what} names node '{value}', which is not a section of the {self.o.name} outline{self.suggest(value)}",
            location,
        )

    # -- declarations
    def collect(self) -> None:
        lang_ok = (None, self.lang)
        for kind, items in ((DocKind.NARRATIVE, self.s.narratives), (DocKind.ATTACHMENT, self.s.attachments)):
            for decl in sorted(items, key=lambda d: (d.node, d.path)):
                if kind is DocKind.NARRATIVE and decl.lang not in lang_ok:
                    continue
                form = self.o.form(decl.node) if decl.node.startswith("form:") else None
                if form is not None:
                    self.declared.setdefault(form[0].id, []).append((kind, decl, decl.node))
                    continue
                node = self.o.get(decl.node)
                if node is None:
                    self.unknown(f"{kind} {decl.path}", decl.node, decl.location)
                    continue
                if node.forms:
                    forms = ", ".join(f"{s.node_id} ({s.title.en})" for s in node.forms)
                    self.diags.emit(
                        rules.HEADING_NODE,
                        f"{kind} {decl.path} is placed at {self.label(node)}, which holds documents only inside "
                        f"form elements; declare it at the form's node: {forms}",
                        decl.location,
                    )
                    continue
                if node.is_heading:
                    subs = ", ".join(c.number for c in node.children[:6])
                    self.diags.emit(
                        rules.HEADING_NODE,
                        f"{kind} {decl.path} is placed at {self.label(node)}, a heading that holds no documents; "
                        f"use one of its sub-sections ({subs})",
                        decl.location,
                    )
                    continue
                if node.status is Status.NOT_FOR_IND:
                    self.diags.emit(
                        rules.NOT_FOR_IND,
                        f"{kind} {decl.path} is placed at {self.label(node)}, which an IND must not contain ({node.basis})",
                        decl.location,
                    )
                    continue
                self.declared.setdefault(node.id, []).append((kind, decl, node.id))
        for na_decl in self.s.not_applicable:
            self.collect_not_applicable(na_decl)
        self.check_records()

    def collect_not_applicable(self, decl: NotApplicableDecl) -> None:
        """One not-applicable declaration: known node, justified, allowed for an IND."""
        form = self.o.form(decl.node) if decl.node.startswith("form:") else None
        node = self.o.get(decl.node)
        if form is not None:
            what, na_allowed, basis = f"form {decl.node} {form[1].title.en}", form[1].na_allowed, form[1].basis
        elif node is not None:
            what, na_allowed, basis = f"section {self.label(node)}", node.na_allowed, node.basis
        else:
            self.unknown("not-applicable declaration", decl.node, decl.location)
            return
        if decl.node in self.na:
            return  # the first declaration of a node wins
        self.na[decl.node] = decl
        if not justification_text(decl.justification, self.lang):
            language = "Chinese" if self.lang == "zh" else "English"
            self.diags.emit(
                rules.NA_UNJUSTIFIED,
                f"{what} is declared not applicable without a justification ({language})",
                decl.location,
                hint="give the reason under 'justification' in en and zh",
            )
        if not na_allowed:
            self.diags.emit(
                rules.NA_REQUIRED,
                f"{what} cannot be declared not applicable for an IND ({basis})",
                decl.location,
            )

    def check_records(self) -> None:
        """Records that select a node through an ``each`` fill must name a node that takes them."""
        takers: dict[tuple[str, str], set[str]] = {}
        for node in self.o.walk():
            for fill in node.fills:
                if fill.kind is FillKind.EACH:
                    for key, value in fill.where:
                        if value == "$node":
                            takers.setdefault((fill.each or "", key), set()).add(node.id)
        for (collection, key), node_ids in sorted(takers.items()):
            for rec in self.s.records.get(collection, ()):
                raw = rec.fields.get(key)
                if raw is None or str(raw) in node_ids:
                    continue
                value = str(raw)
                taker = self.o.get(value)
                if taker is None:
                    self.unknown(f"{collection} record {rec.id} ({key})", value, rec.location)
                else:
                    self.diags.emit(
                        rules.UNKNOWN_NODE,
                        f"{collection} record {rec.id} ({key}) names {self.label(taker)}, which does not take "
                        f"{collection} records; expected one of: {', '.join(sorted(self.o[n].number for n in node_ids))}",
                        rec.location,
                    )

    # -- per node
    def expected(self, node: OutlineNode) -> tuple[str, ...]:
        if node.forms:
            return tuple(f"declare an attachment with node: {slot.node_id}" for slot in node.forms)
        out = []
        for fill in node.fills:
            if fill.kind is FillKind.TEMPLATE:
                out.append(f"add template templates/ectd/{fill.template}")
            elif fill.kind is FillKind.EACH:
                crit = ", ".join(f"{k}: {v}" for k, v in fill.where_for(node.id).items())
                out.append(f"add a {fill.each} record with {crit}")
            else:
                out.append(f"declare an attachment with node: {node.id}")
        return tuple(dict.fromkeys(out))

    def fill_documents(self, node: OutlineNode) -> list[PlannedDocument]:
        docs: list[PlannedDocument] = []
        explicit = self.declared.get(node.id, [])
        for kind, decl, placed_at in explicit:
            stem = decl.doc_id or Path(decl.path).stem
            docs.append(
                PlannedDocument(
                    node=placed_at,
                    doc_id=self.unique_id(stem, node),
                    kind=kind,
                    language=decl.lang or self.lang,
                    narrative=decl.path if kind is DocKind.NARRATIVE else None,
                    attachment=decl.path if kind is DocKind.ATTACHMENT else None,
                    title=decl.title,
                    location=decl.location,
                )
            )
        for fill in node.fills:
            if fill.kind is FillKind.TEMPLATE and not explicit:
                if resolve_template(fill.template or "", self.lang, self.s.templates):
                    docs.append(
                        PlannedDocument(
                            node=node.id,
                            doc_id=self.unique_id(template_stem(fill.template or ""), node),
                            kind=DocKind.TEMPLATE,
                            language=self.lang,
                            template=fill.template,
                            file_tag=fill.file_tag,
                        )
                    )
            elif fill.kind is FillKind.EACH:
                docs.extend(self.each_documents(node, fill))
        return docs

    def each_documents(self, node: OutlineNode, fill: Fill) -> list[PlannedDocument]:
        crit = fill.where_for(node.id)
        out = []
        for rec in sorted(self.s.records.get(fill.each or "", ()), key=lambda r: r.id):
            if any(str(rec.fields.get(k)) != v for k, v in crit.items()):
                continue
            self.matched[node.id] = self.matched.get(node.id, 0) + 1
            stem = template_stem(fill.template or "")
            common: dict[str, Any] = dict(node=node.id, record=rec.id, collection=fill.each, file_tag=fill.file_tag, location=rec.location)
            if rec.attachment and fill.record_attachment:
                out.append(
                    PlannedDocument(
                        doc_id=self.unique_id(f"{stem}-{rec.id}", node), kind=DocKind.ATTACHMENT, language=self.lang,
                        attachment=rec.attachment, **common,
                    )
                )
                continue
            if resolve_template(fill.template or "", self.lang, self.s.templates) is None:
                self.diags.emit(
                    rules.TEMPLATE_MISSING,
                    f"{fill.each} record {rec.id} needs a document at {self.label(node)}, but template "
                    f"templates/ectd/{fill.template} does not exist and the record has no attachment",
                    rec.location,
                )
                continue
            out.append(
                PlannedDocument(
                    doc_id=self.unique_id(f"{stem}-{rec.id}", node), kind=DocKind.TEMPLATE, language=self.lang,
                    template=fill.template, **common,
                )
            )
        return out

    def inherited_na(self, node: OutlineNode) -> tuple[str, NotApplicableDecl] | None:
        if node.id in self.na:
            return node.id, self.na[node.id]
        for anc in self.o.ancestors(node.id):
            if anc.id in self.na:
                return anc.id, self.na[anc.id]
        return None

    def plan_node(self, node: OutlineNode) -> NodePlan:
        expected = self.expected(node)
        if node.status is Status.NOT_FOR_IND:
            return NodePlan(node, NodeState.NOT_FOR_IND)
        na = self.inherited_na(node)
        if node.is_heading:
            if na and na[0] == node.id:
                self.gather(node, na[1])
                return NodePlan(node, NodeState.NOT_APPLICABLE, justification=na[1].justification, na_declared_at=na[0])
            return NodePlan(node, NodeState.HEADING)
        docs = self.fill_documents(node)
        missing_forms = self.missing_forms(node, docs)
        if missing_forms:
            return NodePlan(node, NodeState.MISSING, tuple(docs), expected=missing_forms)
        if docs:
            if na:
                where = "" if na[0] == node.id else f" (through {self.label(self.o[na[0]])})"
                self.diags.emit(
                    rules.NA_CONFLICT,
                    f"section {self.label(node)} is declared not applicable{where} but has content "
                    f"({docs[0].narrative or docs[0].attachment or docs[0].template}); the content is used",
                    na[1].location,
                )
            return NodePlan(node, NodeState.FILLED, tuple(docs), expected=expected)
        if na:
            decl_node, decl = na
            na_docs: tuple[PlannedDocument, ...] = ()
            if self.o.not_applicable == "render" and not self.gather(node, decl):
                na_docs = (
                    PlannedDocument(
                        node=node.id,
                        doc_id=self.unique_id(f"{slug(node.number)}-not-applicable", node),
                        kind=DocKind.NOT_APPLICABLE,
                        language=self.lang,
                        title=node.title.get(self.lang),
                        text=not_applicable_text(node, self.lang, decl.justification),
                        location=decl.location,
                    ),
                )
            return NodePlan(
                node, NodeState.NOT_APPLICABLE, na_docs, justification=decl.justification,
                na_declared_at=decl_node, expected=expected,
            )
        if self.matched.get(node.id):
            # records select the node but their template is missing: completeness.template-missing said so
            need = tuple(f"add template templates/ectd/{f.template}" for f in node.fills if f.kind is FillKind.EACH)
            return NodePlan(node, NodeState.MISSING, expected=need)
        if node.status is Status.REQUIRED:
            na_clause = " or declare it not applicable" if node.na_allowed else ""
            self.diags.emit(
                rules.MISSING,
                f"required section {self.label(node)} has no source: {' or '.join(expected)}{na_clause}",
                # point at the file that would fill it, so editors and CI annotations have a place
                next((Location(f"templates/ectd/{f.template}") for f in node.fills if f.template), None),
                hint=f"a Markdown narrative with front matter 'node: {node.id}' also fills it",
            )
            return NodePlan(node, NodeState.MISSING, expected=expected)
        if node.status is Status.CONDITIONAL and self.o.not_applicable == "render" and node.module != "m1":
            # Modules 2-5 keep every CTD number (M1 "如适用" items are simply left out)
            self.diags.emit(
                rules.NA_UNDECLARED,
                f"section {self.label(node)} has no content and no 不适用 declaration; NMPA keeps every CTD "
                f"number and title with 不适用 and the reason",
                self.anchor("not_applicable"),
                hint=f"declare it (or a heading above it) not applicable, or {' or '.join(expected)}",
            )
        return NodePlan(node, NodeState.NOT_PROVIDED, expected=expected)

    def gather(self, node: OutlineNode, decl: NotApplicableDecl) -> bool:
        """Whether ``node``'s 不适用 statement goes into a statement gathered at a heading above it."""
        home = self.na_home(node) if self.na_home is not None and self.o.not_applicable == "render" else None
        if home is None:
            return False
        self.gathered.setdefault(home.id, []).append((node, decl))
        return True

    def gathered_statements(self, nodes: dict[str, NodePlan]) -> None:
        """One document per gathering heading: every not-applicable item below it with number, title and reason."""
        for home_id, items in self.gathered.items():
            home = self.o[home_id]
            entries = [(n, d.justification) for n, d in items]
            doc = PlannedDocument(
                node=home_id,
                doc_id=self.unique_id(f"{slug(home.number)}-not-applicable-statement", home),
                kind=DocKind.NOT_APPLICABLE,
                language=self.lang,
                title=gathered_statement_title(self.o, home, [n for n, _ in items], self.lang),
                text=gathered_statement_text(self.o, home, entries, self.lang),
                location=items[0][1].location,
            )
            nodes[home_id] = replace(nodes[home_id], documents=nodes[home_id].documents + (doc,))

    def missing_forms(self, node: OutlineNode, docs: list[PlannedDocument]) -> tuple[str, ...]:
        """Required form slots of ``node`` (FDA 1.1) with no attachment and no N/A; each one is reported."""
        placed = {d.node for d in docs}
        out = []
        for slot in node.forms:
            if slot.status is not Status.REQUIRED or slot.node_id in placed or slot.node_id in self.na:
                continue
            na_clause = " or declare it not applicable" if slot.na_allowed else ""
            self.diags.emit(
                rules.MISSING,
                f"required form {slot.title.en} in {self.label(node)} has no source: declare an attachment "
                f"with node: {slot.node_id}{na_clause}",
                self.anchor("attachments"),
                hint=slot.basis or None,
            )
            out.append(f"declare an attachment with node: {slot.node_id}")
        return tuple(out)

    def check_items(self, nodes: dict[str, NodePlan]) -> None:
        """IND items that only optional/conditional sections carry need at least one of them."""
        for item in self.o.ind_items:
            if item.satisfied_by:
                continue
            carriers = self.o.nodes_for_item(item.id)
            if not carriers or any(n.status is Status.REQUIRED for n in carriers):
                continue  # required carriers report completeness.missing themselves
            if any(nodes[n.id].state in (NodeState.FILLED, NodeState.NOT_APPLICABLE) or self.matched.get(n.id)
                   for n in carriers):
                continue  # provided (a record whose template is missing is reported as template-missing)
            numbers = ", ".join(n.number for n in carriers[:8]) + (", ..." if len(carriers) > 8 else "")
            self.diags.emit(
                rules.IND_ITEM_MISSING,
                f"{item.id} {item.title.en}: no section provides it (expected in one of {numbers})",
                self.anchor("not_applicable", "attachments"),
                hint=item.note or None,
            )

    def run(self) -> Plan:
        self.collect()
        nodes = {node.id: self.plan_node(node) for node in self.o.walk()}
        self.gathered_statements(nodes)
        self.check_items(nodes)
        return Plan(self.o, nodes, self.diags)

