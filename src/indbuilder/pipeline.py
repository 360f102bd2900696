"""The pipeline in one file: load -> plan -> place -> render -> check -> write -> assemble.

Each stage is a plain function that takes values and returns values (the records of
:mod:`indbuilder.build`); the stage functions live in their own modules and nothing imports this
one. All data is gathered and checked before anything is written. ``check`` is this pipeline
stopped before ``write``. A build is written into a staging folder and moved into place only
when it is complete and error-free, so a failed build never leaves a half-written output or
replaces a good one (see :func:`_publish`).

==========  ===========================================  =================================
stage       function                                     returns
==========  ===========================================  =================================
load        :func:`load_project`                         ``Project | None``
plan        :func:`plan_region` (outline planner)        ``RegionBuild``
place       :func:`indbuilder.placement.place_region`    ``Placement``
render      :func:`indbuilder.render.stage.render_region` ``list[RenderedDoc]``
check       :func:`run_checks` (rule families)           findings in ``Diagnostics``
write       :func:`indbuilder.write.write_documents`     ``dict[doc_id, PDF bytes] | None``
assemble    :func:`indbuilder.assembly.assemble_region`  the sequence folder on disk
==========  ===========================================  =================================
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from . import regions
from .build import Analysis, CheckContext, Project, RegionBuild, RenderedDoc
from .config import load_config
from .diagnostics import Diagnostics, Location
from .loader import load_content
from .outline import NodeState, format_outline, load_outline, plan
from .placement import place_region
from .render.stage import render_region
from .rules import define, get as get_rule
from .sources import planner_sources
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


# ---------------------------------------------------------------------------- stages


def load_project(root: Path, diags: Diagnostics, timings: Stopwatch | None = None) -> Project | None:
    """Stage load: ``indbuilder.yaml`` and ``content/``. ``None`` when there is no usable project."""
    sw = timings or Stopwatch()
    with sw.stage("load"):
        config, cdiags = load_config(root)
        diags.extend(cdiags)
        if config is None:
            return None
        dossier = load_content(config.root, config.content_dir, diags)
    return Project(config, dossier, timings=sw)


def plan_regions(project: Project, wanted: list[str] | None, diags: Diagnostics) -> list[RegionBuild]:
    """Stage plan: each region's outline and completeness plan (the regions of ``indbuilder.yaml`` by default)."""
    names = wanted or list(project.config.settings.regions)
    if not names:
        diags.emit("build.no-regions", "no region to build", project.config.source)
    with project.timings.stage("plan"):
        return [plan_region(project, name, diags) for name in names]


def plan_region(project: Project, name: str, diags: Diagnostics) -> RegionBuild:
    """The outline and completeness plan of one region."""
    profile = regions.get(name)
    outline = load_outline(name)
    p = plan(outline, planner_sources(project.config, project.dossier, name))
    diags.extend(p.diagnostics)
    return RegionBuild(profile, outline, p)


def render_regions(project: Project, builds: list[RegionBuild], diags: Diagnostics) -> list[RegionBuild]:
    """Stages place and render for every region: placement first, so links can be relative."""
    out = []
    for rb in builds:
        with project.timings.stage("place"):
            placed = replace(rb, placement=place_region(project.config, project.dossier, rb.profile, rb.plan.documents(), diags))
        with project.timings.stage("render"):
            out.append(replace(placed, docs=_render_with_history(project, placed, diags)))
    return out


def _render_with_history(project: Project, rb: RegionBuild, diags: Diagnostics) -> list[RenderedDoc]:
    """Render every document once; in a later sequence, carry unchanged documents forward.

    Documents unchanged since they were submitted reuse their submitted PDF, and the links of the
    others point to where those now live, in the earlier sequence folder (``carry_forward.py``).
    """
    from .carry_forward import carry_forward

    assert rb.placement is not None
    docs = render_region(project, rb, rb.placement.paths, diags)
    for rd in docs:
        if rd.attachment is not None and not rd.attachment.is_file():
            diags.emit("build.attachment-missing", f"attachment {rd.planned.attachment} does not exist", rd.planned.location)
    return carry_forward(project.config, rb.region, docs)


def run_checks(project: Project, builds: list[RegionBuild], diags: Diagnostics) -> None:
    """Stage check: every rule family over the facts and the rendered documents."""
    from .checks import run_checks as run_families

    with project.timings.stage("check"):
        run_families(CheckContext(project.config, project.dossier, builds), diags)


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


def analyse(root: Path, regions: list[str] | None, diags: Diagnostics, timings: Stopwatch | None = None) -> Analysis | None:
    """Load, plan, place, render and check: everything ``check`` and ``build`` share."""
    project = load_project(root, diags, timings)
    if project is None:
        return None
    builds = plan_regions(project, regions, diags)
    if diags.has_errors and _facts_broken(diags):
        diags.emit("build.content-errors", "templates were not rendered because facts have errors", project.config.source)
    else:
        builds = render_regions(project, builds, diags)
        run_checks(project, builds, diags)
    return Analysis(project, builds)


def _facts_broken(diags: Diagnostics) -> bool:
    return any(d.rule.startswith(("schema.", "yaml.")) and d.counts for d in diags if d.severity.value == "error")


def check_project(root: Path, regions: list[str] | None = None) -> tuple[Diagnostics, Analysis | None]:
    """``indbuilder check``: the pipeline stopped before writing."""
    diags = Diagnostics()
    analysis = analyse(root, regions, diags)
    apply_policy(analysis.project if analysis else None, diags)
    return diags, analysis


def build_project(root: Path, regions: list[str] | None = None, strict: bool = False, pdf: bool = True, timings: Stopwatch | None = None) -> Diagnostics:
    """``indbuilder build``: check, then write DOCX/PDF and assemble eCTD sequences, atomically."""
    from .assembly import assemble_region
    from .report import failed
    from .write import write_documents

    diags = Diagnostics()
    analysis = analyse(root, regions, diags, timings)
    project = analysis.project if analysis else None
    apply_policy(project, diags)
    if analysis is None or project is None or failed(diags, strict):
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
        for rb in analysis.regions:
            dest = staging / rb.region
            files = write_documents(project, rb, dest, write_diags, pdf=pdf)
            if files is not None:
                assemble_region(project, rb, files, dest, write_diags)
        diags.extend(write_diags.items)
        apply_policy(project, diags)
        if failed(diags, strict):
            return diags
        _publish(staging, out, [rb.region for rb in analysis.regions])
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
    [rb] = plan_regions(project, [region], diags)
    text = format_outline(rb.plan, color=color, lang=rb.lang)
    apply_policy(project, diags)
    return text, diags


__all__ = ["analyse", "build_project", "check_project", "outline_text", "NodeState"]
