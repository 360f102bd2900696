"""The DOCX writer renders every document-tree node with real Word structures."""

from __future__ import annotations

from docx.shared import Twips
from docx_support import HOSTILE, NS, W, full_document, open_docx, part_names, part_xml, rels

from indbuilder import doctree as dt
from indbuilder.diagnostics import Diagnostics
from indbuilder.writers.docx import write_docx


def _write(doc: dt.Document) -> bytes:
    diags = Diagnostics()
    data = write_docx(doc, diags)
    assert [d.format() for d in diags] == []
    return data


def _para(d, text: str):
    """The first body paragraph whose text contains ``text``."""
    for p in d.paragraphs:
        if text in p.text:
            return p
    raise AssertionError(f"no paragraph containing {text!r}")


def _body(data: bytes):
    return part_xml(data, "word/document.xml").find(f"{{{W}}}body")


def test_title_block_lists_metadata_with_labels():
    data = _write(full_document())
    d = open_docx(data)
    first = d.paragraphs[0]
    assert first.style.name == "Title"
    assert first.text == "Stability Summary and Conclusion"
    info = [p.text for p in d.paragraphs if p.style.name == "Document Info"]
    assert info == [
        "CTD Section: 3.2.P.8.1",
        "Product: XYZ-101 Tablets",
        "Sponsor: Example Pharma & Co.",
        "Version: 2.0",
        "Date: 2026-03-15",
    ]


def test_disclaimer_under_title_block_and_in_header():
    data = _write(full_document(disclaimer="Illustrative data - not for regulatory use"))
    d = open_docx(data)
    disc = [p for p in d.paragraphs if p.style.name == "Disclaimer"]
    assert [p.text for p in disc] == ["Illustrative data - not for regulatory use"]
    # right after the title block, before the first heading
    names = [p.style.name for p in d.paragraphs]
    assert names.index("Disclaimer") < names.index("Heading 1")
    header_text = [p.text for p in d.sections[0].header.paragraphs]
    assert "Illustrative data - not for regulatory use" in header_text
    # and absent when not set
    plain = open_docx(_write(full_document()))
    assert not [p for p in plain.paragraphs if p.style.name == "Disclaimer"]
    assert len(plain.sections[0].header.paragraphs) == 1


def test_headings_use_word_heading_styles_and_clamp_level():
    d = open_docx(_write(full_document()))
    heads = [(p.style.name, p.text) for p in d.paragraphs if p.style.name.startswith("Heading")]
    assert heads == [
        ("Heading 1", "3.2.P.8.1 Stability Summary"),
        ("Heading 2", "结论 Conclusion"),
        ("Heading 3", "Level three"),
        ("Heading 4", "Level four"),
        ("Heading 4", "Level six clamps to four"),
    ]


def test_numbered_heading_not_duplicated_when_text_has_number():
    doc = dt.Document(
        full_document().meta, [dt.Heading(1, dt.text("3.2.P.8.1 Summary"), numbered="3.2.P.8.1")]
    )
    d = open_docx(_write(doc))
    assert [p.text for p in d.paragraphs if p.style.name == "Heading 1"] == ["3.2.P.8.1 Summary"]


def test_hostile_characters_and_inline_formatting():
    d = open_docx(_write(full_document()))
    p = _para(d, "USP <71>")
    assert p.text.startswith(HOSTILE)
    runs = {r.text: r for r in p.runs}
    assert runs["bold"].bold is True
    assert runs["italic"].italic is True
    assert runs["2"].font.subscript is True
    assert runs["3"].font.superscript is True
    assert runs["assay_pct <= 105"].style.name == "Verbatim Char"
    assert "\nSecond line" in p.text  # LineBreak -> w:br


