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
from .paths import ReadScope, is_regular_file
from .rules import define
from .schema_errors import diagnostics_from_validation
from .yamlio import MAX_YAML_BYTES, KeyPath, LoadedYaml, load_yaml, load_yaml_text

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
define(
    "yaml.outside-project",
    "error",
    "A content file or folder (fact file, narrative, the content folder) resolves outside the project and is not read.",
    "Facts and narratives are read from inside the project only. A path that leads elsewhere (an "
    "absolute 'content:' folder, '..', or a symbolic link such as a fact file linked to /etc/passwd) "
    "is refused, and nothing of the file is read or shown, so that a typo or a hostile contribution "
    "cannot pull an outside file into a submission. A project that really keeps content elsewhere "
    "names that folder in indbuilder.yaml under 'allow_outside'.",
    "CWE-22 (path traversal); CWE-59 (link following).",
)
define(
    "narrative.duplicate-id",
    "error",
    "Two narratives have the same id and language.",
    "A narrative is found by its id and language; with two of them one would silently replace the "
    "other in the build. Give one of them another id (or the other language).",
)
define(
    "narrative.control-character",
    "warning",
    "A narrative contains control characters, which no document can carry.",
    "Control characters (BEL, ESC, form feed, DEL, C1 controls; anything but tab and line breaks) are "
    "invisible in editors, cannot be stored in the XML of DOCX files and print as nothing in a PDF. "
    "They usually come from copying text out of another program. The writers leave them out of the "
    "documents; delete them in the file (at the line named) to silence this warning.",
    "XML 1.0 section 2.2 (Char).",
)

# Section types differ (one model, or a list of models): a validated section is only known
# to be "some model value" here; Dossier gives each section its type.
_ADAPTERS: dict[str, TypeAdapter[object]] = {name: TypeAdapter(typ) for name, (typ, _, _) in SECTIONS.items()}
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?\n", re.S | re.M)
# Control characters a narrative may not carry (tab, LF and CR are text); removed with a warning.
_CONTROL = re.compile("[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]")
# Front-matter keys the loader reads, and the kinds of value each may have.
_TEXT_KEYS = ("id", "node", "title", "translation_of")


def discover(content_dir: Path) -> tuple[list[Path], list[Path]]:
    """Fact and narrative files under ``content_dir``, in a stable (sorted) order."""
    facts = sorted(p for p in content_dir.rglob("*.yaml") if p.is_file())
    facts += sorted(p for p in content_dir.rglob("*.yml") if p.is_file())
    narratives = sorted(p for p in content_dir.rglob("*.md") if p.is_file())
    return facts, narratives


def load_content(root: Path, content_dir: Path, diags: Diagnostics, scope: ReadScope | None = None) -> Dossier:
    """Read every fact and narrative file; return what validated (invalid sections are left out).

    Only files inside ``scope`` (default: the project root) are read: a content folder or file that
    resolves elsewhere is refused with ``yaml.outside-project`` and never opened.
    """
    scope = scope or ReadScope.of(root)
    sources = SourceMap()
    if not scope.allows(content_dir):
        diags.add(
            _err(
                "yaml.outside-project",
                f"the content folder '{content_dir}' resolves outside the project folder; nothing in it is read",
                _config_key_location(root, "content"),
            )
        )
        return Dossier(facts={}, narratives=[], sources=sources)
    fact_files, narrative_files = discover(content_dir)
    fact_files = _inside(fact_files, root, scope, diags)
    narrative_files = _inside(narrative_files, root, scope, diags)
    facts: dict[str, Any] = {}
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
    _check_result_floors(facts, sources, diags)
    located = [_load_narrative(p, root, diags) for p in narrative_files]
    narratives = _unique_narratives([(n, line) for n, line in located if n is not None], diags)
    return Dossier(facts=facts, narratives=narratives, sources=sources)


