"""``indbuilder submit``: record a built sequence as sent to the agency, and verify it on every build.

The sequence is copied from the build output into the project's history folder
(``<history>/<region>/<NNNN>/``, kept in git) and marked submitted. From then on it is the baseline
for lifecycle operations of later sequences and is never rewritten (eCTD lifecycle: a sequence,
once sent, is immutable; FDA and NMPA reject changed content under a used sequence number).

A submitted sequence is evidence. Its lock ``<NNNN>.submitted.yaml`` records the SHA-256 of every
file of the sequence (``files``) and of its fingerprints record (``fingerprints_sha256``); every
``check`` and ``build`` verifies the history folder against them (:func:`verify_history`) and stops
before rendering when a file was altered, added or removed, when a sequence folder has no lock, or
when a record cannot be read. Locks written before the hashes were recorded are verified as far as
they can be (``index_md5`` and the MD5 checksum of every leaf in the backbones), with a warning.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from .carry_forward import FINGERPRINTS
from .config import load_config
from .diagnostics import Diagnostics, Location
from .ectd.lifecycle import SEQ_RE, is_submitted, mark_submitted, marker_path
from .rules import define

define(
    "submit.not-built",
    "error",
    "There is no built sequence to record as submitted.",
    "Run 'indbuilder build' first: 'submit' records the sequence that the last build produced.",
)
define(
    "submit.already-submitted",
    "error",
    "The sequence is already recorded as submitted.",
    "A submitted sequence is immutable. Set the next sequence number in indbuilder.yaml and build again.",
)
define(
    "submit.write",
    "error",
    "The submitted sequence could not be recorded in the history folder.",
)
define(
    "history.altered",
    "error",
    "A file of a submitted sequence differs from what was recorded when it was submitted.",
    "A submitted sequence is evidence of what the agency received and is never rewritten. Restore the "
    "folder from git (git checkout -- <history>/<region>/<NNNN>) and build again.",
)
define(
    "history.unlocked",
    "error",
    "A sequence folder in the history folder has no submitted record (<NNNN>.submitted.yaml).",
    "Only 'indbuilder submit' puts sequences into the history folder, and it always writes the lock. A folder "
    "without one was damaged (restore the lock from git) or placed there by hand (remove it).",
)
define(
    "history.record-unreadable",
    "error",
    "The submitted record or fingerprints of a sequence in the history folder cannot be read.",
    "Restore <NNNN>.submitted.yaml and <NNNN>.fingerprints.json from git.",
)
define(
    "history.unverified",
    "warning",
    "A submitted sequence was recorded without per-file hashes; it is verified only as far as the record allows.",
    "Records written before per-file hashes existed carry only index.xml's MD5; indbuilder also compares every "
    "leaf against the MD5 checksum in the backbones. Files outside the backbones are not verified.",
)

LOCK_FILES = "files"
LOCK_FINGERPRINTS = "fingerprints_sha256"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sequence_hashes(folder: Path) -> dict[str, str]:
    """Relative POSIX path -> SHA-256 of every file below ``folder`` (symbolic links are not followed)."""
    return {
        p.relative_to(folder).as_posix(): _sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def submit(root: Path, region: str, date: dt.date | None, note: str) -> tuple[Diagnostics, str]:
    """Copy the built sequence of ``region`` into the history folder and mark it submitted."""
    diags = Diagnostics()
    config, cdiags = load_config(root)
    diags.extend(cdiags)
    if config is None:
        return diags, ""
    seq = config.settings.sequence
    history = config.history_dir / region
    built = sorted((config.output_dir / region / "ectd").glob(f"*/{seq}"))
    if not built:
        diags.emit("submit.not-built", f"no built {region} sequence {seq} under {config.settings.output}/{region}/ectd", config.source)
        return diags, ""
    target = history / seq
    if is_submitted(history, seq) or target.exists():
        diags.emit("submit.already-submitted", f"{region} sequence {seq} is already in {config.settings.history}/{region}", config.source)
        return diags, ""
    verify_history(history, f"{config.settings.history}/{region}", diags)
    if diags.has_errors:
        return diags, ""
    try:
        history.mkdir(parents=True, exist_ok=True)
        shutil.copytree(built[0], target)
        # content fingerprints of this sequence's documents, for carrying unchanged ones forward
        fingerprints = config.output_dir / region / FINGERPRINTS
        kept = history / f"{seq}.{FINGERPRINTS}"
        if fingerprints.is_file():
            shutil.copy2(fingerprints, kept)
        marked = mark_submitted(history, seq, (date or dt.date.today()).isoformat(), note)
        diags.extend(marked.items)
        if not marked.has_errors:
            _add_hashes(marker_path(history, seq), target, kept)
    except OSError as exc:
        shutil.rmtree(target, ignore_errors=True)  # no half-recorded sequence: it would fail every build
        where = exc.filename or target
        diags.emit("submit.write", f"cannot record {region} sequence {seq}: {where}: {exc.strerror or exc}", Location(str(where)))
        return diags, ""
    nxt = f"{int(seq) + 1:04d}"
    return diags, (
        f"{region} sequence {seq} recorded as submitted in {config.settings.history}/{region}/{seq}; "
        f"commit it, and set sequence: \"{nxt}\" in indbuilder.yaml for the next submission\n"
    )


def _add_hashes(lock: Path, sequence: Path, fingerprints: Path) -> None:
    """Add the SHA-256 of every file of the sequence (and of its fingerprints) to the lock."""
    record = yaml.safe_load(lock.read_text(encoding="utf-8"))
    record[LOCK_FILES] = sequence_hashes(sequence)
    if fingerprints.is_file():
        record[LOCK_FINGERPRINTS] = _sha256(fingerprints)
    lock.write_text(yaml.safe_dump(record, sort_keys=True), encoding="utf-8")


# ---------------------------------------------------------------------------- verification


def verify_history(history: Path, display: str, diags: Diagnostics) -> bool:
    """Verify every submitted sequence of one region's history folder; ``False`` when one is not intact.

    ``display`` is the folder as findings show it (``submissions/fda``). Every problem is an error
    naming the file: a sequence folder without its lock, a lock without its folder, an unreadable
    lock or fingerprints record, and any file altered, added or removed since it was submitted.
    """
    if not history.is_dir():
        return True
    before = len(diags)
    folders = {p.name for p in history.iterdir() if p.is_dir() and SEQ_RE.match(p.name)}
    locks = {p.name.split(".", 1)[0] for p in history.glob("*.submitted.yaml") if SEQ_RE.match(p.name.split(".", 1)[0])}
    for seq in sorted(folders | locks):
        _verify_sequence(history, seq, display, seq in folders, diags)
    return not any(d.severity.value == "error" for d in diags.items[before:])


def _read_record(path: Path, display: str, kind: str, diags: Diagnostics) -> Any:
    """The parsed lock (YAML) or fingerprints (JSON) record; ``None`` (with a finding) when unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
        data: Any = json.loads(text) if kind == "json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        diags.emit("history.record-unreadable", f"{display} is not valid JSON: {exc.msg}", Location(display, exc.lineno, exc.colno))
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        diags.emit("history.record-unreadable", f"{display} is not valid YAML: {getattr(exc, 'problem', None) or exc}", Location(display, line, col))
        return None
    except (OSError, UnicodeDecodeError) as exc:
        diags.emit("history.record-unreadable", f"{display} cannot be read: {getattr(exc, 'strerror', None) or exc}", Location(display))
        return None
    if not isinstance(data, dict) or (kind == "json" and not all(isinstance(v, str) for v in data.values())):
        diags.emit("history.record-unreadable", f"{display} is not a {'mapping of document ids to fingerprints' if kind == 'json' else 'submitted record (a mapping)'}", Location(display, 1))
        return None
    return data


