"""Independent validation of the written package against the ECMA-376 schemas and Word's
app-compat rules, with openxml-audit (pure-Python port of the Open XML SDK validator)."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx_support import full_document
from openxml_audit import OpenXmlValidator
from test_docx_diagnostics import CASES

from indbuilder import doctree as dt
from indbuilder.writers.docx import write_docx


def _errors(data: bytes, tmp_path, name: str = "doc.docx") -> list[str]:
    path = tmp_path / name
    path.write_bytes(data)
    result = OpenXmlValidator(max_errors=0).validate(str(path))
    return [str(e) for e in result.errors]


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"toc": True, "disclaimer": "Illustrative data - not for regulatory use"},
        {"lang": "zh", "region": "nmpa", "toc": True, "title": "稳定性总结"},
    ],
    ids=["plain", "toc-disclaimer", "zh"],
)
def test_full_document_is_schema_valid(kw, tmp_path):
    assert _errors(write_docx(full_document(**kw)), tmp_path) == []


@pytest.mark.parametrize("rule", sorted(CASES))
def test_documents_with_content_problems_are_still_valid(rule, tmp_path):
    assert _errors(write_docx(CASES[rule]), tmp_path) == []


def test_toc_without_headings_is_valid(tmp_path):
    doc = dt.Document(full_document(toc=True).meta, [dt.Paragraph(dt.text("no headings"))])
    assert _errors(write_docx(doc), tmp_path) == []


def test_validator_catches_a_broken_package(tmp_path):
    """Negative control: the same check fails once document.xml breaks the schema."""
    data = write_docx(full_document())
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            content = src.read(name)
            if name == "word/document.xml":
                # w:jc must come after w:pStyle inside w:pPr
                content = content.replace(
                    b'<w:pPr><w:pStyle w:val="Title"/></w:pPr>',
                    b'<w:pPr><w:jc w:val="center"/><w:pStyle w:val="Title"/></w:pPr>',
                    1,
                )
            dst.writestr(name, content)
    errors = _errors(out.getvalue(), tmp_path, "broken.docx")
    assert errors and "pStyle" in errors[0]


def _edge_documents() -> dict[str, dt.Document]:
    T = dt.text
    m = full_document().meta
    table = dt.Table(header=[[dt.Cell(T("h1")), dt.Cell(T("h2"))]], rows=[[dt.Cell(T("v"), colspan=2)]])
    return {
        "empty": dt.Document(m, []),
        "table-in-list": dt.Document(m, [dt.ListBlock(True, [[dt.Paragraph(T("i")), table]], start=5)]),
        "item-starting-with-list": dt.Document(
            m, [dt.ListBlock(False, [[dt.ListBlock(False, [[dt.Paragraph(T("deep"))]])]])]
        ),
        "adjacent-tables": dt.Document(m, [table, table]),
        "note-quote-nesting": dt.Document(
            m,
            [
                dt.Note([dt.CodeBlock("x = 1"), dt.Quote([dt.Paragraph(T("q"))])], kind="warning"),
                dt.Quote([dt.ListBlock(False, [[dt.Paragraph(T("in quote"))]])]),
            ],
        ),
        "footnote-starting-with-table": dt.Document(
            m,
            [dt.Paragraph((dt.Text("x"), dt.FootnoteRef("t")))],
            footnotes={"t": [table, dt.ListBlock(False, [[dt.Paragraph(T("li"))]])]},
        ),
        "heading-with-link-and-note": dt.Document(
            m,
            [
                dt.Heading(1, (dt.Text("See "), dt.Link(T("x"), url="https://e.org"), dt.FootnoteRef("n")), anchor="h"),
                dt.Heading(2, T("inner")),
            ],
            footnotes={"n": [dt.Paragraph(T("note"))]},
        ),
    }


@pytest.mark.parametrize("name", sorted(_edge_documents()))
def test_edge_documents_are_valid(name, tmp_path):
    doc = _edge_documents()[name]
    doc.meta.toc = True
    assert _errors(write_docx(doc), tmp_path) == []
