"""Secured agency forms (FDA 1571/1572/3674 are AES-encrypted, empty user password, editing
restricted) are filled by an incremental update that keeps the form's bytes and security, and
pdfcheck accepts encryption only for such a form.

The secured forms are stand-ins the tests make with pypdf (a one-page AcroForm, encrypted with an
owner password and permissions without "modify"); no real FDA form is downloaded.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PasswordType, PdfReader, PdfWriter
from pypdf.constants import UserAccessPermissions as Perm
from pypdf.generic import ArrayObject, ByteStringObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject
from typer.testing import CliRunner

from example_project import copy_example
from indbuilder.cli import app
from indbuilder.pdfcheck import check_pdf, fill_form, run_pdfcheck
from indbuilder.pdfcheck.secured import SecuredFormError, form_security, kept_security
from pdf_support import fillable_pdf, tool, write

OWNER = "fda-owner-password"
#: what FDA's forms allow: print, fill in form fields, accessibility; no changes, no copying
PERMISSIONS = Perm.PRINT | Perm.FILL_FORM_FIELDS | Perm.EXTRACT_TEXT_AND_GRAPHICS | Perm.PRINT_TO_REPRESENTATION
VALUES = {"SponsorName": "Acme Biologics (Bio) é", "IndNumber": "123456", "Box1": "Yes"}


def secured_form(algorithm: str = "AES-256", label: str = "Form FDA 1571 (stand-in made by the tests)",
                 permissions: int = PERMISSIONS, user_password: str = "") -> bytes:
    """A fillable one-page form with a line of page text, encrypted like an agency form."""
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(fillable_pdf())))
    page = w.pages[0]
    font = w._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"), NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    }))
    text = DecodedStreamObject()
    text.set_data(b"BT /F1 14 Tf 72 750 Td (" + label.encode("latin-1") + b") Tj ET")
    page[NameObject("/Contents")] = w._add_object(text)
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    w.pdf_header = b"%PDF-1.7"
    w.encrypt(user_password=user_password, owner_password=OWNER, permissions_flag=permissions, algorithm=algorithm)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def as_xref_stream(pdf: bytes) -> bytes:
    """The same file with its cross-reference table replaced by a cross-reference stream (PDF 1.5+),
    as many issued forms have; the objects keep their bytes and offsets."""
    reader = PdfReader(io.BytesIO(pdf))
    at = pdf.rindex(b"xref")
    offsets = {idnum: off for ids in reader.xref.values() for idnum, off in ids.items()}
    size = max(offsets) + 2
    offsets[size - 1] = at  # the stream itself
    rows = b"\x00" + b"\x00" * 4 + b"\xff\xff"  # object 0: the head of the free list
    rows += b"".join(b"\x01" + offsets[i].to_bytes(4, "big") + b"\x00\x00" if i in offsets else b"\x00" * 7
                     for i in range(1, size))
    stream = DecodedStreamObject()
    stream.set_data(rows)
    for key in ("/Root", "/Info", "/Encrypt", "/ID"):
        stream[NameObject(key)] = reader.trailer.raw_get(key)
    stream[NameObject("/ID")] = ArrayObject(ByteStringObject(x.original_bytes) for x in reader.trailer["/ID"])
    stream.update({NameObject("/Type"): NameObject("/XRef"), NameObject("/Size"): NumberObject(size),
                   NameObject("/W"): ArrayObject([NumberObject(1), NumberObject(4), NumberObject(2)])})
    out = io.BytesIO()
    out.write(pdf[:at])
    out.write(b"%d 0 obj\n" % (size - 1))
    stream.write_to_stream(out)
    out.write(b"\nendobj\nstartxref\n%d\n%%%%EOF\n" % at)
    return out.getvalue()


def values(pdf: bytes) -> dict[str, object]:
    return {k: v.get("/V") for k, v in (PdfReader(io.BytesIO(pdf)).get_fields() or {}).items()}


def encryption_line(tmp_path: Path, name: str, pdf: bytes) -> str:
    """poppler's view of the security: ``Encrypted: yes (print:yes copy:no change:no ... algorithm:AES-256)``."""
    info = tool("pdfinfo", str(write(tmp_path, name, pdf)))
    return next(line for line in info.splitlines() if line.startswith("Encrypted:"))


