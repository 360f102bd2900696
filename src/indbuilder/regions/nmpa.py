"""China NMPA IND (药品注册管理办法): Simplified Chinese documents on A4, NMPA Module 1 (cn-regional 1.0)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .base import Paper

if TYPE_CHECKING:  # pragma: no cover
    from ..config import ProjectConfig
    from ..diagnostics import Diagnostics
    from ..ectd.model import Envelope
    from ..model.dossier import Dossier


@dataclass(frozen=True)
class NmpaRegion:
    name: str = "nmpa"
    label: str = "China NMPA IND"
    languages: tuple[str, ...] = ("zh",)
    paper: Paper = "a4"

    @property
    def lang(self) -> str:
        return self.languages[0]

    def outline_path(self) -> Path:
        return Path(str(resources.files("indbuilder.outline").joinpath("data", "nmpa.yaml")))

    def envelope(self, config: "ProjectConfig", dossier: "Dossier", diags: "Diagnostics") -> "Envelope":
        from ..ectd_bridge import envelope_for  # moved here by the region split

        return envelope_for(config, dossier, self.name)


PROFILE = NmpaRegion()
