"""Writers for the eCTD XML files: ``index.xml``, study tagging files, and the helpers the regional
backbone writers (``RegionProfile.module1().write``, e.g. ``us-regional.xml``) build on.

Serialisation is deterministic (fixed attribute order, children in DTD/XSD content-model order, no
timestamps), so the same input gives byte-identical output.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import TypeVar, cast

from lxml import etree

from .model import StudyInfo
from .schema import ICH_NS, XLINK_ICH, XLINK_W3, Structure

XML_NS = "http://www.w3.org/XML/1998/namespace"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

Chain = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
# Characters XML 1.0 cannot carry (§2.2 Char)
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_T = TypeVar("_T")


def xml_clean(value: _T, path: str, bad: list[str]) -> _T:
    """``value`` (a str, tuple or dataclass tree) with XML-forbidden characters removed; offending field
    paths are appended to ``bad``. Bytes are left alone."""
    # _clean gives back a value of the type it was given (str, tuple, the same dataclass, or ``value`` itself)
    return cast(_T, _clean(value, path, bad))


def _clean(value: object, path: str, bad: list[str]) -> object:
    if isinstance(value, str):
        if XML_INVALID.search(value):
            bad.append(path)
            return XML_INVALID.sub("", value)
        return value
    if isinstance(value, tuple):
        return tuple(_clean(v, f"{path}[{i}]", bad) for i, v in enumerate(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes: dict[str, object] = {}
        for f in dataclasses.fields(value):
            old = getattr(value, f.name)
            new = _clean(old, f"{path}.{f.name}", bad)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value


@dataclass(frozen=True)
class LeafEntry:
    """One leaf to write. ``chain`` lists the headings from the backbone's top element down, with the
    repeatable-heading attributes each carries; ``href`` is relative to the backbone file."""

    chain: Chain
    leaf_id: str
    operation: str
    title: str
    checksum: str
    href: str | None
    lang: str
    modified_file: str | None = None


@dataclass
class _Node:
    element: str
    attrs: tuple[tuple[str, str], ...]
    leaves: list[LeafEntry] = field(default_factory=list)
    children: dict[tuple[str, tuple[tuple[str, str], ...]], _Node] = field(default_factory=dict)


def _tree(entries: list[LeafEntry], top: str) -> _Node:
    root = _Node(top, ())
    for e in entries:
        node = root
        for element, attrs in e.chain:
            node = node.children.setdefault((element, attrs), _Node(element, attrs))
        node.leaves.append(e)
    return root


def _leaf_xml(parent: etree._Element, e: LeafEntry, ns: str | None, xlink: str) -> None:
    q = (lambda n: f"{{{ns}}}{n}") if ns else (lambda n: n)
    leaf = etree.SubElement(parent, q("leaf"))
    leaf.set("ID", e.leaf_id)
    leaf.set("operation", e.operation)
    if e.modified_file:
        leaf.set("modified-file", e.modified_file)
    leaf.set("checksum-type", "md5")
    leaf.set("checksum", e.checksum)
    leaf.set(f"{{{xlink}}}type", "simple")
    if e.href:
        leaf.set(f"{{{xlink}}}href", e.href)
    if e.lang:
        leaf.set(f"{{{XML_NS}}}lang", e.lang)
    etree.SubElement(leaf, q("title")).text = e.title


def _emit(parent: etree._Element, node: _Node, structure: Structure, ns: str | None, xlink: str) -> None:
    q = (lambda n: f"{{{ns}}}{n}") if ns else (lambda n: n)
    for e in node.leaves:
        _leaf_xml(parent, e, ns, xlink)
    kids = sorted(node.children.values(), key=lambda c: (structure.order(node.element, c.element), c.attrs))
    for child in kids:
        el = etree.SubElement(parent, q(child.element))
        for k, v in child.attrs:
            el.set(k, v)
        _emit(el, child, structure, ns, xlink)


def _serialize(root: etree._Element, doctype: str | None, stylesheet: str) -> bytes:
    root.addprevious(etree.ProcessingInstruction("xml-stylesheet", f'type="text/xsl" href="{stylesheet}"'))
    if doctype is None:  # lxml's default (no DOCTYPE); lxml-stubs does not accept doctype=None
        body = etree.tostring(root.getroottree(), encoding="UTF-8", pretty_print=True)
    else:
        body = etree.tostring(root.getroottree(), encoding="UTF-8", pretty_print=True, doctype=doctype)
    if body.startswith(b"<?xml "):  # lxml adds a single-quoted declaration with a doctype; use the usual form
        body = body.split(b"\n", 1)[1]
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def index_xml(entries: list[LeafEntry], structure: Structure) -> bytes:
    """ICH ``index.xml`` (ich-ectd-3-2.dtd; xlink namespace w3c.org as the DTD fixes it)."""
    root = etree.Element(f"{{{ICH_NS}}}ectd", nsmap={"ectd": ICH_NS, "xlink": XLINK_ICH})
    root.set("dtd-version", "3.2")
    _emit(root, _tree(entries, structure.root), structure, None, XLINK_ICH)
    return _serialize(root, '<!DOCTYPE ectd:ectd SYSTEM "util/dtd/ich-ectd-3-2.dtd">', "util/style/ectd-2-0.xsl")


@dataclass(frozen=True)
class StfDoc:
    href: str  # relative to the STF file: "<path>/index.xml#ID"
    title: str
    file_tag: str
    info_type: str = "ich"


def stf_xml(study: StudyInfo, docs: list[StfDoc], lang: str, util_rel: str) -> bytes:
    """ICH study tagging file (ich-stf-v2-2.dtd). ``util_rel`` is the path from the STF to ``util/``."""
    root = etree.Element(f"{{{ICH_NS}}}study", nsmap={"ectd": ICH_NS, "xlink": XLINK_W3})
    root.set(f"{{{XML_NS}}}lang", lang)
    root.set("dtd-version", "2.2")
    ident = etree.SubElement(root, "study-identifier")
    etree.SubElement(ident, "title").text = study.title
    etree.SubElement(ident, "study-id").text = study.study_id
    for name, info_type, value in study.categories:
        etree.SubElement(ident, "category", {"name": name, "info-type": info_type}).text = value
    sd = etree.SubElement(root, "study-document")
    for d in docs:
        dc = etree.SubElement(sd, "doc-content")
        dc.set(f"{{{XLINK_W3}}}href", d.href)
        etree.SubElement(dc, "title").text = d.title
        etree.SubElement(dc, "file-tag", {"name": d.file_tag, "info-type": d.info_type})
    return _serialize(root, f'<!DOCTYPE ectd:study SYSTEM "{util_rel}/dtd/ich-stf-v2-2.dtd">',
                      f"{util_rel}/style/ich-stf-stylesheet-2-2a.xsl")


# Public names for the regional backbone writers (regions/*_m1.py).
heading_tree = _tree
emit_headings = _emit
serialize = _serialize
