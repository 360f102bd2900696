"""The modality registry: every kind of product indbuilder can assemble an IND for, by name.

Built-in modalities (``small-molecule``, ``protein``, ``cell-therapy``, ``gene-therapy``) are registered
on first use; a package may add more through the ``indbuilder.modalities`` entry-point group (each entry
point names a :class:`ModalityProfile`), and a test may call :func:`register`. A product names its
modalities in ``product.modality`` (primary first); :func:`resolve` combines them into a :class:`Modality`
that the loader, the templates (``modality``) and the rules ask.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..registry import Registry
from .base import Centre, ModalityProfile, Requirement, Wording

_REGISTRY: Registry[ModalityProfile] = Registry(
    "modality",
    {
        "small-molecule": "indbuilder.modalities.small_molecule",
        "protein": "indbuilder.modalities.protein",
        "cell-therapy": "indbuilder.modalities.cell_therapy",
        "gene-therapy": "indbuilder.modalities.gene_therapy",
    },
    "indbuilder.modalities",
    ModalityProfile,
)
register = _REGISTRY.register
unregister = _REGISTRY.unregister
names = _REGISTRY.names
get = _REGISTRY.get

# What a combination of modalities is called where it has a name of its own.
_COMBINED_TITLES: dict[frozenset[str], dict[str, str]] = {
    frozenset({"cell-therapy", "gene-therapy"}): {"en": "gene-modified cell therapy product", "zh": "基因修饰细胞治疗产品"},
}


@dataclass(frozen=True)
class Modality:
    """The modalities of one product, combined (a gene-modified cell therapy is cell + gene therapy)."""

    profiles: tuple[ModalityProfile, ...]  # in the product's order: the primary modality first

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.profiles)

    def has(self, name: str) -> bool:
        """Whether the product is (among others) of modality ``name``; templates ask ``modality.has('cell-therapy')``."""
        return name in self.names

    @property
    def biological(self) -> bool:
        """Whether the product is a biological product (anything but a chemical drug alone)."""
        return any(p.nmpa_product_type != "cnprt1" for p in self.profiles)

    @property
    def fda_centre(self) -> Centre:
        """CBER when any part of the product is a cell or gene therapy, else the profiles' centre."""
        centres = {p.fda_centre for p in self.profiles}
        return "CBER" if "CBER" in centres else "CDER"

    @property
    def nmpa_product_type(self) -> str:
        """Envelope product type: 生物制品 (cnprt2) when any part is biological, else 化学药品 (cnprt1)."""
        return "cnprt2" if self.biological else "cnprt1"

    def title(self, lang: str) -> str:
        """The kind of product in words ("gene-modified cell therapy product", "化学药品")."""
        combined = _COMBINED_TITLES.get(frozenset(self.names))
        if combined:
            return combined.get(lang, combined["en"])
        return " / ".join(p.title.get(lang, p.title["en"]) for p in self.profiles)

    def category(self, lang: str) -> str:
        """NMPA registration category family (化学药品 / 治疗用生物制品)."""
        p = self.profiles[0]
        return p.nmpa_category.get(lang, p.nmpa_category["en"])

    @property
    def guidelines(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.guideline for p in self.profiles))

    @property
    def dose_units(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(u for p in self.profiles for u in p.dose_units))

    @property
    def bsa_scaling(self) -> bool:
        """FDA 2005 body-surface-area scaling applies only when every part of the product allows it."""
        return all(p.bsa_scaling for p in self.profiles)

    @property
    def requires(self) -> tuple[Requirement, ...]:
        return tuple({r.path: r for p in self.profiles for r in p.requires}.values())

    @property
    def template_parts(self) -> tuple[str, ...]:
        """Folders under ``templates/ectd/modalities/`` searched before the common templates, first wins."""
        return self.names

    def own_wording(self) -> tuple[Wording, ...]:
        return tuple(w for p in self.profiles for w in p.wording)

    def foreign_wording(self) -> tuple[tuple[ModalityProfile, Wording], ...]:
        """Wording that only other modalities use: what a document of this product must not say."""
        own = {w.pattern for w in self.own_wording()}
        out: list[tuple[ModalityProfile, Wording]] = []
        for name in names():
            if self.has(name):
                continue
            profile = get(name)
            out.extend((profile, w) for w in profile.wording if w.pattern not in own)
        return tuple(out)


def resolve(modality_names: list[str] | tuple[str, ...]) -> Modality:
    """The combined :class:`Modality` of a product's ``modality`` list (names must be registered)."""
    return Modality(tuple(get(n) for n in modality_names))


__all__ = ["Centre", "Modality", "ModalityProfile", "Requirement", "Wording", "get", "names", "register", "resolve", "unregister"]
