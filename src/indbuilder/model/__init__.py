"""The fact model: typed, validated records of an IND dossier (pydantic v2).

Sections and the files that usually hold them are listed in :data:`dossier.SECTIONS`.
"""

from .dossier import SECTIONS, Dossier, Narrative, SourceMap

__all__ = ["SECTIONS", "Dossier", "Narrative", "SourceMap"]
