"""The PDF writer, verified with independent tools (poppler's pdfinfo/pdffonts/pdftotext, pypdf)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from indbuilder import doctree as d
from indbuilder.diagnostics import Diagnostics
from indbuilder.writers.pdf import MissingFontError, PdfWriter, TOC_PAGE_THRESHOLD, render_pdf, write_pdf
from pdf_support import HOSTILE, hostile_document, meta, sample_document, tool, write


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pdf")


@pytest.fixture(scope="module")
def en_pdf(out_dir) -> Path:
    return write(out_dir, "en.pdf", write_pdf(sample_document("en", "fda", rows=10)))


@pytest.fixture(scope="module")
def zh_pdf(out_dir) -> Path:
    return write(out_dir, "zh.pdf", write_pdf(sample_document("zh", "nmpa", rows=10)))


@pytest.fixture(scope="module")
def long_pdf(out_dir) -> Path:
    return write(out_dir, "long.pdf", write_pdf(sample_document("en", "fda", rows=250)))


def info(path: Path) -> dict[str, str]:
    out = tool("pdfinfo", str(path))
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines()) if _}


def test_hostile_text_is_printed_literally(out_dir):
    pdf = write(out_dir, "hostile.pdf", write_pdf(hostile_document()))
    text = tool("pdftotext", "-raw", str(pdf), "-")
    for s in HOSTILE:
        assert s in text, f"{s!r} not found literally"
    for s in ["Hostile <heading> #1 $", "Caption [x] @y <z>", "Footnote // #x <y> $z$",
              "Illustrative data - #not [for] <regulatory> use", "P*r*o_d_"]:
        assert s in text
    assert info(pdf)["Title"] == "Title <T> #x $y$ [z]"
    assert "boom" in text  # the panic() text is shown, not executed


def test_pdfinfo_version_security_page_size(en_pdf, zh_pdf):
    fda, nmpa = info(en_pdf), info(zh_pdf)
    for i in (fda, nmpa):
        major, minor = (int(x) for x in i["PDF version"].split("."))
        assert (major, minor) >= (1, 4) and (major, minor) <= (1, 7)
        assert i["Encrypted"] == "no"
        assert i["JavaScript"] == "no"
        assert i["Tagged"] == "yes"
    assert fda["Page size"].startswith("612 x 792")
    assert "(A4)" in nmpa["Page size"]
    assert fda["Title"] == "Stability Summary and Conclusion"
    assert nmpa["Title"] == "稳定性总结和结论"


def test_every_font_embedded(en_pdf, zh_pdf):
    for pdf in (en_pdf, zh_pdf):
        rows = tool("pdffonts", str(pdf)).splitlines()[2:]
        assert rows, "no fonts listed"
        for row in rows:
            # columns: name type encoding emb sub uni id gen; the last five are fixed
            emb = row.split()[-5]
            assert emb == "yes", row


def _outline_titles(items) -> list:
    """pypdf's outline as nested lists of titles (children follow their parent as a list)."""
    return [_outline_titles(it) if isinstance(it, list) else it.title for it in items]


def test_bookmarks_for_every_heading_and_captioned_table(en_pdf):
    reader = PdfReader(en_pdf)
    # The document's title first, then Introduction (level 1) > Results (level 2) > the table captioned under Results.
    assert _outline_titles(reader.outline) == [
        "Stability Summary and Conclusion", "3.2.P.8.1 Introduction", ["Results", ["Table 1 Release specification"]]
    ]
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"
    table_page = reader.get_destination_page_number(reader.outline[2][1][0])
    assert "Table 1 Release specification" in reader.pages[table_page].extract_text()
    # The invisible bookmark heading adds no text: the caption is printed once.
    assert tool("pdftotext", str(en_pdf), "-").count("Table 1 Release specification") == 1


def test_chinese_text_recovered(zh_pdf):
    text = tool("pdftotext", str(zh_pdf), "-")
    flat = re.sub(r"\s+", "", text)
    assert "本品在长期稳定性条件下（5±3℃）放置24个月，各项指标均符合规定。" in flat
    assert "第1页共" in flat
    fonts = tool("pdffonts", str(zh_pdf))
    assert "NotoSerifCJK" in fonts or "NotoSansCJK" in fonts


def test_header_footer_title_block(en_pdf):
    pages = tool("pdftotext", "-layout", str(en_pdf), "-").split("\f")
    pages = [p for p in pages if p.strip()]
    n = len(pages)
    for i, page in enumerate(pages, start=1):
        assert f"Page {i} of {n}" in page
        assert "3.2.P.8.1 Stability Summary and Conclusion" in page
        assert "Version 2.0" in page
    first = pages[0]
    for s in ["CTD section", "ABC-101 Injection", "Acme Biologics, Inc.", "2026-03-01"]:
        assert s in first


