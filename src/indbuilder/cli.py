"""The ``indbuilder`` command line: thin commands that call the pipeline and map results to exit codes.

Exit codes (the same for every command):
  0  no errors (warnings allowed unless --strict)
  1  content errors: the dossier needs fixing (every problem is listed, with file:line)
  2  usage error: a wrong option or argument
  3  internal error in indbuilder itself (please report it)
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Callable, List, Optional

import typer

from . import __version__, regions
from .diagnostics import Diagnostics
from .report import FORMATS, failed, render_report

if TYPE_CHECKING:  # pragma: no cover
    from .progress import Progress

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3

app = typer.Typer(
    name="indbuilder",
    help=(
        "Build Investigational New Drug (IND) applications for the US FDA and China's NMPA from "
        "YAML facts and Markdown narrative kept in git.\n\n"
        "Typical use: 'indbuilder check' while writing (fast, no files written), 'indbuilder build' to "
        "produce DOCX review copies, submission PDFs and eCTD v3.2.2 sequences, 'indbuilder outline' to "
        "see which CTD sections are filled, missing or not applicable.\n\n"
        "Every problem is reported as 'file:line:col: severity [rule-id] message'. Exit codes: 0 clean, "
        "1 content errors, 2 usage error, 3 internal error."
    ),
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
standards_app = typer.Typer(help="Install and verify the official eCTD standard files (DTD, XSD, stylesheets).")
app.add_typer(standards_app, name="standards")


# Region choices come from the region registry (built-ins and the `indbuilder.regions` entry points).
_REGION_HELP = ", ".join(f"{p.name} ({p.label}, {'/'.join(p.languages)})" for p in map(regions.get, regions.names()))


def _modality_names() -> tuple[str, ...]:
    from . import modalities

    return modalities.names()


def _known_region(value: str | list[str] | None) -> str | list[str] | None:
    """Typer callback: every --region value must name a registered region (usage error otherwise)."""
    for name in [value] if isinstance(value, str) else value or []:
        if name not in regions.names():
            raise typer.BadParameter(f"unknown region {name!r}; choose from {', '.join(regions.names())}")
    return value


class Fmt(str, Enum):
    text = "text"
    json = "json"
    junit = "junit"
    sarif = "sarif"
    github = "github"


ProjectOpt = typer.Option(
    Path("."), "--project", "-p", help="Project folder (the one holding indbuilder.yaml).", show_default=True
)
RegionOpt = typer.Option(
    None, "--region", "-r", callback=_known_region, metavar="REGION",
    help=f"Region(s) to process: {_REGION_HELP}. Default: those in indbuilder.yaml."
)
FormatOpt = typer.Option(Fmt.text, "--format", "-f", help="Report format: text, json, junit, sarif or github (workflow annotations).")
StrictOpt = typer.Option(False, "--strict", help="Treat warnings as errors (recommended in CI before a submission).")
def _report_path(value: Optional[Path]) -> Optional[Path]:
    """Typer callback: ``--report`` must name a file in an existing folder (usage error otherwise),
    checked before any work is done so a long build is not lost to a typo in the report path."""
    if value is None:
        return value
    if value.is_dir():
        raise typer.BadParameter(f"{value} is a folder; give a file name, e.g. {value / 'report.txt'}")
    if not value.parent.is_dir():
        raise typer.BadParameter(f"the folder {value.parent} does not exist; create it first or choose another path")
    return value


OutputOpt = typer.Option(None, "--report", callback=_report_path, help="Write the report to this file in --format; the terminal then shows the text report.")


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"indbuilder {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", "-V", help="Show the indbuilder version and exit.", callback=_version_callback, is_eager=True
    ),
) -> None:
    """IND builder for FDA and NMPA submissions."""


def guarded(func: Callable[..., int]) -> Callable[..., None]:
    """Run a command; turn an unexpected exception into exit code 3 with a short report request."""

    @functools.wraps(func)
    def wrapper(*args: object, **kwargs: object) -> None:
        try:
            code = func(*args, **kwargs)
        except typer.Exit:
            raise
        except BrokenPipeError:  # the reader went away (``indbuilder rules | head``): nothing more to say
            _silence_stdout()
            raise typer.Exit(EXIT_OK)
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130)
        except Exception as exc:  # a bug in indbuilder, not in the user's content
            typer.echo(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in indbuilder, not in your dossier. Please report it with the command you ran"
                " (set INDBUILDER_DEBUG=1 to see the traceback).",
                err=True,
            )
            if os.environ.get("INDBUILDER_DEBUG"):
                traceback.print_exc()
            raise typer.Exit(EXIT_BUG)
        raise typer.Exit(code)

    return wrapper


_SILENCED = [False]  # set when our own writer met a closed stdout (the command's exit code then stands)


def _silence_stdout() -> None:
    """Point stdout at the null device, so the interpreter's final flush cannot fail on a closed pipe."""
    _SILENCED[0] = True
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _write_stdout(text: str) -> None:
    """Print ``text``: every command's output goes through here. A reader that closed the pipe early
    (``indbuilder rules | head``) is not an error: the rest is dropped and the exit code still counts."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()


def _write_stderr(text: str) -> None:
    """Progress, summaries and notes for the user (stderr); a closed stderr is not an error either."""
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass


def _color_stdout(color: Optional[bool]) -> bool:
    """``--color/--no-color``, else colour only on a terminal (not with NO_COLOR or TERM=dumb)."""
    if color is not None:
        return color
    try:
        tty = sys.stdout.isatty()
    except (AttributeError, ValueError):
        tty = False
    return tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM", "") != "dumb"


def _emit(diags: Diagnostics, fmt: Fmt, strict: bool, report_file: Optional[Path], quiet: bool = False, color: bool = False) -> int:
    code = EXIT_CONTENT if failed(diags, strict) else EXIT_OK
    # With --report the file gets the machine format and the terminal (or CI job log) the readable
    # text report: a GitLab log should show findings, not the JUnit XML its artifact already holds.
    shown = Fmt.text.value if report_file else fmt.value
    _write_stdout(render_report(diags, shown, quiet=quiet, color=color))
    text = render_report(diags, fmt.value)  # the file always holds the full, uncoloured report
    if report_file:
        try:
            report_file.write_text(text, encoding="utf-8")
        except OSError as exc:
            typer.echo(f"error: cannot write the report to {report_file}: {exc.strerror or exc}", err=True)
            return EXIT_USAGE
    return code


def _regions(region: Optional[List[str]]) -> list[str] | None:
    return list(region) if region else None


QuietOpt = typer.Option(False, "--quiet", "-q", help="No progress and no summary; the report lists errors only, then its final line.")
VerboseOpt = typer.Option(False, "--verbose", "-v", help="Every stage with its time and every document written (stderr).")
ColorOpt = typer.Option(None, "--color/--no-color", help="Colour the report's severities (default: when printing to a terminal).")


@app.command()
@guarded
def build(
    project: Path = ProjectOpt,
    region: Optional[List[str]] = RegionOpt,
    fmt: Fmt = FormatOpt,
    strict: bool = StrictOpt,
    report: Optional[Path] = OutputOpt,
    no_pdf: bool = typer.Option(False, "--no-pdf", help="Skip PDF rendering and eCTD assembly (DOCX review copies only)."),
    quiet: bool = QuietOpt,
    verbose: bool = VerboseOpt,
    color: Optional[bool] = ColorOpt,
) -> int:
    """Build the dossier: check everything, then write DOCX, PDF and the eCTD sequence per region.

    Output goes to the 'output' folder of indbuilder.yaml (default build/): DOCX review copies in
    build/<region>/docx/ and the eCTD application in build/<region>/ectd/<application>/<sequence>/
    (submission PDFs, backbones, checksums). Nothing is written when the content has errors, and a
    previous good build is only replaced by a complete new one.

    Progress goes to stderr while it runs (a live display on a terminal, plain lines in CI or a
    pipe); at the end, a summary per region: the sequence folder, documents, files and size, the
    sequence number and its lifecycle operations (new/replace/delete), the review copies, the time.
    """
    from .pipeline import run_build
    from .progress import choose_progress
    from .summary import build_summary

    progress = choose_progress(quiet=quiet, verbose=verbose)
    try:
        refused = _placeholder_gate(project, region, progress)
        result = None if refused is not None else run_build(project, _regions(region), strict=strict, pdf=not no_pdf, progress=progress)
    finally:
        progress.close()
    if refused is not None or result is None:
        return _emit(refused or Diagnostics(), fmt, strict, report, quiet=quiet, color=_color_stdout(color))
    code = _emit(result.diagnostics, fmt, strict, report, quiet=quiet, color=_color_stdout(color))
    if not quiet:
        _write_stderr(build_summary(result))
    return code


def _placeholder_gate(project: Path, region: Optional[List[str]], progress: Optional["Progress"] = None) -> Diagnostics | None:
    """A project with 'TODO:' placeholders is not built (rule build.placeholders): the check report plus
    the refusal, or ``None`` when there is none or the project lowered the rule for a draft build."""
    from .checks.placeholders import gate_build
    from .config import load_config
    from .pipeline import check_project
    from .progress import NULL

    config, _ = load_config(project)
    if config is None:
        return None
    gate = gate_build(config.root, config.content_dir, config.source)
    if gate is None:
        return None
    override = config.settings.severity.get(gate.rule)
    if override in ("warning", "info"):
        return None  # a draft build: the build's own report lists the placeholders
    diags, _ = check_project(project, _regions(region), progress or NULL)
    diags.add(gate)
    diags.apply_policy(dict(config.settings.severity), config.waivers)
    return diags


@app.command()
@guarded
def check(
    project: Path = ProjectOpt,
    region: Optional[List[str]] = RegionOpt,
    fmt: Fmt = FormatOpt,
    strict: bool = StrictOpt,
    report: Optional[Path] = OutputOpt,
    quiet: bool = QuietOpt,
    verbose: bool = VerboseOpt,
    color: Optional[bool] = ColorOpt,
) -> int:
    """Check facts, narrative, templates, completeness, cross-references and consistency; write nothing.

    Fast enough for a pre-commit hook or every CI run. Fails (exit 1) on any error, or on warnings
    with --strict. Progress and a closing summary (findings by severity, documents rendered, time)
    go to stderr; the report goes to stdout.
    """
    import time

    from .pipeline import check_project
    from .progress import choose_progress
    from .summary import check_summary

    start = time.perf_counter()
    progress = choose_progress(quiet=quiet, verbose=verbose)
    try:
        diags, analysis = check_project(project, _regions(region), progress)
    finally:
        progress.close()
    code = _emit(diags, fmt, strict, report, quiet=quiet, color=_color_stdout(color))
    if not quiet:
        _write_stderr(check_summary(diags, analysis, time.perf_counter() - start))
    return code


class OutlineFmt(str, Enum):
    text = "text"
    json = "json"


class OutlineOnly(str, Enum):
    missing = "missing"
    filled = "filled"
    na = "na"
    not_provided = "not-provided"


class OutlineLang(str, Enum):
    en = "en"
    zh = "zh"


def _terminal_width() -> int | None:
    """Columns to fit the tree in: the terminal's (or ``COLUMNS``); ``None`` (no wrapping) in a pipe."""
    import shutil

    if os.environ.get("COLUMNS") or sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


