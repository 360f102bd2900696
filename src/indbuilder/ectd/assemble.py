"""Build one eCTD v3.2.2 sequence folder from rendered files, the envelope and the earlier sequences.

Entry points: :func:`assemble_sequence` (place, then assemble) and :func:`assemble_placed` (assemble
documents placed beforehand by ``layout.place_sequence``, as the pipeline's place stage does). The
steps, each a function: :func:`lifecycle_operations`, :func:`study_tagging_files`, :func:`deletions`,
:func:`write_files`, :func:`write_backbones`, then ``util/`` and :func:`validate_sequence`. Lifecycle
operations come from comparing the documents with the current state replayed from the history folder
(see ``lifecycle.py``).
"""

from __future__ import annotations

import hashlib
import posixpath
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from collections.abc import Iterable

from ..diagnostics import Diagnostic, Diagnostics, Location
from . import rules as _rules  # noqa: F401
from .backbone import LeafEntry, StfDoc, index_xml, stf_xml, xml_clean
from .codelists import stf_file_tags
from .layout import M1_ICH, Chain, Item, Standards, in_stf_scope, load_standards, place_sequence, region_profile
from .lifecycle import LeafState, check_sequence_number, read_history
from .model import Envelope, SubmissionFile
from .naming import Namer, delete_id_for, leaf_id_for, slug
from .schema import parse_xml
from .standards import copy_util


@dataclass
class _Op:
    operation: str
    backbone: str
    chain: Chain
    leaf_id: str
    title: str
    checksum: str
    lang: str
    item: Item | None = None  # None for delete
    modified: LeafState | None = None


def _relative(target_seq_path: str, from_seq_path: str) -> str:
    """Relative path between two paths given from the history folder (e.g. ``0000/index.xml``)."""
    return posixpath.relpath(target_seq_path, posixpath.dirname(from_seq_path))


def _chain_for_state(prev: LeafState, st: Standards, env: Envelope) -> Chain:
    """Rebuild a deleted leaf's heading chain from its element and recorded heading attributes."""
    attrs = dict(prev.heading)
    special = st.module1.deleted_chain(prev.element, env) if st.module1 is not None else None
    if special is not None:
        return special
    structure = st.ich if prev.backbone == "index.xml" or st.regional is None else st.regional
    return tuple((el, attrs.get(el, ())) for el in structure.chain(prev.element))


# What an STF says (see _stf_canonical): (title, study-id, categories (name, info-type, value)) and, per
# doc-content, (backbone path, leaf ID, title, file tags (name, info-type)).
_StfIdent = tuple[str | None, str | None, tuple[tuple[str | None, str | None, str | None], ...]]
_StfDocRef = tuple[str, str, str | None, tuple[tuple[str | None, str | None], ...]]
_StfContent = tuple[_StfIdent, tuple[_StfDocRef, ...]]


def _stf_canonical(source: Path | bytes, at: str) -> _StfContent | None:
    """What an STF says, independent of where it sits: study id/title/categories and, per document, the
    backbone it points at (``NNNN/index.xml``, resolved from ``at``, the STF's ``NNNN/...`` path), leaf ID,
    title and file tags."""
    tree = parse_xml(source, Location("stf"), Diagnostics())
    if tree is None:
        return None
    r = tree.getroot()
    ident = (r.findtext("study-identifier/title"), r.findtext("study-identifier/study-id"),
             tuple((c.get("name"), c.get("info-type"), c.text) for c in r.iterfind("study-identifier/category")))
    docs: list[_StfDocRef] = []
    for dc in r.iter("doc-content"):
        # lxml-stubs types attribute names and values as str | bytes; lxml gives str on Python 3
        attrs: list[tuple[str, str]] = dc.attrib.items()  # type: ignore[assignment]
        href = next((v for k, v in attrs if k.endswith("}href")), "")
        path, _, frag = href.partition("#")
        docs.append((posixpath.normpath(posixpath.join(posixpath.dirname(at), path)), frag, dc.findtext("title"),
                     tuple((t.get("name"), t.get("info-type")) for t in dc.iter("file-tag"))))
    return ident, tuple(docs)