def _verify_sequence(history: Path, seq: str, display: str, has_folder: bool, diags: Diagnostics) -> None:
    folder, lock = history / seq, marker_path(history, seq)
    lock_shown = f"{display}/{lock.name}"
    if not has_folder:
        diags.emit("history.altered", f"{display}/{seq}/ is missing: {lock.name} records it as submitted", Location(lock_shown, 1))
        return
    if not lock.is_file():
        diags.emit("history.unlocked", f"{display}/{seq}/ has no lock {lock.name}: a submitted sequence is never rebuilt, "
                   "and a folder that was not recorded by 'indbuilder submit' cannot be built upon", Location(f"{display}/{seq}"),
                   hint=f"restore {lock_shown} from git, or remove {display}/{seq}/ if it was never sent")
        return
    record = _read_record(lock, lock_shown, "yaml", diags)
    fingerprints = history / f"{seq}.{FINGERPRINTS}"
    fp_shown = f"{display}/{fingerprints.name}"
    if fingerprints.exists():
        _read_record(fingerprints, fp_shown, "json", diags)
    if record is None:
        return
    files = record.get(LOCK_FILES)
    if files is None:
        _verify_legacy(folder, seq, record, display, lock_shown, diags)
        return
    if not isinstance(files, dict):
        diags.emit("history.record-unreadable", f"'{LOCK_FILES}' of {lock_shown} is not a mapping of paths to SHA-256", Location(lock_shown, 1))
        return
    actual = sequence_hashes(folder)
    for rel in sorted(set(files) | set(actual)):
        shown = f"{display}/{seq}/{rel}"
        if rel not in actual:
            diags.emit("history.altered", f"{shown} was removed after the sequence was submitted", Location(shown))
        elif rel not in files:
            diags.emit("history.altered", f"{shown} was added after the sequence was submitted", Location(shown))
        elif actual[rel] != files[rel]:
            diags.emit("history.altered", f"{shown} was altered after the sequence was submitted (SHA-256 differs from {lock.name})", Location(shown))
    expected_fp = record.get(LOCK_FINGERPRINTS)
    if expected_fp is not None:
        if not fingerprints.is_file():
            diags.emit("history.altered", f"{fp_shown} was removed after the sequence was submitted", Location(fp_shown))
        elif _sha256(fingerprints) != expected_fp:
            diags.emit("history.altered", f"{fp_shown} was altered after the sequence was submitted (SHA-256 differs from {lock.name})", Location(fp_shown))


