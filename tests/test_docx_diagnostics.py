"""Each docx.* rule fires on content built to break it, and stays quiet on good content."""

from __future__ import annotations

import pytest
from docx_support import full_document, meta, open_docx

from indbuilder import doctree as dt
from indbuilder.diagnostics import Diagnostics, Severity
from indbuilder.writers.docx import RULES, write_docx

T = dt.text


def _rules(doc: dt.Document) -> tuple[list[str], Diagnostics, bytes]:
    diags = Diagnostics()
    data = write_docx(doc, diags)
    return [d.rule for d in diags], diags, data


def test_good_document_is_quiet():
    assert _rules(full_document(toc=True, disclaimer="x"))[0] == []


CASES = {
    "docx.anchor-missing": dt.Document(meta(), [dt.Paragraph((dt.Link(T("go"), anchor="sec-nowhere"),))]),
    "docx.anchor-duplicate": dt.Document(
        meta(), [dt.Heading(1, T("A"), anchor="same"), dt.Heading(1, T("B"), anchor="same")]
    ),
    "docx.link-no-target": dt.Document(meta(), [dt.Paragraph((dt.Link(T("dangling")),))]),
    "docx.href-not-relative": dt.Document(
        meta(), [dt.Paragraph((dt.Link(T("abs"), href="C:\\sub\\m3\\x.pdf"),))]
    ),
    "docx.footnote-missing": dt.Document(meta(), [dt.Paragraph((dt.Text("x"), dt.FootnoteRef("ghost")))]),
    "docx.footnote-unused": dt.Document(
        meta(), [dt.Paragraph(T("no refs"))], footnotes={"orphan": [dt.Paragraph(T("never cited"))]}
    ),
    "docx.footnote-nested": dt.Document(
        meta(),
        [dt.Paragraph((dt.Text("x"), dt.FootnoteRef("a")))],
        footnotes={
            "a": [dt.Paragraph((dt.Text("see"), dt.FootnoteRef("b")))],
            "b": [dt.Paragraph(T("inner"))],
        },
    ),
    "docx.invalid-char": dt.Document(meta(), [dt.Paragraph(T("bell\x07 and vt\x0b"))]),
    "docx.table-ragged": dt.Document(
        meta(), [dt.Table(header=[[dt.Cell(T("a")), dt.Cell(T("b"))]], rows=[[dt.Cell(T("1"))]])]
    ),
    "docx.table-empty": dt.Document(
        meta(), [dt.Table(header=[], rows=[], caption=T("Table 9 Nothing"), anchor="tbl-9")]
    ),
    "docx.meta-date": dt.Document(meta(date="15/03/2026"), [dt.Paragraph(T("x"))]),
}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_fires_once_and_document_is_still_written(rule):
    fired, diags, data = _rules(CASES[rule])
    assert rule in fired
    assert RULES[rule].summary  # registered, with a summary
    d = next(x for x in diags if x.rule == rule)
    assert d.severity is RULES[rule].severity
    assert "m3-2-p-8-1-stability-summary-and-conclusion" in d.message  # names the document
    assert open_docx(data).paragraphs  # still a readable document


def test_messages_name_the_offending_value():
    messages = {r: next(d.message for d in _rules(doc)[1] if d.rule == r) for r, doc in CASES.items()}
    assert "'sec-nowhere'" in messages["docx.anchor-missing"]
    assert "'same'" in messages["docx.anchor-duplicate"]
    assert "C:\\\\sub" in messages["docx.href-not-relative"]
    assert "[^ghost]" in messages["docx.footnote-missing"]
    assert "[^orphan]" in messages["docx.footnote-unused"]
    assert "U+0007" in messages["docx.invalid-char"] and "U+000B" in messages["docx.invalid-char"]
    assert "'15/03/2026'" in messages["docx.meta-date"]


def test_broken_references_stay_visible_in_the_output():
    data = _rules(CASES["docx.footnote-missing"])[2]
    assert "[ghost]" in open_docx(data).paragraphs[-1].text
    data = _rules(CASES["docx.invalid-char"])[2]
    assert "bell and vt" in [p.text for p in open_docx(data).paragraphs]


def test_relative_hrefs_are_not_flagged():
    for href in ("x.pdf", "../32p8/x.pdf", "../../0001/m1/us/cover.pdf", "sub dir/x.pdf"):
        doc = dt.Document(meta(), [dt.Paragraph((dt.Link(T("ok"), href=href),))])
        assert _rules(doc)[0] == [], href
    for href in ("/abs/x.pdf", "file:///x.pdf", "https://example.org/x.pdf", "..\\x.pdf"):
        doc = dt.Document(meta(), [dt.Paragraph((dt.Link(T("bad"), href=href),))])
        assert _rules(doc)[0] == ["docx.href-not-relative"], href


def test_missing_footnote_is_an_error():
    assert RULES["docx.footnote-missing"].severity is Severity.ERROR
    assert set(RULES) == set(CASES)  # every rule has a firing case above
