"""The outline data files against the official eCTD standard files (read from the standards folder).

Node ids must be element names of ich-ectd-3-2.dtd (M2-M5), us-regional-v3-3.dtd (FDA M1) and
cn-regional-1-0.xsd (NMPA M1); the parent/child structure must be the DTD/XSD containment; titles
must match NMPA's element-property files.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from functools import lru_cache
from pathlib import Path

import pytest
from lxml import etree

from indbuilder.outline import FillKind, OutlineError, Status, load_outline

# Standards folder: $INDBUILDER_STANDARDS (the configured cache) or the team's reference copy.
_STANDARD_DIRS = [Path(p) for p in (os.environ.get("INDBUILDER_STANDARDS"), str(Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / "ectd")) if p]


def standard_file(name: str) -> Path:
    for root in _STANDARD_DIRS:
        hits = sorted(root.rglob(name)) if root.is_dir() else []
        if hits:
            return hits[0]
    raise AssertionError(f"standard file {name} not found under {_STANDARD_DIRS}")


def _dtd_children(decl) -> set[str]:
    out: set[str] = set()

    def walk(c):
        if c is None:
            return
        if c.type == "element":
            out.add(c.name)
        walk(c.left)
        walk(c.right)

    walk(decl.content)
    return out


@lru_cache(maxsize=None)
def dtd_elements(name: str) -> dict[str, set[str]]:
    """element name -> names it may contain, from the DTD ``name``."""
    dtd = etree.DTD(str(standard_file(name)))
    return {e.name: _dtd_children(e) for e in dtd.iterelements()}


XS = "{http://www.w3.org/2001/XMLSchema}"


@lru_cache(maxsize=None)
def cn_xsd_elements() -> dict[str, tuple[str | None, set[str]]]:
    """cn-regional-1-0.xsd: element name -> (type attribute, names of nested elements)."""
    tree = etree.parse(str(standard_file("cn-regional-1-0.xsd")))
    out: dict[str, tuple[str | None, set[str]]] = {}
    for el in tree.iter(f"{XS}element"):
        name = el.get("name")
        if not name:
            continue
        nested = {e.get("name") for e in el.iter(f"{XS}element") if e is not el and e.get("name")}
        direct = {n for n in nested if n.count("-") == name.count("-") + 1}
        out[name] = (el.get("type"), direct)
    return out


def element_properties(name: str) -> dict[str, tuple[str, str, str]]:
    """NMPA element-property file: element -> (structureno, zh, en)."""
    tree = etree.parse(str(standard_file(name)))
    out = {}
    for el in tree.iter("element"):
        desc = {d.get("{http://www.w3.org/XML/1998/namespace}lang"): (d.text or "").strip() for d in el.iter("description")}
        out[el.get("name")] = (el.get("structureno"), desc.get("zh", ""), desc.get("en", ""))
    return out


ICH_MODULE_ROOTS = {
    "m2-common-technical-document-summaries",
    "m3-quality",
    "m4-nonclinical-study-reports",
    "m5-clinical-study-reports",
}


@pytest.mark.parametrize("region", ["fda", "nmpa"])
def test_outline_loads_with_metadata(region):
    o = load_outline(region)
    assert o.region == region
    assert o.version and o.sources
    assert o.language == {"fda": "en", "nmpa": "zh"}[region]
    ids = o.ids()
    assert len(ids) == len(set(ids)) == len(list(o.walk()))
    assert [m.number for m in o.modules] == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize("region", ["fda", "nmpa"])
def test_m2_to_m5_ids_are_ich_dtd_elements_with_dtd_structure(region):
    o = load_outline(region)
    dtd = dtd_elements("ich-ectd-3-2.dtd")
    m2_m5 = [m for m in o.modules if m.id in ICH_MODULE_ROOTS]
    assert {m.id for m in m2_m5} == ICH_MODULE_ROOTS
    for module in m2_m5:
        for node in module.walk():
            assert node.id in dtd, f"{node.id} is not an element of ich-ectd-3-2.dtd"
            for child in node.children:
                assert child.id in dtd[node.id], f"{child.id} is not a child of {node.id} in the DTD"
            if node.is_heading:
                assert any(c.startswith("m") for c in dtd[node.id])
            else:
                assert "leaf" in dtd[node.id], f"{node.id} cannot hold leaves"


def test_fda_m1_ids_are_us_regional_dtd_elements_with_dtd_structure():
    o = load_outline("fda")
    dtd = dtd_elements("us-regional-v3-3.dtd")
    m1 = o.modules[0]
    assert m1.id == "m1-regional"
    for node in m1.walk():
        assert node.id in dtd, f"{node.id} is not an element of us-regional-v3-3.dtd"
        for child in node.children:
            assert child.id in dtd[node.id], f"{child.id} is not a child of {node.id}"
        if node.is_heading:
            assert "leaf" not in dtd[node.id], f"{node.id} holds leaves, so it is not a heading"
        elif node.id == "m1-1-forms":
            assert dtd[node.id] == {"form"}  # documents sit in <form form-type="...">
        else:
            assert "leaf" in dtd[node.id], f"{node.id} cannot hold leaves"


def test_cn_m1_ids_are_cn_xsd_elements_with_xsd_structure():
    o = load_outline("nmpa")
    xsd = cn_xsd_elements()
    m1 = o.modules[0]
    assert m1.id == "cn-content"
    assert {c.id for c in m1.children} <= {n for n in xsd if re.fullmatch(r"cn-1-\d+", n)}
    for node in m1.walk():
        if node is m1:
            continue
        assert node.id in xsd, f"{node.id} is not an element of cn-regional-1-0.xsd"
        type_, direct = xsd[node.id]
        for child in node.children:
            assert child.id in direct, f"{child.id} is not a child of {node.id}"
        if node.is_heading:
            assert type_ is None and direct
        else:
            assert type_ == "cn-leaf-ext", f"{node.id} cannot hold leaves"


@pytest.mark.parametrize("region", ["fda", "nmpa"])
def test_titles_are_bilingual(region):
    for node in load_outline(region).walk():
        assert node.title.en.strip() and node.title.zh.strip(), node.id
        assert re.search(r"[\u4e00-\u9fff]", node.title.zh), f"{node.id}: zh title has no Chinese"


@pytest.mark.parametrize("region", ["fda", "nmpa"])
def test_ich_numbers_and_titles_match_nmpa_element_properties(region):
    props = element_properties("element-property_ICH.xml")
    o = load_outline(region)
    checked = 0
    for node in o.walk():
        if node.id in props:
            number, zh, en = props[node.id]
            assert node.number == number, node.id
            assert node.title.zh == zh and node.title.en.replace(": ", ":") == en.replace(": ", ":"), node.id
            checked += 1
    assert checked >= 140


def test_cn_m1_numbers_and_titles_match_element_property_cn():
    props = element_properties("element-property_CN.xml")
    o = load_outline("nmpa")
    for node in o.modules[0].walk():
        if node.id == "cn-content":
            continue
        number, zh, _en = props[node.id]
        assert (node.number, node.title.zh) == (number, zh)


def test_fda_marks_every_312_23a_item_and_each_has_a_carrier():
    o = load_outline("fda")
    items = {i.id for i in o.ind_items}
    for n in (1, 2, 3, 5, 6, 7, 8, 9, 10):
        assert f"312.23(a)({n})" in items
    for item in o.ind_items:
        if item.satisfied_by:
            continue
        assert o.nodes_for_item(item.id), f"no node carries {item.id}"
    assert [n.id for n in o.nodes_for_item("312.23(a)(1)")] == ["m1-1-forms"]
    assert [n.id for n in o.nodes_for_item("312.23(a)(5)")] == ["m1-14-4-1-investigational-brochure"]
    assert o["m4-2-3-2-repeat-dose-toxicity"].status is Status.REQUIRED


def test_nmpa_ind_elements_follow_validation_rules_4_3_5_and_4_3_6():
    o = load_outline("nmpa")
    must = ["cn-1-0", "cn-1-2", "cn-1-3-1-1", "cn-1-3-2-1", "cn-1-3-3", "cn-1-3-4-1", "cn-1-3-4-2",
            "cn-1-3-4-3", "cn-1-3-8-1", "cn-1-3-8-2"]
    for node_id in must:
        assert o[node_id].status is Status.REQUIRED, node_id
    for node_id in ("cn-1-3-1-2", "cn-1-3-2-2", "cn-1-3-5", "cn-1-3-6"):
        assert o[node_id].status is Status.NOT_FOR_IND, node_id
    assert {n.id for n in o.nodes_for_item("applicant-certificates")} == {"cn-1-11-1", "cn-1-11-2"}


@pytest.mark.parametrize("region", ["fda", "nmpa"])
def test_file_tags_are_ich_stf_valid_values(region):
    text = standard_file("valid-values.xml").read_text(encoding="utf-8")
    tags = set(re.findall(r'value="([^"]+)"', text[text.index("<file-tag>"): text.index("</file-tag>")]))
    used = {f.file_tag for n in load_outline(region).walk() for f in n.fills if f.file_tag}
    assert used <= tags


@pytest.mark.parametrize("region", ["fda", "nmpa"])
def test_template_paths_follow_the_convention(region):
    o = load_outline(region)
    m1_dir = {"fda": "m1/us/", "nmpa": "m1/cn/"}[region]
    seen: dict[str, str] = {}
    for node in o.walk():
        for fill in node.fills:
            if fill.kind is not FillKind.TEMPLATE:
                continue
            t = fill.template
            module_dir = m1_dir if node.module == "m1" else f"{node.module}/"
            number_slug = node.number.replace(".", "").lower()
            assert t.startswith(module_dir + number_slug + "-") and t.endswith(".md.j2"), (node.id, t)
            assert t not in seen, f"{t} used by {seen.get(t)} and {node.id}"
            seen[t] = node.id


def test_invalid_outline_data_is_rejected(tmp_path):
    good = resources.files("indbuilder.outline").joinpath("data", "fda.yaml").read_text(encoding="utf-8")
    dup = good.replace("- id: m1-2-cover-letters", "- id: m1-1-forms", 1)
    p = tmp_path / "dup.yaml"
    p.write_text(dup, encoding="utf-8")
    with pytest.raises(OutlineError, match="m1-1-forms: duplicate id"):
        load_outline("fda", p)
    bad_status = good.replace("status: conditional", "status: mandatory", 1)
    p.write_text(bad_status, encoding="utf-8")
    with pytest.raises(OutlineError, match="unknown status 'mandatory'"):
        load_outline("fda", p)
    p.write_text(good, encoding="utf-8")
    assert load_outline("fda", p) == load_outline("fda")
    with pytest.raises(OutlineError, match="unknown region"):
        load_outline("ema")