def test_styles_for_quote_code_note_small():
    d = open_docx(_write(full_document()))
    assert _para(d, "A quoted passage.").style.name == "Quote"
    code = _para(d, "assay:")
    assert code.style.name == "Source Code"
    assert code.text == "assay:\n  limit: 95.0-105.0"
    note = _para(d, "Data are illustrative.")
    assert note.style.name == "Note Text"
    assert note.text == "Note: Data are illustrative."
    assert _para(d, "Small print").style.name == "Small Text"
    code_font = d.styles["Source Code"].element.find(f".//{{{W}}}rFonts")
    assert code_font.get(f"{{{W}}}ascii") == "Courier New"


def test_lists_use_list_styles_levels_and_restart_numbering():
    data = _write(full_document())
    d = open_docx(data)

    def numpr(p):
        el = p._p.pPr.numPr
        return int(el.ilvl.val), int(el.numId.val)

    lt = _para(d, "Long-term")
    acc = _para(d, "Accelerated")
    n3 = _para(d, "nested three")
    n4 = _para(d, "nested four")
    s1 = _para(d, "first step")
    assert lt.style.name == acc.style.name == "List Bullet"
    assert n3.style.name == "List Number 2"
    assert s1.style.name == "List Number"
    assert numpr(lt)[0] == 0 and numpr(n3)[0] == 1
    assert numpr(lt)[1] == numpr(acc)[1]
    assert numpr(n3)[1] == numpr(n4)[1] != numpr(s1)[1]
    cont = _para(d, "continued item text")
    assert cont.style.name == "List Continue"
    assert cont._p.pPr.numPr is None
    assert cont.paragraph_format.left_indent == Twips(360)

    numbering = part_xml(data, "word/numbering.xml")
    nums = {n.get(f"{{{W}}}numId"): n for n in numbering.findall("w:num", NS)}
    nested = nums[str(numpr(n3)[1])]
    assert nested.find("w:lvlOverride", NS).get(f"{{{W}}}ilvl") == "1"
    assert nested.find("w:lvlOverride/w:startOverride", NS).get(f"{{{W}}}val") == "3"
    first = nums[str(numpr(s1)[1])]
    assert first.find("w:lvlOverride/w:startOverride", NS).get(f"{{{W}}}val") == "1"
    bullet_abs = nums[str(numpr(lt)[1])].find("w:abstractNumId", NS).get(f"{{{W}}}val")
    abstract = numbering.xpath(f"w:abstractNum[@w:abstractNumId='{bullet_abs}']", namespaces=NS)[0]
    assert abstract.find("w:lvl/w:numFmt", NS).get(f"{{{W}}}val") == "bullet"


def test_table_grid_repeating_header_caption_above_and_spans():
    data = _write(full_document())
    d = open_docx(data)
    assert len(d.tables) == 1
    table = d.tables[0]
    assert table.style.name == "Table Grid"
    rows = table._tbl.tr_lst
    flags = [tr.find("w:trPr/w:tblHeader", NS) is not None for tr in rows]
    assert flags == [True, False, False, False]
    assert [c.text for c in table.rows[0].cells] == ["Lot", "Assay (%)", "Result"]
    assert [c.text for c in table.rows[1].cells] == ["A-001", "99.8", "Complies"]
    last = rows[-1].tc_lst
    assert len(last) == 1 and last[0].grid_span == 3
    right = table.rows[1].cells[1].paragraphs[0]
    assert right.alignment is not None and right.alignment.name == "RIGHT"
    # relative widths 2:1:1 over the 6.5 inch text width of a Letter page
    grid = [int(g.get(f"{{{W}}}w")) for g in table._tbl.tblGrid.findall("w:gridCol", NS)]
    assert sum(grid) == 12240 - 2 * 1440
    assert grid[0] == 2 * grid[1] == 2 * grid[2]
    # caption paragraph directly above the table
    body = list(_body(data))
    tbl_index = [i for i, el in enumerate(body) if el.tag == f"{{{W}}}tbl"][0]
    caption = body[tbl_index - 1]
    assert caption.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val") == "Caption"
    assert "".join(caption.itertext()) == "Table 1 Batch results"


