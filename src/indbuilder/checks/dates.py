"""Rule family D: protocol and IB versions and dates cited identically; nothing dated after the submission."""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterator

from ..diagnostics import Diagnostics, Location
from . import study_dates
from .context import CheckContext, RenderedDoc
from .support import CN_IB, FDA_IB, define, is_protocol_doc, narrative_lines, rendered, where
from .titles import check_leaf_titles

define(
    "dates.protocol-version",
    "error",
    "A document cites the protocol with a different version or date than the protocol facts.",
    """
    Wherever the protocol is cited by its number (cover letter, Form 1572 item 7, ICF, IB, 1.20, CN 1.3.4.1),
    the version and date given next to it are the protocol's current version and date; the protocol document
    itself carries that version.
    """,
    "21 CFR 312.53(c)(1)(ii) (protocol identified on Form FDA 1572).",
)
define(
    "dates.ib-version",
    "error",
    "A document cites the Investigator's Brochure with a different version or date than the IB filed.",
    "IB citations (protocol, ICF, cover letter) give the version and date of the IB filed in 1.14.4.1 / CN 1.3.4.3.",
    "21 CFR 312.23(a)(5), 312.55.",
)
define(
    "dates.consent-version",
    "error",
    "A document cites the informed consent form with a different version or date than the consent facts.",
    "Citations of the ICF (protocol, cover letter, CN 1.3.4.2) give the version and date of the ICF filed.",
    "21 CFR 50.25, 312.23(a)(6)(iii)(g); 药物临床试验质量管理规范 (NMPA GCP, 2020).",
)
define(
    "dates.after-submission",
    "error",
    "A fact or document is dated after the submission date.",
    """
    No document, signature, batch manufacture, meeting or CV can be dated after the date of the submission
    (indbuilder.yaml `submission_date`).
    """,
    "21 CFR 312.23(a)(1)(i) (date of the application). A consistency check derived from it: no document "
    "is dated after the submission.",
)

define(
    "dates.title-page",
    "error",
    "A document's body gives it another date or version than its title page.",
    """
    A document's title page carries its own version and date (the protocol's, the IB's, the ICF's, a study
    report's; the submission date only for documents without a date of their own). Where the body names
    the document itself with a version or date (the IB's "version 1.0, dated 20 November 2026", a
    protocol's "Protocol MCT-GLF-101, Version 2.0, 25 November 2026", a paragraph that starts with
    "Version 2.0, 25 November 2026", 本手册……2026年11月20日), they are the title page's. Correct the fact
    the body prints or the document's own date (`protocol.date`, `regulatory.ib_date`, `consent.date`,
    `studies[].document.date`, a narrative's front matter `date`).
    """,
    "ICH E6(R3) (essential records identified by version and date); 21 CFR 312.23(a)(5), 312.23(a)(6) "
    "(the IB and protocol filed are the versions cited).",
)

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"], 1
)}
_DATE = re.compile(
    r"(?P<iso>\d{4}-\d{2}-\d{2})"
    r"|(?P<d>\d{1,2})\s+(?P<mon>[A-Za-z]+)\s+(?P<y>\d{4})"
    r"|(?P<mon2>[A-Za-z]+)\s+(?P<d2>\d{1,2}),\s*(?P<y2>\d{4})"
    r"|(?P<zy>\d{4})\s*年\s*(?P<zm>\d{1,2})\s*月\s*(?P<zd>\d{1,2})\s*日"
)
_VERSION = re.compile(r"(?:\bversion\b|\bver\.|\bv\.?|版本号?[:：]?)\s*v?(\d+(?:\.\d+)*)|第\s*(\d+(?:\.\d+)*)\s*版", re.I)
_ICF_NAMES = re.compile(r"informed consent form|\bICF\b|知情同意书", re.I)
_IB_NAMES = re.compile(r"investigator['’]?s brochure|\bIB\b|研究者手册", re.I)
_SENTENCE_END = re.compile(r"\n|。|；|;|\.\s")
WINDOW = 60  # characters after a citation in which its version and date are looked for


def dates_in(text: str) -> Iterator[dt.date]:
    """Dates written as ISO, ``15 March 2026``, ``March 15, 2026`` or ``2026年3月15日``."""
    for m in _DATE.finditer(text):
        try:
            if m.group("iso"):
                yield dt.date.fromisoformat(m.group("iso"))
            elif m.group("d"):
                mon = _MONTHS.get(m.group("mon").lower())
                if mon:
                    yield dt.date(int(m.group("y")), mon, int(m.group("d")))
            elif m.group("d2"):
                mon = _MONTHS.get(m.group("mon2").lower())
                if mon:
                    yield dt.date(int(m.group("y2")), mon, int(m.group("d2")))
            else:
                yield dt.date(int(m.group("zy")), int(m.group("zm")), int(m.group("zd")))
        except ValueError:
            continue


