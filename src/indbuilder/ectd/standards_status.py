"""``indbuilder standards status``: each standard file the regions need, its source and what is known of it.

States (:class:`.standards.State`): *verified* (equals the checksum ICH/FDA/NMPA publish), *matches
reference copy* (no published checksum exists; equals the copy indbuilder's developers checked, which is
not a check by the agency), *unverified* (no published checksum and different from that copy),
*mismatch* (differs from the published checksum) and *missing*. A missing required file or a mismatch
fails (exit 1); files that cannot be verified are reported here once, as one ``ectd.standard-unverified``
warning, and not on every build (``build --strict`` reports it too: :func:`unverified_finding`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostics, Location, Severity
from .standards import StandardFile, State, locate, needed_files, state_of
from .standards_install import MAX_FILE_BYTES, where_to_get


@dataclass(frozen=True)
class FileStatus:
    """One needed standard file in one standards folder."""

    entry: StandardFile
    regions: tuple[str, ...]
    installed: Path | None
    state: State

    @property
    def fails(self) -> bool:
        """A mismatch, or a required file that is missing."""
        return self.state is State.MISMATCH or (self.state is State.MISSING and not self.entry.optional)


def file_statuses(standards: Path, regions: Sequence[str]) -> list[FileStatus]:
    """The status of every file ``regions`` need, as installed in ``standards`` (catalog order)."""
    out = []
    for entry, who in needed_files(regions):
        p = locate(standards, entry)
        if p is None or p.stat().st_size > MAX_FILE_BYTES:
            out.append(FileStatus(entry, who, None, State.MISSING))
        else:
            out.append(FileStatus(entry, who, p, state_of(entry, p.read_bytes())))
    return out


def unverified_finding(standards: Path, regions: Sequence[str], diags: Diagnostics) -> None:
    """One ``ectd.standard-unverified`` warning naming every installed needed file that no published
    checksum covers (it matches only indbuilder's reference copy, or not even that)."""
    rows = [s for s in file_statuses(standards, regions) if s.state in (State.REFERENCE, State.DIFFERS)]
    if not rows:
        return
    same = [s.entry.name for s in rows if s.state is State.REFERENCE]
    differ = [s.entry.name for s in rows if s.state is State.DIFFERS]
    parts = []
    if same:
        parts.append(f"{', '.join(same)} match the reference copy indbuilder records (not a check by the agency)")
    if differ:
        parts.append(f"{', '.join(differ)} differ even from that copy")
    diags.emit("ectd.standard-unverified",
               f"{len(rows)} standard file(s) in {standards} have no published checksum: " + "; ".join(parts),
               Location(standards.as_posix()),
               hint="compare them with the official package they come from before submitting "
                    "(`indbuilder standards status` shows each file's source)")


def status_report(standards: Path, regions: Sequence[str]) -> tuple[list[FileStatus], Diagnostics]:
    """The statuses and the findings of ``standards status``: what is missing (and where to get it),
    what mismatches, and the one unverified warning."""
    rows = file_statuses(standards, regions)
    diags = Diagnostics()
    for s in rows:
        if s.state is State.MISMATCH:
            diags.emit("ectd.standard-checksum", f"{s.entry.name} differs from its published checksum "
                       f"({s.entry.origin}); reinstall it from {s.entry.source}", Location((s.installed or standards).as_posix()))
    missing = [s.entry for s in rows if s.state is State.MISSING]
    for what, arg, files in where_to_get(missing):
        required = [f for f in files if not f.optional]
        names = ", ".join(f.name for f in files)
        extra = "" if required else " (optional: the code checks that read them are skipped without them)"
        diags.emit("ectd.standard-missing" if required else "ectd.standards-source",
                   f"{names} not installed{extra}; get {'it' if len(files) == 1 else 'them'} from {what}", Location(standards.as_posix()),
                   hint=f"then run `indbuilder standards install --from {arg}`" if not files[0].url
                   else "run `indbuilder standards install`",
                   severity=None if required else Severity.WARNING)
    unverified_finding(standards, regions, diags)
    return rows, diags


def _regions_label(who: tuple[str, ...], regions: Sequence[str]) -> str:
    return "all" if len(regions) > 1 and set(who) == set(regions) else ",".join(who)


def render_text(standards: Path, regions: Sequence[str], rows: list[FileStatus]) -> str:
    """The status table: region(s), file, installed or missing, what is known of it, source."""
    head = ("REGION", "FILE", "INSTALLED", "CHECK", "SOURCE")
    table = [head] + [(
        _regions_label(s.regions, regions), s.entry.path,
        "installed" if s.installed else ("missing (optional)" if s.entry.optional else "MISSING"),
        "-" if s.state is State.MISSING else s.state.label, s.entry.source,
    ) for s in rows]
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    lines = [f"standards for {', '.join(regions)} in {standards}"]
    lines += ["  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4] for r in table]
    count = {st: sum(1 for s in rows if s.state is st) for st in State}
    lines.append(f"{len(rows)} files: {count[State.VERIFIED]} verified against a published checksum, "
                 f"{count[State.REFERENCE]} match the reference copy only, {count[State.DIFFERS]} unverified, "
                 f"{count[State.MISMATCH]} mismatch, {count[State.MISSING]} missing")
    return "\n".join(lines) + "\n"


def render_json(standards: Path, regions: Sequence[str], rows: list[FileStatus], diags: Diagnostics) -> str:
    """The same as data (``--format json``)."""
    return json.dumps({
        "standards": standards.as_posix(),
        "regions": list(regions),
        "ok": not any(s.fails for s in rows),
        "files": [{
            "path": s.entry.path, "regions": list(s.regions), "optional": s.entry.optional,
            "installed": s.installed.as_posix() if s.installed else None, "state": s.state.value,
            "check": s.state.label, "url": s.entry.url, "page": s.entry.page, "package": s.entry.package,
            "source": s.entry.source, "published_md5": s.entry.published_md5,
        } for s in rows],
        "findings": [{"rule": d.rule, "severity": d.severity.value, "message": d.message, "hint": d.hint} for d in diags],
    }, ensure_ascii=False, indent=1) + "\n"
