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


def limit_text(limit: Limit) -> str:
    unit = f" {limit.unit}" if limit.unit else ""
    if limit.kind == "equals":
        return f"'{limit.equals}'"
    if limit.kind == "min":
        return f"≥ {num(limit.min)}{unit}"
    if limit.kind == "max":
        return f"≤ {num(limit.max)}{unit}"
    return f"{num(limit.min)} to {num(limit.max)}{unit}"


def value_text(value: float | str, limit: Limit) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    return f"{num(value)}{' ' + limit.unit if limit.unit else ''}"
