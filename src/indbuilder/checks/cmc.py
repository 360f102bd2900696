"""Rule family E: internal consistency of the chemistry, manufacturing and controls facts (Module 3).

Rules read the specification, methods, batches, stability studies and the process; E3 and E9
also read the rendered specification tables and storage statements when documents are available.
"""

from __future__ import annotations

import datetime as dt
import re

from ..diagnostics import Diagnostics, Location
from ..model.cmc import Limit, SpecTest
from ..model.common import convert
from ..rules import define
from .context import CheckContext
from .numbers import contains_number, numbers_in
from .support import (
    CN_IB,
    CN_LABELS,
    CN_MFG_TESTING,
    FDA_IB,
    FDA_LABELS,
    P81,
    docs_at,
    is_protocol_doc,
    known,
    narrative_lines,
    normalize,
    num,
    rendered,
    table_rows,
    where,
)

BASIS_M4Q = "ICH M4Q(R1) 3.2.S.4 / 3.2.P.5 (control of drug substance / drug product)"

define(
    "cmc.spec-test-no-method",
    "error",
    "A specification test has no analytical procedure (its method is empty or not among the methods).",
    """
    Every test of the specification (3.2.P.5.1) must be linked to the analytical procedure that performs
    it (3.2.P.5.2) and that procedure's validation or qualification (3.2.P.5.3). The link is the test's
    `method` id, which must name a record of `methods`.
    """,
    f"{BASIS_M4Q}.1-.3; 21 CFR 312.23(a)(7)(iv)(a)-(b) (acceptable limits and analytical methods); ind-content.md §5 E1.",
)
define(
    "cmc.method-not-qualified",
    "error",
    "A release test relies on an analytical method that is still in development.",
    """
    At Phase 1 methods may be qualified rather than validated, but a method used to release clinical
    product must at least be qualified (suitable for its intended use); `in-development` is not enough.
    """,
    "21 CFR 312.23(a)(7)(i) (identity, quality, purity, strength assured); FDA guidance CMC Information for "
    "Human Gene Therapy INDs (2020) §V.F; ind-content.md §5 E1.",
)
define(
    "cmc.safety-method-not-validated",
    "warning",
    "A microbial-safety or replication-competent-virus test uses a method that is only qualified, not validated.",
    """
    Sterility, mycoplasma, endotoxin and replication-competent virus tests protect the first patients;
    FDA expects them to be validated (or compendial and verified) for the product matrix even at Phase 1.
    """,
    "21 CFR 610.12 (sterility), 610.13, 610.30 (mycoplasma); FDA GT CMC guidance (2020) §V.F; ind-content.md §5 E1.",
)
define(
    "cmc.method-no-validation-entry",
    "warning",
    "A method has no validation or qualification report to cite in 3.2.P.5.3.",
    "A validated, qualified or verified method needs the report number that 3.2.P.5.3 cites.",
    f"{BASIS_M4Q}.3 (validation of analytical procedures); ind-content.md §5 E1.",
)
define(
    "cmc.batch-missing-result",
    "error",
    "A batch has no result for a release test of the specification.",
    """
    Batch analyses (3.2.P.5.4) report, for each listed batch, a result for every test of the specification
    in force, so that each batch can be evaluated against every acceptance criterion.
    """,
    f"{BASIS_M4Q}.4 (batch analyses); ind-content.md §5 E2.",
)
define(
    "cmc.batch-oos",
    "error",
    "A batch result is outside its acceptance criterion (out of specification).",
    """
    Each batch result is evaluated against the acceptance criterion of its test. An out-of-specification
    result must be investigated and explained; it is never silently reported as a batch analysis.
    Waive a finding in indbuilder.yaml with the investigation reference if the batch is reported deliberately.
    """,
    f"{BASIS_M4Q}.4; 21 CFR 211.192 (investigation of discrepancies); ind-content.md §5 E2.",
)
define(
    "cmc.spec-inconsistent",
    "error",
    "An acceptance criterion's printed text and its limit disagree, or a document prints a different criterion.",
    """
    The specification is printed in several places (2.3.P, 3.2.P.5.1, CN 1.3.3 制造及检定规程, batch tables).
    The printed acceptance text of each test must state the same numbers, direction (≥/≤) and unit as
    the machine-readable limit used to evaluate results, and every document's specification table must
    print exactly that acceptance text.
    """,
    f"{BASIS_M4Q}.1; ind-content.md §5 E3 (derived).",
)
define(
    "cmc.stability-shelf-life",
    "error",
    "The claimed shelf life or in-use time is longer than the stability data support.",
    """
    The shelf life (cryopreserved storage) must not exceed the longest long-term timepoint with all
    results within specification, and the post-thaw in-use time must not exceed the longest in-use
    timepoint. Extrapolation beyond real-time data needs a written rationale and a stability commitment
    (3.2.P.8.2); record it as a waiver with that justification.
    """,
    "21 CFR 312.23(a)(7)(ii) (stability data for the planned duration); ICH Q5C §5; FDA GT CMC guidance (2020) "
    "§V.I; ind-content.md §5 E8.",
)
define(
    "cmc.stability-oos",
    "error",
    "A stability result is outside the specification limit of its test.",
    "Stability results are evaluated against the release (or shelf-life) acceptance criteria; a failure limits the shelf life.",
    "ICH Q5C §5-6; ind-content.md §5 E8.",
)
define(
    "cmc.stability-missing-result",
    "warning",
    "A stability timepoint has no result for a lot or a monitored test.",
    "Each timepoint reports every monitored test for every lot on study (or the gap is explained).",
    "ICH Q5C §6 (testing frequency); ind-content.md §5 E8.",
)
define(
    "cmc.stability-pull-after-submission",
    "error",
    "A stability result is dated after the submission date (manufacture date + timepoint is in the future).",
    """
    A result at timepoint T for a lot manufactured on date M can exist only after M + T. Data that would
    be pulled after the submission date cannot be in the submission.
    """,
    "21 CFR 312.23(a)(7)(ii); ICH Q1A/Q5C (real-time data); ind-content.md §5 D3, E8 (derived).",
)
define(
    "cmc.stability-indicating-not-monitored",
    "warning",
    "A stability-indicating test of the specification is not monitored in the long-term stability study.",
    "Tests flagged stability-indicating (e.g. viability, potency) must be part of the long-term stability protocol.",
    "ICH Q5C §6 (stability-indicating profile); ind-content.md §5 E8.",
)
define(
    "cmc.storage-text",
    "error",
    "The storage statement differs between the facts, 3.2.P.8.1, labels, IB and protocol.",
    """
    The storage condition is printed on the labels (1.14.4.2 / 1.3.2.1), in the IB, in the protocol pharmacy
    section, in 3.2.P.8.1 and in the CN 制造及检定规程. Every one must state the same condition and
    temperature as the product facts (`product.storage`).
    """,
    "21 CFR 312.23(a)(7)(iv)(d) (labels); 21 CFR 312.6; ICH M4Q 3.2.P.8.1; ind-content.md §5 E9 (derived).",
)
define(
    "cmc.shelf-life-text",
    "error",
    "3.2.P.8.1 or the CN 制造及检定规程 does not state the shelf life / in-use time of the product facts.",
    """
    3.2.P.8.1 and the CN 制造及检定规程 (保存及运输和有效期) state the shelf life and the post-thaw in-use
    time claimed in the product facts (value and unit, e.g. "12 months" / "12个月").
    """,
    "ICH M4Q 3.2.P.8.1; M4 模块一 1.3.3 (保存及运输和有效期); ind-content.md §5 E8, J3 (derived).",
)
define(
    "cmc.manufacturer-name",
    "error",
    "A manufacturer section does not name the manufacturer and its address as the organisation facts give them.",
    "3.2.S.2.1 and 3.2.P.3.1 give the name and address of each manufacturer, identical to the organisation record (and the 1571 / CN certificates).",
    "21 CFR 312.23(a)(7)(iv)(a)-(b) (name and address of the manufacturer); ICH M4Q 3.2.S.2.1, 3.2.P.3.1; ind-content.md §5 E5.",
)
define(
    "cmc.spec-justification",
    "warning",
    "The justification of specification does not discuss every test of the specification.",
    "3.2.P.5.6 (3.2.S.4.5) justifies each acceptance criterion; a test it does not mention is unjustified.",
    "ICH M4Q 3.2.S.4.5 / 3.2.P.5.6; ICH Q6B §2.4; ind-content.md §5 E4.",
)
define(
    "cmc.clinical-lot-process",
    "error",
    "A clinical lot was not made by the described process version or at the described site.",
    """
    Clinical lots must be made by the process described in 3.2.P.3.3 (version and site). A lot made by an
    earlier version belongs in process development history (3.2.P.2.3) with a comparability discussion.
    """,
    "ICH M4Q 3.2.S.2.6 / 3.2.P.2.3 (significant changes for clinical batches); ind-content.md §5 E11.",
)
define(
    "cmc.material-origin-risk",
    "warning",
    "A material of human or animal origin has no viral-safety / TSE risk note.",
    "Materials of human or animal origin are described in 3.2.A.2 with their adventitious-agent controls.",
    "ICH Q5A(R2); ICH M4Q 3.2.A.2; FDA GT CMC guidance (2020) §V.B; ind-content.md §5 E7.",
)
define(
    "cmc.process-step-numbering",
    "warning",
    "Process step numbers are not 1, 2, 3, … in order (a gap or duplicate).",
    "The process description and flow diagram (3.2.P.3.3) number steps consecutively.",
    "ICH M4Q 3.2.P.3.3 (flow diagram and narrative of steps) (derived).",
)

