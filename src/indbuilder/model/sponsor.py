"""Sponsor, organisations (manufacturers, CROs, suppliers) and the regulatory envelope."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from .common import Address, Fact, Person, Record, Region, Text


class Contact(Person):
    # "monitor": person monitoring the investigation (Form 1571, 21 CFR 312.23(a)(1)(vi));
    # "safety": person reviewing safety information under 21 CFR 312.32 (312.23(a)(1)(vii)).
    role: Literal["regulatory", "technical", "us-agent", "medical", "monitor", "safety"] = "regulatory"


class Organisation(Record):
    name: Text
    # "agent": registration agent of an overseas applicant in China (NMPA M1 1.11.3)
    kind: Literal["sponsor", "manufacturer", "cro", "supplier", "testing-lab", "agent"]
    address: Address
    duns: str | None = Field(default=None, pattern=r"^\d{9}$")
    responsibilities: Text | None = None
    regions: list[Region] = ["fda", "nmpa"]  # submissions in which the organisation acts


class Sponsor(Record):
    name: Text
    address: Address
    duns: str = Field(pattern=r"^\d{9}$")
    contacts: list[Contact]
    signatory: Person


class Meeting(Record):
    kind: Text
    date: dt.date
    agency: Region
    reference: str
    summary: Text


class FdaEnvelope(Fact):
    application_number: str = Field(pattern=r"^\d{6}$")
    submission_type: str = "fdast1"
    submission_sub_type: str = "fdasst3"
    description: str = Field(max_length=128)
    # The reviewing centre follows from the modality (CDER for chemical drugs and most proteins, CBER
    # for cell and gene therapies); a protein CBER keeps (e.g. a vaccine antigen) states it here.
    centre: Literal["CDER", "CBER"] | None = None


class NmpaEnvelope(Fact):
    application_id: str
    application_type: str = "cnapt1"
    product_type: str | None = None  # None: from the modality (cnprt1 化学药品, cnprt2 生物制品)
    regulatory_activity: str = "cnrat1"
    sequence_type: str = "cnsqt1"
    description: str = Field(max_length=120)
    registration_class: Text | None = None  # 注册分类, e.g. 治疗用生物制品1类 (生物制品注册分类及申报资料要求, 2020)


class CtGovCertification(Fact):
    """Form FDA 3674 certification of compliance with 42 U.S.C. 282(j) (ClinicalTrials.gov)."""

    status: Literal["not-applicable", "will-register", "registered"]
    nct_number: str | None = Field(default=None, pattern=r"^NCT\d{8}$")
    statement: Text


class Patent(Fact):
    """A patent or application relevant to the product (NMPA M1 1.3.8.2 专利信息及证明文件)."""

    number: str
    title: Text
    holder: Text
    status: Text  # e.g. granted, pending
    expiry: dt.date | None = None


class Regulatory(Fact):
    """Submission-level facts shared by the regional backbones and Module 1 documents."""

    fda: FdaEnvelope | None = None  # required when fda is a region
    nmpa: NmpaEnvelope | None = None  # required when nmpa is a region
    meetings: list[Meeting] = []
    environmental_assessment: Text  # categorical exclusion claim, 21 CFR 25.31(e)
    ib_version: str
    ib_date: dt.date
    ib_title: Text | None = None  # the IB's own title (title page, eCTD leaf title); default "Investigator's Brochure"
    protocol_ref: str  # id of the protocol
    ctgov: CtGovCertification | None = None  # Form FDA 3674
    patents: list[Patent] = []
    patent_statement: Text | None = None  # non-infringement statement (《药品注册管理办法》 and M1 1.3.8.2)
