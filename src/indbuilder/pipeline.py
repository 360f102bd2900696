"""The pipeline: load -> plan -> render -> check -> write -> assemble, as plain functions.

All data is gathered and checked before anything is written. ``check`` is this pipeline stopped
before ``write``. A build is written into a staging folder and moved into place only when it is
complete and error-free, so a failed build never leaves a half-written output or replaces a good
one (see :func:`_publish`).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .checks.context import CheckContext, RegionResult
from .config import ProjectConfig, load_config
from .diagnostics import Diagnostics, Location
from .doctree import DocMeta, Document
from .loader import load_content
from .model.dossier import Dossier
from .outline import NodeState, PlannedDocument, format_outline, load_outline, plan
from .render import TemplateEnv, TemplateSource, build_xref_index, register_tables, render_document
from .render.markdown import MarkdownSource, narrative_source
from .rules import define, get as get_rule
from .sources import LANG_OF_REGION, planner_sources, template_context, template_dirs
from .timing import Stopwatch

define("build.no-regions", "error", "No region to build: indbuilder.yaml lists none, or --region names one it does not list.")
define(
    "build.content-errors",
    "info",
    "Rendering was skipped because the facts have errors.",
    "Templates are not rendered while facts fail their schema: the errors would only repeat. "
    "Fix the facts, then run again to see template and consistency findings.",
)
define(
    "build.output",
    "error",
    "The output folder cannot be written.",
)
define("build.attachment-missing", "error", "A declared attachment file does not exist.")


@dataclass
class RenderedDoc:
    """A rendered document with what it came from and where it goes in the eCTD sequence."""

    planned: PlannedDocument
    document: Document | None  # None for attachments (their bytes are used as they are)
    path: str  # eCTD path inside the sequence folder, e.g. m3/32-body-data/.../stability.pdf
    source: str  # template or narrative file, for diagnostics
    attachment: Path | None = None
    reuse: Path | None = None  # the submitted PDF to carry forward unchanged (later sequences)


@dataclass
class RegionBuild:
    region: str
    lang: str
    outline: Any
    plan: Any
    docs: list[RenderedDoc] = field(default_factory=list)


@dataclass
class Project:
    config: ProjectConfig
    dossier: Dossier
    regions: list[RegionBuild] = field(default_factory=list)
    timings: Stopwatch = field(default_factory=Stopwatch)


# ---------------------------------------------------------------------------- stages


def load_project(root: Path, diags: Diagnostics, timings: Stopwatch | None = None) -> Project | None:
    """Stage 1: ``indbuilder.yaml`` and ``content/``. ``None`` when there is no usable project."""
    sw = timings or Stopwatch()
    with sw.stage("load"):
        config, cdiags = load_config(root)
        diags.extend(cdiags)
        if config is None:
            return None
        dossier = load_content(config.root, config.content_dir, diags)
    return Project(config, dossier, timings=sw)


def plan_regions(project: Project, regions: list[str] | None, diags: Diagnostics) -> None:
    """Stage 2: each region's outline and completeness plan."""
    wanted = regions or list(project.config.settings.regions)
    if not wanted:
        diags.emit("build.no-regions", "no region to build", project.config.source)
    with project.timings.stage("plan"):
        for region in wanted:
            outline = load_outline(region)
            p = plan(outline, planner_sources(project.config, project.dossier, region))
            diags.extend(p.diagnostics)
            project.regions.append(RegionBuild(region, LANG_OF_REGION[region], outline, p))


def render_regions(project: Project, diags: Diagnostics) -> None:
    """Stage 3: every planned document of every region, Jinja -> Markdown -> document tree."""
    with project.timings.stage("render"):
        for rb in project.regions:
            _render_region(project, rb, diags)


def _render_region(project: Project, rb: RegionBuild, diags: Diagnostics) -> None:
    from .carry_forward import settle
    from .ectd_bridge import document_paths

    planned = list(rb.plan.documents())
    paths = document_paths(project, rb.region, planned)
    rb.docs = _render_documents(project, rb, planned, paths, diags)
    # A later sequence: documents unchanged since they were submitted are reused as they are, and
    # the others are rendered again with links to where their targets now live (carry_forward.py).
    settled = settle(project, rb, diags)
    if settled is not None and any(d.reuse for d in rb.docs):
        reused = {d.planned.doc_id: d for d in rb.docs if d.reuse}
        changed = [p for p in planned if p.doc_id not in reused]
        again = _render_documents(project, rb, changed, settled, diags, report_unused=False)
        fresh = {d.planned.doc_id: d for d in again}
        rb.docs = [reused.get(p.doc_id) or fresh[p.doc_id] for p in planned if p.doc_id in reused or p.doc_id in fresh]


