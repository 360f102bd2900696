"""The reviewer's contradictions (issue 14): each rule fires on one edit of the example and is quiet on it.

Rules: cmc.dose-supply, cmc.process-duration, protocol.followup-schedule, nonclinical.tk-statement,
dates.study-lot and dates.study-undated. Each scenario copies the example project, makes the mistake the
reviewer found, and expects the rule at the file:line of the fact involved.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checks_helpers import EXAMPLE, At, Edit, apply, copy_project, findings, run
from indbuilder.checks.manufacture import duration_span
from indbuilder.checks.nonclinical import tk_statements
from indbuilder.doctree import DocMeta, Document, Heading, Paragraph, text

PROCESS = "content/cmc/process.yaml"
PROTO = "content/clinical/protocol.yaml"
STUDIES = "content/nonclinical/studies.yaml"
RULES = ("cmc.dose-supply", "cmc.process-duration", "protocol.followup-schedule", "nonclinical.tk-statement",
         "dates.study-lot", "dates.study-undated")
EXAMPLES = [EXAMPLE, EXAMPLE / "examples" / "small-molecule-tablet", EXAMPLE / "examples" / "mab-injection"]

# (id, rule, edits, message fragment, location)
SCENARIOS = [
    ("harvest-too-small", "cmc.dose-supply",
     [Edit(PROCESS, "limit: {kind: min, min: 1.0e+9, unit: viable cells}", "limit: {kind: min, min: 4.0e+8, unit: viable cells}"),
      Edit(PROCESS, '{en: "≥ 1.0 × 10⁹ viable cells", zh: "≥ 1.0 × 10⁹个活细胞"}', '{en: "≥ 4.0 × 10⁸ viable cells", zh: "≥ 4.0 × 10⁸个活细胞"}')],
     "one lot may yield as few as 4.0 × 10^8 viable cells (step 7, Total viable cells at harvest: ≥ 4.0 × 10⁸ viable "
     "cells), but the highest dose, 5.0 × 10^6 cells/kg (cohort-3), for a participant of 120 kg "
     "(content/clinical/protocol.yaml:36) needs 6.0 × 10^8",
     At(PROCESS, "parameter: {en: \"Total viable cells at harvest\"")),
    ("weight-raised", "cmc.dose-supply",
     [Edit(PROTO, "max_body_weight: {value: 120, unit: kg}", "max_body_weight: {value: 250, unit: kg}")],
     "needs 1.25 × 10^9", At(PROCESS, "parameter: {en: \"Total viable cells at harvest\"")),
    ("weight-disagrees", "cmc.dose-supply",
     [Edit(PROTO, "max_body_weight: {value: 120, unit: kg}", "max_body_weight: {value: 110, unit: kg}")],
     "inclusion criterion 3 of protocol MCT-GLF-101 allows body weight up to 120 kg, but protocol.max_body_weight is 110 kg",
     At(PROTO, "Body-mass index 27 to 40")),
    ("stated-time", "cmc.process-duration",
     [Edit(PROCESS, "total_duration: {value: 26, tolerance: 4,", "total_duration: {value: 33, tolerance: 3,")],
     "the process is said to take 33 ± 3 days (steps 1-9), but its steps add up to 26.5 days (between 22.4 and 30.5)",
     At(PROCESS, "total_duration:")),
    ("description-time", "cmc.process-duration",
     [Edit(PROCESS, "takes 26 ± 4 days", "takes 33 ± 3 days")],
     "says the process takes '33 ± 3 days', but its total_duration is 26 ± 4 days", At(PROCESS, "en: >-")),
    ("unreadable-step", "cmc.process-duration",
     [Edit(PROCESS, 'duration: {en: "7 ± 1 days", zh: "7 ± 1天"}', 'duration: {en: "about a week", zh: "约一周"}')],
     "step 3 (Primary culture (passage 0)) has a duration 'about a week' that cannot be read as a time",
     At(PROCESS, 'duration: {en: "about a week"')),
    ("rcl-by-telephone", "protocol.followup-schedule",
     [Edit(PROTO, "v-d365, v-ltfu-visit], through: {value: 5, unit: years}}", "v-d365, v-ltfu-visit, v-ltfu-contact], through: {value: 15, unit: years}}", 1)],
     "assessment a-rcl (Replication-competent lentivirus (VSV-G DNA PCR in PBMC)) is scheduled at v-ltfu-contact "
     "(Long-term follow-up contacts, Years 6-15 (telephone or questionnaire)), a remote contact",
     At(PROTO, "id: a-rcl")),
    ("rcl-through-15", "protocol.followup-schedule",
     [Edit(PROTO, "v-d365, v-ltfu-visit], through: {value: 5, unit: years}}", "v-d365, v-ltfu-visit], through: {value: 15, unit: years}}", 1)],
     "assessment a-rcl (Replication-competent lentivirus (VSV-G DNA PCR in PBMC)) is done through Year 15 "
     "(through: 15 years), but its last visit, v-ltfu-visit (Long-term follow-up visits, Years 2-5), is at Year 5",
     At(PROTO, "id: a-rcl")),
    ("ltfu-one-visit", "protocol.followup-schedule",
     [Edit(PROTO, "until: {value: 15, unit: years}}}", "until: {value: 6, unit: years}}}")],
     "long-term follow-up lasts 15 years (ltfu.years), but the last visit, v-ltfu-contact", At(PROTO, "id: v-ltfu-contact")),
    ("empty-column", "protocol.followup-schedule",
     [Edit(PROTO, "v-d365, v-ltfu-visit, v-ltfu-contact], remote: true", "v-d365, v-ltfu-visit], remote: true")],
     "visit v-ltfu-contact (Long-term follow-up contacts, Years 6-15 (telephone or questionnaire)) carries no assessment",
     At(PROTO, "id: v-ltfu-contact")),
    ("tk-missing", "nonclinical.tk-statement",
     [Edit(STUDIES, "    toxicokinetics:\n", "    immunogenicity:\n")],
     "study KPS-25-0356 (tox-rat) measured exposure ('toxicokinetic') but has no 'toxicokinetics:' summary",
     At(STUDIES, "toxicokinetics of plasma GLP-1 analogue")),
    ("study-before-lot", "dates.study-lot",
     [Edit(STUDIES, "start: 2025-04-29", "start: 2024-04-29")],
     "study KPS-25-0356 (tox-rat) started on 2024-04-29, before lot MCT-TOX-2501 it used was manufactured on 2025-03-04 "
     "(content/cmc/batches.yaml:", At(STUDIES, "start: 2024-04-29")),
    ("study-too-short", "dates.study-lot",
     [Edit(STUDIES, "end: 2025-10-27", "end: 2025-06-27")],
     "study KPS-25-0356 (tox-rat) runs from 2025-04-29 to 2025-06-27 (60 days), shorter than its in-life duration of 26 weeks",
     At(STUDIES, "end: 2025-06-27")),
    ("study-undated", "dates.study-undated",
     [Edit(STUDIES, "    start: 2025-04-29\n", "")],
     "study KPS-25-0356 (tox-rat) used lot(s) MCT-TOX-2501, MCT-TOX-2502 but has no start date", At(STUDIES, "study_number: KPS-25-0356")),
]


def _copy(tmp_path: Path) -> Path:
    return copy_project(EXAMPLE, tmp_path / "p")


@pytest.mark.parametrize("sid,rule,edits,message,loc", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_rule_fires_at_the_fact(tmp_path, sid, rule, edits, message, loc):
    root = _copy(tmp_path)
    for e in edits:
        apply(root, e)
    got = findings(run(root), rule)
    assert any(message in d.message for d in got), [d.format() for d in got]
    hit = next(d for d in got if message in d.message)
    assert hit.location is not None and hit.location.path == loc.path
    assert hit.location.line == loc.line(root), hit.format()


@pytest.mark.parametrize("project", EXAMPLES, ids=["mct-101", "small-molecule-tablet", "mab-injection"])
def test_examples_are_quiet(project):
    assert [d.format() for d in run(project) if d.rule in RULES] == []


def test_dose_supply_skips_mg_doses(tmp_path):
    """A mg/kg dose of a chemical drug is not checked against lot size (one lot serves many participants)."""
    root = copy_project(EXAMPLE / "examples" / "small-molecule-tablet", tmp_path / "sm")
    assert findings(run(root), "cmc.dose-supply") == []


@pytest.mark.parametrize("written,low,nominal,high", [
    ("7 ± 1 days", 144, 168, 192), ("16-24 hours", 16, 20, 24), ("≤ 1 hour", 0, 1, 1), ("3 hours", 3, 3, 3),
    ("≤ 72 hours shipment", 0, 72, 72), ("45 minutes", 0.75, 0.75, 0.75), ("7 ± 1天", 144, 168, 192),
])
def test_step_durations_are_read_as_written(written, low, nominal, high):
    span = duration_span(written)
    assert span is not None and (span.low, span.nominal, span.high) == pytest.approx((low, nominal, high))
    assert duration_span("about a week") is None


def test_tk_statement_reads_sections_not_mentions():
    """'Not applicable' under a toxicokinetics heading counts; under a heading that only includes TK it does not."""
    from indbuilder.build import RenderedDoc
    from indbuilder.outline.planner import PlannedDocument

    def doc(*blocks):
        d = Document(DocMeta("t", "2.6.7", "m2-6-7", "fda", "en"), list(blocks))
        return RenderedDoc(PlannedDocument("m2-6-7", "x", "template", "en"), "fda", "en", "m2-6-7", None, d, None)

    assert tk_statements(doc(Heading(1, text("2.6.7.3 Toxicokinetics: Overview of Toxicokinetics Data")),
                             Paragraph(text("Not applicable; see 2.6.7.2.")))) == ["Not applicable;"]
    assert tk_statements(doc(Heading(1, text("4.2.3.3.2 In vivo (including supportive toxicokinetics evaluations)")),
                             Paragraph(text("Not applicable.")))) == []
    assert tk_statements(doc(Paragraph(text("Conventional toxicokinetic studies are not applicable to a cell product.")))) != []