def assemble_sequence(files: list[SubmissionFile], envelope: Envelope, out_dir: Path, standards: Path,
                      history_dir: Path | None = None) -> Diagnostics:
    """Build ``out_dir/<NNNN>/`` for ``envelope.sequence`` and validate it.

    ``files`` is the complete current dossier: documents equal to their current version in the earlier
    sequences of ``history_dir`` are left out, changed ones get ``replace``, missing ones ``delete``.
    Refuses (diagnostic, nothing written) a submitted sequence, a gap, or a rebuild below later sequences.
    Every generated backbone is validated against the DTD/XSD from ``standards``.
    """
    from .. import regions

    if envelope.region not in regions.names():
        diags = Diagnostics()
        diags.emit("ectd.region-mismatch", f"unknown region {envelope.region!r} (expected "
                   f"{' or '.join(regions.names())})", Location(envelope.sequence))
        return diags
    early = Diagnostics()
    envelope, files = clean_inputs(envelope, files, early)
    layout = place_sequence(files, envelope, standards, early)
    return assemble_placed(layout.items if layout else [], envelope, out_dir, standards, history_dir, early.items)


def clean_inputs(envelope: Envelope, files: list[SubmissionFile], diags: Diagnostics) -> tuple[Envelope, list[SubmissionFile]]:
    """Envelope and files without the characters XML cannot carry (each field reported, W3C XML 1.0 §2.2)."""
    bad: list[str] = []
    envelope = xml_clean(envelope, "envelope", bad)
    files = [xml_clean(f, f"file {f.doc_id!r}", bad) for f in files]
    _report_xml_text(bad, envelope.sequence, diags)
    return envelope, files


def _report_xml_text(bad: list[str], seq: str, diags: Diagnostics) -> None:
    for field_path in bad:
        diags.emit("ectd.xml-text", f"{field_path} contains characters XML cannot carry (control characters); "
                   "they were dropped", Location(seq))


def assemble_placed(items: list[Item], envelope: Envelope, out_dir: Path, standards: Path,
                    history_dir: Path | None = None, placed: Iterable[Diagnostic] = ()) -> Diagnostics:
    """Build and validate ``out_dir/<NNNN>/`` from documents already placed and filled with their bytes.

    ``placed`` are the placement findings (reported here, once, after the sequence number is accepted).
    """
    diags = Diagnostics()
    seq = envelope.sequence
    where = Location(seq)
    if not check_sequence_number(seq, history_dir, diags):
        return diags
    st = load_standards(envelope.region, standards, where, Diagnostics())  # placement reported a missing one
    if st is None:
        diags.extend(placed)
        return diags
    bad: list[str] = []
    envelope = xml_clean(envelope, "envelope", bad)
    items = [xml_clean(i, f"file {i.doc_id!r}", bad) for i in items]
    _report_xml_text(bad, seq, diags)
    diags.extend(placed)
    namer = Namer()
    for item in sorted(items, key=lambda i: (i.folder, i.name)):
        namer.used.setdefault(item.folder, set()).add(item.name)

    lc = lifecycle_operations(items, envelope, st, history_dir, diags)
    study_tagging_files(items, lc, namer, standards, seq, history_dir, diags)
    deletions(lc)
    if not lc.ops:
        diags.emit("ectd.empty-sequence", f"sequence {seq} changes no document", where)

    seq_dir = out_dir / seq
    if seq_dir.exists():
        shutil.rmtree(seq_dir)
    seq_dir.mkdir(parents=True)
    ich_entries, reg_entries = write_files(lc.ops, seq_dir)
    write_backbones(seq_dir, ich_entries, reg_entries, st, envelope)
    has_stf = any(o.item is not None and o.item.doc_id.startswith("stf:") for o in lc.ops)
    copy_util(seq_dir, standards, region_profile(envelope.region).util_standards(), has_stf, diags)

    # validate what we wrote (DTD/XSD, checksums, names, lifecycle targets, regional rules)
    from .validate import validate_sequence  # local import keeps module loading acyclic

    diags.extend(validate_sequence(seq_dir, standards, history_dir=history_dir, expect_region=envelope.region))
    return diags