def test_ragged_table_is_padded_not_truncated():
    doc = dt.Document(
        full_document().meta,
        [dt.Table(header=[[dt.Cell(dt.text("a")), dt.Cell(dt.text("b"))]], rows=[[dt.Cell(dt.text("only"))]])],
    )
    diags = Diagnostics()
    d = open_docx(write_docx(doc, diags))
    assert [c.text for c in d.tables[0].rows[1].cells] == ["only", ""]
    assert [x.rule for x in diags] == ["docx.table-ragged"]


def test_bookmarks_and_internal_links():
    data = _write(full_document())
    body = _body(data)
    marks = {b.get(f"{{{W}}}name") for b in body.iter(f"{{{W}}}bookmarkStart")}
    assert {"sec_summary", "tbl_batches", "sec_conclusion"} <= marks
    starts = [b.get(f"{{{W}}}id") for b in body.iter(f"{{{W}}}bookmarkStart")]
    ends = [b.get(f"{{{W}}}id") for b in body.iter(f"{{{W}}}bookmarkEnd")]
    assert sorted(starts) == sorted(ends) and len(set(starts)) == len(starts)
    # the heading bookmark sits in the heading paragraph, the table one on its caption
    heading = next(body.iter(f"{{{W}}}bookmarkStart")).getparent()
    assert heading.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val") == "Heading1"
    internal = [h for h in body.iter(f"{{{W}}}hyperlink") if h.get(f"{{{W}}}anchor")]
    assert [(h.get(f"{{{W}}}anchor"), "".join(h.itertext())) for h in internal] == [("tbl_batches", "Table 1")]


def test_external_links_are_relationships_and_relative_hrefs_stay_relative():
    data = _write(full_document())
    body = _body(data)
    by_id = {r["Id"]: r for r in rels(data)}
    links = {}
    for h in body.iter(f"{{{W}}}hyperlink"):
        rid = h.get(f"{{{NS['r']}}}id")
        if rid:
            links["".join(h.itertext())] = by_id[rid]
    assert links["the stability data"]["Target"] == "../32p83/stability-data.pdf#lot-a"
    assert links["the protocol"]["Target"] == "stability-protocol.pdf"
    assert links["FDA guidance"]["Target"] == "https://www.fda.gov/media/71582/download"
    for rel in links.values():
        assert rel["TargetMode"] == "External"
        assert rel["Type"].endswith("/hyperlink")


def test_real_footnotes_numbered_in_order_of_use():
    data = _write(full_document())
    assert "word/footnotes.xml" in part_names(data)
    body = _body(data)
    refs = [r.get(f"{{{W}}}id") for r in body.iter(f"{{{W}}}footnoteReference")]
    assert refs == ["1", "2"]
    notes = part_xml(data, "word/footnotes.xml")
    texts = {
        n.get(f"{{{W}}}id"): "".join(n.itertext()).strip()
        for n in notes.findall("w:footnote", NS)
        if not n.get(f"{{{W}}}type")
    }
    assert texts == {"1": "First footnote text.", "2": "Second, with a link"}
    # each real footnote starts with the footnote reference mark
    fn1 = notes.xpath("w:footnote[@w:id='1']", namespaces=NS)[0]
    assert fn1.find(".//w:footnoteRef", NS) is not None
    # the second reference to fn1 repeats its number as a superscript
    d = open_docx(data)
    p = _para(d, "and again")
    repeat = [r for r in p.runs if r.text == "1"]
    assert repeat and repeat[0].style.name == "footnote reference"
    # a link inside a footnote gets its relationship on the footnotes part
    fn_rels = rels(data, "word/_rels/footnotes.xml.rels")
    assert [r["Target"] for r in fn_rels if r["Type"].endswith("/hyperlink")] == ["https://example.org/x"]
    # separators present and declared in settings
    settings = part_xml(data, "word/settings.xml")
    assert [f.get(f"{{{W}}}id") for f in settings.findall("w:footnotePr/w:footnote", NS)] == ["-1", "0"]


