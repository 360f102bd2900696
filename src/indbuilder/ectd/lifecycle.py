"""Sequence numbering, the submitted marker, and the current document state replayed from history.

History layout: ``<history_dir>/<NNNN>/`` holds the earlier sequences of one application (e.g.
``submissions/fda/0000``). A sequence is *submitted* when ``<history_dir>/<NNNN>.submitted.yaml`` exists
next to it (outside the sequence folder, so the sequence itself keeps only eCTD content, NMPA 2.8); a
submitted sequence is never rewritten. Sequences start at 0000 and increase by one (NMPA 2.9/2.10).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ..diagnostics import Diagnostics, Location
from . import rules as _rules  # noqa: F401
from .schema import XLINK_ICH, XLINK_W3, parse_xml

if TYPE_CHECKING:  # pragma: no cover
    from lxml import etree

SEQ_RE = re.compile(r"^\d{4}$")
HEADING_ATTRS = ("substance", "manufacturer", "product-name", "dosageform", "excipient", "indication")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

HeadingKey = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


@dataclass(frozen=True)
class LeafState:
    """A leaf as it stands after replaying earlier sequences. ``key`` is ``NNNN/<backbone>#ID``."""

    key: str
    leaf_id: str
    sequence: str
    backbone: str  # "index.xml" or the regional backbone path
    element: str
    heading: HeadingKey
    href: str  # relative to the sequence folder
    checksum: str
    title: str
    lang: str


def regional_backbones() -> dict[str, str]:
    """Region name -> path of its regional backbone in a sequence, for every registered region that has one."""
    from .. import regions

    out: dict[str, str] = {}
    for name in regions.names():
        m1 = regions.get(name).module1()
        if m1 is not None:
            out[name] = m1.path
    return out


def regional_backbone(region: str) -> str | None:
    """Path of ``region``'s regional backbone in a sequence (``None``: ICH backbone only)."""
    return regional_backbones().get(region)


def marker_path(history_dir: Path, seq: str) -> Path:
    return history_dir / f"{seq}.submitted.yaml"


def is_submitted(history_dir: Path, seq: str) -> bool:
    return marker_path(history_dir, seq).is_file()


def mark_submitted(history_dir: Path, seq: str, date: str, note: str = "") -> Diagnostics:
    """Record that ``history_dir/seq`` went to the agency: writes ``NNNN.submitted.yaml`` with index.xml's MD5."""
    diags = Diagnostics()
    index = history_dir / seq / "index.xml"
    if not index.is_file():
        diags.emit("ectd.xml-malformed", f"cannot mark {seq} submitted: {index} does not exist", Location(str(index)))
        return diags
    data = {"sequence": seq, "submitted": date, "index_md5": hashlib.md5(index.read_bytes()).hexdigest(),
            "note": note}
    marker_path(history_dir, seq).write_text(yaml.safe_dump(data, sort_keys=True), encoding="utf-8")
    return diags


def existing_sequences(history_dir: Path | None) -> list[str]:
    if history_dir is None or not history_dir.is_dir():
        return []
    return sorted(p.name for p in history_dir.iterdir() if p.is_dir() and SEQ_RE.match(p.name))


def next_sequence(history_dir: Path | None) -> str:
    """The sequence number after the last one in ``history_dir`` (``0000`` when there is none)."""
    have = existing_sequences(history_dir)
    return f"{int(have[-1]) + 1:04d}" if have else "0000"


def check_sequence_number(seq: str, history_dir: Path | None, diags: Diagnostics) -> bool:
    """May ``seq`` be (re)built now? Refuses submitted sequences, gaps, and rebuilding below later sequences."""
    where = Location(f"{history_dir}/{seq}" if history_dir else seq)
    if not SEQ_RE.match(seq):
        diags.emit("ectd.sequence-folder", f"sequence number {seq!r} is not 4 digits", where)
        return False
    if history_dir is not None and is_submitted(history_dir, seq):
        diags.emit("ectd.sequence-submitted", f"sequence {seq} is marked submitted "
                   f"({marker_path(history_dir, seq).name}); it is never rewritten", where,
                   hint="build the next sequence number instead")
        return False
    have = existing_sequences(history_dir)
    earlier = [s for s in have if s < seq]
    expected = [f"{i:04d}" for i in range(int(seq))]
    if earlier != expected:
        missing = sorted(set(expected) - set(earlier))
        diags.emit("ectd.sequence-gap", f"sequence {seq} needs earlier sequences {', '.join(missing[:5])}"
                   f"{' …' if len(missing) > 5 else ''} in {history_dir}", where)
        return False
    later = [s for s in have if s > seq]
    if later:
        diags.emit("ectd.sequence-not-latest", f"sequence {seq} cannot be rebuilt: later sequence(s) "
                   f"{', '.join(later)} exist", where)
        return False
    return True