def _verify_legacy(folder: Path, seq: str, record: dict[Any, Any], display: str, lock_shown: str, diags: Diagnostics) -> None:
    """A lock without per-file hashes: ``index_md5`` and the leaf checksums of the backbones."""
    diags.emit("history.unverified", f"{lock_shown} records no per-file hashes (written by an older indbuilder): only index.xml "
               "and the files its backbones list with checksums are verified", Location(lock_shown, 1))
    index = folder / "index.xml"
    shown = f"{display}/{seq}/index.xml"
    if not index.is_file():
        diags.emit("history.altered", f"{shown} was removed after the sequence was submitted", Location(shown))
        return
    md5 = record.get("index_md5")
    if md5 is not None and hashlib.md5(index.read_bytes()).hexdigest() != md5:
        diags.emit("history.altered", f"{shown} was altered after the sequence was submitted (MD5 differs from the record)", Location(shown))
        return
    from lxml import etree

    from .ectd.lifecycle import iter_leaves

    backbones = [index] + sorted(folder.glob("m1/*/*-regional.xml")) + sorted(folder.glob("m1/*/*/*-regional.xml"))
    for backbone in backbones:
        try:
            tree = etree.parse(str(backbone), etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
        except (etree.XMLSyntaxError, OSError):
            diags.emit("history.altered", f"{display}/{seq}/{backbone.relative_to(folder).as_posix()} is not readable XML", Location(f"{display}/{seq}/{backbone.relative_to(folder).as_posix()}"))
            continue
        for leaf, href in iter_leaves(tree, backbone.name):
            checksum = (leaf.get("checksum") or "").lower()
            if not href or not checksum or "://" in href or href.startswith("../"):
                continue
            target = (backbone.parent / href).resolve()
            if folder.resolve() not in target.parents:
                continue
            rel = target.relative_to(folder.resolve()).as_posix()
            if not target.is_file():
                diags.emit("history.altered", f"{display}/{seq}/{rel} was removed after the sequence was submitted", Location(f"{display}/{seq}/{rel}"))
            elif hashlib.md5(target.read_bytes()).hexdigest() != checksum:
                diags.emit("history.altered", f"{display}/{seq}/{rel} was altered after the sequence was submitted (MD5 differs from the backbone's checksum)", Location(f"{display}/{seq}/{rel}"))


__all__ = ["submit", "verify_history", "sequence_hashes", "Location"]