@pytest.mark.parametrize("algorithm", ["AES-256", "AES-128"])
def test_secured_form_is_filled_by_an_incremental_update(tmp_path, algorithm):
    original = secured_form(algorithm)
    filled = fill_form(original, VALUES)
    # the form as issued is the unchanged prefix; the values are appended after its %%EOF
    assert filled.startswith(original) and len(filled) > len(original)
    assert filled == fill_form(original, VALUES)  # same form and values, same bytes
    # still encrypted, with the same method, handler revision and permissions
    before, after = form_security(original), form_security(filled)
    assert after is not None and before is not None
    assert (after.method, after.revision, after.permissions) == (before.method, before.revision, before.permissions)
    assert after.method == algorithm and not after.permissions & Perm.MODIFY
    reader = PdfReader(io.BytesIO(filled))
    assert reader.is_encrypted
    assert reader.decrypt("") == PasswordType.USER_PASSWORD  # opens for everyone, as before
    assert PdfReader(io.BytesIO(filled)).decrypt(OWNER) == PasswordType.OWNER_PASSWORD  # the owner password stays
    got = values(filled)
    assert got["SponsorName"] == VALUES["SponsorName"] and got["IndNumber"] == "123456" and got["Box1"] == "/Yes"
    # Independent reader: poppler sees the same security and draws the values from the new objects
    line = encryption_line(tmp_path, "filled.pdf", filled)
    assert line.startswith("Encrypted:       yes") and "change:no" in line
    assert line == encryption_line(tmp_path, "original.pdf", original)
    text = tool("pdftotext", str(tmp_path / "filled.pdf"), "-")
    assert "Acme Biologics (Bio) é" in text and "123456" in text and "stand-in made by the tests" in text


def test_secured_form_with_a_cross_reference_stream_is_updated_with_a_stream(tmp_path):
    original = as_xref_stream(secured_form("AES-256"))
    assert values(original)["SponsorName"] == ""  # the converted form reads
    filled = fill_form(original, VALUES)
    assert filled.startswith(original)
    update = filled[len(original):]
    assert b"/Type /XRef" in update and b"\nxref\n" not in update
    assert values(filled)["SponsorName"] == VALUES["SponsorName"]
    assert encryption_line(tmp_path, "f.pdf", filled).startswith("Encrypted:       yes")
    assert "Acme Biologics" in tool("pdftotext", str(tmp_path / "f.pdf"), "-")


def test_unsecured_form_is_still_written_anew():
    plain = fillable_pdf()
    filled = fill_form(plain, VALUES)
    assert not filled.startswith(plain) and not PdfReader(io.BytesIO(filled)).is_encrypted
    assert values(filled)["SponsorName"] == VALUES["SponsorName"]


def test_form_that_does_not_allow_filling_or_needs_a_password_is_not_filled():
    with pytest.raises(SecuredFormError, match="do not allow filling"):
        fill_form(secured_form(permissions=Perm.PRINT), VALUES)
    with pytest.raises(SecuredFormError, match="needs a password to open"):
        fill_form(secured_form(user_password="secret"), VALUES)
    assert kept_security(secured_form(user_password="secret"))[0] is False


def rules(diags: list) -> set[str]:
    return {d.rule for d in diags}


