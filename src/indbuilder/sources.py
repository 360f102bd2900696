"""What the planner and the templates see of a project: planner ``Sources`` and template context."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from . import regions
from .config import ProjectConfig
from .diagnostics import Location
from .model.dossier import SECTIONS, Dossier
from .outline import DeclaredFile, FactRecord, NotApplicableDecl, Sources

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


def template_context(
    config: ProjectConfig,
    dossier: Dossier,
    region: str,
    narrative: Callable[[str], str],
) -> dict[str, Any]:
    """The facts every template sees (the document-specific keys are added per document)."""
    ctx: dict[str, Any] = {name: getattr(dossier, name) for name in SECTIONS}
    ctx["idx"] = {
        name: dossier.index(name)
        for name in SECTIONS
        if isinstance(ctx[name], list) and all(hasattr(r, "id") for r in ctx[name])
    }
    ctx["submission_date"] = config.submission_date
    ctx["sequence"] = config.settings.sequence
    ctx["narrative"] = narrative
    ctx["illustrative"] = bool(config.settings.disclaimer)
    ctx["result_decimals"] = result_decimals(dossier)
    return ctx


def result_decimals(dossier: Dossier) -> dict[str, int]:
    """Per specification test, the most decimals any batch or stability result is recorded with.

    Tables print every result of a test with that precision, so 12.0 stands as 12.0 beside 12.4
    (results are reported as recorded, never rounded into a different precision).
    """
    values = [(tid, v) for b in dossier.batches for tid, v in b.results.items()]
    values += [
        (tid, v)
        for st in dossier.stability
        for tp in st.timepoints
        for res in tp.results.values()
        for tid, v in res.items()
    ]
    out: dict[str, int] = {}
    for tid, v in values:
        text = str(v)
        if isinstance(v, (int, float)) and abs(v) < 100000 and "." in text and "e" not in text:
            out[tid] = max(out.get(tid, 0), len(text.split(".")[1]))
    return out
