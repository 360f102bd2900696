"""China NMPA IND (药品注册管理办法): Simplified Chinese documents on A4, NMPA Module 1 (cn-regional 1.0)."""

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
class NmpaCodes:
    """NMPA cn-regional 1.0 envelope codes (cnapt1 = IND)."""

    application_type: str = "cnapt1"
    product_type: str = "cnprt1"
    regulatory_activity_type: str = "cnrat1"
    sequence_type: str = "cnsqt1"
    product_number: str = ""


def nmpa_envelope_codes(env: "Envelope") -> NmpaCodes:
    """The NMPA codes of an envelope (the defaults, an IND, when it carries none)."""
    return env.codes if isinstance(env.codes, NmpaCodes) else NmpaCodes()


@dataclass(frozen=True)
class NmpaRegion(PackagedRegion):
    name: str = "nmpa"
    label: str = "China NMPA IND"
    languages: tuple[str, ...] = ("zh",)
    paper: Paper = "a4"
    site_country: str | None = "CN"
    requires: tuple[str, ...] = ("regulatory.nmpa",)

    def envelope(self, config: "ProjectConfig", dossier: "Dossier", diags: "Diagnostics") -> "Envelope":
        """Application id, description and cn-envelope codes from ``regulatory.nmpa`` (NMPA eCTD 4.2.x)."""
        if dossier.regulatory is None:  # required by the facts' schema
            raise ValueError("an eCTD envelope needs the regulatory facts")
        nmpa = dossier.regulatory.nmpa
        if nmpa is None:  # the loader requires regulatory.nmpa when nmpa is a region
            raise ValueError("an NMPA envelope needs regulatory.nmpa")
        # 化学药品 (cnprt1) or 生物制品 (cnprt2) follows from the product's modality unless stated.
        product_type = nmpa.product_type or (dossier.product.kind.nmpa_product_type if dossier.product else "cnprt2")
        codes = NmpaCodes(
            application_type=nmpa.application_type,
            product_type=product_type,
            regulatory_activity_type=nmpa.regulatory_activity,
            sequence_type=nmpa.sequence_type,
        )
        return build_envelope(config, dossier, self.name, self.lang, nmpa.application_id, nmpa.description, codes)

    def util_standards(self) -> tuple[str, ...]:
        # cn-regional.xml validates against the NMPA schema and the W3C schemas it imports; NMPA also
        # carries the STF 2.3 stylesheet (NMPA eCTD技术规范 V1.1 util folder).
        return ICH_UTIL + ICH_STF_UTIL + ("ich-stf-stylesheet-2-3.xsl", "cn-regional-1-0.xsd", "cn-regional-1-1.xsl",
                                          "xlink.xsd", "xml.xsd")

    def module1(self) -> Module1 | None:
        from .nmpa_m1 import MODULE1

        return MODULE1


PROFILE = NmpaRegion()