def _citations(text: str, anchor: re.Pattern[str]) -> Iterator[tuple[int, str]]:
    """``(offset, following text)`` for each match of ``anchor``, the window cut at the next line."""
    for m in anchor.finditer(text):
        tail = _SENTENCE_END.split(text[m.end() : m.end() + WINDOW], 1)[0]
        yield m.start(), tail


def _versions(tail: str) -> list[str]:
    m = _VERSION.search(tail)
    return [m.group(1) or m.group(2)] if m else []


def _same_version(a: str, b: str) -> bool:
    def norm(v: str) -> tuple[int, ...]:
        parts = [int(x) for x in v.split(".")]
        while len(parts) > 1 and parts[-1] == 0:
            parts.pop()
        return tuple(parts)

    return norm(a) == norm(b)


def _check_citations(
    ctx: CheckContext,
    diags: Diagnostics,
    rule: str,
    what: str,
    anchor: re.Pattern[str],
    version: str,
    date: dt.date,
) -> None:
    sources: list[tuple[str, Location | None, str]] = []
    for n, line, text in narrative_lines(ctx):
        sources.append((n.path, Location(n.path, line), text))
    for rd in rendered(ctx):
        sources.append((f"{rd.label} ({rd.region})", rd.source, rd.text))
    for label, loc, text in sources:
        for _, tail in _citations(text, anchor):
            for v in _versions(tail):
                if not _same_version(v, version):
                    diags.emit(rule, f"{label} cites {what} version {v}; the current version is {version}", loc)
            for d in dates_in(tail):
                if d != date:
                    diags.emit(rule, f"{label} cites {what} dated {d.isoformat()}; it is dated {date.isoformat()}", loc)


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """D1-D3."""
    d = ctx.dossier
    p, reg = d.protocol, d.regulatory
    if p is not None:
        _check_citations(ctx, diags, "dates.protocol-version", f"protocol {p.number}", re.compile(re.escape(p.number)), p.version, p.date)
        for rd in rendered(ctx):
            if is_protocol_doc(rd, p.number) and rd.doc.meta.version and not _same_version(rd.doc.meta.version, p.version):
                diags.emit(
                    "dates.protocol-version",
                    f"the protocol document {rd.doc.meta.ctd_section} ({rd.region}) is version {rd.doc.meta.version}; "
                    f"protocol {p.number} is version {p.version}",
                    rd.source or where(ctx, "protocol", "version"),
                )
    if reg is not None:
        _check_citations(ctx, diags, "dates.ib-version", "the Investigator's Brochure", _IB_NAMES, reg.ib_version, reg.ib_date)
        for rd in rendered(ctx):
            if rd.element in (FDA_IB, CN_IB) and rd.doc.meta.version and not _same_version(rd.doc.meta.version, reg.ib_version):
                diags.emit(
                    "dates.ib-version",
                    f"the IB {rd.doc.meta.ctd_section} ({rd.region}) is version {rd.doc.meta.version}; "
                    f"regulatory.ib_version is {reg.ib_version}",
                    rd.source or where(ctx, "regulatory", "ib_version"),
                )
    if d.consent is not None:
        _check_citations(ctx, diags, "dates.consent-version", "the informed consent form", _ICF_NAMES, d.consent.version, d.consent.date)
        for rd in rendered(ctx):
            if not _is_consent_doc(rd) or not rd.doc.meta.version or _same_version(rd.doc.meta.version, d.consent.version):
                continue
            diags.emit(
                "dates.consent-version",
                f"the informed consent form {rd.doc.meta.ctd_section} ({rd.region}) is version {rd.doc.meta.version}; "
                f"consent.version is {d.consent.version}",
                rd.source or where(ctx, "consent", "version"),
            )
    _after_submission(ctx, diags)
    study_dates.check(ctx, diags)  # D4: study dates against the lots they used
    _title_page(ctx, diags)
    # leaf titles are title-page facts too (until the family is listed in checks/__init__.py FAMILIES)
    check_leaf_titles(ctx, diags)


_SELF_WORDS = re.compile(
    r"\bthis (?:document|brochure|protocol|report|form|consent form|edition)\b|本(?:文件|手册|方案|报告|知情同意书)",
    re.I,
)
# A paragraph (line) that starts with the document's version statement: "Version 2.0, 25 November 2026".
# (zero-width, so that the version word stays in the text read after it)
_VERSION_LINE = re.compile(r"^(?=\s*(?:version\b|ver\.|版本号?|第\s*\d+(?:\.\d+)*\s*版))", re.I | re.M)


