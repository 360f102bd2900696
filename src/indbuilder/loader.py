"""Load ``content/``: YAML facts into the typed model, Markdown narratives with front matter.

Every file is read, every problem collected; nothing stops at the first error. Each top-level
section of a fact file is validated on its own, so a schema error points at the exact key.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, cast

from pydantic import TypeAdapter, ValidationError

from .diagnostics import Diagnostic, Diagnostics, Location, Severity, did_you_mean
from .model.dossier import COMPOSITE_SECTIONS, LIST_SECTIONS, MOVED_SECTIONS, PART_LISTS, SECTIONS, Dossier, Narrative, SourceMap
from .paths import ReadScope, is_regular_file
from .rules import define
from .schema_errors import diagnostics_from_validation, show_value
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
    "schema.modality-required",
    "error",
    "A fact the product's modality needs is missing.",
    "Each modality (product.modality) needs its own facts: a small molecule its structure and strength, a "
    "protein its cell bank and viral clearance, a cell therapy its donor and in-use facts, a gene therapy its "
    "vector and long-term follow-up. The message names the fact and why it is needed.",
    "ICH M4Q 3.2.S.1, ICH Q5A(R2), Q5D, Q6B; FDA CGT CMC guidance (2020); FDA LTFU guidance (2020); 21 CFR 1271.",
)
define(
    "schema.modality-dose-unit",
    "error",
    "A dose is stated in a unit that is not a dose unit of the product's modality.",
    "Cell therapies are dosed in cells/kg or cells, gene therapies in vector genomes (vg/kg, vg), chemical drugs "
    "and proteins in mg/kg or mg; a dose in another modality's unit cannot be compared with the nonclinical doses.",
    "FDA MRSD guidance (2005); FDA CGT preclinical guidance (2013).",
)
define(
    "schema.region-required",
    "error",
    "A fact a region of the project needs is missing.",
    "Each region reads its own submission facts: FDA regulatory.fda (application number, submission type), "
    "NMPA regulatory.nmpa (application id, codes). They are required only when the region is built.",
    "FDA eCTD Module 1 specification v2.6; NMPA eCTD technical specification v1.1.",
)
define(
    "narrative.front-matter",
    "error",
    "A Markdown narrative has missing or invalid front matter.",
    "Each narrative starts with a YAML block between '---' lines giving at least 'id' and 'lang' (en or zh).",
)
define(
    "narrative.unknown-key",
    "warning",
    "A narrative's front matter has a key indbuilder does not read (often a typo).",
    "Front matter keys are id, lang, node, title, version, translation_of, regions and date. Another key is "
    "ignored; a warning is given because a misspelt key (``lnag``, ``nodee``) silently loses what it says.",
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
# Every front-matter key indbuilder reads (the others are warned about: narrative.unknown-key).
FRONT_MATTER_KEYS = ("id", "lang", "node", "title", "version", "translation_of", "regions", "date")


def discover(content_dir: Path) -> tuple[list[Path], list[Path]]:
    """Fact and narrative files under ``content_dir``, in a stable (sorted) order."""
    facts = sorted(p for p in content_dir.rglob("*.yaml") if p.is_file())
    facts += sorted(p for p in content_dir.rglob("*.yml") if p.is_file())
    narratives = sorted(p for p in content_dir.rglob("*.md") if p.is_file())
    return facts, narratives


def load_content(
    root: Path,
    content_dir: Path,
    diags: Diagnostics,
    scope: ReadScope | None = None,
    region_names: tuple[str, ...] | None = None,
) -> Dossier:
    """Read every fact and narrative file; return what validated (invalid sections are left out).

    Only files inside ``scope`` (default: the project root) are read: a content folder or file that
    resolves elsewhere is refused with ``yaml.outside-project`` and never opened.

    ``region_names`` are the project's regions: fact text must be given in their languages only (an
    FDA-only project writes no Chinese), and each region's own facts (``regulatory.nmpa``) are required
    only when it is built. ``None`` (tests, tools): every built-in region.
    """
    scope = scope or ReadScope.of(root)
    context = validation_context(region_names)
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
            _load_section(section, value, loaded, facts, sources, defined_in, diags, context)
    _assemble_composites(facts, defined_in, diags, context, unreadable)
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
    located = [_load_narrative(p, root, diags) for p in narrative_files]
    narratives = _unique_narratives([(n, line) for n, line in located if n is not None], diags)
    dossier = Dossier(facts=facts, narratives=narratives, sources=sources)
    _check_result_floors(dossier, diags)
    check_requirements(dossier, region_names, Location(_display(content_dir, root)), diags)
    return dossier


def validation_context(region_names: tuple[str, ...] | None) -> dict[str, Any]:
    """The pydantic validation context of a project: the languages its fact text must be written in."""
    from . import regions

    if region_names is None:
        return {}  # every Text needs en and zh (model.common.Text)
    chosen = region_names
    why: dict[str, str] = {}
    for name in chosen:
        profile = regions.get(name)
        why.setdefault(profile.lang, f"{name} is one of the project's regions in indbuilder.yaml")
    return {"languages": tuple(why), "why": why}


def _check_result_floors(dossier: Dossier, diags: Diagnostics) -> None:
    """A negative result of a test whose limit has ``min: 0`` is impossible (a count, a percentage,
    a concentration), not merely out of specification: a schema error at the result's line."""
    for section, part in dossier.parts():
        tested = dossier.tested_part(section)
        spec = tested.specification if tested is not None else None
        floors = {t.id for t in getattr(spec, "tests", []) if t.limit.min is not None and t.limit.min == 0}
        if not floors:
            continue

        def check(value: object, test: str, *where: Any) -> None:
            if test in floors and isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                diags.add(
                    _err(
                        "schema.value",
                        f"'{test}' result {value} is negative, but its limit starts at 0 (min: 0): it cannot be negative",
                        dossier.sources.where(*where, test),
                    )
                )

        for batch in part.batches:
            for test, value in batch.results.items():
                check(value, test, section, "batches", batch.id, "results")
        for study in part.stability:
            for i, point in enumerate(study.timepoints):
                for lot, results in point.results.items():
                    for test, value in results.items():
                        check(value, test, section, "stability", study.id, "timepoints", i, "results", lot)


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
    context: dict[str, Any],
) -> None:
    where = loaded.location((section,))
    if section in MOVED_SECTIONS:
        diags.add(
            Diagnostic(
                "schema.unknown-section",
                Severity.ERROR,
                f"'{section}' is no longer a top-level section: the drug substance and the drug product are "
                f"separate records (CTD 3.2.S and 3.2.P)",
                where,
                hint=f"put it under {MOVED_SECTIONS[section]}, e.g. 'drug_product:' then '  {section}:' indented below it",
            )
        )
        return
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
    if section in COMPOSITE_SECTIONS:
        _load_composite_part(section, value, loaded, facts, sources, defined_in, diags, context)
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
        parsed = _ADAPTERS[section].validate_python(value, context=context)
    except ValidationError as exc:
        diags.extend(diagnostics_from_validation(exc, loaded, (section,), schema=SECTIONS[section][0], context=context))
        return
    _record_sources(section, value, loaded, sources)
    if section in LIST_SECTIONS:
        facts.setdefault(section, []).extend(parsed)
    else:
        facts[section] = parsed


