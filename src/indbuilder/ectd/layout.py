"""Where each document goes in a sequence: backbone, heading chain, folder and file name.

Shared by :func:`indbuilder.ectd.assemble_sequence` and :func:`plan_layout`, which the pipeline calls
before rendering so that cross-document links can be written as relative paths. Given the same files
and envelope both give the same paths. Folder names follow ICH eCTD v3.2.2 Appendix 4 (recommended),
``m1/us`` for FDA and ``m1/cn/NN`` for NMPA (cn/m1-folder-structure.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostics, Location
from . import rules as _rules  # noqa: F401
from .lifecycle import HEADING_ATTRS, REGIONAL, HeadingKey
from .model import Envelope, StudyInfo, SubmissionFile
from .naming import EXT_RE, Namer, attribute_folder_keys, cn_folder, ich_folder, leaf_id_for, slug
from .schema import Structure, dtd_structure, xsd_structure
from .standards import INSTALL_HINT, by_name, locate

M1_ICH = "m1-administrative-information-and-prescribing-information"
# Folders named from attribute values or study ids are kept short so that the deepest Module 5 path
# (m5/53-clin-stud-rep/535-rep-effic-safety-stud/<indication>/5351-stud-rep-contr/<study>/<file>)
# stays within the 150-character FDA limit (TCG v1.8 §2.4).
FOLDER_SLUG = 32
Chain = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
# STFs are required for 4.2.x and 5.3.1-5.3.5 (FDA TCG v1.8 §2.8; NMPA 5.17)
STF_SCOPES = ("m4-2-", "m5-3-1-", "m5-3-2-", "m5-3-3-", "m5-3-4-", "m5-3-5-")


# The four NMPA Module 1 file names confirmed from NMPA attachment 1-4 (CTD模块一文件组织结构), as recorded
# in cn/m1-folder-structure.md; other names come from the caller's hint.
CN_FILE_NAMES = {"cn-1-0": "cover-letter", "cn-1-3-1-1": "pi-ind-drug", "cn-1-8-3": "rmp",
                 "cn-1-12": "cert-docs-for-smallmicro"}


# The application's main form (Form FDA 1571 for an IND, 356h otherwise) goes in
# admin/.../submission-information/form, as FDA's M1 example for an initial IND does (per third-party
# transcriptions; the DTD allows one form there); every other form goes in m1-1-forms/form.
def main_form_code(application_type: str) -> str:
    """form-type of the application's main form: fdaft1 (1571) for an IND (fdaat4), else fdaft2 (356h)."""
    return "fdaft1" if application_type == "fdaat4" else "fdaft2"


def form_chain(code: str, application_type: str) -> Chain:
    """Heading chain of an FDA form leaf with form-type ``code``."""
    if code == main_form_code(application_type):
        return (("admin", ()), ("application-set", ()), ("application", ()), ("submission-information", ()),
                ("form", (("form-type", code),)))
    return (("m1-regional", ()), ("m1-1-forms", ()), ("form", (("form-type", code),)))


def in_stf_scope(element: str) -> bool:
    """Is ``element`` a heading whose study reports need a study tagging file?"""
    return element.startswith(STF_SCOPES)


@dataclass
class Item:
    """A document (or generated STF) placed in the sequence: backbone, heading chain, folder and name."""

    doc_id: str
    title: str
    lang: str
    data: bytes
    ext: str
    hint: str
    backbone: str  # "index.xml" or the regional backbone path
    element: str
    chain: Chain
    folder: str
    study: StudyInfo | None = None
    name: str = ""
    leaf_id: str = ""

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.name}"

    @property
    def heading(self) -> HeadingKey:
        return tuple((el, attrs) for el, attrs in self.chain if attrs and el != "form")  # form-type is in element

    @property
    def checksum(self) -> str:
        return hashlib.md5(self.data).hexdigest()


@dataclass
class Standards:
    root: Path
    ich: Structure
    regional: Structure


def load_standards(region: str, standards: Path, where: Location, diags: Diagnostics) -> Standards | None:
    names = ["ich-ectd-3-2.dtd", "us-regional-v3-3.dtd" if region == "fda" else "cn-regional-1-0.xsd"]
    found = {n: locate(standards, by_name(n)) for n in names}
    for n, p in found.items():
        if p is None:
            diags.emit("ectd.standard-missing", f"{n} is not installed in {standards}: cannot assemble a "
                       "submission-ready sequence", where, hint=INSTALL_HINT)
    if None in found.values():
        return None
    ich = dtd_structure(found[names[0]])  # type: ignore[arg-type]
    reg = dtd_structure(found[names[1]]) if region == "fda" else xsd_structure(found[names[1]])  # type: ignore[arg-type]
    return Standards(standards, ich, reg)