def test_pdfcheck_accepts_only_the_declared_form_kept_as_its_prefix():
    original = secured_form("AES-256")
    filled = fill_form(original, VALUES)
    # the build: profile "form" and the declared form's bytes
    found = check_pdf(filled, "forms/fda-1571.pdf", profile="form", original=original)
    assert rules(found) == {"pdf.form-security-kept"}
    [kept] = found
    assert kept.severity == "info" and "kept with its original security (incremental update)" in kept.message
    assert "the first %d bytes are the declared form" % len(original) in kept.message
    # another secured form declared: the file does not start with its bytes
    other = secured_form("AES-256", label="Form FDA 3674 (stand-in)")
    refused = check_pdf(filled, "forms/fda-1571.pdf", profile="form", original=other)
    assert rules(refused) == {"pdf.encrypted"} and "does not start with the bytes of the declared form" in refused[0].message
    # the form decrypted and re-encrypted as a whole (what a rewrite does): refused
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(filled)))
    w.encrypt("", OWNER, permissions_flag=PERMISSIONS, algorithm="AES-256")
    rewritten = io.BytesIO()
    w.write(rewritten)
    assert rules(check_pdf(rewritten.getvalue(), "f.pdf", profile="form", original=original)) == {"pdf.encrypted"}
    # a secured form is never literature
    assert rules(check_pdf(filled, "f.pdf", profile="literature")) == {"pdf.encrypted"}


def tamper_encrypt(filled: bytes) -> bytes:
    """An update after the filled form whose trailer names another file identifier."""
    reader = PdfReader(io.BytesIO(filled))
    prev = reader._startxref
    trailer = filled[filled.rindex(b"trailer"):filled.rindex(b"startxref")]
    trailer = re.sub(rb"/ID \[ <[0-9a-f]+>", b"/ID [ <" + b"00" * 16 + b">", trailer)
    trailer = re.sub(rb"/Prev \d+", b"/Prev %d" % prev, trailer)
    at = len(filled)
    return filled + b"xref\n0 0\n" + trailer + b"startxref\n%d\n%%%%EOF\n" % at


def test_pdfcheck_on_a_file_alone_uses_the_first_revision(tmp_path):
    original = secured_form("AES-128")
    filled = fill_form(original, VALUES)
    files = {
        "filled.pdf": filled,
        "unfilled.pdf": original,  # a single revision: nothing shows it is a form kept as issued
        "document.pdf": fill_form_free_update(),  # encrypted, updated, but no form
        # AES-256 (R6) keys do not depend on the file identifier: the file opens, the comparison refuses it
        "tampered.pdf": tamper_encrypt(fill_form(secured_form("AES-256"), VALUES)),
        # AES-128 (R4) keys do: with another identifier the file no longer opens at all
        "tampered-128.pdf": tamper_encrypt(filled),
    }
    for name, data in files.items():
        write(tmp_path, name, data)
    found = {Path(d.location.path).name: d for d in run_pdfcheck([tmp_path]) if d.rule.startswith("pdf.e") or "security" in d.rule}
    assert found["filled.pdf"].rule == "pdf.form-security-kept"
    assert "not compared with an original" in found["filled.pdf"].message
    for name in ("unfilled.pdf", "document.pdf", "tampered.pdf", "tampered-128.pdf"):
        assert found[name].rule == "pdf.encrypted", (name, found[name].message)
    assert "not an incremental update of a secured form" in found["unfilled.pdf"].message
    assert "not an incremental update of a secured form" in found["document.pdf"].message
    assert "encryption dictionary or file identifier" in found["tampered.pdf"].message
    assert "needs a password" in found["tampered-128.pdf"].message


def fill_form_free_update() -> bytes:
    """An encrypted document without form fields, with an (empty) incremental update appended."""
    w = PdfWriter()
    w.add_blank_page(612, 792)
    w.pdf_header = b"%PDF-1.7"
    w.encrypt("", OWNER, permissions_flag=PERMISSIONS, algorithm="AES-256")
    out = io.BytesIO()
    w.write(out)
    first = out.getvalue()
    reader = PdfReader(io.BytesIO(first))
    trailer = first[first.rindex(b"trailer"):first.rindex(b"startxref")].replace(b">>", b"/Prev %d\n>>" % reader._startxref, 1)
    return first + b"xref\n0 0\n" + trailer + b"startxref\n%d\n%%%%EOF\n" % len(first)


# ---------------------------------------------------------------- the example's FDA forms