# A composite record (drug substance, drug product) gathered from its keys in several files: each key is
# validated where it is written (so an error names its own file and line), then the record as a whole.
_PART_FIELDS: dict[str, dict[str, TypeAdapter[object]]] = {
    name: {key: TypeAdapter(field.annotation) for key, field in SECTIONS[name][0].model_fields.items()}
    for name in COMPOSITE_SECTIONS
}
_PARTIAL = "__partial__"  # facts key holding composite records while they are being gathered


def _load_composite_part(
    section: str,
    value: Any,
    loaded: LoadedYaml,
    facts: dict[str, Any],
    sources: SourceMap,
    defined_in: dict[str, Location],
    diags: Diagnostics,
    context: dict[str, Any],
) -> None:
    if not isinstance(value, dict):
        diags.add(_err("schema.type", f"'{section}' must be a mapping of its keys (process, specification, batches, ...)",
                       loaded.location((section,))))
        return
    defined_in.setdefault(section, loaded.location((section,)))
    partial = facts.setdefault(_PARTIAL, {}).setdefault(section, {})
    fields = _PART_FIELDS[section]
    for key, sub in value.items():
        where = loaded.location((section, key))
        if key not in fields:
            diags.add(
                Diagnostic(
                    "schema.unknown-key",
                    Severity.ERROR,
                    f"unknown key '{key}' in {section}",
                    where,
                    hint=did_you_mean(str(key), fields, f"keys of {section}: {', '.join(fields)}"),
                )
            )
            continue
        is_list = getattr(SECTIONS[section][0].model_fields[key].annotation, "__origin__", None) is list
        if not is_list and key in partial:
            diags.add(_err("schema.duplicate-section", f"{section}.{key} is already defined in {partial[key][1]}", where))
            continue
        try:
            parsed = fields[key].validate_python(sub, context=context)
        except ValidationError as exc:
            diags.extend(diagnostics_from_validation(
                exc, loaded, (section, key), schema=SECTIONS[section][0].model_fields[key].annotation, context=context
            ))
            partial.setdefault(_INVALID, set()).add(key)
            continue
        if is_list:
            previous = partial.get(key, ([], where))[0]
            partial[key] = (previous + list(cast("list[Any]", parsed)), partial.get(key, (None, where))[1])
        else:
            partial[key] = (parsed, where)
    _record_sources(section, value, loaded, sources)


