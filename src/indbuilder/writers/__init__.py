"""Output writers: one per file format, all consuming :class:`indbuilder.doctree.Document`.

Every writer implements the :class:`~.base.Writer` protocol (``name``, ``extension``,
``submission``, ``write(doc, ctx) -> WriteResult``). The registry knows them by format name:

- the built-in ``docx`` and ``pdf`` writers are imported on first use (each module exports
  ``WRITER``), so typst is only imported when a PDF is written;
- installed packages add writers through the ``indbuilder.writers`` entry-point group (each entry
  point names a writer object; its name is the format name);
- a test or script calls :func:`register`.

``indbuilder.yaml``'s ``formats`` names writers; :func:`check_format` is the validation message.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import EntryPoint, entry_points

from .base import WriteContext, WriteError, WriteResult, Writer, document_context

#: Entry-point group through which installed packages add writers.
ENTRY_POINT_GROUP = "indbuilder.writers"

_REGISTRY: dict[str, Writer] = {}
# format name -> module exporting ``WRITER``, imported on first use
_BUILTIN: dict[str, str] = {
    "docx": "indbuilder.writers.docx",
    "pdf": "indbuilder.writers.pdf_writer",
}


def register(writer: Writer) -> Writer:
    """Add (or replace) ``writer`` under ``writer.name``."""
    if not isinstance(writer, Writer):
        raise TypeError(f"{writer!r} is not a writer (needs name, extension, submission and write(doc, ctx))")
    _REGISTRY[writer.name] = writer
    return writer


def unregister(name: str) -> None:
    """Remove a writer (tests that register a toy writer clean up with it)."""
    _REGISTRY.pop(name, None)


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available() -> list[str]:
    """Every format name a writer is known for, sorted; nothing is imported to list them."""
    return sorted(set(_BUILTIN) | set(_REGISTRY) | set(_entry_points()))


def get_writer(name: str) -> Writer:
    """The writer for format ``name``, importing a built-in or entry-point writer on first use.

    Raises ``KeyError`` naming the known formats when ``name`` is not one of them.
    """
    if name not in _REGISTRY:
        if name in _BUILTIN:
            register(import_module(_BUILTIN[name]).WRITER)
        else:
            found = _entry_points().get(name)
            if found is None:
                raise KeyError(check_format(name))
            writer = found.load()
            register(writer)
            if writer.name != name:
                raise KeyError(f"entry point {name!r} of {ENTRY_POINT_GROUP} names a writer called {writer.name!r}")
    return _REGISTRY[name]


def check_format(name: str) -> str | None:
    """``None`` when ``name`` is a known format, else the message a config error should print."""
    known = available()
    if name in known:
        return None
    return f"unknown format {name!r}; available writers: {', '.join(known)}"


__all__ = [
    "ENTRY_POINT_GROUP",
    "WriteContext",
    "WriteError",
    "WriteResult",
    "Writer",
    "available",
    "check_format",
    "document_context",
    "get_writer",
    "register",
    "unregister",
]
