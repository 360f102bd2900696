"""Cross-references: writers point at stable ids, never at typed numbers or file names.

Two spellings, one meaning::

    {{ ref("3.2.P.8.1") }}                 Jinja global (template file:line is kept for errors)
    [](ref:3.2.P.8.1)                      Markdown link with empty text: the title is filled in
    [custom text](ref:study:NC-TOX-001)    Markdown link with the writer's own text

Target kinds: a CTD section by number or eCTD element name (``3.2.P.8.1``,
``m3-2-p-8-1-stability-summary-and-conclusion``, optionally prefixed ``section:``), ``doc:<id>``,
``table:<id>``, ``study:<id>``, ``lot:<id>`` (batch), ``test:<id>`` (specification test) and
``lit:<id>`` (literature: a numbered citation ``[n]`` in order of first use in the document;
``{{ bibliography() }}`` or a ``::: bibliography`` container prints the numbered list).

The pipeline builds one :class:`XrefIndex` per region (every outline node, planned document,
table, study, lot, test and literature entry, with titles, the eCTD path of the containing file
and an anchor). :class:`XrefResolver` renders a reference for one document: the link text in the
document language and a :class:`~indbuilder.doctree.Link` whose ``href`` is relative to the
current document's folder (eCTD v3.2.2 / NMPA validation 6.2, 6.9: links must be relative so
they survive moving the sequence) or an in-document ``anchor``.
"""

from __future__ import annotations

import difflib
import posixpath
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from .. import rules
from ..diagnostics import Diagnostics, Location
from ..doctree import Block, Inline, Link, ListBlock, Paragraph, Text, plain_text

_LINK_BASIS = (
    "ICH eCTD Specification v3.2.2 and ICH M4 granularity: documents refer to each other by "
    "hyperlinks between the submitted files; NMPA eCTD validation criteria 6.2/6.9 (relative "
    "links). A consistency check derived from them: every cross-reference resolves."
)

rules.define(
    "xref.unresolved",
    "error",
    "A cross-reference points at nothing",
    """
    A ``ref(...)`` or ``[](ref:...)`` names a section, document, table, study, batch or test that
    is not in this submission. A reviewer following the link would land nowhere; a typed
    "see Section 3.2.P.8.1" that does not exist is the same defect. The hint names the closest
    existing id.
    """,
    _LINK_BASIS,
)
rules.define(
    "xref.not-in-region",
    "error",
    "A cross-reference points at a section absent from this region's submission",
    """
    The target exists in the CTD outline but is not part of this region's submission (not
    applicable, declared N/A, or not planned for FDA/NMPA), so the link cannot be made. Reword the
    text for this region or provide the section.
    """,
    _LINK_BASIS + " A section declared not applicable is not a target either.",
)
rules.define(
    "xref.citation-missing",
    "error",
    "A literature citation has no reference entry",
    """
    ``lit:<id>`` names a literature reference that is not in the dossier's literature list, so
    no bibliography entry (and no file in 3.3 / 4.3 / 5.4) can be produced for it.
    """,
    "ICH M4S and ICH M4E 2.7.5: literature cited in the summaries is provided in 4.3 / 5.4; "
    "ICH M4Q(R1) 3.3 Literature References.",
)
rules.define(
    "xref.unused-literature",
    "warning",
    "A literature reference is never cited",
    """
    An entry of the literature list is not cited by any document of this submission. Either cite
    it where it supports a statement or remove it: uncited references are noise for the reviewer.
    """,
    "ICH M4S 2.4 / M4E 2.5.7: reference lists contain the literature cited in the overview.",
)
rules.define(
    "xref.unused-study",
    "warning",
    "A study is never cross-referenced",
    """
    A nonclinical study report of Module 4 is not referred to from any summary. Every study
    submitted in Module 4 is expected to be cited in the Module 2 written/tabulated summaries.
    """,
    "ICH M4S 2.6 ('Location in CTD' columns of the tabulated summaries: every Module 4 study "
    "report is listed in the summaries).",
)

rules.define(
    "xref.bibliography-missing",
    "warning",
    "A document cites literature but prints no reference list",
    """
    The document contains numbered citations ``[n]`` (``ref:lit:<id>``) but no
    ``{{ bibliography() }}`` / ``::: bibliography`` block, so a reader cannot tell what ``[n]``
    refers to. Add the list at the end of the document.
    """,
    "ICH M4S 2.4 / M4E 2.5.7 (a list of literature references ends the overview); ICH M4 "
    "(references cited in a document are listed with it).",
)

KINDS = ("section", "doc", "table", "study", "lot", "test", "lit")

# Default link text per kind and language. ``{number}``/``{key}``/``{title}`` are filled in;
# section wording follows the CTD custom: "Section 3.2.P.8.1 Stability Summary and Conclusion"
# in English and "3.2.P.8.1 稳定性总结和结论" in Chinese (NMPA 申报资料 style).
_LABELS: dict[str, dict[str, str]] = {
    "section": {"en": "Section {number} {title}", "zh": "{number} {title}"},
    "doc": {"en": "{title}", "zh": "{title}"},
    "table": {"en": "Table {number} {title}", "zh": "表 {number} {title}"},  # as doctree.table_label
    "study": {"en": "Study {number}", "zh": "研究{number}"},
    "lot": {"en": "Batch {number}", "zh": "批号{number}"},
    "test": {"en": "{title}", "zh": "{title}"},
}


