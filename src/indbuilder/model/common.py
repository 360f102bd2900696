"""Building blocks shared by every fact record: bilingual text, quantities, the record base."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-]*$"


class Fact(BaseModel):
    """Base of every fact model: unknown keys are errors (a typo must not be silently ignored).

    No number of a fact may be infinite or NaN (YAML's ``.inf``/``.nan``): no measurement,
    duration or dose is, and every comparison with one would be meaningless.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)


_FOLD_SPACE = re.compile(r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]) (?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])")


_LANG_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")  # BCP 47 shape: en, zh, pt-BR, zh-Hant


class Text(Fact):
    """Text that appears in documents in several languages: one key per language code.

    A project writes the languages of its regions: English (``en``) for FDA, Simplified Chinese (``zh``)
    for NMPA; a region that declares another language (see ``indbuilder.regions``) reads its own key,
    e.g. ``fr: ...``. The loader validates with the project's languages in the validation context
    (``{"languages": ("en",)}`` for an FDA-only project); without a context both ``en`` and ``zh`` are
    required, as before regions were optional.
    """

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True, allow_inf_nan=False)

    en: str = ""
    zh: str = ""

    @model_validator(mode="after")
    def _languages_only(self, info: ValidationInfo) -> "Text":
        # Extra keys are texts in other languages; anything else is a typo that must not pass silently.
        from ..regions import languages

        for key, value in (self.model_extra or {}).items():
            if not _LANG_CODE.match(key) or key not in languages():
                known = ", ".join(languages())
                raise ValueError(f"'{key}' is not a language of any region (languages: {known})")
            if not isinstance(value, str):
                raise ValueError(f"the '{key}' text must be a string, got {type(value).__name__}")
        context = info.context if isinstance(info.context, dict) else {}
        required = context.get("languages", ("en", "zh"))
        given = set(self.model_fields_set) | set(self.model_extra or {})
        missing = [lang for lang in required if lang not in given]
        if missing:
            why = context.get("why", {})
            need = "; ".join(f"'{lang}' ({why.get(lang, 'a language of the project')})" for lang in missing)
            raise ValueError(f"this text needs {need}: add {', '.join(repr(m + ':') for m in missing)} beside the other language")
        return self

    @field_validator("zh")
    @classmethod
    def _no_fold_spaces(cls, v: str) -> str:
        # YAML folded scalars (>-) join lines with a space; between two Chinese characters or
        # punctuation marks that space is never wanted (Chinese has no word spacing).
        return _FOLD_SPACE.sub("", v)

    def get(self, lang: str) -> str:
        """The text in ``lang``; English when the text has no ``lang`` key."""
        if lang == "zh":
            return self.zh if "zh" in self.model_fields_set else self.en
        extra = self.model_extra or {}
        return str(extra[lang]) if lang in extra else self.en

    def texts(self) -> dict[str, str]:
        """Every language's text, by language code."""
        given = {"en": self.en, "zh": self.zh, **{k: str(v) for k, v in (self.model_extra or {}).items()}}
        return {k: v for k, v in given.items() if k in self.model_fields_set or k in (self.model_extra or {})}

    def __str__(self) -> str:  # templates use t(); str() is a safe English fallback
        return self.en


class Record(Fact):
    """A fact record with a stable id; other records refer to it by this id."""

    id: str = Field(pattern=ID_PATTERN)  # stable id other records refer to: letters, digits, '.', '_', '-'


Unit = str

# Amounts that cannot be negative: durations, shelf life, doses, volumes (finite, see Fact).
NonNegative = Annotated[float, Field(ge=0)]
Positive = Annotated[float, Field(gt=0)]
# Counts of subjects, animals, years: whole numbers that cannot be negative.
Count = Annotated[int, Field(ge=0)]


class Quantity(Fact):
    """An amount with a unit, e.g. ``{value: 2.0e6, unit: cells/kg}``: durations, shelf life,
    doses. Never negative, never infinite."""

    value: NonNegative
    unit: Unit  # e.g. months, days, hours, cells/kg, mg

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


def _registered_region(name: str) -> str:
    # Region names come from the region registry (built-ins and plug-ins), never a fixed list.
    from ..regions import names

    if name not in names():
        raise ValueError("must be one of " + ", ".join(f"'{n}'" for n in names()) + f", got '{name}'")
    return name


Region = Annotated[str, AfterValidator(_registered_region)]


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

