"""Rule family: what the Investigator's Brochure prohibits is prohibited by the protocol.

The IB gives the investigator guidance on precautions, including medications to avoid (ICH E6(R3)
Appendix A, "Summary of data and guidance for the investigator"); the protocol is what the sites follow,
so each prohibition of the IB must be in the protocol's concomitant-medication section, for the same
period (ICH M11 section 6, concomitant therapy; 21 CFR 312.23(a)(6)(iii)(g)).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..diagnostics import Diagnostics
from ..model.clinical import ProhibitedMedication, Protocol
from ..model.common import Quantity
from .context import CheckContext, RenderedDoc
from .support import CN_IB, FDA_IB, define, normalize, rendered, where


define(
    "protocol.prohibited-medications",
    "error",
    "The Investigator's Brochure prohibits a medication that the protocol does not prohibit, or for another period.",
    """
    Each medication the IB tells investigators not to give (for example "no new glucose-lowering agents
    during the first 4 weeks") is in the protocol's concomitant-medication section
    (`protocol.concomitant_medications.prohibited`), by the same name and for the same period
    (`before_dosing` / `after_dosing`). The rule reads the rendered IB (FDA 1.14.4.1, NMPA 1.3.4.3) for
    sentences that prohibit a medication; a prohibition with no protocol entry, or with another period,
    is reported at the IB's source (or at the protocol facts when the IB is built from them).
    """,
    "ICH E6(R3) (2025) Appendix A (Investigator's Brochure: summary of data and guidance for the "
    "investigator) and Appendix B (protocol: permitted and prohibited concomitant medications); ICH M11 "
    "(protocol section 6, concomitant therapy); 21 CFR 312.23(a)(5)(vi)(b), 312.23(a)(6)(iii)(g).",
)
define(
    "protocol.concomitant-medications",
    "warning",
    "The protocol has no concomitant-medication section.",
    """
    A protocol states which medications are permitted and which are prohibited during the trial, and for
    how long (`protocol.concomitant_medications`: `permitted`, `prohibited` with `before_dosing` /
    `after_dosing`, `rescue`). Investigators follow the protocol; the IB's precautions are only guidance.
    """,
    "ICH M11 (protocol section 6, concomitant therapy); ICH E6(R3) (2025) Appendix B (protocol: "
    "concomitant medications permitted and not permitted); 21 CFR 312.23(a)(6)(iii)(g).",
)

_PROHIBITS = {
    "en": re.compile(r"\bprohibit|\bnot (?:be )?(?:permitted|allowed)\b|\bmust not (?:be )?(?:take|taken|use|used|start|started|give|given)\b"
                     r"|\bno new\b|\bdo not (?:start|add|give|use)\b|\bavoid\b", re.I),
    "zh": re.compile(r"禁止|禁用|不得(?:使用|服用|合用|加用|新增|开始|给予)|不加用|不允许(?:使用|合用)|避免(?:合用|使用)"),
}
_MEDICATION = {
    "en": re.compile(r"medicat|\bdrugs?\b|agents?\b|therap|vaccin|inhibitor|agonist|insulin|steroid|inducer|antibiot|anticoag", re.I),
    "zh": re.compile(r"药|疫苗|抑制剂|激动剂|胰岛素|激素|治疗"),
}
_DURATION = {
    "en": re.compile(r"(\d+)[\s\-]+(day|week|month|year)s?\b", re.I),
    "zh": re.compile(r"(\d+)\s*(天|日|周|个月|年)"),
}
_ZH_UNITS = {"天": "days", "日": "days", "周": "weeks", "个月": "months", "年": "years"}
_SENTENCES = re.compile(r"(?<=[.;!?])\s+|(?<=[。；！？])\s*|\n")
# Words that name the section, not a medication ("see the prohibited medications below", "禁用药物见下文").
_GENERIC = {
    "en": re.compile(r"\b(?:prohibited|concomitant|permitted|rescue) medications?\b", re.I),
    "zh": re.compile(r"禁用药物|合并用药|补救治疗"),
}


@dataclass(frozen=True)
class Prohibition:
    """A sentence of a document that prohibits a medication, with the period it states (if any)."""

    sentence: str
    period: Quantity | None


def prohibitions(text: str, lang: str) -> list[Prohibition]:
    """The sentences of ``text`` that prohibit a medication (English or Chinese)."""
    out: list[Prohibition] = []
    prohibits = _PROHIBITS.get(lang, _PROHIBITS["en"])
    medication = _MEDICATION.get(lang, _MEDICATION["en"])
    for raw in _SENTENCES.split(text):
        sentence = normalize(raw)
        for clause in re.split(r"[:：]\s*", sentence):
            named = _GENERIC.get(lang, _GENERIC["en"]).sub(" ", clause)
            if prohibits.search(named) and medication.search(named):
                m = _DURATION.get(lang, _DURATION["en"]).search(clause)
                period = None
                if m:
                    unit = _ZH_UNITS.get(m.group(2), m.group(2).lower() + "s")
                    period = Quantity(value=float(m.group(1)), unit=unit)
                out.append(Prohibition(clause, period))
    return out


def _matches(entry: ProhibitedMedication, sentence: str, lang: str) -> bool:
    name = normalize(entry.name.get(lang)).lower()
    return bool(name) and name in sentence.lower()


def _same_period(period: Quantity, entry: ProhibitedMedication) -> bool:
    for q in (entry.after_dosing, entry.before_dosing):
        if q is None:
            continue
        try:
            if abs(period.in_unit(q.unit) - q.value) <= 0.05 * max(q.value, 1):
                return True
        except ValueError:
            continue
    # no period in the protocol: prohibited for the whole study, which covers any shorter IB period
    return entry.after_dosing is None and entry.before_dosing is None


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """IB prohibitions against the protocol's concomitant-medication section."""
    p = ctx.dossier.protocol
    if p is None:
        return
    if p.concomitant_medications is None:
        diags.emit(
            "protocol.concomitant-medications",
            f"protocol {p.number} has no concomitant-medication section: add 'concomitant_medications' with the "
            "medications participants may take ('permitted') and may not take ('prohibited', with the period)",
            where(ctx, "protocol", "number"),
        )
    for rd in rendered(ctx):
        if rd.document is None or rd.element not in (FDA_IB, CN_IB):
            continue
        _check_ib(ctx, p, rd, diags)


def _check_ib(ctx: CheckContext, p: Protocol, rd: RenderedDoc, diags: Diagnostics) -> None:
    entries = list(p.concomitant_medications.prohibited) if p.concomitant_medications else []
    label = f"the {rd.region.upper()} Investigator's Brochure"
    at_ib = rd.source if rd.planned.kind == "narrative" else None
    for pr in prohibitions(rd.text, rd.lang):
        found = [e for e in entries if _matches(e, pr.sentence, rd.lang)]
        if not found:
            names = ", ".join(e.name.get(rd.lang) for e in entries) or "none"
            diags.emit(
                "protocol.prohibited-medications",
                f"{label} says \"{pr.sentence}\", but protocol {p.number} does not prohibit it (prohibited "
                f"medications in the protocol: {names}): add it to concomitant_medications.prohibited, or correct the IB",
                at_ib or where(ctx, "protocol", "concomitant_medications", "prohibited")
                or where(ctx, "protocol", "number") or rd.source,
            )
            continue
        if pr.period is not None and not any(_same_period(pr.period, e) for e in found):
            e = found[0]
            stated = ", ".join(f"{q.value:g} {q.unit} {when}" for q, when in ((e.before_dosing, "before dosing"),
                                                                              (e.after_dosing, "after dosing")) if q)
            diags.emit(
                "protocol.prohibited-medications",
                f"{label} prohibits {e.name.get(rd.lang)} for {pr.period.value:g} {pr.period.unit} "
                f"(\"{pr.sentence}\"), but protocol {p.number} prohibits it {stated or 'for the whole study'}",
                at_ib or where(ctx, "protocol", "concomitant_medications", "prohibited", e.id) or rd.source,
            )