@dataclass(frozen=True)
class XrefTarget:
    """One thing a document can refer to.

    ``path`` is the eCTD path (relative to the sequence folder, e.g.
    ``m3/32-body-data/32p-drug-prod/32p8-stab/stability-summary.pdf``) of the file containing it;
    ``None`` means "in the document being rendered". ``anchor`` is the in-file target (heading or
    table anchor) or ``None`` for the start of the file. ``available=False`` marks an outline node
    that is not part of this region's submission (``reason`` says why). ``source`` is where the
    target is defined (YAML file:line) for "unused" warnings.
    """

    kind: str
    key: str
    title_en: str = ""
    title_zh: str = ""
    number: str = ""
    path: str | None = None
    anchor: str | None = None
    aliases: tuple[str, ...] = ()
    available: bool = True
    reason: str = ""
    source: Location | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown cross-reference kind {self.kind!r}; expected one of {KINDS}")

    @property
    def id(self) -> str:
        """The canonical reference id: ``3.2.P.8.1`` for sections, ``<kind>:<key>`` otherwise."""
        return self.key if self.kind == "section" else f"{self.kind}:{self.key}"

    def title(self, lang: str) -> str:
        """The title in ``lang``, falling back to English when no Chinese title is known."""
        return (self.title_zh if lang == "zh" else self.title_en) or self.title_en or self.title_zh

    def label(self, lang: str) -> str:
        """The default link text in ``lang`` (not used for ``lit``, which prints ``[n]``)."""
        pattern = _LABELS.get(self.kind, {}).get(lang) or _LABELS.get(self.kind, {}).get("en", "{key}")
        number = self.number or (self.key if self.kind in ("section", "study", "lot") else "")
        text = pattern.format(number=number, key=self.key, title=self.title(lang))
        text = " ".join(text.split())
        if self.kind == "table" and not number:
            text = self.title(lang) or self.key
        return text or self.key


def parse_target(target: str) -> tuple[str, str]:
    """``"study:NC-TOX-001"`` -> ``("study", "NC-TOX-001")``; ``"3.2.P.8.1"`` -> ``("section", …)``."""
    target = target.strip()
    kind, sep, key = target.partition(":")
    if sep and kind in KINDS:
        return kind, key.strip()
    if sep and kind == "sec":
        return "section", key.strip()
    if sep:
        return kind, key.strip()  # an unknown kind; the resolver reports it
    return "section", target


@dataclass
class XrefIndex:
    """Every cross-reference target of one region's submission, and which ids were used.

    Built by the pipeline before rendering; shared by all documents of the region. Lookups are
    case-insensitive (``3.2.p.8.1`` finds ``3.2.P.8.1``); a section is also found by its eCTD
    element name and any ``aliases``.
    """

    targets: dict[tuple[str, str], XrefTarget] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    def add(self, target: XrefTarget) -> None:
        """Register a target (and its aliases). A different target under the same key is a bug."""
        for key in (target.key, *target.aliases):
            k = (target.kind, key.casefold())
            existing = self.targets.get(k)
            if existing is not None and existing != target:
                raise ValueError(f"cross-reference id {target.kind}:{key} registered twice")
            self.targets[k] = target

    def lookup(self, kind: str, key: str) -> XrefTarget | None:
        return self.targets.get((kind, key.strip().casefold()))

    def keys(self, kind: str) -> list[str]:
        """Every spelling of ``kind`` ids that resolves (for suggestions), sorted."""
        out: set[str] = set()
        for t in self.targets.values():
            if t.kind == kind:
                out.add(t.key)
                out.update(t.aliases)
        return sorted(out)

    def all_of(self, kind: str) -> list[XrefTarget]:
        """The distinct targets of ``kind``, in key order."""
        seen: dict[str, XrefTarget] = {}
        for t in self.targets.values():
            if t.kind == kind:
                seen[t.key] = t
        return [seen[k] for k in sorted(seen)]

    def suggest(self, kind: str, key: str, extra: Iterable[str] = ()) -> str | None:
        """The closest existing id of ``kind`` (difflib), for a "did you mean" hint.

        ``extra``: more keys of ``kind`` to consider (a document's own tables).
        """
        keys = sorted(set(self.keys(kind)) | set(extra))
        folded = {k.casefold(): k for k in keys}
        match = difflib.get_close_matches(key.casefold(), list(folded), n=1, cutoff=0.6)
        if not match:
            return None
        best = folded[match[0]]
        return best if kind == "section" else f"{kind}:{best}"

    def report_unused(self, diags: Diagnostics) -> None:
        """Warn about literature and studies that no document cited (call after rendering all)."""
        for kind, rule in (("lit", "xref.unused-literature"), ("study", "xref.unused-study")):
            targets = self.all_of(kind)
            report_unused(
                kind,
                [t.key for t in targets],
                {u.partition(":")[2] for u in self.used if u.startswith(kind + ":")},
                diags,
                {t.key: t.source for t in targets if t.source is not None},
            )


