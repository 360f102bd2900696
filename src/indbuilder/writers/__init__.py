"""Output writers: one per file format, all consuming :class:`indbuilder.doctree.Document`.

``WRITERS`` maps a format name to its writer (``"docx"`` is always present). Writers register themselves when their module is
imported (``WRITERS["pdf"] = PdfWriter()`` at the end of ``writers/pdf.py``); :func:`get_writer`
imports a known writer module on first use, so a missing or broken optional writer (e.g. the
PDF writer and its typst dependency) never stops the others from working.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ..diagnostics import Diagnostics
    from ..doctree import Document


@runtime_checkable
class Writer(Protocol):
    """A document writer. ``extension`` includes the dot (``".docx"``)."""

    name: str
    extension: str

    def write(self, doc: "Document", diags: "Diagnostics | None" = None) -> bytes:
        """Render ``doc``; content problems go to ``diags`` (optional) as diagnostics."""
        ...


WRITERS: dict[str, Writer] = {}

# format name -> module that registers it on import
_MODULES: dict[str, str] = {
    "docx": "indbuilder.writers.docx",
    "pdf": "indbuilder.writers.pdf",
}


def register(writer: Writer) -> Writer:
    """Add ``writer`` to :data:`WRITERS` under ``writer.name``."""
    WRITERS[writer.name] = writer
    return writer


def get_writer(name: str) -> Writer:
    """The writer for format ``name``, importing its module on first use.

    Raises ``KeyError`` for an unknown format or a writer whose module is not installed.
    """
    if name not in WRITERS and name in _MODULES:
        try:
            importlib.import_module(_MODULES[name])
        except ModuleNotFoundError as exc:
            if exc.name != _MODULES[name]:
                raise
    if name not in WRITERS:
        known = ", ".join(sorted(WRITERS)) or "none"
        raise KeyError(f"no writer for format {name!r} (loaded: {known})")
    return WRITERS[name]


def available() -> list[str]:
    """Names of the formats whose writer can be loaded, in a stable order."""
    names = []
    for name in sorted(set(_MODULES) | set(WRITERS)):
        try:
            get_writer(name)
        except KeyError:
            continue
        names.append(name)
    return names


# DOCX is always available (python-docx is a core dependency): register it eagerly.
from . import docx as _docx  # noqa: E402,F401
