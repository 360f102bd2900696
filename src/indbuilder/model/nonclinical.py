"""Nonclinical studies (CTD Module 4 and the 2.4/2.6 summaries)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from .common import Fact, NonNegative, Quantity, Record, Text
from .document import DocumentInfo

StudyCategory = Literal[
    "primary-pharmacodynamics",
    "secondary-pharmacodynamics",
    "safety-pharmacology",
    "pharmacokinetics",
    "biodistribution",
    "single-dose-toxicity",
    "repeat-dose-toxicity",
    "genotoxicity",
    "tumorigenicity",
    "local-tolerance",
    "tissue-cross-reactivity",
    "reproductive-toxicity",
    "immunotoxicity",
    "other-toxicity",
]


class DoseLevel(Fact):
    value: NonNegative  # 0 for a vehicle control group
    unit: str  # "cells/kg" for cell products; "mg/kg" for drugs
    label: str | None = None  # "low", "mid", "high"


class Study(Record):
    study_number: str
    title: Text
    category: StudyCategory
    ich_node: str  # eCTD element the report goes under, e.g. m4-2-3-2-repeat-dose-toxicity
    glp: bool
    glp_statement: Text  # GLP compliance statement or the justification for non-GLP (21 CFR 312.23(a)(8)(iii))
    facility: str  # organisation id
    species: Text
    species_code: Literal["mouse", "hamster", "rat", "guinea-pig", "rabbit", "dog", "minipig", "monkey", "in-vitro", "human-tissue"]
    model: Text | None = None
    route: Text
    route_code: str
    test_article_lots: list[str]
    dose_levels: list[DoseLevel]
    dosing: Text
    duration: Quantity  # in-life duration including recovery/follow-up
    # Experimental start and completion dates (OECD GLP 1.4 / 21 CFR 58.185(a)(2)); the start is checked
    # against the manufacture date of every test-article lot (dates.study-lot).
    start: dt.date | None = None
    end: dt.date | None = None
    noael: DoseLevel | None = None
    key_findings: Text
    toxicokinetics: Text | None = None  # exposure measured in the study (ICH S3A)
    immunogenicity: Text | None = None  # anti-drug antibodies and their effect on exposure (ICH S6(R1) 3.4)
    pivotal: bool = False
    report: str | None = None  # path of a CRO report PDF under content/, if supplied
    # the study report's own title page (title, version, date); the eCTD leaf title is the study title
    # with its number unless document.short_title says otherwise
    document: DocumentInfo | None = None
