"""Shared helpers for the eCTD tests: standards folder, small PDFs (pypdf), FDA/NMPA dossiers."""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import replace
from pathlib import Path

from pypdf import PdfWriter

from indbuilder.regions.nmpa import NmpaCodes
from indbuilder.ectd import (Applicant, Contact, Envelope, HeadingAttributes, StudyInfo,
                             SubmissionFile)

REPO = Path(__file__).resolve().parents[1]
STANDARDS = Path(os.environ.get("INDBUILDER_STANDARDS", REPO / ".." / "shared" / "reference" / "ectd")).resolve()


def pdf(text: str, pages: int = 1) -> bytes:
    """A small, valid PDF whose bytes depend on ``text``."""
    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(612, 792)
    w.add_metadata({"/Title": text})
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


HEADINGS = HeadingAttributes(substance="acmezumab", manufacturer="Acme Bio", product_name="Acmezumab injection",
                             dosageform="injection", indication="asthma")
CONTACT = Contact("Jane Roe", "+1 555 0100", "jane.roe@acme.example")


def fda_envelope(sequence: str = "0000", **kw) -> Envelope:
    return Envelope(region="fda", application_number="123456", sequence=sequence,
                    submission_description="Initial IND", applicant=Applicant("Acme Bio Inc.", "123456789", (CONTACT,)),
                    headings=HEADINGS, **kw)


def nmpa_envelope(sequence: str = "0000", **kw) -> Envelope:
    return Envelope(region="nmpa", application_number="CXSL2600001", sequence=sequence,
                    submission_description="首次临床试验申请", applicant=Applicant("Acme Bio", "", (CONTACT,)),
                    codes=NmpaCodes(product_type="cnprt2"), headings=HEADINGS, **kw)


def fda_files(sequence: str = "0000") -> list[SubmissionFile]:
    """An FDA IND dossier; the cover letter and Form FDA 1571 are signed per sequence (so differ)."""
    f = SubmissionFile
    return [
        f("m1-2-cover-letters", "cover", "Cover Letter", "en", pdf(f"cover {sequence}"), name_hint="cover-letter"),
        f("form:fdaft1", "form-1571", "Form FDA 1571", "en", pdf(f"1571 {sequence}"), name_hint="form-1571"),
        f("form:fdaft7", "form-3674", "Form FDA 3674", "en", pdf("3674"), name_hint="form-3674"),
        f("m1-14-4-1-investigational-brochure", "ib", "Investigator's Brochure", "en", pdf("ib"),
          name_hint="Investigator's Brochure v2"),
        f("m1-20-general-investigational-plan-for-initial-ind", "gip", "General Investigational Plan", "en",
          pdf("gip"), name_hint="general-investigational-plan"),
        f("m2-3-quality-overall-summary", "qos", "Quality Overall Summary", "en", pdf("qos"), name_hint="qos"),
        f("m3-2-s-1-1-nomenclature", "s11", "Nomenclature", "en", pdf("s11"), name_hint="nomenclature"),
        f("m3-2-p-8-1-stability-summary-and-conclusion", "p81", "Stability Summary and Conclusion", "en",
          pdf("p81"), name_hint="stability-summary"),
        f("m4-2-3-2-repeat-dose-toxicity", "tox-001", "28-Day Repeat-Dose Toxicity Study in Rats", "en",
          pdf("tox-001"), name_hint="tox-001-report",
          study=StudyInfo("TOX-001", "28-Day Repeat-Dose Toxicity Study in Rats", "pre-clinical-study-report",
                          (("species", "ich", "rat"),))),
        f("m5-3-5-1-study-reports-of-controlled-clinical-studies-pertinent-to-the-claimed-indication", "csr-101",
          "Clinical Study Report ACME-101", "en", pdf("csr-101"), name_hint="csr-acme-101",
          study=StudyInfo("ACME-101", "A Phase 2 Study of Acmezumab in Asthma")),
    ]


# NMPA IND original submission: the nodes NMPA validation rule 4.3.5 makes mandatory
CN_MANDATORY_LEAVES = ("cn-1-0", "cn-1-2", "cn-1-3-1-1", "cn-1-3-2-1", "cn-1-3-3", "cn-1-3-4-1", "cn-1-3-4-2",
                       "cn-1-3-4-3", "cn-1-3-8-1", "cn-1-3-8-2", "cn-1-11-2")


def nmpa_files() -> list[SubmissionFile]:
    out = [SubmissionFile(node, f"cn-{node}", f"文件 {node}", "zh", pdf(node), name_hint=f"doc-{node[3:]}")
           for node in CN_MANDATORY_LEAVES]
    out.append(SubmissionFile("m3-2-p-8-1-stability-summary-and-conclusion", "p81", "稳定性总结", "zh", pdf("p81zh"),
                              name_hint="stability-summary"))
    return out


def with_data(files: list[SubmissionFile], doc_id: str, data: bytes) -> list[SubmissionFile]:
    return [replace(f, data=data) if f.doc_id == doc_id else f for f in files]


def rules(diags) -> list[str]:
    return [d.rule for d in diags]


def errors(diags) -> list[str]:
    return [d.format() for d in diags if d.severity.value == "error"]


def copy_standards(dst: Path) -> Path:
    """Writable copy of the standards folder (the reference files are read-only), bytes unchanged."""
    for p in STANDARDS.rglob("*"):
        if p.is_file():
            target = dst / p.relative_to(STANDARDS)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(p.read_bytes())
    return dst
