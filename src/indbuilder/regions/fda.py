"""US FDA IND (21 CFR 312): English documents on US Letter, FDA Module 1 (us-regional v3.3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .base import ICH_STF_UTIL, ICH_UTIL, Module1, PackagedRegion, Paper
from .envelope import build_envelope

if TYPE_CHECKING:  # pragma: no cover
    from ..config import ProjectConfig
    from ..diagnostics import Diagnostics
    from ..ectd.model import Envelope
    from ..model.dossier import Dossier


@dataclass(frozen=True)
class FdaCodes:
    """FDA us-regional v3.3 envelope codes (application-type fdaat4 = IND)."""

    application_type: str = "fdaat4"
    submission_type: str = "fdast1"
    submission_sub_type: str = "fdasst3"
    submission_id: str | None = None  # defaults to related_sequence or the sequence itself


def fda_envelope_codes(env: "Envelope") -> FdaCodes:
    """The FDA codes of an envelope (the defaults, an initial IND, when it carries none)."""
    return env.codes if isinstance(env.codes, FdaCodes) else FdaCodes()


@dataclass(frozen=True)
class FdaRegion(PackagedRegion):
    name: str = "fda"
    label: str = "US FDA IND"
    languages: tuple[str, ...] = ("en",)
    paper: Paper = "letter"
    site_country: str | None = "US"
    requires: tuple[str, ...] = ("regulatory.fda",)

    def envelope(self, config: "ProjectConfig", dossier: "Dossier", diags: "Diagnostics") -> "Envelope":
        """Application number, description and submission codes from ``regulatory.fda`` (FDA M1 spec v2.6)."""
        if dossier.regulatory is None:  # required by the facts' schema
            raise ValueError("an eCTD envelope needs the regulatory facts")
        fda = dossier.regulatory.fda
        if fda is None:  # the loader requires regulatory.fda when fda is a region
            raise ValueError("an FDA envelope needs regulatory.fda")
        codes = FdaCodes(submission_type=fda.submission_type, submission_sub_type=fda.submission_sub_type)
        return build_envelope(config, dossier, self.name, self.lang, fda.application_number, fda.description, codes)

    def util_standards(self) -> tuple[str, ...]:
        # us-regional.xml names FDA's published DTD by URL; util/dtd carries the copy (FDA M1 spec v2.6).
        return ICH_UTIL + ICH_STF_UTIL + ("us-regional-v3-3.dtd",)

    def module1(self) -> Module1 | None:
        from .fda_m1 import MODULE1

        return MODULE1


PROFILE = FdaRegion()