def test_disclaimer_on_every_page(out_dir):
    doc = sample_document("en", "fda", rows=80, disclaimer="Illustrative data - not for regulatory use")
    pdf = write(out_dir, "disclaimer.pdf", write_pdf(doc))
    pages = [p for p in tool("pdftotext", str(pdf), "-").split("\f") if p.strip()]
    assert len(pages) > 1
    for page in pages:
        assert "Illustrative data - not for regulatory use" in page
    assert pages[0].count("Illustrative data - not for regulatory use") == 2  # header + title block


def test_reproducible_bytes():
    doc = sample_document("zh", "nmpa", rows=30)
    assert write_pdf(doc) == write_pdf(doc)
    other = sample_document("zh", "nmpa", rows=30, version="2.1")
    assert write_pdf(other) != write_pdf(doc)


def _annotations(pdf: Path) -> list[dict]:
    reader = PdfReader(pdf)
    return [a.get_object() for p in reader.pages for a in (p.get("/Annots") or [])]


def test_relative_link_stays_relative_goto_remote(en_pdf):
    actions = [a["/A"] for a in _annotations(en_pdf) if "/A" in a]
    remote = [a for a in actions if a["/S"] == "/GoToR"]
    assert len(remote) == 1
    spec = remote[0]["/F"]
    assert spec["/F"] == "../32p5/spec.pdf"
    assert remote[0]["/D"] == "sec-spec"
    assert not [a for a in actions if a["/S"] == "/URI"]


def test_external_url_visible_not_clickable(en_pdf):
    text = re.sub(r"\s+", "", tool("pdftotext", "-raw", str(en_pdf), "-"))  # the URL may wrap
    assert "theguidance(https://www.fda.gov/media/76797/download)" in text
    for a in _annotations(en_pdf):
        action = a.get("/A") or {}
        assert "fda.gov" not in str(action.get("/URI", ""))


def test_internal_link_and_named_destinations(en_pdf):
    reader = PdfReader(en_pdf)
    internal = [a for a in _annotations(en_pdf) if "/Dest" in a]
    assert internal, "link to the table anchor missing"
    assert {"intro", "results"} <= set(reader.named_destinations)


def test_long_document_layout_converges():
    diags = Diagnostics()
    render_pdf(sample_document("en", "fda", rows=250), diags)
    assert "pdf.render-warning" not in {x.rule for x in diags}


def test_long_document_gets_hyperlinked_toc(long_pdf, en_pdf):
    long_pages = len(PdfReader(long_pdf).pages)
    assert long_pages > TOC_PAGE_THRESHOLD
    long_text = tool("pdftotext", "-f", "1", "-l", "2", str(long_pdf), "-")
    assert "Table of Contents" in long_text and "List of Tables" in long_text
    assert "Table of Contents" not in tool("pdftotext", str(en_pdf), "-")
    # The TOC entries are links to the headings.
    first_pages = PdfReader(long_pdf).pages[:2]
    assert any("/Dest" in a.get_object() for p in first_pages for a in (p.get("/Annots") or []))
    # The table header repeats on every page the table spans.
    pages = [p for p in tool("pdftotext", str(long_pdf), "-").split("\f") if "Attribute" in p]
    assert len(pages) > 3
    assert all("Acceptance criterion" in p for p in pages)


def test_toc_on_request_for_short_document(out_dir):
    doc = sample_document("zh", "nmpa", rows=3, toc=True)
    text = tool("pdftotext", str(write(out_dir, "toc.pdf", write_pdf(doc))), "-")
    assert "目录" in text


def test_dangling_and_duplicate_anchors_are_diagnostics():
    doc = sample_document("en", "fda", rows=2)
    doc.blocks.append(d.Paragraph((d.Link(d.text("nowhere"), anchor="no-such-anchor"),)))
    doc.blocks.append(d.Heading(2, d.text("Again"), anchor="results"))
    diags = Diagnostics()
    pdf = render_pdf(doc, diags)
    rules = sorted(x.rule for x in diags)
    assert "pdf.link-target-missing" in rules
    assert "pdf.duplicate-anchor" in rules
    assert any("no-such-anchor" in x.message for x in diags)
    assert "nowhere" in PdfReader(io.BytesIO(pdf)).pages[-1].extract_text()
    clean = Diagnostics()
    render_pdf(sample_document("en", "fda", rows=2), clean)
    assert [x.rule for x in clean] == ["pdf.url-printed"]


