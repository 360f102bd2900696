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

import os
import re
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from . import regions
from . import progress as prog
from .build import Analysis, BuildResult, CheckContext, Project, PublishedRegion, RegionBuild, RenderedDoc
from .config import load_config
from .diagnostics import Diagnostic, Diagnostics, Location, Severity
from .loader import load_content
from .outline import NodeState, format_outline, load_outline, plan
from .placement import na_statement_home, place_region
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
define(
    "build.no-sequence",
    "error",
    "A region's eCTD sequence was not produced, so the previous build was kept.",
    "A build that was to write a sequence but could not (a writer stopped, or the formats write none) never "
    "replaces a good build with less.",
)
define(
    "build.history-errors",
    "info",
    "Rendering was skipped because a submitted sequence in the history folder is not intact, or the sequence number cannot be built.",
)


# ---------------------------------------------------------------------------- stages


def load_project(root: Path, diags: Diagnostics, timings: Stopwatch | None = None) -> Project | None:
    """Stage load: ``indbuilder.yaml`` and ``content/``. ``None`` when there is no usable project."""
    sw = timings or Stopwatch()
    with sw.stage("load"):
        config, cdiags = load_config(root)
        diags.extend(cdiags)
        if config is None:
            return None
        dossier = load_content(config.root, config.content_dir, diags, config.read_scope, tuple(config.settings.regions))
    return Project(config, dossier, timings=sw)


def plan_regions(project: Project, wanted: list[str] | None, diags: Diagnostics) -> list[RegionBuild]:
    """Stage plan: each region's outline and completeness plan (the regions of ``indbuilder.yaml`` by default)."""
    names = wanted or list(project.config.settings.regions)
    if not names:
        diags.emit("build.no-regions", "no region to build", project.config.source)
    out = []
    for name in names:
        with prog.in_region(project.timings, name), project.timings.stage("plan"):
            out.append(plan_region(project, name, diags))
            prog.tally(len(out[-1].plan.documents()))
    return out


def plan_region(project: Project, name: str, diags: Diagnostics) -> RegionBuild:
    """The outline and completeness plan of one region."""
    profile = regions.get(name)
    outline = load_outline(name)
    if project.dossier.product is not None:  # statuses that depend on the product's modality
        outline = outline.for_modalities(project.dossier.product.modality)
    # 不适用 statements that cannot stay at their own heading are gathered above it (NMPA 5.17)
    p = plan(outline, planner_sources(project.config, project.dossier, name), na_home=lambda node: na_statement_home(outline, node))
    diags.extend(p.diagnostics)
    from .contents import with_titles  # the 申报资料自查表 shares 1.1 with the 目录 and needs its own leaf title

    return RegionBuild(profile, outline, with_titles(p))


def render_regions(project: Project, builds: list[RegionBuild], diags: Diagnostics) -> list[RegionBuild]:
    """Stages place and render for every region: placement first, so links can be relative."""
    out = []
    for rb in builds:
        with prog.in_region(project.timings, rb.region):
            with project.timings.stage("place"):
                placed = replace(rb, placement=place_region(project.config, project.dossier, rb.profile, rb.plan.documents(), diags))
                prog.tally(len(placed.placement.paths) if placed.placement else 0)
            prog.expect(project.timings, "render", len(rb.plan.documents()))
            with project.timings.stage("render"):
                out.append(replace(placed, docs=_render_with_history(project, placed, diags)))
    return out


def _render_with_history(project: Project, rb: RegionBuild, diags: Diagnostics) -> list[RenderedDoc]:
    """Render every document once; in a later sequence, carry unchanged documents forward.

    Documents unchanged since they were submitted reuse their submitted PDF, and the links of the
    others point to where those now live, in the earlier sequence folder (``carry_forward.py``).
    """
    from .carry_forward import carry_forward
    from .paths import check_attachments

    assert rb.placement is not None
    docs = render_region(project, rb, rb.placement.paths, diags)
    # 1.1 目录 and the 申报资料自查表 list every other document: rendered again with that list (contents.py)
    from .contents import render_contents

    docs = render_contents(project, rb, docs, diags)
    # attachments outside the project's read scope are refused before any byte is read (issue: no
    # file outside the project is read by accident); the others must exist
    refused = check_attachments(project, docs, diags)
    for rd in docs:
        if rd.doc_id not in refused and rd.attachment is not None and not rd.attachment.is_file():
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
    # a finding in a packaged template (indbuilder:templates/ectd/...) says how to change that template:
    # copy it into the project's template folder, which overrides the packaged one
    from .render.template_errors import with_override_hint

    diags.items[:] = [with_override_hint(d, settings.templates) for d in diags.items]


# ---------------------------------------------------------------------------- commands


