"""Validate an eCTD v3.2.2 sequence folder (FDA or NMPA): ``indbuilder validate PATH``.

Checks, each reported with a rule id from ``ectd/rules.py``: sequence folder and root contents,
DTD/XSD validity of every backbone and study tagging file (validated against the local standards
directory, never against anything the sequence points to), MD5 of every leaf and of index.xml,
referenced files exist and every file under m1-m5 is referenced, naming and path rules, util files
against their published checksums, lifecycle (operations and modified-file targets in the earlier
sequences beside it), and the FDA/NMPA regional rules.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..diagnostics import Diagnostics, Location
from . import rules as _rules  # noqa: F401
from .codelists import cn_codes, cn_dependencies, fda_codes, stf_file_tags
from .layout import STF_SCOPES
from .lifecycle import HEADING_ATTRS, REGIONAL, SEQ_RE, XML_LANG, _local, existing_sequences, read_history, leaf_context, marker_path, resolve_target
from .naming import MAX_PATH, is_compliant_file_name, is_compliant_folder_name
from .schema import CN_NS, XLINK_ICH, XLINK_W3, parse_xml, validate_dtd, validate_xsd
from .standards import INSTALL_HINT, by_name, locate, util_files, verify

ROOT_ALLOWED = {"index.xml", "index-md5.txt", "m1", "m2", "m3", "m4", "m5", "util"}
FDA_FORM_TYPES = {"fdaft1": "1571", "fdaft2": "356h", "fdaft3": "3397", "fdaft4": "2252", "fdaft5": "2253",
                  "fdaft7": "3674"}
# NMPA validation standard 4.3.5 / 4.3.6: IND (cnapt1), cnrat1/cnrat5, cnsqt1
CN_IND_MANDATORY = ("cn-1-0", "cn-1-2", "cn-1-3", "cn-1-3-1", "cn-1-3-1-1", "cn-1-3-2", "cn-1-3-2-1", "cn-1-3-3",
                    "cn-1-3-4", "cn-1-3-4-1", "cn-1-3-4-2", "cn-1-3-4-3", "cn-1-3-8", "cn-1-3-8-1", "cn-1-3-8-2",
                    "cn-1-11")
CN_IND_FORBIDDEN = ("cn-1-3-1-2", "cn-1-3-2-2", "cn-1-3-5", "cn-1-3-6")


@dataclass
class _Leaf:
    backbone: str
    element: object  # lxml element
    leaf_id: str
    operation: str
    href: str | None  # as written
    target: str | None  # resolved, relative to the sequence folder
    modified: str | None
    checksum: str
    title: str
    section: str  # the heading element the leaf sits in


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


class _Validator:
    def __init__(self, path: Path, standards: Path, history: Path, expect_region: str | None) -> None:
        self.path = path
        self.seq = path.name
        self.standards = standards
        self.history = history
        self.expect_region = expect_region
        self.diags = Diagnostics()
        self.leaves: list[_Leaf] = []
        self.referenced: set[str] = set()
        self._targets: dict[str, dict[str, object] | None] = {}

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

    # -- structure ------------------------------------------------------------------------------
    def run(self) -> Diagnostics:
        if not self.path.is_dir():
            self.diags.emit("ectd.xml-malformed", f"{self.path} is not a sequence folder", Location(str(self.path)))
            return self.diags
        if not SEQ_RE.match(self.seq):
            self.emit("ectd.sequence-folder", f"sequence folder name {self.seq!r} is not 4 digits")
        for p in sorted(self.path.iterdir()):
            if p.name not in ROOT_ALLOWED:
                self.emit("ectd.extra-in-root", f"unexpected {p.name!r} in the sequence folder", p.name)
        region = self._region()
        index = self._index()
        regional = self._regional(region) if region else None
        if index is not None:
            self._collect(index, "index.xml")
        if regional is not None:
            self._collect(regional, REGIONAL[region])
        self._check_leaves()
        self._check_stf(region)
        self._walk_files()
        has_stf = any(l.target and self._is_stf(l.target) for l in self.leaves)
        if region:
            self._check_util(region, has_stf)
        self._check_lifecycle(region)
        for tree, rel in ((index, "index.xml"), (regional, REGIONAL.get(region or "", ""))):
            if tree is not None:
                self._empty_headings(tree, rel)
        if index is not None and region:
            self._m1_leaf(region)
        if regional is not None and region:
            self._envelope_stable(regional, region)
        if index is not None:
            self._node_extensions(index, "index.xml", region, regional)
            self._heading_drift(index)
        if region == "fda" and regional is not None:
            self._fda_rules(regional)
        if region == "nmpa" and regional is not None:
            self._cn_rules(regional)
        self._submitted_marker()
        return self.diags

    def _region(self) -> str | None:
        found = [r for r, rel in REGIONAL.items() if (self.path / rel).is_file()]
        if len(found) != 1:
            self.emit("ectd.xml-malformed", "expected exactly one regional backbone (m1/us/us-regional.xml or "
                      "m1/cn/cn-regional.xml), found " + (", ".join(found) or "none"))
            return self.expect_region if self.expect_region and not found else (found[0] if found else None)
        if self.expect_region and found[0] != self.expect_region:
            self.emit("ectd.region-mismatch", f"sequence holds {found[0]} Module 1, expected {self.expect_region}")
        return found[0]

    def _index(self):
        p = self.path / "index.xml"
        if not p.is_file():
            self.emit("ectd.xml-malformed", "index.xml is missing")
            return None
        tree = parse_xml(p, self.loc("index.xml"), self.diags)
        if tree is None:
            return None
        sysid = tree.docinfo.system_url
        if sysid != "util/dtd/ich-ectd-3-2.dtd":
            self.emit("ectd.doctype", f"index.xml DOCTYPE system id is {sysid!r}, expected util/dtd/ich-ectd-3-2.dtd",
                      "index.xml", 1)
        dtd = self.std("ich-ectd-3-2.dtd")
        if dtd is not None:
            validate_dtd(tree, dtd, self.loc("index.xml"), self.diags)
        md5_file = self.path / "index-md5.txt"
        actual = _md5(p)
        if not md5_file.is_file():
            self.emit("ectd.index-md5-mismatch", "index-md5.txt is missing", "index-md5.txt")
        else:
            recorded = md5_file.read_bytes().decode("ascii", "replace")
            if recorded != actual:
                self.emit("ectd.index-md5-mismatch", f"index-md5.txt holds {recorded.strip()!r}, MD5 of index.xml "
                          f"is {actual} (32 lowercase hex characters, nothing else)", "index-md5.txt")
        return tree

    def _regional(self, region: str):
        rel = REGIONAL[region]
        p = self.path / rel
        if not p.is_file():
            return None
        tree = parse_xml(p, self.loc(rel), self.diags)
        if tree is None:
            return None
        self.referenced.add(rel)
        if region == "fda":
            dtd = self.std("us-regional-v3-3.dtd")
            if dtd is not None:
                validate_dtd(tree, dtd, self.loc(rel), self.diags)
        else:
            xsd = self.std("cn-regional-1-0.xsd")
            if xsd is not None:
                validate_xsd(tree, self.standards, xsd, self.loc(rel), self.diags)
        return tree

    # -- leaves ---------------------------------------------------------------------------------
    def _collect(self, tree, backbone: str) -> None:
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
            line = l.element.sourceline
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
            f = self.path / l.target
            if not f.is_file():
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
                if p.is_dir():
                    if not any(p.iterdir()):
                        self.emit("ectd.empty-folder", f"folder {rel} is empty", rel)
                    if top != "util" and not is_compliant_folder_name(p.name):
                        self.emit("ectd.file-name", f"folder name {p.name!r} breaks the naming rules", rel)
                    continue
                if top == "util":
                    continue
                if not is_compliant_file_name(p.name) and rel not in REGIONAL.values():
                    self.emit("ectd.file-name", f"file name {p.name!r} breaks the naming rules (lowercase a-z0-9 and "
                              "'-', one extension, at most 64 characters)", rel)
                if rel not in self.referenced:
                    self.emit("ectd.unreferenced-file", f"{rel} is not referenced by index.xml or the regional "
                              "backbone", rel)

    def _check_util(self, region: str, has_stf: bool) -> None:
        for entry in util_files(region, has_stf):
            rel = entry.util_path
            p = self.path / rel  # type: ignore[operator]
            if not p.is_file():
                if entry.util_required:
                    self.emit("ectd.standard-missing", f"{rel} is missing: the sequence is not submission-ready",
                              rel, hint=INSTALL_HINT)
                continue
            verify(entry, p.read_bytes(), self.loc(rel), self.diags, warn_unverified=False)

    # -- STF ------------------------------------------------------------------------------------
    def _is_stf(self, rel: str) -> bool:
        if not rel.endswith(".xml") or rel in REGIONAL.values():
            return False
        try:
            head = (self.path / rel).read_bytes()[:2048]
        except OSError:
            return False
        return b"ectd:study" in head

    def _check_stf(self, region: str | None) -> None:
        covered: set[str] = set()
        dtd = None
        valid_tags = stf_file_tags(self.standards)
        for l in self.leaves:
            if not l.target or not self._is_stf(l.target) or not (self.path / l.target).is_file():
                continue
            dtd = dtd or self.std("ich-stf-v2-2.dtd")
            tree = parse_xml(self.path / l.target, self.loc(l.target), self.diags)
            if tree is None:
                continue
            if dtd is not None:
                validate_dtd(tree, dtd, self.loc(l.target), self.diags)
            for dc in tree.iter("doc-content"):
                href = dc.get(f"{{{XLINK_W3}}}href") or ""
                seq_rel, _, frag = resolve_target(self.seq, l.target, href).partition("#")
                if seq_rel == f"{self.seq}/index.xml":
                    titles = {x.leaf_id: x.title for x in self.leaves if x.backbone == "index.xml"}
                elif seq_rel.split("/", 1)[0] < self.seq:
                    titles = {k: next((c.text or "" for c in e if _local(c.tag) == "title"), "")
                              for k, e in (self._target_ids(seq_rel) or {}).items()}
                else:
                    titles = {}
                if frag not in titles:
                    self.emit("ectd.stf-reference", f"STF doc-content {href!r} points at no leaf", l.target,
                              dc.sourceline)
                elif dc.findtext("title") is not None and dc.findtext("title") != titles[frag]:
                    self.emit("ectd.stf-title", f"STF doc-content title {dc.findtext('title')!r} differs from the "
                              f"leaf title {titles[frag]!r}", l.target, dc.sourceline)
                tags = [t.get("name") for t in dc.iter("file-tag")]
                if not tags:
                    self.emit("ectd.stf-file-tag", f"STF doc-content {href!r} has no file-tag", l.target,
                              dc.sourceline)
                for tag in tags:
                    if valid_tags and tag not in valid_tags:
                        self.emit("ectd.stf-file-tag", f"file-tag {tag!r} is not in valid-values.xml", l.target,
                                  dc.sourceline)
                covered.add(frag)
        for l in self.leaves:
            if l.backbone != "index.xml" or l.operation == "delete" or not l.section.startswith(STF_SCOPES):
                continue
            if l.target and self._is_stf(l.target):
                continue
            if l.leaf_id not in covered:
                self.emit("ectd.stf-missing", f"leaf {l.leaf_id} ({l.target}) in {l.section} is not tagged by a "
                          "study tagging file", "index.xml", l.element.sourceline)

    # -- lifecycle ------------------------------------------------------------------------------
    def _target_ids(self, seq_rel: str) -> dict[str, object] | None:
        """Leaves (by ID) of a backbone ``NNNN/<backbone>`` in the history folder (None if missing)."""
        if seq_rel not in self._targets:
            p = self.history / seq_rel
            tree = parse_xml(p, Location(seq_rel), Diagnostics()) if p.is_file() else None
            self._targets[seq_rel] = None if tree is None else {
                e.get("ID"): e for e in tree.iter() if _local(e.tag) == "leaf"}
        return self._targets[seq_rel]

    def _check_lifecycle(self, region: str | None) -> None:
        current = read_history(self.history, self.seq, region, Diagnostics()) if region else {}
        seen: dict[str, str] = {}
        for l in self.leaves:
            line = l.element.sourceline
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

    def _empty_headings(self, tree, rel: str) -> None:
        """Heading elements (m*, cn-1*, FDA form) without any leaf below them (NMPA 3.21/4.1.20)."""
        for el in tree.iter():
            name = _local(el.tag)
            if not (HEADING_RE.match(name) or name == "form"):
                continue
            if not any(_local(d.tag) == "leaf" for d in el.iter()):
                self.emit("ectd.empty-heading", f"heading {name} holds no leaf", rel, el.sourceline)

    def _m1_leaf(self, region: str) -> None:
        target = REGIONAL[region]
        if not any(l.backbone == "index.xml" and l.target == target and l.section.startswith("m1-")
                   for l in self.leaves):
            self.emit("ectd.m1-regional-leaf", f"no leaf in m1-administrative-information-and-prescribing-information "
                      f"references {target}", "index.xml")

    def _envelope_stable(self, regional, region: str) -> None:
        """Application-level values equal those of the latest earlier sequence (NMPA 4.2; FDA TCG 3.1.1)."""
        earlier = [s for s in existing_sequences(self.history) if s < self.seq]
        if not earlier:
            return
        prev_path = self.history / earlier[-1] / REGIONAL[region]
        prev = parse_xml(prev_path, Location(f"{earlier[-1]}/{REGIONAL[region]}"), Diagnostics()) \
            if prev_path.is_file() else None
        if prev is None:
            return
        for label, value in _envelope_keys(regional, region).items():
            old = _envelope_keys(prev, region).get(label)
            if old is not None and old != value:
                self.emit("ectd.envelope-changed", f"{label} is {value!r}, was {old!r} in {earlier[-1]}",
                          REGIONAL[region])

    def _heading_drift(self, index) -> None:
        """Repeatable headings whose attribute values partly match an earlier sequence's (FDA TCG 4.1)."""
        earlier: dict[str, set[tuple]] = {}
        for s in existing_sequences(self.history):
            if s >= self.seq:
                break
            tree = parse_xml(self.history / s / "index.xml", Location(f"{s}/index.xml"), Diagnostics()) \
                if (self.history / s / "index.xml").is_file() else None
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
                          f"{dict(sorted(near)[0])}", "index.xml", el.sourceline)

    def _submitted_marker(self) -> None:
        marker = marker_path(self.path.parent, self.seq)
        if not marker.is_file() or not (self.path / "index.xml").is_file():
            return
        try:
            data = yaml.safe_load(marker.read_text("utf-8")) or {}
        except yaml.YAMLError:
            data = {}
        if data.get("index_md5") != _md5(self.path / "index.xml"):
            self.emit("ectd.submitted-modified", f"index.xml differs from the one recorded in {marker.name}",
                      "index.xml")

    # -- regional -------------------------------------------------------------------------------
    def _node_extensions(self, index, rel: str, region: str | None, regional) -> None:
        for el in index.iter("node-extension"):
            parent = el.getparent()
            allowed = region == "nmpa" and _inside(el, "m3-2-r-regional-information") and \
                self._cn_product_type(regional) == "cnprt2"
            if not allowed:
                self.emit("ectd.node-extension", "node-extension under "
                          f"{_local(parent.tag)} is not allowed for {region or 'this region'}", rel, el.sourceline)
        if regional is not None:
            reg_rel = REGIONAL[region]  # type: ignore[index]
            for el in regional.iter():
                if _local(el.tag) == "node-extension":
                    self.emit("ectd.node-extension", "node-extension is not allowed in the regional backbone",
                              reg_rel, el.sourceline)

    def _cn_product_type(self, regional) -> str | None:
        if regional is None:
            return None
        el = regional.find(f"{{{CN_NS}}}cn-envelope/{{{CN_NS}}}product-type")
        return el.get("code") if el is not None else None

    def _fda_rules(self, tree) -> None:
        rel = REGIONAL["fda"]
        r = tree.getroot()

        def text(xpath: str):
            el = r.find(xpath)
            return el, (el.text or "").strip() if el is not None else ""

        el, duns = text("admin/applicant-info/id")
        if el is not None and not re.fullmatch(r"\d{9}", duns):
            self.emit("ectd.fda-duns", f"applicant id {duns!r} is not a 9-digit DUNS number", rel, el.sourceline)
        el, desc = text("admin/applicant-info/submission-description")
        if el is not None and len(desc) > 128:
            self.emit("ectd.fda-field-length", f"submission-description is {len(desc)} characters (max 128)",
                      rel, el.sourceline)
        for tag in ("telephone", "email"):
            for t in r.iter(tag):
                if len((t.text or "").strip()) > 64:
                    self.emit("ectd.fda-field-length", f"{tag} {t.text!r} exceeds 64 characters", rel, t.sourceline)
        checks = (("application-number", "application-type", "application-type.xml"),
                  ("cross-reference-application-number", "application-type", "application-type.xml"),
                  ("applicant-contact-name", "applicant-contact-type", "applicant-contact-type.xml"),
                  ("telephone", "telephone-number-type", "telephone-number-type.xml"))
        for tag, attr, listname in checks:
            codes = fda_codes(self.standards, listname) if locate(self.standards, by_name(listname)) else None
            for el in r.iter(tag):
                code = el.get(attr)
                if codes is not None and code not in codes:
                    self.emit("ectd.fda-code", f"{tag}/@{attr} {code!r} is not in {listname}", rel, el.sourceline)
                if tag == "application-number" and code in ("fdaat7", "fdaat9", "fdaat10", "fdaat8"):
                    self.emit("ectd.fda-code", f"application-type {code!r} may only be used for cross references",
                              rel, el.sourceline)
        for el in r.iter("application-number"):
            if not re.fullmatch(r"\d{6}", (el.text or "").strip()):
                self.emit("ectd.fda-application-number", f"application number {el.text!r} is not 6 digits",
                          rel, el.sourceline)
        for tag, attr, pattern in (("submission-id", "submission-type", r"fdast\d+"),
                                   ("sequence-number", "submission-sub-type", r"fdasst\d+")):
            for el in r.iter(tag):
                if not re.fullmatch(pattern, el.get(attr) or ""):
                    self.emit("ectd.fda-code", f"{tag}/@{attr} {el.get(attr)!r} is not a v3.3 code ({pattern})",
                              rel, el.sourceline)
        for el in r.iter("sequence-number"):
            if (el.text or "").strip() != self.seq:
                self.emit("ectd.fda-code", f"sequence-number {el.text!r} differs from the folder {self.seq}",
                          rel, el.sourceline)
        app = r.find("admin/application-set/application/application-information/application-number")
        if app is not None and app.get("application-type") == "fdaat4" and not r.xpath(
                "//form[@form-type='fdaft1']/leaf[@operation='new']"):
            self.emit("ectd.fda-form-missing", "IND sequence without a Form FDA 1571 (form-type fdaft1) leaf", rel,
                      app.sourceline)
        for el in r.iter("form"):
            if el.get("form-type") not in FDA_FORM_TYPES:
                self.emit("ectd.fda-form-type", f"form-type {el.get('form-type')!r} is not a known FDA form code "
                          f"({', '.join(f'{k}={v}' for k, v in FDA_FORM_TYPES.items())})", rel, el.sourceline)

    def _cn_rules(self, tree) -> None:
        rel = REGIONAL["nmpa"]
        r = tree.getroot()
        q = lambda n: f"{{{CN_NS}}}{n}"  # noqa: E731
        envl = r.find(q("cn-envelope"))
        if envl is None:
            return

        def get(tag: str):
            el = envl.find(q(tag))
            return el, ((el.get("code") if el.get("code") is not None else (el.text or "").strip())
                        if el is not None else "")

        values = {}
        for tag, listname in (("application-type", "cv-application-type.xml"),
                              ("product-type", "cv-product-type.xml"),
                              ("regulatory-activity-type", "cv-regulatory-activity-type.xml"),
                              ("sequence-type", "cv-sequence-type.xml")):
            el, code = get(tag)
            values[tag] = code
            codes = cn_codes(self.standards, listname) if locate(self.standards, by_name(listname)) else None
            if el is not None and codes is not None and code not in codes:
                self.emit("ectd.cn-code", f"{tag} code {code!r} is not in {listname}", rel, el.sourceline)
        deps = cn_dependencies(self.standards) if locate(self.standards, by_name("depend-apt-rat-sqt.xml")) else None
        triple = (values["application-type"], values["regulatory-activity-type"], values["sequence-type"])
        if deps is not None and triple not in deps:
            self.emit("ectd.cn-code-combination", f"combination {'/'.join(triple)} is not allowed by "
                      "depend-apt-rat-sqt.xml", rel, envl.sourceline)
        el, seqno = get("sequence-number")
        if el is not None and seqno != self.seq:
            self.emit("ectd.cn-sequence-number", f"sequence-number {seqno!r} differs from the folder {self.seq}",
                      rel, el.sourceline)
        el, related = get("related-sequence")
        if el is not None:
            sqt = values["sequence-type"]
            if not SEQ_RE.match(related) or related > self.seq:
                self.emit("ectd.cn-related-sequence", f"related-sequence {related!r} must be 4 digits and not after "
                          f"{self.seq}", rel, el.sourceline)
            elif sqt in ("cnsqt1", "cnsqt4") and related != self.seq:
                self.emit("ectd.cn-related-sequence", f"related-sequence {related!r} must equal the sequence "
                          f"{self.seq} for {sqt}", rel, el.sourceline)
            elif sqt not in ("cnsqt1", "cnsqt4") and related == self.seq:
                self.emit("ectd.cn-related-sequence", f"related-sequence must name the earlier sequence it relates "
                          f"to for {sqt}, not {self.seq} itself", rel, el.sourceline)
        el, desc = get("sequence-description")
        if el is not None and (not desc or len(desc) > 120):
            self.emit("ectd.cn-description", f"sequence-description has {len(desc)} characters (1..120)",
                      rel, el.sourceline)
        el, app_id = get("application-id")
        if el is not None and app_id and self.path.parent.name != app_id:
            self.emit("ectd.cn-application-folder", f"application folder {self.path.parent.name!r} differs from "
                      f"application-id {app_id!r}", rel, el.sourceline)
        for leaf in r.iterfind(f"{q('cn-content')}/{q('cn-1-0')}//{q('leaf')}"):
            if leaf.get("operation") != "new":
                self.emit("ectd.cover-letter-new", f"cover letter leaf {leaf.get('ID')} has operation "
                          f"{leaf.get('operation')!r}", rel, leaf.sourceline)
        if triple[0] == "cnapt1" and triple[1] in ("cnrat1", "cnrat5") and triple[2] == "cnsqt1":
            content = r.find(q("cn-content"))
            present = {_local(e.tag) for e in content.iter() if _local(e.tag).startswith("cn-1")} \
                if content is not None else set()
            for node in CN_IND_MANDATORY:
                if node not in present:
                    self.emit("ectd.cn-mandatory-node", f"IND original submission lacks {node}", rel)
            for node in CN_IND_FORBIDDEN:
                if node in present:
                    self.emit("ectd.cn-forbidden-node", f"{node} is not allowed in an IND original submission", rel)


