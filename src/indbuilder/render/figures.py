"""Figures generated from the facts, asked for in Markdown as ``![caption](<kind>:<target>)``.

Each figure kind is a function registered under its scheme in :data:`FIGURE_KINDS`: it receives
the request's target and the template context (the facts) and returns the image, or raises
:class:`~indbuilder.render.markdown.FigureError` saying which fact is missing or invalid. One kind
exists today:

- ``structure:<record>``: the chemical structure of ``<record>.structure.smiles`` (``product``, or
  any record of the context that carries a ``structure``), drawn by RDKit (:mod:`indbuilder.chem`),
  for 3.2.S.1.2 (ICH M4Q(R1): "the structural formula, including relative and absolute
  stereochemistry, the molecular formula, and the relative molecular mass").

A new kind (e.g. a process flow diagram, a stability plot) is one function and one entry in
:data:`FIGURE_KINDS`; the Markdown syntax, the document tree and the writers stay as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..doctree import Figure
from .markdown import FigureError, ImageRequest, ImageResolver


@dataclass(frozen=True)
class FigureImage:
    """What a figure kind makes: image bytes, their media type and the default printed width."""

    data: bytes
    media_type: str
    width_mm: float


#: A figure kind: (target, template context) -> image, or FigureError.
FigureKind = Callable[[str, Mapping[str, Any]], FigureImage]

#: Printed width of a structure drawing: 3:2 canvas of 1200 px -> 100 mm is about 300 dpi.
STRUCTURE_WIDTH_MM = 100.0


@lru_cache(maxsize=32)
def _structure_png(smiles: str) -> bytes:
    """The drawing of a SMILES (cached: one drawing serves every region and language)."""
    from ..chem import draw_png

    return draw_png(smiles)


def structure_figure(target: str, context: Mapping[str, Any]) -> FigureImage:
    """``structure:<target>``: the drawing of ``context[target].structure.smiles`` (PNG)."""
    from ..chem import SmilesError

    name = target.strip() or "product"
    record = context.get(name)
    if record is None:
        raise FigureError(f"there is no '{name}' in the facts")
    structure = getattr(record, "structure", None)
    smiles = getattr(structure, "smiles", None) if structure is not None else None
    if not smiles:
        raise FigureError(f"'{name}' declares no chemical structure (add {name}.structure.smiles)")
    try:
        png = _structure_png(str(smiles))
    except SmilesError as exc:
        raise FigureError(f"{name}.structure.smiles: {exc}") from None
    return FigureImage(png, "image/png", STRUCTURE_WIDTH_MM)


#: Every generated figure kind by its Markdown scheme.
FIGURE_KINDS: dict[str, FigureKind] = {"structure": structure_figure}


def figure_resolver(context: Mapping[str, Any]) -> ImageResolver:
    """The image resolver for :func:`~indbuilder.render.markdown.markdown_to_blocks` that makes the
    generated figures of one document from its template ``context``."""

    def resolve(request: ImageRequest) -> Figure | None:
        kind = FIGURE_KINDS.get(request.scheme)
        if kind is None:
            return None
        image = kind(request.target, context)
        width = request.width_mm if request.width_mm is not None else image.width_mm
        return Figure(image.data, image.media_type, request.caption, request.anchor, width)

    return resolve
