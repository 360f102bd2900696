"""Rule family E: internal consistency of the chemistry, manufacturing and controls facts (Module 3).

Methods and their validation (E1), batch analyses (E2), the specification as written and as printed
in rendered tables (E3), its justification (E4), manufacturers (E5), materials (E7) and the clinical
lots' process (E11). Stability and storage (E8, E9) are in :mod:`.stability`, run with this family.
"""

from __future__ import annotations

import re
from typing import Any

from ..diagnostics import Diagnostics
from ..doctree import table_rows
from ..model.cmc import SpecTest
from . import manufacture, stability
from .context import CheckContext
from .limits import limit_text, passes, value_text
from .numbers import contains_number
from ..build import RenderedDoc
from .support import TestedPart, compact, define, docs_at, known, normalize, num, rendered, tested_parts, where

define(
    "cmc.spec-test-no-method",
    "error",
    "A specification test has no analytical procedure (its method is empty or not among the methods).",
    """
    Every test of the specification (3.2.P.5.1) must be linked to the analytical procedure that performs
    it (3.2.P.5.2) and that procedure's validation or qualification (3.2.P.5.3). The link is the test's
    `method` id, which must name a record of `methods`.
    """,
    "ICH M4Q(R1) 3.2.P.5.1-3.2.P.5.3 / 3.2.S.4.1-3.2.S.4.3; 21 CFR 312.23(a)(7)(iv)(a)-(b) (acceptable "
    "limits and analytical methods).",
)
define(
    "cmc.method-not-qualified",
    "error",
    "A release test relies on an analytical method that is still in development.",
    """
    At Phase 1 methods may be qualified rather than validated, but a method used to release clinical
    product must at least be qualified (suitable for its intended use); `in-development` is not enough.
    """,
    "21 CFR 312.23(a)(7)(i) (identity, quality, purity and strength assured); FDA Guidance: Chemistry, "
    "Manufacturing, and Control (CMC) Information for Human Gene Therapy INDs (2020).",
)
define(
    "cmc.safety-method-not-validated",
    "warning",
    "A microbial-safety or replication-competent-virus test uses a method that is only qualified, not validated.",
    """
    Sterility, mycoplasma, endotoxin and replication-competent virus tests protect the first patients;
    FDA expects them to be validated (or compendial and verified) for the product matrix even at Phase 1.
    """,
    "21 CFR 610.12 (sterility), 610.13, 610.30 (mycoplasma); FDA Guidance: Chemistry, Manufacturing, and "
    "Control (CMC) Information for Human Gene Therapy INDs (2020).",
)
define(
    "cmc.method-no-validation-entry",
    "warning",
    "A method has no validation or qualification report to cite in 3.2.P.5.3.",
    "A validated, qualified or verified method needs the report number that 3.2.P.5.3 cites.",
    "ICH M4Q(R1) 3.2.P.5.3 / 3.2.S.4.3 (validation of analytical procedures).",
)
define(
    "cmc.batch-missing-result",
    "error",
    "A batch has no result for a release test of the specification.",
    """
    Batch analyses (3.2.P.5.4) report, for each listed batch, a result for every test of the specification
    in force, so that each batch can be evaluated against every acceptance criterion.
    """,
    "ICH M4Q(R1) 3.2.P.5.4 / 3.2.S.4.4 (batch analyses).",
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
    "ICH M4Q(R1) 3.2.P.5.4 / 3.2.S.4.4; 21 CFR 211.192 (investigation of discrepancies).",
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
    "ICH M4Q(R1) 3.2.P.5.1 / 3.2.S.4.1 (specification); M4 模块一 (NMPA, 2020) 1.3.3 制造及检定规程. A consistency "
    "check derived from them: the same tests and limits wherever the specification is printed.",
)
define(
    "cmc.manufacturer-name",
    "error",
    "A manufacturer section does not name the manufacturer and its address as the organisation facts give them.",
    "3.2.S.2.1 and 3.2.P.3.1 give the name and address of each manufacturer, identical to the organisation record (and the 1571 / CN certificates).",
    "21 CFR 312.23(a)(7)(iv)(a)-(b) (name and address of the manufacturer); ICH M4Q(R1) 3.2.S.2.1, "
    "3.2.P.3.1.",
)
define(
    "cmc.spec-justification",
    "warning",
    "The justification of specification does not discuss every test of the specification.",
    "3.2.P.5.6 (3.2.S.4.5) justifies each acceptance criterion; a test it does not mention is unjustified.",
    "ICH M4Q(R1) 3.2.S.4.5 / 3.2.P.5.6; ICH Q6B (justification of specification).",
)
define(
    "cmc.clinical-lot-process",
    "error",
    "A clinical lot was not made by the described process version or at the described site.",
    """
    Clinical lots must be made by the process described in 3.2.P.3.3 (version and site). A lot made by an
    earlier version belongs in process development history (3.2.P.2.3) with a comparability discussion.
    """,
    "ICH M4Q(R1) 3.2.S.2.6 / 3.2.P.2.3 (significant changes to batches used in nonclinical and clinical "
    "studies).",
)
define(
    "cmc.material-origin-risk",
    "warning",
    "A material of human or animal origin has no viral-safety / TSE risk note.",
    "Materials of human or animal origin are described in 3.2.A.2 with their adventitious-agent controls.",
    "ICH Q5A(R2); ICH M4Q(R1) 3.2.P.4.5, 3.2.A.2; 21 CFR 312.23(a)(7)(iv)(b) (list of all components); "
    "FDA Guidance: Chemistry, Manufacturing, and Control (CMC) Information for Human Gene Therapy INDs "
    "(2020).",
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


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """All CMC rules: E1-E5, E7, E11 here, E8/E9 in :mod:`.stability`."""
    _methods(ctx, diags)
    _batches(ctx, diags)
    _spec_text(ctx, diags)
    _spec_tables(ctx, diags)
    _process(ctx, diags)
    _manufacturers(ctx, diags)
    _justification(ctx, diags)
    stability.check(ctx, diags)
    manufacture.check(ctx, diags)  # E12 dose supply, E13 process duration


# ------------------------------------------------------------------ E1 methods


def _methods(ctx: CheckContext, diags: Diagnostics) -> None:
    d = ctx.dossier
    methods = {m.id: m for m in d.methods}
    for tp, test in ((tp, t) for tp in tested_parts(ctx) for t in tp.tests.values()):
        m = methods.get(test.method) if test.method else None
        if m is None:
            what = "has no method" if not test.method else f"names method '{test.method}', which is not among the analytical methods"
            diags.emit(
                "cmc.spec-test-no-method",
                f"{tp.label} specification test {test.id} ({test.name.en}) {what} (known methods: {known(methods)})",
                where(ctx, tp.section, "specification", "tests", test.id, "method"),
                hint=f"link the test to the analytical procedure ({tp.ctd}.2) that performs it",
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
    used = {t.method for tp in tested_parts(ctx) for t in tp.tests.values()}
    for m in d.methods:
        if m.id in used and m.validation_status != "in-development" and not m.validation_report:
            diags.emit(
                "cmc.method-no-validation-entry",
                f"method {m.id} ({m.title.en}) is '{m.validation_status}' but names no validation_report for 3.2.P.5.3",
                where(ctx, "methods", m.id),
            )


# ------------------------------------------------------------------ E2 batch analyses


def _batches(ctx: CheckContext, diags: Diagnostics) -> None:
    for tp in tested_parts(ctx):
        _part_batches(ctx, tp, diags)


def _part_batches(ctx: CheckContext, tp: TestedPart, diags: Diagnostics) -> None:
    tests = {tid: t for tid, t in tp.tests.items() if t.release}
    for b in tp.batches:
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
                    f"batch {b.id} result for {tid} ({test.name.en}) is {value_text(value, test.limit)}, "
                    f"outside the acceptance criterion {limit_text(test.limit)} ('{test.acceptance.en}')",
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
    for tp, test in ((tp, t) for tp in tested_parts(ctx) for t in tp.tests.values()):
        for lang in test.acceptance.texts():
            problems = _spec_text_problems(test, lang)
            if problems:
                diags.emit(
                    "cmc.spec-inconsistent",
                    f"{tp.label} specification test {test.id}: acceptance text ({lang}) '{test.acceptance.get(lang)}' "
                    f"{'; '.join(problems)} (limit: {limit_text(test.limit)})",
                    where(ctx, tp.section, "specification", "tests", test.id, "acceptance", lang),
                )


# Column headers of an acceptance-criteria column ("Acceptance criterion", "可接受标准", "限度"); not
# "质量标准" (a material's quality standard) or "参考标准" (a reference standard).
_ACCEPT_HEADER = re.compile(r"acceptance|可接受|限度", re.I)


def _spec_tables(ctx: CheckContext, diags: Diagnostics) -> None:
    """Every rendered table that has an acceptance-criteria column prints each test's acceptance text.

    A document may show both specifications (the CN 制造及检定规程 does), and the drug substance and drug
    product may share test names with different limits ("Appearance"): each table is compared with the
    specification it reproduces, the one most of its rows agree with (in 3.2.S and 2.3.S the drug
    substance's on a tie, elsewhere the drug product's).
    """
    parts = tested_parts(ctx)
    if not any(tp.tests for tp in parts):
        return
    for rd in rendered(ctx):
        in_ds = rd.element.startswith(("m3-2-s-", "m2-3-s-"))
        for table in rd.doc.tables():
            header = next((cells for is_h, cells in table_rows(table) if is_h), None)
            if not header:
                continue
            cols = [i for i, h in enumerate(header) if _ACCEPT_HEADER.search(h)]
            if not cols:
                continue
            rows = [cells for is_h, cells in table_rows(table) if not is_h and cols[0] < len(cells)]
            name_col = _name_column(parts, rows, cols[0], rd.lang)
            if name_col is None:
                continue
            tp = _table_part(parts, rows, cols[0], rd.lang, in_ds, name_col)
            if tp is not None:
                _check_spec_rows(ctx, diags, rd, tp, rows, cols[0], name_col)


def _name_column(parts: list[TestedPart], rows: list[list[str]], accept: int, lang: str) -> int | None:
    """The column that names the tests: the one most rows carry a test name in. Another column may hold a
    word that is also a test's name (a category column's "Identity"), so a row is read by this column only."""
    names = {normalize(t.name.get(lang)) for tp in parts for t in tp.tests.values()}
    counts: dict[int, int] = {}
    for cells in rows:
        for i, c in enumerate(cells):
            if i != accept and normalize(c) in names:
                counts[i] = counts.get(i, 0) + 1
    return max(counts, key=lambda i: (counts[i], -i)) if counts else None


def _row_test(tp: TestedPart, cells: list[str], lang: str, name_col: int) -> SpecTest | None:
    if name_col >= len(cells):
        return None
    return tp.by_name(lang).get(normalize(cells[name_col]))


def _table_part(
    parts: list[TestedPart], rows: list[list[str]], col: int, lang: str, in_ds: bool, name_col: int
) -> TestedPart | None:
    """The specification a table reproduces: most rows whose printed criterion matches; ties by section."""
    best: tuple[int, int, int] | None = None
    chosen: TestedPart | None = None
    for tp in parts:
        named = [(cells, t) for cells in rows if (t := _row_test(tp, cells, lang, name_col)) is not None]
        if not named:
            continue
        agree = sum(normalize(cells[col]) == normalize(t.acceptance.get(lang)) for cells, t in named)
        home = int((tp.section == "drug_substance") == in_ds)
        score = (agree, home, len(named))
        if best is None or score > best:
            best, chosen = score, tp
    return chosen


def _check_spec_rows(
    ctx: CheckContext, diags: Diagnostics, rd: RenderedDoc, tp: TestedPart, rows: list[list[str]], col: int, name_col: int
) -> None:
    for cells in rows:
        test = _row_test(tp, cells, rd.lang, name_col)
        if test is None:
            continue
        expected = normalize(test.acceptance.get(rd.lang))
        if normalize(cells[col]) != expected:
            diags.emit(
                "cmc.spec-inconsistent",
                f"{rd.label} ({rd.region}) prints the acceptance "
                f"criterion of {test.id} ({test.name.get(rd.lang)}) as '{normalize(cells[col])}'; the "
                f"{tp.label} specification says '{expected}'",
                rd.source or where(ctx, tp.section, "specification", "tests", test.id, "acceptance"),
            )


# ------------------------------------------------------------------ E7, E11 process and materials


def _process(ctx: CheckContext, diags: Diagnostics) -> None:
    d = ctx.dossier
    for section, part in d.parts():
        _part_process(ctx, section, part, diags)
    for m in d.materials:
        if m.origin in ("human", "animal") and m.risk_note is None:
            diags.emit(
                "cmc.material-origin-risk",
                f"material {m.id} ({m.name.en}) is of {m.origin} origin but has no risk_note (viral safety / TSE controls)",
                where(ctx, "materials", m.id, "origin"),
            )


def _part_process(ctx: CheckContext, section: str, part: Any, diags: Diagnostics) -> None:
    process = part.process
    tested = ctx.dossier.tested_part(section)
    lots = tested.batches if tested is not None else []
    if process is not None:
        for b in lots:
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
        # Steps are numbered consecutively; a drug product process that continues the drug substance's
        # operation (a continuous process) may go on from the drug substance's last step number.
        numbers = [s.number for s in process.steps]
        first = numbers[0] if numbers else 1
        ds = ctx.dossier.drug_substance
        allowed_first = {1} | ({len(ds.process.steps) + 1} if section == "drug_product" and ds is not None and not ds.isolated else set())
        if numbers != list(range(first, first + len(numbers))) or first not in allowed_first:
            start = min(allowed_first) if len(allowed_first) == 1 else " or ".join(map(str, sorted(allowed_first)))
            diags.emit(
                "cmc.process-step-numbering",
                f"process {process.id} steps are numbered {', '.join(map(str, numbers))}; expected consecutive numbers from {start}",
                where(ctx, section, "process", "steps"),
            )


def _manufacturers(ctx: CheckContext, diags: Diagnostics) -> None:
    d = ctx.dossier
    orgs = {o.id: o for o in d.organisations}
    # ICH M4Q: 3.2.S.2.1 names the drug substance manufacturer(s), 3.2.P.3.1 the drug product's
    ds, dp = d.drug_substance, d.drug_product
    named = {
        "m3-2-s-2-1-manufacturer": [ds.process.site] if ds is not None else [],
        "m3-2-p-3-1-manufacturers": ([d.product.manufacturer_id] if d.product else []) + ([dp.process.site] if dp is not None else []),
    }
    for rd in docs_at(ctx, list(named)):
        text = compact(rd.text)
        wanted = list({o.id: o for o in (orgs.get(i) for i in named[rd.element]) if o is not None}.values())
        for org in wanted:
            for what, value in (("name", org.name.get(rd.lang)), ("address", org.address.lines.get(rd.lang))):
                if compact(value) not in text:
                    diags.emit(
                        "cmc.manufacturer-name",
                        f"{rd.label} ({rd.region}) does not give the {what} of "
                        f"manufacturer {org.id}: '{value}'",
                        rd.source or where(ctx, "organisations", org.id, what if what == "name" else "address"),
                    )


def _justification(ctx: CheckContext, diags: Diagnostics) -> None:
    for rd in docs_at(ctx, ["m3-2-p-5-6-justification-of-specifications", "m3-2-s-4-5-justification-of-specification"]):
        text = normalize(rd.text).lower()
        section = "drug_substance" if rd.element.startswith("m3-2-s-") else "drug_product"
        part = ctx.dossier.tested_part(section)
        if part is None or part.specification is None:
            continue
        if part is not ctx.dossier.facts.get(section) and "3.2.p.5.6" in text:
            continue  # the drug substance is released as the drug product: 3.2.S.4.5 may refer to 3.2.P.5.6
        tests = [t for t in part.specification.tests if t.release]
        missing = [t.id for t in tests if normalize(t.name.get(rd.lang)).lower() not in text]
        if missing:
            diags.emit(
                "cmc.spec-justification",
                f"{rd.label} ({rd.region}) does not discuss {len(missing)} "
                f"test(s): {', '.join(missing)}",
                rd.source,
            )