def test_missing_cjk_font_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("INDBUILDER_FONT_PATHS", str(tmp_path))  # an empty font folder
    with pytest.raises(MissingFontError, match="fonts-noto-cjk"):
        write_pdf(sample_document("zh", "nmpa"))
    en = sample_document("en", "fda")
    en.blocks.append(d.Paragraph(d.text("中文")))
    with pytest.raises(MissingFontError):
        write_pdf(en)
    # English alone still works with typst's built-in fonts, embedded.
    pdf = write(tmp_path, "builtin.pdf", write_pdf(sample_document("en", "fda")))
    assert all(r.split()[-5] == "yes" for r in tool("pdffonts", str(pdf)).splitlines()[2:])


def test_writer_registry_object():
    from indbuilder.diagnostics import Location
    from indbuilder.writers import document_context, get_writer

    w = get_writer("pdf")
    assert isinstance(w, PdfWriter) and w.name == "pdf" and w.extension == ".pdf" and w.submission
    doc = sample_document("en", "fda", rows=1)
    doc.blocks.append(d.Paragraph((d.Link(d.text("x"), anchor="missing"),)))
    where = Location("content/narratives/x.md")
    result = w.write(doc, document_context(doc, source=where))
    assert result.data.startswith(b"%PDF-1.7")
    missing = [x for x in result.diagnostics if x.rule == "pdf.link-target-missing"]
    assert missing and all(x.location == where for x in missing)


def test_paper_and_words_come_from_the_context():
    from indbuilder.writers import WriteContext, document_context, get_writer

    doc = sample_document("en", "fda", rows=1)  # an FDA document ...
    words = {**document_context(doc).words, "product": "Produkt"}
    pdf = get_writer("pdf").write(doc, WriteContext(paper="a4", words=words)).data  # ... on A4
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == (595.28, 841.89)
    text = page.extract_text()
    assert "Produkt" in text and "Product" not in text


def test_font_missing_is_a_write_error_that_stops_the_format(monkeypatch, tmp_path):
    from indbuilder.writers import WriteError, document_context, get_writer

    monkeypatch.setenv("INDBUILDER_FONT_PATHS", str(tmp_path))  # an empty font folder
    doc = sample_document("zh", "nmpa")
    with pytest.raises(WriteError) as caught:
        get_writer("pdf").write(doc, document_context(doc))
    assert caught.value.rule == "pdf.font-missing" and caught.value.stops_format


def test_document_without_headings_bookmarks_its_title(tmp_path):
    doc = d.Document(meta(), [d.Paragraph(d.text(f"Paragraph {i}")) for i in range(300)])
    pdf = write_pdf(doc)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 5
    assert _outline_titles(reader.outline) == ["Stability Summary and Conclusion"]
    assert "Table of Contents" not in tool("pdftotext", str(write(tmp_path, "nh.pdf", pdf)), "-")


def test_finished_pdf_reads_strictly_without_warnings(en_pdf):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reader = PdfReader(en_pdf, strict=True)
        assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"
        assert all(page.extract_text() for page in reader.pages)


def test_table_anchor_is_a_named_destination_for_links_from_other_files(en_pdf):
    reader = PdfReader(en_pdf)
    dests = reader.named_destinations
    assert "tbl-spec" in dests
    page_index = reader.get_destination_page_number(dests["tbl-spec"])
    text = reader.pages[page_index].extract_text()
    assert "Table 1 Release specification" in text


def test_trailing_page_break_adds_no_blank_page(tmp_path):
    doc = sample_document("en", "fda", rows=2)
    plain = len(PdfReader(io.BytesIO(write_pdf(doc))).pages)
    doc.blocks.append(d.PageBreak())
    assert len(PdfReader(io.BytesIO(write_pdf(doc))).pages) == plain


def test_non_ascii_anchor_names_match_between_link_and_target():
    from pypdf.generic import ByteStringObject

    from indbuilder.pdfcheck import destination_names

    label = "结果 <1> #$"
    doc = d.Document(meta(), [
        d.Heading(1, d.text("H"), anchor=label),
        d.Table([[d.Cell(d.text("a"))]], [], anchor="t-" + label),
        d.Paragraph((d.Link(d.text("f"), href="other.pdf", anchor=label),)),
    ])
    reader = PdfReader(io.BytesIO(write_pdf(doc)))
    names = destination_names(reader)
    assert {label.encode(), ("t-" + label).encode()} <= names
    remote = [a.get_object()["/A"] for a in reader.pages[0]["/Annots"] if "/A" in a.get_object()]
    dest = remote[0]["/D"]  # pypdf may decode the bytes as PDFDocEncoding text; compare the bytes
    raw = bytes(dest) if isinstance(dest, ByteStringObject) else dest.original_bytes
    assert raw == label.encode()


