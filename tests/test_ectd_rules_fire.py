"""One broken input per remaining eCTD rule: the rule fires there (and the clean builds elsewhere stay quiet)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ectd_support import (STANDARDS, errors, fda_envelope, fda_files, md5, nmpa_envelope, nmpa_files, pdf, rules,
                          with_data)
from indbuilder.ectd import StudyInfo, SubmissionFile, assemble_sequence, validate_sequence


def _build(hist: Path, files=None, env=None):
    return assemble_sequence(files or fda_files(), env or fda_envelope(), hist, STANDARDS, history_dir=hist)


def _edit(seq: Path, rel: str, old: bytes, new: bytes, count: int = 1) -> None:
    p = seq / rel
    data = p.read_bytes()
    assert old in data, old
    p.write_bytes(data.replace(old, new, count))
    (seq / "index-md5.txt").write_bytes(md5((seq / "index.xml").read_bytes()).encode())


@pytest.fixture()
def two_seqs(tmp_path) -> Path:
    """0000 and 0001 where the QOS is replaced and the nomenclature deleted."""
    hist = tmp_path / "fda"
    assert errors(_build(hist)) == []
    files = [f for f in with_data(fda_files("0001"), "qos", pdf("qos v2")) if f.doc_id != "s11"]
    assert errors(_build(hist, files, fda_envelope("0001"))) == []
    return hist


def test_assembly_input_rules(tmp_path):
    files = fda_files()
    files += [files[0]]  # duplicate doc_id
    files += [SubmissionFile("m2-4-nonclinical-overview", "padded", " Padded title ", "en", pdf("p"), name_hint="p")]
    files += [SubmissionFile("form:fdaft99", "odd-form", "Form", "en", pdf("f"), name_hint="form-x")]
    files += [SubmissionFile("m4-2-1-1-primary-pharmacodynamics", "pd-1", "PD study", "en", pdf("pd"),
                             name_hint="pd-1", study=StudyInfo("PD-1", "PD study", file_tag="bogus-tag"))]
    env = replace(fda_envelope(), submission_description="d" * 200)
    r = rules(_build(tmp_path, files, env))
    for rule in ("ectd.duplicate-doc-id", "ectd.leaf-title", "ectd.fda-form-type", "ectd.stf-file-tag",
                 "ectd.fda-field-length"):  # ectd.standard-unverified: reported by `standards status`
        assert rule in r, rule


def test_form_in_nmpa_is_a_region_mismatch(tmp_path):
    files = nmpa_files() + [SubmissionFile("form:fdaft1", "f1571", "1571", "en", pdf("1571"), name_hint="f")]
    assert "ectd.region-mismatch" in rules(assemble_sequence(files, nmpa_envelope(), tmp_path, STANDARDS,
                                                             history_dir=tmp_path))


def test_relocated_and_title_only_change(tmp_path):
    assert errors(_build(tmp_path)) == []
    files = [replace(f, node_id="m2-5-clinical-overview") if f.doc_id == "qos" else f for f in fda_files("0001")]
    files = [replace(f, title="General Investigational Plan (retitled)") if f.doc_id == "gip" else f for f in files]
    diags = _build(tmp_path, files, fda_envelope("0001"))
    assert errors(diags) == []
    r = rules(diags)
    assert "ectd.document-relocated" in r and "ectd.title-only-change" in r


def test_replace_identical_content(two_seqs):
    seq = two_seqs / "0001"
    old = (two_seqs / "0000/m2/23-qos/qos.pdf").read_bytes()
    (seq / "m2/23-qos/qos.pdf").write_bytes(old)
    _edit(seq, "index.xml", md5(pdf("qos v2")).encode(), md5(old).encode())
    assert "ectd.replace-identical" in rules(validate_sequence(seq, STANDARDS))


def test_delete_title_must_match(two_seqs):
    _edit(two_seqs / "0001", "index.xml", b"<title>Nomenclature</title>", b"<title>Nomenclature (gone)</title>")
    assert "ectd.delete-title" in rules(validate_sequence(two_seqs / "0001", STANDARDS))


def test_operation_attributes_and_duplicate_modified_file(two_seqs):
    seq = two_seqs / "0001"
    index = (seq / "index.xml").read_text("utf-8")
    start = index.index("<leaf", index.index("<m2-3-quality-overall-summary>"))
    end = index.index("</leaf>", start) + len("</leaf>")
    copy = index[start:end].replace('ID="id-qos', 'ID="id-qos-copy')
    (seq / "index.xml").write_text(index[:end] + copy + index[end:], "utf-8")
    _edit(seq, "index.xml", b' xlink:href="m2/23-qos/qos.pdf"', b"", 1)
    r = rules(validate_sequence(seq, STANDARDS))
    assert "ectd.modified-file-duplicate" in r and "ectd.operation-attributes" in r


@pytest.mark.parametrize("old,new,rule", [
    (b'xlink:href="m2/23-qos/qos.pdf"', b'xlink:href="/etc/hostname"', "ectd.href-form"),
    (b'xlink:href="m2/23-qos/qos.pdf"', b'xlink:href="http://example.com/qos.pdf"', "ectd.href-form"),
    (b'SYSTEM "util/dtd/ich-ectd-3-2.dtd"', b'SYSTEM "http://example.com/ich-ectd-3-2.dtd"', "ectd.doctype"),
    (b'checksum-type="md5"', b'checksum-type="sha1"', "ectd.checksum-type"),
    (b"<ectd:ectd", b"<ectd:ectd <broken", "ectd.xml-malformed"),
])
def test_index_edits(tmp_path, old, new, rule):
    assert errors(_build(tmp_path)) == []
    _edit(tmp_path / "0000", "index.xml", old, new)
    assert rule in rules(validate_sequence(tmp_path / "0000", STANDARDS))


def test_stf_reference_to_missing_leaf(tmp_path):
    assert errors(_build(tmp_path)) == []
    seq = tmp_path / "0000"
    stf = next(seq.rglob("stf-tox-001.xml")).relative_to(seq).as_posix()
    data = (seq / stf).read_bytes()
    (seq / stf).write_bytes(data.replace(b"index.xml#id-", b"index.xml#id-missing-"))
    r = rules(validate_sequence(seq, STANDARDS))
    assert "ectd.stf-reference" in r and "ectd.checksum-mismatch" in r


def test_empty_folder_and_long_path(tmp_path):
    assert errors(_build(tmp_path)) == []
    seq = tmp_path / "0000"
    (seq / "m2/empty").mkdir()
    deep = seq / "m2" / ("a" * 60) / ("b" * 60) / ("c" * 30)
    deep.mkdir(parents=True)
    (deep / "x.pdf").write_bytes(pdf("x"))
    r = rules(validate_sequence(seq, STANDARDS))
    assert "ectd.empty-folder" in r and "ectd.path-too-long" in r


def test_cn_envelope_sequence_rules(tmp_path):
    hist = tmp_path / "wrong-folder-name"
    env = nmpa_envelope(related_sequence="0003")
    r = rules(assemble_sequence(nmpa_files(), env, hist, STANDARDS, history_dir=hist))
    assert "ectd.cn-related-sequence" in r and "ectd.cn-application-folder" in r
    _edit(hist / "0000", "m1/cn/cn-regional.xml", b"<sequence-number>0000<", b"<sequence-number>0001<")
    assert "ectd.cn-sequence-number" in rules(validate_sequence(hist / "0000", STANDARDS))


def test_unreadable_history(tmp_path):
    assert errors(_build(tmp_path)) == []
    (tmp_path / "0000/index.xml").write_bytes(b"<not xml")
    r = rules(_build(tmp_path, env=fda_envelope("0001")))
    assert "ectd.xml-malformed" in r or "ectd.history-unreadable" in r
    (tmp_path / "0000/index.xml").unlink()
    assert "ectd.history-unreadable" in rules(_build(tmp_path, env=fda_envelope("0001")))


def test_heading_attribute_drift_across_sequences(tmp_path):
    from ectd_support import HEADINGS

    assert errors(_build(tmp_path)) == []
    env = replace(fda_envelope("0001"), headings=replace(HEADINGS, manufacturer="Acme Bio Inc"))
    files = with_data(fda_files("0001"), "s11", pdf("s11 v2"))
    diags = _build(tmp_path, files, env)
    drift = [d for d in diags if d.rule == "ectd.heading-attributes-drift"]
    assert drift and "Acme Bio Inc" in drift[0].message
    assert "ectd.document-relocated" in rules(diags)
    # the same headings again: quiet
    other = tmp_path / "again"
    assert errors(_build(other)) == []
    diags = _build(other, files, fda_envelope("0001"))
    assert "ectd.heading-attributes-drift" not in rules(diags)


def test_ind_sequence_without_1571(tmp_path):
    files = [f for f in fda_files() if f.node_id != "form:fdaft1"]
    diags = _build(tmp_path, files)
    assert [d.rule for d in diags if d.severity.value == "error"] == ["ectd.fda-form-missing"]


def test_control_characters_reported_not_raised(tmp_path):
    files = [replace(f, title="Form\x0bFDA 1571") if f.doc_id == "form-1571" else f for f in fda_files()]
    env = replace(fda_envelope(), submission_description="Initial\x01IND")
    diags = _build(tmp_path, files, env)
    bad = sorted(d.message for d in diags if d.rule == "ectd.xml-text")
    assert len(bad) == 2 and "envelope.submission_description" in bad[0] and "'form-1571'" in bad[1]
    assert [d.rule for d in diags if d.severity.value == "error"] == ["ectd.xml-text", "ectd.xml-text"]
    assert b"<title>FormFDA 1571</title>" in (tmp_path / "0000/m1/us/us-regional.xml").read_bytes()


def test_lifecycle_branch_and_replace_language(two_seqs):
    hist = two_seqs
    files = [f for f in with_data(fda_files("0002"), "qos", pdf("qos v3")) if f.doc_id != "s11"]
    assert errors(_build(hist, files, fda_envelope("0002"))) == []
    seq = hist / "0002"
    data = (seq / "index.xml").read_bytes()
    assert b'modified-file="../0001/index.xml#id-qos-' in data
    _edit(seq, "index.xml", b'modified-file="../0001/index.xml#id-qos-', b'modified-file="../0000/index.xml#id-qos-')
    r = rules(validate_sequence(seq, STANDARDS))
    assert "ectd.lifecycle-branch" in r and "ectd.modified-file-target" not in r
    _edit(seq, "index.xml", b'modified-file="../0000/index.xml#id-qos-', b'modified-file="../0001/index.xml#id-qos-')
    assert "ectd.lifecycle-branch" not in rules(validate_sequence(seq, STANDARDS))
    i = data.index(b'operation="replace"')
    j = data.index(b'xml:lang="en"', i)
    (seq / "index.xml").write_bytes(data[:j] + b'xml:lang="zh"' + data[j + len(b'xml:lang="en"'):])
    _edit(seq, "index.xml", b"?>", b"?>")  # refresh index-md5.txt
    assert "ectd.replace-language" in rules(validate_sequence(seq, STANDARDS))


def test_empty_heading_and_missing_m1_leaf(tmp_path):
    assert errors(_build(tmp_path)) == []
    seq = tmp_path / "0000"
    _edit(seq, "index.xml", b"<m2-3-quality-overall-summary>",
          b"<m2-2-introduction></m2-2-introduction><m2-3-quality-overall-summary>")
    diags = validate_sequence(seq, STANDARDS)
    assert [d.message for d in diags if d.rule == "ectd.empty-heading"] == ["heading m2-2-introduction holds no leaf"]
    assert "ectd.backbone-invalid" not in rules(diags)
    _edit(seq, "index.xml", b'xlink:href="m1/us/us-regional.xml"', b'xlink:href="m1/us/other.xml"')
    r = rules(validate_sequence(seq, STANDARDS))
    assert "ectd.m1-regional-leaf" in r and "ectd.href-missing" in r


def test_envelope_change_across_sequences(tmp_path):
    assert errors(_build(tmp_path)) == []
    env = replace(fda_envelope("0001"), application_number="654321")
    diags = _build(tmp_path, with_data(fda_files("0001"), "qos", pdf("qos 2")), env)
    assert [d.message for d in diags if d.rule == "ectd.envelope-changed"] == [
        "application-number is '654321', was '123456' in 0000"]


def test_stf_title_and_file_tag_checks(tmp_path):
    assert errors(_build(tmp_path)) == []
    seq = tmp_path / "0000"
    stf = next(seq.rglob("stf-tox-001.xml"))
    data = stf.read_bytes()
    data = data.replace(b"<title>28-Day Repeat-Dose Toxicity Study in Rats</title>\n      <file-tag",
                        b"<title>Another title</title>\n      <file-tag")
    data = data.replace(b'name="pre-clinical-study-report"', b'name="made-up-tag"')
    stf.write_bytes(data)
    diags = validate_sequence(seq, STANDARDS)
    assert "ectd.stf-title" in rules(diags) and "ectd.stf-file-tag" in rules(diags)