_MIN_WORDS = ("≥", ">=", "nlt", "not less than", "at least", "minimum", "不低于", "不少于", "不小于", "≧")
_MAX_WORDS = ("≤", "<=", "nmt", "not more than", "at most", "maximum", "不高于", "不超过", "不得过", "不大于", "≦", "<")
# Rapid release tests (Gram stain, rapid microbial methods) supplement the compendial test that governs.
_RAPID = re.compile(r"rapid|gram stain", re.I)
_MICROBIAL = re.compile(r"steril|mycoplasma|endotoxin|\bRC[LR]\b|replication[- ]competent", re.I)


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


def _limit_text(limit: Limit) -> str:
    unit = f" {limit.unit}" if limit.unit else ""
    if limit.kind == "equals":
        return f"'{limit.equals}'"
    if limit.kind == "min":
        return f"≥ {num(limit.min)}{unit}"
    if limit.kind == "max":
        return f"≤ {num(limit.max)}{unit}"
    return f"{num(limit.min)} to {num(limit.max)}{unit}"


def _value_text(value: float | str, limit: Limit) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    return f"{num(value)}{' ' + limit.unit if limit.unit else ''}"


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """All CMC rules (E1, E2, E3, E7, E8, E9, E11)."""
    _methods(ctx, diags)
    _batches(ctx, diags)
    _spec_text(ctx, diags)
    _spec_tables(ctx, diags)
    _stability(ctx, diags)
    _storage(ctx, diags)
    _process(ctx, diags)
    _shelf_life_text(ctx, diags)
    _manufacturers(ctx, diags)
    _justification(ctx, diags)


