"""The dossier: every fact and narrative of a project, indexed by id, with source locations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, cast

from ..diagnostics import Location
from .clinical import ConsentEssentials, Protocol, Site
from .cmc import AnalyticalMethod, Batch, DrugProduct, DrugSubstance, Material, StabilityStudy
from .common import Record
from .literature import Abbreviation, Attachment, NotApplicable, Reference
from .nonclinical import Study
from .product import Product
from .sponsor import Organisation, Regulatory, Sponsor

# Top-level keys a fact file may contain, the model of each, and whether a dossier needs it.
# Any file under content/ may hold any of these keys; list sections from several files are joined.
SECTIONS: dict[str, tuple[Any, bool, str]] = {
    "product": (Product, True, "the investigational product (content/product.yaml)"),
    "sponsor": (Sponsor, True, "the sponsor (content/sponsor.yaml)"),
    "organisations": (list[Organisation], True, "manufacturers, CROs and suppliers (content/sponsor.yaml)"),
    "regulatory": (Regulatory, True, "submission envelope, meetings, IB version (content/regulatory.yaml)"),
    "drug_substance": (DrugSubstance, True, "the drug substance, CTD 3.2.S: process, materials, specification, batches, stability (content/cmc/)"),
    "drug_product": (DrugProduct, True, "the drug product, CTD 3.2.P: composition, process, specification, batches, stability, container (content/cmc/)"),
    "methods": (list[AnalyticalMethod], True, "analytical methods of 3.2.S.4.2 and 3.2.P.5.2 (content/cmc/methods.yaml)"),
    "studies": (list[Study], True, "nonclinical studies (content/nonclinical/studies.yaml)"),
    "protocol": (Protocol, True, "the clinical protocol (content/clinical/protocol.yaml)"),
    "sites": (list[Site], True, "clinical sites and investigators (content/clinical/sites.yaml)"),
    "consent": (ConsentEssentials, True, "informed consent essentials (content/clinical/consent.yaml)"),
    "literature": (list[Reference], False, "literature references (content/literature.yaml)"),
    "abbreviations": (list[Abbreviation], False, "abbreviations (content/abbreviations.yaml)"),
    "not_applicable": (list[NotApplicable], False, "not-applicable declarations (content/not-applicable.yaml)"),
    "attachments": (list[Attachment], False, "user-supplied PDFs (content/attachments.yaml)"),
}

LIST_SECTIONS = {name for name, (typ, _, _) in SECTIONS.items() if getattr(typ, "__origin__", None) is list}

# Sections whose record may be spread over several files, one key per file or several: the drug substance
# and drug product each gather process, materials, specification, batches, stability and container
# (content/cmc/process.yaml may hold both records' processes, batches.yaml both records' lots).
COMPOSITE_SECTIONS = {"drug_substance", "drug_product"}

# Lists of the drug substance and drug product whose records are named by an id unique in the dossier:
# ``dossier.where("batches", "LOT-01")`` finds the lot in whichever record holds it.
PART_LISTS = ("batches", "stability", "materials")

# Former top-level sections and where they belong now (the loader's hint for older projects).
MOVED_SECTIONS = {
    "process": "drug_substance.process and drug_product.process",
    "materials": "drug_substance.materials or drug_product.materials",
    "specification": "drug_substance.specification (3.2.S.4.1) or drug_product.specification (3.2.P.5.1)",
    "batches": "drug_substance.batches (3.2.S.4.4) or drug_product.batches (3.2.P.5.4)",
    "stability": "drug_substance.stability (3.2.S.7) or drug_product.stability (3.2.P.8)",
    "container_closure": "drug_substance.container_closure (3.2.S.6) or drug_product.container_closure (3.2.P.7)",
}

SourcePath = tuple[Any, ...]


@dataclass
class Narrative:
    """A Markdown narrative file: front matter plus body, with the body's first line number."""

    id: str
    path: str  # display path, relative to the project root
    lang: str
    body: str
    body_line: int  # file line number of the body's first line
    node: str | None = None  # outline node this narrative fills (as a whole document)
    title: str | None = None
    version: str | None = None
    translation_of: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class SourceMap:
    """Where each fact came from, keyed by a logical path that uses record ids for list items.

    ``where("batches", "LOT-01", "results", "sterility")`` gives the location of that result;
    a path that is not recorded falls back to its nearest recorded parent.
    """

    locations: dict[SourcePath, Location] = field(default_factory=dict)

    def where(self, *path: Any) -> Location | None:
        kp = tuple(path)
        while kp:
            if kp in self.locations:
                return self.locations[kp]
            kp = kp[:-1]
        return None


