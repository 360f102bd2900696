"""Rule family K (issue 10): nothing a document says may belong to another product modality.

Each modality profile (:mod:`indbuilder.modalities`) lists the wording only its documents use: cells/kg,
donor and CBER for a cell therapy; vector and transduction for a gene therapy; cell bank and host-cell
protein for a protein; tablet, dissolution and ICH Q3A for a small molecule. A rendered document of a
product must not use the wording of a modality the product is not (``Modality.foreign_wording()``).

Where a word comes from decides the finding:

* the templates (indbuilder's or the project's): ``identity.modality-wording``, an error at the template
  file:line that printed it. Templates are the tool's own wording; a word of another modality there means
  a paragraph written for another kind of product reached this one.
* the user's own text, a fact value or a Markdown narrative: ``identity.modality-wording-user``, a warning
  at the fact or narrative file:line. The user may have good reason (an exclusion criterion "prior gene
  therapy", "prior allogeneic transplant", a comparison with a marketed tablet); the warning asks for a
  look and a waiver records the reason.
* the literature reference list: skipped. A cited title ("... in patients treated with tablets ...") is a
  bibliographic record, not something the dossier says about the product.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from pydantic import BaseModel

from ..diagnostics import Diagnostics, Location
from ..modalities import ModalityProfile, Wording
from .context import CheckContext, RenderedDoc
from .support import define, normalize, rendered

define(
    "identity.modality-wording",
    "error",
    "A document generated from a template uses wording that belongs to another product modality.",
    """
    Every document of an IND describes one kind of product. A small-molecule dossier never speaks of cells/kg,
    donors, vectors, CBER or ICH S6; a cell therapy dossier never of tablets, dissolution, CDER or ICH Q3A. The
    words each modality owns are listed in its profile (``indbuilder.modalities``, ``wording``); a product
    combining modalities (a gene-modified cell therapy) owns the wording of each.

    This rule fires when the word was printed by a template: the finding names the document, the word, the
    sentence, the modality the word belongs to and the template file:line it comes from. Fix the template
    (move the paragraph into ``templates/ectd/modalities/<modality>/`` or make it ask ``modality.has(...)``).

    Text the user wrote (facts, narratives) is reported by ``identity.modality-wording-user`` instead, and
    literature reference lists are not checked (a cited title is a bibliographic record).
    """,
    "21 CFR 312.23(a)(7) (CMC information appropriate to the product); ICH M4 (CTD content by product type); "
    "FDA intercentre agreement (CDER/CBER jurisdiction); issue 10.",
)
define(
    "identity.modality-wording-user",
    "warning",
    "A fact or narrative the user wrote uses wording that belongs to another product modality.",
    """
    The user's own text reaches the documents as written. Mentioning another kind of product can be right
    (an exclusion criterion "prior gene therapy", "prior allogeneic stem cell transplant", a comparator
    tablet), or it can be a paragraph copied from another project. The finding points at the fact or
    narrative line; reword it, or record why it is right as a waiver of this rule in ``indbuilder.yaml``.
    Entries of the literature list are not checked.
    """,
    "21 CFR 312.23(a)(7); ICH M4; issue 10.",
)

# How much of a sentence a finding quotes around the word.
_QUOTE = 160
_SENTENCE_END = re.compile(r"[.!?;:。；！？](?:\s|$)|[。；！？]")


@dataclass(frozen=True)
class FactText:
    """One string of the user's facts: its fact path, its language (None: every language) and the text."""

    path: tuple[Any, ...]
    lang: str | None
    text: str