def report_unused(
    kind: str,
    all_ids: Iterable[str],
    used_ids: Iterable[str],
    diags: Diagnostics,
    sources: Mapping[str, Location] | None = None,
) -> list[str]:
    """Emit ``xref.unused-literature`` / ``xref.unused-study`` for ids never used; returns them.

    ``used_ids`` may be bare keys or ``<kind>:<key>`` ids.
    """
    rule = {"lit": "xref.unused-literature", "study": "xref.unused-study"}.get(kind)
    if rule is None:
        raise ValueError(f"no 'unused' rule for kind {kind!r}")
    used = {u.partition(":")[2] if u.startswith(kind + ":") else u for u in used_ids}
    used_folded = {u.casefold() for u in used}
    unused = sorted({i for i in all_ids if i.casefold() not in used_folded})
    what = "literature reference" if kind == "lit" else "study"
    for i in unused:
        diags.emit(
            rule,
            f"{what} '{i}' is never cited (no ref {kind}:{i} in any document)",
            (sources or {}).get(i),
        )
    return unused


@dataclass
class XrefResolver:
    """Resolves references for ONE document: link text, relative links, citation numbers.

    ``doc_path`` is the eCTD path of the document being rendered (``None``: treat every target
    path as relative to the sequence folder). ``lang`` is the document language.
    """

    index: XrefIndex
    lang: str
    doc_path: str | None
    diags: Diagnostics
    citations: list[XrefTarget] = field(default_factory=list)
    local: dict[tuple[str, str], XrefTarget] = field(default_factory=dict)

    def add_local(self, target: XrefTarget) -> None:
        """A target inside the document being rendered (its own anchored tables): links by anchor.

        Local targets take precedence over the index, so a document can refer to its own tables
        without a second rendering pass.
        """
        self.local[(target.kind, target.key.casefold())] = target

    def _href(self, path: str) -> str:
        if self.doc_path is None:
            return path
        start = posixpath.dirname(self.doc_path) or "."
        return posixpath.relpath(path, start)

    def _link(self, t: XrefTarget, children: tuple[Inline, ...]) -> tuple[Inline, ...]:
        if t.path is None or t.path == self.doc_path:
            if t.anchor:
                return (Link(children, anchor=t.anchor),)
            return children  # the document itself: nothing to link to
        return (Link(children, href=self._href(t.path), anchor=t.anchor),)

    def resolve(
        self, target: str, children: tuple[Inline, ...], where: Location | None
    ) -> tuple[Inline, ...]:
        """The inline nodes for ``[children](ref:target)``; problems become diagnostics at ``where``."""
        kind, key = parse_target(target)
        shown = children if plain_text(children).strip() else ()
        if kind not in KINDS:
            self.diags.emit(
                "xref.unresolved",
                f"cross-reference 'ref:{target}' has unknown kind '{kind}'",
                where,
                hint=f"use one of: {', '.join(k + ':' for k in KINDS if k != 'section')} or a CTD section number",
            )
            return shown or (Text(target),)
        t = self.local.get((kind, key.casefold())) or self.index.lookup(kind, key)
        if t is None:
            own = [t.key for (k, _), t in self.local.items() if k == kind]
            suggestion = self.index.suggest(kind, key, own)
            hint = f"did you mean '{suggestion}'?" if suggestion else None
            if kind == "lit":
                self.diags.emit(
                    "xref.citation-missing",
                    f"literature reference 'lit:{key}' is not in the literature list",
                    where,
                    hint=hint,
                )
                return shown or (Text(f"[{key}?]"),)
            what = "CTD section" if kind == "section" else kind
            self.diags.emit(
                "xref.unresolved",
                f"cross-reference '{target.strip()}' does not resolve: no {what} '{key}'",
                where,
                hint=hint,
            )
            return shown or (Text(target.strip()),)
        self.index.used.add(t.id)
        if kind == "lit":
            return self._cite(t, shown)
        text = shown or (Text(t.label(self.lang)),)
        if not t.available:
            why = f": {t.reason}" if t.reason else ""
            self.diags.emit(
                "xref.not-in-region",
                f"cross-reference '{t.id}' ({t.title('en')}) is not part of this submission{why}",
                where,
            )
            return text
        return self._link(t, text)

    def _cite(self, t: XrefTarget, shown: tuple[Inline, ...]) -> tuple[Inline, ...]:
        if t not in self.citations:
            self.citations.append(t)
        n = self.citations.index(t) + 1
        mark = self._link(t, (Text(f"[{n}]"),)) if t.path else (Text(f"[{n}]"),)
        if shown:
            return shown + (Text(" "),) + mark
        return mark

    def bibliography(self) -> list[Block]:
        """The numbered list of literature cited so far (numbers match the ``[n]`` citations)."""
        if not self.citations:
            return []
        items: list[list[Block]] = []
        for t in self.citations:
            text = (Text(t.title(self.lang) or t.key),)
            items.append([Paragraph(self._link(t, text) if t.path else text)])
        return [ListBlock(ordered=True, items=items, start=1)]