_INVALID = "__invalid__"


def _assemble_composites(
    facts: dict[str, Any], defined_in: dict[str, Location], diags: Diagnostics, context: dict[str, Any], unreadable: bool
) -> None:
    """Validate each gathered drug substance / drug product record as a whole (its own rules: an
    isolated drug substance has a specification ...); an error is reported where the record starts."""
    gathered = facts.pop(_PARTIAL, {})
    for section, partial in gathered.items():
        invalid = partial.pop(_INVALID, set())
        values = {key: v for key, (v, _) in partial.items()}
        if invalid:
            continue  # its keys' own errors are the findings; the record is left out
        try:
            facts[section] = SECTIONS[section][0].model_validate(values, context=context)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                if err["type"] == "missing" and unreadable:
                    continue  # a fact file that does not parse may well hold the key: its syntax error is the finding
                key = err["loc"][0] if err["loc"] else None
                where = partial[key][1] if key in partial else defined_in[section]
                if err["type"] == "missing":
                    message = f"{section} needs '{key}'"
                else:
                    message = f"{section}: {str(err['msg']).removeprefix('Value error, ')}"
                diags.add(_err("schema.missing" if err["type"] == "missing" else "schema.value", message, where))


def check_requirements(dossier: Dossier, region_names: tuple[str, ...] | None, where: Location, diags: Diagnostics) -> None:
    """Facts the product's modalities and the project's regions need (``schema.modality-required``,
    ``schema.region-required``), each named with why it is needed and where it is missing."""
    from . import regions

    product = dossier.product
    if product is not None:
        kind = product.kind
        for req in kind.requires:
            missing_at = _missing(dossier, req.path)
            for path in missing_at:
                diags.add(
                    _err(
                        "schema.modality-required",
                        f"{path} is required for a {kind.title('en')} ({'/'.join(kind.names)}): {req.why}",
                        dossier.where(*_logical(path)) or dossier.where("product", "modality") or where,
                    )
                )
        for unit in [product.dose_unit] + [c.unit for c in (dossier.protocol.cohorts if dossier.protocol else [])]:
            if unit not in kind.dose_units:
                diags.add(
                    _err(
                        "schema.modality-dose-unit",
                        f"dose unit '{unit}' is not a dose unit of a {kind.title('en')} (use {', '.join(kind.dose_units)})",
                        dossier.where("product", "dose_unit") or where,
                    )
                )
                break
    for name in region_names or ():
        for path in getattr(regions.get(name), "requires", ()):
            for missing in _missing(dossier, path):
                diags.add(
                    _err(
                        "schema.region-required",
                        f"{missing} is required because {name} is one of the project's regions (indbuilder.yaml regions)",
                        dossier.where(*_logical(missing)[:1]) or where,
                    )
                )