# ------------------------------------------------------------------ E1 methods


def _methods(ctx: CheckContext, diags: Diagnostics) -> None:
    d = ctx.dossier
    methods = d.index("methods")
    for test in d.spec_tests.values():
        m = methods.get(test.method) if test.method else None
        if m is None:
            what = "has no method" if not test.method else f"names method '{test.method}', which is not among the analytical methods"
            diags.emit(
                "cmc.spec-test-no-method",
                f"specification test {test.id} ({test.name.en}) {what} (known methods: {known(methods)})",
                where(ctx, "specification", "tests", test.id, "method"),
                hint="link the test to the analytical procedure (3.2.P.5.2) that performs it",
            )
            continue
        if not test.release:
            continue
        if m.validation_status == "in-development":
            diags.emit(
                "cmc.method-not-qualified",
                f"release test {test.id} ({test.name.en}) uses method {m.id}, whose validation_status is "
                f"'in-development'; expected at least 'qualified'",
                where(ctx, "methods", m.id, "validation_status"),
            )
        elif (
            _MICROBIAL.search(f"{test.name.en} {m.title.en}")
            and not _RAPID.search(test.name.en)
            and m.validation_status == "qualified"
        ):
            diags.emit(
                "cmc.safety-method-not-validated",
                f"safety test {test.id} ({test.name.en}) uses method {m.id}, which is only 'qualified'; expected "
                f"'validated' or 'compendial-verified'",
                where(ctx, "methods", m.id, "validation_status"),
            )
    used = {t.method for t in d.spec_tests.values()}
    for m in d.methods:
        if m.id in used and m.validation_status != "in-development" and not m.validation_report:
            diags.emit(
                "cmc.method-no-validation-entry",
                f"method {m.id} ({m.title.en}) is '{m.validation_status}' but names no validation_report for 3.2.P.5.3",
                where(ctx, "methods", m.id),
            )


