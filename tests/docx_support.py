"""Shared helpers for the DOCX writer tests: a hand-built document covering every node type,
and small accessors for reading the written package back."""

from __future__ import annotations

import io
import zipfile

import docx
from lxml import etree

from indbuilder import doctree as dt

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}

HOSTILE = 'USP <71> # $ * @ [ \\ & "quoted" {braces} %percent ~tilde_underscore'


def T(s: str) -> tuple[dt.Inline, ...]:
    return dt.text(s)


def meta(**kw) -> dt.DocMeta:
    base = dict(
        title="Stability Summary and Conclusion",
        ctd_section="3.2.P.8.1",
        element="m3-2-p-8-1-stability-summary-and-conclusion",
        region="fda",
        lang="en",
        product="XYZ-101 Tablets",
        sponsor="Example Pharma & Co.",
        version="2.0",
        date="2026-03-15",
    )
    base.update(kw)
    return dt.DocMeta(**base)


def full_document(**meta_kw) -> dt.Document:
    """Every block and inline node type at least once, Chinese text, hostile characters."""
    blocks: list[dt.Block] = [
        dt.Heading(1, T("Stability Summary"), anchor="sec-summary", numbered="3.2.P.8.1"),
        dt.Paragraph(
            (
                dt.Text(HOSTILE + " "),
                dt.Strong(T("bold")),
                dt.Text(" "),
                dt.Emph(T("italic")),
                dt.Text(" H"),
                dt.Sub(T("2")),
                dt.Text("O m"),
                dt.Sup(T("3")),
                dt.Text(" "),
                dt.Code("assay_pct <= 105"),
                dt.LineBreak(),
                dt.Text("Second line"),
                dt.FootnoteRef("fn1"),
                dt.Text(" and again"),
                dt.FootnoteRef("fn1"),
                dt.Text(" and another"),
                dt.FootnoteRef("fn2"),
            )
        ),
        dt.Paragraph(
            (
                dt.Text("See "),
                dt.Link(T("Table 1"), anchor="tbl-batches"),
                dt.Text(", "),
                dt.Link(T("the stability data"), href="../32p83/stability-data.pdf", anchor="lot-a"),
                dt.Text(", "),
                dt.Link(T("the protocol"), href="stability-protocol.pdf"),
                dt.Text(" and "),
                dt.Link(T("FDA guidance"), url="https://www.fda.gov/media/71582/download"),
                dt.Text("."),
            )
        ),
        dt.ListBlock(
            ordered=False,
            items=[
                [dt.Paragraph(T("Long-term 25 °C/60 % RH"))],
                [
                    dt.Paragraph(T("Accelerated 40 °C/75 % RH")),
                    dt.Paragraph(T("continued item text")),
                    dt.ListBlock(
                        ordered=True,
                        start=3,
                        items=[[dt.Paragraph(T("nested three"))], [dt.Paragraph(T("nested four"))]],
                    ),
                ],
            ],
        ),
        dt.ListBlock(ordered=True, items=[[dt.Paragraph(T("first step"))], [dt.Paragraph(T("second step"))]]),
        dt.Table(
            header=[[dt.Cell(T("Lot")), dt.Cell(T("Assay (%)"), align="right"), dt.Cell(T("Result"))]],
            rows=[
                [dt.Cell(T("A-001")), dt.Cell(T("99.8"), align="right"), dt.Cell(T("Complies"))],
                [dt.Cell(T("A-002")), dt.Cell(T("100.4"), align="right"), dt.Cell(T("Complies"))],
                [dt.Cell(T("Footnote: all lots comply"), colspan=3)],
            ],
            caption=T("Table 1 Batch results"),
            anchor="tbl-batches",
            widths=[2, 1, 1],
        ),
        dt.Note([dt.Paragraph(T("Data are illustrative."))]),
        dt.Quote([dt.Paragraph(T("A quoted passage."))]),
        dt.CodeBlock("assay:\n  limit: 95.0-105.0\n"),
        dt.Paragraph(T("Small print"), style="small"),
        dt.PageBreak(),
        dt.Heading(2, T("结论 Conclusion"), anchor="sec-conclusion"),
        dt.Paragraph(T("稳定性数据支持 24 个月的有效期。")),
        dt.Heading(3, T("Level three")),
        dt.Heading(4, T("Level four")),
        dt.Heading(6, T("Level six clamps to four")),
    ]
    footnotes = {
        "fn1": [dt.Paragraph(T("First footnote text."))],
        "fn2": [dt.Paragraph((dt.Text("Second, with a "), dt.Link(T("link"), url="https://example.org/x")))],
    }
    return dt.Document(meta(**meta_kw), blocks, footnotes)


def open_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def part_xml(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(name))


def part_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.namelist()


def rels(data: bytes, name: str = "word/_rels/document.xml.rels") -> list[dict]:
    root = part_xml(data, name)
    return [dict(r.attrib) for r in root]