def _render_documents(
    project: Project,
    rb: RegionBuild,
    planned: list[PlannedDocument],
    paths: dict[str, str],
    diags: Diagnostics,
    report_unused: bool = True,
) -> list[RenderedDoc]:
    """Render ``planned`` documents; ``paths`` gives every document's place for relative links.

    ``report_unused``: warn about literature and studies no document cites (only meaningful when
    ``planned`` is the whole dossier).
    """
    config, dossier = project.config, project.dossier
    env = TemplateEnv(template_dirs(config), root=config.root)
    xrefs = build_xref_index(rb.plan, paths, dossier)
    lang = rb.lang
    out: list[RenderedDoc] = []

    def narrative(narrative_id: str) -> str:
        n = dossier.narrative(narrative_id, lang)
        if n is None:
            raise KeyError(f"no {lang} narrative with id '{narrative_id}' in content/")
        rendered = env.render_string(n.body, n.path, base_ctx, lang, diags)
        return rendered.text if rendered else ""

    base_ctx = template_context(config, dossier, rb.region, narrative)
    for pd in planned:
        path = paths.get(pd.doc_id, pd.doc_id)
        if pd.kind == "attachment":
            file = config.root / (pd.attachment or "")
            if not file.is_file():
                diags.emit("build.attachment-missing", f"attachment {pd.attachment} does not exist", pd.location)
            out.append(RenderedDoc(pd, None, path, pd.attachment or "", attachment=file))
            continue
        meta = doc_meta(project, rb, pd)
        ctx = dict(base_ctx)
        ctx["node"] = _node_view(rb, pd)
        ctx["record"] = _record(dossier, pd)
        ctx["planned"] = pd
        if pd.kind == "template":
            source: Any = TemplateSource(pd.template or "")
            origin = pd.template or ""
        elif pd.kind == "narrative":
            n = next((x for x in dossier.narratives if x.path == pd.narrative), None)
            source = narrative_source(n, jinja=True) if n else Path(config.root / (pd.narrative or ""))
            origin = pd.narrative or ""
        else:  # "not-applicable": the NMPA number + title + 不适用 + reason
            source = MarkdownSource(pd.text or "", "outline", lines_known=False)
            origin = f"outline:{pd.node}"
        doc = render_document(source, ctx, meta, xrefs, diags, env=env, doc_path=path, root=config.root)
        if doc is None:
            continue
        doc.meta.toc = sum(1 for _ in doc.headings()) >= 8
        register_tables(xrefs, doc, path, diags)
        out.append(RenderedDoc(pd, doc, path, origin))
    if report_unused:
        xrefs.report_unused(diags)
    return out


def _node_view(rb: RegionBuild, pd: PlannedDocument) -> dict[str, Any]:
    node = rb.outline.get(pd.node)
    if node is None:  # a form:<code> pseudo-node
        return {"id": pd.node, "number": "1.1", "title": pd.title or pd.node}
    return {"id": node.id, "number": node.number, "title": node.title.zh if rb.lang == "zh" else node.title.en}


def _record(dossier: Dossier, pd: PlannedDocument) -> Any:
    if not pd.record:
        return None
    if pd.collection == "protocols":
        return dossier.protocol
    return dossier.index(pd.collection or "").get(pd.record)


def doc_meta(project: Project, rb: RegionBuild, pd: PlannedDocument) -> DocMeta:
    """Title block, header/footer and PDF metadata of one document."""
    config, dossier = project.config, project.dossier
    lang = rb.lang
    node = rb.outline.get(pd.node)
    title = pd.title or (node.title.get(lang) if node else pd.node)
    product = dossier.product
    sponsor = dossier.sponsor
    version = "1.0"
    record = _record(dossier, pd)
    if record is not None and hasattr(record, "version"):
        version = str(record.version)
    elif pd.node == "m1-14-4-1-investigational-brochure" or "brochure" in (pd.template or ""):
        version = dossier.regulatory.ib_version if dossier.regulatory else version
    disclaimer = (config.settings.disclaimer or {}).get(lang)
    return DocMeta(
        title=title,
        ctd_section=node.number if node else "1.1",
        element=pd.node,
        region=rb.region,
        lang=lang,
        product=product.name.get(lang) if product else "",
        sponsor=sponsor.name.get(lang) if sponsor else "",
        version=version,
        date=config.submission_date.isoformat(),
        disclaimer=disclaimer,
    )


