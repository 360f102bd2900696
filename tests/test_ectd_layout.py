"""plan_layout gives the pipeline the paths assembly will use; official stylesheets render the backbones."""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from ectd_support import STANDARDS, errors, fda_envelope, fda_files, nmpa_envelope, nmpa_files
from indbuilder.diagnostics import Diagnostics
from indbuilder.ectd import assemble_sequence
from indbuilder.ectd.layout import plan_layout

PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def test_plan_layout_matches_assembly(tmp_path):
    planned = plan_layout([replace(f, data=b"") for f in fda_files()], fda_envelope(), STANDARDS, Diagnostics())
    assert errors(assemble_sequence(fda_files(), fda_envelope(), tmp_path, STANDARDS, history_dir=tmp_path)) == []
    assert set(planned) == {f.doc_id for f in fda_files()}
    for doc_id, rel in planned.items():
        assert (tmp_path / "0000" / rel).is_file(), (doc_id, rel)


def test_plan_layout_reports_unplaceable_documents():
    diags = Diagnostics()
    files = fda_files() + [replace(fda_files()[0], doc_id="odd", node_id="m9-nothing")]
    planned = plan_layout(files, fda_envelope(), STANDARDS, diags)
    assert "odd" not in planned
    assert [d.rule for d in diags if d.severity.value == "error"] == ["ectd.unknown-node"]


def _render(xml, xsl) -> str:
    transform = etree.XSLT(etree.parse(str(xsl), PARSER))
    return str(transform(etree.parse(str(xml), PARSER)))


def test_official_stylesheets_render_every_leaf(tmp_path):
    fda, cn = tmp_path / "fda", tmp_path / "CXSL2600001"
    assemble_sequence(fda_files(), fda_envelope(), fda, STANDARDS, history_dir=fda)
    assemble_sequence(nmpa_files(), nmpa_envelope(), cn, STANDARDS, history_dir=cn)
    html = _render(fda / "0000/index.xml", fda / "0000/util/style/ectd-2-0.xsl")
    for leaf in etree.parse(str(fda / "0000/index.xml"), PARSER).iter("leaf"):
        assert leaf.findtext("title") in html
    assert "[substance: acmezumab]" in html
    html = _render(cn / "0000/m1/cn/cn-regional.xml", cn / "0000/util/style/cn-regional-1-1.xsl")
    for f in nmpa_files():
        if f.node_id.startswith("cn-"):
            assert f.title in html
