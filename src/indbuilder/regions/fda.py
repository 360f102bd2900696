"""US FDA IND (21 CFR 312): English documents on US Letter, FDA Module 1 (us-regional v3.3)."""

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
class FdaRegion:
    name: str = "fda"
    label: str = "US FDA IND"
    languages: tuple[str, ...] = ("en",)
    paper: Paper = "letter"

    @property
    def lang(self) -> str:
        return self.languages[0]

    def outline_path(self) -> Path:
        return Path(str(resources.files("indbuilder.outline").joinpath("data", "fda.yaml")))

    def envelope(self, config: "ProjectConfig", dossier: "Dossier", diags: "Diagnostics") -> "Envelope":
        from ..ectd_bridge import envelope_for  # moved here by the region split

        return envelope_for(config, dossier, self.name)


PROFILE = FdaRegion()
