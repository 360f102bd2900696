"""The parts of a sequence envelope every region fills the same way: applicant, contacts, headings.

Each region module adds its own application number and codes (see ``fda.py``, ``nmpa.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..config import ProjectConfig
    from ..ectd.model import Envelope
    from ..model.dossier import Dossier

# Contact roles -> us-regional applicant-contact-type codes (FDA M1 spec v2.6; applicant-contact-type.xml).
_CONTACT_TYPE = {"regulatory": "fdaact1", "technical": "fdaact2", "us-agent": "fdaact3", "medical": "fdaact2"}


def build_envelope(
    config: "ProjectConfig",
    d: "Dossier",
    region: str,
    lang: str,
    application_number: str,
    description: str,
    codes: object | None = None,
) -> "Envelope":
    """The sequence envelope of ``region``: the region's application number, description and codes,
    plus what every region takes from the facts: applicant (sponsor name and contacts in ``lang``),
    sequence, date and repeatable-heading values."""
    from ..ectd.model import Applicant, Contact, Envelope, HeadingAttributes

    sponsor, product = d.sponsor, d.product
    if sponsor is None or product is None:  # the facts' schema requires both; a build never gets here without
        raise ValueError("an eCTD envelope needs the sponsor and product facts")
    contacts = tuple(
        Contact(
            name=c.name.get(lang),
            phone=c.phone or "",
            email=c.email or "",
            contact_type=_CONTACT_TYPE.get(c.role, "fdaact1"),
        )
        for c in sponsor.contacts
    )
    manufacturer = next((o for o in d.organisations if o.id == product.manufacturer_id), None)
    headings = HeadingAttributes(
        substance=product.substance_name,
        manufacturer=manufacturer.name.en if manufacturer else sponsor.name.en,
        product_name=product.name.en,
        dosageform=product.dosage_form.en,
        indication=product.indication.en,
    )
    return Envelope(
        region=region,
        application_number=application_number,
        sequence=config.settings.sequence,
        submission_description=description,
        applicant=Applicant(sponsor.name.get(lang), sponsor.duns, contacts),
        submission_date=config.submission_date.isoformat(),
        codes=codes,
        headings=headings,
    )
