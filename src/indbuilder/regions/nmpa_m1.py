"""NMPA Module 1 in eCTD: cn-regional.xml (cn-regional-1-0.xsd), M1 placement and the NMPA regional rules.

Loaded only by the eCTD layer (it imports lxml): the profile in ``nmpa.py`` returns :data:`MODULE1`.
Rule numbers are those of the NMPA eCTD validation standard (eCTD验证标准, "NMPA n.m"); the folder
and file names of Module 1 follow NMPA attachment 1-4 (CTD模块一文件组织结构, cn/m1-folder-structure.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from ..diagnostics import Diagnostics, Location
from ..ectd.backbone import LeafEntry, emit_headings, heading_tree, serialize
from ..ectd.codelists import cn_codes, cn_dependencies
from .nmpa import nmpa_envelope_codes
from ..ectd.lifecycle import SEQ_RE, _local
from ..ectd.schema import CN_NS, XLINK_W3, Structure, validate_xsd, xsd_structure
from ..ectd.standards import by_name, locate

if TYPE_CHECKING:  # pragma: no cover
    from ..ectd.layout import Chain, Item
    from ..ectd.model import Envelope
    from ..ectd.validate import SequenceValidator

PATH = "m1/cn/cn-regional.xml"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
# The four NMPA Module 1 file names confirmed from NMPA attachment 1-4 (CTD模块一文件组织结构), as recorded
# in cn/m1-folder-structure.md; other names come from the caller's hint.
CN_FILE_NAMES = {"cn-1-0": "cover-letter", "cn-1-3-1-1": "pi-ind-drug", "cn-1-8-3": "rmp",
                 "cn-1-12": "cert-docs-for-smallmicro"}
# Cover letters belong to one sequence: always 'new' (NMPA 4.1.14).
ALWAYS_NEW = ("cn-1-0",)
# NMPA validation standard 4.3.5 / 4.3.6: IND (cnapt1), cnrat1/cnrat5, cnsqt1
CN_IND_MANDATORY = ("cn-1-0", "cn-1-2", "cn-1-3", "cn-1-3-1", "cn-1-3-1-1", "cn-1-3-2", "cn-1-3-2-1", "cn-1-3-3",
                    "cn-1-3-4", "cn-1-3-4-1", "cn-1-3-4-2", "cn-1-3-4-3", "cn-1-3-8", "cn-1-3-8-1", "cn-1-3-8-2",
                    "cn-1-11")
CN_IND_FORBIDDEN = ("cn-1-3-1-2", "cn-1-3-2-2", "cn-1-3-5", "cn-1-3-6")


def cn_folder(element: str) -> str:
    """NMPA M1 folder: two-digit second-level section (cn-1-3-4-3 -> ``03``), per cn/m1-folder-structure.md."""
    parts = element.split("-")
    return f"{int(parts[2]):02d}" if len(parts) >= 3 and parts[2].isdigit() else "00"


def cn_regional_xml(entries: list[LeafEntry], structure: Structure, env: Envelope) -> bytes:
    """NMPA ``cn-regional.xml`` (cn-regional-1-0.xsd, namespace ``cn_ectd``, standard xlink namespace)."""
    def q(n: str) -> str:
        return f"{{{CN_NS}}}{n}"

    root = etree.Element(q("cn_ectd"), nsmap={None: CN_NS, "xlink": XLINK_W3, "xsi": XSI_NS})  # type: ignore[dict-item]
    root.set(f"{{{XSI_NS}}}schemaLocation", "cn_ectd ../../util/dtd/cn-regional-1-0.xsd")
    root.set("schema-version", "1.0")
    envl = etree.SubElement(root, q("cn-envelope"))
    codes = nmpa_envelope_codes(env)
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
    emit_headings(content, heading_tree(entries, "cn-content"), structure, CN_NS, XLINK_W3)
    return serialize(root, None, "../../util/style/cn-regional-1-1.xsl")



def _cn_rules(v: "SequenceValidator", tree: Any) -> None:
    """NMPA regional rules on cn-regional.xml (NMPA eCTD验证标准 4.1-4.3)."""
    rel = PATH
    r = tree.getroot()
    def q(n: str) -> str:
        return f"{{{CN_NS}}}{n}"

    envl = r.find(q("cn-envelope"))
    if envl is None:
        return

    def get(tag: str) -> tuple[Any, str]:
        el = envl.find(q(tag))
        return el, ((el.get("code") if el.get("code") is not None else (el.text or "").strip())
                    if el is not None else "")

    values: dict[str, str] = {}
    for tag, listname in (("application-type", "cv-application-type.xml"),
                          ("product-type", "cv-product-type.xml"),
                          ("regulatory-activity-type", "cv-regulatory-activity-type.xml"),
                          ("sequence-type", "cv-sequence-type.xml")):
        el, code = get(tag)
        values[tag] = code
        codes = cn_codes(v.standards, listname) if locate(v.standards, by_name(listname)) else None
        if el is not None and codes is not None and code not in codes:
            v.emit("ectd.cn-code", f"{tag} code {code!r} is not in {listname}", rel, el.sourceline)
    deps = cn_dependencies(v.standards) if locate(v.standards, by_name("depend-apt-rat-sqt.xml")) else None
    triple = (values["application-type"], values["regulatory-activity-type"], values["sequence-type"])
    if deps is not None and triple not in deps:
        v.emit("ectd.cn-code-combination", f"combination {'/'.join(triple)} is not allowed by "
                  "depend-apt-rat-sqt.xml", rel, envl.sourceline)
    el, seqno = get("sequence-number")
    if el is not None and seqno != v.seq:
        v.emit("ectd.cn-sequence-number", f"sequence-number {seqno!r} differs from the folder {v.seq}",
                  rel, el.sourceline)
    el, related = get("related-sequence")
    if el is not None:
        sqt = values["sequence-type"]
        if not SEQ_RE.match(related) or related > v.seq:
            v.emit("ectd.cn-related-sequence", f"related-sequence {related!r} must be 4 digits and not after "
                      f"{v.seq}", rel, el.sourceline)
        elif sqt in ("cnsqt1", "cnsqt4") and related != v.seq:
            v.emit("ectd.cn-related-sequence", f"related-sequence {related!r} must equal the sequence "
                      f"{v.seq} for {sqt}", rel, el.sourceline)
        elif sqt not in ("cnsqt1", "cnsqt4") and related == v.seq:
            v.emit("ectd.cn-related-sequence", f"related-sequence must name the earlier sequence it relates "
                      f"to for {sqt}, not {v.seq} itself", rel, el.sourceline)
    el, desc = get("sequence-description")
    if el is not None and (not desc or len(desc) > 120):
        v.emit("ectd.cn-description", f"sequence-description has {len(desc)} characters (1..120)",
                  rel, el.sourceline)
    el, app_id = get("application-id")
    if el is not None and app_id and v.path.parent.name != app_id:
        v.emit("ectd.cn-application-folder", f"application folder {v.path.parent.name!r} differs from "
                  f"application-id {app_id!r}", rel, el.sourceline)
    for leaf in r.iterfind(f"{q('cn-content')}/{q('cn-1-0')}//{q('leaf')}"):
        if leaf.get("operation") != "new":
            v.emit("ectd.cover-letter-new", f"cover letter leaf {leaf.get('ID')} has operation "
                      f"{leaf.get('operation')!r}", rel, leaf.sourceline)
    if triple[0] == "cnapt1" and triple[1] in ("cnrat1", "cnrat5") and triple[2] == "cnsqt1":
        content = r.find(q("cn-content"))
        present = {_local(e.tag) for e in content.iter() if _local(e.tag).startswith("cn-1")} \
            if content is not None else set()
        for node in CN_IND_MANDATORY:
            if node not in present:
                v.emit("ectd.cn-mandatory-node", f"IND original submission lacks {node}", rel)
        for node in CN_IND_FORBIDDEN:
            if node in present:
                v.emit("ectd.cn-forbidden-node", f"{node} is not allowed in an IND original submission", rel)



def _inside(el: Any, name: str) -> bool:
    node = el.getparent()
    while node is not None:
        if _local(node.tag) == name:
            return True
        node = node.getparent()
    return False


@dataclass(frozen=True)
class NmpaModule1:
    """cn-regional 1.0: Module 1 documents in ``m1/cn/NN``, with the names NMPA prescribes."""

    path: str = PATH
    schema: str = "cn-regional-1-0.xsd"
    title: str = "CN Regional Information"
    lang: str = "zh"

    def structure(self, schema_path: Path) -> Structure:
        return xsd_structure(schema_path)

    def place(self, item: "Item", env: "Envelope", structure: Structure, where: Location, diags: Diagnostics) -> bool | None:
        node = item.element
        if node not in structure.leaf_holders:
            return None
        item.chain = tuple((el, ()) for el in structure.chain(node))
        item.folder = f"m1/cn/{cn_folder(node)}"
        item.hint = CN_FILE_NAMES.get(node, item.hint)
        return True

    def deleted_chain(self, element: str, env: "Envelope") -> "Chain | None":
        return None

    def always_new(self, element: str) -> bool:
        return element in ALWAYS_NEW

    def write(self, entries: list[LeafEntry], structure: Structure, env: "Envelope") -> bytes:
        return cn_regional_xml(entries, structure, env)

    def validate_schema(self, v: "SequenceValidator", tree: Any) -> None:
        xsd = v.std(self.schema)
        if xsd is not None:
            validate_xsd(tree, v.standards, xsd, v.loc(self.path), v.diags)

    def check_rules(self, v: "SequenceValidator", tree: Any) -> None:
        _cn_rules(v, tree)

    def envelope_keys(self, tree: Any) -> dict[str, str | None]:
        env = tree.getroot().find(f"{{{CN_NS}}}cn-envelope")
        if env is None:
            return {}

        def code(tag: str) -> str | None:
            el = env.find(f"{{{CN_NS}}}{tag}")
            return el.get("code") if el is not None else None

        return {"application-id": env.findtext(f"{{{CN_NS}}}application-id"),
                "application-type": code("application-type"), "product-type": code("product-type")}

    def node_extension_allowed(self, element: object, regional: object | None) -> bool:
        """Only in 3.2.R of a biologic (product-type cnprt2), never in cn-regional (NMPA 3.16/4.1.16)."""
        return _inside(element, "m3-2-r-regional-information") and _product_type(regional) == "cnprt2"


def _product_type(regional: Any) -> str | None:
    if regional is None:
        return None
    el = regional.find(f"{{{CN_NS}}}cn-envelope/{{{CN_NS}}}product-type")
    return el.get("code") if el is not None else None


MODULE1 = NmpaModule1()
