"""``indbuilder standards install``: put the standard files a project's regions need into the cache, verified.

Sources, in this order, per needed file:

1. ``--from`` folders and ZIP files (the NMPA attachment package as downloaded, a folder laid out as
   ``ich/ us/ cn/ w3c/``, or a flat folder): a file is found by its catalog path, else by its name at any
   depth, also inside ZIP files (nested ZIPs included);
2. a copy already in the cache that checks out (verified or equal to the reference copy) is kept;
3. without ``--from``: the official download address, when the file has one.

A file that does not match its published checksum is refused (never written). For a needed file that
none of these provide, one message per publisher says where to get it and the ``--from`` command that
finishes the installation.
"""

from __future__ import annotations

import io
import os
import urllib.request
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..diagnostics import Diagnostics, Location, Severity
from .standards import NMPA_PACKAGE, StandardFile, State, locate, needed_files, state_of, verify

Fetch = Callable[[str], bytes]

MAX_FILE_BYTES = 16 * 1024 * 1024  # the largest standard file is ~40 kB: anything this big is not one
MAX_ZIP_BYTES = 512 * 1024 * 1024  # an attachment package (with its PDFs) is a few MB
MAX_ZIP_DEPTH = 3  # ZIPs inside ZIPs (the NMPA vocabulary package inside the attachment package)


def _http_fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (official https/http addresses)
        data: bytes = response.read()  # typeshed types urlopen()'s response as Any
        return data


def _write_atomic(dest: Path, data: bytes) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, dest)


@dataclass
class Found:
    """A candidate copy of a standard file: its bytes and where they came from (for messages)."""

    data: bytes
    where: str


def _zip_members(archive: zipfile.ZipFile, where: str, depth: int) -> Iterator[tuple[str, zipfile.ZipFile, zipfile.ZipInfo]]:
    """Every file in ``archive`` by base name, descending into ZIPs it holds (up to ``MAX_ZIP_DEPTH``)."""
    for info in archive.infolist():
        if info.is_dir():
            continue
        name = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
        yield name, archive, info
        if name.lower().endswith(".zip") and depth < MAX_ZIP_DEPTH and info.file_size <= MAX_ZIP_BYTES:
            try:
                inner = zipfile.ZipFile(io.BytesIO(archive.read(info)))
            except (zipfile.BadZipFile, OSError):
                continue
            yield from _zip_members(inner, f"{where}!{info.filename}", depth + 1)