@dataclass
class Lifecycle:
    """The operations of one sequence against the current state replayed from the earlier ones."""

    seq: str
    st: Standards
    envelope: Envelope
    state: dict[str, LeafState]
    diags: Diagnostics
    ops: list[_Op] = field(default_factory=list)
    matched: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.by_id = {s.leaf_id: s for s in self.state.values()}

    def always_new(self, element: str) -> bool:
        return self.st.module1 is not None and self.st.module1.always_new(element)

    def file(self, item: Item, same: bool | None = None) -> _Op | None:
        """The operation for ``item``: new, replace, or none when unchanged (``same`` overrides the checksum test)."""
        prev = self.by_id.get(item.leaf_id)
        if prev is None:
            return _Op("new", item.backbone, item.chain, item.leaf_id, item.title, item.checksum, item.lang, item)
        self.matched.add(prev.key)
        if (prev.backbone, prev.element, prev.heading) != (item.backbone, item.element, item.heading):
            self.diags.emit("ectd.document-relocated", f"{item.doc_id} moved from {prev.element} "
                            f"({prev.sequence}) to {item.element}: deleted there and filed anew",
                            Location(f"{self.seq}/{item.path}"))
            self.ops.append(self.delete(prev))
            return _Op("new", item.backbone, item.chain, item.leaf_id, item.title, item.checksum, item.lang, item)
        unchanged = same if same is not None else prev.checksum == item.checksum
        if unchanged:
            if prev.title != item.title and same is None:
                self.diags.emit("ectd.title-only-change", f"{item.doc_id}: title changed ({prev.title!r} -> "
                                f"{item.title!r}) but content did not; kept as in {prev.sequence}",
                                Location(f"{self.seq}/{item.path}"))
            return None
        return _Op("replace", item.backbone, item.chain, item.leaf_id, item.title, item.checksum, item.lang,
                   item, prev)

    def delete(self, prev: LeafState) -> _Op:
        return _Op("delete", prev.backbone, _chain_for_state(prev, self.st, self.envelope),
                   delete_id_for(prev.leaf_id), prev.title, prev.checksum, prev.lang, None, prev)


def lifecycle_operations(items: list[Item], envelope: Envelope, st: Standards, history_dir: Path | None,
                         diags: Diagnostics) -> Lifecycle:
    """new/replace for every placed document against the history (unchanged documents are left out)."""
    seq = envelope.sequence
    state = read_history(history_dir, seq, envelope.region, diags) if history_dir else {}
    lc = Lifecycle(seq, st, envelope, state, diags)
    for item in items:
        if lc.always_new(item.element):
            # Filed 'new' with a per-sequence ID, never replacing or deleting earlier ones; an identical
            # document already filed is not sent again.
            if not any(s.element == item.element and s.checksum == item.checksum for s in state.values()):
                item.leaf_id = leaf_id_for(f"{item.doc_id}@{seq}")
                lc.ops.append(_Op("new", item.backbone, item.chain, item.leaf_id, item.title, item.checksum,
                                  item.lang, item))
            continue
        op = lc.file(item)
        if op:
            lc.ops.append(op)
    return lc


