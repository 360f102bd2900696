"""validate_sequence: each check fires on a sequence broken on purpose, and is quiet on a clean one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ectd_support import STANDARDS, errors, fda_envelope, fda_files, md5, nmpa_envelope, nmpa_files, pdf, rules
from ectd_support import with_data
from indbuilder.ectd import assemble_sequence, validate_sequence


@pytest.fixture()
def fda_hist(tmp_path) -> Path:
    hist = tmp_path / "fda"
    assert errors(assemble_sequence(fda_files(), fda_envelope(), hist, STANDARDS, history_dir=hist)) == []
    return hist


def _fix_index_md5(seq: Path) -> None:
    (seq / "index-md5.txt").write_bytes(md5((seq / "index.xml").read_bytes()).encode())


def test_clean_sequence_has_no_errors(fda_hist):
    assert errors(validate_sequence(fda_hist / "0000", STANDARDS)) == []


def test_tampered_file_is_a_checksum_mismatch(fda_hist):
    seq = fda_hist / "0000"
    target = next(seq.rglob("stability-summary.pdf"))
    target.write_bytes(target.read_bytes() + b"\n%tampered")
    found = [d for d in validate_sequence(seq, STANDARDS) if d.rule == "ectd.checksum-mismatch"]
    assert len(found) == 1 and "stability-summary.pdf" in found[0].message
    assert found[0].location.path == "0000/index.xml" and found[0].location.line > 0


def test_tampered_index_is_an_index_md5_mismatch(fda_hist):
    seq = fda_hist / "0000"
    (seq / "index.xml").write_bytes((seq / "index.xml").read_bytes() + b"\n")
    assert "ectd.index-md5-mismatch" in rules(validate_sequence(seq, STANDARDS))


def test_unreferenced_file(fda_hist):
    seq = fda_hist / "0000"
    (seq / "m2/23-qos/stray.pdf").write_bytes(pdf("stray"))
    found = [d for d in validate_sequence(seq, STANDARDS) if d.rule == "ectd.unreferenced-file"]
    assert [d.location.path for d in found] == ["0000/m2/23-qos/stray.pdf"]


def test_bad_file_name(fda_hist):
    seq = fda_hist / "0000"
    old = seq / "m2/23-qos/qos.pdf"
    new = seq / "m2/23-qos/QOS_Final.pdf"
    old.rename(new)
    for bb in ("index.xml",):
        p = seq / bb
        p.write_bytes(p.read_bytes().replace(b"m2/23-qos/qos.pdf", b"m2/23-qos/QOS_Final.pdf"))
    _fix_index_md5(seq)
    diags = validate_sequence(seq, STANDARDS)
    assert [d.message for d in diags if d.rule == "ectd.file-name"] == [
        "file name 'QOS_Final.pdf' breaks the naming rules (lowercase a-z0-9 and '-', one extension, at most 64 "
        "characters)"]
    assert "ectd.unreferenced-file" not in rules(diags)


def test_missing_referenced_file(fda_hist):
    seq = fda_hist / "0000"
    (seq / "m2/23-qos/qos.pdf").unlink()
    assert "ectd.href-missing" in rules(validate_sequence(seq, STANDARDS))


def test_missing_cn_mandatory_node(tmp_path):
    hist = tmp_path / "CXSL2600001"
    assert errors(assemble_sequence(nmpa_files(), nmpa_envelope(), hist, STANDARDS, history_dir=hist)) == []
    seq = hist / "0000"
    assert errors(validate_sequence(seq, STANDARDS)) == []
    reg = seq / "m1/cn/cn-regional.xml"
    text = reg.read_text("utf-8")
    start = text.index("<cn-1-3-4-3>")
    end = text.index("</cn-1-3-4-3>") + len("</cn-1-3-4-3>")
    reg.write_text(text[:start] + text[end:], "utf-8")
    (seq / "m1/cn/03/doc-1-3-4-3.pdf").unlink()
    diags = validate_sequence(seq, STANDARDS)
    found = [d for d in diags if d.rule == "ectd.cn-mandatory-node"]
    assert [d.message for d in found] == ["IND original submission lacks cn-1-3-4-3"]


def test_broken_modified_file_target(fda_hist):
    hist = fda_hist
    files = with_data(fda_files("0001"), "qos", pdf("qos v2"))
    assert errors(assemble_sequence(files, fda_envelope("0001"), hist, STANDARDS, history_dir=hist)) == []
    seq = hist / "0001"
    assert errors(validate_sequence(seq, STANDARDS)) == []
    index = seq / "index.xml"
    data = index.read_bytes()
    assert b'modified-file="../0000/index.xml#id-qos-' in data
    index.write_bytes(data.replace(b'modified-file="../0000/index.xml#id-qos-', b'modified-file="../0000/index.xml#id-gone-'))
    _fix_index_md5(seq)
    found = [d for d in validate_sequence(seq, STANDARDS) if d.rule == "ectd.modified-file-target"]
    assert len(found) == 1 and "id-gone-" in found[0].message
    # a target in a sequence that does not exist
    index.write_bytes(data.replace(b'"../0000/index.xml#', b'"../0007/index.xml#'))
    _fix_index_md5(seq)
    assert "ectd.modified-file-target" in rules(validate_sequence(seq, STANDARDS))


def test_xml_with_external_entity_is_reported_not_expanded(fda_hist, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    seq = fda_hist / "0000"
    index = seq / "index.xml"
    text = index.read_text("utf-8")
    text = text.replace('<!DOCTYPE ectd:ectd SYSTEM "util/dtd/ich-ectd-3-2.dtd">',
                        f'<!DOCTYPE ectd:ectd SYSTEM "util/dtd/ich-ectd-3-2.dtd" [<!ENTITY xxe SYSTEM "file://{secret}">]>')
    text = text.replace("<title>Quality Overall Summary</title>", "<title>&xxe;</title>")
    index.write_text(text, "utf-8")
    _fix_index_md5(seq)
    diags = validate_sequence(seq, STANDARDS)
    unsafe = [d for d in diags if d.rule == "ectd.xml-unsafe"]
    assert unsafe and any("xxe" in d.message for d in unsafe)
    assert all("TOP-SECRET-VALUE" not in d.format() for d in diags)


def test_modified_util_file_is_an_error(fda_hist):
    seq = fda_hist / "0000"
    dtd = seq / "util/dtd/ich-ectd-3-2.dtd"
    dtd.write_bytes(dtd.read_bytes().replace(b"\r\n", b"\n"))  # line-ending normalised copy
    found = [d for d in validate_sequence(seq, STANDARDS) if d.rule == "ectd.standard-checksum"]
    assert len(found) == 1 and "1d6f631cc6b6357f0f4fe378e5f79a27" in found[0].message
    dtd.unlink()
    assert "ectd.standard-missing" in rules(validate_sequence(seq, STANDARDS))


def test_node_extension_rejected_for_fda(fda_hist):
    seq = fda_hist / "0000"
    index = seq / "index.xml"
    text = index.read_text("utf-8")
    leaf_start = text.index("<leaf", text.index("<m2-3-quality-overall-summary>"))
    leaf_end = text.index("</leaf>", leaf_start) + len("</leaf>")
    text = text[:leaf_start] + "<node-extension><title>Extra</title>" + text[leaf_start:leaf_end] + \
        "</node-extension>" + text[leaf_end:]
    text = text.replace("<m2-3-quality-overall-summary>", "<m2-2-introduction>", 1).replace(
        "</m2-3-quality-overall-summary>", "</m2-2-introduction>", 1)
    index.write_text(text, "utf-8")
    _fix_index_md5(seq)
    diags = validate_sequence(seq, STANDARDS)
    assert "ectd.node-extension" in rules(diags)
    assert "ectd.backbone-invalid" not in rules(diags)  # DTD allows it; the FDA rule does not


def test_invalid_backbone_names_element_and_line(fda_hist):
    seq = fda_hist / "0000"
    index = seq / "index.xml"
    index.write_bytes(index.read_bytes().replace(b'operation="new"', b'operation="modify"', 1))
    _fix_index_md5(seq)
    found = [d for d in validate_sequence(seq, STANDARDS) if d.rule == "ectd.backbone-invalid"]
    assert found and "operation" in found[0].message and found[0].location.line > 0


def test_extra_root_entry_and_bad_sequence_folder(fda_hist, tmp_path):
    seq = fda_hist / "0000"
    (seq / "notes.txt").write_text("x")
    assert "ectd.extra-in-root" in rules(validate_sequence(seq, STANDARDS))
    other = tmp_path / "seq-one"
    shutil.copytree(seq, other)
    assert "ectd.sequence-folder" in rules(validate_sequence(other, STANDARDS))


def test_first_sequence_must_be_all_new(fda_hist):
    seq = fda_hist / "0000"
    index = seq / "index.xml"
    data = index.read_bytes()
    i = data.index(b'operation="new"', data.index(b"<m2-3-quality-overall-summary>"))
    data = data[:i] + b'operation="replace" modified-file="../0000/index.xml#x"' + data[i + len(b'operation="new"'):]
    index.write_bytes(data)
    _fix_index_md5(seq)
    r = rules(validate_sequence(seq, STANDARDS))
    assert "ectd.first-sequence-new" in r and "ectd.modified-file-target" in r


def test_fda_regional_dtd_in_util_is_optional_but_checked(fda_hist):
    seq = fda_hist / "0000"
    us = seq / "util/dtd/us-regional-v3-3.dtd"
    us.write_bytes(us.read_bytes() + b" ")
    assert "ectd.standard-checksum" in rules(validate_sequence(seq, STANDARDS))
    us.unlink()  # FDA references it by URL (M1 spec v2.6 Appendix 2): absence is fine
    assert errors(validate_sequence(seq, STANDARDS)) == []