def run_checks(project: Project, diags: Diagnostics) -> None:
    """Stage 4: every rule family over the facts and the rendered documents."""
    from .checks import run_checks as run_families

    ctx = CheckContext(
        project.config,
        project.dossier,
        [
            RegionResult(
                rb.region,
                rb.lang,
                rb.outline,
                rb.plan,
                [d.document for d in rb.docs if d.document is not None],
                {d.planned.doc_id: d.source for d in rb.docs},
            )
            for rb in project.regions
        ],
    )
    with project.timings.stage("check"):
        run_families(ctx, diags)


def apply_policy(project: Project | None, diags: Diagnostics) -> None:
    """Severity overrides and waivers from ``indbuilder.yaml``; unknown rule ids are reported."""
    if project is None:
        return
    settings = project.config.settings
    for rule_id in list(settings.severity) + [w.rule for w in settings.waivers]:
        if get_rule(rule_id) is None:
            diags.emit("config.unknown-rule", f"rule '{rule_id}' does not exist (see 'indbuilder rules')", project.config.source)
    diags.apply_policy(dict(settings.severity), project.config.waivers)


# ---------------------------------------------------------------------------- commands


def analyse(root: Path, regions: list[str] | None, diags: Diagnostics, timings: Stopwatch | None = None) -> Project | None:
    """Load, plan, render and check: everything ``check`` and ``build`` share."""
    project = load_project(root, diags, timings)
    if project is None:
        return None
    plan_regions(project, regions, diags)
    if diags.has_errors and _facts_broken(diags):
        diags.emit("build.content-errors", "templates were not rendered because facts have errors", project.config.source)
    else:
        render_regions(project, diags)
        run_checks(project, diags)
    return project


def _facts_broken(diags: Diagnostics) -> bool:
    return any(d.rule.startswith(("schema.", "yaml.")) and d.counts for d in diags if d.severity.value == "error")


def check_project(root: Path, regions: list[str] | None = None) -> tuple[Diagnostics, Project | None]:
    """``indbuilder check``: the pipeline stopped before writing."""
    diags = Diagnostics()
    project = analyse(root, regions, diags)
    apply_policy(project, diags)
    return diags, project


def build_project(root: Path, regions: list[str] | None = None, strict: bool = False, pdf: bool = True, timings: Stopwatch | None = None) -> Diagnostics:
    """``indbuilder build``: check, then write DOCX/PDF and assemble eCTD sequences, atomically."""
    from .report import failed
    from .write import write_region

    diags = Diagnostics()
    project = analyse(root, regions, diags, timings)
    apply_policy(project, diags)
    if project is None or failed(diags, strict):
        return diags
    out = project.config.output_dir
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    except OSError as exc:
        diags.emit("build.output", f"cannot write to {out}: {exc.strerror}", Location(str(out)))
        return diags
    try:
        write_diags = Diagnostics()
        for rb in project.regions:
            write_region(project, rb, staging / rb.region, write_diags, pdf=pdf)
        diags.extend(write_diags.items)
        apply_policy(project, diags)
        if failed(diags, strict):
            return diags
        _publish(staging, out, [rb.region for rb in project.regions])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return diags


def _publish(staging: Path, out: Path, regions: list[str]) -> None:
    """Move each complete region folder into place, keeping the old one until the new one is there."""
    for region in regions:
        new, final = staging / region, out / region
        old = staging / f"{region}.old"
        if final.exists():
            final.rename(old)
        new.rename(final)
        shutil.rmtree(old, ignore_errors=True)


def outline_text(root: Path, region: str, color: bool) -> tuple[str, Diagnostics]:
    """``indbuilder outline``: the region's tree with each node's state."""
    diags = Diagnostics()
    project = load_project(root, diags)
    if project is None:
        return "", diags
    plan_regions(project, [region], diags)
    rb = project.regions[0]
    text = format_outline(rb.plan, color=color, lang=rb.lang)
    apply_policy(project, diags)
    return text, diags


__all__ = ["analyse", "build_project", "check_project", "outline_text", "NodeState"]
