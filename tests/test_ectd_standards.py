"""Standards install: checksums verified, modified files rejected; downloads verified the same way."""

from __future__ import annotations

from ectd_support import STANDARDS, copy_standards, errors, fda_envelope, fda_files, rules
from indbuilder.ectd import assemble_sequence, default_cache, install_standards
from indbuilder.ectd.standards import catalog


def test_install_from_reference_copies_every_file_byte_for_byte(tmp_path):
    cache = tmp_path / "cache"
    diags = install_standards(STANDARDS, cache)
    assert errors(diags) == []
    for entry in catalog():
        assert (cache / entry.path).read_bytes() == (STANDARDS / entry.path).read_bytes(), entry.path
    # the installed cache is a working standards directory
    out = tmp_path / "fda"
    assert errors(assemble_sequence(fda_files(), fda_envelope(), out, cache, history_dir=out)) == []


def test_install_rejects_a_modified_file(tmp_path):
    src = copy_standards(tmp_path / "src")
    dtd = src / "us/us-regional-v3-3.dtd"
    dtd.write_bytes(dtd.read_bytes().replace(b"\r\n", b"\n"))  # e.g. a git checkout normalised line endings
    cache = tmp_path / "cache"
    diags = install_standards(src, cache)
    bad = [d for d in diags if d.rule == "ectd.standard-checksum"]
    assert len(bad) == 1 and "us-regional-v3-3.dtd" in bad[0].message and "bea39be6" in bad[0].message
    assert not (cache / "us/us-regional-v3-3.dtd").exists()
    assert (cache / "ich/ich-ectd-3-2.dtd").exists()


def test_install_reports_unverifiable_difference_and_missing_files(tmp_path):
    src = copy_standards(tmp_path / "src")
    xsd = src / "cn/cn-regional-1-0.xsd"
    xsd.write_bytes(xsd.read_bytes() + b"\n")
    (src / "w3c/xml.xsd").unlink()
    diags = install_standards(src, tmp_path / "cache")
    assert "ectd.standard-differs" in rules(diags)
    missing = [d for d in diags if d.rule == "ectd.standards-source"]
    assert len(missing) == 1 and missing[0].message.startswith("xml.xsd: not found in the --from sources")
    assert "eCTD技术规范V1.1附件包" in missing[0].message  # says where the file comes from
    assert missing[0].hint == "then run `indbuilder standards install --from <the downloaded eCTD技术规范V1.1附件包 ZIP or folder>`"


ICH_ZIP = "https://admin.ich.org/sites/default/files/inline-files/ich-ectd-3-2_dtd_0.zip"
FDA_DTD = "https://www.accessdata.fda.gov/static/eCTD/us-regional-v3-3.dtd"


def fake_agencies(dtd_bytes: bytes | None = None):
    """The official addresses, served from the reference copies (the real ones need a network)."""
    import io
    import zipfile

    def fetch(url: str) -> bytes:
        if url == ICH_ZIP:
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as z:
                z.writestr("ich-ectd-3-2/ich-ectd-3-2.dtd", dtd_bytes or (STANDARDS / "ich/ich-ectd-3-2.dtd").read_bytes())
                z.writestr("ich-ectd-3-2/ectd-2-0.xsl", (STANDARDS / "ich/ectd-2-0.xsl").read_bytes())
            return buf.getvalue()
        if url == FDA_DTD:
            return (STANDARDS / "us/us-regional-v3-3.dtd").read_bytes()
        raise OSError("network unreachable")

    return fetch


def test_download_installs_verified_files_from_the_official_addresses(tmp_path):
    from indbuilder.diagnostics import Diagnostics
    from indbuilder.ectd.standards import download_standards

    cache = tmp_path / "cache"
    diags = download_standards(cache, Diagnostics(), fetch=fake_agencies())
    for rel in ("ich/ich-ectd-3-2.dtd", "ich/ectd-2-0.xsl", "us/us-regional-v3-3.dtd"):
        assert (cache / rel).read_bytes() == (STANDARDS / rel).read_bytes()
    assert "ectd.standard-checksum" not in rules(diags)
    # files without a download address are named with where to get them, grouped by publisher
    messages = [d.message for d in diags if d.rule == "ectd.standards-source"]
    nmpa = next(m for m in messages if "cn-regional-1-0.xsd" in m)
    assert "no official download address" in nmpa and "the NMPA eCTD技术规范V1.1附件包" in nmpa and "www.cde.org.cn" in nmpa
    stf = next(m for m in messages if "valid-values.xml" in m)
    assert "www.ich.org" in stf and "cn-regional" not in stf  # the FDA user is sent to ICH, not to NMPA only


def test_download_rejects_a_package_whose_file_does_not_match_the_published_checksum(tmp_path):
    from indbuilder.diagnostics import Diagnostics
    from indbuilder.ectd.standards import download_standards

    tampered = (STANDARDS / "ich/ich-ectd-3-2.dtd").read_bytes() + b"\n<!-- changed -->\n"
    cache = tmp_path / "cache"
    diags = download_standards(cache, Diagnostics(), fetch=fake_agencies(tampered))
    assert "ectd.standard-checksum" in rules(diags)
    assert not (cache / "ich/ich-ectd-3-2.dtd").exists()


def test_offline_download_installs_nothing_and_says_how_to_install(tmp_path):
    from indbuilder.diagnostics import Diagnostics
    from indbuilder.ectd.standards import download_standards

    def offline(url: str) -> bytes:
        raise OSError("network unreachable")

    diags = download_standards(tmp_path / "cache", Diagnostics(), fetch=offline)
    assert set(rules(diags)) == {"ectd.standards-source"}
    assert any(d.message.startswith("cannot download") and "--from" in (d.hint or "") for d in diags)
    assert not (tmp_path / "cache").exists()


def test_default_cache_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache() == tmp_path / "indbuilder" / "standards"


def test_catalog_records_published_checksums():
    published = {e.name: e.published_md5 for e in catalog() if e.published_md5}
    assert published["ich-ectd-3-2.dtd"] == "1d6f631cc6b6357f0f4fe378e5f79a27"
    assert published["us-regional-v3-3.dtd"] == "bea39be6d3a1716262a30a87657bce2d"
    assert "cn-regional-1-0.xsd" not in published  # no NMPA checksum is known: never claimed
