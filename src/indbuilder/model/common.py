"""Building blocks shared by every fact record: bilingual text, quantities, the record base."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-]*$"


class Fact(BaseModel):
    """Base of every fact model: unknown keys are errors (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


_FOLD_SPACE = re.compile(r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]) (?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])")


class Text(Fact):
    """Text that appears in documents of both regions: English (FDA) and Simplified Chinese (NMPA)."""

    en: str
    zh: str

    @field_validator("zh")
    @classmethod
    def _no_fold_spaces(cls, v: str) -> str:
        # YAML folded scalars (>-) join lines with a space; between two Chinese characters or
        # punctuation marks that space is never wanted (Chinese has no word spacing).
        return _FOLD_SPACE.sub("", v)

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def __str__(self) -> str:  # templates use t(); str() is a safe English fallback
        return self.en


class Record(Fact):
    """A fact record with a stable id; other records refer to it by this id."""

    id: str = Field(pattern=ID_PATTERN)


Unit = str


class Quantity(Fact):
    """A value with a unit, e.g. ``{value: 2.0e6, unit: cells/kg}``."""

    value: float
    unit: Unit

    def in_unit(self, unit: str) -> float:
        """Convert between the few units the rules compare (time and cell-dose units)."""
        return convert(self.value, self.unit, unit)


_TIME_HOURS = {"hours": 1.0, "h": 1.0, "days": 24.0, "d": 24.0, "weeks": 168.0, "months": 730.5, "years": 8766.0}


def convert(value: float, unit: str, to: str) -> float:
    """Convert ``value`` from ``unit`` to ``to`` for time units; identical units pass through."""
    if unit == to:
        return value
    if unit in _TIME_HOURS and to in _TIME_HOURS:
        return value * _TIME_HOURS[unit] / _TIME_HOURS[to]
    raise ValueError(f"cannot convert {unit!r} to {to!r}")


Region = Literal["fda", "nmpa"]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Person(Fact):
    name: Text
    title: Text | None = None
    email: str | None = None
    phone: str | None = None
    fax: str | None = None


class Address(Fact):
    lines: Text
    country: Text

    @field_validator("lines", mode="before")
    @classmethod
    def _lines(cls, v):
        return v
