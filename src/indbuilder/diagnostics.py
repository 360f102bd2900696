"""Diagnostics: every content problem is collected with a place and a rule id, never raised.

The printed form is the compiler form that editors and CI problem matchers parse::

    content/cmc/batches.yaml:41:7: error [schema.type] 'viability_percent' must be a number, got 'ninety'

Exceptions are reserved for "cannot continue" situations (no project, output not writable);
everything a writer can fix in the sources becomes a :class:`Diagnostic`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Iterator

# Severity is defined next to the rule registry (which needs it and must not import this
# module); it is re-exported here because every emitter spells it ``diagnostics.Severity``.
from .rules import Severity, default_severity, gates

__all__ = [
    "Diagnostic",
    "Diagnostics",
    "Location",
    "Severity",
    "Waiver",
    "did_you_mean",
    "summary_line",
]

# The JSON form of one finding (``Diagnostic.to_dict``): strings, line/column numbers, or null.
DiagnosticJSON = dict[str, str | int | None]


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file. ``line`` and ``col`` are 1-based; 0 means unknown."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line and self.col:
            return f"{self.path}:{self.line}:{self.col}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path

    @classmethod
    def of(cls, path: Path | str, line: int = 0, col: int = 0, root: Path | None = None) -> "Location":
        """Build a location, making ``path`` relative to ``root`` when possible (for readable output)."""
        p = Path(path)
        if root is not None:
            try:
                p = p.resolve().relative_to(root.resolve())
            except ValueError:
                pass
        return cls(p.as_posix(), line, col)


@dataclass(frozen=True)
class Diagnostic:
    """One finding. ``rule`` is a stable dotted id from the rule registry (see ``rules.py``)."""

    rule: str
    severity: Severity
    message: str
    location: Location | None = None
    hint: str | None = None
    waived: str | None = None  # the written justification when the project waived this finding

    def format(self) -> str:
        """The compiler-style text form (``path:line:col: severity [rule] message``)."""
        where = f"{self.location}: " if self.location else ""
        sev = self.severity.value
        if self.waived:
            sev = f"{sev} (waived)"
        text = f"{where}{sev} [{self.rule}] {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        if self.waived:
            text += f"\n    waiver: {self.waived}"
        return text

    def to_dict(self) -> DiagnosticJSON:
        """The JSON form used by ``--format json`` and the build report."""
        loc = self.location
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "path": loc.path if loc else None,
            "line": loc.line if loc else None,
            "col": loc.col if loc else None,
            "hint": self.hint,
            "waived": self.waived,
        }

    @property
    def counts(self) -> bool:
        """Waived findings are reported but never fail a build."""
        return self.waived is None


@dataclass
class Diagnostics:
    """An ordered collection of findings, filled by every stage of the pipeline."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diag: Diagnostic) -> None:
        """Record an already built finding."""
        self.items.append(diag)

    def extend(self, diags: Iterable[Diagnostic]) -> None:
        """Record several already built findings, in order."""
        self.items.extend(diags)

    def emit(
        self,
        rule: str,
        message: str,
        location: Location | None = None,
        hint: str | None = None,
        severity: Severity | None = None,
    ) -> Diagnostic:
        """Record a finding of ``rule`` at its registered default severity (unless given)."""
        diag = Diagnostic(rule, severity or default_severity(rule), message, location, hint)
        self.items.append(diag)
        return diag

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def count(self, severity: Severity) -> int:
        """How many unwaived findings have ``severity``, counting a repeated finding (same rule, message,
        place) once, as the report prints it: the summary line matches the list above it."""
        return sum(1 for d in self.sorted() if d.severity is severity and d.counts)

    @property
    def has_errors(self) -> bool:
        """True when an unwaived error would fail the command."""
        return self.count(Severity.ERROR) > 0

    def sorted(self) -> list[Diagnostic]:
        """Deduplicated, in a stable order: by file, line, column, then rule."""
        seen: set[tuple[str, str, Location | None, Severity, str | None]] = set()
        out: list[Diagnostic] = []
        for d in self.items:
            key = (d.rule, d.message, d.location, d.severity, d.waived)
            if key in seen:
                continue
            seen.add(key)
            out.append(d)
        return sorted(
            out,
            key=lambda d: (
                d.location is None,
                d.location or Location(""),
                d.severity.rank,
                d.rule,
                d.message,
            ),
        )

    def apply_policy(self, overrides: dict[str, str], waivers: list["Waiver"]) -> None:
        """Apply the project's severity overrides and waivers (``indbuilder.yaml``) in place.

        Rules that gate a later stage (:func:`indbuilder.rules.gates`) keep their severity and are
        never waived, whatever the project says: the config reports such an override as an error.
        """
        result: list[Diagnostic] = []
        for d in self.items:
            if gates(d.rule):
                result.append(d)
                continue
            if d.rule in overrides:
                d = replace(d, severity=Severity(overrides[d.rule]))
            for w in waivers:
                if w.matches(d):
                    d = replace(d, waived=w.justification)
                    break
            result.append(d)
        self.items = result


@dataclass(frozen=True)
class Waiver:
    """A project's decision to accept one finding, with the justification a reviewer will ask for."""

    rule: str
    justification: str
    path: str | None = None
    contains: str | None = None  # text that must occur in the message (e.g. a lot id)

    def matches(self, diag: Diagnostic) -> bool:
        """True when this waiver covers ``diag`` (same rule, and path/text when given)."""
        if diag.rule != self.rule:
            return False
        if self.path and (diag.location is None or diag.location.path != self.path):
            return False
        if self.contains and self.contains not in diag.message:
            return False
        return True


def did_you_mean(name: str, options: Iterable[str], fallback: str | None = None) -> str | None:
    """A hint naming the closest known option to a misspelt ``name`` (or ``fallback``)."""
    close = difflib.get_close_matches(str(name), list(options), n=1)
    return f"did you mean '{close[0]}'?" if close else fallback


def summary_line(diags: Diagnostics) -> str:
    """One counted closing line, e.g. ``2 errors, 1 warning, 0 waived``."""
    e = diags.count(Severity.ERROR)
    w = diags.count(Severity.WARNING)
    waived = sum(1 for d in diags if not d.counts)

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return f"{plural(e, 'error')}, {plural(w, 'warning')}, {waived} waived"