class Source:
    """One ``--from`` argument (folder or ZIP file), indexed by file name."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zips: dict[str, tuple[zipfile.ZipFile, zipfile.ZipInfo, str]] = {}
        self.problem: str | None = None
        if path.is_file():
            self._index_zip(path)
        elif path.is_dir():
            for z in sorted(path.rglob("*.zip")):
                if z.is_file():
                    self._index_zip(z)
        else:
            self.problem = f"{path} does not exist"

    def _index_zip(self, path: Path) -> None:
        try:
            if path.stat().st_size > MAX_ZIP_BYTES:
                raise zipfile.BadZipFile("too large")
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            if path == self.path:
                self.problem = f"{path} is neither a folder nor a readable ZIP file ({exc})"
            return
        for name, arch, info in _zip_members(archive, path.as_posix(), 1):
            self._zips.setdefault(name, (arch, info, f"{path.as_posix()}!{info.filename}"))

    def find(self, entry: StandardFile) -> Found | None:
        """``entry`` in this source: in the folder (catalog path, else by name), else in a ZIP by name."""
        if self.path.is_dir():
            p = locate(self.path, entry)
            if p is not None and p.stat().st_size <= MAX_FILE_BYTES:
                return Found(p.read_bytes(), p.as_posix())
        hit = self._zips.get(entry.name)
        if hit is not None and hit[1].file_size <= MAX_FILE_BYTES:
            return Found(hit[0].read(hit[1]), hit[2])
        return None


@dataclass
class InstallResult:
    """What an install did: findings, and per file path the state it is installed in."""

    diagnostics: Diagnostics
    installed: dict[str, State] = field(default_factory=dict)
    missing: list[StandardFile] = field(default_factory=list)


def _all_regions() -> list[str]:
    from .. import regions

    return list(regions.names())


def install(sources: Path | Sequence[Path] | None, cache: Path, regions: Sequence[str] | None = None,
            fetch: Fetch | None = None) -> InstallResult:
    """Install the files ``regions`` need (default: every registered region) into ``cache``.

    ``sources`` are ``--from`` folders or ZIP files; ``None`` or empty: download what has an official
    address. Files already in ``cache`` that check out are kept. Returns the findings
    (``ectd.standard-checksum`` for a refused file, ``ectd.standard-differs``, ``ectd.standards-source``
    for what could not be obtained, with where to get it) and the state of each installed file.
    """
    srcs = [sources] if isinstance(sources, Path) else list(sources or [])
    result = InstallResult(Diagnostics())
    diags = result.diagnostics
    opened = []
    for path in srcs:
        src = Source(path)
        if src.problem:
            diags.emit("ectd.standards-source", f"--from {src.problem}", Location(path.as_posix()))
        else:
            opened.append(src)
    if srcs and not opened:
        return result
    wanted = needed_files(regions if regions else _all_regions())
    pending: list[StandardFile] = []
    for entry, _who in wanted:
        dest = cache / entry.path
        for src in opened:
            found = src.find(entry)
            if found is None:
                continue
            if verify(entry, found.data, Location(found.where), diags, warn_unverified=False):
                if not _same_file(Path(found.where), dest):
                    _write_atomic(dest, found.data)
                result.installed[entry.path] = state_of(entry, found.data)
                break
        else:
            kept = _kept(entry, dest)
            if kept is not None:
                result.installed[entry.path] = kept
            else:
                pending.append(entry)
    failed: list[StandardFile] = []
    if not srcs:
        pending, failed = _download(pending, cache, diags, fetch or _http_fetch, result)
    result.missing = pending + failed
    _where_to_get(pending, diags, bool(srcs))
    return result


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _kept(entry: StandardFile, dest: Path) -> State | None:
    """The state of an already installed copy worth keeping (verified or equal to the reference copy)."""
    if not dest.is_file() or dest.stat().st_size > MAX_FILE_BYTES:
        return None
    state = state_of(entry, dest.read_bytes())
    return state if state in (State.VERIFIED, State.REFERENCE) else None


def _download(entries: list[StandardFile], cache: Path, diags: Diagnostics, fetch: Fetch,
              result: InstallResult) -> tuple[list[StandardFile], list[StandardFile]]:
    """Fetch ``entries`` that have an official address (a file, or a ZIP holding it).

    Returns the files still to be obtained by hand (no address, or not in the download) and those whose
    download failed or was refused (already reported).
    """
    left = [e for e in entries if not e.url]
    failed: list[StandardFile] = []
    by_url: dict[str, list[StandardFile]] = {}
    for entry in entries:
        if entry.url:
            by_url.setdefault(entry.url, []).append(entry)
    for url, group in sorted(by_url.items()):
        try:
            payload = fetch(url)
        except (OSError, ValueError) as exc:  # URLError is an OSError
            diags.emit("ectd.standards-source", f"cannot download {url}: {exc}", Location(url),
                       hint="without network access, download it elsewhere and run "
                            "`indbuilder standards install --from <the file, its ZIP or a folder holding it>`")
            failed.extend(group)
            continue
        archive = None
        if payload[:4] == b"PK\x03\x04":
            try:
                archive = zipfile.ZipFile(io.BytesIO(payload))
            except zipfile.BadZipFile:
                archive = None
        for entry in group:
            data: bytes | None = None
            if archive is not None:
                member = next((n for n in archive.namelist() if n.rsplit("/", 1)[-1] == entry.name), None)
                data = archive.read(member) if member else None
            elif url.rsplit("/", 1)[-1] == entry.name:
                data = payload
            if data is None:
                diags.emit("ectd.standards-source", f"{entry.name} is not in the download from {url}", Location(url),
                           hint=f"get it from {entry.page}, then `indbuilder standards install --from <folder or ZIP>`")
                left.append(entry)
                continue
            if verify(entry, data, Location(url), diags, warn_unverified=False):
                _write_atomic(cache / entry.path, data)
                result.installed[entry.path] = state_of(entry, data)
            else:
                failed.append(entry)
    return left, failed


def where_to_get(entries: Sequence[StandardFile]) -> list[tuple[str, str, list[StandardFile]]]:
    """Group ``entries`` by where a person gets them: (where, the ``--from`` argument to use, files)."""
    groups: dict[tuple[str, str], list[StandardFile]] = {}
    for e in entries:
        if e.path.startswith(("cn/", "w3c/")):  # published only inside the NMPA attachment package
            key = (f"the NMPA {NMPA_PACKAGE}, published by the NMPA Center for Drug Evaluation at {e.page}",
                   f"<the downloaded {NMPA_PACKAGE} ZIP or folder>")
        elif e.url:
            key = (e.url, "<the downloaded file, its ZIP or a folder holding it>")
        else:
            also = f"; also in the NMPA {NMPA_PACKAGE}" if e.package else ""
            key = (f"{e.page}{also}", "<a folder or ZIP holding them>")
        groups.setdefault(key, []).append(e)
    return [(what, arg, files) for (what, arg), files in groups.items()]


def _where_to_get(entries: list[StandardFile], diags: Diagnostics, had_from: bool) -> None:
    """One finding per publisher for the needed files still missing: where to get them and the command."""
    for what, arg, files in where_to_get(entries):
        required = any(not f.optional for f in files)
        why = "not found in the --from sources" if had_from else "no official download address"
        extra = "" if required else " (optional: the code checks that read them are skipped without them)"
        diags.emit("ectd.standards-source", f"{', '.join(f.name for f in files)}: {why}{extra}; get {'it' if len(files) == 1 else 'them'} from {what}",
                   Location(files[0].path), hint=f"then run `indbuilder standards install --from {arg}`",
                   severity=None if required else Severity.WARNING)