def _local(tag: object) -> str:
    """Local name of an element tag (``""`` for comments and processing instructions, whose tag is not a str)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def leaf_context(leaf: etree._Element) -> tuple[str, HeadingKey]:
    """Heading element of a leaf (skipping node-extensions) and its repeatable-heading attribute chain."""
    element = ""
    heading: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    node = leaf.getparent()
    while node is not None:
        name = _local(node.tag)
        if name == "node-extension":
            node = node.getparent()
            continue
        if not element:
            element = f"form:{node.get('form-type')}" if name == "form" else name
        attrs = tuple((a, v) for a in HEADING_ATTRS if (v := node.get(a)) is not None)
        if attrs:
            heading.append((name, attrs))
        node = node.getparent()
    return element, tuple(reversed(heading))


def resolve_target(seq: str, backbone: str, target: str) -> str:
    """Normalise a ``modified-file`` value to ``NNNN/<backbone>#ID`` relative to the history folder."""
    path, _, frag = target.partition("#")
    base = posixpath.dirname(f"{seq}/{backbone}")
    return f"{posixpath.normpath(posixpath.join(base, path))}#{frag}"


def iter_leaves(tree: etree._ElementTree, backbone: str) -> Iterator[tuple[etree._Element, str | None]]:
    """Leaves of a backbone with their xlink:href (either xlink namespace)."""
    for leaf in tree.iter():
        if _local(leaf.tag) != "leaf":
            continue
        href = leaf.get(f"{{{XLINK_ICH}}}href") or leaf.get(f"{{{XLINK_W3}}}href")
        yield leaf, href


def read_history(history_dir: Path | None, before: str, region: str, diags: Diagnostics) -> dict[str, LeafState]:
    """Replay sequences ``0000 .. before-1`` and return the current leaves keyed by ``NNNN/<backbone>#ID``."""
    state: dict[str, LeafState] = {}
    for seq in existing_sequences(history_dir):
        if seq >= before:
            break
        seq_dir = history_dir / seq  # type: ignore[operator]
        regional = regional_backbone(region)
        for backbone in ("index.xml",) + ((regional,) if regional else ()):
            path = seq_dir / backbone
            where = Location(f"{history_dir.name}/{seq}/{backbone}")  # type: ignore[union-attr]
            if not path.is_file():
                diags.emit("ectd.history-unreadable", f"{path} is missing", where)
                continue
            tree = parse_xml(path, where, diags)
            if tree is None:
                continue
            base = posixpath.dirname(backbone)
            for leaf, href in iter_leaves(tree, backbone):
                op = leaf.get("operation")
                if backbone == "index.xml" and href and href.startswith("m1/") and href.endswith("-regional.xml"):
                    continue  # the M1 leaf pointing at the regional backbone
                mod = leaf.get("modified-file")
                if op in ("replace", "delete") and mod:
                    state.pop(resolve_target(seq, backbone, mod), None)
                if op == "delete":
                    continue
                element, heading = leaf_context(leaf)
                title_el = next((c for c in leaf if _local(c.tag) == "title"), None)
                key = f"{seq}/{backbone}#{leaf.get('ID')}"
                state[key] = LeafState(
                    key=key, leaf_id=leaf.get("ID") or "", sequence=seq, backbone=backbone, element=element,
                    heading=heading, href=posixpath.normpath(posixpath.join(base, href or "")),
                    checksum=(leaf.get("checksum") or "").lower(),
                    title=(title_el.text or "") if title_el is not None else "", lang=leaf.get(XML_LANG) or "")
    return state
