"""What a region is to indbuilder: the :class:`RegionProfile` protocol every region module implements.

A region (FDA, NMPA, or one a user registers) decides the language of its documents, its CTD outline,
its paper size, the submission envelope, where Module 1 documents go and which regional backbone and
validation rules apply. Nothing outside ``indbuilder.regions`` spells a region's name: code asks the
profile (see ``regions/__init__.py`` for the registry).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:  # pragma: no cover
    from ..config import ProjectConfig
    from ..diagnostics import Diagnostics
    from ..ectd.model import Envelope
    from ..model.dossier import Dossier

Paper = Literal["letter", "a4"]


@runtime_checkable
class RegionProfile(Protocol):
    """One regulatory region. Implementations are small frozen objects registered by name."""

    name: str  # registry key and config value, e.g. "fda"
    label: str  # for messages, e.g. "US FDA IND"
    languages: tuple[str, ...]  # language codes of its documents; the first is the document language
    paper: Paper  # page size of its documents (FDA: US Letter; NMPA: A4)

    @property
    def lang(self) -> str:
        """The document language (``languages[0]``)."""
        ...

    def outline_path(self) -> Path:
        """The outline data file (CTD tree with statuses and fills) of this region."""
        ...

    def envelope(self, config: "ProjectConfig", dossier: "Dossier", diags: "Diagnostics") -> "Envelope":
        """The eCTD sequence envelope of this region, from ``regulatory``, ``sponsor`` and ``product`` facts."""
        ...
