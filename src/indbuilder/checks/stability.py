"""Rule family E, stability and storage: the claimed shelf life and in-use time against the stability data
(E8), and the storage statement and claims as the documents print them (E9, J3)."""

from __future__ import annotations

import datetime as dt
import re

from ..derived import compute
from ..diagnostics import Diagnostics, Location
from ..model.cmc import Batch
from ..model.common import convert
from .context import CheckContext
from .limits import limit_text, passes, value_text
from .temperature import TempRange, parse_temperature, temperatures_in
from .support import (
    TestedPart,
    define,
    tested_parts,
    CN_IB,
    CN_LABELS,
    CN_MFG_TESTING,
    FDA_IB,
    FDA_LABELS,
    P81,
    docs_at,
    is_protocol_doc,
    narrative_lines,
    normalize,
    rendered,
    where,
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
    "21 CFR 312.23(a)(7)(ii) (stability data for the planned duration of the investigation); ICH Q5C; ICH "
    "M4Q(R1) 3.2.P.8.2 (stability commitment); FDA Guidance: Chemistry, Manufacturing, and Control (CMC) "
    "Information for Human Gene Therapy INDs (2020) (stability before and during administration).",
)
define(
    "cmc.stability-oos",
    "error",
    "A stability result is outside the specification limit of its test.",
    "Stability results are evaluated against the release (or shelf-life) acceptance criteria; a failure limits the shelf life.",
    "ICH Q5C (stability-indicating profile, shelf-life specification); 21 CFR 312.23(a)(7)(ii).",
)
define(
    "cmc.stability-missing-result",
    "warning",
    "A stability timepoint has no result for a lot or a monitored test.",
    "Each timepoint reports every monitored test for every lot on study (or the gap is explained).",
    "ICH Q5C (testing frequency); ICH M4Q(R1) 3.2.P.8.3 (stability data).",
)
define(
    "cmc.stability-pull-after-submission",
    "error",
    "A stability result is dated after the submission date (manufacture date + timepoint is in the future).",
    """
    A result at timepoint T for a lot manufactured on date M can exist only after M + T. Data that would
    be pulled after the submission date cannot be in the submission.
    """,
    "21 CFR 312.23(a)(7)(ii); ICH Q1A(R2) and ICH Q5C (real-time data). A consistency check derived from "
    "them: a result cannot exist before its lot's manufacture date plus the timepoint.",
)
define(
    "cmc.stability-indicating-not-monitored",
    "warning",
    "A stability-indicating test of the specification is not monitored in the long-term stability study.",
    "Tests flagged stability-indicating (e.g. viability, potency) must be part of the long-term stability protocol.",
    "ICH Q5C (stability-indicating profile); ICH Q1A(R2) (testing of attributes susceptible to change "
    "during storage).",
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
    "21 CFR 312.23(a)(7)(iv)(d) (labels and labeling); 21 CFR 312.6 (labeling of an investigational "
    "drug); ICH M4Q(R1) 3.2.P.8.1 (storage conditions); M4 模块一 (NMPA, 2020) 1.3.3 制造及检定规程 (保存及运输和有效期). A "
    "consistency check derived from them: every document states the same storage condition.",
)
define(
    "cmc.storage-stability-condition",
    "warning",
    "The storage temperature is warmer than every long-term stability condition of the drug product.",
    """
    The storage condition on the label is established from the long-term stability data: the long-term
    study that supports the shelf life is run at the labelled storage temperature (for example
    25 °C ± 2 °C / 60 % RH for "store at 20-25 °C", 5 °C ± 3 °C for "store at 2 °C to 8 °C"). The rule
    fires when `product.storage.max_temperature_c` is warmer than the warmest temperature of every
    long-term, shelf-life study's condition; the conditions are read as ranges ("25 °C ± 2 °C" allows up
    to 27 °C, "≤ −150 °C" up to −150 °C). Studies whose condition states no Celsius temperature are not judged.
    """,
    "ICH Q1A(R2) 2.2.7 (storage conditions for the long-term study) and its Statements/Labelling section "
    "(the storage statement is based on the stability evaluation); ICH Q5C (storage conditions: temperature); "
    "21 CFR 312.23(a)(7)(ii) (stability for the planned duration of the investigation).",
)
define(
    "cmc.shelf-life-text",
    "error",
    "3.2.P.8.1 or the CN 制造及检定规程 does not state the shelf life / in-use time of the product facts.",
    """
    3.2.P.8.1 and the CN 制造及检定规程 (保存及运输和有效期) state the shelf life and the post-thaw in-use
    time claimed in the product facts (value and unit, e.g. "12 months" / "12个月").
    """,
    "ICH M4Q(R1) 3.2.P.8.1 (proposed shelf life); M4 模块一 (NMPA, 2020) 1.3.3 制造及检定规程 (保存及运输和有效期). A "
    "consistency check derived from them.",
)


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """E8 stability coverage, E9 storage statements, E8/J3 shelf life stated in the documents."""
    _stability(ctx, diags)
    _storage(ctx, diags)
    _shelf_life_text(ctx, diags)


