"""Evaluating results against acceptance criteria, and printing both the way a reviewer reads them."""

from __future__ import annotations

from ..model.cmc import Limit
from .support import num


def passes(limit: Limit, value: float | str) -> bool:
    """``limit.passes(value)``, reading a numeric limit's text value as a number when it is one.

    YAML 1.1 (PyYAML) reads ``1.0e7`` (no sign in the exponent) as text, so a batch result written that
    way arrives as a string; it is still the number a reader sees.
    """
    if isinstance(value, str) and limit.kind != "equals":
        try:
            value = float(value.replace("−", "-"))
        except ValueError:
            return False
    return limit.passes(value)


def _bound(value: float | None) -> float:
    """A bound the limit's kind requires (``Limit`` refuses to validate without it)."""
    assert value is not None, "Limit validation guarantees the bounds its kind needs"
    return value


def limit_text(limit: Limit) -> str:
    """The criterion as a reviewer reads it: ``≥ 70 %``, ``≤ 5.0 × 10^7 vg/mL``, ``'negative'``."""
    unit = f" {limit.unit}" if limit.unit else ""
    if limit.kind == "equals":
        return f"'{limit.equals}'"
    if limit.kind == "min":
        return f"≥ {num(_bound(limit.min))}{unit}"
    if limit.kind == "max":
        return f"≤ {num(_bound(limit.max))}{unit}"
    return f"{num(_bound(limit.min))} to {num(_bound(limit.max))}{unit}"


def value_text(value: float | str, limit: Limit) -> str:
    """A result as printed next to its criterion: text quoted, numbers with the limit's unit."""
    if isinstance(value, str):
        return f"'{value}'"
    return f"{num(value)}{' ' + limit.unit if limit.unit else ''}"
