"""eCTD assembly: FDA and NMPA sequences checked with independent lxml validation against the official files."""

from __future__ import annotations

import hashlib
import posixpath
import shutil
from dataclasses import replace

from indbuilder.regions.fda import fda_envelope_codes
from indbuilder.regions.nmpa import nmpa_envelope_codes
from pathlib import Path

import pytest
from lxml import etree

from ectd_support import (STANDARDS, errors, fda_envelope, fda_files, md5, nmpa_envelope, nmpa_files, pdf, rules)
from indbuilder.ectd import HeadingAttributes, SubmissionFile, assemble_sequence, validate_sequence

XL_ICH = "{http://www.w3c.org/1999/xlink}href"
XL_W3 = "{http://www.w3.org/1999/xlink}href"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _dtd(rel: str) -> etree.DTD:
    with open(STANDARDS / rel, "rb") as fh:
        return etree.DTD(fh)


def _cn_schema(tmp: Path) -> etree.XMLSchema:
    flat = tmp / "xsd"
    flat.mkdir()
    for rel in ("cn/cn-regional-1-0.xsd", "w3c/xlink.xsd", "w3c/xml.xsd"):
        shutil.copyfile(STANDARDS / rel, flat / Path(rel).name)
    return etree.XMLSchema(etree.parse(str(flat / "cn-regional-1-0.xsd")))


def _leaves(tree):
    return [e for e in tree.iter() if isinstance(e.tag, str) and e.tag.rsplit("}", 1)[-1] == "leaf"]


def _check_leaf_checksums(seq_dir: Path, backbone: str, tree) -> int:
    n = 0
    base = posixpath.dirname(backbone)
    for leaf in _leaves(tree):
        href = leaf.get(XL_ICH) or leaf.get(XL_W3)
        data = (seq_dir / posixpath.join(base, href)).read_bytes()
        assert leaf.get("checksum") == hashlib.md5(data).hexdigest(), href
        assert leaf.get("checksum-type") == "md5"
        n += 1
    return n


@pytest.fixture()
def fda_seq(tmp_path):
    hist = tmp_path / "fda"
    diags = assemble_sequence(fda_files(), fda_envelope(), hist, STANDARDS, history_dir=hist)
    return hist / "0000", diags


def test_fda_sequence_is_valid_against_official_dtds(fda_seq):
    seq, diags = fda_seq
    assert errors(diags) == []
    index = etree.parse(str(seq / "index.xml"), PARSER)
    assert _dtd("ich/ich-ectd-3-2.dtd").validate(index)
    regional = etree.parse(str(seq / "m1/us/us-regional.xml"), PARSER)
    assert _dtd("us/us-regional-v3-3.dtd").validate(regional)
    assert index.getroot().nsmap["xlink"] == "http://www.w3c.org/1999/xlink"
    # every leaf's checksum recomputed; M1 leaf points at the regional backbone
    assert _check_leaf_checksums(seq, "index.xml", index) >= 7
    assert _check_leaf_checksums(seq, "m1/us/us-regional.xml", regional) == 5
    m1 = index.find("m1-administrative-information-and-prescribing-information/leaf")
    assert m1.get(XL_ICH) == "m1/us/us-regional.xml"
    # index-md5.txt: 32 lowercase hex, nothing else
    assert (seq / "index-md5.txt").read_bytes() == md5((seq / "index.xml").read_bytes()).encode()


def test_fda_regional_content(fda_seq):
    seq, _ = fda_seq
    r = etree.parse(str(seq / "m1/us/us-regional.xml"), PARSER).getroot()
    assert r.findtext("admin/applicant-info/id") == "123456789"
    num = r.find("admin/application-set/application/application-information/application-number")
    assert (num.text, num.get("application-type")) == ("123456", "fdaat4")
    # the IND's Form FDA 1571 is the submission's form; other forms go to 1.1
    main = r.findall("admin/application-set/application/submission-information/form")
    assert [f.get("form-type") for f in main] == ["fdaft1"] and main[0].find("leaf") is not None
    assert [f.get("form-type") for f in r.iterfind("m1-regional/m1-1-forms/form")] == ["fdaft7"]
    assert r.find("m1-regional/m1-14-labeling/m1-14-4-investigational-drug-labeling/"
                  "m1-14-4-1-investigational-brochure/leaf") is not None
    assert r.find("m1-regional/m1-20-general-investigational-plan-for-initial-ind/leaf") is not None
    assert not list(r.iter("node-extension"))


