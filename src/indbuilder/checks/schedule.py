"""Rule family H (continued): the schedule of activities can deliver what it promises over time.

Run with the protocol family (:func:`indbuilder.checks.protocol.check`). Each assessment is done at
the visits that carry it; a blood test cannot be done at a telephone contact, an assessment said to run
"through Year 15" needs visits up to Year 15, and long-term follow-up of a gene therapy needs visits for
as many years as the protocol promises.
"""

from __future__ import annotations

from ..diagnostics import Diagnostics
from ..model.clinical import Assessment, Protocol, Visit
from .context import CheckContext
from .support import define, num, where

define(
    "protocol.followup-schedule",
    "error",
    "An assessment's frequency or duration is not possible at the visits that carry it.",
    """
    The schedule of activities lists, for every assessment, the visits at which it is done. A visit is on
    site (examination, samples) or remote (`contact: remote`: telephone, video or questionnaire); a visit
    may recur (`repeat: {every, until}`, e.g. yearly from Year 2 to Year 5). The rule reports:
    an assessment that needs the participant on site (not `remote: true`) at a remote visit; an assessment
    that runs `through` a time (e.g. 15 years) while its last visit is earlier; a long-term follow-up of
    `ltfu.years` whose visits stop before then; and a visit that carries no assessment (an empty column).
    """,
    "FDA Guidance: Long Term Follow-Up After Administration of Human Gene Therapy Products (2020) (annual "
    "examinations for the first five years, then annual contacts, up to 15 years for integrating vectors); "
    "FDA Guidance: Testing of Retroviral Vector-Based Human Gene Therapy Products for Replication Competent "
    "Retrovirus (2020) (patient monitoring schedule); ICH M11 §1.3 (schedule of activities); 21 CFR "
    "312.23(a)(6)(iii)(f) (tests to be performed).",
)

_DAYS_PER_YEAR = 365.25


def visit_reach(v: Visit) -> float:
    """The last day after dosing (Day 1) at which the visit takes place (its repeat's end, else its day)."""
    if v.repeat is not None:
        return max(float(v.day), v.repeat.until.in_unit("days"))
    return float(v.day)


def _when(days: float) -> str:
    if days >= _DAYS_PER_YEAR - 1:
        return f"Year {num(round(days / _DAYS_PER_YEAR, 1))}"
    return f"Day {num(round(days))}"


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """H7: the follow-up schedule against its visits (remote contacts, durations, LTFU years, empty visits)."""
    p = ctx.dossier.protocol
    if p is None:
        return
    visits = {v.id: v for v in p.visits}
    for a in p.assessments:
        _assessment(ctx, p, a, visits, diags)
    if p.ltfu is not None and p.ltfu.years and p.visits:
        last = max(p.visits, key=visit_reach)
        need = p.ltfu.years * _DAYS_PER_YEAR
        if visit_reach(last) < need - 31:  # a month's window: "Year 15" is the 15th anniversary ± a window
            diags.emit(
                "protocol.followup-schedule",
                f"long-term follow-up lasts {p.ltfu.years} years (ltfu.years), but the last visit, {last.id} "
                f"({last.name.en}), is at {_when(visit_reach(last))}: add the yearly visits or contacts up to "
                f"Year {p.ltfu.years} (a recurring visit: repeat: {{every: {{value: 1, unit: years}}, until: "
                f"{{value: {p.ltfu.years}, unit: years}}}})",
                where(ctx, "protocol", "visits", last.id) or where(ctx, "protocol", "ltfu", "years"),
            )
    used = {vid for a in p.assessments for vid in a.visits}
    for v in p.visits:
        if v.id not in used:
            diags.emit(
                "protocol.followup-schedule",
                f"visit {v.id} ({v.name.en}) carries no assessment: its column of the schedule of activities is "
                f"empty; list what is done at it, or remove it",
                where(ctx, "protocol", "visits", v.id),
            )


def _assessment(ctx: CheckContext, p: Protocol, a: Assessment, visits: dict[str, Visit], diags: Diagnostics) -> None:
    carried = [visits[vid] for vid in a.visits if vid in visits]  # unknown ids: references family
    at = where(ctx, "protocol", "assessments", a.id)
    if not a.remote:
        for v in carried:
            if v.contact == "remote":
                diags.emit(
                    "protocol.followup-schedule",
                    f"assessment {a.id} ({a.name.en}) is scheduled at {v.id} ({v.name.en}), a remote contact "
                    f"(telephone or questionnaire), but needs the participant on site: schedule it at an on-site "
                    f"visit, or mark the assessment remote: true if it can be done by telephone or questionnaire",
                    where(ctx, "protocol", "assessments", a.id, "visits") or at,
                )
    if a.through is not None and carried:
        try:
            need = a.through.in_unit("days")
        except ValueError:
            diags.emit(
                "protocol.followup-schedule",
                f"assessment {a.id} ({a.name.en}): 'through' is in '{a.through.unit}', not a unit of time",
                where(ctx, "protocol", "assessments", a.id, "through") or at,
            )
            return
        last = max(carried, key=visit_reach)
        reach = visit_reach(last)
        if reach < need - 31:
            diags.emit(
                "protocol.followup-schedule",
                f"assessment {a.id} ({a.name.en}) is done through {_when(need)} (through: {num(a.through.value)} "
                f"{a.through.unit}), but its last visit, {last.id} ({last.name.en}), is at {_when(reach)}",
                where(ctx, "protocol", "assessments", a.id, "through") or at,
            )


__all__ = ["check", "visit_reach"]
