"""Each document's own identity: title, eCTD leaf title, version and date (the title page facts).

A reviewer reads a document by its own title: the protocol by its protocol title, a study report by
its study title, the IB and ICF by their names, each with its own version and date. The CTD heading
says *where* the document sits and stays in the page header; it is the title only of a document that
has no identity of its own (a 3.2.P section, a summary), which is then dated on the submission date.

Where the identity comes from, first match wins:

* a narrative: its front matter ``title``, ``short_title``, ``version``, ``date``;
* an attachment: its declared ``title`` (the PDF carries its own title page);
* the protocol (``protocol``: ``title``, ``short_title``, ``number``, ``version``, ``date``), the
  informed consent form (``consent``: ``title``, ``version``, ``date``), the Investigator's Brochure
  (``regulatory``: ``ib_title``, ``ib_version``, ``ib_date``), a nonclinical study report
  (``studies[].document``: ``title``, ``short_title``, ``version``, ``date``; the study title by default),
  recognised by the template that renders them;
* a template listed in :data:`TEMPLATE_TITLES` (cover letter, investigator list);
* otherwise the CTD heading, version 1.0, the submission date.

eCTD leaf titles follow the FDA eCTD Technical Conformance Guide (concise, no file name, no CTD
section number, at most 512 characters) and are unique within their eCTD element: the protocol, the
ICF and the investigator list of one study each name the protocol number; a study report names its
study number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..model.common import Text
    from ..model.dossier import Dossier, Narrative
    from ..outline.planner import PlannedDocument

# The FDA Technical Conformance Guide limits a leaf title to 512 characters.
LEAF_TITLE_MAX = 512


@dataclass(frozen=True)
class Identity:
    """The title page facts of one document."""

    title: str
    leaf_title: str
    version: str
    date: dt.date


# Template stems (file name without language and ``.md.j2``) whose document is one of the documents
# with an identity held in the facts.
PROTOCOL_TEMPLATES = frozenset({"study-protocol", "1341-clinical-protocol"})
CONSENT_TEMPLATES = frozenset({"study-consent-form", "1342-informed-consent"})
IB_TEMPLATES = frozenset({"11441-investigators-brochure", "1343-investigators-brochure"})
STUDY_REPORT_TEMPLATES = frozenset({"study-report"})
INVESTIGATOR_TEMPLATES = frozenset({"study-investigators"})

# Documents made from a template whose own title differs from the CTD heading (the FDA heading
# "Cover Letters" names the section, the document is one cover letter).
TEMPLATE_TITLES: dict[str, dict[str, str]] = {
    "12-cover-letter": {"en": "Cover Letter", "zh": "说明函"},
    "10-cover-letter": {"en": "Cover Letter", "zh": "说明函"},
}

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "protocol": "Protocol {number}: {title}",
        "consent": "Informed Consent Form",
        "consent_leaf": "Informed Consent Form, Protocol {number}",
        "ib": "Investigator's Brochure",
        "investigators": "Investigators and Sites of Study {number}",
        "investigators_leaf": "Investigator List, Protocol {number}",
        "study_leaf": "Study {number}: {title}",
    },
    "zh": {
        "protocol": "临床试验方案（{number}）：{title}",
        "consent": "知情同意书",
        "consent_leaf": "知情同意书（方案{number}）",
        "ib": "研究者手册",
        "investigators": "研究{number}研究者及研究机构",
        "investigators_leaf": "研究者名单（方案{number}）",
        "study_leaf": "试验{number}：{title}",
    },
}


def template_stem(template: str | None) -> str:
    """``m5/study-protocol.md.j2`` -> ``study-protocol``; ``m1/cn/1341-clinical-protocol.zh.md.j2`` -> ``1341-clinical-protocol``."""
    name = (template or "").rsplit("/", 1)[-1]
    for suffix in (".md.j2", ".j2"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    for lang in (".en", ".zh"):
        if name.endswith(lang):
            name = name[: -len(lang)]
    return name


def _text(value: "Text | None", lang: str) -> str:
    return value.get(lang).strip() if value is not None else ""


def _words(lang: str) -> dict[str, str]:
    return _WORDS.get(lang, _WORDS["en"])


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def document_identity(
    dossier: "Dossier",
    pd: "PlannedDocument",
    heading: str,
    lang: str,
    submission_date: dt.date,
    narrative: "Narrative | None" = None,
) -> Identity:
    """The identity of planned document ``pd`` (see the module docstring for where it comes from).

    ``heading`` is the CTD heading of the document's section in ``lang`` (the default title);
    ``narrative`` the narrative ``pd`` renders, when it is one.
    """
    default = Identity(pd.title or heading, pd.title or heading, "1.0", submission_date)
    if narrative is not None:
        title = (narrative.title or pd.title or heading).strip()
        short = str(narrative.meta.get("short_title") or "").strip()
        version = str(narrative.version or narrative.meta.get("version") or "1.0")
        date = _as_date(narrative.meta.get("date")) or submission_date
        return Identity(title, short or title, version, date)
    if pd.kind != "template":
        return default
    stem = template_stem(pd.template)
    words = _words(lang)
    p, reg, consent = dossier.protocol, dossier.regulatory, dossier.consent
    if stem in PROTOCOL_TEMPLATES and p is not None:
        title = _text(p.title, lang) or heading
        short = _text(p.short_title, lang) or title
        return Identity(title, words["protocol"].format(number=p.number, title=short), p.version, p.date)
    if stem in CONSENT_TEMPLATES and consent is not None:
        title = _text(consent.title, lang) or words["consent"]
        leaf = words["consent_leaf"].format(number=p.number) if p is not None else title
        return Identity(title, leaf, consent.version, consent.date)
    if stem in IB_TEMPLATES and reg is not None:
        title = _text(reg.ib_title, lang) or words["ib"]
        return Identity(title, title, reg.ib_version, reg.ib_date)
    if stem in INVESTIGATOR_TEMPLATES and p is not None:
        return Identity(
            words["investigators"].format(number=p.number),
            words["investigators_leaf"].format(number=p.number),
            "1.0",
            submission_date,
        )
    if stem in STUDY_REPORT_TEMPLATES and pd.collection == "studies" and pd.record:
        study = next((s for s in dossier.studies if s.id == pd.record), None)
        if study is not None:
            doc = study.document
            title = _text(doc.title if doc else None, lang) or _text(study.title, lang) or heading
            short = _text(doc.short_title if doc else None, lang)
            leaf = short or words["study_leaf"].format(number=study.study_number, title=title)
            version = (doc.version if doc else None) or "1.0"
            date = (doc.date if doc else None) or submission_date
            return Identity(title, leaf, version, date)
    if stem in TEMPLATE_TITLES:
        title = TEMPLATE_TITLES[stem].get(lang) or TEMPLATE_TITLES[stem]["en"]
        return Identity(title, title, "1.0", submission_date)
    return default


def clip_leaf_title(title: str) -> str:
    """``title`` on one line, without surrounding spaces (NMPA 3.20) and within 512 characters (FDA TCG)."""
    one = " ".join(title.split())
    return one if len(one) <= LEAF_TITLE_MAX else one[: LEAF_TITLE_MAX - 1].rstrip() + "…"
