"""Generated figures: Markdown ``![caption](structure:product)`` -> doctree Figure -> DOCX and PDF."""

from __future__ import annotations

import io
import zipfile
from types import SimpleNamespace as NS

import docx
import pytest
from pypdf import PdfReader

from indbuilder import chem
from indbuilder import doctree as dt
from indbuilder.diagnostics import Diagnostics
from indbuilder.render.figures import FIGURE_KINDS, FigureImage, figure_resolver
from indbuilder.render.markdown import FigureError, MarkdownSource, SourceMap, markdown_to_blocks
from indbuilder.writers.docx import write_docx
from indbuilder.writers.pdf import render_pdf, typst_inputs

CAFFEINE = "CN1C=NC2=C1C(=O)N(C(=O)N2C)C"
CONTEXT = {"product": NS(code="XYZ-123", structure=NS(smiles=CAFFEINE))}


def convert(text: str, context=CONTEXT, source_map: SourceMap | None = None):
    diags = Diagnostics()
    res = markdown_to_blocks(MarkdownSource(text, "s12.md"), diags, None, source_map, figure_resolver(context))
    return res.blocks, [(d.rule, str(d.location), d.message) for d in diags]


def structure_doc(region: str = "fda", lang: str = "en") -> dt.Document:
    blocks, found = convert(
        "# 3.2.S.1.2 Structure\n\nThe structural formula:\n\n"
        "![Figure 1. Structure of XYZ-123](structure:product) { #fig-structure }\n\n"
        "See [the figure](#fig-structure).\n"
    )
    assert found == []
    meta = dt.DocMeta("Structure", "3.2.S.1.2", "m3-2-s-1-2-structure", region, lang, product="XYZ-123",
                      sponsor="Example Pharma", date="2025-03-01")
    return dt.Document(meta, blocks)


# ------------------------------------------------------------------ Markdown


def test_structure_image_becomes_a_figure_drawn_from_the_smiles():
    source_map = SourceMap()
    blocks, found = convert("Text.\n\n![Figure 1. Structure of **XYZ**-123](structure:product?width=90) {#fig-s}\n",
                            source_map=source_map)
    assert found == []
    fig = blocks[1]
    assert isinstance(fig, dt.Figure)
    assert fig.data == chem.draw_png(CAFFEINE)
    assert (fig.media_type, fig.anchor, fig.width_mm) == ("image/png", "fig-s", 90.0)
    assert fig.caption == (dt.Text("Figure 1. Structure of "), dt.Strong((dt.Text("XYZ"),)), dt.Text("-123"))
    assert fig.alt == "Figure 1. Structure of XYZ-123"
    assert str(source_map.get(fig)) == "s12.md:3"
    assert "Figure 1. Structure of XYZ-123" in dt.document_text(dt.Document(structure_doc().meta, blocks))


def test_default_width_and_no_anchor():
    blocks, found = convert("![Structure](structure:product)\n")
    assert found == [] and isinstance(blocks[0], dt.Figure)
    assert (blocks[0].width_mm, blocks[0].anchor) == (100.0, None)


def test_other_images_stay_unsupported():
    blocks, found = convert("![photo](lab.png)\n\n![x](https://example.org/a.png)\n\nIn ![s](structure:product) text.\n")
    assert all(isinstance(b, dt.Paragraph) for b in blocks)
    assert [(r, w) for r, w, _ in found] == [("narrative.unsupported", "s12.md:1"), ("narrative.unsupported", "s12.md:3"),
                                              ("narrative.unsupported", "s12.md:5")]
    assert "paragraph of its own" in found[2][2]


def test_without_a_resolver_every_image_is_unsupported():
    diags = Diagnostics()
    res = markdown_to_blocks(MarkdownSource("![s](structure:product)\n", "s12.md"), diags)
    assert res.blocks == [dt.Paragraph((dt.Text("s"),))]
    assert [d.rule for d in diags] == ["narrative.unsupported"]


def test_missing_or_bad_structure_is_a_located_error_and_keeps_the_caption():
    md = "Intro.\n\n![Figure 1. Structure](structure:product)\n"
    blocks, found = convert(md, {"product": NS(code="MCT-101")})
    assert blocks[1] == dt.Paragraph((dt.Text("Figure 1. Structure"),), style="caption")
    assert [(r, w) for r, w, _ in found] == [("narrative.figure", "s12.md:3")]
    assert "declares no chemical structure" in found[0][2]

    _, found = convert(md, {"product": NS(structure=NS(smiles="C1CC(C"))})
    assert [(r, w) for r, w, _ in found] == [("narrative.figure", "s12.md:3")]
    assert "character 5" in found[0][2]

    _, found = convert("![x](structure:substance)\n")
    assert "no 'substance' in the facts" in found[0][2]


def test_width_out_of_range_is_reported_and_the_default_used():
    blocks, found = convert("![x](structure:product?width=400)\n")
    assert isinstance(blocks[0], dt.Figure) and blocks[0].width_mm == 100.0
    assert [r for r, _, _ in found] == ["narrative.figure"]


