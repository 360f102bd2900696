"""What every writer checks in the text it is given: characters no file can carry, words wider than a line.

Text reaches a writer from templates and narratives, so it can hold anything a Jinja expression
can produce: a lone surrogate (``"\\ud800"``, which UTF-8 cannot encode), a control character, a
"word" of ten thousand letters. A writer never crashes on such text and never drops it silently:
:class:`TextRepair` is the one place where a writer's text is made encodable, and it reports what
it changed (rule ``write.invalid-text``) with the document's source. :func:`long_words` finds the
words a line cannot hold (the PDF writer breaks them and reports ``pdf.long-word``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from collections.abc import Iterator

from ..diagnostics import Diagnostics, Location
from ..rules import define

define(
    "write.invalid-text",
    "error",
    "Text of a document holds lone surrogates, which no file format can store; they are printed as U+FFFD.",
    "A lone surrogate (U+D800-U+DFFF) is half of a UTF-16 pair: it is not a character and cannot be "
    "encoded as UTF-8, so the writer prints the replacement character '\ufffd' in its place. It "
    "usually comes from a template expression (e.g. a Python-style escape \"\\ud800\") or from text "
    "decoded with the wrong codec. Fix the template or narrative named in the message.",
    basis="Unicode Standard 15, section 3.9 (D91: a lone surrogate is ill-formed); FDA PDF "
    "Specifications (text of submission PDFs must be readable and searchable)",
)
define(
    "write.control-character",
    "warning",
    "Text of a document holds control characters, which print as nothing; they were removed.",
    "C0/C1 control characters (NUL, BEL, vertical tab, ...) have no printed form and XML (DOCX) "
    "cannot store most of them. They are usually paste artefacts; remove them from the source.",
    basis="W3C XML 1.0, section 2.2 (Char production)",
)

# C0/C1 control characters except tab, newline and carriage return (those are layout).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: How many distinct code points a message lists before it says "and N more".
_LISTED = 8


def describe(ch: str) -> str:
    """``U+1F600 '😀'`` (the code point, and the character itself when it is printable)."""
    code = f"U+{ord(ch):04X}"
    if _SURROGATE.match(ch) or _CONTROL.match(ch) or unicodedata.category(ch) in ("Cf", "Cn", "Co", "Mn", "Me", "Zs"):
        return code
    return f"{code} '{ch}'"


def _listing(found: Counter[str]) -> str:
    chars = sorted(found, key=ord)
    shown = ", ".join(f"{describe(c)} x{found[c]}" for c in chars[:_LISTED])
    return shown + (f" and {len(chars) - _LISTED} more" if len(chars) > _LISTED else "")


@dataclass
class TextRepair:
    """Makes a writer's text encodable and remembers what it changed, for one document.

    Call :meth:`clean` on every string before it enters the output, then :meth:`report` once.
    ``keep`` are control characters the writer handles itself (e.g. tab and newline).
    """

    surrogates: Counter[str] = field(default_factory=Counter)
    controls: Counter[str] = field(default_factory=Counter)

    def clean(self, s: str) -> str:
        """``s`` with lone surrogates replaced by U+FFFD and control characters removed."""
        s = self.replace_surrogates(s)
        if _CONTROL.search(s):
            self.controls.update(_CONTROL.findall(s))
            s = _CONTROL.sub("", s)
        return s

    def replace_surrogates(self, s: str) -> str:
        """``s`` with lone surrogates replaced by U+FFFD (for writers that handle controls themselves)."""
        if _SURROGATE.search(s):
            self.surrogates.update(_SURROGATE.findall(s))
            s = _SURROGATE.sub("\ufffd", s)
        return s

    def report(self, diagnostics: Diagnostics | None, location: Location | None) -> None:
        """Emit ``write.invalid-text`` / ``write.control-character`` for what :meth:`clean` changed."""
        if diagnostics is None:
            return
        if self.surrogates:
            diagnostics.emit(
                "write.invalid-text",
                f"text holds lone surrogate(s) {_listing(self.surrogates)}: printed as U+FFFD '\ufffd'",
                location,
                "a template expression or narrative produced text that is not valid Unicode",
            )
        if self.controls:
            diagnostics.emit(
                "write.control-character",
                f"text holds control character(s) {_listing(self.controls)}: removed",
                location,
            )


# ---------------------------------------------------------------- words wider than a line

# Characters after (or around) which a line may break anyway: spaces, hyphens and dashes, the
# zero-width space, and CJK ideographs, kana, hangul and full-width forms (UAX #14 breaks between them).
_BREAKS = (
    "\\s\u200b\\-\u2010\u2012-\u2015\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
    "\U00020000-\U0003ffff"
)
# A run worth measuring: no character is wider than 1 em, and no column is narrower than 30 em.
_WORD = re.compile(f"[^{_BREAKS}]{{30,}}")
_NARROW = frozenset("fijlrtI.,;:'!|()[]{}`\"")
_WIDE = frozenset("mwMW@%\u00c6\u00e6\u0152\u0153")


def estimated_width(word: str) -> float:
    """Width of ``word`` in em of a Times-like serif font (a slight under-estimate on purpose:
    a word reported as too wide really is)."""
    width = 0.0
    for ch in word:
        if ch in _NARROW:
            width += 0.28
        elif ch in _WIDE:
            width += 0.8
        elif "A" <= ch <= "Z":
            width += 0.64
        elif ch.isascii():
            width += 0.46
        else:
            cat = unicodedata.category(ch)
            if cat in ("Mn", "Me", "Cf"):
                continue  # combining marks and format characters take no width of their own
            width += 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.5
    return width


@dataclass(frozen=True)
class LongWord:
    """A word wider than the line, starting at character ``start`` of the text it was found in."""

    start: int
    word: str

    @property
    def preview(self) -> str:
        """The first characters of the word, for a message."""
        return self.word[:24] + ("\u2026" if len(self.word) > 24 else "")


def long_words(text: str, limit_em: float, mono_em: float | None = None) -> Iterator[LongWord]:
    """The words of ``text`` (runs without a break opportunity) wider than ``limit_em`` (in em
    of the font size the text is set in); ``mono_em`` is the width of every character of a
    mono-spaced font."""
    for m in _WORD.finditer(text):
        word = m.group()
        if mono_em is not None:
            if len(word) * mono_em > limit_em:
                yield LongWord(m.start(), word)
        elif len(word) >= limit_em and estimated_width(word) > limit_em:
            yield LongWord(m.start(), word)
