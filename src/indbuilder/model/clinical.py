"""The clinical protocol, sites and investigators (CTD Module 5 and FDA Form 1572)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from .common import Address, Count, Fact, NonNegative, Person, Positive, Quantity, Record, Text


class Objective(Record):
    kind: Literal["primary", "secondary", "exploratory"]
    text: Text
    endpoints: list[str]  # endpoint ids


class Endpoint(Record):
    kind: Literal["primary", "secondary", "exploratory"]
    text: Text
    assessments: list[str]  # assessment ids in the schedule that measure it


class Cohort(Record):
    dose: NonNegative
    unit: Literal["cells/kg", "cells", "mg/kg", "mg", "vg/kg", "vg"]
    subjects: int = Field(ge=1)


class Repeat(Fact):
    """A visit that recurs: every ``every`` from its day until ``until`` after dosing (Day 1), e.g. yearly
    long-term follow-up contacts from Year 6 to Year 15."""

    every: Quantity  # e.g. {value: 1, unit: years}
    until: Quantity  # time after dosing of the last occurrence, e.g. {value: 15, unit: years}


class Visit(Record):
    name: Text
    day: int
    window: Text | None = None
    # on-site: the participant comes to the site (examination, samples); remote: telephone, video or
    # questionnaire contact, where nothing can be measured on the participant.
    contact: Literal["on-site", "remote"] = "on-site"
    repeat: Repeat | None = None


class Assessment(Record):
    name: Text
    visits: list[str]  # visit ids
    remote: bool = False  # can be done at a remote contact (history, adverse events by telephone or questionnaire)
    through: Quantity | None = None  # done until this time after dosing, e.g. {value: 15, unit: years}


class Ltfu(Fact):
    years: Count
    description: Text


class DoseEstimate(Fact):
    """A human dose estimate a starting dose may rest on: the minimal anticipated biological effect level
    (MABEL; EMA EMEA/CHMP/SWP/28367/07 Rev. 1, 2017) or the pharmacologically active dose (PAD; FDA MRSD
    guidance 2005, step 5)."""

    value: Positive
    unit: str  # a human dose unit, e.g. "mg/kg" or "mg"
    justification: Text  # receptor occupancy / in vitro potency data it is derived from


class StartingDose(Fact):
    """How the first cohort's dose is justified (FDA MRSD guidance 2005; EMA FIH guideline 2017)."""

    basis: Literal["noael", "mabel", "pad"] = "noael"
    study: str | None = None  # the NOAEL study; default protocol.starting_dose_basis
    # mg/kg: no body-surface-area conversion (FDA 2005 guidance V.B: proteins > 100 kDa given intravascularly)
    scaling: Literal["bsa", "mg/kg"] | None = None
    mabel: DoseEstimate | None = None
    pad: DoseEstimate | None = None


class Protocol(Record):
    number: str
    version: str
    date: dt.date
    title: Text
    short_title: Text
    phase: Literal["1", "1/2", "2", "3"]
    design: Text
    rationale: Text
    population: Text
    # the heaviest participant the eligibility criteria allow (kg): per-kg doses of one lot are checked against it
    max_body_weight: Quantity | None = None
    inclusion: list[Text]
    exclusion: list[Text]
    sample_size: int = Field(ge=1)
    objectives: list[Objective]
    endpoints: list[Endpoint]
    route_code: str
    dosing: Text
    cohorts: list[Cohort] = Field(min_length=1)
    dose_escalation: Text
    stopping_rules: list[Text]
    dlt_definition: Text
    visits: list[Visit]
    assessments: list[Assessment]
    ltfu: Ltfu | None = None  # gene therapies: long-term follow-up (FDA LTFU guidance 2020)
    treatment_duration: Quantity  # dosing period
    follow_up: Quantity  # main-study follow-up after dosing
    safety_factor: Positive = 10.0  # minimum margin between NOAEL-derived dose and starting dose
    starting_dose_basis: str  # study id whose NOAEL justifies the starting dose
    starting_dose: StartingDose | None = None  # MABEL/PAD basis or mg/kg scaling when declared
    # eCTD Module 5 element that holds the protocol, ICF and investigator list with their Study
    # Tagging File (ICH M4E 5.3, ICH eCTD STF 2.6.1); a first-in-patient tolerability study by default.
    ich_node: str = "m5-3-3-2-patient-pk-and-initial-tolerability-study-reports"


class Investigator(Record):
    name: Text
    role: Literal["principal", "sub-investigator"]
    degree: str
    cv_date: dt.date | None = None


class Site(Record):
    name: Text
    address: Address
    country: Literal["US", "CN"]
    irb: Text
    investigators: list[Investigator]
    laboratories: list[Text] = []


class ConsentEssentials(Fact):
    """Elements of informed consent, 21 CFR 50.25 / NMPA GCP 第二十四条."""

    version: str
    date: dt.date
    # the ICF's own title (title page, PDF metadata, eCTD leaf title); default "Informed Consent Form"
    title: Text | None = None
    purpose: Text
    procedures: Text
    risks: Text
    benefits: Text
    alternatives: Text
    confidentiality: Text
    compensation: Text
    contacts: Text
    voluntary: Text
    ltfu: Text | None = None  # gene therapies: what long-term follow-up asks of the participant
