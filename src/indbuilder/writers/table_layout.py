"""Table layout from content, shared by the PDF and DOCX writers.

Column widths follow the content, like a browser's automatic table layout: every column is at
least as wide as its longest unbreakable word (a lot number, "Acceptance", "Mycoplasma",
"3.0 × 10⁷"), so no word is broken in the middle; the room left over goes to the columns with
the most text (the "Noteworthy findings" of an ICH M4S tabulated summary). A table whose words
cannot fit across a portrait text column, or that would be much longer in portrait than across
a landscape page, is set on a landscape page (ICH M4 tabulated summaries and the schedule of
activities are customarily landscape) instead of being squeezed or split.

Widths are estimated from character metrics (no font file is read, so the output is the same on
every machine): Times New Roman metrics for Latin text (typst's serif and Word's "Times New
Roman" are close to them), one em per CJK character. The DOCX writer measures with a wider
``latin_scale``, because a machine without Times New Roman (LibreOffice on Linux) substitutes a
wider serif such as DejaVu Serif, about 1.3 times as wide.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from .. import doctree as dt

# Advance widths of Times New Roman (1/1000 em) for the characters that make up most table text.
_LOWER = dict(zip("abcdefghijklmnopqrstuvwxyz", (444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778,
                                                    500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444)))
_UPPER = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", (722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889,
                                                    722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611)))
_OTHER = {
    " ": 250, "\u00a0": 250, ".": 250, ",": 250, ":": 278, ";": 278, "-": 333, "\u2011": 333, "/": 278,
    "(": 333, ")": 333, "[": 333, "]": 333, "%": 833, "±": 564, "×": 564, "≤": 564, "≥": 564, "<": 564,
    ">": 564, "=": 564, "+": 564, "'": 180, '"': 408, "_": 500, "&": 778, "°": 400, "µ": 500, "μ": 500,
    "—": 1000, "–": 500, "·": 250, "*": 500, "#": 500, "@": 921, "~": 541, "^": 469, "|": 200,
}
_WIDTHS: dict[str, int] = {**_LOWER, **_UPPER, **{d: 500 for d in "0123456789"}, **_OTHER}
_DEFAULT = 560  # any other character: a wide-ish Latin letter, Greek, a superscript digit

# Breaks allowed inside a long identifier (after these characters), never a hyphenation.
_ID_BREAK = re.compile(r"(?<=[-/_])")
#: Identifiers up to this many characters are kept on one line (a lot or study number, a strain name).
ID_KEEP = 20
# "3.0 × 10⁷", "1.0 × 10^6": a number in scientific notation is one unit on a line.
SCI = re.compile(r"\d[\d.,]*\s[×x]\s10[\u2070-\u209f\u00b9\u00b2\u00b3\d^⁻-]*")
_SPACE = re.compile(r"\s+")


def is_wide(ch: str) -> bool:
    """A CJK (East Asian wide or full-width) character: one em wide, a break opportunity on each side."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def text_width_em(text: str, bold: bool = False, latin_scale: float = 1.0) -> float:
    """Estimated width of ``text`` in em of its font size (CJK one em each)."""
    latin = 0
    cjk = 0
    for ch in text:
        if is_wide(ch):
            cjk += 1
        else:
            latin += _WIDTHS.get(ch, _DEFAULT)
    scale = latin_scale * (1.1 if bold else 1.0)
    return latin / 1000 * scale + cjk


def unbreakable(text: str) -> Iterator[str]:
    """The pieces of ``text`` a line must not break: words (a number in scientific notation counts as
    one), with identifiers longer than :data:`ID_KEEP` split after '-', '/' and '_' and CJK text split
    into two-character pieces (Chinese may break between any two characters; two keeps a column
    from becoming one character wide)."""
    text = SCI.sub(lambda m: m.group(0).replace(" ", "\u00a0"), text)
    for word in _SPACE.split(text):
        if not word:
            continue
        if any(is_wide(c) for c in word):
            pieces: list[str] = []
            run = ""
            for ch in word:
                if is_wide(ch):
                    if run:
                        pieces.append(run)
                        run = ""
                    pieces.append(ch)  # a single wide character (_min_em keeps two per line)
                else:
                    run += ch
            if run:
                pieces.append(run)
            yield from _cjk_punctuation(pieces)
            continue
        if len(word) > ID_KEEP:
            yield from (p for p in _ID_BREAK.split(word) if p)
        else:
            yield from _compound(word)


_OPENING = "（【「『“《〈"
_CLOSING = "）】」』”》〉、，。；：！？"