def _missing(dossier: Dossier, path: str) -> list[str]:
    """Dotted ``path`` (``a.b``, ``a.list[].c``) where the dossier has no value: the paths that are missing."""
    head, *rest = path.split(".")
    root = dossier.facts.get(head)
    if root is None:
        return []  # a missing section is its own finding (schema.missing-section)
    out: list[str] = []

    def walk(node: Any, parts: list[str], shown: str) -> None:
        if not parts:
            return
        part = parts[0]
        if part.endswith("[]"):
            name = part[:-2]
            for item in getattr(node, name, None) or []:
                walk(item, parts[1:], f"{shown}.{name}[{getattr(item, 'id', '?')}]")
            return
        value = getattr(node, part, None)
        if value is None or value == []:
            out.append(f"{shown}.{part}")
            return
        walk(value, parts[1:], f"{shown}.{part}")

    walk(root, rest, head)
    return out


def _logical(dotted: str) -> tuple[Any, ...]:
    """``drug_product.batches[LOT-1].donor`` -> ``("drug_product", "batches", "LOT-1", "donor")``."""
    out: list[Any] = []
    for part in dotted.split("."):
        if part.endswith("]") and "[" in part:
            name, rid = part[:-1].split("[", 1)
            out.extend([name, rid])
        else:
            out.append(part)
    return tuple(out)


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
    # Lots, stability studies and materials are named dossier-wide (a study's test_article_lots, an xref
    # to a lot), so the drug substance and drug product may not reuse each other's ids.
    for name in PART_LISTS:
        owner: dict[str, str] = {}
        for section in sorted(COMPOSITE_SECTIONS, reverse=True):  # drug_substance first
            for rec in getattr(facts.get(section), name, None) or []:
                if rec.id in owner:
                    diags.add(
                        _err(
                            "schema.duplicate-id",
                            f"{name} id '{rec.id}' is used twice ({owner[rec.id]} and {section})",
                            sources.where(section, name, rec.id),
                        )
                    )
                owner.setdefault(rec.id, section)


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
            diags.add(_type_err("id", "text", meta["id"], fm))
    if meta.get("lang") not in ("en", "zh"):
        ok = False
        lang = meta.get("lang")
        shown = show_value(lang)
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
            diags.add(_type_err(key, "text", value, fm))
    version = meta.get("version")
    if version is not None and (isinstance(version, (dict, list, bool)) or not isinstance(version, (str, int, float))):
        ok = False
        diags.add(_type_err("version", "text or a number", version, fm))
    for key in meta:
        if key not in FRONT_MATTER_KEYS:
            diags.add(Diagnostic(
                "narrative.unknown-key", Severity.WARNING, f"unknown front matter key '{key}' is ignored",
                fm.location((key,)),
                hint=did_you_mean(str(key), FRONT_MATTER_KEYS, f"the keys of a narrative's front matter: {', '.join(FRONT_MATTER_KEYS)}"),
            ))
    return ok


def _type_err(key: str, words: str, value: Any, fm: LoadedYaml) -> Diagnostic:
    """``schema.type`` for a front-matter key, with how to write it (a number or date is quoted)."""
    written = None if isinstance(value, (dict, list)) or value is None else show_value(value).strip("'")
    hint = f"quote it: {key}: '{written}'" if written is not None and not isinstance(value, str) else (
        f"write it as one value: {key}: your text" if isinstance(value, (dict, list)) else None)
    return Diagnostic("schema.type", Severity.ERROR, f"'{key}' must be {words}, got {_kind(value)}", fm.location((key,)), hint)


def _kind(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return show_value(value)
    return f"{_KIND_WORDS.get(type(value).__name__, 'a value')} {show_value(value)}"


_KIND_WORDS = {"int": "the number", "float": "the number", "bool": "the value", "date": "the date", "datetime": "the date",
               "str": "the text", "NoneType": "nothing"}


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
