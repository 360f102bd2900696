"""The official eCTD standard files (DTDs, schemas, stylesheets, code lists): catalog, needs, verify.

The project never ships these files. They live in a *standards directory* laid out as ``ich/``, ``us/``,
``cn/``, ``w3c/`` (a flat folder works too: files are found by name), by default the per-user cache
``$XDG_CACHE_HOME/indbuilder/standards`` filled by ``indbuilder standards install``
(:mod:`.standards_install`; ``indbuilder standards status`` is :mod:`.standards_status`).
``data/standards.json`` records, per file, the regions that need it, its place in a sequence's ``util/``
folder, the checksum the agency publishes (when known), the MD5 of the reference copy indbuilder's
developers checked (not an agency value), and where to get it. Files are always copied in binary mode:
several are CRLF and their published checksums depend on it (NMPA validation rule 2.7).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostics, Location
from . import rules as _rules  # noqa: F401  (registers the rule ids)

if TYPE_CHECKING:
    from .standards_install import Fetch

INSTALL_HINT = ("run `indbuilder standards install` (it downloads what has an official address and says where to "
                "get the rest; for NMPA: `indbuilder standards install --from <the downloaded eCTD技术规范V1.1附件包 "
                "ZIP or folder>`), then `indbuilder standards status`")
NMPA_PACKAGE = "eCTD技术规范V1.1附件包"


@dataclass(frozen=True)
class StandardFile:
    """One catalogued standard file. ``util`` is ``dtd``/``style`` when a sequence carries a copy."""

    path: str  # relative to the standards directory, e.g. "ich/ich-ectd-3-2.dtd"
    util: str | None
    stf_only: bool
    published_md5: str | None
    published_sha256: str | None
    reference_md5: str  # our reference copy's MD5: not an agency value
    url: str | None  # a direct download: the file itself or a ZIP that holds it
    origin: str  # who publishes it and where its checksum comes from
    util_required: bool = True
    regions: tuple[str, ...] = ("*",)  # regions that need it; "*": every region
    optional: bool = False  # read when installed (code lists); the build runs without it
    page: str = ""  # where a person gets it when there is no direct download
    package: str | None = None  # the published package that holds it (NMPA attachment package)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def util_path(self) -> str | None:
        return f"util/{self.util}/{self.name}" if self.util else None

    @property
    def source(self) -> str:
        """Where it comes from, for people: the download address, else the package and the page."""
        if self.url:
            return self.url
        return f"{self.package}, {self.page}" if self.package else self.page

    def needed_by(self, region: str, util_names: Collection[str] = ()) -> bool:
        """Whether ``region`` needs this file (catalog ``regions``, or the region's ``util_standards()``)."""
        return "*" in self.regions or region in self.regions or self.name in util_names


@lru_cache(maxsize=1)
def catalog() -> tuple[StandardFile, ...]:
    """All catalogued standard files (from ``ectd/data/standards.json``)."""
    raw = json.loads(resources.files(__package__).joinpath("data/standards.json").read_text("utf-8"))
    return tuple(
        StandardFile(
            path=e["path"], util=e["util"], stf_only=e["stf_only"],
            published_md5=e["published_md5"], published_sha256=e["published_sha256"],
            reference_md5=e["reference_md5"], url=e["url"], origin=e["origin"],
            util_required=e.get("util_required", True), regions=tuple(e.get("regions", ["*"])),
            optional=e.get("optional", False), page=e.get("page", ""), package=e.get("package"),
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


def region_util_names(region: str) -> tuple[str, ...]:
    """The util file names a registered region declares (``()`` for an unknown region)."""
    from .. import regions

    return regions.get(region).util_standards() if region in regions.names() else ()


def needed_files(region_names: Iterable[str]) -> list[tuple[StandardFile, tuple[str, ...]]]:
    """The catalog files the regions ``region_names`` need, each with the regions that need it (catalog order).

    A region needs the files the catalog assigns to it or to every region (ICH backbone DTD and stylesheet,
    the ICH study tagging files) and every file its profile names in ``util_standards()``: an FDA-only
    project never needs an NMPA file.
    """
    wanted = list(dict.fromkeys(region_names))
    util = {r: region_util_names(r) for r in wanted}
    out = []
    for f in catalog():
        who = tuple(r for r in wanted if f.needed_by(r, util[r]))
        if who:
            out.append((f, who))
    return out


class State(str, Enum):
    """What is known about an installed standard file's bytes."""

    VERIFIED = "verified"  # equals the checksum ICH/FDA/NMPA publish
    REFERENCE = "matches-reference"  # no published checksum; equals our reference copy (not an agency check)
    DIFFERS = "unverified"  # no published checksum; differs from our reference copy too
    MISMATCH = "mismatch"  # differs from the published checksum: refused
    MISSING = "missing"

    @property
    def label(self) -> str:
        return {
            State.VERIFIED: "verified (published checksum)",
            State.REFERENCE: "matches reference copy (no published checksum)",
            State.DIFFERS: "unverified (no published checksum; differs from the reference copy)",
            State.MISMATCH: "MISMATCH (differs from the published checksum)",
            State.MISSING: "missing",
        }[self]


def state_of(entry: StandardFile, data: bytes) -> State:
    """Classify ``data`` against ``entry``'s published checksum, else against the reference copy."""
    got = md5_bytes(data)
    if entry.published_md5:
        if got != entry.published_md5:
            return State.MISMATCH
        if entry.published_sha256 and hashlib.sha256(data).hexdigest() != entry.published_sha256:
            return State.MISMATCH
        return State.VERIFIED
    return State.REFERENCE if got == entry.reference_md5 else State.DIFFERS


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
    """Hex MD5 of ``data``."""
    return hashlib.md5(data).hexdigest()


def verify(entry: StandardFile, data: bytes, where: Location, diags: Diagnostics, warn_unverified: bool) -> bool:
    """Check ``data`` against the published checksum (error on mismatch, returns False).

    Without a published checksum: warning if it differs from the reference copy, and optionally a
    warning that the file cannot be verified at all.
    """
    got = md5_bytes(data)
    state = state_of(entry, data)
    if state is State.MISMATCH:
        what = (f"MD5 {got} differs from the published {entry.published_md5}" if got != entry.published_md5
                else "SHA-256 differs from the published value")
        diags.emit("ectd.standard-checksum", f"{entry.name}: {what} ({entry.origin}); not installed",
                   where, hint=f"copy the official file byte for byte (binary mode; keep its line endings) from {entry.source}")
        return False
    if state is State.DIFFERS:
        diags.emit("ectd.standard-differs",
                   f"{entry.name}: MD5 {got} differs from the reference copy {entry.reference_md5} "
                   f"(no published checksum; source: {entry.source})", where)
    elif state is State.REFERENCE and warn_unverified:
        diags.emit("ectd.standard-unverified",
                   f"{entry.name}: no published checksum is known; it matches indbuilder's reference copy, "
                   f"which is not a check by the agency: compare it with {entry.source}", where)
    return True


def install_standards(from_dir: Path | Sequence[Path] | None, cache: Path | None = None,
                      regions: Sequence[str] | None = None, fetch: "Fetch | None" = None) -> Diagnostics:
    """Install the standard files ``regions`` need (default: every registered region) into ``cache``.

    From folders or ZIP files (``from_dir``), else from the official download addresses; see
    :func:`.standards_install.install`.
    """
    from .standards_install import install

    return install(from_dir, cache or default_cache(), regions, fetch).diagnostics


def download_standards(cache: Path, diags: Diagnostics, fetch: "Fetch | None" = None,
                       regions: Sequence[str] | None = None) -> Diagnostics:
    """Fetch the files that have an official download address into ``cache``, verified (no ``--from``)."""
    from .standards_install import install

    diags.extend(install(None, cache, regions, fetch).diagnostics)
    return diags


def copy_util(seq_dir: Path, standards: Path, names: Collection[str], with_stf: bool, diags: Diagnostics) -> None:
    """Copy the util files ``names`` (the region's ``util_standards()``) byte for byte into ``seq_dir/util``;
    missing or mismatching -> error.

    Files without a published checksum are not reported here (that warning came with every build and
    nobody could act on it): ``indbuilder standards status`` reports them once, and ``build --strict``
    (:func:`.standards_status.unverified_finding`).
    """
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
        dest = seq_dir / util_path
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
