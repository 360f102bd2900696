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
