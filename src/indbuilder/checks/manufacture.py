"""Rule family E (continued): what one lot can supply and how long the process takes.

Run with the CMC family (:func:`indbuilder.checks.cmc.check`). Two contradictions a reviewer finds by
hand: a lot whose guaranteed yield is smaller than the largest dose the protocol allows, and a stated
process time that the durations of its steps do not add up to.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from ..diagnostics import Diagnostics, Location
from ..model.clinical import Protocol
from ..model.cmc import InProcessControl, ProcessStep
from .context import CheckContext
from .support import define, num, where

define(
    "cmc.dose-supply",
    "error",
    "One lot cannot supply the largest dose the protocol allows (maximum dose × maximum body weight).",
    """
    A per-kilogram dose of a cell or gene therapy is a number of cells (or vector genomes) that one lot must
    hold: the largest cohort dose times the heaviest participant the eligibility criteria admit
    (`protocol.max_body_weight`). The in-process control marked `lot_yield: true` (for a cell therapy, the
    viable cells at harvest) is the least a lot that passes can yield; when it is below that number, a lot
    that meets its own acceptance criteria cannot dose an eligible participant. Raise the control, cap body
    weight in the protocol, or dose by flat amount. The rule also compares `max_body_weight` with the body
    weight the inclusion criteria state. It is skipped for mg and mg/kg doses, where one lot of a chemical
    drug or protein serves many participants and lot size is not a per-participant limit.
    """,
    "ICH M4Q(R1) 3.2.P.3.4 (controls of critical steps: in-process acceptance criteria) and 3.2.P.3.2 (batch "
    "formula); 21 CFR 312.23(a)(7)(i) (quality and strength of the investigational drug for the planned "
    "investigation); FDA Guidance: Chemistry, Manufacturing, and Control (CMC) Information for Human Gene "
    "Therapy INDs (2020).",
)
define(
    "cmc.process-duration",
    "error",
    "The stated total process time does not match the sum of the step durations.",
    """
    3.2.P.3.3 describes the process step by step and states its total time (for an autologous product the
    time from tissue receipt to cryopreservation, on which the clinical schedule depends). The total
    (`process.total_duration`, value ± tolerance, from `first_step` to `last_step`) must agree with the steps'
    `duration`s between them: its nominal value lies within the range the step durations allow, and the
    steps' nominal sum lies within the stated range. A step that takes place during another (`during:`) is
    not counted twice. The process description must print the same total. Step durations are read as
    written: `3 hours`, `7 ± 1 days`, `16-24 hours`, `≤ 1 hour`.
    """,
    "ICH M4Q(R1) 3.2.P.3.3 / 3.2.S.2.2 (description of manufacturing process and process controls); ICH "
    "Q5A(R2)/FDA CGT CMC guidance (2020) on culture duration and cell age (derived: the stated process time "
    "equals the sum of its steps).",
)

# ------------------------------------------------------------------ durations

_HOURS = {
    "min": 1 / 60, "mins": 1 / 60, "minute": 1 / 60, "minutes": 1 / 60, "分钟": 1 / 60,
    "h": 1.0, "hour": 1.0, "hours": 1.0, "小时": 1.0,
    "d": 24.0, "day": 24.0, "days": 24.0, "天": 24.0, "日": 24.0,
    "week": 168.0, "weeks": 168.0, "周": 168.0,
}
_NUM = r"(\d+(?:\.\d+)?)"
_UNIT = r"(minutes?|mins?|hours?|h|days?|d|weeks?|分钟|小时|天|日|周)\b"
_PLUS_MINUS = re.compile(rf"{_NUM}\s*±\s*{_NUM}\s*{_UNIT}", re.I)
_RANGE = re.compile(rf"{_NUM}\s*(?:-|–|to|至)\s*{_NUM}\s*{_UNIT}", re.I)
_AT_MOST = re.compile(rf"(?:≤|<=|<|up to|not more than|at most|不超过)\s*{_NUM}\s*{_UNIT}", re.I)
_PLAIN = re.compile(rf"(?:about\s+|approximately\s+|~\s*)?{_NUM}\s*{_UNIT}", re.I)


@dataclass(frozen=True)
class Span:
    """A time in hours: its least, nominal and greatest value."""

    low: float
    nominal: float
    high: float

    def __add__(self, other: "Span") -> "Span":
        return Span(self.low + other.low, self.nominal + other.nominal, self.high + other.high)

    def days(self) -> str:
        return f"{_fmt(self.nominal / 24)} days (between {_fmt(self.low / 24)} and {_fmt(self.high / 24)})"


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def duration_span(text: str) -> Span | None:
    """The time a step's duration text states, in hours, or None when it cannot be read.

    ``7 ± 1 days`` is 6-8 days (nominal 7), ``16-24 hours`` 16-24 (nominal 20), ``≤ 1 hour`` 0-1
    (nominal 1: a limit is planned for), ``3 hours`` exactly 3.
    """
    for pattern, kind in ((_PLUS_MINUS, "pm"), (_RANGE, "range"), (_AT_MOST, "max"), (_PLAIN, "plain")):
        m = pattern.search(text)
        if m is None:
            continue
        unit = _HOURS.get(m.group(m.lastindex or 0).lower())
        if unit is None:
            continue
        a = float(m.group(1))
        if kind == "pm":
            b = float(m.group(2))
            return Span((a - b) * unit, a * unit, (a + b) * unit)
        if kind == "range":
            b = float(m.group(2))
            return Span(a * unit, (a + b) / 2 * unit, b * unit)
        if kind == "max":
            return Span(0.0, a * unit, a * unit)
        return Span(a * unit, a * unit, a * unit)
    return None


_TOTAL_IN_TEXT = re.compile(rf"{_NUM}\s*±\s*{_NUM}\s*{_UNIT}", re.I)
_UNIT_HOURS = {"hours": 1.0, "days": 24.0, "weeks": 168.0}


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """E12 dose supply and E13 process duration."""
    _dose_supply(ctx, diags)
    _process_duration(ctx, diags)


# ------------------------------------------------------------------ E12 dose supply

# Per-kg dose units whose amount one lot must hold, and the unit words of a yield control that count them.
_PER_KG = {"cells/kg": ("cell",), "vg/kg": ("vg", "vector genome")}
_MAX_WEIGHT_TEXT = re.compile(r"body weight\s*(?:≤|<=|of at most|not more than|up to)\s*(\d+(?:\.\d+)?)\s*kg|体重\s*(?:≤|不超过)\s*(\d+(?:\.\d+)?)\s*kg", re.I)


def _yield_controls(ctx: CheckContext) -> list[tuple[str, ProcessStep, int, InProcessControl]]:
    out = []
    for section, part in ctx.dossier.parts():
        for step in part.process.steps:
            for i, c in enumerate(step.controls):
                if c.lot_yield:
                    out.append((section, step, i, c))
    return out


def _control_location(ctx: CheckContext, section: str, step: ProcessStep, index: int) -> Location | None:
    return where(ctx, section, "process", "steps", step.id, "controls", index) or where(ctx, section, "process", "steps", step.id)


def stated_max_weights(p: Protocol) -> list[tuple[int, float]]:
    """``(criterion index, kg)`` for every inclusion criterion that caps body weight ("body weight ≤ 120 kg")."""
    out = []
    for i, crit in enumerate(p.inclusion):
        for text in crit.texts().values():
            for m in _MAX_WEIGHT_TEXT.finditer(text):
                out.append((i, float(m.group(1) or m.group(2))))
    return out


def _dose_supply(ctx: CheckContext, diags: Diagnostics) -> None:
    p = ctx.dossier.protocol
    if p is None:
        return
    weight = p.max_body_weight.value if p.max_body_weight is not None and p.max_body_weight.unit == "kg" else None
    if p.max_body_weight is not None and p.max_body_weight.unit != "kg":
        diags.emit(
            "cmc.dose-supply",
            f"protocol.max_body_weight is in '{p.max_body_weight.unit}'; write it in kg",
            where(ctx, "protocol", "max_body_weight"),
        )
    stated = stated_max_weights(p)
    if weight is not None:
        for i, kg in stated:
            if not math.isclose(kg, weight):
                diags.emit(
                    "cmc.dose-supply",
                    f"inclusion criterion {i + 1} of protocol {p.number} allows body weight up to {num(kg)} kg, but "
                    f"protocol.max_body_weight is {num(weight)} kg: the lot yield is checked against the wrong weight",
                    where(ctx, "protocol", "inclusion", i) or where(ctx, "protocol", "inclusion"),
                )
    elif stated:
        weight = max(kg for _, kg in stated)
    per_kg = [c for c in p.cohorts if c.unit in _PER_KG]
    if not per_kg or weight is None:
        return  # flat or mg-based doses: lot size is no per-participant limit (see the rule's explanation)
    top = max(per_kg, key=lambda c: c.dose)
    need = top.dose * weight
    words = _PER_KG[top.unit]
    for section, step, index, control in _yield_controls(ctx):
        assert control.limit is not None and control.limit.min is not None  # the model requires both
        unit = (control.limit.unit or "").lower()
        if not any(w in unit for w in words):
            continue
        have = control.limit.min
        if have < need:
            weight_at = where(ctx, "protocol", "max_body_weight")
            weight_from = f" ({weight_at.path}:{weight_at.line})" if weight_at is not None else ""
            diags.emit(
                "cmc.dose-supply",
                f"one lot may yield as few as {num(have)} {control.limit.unit} (step {step.number}, "
                f"{control.parameter.en}: {control.acceptance.en}), but the highest dose, {num(top.dose)} {top.unit} "
                f"({top.id}), for a participant of {num(weight)} kg{weight_from} needs {num(need)}: raise the "
                f"control to at least {num(need)} plus what release and retention samples take, or cap body weight "
                f"in the eligibility criteria",
                _control_location(ctx, section, step, index),
            )


# ------------------------------------------------------------------ E13 process duration


def _process_duration(ctx: CheckContext, diags: Diagnostics) -> None:
    d = ctx.dossier
    steps: dict[str, tuple[str, ProcessStep]] = {}
    for section, part in d.parts():
        for s in part.process.steps:
            steps[s.id] = (section, s)
    for section, part in d.parts():
        total = part.process.total_duration
        if total is None:
            continue
        at = where(ctx, section, "process", "total_duration")
        ends = [steps.get(total.first_step), steps.get(total.last_step)]
        if ends[0] is None or ends[1] is None:
            missing = [sid for sid, e in zip((total.first_step, total.last_step), ends) if e is None]
            diags.emit(
                "cmc.process-duration",
                f"process {part.process.id} total_duration names step(s) {', '.join(missing)}, which are not "
                f"process steps (known: {', '.join(sorted(steps))})",
                at,
            )
            continue
        lo, hi = ends[0][1].number, ends[1][1].number
        counted = [s for _, s in sorted(steps.values(), key=lambda x: x[1].number) if lo <= s.number <= hi]
        spans: list[tuple[ProcessStep, Span]] = []
        unread: list[tuple[str, ProcessStep, str]] = []
        for s in counted:
            if s.during is not None:
                if s.during not in steps:
                    diags.emit(
                        "cmc.process-duration",
                        f"step {s.number} ({s.name.en}) takes place during '{s.during}', which is not a process step",
                        where(ctx, steps[s.id][0], "process", "steps", s.id, "during"),
                    )
                continue
            span = duration_span(s.duration.en) if s.duration is not None else None
            if span is None:
                unread.append((steps[s.id][0], s, s.duration.en if s.duration is not None else ""))
            else:
                spans.append((s, span))
        for sec, s, text in unread:
            diags.emit(
                "cmc.process-duration",
                f"step {s.number} ({s.name.en}) "
                + (f"has a duration '{text}' that cannot be read as a time" if text else "has no duration")
                + f", so the stated process time ({_stated(total)}) cannot be checked against the steps; write it "
                "as '3 hours', '7 ± 1 days', '16-24 hours' or '≤ 1 hour'",
                where(ctx, sec, "process", "steps", s.id, "duration") or where(ctx, sec, "process", "steps", s.id),
            )
        if unread:
            continue
        summed = Span(0.0, 0.0, 0.0)
        for _, span in spans:
            summed = summed + span
        unit = _UNIT_HOURS[total.unit]
        nominal, low, high = total.value * unit, (total.value - total.tolerance) * unit, (total.value + total.tolerance) * unit
        eps = 1e-6
        if not (summed.low - eps <= nominal <= summed.high + eps and low - eps <= summed.nominal <= high + eps):
            listed = "; ".join(f"{s.number} {s.duration.en if s.duration else ''}" for s, _ in spans)
            diags.emit(
                "cmc.process-duration",
                f"the process is said to take {_stated(total)} (steps {lo}-{hi}), but its steps add up to "
                f"{summed.days()} (steps: {listed}): correct the stated time or the step durations",
                at,
            )
        _description_states(ctx, section, part, total, diags)


def _stated(total: Any) -> str:
    tol = f" ± {num(total.tolerance)}" if total.tolerance else ""
    return f"{num(total.value)}{tol} {total.unit}"


def _description_states(ctx: CheckContext, section: str, part: Any, total: Any, diags: Diagnostics) -> None:
    """The process description prints the same total time as the fact (when it prints one as 'N ± M unit')."""
    for lang, text in part.process.description.texts().items():
        for m in _TOTAL_IN_TEXT.finditer(text):
            unit = _HOURS.get(m.group(3).lower())
            if unit is None:
                continue
            value, tol = float(m.group(1)) * unit, float(m.group(2)) * unit
            want = _UNIT_HOURS[total.unit]
            if not (math.isclose(value, total.value * want) and math.isclose(tol, total.tolerance * want)):
                diags.emit(
                    "cmc.process-duration",
                    f"the description of process {part.process.id} ({lang}) says the process takes '{m.group(0)}', "
                    f"but its total_duration is {_stated(total)}",
                    where(ctx, section, "process", "description", lang) or where(ctx, section, "process", "description"),
                )


__all__ = ["Span", "check", "duration_span", "stated_max_weights"]