def analyse(root: Path, regions: list[str] | None, diags: Diagnostics, timings: Stopwatch | None = None) -> Analysis | None:
    """Load, plan, place, render and check: everything ``check`` and ``build`` share."""
    project = load_project(root, diags, timings)
    if project is None:
        return None
    builds = plan_regions(project, regions, diags)
    if not verify_histories(project, [rb.region for rb in builds], diags):
        diags.emit("build.history-errors", "templates were not rendered: the submitted sequences or the sequence number are not in order",
                   project.config.source)
    elif diags.has_errors and _facts_broken(diags):
        diags.emit("build.content-errors", "templates were not rendered because facts have errors", project.config.source)
    else:
        builds = render_regions(project, builds, diags)
        run_checks(project, builds, diags)
    return Analysis(project, builds)


def _facts_broken(diags: Diagnostics) -> bool:
    """Whether the facts failed to load or validate. Called before the project's severity policy is
    applied, and those rules cannot be overridden (``rules.gates``): the gate never depends on it."""
    return any(d.rule.startswith(("schema.", "yaml.")) for d in diags if d.severity.value == "error")


def verify_histories(project: Project, names: list[str], diags: Diagnostics) -> bool:
    """Every submitted sequence the build stands on, against its record (``submit.verify_history``),
    and the sequence number to build against them (not submitted, no gap, the latest)."""
    from .ectd.lifecycle import check_sequence_number
    from .submit import verify_history

    history, seq = project.config.history_dir, project.config.settings.sequence
    intact = [verify_history(history / name, f"{project.config.settings.history}/{name}", diags) for name in names]
    numbered = [check_sequence_number(seq, history / name, diags) for name in names]
    return all(intact) and all(numbered)


def check_project(root: Path, regions: list[str] | None = None,
                  progress: prog.Progress = prog.NULL) -> tuple[Diagnostics, Analysis | None]:
    """``indbuilder check``: the pipeline stopped before writing; ``progress`` hears of every stage."""
    diags = Diagnostics()
    analysis = analyse(root, regions, diags, prog.clock_for(progress))
    apply_policy(analysis.project if analysis else None, diags)
    return diags, analysis


def build_project(root: Path, regions: list[str] | None = None, strict: bool = False, pdf: bool = True, timings: Stopwatch | None = None) -> Diagnostics:
    """``indbuilder build``: the findings of :func:`run_build`."""
    return run_build(root, regions, strict=strict, pdf=pdf, timings=timings).diagnostics


def run_build(root: Path, regions: list[str] | None = None, strict: bool = False, pdf: bool = True,
              timings: Stopwatch | None = None, progress: prog.Progress = prog.NULL) -> BuildResult:
    """``indbuilder build``: check, then write DOCX/PDF and assemble eCTD sequences, atomically.

    Nothing is written unless every stage before ``write`` ran (facts loaded, history intact,
    documents rendered) and the findings allow it. The build is written into a staging folder
    ``<output>/.staging-<pid>-*`` and each region folder is moved into place only when its sequence
    is complete, so a failed or interrupted build never replaces a good one; staging folders left by
    an interrupted build (its process no longer alive) are removed by the next build.
    """
    from .report import failed

    start = time.perf_counter()
    diags = Diagnostics()
    result = BuildResult(diags)
    analysis = analyse(root, regions, diags, prog.clock_for(progress, timings))
    result.analysis = analysis
    project = analysis.project if analysis else None
    if strict and analysis is not None and project is not None:  # otherwise reported once by `standards status`
        from .ectd.standards_status import unverified_finding
        unverified_finding(project.config.standards_dir(), [rb.region for rb in analysis.regions], diags)
    apply_policy(project, diags)
    if analysis is None or project is None or failed(diags, strict):
        return _timed(result, start)
    if any(rb.placement is None for rb in analysis.regions):  # rendering was gated: nothing to write
        return _timed(result, start)
    if pdf and not _one_submission_format(project, diags):
        return _timed(result, start)
    out = project.config.output_dir
    try:
        out.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(out)
        staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=out))
    except OSError as exc:
        diags.add(output_error(exc, out, project.config.root))
        return _timed(result, start)
    try:
        if _write_staging(project, analysis.regions, staging, pdf, diags) and not failed(diags, strict):
            _publish(staging, out, [rb.region for rb in analysis.regions])
            result.published = [_published(project, rb, out, pdf) for rb in analysis.regions]
    except OSError as exc:  # every write of the build (staging and publishing) fails through here
        diags.add(output_error(exc, staging, project.config.root))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _timed(result, start)


def _timed(result: BuildResult, start: float) -> BuildResult:
    result.seconds = time.perf_counter() - start
    return result


def _published(project: Project, rb: RegionBuild, out: Path, pdf: bool) -> PublishedRegion:
    """What was published for ``rb`` (read by the build summary)."""
    from .writers import get_writer

    env = rb.placement.envelope if rb.placement is not None and pdf else None
    review = tuple(name for name in project.config.settings.formats if not get_writer(name).submission)
    return PublishedRegion(rb.region, out / rb.region, env.application_number if env else None, env.sequence if env else None, review)