def test_no_footnotes_part_without_footnote_references():
    doc = dt.Document(full_document().meta, [dt.Paragraph(dt.text("plain"))])
    assert "word/footnotes.xml" not in part_names(_write(doc))


def _visible(el) -> str:
    """Text of ``w:t`` elements (field results, not field instructions)."""
    return "".join(t.text or "" for t in el.iter(f"{{{W}}}t"))


def _instr(root) -> list[str]:
    return [t.text.strip() for t in root.iter(f"{{{W}}}instrText")]


def test_header_and_page_x_of_y_footer():
    data = _write(full_document())
    d = open_docx(data)
    section = d.sections[0]
    assert [p.text for p in section.header.paragraphs] == ["3.2.P.8.1 Stability Summary and Conclusion"]
    footer = section.footer.paragraphs[0]
    assert _visible(footer._p) == "Page 1 of 1"
    assert _instr(footer._p) == ["PAGE", "NUMPAGES"]
    begins = [f for f in footer._p.iter(f"{{{W}}}fldChar") if f.get(f"{{{W}}}fldCharType") == "begin"]
    assert len(begins) == 2 and all(f.get(f"{{{W}}}dirty") is None for f in begins)


def test_letter_for_fda_a4_for_nmpa_one_inch_margins():
    fda = open_docx(_write(full_document(region="fda"))).sections[0]
    nmpa = open_docx(_write(full_document(region="nmpa"))).sections[0]
    assert (fda.page_width, fda.page_height) == (Twips(12240), Twips(15840))
    assert (nmpa.page_width, nmpa.page_height) == (Twips(11906), Twips(16838))
    for s in (fda, nmpa):
        assert s.left_margin == s.right_margin == s.top_margin == s.bottom_margin == Twips(1440)


def test_toc_field_after_title_block_with_linked_entries():
    data = _write(full_document(toc=True))
    body = _body(data)
    assert 'TOC \\o "1-4" \\h \\z \\u' in _instr(body)
    d = open_docx(data)
    names = [p.style.name for p in d.paragraphs]
    assert names.index("TOC Heading") > names.index("Document Info")
    assert names.index("TOC Heading") < names.index("Heading 1")
    entries = [p for p in d.paragraphs if p.style.name.startswith("toc ")]
    assert [p.text for p in entries][:2] == ["3.2.P.8.1 Stability Summary", "结论 Conclusion"]
    assert len(entries) == 5
    anchors = [h.get(f"{{{W}}}anchor") for p in entries for h in p._p.iter(f"{{{W}}}hyperlink")]
    marks = {b.get(f"{{{W}}}name") for b in body.iter(f"{{{W}}}bookmarkStart")}
    assert len(anchors) == 5 and set(anchors) <= marks
    toc_begin = next(f for f in body.iter(f"{{{W}}}fldChar") if f.get(f"{{{W}}}fldCharType") == "begin")
    assert toc_begin.get(f"{{{W}}}dirty") == "true"  # Word refreshes it (page numbers) on open
    settings = part_xml(data, "word/settings.xml")
    assert settings.find("w:updateFields", NS).get(f"{{{W}}}val") == "true"
    # without toc: no field, no forced update
    plain = _write(full_document())
    assert not any(i.startswith("TOC") for i in _instr(_body(plain)))
    assert part_xml(plain, "word/settings.xml").find("w:updateFields", NS) is None


