"""Where each document goes in a sequence: backbone, heading chain, folder and file name.

The place stage (:func:`indbuilder.placement.place_region`) calls :func:`place_sequence` once per region
before rendering, so that cross-document links can be written as relative paths, and assembly fills the
placed items with bytes. Folder names follow ICH eCTD v3.2.2 Appendix 4 (recommended); Module 1
documents are placed by the region (``RegionProfile.module1().place``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostics, Location
from . import rules as _rules  # noqa: F401
from .lifecycle import HEADING_ATTRS, HeadingKey
from .model import Envelope, StudyInfo, SubmissionFile
from .naming import EXT_RE, Namer, attribute_folder_keys, ich_folder, leaf_id_for, slug
from .schema import Structure, dtd_structure
from .standards import INSTALL_HINT, by_name, locate

if TYPE_CHECKING:  # pragma: no cover
    from ..regions.base import Module1, RegionProfile

M1_ICH = "m1-administrative-information-and-prescribing-information"
# Folders named from attribute values or study ids are kept short so that the deepest Module 5 path
# (m5/53-clin-stud-rep/535-rep-effic-safety-stud/<indication>/5351-stud-rep-contr/<study>/<file>)
# stays within the 150-character FDA limit (TCG v1.8 §2.4).
FOLDER_SLUG = 32
Chain = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
# STFs are required for 4.2.x and 5.3.1-5.3.5 (FDA TCG v1.8 §2.8; NMPA 5.17)
STF_SCOPES = ("m4-2-", "m5-3-1-", "m5-3-2-", "m5-3-3-", "m5-3-4-", "m5-3-5-")


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
    """The backbone structures of one region: ICH ``index.xml`` and, if the region has one, its Module 1."""

    root: Path
    ich: Structure
    regional: Structure | None
    module1: "Module1 | None" = None


def load_standards(region: "str | RegionProfile", standards: Path, where: Location, diags: Diagnostics) -> Standards | None:
    """Read the ICH DTD and the region's Module 1 schema from ``standards`` (``None`` + error when missing)."""
    profile = region_profile(region)
    m1 = profile.module1()
    names = ["ich-ectd-3-2.dtd"] + ([m1.schema] if m1 is not None else [])
    found = {n: locate(standards, by_name(n)) for n in names}
    for n, p in found.items():
        if p is None:
            diags.emit("ectd.standard-missing", f"{n} is not installed in {standards}: cannot assemble a "
                       "submission-ready sequence", where, hint=INSTALL_HINT)
    paths = [p for p in found.values() if p is not None]
    if len(paths) != len(names):
        return None
    ich = dtd_structure(paths[0])
    reg = m1.structure(paths[1]) if m1 is not None else None
    return Standards(standards, ich, reg, m1)


def region_profile(region: "str | RegionProfile") -> "RegionProfile":
    """The registered profile of ``region`` (a name such as ``envelope.region``, or the profile itself)."""
    if isinstance(region, str):
        from .. import regions

        return regions.get(region)
    return region


def _place(f: SubmissionFile, env: Envelope, st: Standards, diags: Diagnostics) -> Item | None:
    """Work out backbone, heading chain and folder of one file (None + diagnostic if it has no place)."""
    where = Location(f"{env.sequence}/{f.node_id}")
    node = f.node_id
    m1 = st.module1
    item = Item(f.doc_id, f.title, f.lang, f.data, f.ext.lower().lstrip("."), f.name_hint,
                m1.path if m1 is not None else "index.xml", node, (), "", f.study)
    if m1 is not None and st.regional is not None:
        placed = m1.place(item, env, st.regional, where, diags)
        if placed is not None:
            return item if placed else None
    if node.startswith("form:"):
        diags.emit("ectd.region-mismatch", f"{f.doc_id}: forms ({node}) exist only in FDA Module 1", where)
        return None
    # Module 1 is regional (ICH eCTD v3.2.2 §Module 1): the ICH backbone holds only the leaf that points
    # at the regional backbone, never a document.
    if node not in st.ich.leaf_holders or node.startswith("m1-"):
        diags.emit("ectd.unknown-node", f"{f.doc_id}: node {node!r} is not a {env.region.upper()} eCTD heading "
                   "that holds documents", where)
        return None
    item.backbone = "index.xml"
    headings = f.headings or env.headings
    chain: list[tuple[str, tuple[tuple[str, str], ...]]] = []
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


@dataclass
class Layout:
    """Every placed document of a sequence, the standards they were placed with, and the names used."""

    standards: Standards
    items: list[Item]
    namer: Namer


def place_sequence(files: list[SubmissionFile], envelope: Envelope, standards: Path,
                   diags: Diagnostics) -> Layout | None:
    """Place and name ``files`` in ``envelope``'s sequence (``data`` may be empty: only paths are decided).

    Documents that cannot be placed (unknown node, missing heading attribute) are reported in ``diags``
    and left out; ``None`` (and an error) when the standards are not installed.
    """
    st = load_standards(envelope.region, standards, Location(envelope.sequence), diags)
    if st is None:
        return None
    namer = Namer()
    return Layout(st, place_files(files, envelope, st, diags, namer), namer)


def plan_layout(files: list[SubmissionFile], envelope: Envelope, standards: Path,
                diags: Diagnostics) -> dict[str, str]:
    """Path of each document inside the sequence folder, keyed by doc_id (``data`` may be empty).

    Documents that cannot be placed (unknown node, missing heading attribute, standards not installed)
    are reported in ``diags`` and absent from the result.
    """
    layout = place_sequence(files, envelope, standards, diags)
    return {} if layout is None else {item.doc_id: item.path for item in layout.items}
