"""standards install per region, from folders and ZIP files; standards status (table, JSON, exit codes)."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from ectd_support import STANDARDS, errors, fda_envelope, fda_files, rules
from indbuilder.cli import app
from indbuilder.ectd import assemble_sequence, install_standards
from indbuilder.ectd.standards import catalog, needed_files

runner = CliRunner()
NMPA_ZIP_ROOT = "eCTD技术规范V1.1附件包"


def nmpa_package_zip(cache: Path, dest: Path) -> Path:
    """A ZIP shaped like the NMPA attachment package: nested folders, the vocabulary files in an inner ZIP."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        for p in sorted((cache / "cn").glob("*")):
            if p.name.startswith(("cv-", "depend-", "element-", "node-", "cn-cv", "cn-dep", "cn-ele")):
                z.writestr(p.name, p.read_bytes())
    with zipfile.ZipFile(dest, "w") as z:
        z.writestr(f"{NMPA_ZIP_ROOT}/附件1-2：受控词汇文件包.zip", inner.getvalue())
        for rel, folder in (("cn/cn-regional-1-0.xsd", "附件1-1：区域Schema文件"), ("cn/cn-regional-1-1.xsl", "附件1-3"),
                            ("w3c/xlink.xsd", "附件3-1"), ("w3c/xml.xsd", "附件3-2"),
                            ("ich/ich-stf-stylesheet-2-3.xsl", "附件2-5"), ("ich/valid-values.xml", "附件2-6"),
                            ("ich/ich-ectd-3-2.dtd", "附件2-1"), ("ich/ectd-2-0.xsl", "附件2-3"),
                            ("ich/ich-stf-v2-2.dtd", "附件2-2"), ("ich/ich-stf-stylesheet-2-2a.xsl", "附件2-4")):
            z.writestr(f"{NMPA_ZIP_ROOT}/{folder}/{rel.rsplit('/', 1)[1]}", (cache / rel).read_bytes())
        z.writestr(f"{NMPA_ZIP_ROOT}/eCTD技术规范V1.1.pdf", b"%PDF-1.4 not a standard file")
    return dest


def status(*args: str):
    return runner.invoke(app, ["standards", "status", *args])


def test_fda_needs_no_nmpa_file_and_nmpa_needs_no_fda_file():
    fda = {f.path for f, _ in needed_files(["fda"])}
    nmpa = {f.path for f, _ in needed_files(["nmpa"])}
    assert not any(p.startswith(("cn/", "w3c/")) for p in fda)
    assert not any(p.startswith("us/") for p in nmpa)
    assert {"ich/ich-ectd-3-2.dtd", "ich/ectd-2-0.xsl", "ich/valid-values.xml", "us/us-regional-v3-3.dtd"} <= fda
    assert fda | nmpa == {f.path for f in catalog()}  # every catalogued file is needed by some region


