"""Chemistry, manufacturing and controls facts (CTD Module 3)."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from .common import Fact, NonNegative, Positive, Quantity, Record, Text


class Material(Record):
    name: Text
    grade: Text
    # an organisation id (sponsor.organisations), or a supplier's name: written once, or per language when it
    # is a description rather than a name ({en: "Clinical site (patient's own tissue)", zh: ...})
    supplier: str | Text
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


class InProcessControl(Fact):
    parameter: Text
    acceptance: Text
    critical: bool = False
    # The criterion as a machine can read it (like a specification test's), e.g. {kind: min, min: 4.0e8,
    # unit: viable cells}; needed when the control is the lot yield.
    limit: Limit | None = None
    # This control is the least one lot yields (the harvest count of a cell therapy): the largest dose the
    # protocol allows must fit in one lot (cmc.dose-supply; ICH M4Q(R1) 3.2.P.3.4).
    lot_yield: bool = False

    @model_validator(mode="after")
    def _yield_has_limit(self) -> "InProcessControl":
        if self.lot_yield and (self.limit is None or self.limit.min is None):
            raise ValueError("a 'lot_yield' control needs a limit with a minimum, e.g. {kind: min, min: 4.0e8, unit: viable cells}")
        return self


class ProcessStep(Record):
    number: int = Field(ge=1)
    name: Text
    description: Text
    # As printed and as read by cmc.process-duration: "3 hours", "7 ± 1 days", "16-24 hours", "≤ 1 hour".
    duration: Text | None = None
    # Id of the step this one takes place during (transduction on the first day of a passage): its time is
    # part of that step's and is not added again to the process time.
    during: str | None = None
    materials: list[str] = []  # material ids
    controls: list[InProcessControl] = Field(min_length=1)


class ProcessDuration(Fact):
    """The stated total time of the manufacturing process, from one step to another (3.2.P.3.3).

    ``first_step`` and ``last_step`` are step ids of the drug substance or drug product process (steps are
    numbered through both); the time is ``value ± tolerance`` in ``unit``.
    """

    value: Positive
    tolerance: NonNegative = 0
    unit: Literal["hours", "days", "weeks"]
    first_step: str
    last_step: str


class Process(Record):
    version: str
    site: str  # organisation id
    description: Text
    steps: list[ProcessStep]
    total_duration: ProcessDuration | None = None  # the stated process time (checked against the steps)


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

    type: BatchUse  # what the lot was made for
    uses: list[BatchUse] = []  # further uses of the lot (e.g. a clinical lot also on stability)
    manufactured: dt.date
    site: str  # organisation id
    process_version: str
    donor: Text | None = None  # cell therapies: the donor or tissue source of the lot (21 CFR 1271)
    scale: Text
    results: dict[str, ResultValue]  # release result by specification test id: a number, or text such as "conforms"


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


class BankLot(Fact):
    """One tier of a cell bank (ICH Q5D 2.2: master and working cell banks)."""

    lot: str
    prepared: dt.date
    passage: str | Text | None = None  # population doubling level or passage at banking (per language when described in words)
    vials: int | None = Field(default=None, ge=1)
    testing: Text  # characterisation and adventitious-agent testing performed (ICH Q5A(R2), Q5D)


class CellBank(Fact):
    """The cell bank system a recombinant protein is expressed from (ICH Q5D; CTD 3.2.S.2.3)."""

    host: Text  # host cell line and its origin
    expression_construct: Text  # expression construct and how the production clone was derived
    mcb: BankLot
    wcb: BankLot | None = None
    end_of_production: Text | None = None  # limit of in vitro cell age and its testing (ICH Q5D 2.1.3)


class ViralClearanceStep(Fact):
    """A process step's viral clearance, by model virus (ICH Q5A(R2); CTD 3.2.A.2)."""

    step: Text
    model_virus: str  # e.g. "X-MuLV", "MMV", "PRV", "Reo-3"
    enveloped: bool
    log_reduction: NonNegative  # log10 reduction value (LRV)


class Composition(Fact):
    """One ingredient of the drug product per unit (CTD 3.2.P.1)."""

    component: Text
    function: Text
    amount: str  # per unit, e.g. "25.0 mg", "q.s. to 1 mL"
    standard: str  # quality standard, e.g. "In-house", "USP/NF", "Ph. Eur."


class _Part(Record):
    """What a drug substance and a drug product both have (ICH M4Q: 3.2.S and 3.2.P)."""

    name: Text
    process: Process
    materials: list[Material] = []
    specification: Specification | None = None
    batches: list[Batch] = []
    stability: list[StabilityStudy] = []
    container_closure: ContainerClosure | None = None


class DrugSubstance(_Part):
    """The drug substance (CTD 3.2.S).

    ``isolated: false`` declares that the drug substance is neither isolated nor held: it becomes the
    drug product in one continuous process and is tested as drug product (usual for cell therapies; FDA
    CGT CMC guidance 2020). Its specification, batches and stability then live in the drug product.
    """

    isolated: bool = True
    retest_period: Quantity | None = None  # chemical drug substances (ICH Q1A(R2) 2.1.7)
    cell_bank: CellBank | None = None
    viral_clearance: list[ViralClearanceStep] = []

    @model_validator(mode="after")
    def _tested_where_it_lives(self) -> "DrugSubstance":
        held = {"specification": self.specification, "batches": self.batches, "stability": self.stability}
        if self.isolated:
            missing = [k for k, v in held.items() if not v]
            if missing:
                raise ValueError(
                    f"an isolated drug substance needs {', '.join(missing)} (3.2.S.4, 3.2.S.7); "
                    "if it is made and tested as drug product in one continuous process, set 'isolated: false'"
                )
        else:
            given = [k for k, v in held.items() if v]
            if given:
                raise ValueError(
                    f"'isolated: false' says the drug substance is tested as drug product, but it has {', '.join(given)}: "
                    "move them under drug_product"
                )
        return self


class DrugProduct(_Part):
    """The drug product (CTD 3.2.P): its composition, manufacture, specification, lots, stability, container."""

    specification: Specification
    container_closure: ContainerClosure
    batches: list[Batch] = Field(min_length=1)
    stability: list[StabilityStudy] = Field(min_length=1)
    composition: list[Composition] = []
