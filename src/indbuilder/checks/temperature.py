"""Reading storage and test temperatures the way labels, protocols and stability reports print them.

A storage phrase states a temperature *range* in °C: ``2 °C to 8 °C``, ``2-8 °C``, ``2~8℃``,
``-20 ± 5 °C``, ``≤ −150 °C``, ``not above 30 °C``, ``25℃以下``, ``−70 °C or colder``. This module
turns each such statement into a :class:`TempRange` so a rule compares ranges, not loose numbers
(``20-25 °C`` is 20 to 25 °C, never −25 °C).

Sign or dash: a hyphen (or an en dash, ``~``, ``～``, ``to``, ``至``) *between two numbers* is a range
separator. A minus is a sign only where nothing numeric precedes it: at the start of the text, after
``≤``/``<``/``≥``/``>``/``±``, after an opening bracket, or after a space or a word with no number
before it. The Unicode minus sign (U+2212) is a sign unless it directly follows a digit.

Only Celsius is read (``°C``, ``℃``, ``ºC``, ``˚C``, ``degrees C``); a Fahrenheit restatement such as
``(68–77 °F)`` is skipped. Words without numbers (``room temperature``, ``室温``, ``Do not freeze``)
give no range: pharmacopoeias define such words differently (USP, Ph. Eur., ChP), so a rule must not
guess; the product facts carry the number (``product.storage.max_temperature_c``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

UNIT = "°C"

# the unit: degree sign (or masculine ordinal / ring above, typed for it) + C, the CJK ℃, or words
_C = r"(?:[°º˚]\s?C(?![A-Za-z])|℃|\s?degrees?\s+(?:C|Celsius)\b|\s?deg\s?C\b)"
_NUM = r"(?P<{n}>\d+(?:\.\d+)?)"
_SEP = r"(?P<sep>-|‐|‑|–|—|~|～|〜|∼|\bto\b|至|\band\b)"
_PM = r"(?:±|\+/-|\+/−|\+-)"
_LE_PRE = (
    r"(?:≤|⩽|<=|<|＜|≦|\bbelow\b|\bunder\b|\bup\s+to\b|\bnot\s+(?:above|exceeding|more\s+than|warmer\s+than|higher\s+than)"
    r"|\bno\s+(?:warmer|higher|more)\s+than\b|\bat\s+or\s+below\b|\bmax(?:imum)?\b\.?|不超过|不高于|低于|不得超过|≯)"
)
_GE_PRE = r"(?:≥|⩾|>=|>|＞|≧|\babove\b|\bat\s+or\s+above\b|\bnot\s+(?:below|less\s+than|colder\s+than)\b|\bmin(?:imum)?\b\.?|不低于|高于|≮)"
_LE_POST = r"(?:\s*(?:or\s+(?:colder|below|lower|less)|或以下|以下|及以下))"
_GE_POST = r"(?:\s*(?:or\s+(?:warmer|above|higher|more)|或以上|以上|及以上))"
_MINUS = "-−﹣－‐‑"


@dataclass(frozen=True)
class TempRange:
    """One temperature statement, in °C. ``low``/``high`` are None where the statement leaves that
    side open (``≤ −150 °C`` has no low end). ``nominal`` is the set point printed with a tolerance
    (``-20 ± 5 °C`` → -20) or a single value (``37 °C``); None for ranges and bounds."""

    low: float | None
    high: float | None
    nominal: float | None = None
    text: str = ""  # the phrase as printed
    start: int = 0  # its span in the text it was read from
    end: int = 0

    @property
    def unit(self) -> str:
        """Always °C: Fahrenheit statements are not read."""
        return UNIT

    def contains(self, value: float) -> bool:
        """Whether ``value`` °C lies in the range (open ends are unbounded)."""
        return (self.low is None or value >= self.low - 1e-9) and (self.high is None or value <= self.high + 1e-9)

    def has_upper(self, value: float) -> bool:
        """Whether the statement's warmest allowed temperature is ``value`` (its upper bound, or the
        nominal of a ``nominal ± tolerance`` statement, which writers also give as the storage temperature)."""
        return any(v is not None and math.isclose(v, value, abs_tol=1e-9) for v in (self.high, self.nominal))

    def describe(self) -> str:
        """The range as a writer reads it: ``20 °C to 25 °C``, ``≤ -150 °C``, ``-20 °C ± 5 °C``, ``37 °C``."""
        if self.low is not None and self.high is not None:
            if math.isclose(self.low, self.high):
                return f"{self.low:g} °C"
            if self.nominal is not None:
                return f"{self.nominal:g} °C ± {(self.high - self.low) / 2:g} °C"
            return f"{self.low:g} °C to {self.high:g} °C"
        if self.high is not None:
            return f"≤ {self.high:g} °C"
        if self.low is not None:
            return f"≥ {self.low:g} °C"
        return "no temperature"


def _sign_re(n: str) -> str:
    # an optional sign the caller validates with _is_sign (a regex look-behind cannot see "a number before")
    return rf"(?P<s{n}>[{_MINUS}]\s?)?" + _NUM.format(n=n)


_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # -20 ± 5 °C, -20 °C ± 5 °C, -20℃±5℃
    ("pm", re.compile(rf"{_sign_re('a')}\s*(?P<ua>{_C})?\s*{_PM}\s*(?P<b>\d+(?:\.\d+)?)\s*(?P<ub>{_C})?")),
    # 2-8 °C, 2 °C to 8 °C, 2℃~8℃, between 2 and 8 °C, −20 °C to −15 °C
    ("range", re.compile(rf"{_sign_re('a')}\s*(?P<ua>{_C})?\s*{_SEP}\s*{_sign_re('b')}\s*(?P<ub>{_C})", re.I)),
    # ≤ −150 °C, not above 30 °C, 25℃以下, −70 °C or colder, 37 °C
    (
        "single",
        re.compile(rf"(?P<le>{_LE_PRE}\s*(?:at\s+)?)?(?P<ge>{_GE_PRE}\s*)?{_sign_re('a')}\s*(?P<ua>{_C})(?P<lp>{_LE_POST})?(?P<gp>{_GE_POST})?", re.I),
    ),
)


def _is_sign(text: str, pos: int) -> bool:
    """Whether the minus at ``pos`` is a sign: no number directly before it (spaces aside)."""
    if text[pos] == "−":  # U+2212 is written as a sign; "2−8" (glued to a digit) is still a range
        return not (pos > 0 and text[pos - 1].isdigit())
    before = text[:pos].rstrip()
    if not before:
        return True
    last = before[-1]
    if last.isdigit() or last == ".":
        return False
    if last.isascii() and last.isalpha() and before == text[:pos]:
        return False  # glued to a word ("lot-25"): a hyphen in a name, not a sign
    if last in "°℃" or before.endswith(("°C", "ºC", "˚C")):
        return False  # "2 °C - 8 °C": a dash after a temperature is a range dash
    return True


def temperatures_in(text: str) -> list[TempRange]:
    """Every Celsius temperature statement in ``text``, in order, each with its span.

    A statement is one of: ``nominal ± tolerance``, a range (``low``-``high``), or a single value with
    an optional bound (``≤``, ``below``, ``不超过``, ``以下``, ``or colder`` …). Fahrenheit values are skipped.
    """
    taken: list[tuple[int, int]] = []
    out: list[TempRange] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            a, b = m.start(), m.end()
            if not free(a, b):
                continue
            sa = m.group("sa")
            signed = sa is not None and _is_sign(text, m.start("sa"))
            if sa is not None and not signed and kind != "single":
                continue  # the "minus" is the range dash of a number before it
            if kind != "single" and m.group("ua") is None and m.group("ub") is None:
                continue
            if kind == "range" and m.group("sep").lower() == "and" and not _between(text, a):
                continue  # "A and B" is a range only after "between"
            va = -float(m.group("a")) if signed else float(m.group("a"))
            phrase = text[a:b].strip()
            if kind == "pm":
                tol = float(m.group("b"))
                r = TempRange(va - tol, va + tol, va, phrase, a, b)
            elif kind == "range":
                vb = -float(m.group("b")) if m.group("sb") else float(m.group("b"))
                lo, hi = (va, vb) if va <= vb else (vb, va)
                r = TempRange(lo, hi, None, phrase, a, b)
            else:
                le = m.group("le") is not None or m.group("lp") is not None
                ge = m.group("ge") is not None or m.group("gp") is not None
                if le and not ge:
                    r = TempRange(None, va, None, phrase, a, b)
                elif ge and not le:
                    r = TempRange(va, None, None, phrase, a, b)
                else:
                    r = TempRange(va, va, va, phrase, a, b)
            taken.append((a, b))
            out.append(r)
    out.sort(key=lambda r: r.start)
    return out


def _between(text: str, start: int) -> bool:
    return re.search(r"\bbetween\s*$", text[:start], re.I) is not None


def parse_temperature(text: str) -> TempRange | None:
    """The storage range a phrase states, or None when it states no Celsius temperature.

    With several statements (``2 °C to 8 °C; after dilution up to 25 °C``) the first is the storage
    condition; use :func:`temperatures_in` for all of them.
    """
    found = temperatures_in(text)
    return found[0] if found else None
