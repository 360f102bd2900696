"""Rule family: the informed consent form tells participants what the protocol requires of them.

A participant consents to the study as the protocol runs it. Whatever the protocol requires of the
participant beyond the visits (contraception and how long, samples sent to another country, years of
long-term follow-up) is a foreseeable burden or risk the consent form must state (21 CFR 50.25(a)(2),
(b); ICH E6(R3) informed-consent elements). Samples of participants in China are human genetic
resources: their export needs the participant's informed consent and an approval (人类遗传资源管理条例).

The rule compares the protocol facts with the consent facts. When documents were rendered, it reads
each rendered consent form instead (its text is what the participant signs; a consent form written as a
narrative has no consent facts to compare).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..diagnostics import Diagnostics, Location
from ..model.clinical import ConsentEssentials, Protocol
from ..model.common import Quantity
from .context import CheckContext, RenderedDoc
from .support import CN_ICF, define, normalize, rendered, where


define(
    "consent.protocol-requirements",
    "error",
    "The informed consent form does not state something the protocol requires of participants.",
    """
    The consent form describes the procedures and foreseeable risks and burdens of taking part. What
    the protocol requires of participants must be in it, in the same terms:

    - contraception (protocol `contraception`, or a criterion that asks for it): the consent form says
      that contraception is required and for how long (consent `contraception`);
    - long-term follow-up (protocol `ltfu`): the consent form explains it (consent `ltfu`) and states the
      same number of years;
    - samples sent to another country (protocol `sample_export`): the consent form used in the country
      where they are taken says which samples leave, where to and under which approval (consent
      `sample_export`); for samples taken in China the consent form names human genetic resources
      (人类遗传资源) and the protocol states how they are handled (protocol `human_genetic_resources`).

    With rendered documents, each consent form (FDA Module 5, NMPA 1.3.4.2, or a narrative written in
    their place) is read for these statements; without them, the consent facts are compared.
    """,
    "21 CFR 50.25(a)(2) (foreseeable risks or discomforts), 50.25(b)(1)-(b)(5) (additional elements); "
    "ICH E6(R3) (2025) informed consent of trial participants; FDA Guidance: Long Term Follow-Up After "
    "Administration of Human Gene Therapy Products (2020) VI.B; 人类遗传资源管理条例 (2019) 第九条、第十二条、"
    "第二十七条、第二十八条; 人类遗传资源管理条例实施细则 (2023); 药物临床试验质量管理规范 (2020) 第二十四条.",
)

# Words that say contraception, and the words of each unit of a duration, per language.
_CONTRACEPTION = {"en": re.compile(r"contracept|birth control|condom", re.I), "zh": re.compile(r"避孕")}
_UNIT_WORDS = {
    "en": {"days": "days?", "weeks": "weeks?", "months": "months?", "years": "years?"},
    "zh": {"days": "天|日", "weeks": "周|星期", "months": "个月|月", "years": "年"},
}
_EN_NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
               10: "ten", 11: "eleven", 12: "twelve", 15: "fifteen", 18: "eighteen", 24: "twenty-four"}
_ZH_NUMBERS = {1: "一", 2: "两|二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十",
               12: "十二", 15: "十五", 18: "十八", 24: "二十四"}
_CRITERION_DURATION = re.compile(r"(\d+)\s*(day|week|month|year)s?|(\d+)\s*(天|周|个月|年)", re.I)
_ZH_UNITS = {"天": "days", "周": "weeks", "个月": "months", "年": "years"}
_EXPORT = {"en": re.compile(r"outside|abroad|sent to|shipped to|export|another country", re.I),
           "zh": re.compile(r"出境|境外|运往|送往|寄往")}
_HGR = re.compile(r"人类遗传资源")


def duration_pattern(q: Quantity, lang: str) -> re.Pattern[str] | None:
    """A pattern that finds ``q`` written out in ``lang`` ("12 months", "12-month", "twelve months", "12个月")."""
    unit = q.unit if q.unit.endswith("s") else q.unit + "s"
    words = _UNIT_WORDS.get(lang, _UNIT_WORDS["en"]).get(unit)
    if words is None or q.value != int(q.value):
        return None
    n = int(q.value)
    if lang == "zh":
        numbers = "|".join(filter(None, [str(n), _ZH_NUMBERS.get(n)]))
        return re.compile(rf"(?<!\d)(?:{numbers})\s*(?:{words})")
    numbers = "|".join(filter(None, [str(n), _EN_NUMBERS.get(n)]))
    return re.compile(rf"(?<![\d-])\b(?:{numbers})[\s\-]+(?:{words})\b", re.I)


def stated_years(text: str, lang: str) -> set[int]:
    """Numbers of years a text states ("15 years", "15年"), for the long-term follow-up comparison."""
    pat = r"(\d+)\s*年" if lang == "zh" else r"(\d+)[\s\-]+years?\b"
    return {int(m) for m in re.findall(pat, text, re.I)}


@dataclass(frozen=True)
class Requirement:
    """One thing the protocol requires of participants that the consent form must state."""

    what: str  # for the message: "contraception for 12 months after dosing"
    location: Location | None  # where the protocol requires it


def contraception_required(ctx: CheckContext, p: Protocol) -> tuple[Quantity | None, Requirement] | None:
    """The contraception the protocol requires: its ``contraception`` fact, else the first inclusion or
    exclusion criterion that asks for contraception (with the duration it states, when it states one)."""
    if p.contraception is not None:
        d = p.contraception.duration
        return d, Requirement(f"contraception for {d.value:g} {d.unit} after dosing", where(ctx, "protocol", "contraception"))
    for key, criteria in (("inclusion", p.inclusion), ("exclusion", p.exclusion)):
        for i, c in enumerate(criteria):
            if not _CONTRACEPTION["en"].search(c.en or "") and not _CONTRACEPTION["zh"].search(c.zh or ""):
                continue
            m = _CRITERION_DURATION.search(c.en or c.zh or "")
            q: Quantity | None = None
            if m and m.group(1):
                q = Quantity(value=float(m.group(1)), unit=m.group(2).lower() + "s")
            elif m and m.group(3):
                q = Quantity(value=float(m.group(3)), unit=_ZH_UNITS[m.group(4)])
            what = f"contraception for {q.value:g} {q.unit}" if q else "contraception"
            return q, Requirement(f"{what} ({key} criterion {i + 1})", where(ctx, "protocol", key, i) or where(ctx, "protocol", key))
    return None


def _is_icf(rd: RenderedDoc) -> bool:
    pd = rd.planned
    what = " ".join(str(x or "") for x in (pd.doc_id, pd.template, pd.narrative, pd.file_tag)).lower()
    return rd.element == CN_ICF or pd.file_tag == "iec-irb-consent-form-list" or "consent" in what


def _icf_narrative_langs(ctx: CheckContext) -> set[str]:
    """Languages in which the consent form is a narrative (its text is not built from consent facts)."""
    return {n.lang for n in ctx.dossier.narratives
            if n.node == CN_ICF or "consent" in (n.id or "").lower() or "consent" in str(n.meta.get("file_tag", ""))}


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """The consent form states the protocol's contraception, sample-export and long-term follow-up requirements."""
    p = ctx.dossier.protocol
    if p is None:
        return
    site_countries: set[str] = {s.country for s in ctx.dossier.sites}
    _hgr_statement(ctx, p, site_countries, diags)
    icfs = [rd for rd in rendered(ctx) if rd.document is not None and _is_icf(rd)]
    if icfs:
        for rd in icfs:
            _check_text(ctx, p, rd, diags)
        return
    consent = ctx.dossier.consent
    if consent is None:
        return  # a missing consent section is reported by the completeness rules
    narrative_langs = _icf_narrative_langs(ctx)
    _check_facts(ctx, p, consent, site_countries, narrative_langs, diags)


