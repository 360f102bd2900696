"""FDA Module 1 in eCTD: us-regional.xml v3.3, M1 placement, forms and the FDA regional validation rules.

Loaded only by the eCTD layer (it imports lxml): the profile in ``fda.py`` returns :data:`MODULE1`.
Sources: FDA Module 1 specification v2.6 for us-regional v3.3 (FDA M1), FDA eCTD Technical
Conformance Guide v1.8 (TCG), 21 CFR 312.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from ..diagnostics import Diagnostics, Location
from ..ectd.backbone import XML_NS, LeafEntry, emit_headings, heading_tree, serialize
from ..ectd.codelists import fda_codes
from .fda import fda_envelope_codes
from ..ectd.schema import FDA_NS, XLINK_ICH, Structure, dtd_structure, validate_dtd
from ..ectd.standards import by_name, locate

if TYPE_CHECKING:  # pragma: no cover
    from ..ectd.layout import Chain, Item
    from ..ectd.model import Envelope
    from ..ectd.validate import SequenceValidator

PATH = "m1/us/us-regional.xml"
FOLDER = "m1/us"
FDA_DTD_URL = "https://www.accessdata.fda.gov/static/eCTD/us-regional-v3-3.dtd"
FDA_XSL_URL = "https://www.accessdata.fda.gov/static/eCTD/us-regional.xsl"
FDA_FORM_TYPES = {"fdaft1": "1571", "fdaft2": "356h", "fdaft3": "3397", "fdaft4": "2252", "fdaft5": "2253",
                  "fdaft7": "3674"}
# Documents that belong to one sequence are always 'new': cover letters (FDA files one per sequence) and
# forms (each IND submission carries its own signed Form FDA 1571, 21 CFR 312.23(a)(1), 312.30-312.33).
ALWAYS_NEW = ("m1-2-cover-letters",)


# The application's main form (Form FDA 1571 for an IND, 356h otherwise) goes in
# admin/.../submission-information/form, as FDA's M1 example for an initial IND does (per third-party
# transcriptions; the DTD allows one form there); every other form goes in m1-1-forms/form.
def main_form_code(application_type: str) -> str:
    """form-type of the application's main form: fdaft1 (1571) for an IND (fdaat4), else fdaft2 (356h)."""
    return "fdaft1" if application_type == "fdaat4" else "fdaft2"


def form_chain(code: str, application_type: str) -> "Chain":
    """Heading chain of an FDA form leaf with form-type ``code``."""
    if code == main_form_code(application_type):
        return (("admin", ()), ("application-set", ()), ("application", ()), ("submission-information", ()),
                ("form", (("form-type", code),)))
    return (("m1-regional", ()), ("m1-1-forms", ()), ("form", (("form-type", code),)))


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
    codes = fda_envelope_codes(env)
    etree.SubElement(etree.SubElement(app, "application-information"), "application-number",
                     {"application-type": codes.application_type}).text = env.application_number
    sub = etree.SubElement(app, "submission-information")
    etree.SubElement(sub, "submission-id", {"submission-type": codes.submission_type}).text = (
        codes.submission_id or env.related)
    etree.SubElement(sub, "sequence-number", {"submission-sub-type": codes.submission_sub_type}).text = env.sequence
    tree = heading_tree(entries, structure.root)
    admin_node = tree.children.pop(("admin", ()), None)
    if admin_node is not None:  # the main form: admin/application-set/application/submission-information/form
        info_node = admin_node.children[("application-set", ())].children[("application", ())].children[
            ("submission-information", ())]
        for form_node in info_node.children.values():  # one form-type only (layout.main_form_code)
            form = etree.SubElement(sub, "form", dict(form_node.attrs))
            emit_headings(form, form_node, structure, None, XLINK_ICH)
    for child in sorted(tree.children.values(), key=lambda c: structure.order(structure.root, c.element)):
        el = etree.SubElement(root, child.element)
        emit_headings(el, child, structure, None, XLINK_ICH)
    return serialize(root, f'<!DOCTYPE fda-regional:fda-regional SYSTEM "{FDA_DTD_URL}">', FDA_XSL_URL)


