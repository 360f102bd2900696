"""Rule family D (continued): nonclinical study dates against the lots they tested.

Run with the dates family (:func:`indbuilder.checks.dates.check`). A study cannot start before the
test-article lot it used was made; a reviewer reads the study's dates (its report's title page) beside
the lot's certificate of analysis (2.6.7.4 lists the lots of each study).
"""

from __future__ import annotations

from ..diagnostics import Diagnostics
from .context import CheckContext
from .support import define, where

define(
    "dates.study-lot",
    "error",
    "A nonclinical study started before a test-article lot it used was manufactured, or ends before it starts.",
    """
    Each nonclinical study names its test-article lots (`test_article_lots`) and its experimental start and
    completion dates (`start`, `end`). A lot cannot be dosed before it was made (`manufactured` of the batch),
    so a study's start must be on or after the manufacture date of every lot it used, and its end on or after
    its start and after its in-life duration. Study numbers that carry a year are usually numbered when the
    study is planned: check them too when this rule fires.
    """,
    "21 CFR 58.105 (test article characterisation: batch identified for each study) and 58.185(a)(2)-(3) "
    "(dates of study initiation and completion in the final report); 21 CFR 312.23(a)(8)(ii); ICH M4S 2.6.7.4 "
    "(test article lots of each toxicology study).",
)
define(
    "dates.study-undated",
    "warning",
    "A nonclinical study that used a test-article lot has no start date.",
    """
    Without a start date (`start:` on the study) no rule can check that the lots the study names were made
    before it was dosed. Give the experimental start date (first dosing) and, when the in-life phase is over,
    the end date, as on the report's title page.
    """,
    "21 CFR 58.185(a)(2) (dates of study initiation and completion); 21 CFR 58.105.",
)


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """D4: study start and end dates against the test-article lots and the study's own duration."""
    d = ctx.dossier
    lots = {b.id: b for b in d.batches}
    for s in d.studies:
        used = [lots[lid] for lid in s.test_article_lots if lid in lots]  # unknown ids: trace.tox-lot-unknown
        if s.start is None:
            if used:
                diags.emit(
                    "dates.study-undated",
                    f"study {s.study_number} ({s.id}) used lot(s) {', '.join(b.id for b in used)} but has no start "
                    "date: add 'start:' (first dosing) so the lots' manufacture dates can be checked",
                    where(ctx, "studies", s.id, "study_number") or where(ctx, "studies", s.id),
                )
            continue
        for b in used:
            if s.start < b.manufactured:
                lot_at = where(ctx, "batches", b.id, "manufactured")
                lot_where = f" ({lot_at.path}:{lot_at.line})" if lot_at is not None else ""
                diags.emit(
                    "dates.study-lot",
                    f"study {s.study_number} ({s.id}) started on {s.start.isoformat()}, before lot {b.id} it used was "
                    f"manufactured on {b.manufactured.isoformat()}{lot_where}: correct the study's dates, its lots, "
                    "or the lot's manufacture date",
                    where(ctx, "studies", s.id, "start"),
                )
        if s.end is not None:
            if s.end < s.start:
                diags.emit(
                    "dates.study-lot",
                    f"study {s.study_number} ({s.id}) ends on {s.end.isoformat()}, before it starts ({s.start.isoformat()})",
                    where(ctx, "studies", s.id, "end"),
                )
            else:
                try:
                    days = s.duration.in_unit("days")
                except ValueError:
                    continue
                if (s.end - s.start).days + 1 < days - 1:  # in-life: first to last day, inclusive
                    diags.emit(
                        "dates.study-lot",
                        f"study {s.study_number} ({s.id}) runs from {s.start.isoformat()} to {s.end.isoformat()} "
                        f"({(s.end - s.start).days + 1} days), shorter than its in-life duration of "
                        f"{s.duration.value:g} {s.duration.unit}",
                        where(ctx, "studies", s.id, "end"),
                    )


__all__ = ["check"]