def _one_submission_format(project: Project, diags: Diagnostics) -> bool:
    """A build writes exactly one submission format into the sequence (``config.formats`` otherwise)."""
    from .config import submission_formats

    chosen = submission_formats(project.config.settings)
    if len(chosen) == 1:
        return True
    where = project.config.location("formats")
    if chosen:
        diags.emit("config.formats", f"formats lists more than one submission format ({', '.join(chosen)}): an eCTD leaf is one file", where)
    else:
        diags.emit("config.formats", f"formats [{', '.join(project.config.settings.formats)}] has no submission format: the build would "
                   "write no eCTD sequence and replace a good build with less", where,
                   hint="add pdf to formats, or run 'indbuilder build --no-pdf' for review copies only")
    return False


def _write_staging(project: Project, builds: list[RegionBuild], staging: Path, pdf: bool, diags: Diagnostics) -> bool:
    """Stages write and assemble into ``staging``; ``False`` when a region's sequence was not produced."""
    from .assembly import assemble_region
    from .write import write_documents

    write_diags = Diagnostics()
    complete = True
    for rb in builds:
        dest = staging / rb.region
        with prog.in_region(project.timings, rb.region):
            _expect_writes(project, rb)
            files = write_documents(project, rb, dest, write_diags, pdf=pdf)
            if files is not None:
                assemble_region(project, rb, files, dest, write_diags)
        if files is None and pdf:
            complete = False
            write_diags.emit("build.no-sequence", f"the {rb.region} sequence was not written; {project.config.settings.output}/{rb.region} "
                             "was left as it was", project.config.location("formats"))
    diags.extend(write_diags.items)
    apply_policy(project, diags)
    return complete


def _expect_writes(project: Project, rb: RegionBuild) -> None:
    """How many documents each writer of ``rb`` will write (the n/N of the progress display)."""
    from .placement import goes_into_sequence
    from .writers import get_writer

    for name in project.config.settings.formats:
        if get_writer(name).submission:
            n = sum(1 for d in rb.docs if d.document is not None and d.reuse is None and goes_into_sequence(d.planned))
        else:
            n = len(rb.documents)
        prog.expect(project.timings, f"write-{name}", n)


STAGING_PREFIX = ".staging-"
# <output>/.staging-<pid>-<random>: the PID of the build that owns it is in the name, so a staging
# folder is only ever removed by its own build or, once that process is gone, by a later one.
_STAGING = re.compile(r"^\.staging-(?:(\d+)-)?[a-z0-9_]+$")


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (signal 0 checks without signalling)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return False
    return True


def remove_stale_staging(out: Path) -> list[Path]:
    """Remove the staging folders of interrupted builds in ``out``; returns the ones removed.

    Only folders named as this tool names them (``.staging-<pid>-<random>``) and whose build process
    is no longer alive are removed; a staging folder of a build running concurrently is left alone.
    Folders named ``.staging-<random>`` were created before the PID was recorded and are stale.
    """
    removed = []
    for entry in out.iterdir():
        m = _STAGING.match(entry.name)
        if m is None or not entry.is_dir() or entry.is_symlink():
            continue
        if m.group(1) is not None and (int(m.group(1)) == os.getpid() or _alive(int(m.group(1)))):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def output_error(exc: OSError, where: Path, root: Path) -> Diagnostic:
    """``build.output`` for an OSError while writing the build: the file and the operating system's reason.

    Writes that fail on their open() carry the file name; a write() that fails half-way (a full disk,
    a file-size limit) does not, and the file being written then is the newest one below ``where``.
    """
    name = exc.filename if exc.filename is not None else _newest_file(where)
    shown = Location.of(Path(os.fsdecode(name)), root=root) if name is not None else Location.of(where, root=root)
    if shown.path.startswith(STAGING_PREFIX) or f"/{STAGING_PREFIX}" in shown.path:
        # the staging folder is gone when the user reads this: show where the file was to be published
        parts = shown.path.split("/")
        idx = next(i for i, p in enumerate(parts) if p.startswith(STAGING_PREFIX))
        shown = replace(shown, path="/".join(parts[:idx] + parts[idx + 1 :]))
    reason = exc.strerror or str(exc)
    return Diagnostic("build.output", Severity.ERROR, f"cannot write {shown.path}: {reason}; nothing was published (the previous build is untouched)", shown)


def _newest_file(folder: Path) -> str | None:
    try:
        files = [p for p in folder.rglob("*") if p.is_file()]
    except OSError:
        return None
    return str(max(files, key=lambda p: p.stat().st_mtime_ns)) if files else None


def _publish(staging: Path, out: Path, regions: list[str]) -> None:
    """Move each complete region folder into place, keeping the old one until the new one is there."""
    for region in regions:
        new, final = staging / region, out / region
        old = staging / f"{region}.old"
        if final.exists() or final.is_symlink():
            final.rename(old)
        try:
            new.rename(final)
        except OSError:
            if old.exists() or old.is_symlink():
                old.rename(final)  # put the previous build back before the staging folder goes
            raise
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)


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


__all__ = ["analyse", "build_project", "check_project", "outline_text", "run_build", "NodeState"]