def _self_anchors(ctx: CheckContext, rd: RenderedDoc) -> list[re.Pattern[str]]:
    """The words with which a document names itself (its kind's names, its number, "this protocol")."""
    from ..render.identity import IB_TEMPLATES, STUDY_REPORT_TEMPLATES, template_stem

    d = ctx.dossier
    stem = template_stem(rd.planned.template) if rd.planned is not None else ""
    anchors = [_SELF_WORDS, _VERSION_LINE]
    if rd.element in (FDA_IB, CN_IB) or stem in IB_TEMPLATES:
        anchors.append(_IB_NAMES)
    elif d.protocol is not None and is_protocol_doc(rd, d.protocol.number):
        anchors.append(re.compile(re.escape(d.protocol.number)))
    elif _is_consent_doc(rd):
        anchors.append(_ICF_NAMES)
    elif stem in STUDY_REPORT_TEMPLATES and rd.planned.record:
        study = next((s for s in d.studies if s.id == rd.planned.record), None)
        if study is not None:
            anchors.append(re.compile(re.escape(study.study_number)))
    return anchors


def _title_page(ctx: CheckContext, diags: Diagnostics) -> None:
    """``dates.title-page``: versions and dates a document gives itself in its body are its title page's."""
    for rd in rendered(ctx):
        meta = rd.doc.meta
        try:
            own_date = dt.date.fromisoformat(meta.date) if meta.date else None
        except ValueError:
            own_date = None
        body = rd.text.split("\n", 1)[1] if "\n" in rd.text else ""  # the title line is the title page's
        number = re.search(r"\d+(?:\.\d+)*", meta.version or "")
        own_version = number.group() if number else ""  # "Final 1.0" -> 1.0; no number: not compared
        seen: set[tuple[str, str]] = set()
        for anchor in _self_anchors(ctx, rd):
            for _, tail in _citations(body, anchor):
                for v in _versions(tail):
                    if own_version and not _same_version(v, own_version) and ("v", v) not in seen:
                        seen.add(("v", v))
                        diags.emit(
                            "dates.title-page",
                            f"{rd.label} ({rd.region}) says in its text that it is version {v}; "
                            f"its title page says version {meta.version}",
                            rd.source,
                        )
                for day in dates_in(tail):
                    if own_date is not None and day != own_date and ("d", day.isoformat()) not in seen:
                        seen.add(("d", day.isoformat()))
                        diags.emit(
                            "dates.title-page",
                            f"{rd.label} ({rd.region}) says in its text that it is dated {day.isoformat()}; "
                            f"its title page is dated {own_date.isoformat()}",
                            rd.source,
                        )


def _is_consent_doc(rd: RenderedDoc) -> bool:
    """CN 1.3.4.2, or a Module 5 document planned from a consent-form template."""
    if rd.element == "cn-1-3-4-2":
        return True
    what = " ".join(str(getattr(rd.planned, k, None) or "") for k in ("doc_id", "template", "narrative")).lower()
    return rd.element.startswith("m5-") and "consent" in what


def _after_submission(ctx: CheckContext, diags: Diagnostics) -> None:
    d = ctx.dossier
    limit = ctx.config.submission_date
    facts: list[tuple[str, dt.date | None, tuple[str, ...]]] = []
    if d.protocol is not None:
        facts.append((f"protocol {d.protocol.number} date", d.protocol.date, ("protocol", "date")))
    if d.regulatory is not None:
        facts.append(("regulatory.ib_date", d.regulatory.ib_date, ("regulatory", "ib_date")))
        facts += [(f"meeting {m.id}", m.date, ("regulatory", "meetings", m.id, "date")) for m in d.regulatory.meetings]
    if d.consent is not None:
        facts.append((f"consent version {d.consent.version} date", d.consent.date, ("consent", "date")))
    facts += [(f"batch {b.id} manufacture", b.manufactured, ("batches", b.id, "manufactured")) for b in d.batches]
    facts += [(f"study {s.study_number} report", s.document.date, ("studies", s.id, "document", "date"))
              for s in d.studies if s.document is not None]
    facts += [(f"start of study {s.study_number}", s.start, ("studies", s.id, "start")) for s in d.studies]
    for s in d.sites:
        for inv in s.investigators:
            facts.append((f"CV of {inv.name.en}", inv.cv_date, ("sites", s.id, "investigators", inv.id, "cv_date")))
    for label, date, path in facts:
        if date is not None and date > limit:
            diags.emit(
                "dates.after-submission",
                f"{label} is {date.isoformat()}, after the submission date {limit.isoformat()}",
                where(ctx, *path),
            )
    for n in d.narratives:
        value = n.meta.get("date")
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                value = None
        if isinstance(value, dt.date) and value > limit:
            diags.emit(
                "dates.after-submission",
                f"narrative '{n.id}' ({n.lang}) is dated {value.isoformat()}, after the submission date {limit.isoformat()}",
                Location(n.path, 1, 1),
            )
    for rd in rendered(ctx):
        try:
            value = dt.date.fromisoformat(rd.doc.meta.date) if rd.doc.meta.date else None
        except ValueError:
            value = None
        if value is not None and value > limit:
            diags.emit(
                "dates.after-submission",
                f"{rd.label} ({rd.region}) is dated {value.isoformat()}, "
                f"after the submission date {limit.isoformat()}",
                rd.source,
            )
