"""Diagnostics out: compiler-style text, JSON, JUnit XML, SARIF 2.1.0 and GitHub annotations.

All formats are produced from the same sorted list, so CI and a writer's terminal always agree.
"""

from __future__ import annotations

import json
from typing import Callable
from xml.sax.saxutils import escape, quoteattr

from . import __version__
from .diagnostics import Diagnostic, Diagnostics, Severity, summary_line
from .rules import get as get_rule


def as_text(diags: Diagnostics, quiet: bool = False, color: bool = False) -> str:
    """The compiler-style lines plus the counted summary line.

    ``quiet`` keeps only the errors that count (and the summary line); ``color`` marks the severity
    (error red, warning yellow, info dim) and dims the rule id, for a terminal.
    """
    items = diags.sorted()
    if quiet:
        items = [d for d in items if d.severity is Severity.ERROR and d.counts]
    lines = [_coloured(d) if color else d.format() for d in items]
    lines.append(_coloured_summary(diags) if color else summary_line(diags))
    return "\n".join(lines) + "\n"


# (foreground colour, bold, dim) per severity
_SEVERITY_STYLE: dict[Severity, tuple[str | None, bool, bool]] = {
    Severity.ERROR: ("red", True, False),
    Severity.WARNING: ("yellow", True, False),
    Severity.INFO: (None, False, True),
}


def _coloured(d: Diagnostic) -> str:
    """``d.format()`` with its severity word coloured and its rule id dimmed (the text is unchanged)."""
    from click import style  # Typer's styling (click): no rich import on the check path

    text = d.format()
    sev = d.severity.value + (" (waived)" if d.waived else "")
    plain = f"{sev} [{d.rule}]"
    fg, bold, dim = _SEVERITY_STYLE[d.severity] if not d.waived else (None, False, True)
    styled = f"{style(sev, fg=fg, bold=bold, dim=dim)} {style(f'[{d.rule}]', dim=True)}"
    text = text.replace(plain, styled, 1)
    for label in ("\n    hint:", "\n    waiver:"):
        text = text.replace(label, "\n    " + style(label.strip(), dim=True), 1)
    return text


def _coloured_summary(diags: Diagnostics) -> str:
    from click import style

    line = summary_line(diags)
    if diags.has_errors:
        return style(line, fg="red", bold=True)
    if diags.count(Severity.WARNING):
        return style(line, fg="yellow")
    return style(line, fg="green")


def as_json(diags: Diagnostics) -> str:
    """A JSON document: tool, version, counts and every finding (``Diagnostic.to_dict``)."""
    payload = {
        "tool": "indbuilder",
        "version": __version__,
        "summary": {
            "errors": diags.count(Severity.ERROR),
            "warnings": diags.count(Severity.WARNING),
            "waived": sum(1 for d in diags if not d.counts),
        },
        "diagnostics": [d.to_dict() for d in diags.sorted()],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def as_junit(diags: Diagnostics) -> str:
    """One test case per finding; errors (and warnings under --strict reporting) are failures."""
    items = diags.sorted()
    failures = sum(1 for d in items if d.severity is Severity.ERROR and d.counts)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="indbuilder" tests="{max(len(items), 1)}" failures="{failures}">',
        f'<testsuite name="indbuilder.check" tests="{max(len(items), 1)}" failures="{failures}">',
    ]
    if not items:
        out.append('<testcase classname="indbuilder" name="no findings"/>')
    for d in items:
        name = quoteattr(f"{d.location or '-'} [{d.rule}]")
        out.append(f"<testcase classname={quoteattr(d.rule)} name={name}>")
        if d.severity is Severity.ERROR and d.counts:
            out.append(f"<failure message={quoteattr(d.message)} type={quoteattr(d.rule)}>{escape(d.format())}</failure>")
        else:
            out.append(f"<system-out>{escape(d.format())}</system-out>")
        out.append("</testcase>")
    out += ["</testsuite>", "</testsuites>"]
    return "\n".join(out) + "\n"


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def as_sarif(diags: Diagnostics) -> str:
    """A SARIF 2.1.0 log with one run; rules carry their registry summary and explanation."""
    items = diags.sorted()
    rule_ids = sorted({d.rule for d in items})
    rules: list[dict[str, object]] = []
    for rid in rule_ids:
        rule = get_rule(rid)
        entry: dict[str, object] = {"id": rid, "shortDescription": {"text": rule.summary if rule else rid}}
        if rule and rule.explanation:
            entry["fullDescription"] = {"text": rule.explanation}
        rules.append(entry)
    results: list[dict[str, object]] = []
    for d in items:
        res: dict[str, object] = {"ruleId": d.rule, "level": _SARIF_LEVEL[d.severity], "message": {"text": d.message}}
        if d.location:
            region: dict[str, int] = {}
            if d.location.line:
                region["startLine"] = d.location.line
            if d.location.col:
                region["startColumn"] = d.location.col
            phys: dict[str, object] = {"artifactLocation": {"uri": d.location.path}}
            if region:
                phys["region"] = region
            res["locations"] = [{"physicalLocation": phys}]
        if d.waived:
            res["suppressions"] = [{"kind": "external", "justification": d.waived}]
        results.append(res)
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "indbuilder", "version": __version__, "rules": rules}},
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, ensure_ascii=False, indent=2) + "\n"


def _gh_escape(text: str) -> str:
    # GitHub workflow command escaping for data and properties
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def as_github(diags: Diagnostics) -> str:
    """GitHub Actions workflow commands (``::error file=…,line=…::message``) shown inline on PRs."""
    out = []
    for d in diags.sorted():
        kind = {"error": "error", "warning": "warning", "info": "notice"}[d.severity.value]
        if d.waived:
            kind = "notice"
        props = [f"title={_gh_escape(d.rule).replace(',', '%2C').replace(':', '%3A')}"]
        if d.location:
            props.insert(0, f"file={d.location.path}")
            if d.location.line:
                props.insert(1, f"line={d.location.line}")
            if d.location.col:
                props.insert(2, f"col={d.location.col}")
        out.append(f"::{kind} {','.join(props)}::{_gh_escape(d.message)}")
    out.append(summary_line(diags))
    return "\n".join(out) + "\n"


FORMATS: dict[str, Callable[[Diagnostics], str]] = {
    "text": as_text,
    "json": as_json,
    "junit": as_junit,
    "sarif": as_sarif,
    "github": as_github,
}


def render_report(diags: Diagnostics, fmt: str, quiet: bool = False, color: bool = False) -> str:
    """The report in ``fmt``; ``quiet`` and ``color`` change the text format only (the machine formats
    always list every finding, uncoloured)."""
    if fmt == "text":
        return as_text(diags, quiet=quiet, color=color)
    return FORMATS[fmt](diags)


def failed(diags: Diagnostics, strict: bool) -> bool:
    """Errors fail; under ``--strict`` warnings fail too. Waived findings never fail."""
    return diags.has_errors or (strict and diags.count(Severity.WARNING) > 0)


__all__ = ["FORMATS", "render_report", "failed", "Diagnostic"]