def study_tagging_files(items: list[Item], lc: Lifecycle, namer: Namer, standards: Path, seq: str,
                        history_dir: Path | None, diags: Diagnostics) -> None:
    """One ICH STF v2.2 per study and heading, rewritten (replace) only when what it tags changes."""
    realms = stf_file_tags(standards)
    changed_ids = {o.leaf_id for o in lc.ops if o.item is not None}
    groups: dict[tuple[Chain, str], list[Item]] = {}
    for item in items:
        if item.study and item.backbone == "index.xml" and in_stf_scope(item.element):
            groups.setdefault((item.chain, item.study.study_id), []).append(item)
    for (chain, study_id), members in sorted(groups.items(), key=lambda kv: (kv[1][0].folder, kv[0][1])):
        study = members[0].study
        assert study is not None
        folder = members[0].folder
        stf_name, _ = namer.assign(folder, f"stf-{slug(study_id)}", "xml", f"stf-{study_id}")
        stf_path = f"{folder}/{stf_name}"
        docs = []
        for m in members:
            in_this = m.leaf_id in changed_ids
            holder = seq if in_this else lc.by_id[m.leaf_id].sequence
            # Name the sequence explicitly (../<NNNN>/index.xml) even for this sequence: an STF that points at a
            # replaced document then differs from the earlier STF, so it is never an identical replace (NMPA 3.6)
            href = "../" * (stf_path.count("/") + 1) + f"{holder}/index.xml#{m.leaf_id}"
            tag = (m.study.file_tag if m.study else "study-report-body")
            docs.append(StfDoc(href, m.title, tag, realms.get(tag, "ich")))
        util_rel = _relative(f"{seq}/util", f"{seq}/{stf_path}")
        data = stf_xml(study, docs, members[0].lang, util_rel)
        heading = "|".join(f"{k}={v}" for _, attrs in chain for k, v in attrs)
        stf_doc_id = f"stf:{study_id}:{members[0].element}:{heading}"
        stf_item = Item(stf_doc_id, f"Study tagging file {study_id}", members[0].lang, data, "xml", "",
                        "index.xml", members[0].element, chain, folder, None, stf_path.rsplit("/", 1)[1],
                        leaf_id_for(stf_doc_id))
        prev = lc.by_id.get(stf_item.leaf_id)
        same = None
        if prev is not None and history_dir is not None:
            same = (_stf_canonical(history_dir / prev.sequence / prev.href, f"{prev.sequence}/{prev.href}")
                    == _stf_canonical(data, f"{seq}/{stf_path}"))
        op = lc.file(stf_item, same)
        if op:
            lc.ops.append(op)
        for d in docs:
            if d.file_tag not in realms and realms:
                diags.emit("ectd.stf-file-tag", f"study {study_id}: file-tag {d.file_tag!r} is not in "
                           "valid-values.xml", Location(f"{seq}/{stf_path}"))


def deletions(lc: Lifecycle) -> None:
    """``delete`` for every current document no longer in the dossier (sequence-bound ones stay as filed)."""
    for key, prev in sorted(lc.state.items()):
        if key not in lc.matched and not lc.always_new(prev.element):
            lc.ops.append(lc.delete(prev))


def write_files(ops: list[_Op], seq_dir: Path) -> tuple[list[LeafEntry], list[LeafEntry]]:
    """Write every filed document into ``seq_dir``; the leaves of ``index.xml`` and of the regional backbone."""
    seq = seq_dir.name
    ich_entries: list[LeafEntry] = []
    reg_entries: list[LeafEntry] = []
    for op in ops:
        href = None
        if op.item is not None:
            dest = seq_dir / op.item.path
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(op.item.data)
            href = _relative(f"{seq}/{op.item.path}", f"{seq}/{op.backbone}")
        mod = None
        if op.modified is not None:
            mod = _relative(f"{op.modified.sequence}/{op.modified.backbone}", f"{seq}/{op.backbone}") + \
                f"#{op.modified.leaf_id}"
        entry = LeafEntry(op.chain, op.leaf_id, op.operation, op.title, op.checksum, href, op.lang, mod)
        (ich_entries if op.backbone == "index.xml" else reg_entries).append(entry)
    return ich_entries, reg_entries


def write_backbones(seq_dir: Path, ich_entries: list[LeafEntry], reg_entries: list[LeafEntry], st: Standards,
                    envelope: Envelope) -> None:
    """The regional backbone (if the region has one), ``index.xml`` pointing at it, and ``index-md5.txt``."""
    leaves = list(ich_entries)
    m1 = st.module1
    if m1 is not None and st.regional is not None:
        reg_bytes = m1.write(reg_entries, st.regional, envelope)
        reg_path = seq_dir / m1.path
        reg_path.parent.mkdir(parents=True, exist_ok=True)
        reg_path.write_bytes(reg_bytes)
        leaves.insert(0, LeafEntry(((M1_ICH, ()),), "m1-regional-backbone", "new", m1.title,
                                   hashlib.md5(reg_bytes).hexdigest(), m1.path, m1.lang))
    index_bytes = index_xml(leaves, st.ich)
    (seq_dir / "index.xml").write_bytes(index_bytes)
    (seq_dir / "index-md5.txt").write_bytes(hashlib.md5(index_bytes).hexdigest().encode("ascii"))
