"""Build one eCTD v3.2.2 sequence folder from rendered files, the envelope and the earlier sequences.

Entry point: :func:`assemble_sequence`. Layout follows the ICH recommended folder names (Appendix 4),
``m1/us`` (FDA) or ``m1/cn/NN`` (NMPA); lifecycle operations come from comparing the documents with
the current state replayed from the history folder (see ``lifecycle.py``).
"""

from __future__ import annotations

import hashlib
import posixpath
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostics, Location
from . import rules as _rules  # noqa: F401
from .backbone import LeafEntry, StfDoc, cn_regional_xml, index_xml, stf_xml, us_regional_xml, xml_clean
from .layout import M1_ICH, Chain, Item, Standards, form_chain, in_stf_scope, load_standards, place_files
from .codelists import stf_file_tags
from .lifecycle import REGIONAL, LeafState, check_sequence_number, read_history
from .model import Envelope, SubmissionFile
from .naming import Namer, delete_id_for, leaf_id_for, slug
from .schema import parse_xml
from .standards import copy_util


# Documents that belong to one sequence are always 'new': cover letters (NMPA validation rule 4.1.14; FDA
# files one per sequence) and FDA forms (each IND submission carries its own signed Form FDA 1571,
# 21 CFR 312.23(a)(1), 312.30-312.33).
ALWAYS_NEW = ("m1-2-cover-letters", "cn-1-0")


def _always_new(element: str) -> bool:
    return element in ALWAYS_NEW or element.startswith("form:")


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
    if prev.element.startswith("form:"):
        return form_chain(prev.element[5:], env.fda.application_type)
    structure = st.ich if prev.backbone == "index.xml" else st.regional
    return tuple((el, attrs.get(el, ())) for el in structure.chain(prev.element))


