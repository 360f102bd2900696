"""The official eCTD standard files (DTDs, schemas, stylesheets, code lists): catalog, install, verify.

The project never ships these files. They live in a *standards directory* laid out like
``/work/shared/reference/ectd`` (``ich/``, ``us/``, ``cn/``, ``w3c/``), by default the per-user cache
``$XDG_CACHE_HOME/indbuilder/standards`` filled by ``indbuilder standards install --from DIR``.
``data/standards.json`` records, per file, its place in a sequence's ``util/`` folder, the checksum the
agency publishes (when known) and the MD5 of the reference copy. Files are always copied in binary mode:
several are CRLF and their published checksums depend on it (NMPA validation rule 2.7).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import urllib.request
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from collections.abc import Collection
from typing import Callable

from ..diagnostics import Diagnostics, Location
from . import rules as _rules  # noqa: F401  (registers the rule ids)

INSTALL_HINT = "run `indbuilder standards install --from ../shared/reference/ectd` (or another folder holding the official files)"


@dataclass(frozen=True)
class StandardFile:
    """One catalogued standard file. ``util`` is ``dtd``/``style`` when a sequence carries a copy."""

    path: str  # relative to the standards directory, e.g. "ich/ich-ectd-3-2.dtd"
    util: str | None
    stf_only: bool
    published_md5: str | None
    published_sha256: str | None
    reference_md5: str
    url: str | None
    origin: str
    util_required: bool = True

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def util_path(self) -> str | None:
        return f"util/{self.util}/{self.name}" if self.util else None


@lru_cache(maxsize=1)
def catalog() -> tuple[StandardFile, ...]:
    """All catalogued standard files (from ``ectd/data/standards.json``)."""
    raw = json.loads(resources.files(__package__).joinpath("data/standards.json").read_text("utf-8"))
    return tuple(
        StandardFile(
            path=e["path"], util=e["util"], stf_only=e["stf_only"],
            published_md5=e["published_md5"], published_sha256=e["published_sha256"],
            reference_md5=e["reference_md5"], url=e["url"], origin=e["origin"],
            util_required=e.get("util_required", True),
        )
        for e in raw["files"]
    )


def by_name(name: str) -> StandardFile:
    """The catalog entry for a file name such as ``ich-ectd-3-2.dtd``."""
    for f in catalog():
        if f.name == name:
            return f
    raise KeyError(name)


def util_files(names: Collection[str], with_stf: bool) -> list[StandardFile]:
    """The standard files ``names`` (a region's ``util_standards()``) a sequence carries in ``util/``,
    in catalog order (STF files only when STFs are used)."""
    return [f for f in catalog() if f.util and f.name in names and (with_stf or not f.stf_only)]


def default_cache() -> Path:
    """Per-user standards cache: ``$XDG_CACHE_HOME/indbuilder/standards`` or ``~/.cache/indbuilder/standards``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "indbuilder" / "standards"


def locate(standards: Path, entry: StandardFile) -> Path | None:
    """Find ``entry`` in a standards directory: at its catalog path, else by file name anywhere below."""
    direct = standards / entry.path
    if direct.is_file():
        return direct
    if standards.is_dir():
        for p in sorted(standards.rglob(entry.name)):
            if p.is_file():
                return p
    return None


def md5_bytes(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def verify(entry: StandardFile, data: bytes, where: Location, diags: Diagnostics, warn_unverified: bool) -> bool:
    """Check ``data`` against the published checksum (error on mismatch, returns False).

    Without a published checksum: warning if it differs from the reference copy, and optionally a
    warning that the file cannot be verified at all.
    """
    got = md5_bytes(data)
    if entry.published_md5:
        if got != entry.published_md5:
            diags.emit("ectd.standard-checksum",
                       f"{entry.name}: MD5 {got} differs from the published {entry.published_md5} ({entry.origin})",
                       where, hint="copy the official file byte for byte (binary mode; keep its line endings)")
            return False
        if entry.published_sha256 and hashlib.sha256(data).hexdigest() != entry.published_sha256:
            diags.emit("ectd.standard-checksum", f"{entry.name}: SHA-256 differs from the published value", where)
            return False
        return True
    if got != entry.reference_md5:
        diags.emit("ectd.standard-differs",
                   f"{entry.name}: MD5 {got} differs from the reference copy {entry.reference_md5} "
                   f"(no published checksum; source: {entry.origin})", where)
    elif warn_unverified:
        diags.emit("ectd.standard-unverified",
                   f"{entry.name}: no published checksum is known; verify it against the {entry.origin}", where)
    return True


def install_standards(from_dir: Path | None, cache: Path | None = None) -> Diagnostics:
    """Copy every catalogued standard file from ``from_dir`` into ``cache`` (verifying checksums).

    A file that does not match its published checksum is rejected (not installed). Files are written
    atomically, byte for byte. ``from_dir=None`` downloads from the official addresses instead.
    """
    diags = Diagnostics()
    cache = cache or default_cache()
    if from_dir is None:
        return download_standards(cache, diags)
    if not from_dir.is_dir():
        diags.emit("ectd.standards-source", f"standards source folder {from_dir} does not exist")
        return diags
    for entry in catalog():
        src = locate(from_dir, entry)
        if src is None:
            diags.emit("ectd.standard-missing", f"{entry.path} not found in {from_dir}",
                       Location(str(from_dir)), hint=f"obtain it from {entry.url or entry.origin}")
            continue
        data = src.read_bytes()
        if not verify(entry, data, Location(src.as_posix()), diags, warn_unverified=False):
            continue
        _write_atomic(cache / entry.path, data)
    return diags


Fetch = Callable[[str], bytes]


def _http_fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (official https/http addresses)
        data: bytes = response.read()  # typeshed types urlopen()'s response as Any
        return data


def _write_atomic(dest: Path, data: bytes) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, dest)


def download_standards(cache: Path, diags: Diagnostics, fetch: Fetch = _http_fetch) -> Diagnostics:
    """Fetch the catalogued files from the agencies' official addresses into ``cache``, verified.

    An address is either the file itself or a ZIP package that holds it (the ICH DTD package).
    Files published only on a web page or inside a package without a stable address (NMPA, STF
    vocabulary) cannot be fetched: they are reported with where to get them, for ``--from DIR``.
    """
    by_url: dict[str, list[StandardFile]] = {}
    for entry in catalog():
        if entry.url:
            by_url.setdefault(entry.url, []).append(entry)
        elif entry.util:
            diags.emit("ectd.standards-source", f"{entry.name} has no download address: obtain it from the {entry.origin}",
                       Location(entry.path), hint="then run `indbuilder standards install --from DIR`")
    for url, entries in sorted(by_url.items()):
        try:
            payload = fetch(url)
        except (OSError, ValueError) as exc:  # URLError is an OSError
            diags.emit("ectd.standards-source", f"cannot download {url}: {exc}", Location(url),
                       hint="without network access, run `indbuilder standards install --from DIR`")
            continue
        archive = zipfile.ZipFile(io.BytesIO(payload)) if payload[:4] == b"PK\x03\x04" else None
        for entry in entries:
            if archive is not None:
                member = next((n for n in archive.namelist() if n.rsplit("/", 1)[-1] == entry.name), None)
                data = archive.read(member) if member else None
            else:
                data = payload if url.rsplit("/", 1)[-1] == entry.name else None
            if data is None:
                diags.emit("ectd.standards-source", f"{entry.name} is not a file at {url} (a web page or another package)",
                           Location(url), hint="download it by hand, then `indbuilder standards install --from DIR`")
                continue
            if verify(entry, data, Location(url), diags, warn_unverified=True):
                _write_atomic(cache / entry.path, data)
    return diags


def copy_util(seq_dir: Path, standards: Path, names: Collection[str], with_stf: bool, diags: Diagnostics) -> None:
    """Copy the util files ``names`` (the region's ``util_standards()``) byte for byte into ``seq_dir/util``; missing or mismatching -> error.

    Files without a published checksum are listed in one ``ectd.standard-unverified`` warning.
    """
    unverified: list[StandardFile] = []
    for entry in util_files(names, with_stf):
        util_path = entry.util_path
        assert util_path is not None  # util_files() keeps only entries that have a util folder
        src = locate(standards, entry)
        where = Location(f"{seq_dir.name}/{util_path}")
        if src is None:
            diags.emit("ectd.standard-missing",
                       f"{entry.name} is not installed in {standards}: the sequence is not submission-ready",
                       where, hint=INSTALL_HINT)
            continue
        data = src.read_bytes()
        if not verify(entry, data, where, diags, warn_unverified=False):
            continue
        if not entry.published_md5:
            unverified.append(entry)
        dest = seq_dir / util_path
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    if unverified:
        origins = sorted({e.origin for e in unverified})
        diags.emit("ectd.standard-unverified",
                   f"no published checksum is known for {', '.join(e.name for e in unverified)}; "
                   f"verify them against the {' / '.join(origins)} before submitting",
                   Location(f"{seq_dir.name}/util"))