def test_a_new_figure_kind_is_one_registry_entry(monkeypatch):
    def flow(target: str, context) -> FigureImage:
        if target != "process":
            raise FigureError(f"unknown flow '{target}'")
        return FigureImage(chem.draw_png("CCO"), "image/png", 150.0)

    monkeypatch.setitem(FIGURE_KINDS, "flow", flow)
    blocks, found = convert("![Figure 2. Process](flow:process)\n\n![y](flow:other)\n")
    assert found[0][0] == "narrative.figure" and len(found) == 1
    assert isinstance(blocks[0], dt.Figure) and blocks[0].width_mm == 150.0


# ------------------------------------------------------------------ DOCX


def test_docx_has_the_picture_and_a_caption_below():
    doc = structure_doc()
    data = write_docx(doc)
    assert data == write_docx(structure_doc())  # reproducible
    word = docx.Document(io.BytesIO(data))
    shapes = word.inline_shapes
    assert len(shapes) == 1
    assert round(shapes[0].width.mm, 1) == 100.0 and round(shapes[0].height.mm, 1) == pytest.approx(66.7, abs=0.1)
    paras = [(p.style.name, p.text) for p in word.paragraphs]
    i = next(n for n, (_, text) in enumerate(paras) if text == "Figure 1. Structure of XYZ-123")
    assert paras[i][0] == "Caption" and paras[i - 1] == ("Normal", "")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.read("word/media/image1.png") == chem.draw_png(CAFFEINE)
        xml = z.read("word/document.xml").decode()
    assert 'descr="Figure 1. Structure of XYZ-123"' in xml  # alternative text
    # the link to the figure's anchor lands on the bookmark of its caption
    caption = word.paragraphs[i]._p
    marks = caption.xpath("./w:bookmarkStart/@w:name")
    links = word.element.body.xpath(".//w:hyperlink/@w:anchor")
    assert marks and links == marks


def test_docx_figure_wider_than_the_column_is_narrowed():
    png = chem.draw_png(CAFFEINE)
    doc = dt.Document(structure_doc().meta, [dt.Figure(png, "image/png", dt.text("Wide"), None, 400.0)])
    shapes = docx.Document(io.BytesIO(write_docx(doc))).inline_shapes
    assert shapes[0].width.mm < 170


# ------------------------------------------------------------------ PDF


def test_pdf_has_an_image_xobject_bookmark_and_link_target():
    doc = structure_doc()
    diags = Diagnostics()
    data = render_pdf(doc, diags)
    assert list(diags) == []
    assert data == render_pdf(structure_doc())  # reproducible
    reader = PdfReader(io.BytesIO(data))
    page = reader.pages[0]
    xobjects = page["/Resources"]["/XObject"]
    images = [xobjects[k].get_object() for k in xobjects if xobjects[k].get_object()["/Subtype"] == "/Image"]
    assert len(images) == 1 and (images[0]["/Width"], images[0]["/Height"]) == chem.DRAWING_SIZE
    assert "Figure 1. Structure of XYZ-123" in page.extract_text()
    assert "Figure 1. Structure of XYZ-123" in str(reader.outline)  # a bookmark under the heading
    assert "fig-structure" in {str(k) for k in reader.named_destinations}


def test_pdf_inputs_keep_images_apart_from_text():
    inputs = typst_inputs(structure_doc())
    assert set(inputs) == {"indbuilder-doc", "indbuilder-images"}
    assert '"k":"figure"' in inputs["indbuilder-doc"] and "137,80,78,71" in inputs["indbuilder-images"]
    plain = dt.Document(structure_doc().meta, [dt.Paragraph(dt.text("No figures."))])
    assert set(typst_inputs(plain)) == {"indbuilder-doc"}  # documents without figures: as before


def test_pdf_chinese_document_with_figure():
    data = render_pdf(structure_doc("nmpa", "zh"))
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert any(True for _ in page.images)


def test_docx_with_figure_is_schema_valid(tmp_path):
    """ECMA-376 schemas and Word's app-compat rules (openxml-audit, as in test_docx_schema)."""
    from openxml_audit import OpenXmlValidator

    path = tmp_path / "figure.docx"
    path.write_bytes(write_docx(structure_doc()))
    assert [str(e) for e in OpenXmlValidator(max_errors=0).validate(str(path)).errors] == []


def test_a_document_with_a_figure_has_a_fingerprint_that_follows_its_image():
    """Later sequences compare documents by fingerprint (carry_forward): a figure's bytes count by digest."""
    import dataclasses

    from indbuilder.carry_forward import fingerprint

    doc = structure_doc()
    same = fingerprint(doc, "m3/32-body-data/32s-drug-sub/x.pdf")
    assert same == fingerprint(structure_doc(), "m3/32-body-data/32s-drug-sub/x.pdf")
    blocks = [dataclasses.replace(b, data=b.data + b"\0") if isinstance(b, dt.Figure) else b for b in doc.blocks]
    changed = dataclasses.replace(doc, blocks=blocks)
    assert fingerprint(changed, "m3/32-body-data/32s-drug-sub/x.pdf") != same