def _stf_canonical(source: Path | bytes, at: str) -> tuple | None:
    """What an STF says, independent of where it sits: study id/title/categories and, per document, the
    backbone it points at (``NNNN/index.xml``, resolved from ``at``, the STF's ``NNNN/...`` path), leaf ID,
    title and file tags."""
    tree = parse_xml(source, Location("stf"), Diagnostics())
    if tree is None:
        return None
    r = tree.getroot()
    ident = (r.findtext("study-identifier/title"), r.findtext("study-identifier/study-id"),
             tuple((c.get("name"), c.get("info-type"), c.text) for c in r.iterfind("study-identifier/category")))
    docs = []
    for dc in r.iter("doc-content"):
        href = next((v for k, v in dc.attrib.items() if k.endswith("}href")), "")
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
    from .validate import validate_sequence  # local import keeps module loading acyclic

    diags = Diagnostics()
    seq = envelope.sequence
    region = envelope.region
    where = Location(seq)
    if region not in REGIONAL:
        diags.emit("ectd.region-mismatch", f"unknown region {region!r} (expected fda or nmpa)", where)
        return diags
    if not check_sequence_number(seq, history_dir, diags):
        return diags
    st = load_standards(region, standards, where, diags)
    if st is None:
        return diags
    bad: list[str] = []
    envelope = xml_clean(envelope, "envelope", bad)
    files = [xml_clean(f, f"file {f.doc_id!r}", bad) for f in files]
    for field_path in bad:
        diags.emit("ectd.xml-text", f"{field_path} contains characters XML cannot carry (control characters); "
                   "they were dropped", where)

    # 1-2. place and name every document (layout.py; the same result plan_layout gives the pipeline)
    namer = Namer()
    items = place_files(files, envelope, st, diags, namer)

    # 3. lifecycle against the replayed history
    state = read_history(history_dir, seq, region, diags) if history_dir else {}
    by_id = {s.leaf_id: s for s in state.values()}
    matched: set[str] = set()
    ops: list[_Op] = []

    def lifecycle(item: Item, same: bool | None = None) -> _Op | None:
        prev = by_id.get(item.leaf_id)
        if prev is None:
            return _Op("new", item.backbone, item.chain, item.leaf_id, item.title, item.checksum, item.lang, item)
        matched.add(prev.key)
        if (prev.backbone, prev.element, prev.heading) != (item.backbone, item.element, item.heading):
            diags.emit("ectd.document-relocated", f"{item.doc_id} moved from {prev.element} "
                       f"({prev.sequence}) to {item.element}: deleted there and filed anew",
                       Location(f"{seq}/{item.path}"))
            ops.append(_delete(prev))
            return _Op("new", item.backbone, item.chain, item.leaf_id, item.title, item.checksum, item.lang, item)
        unchanged = same if same is not None else prev.checksum == item.checksum
        if unchanged:
            if prev.title != item.title and same is None:
                diags.emit("ectd.title-only-change", f"{item.doc_id}: title changed ({prev.title!r} -> "
                           f"{item.title!r}) but content did not; kept as in {prev.sequence}",
                           Location(f"{seq}/{item.path}"))
            return None
        return _Op("replace", item.backbone, item.chain, item.leaf_id, item.title, item.checksum, item.lang,
                   item, prev)

    def _delete(prev: LeafState) -> _Op:
        return _Op("delete", prev.backbone, _chain_for_state(prev, st, envelope), delete_id_for(prev.leaf_id),
                   prev.title, prev.checksum, prev.lang, None, prev)

    for item in items:
        if _always_new(item.element):
            # Filed 'new' with a per-sequence ID, never replacing or deleting earlier ones; an identical
            # document already filed is not sent again.
            if not any(s.element == item.element and s.checksum == item.checksum for s in state.values()):
                item.leaf_id = leaf_id_for(f"{item.doc_id}@{seq}")
                ops.append(_Op("new", item.backbone, item.chain, item.leaf_id, item.title, item.checksum,
                               item.lang, item))
            continue
        op = lifecycle(item)
        if op:
            ops.append(op)

    # 4. study tagging files, one per study and heading, rewritten when the study's documents change
    realms = stf_file_tags(standards)
    changed_ids = {o.leaf_id for o in ops if o.item is not None}
    groups: dict[tuple, list[Item]] = {}
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
            holder = seq if in_this else by_id[m.leaf_id].sequence
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
        prev = by_id.get(stf_item.leaf_id)
        same = None
        if prev is not None and history_dir is not None:
            same = (_stf_canonical(history_dir / prev.sequence / prev.href, f"{prev.sequence}/{prev.href}")
                    == _stf_canonical(data, f"{seq}/{stf_path}"))
        op = lifecycle(stf_item, same)
        if op:
            ops.append(op)
        for d in docs:
            if d.file_tag not in realms and realms:
                diags.emit("ectd.stf-file-tag", f"study {study_id}: file-tag {d.file_tag!r} is not in "
                           "valid-values.xml", Location(f"{seq}/{stf_path}"))

    # 5. documents no longer in the dossier
    for key, prev in sorted(state.items()):
        if key not in matched and not _always_new(prev.element):
            ops.append(_delete(prev))

    if not ops:
        diags.emit("ectd.empty-sequence", f"sequence {seq} changes no document", where)

    # 6. write the sequence folder
    seq_dir = out_dir / seq
    if seq_dir.exists():
        shutil.rmtree(seq_dir)
    seq_dir.mkdir(parents=True)
    reg_backbone = REGIONAL[region]
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

    if region == "fda":
        reg_bytes = us_regional_xml(reg_entries, st.regional, envelope)
    else:
        reg_bytes = cn_regional_xml(reg_entries, st.regional, envelope)
    reg_path = seq_dir / reg_backbone
    reg_path.parent.mkdir(parents=True, exist_ok=True)
    reg_path.write_bytes(reg_bytes)
    m1_leaf = LeafEntry(((M1_ICH, ()),), "m1-regional-backbone", "new",
                        "US Regional Information" if region == "fda" else "CN Regional Information",
                        hashlib.md5(reg_bytes).hexdigest(), reg_backbone, "en" if region == "fda" else "zh")
    index_bytes = index_xml([m1_leaf] + ich_entries, st.ich)
    (seq_dir / "index.xml").write_bytes(index_bytes)
    (seq_dir / "index-md5.txt").write_bytes(hashlib.md5(index_bytes).hexdigest().encode("ascii"))
    has_stf = any(o.item is not None and o.item.doc_id.startswith("stf:") for o in ops)
    copy_util(seq_dir, standards, region, has_stf, diags)

    # 7. validate what we wrote (DTD/XSD, checksums, names, lifecycle targets, regional rules)
    diags.extend(validate_sequence(seq_dir, standards, history_dir=history_dir, expect_region=region))
    return diags

