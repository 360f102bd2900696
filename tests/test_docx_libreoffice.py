"""An independent consumer opens the DOCX: LibreOffice converts it to PDF; poppler reads it back.

One document only (LibreOffice start-up is slow). soffice, pdftotext and pdfinfo are required
(Debian: libreoffice-writer-nogui, poppler-utils); the test fails, not skips, without them.
"""

from __future__ import annotations

import subprocess

import pypdf

from docx_support import HOSTILE, full_document

from indbuilder.writers.docx import write_docx


def test_libreoffice_converts_and_pdf_shows_the_content(tmp_path):
    doc = full_document(toc=True, disclaimer="Illustrative data - not for regulatory use")
    src = tmp_path / "stability-summary.docx"
    src.write_bytes(write_docx(doc))
    profile = tmp_path / "lo-profile"  # private profile: no clash with a running soffice
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = tmp_path / "stability-summary.pdf"
    assert pdf.exists()
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for needle in (
        "Stability Summary and Conclusion",
        "3.2.P.8.1 Stability Summary",
        "结论 Conclusion",
        "稳定性数据支持 24 个月的有效期。",
        "Level six clamps to four",
        "Table 1 Batch results",
        "First footnote text.",
        "Illustrative data - not for regulatory use",
        "USP <71>",
    ):
        assert needle in text, needle
    assert " ".join(HOSTILE.split()) in " ".join(text.split())
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 2  # the page break is honoured
    assert "612 x 792" in info  # Letter for an FDA document
    # footer fields were computed by LibreOffice: "Page 2 of N" on the second page
    assert f"Page 2 of {pages}" in text
    # LibreOffice read the structure, not just the text: headings became PDF outline entries,
    # bookmark links became in-document destinations, relative links stayed relative.
    reader = pypdf.PdfReader(str(pdf))

    def titles(items) -> list[str]:
        out = []
        for item in items:
            out.extend(titles(item) if isinstance(item, list) else [item.title])
        return out

    outline = titles(reader.outline)
    assert "3.2.P.8.1 Stability Summary" in outline and "Level four" in outline
    uris, internal = [], 0
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            action = a.get("/A")
            if action is not None and action.get("/S") == "/URI":
                uris.append(action["/URI"])
            elif a.get("/Dest") is not None or (action is not None and action.get("/S") == "/GoTo"):
                internal += 1
    assert "../32p83/stability-data.pdf#lot-a" in uris
    assert "stability-protocol.pdf" in uris
    assert internal >= 1 + 5  # the "Table 1" link and the five TOC entries
