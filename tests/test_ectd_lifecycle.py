"""eCTD lifecycle: 0000 then 0001 with changed, added and removed documents; submitted sequences refused."""

from __future__ import annotations

import posixpath
from pathlib import Path

from lxml import etree

from ectd_support import STANDARDS, errors, fda_envelope, fda_files, pdf, rules, with_data
from indbuilder.ectd import SubmissionFile, assemble_sequence, mark_submitted, validate_sequence

XL = "{http://www.w3c.org/1999/xlink}href"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _leaves(path: Path) -> list:
    return [e for e in etree.parse(str(path), PARSER).iter("leaf")]


def _resolve(seq_dir: Path, backbone: str, modified: str):
    """Follow a modified-file value to the leaf it names."""
    path, _, frag = modified.partition("#")
    target = (seq_dir / posixpath.dirname(backbone) / path).resolve()
    hits = [e for e in _leaves(target) if e.get("ID") == frag]
    return target, hits[0] if hits else None


def _build_0000(hist: Path):
    diags = assemble_sequence(fda_files(), fda_envelope(), hist, STANDARDS, history_dir=hist)
    assert errors(diags) == []


def test_replace_new_delete_in_0001(tmp_path):
    hist = tmp_path / "fda"
    _build_0000(hist)
    before = _snapshot(hist / "0000")
    files = with_data(fda_files("0001"), "p81", pdf("p81 updated stability"))  # ICH doc changed; new cover, 1571
    files = with_data(files, "ib", pdf("IB edition 2"))  # M1 doc changed
    files = [f for f in files if f.doc_id != "s11"]  # removed
    files.append(SubmissionFile("m3-2-p-8-3-stability-data", "p83", "Stability Data", "en", pdf("p83"),
                                name_hint="stability-data"))  # added
    diags = assemble_sequence(files, fda_envelope("0001", related_sequence="0000"), hist, STANDARDS, history_dir=hist)
    assert errors(diags) == []
    assert _snapshot(hist / "0000") == before  # 0000 untouched
    seq = hist / "0001"
    ich = {l.get("ID"): l for l in _leaves(seq / "index.xml") if l.get("ID") != "m1-regional-backbone"}
    ops = sorted((l.getparent().tag, l.get("operation")) for l in ich.values())
    assert ops == [("m3-2-p-8-1-stability-summary-and-conclusion", "replace"),
                   ("m3-2-p-8-3-stability-data", "new"),
                   ("m3-2-s-1-1-nomenclature", "delete")]
    for leaf in ich.values():
        if leaf.get("operation") == "new":
            assert leaf.get("modified-file") is None
            continue
        target_file, target = _resolve(seq, "index.xml", leaf.get("modified-file"))
        assert target_file == (hist / "0000/index.xml").resolve() and target is not None
        assert leaf.get("modified-file").startswith("../0000/index.xml#")
        if leaf.get("operation") == "delete":
            assert leaf.get(XL) is None
            assert leaf.findtext("title") == target.findtext("title")
        else:
            assert leaf.get("checksum") != target.get("checksum")
    reg = [l for l in _leaves(seq / "m1/us/us-regional.xml")]
    assert [(l.getparent().tag, l.getparent().get("form-type"), l.get("operation")) for l in reg] == [
        ("form", "fdaft1", "new"),  # Form 1571 and cover letter belong to their sequence: never replace/delete
        ("m1-2-cover-letters", None, "new"),
        ("m1-14-4-1-investigational-brochure", None, "replace")]
    assert reg[0].get("modified-file") is None and reg[1].get("modified-file") is None
    mf = reg[2].get("modified-file")
    assert mf.startswith("../../../0000/m1/us/us-regional.xml#")
    assert _resolve(seq, "m1/us/us-regional.xml", mf)[1] is not None
    # unchanged documents are left out of 0001
    assert not (seq / "m1/us/form-3674.pdf").exists()
    assert not (seq / "m2").exists()
    assert errors(validate_sequence(seq, STANDARDS)) == []


def test_identical_rebuild_changes_nothing(tmp_path):
    hist = tmp_path / "fda"
    _build_0000(hist)
    diags = assemble_sequence(fda_files(), fda_envelope("0001", related_sequence="0000"), hist, STANDARDS,
                              history_dir=hist)
    assert "ectd.empty-sequence" in rules(diags)
    leaves = _leaves(hist / "0001/index.xml")
    assert [l.get("ID") for l in leaves] == ["m1-regional-backbone"]  # no replace of identical content
    assert _leaves(hist / "0001/m1/us/us-regional.xml") == []


def test_changed_study_report_rewrites_its_stf(tmp_path):
    hist = tmp_path / "fda"
    _build_0000(hist)
    files = with_data(fda_files("0001"), "csr-101", pdf("csr-101 amended"))
    diags = assemble_sequence(files, fda_envelope("0001"), hist, STANDARDS, history_dir=hist)
    assert errors(diags) == []
    ops = sorted((Path(l.get(XL)).name, l.get("operation")) for l in _leaves(hist / "0001/index.xml")
                 if l.get("ID") != "m1-regional-backbone")
    assert ops == [("csr-acme-101.pdf", "replace"), ("stf-acme-101.xml", "replace")]
    # the untouched TOX-001 study keeps its 0000 STF


