"""Shared helpers for the PDF tests: sample documents, PDF tools, hand-made bad PDFs."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import typst
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from indbuilder import doctree as d

#: Text that would be markup in typst (or Markdown/LaTeX) if it were ever spliced into source.
HOSTILE = [
    "USP <71> sterility",
    "#set text(fill: red)",
    "$x^2 + y$ dollars",
    "*not bold* text",
    "_not italic_ text",
    "@not-a-reference",
    "[square] brackets",
    "back\\slash \\n",
    "`backtick` code",
    "<not-a-label>",
    "// not a comment",
    "/* not a block comment */",
    "#{panic(\"boom\")}",
    "= not a heading",
    "- not a list item",
    "+ not an enum item",
    "~ tilde ~",
    "~~ 'single' \"double\" quotes",
    "#import \"x.typ\": *",
    "%PDF-1.7 (literal)",
    "50% of <= 10 CFU/mL & more",
]


def meta(lang: str = "en", region: str = "fda", **kw) -> d.DocMeta:
    base = dict(
        title="Stability Summary and Conclusion" if lang == "en" else "稳定性总结和结论",
        ctd_section="3.2.P.8.1",
        element="m3-2-p-8-1-stability-summary-and-conclusion",
        region=region,
        lang=lang,
        product="ABC-101 Injection",
        sponsor="Acme Biologics, Inc.",
        version="2.0",
        date="2026-03-01",
    )
    base.update(kw)
    return d.DocMeta(**base)


def table(n_rows: int, anchor: str = "tbl-spec", caption: str = "Table 1 Release specification") -> d.Table:
    return d.Table(
        header=[[d.Cell(d.text("Test")), d.Cell(d.text("Method")), d.Cell(d.text("Acceptance criterion"))]],
        rows=[
            [d.Cell(d.text(f"Attribute {i}")), d.Cell(d.text("USP <71>")), d.Cell(d.text("≤ 10 CFU/mL"), align="right")]
            for i in range(n_rows)
        ],
        caption=d.text(caption),
        anchor=anchor,
    )


def sample_document(lang: str = "en", region: str = "fda", rows: int = 10, **meta_kw) -> d.Document:
    """A document exercising every node type; ``rows`` makes it longer."""
    blocks: list[d.Block] = [
        d.Heading(1, d.text("Introduction" if lang == "en" else "概述"), anchor="intro", numbered="3.2.P.8.1"),
        d.Paragraph(
            (
                d.Text("See "),
                d.Link(d.text("the specification table"), anchor="tbl-spec"),
                d.Text(", "),
                d.Link(d.text("the release specification"), href="../32p5/spec.pdf", anchor="sec-spec"),
                d.Text(" and "),
                d.Link(d.text("the guidance"), url="https://www.fda.gov/media/76797/download"),
                d.FootnoteRef("n1"),
                d.Text(". "),
                d.Emph(d.text("Emphasis")),
                d.Text(" "),
                d.Strong(d.text("strong")),
                d.Text(" 10"),
                d.Sup(d.text("6")),
                d.Text(" H"),
                d.Sub(d.text("2")),
                d.Text("O "),
                d.Code("pH <= 7.4"),
            )
        ),
        d.Heading(2, d.text("Results" if lang == "en" else "结果"), anchor="results"),
        table(rows),
        d.ListBlock(False, [[d.Paragraph(d.text("first item"))], [d.Paragraph(d.text("second item"))]]),
        d.ListBlock(True, [[d.Paragraph(d.text("step one"))], [d.Paragraph(d.text("step two"))]], start=3),
        d.Note([d.Paragraph(d.text("Data are illustrative."))]),
        d.Quote([d.Paragraph(d.text("A quoted sentence."))]),
        d.CodeBlock("lot = 'B-001'  # code\n#let x = 1"),
    ]
    if lang == "zh":
        blocks.append(d.Paragraph(d.text("本品在长期稳定性条件下（5±3℃）放置24个月，各项指标均符合规定。")))
    return d.Document(meta(lang, region, **meta_kw), blocks, {"n1": [d.Paragraph(d.text("FDA guidance, 2019."))]})


def hostile_document(region: str = "fda") -> d.Document:
    blocks: list[d.Block] = [d.Heading(1, d.text("Hostile <heading> #1 $"), anchor="h")]
    blocks += [d.Paragraph(d.text(s)) for s in HOSTILE]
    blocks.append(
        d.Table(
            header=[[d.Cell(d.text("<col> #a")), d.Cell(d.text("$b$"))]],
            rows=[[d.Cell(d.text(HOSTILE[i])), d.Cell(d.text(HOSTILE[-1 - i]))] for i in range(3)],
            caption=d.text("Caption [x] @y <z>"),
        )
    )
    blocks.append(d.Paragraph((d.Text("note"), d.FootnoteRef("f"))))
    blocks.append(d.CodeBlock("\n".join(HOSTILE[:4])))
    return d.Document(
        meta(region=region, title="Title <T> #x $y$ [z]", product="P*r*o_d_", sponsor="S @s \\ co",
             disclaimer="Illustrative data - #not [for] <regulatory> use"),
        blocks,
        {"f": [d.Paragraph(d.text("Footnote // #x <y> $z$"))]},
    )


def tool(*args: str) -> str:
    """Run a poppler tool and return its stdout."""
    assert shutil.which(args[0]), f"{args[0]} (poppler-utils) is required for the PDF tests"
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def typst_pdf(source: str, **kw) -> bytes:
    """A PDF compiled straight from typst source (for test inputs the writer would never make)."""
    return typst.compile(source.encode(), **kw)


def fillable_pdf() -> bytes:
    """A one-page PDF with an AcroForm: text fields SponsorName, IndNumber, Phase and a check box."""
    w = PdfWriter()
    page = w.add_blank_page(612, 792)
    font = w._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    fields = ArrayObject()
    annots = ArrayObject()

    def rect(i: int) -> ArrayObject:
        y = 700 - 40 * i
        return ArrayObject([FloatObject(72), FloatObject(y), FloatObject(372), FloatObject(y + 20)])

    for i, name in enumerate(["SponsorName", "IndNumber", "Phase"]):
        ref = w._add_object(
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Annot"),
                    NameObject("/Subtype"): NameObject("/Widget"),
                    NameObject("/FT"): NameObject("/Tx"),
                    NameObject("/T"): TextStringObject(name),
                    NameObject("/Rect"): rect(i),
                    NameObject("/F"): NumberObject(4),
                    NameObject("/DA"): TextStringObject("/Helv 10 Tf 0 g"),
                    NameObject("/V"): TextStringObject(""),
                    NameObject("/P"): page.indirect_reference,
                }
            )
        )
        fields.append(ref)
        annots.append(ref)

    def ap_stream() -> object:
        s = DecodedStreamObject()
        s.set_data(b"0 0 m 10 10 l S")
        s[NameObject("/Type")] = NameObject("/XObject")
        s[NameObject("/Subtype")] = NameObject("/Form")
        s[NameObject("/BBox")] = ArrayObject([FloatObject(0), FloatObject(0), FloatObject(12), FloatObject(12)])
        return w._add_object(s)

    box = w._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Widget"),
                NameObject("/FT"): NameObject("/Btn"),
                NameObject("/T"): TextStringObject("Box1"),
                NameObject("/Rect"): ArrayObject([FloatObject(72), FloatObject(500), FloatObject(84), FloatObject(512)]),
                NameObject("/F"): NumberObject(4),
                NameObject("/V"): NameObject("/Off"),
                NameObject("/AS"): NameObject("/Off"),
                NameObject("/AP"): DictionaryObject(
                    {NameObject("/N"): DictionaryObject({NameObject("/Yes"): ap_stream(), NameObject("/Off"): ap_stream()})}
                ),
                NameObject("/P"): page.indirect_reference,
            }
        )
    )
    fields.append(box)
    annots.append(box)
    page[NameObject("/Annots")] = annots
    w._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {
            NameObject("/Fields"): fields,
            NameObject("/DA"): TextStringObject("/Helv 0 Tf 0 g"),
            NameObject("/DR"): DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/Helv"): font})}),
        }
    )
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()
