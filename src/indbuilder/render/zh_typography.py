"""Chinese typography: the punctuation and spacing of Chinese text, normalised when a zh document renders.

Facts, narratives and templates are written by people who type on English keyboards; a Chinese document
must nevertheless read as Chinese. This module rewrites the text runs of a zh document tree (after
Markdown -> doctree, so only :class:`~indbuilder.doctree.Text` is touched: code, link targets and
footnote labels never are) by one convention, decided here and applied everywhere:

Punctuation (GB/T 15834-2011 《标点符号用法》 4.1-4.10, 5.1: Chinese text uses full-width marks)

* ``, ; : ? !`` next to a Chinese character (or a full-width mark) become ``，；：？！``. A mark between two
  Latin letters or digits is left alone, so ``1,800``, ``N,N-二甲基甲酰胺``, ``10:30``, ``1:1``, ``3.0`` and
  ``GLP-1, FGF21`` inside a Latin span keep their half-width marks.
* A chain of three or more short Chinese items separated by half-width ``", "`` is an enumeration and takes
  the enumeration comma ``、`` (GB/T 15834 4.5); anything less certain takes ``，``. Commas an author
  typed full-width are never turned into ``、`` (the choice was made).
* ``"…"`` becomes ``“…”`` and ``'…'`` becomes ``‘…’`` when the quoted text is Chinese or the quotes stand
  next to Chinese text (GB/T 15834 4.7); an apostrophe (``patient's``) is never a quote.
* Parentheses: full-width ``（…）`` in Chinese text, also around Latin-only content such as ``（GLP-1）``
  (the practice of CDE guidance documents; GB/T 15834 4.9). Half-width parentheses stay where they are
  notation, not punctuation: attached to a Latin token or a hyphen (``AUC(0-24h)``, ``ICH M3(R2)``,
  ``(R)-对映体``, ``N-(叔丁氧羰基)-L-丝氨酸``), chemical locants (``三(3,5-二甲基苯基氨基甲酸酯)``), and
  inside a Latin span (``USP <905> (uniformity of dosage units); ChP 0941``). A half-width parenthesis
  that closes a full-width one (or the reverse) is made to match it.

Spacing (Chinese has no word spacing; GB 3101-1993 3.4 for numbers and units)

* No space between two Chinese characters, or between a Chinese character or a full-width mark and
  anything else: full-width marks carry their own space.
* No space between Chinese and Latin words, numbers or superscripts (``MCT-101相关``, ``第4周``,
  ``1.0 × 10⁸个细胞/kg``), the practice of CDE and the Chinese Pharmacopoeia, except the space that
  separates a section number from its title (``3.2.P.5.4 批分析``, a heading ``9 安全性``) and a caption
  number from ``表``/``图`` (``表 3.2.P.5.4-1``), which is kept.
* Numbers with units are left as formatted: one space between a number and its unit symbol, including
  ``%`` and ``℃`` (``≥ 95.0 %``, ``2–8 ℃``), none before the plane-angle ``°`` (GB 3101-1993 3.4). The
  normaliser never inserts or removes a space inside a number or between a number and its unit.

Left alone entirely: text without a Chinese character (an English-only table cell, a Latin name), code,
URLs and e-mail addresses, bibliography entries, and everything inside a Latin span.

What the normaliser cannot decide (English sentences, English unit words such as ``cells/kg``, US units
such as ``mg/dL``, untranslated table cells) is reported by the rule ``china.typography``
(:mod:`indbuilder.checks.china`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Sequence, TypeVar

from ..doctree import (
    Block,
    Cell,
    Code,
    Emph,
    Figure,
    FootnoteRef,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Note,
    Paragraph,
    Quote,
    Strong,
    Sub,
    Sup,
    Table,
    Text,
)

# Han ideographs (CJK unified, extension A, compatibility) and the Chinese numeral 〇.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007"
CJK = re.compile(f"[{_HAN}]")
# Full-width marks that carry their own spacing; split by side for pairing decisions.
_FW_OPEN = "（“‘《〈【「『〔［"
_FW_CLOSE = "）”’》〉】」』〕］"
_FW_OTHER = "，。、；：？！"
_FULL_WIDTH = set(_FW_OPEN + _FW_CLOSE + _FW_OTHER)
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
# Superscripts and subscripts count as Latin/number characters (10⁸, m²).
_SCRIPTS = "\u00b2\u00b3\u00b9\u2070-\u209f"
_LATIN_OR_DIGIT = re.compile(f"[A-Za-z0-9\u00c0-\u024f\u0370-\u03ff{_SCRIPTS}µ]")
_PROTECTED = re.compile(r"(?:https?|ftp)://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A section number (3.2.P.5.4, 2.6.7, 2.3.S) or a heading number at the start of a text.
_SECTION_NUMBER = re.compile(r"(?<![A-Za-z0-9.\-])\d+(?:\.[0-9A-Z]+)+(?:-\d+)?$")
# Operators keep their spaces on both sides (``血糖 ≥ 7.0``, ``3 × ULN``): never Latin or Chinese side.
_OPERATORS = set("≥≤×±<>=~～+−–—/|·•…-")
_CHEMICAL_LOCANT = re.compile(r"^\s*\d+(?:,\d+)*[A-Za-z]?-|\d,\d+-")
_SPACES = " \u00a0\u3000"
_OPAQUE = "\ufffc"  # stands for a code span or a footnote reference: a Latin token that cannot change
_BREAK = "\n"  # a line break: a hard boundary

# An enumeration item: short, no spaces, no clause punctuation.
_ENUM_ITEM_MAX = 8


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` is a Han character."""
    return bool(ch) and CJK.match(ch) is not None


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds at least one Han character."""
    return CJK.search(text) is not None


def _chinese_side(ch: str) -> bool:
    return is_cjk(ch) or ch in _FULL_WIDTH


def _latin(ch: str) -> bool:
    return bool(ch) and (_LATIN_OR_DIGIT.match(ch) is not None or ch == _OPAQUE)


def _non_chinese(ch: str) -> bool:
    """A visible character of a Latin span: a letter, a digit, a superscript, ASCII punctuation (not an operator)."""
    return bool(ch) and not is_cjk(ch) and ch not in _FULL_WIDTH and ch not in _SPACES and ch != _BREAK and ch not in _OPERATORS


@dataclass
class _Char:
    ch: str
    owner: int  # index of the Text segment it belongs to (-1: opaque, never changes)
    locked: bool = False  # inside a URL / e-mail address, or opaque


class _Line:
    """The characters of one inline sequence, each knowing its Text node, edited in place."""

    def __init__(self, chars: list[_Char]) -> None:
        self.c = chars

    @property
    def text(self) -> str:
        return "".join(x.ch for x in self.c)

    def prev(self, i: int) -> str:
        """The nearest character before ``i`` that is not a space ("" at the start or a line break)."""
        j = i - 1
        while j >= 0 and self.c[j].ch in _SPACES:
            j -= 1
        return "" if j < 0 or self.c[j].ch == _BREAK else self.c[j].ch

    def next(self, i: int) -> str:
        j = i + 1
        while j < len(self.c) and self.c[j].ch in _SPACES:
            j += 1
        return "" if j >= len(self.c) or self.c[j].ch == _BREAK else self.c[j].ch

    def at(self, i: int) -> str:
        return self.c[i].ch if 0 <= i < len(self.c) else ""

    def set(self, i: int, ch: str) -> None:
        if not self.c[i].locked:
            self.c[i].ch = ch


def _quotes(line: _Line) -> None:
    """ASCII double and single quotes in Chinese context -> “” and ‘’ (pairs only)."""
    text = line.text
    dq = [i for i, ch in enumerate(text) if ch == '"' and not line.c[i].locked]
    if len(dq) % 2 == 0:
        for a, b in zip(dq[::2], dq[1::2]):
            inner = text[a + 1 : b]
            if has_cjk(inner) or _chinese_side(line.prev(a)) or _chinese_side(line.next(b)):
                line.set(a, "“")
                line.set(b, "”")
    # single quotes: an apostrophe sits between letters or after one (patient's, patients'); a quote does not
    for m in re.finditer(r"(?<![A-Za-z0-9])'([^'\n]+?)'(?![A-Za-z0-9])", text):
        a, b = m.start(), m.end() - 1
        inner = m.group(1)
        if line.c[a].locked or line.c[b].locked:
            continue
        if has_cjk(inner) or _chinese_side(line.prev(a)) or _chinese_side(line.next(b)):
            line.set(a, "‘")
            line.set(b, "’")


def _parentheses(line: _Line) -> None:
    """Half-width parentheses in Chinese context -> （）; notation and Latin spans keep theirs."""
    text = line.text
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    for i, ch in enumerate(text):
        if line.c[i].locked:
            continue
        if ch in "(（":
            stack.append(i)
        elif ch in ")）" and stack:
            pairs.append((stack.pop(), i))
    for a, b in pairs:
        oa, ob = text[a], text[b]
        if oa == "（" and ob == ")":
            line.set(b, "）")
            continue
        if oa == "(" and ob == "）":
            line.set(a, "（")
            continue
        if oa != "(":
            continue
        inner = text[a + 1 : b]
        before, after = line.at(a - 1), line.at(b + 1)
        attached = _latin(before) or (before != "" and before in "-[()/'.") or _latin(after) or (after != "" and after in "-[(/'")
        if attached or _CHEMICAL_LOCANT.search(inner):
            continue
        outside = (line.prev(a), line.next(b))
        if not has_cjk(inner) and (not any(_chinese_side(x) for x in outside) or _latin_phrase_before(text, a)):
            continue  # a Latin span: "USP <905> (uniformity of dosage units); ChP 0941", "… Retrovirus (2020)"
        line.set(a, "（")
        line.set(b, "）")


def _latin_phrase_before(text: str, a: int) -> bool:
    """Whether the text before ``a``, back to the last Chinese character, is an English phrase (3+ words)."""
    k = a
    while k > 0 and not _chinese_side(text[k - 1]) and text[k - 1] != _BREAK:
        k -= 1
    return len(re.findall(r"[A-Za-z]{2,}", text[k:a])) >= 3


def _marks(line: _Line) -> None:
    """``, ; : ? !`` next to Chinese -> full width; chains of short items joined by ", " -> 、."""
    text = line.text
    converted: list[int] = []
    for i, ch in enumerate(text):
        if ch not in _HALF_TO_FULL or line.c[i].locked:
            continue
        before, after = line.prev(i), line.next(i)
        chinese_before = is_cjk(before) or before in _FW_CLOSE or before in _FW_OTHER
        chinese_after = is_cjk(after) or after in _FW_OPEN
        if chinese_before or chinese_after:
            line.set(i, _HALF_TO_FULL[ch])
            if ch == ",":
                converted.append(i)
    _enumerations(line, converted)


def _enumerations(line: _Line, commas: list[int]) -> None:
    """Runs of >= 2 converted commas whose items are all short and Chinese become 、 (an enumeration).

    Conservative: every item between two commas, and the last item up to the end of its clause, is at most
    ``_ENUM_ITEM_MAX`` characters with no space and no clause mark, and starts and ends with a Chinese
    character; the first item ends with one. Two-item lists ("A, B") are left as ，.
    """
    if len(commas) < 2:
        return
    text = line.text
    clause_end = re.compile(f"[。；：！？，、（）{_BREAK}]")

    def item_ok(s: str) -> bool:
        return 0 < len(s) <= _ENUM_ITEM_MAX and not re.search(f"[\\s{_BREAK}]", s) and is_cjk(s[0]) and is_cjk(s[-1])

    groups: list[list[int]] = [[commas[0]]]
    for i in commas[1:]:
        prev = groups[-1][-1]
        between = text[prev + 1 : i].strip(_SPACES)
        if item_ok(between):
            groups[-1].append(i)
        else:
            groups.append([i])
    for g in groups:
        if len(g) < 2:
            continue
        before = text[: g[0]].rstrip(_SPACES)
        if not before or not is_cjk(before[-1]):
            continue
        rest = text[g[-1] + 1 :].lstrip(_SPACES)
        m = clause_end.search(rest)
        last = rest[: m.start()] if m else rest
        if not item_ok(last.rstrip(_SPACES)):
            continue
        for i in g:
            line.set(i, "、")


def _spaces(line: _Line) -> None:
    """Remove spaces Chinese typography does not have (see the module docstring)."""
    out: list[_Char] = []
    c = line.c
    i = 0
    while i < len(c):
        if c[i].ch not in _SPACES or c[i].locked:
            out.append(c[i])
            i += 1
            continue
        j = i
        while j < len(c) and c[j].ch in _SPACES and not c[j].locked:
            j += 1
        left = out[-1].ch if out else ""
        right = c[j].ch if j < len(c) else ""
        if _drop_space(left, right, "".join(x.ch for x in out)):
            i = j
            continue
        out.extend(c[i:j])
        i = j
    line.c = out


def _drop_space(left: str, right: str, before: str) -> bool:
    """Whether the spaces between ``left`` and ``right`` go (``before``: the text up to them)."""
    if not left or not right or _BREAK in (left, right):
        return False
    if left in _FULL_WIDTH or right in _FULL_WIDTH:
        return True
    if is_cjk(left) and is_cjk(right):
        return True
    if is_cjk(left) and _non_chinese(right):
        # keep "表 3.2.P.5.4-1" / "图 2": a caption number after 表/图
        return not (left in "表图" and right.isdigit())
    if _non_chinese(left) and is_cjk(right):
        # keep "见3.2.P.5.4 批分析" and a heading's "9 安全性": a section number before its title
        line = before.rsplit(_BREAK, 1)[-1]
        token = re.split(f"[{_SPACES}]", line)[-1]
        if _SECTION_NUMBER.search(token) or (re.fullmatch(r"\d+[.)]?", token) and line.strip(_SPACES) == token):
            return False
        return True
    return False


def normalise_text(text: str) -> str:
    """The Chinese typography of one text run (a paragraph, a heading, a table cell): see the module docstring.

    Text without a Chinese character is returned unchanged.
    """
    if not has_cjk(text):
        return text
    out = _normalise([text])
    return out[0]


def _normalise(segments: Sequence[str | None]) -> list[str]:
    """Normalise a run made of segments (``None``: an opaque code span); returns the new text of each."""
    chars: list[_Char] = []
    for k, s in enumerate(segments):
        if s is None:
            chars.append(_Char(_OPAQUE, -1, locked=True))
            continue
        start = len(chars)
        chars.extend(_Char(ch, k) for ch in s)
        for m in _PROTECTED.finditer(s):
            for x in chars[start + m.start() : start + m.end()]:
                x.locked = True
    line = _Line(chars)
    _quotes(line)
    _parentheses(line)
    _marks(line)
    _spaces(line)
    out = ["" for _ in segments]
    for x in line.c:
        if x.owner >= 0:
            out[x.owner] += x.ch
    return [o if s is not None else "" for o, s in zip(out, segments)]


# ------------------------------------------------------------------ the document tree

I = TypeVar("I", bound=Inline)


def _flatten(inlines: Sequence[Inline], texts: list[Text | None], slots: list[str | None]) -> None:
    """The Text nodes of ``inlines`` in reading order (``None`` for a code span, a line break, a footnote)."""
    for node in inlines:
        if isinstance(node, Text):
            texts.append(node)
            slots.append(node.text)
        elif isinstance(node, LineBreak):
            texts.append(None)
            slots.append(_BREAK)
        elif isinstance(node, (Code, FootnoteRef)):
            texts.append(None)
            slots.append(None)
        else:
            _flatten(node.children, texts, slots)


def normalise_inlines(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """The inline nodes with the Chinese typography of their text normalised (structure unchanged)."""
    texts: list[Text | None] = []
    slots: list[str | None] = []
    _flatten(inlines, texts, slots)
    joined = "".join(s for s in slots if s is not None)
    if not has_cjk(joined):
        return inlines
    # a line break is a text segment of its own that must come out unchanged
    new = _normalise(slots)
    mapping: dict[int, str] = {}
    for node, old, n in zip(texts, slots, new):
        if node is not None and old is not None and n != old:
            mapping[id(node)] = n
    if not mapping:
        return inlines
    return tuple(_rebuild(x, mapping) for x in inlines)


def _rebuild(node: Inline, mapping: dict[int, str]) -> Inline:
    if isinstance(node, Text):
        return Text(mapping[id(node)]) if id(node) in mapping else node
    if isinstance(node, (Emph, Strong, Sup, Sub, Link)):
        return replace(node, children=tuple(_rebuild(x, mapping) for x in node.children))
    return node


def normalise_blocks(blocks: list[Block], skip_style: str | None = None) -> list[Block]:
    """The blocks of a zh document with their text normalised (new inline tuples; blocks updated in place).

    ``skip_style``: a paragraph style left alone (the bibliography: references keep their own language).
    """
    for b in blocks:
        if isinstance(b, Heading):
            b.children = normalise_inlines(b.children)
        elif isinstance(b, Paragraph):
            if skip_style is None or b.style != skip_style:
                b.children = normalise_inlines(b.children)
        elif isinstance(b, ListBlock):
            for item in b.items:
                normalise_blocks(item, skip_style)
        elif isinstance(b, (Note, Quote)):
            normalise_blocks(b.children, skip_style)
        elif isinstance(b, Table):
            b.caption = normalise_inlines(b.caption)
            for row in [*b.header, *b.rows]:
                for k, cell in enumerate(row):
                    row[k] = _cell(cell)
        elif isinstance(b, Figure):
            b.caption = normalise_inlines(b.caption)
    return blocks


def _cell(cell: Cell) -> Cell:
    children = normalise_inlines(cell.children)
    return cell if children is cell.children else replace(cell, children=children)


def normalise_document(blocks: list[Block], footnotes: dict[str, list[Block]]) -> None:
    """Normalise the Chinese typography of a zh document's blocks and footnotes, in place.

    Bibliography entries keep their own language and punctuation (a cited English title stays as published).
    """
    from .markdown import BIBLIOGRAPHY_STYLE  # the style the bibliography paragraphs carry

    normalise_blocks(blocks, BIBLIOGRAPHY_STYLE)
    for v in footnotes.values():
        normalise_blocks(v, BIBLIOGRAPHY_STYLE)