# ------------------------------------------------------------------ E2 batch analyses


def _batches(ctx: CheckContext, diags: Diagnostics) -> None:
    tests = {tid: t for tid, t in ctx.dossier.spec_tests.items() if t.release}
    for b in ctx.dossier.batches:
        missing = [tid for tid in tests if tid not in b.results]
        if missing:
            diags.emit(
                "cmc.batch-missing-result",
                f"batch {b.id} has no result for {len(missing)} release test(s): {', '.join(missing)}",
                where(ctx, "batches", b.id, "results"),
            )
        for tid, value in b.results.items():
            test = tests.get(tid)
            if test is None:
                continue  # unknown test ids are ref.unknown-id
            if not passes(test.limit, value):
                diags.emit(
                    "cmc.batch-oos",
                    f"batch {b.id} result for {tid} ({test.name.en}) is {_value_text(value, test.limit)}, "
                    f"outside the acceptance criterion {_limit_text(test.limit)} ('{test.acceptance.en}')",
                    where(ctx, "batches", b.id, "results", tid),
                )


# ------------------------------------------------------------------ E3 specification text


def _direction_words(text: str) -> tuple[bool, bool]:
    low = text.lower()
    return any(w in low for w in _MIN_WORDS), any(w in low for w in _MAX_WORDS)


_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def _unit_form(text: str) -> str:
    """A unit or text in a comparable form: ``10⁶`` and ``10^6`` alike, spaces collapsed, lower case."""
    text = re.sub(r"([⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)", lambda m: "^" + m.group(1).translate(_SUPERSCRIPTS), text)
    return normalize(text).lower()


def _spec_text_problems(test: SpecTest, lang: str) -> list[str]:
    text = test.acceptance.get(lang)
    lim = test.limit
    problems: list[str] = []
    for bound in (lim.min, lim.max):
        if bound is not None and not contains_number(text, bound):
            problems.append(f"does not state {num(bound)}")
    if lim.kind in ("min", "max"):
        has_min, has_max = _direction_words(text)
        if lim.kind == "min" and has_max and not has_min:
            problems.append("states an upper limit (≤) but the limit is a minimum")
        if lim.kind == "max" and has_min and not has_max:
            problems.append("states a lower limit (≥) but the limit is a maximum")
    if lang == "en":
        if lim.kind == "equals" and lim.equals and lim.equals.strip().lower() not in text.lower():
            problems.append(f"does not state '{lim.equals}'")
        if lim.unit and lim.kind != "equals" and _unit_form(lim.unit) not in _unit_form(text):
            problems.append(f"does not state the unit '{lim.unit}'")
    return problems


def _spec_text(ctx: CheckContext, diags: Diagnostics) -> None:
    for test in ctx.dossier.spec_tests.values():
        for lang in ("en", "zh"):
            problems = _spec_text_problems(test, lang)
            if problems:
                diags.emit(
                    "cmc.spec-inconsistent",
                    f"specification test {test.id}: acceptance text ({lang}) '{test.acceptance.get(lang)}' "
                    f"{'; '.join(problems)} (limit: {_limit_text(test.limit)})",
                    where(ctx, "specification", "tests", test.id, "acceptance", lang),
                )


# Column headers of an acceptance-criteria column ("Acceptance criterion", "可接受标准", "限度"); not
# "质量标准" (a material's quality standard) or "参考标准" (a reference standard).
_ACCEPT_HEADER = re.compile(r"acceptance|可接受|限度", re.I)