def test_fda_layout_names_and_headings(fda_seq):
    seq, diags = fda_seq
    files = sorted(p.relative_to(seq).as_posix() for p in seq.rglob("*") if p.is_file())
    assert "m3/32-body-data/32p-drug-prod/acmezumab-injection/32p8-stab/stability-summary.pdf" in files
    assert "m3/32-body-data/32s-drug-sub/acmezumab-acme-bio/32s1-gen-info/nomenclature.pdf" in files
    assert any(f.startswith("m5/53-clin-stud-rep/535-rep-effic-safety-stud/asthma/5351-stud-rep-contr/acme-101/")
               for f in files)
    for f in files:
        assert len(f) <= 150
        for part in f.split("/"):
            assert len(part) <= 64
    # the IB hint was not compliant: a compliant name was derived and reported
    assert "m1/us/investigator-s-brochure-v2.pdf" in files
    assert "ectd.name-derived" in rules(diags)
    index = etree.parse(str(seq / "index.xml"), PARSER)
    sub = index.find(".//m3-2-s-drug-substance")
    assert (sub.get("substance"), sub.get("manufacturer")) == ("acmezumab", "Acme Bio")
    assert index.find(".//m5-3-5-reports-of-efficacy-and-safety-studies").get("indication") == "asthma"


def test_util_files_are_byte_copies(fda_seq):
    seq, _ = fda_seq
    for name, rel in (("dtd/ich-ectd-3-2.dtd", "ich/ich-ectd-3-2.dtd"),
                      ("dtd/us-regional-v3-3.dtd", "us/us-regional-v3-3.dtd"),
                      ("style/ectd-2-0.xsl", "ich/ectd-2-0.xsl"),
                      ("dtd/ich-stf-v2-2.dtd", "ich/ich-stf-v2-2.dtd")):
        assert (seq / "util" / name).read_bytes() == (STANDARDS / rel).read_bytes()
    assert md5((seq / "util/dtd/ich-ectd-3-2.dtd").read_bytes()) == "1d6f631cc6b6357f0f4fe378e5f79a27"


def test_study_tagging_files_valid_and_resolving(fda_seq):
    seq, _ = fda_seq
    stfs = sorted(seq.rglob("stf-*.xml"))
    assert len(stfs) == 2
    index = etree.parse(str(seq / "index.xml"), PARSER)
    ids = {leaf.get("ID") for leaf in _leaves(index)}
    for stf in stfs:
        tree = etree.parse(str(stf), PARSER)
        assert _dtd("ich/ich-stf-v2-2.dtd").validate(tree), stf
        for dc in tree.iter("doc-content"):
            path, _, frag = dc.get(XL_W3).partition("#")
            assert (stf.parent / path).resolve() == (seq / "index.xml").resolve()
            assert frag in ids
        # the STF is itself a leaf in the same heading
        assert any((leaf.get(XL_ICH) or "").endswith(stf.name) for leaf in _leaves(index))