@app.command()
@guarded
def outline(
    project: Path = ProjectOpt,
    region: str = typer.Option(regions.names()[0], "--region", "-r", callback=_known_region, help="Region whose CTD section tree to show."),
    color: Optional[bool] = typer.Option(None, "--color/--no-color", help="Colour output (default: when printing to a terminal)."),
    fmt: OutlineFmt = typer.Option(OutlineFmt.text, "--format", "-f", help="Output format: text (a tree) or json."),
    only: Optional[OutlineOnly] = typer.Option(None, "--only", help="Show only sections in this state (missing, filled, na, not-provided), with their parent sections."),
    lang: Optional[OutlineLang] = typer.Option(None, "--lang", help="Language of titles and states (en or zh); default: the region's language."),
    check: bool = typer.Option(False, "--check", help="Also list the outline's findings (by default only their count is shown)."),
) -> int:
    """Show the region's CTD section tree and the state of every section.

    Each section is shown as filled (with what fills it), missing (a required section with no source:
    an error), not applicable (with its written justification) or not provided (optional). A section
    filled from a template is "filled from facts" when its documents render from your facts, or
    "template only" when the facts it prints are missing or still placeholders ('TODO:').
    On a terminal, long lines are wrapped under their title so the tree keeps its shape.
    """
    from .outline import format_outline, outline_facts, outline_json
    from .outline.tree_format import ONLY_STATES

    diags = Diagnostics()
    plan, facts = outline_facts(project, region, diags)
    if plan is not None:
        if fmt is OutlineFmt.json:
            _write_stdout(outline_json(plan, facts))
        else:
            use_color = color if color is not None else (sys.stdout.isatty() and not os.environ.get("NO_COLOR") and not os.environ.get("CI"))
            language = lang.value if lang is not None else regions.get(region).lang
            _write_stdout(format_outline(plan, color=use_color, lang=language, facts=facts,
                                         only=ONLY_STATES[only.value] if only is not None else None, width=_terminal_width()))
    if len(diags) and (check or plan is None):  # without a tree, the findings say why
        _write_stderr(render_report(diags, "text"))
    elif len(diags):
        from .diagnostics import summary_line

        _write_stderr(f"findings: {summary_line(diags)}; 'indbuilder outline --check' lists them\n")
    return EXIT_CONTENT if diags.has_errors else EXIT_OK