def _spec_tables(ctx: CheckContext, diags: Diagnostics) -> None:
    """Every rendered table that has an acceptance-criteria column prints each test's acceptance text."""
    tests = list(ctx.dossier.spec_tests.values())
    if not tests:
        return
    for rd in rendered(ctx):
        by_name = {normalize(t.name.get(rd.lang)): t for t in tests}
        for table in rd.doc.tables():
            header = next((cells for is_h, cells in table_rows(table) if is_h), None)
            if not header:
                continue
            cols = [i for i, h in enumerate(header) if _ACCEPT_HEADER.search(h)]
            if not cols:
                continue
            col = cols[0]
            for is_h, cells in table_rows(table):
                if is_h or col >= len(cells):
                    continue
                test = next((by_name[normalize(c)] for c in cells if normalize(c) in by_name), None)
                if test is None:
                    continue
                expected = normalize(test.acceptance.get(rd.lang))
                if normalize(cells[col]) != expected:
                    diags.emit(
                        "cmc.spec-inconsistent",
                        f"{rd.doc.meta.ctd_section} {rd.doc.meta.title} ({rd.region.region}) prints the acceptance "
                        f"criterion of {test.id} ({test.name.get(rd.lang)}) as '{normalize(cells[col])}'; the "
                        f"specification says '{expected}'",
                        rd.location or where(ctx, "specification", "tests", test.id, "acceptance"),
                    )


# ------------------------------------------------------------------ E8 stability


def _supported(study, tests: dict[str, SpecTest]) -> float | None:
    """Longest timepoint (in the study's unit) at which every reported result passes its limit."""
    best = None
    for tp in sorted(study.timepoints, key=lambda t: t.time):
        ok = all(
            passes(tests[tid].limit, v)
            for lot_results in tp.results.values()
            for tid, v in lot_results.items()
            if tid in tests
        )
        if not ok:
            break
        best = tp.time
    return best


def _stability(ctx: CheckContext, diags: Diagnostics) -> None:
    d = ctx.dossier
    tests = d.spec_tests
    batches = d.index("batches")
    submission = ctx.config.submission_date
    for st in d.stability:
        for k, tp in enumerate(st.timepoints):
            for lot in st.lots:
                got = tp.results.get(lot, {})
                missing = [t for t in st.tests if t not in got]
                if missing:
                    diags.emit(
                        "cmc.stability-missing-result",
                        f"stability study {st.id} at {tp.time:g} {st.time_unit} has no result for lot {lot}: {', '.join(missing)}",
                        where(ctx, "stability", st.id, "timepoints", k, "results"),
                    )
            for lot, results in tp.results.items():
                for tid, value in results.items():
                    test = tests.get(tid)
                    if test is not None and not passes(test.limit, value):
                        diags.emit(
                            "cmc.stability-oos",
                            f"stability study {st.id}, lot {lot} at {tp.time:g} {st.time_unit}: {tid} ({test.name.en}) is "
                            f"{_value_text(value, test.limit)}, outside {_limit_text(test.limit)}",
                            where(ctx, "stability", st.id, "timepoints", k, "results", lot, tid),
                        )
                batch = batches.get(lot)
                if batch is None:
                    continue
                pulled = batch.manufactured + dt.timedelta(days=int(convert(tp.time, st.time_unit, "days")))
                if pulled > submission:
                    diags.emit(
                        "cmc.stability-pull-after-submission",
                        f"stability study {st.id}: lot {lot} was manufactured on {batch.manufactured.isoformat()}, so its "
                        f"{tp.time:g}-{st.time_unit} result cannot exist before {pulled.isoformat()}, after the submission "
                        f"date {submission.isoformat()}",
                        where(ctx, "stability", st.id, "timepoints", k, "time"),
                    )
    product = d.product
    if product is None:
        return
    for supports, claim, field, label in (
        ("shelf-life", product.shelf_life, "shelf_life", "shelf life"),
        ("in-use-time", product.in_use_time, "in_use_time", "in-use time"),
    ):
        studies = [s for s in d.stability if s.supports == supports]
        best_study, best_value = None, None
        for s in studies:
            t = _supported(s, tests)
            if t is None:
                continue
            value = convert(t, s.time_unit, claim.unit)
            if best_value is None or value > best_value:
                best_study, best_value = s, value
        if best_value is None:
            diags.emit(
                "cmc.stability-shelf-life",
                f"the claimed {label} of {claim.value:g} {claim.unit} has no supporting stability study "
                f"(no study with supports: {supports} and results within specification)",
                where(ctx, "product", field),
            )
        elif claim.value > best_value + 1e-9:
            diags.emit(
                "cmc.stability-shelf-life",
                f"the claimed {label} of {claim.value:g} {claim.unit} exceeds the stability data: study {best_study.id} "
                f"supports {best_value:g} {claim.unit} (last timepoint within specification)",
                where(ctx, "product", field),
                hint="shorten the claim, add timepoints, or waive with the extrapolation rationale and stability commitment (3.2.P.8.2)",
            )
    long_term = [s for s in d.stability if s.kind == "long-term"]
    if long_term:
        monitored = {t for s in long_term for t in s.tests}
        for test in tests.values():
            if test.stability_indicating and test.id not in monitored:
                diags.emit(
                    "cmc.stability-indicating-not-monitored",
                    f"stability-indicating test {test.id} ({test.name.en}) is not monitored by any long-term study "
                    f"({', '.join(s.id for s in long_term)})",
                    where(ctx, "specification", "tests", test.id, "stability_indicating"),
                )


