"""Validate an eCTD v3.2.2 sequence folder (FDA or NMPA): ``indbuilder validate PATH``.

Checks, each reported with a rule id from ``ectd/rules.py``: sequence folder and root contents,
DTD/XSD validity of every backbone and study tagging file (validated against the local standards
directory, never against anything the sequence points to), MD5 of every leaf and of index.xml,
referenced files exist and every file under m1-m5 is referenced, naming and path rules, util files
against their published checksums, lifecycle (operations and modified-file targets in the earlier
sequences beside it), and the regional rules of the region's Module 1 (``RegionProfile.module1()``).
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ..diagnostics import Diagnostics, Location
from ..paths import file_kind, inside, refusal
from . import rules as _rules  # noqa: F401
from .codelists import stf_file_tags
from .layout import STF_SCOPES, region_profile as _profile
from .lifecycle import (HEADING_ATTRS, SEQ_RE, XML_LANG, _local, existing_sequences, leaf_context, marker_path,
                        read_history, regional_backbones as _regional_backbones, resolve_target)
from .naming import MAX_PATH, is_compliant_file_name, is_compliant_folder_name
from .schema import MAX_XML_BYTES, XLINK_ICH, XLINK_W3, line_of, parse_xml, validate_dtd
from .standards import INSTALL_HINT, by_name, locate, util_files, verify

if TYPE_CHECKING:  # pragma: no cover
    from lxml import etree

    from ..regions.base import Module1

ROOT_ALLOWED = {"index.xml", "index-md5.txt", "m1", "m2", "m3", "m4", "m5", "util"}

# Size limits of what validation reads (see ectd.file-refused): XML in schema.MAX_XML_BYTES; a leaf is
# hashed in chunks, up to the FDA's 5 GB limit for a study dataset (Study Data TCG); util files are small.
MAX_LEAF_BYTES = 5 * 1024 * 1024 * 1024
MAX_UTIL_BYTES = MAX_XML_BYTES
MAX_MD5_FILE_BYTES = 4096

@dataclass
class _Leaf:
    backbone: str
    element: etree._Element
    leaf_id: str
    operation: str
    href: str | None  # as written
    target: str | None  # resolved, relative to the sequence folder
    modified: str | None
    checksum: str
    title: str
    section: str  # the heading element the leaf sits in


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as fh:  # in chunks: a leaf may be gigabytes
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


class SequenceValidator:
    """One validation run over a sequence folder; regional rules (``Module1.check_rules``) report through it."""

    def __init__(self, path: Path, standards: Path, history: Path, expect_region: str | None) -> None:
        self.path = path
        self.seq = path.name
        self.standards = standards
        self.history = history
        self.expect_region = expect_region
        self.diags = Diagnostics()
        self.leaves: list[_Leaf] = []
        self.referenced: set[str] = set()
        self._targets: dict[str, dict[str | None, etree._Element] | None] = {}
        self.module1: Module1 | None = None
        self._refused: set[str] = set()  # files already reported as refused (reported once)

    def loc(self, rel: str, line: int = 0) -> Location:
        return Location(f"{self.seq}/{rel}", line or 0)

    def emit(self, rule: str, message: str, rel: str = "", line: int = 0, hint: str | None = None) -> None:
        self.diags.emit(rule, message, self.loc(rel, line) if rel else Location(self.seq), hint=hint)

    def std(self, name: str) -> Path | None:
        p = locate(self.standards, by_name(name))
        if p is None:
            self.emit("ectd.standard-missing", f"{name} is not installed in {self.standards}; cannot validate "
                      "against it", hint=INSTALL_HINT)
        return p

    def file(self, rel: str, max_bytes: int, at: str = "", line: int = 0) -> Path | None:
        """``rel`` (relative to the sequence folder) when it may be opened: a regular file inside the
        sequence folder within ``max_bytes``. Otherwise None: silently when it does not exist (the
        caller reports what is missing), else with ``ectd.outside-sequence`` or ``ectd.file-refused``
        at ``at:line`` (default: the file itself). Decided from ``stat`` alone; nothing is opened."""
        p = self.path / rel
        if not os.path.lexists(p):
            return None
        if not inside(p, self.path):
            if rel not in self._refused:
                self._refused.add(rel)
                self.emit("ectd.outside-sequence", f"{rel} is a symbolic link to {os.path.realpath(p)}, outside the "
                          "sequence folder; not opened", at or rel, line)
            return None
        problem = refusal(p, max_bytes)
        if problem is not None:
            if rel not in self._refused:
                self._refused.add(rel)
                self.emit("ectd.file-refused", f"{rel} {problem}; not opened", at or rel, line)
            return None
        return p

    # -- structure ------------------------------------------------------------------------------
    def run(self) -> Diagnostics:
        kind = file_kind(self.path)
        if kind != "folder":
            what = "does not exist (or is a symbolic link loop)" if kind == "missing" else f"is a {kind}"
            self.diags.emit("ectd.file-refused", f"{self.path} {what}, not a sequence folder; nothing opened",
                            Location(str(self.path)))
            return self.diags
        if not SEQ_RE.match(self.seq):
            self.emit("ectd.sequence-folder", f"sequence folder name {self.seq!r} is not 4 digits")
        for p in sorted(self.path.iterdir()):
            if p.name not in ROOT_ALLOWED:
                self.emit("ectd.extra-in-root", f"unexpected {p.name!r} in the sequence folder", p.name)
        region = self._region()
        self.module1 = _module1(region)
        backbone = self.module1.path if self.module1 is not None else ""
        index = self._index()
        regional = self._regional() if region else None
        if index is not None:
            self._collect(index, "index.xml")
        if regional is not None:
            self._collect(regional, backbone)
        self._check_leaves()
        self._check_stf(region)
        self._walk_files()
        has_stf = any(l.target and self._is_stf(l.target) for l in self.leaves)
        if region:
            self._check_util(region, has_stf)
        self._check_lifecycle(region)
        for tree, rel in ((index, "index.xml"), (regional, backbone)):
            if tree is not None:
                self._empty_headings(tree, rel)
        if index is not None and self.module1 is not None:
            self._m1_leaf(self.module1.path)
        if regional is not None and self.module1 is not None:
            self._envelope_stable(regional, self.module1)
        if index is not None:
            self._node_extensions(index, "index.xml", region, regional)
            self._heading_drift(index)
        if regional is not None and self.module1 is not None:
            self.module1.check_rules(self, regional)
        self._submitted_marker()
        return self.diags

    def _region(self) -> str | None:
        backbones = _regional_backbones()
        found = [r for r, rel in backbones.items() if (self.path / rel).is_file()]
        expected_none = self.expect_region is not None and self.expect_region not in backbones
        if expected_none and not found:
            return self.expect_region  # a region without a regional backbone (ICH index.xml only)
        if len(found) != 1:
            self.emit("ectd.xml-malformed", "expected exactly one regional backbone ("
                      f"{' or '.join(backbones.values())}), found " + (", ".join(found) or "none"))
            return self.expect_region if self.expect_region and not found else (found[0] if found else None)
        if self.expect_region and found[0] != self.expect_region:
            self.emit("ectd.region-mismatch", f"sequence holds {found[0]} Module 1, expected {self.expect_region}")
        return found[0]

    def _index(self) -> etree._ElementTree | None:
        p = self.file("index.xml", MAX_XML_BYTES)
        if p is None:
            if not os.path.lexists(self.path / "index.xml"):
                self.emit("ectd.xml-malformed", "index.xml is missing")
            return None
        tree = parse_xml(p, self.loc("index.xml"), self.diags)
        if tree is None:
            return None
        sysid: str | None = tree.docinfo.system_url  # type: ignore[attr-defined]  # not in lxml-stubs 0.5.1
        if sysid != "util/dtd/ich-ectd-3-2.dtd":
            self.emit("ectd.doctype", f"index.xml DOCTYPE system id is {sysid!r}, expected util/dtd/ich-ectd-3-2.dtd",
                      "index.xml", 1)
        dtd = self.std("ich-ectd-3-2.dtd")
        if dtd is not None:
            validate_dtd(tree, dtd, self.loc("index.xml"), self.diags)
        md5_file = self.file("index-md5.txt", MAX_MD5_FILE_BYTES)
        actual = _md5(p)
        if md5_file is None:
            if not os.path.lexists(self.path / "index-md5.txt"):
                self.emit("ectd.index-md5-mismatch", "index-md5.txt is missing", "index-md5.txt")
        else:
            recorded = md5_file.read_bytes().decode("ascii", "replace")
            if recorded != actual:
                self.emit("ectd.index-md5-mismatch", f"index-md5.txt holds {recorded.strip()!r}, MD5 of index.xml "
                          f"is {actual} (32 lowercase hex characters, nothing else)", "index-md5.txt")
        return tree

    def _regional(self) -> etree._ElementTree | None:
        m1 = self.module1
        if m1 is None:
            return None
        rel = m1.path
        p = self.file(rel, MAX_XML_BYTES)
        if p is None:
            return None
        tree = parse_xml(p, self.loc(rel), self.diags)
        if tree is None:
            return None
        self.referenced.add(rel)
        m1.validate_schema(self, tree)
        return tree

    # -- leaves ---------------------------------------------------------------------------------
    def _collect(self, tree: etree._ElementTree, backbone: str) -> None:
        base = posixpath.dirname(backbone)
        for el in tree.iter():
            if _local(el.tag) != "leaf":
                continue
            href = el.get(f"{{{XLINK_ICH}}}href") if el.get(f"{{{XLINK_ICH}}}href") is not None \
                else el.get(f"{{{XLINK_W3}}}href")
            title_el = next((c for c in el if _local(c.tag) == "title"), None)
            target = posixpath.normpath(posixpath.join(base, href)) if href else None
            element, heading = leaf_context(el)
            self.leaves.append(_Leaf(backbone, el, el.get("ID") or "", el.get("operation") or "", href, target,
                                     el.get("modified-file"), el.get("checksum") or "",
                                     (title_el.text or "") if title_el is not None else "", element))
            if target:
                self.referenced.add(target)

    def _check_leaves(self) -> None:
        for l in self.leaves:
            line = line_of(l.element)
            what = f"leaf {l.leaf_id}"
            if l.operation == "new" and (not l.href or l.modified):
                self.emit("ectd.operation-attributes", f"{what}: 'new' needs xlink:href and no modified-file",
                          l.backbone, line)
            if l.operation in ("replace", "append") and (not l.href or not l.modified):
                self.emit("ectd.operation-attributes", f"{what}: '{l.operation}' needs xlink:href and modified-file",
                          l.backbone, line)
            if l.operation == "delete" and (l.href or not l.modified):
                self.emit("ectd.operation-attributes", f"{what}: 'delete' needs modified-file and no xlink:href",
                          l.backbone, line)
            title = l.title
            if not title.strip() or title != title.strip() or len(title) > 512:
                self.emit("ectd.leaf-title", f"{what}: title {title[:60]!r} is empty, padded or over 512 characters",
                          l.backbone, line)
            if l.element.get("checksum-type", "").lower() != "md5":
                self.emit("ectd.checksum-type", f"{what}: checksum-type {l.element.get('checksum-type')!r} is not md5",
                          l.backbone, line)
            if not l.href:
                continue
            if re.match(r"^[a-z]+:", l.href) or l.href.startswith("/") or "\\" in l.href or \
                    l.target is None or l.target.startswith(".."):
                self.emit("ectd.href-form", f"{what}: xlink:href {l.href!r} is not a relative path inside the "
                          "sequence", l.backbone, line)
                continue
            f = self.file(l.target, MAX_LEAF_BYTES, l.backbone, line)
            if f is None:
                if not os.path.lexists(self.path / l.target):
                    self.emit("ectd.href-missing", f"{what}: {l.href!r} does not exist", l.backbone, line)
                continue
            actual = _md5(f)
            if actual != l.checksum.lower():
                self.emit("ectd.checksum-mismatch", f"{what}: checksum {l.checksum!r} but {l.target} has MD5 {actual}",
                          l.backbone, line)

    # -- files ----------------------------------------------------------------------------------
    def _walk_files(self) -> None:
        for top in ("m1", "m2", "m3", "m4", "m5", "util"):
            base = self.path / top
            if not base.exists():
                continue
            for p in sorted(base.rglob("*")):
                rel = p.relative_to(self.path).as_posix()
                if len(rel) > MAX_PATH:
                    self.emit("ectd.path-too-long", f"{rel} is {len(rel)} characters (max {MAX_PATH})", rel)
                if p.is_symlink() and not inside(p, self.path):
                    if rel not in self._refused:
                        self._refused.add(rel)
                        self.emit("ectd.outside-sequence", f"{rel} is a symbolic link to {os.path.realpath(p)}, "
                                  "outside the sequence folder; not opened", rel)
                    continue
                if p.is_dir():
                    if not any(p.iterdir()):
                        self.emit("ectd.empty-folder", f"folder {rel} is empty", rel)
                    if top != "util" and not is_compliant_folder_name(p.name):
                        self.emit("ectd.file-name", f"folder name {p.name!r} breaks the naming rules", rel)
                    continue
                if top == "util":
                    continue
                if not is_compliant_file_name(p.name) and rel not in _regional_backbones().values():
                    self.emit("ectd.file-name", f"file name {p.name!r} breaks the naming rules (lowercase a-z0-9 and "
                              "'-', one extension, at most 64 characters)", rel)
                if rel not in self.referenced:
                    self.emit("ectd.unreferenced-file", f"{rel} is not referenced by index.xml or the regional "
                              "backbone", rel)

    def _check_util(self, region: str, has_stf: bool) -> None:
        from .. import regions

        if region not in regions.names():
            return
        for entry in util_files(_profile(region).util_standards(), has_stf):
            rel = entry.util_path
            assert rel is not None  # util_files() keeps only entries that have a util folder
            p = self.file(rel, MAX_UTIL_BYTES)
            if p is None:
                if entry.util_required and not os.path.lexists(self.path / rel):
                    self.emit("ectd.standard-missing", f"{rel} is missing: the sequence is not submission-ready",
                              rel, hint=INSTALL_HINT)
                continue
            verify(entry, p.read_bytes(), self.loc(rel), self.diags, warn_unverified=False)

    # -- STF ------------------------------------------------------------------------------------
    def _is_stf(self, rel: str) -> bool:
        if not rel.endswith(".xml") or rel in _regional_backbones().values():
            return False
        p = self.path / rel
        if not os.path.lexists(p) or not inside(p, self.path) or refusal(p, MAX_XML_BYTES) is not None:
            return False  # reported where the leaf is checked (ectd.outside-sequence / ectd.file-refused)
        try:
            with open(p, "rb") as fh:
                head = fh.read(2048)
        except OSError:
            return False
        return b"ectd:study" in head

    def _check_stf(self, region: str | None) -> None:
        covered: set[str] = set()
        dtd = None
        valid_tags = stf_file_tags(self.standards)
        for l in self.leaves:
            if not l.target or not self._is_stf(l.target):
                continue
            stf = self.file(l.target, MAX_XML_BYTES)
            if stf is None:
                continue
            dtd = dtd or self.std("ich-stf-v2-2.dtd")
            tree = parse_xml(stf, self.loc(l.target), self.diags)
            if tree is None:
                continue
            if dtd is not None:
                validate_dtd(tree, dtd, self.loc(l.target), self.diags)
            for dc in tree.iter("doc-content"):
                href = dc.get(f"{{{XLINK_W3}}}href") or ""
                seq_rel, _, frag = resolve_target(self.seq, l.target, href).partition("#")
                if not SEQ_RE.match(seq_rel.split("/", 1)[0]) or posixpath.isabs(href.partition("#")[0]):
                    self.emit("ectd.outside-sequence", f"STF doc-content {href!r} leads outside the submission's "
                              "sequences; not opened", l.target, line_of(dc))
                    continue
                titles: dict[str | None, str]
                if seq_rel == f"{self.seq}/index.xml":
                    titles = {x.leaf_id: x.title for x in self.leaves if x.backbone == "index.xml"}
                elif seq_rel.split("/", 1)[0] < self.seq:
                    titles = {k: next((c.text or "" for c in e if _local(c.tag) == "title"), "")
                              for k, e in (self._target_ids(seq_rel) or {}).items()}
                else:
                    titles = {}
                if frag not in titles:
                    self.emit("ectd.stf-reference", f"STF doc-content {href!r} points at no leaf", l.target,
                              line_of(dc))
                elif dc.findtext("title") is not None and dc.findtext("title") != titles[frag]:
                    self.emit("ectd.stf-title", f"STF doc-content title {dc.findtext('title')!r} differs from the "
                              f"leaf title {titles[frag]!r}", l.target, line_of(dc))
                tags = [t.get("name") for t in dc.iter("file-tag")]
                if not tags:
                    self.emit("ectd.stf-file-tag", f"STF doc-content {href!r} has no file-tag", l.target,
                              line_of(dc))
                for tag in tags:
                    if valid_tags and tag not in valid_tags:
                        self.emit("ectd.stf-file-tag", f"file-tag {tag!r} is not in valid-values.xml", l.target,
                                  line_of(dc))
                covered.add(frag)
        for l in self.leaves:
            if l.backbone != "index.xml" or l.operation == "delete" or not l.section.startswith(STF_SCOPES):
                continue
            if l.target and self._is_stf(l.target):
                continue
            if l.leaf_id not in covered:
                self.emit("ectd.stf-missing", f"leaf {l.leaf_id} ({l.target}) in {l.section} is not tagged by a "
                          "study tagging file", "index.xml", line_of(l.element))

    # -- lifecycle ------------------------------------------------------------------------------
    def _target_ids(self, seq_rel: str) -> dict[str | None, etree._Element] | None:
        """Leaves (by ID) of a backbone ``NNNN/<backbone>`` in the history folder (None if missing)."""
        if seq_rel not in self._targets:
            p = self.history / seq_rel
            readable = SEQ_RE.match(seq_rel.split("/", 1)[0]) is not None and inside(p, self.history) \
                and refusal(p, MAX_XML_BYTES) is None
            tree = parse_xml(p, Location(seq_rel), Diagnostics()) if readable else None
            self._targets[seq_rel] = None if tree is None else {
                e.get("ID"): e for e in tree.iter() if _local(e.tag) == "leaf"}
        return self._targets[seq_rel]

    def _check_lifecycle(self, region: str | None) -> None:
        current = read_history(self.history, self.seq, region, Diagnostics()) if region else {}
        seen: dict[str, str] = {}
        for l in self.leaves:
            line = line_of(l.element)
            if self.seq == "0000" and l.operation != "new":
                self.emit("ectd.first-sequence-new", f"leaf {l.leaf_id}: operation {l.operation!r} in sequence 0000",
                          l.backbone, line)
            if not l.modified:
                continue
            key = resolve_target(self.seq, l.backbone, l.modified)
            if key in seen:
                self.emit("ectd.modified-file-duplicate", f"leaf {l.leaf_id}: {l.modified!r} is already modified by "
                          f"leaf {seen[key]}", l.backbone, line)
            seen[key] = l.leaf_id
            seq_rel, _, frag = key.partition("#")
            target_seq = seq_rel.split("/", 1)[0]
            leaves = self._target_ids(seq_rel) if SEQ_RE.match(target_seq) and target_seq < self.seq else None
            target = (leaves or {}).get(frag)
            if target is None:
                self.emit("ectd.modified-file-target", f"leaf {l.leaf_id}: modified-file {l.modified!r} does not name "
                          "a leaf of an earlier sequence", l.backbone, line)
                continue
            if region and key not in current:
                self.emit("ectd.lifecycle-branch", f"leaf {l.leaf_id}: {l.modified!r} is no longer the current "
                          "version (replaced or deleted by a later sequence)", l.backbone, line)
            if l.operation == "replace" and (target.get(XML_LANG) or "") != (l.element.get(XML_LANG) or ""):
                self.emit("ectd.replace-language", f"leaf {l.leaf_id}: xml:lang {l.element.get(XML_LANG)!r} "
                          f"replaces {target.get(XML_LANG)!r}", l.backbone, line)
            if l.operation in ("replace", "append") and (target.get("checksum") or "").lower() == l.checksum.lower():
                self.emit("ectd.replace-identical", f"leaf {l.leaf_id}: same checksum as {l.modified!r}",
                          l.backbone, line)
            if l.operation == "delete":
                t_title = next((c.text or "" for c in target if _local(c.tag) == "title"), "")
                if t_title != l.title:
                    self.emit("ectd.delete-title", f"leaf {l.leaf_id}: title {l.title!r} differs from the deleted "
                              f"leaf's {t_title!r}", l.backbone, line)

    def _empty_headings(self, tree: etree._ElementTree, rel: str) -> None:
        """Heading elements (m*, cn-1*, FDA form) without any leaf below them (NMPA 3.21/4.1.20)."""
        for el in tree.iter():
            name = _local(el.tag)
            if not (HEADING_RE.match(name) or name == "form"):
                continue
            if not any(_local(d.tag) == "leaf" for d in el.iter()):
                self.emit("ectd.empty-heading", f"heading {name} holds no leaf", rel, line_of(el))

    def _m1_leaf(self, target: str) -> None:
        if not any(l.backbone == "index.xml" and l.target == target and l.section.startswith("m1-")
                   for l in self.leaves):
            self.emit("ectd.m1-regional-leaf", f"no leaf in m1-administrative-information-and-prescribing-information "
                      f"references {target}", "index.xml")

    def _envelope_stable(self, regional: etree._ElementTree, m1: Module1) -> None:
        """Application-level values equal those of the latest earlier sequence (NMPA 4.2; FDA TCG 3.1.1)."""
        earlier = [s for s in existing_sequences(self.history) if s < self.seq]
        if not earlier:
            return
        prev_path = self.history / earlier[-1] / m1.path
        prev = parse_xml(prev_path, Location(f"{earlier[-1]}/{m1.path}"), Diagnostics()) \
            if refusal(prev_path, MAX_XML_BYTES) is None else None
        if prev is None:
            return
        for label, value in m1.envelope_keys(regional).items():
            old = m1.envelope_keys(prev).get(label)
            if old is not None and old != value:
                self.emit("ectd.envelope-changed", f"{label} is {value!r}, was {old!r} in {earlier[-1]}", m1.path)

    def _heading_drift(self, index: etree._ElementTree) -> None:
        """Repeatable headings whose attribute values partly match an earlier sequence's (FDA TCG 4.1)."""
        earlier: dict[str, set[_HeadingAttrs]] = {}
        for s in existing_sequences(self.history):
            if s >= self.seq:
                break
            tree = parse_xml(self.history / s / "index.xml", Location(f"{s}/index.xml"), Diagnostics()) \
                if refusal(self.history / s / "index.xml", MAX_XML_BYTES) is None else None
            for el in tree.iter() if tree is not None else ():
                attrs = _heading_attrs(el)
                if attrs:
                    earlier.setdefault(_local(el.tag), set()).add(attrs)
        for el in index.iter():
            attrs = _heading_attrs(el)
            known = earlier.get(_local(el.tag), set())
            if not attrs or attrs in known:
                continue
            near = [k for k in known if set(k) & set(attrs)]
            if near:
                self.emit("ectd.heading-attributes-drift", f"{_local(el.tag)} {dict(attrs)} differs from earlier "
                          f"{dict(sorted(near)[0])}", "index.xml", line_of(el))

    def _submitted_marker(self) -> None:
        marker = marker_path(self.path.parent, self.seq)
        index = self.path / "index.xml"
        if refusal(marker, 1024 * 1024) is not None or self.file("index.xml", MAX_XML_BYTES) is None:
            return
        try:
            data = yaml.safe_load(marker.read_text("utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError, OSError):
            data = {}
        if not isinstance(data, dict):
            data = {}
        if data.get("index_md5") != _md5(index):
            self.emit("ectd.submitted-modified", f"index.xml differs from the one recorded in {marker.name}",
                      "index.xml")

    # -- regional -------------------------------------------------------------------------------
    def _node_extensions(self, index: etree._ElementTree, rel: str, region: str | None,
                         regional: etree._ElementTree | None) -> None:
        m1 = self.module1
        for el in index.iter("node-extension"):
            parent = el.getparent()
            allowed = m1 is not None and m1.node_extension_allowed(el, regional)
            if not allowed:
                assert parent is not None  # as before, a node-extension root element is not handled
                self.emit("ectd.node-extension", "node-extension under "
                          f"{_local(parent.tag)} is not allowed for {region or 'this region'}", rel, line_of(el))
        if regional is not None and m1 is not None:
            for el in regional.iter():
                if _local(el.tag) == "node-extension":
                    self.emit("ectd.node-extension", "node-extension is not allowed in the regional backbone",
                              m1.path, line_of(el))

HEADING_RE = re.compile(r"^(m\d|cn-1)(-[0-9a-z]+)*$")


# Repeatable-heading attributes of one element, as (name, value) pairs in HEADING_ATTRS order.
_HeadingAttrs = tuple[tuple[str, str], ...]


def _heading_attrs(el: etree._Element) -> _HeadingAttrs:
    if not isinstance(el.tag, str):  # comments and processing instructions
        return ()
    return tuple((a, v) for a in HEADING_ATTRS if (v := el.get(a)) is not None)


def _module1(region: str | None) -> "Module1 | None":
    """The Module 1 of ``region`` (``None`` for an unknown region or one with the ICH backbone only)."""
    from .. import regions

    if region is None or region not in regions.names():
        return None
    return regions.get(region).module1()


def validate_sequence(path: Path, standards: Path, history_dir: Path | None = None,
                      expect_region: str | None = None) -> Diagnostics:
    """Validate the sequence folder ``path`` against the standards in ``standards``.

    Earlier sequences (for ``modified-file`` targets) are looked up in ``history_dir``, by default the
    folder holding ``path``. Returns the findings; never raises on content problems.
    """
    history = history_dir if history_dir is not None else path.parent
    return SequenceValidator(path, standards, history, expect_region).run()