@app.command()
@guarded
def init(
    folder: Path = typer.Argument(..., help="Folder of the new project (created when it does not exist)."),
    modality: List[str] = typer.Option(..., "--modality", "-m", metavar="MODALITY",
                                       help="The product's modality; repeat it or separate with commas for a combination "
                                            "(cell-therapy,gene-therapy). Registered: " + ", ".join(_modality_names()) + "."),
    region: List[str] = typer.Option(["fda"], "--regions", "--region", "-r", metavar="REGIONS",
                                     help="Regions to build, comma-separated (default fda): " + ", ".join(regions.names()) + "."),
    force: bool = typer.Option(False, "--force", help="Add the skeleton to a folder that is not empty; existing files are never overwritten."),
    date: Optional[str] = typer.Option(None, "--date", help="Submission date to write (YYYY-MM-DD); default: the first day of the month after next, marked TODO to review."),
) -> int:
    """Start a new project: indbuilder.yaml and commented fact files and narratives for a modality and regions.

    Every value to write is marked 'TODO:'; 'indbuilder check' lists them (warnings, exit 0) and
    'indbuilder build' refuses to run until none is left.
    """
    import datetime as dt

    from .scaffold import InitError, init_project

    try:
        when = dt.date.fromisoformat(date) if date else None
    except ValueError:
        typer.echo(f"--date must be YYYY-MM-DD, got {date!r}", err=True)
        return EXIT_USAGE
    try:
        result = init_project(folder, modality, region, force=force, submission_date=when)
    except InitError as exc:
        typer.echo(f"error: {exc}", err=True)
        return EXIT_USAGE
    for path in result.written:
        typer.echo(f"wrote {path}")
    for path in result.kept:
        typer.echo(f"kept  {path} (exists; not overwritten)")
    typer.echo(f"\nNext: cd {folder} && indbuilder check   # lists every TODO: to fill in, file by file")
    return EXIT_OK


