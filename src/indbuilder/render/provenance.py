"""What a rendered document was made from: the facts, narratives and templates it used.

Rendering records every fact it reads as a *fact path*: the section name, then record ids for list
items (list positions for items without an id) and field names below, exactly as
:meth:`indbuilder.model.dossier.Dossier.where` takes them, e.g.
``("batches", "LOT-01", "results", "sterility")`` or ``("product", "shelf_life", "value")``.
Checks use it to ask "does this document state that fact?" without reading the text back, and
incremental builds use it to know which documents a changed fact touches.

How it is recorded (no change to what templates print):

- :func:`index_facts` walks the template context once and maps ``id(fact object) -> fact path``
  (pydantic records, their lists and dicts; plain values have no identity of their own);
- the template sandbox calls :meth:`Recorder.read` on every attribute and item access, the template
  context calls :meth:`Recorder.name` on every top-level name a template resolves, the formatting
  filters call :meth:`Recorder.used` with the fact object they receive, the loader reports every
  template, include and import, and the ``narrative()`` callback every narrative;
- derived values (:mod:`indbuilder.derived`) are recorded as the fact paths they were computed from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel

FactPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Provenance:
    """The inputs of one rendered document (all sorted, so equal inputs compare and hash equal)."""

    facts: frozenset[FactPath] = field(default_factory=frozenset)
    narratives: frozenset[str] = field(default_factory=frozenset)  # display paths of narrative files
    templates: frozenset[str] = field(default_factory=frozenset)  # template names, includes and imports too

    def uses(self, *path: str | int) -> bool:
        """Whether the document read the fact at ``path`` or anything below or above it.

        ``uses("product", "shelf_life")`` is true when the document read ``product.shelf_life.value``
        (below) or the whole ``product.shelf_life`` object (the path itself). A bare section name
        (``("product",)``: the template referred to the section) is not "above" every fact of it.
        """
        n = len(path)
        return any(f[:n] == path or path[: len(f)] == f and len(f) > 1 for f in self.facts)

    @property
    def from_template(self) -> bool:
        """Whether the document was rendered from a template (so its fact reads were recorded)."""
        return bool(self.templates)


EMPTY = Provenance()

_CONTAINERS = (BaseModel, list, dict)


def index_facts(sections: Mapping[str, object], indexes: Mapping[str, object] | None = None) -> dict[int, FactPath]:
    """``id(object) -> fact path`` for every record, list and dict below the fact ``sections``.

    ``indexes``: per-section lookup dicts (the templates' ``idx``: ``idx.batches["LOT-01"]``); each
    maps to its section's path. The objects must stay alive while the index is used (ids are reused
    after an object is freed): the render stage keeps the template context for the whole region.
    """
    out: dict[int, FactPath] = {}

    def walk(obj: object, path: FactPath) -> None:
        out[id(obj)] = path
        if isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                v = getattr(obj, name)
                if isinstance(v, _CONTAINERS):
                    walk(v, path + (name,))
        elif isinstance(obj, list):
            for i, item in enumerate(obj):
                if isinstance(item, _CONTAINERS):
                    rid = getattr(item, "id", None) if isinstance(item, BaseModel) else None
                    walk(item, path + (rid if isinstance(rid, str) else i,))
        elif isinstance(obj, dict):
            for k, v in obj.items():
                if isinstance(v, _CONTAINERS):
                    walk(v, path + (str(k),))

    for name, value in sections.items():
        if isinstance(value, _CONTAINERS):
            walk(value, (name,))
    for name, lookup in (indexes or {}).items():
        out.setdefault(id(lookup), (name,))
    return out


class Recorder:
    """Collects the inputs of one document while it renders (see the module docstring)."""

    __slots__ = ("_facts", "_derived", "facts", "narratives", "templates")

    def __init__(self, facts: Mapping[int, FactPath], derived: Mapping[int, tuple[FactPath, ...]]) -> None:
        self._facts = facts
        self._derived = derived
        self.facts: set[FactPath] = set()
        self.narratives: set[str] = set()
        self.templates: set[str] = set()

    def read(self, obj: object, key: object, result: object) -> None:
        """A template read ``obj.key`` / ``obj[key]`` and got ``result``."""
        facts = self._facts
        path = facts.get(id(result))
        if path is not None:  # a record, list or dict of the dossier: its own path says it all
            self.facts.add(path)
            return
        path = facts.get(id(obj))
        if path is not None:  # a plain value (text, number) of a fact object: the field's path
            if isinstance(obj, BaseModel):
                self.facts.add(path + (key,) if isinstance(key, str) and key in type(obj).model_fields else path)
            elif isinstance(obj, dict) and isinstance(key, str) and key in obj:
                self.facts.add(path + (key,))
            elif isinstance(obj, list) and isinstance(key, int) and not isinstance(key, bool):
                self.facts.add(path + (key,))
            else:  # a method or property (`st.longest`, `limit.passes`): it reads the whole object
                self.facts.add(path)
            return
        if self._derived:
            for src in (self._derived.get(id(result)), self._derived.get(id(obj))):
                if src is not None:
                    self.facts.update(src)
                    return

    def name(self, value: object) -> None:
        """A template resolved a top-level name to ``value`` (a fact section, ``record`` …)."""
        path = self._facts.get(id(value))
        if path is not None:
            self.facts.add(path)

    def used(self, obj: object, *keys: str) -> None:
        """A filter or function read ``keys`` of ``obj`` (``t`` reads ``obj.en``; ``unit`` ``value``/``unit``)."""
        path = self._facts.get(id(obj))
        if path is None:
            src = self._derived.get(id(obj)) if self._derived else None
            if src is not None:
                self.facts.update(src)
            return
        if keys:
            self.facts.update(path + (k,) for k in keys)
        else:
            self.facts.add(path)

    def rows(self, rows: object, keys: Iterable[str]) -> None:
        """``table(rows, columns)`` read the dotted ``keys`` of every row."""
        if not isinstance(rows, (list, tuple)):
            return
        parts = [tuple(k.split(".")) for k in keys]
        for row in rows:
            path = self._facts.get(id(row))
            if path is not None:
                self.facts.update(path + p for p in parts)

    def narrative(self, path: str) -> None:
        self.narratives.add(path)

    def template(self, path: str) -> None:
        self.templates.add(path)

    def provenance(self) -> Provenance:
        """The record of everything read so far."""
        return Provenance(frozenset(self.facts), frozenset(self.narratives), frozenset(self.templates))
