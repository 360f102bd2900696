"""Where a project may read from: every file a project names must lie inside an allowed folder.

A project is a folder of sources kept in git. Its facts, narratives, templates and attachments are
read from inside it; a path that leads elsewhere (``..``, an absolute path, a symbolic link) is
refused with a diagnostic, so a typo or a hostile contribution cannot pull ``/etc/passwd`` into a
submission. A project that really keeps shared material elsewhere names that folder in
``indbuilder.yaml`` (``allow_outside``), and only then is it read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .rules import define

if TYPE_CHECKING:  # pragma: no cover
    from .build import Project, RenderedDoc
    from .diagnostics import Diagnostics

define(
    "build.attachment-outside",
    "error",
    "An attachment path leads outside the project.",
    "An attachment's ``file:`` or ``fill:`` path is absolute, climbs out with ``..`` or is a symbolic "
    "link whose target lies outside the project folder. The file is not read. Move the file into "
    "the project, or name its folder in ``allow_outside`` in indbuilder.yaml.",
    "Issue 15: nothing outside the project is read by accident.",
)
define(
    "build.attachment-unreadable",
    "error",
    "An attachment is not a regular file or is too large.",
    "A named pipe, device or folder cannot be an attachment, and a PDF over the size limit "
    "(500 MB, the FDA maximum) cannot be submitted. The file is not read.",
    "FDA PDF Specifications v4 (file size); issue 15 (resource limits).",
)

MAX_ATTACHMENT_BYTES = 500 * 1024 * 1024  # FDA PDF Specifications: the largest PDF a gateway accepts


@dataclass(frozen=True)
class ReadScope:
    """The folders a project may read: its root and the folders its config names explicitly."""

    root: Path
    extra: tuple[Path, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, root: Path, extra: Iterable[Path] = ()) -> "ReadScope":
        return cls(root.resolve(), tuple(p.resolve() for p in extra))

    def allows(self, path: Path) -> bool:
        """Whether ``path``, with every symbolic link resolved, lies inside an allowed folder."""
        real = Path(os.path.realpath(path))
        return any(real == base or base in real.parents for base in (self.root, *self.extra))

    def display(self, path: Path) -> str:
        """``path`` as findings show it: relative to the project root when it is inside it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def is_regular_file(path: Path) -> bool:
    """A regular file (not a folder, named pipe, socket or device); symbolic links are followed."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` (resolved) is ``folder`` (resolved) or below it."""
    real, base = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
    return real == base or base in real.parents


# Size limits of files read for validation and checks (documented in the findings that apply them).
MAX_TEMPLATE_BYTES = 1024 * 1024  # a Jinja template of 1 MB is already far larger than any real one


_KINDS = (
    (stat.S_ISREG, "regular file"),
    (stat.S_ISDIR, "folder"),
    (stat.S_ISFIFO, "named pipe"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
)


def file_kind(path: Path) -> str:
    """What ``path`` is, in words: "regular file", "folder", "named pipe", "socket", "character
    device", "block device", "missing" (also a broken or looping symbolic link)."""
    try:
        mode = path.stat().st_mode
    except (OSError, RuntimeError):
        return "missing"
    return next((name for test, name in _KINDS if test(mode)), "special file")


def refusal(path: Path, max_bytes: int | None = None) -> str | None:
    """Why ``path`` may not be read as a file (not a regular file, or larger than ``max_bytes``); None if it may.

    Decided from ``stat`` alone: a named pipe would block a reader forever and a device never
    ends, so nothing is opened before this says yes.
    """
    kind = file_kind(path)
    if kind != "regular file":
        return "does not exist" if kind == "missing" else f"is a {kind}, not a regular file"
    if max_bytes is not None:
        size = path.stat().st_size
        if size > max_bytes:
            return f"is {_size(size)}, over the limit of {_size(max_bytes)}"
    return None


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} kB"
    return f"{n} bytes"


def outside_reason(scope: ReadScope, written: str, base: Path | None = None) -> str | None:
    """Why a path as written in a project file (``written``, relative to ``base``, default the
    project root) leads outside the folders the project may read; None when it stays inside.

    ``..`` and absolute paths are judged by where they lead, symbolic links by their target, so a
    path is refused for what it reaches, whatever its spelling; ``allow_outside`` folders are inside.
    """
    p = Path(written)
    full = p if p.is_absolute() else (base or scope.root) / p
    if scope.allows(full):
        return None
    real = Path(os.path.realpath(full))
    if p.is_absolute():
        how = "is an absolute path outside the project"
    elif ".." in p.parts and not scope.allows(Path(os.path.normpath(full))):
        how = "climbs out of the project with '..'"
    else:
        how = f"is a symbolic link to {real}, outside the project"
    return f"{how} (allow its folder with allow_outside in indbuilder.yaml)"


def attachment_refusal(scope: ReadScope, written: str) -> tuple[str, str] | None:
    """``(rule, message)`` when the attachment path ``written`` (``file:`` or ``fill:``, relative to
    the project root) may not be read; None when it may. Only ``stat`` is used: nothing is opened."""
    why = outside_reason(scope, written)
    if why is not None:
        return "build.attachment-outside", f"attachment path {written!r} {why}"
    p = Path(written)
    problem = refusal(p if p.is_absolute() else scope.root / p, MAX_ATTACHMENT_BYTES)
    if problem is not None and problem != "does not exist":  # a missing file is build.attachment-missing
        return "build.attachment-unreadable", f"attachment {written!r} {problem}"
    return None


def check_attachments(project: "Project", docs: "Iterable[RenderedDoc]", diags: "Diagnostics") -> set[str]:
    """Report every attachment of ``docs`` (its ``file:`` and, for a filled form, its ``fill:``
    mapping) that may not be read, at the attachment's declaration; returns the refused doc ids.

    Called by the pipeline after rendering (so ``check`` reports it too) and again by the writer
    before it reads any attachment byte.
    """
    scope = project.config.read_scope
    fills = {a.file: a for a in project.dossier.attachments if a.fill}
    refused: set[str] = set()
    for rd in docs:
        written = rd.planned.attachment
        if rd.attachment is None or not written:
            continue
        found = attachment_refusal(scope, written)
        record = fills.get(written)
        where = rd.planned.location
        if found is None and record is not None and record.fill:
            found = attachment_refusal(scope, record.fill)
            where = project.dossier.where("attachments", record.id, "fill") or where
        if found is not None:
            diags.emit(found[0], found[1], where)
            refused.add(rd.doc_id)
    return refused
