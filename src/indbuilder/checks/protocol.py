"""Rule family H: the protocol against Form FDA 1572 data, sites, the investigational plan and its schedule."""

from __future__ import annotations

import re

from .. import regions
from ..diagnostics import Diagnostics, Location
from ..model.clinical import Protocol
from . import schedule
from .context import CheckContext
from .support import FDA_PLAN, define, docs_at, normalize, rendered, where

define(
    "protocol.1572-sites",
    "error",
    "Form FDA 1572 data do not match the protocol's sites, investigators, IRBs or protocol number.",
    """
    One Form FDA 1572 per investigator: item 1 names the principal investigator, item 3 the research
    facility, item 5 the reviewing IRB, item 6 the sub-investigators and item 7 the protocol by name and
    code number. Each must equal the protocol's site table (sites facts) and protocol number. The rule reads
    the rendered 1572 documents (title containing "1572"); a US site's investigator with no 1572 is reported.
    """,
    "21 CFR 312.53(c)(1) (Form FDA 1572: investigator, facilities, laboratories, IRB; (c)(1)(ii) the "
    "protocol); 21 CFR 312.23(a)(6)(iii)(b).",
)
define(
    "protocol.site-table",
    "error",
    "The protocol's investigator and site list does not name a site, its IRB or its investigators as the facts give them.",
    """
    The protocol (or its investigator list in Module 5) gives the name and address of each investigator and
    research facility, the name of each sub-investigator and each reviewing IRB, exactly as the sites facts
    (from which Forms FDA 1572 are also filled) record them.
    """,
    "21 CFR 312.23(a)(6)(iii)(b) (name, address and qualifications of each investigator; research "
    "facilities; reviewing IRB); 21 CFR 312.53(c)(1).",
)
define(
    "protocol.site-pi",
    "error",
    "A clinical site does not have exactly one principal investigator.",
    "Each site has one principal investigator who signs the 1572 (or the CN equivalent); sub-investigators are listed under them.",
    "21 CFR 312.53(c)(1); 21 CFR 312.60; 药物临床试验质量管理规范 (NMPA GCP, 2020).",
)
define(
    "protocol.investigator-cv",
    "warning",
    "An investigator has no CV date (no curriculum vitae or qualification statement on file).",
    "Form FDA 1572 item 2 requires a CV or statement of qualifications for each investigator.",
    "21 CFR 312.53(c)(2) (curriculum vitae); 21 CFR 312.23(a)(6)(iii)(b); Form FDA 1572 item 2.",
)
define(
    "protocol.region-sites",
    "warning",
    "A region is built but the protocol has no site in that country.",
    """
    An NMPA clinical trial application is for a trial at Chinese institutions (药物临床试验机构), so building the
    NMPA region without a CN site leaves the application without a Chinese trial. An FDA IND may include
    foreign sites only (their investigators also sign Form FDA 1572), but for a first-in-human study with no
    US site the region list or the sites facts are usually incomplete.
    """,
    "药物临床试验机构管理规定 (2019); 21 CFR 312.53(c), 312.120 (foreign clinical studies) (derived).",
)
define(
    "protocol.sample-size",
    "error",
    "The sample size differs between the protocol, its cohorts and the general investigational plan.",
    """
    The protocol's estimated number of subjects equals the sum of the cohort sizes, and the general
    investigational plan (1.20) states the same number.
    """,
    "21 CFR 312.23(a)(3)(iv) (estimated number of patients), (a)(6)(iii)(c).",
)
define(
    "protocol.endpoint-no-timepoint",
    "error",
    "An endpoint has no assessment scheduled at any visit.",
    """
    Every endpoint is measured by at least one assessment of the schedule of activities, and that
    assessment occurs at least at one visit; otherwise the endpoint cannot be evaluated.
    """,
    "ICH M11 §1.3 (schedule of activities) and §3 (objectives, endpoints); 21 CFR 312.23(a)(6)(iii)(f).",
)
define(
    "protocol.objective-endpoint",
    "error",
    "An objective has no endpoint, or an endpoint belongs to no objective.",
    "Objectives and endpoints are linked one to many; an objective without an endpoint cannot be assessed.",
    "ICH M11 §3 (objectives and estimands); ICH E8(R1) §5.1.",
)

define(
    "protocol.1571-contacts",
    "error",
    "The sponsor names no monitor or no safety reviewer, or Form FDA 1571 does not name them.",
    """
    Form FDA 1571 names the person responsible for monitoring the investigation (item for 21 CFR
    312.23(a)(1)(vi)) and the person(s) responsible for reviewing and evaluating safety information
    (312.23(a)(1)(vii)). The sponsor's contacts carry these roles (`monitor`, `safety`), and the rendered
    Form 1571 data name exactly those people.
    """,
    "21 CFR 312.23(a)(1)(vi)-(vii) (monitor and safety reviewer on Form FDA 1571); 21 CFR 312.32. A "
    "consistency check derived from them: the protocol names the same people.",
)