# ------------------------------------------------------------------ E8 stability


def _stability(ctx: CheckContext, diags: Diagnostics) -> None:
    d = ctx.dossier
    for tp_ in tested_parts(ctx):
        _part_stability(ctx, tp_, diags)
    _claims(ctx, diags)


def _part_stability(ctx: CheckContext, part: TestedPart, diags: Diagnostics) -> None:
    d = ctx.dossier
    tests = part.tests
    batches: dict[str, Batch] = {b.id: b for b in d.batches}
    submission = ctx.config.submission_date
    for st in part.stability:
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
                            f"{value_text(value, test.limit)}, outside {limit_text(test.limit)}",
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
    long_term = [s for s in part.stability if s.kind == "long-term"]
    if long_term:
        monitored = {t for s in long_term for t in s.tests}
        for test in tests.values():
            if test.stability_indicating and test.id not in monitored:
                diags.emit(
                    "cmc.stability-indicating-not-monitored",
                    f"stability-indicating test {test.id} ({test.name.en}) of the {part.label} is not monitored by any "
                    f"long-term study ({', '.join(s.id for s in long_term)})",
                    where(ctx, part.section, "specification", "tests", test.id, "stability_indicating"),
                )


def _claims(ctx: CheckContext, diags: Diagnostics) -> None:
    # shelf life and in-use time against the data: the one definition the 3.2.P.8.1 template also reads
    d = ctx.dossier
    derived = compute(d)
    for cov, label in ((derived.shelf_life, "shelf life"), (derived.in_use_time, "in-use time")):
        if cov is None:
            continue
        claim, field = cov.claim, cov.field
        if cov.unit_error is not None:
            diags.emit("units.unknown", f"product.{field}: {cov.unit_error}", where(ctx, "product", field, "unit"))
            continue
        if cov.supported is None:
            diags.emit(
                "cmc.stability-shelf-life",
                f"the claimed {label} of {claim.value:g} {claim.unit} has no supporting stability study "
                f"(no study with supports: {cov.supports} and results within specification)",
                where(ctx, "product", field),
            )
        elif not cov.covered:
            diags.emit(
                "cmc.stability-shelf-life",
                f"the claimed {label} of {claim.value:g} {claim.unit} exceeds the stability data: study {cov.study} "
                f"supports {cov.supported:g} {claim.unit} (last timepoint within specification)",
                where(ctx, "product", field),
                hint="shorten the claim, add timepoints, or waive with the extrapolation rationale and stability commitment (3.2.P.8.2)",
            )


# ------------------------------------------------------------------ E9 storage


_STORAGE_WORDS = re.compile(r"\bstor(e|ed|age)\b|保存|贮存|储存|贮藏", re.I)


def _ranges_text(ranges: list[TempRange]) -> str:
    return ", ".join(r.describe() for r in ranges)