def _fda_rules(v: "SequenceValidator", tree: Any) -> None:
    """FDA regional rules on us-regional.xml (FDA M1 spec v2.6; TCG v1.8 §3.1.1; 21 CFR 312.23)."""
    rel = PATH
    r = tree.getroot()

    def text(xpath: str) -> tuple[Any, str]:
        el = r.find(xpath)
        return el, (el.text or "").strip() if el is not None else ""

    el, duns = text("admin/applicant-info/id")
    if el is not None and not re.fullmatch(r"\d{9}", duns):
        v.emit("ectd.fda-duns", f"applicant id {duns!r} is not a 9-digit DUNS number", rel, el.sourceline)
    el, desc = text("admin/applicant-info/submission-description")
    if el is not None and len(desc) > 128:
        v.emit("ectd.fda-field-length", f"submission-description is {len(desc)} characters (max 128)",
                  rel, el.sourceline)
    for tag in ("telephone", "email"):
        for t in r.iter(tag):
            if len((t.text or "").strip()) > 64:
                v.emit("ectd.fda-field-length", f"{tag} {t.text!r} exceeds 64 characters", rel, t.sourceline)
    checks = (("application-number", "application-type", "application-type.xml"),
              ("cross-reference-application-number", "application-type", "application-type.xml"),
              ("applicant-contact-name", "applicant-contact-type", "applicant-contact-type.xml"),
              ("telephone", "telephone-number-type", "telephone-number-type.xml"))
    for tag, attr, listname in checks:
        codes = fda_codes(v.standards, listname) if locate(v.standards, by_name(listname)) else None
        for el in r.iter(tag):
            code = el.get(attr)
            if codes is not None and code not in codes:
                v.emit("ectd.fda-code", f"{tag}/@{attr} {code!r} is not in {listname}", rel, el.sourceline)
            if tag == "application-number" and code in ("fdaat7", "fdaat9", "fdaat10", "fdaat8"):
                v.emit("ectd.fda-code", f"application-type {code!r} may only be used for cross references",
                          rel, el.sourceline)
    for el in r.iter("application-number"):
        if not re.fullmatch(r"\d{6}", (el.text or "").strip()):
            v.emit("ectd.fda-application-number", f"application number {el.text!r} is not 6 digits",
                      rel, el.sourceline)
    for tag, attr, pattern in (("submission-id", "submission-type", r"fdast\d+"),
                               ("sequence-number", "submission-sub-type", r"fdasst\d+")):
        for el in r.iter(tag):
            if not re.fullmatch(pattern, el.get(attr) or ""):
                v.emit("ectd.fda-code", f"{tag}/@{attr} {el.get(attr)!r} is not a v3.3 code ({pattern})",
                          rel, el.sourceline)
    for el in r.iter("sequence-number"):
        if (el.text or "").strip() != v.seq:
            v.emit("ectd.fda-code", f"sequence-number {el.text!r} differs from the folder {v.seq}",
                      rel, el.sourceline)
    app = r.find("admin/application-set/application/application-information/application-number")
    if app is not None and app.get("application-type") == "fdaat4" and not r.xpath(
            "//form[@form-type='fdaft1']/leaf[@operation='new']"):
        v.emit("ectd.fda-form-missing", "IND sequence without a Form FDA 1571 (form-type fdaft1) leaf", rel,
                  app.sourceline)
    for el in r.iter("form"):
        if el.get("form-type") not in FDA_FORM_TYPES:
            v.emit("ectd.fda-form-type", f"form-type {el.get('form-type')!r} is not a known FDA form code "
                      f"({', '.join(f'{k}={v}' for k, v in FDA_FORM_TYPES.items())})", rel, el.sourceline)



@dataclass(frozen=True)
class FdaModule1:
    """us-regional v3.3: Module 1 documents in ``m1/us``, forms as ``form:<form-type>`` nodes."""

    path: str = PATH
    schema: str = "us-regional-v3-3.dtd"
    title: str = "US Regional Information"
    lang: str = "en"

    def structure(self, schema_path: Path) -> Structure:
        return dtd_structure(schema_path)

    def place(self, item: "Item", env: "Envelope", structure: Structure, where: Location, diags: Diagnostics) -> bool | None:
        node = item.element
        if node.startswith("form:"):
            item.chain = form_chain(node.split(":", 1)[1], fda_envelope_codes(env).application_type)
        elif node in structure.leaf_holders:
            item.chain = tuple((el, ()) for el in structure.chain(node))
        else:
            return None
        item.folder = FOLDER
        return True

    def deleted_chain(self, element: str, env: "Envelope") -> "Chain | None":
        return form_chain(element[5:], fda_envelope_codes(env).application_type) if element.startswith("form:") else None

    def always_new(self, element: str) -> bool:
        return element in ALWAYS_NEW or element.startswith("form:")

    def write(self, entries: list[LeafEntry], structure: Structure, env: "Envelope") -> bytes:
        return us_regional_xml(entries, structure, env)

    def validate_schema(self, v: "SequenceValidator", tree: Any) -> None:
        dtd = v.std(self.schema)
        if dtd is not None:
            validate_dtd(tree, dtd, v.loc(self.path), v.diags)

    def check_rules(self, v: "SequenceValidator", tree: Any) -> None:
        _fda_rules(v, tree)

    def envelope_keys(self, tree: Any) -> dict[str, str | None]:
        r = tree.getroot()
        num = r.find("admin/application-set/application/application-information/application-number")
        return {"application-number": num.text if num is not None else None,
                "application-type": num.get("application-type") if num is not None else None,
                "applicant id (DUNS)": r.findtext("admin/applicant-info/id")}

    def node_extension_allowed(self, element: object, regional: object | None) -> bool:
        return False  # FDA accepts no node extensions (TCG v1.8 §5)


MODULE1 = FdaModule1()