def _check_result_floors(facts: dict[str, Any], sources: SourceMap, diags: Diagnostics) -> None:
    """A negative result of a test whose limit has ``min: 0`` is impossible (a count, a percentage,
    a concentration), not merely out of specification: a schema error at the result's line."""
    spec = facts.get("specification")
    floors = {t.id for t in getattr(spec, "tests", []) if t.limit.min is not None and t.limit.min == 0}
    if not floors:
        return

    def check(value: object, test: str, *where: Any) -> None:
        if test in floors and isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
            diags.add(
                _err(
                    "schema.value",
                    f"'{test}' result {value} is negative, but its limit starts at 0 (min: 0): it cannot be negative",
                    sources.where(*where, test),
                )
            )

    for batch in facts.get("batches", []):
        for test, value in batch.results.items():
            check(value, test, "batches", batch.id, "results")
    for study in facts.get("stability", []):
        for i, point in enumerate(study.timepoints):
            for lot, results in point.results.items():
                for test, value in results.items():
                    check(value, test, "stability", study.id, "timepoints", i, "results", lot)


def _inside(paths: list[Path], root: Path, scope: ReadScope, diags: Diagnostics) -> list[Path]:
    """The paths that resolve inside ``scope``; each other one is an error naming it (never its bytes)."""
    kept = []
    for path in paths:
        if scope.allows(path):
            kept.append(path)
        else:
            diags.add(
                _err(
                    "yaml.outside-project",
                    f"{_display(path, root)} resolves outside the project folder (a symbolic link?); it is not read",
                    Location(_display(path, root)),
                )
            )
    return kept


def _config_key_location(root: Path, key: str) -> Location:
    """Where ``key`` is set in ``root/indbuilder.yaml`` (its line), for findings about a config value."""
    config = root / "indbuilder.yaml"
    try:
        lines = config.read_text(encoding="utf-8").splitlines() if is_regular_file(config) else []
    except (OSError, UnicodeDecodeError):
        lines = []
    for number, line in enumerate(lines[:10_000], start=1):
        if re.match(rf"{re.escape(key)}\s*:", line):
            return Location("indbuilder.yaml", number, 1)
    return Location("indbuilder.yaml")


def _unique_narratives(narratives: list[tuple[Narrative, int]], diags: Diagnostics) -> list[Narrative]:
    """One narrative per (id, language): a second one is an error naming both files (the first is kept)."""
    first: dict[tuple[str, str], Narrative] = {}
    for n, id_line in narratives:
        key = (n.id, n.lang)
        if key in first:
            other = first[key]
            diags.add(
                _err(
                    "narrative.duplicate-id",
                    f"narrative id '{n.id}' ({n.lang}) is also used by {other.path}; only one narrative may have it",
                    Location(n.path, id_line, 1),
                )
            )
            continue
        first[key] = n
    return list(first.values())


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


def read_text_file(path: Path, display: str, diags: Diagnostics) -> str | None:
    """A narrative's text, or ``None`` with a diagnostic: not a regular file, above the size limit, not UTF-8."""
    try:
        if not is_regular_file(path):
            diags.add(_err("yaml.unreadable", "not a regular file (a folder, pipe or device); it is not read", Location(display)))
            return None
        if path.stat().st_size > MAX_YAML_BYTES:
            diags.add(
                _err(
                    "yaml.limit",
                    f"file is larger than {MAX_YAML_BYTES // 1_048_576} MB; it is not read",
                    Location(display),
                )
            )
            return None
        with path.open("rb") as fh:
            raw = fh.read(MAX_YAML_BYTES + 1)
    except OSError as exc:
        diags.add(_err("yaml.unreadable", f"cannot read the file ({exc.strerror or type(exc).__name__})", Location(display)))
        return None
    if len(raw) > MAX_YAML_BYTES:
        diags.add(_err("yaml.limit", f"file is larger than {MAX_YAML_BYTES // 1_048_576} MB", Location(display)))
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        diags.add(_err("yaml.encoding", f"file is not UTF-8 (byte {exc.start}: {exc.reason})", Location(display)))
        return None


def warn_controls(text: str, display: str, diags: Diagnostics, first_line: int = 1) -> str:
    """``text`` unchanged; each line with a control character gets a located warning.

    The writers remove what they cannot store (``write.control-character``) where they meet it;
    this finding says where in the source it is, so it can be deleted there.
    """
    if _CONTROL.search(text) is None:
        return text
    warned = 0
    for number, line in enumerate(text.split("\n"), start=first_line):
        m = _CONTROL.search(line)
        if m is None:
            continue
        if warned < 20:
            diags.add(
                Diagnostic(
                    "narrative.control-character",
                    Severity.WARNING,
                    f"control character U+{ord(m.group()):04X} in the text (documents cannot carry it)",
                    Location(display, number, m.start() + 1),
                    hint="delete it in the file (it is invisible in most editors)",
                )
            )
        warned += 1
    return text