@dataclass
class Dossier:
    """Everything read from ``content/``: validated facts, narratives and their locations."""

    facts: dict[str, Any]
    narratives: list[Narrative] = field(default_factory=list)
    sources: SourceMap = field(default_factory=SourceMap)

    # One typed property per section of SECTIONS: a missing single section is None, a missing list [].
    @property
    def product(self) -> Product | None:
        return cast("Product | None", self.facts.get("product"))

    @property
    def sponsor(self) -> Sponsor | None:
        return cast("Sponsor | None", self.facts.get("sponsor"))

    @property
    def organisations(self) -> list[Organisation]:
        return cast("list[Organisation]", self.facts.get("organisations", []))

    @property
    def regulatory(self) -> Regulatory | None:
        return cast("Regulatory | None", self.facts.get("regulatory"))

    @property
    def drug_substance(self) -> DrugSubstance | None:
        return cast("DrugSubstance | None", self.facts.get("drug_substance"))

    @property
    def drug_product(self) -> DrugProduct | None:
        return cast("DrugProduct | None", self.facts.get("drug_product"))

    def parts(self) -> list[tuple[str, DrugSubstance | DrugProduct]]:
        """The drug substance and drug product that are present, with their section name."""
        out: list[tuple[str, DrugSubstance | DrugProduct]] = []
        if self.drug_substance is not None:
            out.append(("drug_substance", self.drug_substance))
        if self.drug_product is not None:
            out.append(("drug_product", self.drug_product))
        return out

    def tested_part(self, section: str) -> DrugSubstance | DrugProduct | None:
        """The record whose specification, batches and stability cover ``section``'s material: the drug
        substance itself, or the drug product when the drug substance is not isolated."""
        if section == "drug_substance" and self.drug_substance is not None and not self.drug_substance.isolated:
            return self.drug_product
        return cast("DrugSubstance | DrugProduct | None", self.facts.get(section))

    def part_of(self, list_name: str, record_id: str) -> str | None:
        """Which record (``drug_substance`` or ``drug_product``) holds the ``list_name`` record ``record_id``."""
        for section, part in self.parts():
            if any(r.id == record_id for r in getattr(part, list_name)):
                return section
        return None

    @property
    def materials(self) -> list[Material]:
        """Every material of the drug substance and the drug product (ids are unique in the dossier)."""
        return [m for _, p in self.parts() for m in p.materials]

    @property
    def methods(self) -> list[AnalyticalMethod]:
        return cast("list[AnalyticalMethod]", self.facts.get("methods", []))

    @property
    def batches(self) -> list[Batch]:
        """Every lot: drug substance lots first, then drug product lots (ids are unique in the dossier)."""
        return [b for _, p in self.parts() for b in p.batches]

    @property
    def stability(self) -> list[StabilityStudy]:
        """Every stability study of the drug substance and the drug product."""
        return [s for _, p in self.parts() for s in p.stability]

    @property
    def studies(self) -> list[Study]:
        return cast("list[Study]", self.facts.get("studies", []))

    @property
    def protocol(self) -> Protocol | None:
        return cast("Protocol | None", self.facts.get("protocol"))

    @property
    def sites(self) -> list[Site]:
        return cast("list[Site]", self.facts.get("sites", []))

    @property
    def consent(self) -> ConsentEssentials | None:
        return cast("ConsentEssentials | None", self.facts.get("consent"))

    @property
    def literature(self) -> list[Reference]:
        return cast("list[Reference]", self.facts.get("literature", []))

    @property
    def abbreviations(self) -> list[Abbreviation]:
        return cast("list[Abbreviation]", self.facts.get("abbreviations", []))

    @property
    def not_applicable(self) -> list[NotApplicable]:
        return cast("list[NotApplicable]", self.facts.get("not_applicable", []))

    @property
    def attachments(self) -> list[Attachment]:
        return cast("list[Attachment]", self.facts.get("attachments", []))

    def index(self, section: str) -> dict[str, Record]:
        """Records of a list section by id (``dossier.index('batches')['LOT-01']``); the lists of the drug
        substance and drug product (batches, stability, materials) are indexed across both."""
        return {r.id: r for r in self.records(section)}

    def where(self, *path: Any) -> Location | None:
        """Where a fact came from. ``where("batches", "LOT-01", ...)`` finds the lot in the drug substance
        or drug product record that holds it."""
        if len(path) >= 2 and path[0] in PART_LISTS:
            section = self.part_of(path[0], path[1])
            if section is not None:
                return self.sources.where(section, *path)
        elif len(path) == 1 and path[0] in PART_LISTS:  # the whole list: where the first record's list is
            for section, part in self.parts():
                if getattr(part, path[0]):
                    return self.sources.where(section, path[0])
        return self.sources.where(*path)

    def narrative(self, narrative_id: str, lang: str) -> Narrative | None:
        for n in self.narratives:
            if n.id == narrative_id and n.lang == lang:
                return n
        return None

    def records(self, section: str) -> Iterable[Record]:
        if section in PART_LISTS:
            return cast("list[Record]", getattr(self, section))
        return cast("list[Record]", self.facts.get(section, []))