def sentence_around(line: str, start: int, end: int) -> str:
    """The sentence of ``line`` that holds ``line[start:end]``, shortened to about ``_QUOTE`` characters."""
    begin = 0
    for m in _SENTENCE_END.finditer(line, 0, start):
        begin = m.end()
    stop = len(line)
    m2 = _SENTENCE_END.search(line, end)
    if m2 is not None:
        stop = m2.start() + 1
    sentence = line[begin:stop].strip()
    if len(sentence) > _QUOTE:
        rel = start - begin
        lo = max(0, rel - _QUOTE // 2)
        hi = lo + _QUOTE
        # cut at word boundaries (a CJK sentence has none: cut where it falls)
        while 0 < lo < rel and not sentence[lo - 1].isspace() and sentence[lo - 1].isascii():
            lo += 1
        while rel < hi < len(sentence) and not sentence[hi].isspace() and sentence[hi].isascii():
            hi -= 1
        sentence = ("…" if lo else "") + sentence[lo:hi].strip() + ("…" if hi < len(sentence) else "")
    return sentence


def fact_texts(facts: dict[str, Any]) -> list[FactText]:
    """Every string of the facts with its fact path (record ids for list items, as ``dossier.where`` takes)."""
    out: list[FactText] = []

    def walk(obj: Any, path: tuple[Any, ...], lang: str | None) -> None:
        if isinstance(obj, str):
            if obj.strip():
                out.append(FactText(path, lang, obj))
        elif isinstance(obj, BaseModel):
            is_text = type(obj).__name__ == "Text"
            for name in type(obj).model_fields:
                walk(getattr(obj, name), path + (name,), name if is_text else lang)
            for name, value in (obj.model_extra or {}).items():
                walk(value, path + (name,), name if is_text else lang)
        elif isinstance(obj, (list, tuple)):
            for i, item in enumerate(obj):
                key = getattr(item, "id", None)
                walk(item, path + (key if isinstance(key, str) else i,), lang)
        elif isinstance(obj, dict):
            for k, v in obj.items():
                walk(v, path + (k,), lang)

    for section, value in facts.items():
        walk(value, (section,), None)
    return out


def _window(text: str, start: int, end: int) -> str:
    """The text of a fact around a match, up to its sentence (what must reappear in a document)."""
    return normalize(sentence_around(text, start, end).rstrip("…").lstrip("…")).casefold()


class _Origins:
    """Finds where a word of a rendered line came from: literature, a fact, a narrative or a template."""

    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        self.facts = fact_texts(ctx.dossier.facts)
        self._fact_hits: dict[tuple[str, str | None], list[tuple[FactText, str]]] = {}
        self._dirs: list[Path] | None = None

    def fact_hits(self, wording: Wording, lang: str) -> list[tuple[FactText, str]]:
        """Fact strings (in ``lang`` or language-neutral) where ``wording`` occurs, each with its window."""
        key = (wording.pattern, lang)
        if key not in self._fact_hits:
            rx = wording.compiled()
            hits: list[tuple[FactText, str]] = []
            for f in self.facts:
                if f.lang not in (None, lang):
                    continue
                for m in rx.finditer(f.text):
                    hits.append((f, _window(f.text, m.start(), m.end())))
            self._fact_hits[key] = hits
        return self._fact_hits[key]

    def from_fact(self, line: str, wording: Wording, lang: str) -> tuple[FactText, str] | None:
        """The fact whose text around the word is in ``line`` (literature first, then the longest), with
        that text."""
        low = _words(line)
        found = [(f, w) for f, w in self.fact_hits(wording, lang) if w and _words(w) in low]
        if not found:
            return None
        found.sort(key=lambda fw: (fw[0].path[0] != "literature", -len(fw[1])))
        return found[0]

    def from_narrative(self, rd: RenderedDoc, line: str, wording: Wording) -> Location | None:
        """The narrative line that holds the word and whose sentence is in ``line``."""
        rx = wording.compiled()
        low = normalize(line).casefold()
        used = set(rd.provenance.narratives)
        if rd.planned.narrative:
            used.add(rd.planned.narrative)
        for n in self.ctx.dossier.narratives:
            if n.path not in used:
                continue
            for i, text in enumerate(n.body.splitlines()):
                for m in rx.finditer(text):
                    window = _window(text, m.start(), m.end())
                    # Markdown markup (**, _, links) may separate the narrative line from the rendered text:
                    # compare its words only.
                    if window and (window in low or _words(window) in _words(low)):
                        return Location(n.path, n.body_line + i)
        return None

    def template_dirs(self) -> list[Path]:
        if self._dirs is None:
            from ..sources import template_dirs

            self._dirs = template_dirs(self.ctx.config, self.ctx.dossier)
        return self._dirs

    def from_template(self, rd: RenderedDoc, line: str, wording: Wording) -> Location | None:
        """The template line (the document's own template first, then its includes) whose literal text around
        the word (Jinja tags cut out) is in the rendered ``line``."""
        rx = wording.compiled()
        low = _words(line)
        names = sorted(rd.provenance.templates)
        main = rd.planned.template
        if main:
            names = [main] + [n for n in names if n != main]
        for name in names:
            path = self._resolve(name)
            if path is None:
                continue
            for lineno, text in _template_lines(path):
                for segment in _JINJA_TAG.split(text):
                    for m in rx.finditer(segment):
                        literal = _words(sentence_around(segment, m.start(), m.end()).strip("…"))
                        if literal and literal in low:
                            return Location.of(path, lineno, root=self.ctx.config.root)
        return None

    def _resolve(self, name: str) -> Path | None:
        """A template's file: provenance records display paths (relative to the project root, or absolute
        outside it); a planned template is a name looked up in the template folders."""
        direct = Path(name) if Path(name).is_absolute() else self.ctx.config.root / name
        if direct.is_file():
            return direct
        for d in self.template_dirs():
            p = d / name
            if p.is_file():
                return p
        return None


_JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


@lru_cache(maxsize=512)
def _template_lines(path: Path) -> tuple[tuple[int, str], ...]:
    """A template's lines with Jinja comments removed (a comment is never printed)."""
    try:
        source = path.read_text(encoding="utf-8")
    except OSError:
        return ()
    source = re.sub(r"\{#.*?#\}", lambda m: "\n" * m.group(0).count("\n"), source, flags=re.S)
    return tuple((i + 1, line) for i, line in enumerate(source.splitlines()))


def scan(text: str, lang: str, foreign: tuple[tuple[ModalityProfile, Wording], ...]) -> Iterator[tuple[ModalityProfile, Wording, str, str, str]]:
    """``(profile, wording, word, sentence, line)`` for every foreign word in ``text`` (one block per line)."""
    compiled = [(p, w, w.compiled()) for p, w in foreign if w.lang in (None, lang)]
    for line in text.splitlines():
        for p, w, rx in compiled:
            for m in rx.finditer(line):
                yield p, w, m.group(0), sentence_around(line, m.start(), m.end()), line


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """K1: every rendered document speaks only of the product's own modalities."""
    product = ctx.dossier.product
    if product is None:
        return
    kind = product.kind  # the loader admits only registered modalities
    foreign = _with_centre(ctx, kind.foreign_wording())
    if not foreign:
        return
    origins = _Origins(ctx)
    # one finding per (where the word comes from, word): a template line printed in 12 documents is one fix
    seen: dict[tuple[str, str, str], list[str]] = {}
    pending: list[tuple[str, str, Location | None, tuple[str, str, str], str]] = []
    for rd in rendered(ctx):
        for profile, wording, word, sentence, line in scan(rd.text, rd.lang, foreign):
            rule, loc, origin = _origin(origins, rd, wording, line)
            if rule is None:
                continue  # a literature reference
            key = (rule, str(loc) if loc is not None else f"{rd.source}", word.casefold())
            doc = f"{rd.label} ({rd.region})"
            if key in seen:
                if doc not in seen[key]:
                    seen[key].append(doc)
                continue
            seen[key] = [doc]
            message = (
                f"'{word}' ({wording.what}) is wording of a {profile.title.get('en', profile.name)} "
                f"({profile.name}), but {product.code} is a {kind.title('en')}: \"{sentence}\""
            )
            pending.append((rule, message, loc, key, origin))
    for rule, message, loc, key, origin in pending:
        docs = seen[key]
        where_ = docs[0] + (f" and {len(docs) - 1} other document{'s' if len(docs) > 2 else ''}" if len(docs) > 1 else "")
        text = f"{where_}: {message} ({origin})"
        if rule == "identity.modality-wording":
            diags.emit("identity.modality-wording", text, loc)
        else:
            diags.emit("identity.modality-wording-user", text, loc)


_CENTRES = ("CDER", "CBER")


def _with_centre(ctx: CheckContext, foreign: tuple[tuple[ModalityProfile, Wording], ...]) -> tuple[tuple[ModalityProfile, Wording], ...]:
    """The foreign wording with the FDA centres settled by the centre that reviews this IND: the product's
    own (``regulatory.fda.centre``, a protein CBER keeps) is never foreign, the other always is."""
    from ..modalities import get, names

    product = ctx.dossier.product
    assert product is not None
    reg = ctx.dossier.regulatory
    stated = reg.fda.centre if reg is not None and reg.fda is not None else None
    centre = stated or product.kind.fda_centre
    out = [(p, w) for p, w in foreign if w.what != centre]
    other = next(c for c in _CENTRES if c != centre)
    if not any(w.what == other for _, w in out):
        for name in names():
            found = next((w for w in get(name).wording if w.what == other), None)
            if found is not None:
                out.append((get(name), found))
                break
    return tuple(out)


def _origin(origins: _Origins, rd: RenderedDoc, wording: Wording, line: str) -> tuple[str | None, Location | None, str]:
    """``(rule or None to skip, location, what the location is)`` for one foreign word in one line."""
    # A cited title is bibliographic data; then the tool's own wording; then the user's.
    fact = origins.from_fact(line, wording, rd.lang)
    if fact is not None and fact[0].path[0] == "literature":
        return None, None, "literature"
    template = origins.from_template(rd, line, wording)
    if template is not None:
        return "identity.modality-wording", template, "from the template"
    if fact is not None:
        return _user_fact(origins, fact[0])
    narrative = origins.from_narrative(rd, line, wording)
    if narrative is not None:
        return "identity.modality-wording-user", narrative, "from the narrative"
    where_ = "where it comes from is not known"
    if rd.source is not None:
        where_ = f"in the document made from {rd.source}"
    return "identity.modality-wording", rd.source, where_


def _user_fact(origins: _Origins, fact: FactText) -> tuple[str, Location | None, str]:
    path = ".".join(str(p) for p in fact.path)
    return "identity.modality-wording-user", origins.ctx.dossier.where(*fact.path), f"from the fact {path}"
