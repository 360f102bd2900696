"""Chemistry, manufacturing and controls facts (CTD Module 3)."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from .common import Fact, NonNegative, Quantity, Record, Text


class InProcessControl(Fact):
    parameter: Text
    acceptance: Text
    critical: bool = False


class ProcessStep(Record):
    number: int = Field(ge=1)
    name: Text
    description: Text
    duration: Text | None = None
    materials: list[str] = []  # material ids
    controls: list[InProcessControl] = Field(min_length=1)


class Process(Record):
    version: str
    site: str  # organisation id
    description: Text
    steps: list[ProcessStep]


class Material(Record):
    name: Text
    grade: Text
    supplier: str
    origin: Literal["human", "animal", "recombinant", "microbial", "chemical", "plant", "autologous"]
    function: Text
    steps: list[str] = []  # process step ids where it is used
    risk_note: Text | None = None  # viral-safety / TSE mitigation for human or animal origin


ValidationStatus = Literal["compendial-verified", "validated", "qualified", "in-development"]


class AnalyticalMethod(Record):
    title: Text
    principle: Text
    reference: str | None = None  # compendial reference, e.g. "USP <71>"
    validation_status: ValidationStatus
    validation_report: str | None = None  # report number
    performed_by: str  # organisation id


class Limit(Fact):
    """An acceptance criterion a machine can evaluate.

    ``min``/``max`` (inclusive) for numbers, ``equals`` for a qualitative outcome
    ("negative", "conforms"), or both bounds for a range.
    """

    kind: Literal["min", "max", "range", "equals"]
    min: float | None = None
    max: float | None = None
    equals: str | None = None
    unit: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> "Limit":
        need = {"min": ("min",), "max": ("max",), "range": ("min", "max"), "equals": ("equals",)}[self.kind]
        missing = [n for n in need if getattr(self, n) is None]
        if missing:
            raise ValueError(f"a '{self.kind}' limit needs {', '.join(missing)}")
        return self

    def passes(self, value: "ResultValue") -> bool:
        """Whether ``value`` meets this criterion (qualitative text is compared case-insensitively)."""
        if self.kind == "equals":
            return str(value).strip().lower() == str(self.equals).strip().lower()
        if isinstance(value, str):
            return False
        if self.min is not None and value < self.min:
            return False
        if self.max is not None and value > self.max:
            return False
        return True


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)$")


def _exponent_number(value: object) -> object:
    """YAML 1.1 reads ``2.46e7`` (no sign in the exponent) as text; a result written so is a number."""
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return float(value)
    return value


def _finite(value: object) -> object:
    """A numeric result must be a number: ``.nan`` or ``.inf`` is no measurement."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"a result must be a finite number, got {value}")
    return value


# A result: a number, or a qualitative outcome ("negative", "conforms")
# (the float branch lets .nan through to _finite, which names the problem once, not once per branch)
ResultValue = Annotated[
    Union[Annotated[float, Field(allow_inf_nan=True)], str], BeforeValidator(_exponent_number), AfterValidator(_finite)
]


class SpecTest(Record):
    name: Text
    category: Literal["safety", "identity", "purity", "potency", "quantity", "general", "impurity"]
    method: str  # analytical method id
    acceptance: Text  # the criterion as printed
    limit: Limit
    release: bool = True
    stability_indicating: bool = False


class Specification(Record):
    version: str
    title: Text
    tests: list[SpecTest]


BatchUse = Literal["engineering", "toxicology", "clinical", "stability", "process-validation"]


class Batch(Record):
    """A manufactured lot with its release results, keyed by specification test id."""

    type: BatchUse
    uses: list[BatchUse] = []
    manufactured: dt.date
    site: str  # organisation id
    process_version: str
    donor: Text
    scale: Text
    results: dict[str, ResultValue]


class StabilityTimepoint(Fact):
    time: NonNegative  # since manufacture or the start of the study
    results: dict[str, dict[str, ResultValue]]  # lot id -> test id -> value


class StabilityStudy(Record):
    kind: Literal["long-term", "in-use", "accelerated", "shipping"]
    title: Text
    condition: Text
    lots: list[str]
    time_unit: Literal["hours", "days", "weeks", "months"]
    tests: list[str]  # specification test ids monitored
    timepoints: list[StabilityTimepoint] = Field(min_length=1)
    supports: Literal["shelf-life", "in-use-time", "shipping"]
    conclusion: Text

    @property
    def longest(self) -> Quantity:
        return Quantity(value=max(t.time for t in self.timepoints), unit=self.time_unit)


class ContainerClosure(Fact):
    description: Text
    components: list[Text]


class Cmc(Fact):
    process: Process
    materials: list[Material]
    methods: list[AnalyticalMethod]
    specification: Specification
    batches: list[Batch]
    stability: list[StabilityStudy]
    container_closure: ContainerClosure