def test_chinese_document_labels_language_and_east_asian_font():
    doc = full_document(lang="zh", region="nmpa", title="稳定性总结", product="某某片", sponsor="某某制药有限公司")
    data = _write(doc)
    d = open_docx(data)
    info = [p.text for p in d.paragraphs if p.style.name == "Document Info"]
    assert info[:3] == ["CTD 章节：3.2.P.8.1", "产品：某某片", "申请人：某某制药有限公司"]
    assert info[3:] == ["版本：2.0", "日期：2026-03-15"]
    assert _visible(d.sections[0].footer.paragraphs[0]._p) == "第 1 页 共 1 页"
    styles = part_xml(data, "word/styles.xml")
    lang = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang.get(f"{{{W}}}val") == "zh-CN" and lang.get(f"{{{W}}}eastAsia") == "zh-CN"
    fonts = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    assert fonts.get(f"{{{W}}}eastAsia") == "SimSun"
    assert fonts.get(f"{{{W}}}ascii") == "Times New Roman"
    size = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:sz", NS)
    assert size.get(f"{{{W}}}val") == "24"  # 12 pt body text (FDA recommendation)
    assert fonts.get(f"{{{W}}}asciiTheme") is None
    h1 = styles.xpath("w:style[@w:styleId='Heading1']/w:rPr/w:rFonts", namespaces=NS)[0]
    assert h1.get(f"{{{W}}}eastAsia") == "SimSun"  # NMPA 6.26 standard font
    # the font table tells Word what SimSun is (宋体, GB2312) for substitution
    table = part_xml(data, "word/fontTable.xml")
    simsun = table.xpath("w:font[@w:name='SimSun']", namespaces=NS)
    assert len(simsun) == 1
    assert simsun[0].find("w:altName", NS).get(f"{{{W}}}val") == "宋体"
    assert simsun[0].find("w:charset", NS).get(f"{{{W}}}val") == "86"
    # an English document declares en-US
    en = part_xml(_write(full_document()), "word/styles.xml")
    assert en.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS).get(f"{{{W}}}val") == "en-US"


def test_labels_from_meta_override_defaults():
    doc = full_document(labels={"product": "Drug product", "page_format": "p. {page}/{pages}"})
    d = open_docx(_write(doc))
    assert "Drug product: XYZ-101 Tablets" in [p.text for p in d.paragraphs]
    assert _visible(d.sections[0].footer.paragraphs[0]._p) == "p. 1/1"


def test_current_word_layout_mode():
    settings = part_xml(_write(full_document()), "word/settings.xml")
    mode = settings.xpath("w:compat/w:compatSetting[@w:name='compatibilityMode']", namespaces=NS)
    assert [m.get(f"{{{W}}}val") for m in mode] == ["15"]  # no "Compatibility Mode" banner


def test_core_properties_from_metadata():
    d = open_docx(_write(full_document()))
    cp = d.core_properties
    assert cp.title == "Stability Summary and Conclusion"
    assert cp.author == "Example Pharma & Co."
    assert cp.revision == 1
    assert cp.created.date().isoformat() == "2026-03-15"
    assert cp.modified == cp.created == cp.last_printed
    assert cp.language == "en-US"


def test_table_inside_list_item_is_indented_with_the_item():
    table = dt.Table(header=[[dt.Cell(dt.text("h"))]], rows=[[dt.Cell(dt.text("v"))]])
    doc = dt.Document(
        full_document().meta,
        [dt.ListBlock(False, [[dt.Paragraph(dt.text("item")), table]])],
    )
    d = open_docx(_write(doc))
    tbl = d.tables[0]._tbl
    ind = tbl.tblPr.find("w:tblInd", NS)
    assert ind is not None and ind.get(f"{{{W}}}w") == "360"
    grid = [int(g.get(f"{{{W}}}w")) for g in tbl.tblGrid.findall("w:gridCol", NS)]
    assert sum(grid) == 12240 - 2 * 1440 - 360


