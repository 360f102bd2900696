"""A document's own identity: the title, version and date printed on its title page.

A record that *is* a document (a nonclinical study's report, for instance) carries a ``document``
sub-record; records that already hold their document's version and date (the protocol, the informed
consent form, the Investigator's Brochure in ``regulatory``) carry a ``title`` beside them, and a
narrative says the same in its front matter (``title``, ``short_title``, ``version``, ``date``).

The title is used for the title page, the PDF metadata (/Title), the first bookmark and, shortened to
``short_title`` when given, the eCTD leaf title (ICH eCTD v3.2.2 leaf ``title``; FDA eCTD Technical
Conformance Guide: concise, no file name, no CTD section number). A document without an identity of
its own is titled with its CTD heading and dated on the submission date.
"""

from __future__ import annotations

import datetime as dt

from .common import Fact, Text


class DocumentInfo(Fact):
    """The title page of one document: its own title, short title (eCTD leaf title), version and date."""

    title: Text | None = None  # the document's full title; default: the record's own title or the CTD heading
    short_title: Text | None = None  # concise eCTD leaf title (unique within its eCTD section)
    version: str | None = None  # e.g. "1.0", "Final", "Amendment 1"
    date: dt.date | None = None  # the document's own date (not later than the submission date)