@app.command()
@guarded
def rules(rule_id: Optional[str] = typer.Argument(None, help="A rule id to explain, e.g. cmc.batch-oos.")) -> int:
    """List every rule with its default severity and summary, or explain one rule."""
    from . import rules as registry

    if rule_id:
        rule = registry.get(rule_id)
        if rule is None:
            import difflib

            close = difflib.get_close_matches(rule_id, [r.id for r in registry.all_rules()], n=3)
            typer.echo(f"unknown rule '{rule_id}'" + (f"; did you mean: {', '.join(close)}?" if close else ""), err=True)
            return EXIT_USAGE
        text = f"{rule.id}  ({rule.severity.value})\n\n{rule.summary}\n"
        if rule.explanation:
            text += f"\n{rule.explanation}\n"
        if rule.basis:
            text += f"\nBasis: {rule.basis}\n"
        _write_stdout(text)
        return EXIT_OK
    all_rules = registry.all_rules()
    width = max(len(r.id) for r in all_rules)
    lines = [f"{r.id.ljust(width)}  {r.severity.value:<7}  {r.summary}" for r in all_rules]
    _write_stdout("\n".join(lines) + f"\n{len(all_rules)} rules\n")
    return EXIT_OK


@app.command()
@guarded
def validate(
    path: Path = typer.Argument(..., exists=True, file_okay=False, help="An eCTD sequence folder (the one holding index.xml)."),
    standards: Optional[Path] = typer.Option(None, "--standards", help="Folder with the official DTD/XSD files (default: the installed standards cache)."),
    fmt: Fmt = FormatOpt,
    strict: bool = StrictOpt,
    report: Optional[Path] = OutputOpt,
) -> int:
    """Validate any eCTD v3.2.2 sequence folder, ours or another tool's.

    Checks DTD/XSD validity, that every referenced file exists and every file is referenced, MD5
    checksums, file naming and path rules, lifecycle targets, and FDA/NMPA regional rules.
    """
    from .config import default_standards_cache
    from .ectd import validate_sequence

    diags = validate_sequence(path, standards or default_standards_cache())
    return _emit(diags, fmt, strict, report)


