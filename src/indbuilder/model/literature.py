"""Literature references and abbreviations."""

from __future__ import annotations

from .common import Fact, Record, Region, Text


class Reference(Record):
    authors: str
    title: str
    source: str  # journal or publisher, volume and pages
    year: int
    doi: str | None = None
    # What the reference supports, in the writer's words ("mechanism", "dose-selection", "guidance"):
    # templates cite the literature whose topics match, never a reference id written into a template.
    topics: list[str] = []


class Abbreviation(Fact):
    term: str
    meaning: Text


class NotApplicable(Fact):
    """A declaration that an outline node does not apply, with the written justification."""

    node: str
    regions: list[Region] = ["fda", "nmpa"]
    justification: Text


class Attachment(Record):
    """A user-supplied PDF (CRO report, certificate, form) placed at an outline node."""

    node: str
    file: str  # path relative to the project root
    title: Text
    regions: list[Region] = ["fda", "nmpa"]
    # For an agency's fillable form (e.g. the official Form FDA 1571 at node form:fdaft1): a mapping
    # file (PDF field name -> fact path, see indbuilder.pdfcheck.forms) whose values the build
    # writes into the form's fields. Without it the PDF is placed as supplied.
    fill: str | None = None
