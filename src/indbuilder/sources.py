"""What the planner and the templates see of a project: planner ``Sources`` and template context."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable, TypedDict

from . import regions
from .config import ProjectConfig
from .derived import Derived, compute
from .diagnostics import Location
from .model.clinical import ConsentEssentials, Protocol, Site
from .model.cmc import AnalyticalMethod, Batch, ContainerClosure, Material, Process, Specification, StabilityStudy
from .model.common import Record
from .model.dossier import LIST_SECTIONS, SECTIONS, Dossier
from .model.literature import Abbreviation, Attachment, NotApplicable, Reference
from .model.nonclinical import Study
from .model.product import Product
from .model.sponsor import Organisation, Regulatory, Sponsor
from .outline import DeclaredFile, FactRecord, NotApplicableDecl, Sources
from .outline.planner import PlannedDocument

PACKAGED_TEMPLATES = Path(__file__).parent / "templates" / "ectd"

# `each:` collections of the outline data and the dossier section that holds their records.
COLLECTIONS = {"studies": "studies", "protocols": "protocol"}


def template_dirs(config: ProjectConfig) -> list[Path]:
    """Project templates first (they override), then the templates packaged with indbuilder."""
    dirs = [config.templates_dir]
    if PACKAGED_TEMPLATES.is_dir() and PACKAGED_TEMPLATES.resolve() != config.templates_dir.resolve():
        dirs.append(PACKAGED_TEMPLATES)
    return dirs


def planner_sources(config: ProjectConfig, dossier: Dossier, region: str) -> Sources:
    """Describe the project to the completeness planner for one region."""
    lang = regions.get(region).lang
    narratives = tuple(
        DeclaredFile(n.node, n.path, n.id, n.lang, n.title, _front_location(n.path))
        for n in dossier.narratives
        if n.node and n.lang == lang
    )
    attachments = tuple(
        DeclaredFile(a.node, a.file, a.id, None, a.title.get(lang), dossier.where("attachments", a.id))
        for a in dossier.attachments
        if region in a.regions
    )
    records: dict[str, tuple[FactRecord, ...]] = {}
    for collection, section in COLLECTIONS.items():
        value = getattr(dossier, section)
        items = value if isinstance(value, list) else ([value] if value is not None else [])
        records[collection] = tuple(
            FactRecord(
                r.id,
                r.model_dump(mode="json"),
                getattr(r, "report", None),
                dossier.where(section, r.id) if isinstance(value, list) else dossier.where(section),
            )
            for r in items
        )
    not_applicable = tuple(
        NotApplicableDecl(na.node, na.justification.texts(), dossier.where("not_applicable", i))
        for i, na in enumerate(dossier.not_applicable)
        if region in na.regions
    )
    return Sources(
        templates=Sources.scan_templates(*template_dirs(config)),
        narratives=narratives,
        attachments=attachments,
        records=records,
        not_applicable=not_applicable,
    )


def _front_location(path: str) -> Location:
    return Location(path, 2, 1)


class TemplateContext(TypedDict, total=False):
    """What every template sees: the facts by section, lookups, dates and derived values.

    ``node``, ``record`` and ``planned`` are set per document by the render stage. Template
    writers read these names (see README, "Templates").
    """

    # the facts, one name per section of content/ (model.dossier.SECTIONS)
    product: Product | None
    sponsor: Sponsor | None
    organisations: list[Organisation]
    regulatory: Regulatory | None
    process: Process | None
    materials: list[Material]
    methods: list[AnalyticalMethod]
    specification: Specification | None
    batches: list[Batch]
    stability: list[StabilityStudy]
    container_closure: ContainerClosure | None
    studies: list[Study]
    protocol: Protocol | None
    sites: list[Site]
    consent: ConsentEssentials | None
    literature: list[Reference]
    abbreviations: list[Abbreviation]
    not_applicable: list[NotApplicable]
    attachments: list[Attachment]
    # lookups and values computed once
    idx: dict[str, dict[str, Record]]  # records of each list section by id: idx.batches["LOT-01"]
    submission_date: dt.date
    sequence: str
    narrative: Callable[[str], str]  # narrative("id") renders a narrative in the document language
    illustrative: bool
    derived: Derived
    result_decimals: dict[str, int]
    # per document
    node: dict[str, str]
    record: Record | None
    planned: PlannedDocument


def template_context(
    config: ProjectConfig,
    dossier: Dossier,
    region: str,
    narrative: Callable[[str], str],
) -> TemplateContext:
    """The facts every template sees (the document-specific keys are added per document)."""
    derived = compute(dossier)  # regulatory values computed once for templates and rule families alike
    d = dossier
    return TemplateContext(
        product=d.product, sponsor=d.sponsor, organisations=d.organisations, regulatory=d.regulatory,
        process=d.process, materials=d.materials, methods=d.methods, specification=d.specification,
        batches=d.batches, stability=d.stability, container_closure=d.container_closure, studies=d.studies,
        protocol=d.protocol, sites=d.sites, consent=d.consent, literature=d.literature,
        abbreviations=d.abbreviations, not_applicable=d.not_applicable, attachments=d.attachments,
        idx={name: dossier.index(name) for name in SECTIONS if name in LIST_SECTIONS and all(hasattr(r, "id") for r in dossier.records(name))},
        submission_date=config.submission_date,
        sequence=config.settings.sequence,
        narrative=narrative,
        illustrative=bool(config.settings.disclaimer),
        derived=derived,
        result_decimals=derived.result_decimals,
    )
