"""Writers for the eCTD XML files: ``index.xml``, ``us-regional.xml``, ``cn-regional.xml`` and STFs.

Serialisation is deterministic (fixed attribute order, children in DTD/XSD content-model order, no
timestamps), so the same input gives byte-identical output.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from lxml import etree

from .model import Envelope, StudyInfo
from .schema import CN_NS, FDA_NS, ICH_NS, XLINK_ICH, XLINK_W3, Structure

XML_NS = "http://www.w3.org/XML/1998/namespace"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
FDA_DTD_URL = "https://www.accessdata.fda.gov/static/eCTD/us-regional-v3-3.dtd"
FDA_XSL_URL = "https://www.accessdata.fda.gov/static/eCTD/us-regional.xsl"

Chain = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
# Characters XML 1.0 cannot carry (§2.2 Char)
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_clean(value, path: str, bad: list[str]):
    """``value`` (a str, tuple or dataclass tree) with XML-forbidden characters removed; offending field
    paths are appended to ``bad``. Bytes are left alone."""
    if isinstance(value, str):
        if XML_INVALID.search(value):
            bad.append(path)
            return XML_INVALID.sub("", value)
        return value
    if isinstance(value, tuple):
        return tuple(xml_clean(v, f"{path}[{i}]", bad) for i, v in enumerate(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            old = getattr(value, f.name)
            new = xml_clean(old, f"{path}.{f.name}", bad)
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
    children: dict = field(default_factory=dict)


def _tree(entries: list[LeafEntry], top: str) -> _Node:
    root = _Node(top, ())
    for e in entries:
        node = root
        for element, attrs in e.chain:
            node = node.children.setdefault((element, attrs), _Node(element, attrs))
        node.leaves.append(e)
    return root


def _leaf_xml(parent, e: LeafEntry, ns: str | None, xlink: str) -> None:
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


def _emit(parent, node: _Node, structure: Structure, ns: str | None, xlink: str) -> None:
    q = (lambda n: f"{{{ns}}}{n}") if ns else (lambda n: n)
    for e in node.leaves:
        _leaf_xml(parent, e, ns, xlink)
    kids = sorted(node.children.values(), key=lambda c: (structure.order(node.element, c.element), c.attrs))
    for child in kids:
        el = etree.SubElement(parent, q(child.element))
        for k, v in child.attrs:
            el.set(k, v)
        _emit(el, child, structure, ns, xlink)


def _serialize(root, doctype: str | None, stylesheet: str) -> bytes:
    root.addprevious(etree.ProcessingInstruction("xml-stylesheet", f'type="text/xsl" href="{stylesheet}"'))
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


def us_regional_xml(entries: list[LeafEntry], structure: Structure, env: Envelope) -> bytes:
    """FDA ``us-regional.xml`` v3.3 with the header FDA M1 spec v2.6 §II prescribes."""
    root = etree.Element(f"{{{FDA_NS}}}fda-regional", nsmap={"fda-regional": FDA_NS, "xlink": XLINK_ICH})
    root.set("dtd-version", "3.3")
    root.set(f"{{{XML_NS}}}lang", "en")
    admin = etree.SubElement(root, "admin")
    info = etree.SubElement(admin, "applicant-info")
    etree.SubElement(info, "id").text = env.applicant.duns
    etree.SubElement(info, "company-name").text = env.applicant.company_name
    if env.submission_description:
        etree.SubElement(info, "submission-description").text = env.submission_description
    contacts = etree.SubElement(info, "applicant-contacts")
    for c in env.applicant.contacts:
        ac = etree.SubElement(contacts, "applicant-contact")
        etree.SubElement(ac, "applicant-contact-name", {"applicant-contact-type": c.contact_type}).text = c.name
        etree.SubElement(etree.SubElement(ac, "telephones"), "telephone",
                         {"telephone-number-type": c.phone_type}).text = c.phone
        etree.SubElement(etree.SubElement(ac, "emails"), "email").text = c.email
    app = etree.SubElement(etree.SubElement(admin, "application-set"), "application",
                           {"application-containing-files": "true"})
    etree.SubElement(etree.SubElement(app, "application-information"), "application-number",
                     {"application-type": env.fda.application_type}).text = env.application_number
    sub = etree.SubElement(app, "submission-information")
    etree.SubElement(sub, "submission-id", {"submission-type": env.fda.submission_type}).text = (
        env.fda.submission_id or env.related)
    etree.SubElement(sub, "sequence-number", {"submission-sub-type": env.fda.submission_sub_type}).text = env.sequence
    tree = _tree(entries, structure.root)
    admin_node = tree.children.pop(("admin", ()), None)
    if admin_node is not None:  # the main form: admin/application-set/application/submission-information/form
        info_node = admin_node.children[("application-set", ())].children[("application", ())].children[
            ("submission-information", ())]
        for form_node in info_node.children.values():  # one form-type only (layout.main_form_code)
            form = etree.SubElement(sub, "form", dict(form_node.attrs))
            _emit(form, form_node, structure, None, XLINK_ICH)
    for child in sorted(tree.children.values(), key=lambda c: structure.order(structure.root, c.element)):
        el = etree.SubElement(root, child.element)
        _emit(el, child, structure, None, XLINK_ICH)
    return _serialize(root, f'<!DOCTYPE fda-regional:fda-regional SYSTEM "{FDA_DTD_URL}">', FDA_XSL_URL)


def cn_regional_xml(entries: list[LeafEntry], structure: Structure, env: Envelope) -> bytes:
    """NMPA ``cn-regional.xml`` (cn-regional-1-0.xsd, namespace ``cn_ectd``, standard xlink namespace)."""
    q = lambda n: f"{{{CN_NS}}}{n}"  # noqa: E731
    root = etree.Element(q("cn_ectd"), nsmap={None: CN_NS, "xlink": XLINK_W3, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", "cn_ectd ../../util/dtd/cn-regional-1-0.xsd")
    root.set("schema-version", "1.0")
    envl = etree.SubElement(root, q("cn-envelope"))
    codes = env.nmpa
    etree.SubElement(envl, q("application-id")).text = env.application_number
    etree.SubElement(envl, q("application-type"), {"code": codes.application_type})
    etree.SubElement(envl, q("product-type"), {"code": codes.product_type})
    etree.SubElement(envl, q("product-number")).text = codes.product_number
    etree.SubElement(envl, q("related-sequence")).text = env.related
    etree.SubElement(envl, q("regulatory-activity-type"), {"code": codes.regulatory_activity_type})
    etree.SubElement(envl, q("sequence-number")).text = env.sequence
    etree.SubElement(envl, q("sequence-type"), {"code": codes.sequence_type})
    etree.SubElement(envl, q("sequence-description")).text = env.submission_description
    contact = etree.SubElement(envl, q("sequence-contact"))
    first = env.applicant.contacts[0] if env.applicant.contacts else None
    etree.SubElement(contact, q("name")).text = first.name if first else ""
    etree.SubElement(contact, q("phone")).text = first.phone if first else ""
    etree.SubElement(contact, q("email")).text = first.email if first else ""
    content = etree.SubElement(root, q("cn-content"))
    _emit(content, _tree(entries, "cn-content"), structure, CN_NS, XLINK_W3)
    return _serialize(root, None, "../../util/style/cn-regional-1-1.xsl")


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
