"""Column widths of DOCX tables when the document tree gives none."""

from __future__ import annotations

import re
import unicodedata

from .. import doctree as dt


def display_width(text: str) -> int:
    """Rough column need of ``text`` in character cells: CJK (wide) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


# Runs that cannot break across lines: no white space, no wide (CJK) characters.
_UNBREAKABLE = re.compile(r"[^\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+")
_CHAR_TWIPS = 120  # a generous average character of 10 pt "Table Text" (caps, digits)
_CELL_PAD = 216  # left + right cell margins of Table Grid (108 twips each)


def auto_widths(rows: list[list[dt.Cell]], ncols: int, avail: int) -> list[float]:
    """Column widths (twips) from the content when the table gives none, like a browser's auto
    table layout: every column gets at least its longest unbreakable word (lot numbers,
    dates), and the remaining room goes to the columns with the most text."""
    lo = [3] * ncols
    hi = [3] * ncols
    for cells in rows:
        col = 0
        for cell in cells:
            if cell.colspan == 1 and col < ncols:
                text = dt.plain_text(cell.children)
                words = _UNBREAKABLE.findall(text)
                longest = max((len(w) for w in words), default=0)
                if len(text) != sum(len(w) for w in words) and any(
                    unicodedata.east_asian_width(c) in ("W", "F") for c in text
                ):
                    longest = max(longest, 2)
                lo[col] = max(lo[col], min(longest, 25))
                hi[col] = max(hi[col], display_width(text))
            col += max(1, cell.colspan)
    mins = [n * _CHAR_TWIPS + _CELL_PAD for n in lo]
    maxs = [n * _CHAR_TWIPS + _CELL_PAD for n in hi]
    if sum(maxs) <= avail:
        return [float(m) for m in maxs]  # everything fits on one line: scale up
    if sum(mins) >= avail:
        return [float(m) for m in mins]
    share = (avail - sum(mins)) / (sum(maxs) - sum(mins))
    return [mn + (mx - mn) * share for mn, mx in zip(mins, maxs)]
