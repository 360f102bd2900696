"""What a rendered document was made from: the facts, narratives and templates it used.

Rendering records every fact it reads as a *fact path*: the section name, then record ids for list
items and field names below, exactly as :meth:`indbuilder.model.dossier.Dossier.where` takes them,
e.g. ``("batches", "LOT-01", "results", "sterility")`` or ``("product", "shelf_life", "value")``.
Checks use it to ask "does this document state that fact?" without reading the text back, and
incremental builds use it to know which documents a changed fact touches.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FactPath = tuple[str, ...]


@dataclass(frozen=True)
class Provenance:
    """The inputs of one rendered document (all sorted, so equal inputs compare and hash equal)."""

    facts: frozenset[FactPath] = field(default_factory=frozenset)
    narratives: frozenset[str] = field(default_factory=frozenset)  # display paths of narrative files
    templates: frozenset[str] = field(default_factory=frozenset)  # template names, includes and imports too

    def uses(self, *path: str) -> bool:
        """Whether the document read the fact at ``path`` or anything below or above it.

        ``uses("product", "shelf_life")`` is true when the document read ``product.shelf_life.value``
        (below) or the whole ``product.shelf_life`` object (the path itself).
        """
        n = len(path)
        return any(f[:n] == path or path[: len(f)] == f and len(f) > 1 for f in self.facts)


EMPTY = Provenance()
