"""``indbuilder.yaml``: the project file. Every key is documented in :data:`CONFIG_KEYS`.

Unknown keys are warned about (``config.unknown-key``) rather than rejected, so that an older
indbuilder can still build a project written for a newer one, but a typo does not go unseen.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from .paths import ReadScope
from .diagnostics import Diagnostic, Location, Severity, Waiver, did_you_mean
from .rules import define, gates
from .schema_errors import diagnostics_from_validation, show_value
from .yamlio import LoadedYaml, load_yaml

CONFIG_FILE = "indbuilder.yaml"

define("config.missing", "error", "The folder has no indbuilder.yaml, so it is not an indbuilder project.")
define(
    "config.unknown-key",
    "warning",
    "indbuilder.yaml contains a key indbuilder does not know (ignored).",
    "Unknown keys are ignored; a warning is given because they are often typos (``regoins``).",
)
define("config.unknown-rule", "warning", "A severity override or waiver names a rule id that does not exist.")
define(
    "config.output",
    "error",
    "The output folder is not a folder the build may replace.",
    "A build replaces <output>/<region>/ wholesale and clears its own leftovers there, so 'output' may not be "
    "the project folder, contain it, or be, contain or lie inside the content, templates or history folder.",
)
define(
    "config.history",
    "error",
    "The history folder overlaps the project's sources.",
    "Submitted sequences are evidence kept apart: 'history' may not be the project folder nor be, contain or "
    "lie inside the content or templates folder.",
)
define(
    "config.formats",
    "error",
    "The formats of indbuilder.yaml write no eCTD sequence.",
    "A build writes one submission format (pdf) into the eCTD sequence. 'formats: []' or a list without a "
    "submission format would replace a good build with less; for review copies only, run 'indbuilder build --no-pdf'.",
)
define(
    "config.gate-override",
    "error",
    "A severity override or waiver names a rule that gates the build; it cannot be downgraded or waived.",
    "YAML, schema, config, history and sequence errors stop later stages (nothing can be rendered from facts "
    "that do not load); letting them pass would build on broken input. The override is ignored.",
)

# Documentation of every key, shown by `indbuilder build --help` readers and in the README.
CONFIG_KEYS: dict[str, str] = {
    "regions": "Regions to build: a list of registered region names, built in: 'fda' (US FDA IND, English) and 'nmpa' (China NMPA IND, Chinese).",
    "sequence": "The eCTD sequence number to build, four digits ('0000' for the initial IND).",
    "submission_date": "Required. Date of the submission (YYYY-MM-DD, e.g. 2027-01-15); documents are dated with it and no document may be dated later.",
    "output": "Folder the build writes to (default 'build'). Each region goes into <output>/<region>/.",
    "standards": "Folder with the official eCTD standard files (DTD, XSD, stylesheets). Default: the per-user cache filled by 'indbuilder standards install'.",
    "history": "Folder holding earlier sequences, one per region: <history>/<region>/<NNNN>/ (default 'submissions'). Used for eCTD lifecycle operations.",
    "formats": "Document formats to write: registered writer names, built in 'docx' (review copy) and 'pdf' (submission copy, the eCTD format), others from the 'indbuilder.writers' entry-point group. Default [docx, pdf].",
    "disclaimer": "A line printed on every page of every document, in English and Chinese ({en: ..., zh: ...}); use it to mark illustrative or draft content. Set to null for none.",
    "severity": "Severity overrides: a mapping of rule id to 'error', 'warning' or 'info'.",
    "waivers": "Accepted findings: a list of {rule, justification, path?, contains?}; waived findings stay in reports with the justification.",
    "content": "Folder with the YAML facts and Markdown narrative (default 'content').",
    "templates": "Folder with project templates that override the packaged ones (default 'templates/ectd').",
    "allow_outside": "Folders outside the project that facts, narratives, templates and attachments may be read from (a list; default none). Anything else that resolves outside the project folder is refused.",
}

# How each key is written, for the hint of a missing key or a value of the wrong kind.
CONFIG_EXAMPLES: dict[str, str] = {
    "regions": "regions: [fda, nmpa]",
    "sequence": "sequence: \"0000\"",
    "submission_date": "submission_date: 2027-01-15  (the date the IND is sent, YYYY-MM-DD)",
    "output": "output: build",
    "standards": "standards: path/to/standards",
    "history": "history: submissions",
    "formats": "formats: [docx, pdf]",
    "disclaimer": "disclaimer: {en: ..., zh: ...}",
    "severity": "severity: {rule-id: warning}",
    "waivers": "waivers: [{rule: rule-id, justification: why the finding is accepted}]",
    "content": "content: content",
    "templates": "templates: templates/ectd",
    "allow_outside": "allow_outside: [../company-texts]",
}


def _registered_region(name: str) -> str:
    """A region name must be registered (``indbuilder.regions``): built-in or from a plug-in."""
    from . import regions

    if name not in regions.names():
        raise ValueError("must be one of " + ", ".join(f"'{n}'" for n in regions.names()) + f", got '{name}'")
    return name


RegionName = Annotated[str, AfterValidator(_registered_region)]


class WaiverSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule: str
    justification: str = Field(min_length=10)
    path: str | None = None
    contains: str | None = None


class ProjectSettings(BaseModel):
    """The validated contents of ``indbuilder.yaml``."""

    model_config = ConfigDict(extra="ignore")

    regions: list[RegionName] = ["fda", "nmpa"]
    sequence: str = "0000"
    submission_date: dt.date  # required: every document is dated with it (no silent default)
    output: str = "build"
    standards: str | None = None
    history: str = "submissions"
    formats: list[str] = ["docx", "pdf"]
    disclaimer: dict[str, str] | None = None
    severity: dict[str, Literal["error", "warning", "info"]] = {}
    waivers: list[WaiverSpec] = []
    content: str = "content"
    templates: str = "templates/ectd"
    allow_outside: list[str] = []

    @field_validator("formats")
    @classmethod
    def _known_formats(cls, value: list[str]) -> list[str]:
        # Format names come from the writer registry (built-ins and `indbuilder.writers` entry points);
        # the check imports no writer engine (typst, python-docx).
        from .writers import check_format

        for name in value:
            problem = check_format(name)
            if problem:
                raise ValueError(problem)
        return value

    @field_validator("sequence", mode="before")
    @classmethod
    def _sequence_digits(cls, v: object) -> str:
        text = f"{v:04d}" if isinstance(v, int) else str(v)
        if not (len(text) == 4 and text.isdigit()):
            raise ValueError(f"must be four digits such as '0000' (in quotes), got {show_value(v)}")
        return text


@dataclass
class ProjectConfig:
    """A loaded project: its root folder, its settings and where they came from."""

    root: Path
    settings: ProjectSettings
    source: Location
    waivers: list[Waiver] = field(default_factory=list)
    # Where each top-level key of indbuilder.yaml is (for findings about a setting's value).
    locations: dict[str, Location] = field(default_factory=dict)

    def location(self, key: str) -> Location:
        """Where ``key`` is set in indbuilder.yaml (the file itself when it is not set)."""
        return self.locations.get(key, self.source)

    @property
    def content_dir(self) -> Path:
        return self.root / self.settings.content

    @property
    def templates_dir(self) -> Path:
        return self.root / self.settings.templates

    @property
    def output_dir(self) -> Path:
        return self.root / self.settings.output

    @property
    def history_dir(self) -> Path:
        return self.root / self.settings.history

    @property
    def read_scope(self) -> ReadScope:
        """The folders this project may read: its root and the ``allow_outside`` folders."""
        return ReadScope.of(self.root, [self.root / p for p in self.settings.allow_outside])

    def standards_dir(self) -> Path:
        """The standards folder: the configured one, else the per-user cache."""
        if self.settings.standards:
            return (self.root / self.settings.standards).resolve()
        return default_standards_cache()

    @property
    def submission_date(self) -> dt.date:
        """The date of the submission (``submission_date`` of indbuilder.yaml, required)."""
        return self.settings.submission_date


def default_standards_cache() -> Path:
    """The standards folder when indbuilder.yaml names none: ``$INDBUILDER_STANDARDS`` if set, else the
    per-user cache that ``indbuilder standards install`` fills."""
    import os

    from .ectd.standards import default_cache

    override = os.environ.get("INDBUILDER_STANDARDS")
    return Path(override) if override else default_cache()


def standards_target(project: Path, regions: list[str] | None, cache: Path | None) -> tuple[list[str], Path, list[Diagnostic]]:
    """Regions and standards folder for ``indbuilder standards install|status``.

    Regions: ``regions`` if given, else those of the project in ``project`` when it has indbuilder.yaml,
    else every registered region. Folder: ``cache`` if given, else the project's ``standards`` setting,
    else :func:`default_standards_cache`. A project whose indbuilder.yaml cannot be read is reported.
    """
    from . import regions as registry

    config: ProjectConfig | None = None
    problems: list[Diagnostic] = []
    if (project / CONFIG_FILE).is_file():
        config, problems = load_config(project)
    chosen = regions or (list(config.settings.regions) if config else list(registry.names()))
    folder = cache or (config.standards_dir() if config else default_standards_cache())
    return chosen, folder, problems


def load_config(root: Path) -> tuple[ProjectConfig | None, list[Diagnostic]]:
    """Read and validate ``root/indbuilder.yaml``; return ``None`` with diagnostics if unusable."""
    path = root / CONFIG_FILE
    if not path.is_file():
        return None, [
            Diagnostic(
                "config.missing",
                Severity.ERROR,
                f"no {CONFIG_FILE} in {root}",
                None,
                hint="run indbuilder in the project folder or pass --project PATH",
            )
        ]
    loaded = load_yaml(path, CONFIG_FILE)
    diags = list(loaded.diagnostics)
    if diags and loaded.data is None:
        return None, diags
    data = loaded.data or {}
    if not isinstance(data, dict):
        diags.append(Diagnostic("schema.type", Severity.ERROR, f"{CONFIG_FILE} must be a mapping of keys", loaded.location()))
        return None, diags
    for key in data:
        if key not in CONFIG_KEYS:
            diags.append(
                Diagnostic(
                    "config.unknown-key",
                    Severity.WARNING,
                    f"unknown key '{key}' is ignored",
                    loaded.location((key,)),
                    hint=did_you_mean(key, CONFIG_KEYS, "see the README for the documented keys"),
                )
            )
    try:
        settings = ProjectSettings.model_validate(data)
    except ValidationError as exc:
        diags.extend(diagnostics_from_validation(exc, loaded, schema=ProjectSettings, examples=CONFIG_EXAMPLES))
        return None, diags
    root = root.resolve()
    folder_diags = _folder_problems(root, settings, loaded)
    diags.extend(folder_diags)
    if folder_diags:
        return None, diags
    diags.extend(_gate_overrides(settings, loaded))
    settings = settings.model_copy(update={"severity": {k: v for k, v in settings.severity.items() if not gates(k)}})
    waivers = [Waiver(w.rule, w.justification, w.path, w.contains) for w in settings.waivers if not gates(w.rule)]
    locations = {str(key): loaded.location((key,)) for key in data}
    return ProjectConfig(root, settings, Location(CONFIG_FILE, 1, 1), waivers, locations), diags


def _overlap(a: Path, b: Path) -> str | None:
    """How folder ``a`` relates to folder ``b`` (both resolved): 'is', 'contains', 'lies inside' or None."""
    if a == b:
        return "is"
    if a in b.parents:
        return "contains"
    if b in a.parents:
        return "lies inside"
    return None


def _folder_problems(root: Path, settings: ProjectSettings, loaded: LoadedYaml) -> list[Diagnostic]:
    """``output`` and ``history`` against the project folder and its sources (``config.output``, ``config.history``).

    A build replaces ``<output>/<region>/`` and removes its own staging leftovers there; a submitted
    sequence in ``history`` is never rewritten. Either overlapping the sources (or each other) would
    let one overwrite the other. Paths are compared with symbolic links resolved.
    """
    def real(p: str) -> Path:
        return Path(os.path.realpath(root / p))

    out, history = real(settings.output), real(settings.history)
    sources = {"content": real(settings.content), "templates": real(settings.templates)}
    found: list[Diagnostic] = []

    def problem(rule: str, key: str, message: str) -> None:
        found.append(Diagnostic(rule, Severity.ERROR, message, loaded.location((key,))))

    if out == root or out in root.parents:
        problem("config.output", "output", f"output '{settings.output}' {_overlap(out, root)} the project folder; "
                "a build replaces its output folder, so it must be a folder of its own (e.g. 'build')")
    for name, folder in [*sources.items(), ("history", history)]:
        rel = _overlap(out, folder)
        if rel and not found:  # one finding per key: the project folder contains every other one
            problem("config.output", "output", f"output '{settings.output}' {rel} the {name} folder "
                    f"'{getattr(settings, name)}'; choose a folder of its own (e.g. 'build')")
    history_root = history == root or history in root.parents
    if history_root:
        problem("config.history", "history", f"history '{settings.history}' {_overlap(history, root)} the project folder")
    for name, folder in sources.items():
        rel = _overlap(history, folder)
        if rel and not history_root:
            problem("config.history", "history", f"history '{settings.history}' {rel} the {name} folder "
                    f"'{getattr(settings, name)}'; keep submitted sequences apart (e.g. 'submissions')")
    if not settings.formats and "formats" in (loaded.data or {}):
        problem("config.formats", "formats", "formats is empty: the build would write no eCTD sequence "
                "and replace a good build with less; list [docx, pdf], or run 'indbuilder build --no-pdf' for review copies")
    return found


def _gate_overrides(settings: ProjectSettings, loaded: LoadedYaml) -> list[Diagnostic]:
    """``config.gate-override`` for each severity override or waiver of a rule that gates the build."""
    found = []
    for rule_id, severity in settings.severity.items():
        if gates(rule_id) and severity != "error":
            found.append(Diagnostic(
                "config.gate-override", Severity.ERROR,
                f"severity of '{rule_id}' cannot be set to {severity}: the rule gates the build "
                "(later stages cannot run on input it rejects), so it cannot be downgraded",
                loaded.location(("severity", rule_id)), hint=f"remove '{rule_id}' from severity and fix the finding instead"))
    for i, waiver in enumerate(settings.waivers):
        if gates(waiver.rule):
            found.append(Diagnostic(
                "config.gate-override", Severity.ERROR,
                f"'{waiver.rule}' cannot be waived: the rule gates the build (later stages cannot run on input it rejects)",
                loaded.location(("waivers", i, "rule")), hint="remove the waiver and fix the finding instead"))
    return found


def submission_formats(settings: ProjectSettings) -> list[str]:
    """The formats of ``settings`` whose writer writes the eCTD sequence (imports the writers: build only)."""
    from .writers import get_writer

    return [name for name in settings.formats if get_writer(name).submission]
