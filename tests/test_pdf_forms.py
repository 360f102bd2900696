"""AcroForm filling and the field -> fact mapping file."""

from __future__ import annotations

import io

from pypdf import PdfReader

from indbuilder.diagnostics import Diagnostics
from indbuilder.pdfcheck import fill_form, form_field_names, resolve_mapping
from pdf_support import fillable_pdf, tool, write

FACTS = {
    "sponsor": {"name": {"en": "Acme Biologics, Inc.", "zh": "艾克姆生物"}, "addresses": ["1 Main St", "Boston"]},
    "ind": {"number": 123456, "phase": "1", "first_in_human": True},
}


def values(pdf: bytes) -> dict[str, object]:
    fields = PdfReader(io.BytesIO(pdf)).get_fields()
    return {k: v.get("/V") for k, v in fields.items()}


def test_field_names_of_template():
    assert form_field_names(fillable_pdf()) == ["Box1", "IndNumber", "Phase", "SponsorName"]


def test_fill_form_sets_values_need_appearances_and_is_reproducible(tmp_path):
    template = write(tmp_path, "form.pdf", fillable_pdf())
    mapping = {"SponsorName": "Acme <Bio> #1 $", "IndNumber": "123456", "Box1": "Yes"}
    out = fill_form(template, mapping)
    assert out == fill_form(template, mapping)
    got = values(out)
    assert got["SponsorName"] == "Acme <Bio> #1 $"
    assert got["IndNumber"] == "123456"
    assert got["Phase"] == ""
    assert got["Box1"] == "/Yes"
    reader = PdfReader(io.BytesIO(out))
    assert reader.trailer["/Root"]["/AcroForm"]["/NeedAppearances"] == True  # noqa: E712 (a pypdf BooleanObject)
    # Independent check: poppler sees a fillable AcroForm that is still not encrypted.
    info = tool("pdfinfo", str(write(tmp_path, "filled.pdf", out)))
    assert "Form:            AcroForm" in info and "Encrypted:       no" in info
    assert values(fill_form(template, {"Box1": "no"}))["Box1"] == "/Off"


def test_resolve_mapping_good(tmp_path):
    mapping = tmp_path / "fda-1571.map.yaml"
    mapping.write_text(
        "SponsorName: sponsor.name.en\n"
        "IndNumber: ind.number\n"
        "Phase: {value: 'Phase 1'}\n"
        "Box1: ind.first_in_human\n",
        encoding="utf-8",
    )
    diags = Diagnostics()
    result = resolve_mapping(mapping, FACTS, diags, template_pdf=fillable_pdf())
    assert result == {"SponsorName": "Acme Biologics, Inc.", "IndNumber": "123456", "Phase": "Phase 1", "Box1": "Yes"}
    assert list(diags) == []
    filled = values(fill_form(fillable_pdf(), result))
    assert filled["SponsorName"] == "Acme Biologics, Inc." and filled["Box1"] == "/Yes"


def test_resolve_mapping_reports_unknown_fields_and_facts(tmp_path):
    mapping = tmp_path / "bad.map.yaml"
    mapping.write_text(
        "SponsorName: sponsor.name.fr\n"  # line 1: unknown fact path
        "sponsorname: sponsor.name.en\n"  # line 2: no such field (case)
        "IndNumber: sponsor.addresses\n"  # line 3: a list, not a value
        "Phase: {fact: ind.missing, default: 'TBD'}\n"  # line 4: default used, no finding
        "Box1: [not, valid]\n",  # line 5: malformed entry
        encoding="utf-8",
    )
    diags = Diagnostics()
    result = resolve_mapping(mapping, FACTS, diags, template_pdf=fillable_pdf())
    assert result == {"Phase": "TBD"}
    found = {(x.rule, x.location.line if x.location else 0) for x in diags}
    assert ("pdf.form-unknown-fact", 1) in found
    assert ("pdf.form-unknown-field", 2) in found
    assert ("pdf.form-fact-not-text", 3) in found
    assert ("pdf.form-mapping-invalid", 5) in found
    unknown_fact = next(x for x in diags if x.rule == "pdf.form-unknown-fact")
    assert "sponsor.name.fr" in unknown_fact.message and unknown_fact.location.path.endswith("bad.map.yaml")
    hint = next(x for x in diags if x.rule == "pdf.form-unknown-field").hint
    assert hint and "SponsorName" in hint
    unmapped = {x.message for x in diags if x.rule == "pdf.form-field-unmapped"}
    assert unmapped == {"form field 'Box1' is not in the mapping"}  # its entry was malformed


def test_resolve_mapping_without_template_and_list_index():
    diags = Diagnostics()
    result = resolve_mapping("Address: sponsor.addresses.1\nNope: sponsor.addresses.7\n", FACTS, diags)
    assert result == {"Address": "Boston"}
    assert [x.rule for x in diags] == ["pdf.form-unknown-fact"]


def test_hybrid_xfa_and_usage_rights_are_removed_when_filling():
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    w = PdfWriter(clone_from=PdfReader(io.BytesIO(fillable_pdf())))
    w.root_object["/AcroForm"][NameObject("/XFA")] = ArrayObject([TextStringObject("template"), TextStringObject("<xdp/>")])
    w.root_object[NameObject("/Perms")] = DictionaryObject({NameObject("/UR3"): DictionaryObject()})
    buf = io.BytesIO()
    w.write(buf)
    hybrid = buf.getvalue()
    assert "/XFA" in PdfReader(io.BytesIO(hybrid)).trailer["/Root"]["/AcroForm"]
    filled = PdfReader(io.BytesIO(fill_form(hybrid, {"SponsorName": "Acme"})))
    root = filled.trailer["/Root"]
    assert "/XFA" not in root["/AcroForm"] and "/Perms" not in root
    assert filled.get_fields()["SponsorName"]["/V"] == "Acme"
