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
from .model.cmc import AnalyticalMethod, Batch, DrugProduct, DrugSubstance, Material, StabilityStudy
from .model.common import Record
from .model.dossier import LIST_SECTIONS, PART_LISTS, Dossier
from .model.literature import Abbreviation, Attachment, NotApplicable, Reference
from .model.nonclinical import Study
from .modalities import Modality
from .model.product import Product
from .model.sponsor import Organisation, Regulatory, Sponsor
from .outline import DeclaredFile, FactRecord, NotApplicableDecl, Sources
from .outline.planner import PlannedDocument

PACKAGED_TEMPLATES = Path(__file__).parent / "templates" / "ectd"

# `each:` collections of the outline data and the dossier section that holds their records.
COLLECTIONS = {"studies": "studies", "protocols": "protocol"}


def template_dirs(config: ProjectConfig, dossier: Dossier | None = None) -> list[Path]:
    """Where templates are looked up, first match wins: the project's templates, then those packaged
    with indbuilder; in each, the product's modality parts (``modalities/<name>/``, primary modality
    first) come before the common templates, so a part replaces a common template of the same name and
    ``{% include "parts/..." %}`` finds the product's own wording."""
    bases = [config.templates_dir]
    if PACKAGED_TEMPLATES.is_dir() and PACKAGED_TEMPLATES.resolve() != config.templates_dir.resolve():
        bases.append(PACKAGED_TEMPLATES)
    if dossier is not None and dossier.product is not None:
        parts = dossier.product.kind.template_parts
    else:  # no (valid) product: every modality's templates, so no section is called missing for that alone
        from . import modalities

        parts = modalities.names() if dossier is not None else ()
    dirs: list[Path] = []
    for base in bases:
        dirs.extend(base / "modalities" / name for name in parts)
        dirs.append(base)
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
        templates=Sources.scan_templates(*template_dirs(config, dossier)),
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
    drug_substance: DrugSubstance | None
    drug_product: DrugProduct | None
    # the record whose specification, batches and stability 3.2.S.4/3.2.S.7 show: the drug substance,
    # or the drug product when the drug substance is not isolated (continuous process)
    ds_tested: DrugSubstance | DrugProduct | None
    materials: list[Material]  # of both records
    methods: list[AnalyticalMethod]
    batches: list[Batch]  # every lot, drug substance lots first
    stability: list[StabilityStudy]  # every study of both records
    modality: Modality | None  # the product's combined modality: modality.has("cell-therapy"), .fda_centre
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
    has_narrative: Callable[[str], bool]  # has_narrative("id"): the project wrote that narrative in the document language
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
    lang = regions.get(region).lang
    return TemplateContext(
        product=d.product, sponsor=d.sponsor, organisations=d.organisations, regulatory=d.regulatory,
        drug_substance=d.drug_substance, drug_product=d.drug_product, ds_tested=d.tested_part("drug_substance"),
        materials=d.materials, methods=d.methods, batches=d.batches, stability=d.stability,
        modality=d.product.kind if d.product is not None else None, studies=d.studies,
        protocol=d.protocol, sites=d.sites, consent=d.consent, literature=d.literature,
        abbreviations=d.abbreviations, not_applicable=d.not_applicable, attachments=d.attachments,
        idx={name: dossier.index(name) for name in (*sorted(LIST_SECTIONS), *PART_LISTS) if all(hasattr(r, "id") for r in dossier.records(name))},
        submission_date=config.submission_date,
        sequence=config.settings.sequence,
        narrative=narrative,
        has_narrative=lambda narrative_id: dossier.narrative(narrative_id, lang) is not None,
        illustrative=bool(config.settings.disclaimer),
        derived=derived,
        result_decimals=derived.result_decimals,
    )