def test_build_is_byte_identical_and_ids_stable(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assemble_sequence(fda_files(), fda_envelope(), a, STANDARDS, history_dir=a)
    assemble_sequence(list(reversed(fda_files())), fda_envelope(), b, STANDARDS, history_dir=b)
    fa = {p.relative_to(a).as_posix(): p.read_bytes() for p in a.rglob("*") if p.is_file()}
    fb = {p.relative_to(b).as_posix(): p.read_bytes() for p in b.rglob("*") if p.is_file()}
    assert fa == fb


def test_name_collisions_resolved_deterministically(tmp_path):
    files = [SubmissionFile("m2-5-clinical-overview", f"co-{i}", f"Overview part {i}", "en", pdf(f"co{i}"),
                            name_hint="clinical-overview") for i in range(3)]
    files.append(SubmissionFile("m2-5-clinical-overview", "long", "Long", "en", pdf("long"), name_hint="x" * 90))
    files.append(fda_files()[1])  # Form FDA 1571: every IND sequence carries one
    diags = assemble_sequence(files, fda_envelope(), tmp_path, STANDARDS, history_dir=tmp_path)
    names = sorted(p.name for p in (tmp_path / "0000/m2/25-clin-over").iterdir())
    assert len(names) == 4 and len(set(names)) == 4
    assert "clinical-overview.pdf" in names and "clinical-overview-2.pdf" in names
    assert all(len(n) <= 64 for n in names)
    assert errors(diags) == []


def test_unknown_node_and_missing_heading_attribute_are_reported(tmp_path):
    files = [SubmissionFile("m3-2-p-9-nonexistent", "bad", "Bad", "en", pdf("bad"), name_hint="bad"),
             SubmissionFile("cn-1-0", "cn-in-fda", "CN cover", "zh", pdf("cn"), name_hint="cover"),
             SubmissionFile("m2-7-3-summary-of-clinical-efficacy", "sce", "SCE", "en", pdf("sce"), name_hint="sce",
                            headings=HeadingAttributes())]
    diags = assemble_sequence(files, fda_envelope(), tmp_path, STANDARDS, history_dir=tmp_path)
    msgs = [d.message for d in diags if d.rule in ("ectd.unknown-node", "ectd.heading-attribute-missing")]
    assert any("m3-2-p-9-nonexistent" in m for m in msgs)
    assert any("cn-1-0" in m for m in msgs)
    assert any("indication" in m for m in msgs)


def test_missing_study_info_is_reported(tmp_path):
    files = [replace(f, study=None) if f.doc_id == "tox-001" else f for f in fda_files()]
    diags = assemble_sequence(files, fda_envelope(), tmp_path, STANDARDS, history_dir=tmp_path)
    assert [d for d in diags if d.rule == "ectd.stf-missing" and "4232-repeat-dose-tox" in d.message]


def test_nmpa_sequence_valid_against_xsd(tmp_path):
    hist = tmp_path / "CXSL2600001"
    diags = assemble_sequence(nmpa_files(), nmpa_envelope(), hist, STANDARDS, history_dir=hist)
    assert errors(diags) == []
    seq = hist / "0000"
    regional = etree.parse(str(seq / "m1/cn/cn-regional.xml"), PARSER)
    schema = _cn_schema(tmp_path)
    assert schema.validate(regional), schema.error_log
    index = etree.parse(str(seq / "index.xml"), PARSER)
    assert _dtd("ich/ich-ectd-3-2.dtd").validate(index)
    assert _check_leaf_checksums(seq, "m1/cn/cn-regional.xml", regional) == 11
    # NMPA attachment 1-4 file names where confirmed, two-digit section folders
    assert (seq / "m1/cn/00/cover-letter.pdf").is_file() and (seq / "m1/cn/03/pi-ind-drug.pdf").is_file()
    assert (seq / "m1/cn/03/doc-1-3-4-3.pdf").is_file() and (seq / "m1/cn/11/doc-1-11-2.pdf").is_file()
    env = regional.getroot().find("{cn_ectd}cn-envelope")
    assert env.find("{cn_ectd}application-type").get("code") == "cnapt1"
    assert env.findtext("{cn_ectd}sequence-number") == "0000"
    for name in ("cn-regional-1-0.xsd", "xlink.xsd", "xml.xsd"):
        assert (seq / "util/dtd" / name).is_file()
    # the copy in util/dtd compiles in place (imports resolve beside it)
    etree.XMLSchema(etree.parse(str(seq / "util/dtd/cn-regional-1-0.xsd")))


def test_nmpa_missing_mandatory_node_and_bad_codes(tmp_path):
    files = [f for f in nmpa_files() if f.node_id != "cn-1-3-4-3"]
    files.append(SubmissionFile("cn-1-3-5", "generic-name", "通用名称核准", "zh", pdf("gn"), name_hint="gn"))
    env = nmpa_envelope()
    env = replace(env, submission_description="x" * 121, codes=replace(nmpa_envelope_codes(env), sequence_type="cnsqt9"))
    diags = assemble_sequence(files, env, tmp_path, STANDARDS, history_dir=tmp_path)
    r = rules(diags)
    assert "ectd.cn-code" in r and "ectd.cn-code-combination" in r and "ectd.cn-description" in r
    # with a bad sequence type 4.3.5 does not apply; with the right one it does
    diags = assemble_sequence(files, replace(nmpa_envelope()), tmp_path, STANDARDS, history_dir=tmp_path)
    assert any(d.rule == "ectd.cn-mandatory-node" and "cn-1-3-4-3" in d.message for d in diags)
    assert any(d.rule == "ectd.cn-forbidden-node" and "cn-1-3-5" in d.message for d in diags)


def test_fda_envelope_rules(tmp_path):
    env = fda_envelope()
    env = replace(env, application_number="IND-12", applicant=replace(env.applicant, duns="12345"),
                  codes=replace(fda_envelope_codes(env), application_type="ind", submission_type="original-application"))
    diags = assemble_sequence(fda_files(), env, tmp_path, STANDARDS, history_dir=tmp_path)
    r = rules(diags)
    assert "ectd.fda-application-number" in r and "ectd.fda-duns" in r
    assert sum(1 for x in r if x == "ectd.fda-code") >= 2


def test_missing_standards_is_an_error_with_install_hint(tmp_path):
    empty = tmp_path / "nostandards"
    empty.mkdir()
    diags = assemble_sequence(fda_files(), fda_envelope(), tmp_path / "out", empty, history_dir=tmp_path / "out")
    missing = [d for d in diags if d.rule == "ectd.standard-missing"]
    assert missing and "standards install --from" in (missing[0].hint or "")


def test_validate_is_quiet_on_the_generated_sequence(fda_seq):
    seq, _ = fda_seq
    assert errors(validate_sequence(seq, STANDARDS)) == []


def test_deep_module5_paths_stay_within_limits(tmp_path):
    from ectd_support import HEADINGS
    from indbuilder.ectd import StudyInfo

    env = replace(fda_envelope(), headings=replace(
        HEADINGS, indication="Moderate-to-severe persistent eosinophilic asthma in adults and adolescents"))
    files = [SubmissionFile("m5-3-5-1-study-reports-of-controlled-clinical-studies-pertinent-to-the-claimed-"
                            "indication", f"csr-{i}", f"CSR part {i}", "en", pdf(f"csr{i}"),
                            name_hint="clinical-study-report-body-with-a-very-long-descriptive-file-name",
                            study=StudyInfo("ACME-ASTHMA-PHASE-2-RANDOMISED-DOUBLE-BLIND-STUDY-0001",
                                            "A long study"))
             for i in range(3)] + [fda_files()[1]]
    diags = assemble_sequence(files, env, tmp_path, STANDARDS, history_dir=tmp_path)
    assert errors(diags) == []
    paths = [p.relative_to(tmp_path / "0000").as_posix() for p in (tmp_path / "0000").rglob("*") if p.is_file()]
    assert len([p for p in paths if p.startswith("m5/")]) == 4  # 3 reports + the STF
    assert all(len(p) <= 150 and all(len(part) <= 64 for part in p.split("/")) for p in paths)
    assert len(set(paths)) == len(paths)


def test_byte_identical_across_processes(tmp_path):
    """Same input in two interpreter runs with different hash seeds -> identical sequence bytes."""
    import os
    import subprocess
    import sys

    script = (
        "import sys; sys.path.insert(0, sys.argv[2]);"
        "from pathlib import Path; from ectd_support import *;"
        "from indbuilder.ectd import assemble_sequence;"
        "out = Path(sys.argv[1]); assemble_sequence(nmpa_files() + fda_files()[5:], nmpa_envelope(), out, STANDARDS,"
        " history_dir=out)"
    )
    trees = []
    for seed in ("1", "2"):
        out = tmp_path / f"run{seed}" / "CXSL2600001"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, "-c", script, str(out), str(Path(__file__).parent)], check=True, env=env)
        trees.append({p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert trees[0] == trees[1] and len(trees[0]) > 20
