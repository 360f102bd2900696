"""The dossier: every fact and narrative of a project, indexed by id, with source locations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, cast

from ..diagnostics import Location
from .clinical import ConsentEssentials, Protocol, Site
from .cmc import AnalyticalMethod, Batch, ContainerClosure, Material, Process, Specification, StabilityStudy
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
    "process": (Process, True, "the manufacturing process (content/cmc/process.yaml)"),
    "materials": (list[Material], True, "materials and reagents (content/cmc/materials.yaml)"),
    "methods": (list[AnalyticalMethod], True, "analytical methods (content/cmc/methods.yaml)"),
    "specification": (Specification, True, "the release specification (content/cmc/specification.yaml)"),
    "batches": (list[Batch], True, "batch analyses (content/cmc/batches.yaml)"),
    "stability": (list[StabilityStudy], True, "stability studies (content/cmc/stability.yaml)"),
    "container_closure": (ContainerClosure, True, "container closure system (content/cmc/container.yaml)"),
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
    def process(self) -> Process | None:
        return cast("Process | None", self.facts.get("process"))

    @property
    def materials(self) -> list[Material]:
        return cast("list[Material]", self.facts.get("materials", []))

    @property
    def methods(self) -> list[AnalyticalMethod]:
        return cast("list[AnalyticalMethod]", self.facts.get("methods", []))

    @property
    def specification(self) -> Specification | None:
        return cast("Specification | None", self.facts.get("specification"))

    @property
    def batches(self) -> list[Batch]:
        return cast("list[Batch]", self.facts.get("batches", []))

    @property
    def stability(self) -> list[StabilityStudy]:
        return cast("list[StabilityStudy]", self.facts.get("stability", []))

    @property
    def container_closure(self) -> ContainerClosure | None:
        return cast("ContainerClosure | None", self.facts.get("container_closure"))

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
        """Records of a list section by id (``dossier.index('batches')['LOT-01']``)."""
        return {r.id: r for r in self.facts.get(section, [])}

    def where(self, *path: Any) -> Location | None:
        return self.sources.where(*path)

    def narrative(self, narrative_id: str, lang: str) -> Narrative | None:
        for n in self.narratives:
            if n.id == narrative_id and n.lang == lang:
                return n
        return None

    def records(self, section: str) -> Iterable[Record]:
        return cast("list[Record]", self.facts.get(section, []))

    @property
    def spec_tests(self) -> dict[str, Any]:
        spec = self.facts.get("specification")
        return {t.id: t for t in spec.tests} if spec else {}