def test_unchanged_study_doc_referenced_in_earlier_sequence(tmp_path):
    hist = tmp_path / "fda"
    _build_0000(hist)
    files = fda_files("0001")
    files.append(SubmissionFile("m5-3-5-1-study-reports-of-controlled-clinical-studies-pertinent-to-the-claimed-"
                                "indication", "csr-101-protocol", "Protocol ACME-101", "en", pdf("protocol"),
                                name_hint="protocol", study=files[-1].study and
                                type(files[-1].study)("ACME-101", "A Phase 2 Study of Acmezumab in Asthma",
                                                      "protocol-or-amendment")))
    diags = assemble_sequence(files, fda_envelope("0001"), hist, STANDARDS, history_dir=hist)
    assert errors(diags) == []
    stf = next((hist / "0001").rglob("stf-acme-101.xml"))
    hrefs = sorted(dc.get("{http://www.w3.org/1999/xlink}href") for dc in etree.parse(str(stf), PARSER).iter("doc-content"))
    assert any("/0000/index.xml#" in h for h in hrefs)  # the CSR stays in 0000
    assert any("/0001/index.xml#" in h for h in hrefs)  # the protocol is in 0001


def test_submitted_sequence_is_never_rewritten(tmp_path):
    hist = tmp_path / "fda"
    _build_0000(hist)
    assert len(mark_submitted(hist, "0000", "2026-11-28")) == 0
    before = _snapshot(hist / "0000")
    diags = assemble_sequence(fda_files(), fda_envelope("0000"), hist, STANDARDS, history_dir=hist)
    assert rules(diags) == ["ectd.sequence-submitted"]
    assert _snapshot(hist / "0000") == before
    # the next sequence is fine
    diags = assemble_sequence(with_data(fda_files("0001"), "gip", pdf("gip 2")), fda_envelope("0001"), hist, STANDARDS,
                              history_dir=hist)
    assert errors(diags) == []


def test_gap_and_rebuild_below_later_sequence_refused(tmp_path):
    hist = tmp_path / "fda"
    _build_0000(hist)
    diags = assemble_sequence(fda_files(), fda_envelope("0002"), hist, STANDARDS, history_dir=hist)
    assert rules(diags) == ["ectd.sequence-gap"] and not (hist / "0002").exists()
    assemble_sequence(with_data(fda_files("0001"), "gip", pdf("gip 2")), fda_envelope("0001"), hist, STANDARDS,
                      history_dir=hist)
    diags = assemble_sequence(fda_files(), fda_envelope("0000"), hist, STANDARDS, history_dir=hist)
    assert rules(diags) == ["ectd.sequence-not-latest"]


def test_draft_sequence_can_be_rebuilt(tmp_path):
    hist = tmp_path / "fda"
    _build_0000(hist)
    first = _snapshot(hist / "0000")
    diags = assemble_sequence(fda_files(), fda_envelope("0000"), hist, STANDARDS, history_dir=hist)
    assert errors(diags) == []
    assert _snapshot(hist / "0000") == first


def test_modified_submitted_sequence_is_detected(tmp_path):
    hist = tmp_path / "fda"
    _build_0000(hist)
    mark_submitted(hist, "0000", "2026-11-28")
    index = hist / "0000/index.xml"
    index.write_bytes(index.read_bytes().replace(b"QOS", b"QOS").replace(b"Quality Overall", b"Quality overall"))
    assert "ectd.submitted-modified" in rules(validate_sequence(hist / "0000", STANDARDS))


def test_next_sequence(tmp_path):
    from indbuilder.ectd import next_sequence

    assert next_sequence(None) == "0000"
    assert next_sequence(tmp_path) == "0000"
    _build_0000(tmp_path)
    assert next_sequence(tmp_path) == "0001"


def test_nmpa_response_sequence(tmp_path):
    from dataclasses import replace

    from indbuilder.regions.nmpa import nmpa_envelope_codes

    from ectd_support import nmpa_envelope, nmpa_files

    hist = tmp_path / "CXSL2600001"
    assert errors(assemble_sequence(nmpa_files(), nmpa_envelope(), hist, STANDARDS, history_dir=hist)) == []
    files = with_data(with_data(nmpa_files(), "cn-cn-1-0", pdf("回复说明函")), "cn-cn-1-3-4-3", pdf("IB v2"))
    env = nmpa_envelope("0001", related_sequence="0000")
    env = replace(env, codes=replace(nmpa_envelope_codes(env), sequence_type="cnsqt2"))
    diags = assemble_sequence(files, env, hist, STANDARDS, history_dir=hist)
    assert errors(diags) == []
    ns = "{cn_ectd}"
    tree = etree.parse(str(hist / "0001/m1/cn/cn-regional.xml"), PARSER)
    ops = [(l.getparent().tag.replace(ns, ""), l.get("operation")) for l in tree.iter(f"{ns}leaf")]
    assert ops == [("cn-1-0", "new"), ("cn-1-3-4-3", "replace")]
    cover = next(tree.iter(f"{ns}leaf"))
    assert cover.get("modified-file") is None
    # an edited backbone that replaces the cover letter is refused by NMPA rule 4.1.14
    reg = hist / "0001/m1/cn/cn-regional.xml"
    data = reg.read_bytes()
    reg.write_bytes(data.replace(b'operation="new"', b'operation="append" modified-file="../../../0000/m1/cn/'
                                 b'cn-regional.xml#x"', 1))
    assert "ectd.cover-letter-new" in [d.rule for d in validate_sequence(hist / "0001", STANDARDS)]