# ------------------------------------------------------------------ E9 storage


_STORAGE_WORDS = re.compile(r"\bstor(e|ed|age)\b|保存|贮存|储存|贮藏", re.I)
_TEMP = re.compile(r"([-−]?\d+(?:\.\d+)?)\s*°\s*C")


def _storage(ctx: CheckContext, diags: Diagnostics) -> None:
    product = ctx.dossier.product
    if product is None:
        return
    st = product.storage
    target = st.max_temperature_c
    for field in ("condition", "label_text"):
        for lang in ("en", "zh"):
            text = getattr(st, field).get(lang)
            temps = [float(m.group(1).replace("−", "-")) for m in _TEMP.finditer(text)]
            if temps and target not in temps:
                diags.emit(
                    "cmc.storage-text",
                    f"product.storage.{field} ({lang}) '{text}' states {', '.join(f'{t:g} °C' for t in temps)}; "
                    f"max_temperature_c is {target:g} °C",
                    where(ctx, "product", "storage", field, lang),
                )
    # narratives: a storage sentence must quote the same temperature
    for n, line, text in narrative_lines(ctx):
        if not _STORAGE_WORDS.search(text):
            continue
        temps = [float(m.group(1).replace("−", "-")) for m in _TEMP.finditer(text)]
        wrong = [t for t in temps if t != target]
        if wrong:
            diags.emit(
                "cmc.storage-text",
                f"storage statement gives {', '.join(f'{t:g} °C' for t in wrong)}; the product is stored at "
                f"{target:g} °C ('{st.label_text.get(n.lang)}')",
                Location(n.path, line),
            )
    # rendered documents that must carry the storage statement
    protocol = ctx.dossier.protocol
    docs = docs_at(ctx, [P81, FDA_LABELS, FDA_IB, CN_LABELS, CN_IB, CN_MFG_TESTING])
    if protocol is not None:
        docs += [d for d in rendered(ctx) if is_protocol_doc(d, protocol.number)]
    for rd in docs:
        text = normalize(rd.text)
        accepted = [normalize(st.label_text.get(rd.lang)), normalize(st.condition.get(rd.lang))]
        if not any(a and a in text for a in accepted):
            diags.emit(
                "cmc.storage-text",
                f"{rd.doc.meta.ctd_section} {rd.doc.meta.title} ({rd.region.region}) does not state the storage "
                f"condition '{st.label_text.get(rd.lang)}'",
                rd.location or where(ctx, "product", "storage", "label_text", rd.lang),
            )


# ------------------------------------------------------------------ E7, E11 process and materials


