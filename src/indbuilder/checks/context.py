"""What every rule family receives: the facts, the project settings and, per region, what was planned/rendered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config import ProjectConfig
from ..doctree import Document
from ..model.dossier import Dossier


@dataclass
class RegionResult:
    """One region's plan and rendered documents (empty ``documents`` when running fact-only checks)."""

    region: str  # "fda" | "nmpa"
    lang: str  # "en" | "zh"
    outline: Any  # indbuilder.outline Outline
    plan: Any  # indbuilder.outline Plan
    documents: list[Document] = field(default_factory=list)
    # source file (template or narrative display path) of each document, by DocMeta.element + doc id
    sources: dict[str, str] = field(default_factory=dict)


@dataclass
class CheckContext:
    config: ProjectConfig
    dossier: Dossier
    regions: list[RegionResult] = field(default_factory=list)

    def region(self, name: str) -> RegionResult | None:
        return next((r for r in self.regions if r.region == name), None)
