"""The rule registry: every diagnostic id, its default severity, summary and regulatory basis.

Each module that emits findings declares its rules once with :func:`define`, at import time.
Ids are stable and never reused: projects refer to them in ``indbuilder.yaml`` (severity
overrides, waivers) and CI annotations carry them.

This module imports nothing from the package: :mod:`indbuilder.diagnostics` looks up default
severities here, so a dependency the other way would be an import cycle. :class:`Severity`
lives here for that reason (``diagnostics`` re-exports it).
"""

from __future__ import annotations

import enum
import importlib
from dataclasses import dataclass


class Severity(str, enum.Enum):
    """How serious a finding is. ``error`` fails ``check``/``build``; ``--strict`` fails on warnings."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Sort order: errors first, then warnings, then information."""
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True)
class Rule:
    """A registered rule. ``basis`` cites the regulation or guidance the rule comes from."""

    id: str
    severity: Severity
    summary: str
    explanation: str = ""
    basis: str = ""


_REGISTRY: dict[str, Rule] = {}

# Modules that define rules. Importing them fills the registry; listed here so that
# `indbuilder rules` shows every rule even when a command never touched the module.
RULE_MODULES = (
    "indbuilder.yamlio",
    "indbuilder.schema_errors",
    "indbuilder.config",
    "indbuilder.loader",
    "indbuilder.outline",
    "indbuilder.render",
    "indbuilder.pipeline",
    "indbuilder.writers.docx",
    "indbuilder.writers.docx_rules",
    "indbuilder.writers.pdf",
    "indbuilder.pdfcheck",
    "indbuilder.ectd",
    "indbuilder.checks",
    "indbuilder.submit",
)


def define(
    id: str, severity: str | Severity, summary: str, explanation: str = "", basis: str = ""
) -> Rule:
    """Register a rule (idempotent for identical re-definitions; a conflicting one is a bug)."""
    rule = Rule(id, Severity(severity), summary, explanation.strip(), basis)
    existing = _REGISTRY.get(id)
    if existing is not None and existing != rule:
        raise ValueError(f"rule id {id!r} defined twice with different content")
    _REGISTRY[id] = rule
    return rule


def load_all() -> None:
    """Import every rule-defining module (silently skipping ones not yet present)."""
    for name in RULE_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a family not installed in this build
            if exc.name != name:
                raise


def all_rules() -> list[Rule]:
    """Every rule of every rule-defining module, sorted by id."""
    load_all()
    return sorted(_REGISTRY.values(), key=lambda r: r.id)


def get(rule_id: str) -> Rule | None:
    """The rule registered as ``rule_id`` (loading every rule module first), or None."""
    load_all()
    return _REGISTRY.get(rule_id)


# Rules whose errors gate later stages: a YAML or schema error leaves no usable facts to render
# (rendering is skipped), a config error leaves no project, a build/history error stops the write,
# and an altered or unlocked submitted sequence must never be built upon. Their severity cannot be
# overridden and they cannot be waived: the pipeline's gates would otherwise open on broken input.
GATE_PREFIXES = ("yaml.", "schema.", "config.", "history.")
GATE_RULES = frozenset(
    {
        "build.output",
        "build.no-regions",
        "build.no-sequence",
        "ectd.sequence-submitted",
        "ectd.sequence-gap",
        "ectd.sequence-not-latest",
        "ectd.sequence-folder",
    }
)


def gates(rule_id: str) -> bool:
    """Whether ``rule_id`` gates a later stage, so its severity may not be overridden nor waived.

    Only error rules gate: a warning of these families (an unknown config key) may be tuned freely.
    """
    if not (rule_id in GATE_RULES or rule_id.startswith(GATE_PREFIXES)):
        return False
    rule = _REGISTRY.get(rule_id) or get(rule_id)
    return rule is not None and rule.severity is Severity.ERROR


def default_severity(rule_id: str) -> Severity:
    """The severity ``rule_id`` was defined with; an unregistered id is a programming error."""
    rule = _REGISTRY.get(rule_id) or get(rule_id)
    if rule is None:
        raise KeyError(f"diagnostic emitted with unregistered rule id {rule_id!r}")
    return rule.severity