def _process(ctx: CheckContext, diags: Diagnostics) -> None:
    d = ctx.dossier
    process = d.process
    if process is not None:
        for b in d.batches:
            if b.type != "clinical" and "clinical" not in b.uses:
                continue
            diffs = []
            if b.process_version != process.version:
                diffs.append(f"process version {b.process_version} (described: {process.version})")
            if b.site != process.site:
                diffs.append(f"site {b.site} (described: {process.site})")
            if diffs:
                diags.emit(
                    "cmc.clinical-lot-process",
                    f"clinical lot {b.id} was made with {' and '.join(diffs)}",
                    where(ctx, "batches", b.id, "process_version" if b.process_version != process.version else "site"),
                )
        numbers = [s.number for s in process.steps]
        if numbers != list(range(1, len(numbers) + 1)):
            diags.emit(
                "cmc.process-step-numbering",
                f"process {process.id} steps are numbered {', '.join(map(str, numbers))}; expected 1 to {len(numbers)} in order",
                where(ctx, "process", "steps"),
            )
    for m in d.materials:
        if m.origin in ("human", "animal") and m.risk_note is None:
            diags.emit(
                "cmc.material-origin-risk",
                f"material {m.id} ({m.name.en}) is of {m.origin} origin but has no risk_note (viral safety / TSE controls)",
                where(ctx, "materials", m.id, "origin"),
            )


# ------------------------------------------------------------------ E8/J3 shelf life in documents, E5, E4

_UNIT_WORDS = {
    "months": r"months?|个月|月",
    "hours": r"hours?|h\b|小时",
    "days": r"days?|天|日",
    "weeks": r"weeks?|周",
    "years": r"years?|年",
}
_CLAIMS = {"shelf_life": "shelf life", "in_use_time": "in-use time"}
CLAIM_DOCS = (P81, CN_MFG_TESTING)


def _shelf_life_text(ctx: CheckContext, diags: Diagnostics) -> None:
    product = ctx.dossier.product
    if product is None:
        return
    for field, label in _CLAIMS.items():
        claim = getattr(product, field)
        words = _UNIT_WORDS.get(claim.unit, re.escape(claim.unit))
        stated = re.compile(rf"(\d+(?:\.\d+)?)\s*[-‑]?\s*(?:{words})", re.I)
        for rd in rendered(ctx):
            text = rd.text
            if rd.element in CLAIM_DOCS and not any(float(m.group(1)) == claim.value for m in stated.finditer(text)):
                diags.emit(
                    "cmc.shelf-life-text",
                    f"{rd.doc.meta.ctd_section} {rd.doc.meta.title} ({rd.region.region}) does not state the {label} of "
                    f"{claim.value:g} {claim.unit}",
                    rd.location or where(ctx, "product", field),
                )


def _manufacturers(ctx: CheckContext, diags: Diagnostics) -> None:
    d = ctx.dossier
    orgs = d.index("organisations")
    wanted = [orgs.get(d.product.manufacturer_id) if d.product else None, orgs.get(d.process.site) if d.process else None]
    wanted = list({o.id: o for o in wanted if o is not None}.values())
    for rd in docs_at(ctx, ["m3-2-p-3-1-manufacturers", "m3-2-s-2-1-manufacturer"]):
        text = re.sub(r"\s+", "", rd.text)
        for org in wanted:
            for what, value in (("name", org.name.get(rd.lang)), ("address", org.address.lines.get(rd.lang))):
                if re.sub(r"\s+", "", value) not in text:
                    diags.emit(
                        "cmc.manufacturer-name",
                        f"{rd.doc.meta.ctd_section} {rd.doc.meta.title} ({rd.region.region}) does not give the {what} of "
                        f"manufacturer {org.id}: '{value}'",
                        rd.location or where(ctx, "organisations", org.id, what if what == "name" else "address"),
                    )


def _justification(ctx: CheckContext, diags: Diagnostics) -> None:
    tests = [t for t in ctx.dossier.spec_tests.values() if t.release]
    for rd in docs_at(ctx, ["m3-2-p-5-6-justification-of-specifications", "m3-2-s-4-5-justification-of-specification"]):
        text = normalize(rd.text).lower()
        if rd.element.startswith("m3-2-s-") and "3.2.p.5.6" in text:
            continue  # the drug substance is released as the drug product: 3.2.S.4.5 refers to 3.2.P.5.6
        missing = [t.id for t in tests if normalize(t.name.get(rd.lang)).lower() not in text]
        if missing:
            diags.emit(
                "cmc.spec-justification",
                f"{rd.doc.meta.ctd_section} {rd.doc.meta.title} ({rd.region.region}) does not discuss {len(missing)} "
                f"test(s): {', '.join(missing)}",
                rd.location,
            )