def _cjk_punctuation(pieces: list[str]) -> list[str]:
    """Chinese line breaking (CLREQ 3.1.7): no line starts with a closing mark nor ends with an opening
    one, so an opening mark belongs to the piece after it and a closing mark to the piece before it."""
    out: list[str] = []
    carry = ""
    for p in pieces:
        if p in _OPENING:
            carry += p
            continue
        p, carry = carry + p, ""
        if p in _CLOSING and out:
            out[-1] += p
        else:
            out.append(p)
    if carry:
        out.append(carry)
    return out


# A hyphen before a lower-case word ("CD90-positive", "research-consented") joins words, and a line
# may break after it as in any English text; in an identifier ("MCT-PPQ-2501") it may not.
_WORD_AFTER_HYPHEN = re.compile(r"(?<=[A-Za-z0-9]-)(?=[a-z]{3,})")


def _compound(word: str) -> list[str]:
    return [p for p in _WORD_AFTER_HYPHEN.split(word) if p]


def _min_em(text: str, bold: bool, latin_scale: float) -> float:
    pieces = list(unbreakable(text))
    widest = max((text_width_em(p, bold, latin_scale) for p in pieces), default=0.0)
    if any(len(p) == 1 and is_wide(p) for p in pieces):
        widest = max(widest, 2.0)  # at least two Chinese characters per line
    return widest


@dataclass(frozen=True)
class Metrics:
    """How a writer sets table text: font size and cell padding (pt), line height (pt)."""

    font_pt: float = 10.0
    pad_pt: float = 5.0  # left and right padding of a cell, each
    line_pt: float = 12.5  # baseline-to-baseline distance of cell text
    row_pad_pt: float = 8.0  # top + bottom padding of a row
    latin_scale: float = 1.04  # the estimate is within 5 % of Libertinus/Times: err on the wide side

    def small(self) -> "Metrics":
        """The same with 9 pt text and narrow padding: for a table whose words do not fit at 10 pt
        (FDA PDF specifications: 9-10 pt is acceptable for tables)."""
        k = 0.9
        return Metrics(self.font_pt * k, self.pad_pt * 0.7, self.line_pt * k, self.row_pad_pt * 0.8, self.latin_scale)


@dataclass(frozen=True)
class TableLayout:
    """Where a table goes and how wide its columns are (pt, summing to at most the text width)."""

    widths: list[float]
    landscape: bool
    text_width: float  # the text width the widths were made for (portrait or landscape)
    fits: bool  # every column is at least as wide as its longest unbreakable word
    row_heights: list[float]  # estimated height of each row (pt), header rows first
    metrics: Metrics  # the text size and padding the widths were made for


def _columns(table: dt.Table, ncols: int, m: Metrics) -> tuple[list[float], list[float]]:
    """Per column: the minimum width (longest unbreakable piece) and the width of its widest cell on one line."""
    lo = [2.0 * m.font_pt] * ncols
    hi = [2.0 * m.font_pt] * ncols
    for is_header, rows in ((True, table.header), (False, table.rows)):
        for row in rows[:400]:  # a long homogeneous table: its first rows are a fair sample
            col = 0
            for cell in row:
                span = max(1, cell.colspan)
                if span == 1 and col < ncols:
                    text = dt.plain_text(cell.children)
                    lo[col] = max(lo[col], _min_em(text, is_header, m.latin_scale) * m.font_pt)
                    hi[col] = max(hi[col], text_width_em(text, is_header, m.latin_scale) * m.font_pt)
                col += span
    if table.min_row_mm > 0:  # a form: its empty columns are where a hand writes (a signature)
        for col in range(ncols):
            if not any(col < len(r) and dt.plain_text(r[col].children).strip() for r in table.rows):
                hi[col] = max(hi[col], 140.0)
    pad = 2 * m.pad_pt + 1.0  # padding and the rule
    return [x + pad for x in lo], [max(x, y) + pad for x, y in zip(lo, hi)]


def _share(lo: list[float], hi: list[float], avail: float) -> list[float]:
    """Widths filling ``avail``: the minimum of each column plus a share of the rest by content length."""
    if sum(hi) <= avail:
        extra = avail - sum(hi)
        total = sum(hi)
        return [h + extra * h / total for h in hi]
    if sum(lo) >= avail:
        return [w * avail / sum(lo) for w in lo]  # squeezed: words will break (reported by fits=False)
    room = avail - sum(lo)
    need = [h - l for l, h in zip(lo, hi)]
    return [l + room * n / sum(need) for l, n in zip(lo, need)]