@app.command()
@guarded
def pdfcheck(
    files: List[Path] = typer.Argument(..., exists=True, dir_okay=False, help="PDF files to check."),
    fmt: Fmt = FormatOpt,
    strict: bool = StrictOpt,
    report: Optional[Path] = OutputOpt,
) -> int:
    """Check PDFs against the FDA and NMPA PDF rules (version, encryption, fonts, bookmarks, links, JavaScript)."""
    from .pdfcheck import run_pdfcheck

    diags = run_pdfcheck(list(files))
    return _emit(diags, fmt, strict, report)


@app.command()
@guarded
def schema(
    project: Path = ProjectOpt,
    modality: Optional[List[str]] = typer.Option(None, "--modality", "-m", metavar="MODALITY",
                                                 help="Modalities to describe (comma-separated); default: product.modality of the project's facts."),
    region: Optional[List[str]] = typer.Option(None, "--regions", "--region", "-r", metavar="REGIONS",
                                               help="Regions (comma-separated); default: those in indbuilder.yaml."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of printing."),
    config: bool = typer.Option(False, "--config", help="The schema of indbuilder.yaml instead of the content files."),
    markdown: bool = typer.Option(False, "--markdown", help="The field reference (docs/facts.md) in Markdown, examples from the project."),
) -> int:
    """Write the JSON Schema of a content file, for completion and checking in editors.

    One schema describes any YAML file under content/: its top-level sections, every key with its
    type, allowed values and description. Facts the project's modality or regions need are named in
    the descriptions (and required). Editor set-up: 'indbuilder schema -o .indbuilder-schema.json',
    then map it to content/**/*.yaml (see the README).
    """
    from . import factschema, modalities

    def names(values: Optional[List[str]], known: tuple[str, ...]) -> tuple[str, ...] | None:
        return tuple(n.strip() for v in values for n in v.split(",") if n.strip()) if values else None

    mods, regs = names(modality, modalities.names()), names(region, regions.names())
    for chosen, known, what in ((mods, modalities.names(), "modality"), (regs, regions.names(), "region")):
        unknown = [n for n in chosen or () if n not in known]
        if unknown:
            typer.echo(f"error: unknown {what} {unknown[0]!r}; choose from {', '.join(known)}", err=True)
            return EXIT_USAGE
    if markdown:
        from .factdoc import example_projects, render

        text = render(example_projects(project))
    elif config:
        text = factschema.dumps(factschema.config_schema())
    else:
        text = factschema.dumps(factschema.content_schema(factschema.scoped(project, mods, regs)))
    if output is None:
        _write_stdout(text)
        return EXIT_OK
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        typer.echo(f"error: cannot write {output}: {exc.strerror or exc}", err=True)
        return EXIT_USAGE
    typer.echo(f"wrote {output}", err=True)
    return EXIT_OK


@app.command()
@guarded
def submit(
    project: Path = ProjectOpt,
    region: str = typer.Option(..., "--region", "-r", callback=_known_region, help="Region whose built sequence was sent."),
    date: Optional[str] = typer.Option(None, "--date", help="Date it was sent (YYYY-MM-DD); default today."),
    note: str = typer.Option("", "--note", help="Free text kept with the record (e.g. the gateway receipt number)."),
) -> int:
    """Record the built sequence as submitted: copy it to the history folder and lock it.

    Later builds compare against it to emit eCTD lifecycle operations (new, replace, delete), and
    it is never rebuilt. Commit the history folder to git.
    """
    import datetime as dt

    from .submit import submit as record

    try:
        when = dt.date.fromisoformat(date) if date else None
    except ValueError:
        typer.echo(f"--date must be YYYY-MM-DD, got {date!r}", err=True)
        return EXIT_USAGE
    diags, message = record(project, region, when, note)
    _write_stdout(message + (render_report(diags, "text") if len(diags) else ""))
    return EXIT_CONTENT if diags.has_errors else EXIT_OK


@standards_app.command("install")
@guarded
def standards_install(
    sources: Optional[List[Path]] = typer.Option(None, "--from", help="A folder or ZIP file holding official files (repeatable): e.g. the NMPA eCTD技术规范V1.1附件包 ZIP as downloaded, or a folder laid out as ich/ us/ cn/ w3c/ or flat; files are matched by name at any depth. Without it, files with an official download address (FDA, ICH) are downloaded and the command says where to get the others."),
    region: Optional[List[str]] = RegionOpt,
    cache: Optional[Path] = typer.Option(None, "--cache", help="Where to install (default: the project's 'standards' folder, else the per-user cache)."),
    project: Path = ProjectOpt,
) -> int:
    """Install verified copies of the eCTD standard files the regions need.

    Regions: --region, else those of the project (indbuilder.yaml), else all registered regions; an
    FDA-only project needs no NMPA file. Each file is checked against the checksum ICH/FDA/NMPA publish
    and refused when it differs; files without a published checksum are compared with indbuilder's
    reference copy. Files already installed and good are kept. indbuilder never commits or bundles them.
    """
    from .config import standards_target
    from .ectd.standards_install import install

    regions_, folder, problems = standards_target(project, region, cache)
    if problems:
        _write_stdout(render_report(Diagnostics(problems), "text"))
        return EXIT_CONTENT
    result = install(list(sources or []), folder, regions_)
    diags = result.diagnostics
    verified = sum(1 for s in result.installed.values() if s.value == "verified")
    _write_stdout(render_report(diags, "text") if len(diags) else "")
    _write_stdout(f"{len(result.installed)} standard files for {', '.join(regions_)} in {folder} "
                  f"({verified} verified against a published checksum); "
                  f"{len(result.missing)} still missing. See `indbuilder standards status`.\n")
    return EXIT_CONTENT if diags.has_errors else EXIT_OK


class StatusFmt(str, Enum):
    text = "text"
    json = "json"


@standards_app.command("status")
@guarded
def standards_status(
    region: Optional[List[str]] = RegionOpt,
    cache: Optional[Path] = typer.Option(None, "--cache", help="Standards folder to inspect (default: the project's 'standards' folder, else the per-user cache)."),
    project: Path = ProjectOpt,
    fmt: StatusFmt = typer.Option(StatusFmt.text, "--format", "-f", help="text (a table) or json."),
) -> int:
    """List each standard file the regions need: source, installed or missing, and whether it is verified.

    verified: equals the checksum ICH/FDA/NMPA publish; matches reference copy: no checksum is published
    and it equals the copy indbuilder's developers checked (not a check by the agency); unverified:
    neither. Exit 1 when a required file is missing or differs from its published checksum.
    """
    from .config import standards_target
    from .ectd.standards_status import render_json, render_text, status_report

    regions_, folder, problems = standards_target(project, region, cache)
    if problems:
        _write_stdout(render_report(Diagnostics(problems), "text"))
        return EXIT_CONTENT
    rows, diags = status_report(folder, regions_)
    if fmt is StatusFmt.json:
        _write_stdout(render_json(folder, regions_, rows, diags))
    else:
        _write_stdout(render_text(folder, regions_, rows) + (render_report(diags, "text") if len(diags) else ""))
    return EXIT_CONTENT if any(s.fails for s in rows) else EXIT_OK


def main() -> None:
    """Console-script entry point.

    A reader that closes the pipe early (``indbuilder rules | head``) ends any command quietly. The
    commands' own output goes through :func:`_write_stdout`; this catches what Typer and Click write
    themselves (``--help``, ``--version``), which Click turns into exit 1, and the interpreter's final
    flush, which would otherwise print "Exception ignored ... BrokenPipeError".
    """
    was_pipe = _is_pipe(sys.stdout)
    try:
        app()
    except SystemExit as done:
        _flush_stdout()
        if done.code not in (None, 0) and was_pipe and not _SILENCED[0] and _pipe_closed_by_library():
            raise SystemExit(EXIT_OK) from None
        raise


def _is_pipe(stream: object) -> bool:
    import stat

    try:
        return stat.S_ISFIFO(os.fstat(stream.fileno()).st_mode)  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return False


def _pipe_closed_by_library() -> bool:
    """Whether Click or rich (Typer's help) ended the command on a closed stdout pipe: Click wraps
    stdout in its "PacifyFlushWrapper", rich points the descriptor at the null device; both exit 1."""
    if type(sys.stdout).__name__.lstrip("_") == "PacifyFlushWrapper":
        _silence_stdout()
        return True
    try:
        return os.path.samestat(os.fstat(sys.stdout.fileno()), os.stat(os.devnull))
    except (AttributeError, OSError, ValueError):
        return False


def _flush_stdout() -> None:
    """Flush stdout before the interpreter does, so a closed pipe is silenced rather than reported."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except (OSError, ValueError):
        pass


if __name__ == "__main__":  # pragma: no cover
    main()