HEADING_RE = re.compile(r"^(m\d|cn-1)(-[0-9a-z]+)*$")


def _envelope_keys(tree, region: str) -> dict[str, str | None]:
    r = tree.getroot()
    if region == "fda":
        num = r.find("admin/application-set/application/application-information/application-number")
        return {"application-number": num.text if num is not None else None,
                "application-type": num.get("application-type") if num is not None else None,
                "applicant id (DUNS)": r.findtext("admin/applicant-info/id")}
    env = r.find(f"{{{CN_NS}}}cn-envelope")
    if env is None:
        return {}

    def code(tag: str) -> str | None:
        el = env.find(f"{{{CN_NS}}}{tag}")
        return el.get("code") if el is not None else None

    return {"application-id": env.findtext(f"{{{CN_NS}}}application-id"),
            "application-type": code("application-type"), "product-type": code("product-type")}


def _heading_attrs(el) -> tuple:
    if not isinstance(el.tag, str):
        return ()
    return tuple((a, el.get(a)) for a in HEADING_ATTRS if el.get(a) is not None)


def _inside(el, name: str) -> bool:
    node = el.getparent()
    while node is not None:
        if _local(node.tag) == name:
            return True
        node = node.getparent()
    return False


def validate_sequence(path: Path, standards: Path, history_dir: Path | None = None,
                      expect_region: str | None = None) -> Diagnostics:
    """Validate the sequence folder ``path`` against the standards in ``standards``.

    Earlier sequences (for ``modified-file`` targets) are looked up in ``history_dir``, by default the
    folder holding ``path``. Returns the findings; never raises on content problems.
    """
    history = history_dir if history_dir is not None else path.parent
    return _Validator(path, standards, history, expect_region).run()