def _hgr_statement(ctx: CheckContext, p: Protocol, site_countries: set[str], diags: Diagnostics) -> None:
    """A protocol with sites in China says how human genetic resources are handled."""
    if "CN" in site_countries and "nmpa" in ctx.config.settings.regions and p.human_genetic_resources is None:
        diags.emit(
            "consent.protocol-requirements",
            f"protocol {p.number} has sites in China but does not say how participants' samples (human genetic "
            "resources, 人类遗传资源) are collected, kept, used and whether they leave China: add "
            "'human_genetic_resources' (the consent form for Chinese sites must state the same)",
            where(ctx, "protocol", "number"),
        )
    for i, e in enumerate(p.sample_export):
        if e.from_country == "CN" and not _HGR.search(e.approval.zh or ""):
            diags.emit(
                "consent.protocol-requirements",
                f"protocol {p.number} sends samples from China to {e.to_country}, but the approval it names does "
                "not mention human genetic resources (人类遗传资源): export of samples of participants in China "
                "needs an approval under the 人类遗传资源管理条例",
                where(ctx, "protocol", "sample_export", i, "approval") or where(ctx, "protocol", "sample_export"),
            )


def _check_facts(ctx: CheckContext, p: Protocol, consent: ConsentEssentials, site_countries: set[str],
                 narrative_langs: set[str], diags: Diagnostics) -> None:
    """Without rendered documents: the consent facts against the protocol facts."""
    langs = [lang for lang in _langs(ctx) if lang not in narrative_langs]
    if not langs:
        return
    at = where(ctx, "consent")
    req = contraception_required(ctx, p)
    if req is not None:
        q, r = req
        for lang in langs:
            text = consent.contraception.get(lang) if consent.contraception else ""
            problem = _contraception_problem(text, q, lang)
            if problem:
                diags.emit("consent.protocol-requirements", f"the consent form ({lang}) {problem}; protocol {p.number} requires {r.what}",
                           where(ctx, "consent", "contraception") or at)
    if p.ltfu is not None:
        if consent.ltfu is None:
            diags.emit("consent.protocol-requirements", f"protocol {p.number} follows participants for {p.ltfu.years} years after dosing, but the "
                       "consent facts have no 'ltfu' statement: the consent form does not explain the long-term follow-up",
                       at)
        else:
            for lang in langs:
                wrong = sorted(stated_years(consent.ltfu.get(lang), lang) - {p.ltfu.years})
                if wrong:
                    diags.emit("consent.protocol-requirements", f"the consent form's long-term follow-up ({lang}) states {', '.join(map(str, wrong))} "
                               f"years; protocol {p.number} follows participants for {p.ltfu.years} years",
                               where(ctx, "consent", "ltfu") or at)
    for e in p.sample_export:
        if e.from_country not in site_countries:
            continue
        lang = "zh" if e.from_country == "CN" else "en"
        if lang not in langs:
            continue
        text = consent.sample_export.get(lang) if consent.sample_export else ""
        problem = _export_problem(text, e.from_country, lang)
        if problem:
            diags.emit("consent.protocol-requirements", f"the consent form for sites in {e.from_country} {problem}; protocol {p.number} sends "
                       f"{e.samples.en or e.samples.zh} to {e.laboratory.en or e.laboratory.zh} ({e.to_country})",
                       where(ctx, "consent", "sample_export") or at)