def check_front_matter(fm: LoadedYaml, diags: Diagnostics) -> bool:
    """Whether the front matter's ``id``, ``lang``, ``node``, ``title``, ``version`` and
    ``translation_of`` have usable values; each problem is a diagnostic at its key's line."""
    meta = fm.data if isinstance(fm.data, dict) else {}
    where = fm.location() if fm.marks else Location(fm.display, 2, 1)
    ok = True
    if not isinstance(meta.get("id"), str):
        ok = False
        if "id" not in meta:
            diags.add(_err("narrative.front-matter", "'id' (text) is required", where))
        else:
            diags.add(_err("schema.type", f"'id' must be text, got {_kind(meta['id'])}", fm.location(("id",))))
    if meta.get("lang") not in ("en", "zh"):
        ok = False
        lang = meta.get("lang")
        shown = _kind(lang) if isinstance(lang, (dict, list)) else repr(lang)[:40]
        diags.add(
            _err(
                "narrative.front-matter",
                f"'lang' must be en or zh, got {shown}",
                fm.location(("lang",)) if "lang" in meta else where,
            )
        )
    for key in _TEXT_KEYS[1:]:
        value = meta.get(key)
        if value is not None and not isinstance(value, str):
            ok = False
            diags.add(_err("schema.type", f"'{key}' must be text, got {_kind(value)}", fm.location((key,))))
    version = meta.get("version")
    if version is not None and (isinstance(version, (dict, list, bool)) or not isinstance(version, (str, int, float))):
        ok = False
        diags.add(_err("schema.type", f"'version' must be text or a number, got {_kind(version)}", fm.location(("version",))))
    return ok


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {str(value)[:40]!r}"


def load_narrative(path: Path, root: Path, diags: Diagnostics) -> Narrative | None:
    """Read one narrative; its front matter needs ``id`` and ``lang`` (``en``/``zh``)."""
    return _load_narrative(path, root, diags)[0]


def _load_narrative(path: Path, root: Path, diags: Diagnostics) -> tuple[Narrative | None, int]:
    """A narrative and the line of its ``id`` (for findings about the id)."""
    display = _display(path, root)
    text = read_text_file(path, display, diags)
    if text is None:
        return None, 1
    fm = _narrative_front_matter(text, display, diags)
    if fm is None:
        return None, 1
    loaded, body, body_line = fm
    meta: dict[str, Any] = dict(loaded.data or {})
    narrative = Narrative(
        id=meta["id"],
        path=display,
        lang=meta["lang"],
        body=warn_controls(body, display, diags, body_line),
        body_line=body_line,
        node=meta.get("node"),
        title=meta.get("title"),
        version=str(meta["version"]) if meta.get("version") is not None else None,
        translation_of=meta.get("translation_of"),
        meta=meta,
    )
    return narrative, loaded.location(("id",)).line


def _narrative_front_matter(text: str, display: str, diags: Diagnostics) -> tuple[LoadedYaml, str, int] | None:
    """The validated front matter, body and body line of a narrative's text (``None``: findings given)."""
    fm, body, body_line = split_front_matter(text, display)
    if fm is None:
        diags.add(_err("narrative.front-matter", "no front matter: start the file with '---', id and lang, '---'", Location(display, 1, 1)))
        return None
    diags.extend(fm.diagnostics)
    if fm.data is not None and not isinstance(fm.data, dict):
        diags.add(_err("narrative.front-matter", "front matter must be a mapping of keys to values", Location(display, 2, 1)))
        return None
    if fm.data is None and fm.diagnostics:
        return None  # the YAML finding says why
    if not check_front_matter(fm, diags):
        return None
    return fm, body, body_line


def _display(path: Path, root: Path) -> str:
    """``path`` relative to the project root as written (a symbolic link is named, not its target)."""
    for p, r in ((path, root), (path.absolute(), root.absolute()), (path.resolve(), root.resolve())):
        try:
            return p.relative_to(r).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def _err(rule: str, message: str, location: Location | None) -> Diagnostic:
    return Diagnostic(rule, Severity.ERROR, message, location)
