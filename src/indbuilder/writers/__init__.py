"""Output writers: one per file format, all consuming :class:`indbuilder.doctree.Document`.

``WRITERS`` maps a format name to its writer (``"docx"`` is always present). Writers register themselves when their module is
imported (``WRITERS["pdf"] = PdfWriter()`` at the end of ``writers/pdf.py``); :func:`get_writer`
imports a known writer module on first use, so a missing or broken optional writer (e.g. the
PDF writer and its typst dependency) never stops the others from working.
"""

from __future__ import annotations

import importlib
import inspect
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ..diagnostics import Diagnostics
    from ..doctree import Document


@runtime_checkable
class Writer(Protocol):
    """A document writer. ``extension`` includes the dot (``".docx"``).

    ``write`` may accept an optional second argument ``diags`` (a
    :class:`~indbuilder.diagnostics.Diagnostics` collector); :func:`write` passes it when it does.
    """

    name: str
    extension: str

    def write(self, doc: "Document") -> bytes:
        """Render ``doc`` to the bytes of one file."""
        ...


WRITERS: dict[str, Writer] = {}

# format name -> (module, writer class) loaded on first use
_MODULES: dict[str, tuple[str, str]] = {
    "docx": ("indbuilder.writers.docx", "DocxWriter"),
    "pdf": ("indbuilder.writers.pdf", "PdfWriter"),
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
        module_name, class_name = _MODULES[name]
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
        else:
            if name not in WRITERS and hasattr(module, class_name):
                register(getattr(module, class_name)())
    if name not in WRITERS:
        known = ", ".join(sorted(WRITERS)) or "none"
        raise KeyError(f"no writer for format {name!r} (loaded: {known})")
    return WRITERS[name]


def write(name: str, doc: "Document", diags: "Diagnostics | None" = None) -> bytes:
    """Render ``doc`` with the writer for format ``name``, passing ``diags`` to writers whose
    ``write`` accepts a second parameter."""
    writer = get_writer(name)
    params = list(inspect.signature(writer.write).parameters)
    if diags is not None and len(params) >= 2:
        return writer.write(doc, diags)  # type: ignore[call-arg]
    return writer.write(doc)


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