def test_fda_only_install_from_a_folder_without_the_nmpa_files_builds(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(STANDARDS, src)
    shutil.rmtree(src / "cn")
    shutil.rmtree(src / "w3c")
    cache = tmp_path / "cache"
    diags = install_standards(src, cache, regions=["fda"])
    assert len(diags) == 0, [d.format() for d in diags]
    assert not (cache / "cn").exists() and not (cache / "w3c").exists()
    out = tmp_path / "fda"
    assert errors(assemble_sequence(fda_files(), fda_envelope(), out, cache, history_dir=out)) == []
    assert status("--cache", str(cache), "--region", "fda").exit_code == 0


def test_install_from_a_flat_folder_matches_by_file_name(tmp_path):
    flat = tmp_path / "flat"
    flat.mkdir()
    for p in STANDARDS.rglob("*"):
        if p.is_file():
            shutil.copyfile(p, flat / p.name)
    cache = tmp_path / "cache"
    assert errors(install_standards(flat, cache, regions=["fda"])) == []
    assert (cache / "us/us-regional-v3-3.dtd").read_bytes() == (STANDARDS / "us/us-regional-v3-3.dtd").read_bytes()


def test_install_from_the_nmpa_package_zip(tmp_path):
    full = tmp_path / "full"
    assert errors(install_standards(STANDARDS, full)) == []
    package = nmpa_package_zip(full, tmp_path / "package.zip")
    cache = tmp_path / "cache"
    diags = install_standards(package, cache, regions=["nmpa"])
    assert errors(diags) == [], [d.format() for d in diags]
    for entry, _ in needed_files(["nmpa"]):
        assert (cache / entry.path).read_bytes() == (STANDARDS / entry.path).read_bytes(), entry.path
    assert status("--cache", str(cache), "--region", "nmpa").exit_code == 0


def test_a_zip_with_a_modified_file_is_refused(tmp_path):
    full = tmp_path / "full"
    install_standards(STANDARDS, full)
    dtd = full / "ich/ich-ectd-3-2.dtd"
    dtd.write_bytes(dtd.read_bytes().replace(b"\r\n", b"\n"))  # a line-ending-normalised copy
    package = nmpa_package_zip(full, tmp_path / "package.zip")
    cache = tmp_path / "cache"
    diags = install_standards(package, cache, regions=["nmpa"])
    bad = [d for d in diags if d.rule == "ectd.standard-checksum"]
    assert len(bad) == 1 and "ich-ectd-3-2.dtd" in bad[0].message and "not installed" in bad[0].message
    assert not (cache / "ich/ich-ectd-3-2.dtd").exists()


def test_install_without_from_names_the_nmpa_package_for_the_missing_files(tmp_path):
    def offline(url: str) -> bytes:
        raise OSError("network unreachable")

    diags = install_standards(None, tmp_path / "cache", regions=["nmpa"], fetch=offline)
    nmpa = [d for d in diags if "cn-regional-1-0.xsd" in d.message]
    assert len(nmpa) == 1
    assert "eCTD技术规范V1.1附件包" in nmpa[0].message and "www.cde.org.cn" in nmpa[0].message
    assert "--from <the downloaded eCTD技术规范V1.1附件包 ZIP or folder>" in (nmpa[0].hint or "")
    assert not any("us-regional" in d.message for d in diags)  # an NMPA-only install asks nothing of FDA


def test_cli_install_reads_the_project_regions(tmp_path):
    project = tmp_path / "p"
    project.mkdir()
    (project / "indbuilder.yaml").write_text("regions: [fda]\nsubmission_date: 2027-01-15\n", encoding="utf-8")
    cache = tmp_path / "cache"
    result = runner.invoke(app, ["standards", "install", "--from", str(STANDARDS), "--cache", str(cache), "-p", str(project)])
    assert result.exit_code == 0, result.output
    assert (cache / "us/us-regional-v3-3.dtd").is_file() and not (cache / "cn").exists()
    assert "for fda in" in result.output


def test_status_table_json_and_exit_codes(tmp_path):
    cache = tmp_path / "cache"
    install_standards(STANDARDS, cache)
    ok = status("--cache", str(cache))
    assert ok.exit_code == 0, ok.output
    assert "verified (published checksum)" in ok.output and "matches reference copy" in ok.output
    assert "https://www.accessdata.fda.gov/static/eCTD/us-regional-v3-3.dtd" in ok.output
    assert ok.output.count("[ectd.standard-unverified]") == 1  # reported once, here

    data = json.loads(status("--cache", str(cache), "--format", "json").output)
    assert data["ok"] is True
    row = next(f for f in data["files"] if f["path"] == "cn/cn-regional-1-0.xsd")
    assert row["state"] == "matches-reference" and row["regions"] == ["nmpa"] and "eCTD技术规范V1.1附件包" in row["package"]

    (cache / "cn/cn-regional-1-0.xsd").unlink()
    missing = status("--cache", str(cache), "--region", "nmpa")
    assert missing.exit_code == 1
    assert "cn-regional-1-0.xsd not installed" in missing.output and "eCTD技术规范V1.1附件包" in missing.output
    assert status("--cache", str(cache), "--region", "fda").exit_code == 0  # FDA needs no NMPA file

    dtd = cache / "us/us-regional-v3-3.dtd"
    dtd.write_bytes(dtd.read_bytes() + b"\n")
    bad = status("--cache", str(cache), "--region", "fda")
    assert bad.exit_code == 1 and "MISMATCH" in bad.output and "[ectd.standard-checksum]" in bad.output


def test_a_missing_optional_code_list_does_not_fail_status(tmp_path):
    cache = tmp_path / "cache"
    install_standards(STANDARDS, cache, regions=["fda"])
    (cache / "us/application-type.xml").unlink()
    result = status("--cache", str(cache), "--region", "fda")
    assert result.exit_code == 0, result.output
    assert "missing (optional)" in result.output


def test_assembly_no_longer_warns_about_unverified_files(tmp_path):
    out = tmp_path / "fda"
    diags = assemble_sequence(fda_files(), fda_envelope(), out, STANDARDS, history_dir=out)
    assert errors(diags) == [] and "ectd.standard-unverified" not in rules(diags)