def test_heading_inside_list_item_is_bold_text_still_linkable_and_not_in_toc():
    doc = dt.Document(
        full_document(toc=True).meta,
        [
            dt.Heading(1, dt.text("Real heading")),
            dt.ListBlock(False, [[dt.Heading(2, dt.text("Listed heading"), anchor="listed")]]),
            dt.Paragraph((dt.Link(dt.text("go"), anchor="listed"),)),
        ],
    )
    data = _write(doc)
    d = open_docx(data)
    listed = _para(d, "Listed heading")
    assert listed.style.name == "List Bullet" and listed.runs[0].bold
    assert [p.text for p in d.paragraphs if p.style.name.startswith("toc ")] == ["Real heading"]
    body = _body(data)
    marks = {b.get(f"{{{W}}}name") for b in body.iter(f"{{{W}}}bookmarkStart")}
    links = {h.get(f"{{{W}}}anchor") for h in body.iter(f"{{{W}}}hyperlink")}
    assert "listed" in marks and links <= marks


def test_column_widths_follow_content_when_not_given():
    long = "a free-text comment that needs much more room than the lot number"
    table = dt.Table(
        header=[[dt.Cell(dt.text("Lot")), dt.Cell(dt.text("Comment"))]],
        rows=[[dt.Cell(dt.text("L-1")), dt.Cell(dt.text(long))], [dt.Cell(dt.text("both"), colspan=2)]],
    )
    d = open_docx(_write(dt.Document(full_document().meta, [table])))
    grid = [int(g.get(f"{{{W}}}w")) for g in d.tables[0]._tbl.tblGrid.findall("w:gridCol", NS)]
    assert sum(grid) == 12240 - 2 * 1440
    assert grid[1] > 5 * grid[0]  # 4 vs 30 characters of need
    # wide (CJK) text needs about twice the room of the same number of Latin letters: "批号" (2 em)
    # against "ABCD" (about 2.7 em of bold Times): the shares follow the measured widths
    zh = dt.Table(header=[[dt.Cell(dt.text("批号")), dt.Cell(dt.text("ABCD"))]], rows=[])
    d = open_docx(_write(dt.Document(full_document().meta, [zh])))
    grid = [int(g.get(f"{{{W}}}w")) for g in d.tables[0]._tbl.tblGrid.findall("w:gridCol", NS)]
    assert 0.6 < grid[0] / grid[1] < 0.9


def test_auto_widths_keep_unbreakable_words_whole():
    essay = " ".join(["word"] * 200)
    table = dt.Table(
        header=[[dt.Cell(dt.text("Lot")), dt.Cell(dt.text("Date of manufacture")), dt.Cell(dt.text("Notes"))]],
        rows=[[dt.Cell(dt.text("MCT-ENG-2401")), dt.Cell(dt.text("05 November 2024")), dt.Cell(dt.text(essay))]],
    )
    d = open_docx(_write(dt.Document(full_document().meta, [table])))
    grid = [int(g.get(f"{{{W}}}w")) for g in d.tables[0]._tbl.tblGrid.findall("w:gridCol", NS)]
    assert sum(grid) == 12240 - 2 * 1440
    assert grid[0] >= 12 * 120 + 216  # "MCT-ENG-2401" on one line
    assert grid[1] >= 1400  # "manufacture" in 10 pt Times New Roman bold (55 pt) and the cell margins
    assert grid[2] > grid[0] + grid[1]  # the free text takes the rest


def test_review_links_point_to_sibling_docx_and_bookmark():
    from indbuilder.writers import document_context

    doc = full_document()
    data = write_docx(doc, ctx=document_context(doc, review_links=True))
    targets = {r["Target"] for r in rels(data) if r["Type"].endswith("/hyperlink")}
    assert "../32p83/stability-data.docx#lot_a" in targets  # anchor 'lot-a' -> bookmark 'lot_a'
    assert "stability-protocol.docx" in targets
    assert "https://www.fda.gov/media/71582/download" in targets  # URLs untouched
    # default: the submission's links, unchanged
    targets = {r["Target"] for r in rels(write_docx(doc)) if r["Type"].endswith("/hyperlink")}
    assert "../32p83/stability-data.pdf#lot-a" in targets
