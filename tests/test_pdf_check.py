"""pdfcheck: each rule fires on a PDF made to break it, and a PDF from our writer is clean."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText, Link
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from indbuilder import rules
from indbuilder.pdfcheck import PdfCheckLimits, check_pdf, run_pdfcheck
from indbuilder.writers.pdf import write_pdf
from pdf_support import sample_document, typst_pdf, write


@pytest.fixture(scope="module")
def good() -> bytes:
    return write_pdf(sample_document("en", "fda", rows=250))  # long: bookmarks + TOC


@pytest.fixture(scope="module")
def short_typst() -> bytes:
    return typst_pdf("#set page(paper: \"us-letter\")\nHello world.")


def rules_of(diags) -> set[str]:
    return {x.rule for x in diags}


def modify(data: bytes, change) -> bytes:
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    w.pdf_header = data[:8]  # pypdf would write %PDF-1.3, which pdf.version flags
    change(w)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def test_our_pdfs_are_clean(good, tmp_path):
    assert len(PdfReader(io.BytesIO(good)).pages) > 5
    assert check_pdf(good, "good.pdf") == []
    zh = write(tmp_path, "zh.pdf", write_pdf(sample_document("zh", "nmpa", rows=250)))
    assert check_pdf(zh) == []


def test_every_rule_is_registered_with_a_basis():
    import indbuilder.pdfcheck.checks  # noqa: F401
    import indbuilder.writers.pdf  # noqa: F401

    # The registry itself (not rules.all_rules(), which imports every other rule family too).
    pdf_rules = [r for r in rules._REGISTRY.values() if r.id.startswith("pdf.") and not r.id.startswith("pdf.form")]
    assert len(pdf_rules) >= 15
    for r in pdf_rules:
        if r.severity.value != "info" and r.id not in {"pdf.render-failed", "pdf.render-warning", "pdf.invalid-date"}:
            assert r.basis, r.id


def test_encrypted(short_typst):
    bad = modify(short_typst, lambda w: w.encrypt("user", "owner"))
    diags = check_pdf(bad, "enc.pdf")
    assert rules_of(diags) == {"pdf.encrypted"}
    assert diags[0].location.path == "enc.pdf"


def test_javascript_document_level_and_open_action(short_typst):
    def name_tree(w: PdfWriter) -> None:
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1);")}
        )
        tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("init"), w._add_object(action)])})
        w._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})

    assert "pdf.javascript" in rules_of(check_pdf(modify(short_typst, name_tree), "js.pdf"))

    def open_action(w: PdfWriter) -> None:
        w._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.beep(0);")}
        )

    assert "pdf.javascript" in rules_of(check_pdf(modify(short_typst, open_action), "oa.pdf"))
    assert "pdf.javascript" not in rules_of(check_pdf(short_typst, "ok.pdf"))


def test_attachment(short_typst):
    bad = modify(short_typst, lambda w: w.add_attachment("data.csv", b"a,b\n1,2\n"))
    assert "pdf.attachment" in rules_of(check_pdf(bad, "att.pdf"))
    assert "pdf.attachment" not in rules_of(check_pdf(short_typst, "ok.pdf"))


def test_long_pdf_without_bookmarks():
    six = typst_pdf("#set page(paper: \"a4\")\n" + "\n#pagebreak()\n".join(f"Page {i}" for i in range(6)))
    assert rules_of(check_pdf(six, "six.pdf")) == {"pdf.bookmarks-missing"}
    five = typst_pdf("#set page(paper: \"a4\")\n" + "\n#pagebreak()\n".join(f"Page {i}" for i in range(5)))
    assert check_pdf(five, "five.pdf") == []


def test_bookmarks_not_shown_initially():
    with_heading = typst_pdf("= Heading\nText")
    assert rules_of(check_pdf(with_heading, "h.pdf")) == {"pdf.initial-view"}


def test_external_web_link(short_typst):
    def add_link(url: str):
        return lambda w: w.add_annotation(0, Link(rect=(50, 50, 200, 70), url=url))

    for url in ("https://example.com/x", "mailto:someone@example.com", "ftp://example.com/f"):
        diags = check_pdf(modify(short_typst, add_link(url)), "ext.pdf")
        assert "pdf.external-link" in rules_of(diags)
        assert any(url in x.message for x in diags)
    relative = check_pdf(modify(short_typst, add_link("../m1/us/cover.pdf")), "rel.pdf")
    assert rules_of(relative) == {"pdf.uri-file-link"}
    absolute = check_pdf(modify(short_typst, add_link("file:///C:/Users/x/doc.pdf")), "abs.pdf")
    assert rules_of(absolute) == {"pdf.absolute-link"}


def test_typst_relative_link_is_flagged_but_writer_output_is_not(good):
    raw = typst_pdf('#link("../32p5/spec.pdf")[spec]')
    assert "pdf.uri-file-link" in rules_of(check_pdf(raw, "raw.pdf"))
    assert "pdf.uri-file-link" not in rules_of(check_pdf(good, "good.pdf"))


def test_version_outside_1_4_to_1_7():
    pdf20 = typst_pdf("Hello", pdf_standards="2.0")
    diags = check_pdf(pdf20, "v2.pdf")
    assert "pdf.version" in rules_of(diags)
    assert any("2.0" in x.message for x in diags)


def test_font_not_embedded(short_typst):
    def add_fonts(w: PdfWriter) -> None:
        page = w.pages[0]
        fonts = page["/Resources"].get_object().setdefault(NameObject("/Font"), DictionaryObject())
        fonts = fonts.get_object()
        for key, base in (("/FX1", "/MyCorporateSans"), ("/FX2", "/Helvetica")):
            fonts[NameObject(key)] = DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Font"),
                    NameObject("/Subtype"): NameObject("/TrueType" if key == "/FX1" else "/Type1"),
                    NameObject("/BaseFont"): NameObject(base),
                }
            )

    diags = check_pdf(modify(short_typst, add_fonts), "font.pdf")
    by_rule = {x.rule: x.message for x in diags}
    assert "MyCorporateSans" in by_rule["pdf.font-not-embedded"]
    assert "Helvetica" in by_rule["pdf.font-standard-not-embedded"]


def test_page_size_too_large():
    tabloid = typst_pdf("#set page(width: 11in, height: 17in)\nBig")
    assert rules_of(check_pdf(tabloid, "big.pdf")) == {"pdf.page-size"}
    landscape = typst_pdf("#set page(paper: \"us-letter\", flipped: true)\nWide")
    assert check_pdf(landscape, "wide.pdf") == []


def test_non_link_annotation(short_typst):
    note = modify(short_typst, lambda w: w.add_annotation(0, FreeText(text="reviewer comment", rect=(50, 50, 200, 90))))
    assert rules_of(check_pdf(note, "note.pdf")) == {"pdf.annotation"}


def test_text_not_searchable():
    image_only = typst_pdf("#rect(width: 5cm, height: 5cm, fill: black)")
    assert rules_of(check_pdf(image_only, "scan.pdf")) == {"pdf.not-searchable"}


def test_file_size_limits(short_typst):
    size = len(short_typst)
    warn = check_pdf(short_typst, "s.pdf", PdfCheckLimits(max_bytes=size * 10, warn_bytes=size - 1))
    assert rules_of(warn) == {"pdf.file-size-large"}
    err = check_pdf(short_typst, "s.pdf", PdfCheckLimits(max_bytes=size - 1, warn_bytes=1))
    assert rules_of(err) == {"pdf.file-size"}


def test_unreadable(tmp_path):
    assert rules_of(check_pdf(b"not a pdf at all", "junk.pdf")) == {"pdf.unreadable"}
    assert rules_of(check_pdf(tmp_path / "missing.pdf")) == {"pdf.unreadable"}


def test_run_pdfcheck_over_files_and_folders(tmp_path, good, short_typst):
    from indbuilder import doctree as d
    from pdf_support import meta

    # good links to ../32p5/spec.pdf#sec-spec: give it that target.
    (tmp_path / "32p8").mkdir()
    (tmp_path / "32p5").mkdir()
    write(tmp_path / "32p8", "a-good.pdf", good)
    spec = d.Document(meta(title="Specification"), [d.Heading(1, d.text("Spec"), anchor="sec-spec")])
    write(tmp_path / "32p5", "spec.pdf", write_pdf(spec))
    bad = modify(short_typst, lambda w: w.encrypt("pw"))
    write(tmp_path / "32p5", "b-bad.pdf", bad)
    diags = run_pdfcheck([tmp_path])
    assert [(Path(x.location.path).name, x.rule) for x in diags] == [("b-bad.pdf", "pdf.encrypted")]
    assert diags.has_errors
    assert not run_pdfcheck([tmp_path / "32p8" / "a-good.pdf"]).has_errors
    (tmp_path / "32p5" / "spec.pdf").unlink()
    assert [x.rule for x in run_pdfcheck([tmp_path / "32p8"])] == ["pdf.link-broken"]


def test_cross_file_links_resolve_relative_to_the_linking_file(tmp_path):
    import shutil

    from indbuilder import doctree as d
    from indbuilder.pdfcheck import check_links
    from pdf_support import meta

    target = d.Document(meta(title="Target"), [d.Heading(1, d.text("Specs"), anchor="specs")])
    links = d.Paragraph((
        d.Link(d.text("good"), href="../b/target.pdf", anchor="specs"),
        d.Link(d.text("whole file"), href="../b/target.pdf"),
        d.Link(d.text("bad anchor"), href="../b/target.pdf", anchor="no-such"),
        d.Link(d.text("bad file"), href="../c/missing.pdf"),
    ))
    source = d.Document(meta(title="Source"), [d.Heading(1, d.text("Links"), anchor="l"), links])
    seq = tmp_path / "0000"
    (seq / "a").mkdir(parents=True)
    (seq / "b").mkdir()
    write(seq / "a", "source.pdf", write_pdf(source))
    write(seq / "b", "target.pdf", write_pdf(target))
    moved = tmp_path / "elsewhere" / "0000"
    shutil.copytree(seq, moved)  # relative links keep working after the folder moved
    for root in (seq, moved):
        diags = check_links(root / "a" / "source.pdf")
        assert sorted(x.message for x in diags) == [
            "page 1: '../b/target.pdf' has no destination 'no-such'",
            "page 1: linked file '../c/missing.pdf' does not exist",
        ]
        assert {x.rule for x in diags} == {"pdf.link-broken"}
        assert check_links(root / "b" / "target.pdf") == []
    assert {x.rule for x in run_pdfcheck([moved])} == {"pdf.link-broken"}


def test_fixed_zoom_links(short_typst):
    from pypdf.generic import ArrayObject, FloatObject, NumberObject

    def fit_link(zoom):
        def change(w: PdfWriter) -> None:
            page = w.pages[0]
            dest = ArrayObject([page.indirect_reference, NameObject("/XYZ"), NumberObject(0), NumberObject(700), zoom])
            annot = DictionaryObject({
                NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): ArrayObject([FloatObject(x) for x in (50, 50, 100, 70)]),
                NameObject("/Dest"): dest,
            })
            page[NameObject("/Annots")] = ArrayObject([w._add_object(annot)])
        return change

    assert rules_of(check_pdf(modify(short_typst, fit_link(FloatObject(1.5))), "z.pdf")) == {"pdf.zoom-not-inherited"}
    assert check_pdf(modify(short_typst, fit_link(NumberObject(0))), "z0.pdf") == []


def test_profiles_exempt_forms_and_literature(short_typst):
    enc = modify(short_typst, lambda w: w.encrypt("", "owner"))
    assert rules_of(check_pdf(enc, "enc.pdf")) == {"pdf.encrypted"}
    # a secured form is accepted only as its own bytes plus an incremental update (test_secured_forms.py)
    assert rules_of(check_pdf(enc, "form.pdf", profile="form")) == {"pdf.encrypted"}
    assert rules_of(check_pdf(enc, "lit.pdf", profile="literature")) == {"pdf.encrypted"}  # must still open
    scan = typst_pdf("#rect(width: 5cm, height: 5cm, fill: black)")
    assert check_pdf(scan, "lit.pdf", profile="literature") == []
    assert rules_of(check_pdf(scan, "doc.pdf")) == {"pdf.not-searchable"}