_N = r"(?<![\d,.])(\d{1,3}(?:,\d{3})+|\d+)"
_SUBJECTS = re.compile(
    rf"{_N}\s*(?:adult\s+)?(?:patients|subjects|participants)|{_N}\s*(?:例|名)(?:受试者|患者|参与者)?"
    rf"|(?:受试者|患者)\s*{_N}\s*(?:例|名)"
    rf"|(?:number of (?:patients|subjects|participants)|sample size|样本量|受试者(?:人数|例数))[^\d\n]{{0,20}}{_N}",
    re.I,
)
# Only sentences about this trial's enrolment count (not, e.g., "over 1,000 patients have received MSCs").
_ENROLMENT = re.compile(r"enrol|enroll|total of|sample size|number of|planned|will (?:be )?(?:receive|dosed|treated)|入组|共|样本量|计划", re.I)
_SENTENCES = re.compile(r"(?<=[.!?。！？；;])\s*|\n")


def stated_sample_sizes(text: str) -> set[int]:
    """Subject counts stated in sentences about enrolment (English or Chinese)."""
    out: set[int] = set()
    for sentence in _SENTENCES.split(text):
        if _ENROLMENT.search(sentence):
            out |= {int(n.replace(",", "")) for m in _SUBJECTS.finditer(sentence) for n in m.groups() if n}
    return out


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """H1-H6: sites and investigators, 1572 data, sample size and the schedule of assessments."""
    d = ctx.dossier
    p = d.protocol
    sites = list(d.sites)
    for s in sites:
        pis = [i for i in s.investigators if i.role == "principal"]
        if len(pis) != 1:
            diags.emit(
                "protocol.site-pi",
                f"site {s.id} ({s.name.en}) has {len(pis)} principal investigators"
                + (f" ({', '.join(i.name.en for i in pis)})" if pis else "")
                + "; expected exactly 1",
                where(ctx, "sites", s.id, "investigators"),
            )
        for inv in s.investigators:
            if inv.cv_date is None:
                diags.emit(
                    "protocol.investigator-cv",
                    f"investigator {inv.id} ({inv.name.en}) at site {s.id} has no cv_date",
                    where(ctx, "sites", s.id, "investigators", inv.id),
                )
    country = {name: regions.get(name).site_country for name in ctx.config.settings.regions}
    for region in ctx.config.settings.regions:
        if country[region] and sites and not any(s.country == country[region] for s in sites):
            diags.emit(
                "protocol.region-sites",
                f"region {region} is built but no site is in {country[region]} (sites: "
                f"{', '.join(f'{s.id} ({s.country})' for s in sites)})",
                where(ctx, "sites"),
            )
    _contacts_1571(ctx, diags)
    if p is None:
        return
    _forms_1572(ctx, p, diags)
    _site_tables(ctx, diags)
    total = sum(c.subjects for c in p.cohorts)
    if p.sample_size != total:
        diags.emit(
            "protocol.sample-size",
            f"protocol {p.number} sample_size is {p.sample_size}, but its cohorts enrol {total} "
            f"({' + '.join(f'{c.id}: {c.subjects}' for c in p.cohorts)})",
            where(ctx, "protocol", "sample_size"),
        )
    allowed = {p.sample_size} | {c.subjects for c in p.cohorts}
    for rd in docs_at(ctx, [FDA_PLAN]):
        stated = stated_sample_sizes(rd.text)
        if not stated:
            diags.emit(
                "protocol.sample-size",
                f"{rd.label} does not state the estimated number of patients "
                f"({p.sample_size} in protocol {p.number}; 21 CFR 312.23(a)(3)(iv))",
                rd.source or where(ctx, "protocol", "sample_size"),
            )
        wrong = sorted(stated - allowed)
        if wrong:
            diags.emit(
                "protocol.sample-size",
                f"{rd.label} states {', '.join(map(str, wrong))} subjects; "
                f"protocol {p.number} enrols {p.sample_size}",
                rd.source or where(ctx, "protocol", "sample_size"),
            )
    for n in d.narratives:
        if n.node != FDA_PLAN:
            continue
        for i, line in enumerate(n.body.splitlines()):
            wrong = sorted(stated_sample_sizes(line) - allowed)
            if wrong:
                diags.emit(
                    "protocol.sample-size",
                    f"the general investigational plan states {', '.join(map(str, wrong))} subjects; protocol "
                    f"{p.number} enrols {p.sample_size}",
                    Location(n.path, n.body_line + i),
                )
    schedule.check(ctx, diags)  # H7: the follow-up schedule against its visits
    visits_of = {a.id: a.visits for a in p.assessments}
    for e in p.endpoints:
        scheduled = [a for a in e.assessments if visits_of.get(a)]
        if not scheduled:
            why = "no assessments" if not e.assessments else f"assessments {', '.join(e.assessments)} with no visit"
            diags.emit(
                "protocol.endpoint-no-timepoint",
                f"endpoint {e.id} ({e.text.en}) has {why} in the schedule of activities",
                where(ctx, "protocol", "endpoints", e.id, "assessments"),
            )
    linked = {eid for o in p.objectives for eid in o.endpoints}
    for o in p.objectives:
        if not o.endpoints:
            diags.emit(
                "protocol.objective-endpoint",
                f"{o.kind} objective {o.id} ({o.text.en}) has no endpoint",
                where(ctx, "protocol", "objectives", o.id, "endpoints"),
            )
    for e in p.endpoints:
        if e.id not in linked:
            diags.emit(
                "protocol.objective-endpoint",
                f"endpoint {e.id} ({e.text.en}) belongs to no objective",
                where(ctx, "protocol", "endpoints", e.id),
            )