def _check_text(ctx: CheckContext, p: Protocol, rd: RenderedDoc, diags: Diagnostics) -> None:
    """One rendered consent form against the protocol facts."""
    text = normalize(rd.text)
    lang = rd.lang
    narrative = rd.planned.kind == "narrative"
    label = f"the {rd.region.upper()} consent form"

    def at(key: str) -> Location | None:
        return rd.source if narrative else (where(ctx, "consent", key) or where(ctx, "consent") or rd.source)

    req = contraception_required(ctx, p)
    if req is not None:
        q, r = req
        problem = _contraception_problem(text, q, lang)
        if problem:
            diags.emit("consent.protocol-requirements", f"{label} {problem}; protocol {p.number} requires {r.what}", at("contraception"))
    if p.ltfu is not None:
        years = stated_years(text, lang)
        if p.ltfu.years not in years:
            diags.emit("consent.protocol-requirements", f"{label} does not state that participants are followed for {p.ltfu.years} years after "
                       f"dosing (protocol {p.number} long-term follow-up)", at("ltfu"))
    from .. import regions

    country = regions.get(rd.region).site_country
    for e in p.sample_export:
        if country is not None and e.from_country != country:
            continue
        problem = _export_problem(text, e.from_country, lang)
        if problem:
            diags.emit("consent.protocol-requirements", f"{label} {problem}; protocol {p.number} sends {e.samples.get(lang)} to "
                       f"{e.laboratory.get(lang)} ({e.to_country})", at("sample_export"))


def _contraception_problem(text: str, q: Quantity | None, lang: str) -> str | None:
    if not text or not _CONTRACEPTION.get(lang, _CONTRACEPTION["en"]).search(text):
        return "does not mention contraception"
    if q is None:
        return None
    pat = duration_pattern(q, lang)
    if pat is not None and not pat.search(text):
        return f"mentions contraception but not for how long ({q.value:g} {q.unit})"
    return None


def _export_problem(text: str, from_country: str, lang: str) -> str | None:
    if not text or not _EXPORT.get(lang, _EXPORT["en"]).search(text):
        return "does not tell participants that their samples are sent to another country"
    if from_country == "CN" and lang == "zh" and not _HGR.search(text):
        return "does not say that the samples are human genetic resources (人类遗传资源) exported under an approval"
    return None


def _langs(ctx: CheckContext) -> list[str]:
    from .support import project_languages

    return list(project_languages(ctx))
