"""Small helpers shared by the rule families: locations, id lists, document text and lookups.

Rule families read two kinds of input (see :class:`~indbuilder.build.CheckContext`):

* the facts (``ctx.dossier``), whose every key has a file:line through ``dossier.where(...)``;
* per region, the rendered documents (:class:`~indbuilder.build.RenderedDoc`): each knows its planned
  document, its source (template, narrative) for findings, its text and the facts it used (provenance).
"""

from __future__ import annotations

import re
import textwrap
from typing import Any, Iterable, Iterator

from .. import rules
from ..diagnostics import Location
from ..doctree import Document, block_texts, document_text, table_rows  # noqa: F401  (re-exported for rule families)
from ..build import CheckContext, RenderedDoc
from ..numtext import num as num  # re-exported for rule families


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


def normalize(text: str) -> str:
    """Whitespace-collapsed text for comparisons (keeps case and punctuation).

    Chinese text is also put through the typography normalisation that Chinese documents get when they
    are rendered (full-width punctuation, “” quotes, spacing: GB/T 15834), so that a fact written with
    half-width punctuation ("TODO: 适应症") is found in the document that prints it ("TODO：适应症")."""
    text = re.sub(r"\s+", " ", text).strip()
    if _CJK.search(text):
        from ..render.zh_typography import normalise_text

        text = normalise_text(text)
    return text


_CJK = re.compile(r"[\u3400-\u9fff]")


def compact(text: str) -> str:
    """The text after :func:`normalize`, without any whitespace (for Chinese documents, where spacing varies)."""
    return re.sub(r"\s+", "", normalize(text))


def rendered(ctx: CheckContext, region: str | None = None) -> Iterator[RenderedDoc]:
    """Every rendered document (of one region, or of all), attachments left out, in plan order."""
    for r in ctx.regions:
        if region is None or r.region == region:
            yield from r.documents


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


class TestedPart:
    """A drug substance or drug product with its own release data: specification, lots, stability.

    A drug substance that is not isolated has none of its own (it is tested as drug product) and is
    not listed; rules that check specifications, batches and stability loop over these.
    """

    __slots__ = ("section", "part", "_by_name")

    def __init__(self, section: str, part: Any) -> None:
        self.section = section  # "drug_substance" or "drug_product": the first element of fact paths
        self.part = part
        self._by_name: dict[str, dict[str, Any]] = {}

    def by_name(self, lang: str) -> dict[str, Any]:
        """Its tests by their normalised name in ``lang`` (built once: table rows are read by name)."""
        if lang not in self._by_name:
            self._by_name[lang] = {normalize(t.name.get(lang)): t for t in self.tests.values()}
        return self._by_name[lang]

    @property
    def label(self) -> str:
        return "drug substance" if self.section == "drug_substance" else "drug product"

    @property
    def ctd(self) -> str:
        """The CTD section of its specification: 3.2.S.4 or 3.2.P.5."""
        return "3.2.S.4" if self.section == "drug_substance" else "3.2.P.5"

    @property
    def tests(self) -> dict[str, Any]:
        spec = self.part.specification
        return {t.id: t for t in spec.tests} if spec is not None else {}

    @property
    def batches(self) -> list[Any]:
        return list(self.part.batches)

    @property
    def stability(self) -> list[Any]:
        return list(self.part.stability)


def tested_parts(ctx: CheckContext) -> list[TestedPart]:
    """The drug substance (when isolated) and the drug product, each with its specification."""
    return [TestedPart(section, part) for section, part in ctx.dossier.parts() if part.specification is not None]


def project_languages(ctx: CheckContext) -> tuple[str, ...]:
    """The document languages of the project's regions (``en`` for FDA, ``zh`` for NMPA): the languages
    its fact text is written in, so a rule reads the text the project has."""
    from .. import regions

    return tuple(dict.fromkeys(regions.get(name).lang for name in ctx.config.settings.regions))
