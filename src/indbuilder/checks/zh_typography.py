"""What the Chinese typography normaliser cannot decide (the rule ``china.typography``, defined in
:mod:`indbuilder.checks.china`).

:mod:`indbuilder.render.zh_typography` fixes punctuation and spacing when a zh document renders. Words are
another matter: an English sentence, an English unit word (``cells/kg``, ``days``), a US unit where Chinese
practice uses another (``mg/dL`` for blood glucose, ``°F``) or a table cell left in English needs a
translation, which only the author can give. This module finds them in the rendered NMPA documents and names
the fact, narrative or template line they come from.

Not reported: literature reference lists and bibliography entries (a cited title stays in its language), the
English expansions of the abbreviation list, code, names and titles (every content word capitalised:
``Sprague Dawley``, ``Testing of Retroviral Vector-Based Human Gene Therapy Products``), and the chapter
title after a compendial citation (``USP <905> (uniformity of dosage units)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..diagnostics import Diagnostics, Location
from ..doctree import (
    Block,
    Code,
    Document,
    FootnoteRef,
    Heading,
    Inline,
    LineBreak,
    Paragraph,
    Table,
    Text,
    walk_blocks,
)
from ..render.filters import _ZH_UNIT_WORDS
from ..render.zh_typography import has_cjk
from .context import CheckContext, RenderedDoc
from .modality import fact_texts, sentence_around
from .support import rendered

# Function words a title leaves in lower case (Chicago/APA title case).
_FUNCTION = frozenset(
    "a an and as at by for from in into of on or per the to via vs with without".split()
)
# Unit and symbol words that are lower case by nature and are not prose.
_SYMBOLS = frozenset("mg kg g ml l ng pg mmol mol µg µl nm mm cm h min s d wk ph log et al i.v ip iv sc po qd bid".split())
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z0-9]+)*")
# Four or more Latin words joined by spaces, commas, slashes or parentheses (not by . ; : which end a phrase).
_EN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9'’\-]*(?:[ ,()/&]+[A-Za-z][A-Za-z0-9'’\-]*){3,}")
# A compendial or regulatory citation, whose parenthesised chapter title follows it: USP <905> (…).
_CITATION = re.compile(r"(?:<\d+[A-Za-z]?>|Ph\.\s?Eur\.\s?[\d.]+|ChP\s?\d+)\s*\(?\s*$")

_CITED_TITLE = re.compile(r"(<\d+[A-Za-z]?>|Ph\.\s?Eur\.\s?[\d.]+|ChP\s?\d+)\s*\([^()]*\)")
_NUMBER = r"\d[\d.,]*(?:\s*[×x]\s*10[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)?"
# the unit words the `unit` filter translates (one table), plus the few more a writer types in prose
_UNIT_WORDS = {**_ZH_UNIT_WORDS, 'tablets': '片', 'capsules': '粒'}
# "5.0 × 10⁶ cells/kg", "12 months", and cells/kg or cells/mL wherever they stand
_UNIT_WORD = re.compile(
    rf"(?:(?<=\d)|(?<=[⁰¹²³⁴⁵⁶⁷⁸⁹])|(?<=\d )|(?<=[⁰¹²³⁴⁵⁶⁷⁸⁹] ))({'|'.join(sorted(_UNIT_WORDS, key=len, reverse=True))})(?![A-Za-z])"
    r"|(?<![A-Za-z])(cells?)(?=/(?:kg|mL|L|vial|bag|dose)\b)"
)
# US customary and conventional units, with the unit Chinese clinical practice uses.
_US_UNITS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<![A-Za-zµμ])mg/dL\b"), "mmol/L (glucose: mg/dL ÷ 18.0; total cholesterol ÷ 38.67; "
     "triglycerides ÷ 88.57; urea nitrogen × 0.357) or µmol/L (creatinine × 88.4; bilirubin × 17.1)"),
    (re.compile(r"(?<![A-Za-zµμm])g/dL\b"), "g/L (haemoglobin, albumin: g/dL × 10)"),
    (re.compile(r"(?<![A-Za-z])mEq/L\b"), "mmol/L (monovalent ions: 1 mEq/L = 1 mmol/L)"),
    (re.compile(r"°F\b|℉"), "℃ ((°F − 32) ÷ 1.8)"),
    (re.compile(r"(?<![A-Za-z])lbs?\b"), "kg (lb × 0.4536)"),
)


@dataclass(frozen=True)
class Unit:
    """One text run of a zh document as a reader sees it: a paragraph, a heading or a table cell."""

    text: str
    cell: bool  # a table cell (untranslated cells are reported as such)


def _inline_text(inlines: tuple[Inline, ...]) -> str:
    """The text of inline nodes with code spans left out (code is never translated)."""
    out: list[str] = []
    for node in inlines:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, (Code, LineBreak)):
            out.append(" ")
        elif isinstance(node, FootnoteRef):
            continue
        else:
            out.append(_inline_text(node.children))
    return "".join(out)


def units(doc: Document) -> Iterator[Unit]:
    """The text runs of a document the rule reads (bibliography entries and code blocks left out)."""
    from ..render.markdown import BIBLIOGRAPHY_STYLE

    def visit(blocks: list[Block]) -> Iterator[Unit]:
        for b in walk_blocks(blocks):
            if isinstance(b, Heading):
                yield Unit(_inline_text(b.children), False)
            elif isinstance(b, Paragraph) and b.style != BIBLIOGRAPHY_STYLE:
                yield Unit(_inline_text(b.children), False)
            elif isinstance(b, Table):
                yield Unit(_inline_text(b.caption), False)
                for row in [*b.header, *b.rows]:
                    for cell in row:
                        yield Unit(_inline_text(cell.children), True)

    yield from visit(doc.blocks)
    for v in doc.footnotes.values():
        yield from visit(v)


@dataclass(frozen=True)
class Problem:
    """One thing to translate: its kind, the text found, what to write instead."""

    kind: str  # "sentence" | "cell" | "unit-word" | "us-unit"
    found: str
    advice: str
    pattern: re.Pattern[str]  # finds ``found`` in the source text


def english_prose(run: str) -> bool:
    """Whether a run of Latin words is English prose (not a name, a title, a symbol list or code).

    Prose has at least two lower-case content words: words that are not function words of a title, unit
    symbols, or tokens with digits or inner capitals (``Il2rg``, ``CS10``, ``IgG1κ``).
    """
    content = [
        w for w in _WORD.findall(run)
        if w.islower() and len(w) >= 3 and w.lower() not in _FUNCTION and w.lower().strip("'’") not in _SYMBOLS
    ]
    return len(content) >= 2


def _words_pattern(text: str) -> re.Pattern[str]:
    """Finds ``text`` in a source with any punctuation or spacing between its words (the normaliser may
    have changed them)."""
    words = re.findall(r"\w+", text)
    return re.compile(r"\W*".join(re.escape(w) for w in words), re.IGNORECASE)


def problems(unit: Unit, exempt: frozenset[str]) -> Iterator[Problem]:
    """The problems of one text run of a zh document (``exempt``: casefolded English texts allowed as they are,
    e.g. the expansions of the abbreviation list)."""
    text = unit.text
    if unit.cell and not has_cjk(text) and _WORD.search(text):
        stripped = _CITED_TITLE.sub(r"\1", text).strip()
        words = _WORD.findall(stripped)
        if len(words) >= 3 and english_prose(stripped) and not _exempt(stripped, exempt) and not _cited(text, 0):
            yield Problem("cell", stripped, "translate the cell", _words_pattern(stripped))
            return
    for m in _EN_RUN.finditer(text):
        run = m.group(0).strip(" ,(/&")
        if len(_WORD.findall(run)) < 4 or not english_prose(run) or _exempt(run, exempt) or _cited(text, m.start()):
            continue
        if not has_cjk(text) and not unit.cell:
            continue  # a paragraph wholly in English (an English quotation, an address): china.zh-rendition's share
        yield Problem("sentence", run, "translate it, or keep a name or title and waive the finding", _words_pattern(run))
    for m in _UNIT_WORD.finditer(text):
        word = m.group(0)
        zh = _UNIT_WORDS.get(word.lower(), "")
        rest = text[m.end() : m.end() + 4]
        if word.lower().startswith("cell") and rest.startswith("/"):
            per = re.match(r"/[A-Za-z]+", rest)
            word = word + (per.group(0) if per else "")
        if _inside_english(text, m.start()):
            continue  # part of an English sentence, reported as such
        yield Problem("unit-word", word, f"write {zh}{word[len(m.group(0)):]}" if zh else "translate it",
                      re.compile(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])"))
    for rx, instead in _US_UNITS:
        for m in rx.finditer(text):
            yield Problem("us-unit", m.group(0), f"Chinese clinical practice states {instead}", rx)


def _exempt(run: str, exempt: frozenset[str]) -> bool:
    key = " ".join(_WORD.findall(run)).casefold()
    return any(key in e for e in exempt)


def _cited(text: str, start: int) -> bool:
    """Whether the run at ``start`` is the title of a compendial chapter cited just before it."""
    return _CITATION.search(text[max(0, start - 40) : start]) is not None


def _inside_english(text: str, at: int) -> bool:
    for m in _EN_RUN.finditer(text):
        if m.start() <= at < m.end() and len(_WORD.findall(m.group(0))) >= 4 and english_prose(m.group(0)):
            return True
    return False


# ------------------------------------------------------------------ where it came from


def _squash(text: str) -> str:
    """Text reduced to its letters and digits: the normaliser changes punctuation and spaces, never these."""
    return re.sub(r"[\W_]+", "", text).casefold()


class Origins:
    """Finds the fact, zh narrative or template line a problem of a rendered zh document comes from."""

    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        self.facts = [f for f in fact_texts(ctx.dossier.facts) if f.lang in (None, "zh") and f.path[0] != "literature"]
        self._dirs: list[Path] | None = None

    def find(self, rd: RenderedDoc, line: str, problem: Problem) -> tuple[Location | None, str]:
        """``(location, what it is)`` of ``problem`` in the rendered ``line`` of ``rd``."""
        squashed = _squash(line)
        best: tuple[int, Location | None, str] | None = None
        for f in self.facts:
            for m in problem.pattern.finditer(f.text):
                window = _squash(sentence_around(f.text, m.start(), m.end()).strip("…"))
                if window and window in squashed and (best is None or len(window) > best[0]):
                    neutral = f.lang is None  # a plain string: one value for every language
                    what = "the fact " + ".".join(str(p) for p in f.path)
                    if neutral:
                        what += ", which has one value for every language and so no Chinese text"
                    best = (len(window), self.ctx.dossier.where(*f.path), what)
        if best is not None:
            return best[1], best[2]
        used = set(rd.provenance.narratives) | ({rd.planned.narrative} if rd.planned.narrative else set())
        for n in self.ctx.dossier.narratives:
            if n.path not in used or n.lang != "zh":
                continue
            for i, text in enumerate(n.body.splitlines()):
                for m in problem.pattern.finditer(text):
                    window = _squash(sentence_around(text, m.start(), m.end()).strip("…"))
                    if window and window in squashed:
                        return Location(n.path, n.body_line + i), "the narrative"
        names = sorted(rd.provenance.templates)
        if rd.planned.template:
            names = [rd.planned.template] + [x for x in names if x != rd.planned.template]
        for name in names:
            path = self._resolve(name)
            if path is None:
                continue
            for lineno, text in enumerate(_read(path).splitlines(), 1):
                for segment in re.split(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", text):
                    for m in problem.pattern.finditer(segment):
                        window = _squash(sentence_around(segment, m.start(), m.end()).strip("…"))
                        if window and window in squashed:
                            return Location.of(path, lineno, root=self.ctx.config.root), "the template"
        return rd.source, "the document"

    def _resolve(self, name: str) -> Path | None:
        direct = Path(name) if Path(name).is_absolute() else self.ctx.config.root / name
        if direct.is_file():
            return direct
        if self._dirs is None:
            from ..sources import template_dirs

            self._dirs = template_dirs(self.ctx.config, self.ctx.dossier)
        for d in self._dirs:
            if (d / name).is_file():
                return d / name
        return None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


_WHAT = {
    "sentence": "English text in a Chinese document",
    "cell": "a table cell left in English",
    "unit-word": "an English unit word in Chinese text",
    "us-unit": "a US unit where Chinese practice uses another",
}


def check_typography(ctx: CheckContext, diags: Diagnostics) -> None:
    """``china.typography``: English text, English unit words, US units and English cells in NMPA documents.

    One finding per source place and text (a fact printed in five documents is one fix), naming the first
    document and how many more show it.
    """
    exempt = frozenset(" ".join(_WORD.findall(a.meaning.en)).casefold() for a in ctx.dossier.abbreviations)
    origins = Origins(ctx)
    seen: dict[tuple[str, str, str], list[str]] = {}
    pending: list[tuple[tuple[str, str, str], Problem, Location | None, str, str]] = []
    for rd in rendered(ctx, "nmpa"):
        if rd.lang != "zh" or "literature-references" in rd.element:
            continue
        for unit in units(rd.doc):
            for p in problems(unit, exempt):
                loc, what = origins.find(rd, unit.text, p)
                key = (p.kind, str(loc), p.found.casefold())
                doc = rd.label
                if key in seen:
                    if doc not in seen[key]:
                        seen[key].append(doc)
                    continue
                seen[key] = [doc]
                context = unit.text.strip()
                if len(context) > 120:
                    i = max(0, context.find(p.found) - 50)
                    context = ("…" if i else "") + context[i : i + 120] + "…"
                pending.append((key, p, loc, what, context))
    for key, p, loc, what, context in pending:
        docs = seen[key]
        where_ = docs[0] + (f" and {len(docs) - 1} other document{'s' if len(docs) > 2 else ''}" if len(docs) > 1 else "")
        diags.emit(
            "china.typography",
            f"{where_}: {_WHAT[p.kind]}: '{p.found}' in \"{context}\" (from {what}); {p.advice}",
            loc,
        )