def _forms_1572(ctx: CheckContext, p: Protocol, diags: Diagnostics) -> None:
    """H1/H2 on the rendered 1572 documents (when the FDA region was rendered)."""
    forms = [rd for rd in rendered(ctx, "fda") if "1572" in rd.doc.meta.title]
    if not forms:
        return
    texts = [(rd, normalize(rd.text)) for rd in forms]
    for rd, text in texts:
        if p.number not in text:
            diags.emit(
                "protocol.1572-sites",
                f"{rd.doc.meta.title} does not give the protocol code number {p.number} (1572 item 7)",
                rd.source or where(ctx, "protocol", "number"),
            )
    for s in ctx.dossier.sites:
        if s.country != "US":
            continue
        for pi in (i for i in s.investigators if i.role == "principal"):
            form = next(((rd, t) for rd, t in texts if normalize(pi.name.en) in t), None)
            if form is None:
                diags.emit(
                    "protocol.1572-sites",
                    f"principal investigator {pi.name.en} of site {s.id} has no Form FDA 1572",
                    where(ctx, "sites", s.id, "investigators", pi.id),
                )
                continue
            rd, text = form
            missing = [
                label
                for label, value in (
                    ("facility (item 3)", s.name.en),
                    ("IRB (item 5)", s.irb.en),
                    *(("sub-investigator " + i.name.en + " (item 6)", i.name.en) for i in s.investigators if i.role != "principal"),
                )
                if normalize(value) not in text
            ]
            if missing:
                diags.emit(
                    "protocol.1572-sites",
                    f"the 1572 of {pi.name.en} does not match site {s.id}: missing {', '.join(missing)}",
                    rd.source or where(ctx, "sites", s.id),
                )


def _contacts_1571(ctx: CheckContext, diags: Diagnostics) -> None:
    """H4: the monitor and the safety reviewer exist and the Form 1571 data name them."""
    sponsor = ctx.dossier.sponsor
    if sponsor is None or "fda" not in ctx.config.settings.regions:
        return
    forms = [rd for rd in rendered(ctx, "fda") if rd.element == "form:fdaft1" or "1571" in rd.doc.meta.title]
    for role, what in (("monitor", "monitoring the investigation (1571, 21 CFR 312.23(a)(1)(vi))"),
                       ("safety", "reviewing safety information (1571, 21 CFR 312.23(a)(1)(vii))")):
        people = [c for c in sponsor.contacts if c.role == role]
        if not people:
            diags.emit(
                "protocol.1571-contacts",
                f"no sponsor contact has role '{role}': the person responsible for {what} is not named "
                f"(contacts: {', '.join(f'{c.name.en} ({c.role})' for c in sponsor.contacts)})",
                where(ctx, "sponsor", "contacts"),
            )
            continue
        for rd in forms:
            text = normalize(rd.text)
            for c in people:
                if normalize(c.name.en) not in text:
                    diags.emit(
                        "protocol.1571-contacts",
                        f"{rd.doc.meta.title} does not name {c.name.en}, the sponsor's '{role}' contact",
                        rd.source or where(ctx, "sponsor", "contacts"),
                    )


def _site_tables(ctx: CheckContext, diags: Diagnostics) -> None:
    """H1: the Module 5 investigator/site list names every site, address, IRB and investigator."""
    for rd in rendered(ctx):
        what = " ".join(str(getattr(rd.planned, k, None) or "") for k in ("doc_id", "template", "narrative")).lower()
        if not rd.element.startswith("m5-") or "investigator" not in what or "brochure" in what:
            continue
        text = re.sub(r"\s+", " ", rd.text)
        for site in ctx.dossier.sites:
            wanted = [("site", site.name.get(rd.lang)), ("address", site.address.lines.get(rd.lang)), ("IRB", site.irb.get(rd.lang))]
            wanted += [(inv.role, inv.name.get(rd.lang)) for inv in site.investigators]
            missing = [f"{label} '{value}'" for label, value in wanted if normalize(value) not in text]
            if missing:
                diags.emit(
                    "protocol.site-table",
                    f"{rd.doc.meta.title} ({rd.region}) does not name, for site {site.id}: {', '.join(missing)}",
                    rd.source or where(ctx, "sites", site.id),
                )