def test_pdf_a_2b_on_request(tmp_path):
    from indbuilder.pdfcheck import check_pdf

    doc = sample_document("zh", "nmpa", rows=5)
    pdf = render_pdf(doc, standard="a-2b")
    assert b"<pdfaid:part>2</pdfaid:part>" in pdf and b"<pdfaid:conformance>B</pdfaid:conformance>" in pdf
    assert info(write(tmp_path, "a2b.pdf", pdf))["PDF version"] == "1.7"
    assert check_pdf(pdf, "a2b.pdf") == []
    with pytest.raises(ValueError, match="a-2b"):
        render_pdf(doc, standard="2.0")


def test_edge_cases_render(tmp_path):
    """Empty and odd structures, control characters and lone surrogates never break typesetting."""
    blocks: list[d.Block] = [
        d.Heading(9, d.text("Deep heading clamped"), anchor="deep"),
        d.Paragraph(()),
        d.Paragraph(d.text("bell\x07 nul\x00 tab\there surrogate\ud800 end"), style="small"),
        d.Paragraph(d.text("styled caption"), style="caption"),
        d.Paragraph(d.text("unknown style"), style="no-such-style"),
        d.ListBlock(False, []),
        d.ListBlock(True, [[d.Paragraph(d.text("outer")), d.ListBlock(False, [[d.Paragraph(d.text("inner"))]])]]),
        d.Table([], []),
        d.Table([[d.Cell(d.text("spans two"), colspan=2)]], [[d.Cell(d.text("a")), d.Cell(d.text("b"), align="center")]],
                widths=[1, 3]),
        d.Note([d.Paragraph(d.text("careful"))], kind="warning"),
        d.Quote([]),
        d.CodeBlock(""),
        d.PageBreak(),
        d.Paragraph((d.FootnoteRef("undefined"), d.LineBreak(), d.Link(d.text("no target at all")))),
    ]
    doc = d.Document(meta(date="2026-02-30", version=""), blocks)
    diags = Diagnostics()
    pdf = write(tmp_path, "edge.pdf", render_pdf(doc, diags))
    text = tool("pdftotext", str(pdf), "-")
    for s in ["Deep heading clamped", "spans two", "Warning:", "careful", "inner", "no target at all",
              "tab here surrogate\ufffd end"]:
        assert s in text, s
    assert "bell nul" in text
    assert {x.rule for x in diags} == {"pdf.invalid-date", "pdf.link-target-missing",
                                       "write.invalid-text", "write.control-character"}
    assert "CreationDate" not in info(pdf)  # no valid date: no date at all, still reproducible


def test_bytes_identical_across_processes(tmp_path):
    import os
    import subprocess
    import sys

    code = (
        "import sys; sys.path.insert(0, 'tests');"
        "from pdf_support import sample_document; from indbuilder.writers.pdf import write_pdf;"
        "sys.stdout.buffer.write(write_pdf(sample_document('zh', 'nmpa', rows=40)))"
    )
    root = Path(__file__).resolve().parent.parent
    outs = [
        subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    ]
    assert outs[0] == outs[1] and outs[0].startswith(b"%PDF-")
    assert outs[0] == write_pdf(sample_document("zh", "nmpa", rows=40))


def test_localized_labels_override(tmp_path):
    doc = sample_document("en", "fda", rows=2, labels={"page_format": "Seite {page} von {pages}", "product": "Produkt"})
    text = tool("pdftotext", str(write(tmp_path, "de.pdf", write_pdf(doc))), "-")
    assert "Seite 1 von 1" in text and "Produkt" in text
    assert "Page 1 of" not in text


@pytest.mark.parametrize("region,width,height", [("fda", 612.0, 792.0), ("nmpa", 595.28, 841.89)])
def test_text_respects_margins_and_header_footer_zone(tmp_path, region, width, height):
    """pdftotext -bbox: body text at least 3/4 inch from the left, header/footer text at least
    3/8 inch from every edge (FDA PDF specifications), with a two-line header (disclaimer)."""
    doc = sample_document("en", region, rows=60, disclaimer="Illustrative data - not for regulatory use")
    pdf = write(tmp_path, f"{region}.pdf", write_pdf(doc))
    words = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', tool("pdftotext", "-bbox", str(pdf), "-"))
    boxes = [tuple(map(float, w)) for w in words]
    assert len(boxes) > 100
    assert min(b[0] for b in boxes) >= 54  # 3/4 inch
    assert min(b[1] for b in boxes) >= 27  # 3/8 inch from the top
    assert max(b[2] for b in boxes) <= width - 27
    assert max(b[3] for b in boxes) <= height - 27