def _place(f: SubmissionFile, env: Envelope, st: Standards, diags: Diagnostics) -> Item | None:
    """Work out backbone, heading chain and folder of one file (None + diagnostic if it has no place)."""
    where = Location(f"{env.sequence}/{f.node_id}")
    node = f.node_id
    region = env.region
    reg_backbone = REGIONAL[region]
    item = Item(f.doc_id, f.title, f.lang, f.data, f.ext.lower().lstrip("."), f.name_hint, reg_backbone,
                 node, (), "", f.study)
    if node.startswith("form:"):
        code = node.split(":", 1)[1]
        if region != "fda":
            diags.emit("ectd.region-mismatch", f"{f.doc_id}: forms ({node}) exist only in FDA Module 1", where)
            return None
        item.chain = form_chain(code, env.fda.application_type)
        item.folder = "m1/us"
        return item
    if region == "fda" and node in st.regional.leaf_holders:
        item.chain = tuple((el, ()) for el in st.regional.chain(node))
        item.folder = "m1/us"
        return item
    if region == "nmpa" and node in st.regional.leaf_holders:
        item.chain = tuple((el, ()) for el in st.regional.chain(node))
        item.folder = f"m1/cn/{cn_folder(node)}"
        item.hint = CN_FILE_NAMES.get(node, item.hint)
        return item
    if node not in st.ich.leaf_holders or node == M1_ICH or node.startswith("m1-") or node.startswith("cn-"):
        diags.emit("ectd.unknown-node", f"{f.doc_id}: node {node!r} is not a {region.upper()} eCTD heading "
                   "that holds documents", where)
        return None
    item.backbone = "index.xml"
    headings = f.headings or env.headings
    chain: list = []
    segs: list[str] = []
    for el in st.ich.chain(node):
        keys = [a for a in HEADING_ATTRS if a in st.ich.attributes.get(el, [])]
        attrs = []
        for a in keys:
            v = headings.get(a)
            if v is not None and v.strip():
                attrs.append((a, v))
            elif a in st.ich.required.get(el, []):
                diags.emit("ectd.heading-attribute-missing",
                           f"{f.doc_id}: heading {el} needs attribute {a!r} (set it in the envelope headings)", where)
                return None
        chain.append((el, tuple(attrs)))
        if ich_folder(el):
            segs.append(ich_folder(el))
        fkeys = attribute_folder_keys(el)
        vals = [dict(attrs)[k] for k in fkeys if k in dict(attrs)]
        if fkeys:
            segs.append(slug("-".join(vals), FOLDER_SLUG) if vals else "default")
    if f.study and any(el == "m5-3-clinical-study-reports" for el, _ in chain):
        segs.append(slug(f.study.study_id, FOLDER_SLUG))  # Module 5: one folder per study (ICH Appendix 4)
    item.chain = tuple(chain)
    item.folder = "/".join(segs)
    return item


def place_files(files: list[SubmissionFile], envelope: Envelope, st: Standards, diags: Diagnostics,
                namer: Namer | None = None) -> list[Item]:
    """Place and name every file (deterministic: names are assigned by folder, then doc_id).

    Pass ``namer`` to keep naming further files (study tagging files) in the same folders without collisions.
    """
    seq = envelope.sequence
    where = Location(seq)
    items: list[Item] = []
    seen: set[str] = set()
    for f in files:
        if f.doc_id in seen:
            diags.emit("ectd.duplicate-doc-id", f"doc_id {f.doc_id!r} is used by more than one document", where)
            continue
        seen.add(f.doc_id)
        item = _place(f, envelope, st, diags)
        if item is None:
            continue
        if not EXT_RE.match(item.ext):
            diags.emit("ectd.file-name", f"{f.doc_id}: extension {f.ext!r} is not lowercase a-z0-9", where)
            continue
        item.leaf_id = leaf_id_for(f.doc_id)
        items.append(item)
    namer = namer if namer is not None else Namer()
    for item in sorted(items, key=lambda i: (i.folder, i.doc_id)):
        item.name, derived = namer.assign(item.folder, item.hint, item.ext, item.doc_id)
        if derived and item.hint:
            diags.emit("ectd.name-derived", f"{item.doc_id}: name hint {item.hint!r} -> {item.name}",
                       Location(f"{seq}/{item.path}"))
    return items


def plan_layout(files: list[SubmissionFile], envelope: Envelope, standards: Path,
                diags: Diagnostics) -> dict[str, str]:
    """Path of each document inside the sequence folder, keyed by doc_id (``data`` may be empty).

    Documents that cannot be placed (unknown node, missing heading attribute, standards not installed)
    are reported in ``diags`` and absent from the result.
    """
    st = load_standards(envelope.region, standards, Location(envelope.sequence), diags)
    if st is None:
        return {}
    return {item.doc_id: item.path for item in place_files(files, envelope, st, diags)}
