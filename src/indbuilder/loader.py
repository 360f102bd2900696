"""Load ``content/``: YAML facts into the typed model, Markdown narratives with front matter.

Every file is read, every problem collected; nothing stops at the first error. Each top-level
section of a fact file is validated on its own, so a schema error points at the exact key.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .diagnostics import Diagnostic, Diagnostics, Location, Severity, did_you_mean
from .model.dossier import LIST_SECTIONS, SECTIONS, Dossier, Narrative, SourceMap
from .rules import define
from .schema_errors import diagnostics_from_validation
from .yamlio import KeyPath, LoadedYaml, load_yaml, load_yaml_text

define(
    "schema.unknown-section",
    "error",
    "A fact file has a top-level key that is not a known section.",
    "Top-level keys of content/**/*.yaml name the section they hold (product, batches, studies, …). "
    "An unknown one is usually a typo, and its facts would otherwise be ignored.",
)
define("schema.missing-section", "error", "A section every IND needs is in no fact file.")
define("schema.duplicate-section", "error", "A single-record section (such as product) is defined in two files.")
define("schema.duplicate-id", "error", "Two records of the same section share an id; references by id would be ambiguous.")
define(
    "narrative.front-matter",
    "error",
    "A Markdown narrative has missing or invalid front matter.",
    "Each narrative starts with a YAML block between '---' lines giving at least 'id' and 'lang' (en or zh).",
)

# Section types differ (one model, or a list of models): a validated section is only known
# to be "some model value" here; Dossier gives each section its type.
_ADAPTERS: dict[str, TypeAdapter[object]] = {name: TypeAdapter(typ) for name, (typ, _, _) in SECTIONS.items()}
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?\n", re.S | re.M)


def discover(content_dir: Path) -> tuple[list[Path], list[Path]]:
    """Fact and narrative files under ``content_dir``, in a stable (sorted) order."""
    facts = sorted(p for p in content_dir.rglob("*.yaml") if p.is_file())
    facts += sorted(p for p in content_dir.rglob("*.yml") if p.is_file())
    narratives = sorted(p for p in content_dir.rglob("*.md") if p.is_file())
    return facts, narratives


def load_content(root: Path, content_dir: Path, diags: Diagnostics) -> Dossier:
    """Read every fact and narrative file; return what validated (invalid sections are left out)."""
    fact_files, narrative_files = discover(content_dir)
    facts: dict[str, Any] = {}
    sources = SourceMap()
    defined_in: dict[str, Location] = {}
    unreadable = False
    for path in fact_files:
        loaded = load_yaml(path, _display(path, root))
        diags.extend(loaded.diagnostics)
        if loaded.data is None:
            unreadable = unreadable or bool(loaded.diagnostics)
            continue
        if not isinstance(loaded.data, dict):
            diags.add(_err("schema.type", "a fact file must be a mapping of section names", loaded.location()))
            continue
        for section, value in loaded.data.items():
            _load_section(section, value, loaded, facts, sources, defined_in, diags)
    for name, (_, required, what) in SECTIONS.items():
        # A file that does not parse may well hold the section: its syntax error is the finding.
        if required and not unreadable and name not in facts and name not in defined_in:
            diags.add(
                _err(
                    "schema.missing-section",
                    f"no fact file defines '{name}': {what}",
                    Location(_display(content_dir, root)),
                )
            )
    _check_unique_ids(facts, sources, diags)
    narratives = [n for p in narrative_files if (n := load_narrative(p, root, diags)) is not None]
    return Dossier(facts=facts, narratives=narratives, sources=sources)


def _load_section(
    section: Any,
    value: Any,
    loaded: LoadedYaml,
    facts: dict[str, Any],
    sources: SourceMap,
    defined_in: dict[str, Location],
    diags: Diagnostics,
) -> None:
    where = loaded.location((section,))
    if section not in SECTIONS:
        diags.add(
            Diagnostic(
                "schema.unknown-section",
                Severity.ERROR,
                f"unknown section '{section}'",
                where,
                hint=did_you_mean(section, SECTIONS, f"known sections: {', '.join(SECTIONS)}"),
            )
        )
        return
    if section not in LIST_SECTIONS and section in defined_in:
        diags.add(
            _err(
                "schema.duplicate-section",
                f"section '{section}' is already defined in {defined_in[section]}",
                where,
            )
        )
        return
    defined_in.setdefault(section, where)
    try:
        parsed = _ADAPTERS[section].validate_python(value)
    except ValidationError as exc:
        diags.extend(diagnostics_from_validation(exc, loaded, (section,)))
        return
    _record_sources(section, value, loaded, sources)
    if section in LIST_SECTIONS:
        facts.setdefault(section, []).extend(parsed)
    else:
        facts[section] = parsed


def _record_sources(section: str, value: Any, loaded: LoadedYaml, sources: SourceMap) -> None:
    """Map file key paths to logical paths: list items are named by their ``id`` where they have one."""

    def logical(path: KeyPath) -> KeyPath:
        out: list[Any] = []
        node: Any = value
        for part in path[1:]:
            if isinstance(part, int) and isinstance(node, list):
                item = node[part] if part < len(node) else None
                node = item
                out.append(item["id"] if isinstance(item, dict) and "id" in item else part)
            else:
                node = node.get(part) if isinstance(node, dict) else None
                out.append(part)
        return (section, *out)

    for key_path, (line, col) in loaded.marks.items():
        if key_path and key_path[0] == section:
            sources.locations.setdefault(logical(key_path), Location(loaded.display, line, col))


def _check_unique_ids(facts: dict[str, Any], sources: SourceMap, diags: Diagnostics) -> None:
    for section in LIST_SECTIONS:
        seen: set[str] = set()
        for rec in facts.get(section, []):
            rid = getattr(rec, "id", None)
            if rid is None:
                continue
            if rid in seen:
                diags.add(_err("schema.duplicate-id", f"{section} id '{rid}' is used twice", sources.where(section, rid)))
            seen.add(rid)


def split_front_matter(text: str, display: str) -> tuple[LoadedYaml | None, str, int]:
    """Split ``---`` front matter from a Markdown body; returns (front matter, body, body line number)."""
    m = _FRONT.match(text)
    if not m:
        return None, text, 1
    fm = load_yaml_text(m.group(1), display)
    # shift locations by the opening '---' line
    fm.marks = {k: (line + 1, col) for k, (line, col) in fm.marks.items()}
    fm.diagnostics = [
        Diagnostic(d.rule, d.severity, d.message, Location(display, d.location.line + 1, d.location.col), d.hint)
        if d.location and d.location.line
        else d
        for d in fm.diagnostics
    ]
    body_line = text[: m.end()].count("\n") + 1
    return fm, text[m.end() :], body_line


def load_narrative(path: Path, root: Path, diags: Diagnostics) -> Narrative | None:
    """Read one narrative; its front matter needs ``id`` and ``lang`` (``en``/``zh``)."""
    display = _display(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        diags.add(_err("yaml.encoding", f"file is not UTF-8 ({exc.reason})", Location(display)))
        return None
    fm, body, body_line = split_front_matter(text, display)
    if fm is None:
        diags.add(_err("narrative.front-matter", "no front matter: start the file with '---', id and lang, '---'", Location(display, 1, 1)))
        return None
    diags.extend(fm.diagnostics)
    meta = fm.data if isinstance(fm.data, dict) else {}
    problems = []
    if not isinstance(meta.get("id"), str):
        problems.append("'id' (text) is required")
    if meta.get("lang") not in ("en", "zh"):
        problems.append(f"'lang' must be en or zh, got {meta.get('lang')!r}")
    if problems:
        diags.add(_err("narrative.front-matter", "; ".join(problems), Location(display, 2, 1)))
        return None
    return Narrative(
        id=meta["id"],
        path=display,
        lang=meta["lang"],
        body=body,
        body_line=body_line,
        node=meta.get("node"),
        title=meta.get("title"),
        version=str(meta["version"]) if meta.get("version") is not None else None,
        translation_of=meta.get("translation_of"),
        meta=meta,
    )


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _err(rule: str, message: str, location: Location | None) -> Diagnostic:
    return Diagnostic(rule, Severity.ERROR, message, location)
