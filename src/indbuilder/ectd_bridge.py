"""From the fact model to the eCTD assembly inputs: envelope, file paths, study tagging data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostics, Location
from .ectd import (
    Applicant,
    Contact,
    Envelope,
    FdaCodes,
    HeadingAttributes,
    NmpaCodes,
    StudyInfo,
    SubmissionFile,
)
from .ectd.layout import in_stf_scope, plan_layout
from .outline import PlannedDocument

if TYPE_CHECKING:  # pragma: no cover
    from .build import Project
    from .config import ProjectConfig
    from .model.dossier import Dossier

_CONTACT_TYPE = {"regulatory": "fdaact1", "technical": "fdaact2", "us-agent": "fdaact3", "medical": "fdaact2"}


def envelope_for(config: "ProjectConfig", d: "Dossier", region: str) -> Envelope:
    """The sequence envelope of one region from ``regulatory``, ``sponsor`` and ``product`` facts."""
    reg, sponsor, product = d.regulatory, d.sponsor, d.product
    lang = "zh" if region == "nmpa" else "en"
    contacts = tuple(
        Contact(
            name=c.name.get(lang),
            phone=c.phone or "",
            email=c.email or "",
            contact_type=_CONTACT_TYPE.get(c.role, "fdaact1"),
        )
        for c in sponsor.contacts
    )
    manufacturer = d.index("organisations").get(product.manufacturer_id)
    headings = HeadingAttributes(
        substance=product.substance_name,
        manufacturer=manufacturer.name.en if manufacturer else sponsor.name.en,
        product_name=product.name.en,
        dosageform=product.dosage_form.en,
        indication=product.indication.en,
    )
    common: dict[str, Any] = dict(
        region=region,
        sequence=config.settings.sequence,
        applicant=Applicant(sponsor.name.get(lang), sponsor.duns, contacts),
        submission_date=config.submission_date.isoformat(),
        headings=headings,
    )
    if region == "fda":
        return Envelope(
            application_number=reg.fda.application_number,
            submission_description=reg.fda.description,
            fda=FdaCodes(submission_type=reg.fda.submission_type, submission_sub_type=reg.fda.submission_sub_type),
            **common,
        )
    return Envelope(
        application_number=reg.nmpa.application_id,
        submission_description=reg.nmpa.description,
        nmpa=NmpaCodes(
            application_type=reg.nmpa.application_type,
            product_type=reg.nmpa.product_type,
            regulatory_activity_type=reg.nmpa.regulatory_activity,
            sequence_type=reg.nmpa.sequence_type,
        ),
        **common,
    )


def study_info(d: "Dossier", pd: PlannedDocument, lang: str) -> StudyInfo | None:
    """Study tagging data for documents planned per study or per protocol (ICH STF v2.2)."""
    if pd.collection == "studies" and pd.record:
        s = d.index("studies").get(pd.record)
        if s is None:
            return None
        cats = [("species", "ich", s.species_code)] if s.species_code != "in-vitro" else []
        cats.append(("route-of-admin", "ich", s.route_code))
        return StudyInfo(s.study_number, s.title.get(lang), pd.file_tag or "pre-clinical-study-report", tuple(cats))
    if pd.collection == "protocols" and d.protocol is not None:
        p = d.protocol
        return StudyInfo(p.number, p.title.get(lang), pd.file_tag or "protocol-or-amendment")
    return None


def submission_file(d: "Dossier", pd: PlannedDocument, title: str, lang: str, data: bytes, ext: str = "pdf") -> SubmissionFile:
    return SubmissionFile(
        node_id=pd.node,
        doc_id=pd.doc_id,
        title=title,
        lang=lang,
        data=data,
        ext=ext,
        name_hint=pd.doc_id,
        study=study_info(d, pd, lang),
    )


def goes_into_sequence(pd: PlannedDocument) -> bool:
    """Whether a planned document becomes an eCTD leaf.

    NMPA eCTD rule 5.17: every leaf in 4.2 and 5.3.1-5.3.5 must be tagged by a study tagging file,
    and a 不适用 statement is no study. Those headings stay empty (an eCTD heading without leaves
    is omitted) and the statement stays in the DOCX review set.
    """
    return not (pd.kind == "not-applicable" and in_stf_scope(pd.node))


def document_paths(config: "ProjectConfig", d: "Dossier", env: Envelope, planned: list[PlannedDocument]) -> dict[str, str]:
    """The path of every planned document inside the sequence folder (so links can be relative)."""
    lang = "zh" if env.region == "nmpa" else "en"
    files = [submission_file(d, pd, pd.title or pd.doc_id, lang, b"") for pd in planned if goes_into_sequence(pd)]
    # Placement problems (unknown nodes, missing standards) are reported again, with the full
    # context, when the sequence is assembled; here only the paths matter.
    return plan_layout(files, env, config.standards_dir(), Diagnostics())
