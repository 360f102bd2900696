"""Evaluating results against acceptance criteria, and printing both the way a reviewer reads them."""

from __future__ import annotations

from ..derived import result_passes
from ..model.cmc import Limit
from .support import num


passes = result_passes  # one definition (derived.py): templates and rules evaluate results alike


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