def _heights(table: dt.Table, widths: list[float], m: Metrics) -> list[float]:
    """Estimated height of every row with these column widths (lines of the fullest cell)."""
    out = []
    for is_header, row in [(True, r) for r in table.header] + [(False, r) for r in table.rows]:
        col = 0
        lines = 1
        for cell in row:
            span = max(1, cell.colspan)
            width = sum(widths[col : col + span]) - 2 * m.pad_pt - 1.0
            text = dt.plain_text(cell.children)
            need = text_width_em(text, is_header, m.latin_scale) * m.font_pt
            # words wrap whole: a line holds on average a little less than the width
            lines = max(lines, math.ceil(need / max(width * 0.9, 1.0)) if need else 1)
            col += span
        out.append(lines * m.line_pt + m.row_pad_pt)
    return out


def layout_table(
    table: dt.Table, ncols: int, portrait: float, landscape: float | None, page_height: float, m: Metrics = Metrics()
) -> TableLayout:
    """Column widths of ``table`` (``ncols`` grid columns) and whether it goes on a landscape page.

    ``portrait``/``landscape``: the text width (pt) of a portrait and of a landscape page
    (``landscape=None``: the table cannot be rotated, e.g. it sits in a list item).
    ``page_height``: the text height of a portrait page (pt), to compare how long the table runs.
    ``table.landscape`` (True/False) overrides the decision.
    """
    lo, hi = _columns(table, ncols, m)
    upright = _share(lo, hi, portrait)
    if landscape is None or table.landscape is False:
        if sum(lo) > portrait + 0.01 and m.font_pt >= 10:
            return layout_table(table, ncols, portrait, landscape, page_height, m.small())
        return TableLayout(upright, False, portrait, sum(lo) <= portrait + 0.01, _heights(table, upright, m), m)
    wide = _share(lo, hi, landscape)
    rotate = bool(table.landscape)
    if not rotate and sum(lo) > portrait + 0.01:
        rotate = True  # the words do not fit across a portrait page
    elif not rotate and ncols >= 5:
        # fits, but much longer in portrait (a narrow column of findings running over pages): pages
        # of text height vs landscape pages of text width, or a table less than 60 % as tall turned
        tall_pt, flat_pt = sum(_heights(table, upright, m)), sum(_heights(table, wide, m))
        tall, flat = tall_pt / page_height, flat_pt / landscape
        rotate = (tall > 1.0 and flat < 0.7 * tall) or (tall > 0.25 and flat_pt < 0.6 * tall_pt)
    if rotate:
        if sum(lo) > landscape + 0.01 and m.font_pt >= 10:
            return layout_table(table, ncols, portrait, landscape, page_height, m.small())
        return TableLayout(wide, True, landscape, sum(lo) <= landscape + 0.01, _heights(table, wide, m), m)
    return TableLayout(upright, False, portrait, sum(lo) <= portrait + 0.01, _heights(table, upright, m), m)


def keep_together(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into ``(piece, keep)`` runs: ``keep`` marks a run that must stay on one line (a
    number in scientific notation, an identifier of up to :data:`ID_KEEP` characters that holds a
    '-', '/' or '_', which a line breaker would otherwise break after)."""
    if _BIDI_CONTROLS.search(text):
        # a kept run is set as a box of its own, which would end a bidi embedding, override or isolate
        # (U+202A-U+202E, U+2066-U+2069) in the middle: explicit bidi formatting wins over line breaking
        return [(text, False)]
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in _KEEP.finditer(text):
        word = m.group(0)
        if m.group("id") is not None and (len(word) > ID_KEEP or not re.search(r"[-/_]", word)):
            continue
        if m.start() > pos:
            out.append((text[pos : m.start()], False))
        pieces = _compound(word) if m.group("id") is not None else [word]
        # "HLA-DR-positive": "HLA-DR-" kept, a break allowed before "positive"
        out.extend((p, bool(re.search(r"[-/_].", p)) or len(pieces) == 1) for p in pieces)
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out


_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_KEEP = re.compile(
    SCI.pattern
    # a Chinese unit word and its Latin denominator: "细胞/kg" is not broken after the slash
    + r"|[\u4e00-\u9fff]/[A-Za-z][\w.]*"
    + r"|(?P<id>(?<![^\s\u2e80-\u9fff\uff00-\uffef])[^\s\u2e80-\u9fff\uff00-\uffef]+[-/_][^\s\u2e80-\u9fff\uff00-\uffef]+)"
)
