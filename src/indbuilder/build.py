"""The typed records that flow through the pipeline (see ``pipeline.py`` for the stages).

Every stage is a function that takes some of these values and returns new ones; no stage module
imports ``pipeline``. The order of the records follows the pipeline::

    Project          config + dossier (stage load)
    RegionBuild      one region: its profile, outline and plan (stage plan),
                     its eCTD placement (stage place), its rendered documents (stage render)
    RenderedDoc      one document: planned document, outline node, eCTD path, source, provenance
    CheckContext     what the rule families read (stage check)
    Analysis         the project with every region's build (what ``check`` returns)
    BuildResult      what ``build`` wrote and published, per region (for its summary)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .config import ProjectConfig
from .diagnostics import Diagnostic, Diagnostics, Location
from .doctree import Document
from .model.dossier import Dossier
from .outline.model import Outline, OutlineNode
from .outline.planner import Plan, PlannedDocument
from .regions.base import RegionProfile
from .render.provenance import EMPTY, Provenance
from .timing import Stopwatch

if TYPE_CHECKING:  # pragma: no cover - the eCTD layer is imported only when a sequence is placed
    from .ectd.layout import Item
    from .ectd.model import Envelope


@dataclass
class Project:
    """A loaded project: ``indbuilder.yaml`` and everything read from ``content/``."""

    config: ProjectConfig
    dossier: Dossier
    timings: Stopwatch = field(default_factory=Stopwatch)


@dataclass
class Placement:
    """Where every document of one region goes in its eCTD sequence, computed once before rendering.

    ``paths`` gives each planned document's path inside the sequence folder (rendering writes
    relative links with it); ``items`` are the placed leaves that assembly fills with bytes;
    ``diagnostics`` are placement problems (unknown nodes, missing standards), reported once.
    """

    envelope: "Envelope"
    paths: dict[str, str] = field(default_factory=dict)
    items: dict[str, "Item"] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass
class RenderedDoc:
    """One document of one region: what was planned, what was rendered, where it goes, what it used."""

    planned: PlannedDocument
    region: str  # region name, e.g. "fda"
    lang: str  # document language, e.g. "en"
    path: str  # eCTD path inside the sequence folder, e.g. m3/32-body-data/.../stability.pdf
    node: OutlineNode | None  # None for a pseudo-node such as form:fdaft1
    document: Document | None  # None for attachments (their bytes are used as they are)
    source: Location | None  # the template, narrative or attachment it came from
    provenance: Provenance = EMPTY
    attachment: Path | None = None  # the user's file, for attachments
    reuse: Path | None = None  # the submitted PDF carried forward unchanged (later sequences)
    _text: str | None = field(default=None, repr=False, compare=False)

    @property
    def doc(self) -> Document:
        """The rendered document (rule families only see documents that have one)."""
        if self.document is None:
            raise ValueError(f"{self.planned.doc_id} is an attachment and has no rendered document")
        return self.document

    @property
    def doc_id(self) -> str:
        return self.planned.doc_id

    @property
    def element(self) -> str:
        """The eCTD element (outline node id) the document is placed at."""
        return self.planned.node

    @property
    def label(self) -> str:
        """How findings name the document: CTD section and title, e.g. "3.2.P.8.1 Stability Summary"."""
        return f"{self.doc.meta.ctd_section} {self.doc.meta.title}"

    @property
    def text(self) -> str:
        """All the text a reader sees, one block per line, title first (computed once)."""
        if self._text is None:
            from .doctree import document_text

            self._text = document_text(self.doc)
        return self._text


@dataclass
class RegionBuild:
    """One region's build: its profile, outline and plan, then its placement and rendered documents."""

    profile: RegionProfile
    outline: Outline
    plan: Plan
    placement: Placement | None = None
    docs: list[RenderedDoc] = field(default_factory=list)

    @property
    def region(self) -> str:
        return self.profile.name

    @property
    def lang(self) -> str:
        return self.profile.lang

    @property
    def documents(self) -> list[RenderedDoc]:
        """The rendered documents (attachments left out), in plan order."""
        return [d for d in self.docs if d.document is not None]


@dataclass
class Analysis:
    """What ``check`` produces and ``build`` writes: the project and each region's build."""

    project: Project
    regions: list[RegionBuild] = field(default_factory=list)

    @property
    def config(self) -> ProjectConfig:
        return self.project.config

    @property
    def dossier(self) -> Dossier:
        return self.project.dossier


@dataclass
class CheckContext:
    """What every rule family receives: settings, facts and, per region, the build so far."""

    config: ProjectConfig
    dossier: Dossier
    regions: list[RegionBuild] = field(default_factory=list)

    def region(self, name: str) -> RegionBuild | None:
        return next((r for r in self.regions if r.region == name), None)


@dataclass
class PublishedRegion:
    """One region's published output: its folder, the eCTD sequence in it and the review copies."""

    region: str
    folder: Path  # <output>/<region>
    application: str | None = None  # application number (the folder under ectd/)
    sequence: str | None = None  # sequence number, e.g. "0000"
    review_formats: tuple[str, ...] = ()  # formats written as review copies, e.g. ("docx",)

    @property
    def sequence_dir(self) -> Path | None:
        """``<output>/<region>/ectd/<application>/<sequence>`` when a sequence was assembled."""
        if self.application is None or self.sequence is None:
            return None
        path = self.folder / "ectd" / self.application / self.sequence
        return path if path.is_dir() else None


@dataclass
class BuildResult:
    """What ``build`` produced: its findings, the analysis, and the regions it published (none on failure)."""

    diagnostics: Diagnostics
    analysis: Analysis | None = None
    published: list[PublishedRegion] = field(default_factory=list)
    seconds: float = 0.0
