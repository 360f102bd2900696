"""Input contract of eCTD assembly: rendered files plus the submission envelope.

Node ids are eCTD element names exactly as the standards spell them:

* ICH modules 2-5: element names of ``ich-ectd-3-2.dtd``
  (e.g. ``m3-2-p-8-1-stability-summary-and-conclusion``);
* FDA Module 1: element names of ``us-regional-v3-3.dtd`` (e.g. ``m1-2-cover-letters``,
  ``m1-14-4-1-investigational-brochure``, ``m1-20-general-investigational-plan-for-initial-ind``);
* FDA forms: ``form:<form-type code>``, e.g. ``form:fdaft1`` (Form FDA 1571), ``form:fdaft7`` (Form FDA 3674).
  The application's main form (1571 for an IND, 356h otherwise) becomes
  ``admin/.../submission-information/form[@form-type]``, every other form ``m1-1-forms/form[@form-type]``.
  Forms and cover letters belong to their sequence: always ``new``, never replaced or deleted.
  Form FDA 1572 has no form-type code in the FDA lists we hold: pass the code FDA publishes, or file it
  under a Module 1 heading; unknown codes are reported (``ectd.fda-form-type``), never guessed.
* NMPA Module 1: element names of ``cn-regional-1-0.xsd`` (e.g. ``cn-1-0``, ``cn-1-3-4-3``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

Region = str  # a registered region name (``indbuilder.regions.names()``)


@dataclass(frozen=True)
class StudyInfo:
    """Study tagging data for a report in 4.2.x or 5.3.x (ICH STF v2.2).

    ``file_tag`` is an STF ``file-tag`` value from ICH ``valid-values.xml`` (e.g. ``study-report-body``,
    ``protocol-or-amendment``, ``pre-clinical-study-report``). ``categories`` are optional
    ``(name, info_type, value)`` triples, e.g. ``("species", "ich", "rat")``.
    """

    study_id: str
    title: str
    file_tag: str = "study-report-body"
    categories: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class HeadingAttributes:
    """Values of the ICH repeatable-heading attributes (must match exactly across sequences, FDA TCG 4.1)."""

    substance: str | None = None
    manufacturer: str | None = None
    product_name: str | None = None
    dosageform: str | None = None
    indication: str | None = None
    excipient: str | None = None

    def get(self, dtd_attr: str) -> str | None:
        """Value for a DTD attribute name (``product-name`` -> ``product_name``)."""
        return getattr(self, dtd_attr.replace("-", "_"), None)


@dataclass(frozen=True)
class SubmissionFile:
    """One rendered document to place in the sequence.

    ``doc_id`` is stable across rebuilds and sequences: it keys the leaf ID and the lifecycle
    (same doc_id with different bytes -> ``replace``). ``name_hint`` proposes the file name (without
    extension); a non-compliant hint gets a compliant derived name. ``headings`` overrides the
    envelope's repeatable-heading attributes for this file (e.g. a second drug substance).
    """

    node_id: str
    doc_id: str
    title: str
    lang: str
    data: bytes
    ext: str = "pdf"
    name_hint: str = ""
    study: StudyInfo | None = None
    headings: HeadingAttributes | None = None


@dataclass(frozen=True)
class Contact:
    """An applicant contact. ``contact_type``/``phone_type`` are FDA codes (fdaact*, fdatnt*)."""

    name: str
    phone: str
    email: str
    contact_type: str = "fdaact1"
    phone_type: str = "fdatnt1"


@dataclass(frozen=True)
class Applicant:
    company_name: str
    duns: str = ""
    contacts: tuple[Contact, ...] = ()


@dataclass(frozen=True)
class Envelope:
    """Sequence-level data. ``sequence`` is the 4-digit folder name; ``related_sequence`` the
    first sequence of the regulatory activity (defaults to ``sequence``)."""

    region: Region
    application_number: str
    sequence: str
    submission_description: str
    applicant: Applicant
    related_sequence: str | None = None
    submission_date: str = ""
    # The region's own envelope codes (FDA us-regional, NMPA cn-envelope, …): each region's Module 1
    # defines and reads its codes record (regions/fda.py FdaCodes, regions/nmpa.py NmpaCodes).
    codes: object | None = None
    headings: HeadingAttributes = field(default_factory=HeadingAttributes)

    @property
    def related(self) -> str:
        return self.related_sequence or self.sequence
