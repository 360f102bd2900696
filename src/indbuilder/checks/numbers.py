"""Reading numbers the way specifications and documents print them.

Acceptance criteria and storage sentences are written for people: ``≥ 70 %``, ``0.8 × 10^7 to
1.2 × 10^7 cells/mL``, ``1.0 × 10⁷``, ``≤ −150 °C``, ``1,000``. :func:`numbers_in` returns the values
a reader sees, so a rule can compare them with the machine-readable limit.
"""

from __future__ import annotations

import math
import re

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUP_RUN = re.compile(r"10([⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+)")
_TIMES_POW = re.compile(r"(\d+(?:\.\d+)?)\s*[×xX*]\s*10\s*\^\s*([-−+]?\d+)")
_BARE_POW = re.compile(r"(?<![\d.])10\s*\^\s*([-−+]?\d+)")
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])([-−]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:[eE]([-+]?\d+))?")


def numbers_in(text: str) -> list[float]:
    """Every number printed in ``text``, with ``a × 10^b`` / ``a × 10ᵇ`` / ``aEb`` read as one value.

    A hyphen between two digits is a range dash (``18-65`` is 18 and 65), not a minus sign.
    """
    t = _SUP_RUN.sub(lambda m: "10^" + m.group(1).translate(_SUPERSCRIPT), text)
    t = _TIMES_POW.sub(lambda m: f"{m.group(1)}e{m.group(2).replace('−', '-')}", t)
    t = _BARE_POW.sub(lambda m: f"1e{m.group(1).replace('−', '-')}", t)
    out: list[float] = []
    for m in _NUMBER.finditer(t):
        sign, whole, frac, exp = m.groups()
        value = float(whole.replace(",", "") + (frac or ""))
        if exp:
            value *= 10 ** int(exp)
        out.append(-value if sign else value)
    return out


def contains_number(text: str, value: float) -> bool:
    """Whether ``value`` is printed in ``text`` (relative tolerance 1e-6)."""
    return any(math.isclose(x, value, rel_tol=1e-6, abs_tol=1e-12) for x in numbers_in(text))
