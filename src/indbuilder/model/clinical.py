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


class Contraception(Fact):
    """What the protocol requires of participants of reproductive potential (ICH M3(R2) 11.3; FDA guidance
    on long-term follow-up of gene therapy products, 2020, for an integrating vector)."""

    duration: Quantity  # how long after (the last) dosing contraception is required, e.g. {value: 12, unit: months}
    description: Text  # who must use which methods, as the protocol states it


class ProhibitedMedication(Record):
    """A medication or class the protocol prohibits, with the period it is prohibited for (ICH M11 6.x
    concomitant therapy)."""

    name: Text  # the medication or class as documents name it, e.g. "glucose-lowering agents"
    details: Text | None = None  # exceptions, rescue use, what to do if it is needed
    before_dosing: Quantity | None = None  # prohibited for this long before dosing
    after_dosing: Quantity | None = None  # prohibited for this long after dosing (none: for the whole study)


class ConcomitantMedications(Fact):
    """The protocol's concomitant-medication section: what participants may and may not take (ICH M11
    section 6 "Trial intervention and concomitant therapy"; ICH E6(R3) Appendix B)."""

    permitted: list[Text] = []  # medications allowed, with conditions (e.g. stable background therapy)
    prohibited: list[ProhibitedMedication] = []
    rescue: Text | None = None  # rescue medication and when it is used


class SampleExport(Fact):
    """Samples collected at the sites of one country and tested in another. Samples from participants in
    China are human genetic resources: they leave China only under an approval of the Ministry of Science
    and Technology (人类遗传资源管理条例, 2019, Art. 27-28; 实施细则, 2023)."""

    from_country: Literal["US", "CN"]  # where the samples are collected (a site country)
    to_country: str  # ISO 3166 code of the testing laboratory's country, e.g. US
    laboratory: Text  # the laboratory that tests them
    samples: Text  # which samples, for which assays, and what happens to them after testing
    approval: Text  # the approval or filing under which they leave the country (e.g. HGR export approval)


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
    contraception: Contraception | None = None  # contraception participants must use, and for how long
    concomitant_medications: ConcomitantMedications | None = None  # permitted and prohibited medications
    # Human genetic resources: how samples of participants in China are collected, kept and used (人类遗传资源管理条例)
    human_genetic_resources: Text | None = None
    sample_export: list[SampleExport] = []  # samples tested in another country than where they are taken
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
    contraception: Text | None = None  # the contraception the protocol requires, and for how long
    sample_export: Text | None = None  # which samples leave the country, where to, and under which approval