MAP_1571 = "SponsorName: sponsor.name.en\nIndNumber: regulatory.fda.application_number\nPhase: protocol.phase\nBox1: {value: 'Yes'}\n"
MAP_3674 = "SponsorName: sponsor.name.en\nIndNumber: regulatory.fda.application_number\nPhase: {value: '1'}\nBox1: {value: 'No'}\n"


def secured_example(tmp_path: Path, extra: str = "") -> tuple[Path, dict[str, bytes]]:
    """MCT-101 with its FDA forms (1571, 3674) declared as secured stand-ins filled from the facts;
    the generated data sheets (content/narratives/form-*.en.md) stay."""
    root = copy_example(tmp_path / "p", templates=False)
    forms = root / "forms"
    forms.mkdir()
    originals = {"1571": secured_form("AES-256"), "3674": secured_form("AES-128", label="Form FDA 3674 (stand-in made by the tests)")}
    for code, data in originals.items():
        (forms / f"fda-{code}.pdf").write_bytes(data)
    (forms / "fda-1571.map.yaml").write_text(MAP_1571, encoding="utf-8")
    (forms / "fda-3674.map.yaml").write_text(MAP_3674, encoding="utf-8")
    (root / "content/attachments.yaml").write_text(
        "attachments:\n"
        "  - {id: form-1571, node: 'form:fdaft1', file: forms/fda-1571.pdf, fill: forms/fda-1571.map.yaml,\n"
        "     title: {en: Form FDA 1571, zh: FDA 1571表}, regions: [fda]}\n"
        "  - {id: form-3674, node: 'form:fdaft7', file: forms/fda-3674.pdf, fill: forms/fda-3674.map.yaml,\n"
        "     title: {en: Form FDA 3674, zh: FDA 3674表}, regions: [fda]}\n" + extra,
        encoding="utf-8",
    )
    return root, originals


def test_example_fda_forms_keep_their_security_in_the_sequence(tmp_path):
    root, originals = secured_example(tmp_path)
    result = CliRunner().invoke(app, ["build", "-p", str(root), "-r", "fda"])
    assert result.exit_code == 0, result.output
    assert "[pdf.encrypted]" not in result.output
    for code in originals:
        assert (f"forms/fda-{code}.pdf: info [pdf.form-security-kept] secured agency form kept with its original "
                "security (incremental update)") in result.output
    [seq] = list((root / "build/fda/ectd").glob("*/0000"))
    regional = (seq / "m1/us/us-regional.xml").read_text(encoding="utf-8")
    for code, form_type in (("1571", "fdaft1"), ("3674", "fdaft7")):
        placed = (seq / f"m1/us/form-{code}.pdf").read_bytes()
        assert placed.startswith(originals[code]) and placed != originals[code]
        assert f'form-type="{form_type}"' in regional and f'xlink:href="form-{code}.pdf"' in regional
        line = encryption_line(tmp_path, f"{code}.pdf", placed)
        assert line.startswith("Encrypted:       yes") and "change:no" in line
        got = values(placed)
        assert got["SponsorName"] == "Meridian Cell Therapeutics, Inc." and got["IndNumber"] == "031562"
    assert values((seq / "m1/us/form-1571.pdf").read_bytes())["Box1"] == "/Yes"
    # the data sheets generated from the same facts remain for review
    for code in originals:
        assert (root / f"build/fda/docx/m1/us/form-{code}-data.docx").is_file()


def test_build_refuses_an_encrypted_attachment_that_is_no_form(tmp_path):
    root, _ = secured_example(
        tmp_path,
        "  - {id: loa-secured, node: 'form:fdaft1', file: forms/secured-letter.pdf,\n"
        "     title: {en: Secured letter, zh: 加密信函}, regions: [fda]}\n",
    )
    shutil.copy(root / "forms/fda-1571.pdf", root / "forms/secured-letter.pdf")  # encrypted, not filled, not updated
    result = CliRunner().invoke(app, ["build", "-p", str(root), "-r", "fda"])
    assert result.exit_code == 1
    assert "forms/secured-letter.pdf: error [pdf.encrypted]" in result.output
    assert "forms/fda-1571.pdf: info [pdf.form-security-kept]" in result.output
