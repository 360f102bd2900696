"""Lifecycle across sequences: which documents are unchanged, and where links must point.

In sequence 0001 a replaced document links to documents that did not change; those still live in
sequence 0000, so the link must be ``../../../0000/m3/...`` (links are relative, FDA PDF
specification; a sequence, once sent, is never rewritten). Deciding "unchanged" by comparing PDF
bytes would be circular (the bytes contain the link paths) and would flag every document whose
date changed. So each build records a *content fingerprint* per document: the document tree with
its date left out and every link written as the target's path inside a sequence. ``indbuilder
submit`` keeps these fingerprints beside the submitted sequence; a later build reuses the
submitted PDF of every document whose fingerprint is unchanged (its bytes then match, and eCTD
assembly leaves it out), and points the links of the others to where their targets now live
(each document is rendered once).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import posixpath
import re
from pathlib import Path
from typing import Any

from .build import RenderedDoc
from .config import ProjectConfig
from .diagnostics import Diagnostics
from .doctree import Document, Link
from .ectd.lifecycle import existing_sequences, read_history
from .ectd.naming import leaf_id_for

FINGERPRINTS = "fingerprints.json"
_SEQ_PREFIX = re.compile(r"^(\.\./)+\d{4}/")


def fingerprint(doc: Document, path: str) -> str:
    """A hash of the document's content that ignores its date and where its link targets live."""
    base = posixpath.dirname(path)

    def norm(obj: Any) -> Any:
        if isinstance(obj, Link) and obj.href:
            target = posixpath.normpath(posixpath.join(base, obj.href))
            return {"link": _SEQ_PREFIX.sub("", target), "anchor": obj.anchor, "children": norm(obj.children)}
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            fields = {f.name: norm(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.name != "date"}
            return {"_": type(obj).__name__, **fields}
        if isinstance(obj, (list, tuple)):
            return [norm(x) for x in obj]
        if isinstance(obj, dict):
            return {str(k): norm(v) for k, v in obj.items()}
        if isinstance(obj, bytes):  # a figure's image (e.g. the RDKit structure drawing): its digest
            return {"bytes": hashlib.sha256(obj).hexdigest()}
        return obj

    payload = json.dumps(norm(doc), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # surrogatepass: a lone surrogate a template produced is reported by the writers
    # (write.invalid-text); hashing it must not crash first (same bytes as utf-8 for valid text)
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def history_fingerprints(history: Path, before: str) -> dict[str, str]:
    """doc_id -> fingerprint of its current version, from ``<NNNN>.fingerprints.json`` of earlier sequences."""
    out: dict[str, str] = {}
    for seq in existing_sequences(history):
        if seq >= before:
            break
        f = history / f"{seq}.{FINGERPRINTS}"
        if f.is_file():
            # An unreadable record is reported (and gates the build) by submit.verify_history;
            # here it only means nothing is known to be unchanged: every document is rendered.
            try:
                data = json.loads(f.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(data, dict):
                out.update({str(k): v for k, v in data.items() if isinstance(v, str)})
    return out


def carry_forward(config: ProjectConfig, region: str, docs: list[RenderedDoc]) -> list[RenderedDoc]:
    """``docs`` as the sequence being built holds them: unchanged documents reuse their submitted PDF,
    and the links of the others to those documents point into the earlier sequence folder.

    A first sequence (no earlier sequence in the history folder) gets ``docs`` back as they are.
    """
    history = config.history_dir / region
    seq = config.settings.sequence
    if not history.is_dir() or not any(s < seq for s in existing_sequences(history)):
        return docs
    known = history_fingerprints(history, seq)
    state = {s.leaf_id: s for s in read_history(history, seq, region, Diagnostics()).values()}
    reuse: dict[str, Path] = {}
    moved: dict[str, str] = {}  # path in this sequence -> path of the submitted file, from this sequence's root
    for rd in docs:
        leaf = state.get(leaf_id_for(rd.doc_id))
        if rd.document is None or leaf is None or leaf.href != rd.path:
            continue
        if known.get(rd.doc_id) == fingerprint(rd.document, rd.path):
            reuse[rd.doc_id] = history / leaf.sequence / leaf.href
            moved[rd.path] = f"../{leaf.sequence}/{leaf.href}"
    out = []
    for rd in docs:
        if rd.doc_id in reuse:
            out.append(dataclasses.replace(rd, reuse=reuse[rd.doc_id]))
        elif rd.document is not None and moved:
            out.append(dataclasses.replace(rd, document=relink(rd.document, rd.path, moved)))
        else:
            out.append(rd)
    return out


def relink(doc: Document, path: str, moved: dict[str, str]) -> Document:
    """``doc`` (placed at ``path``) with every link to a path in ``moved`` pointing to its new place.

    Links are written relative to the document (``render.xref``), so the link to a target at ``T``
    from ``path`` is ``relpath(T, dirname(path))``; rewriting it is the same computation with the
    target's new path, which is what rendering the document again with the new paths would give.
    """
    base = posixpath.dirname(path)

    def walk(obj: Any) -> Any:
        if isinstance(obj, Link):
            children, href = walk(obj.children), obj.href
            if href:
                target = posixpath.normpath(posixpath.join(base, href))
                if target in moved:
                    href = posixpath.relpath(moved[target], base or ".")
            if children is obj.children and href == obj.href:
                return obj
            return dataclasses.replace(obj, children=children, href=href)
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            changes = {}
            for f in dataclasses.fields(obj):
                value = getattr(obj, f.name)
                new = walk(value)
                if new is not value:
                    changes[f.name] = new
            return dataclasses.replace(obj, **changes) if changes else obj
        if isinstance(obj, (list, tuple)):
            items = [walk(x) for x in obj]
            if all(a is b for a, b in zip(items, obj)):
                return obj
            return type(obj)(items) if isinstance(obj, list) else tuple(items)
        if isinstance(obj, dict):
            values = {k: walk(v) for k, v in obj.items()}
            return obj if all(values[k] is obj[k] for k in obj) else values
        return obj

    relinked: Document = walk(doc)
    return relinked


def write_fingerprints(docs: list[RenderedDoc], dest: Path) -> None:
    """``<region>/fingerprints.json`` of this build (``indbuilder submit`` keeps it with the sequence)."""
    data = {rd.planned.doc_id: fingerprint(rd.document, rd.path) for rd in docs if rd.document is not None}
    dest.mkdir(parents=True, exist_ok=True)
    (dest / FINGERPRINTS).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
