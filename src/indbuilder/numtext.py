"""Numbers in messages, as a reviewer writes them (one definition for rule findings and derived text)."""

from __future__ import annotations


def num(value: float) -> str:
    """A number as a reviewer writes it: ``2e+07`` becomes ``2.0 × 10^7``; small numbers stay plain."""
    if value == 0:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-3:
        mantissa, exp = f"{value:.3e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        if "." not in mantissa:
            mantissa += ".0"
        return f"{mantissa} × 10^{int(exp)}"
    return f"{value:.4f}".rstrip("0").rstrip(".")
