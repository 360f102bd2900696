"""``indbuilder.yaml``: the project file. Every key is documented in :data:`CONFIG_KEYS`.

Unknown keys are warned about (``config.unknown-key``) rather than rejected, so that an older
indbuilder can still build a project written for a newer one, but a typo does not go unseen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from .paths import ReadScope
from .diagnostics import Diagnostic, Location, Severity, Waiver, did_you_mean
from .rules import define
from .schema_errors import diagnostics_from_validation
from .yamlio import load_yaml

CONFIG_FILE = "indbuilder.yaml"

define("config.missing", "error", "The folder has no indbuilder.yaml, so it is not an indbuilder project.")
define(
    "config.unknown-key",
    "warning",
    "indbuilder.yaml contains a key indbuilder does not know (ignored).",
    "Unknown keys are ignored; a warning is given because they are often typos (``regoins``).",
)
define("config.unknown-rule", "warning", "A severity override or waiver names a rule id that does not exist.")

# Documentation of every key, shown by `indbuilder build --help` readers and in the README.
CONFIG_KEYS: dict[str, str] = {
    "regions": "Regions to build: a list of registered region names, built in: 'fda' (US FDA IND, English) and 'nmpa' (China NMPA IND, Chinese).",
    "sequence": "The eCTD sequence number to build, four digits ('0000' for the initial IND).",
    "submission_date": "Date of the submission (YYYY-MM-DD); documents are dated with it and no document may be dated later.",
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
    submission_date: dt.date | None = None
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
            raise ValueError(f"must be four digits such as '0000', got {v!r}")
        return text


@dataclass
class ProjectConfig:
    """A loaded project: its root folder, its settings and where they came from."""

    root: Path
    settings: ProjectSettings
    source: Location
    waivers: list[Waiver] = field(default_factory=list)

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
        return self.settings.submission_date or dt.date(2026, 1, 1)


def default_standards_cache() -> Path:
    """The standards folder when indbuilder.yaml names none: ``$INDBUILDER_STANDARDS`` if set, else the
    per-user cache that ``indbuilder standards install`` fills."""
    import os

    from .ectd.standards import default_cache

    override = os.environ.get("INDBUILDER_STANDARDS")
    return Path(override) if override else default_cache()


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
        diags.extend(diagnostics_from_validation(exc, loaded))
        return None, diags
    waivers = [Waiver(w.rule, w.justification, w.path, w.contains) for w in settings.waivers]
    return ProjectConfig(root.resolve(), settings, Location(CONFIG_FILE, 1, 1), waivers), diags