def _storage(ctx: CheckContext, diags: Diagnostics) -> None:
    product = ctx.dossier.product
    if product is None:
        return
    st = product.storage
    target = st.max_temperature_c
    # a statement agrees when its warmest allowed temperature is max_temperature_c: "2 °C to 8 °C" with 8,
    # "≤ −150 °C" with -150, "20-25 °C" with 25 (temperature.py reads the range, not loose numbers)
    for field in ("condition", "label_text"):
        for lang in ("en", "zh"):
            text = getattr(st, field).get(lang)
            ranges = temperatures_in(text)
            if ranges and not any(r.has_upper(target) for r in ranges):
                diags.emit(
                    "cmc.storage-text",
                    f"product.storage.{field} ({lang}) '{text}' states {_ranges_text(ranges)}; "
                    f"max_temperature_c is {target:g} °C",
                    where(ctx, "product", "storage", field, lang),
                )
    # narratives: a storage sentence must quote the same temperature
    for n, line, text in narrative_lines(ctx):
        if not _STORAGE_WORDS.search(text):
            continue
        wrong = [r for r in temperatures_in(text) if not r.has_upper(target)]
        if wrong:
            diags.emit(
                "cmc.storage-text",
                f"storage statement gives {_ranges_text(wrong)}; the product is stored at "
                f"{target:g} °C ('{st.label_text.get(n.lang)}')",
                Location(n.path, line),
            )
    _storage_vs_stability(ctx, diags)
    # rendered documents that must carry the storage statement
    protocol = ctx.dossier.protocol
    docs = docs_at(ctx, [P81, FDA_LABELS, FDA_IB, CN_LABELS, CN_IB, CN_MFG_TESTING])
    if protocol is not None:
        docs += [d for d in rendered(ctx) if is_protocol_doc(d, protocol.number)]
    label = compute(ctx.dossier).label  # the storage statement every label prints (derived.LabelContent)
    label_text = label.storage if label is not None else st.label_text
    for rd in docs:
        text = normalize(rd.text)
        accepted = [normalize(label_text.get(rd.lang)), normalize(st.condition.get(rd.lang))]
        if not any(a and a in text for a in accepted):
            diags.emit(
                "cmc.storage-text",
                f"{rd.label} ({rd.region}) does not state the storage "
                f"condition '{st.label_text.get(rd.lang)}'",
                rd.source or where(ctx, "product", "storage", "label_text", rd.lang),
            )


def _storage_vs_stability(ctx: CheckContext, diags: Diagnostics) -> None:
    """The storage temperature is covered by a long-term study of the drug product (ICH Q1A(R2) 2.2.7)."""
    d = ctx.dossier
    product, dp = d.product, d.drug_product
    if product is None or dp is None:
        return
    target = product.storage.max_temperature_c
    studied: list[tuple[str, TempRange]] = []
    for s in dp.stability:
        if s.kind != "long-term" or s.supports != "shelf-life":
            continue
        r = parse_temperature(s.condition.en) or parse_temperature(s.condition.zh)
        if r is not None:
            studied.append((s.id, r))
    if not studied or any(r.high is None or target <= r.high + 1e-9 for _, r in studied):
        return  # no readable condition, or a study was run at (or above) the storage temperature
    diags.emit(
        "cmc.storage-stability-condition",
        f"the product may be stored at up to {target:g} °C ('{product.storage.label_text.en or product.storage.label_text.zh}'), but no long-term "
        f"stability study of the drug product was run that warm: "
        + "; ".join(f"{sid} at {r.describe()}" for sid, r in studied),
        where(ctx, "product", "storage", "max_temperature_c"),
        hint="state the storage temperature the long-term data support, or add a long-term study at the labelled "
        "condition (ICH Q1A(R2) 2.2.7: e.g. 30 °C ± 2 °C / 65 % RH ± 5 % RH for storage up to 30 °C)",
    )


# ------------------------------------------------------------------ E8/J3 shelf life in documents

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
    """3.2.P.8.1 and the CN 制造及检定规程 state the claims of ``product``.

    A document made from a template states a claim when it *read* the fact (its provenance has
    ``product.shelf_life``) and its text carries the value: a number that merely looks like the claim
    ("data are available for 12 months") is not the claim. A hand-written document (no template) has
    only its text, which must carry the value with its unit.
    """
    product = ctx.dossier.product
    if product is None:
        return
    docs = [rd for rd in rendered(ctx) if rd.element in CLAIM_DOCS]
    for field, label in _CLAIMS.items():
        claim = getattr(product, field)
        if claim is None:
            continue  # no such claim: a tablet has no in-use time after thaw
        words = _UNIT_WORDS.get(claim.unit, re.escape(claim.unit))
        stated = re.compile(rf"(\d+(?:\.\d+)?)\s*[-‑]?\s*(?:{words})", re.I)
        for rd in docs:
            in_text = any(float(m.group(1)) == claim.value for m in stated.finditer(rd.text))
            read = rd.provenance.uses("product", field) if rd.provenance.from_template else True
            if in_text and read:
                continue
            diags.emit(
                "cmc.shelf-life-text",
                f"{rd.label} ({rd.region}) does not state the {label} of "
                f"{claim.value:g} {claim.unit}",
                rd.source or where(ctx, "product", field),
                hint=None if read else f"the text has the number, but the template does not print product.{field}",
            )
