"""Sponsor, organisations (manufacturers, CROs, suppliers) and the regulatory envelope."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from .common import Address, Fact, Person, Record, Text


class Contact(Person):
    role: Literal["regulatory", "technical", "us-agent", "medical"] = "regulatory"


class Organisation(Record):
    name: Text
    kind: Literal["sponsor", "manufacturer", "cro", "supplier", "testing-lab"]
    address: Address
    duns: str | None = Field(default=None, pattern=r"^\d{9}$")
    responsibilities: Text | None = None


class Sponsor(Record):
    name: Text
    address: Address
    duns: str = Field(pattern=r"^\d{9}$")
    contacts: list[Contact]
    signatory: Person


class Meeting(Record):
    kind: Text
    date: dt.date
    agency: Literal["fda", "nmpa"]
    reference: str
    summary: Text


class FdaEnvelope(Fact):
    application_number: str = Field(pattern=r"^\d{6}$")
    submission_type: str = "fdast1"
    submission_sub_type: str = "fdasst3"
    description: str = Field(max_length=128)


class NmpaEnvelope(Fact):
    application_id: str
    application_type: str = "cnapt1"
    product_type: str = "cnprt2"
    regulatory_activity: str = "cnrat1"
    sequence_type: str = "cnsqt1"
    description: str = Field(max_length=120)


class Regulatory(Fact):
    """Submission-level facts shared by the regional backbones and Module 1 documents."""

    fda: FdaEnvelope
    nmpa: NmpaEnvelope
    meetings: list[Meeting] = []
    environmental_assessment: Text  # categorical exclusion claim, 21 CFR 25.31(e)
    ib_version: str
    ib_date: dt.date
    protocol_ref: str  # id of the protocol
