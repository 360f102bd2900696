"""The field reference (``docs/facts.md``): every key of the content files, generated from the fact model.

For each key (a dotted path; ``[]`` marks the items of a list, ``<id>`` a key the writer chooses) it gives
the type, the allowed values, whether it is required, which modality or region needs it and why, the
description written in the model, and an example taken from example projects (the first value found),
else from the field's default or type.

Regenerate with ``python -m indbuilder.factdoc > docs/facts.md`` (from the repository root; examples come
from the project there and the projects under ``examples/``) or ``indbuilder schema --markdown``.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .factschema import JsonDict, Need, Scope, content_schema, needs

REGENERATE = "python -m indbuilder.factdoc > docs/facts.md"
_EXAMPLE_WIDTH = 60


@dataclass(frozen=True)
class Row:
    """One key of the reference."""

    path: str
    type: str
    required: str
    needed_by: str
    description: str
    example: str


def example_projects(root: Path) -> list[Path]:
    """``root`` (when it is a project) and the projects under ``root/examples/``, in that order."""
    found = [root] if (root / "indbuilder.yaml").is_file() else []
    examples = root / "examples"
    if examples.is_dir():
        found += sorted(p for p in examples.iterdir() if (p / "indbuilder.yaml").is_file())
    return found


def _samples(projects: list[Path]) -> dict[str, list[Any]]:
    """Each section's values across the projects' content files (in project order, then file order)."""
    from .config import load_config
    from .loader import discover
    from .yamlio import load_yaml

    out: dict[str, list[Any]] = {}
    for project in projects:
        config, _ = load_config(project)
        content = config.content_dir if config is not None else project / "content"
        if not content.is_dir():
            continue
        files, _ = discover(content)
        for path in files:
            data = load_yaml(path, path.name).data
            if isinstance(data, dict):
                for section, value in data.items():
                    out.setdefault(str(section), []).append(value)
    return out


def rows(projects: list[Path]) -> dict[str, list[Row]]:
    """The reference's rows by section, examples from ``projects`` (may be empty)."""
    from .model.dossier import SECTIONS

    schema = content_schema(Scope(), whole_records=True, notes=False)
    defs: JsonDict = schema["$defs"]
    by_path: dict[str, list[Need]] = {}
    for need in needs():
        by_path.setdefault(need.path, []).append(need)
    samples = _samples(projects)
    out: dict[str, list[Row]] = {}
    for name, (_, needed, _) in SECTIONS.items():
        found: list[Row] = []
        walker = _Walker(defs, by_path, found)
        walker.walk(schema["properties"][name], name, "yes (every IND)" if needed else "no", samples.get(name, []))
        out[name] = found
    return out


class _Walker:
    """Walks a schema node with the example values found at the same place, appending rows."""

    def __init__(self, defs: JsonDict, by_path: dict[str, list[Need]], out: list[Row]) -> None:
        self.defs = defs
        self.by_path = by_path
        self.out = out

    def resolve(self, node: JsonDict) -> tuple[JsonDict, bool]:
        """The schema a property stands for (``$ref`` followed, ``null`` alternative removed) and
        whether null is allowed."""
        nullable = False
        alternatives = node.get("anyOf")
        if alternatives:
            rest = [a for a in alternatives if a.get("type") != "null"]
            nullable = len(rest) < len(alternatives)
            if len(rest) == 1:
                node = {**{k: v for k, v in node.items() if k != "anyOf"}, **rest[0]}
        if "$ref" in node:
            target = self.defs[str(node["$ref"]).rsplit("/", 1)[-1]]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node, nullable

    def walk(self, prop: JsonDict, path: str, required: str, samples: list[Any]) -> None:
        node, _ = self.resolve(prop)
        values = [s for s in samples if s is not None]
        self.out.append(
            Row(
                path,
                self.type_of(node),
                self.required_text(required, node),
                self.needed_text(path),
                _one_line(self.description(prop, node)),
                _example(node, values),
            )
        )
        if node.get("title") == "Text":
            return
        if node.get("type") == "array":
            item, _ = self.resolve(node.get("items", {}))
            if "properties" in item:
                items = [v for s in values if isinstance(s, list) for v in s]
                self._children(item, path + "[]", items)
            return
        if "properties" in node:
            self._children(node, path, values)
            return
        mapped = node.get("additionalProperties")
        if isinstance(mapped, dict) and mapped:
            inner = [v for s in values if isinstance(s, dict) for v in s.values()]
            self.walk(mapped, path + ".<id>", "no", inner)

    def description(self, prop: JsonDict, node: JsonDict) -> str:
        """The field's own description, else its record's (not the shared text of Text or Quantity)."""
        if prop.get("description"):
            return str(prop["description"])
        if node.get("title") in ("Text", "Quantity"):
            return ""
        return str(node.get("description", ""))

    def _children(self, node: JsonDict, path: str, values: list[Any]) -> None:
        required = set(node.get("required", []))
        for key, child in node["properties"].items():
            sub = [v[key] for v in values if isinstance(v, dict) and key in v]
            self.walk(child, f"{path}.{key}", "yes" if key in required else "no", sub)

    def required_text(self, required: str, node: JsonDict) -> str:
        default = node.get("default")
        if required == "no" and default not in (None, [], {}, ""):
            return f"no (default {_flow(default)})"
        return required

    def needed_text(self, path: str) -> str:
        parts = []
        for need in self.by_path.get(path, []):
            who = need.who if need.kind == "modality" else f"{need.who} region"
            parts.append(f"{who}: {need.why}" if need.kind == "modality" else who)
        return "; ".join(parts)

    def type_of(self, node: JsonDict) -> str:
        """The type in words, with its allowed values and bounds."""
        if node.get("title") == "Text":
            return "text (en/zh)"
        if "enum" in node:
            return "one of " + ", ".join(f"`{_flow(v)}`" for v in node["enum"])
        if "anyOf" in node:
            return " or ".join(self.type_of(self.resolve(a)[0]) for a in node["anyOf"] if a.get("type") != "null")
        kind = node.get("type")
        if kind == "array":
            item, _ = self.resolve(node.get("items", {}))
            least = node.get("minItems")
            size = f" (at least {least})" if least else ""
            return f"list{size} of {self.type_of(item)}"
        if kind == "object" or "properties" in node:
            if "properties" in node:
                return f"mapping ({node.get('title', 'record')})"
            mapped = node.get("additionalProperties")
            if isinstance(mapped, dict) and mapped:
                return f"mapping of id to {self.type_of(self.resolve(mapped)[0])}"
            return "mapping"
        if kind == "string":
            if node.get("format") == "date":
                return "date (YYYY-MM-DD)"
            extra = []
            if "pattern" in node:
                extra.append(f"matching `{node['pattern']}`")
            if "maxLength" in node:
                extra.append(f"at most {node['maxLength']} characters")
            return "string" + (" " + ", ".join(extra) if extra else "")
        if kind in ("number", "integer"):
            word = "whole number" if kind == "integer" else "number"
            if "exclusiveMinimum" in node:
                return f"{word} > {node['exclusiveMinimum']}"
            if "minimum" in node:
                return f"{word} ≥ {node['minimum']}"
            return word
        if kind == "boolean":
            return "true or false"
        return str(kind or "any")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _flow(value: Any) -> str:
    """``value`` as short YAML flow text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    text = str(value)
    if isinstance(value, str) and text and _reads_as_other(text):
        return "'" + text.replace("'", "''") + "'"  # YAML would read 1 or 2026-01-31 unquoted as a number or date
    return text


def _reads_as_other(text: str) -> bool:
    """Whether YAML reads ``text`` written plain as something other than this string."""
    import yaml

    try:
        return bool(yaml.safe_load(text) != text)
    except yaml.YAMLError:
        return True


def _shorten(text: str, width: int = _EXAMPLE_WIDTH) -> str:
    text = _one_line(text)
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _example(node: JsonDict, values: list[Any]) -> str:
    """The first example value (a text: its languages, each shortened), else one from default or type."""
    if node.get("title") == "Text":
        for value in values:
            if isinstance(value, dict):
                return "; ".join(f"{k}: {_shorten(str(v), 40)}" for k, v in value.items() if isinstance(v, str))
        return ""
    if "properties" in node or isinstance(node.get("additionalProperties"), dict):
        return ""  # its keys have their own examples
    for value in values:
        if isinstance(value, list) and any(isinstance(v, dict) for v in value):
            return ""
        return _shorten(_flow(value))
    if node.get("default") not in (None, [], {}):
        return _shorten(_flow(node["default"]))
    if "enum" in node:
        return _flow(node["enum"][0])
    if node.get("format") == "date":
        return "2026-01-31"
    return ""


def _cell(text: str, code: bool = False) -> str:
    text = text.replace("|", "\\|")
    if code and text:
        return f"`{text}`" if "`" not in text else text
    return text


def render(projects: list[Path]) -> str:
    """The whole reference as Markdown."""
    from . import modalities, regions
    from .model.dossier import COMPOSITE_SECTIONS, SECTIONS

    lines = [
        "<!-- Generated from the fact model by `" + REGENERATE + "` (or `indbuilder schema --markdown`). Do not edit. -->",
        "",
        "# Fact reference",
        "",
        "Every key of the YAML fact files under `content/`. Any file may hold any of the top-level sections "
        "below; list sections from several files are joined, and `drug_substance` / `drug_product` may be "
        "split key by key over several files. Keys are dotted paths: `[]` marks each item of a list, `<id>` "
        "a key you choose (a specification test id, a lot id).",
        "",
        "- **Text** values have one key per language: `en` is required when `fda` is one of the project's "
        "regions, `zh` when `nmpa` is (" + ", ".join(f"{n}: {'/'.join(regions.get(n).languages)}" for n in regions.names()) + ").",
        "- **Required**: whether the record needs the key; `(default …)` is used when it is left out.",
        "- **Needed by**: facts a modality (`product.modality`: " + ", ".join(f"`{m}`" for m in modalities.names())
        + ") or a region (`regions` in indbuilder.yaml) needs beyond that (`indbuilder check` reports them as "
        "`schema.modality-required` / `schema.region-required`).",
        "- **Example**: the first value in the example projects (MCT-101 and `examples/`); invented data.",
        "",
        "Editor completion and checking: `indbuilder schema -o .indbuilder-schema.json` (see the README).",
        "",
        "## Sections",
        "",
        "| Section | Holds | Required |",
        "| --- | --- | --- |",
    ]
    for name, (_, needed, what) in SECTIONS.items():
        split = " (may be split over files)" if name in COMPOSITE_SECTIONS else ""
        lines.append(f"| [`{name}`](#{name}) | {_cell(what)}{split} | {'yes' if needed else 'no'} |")
    for name, found in rows(projects).items():
        lines += ["", f"## {name}", "", "| Key | Type | Required | Needed by | Description | Example |", "| --- | --- | --- | --- | --- | --- |"]
        for row in found:
            lines.append(
                f"| `{row.path}` | {_cell(row.type)} | {_cell(row.required)} | {_cell(row.needed_by)} | "
                f"{_cell(row.description)} | {_cell(row.example, code=True)} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m indbuilder.factdoc [ROOT]``: print the reference; examples from ROOT (default ``.``)."""
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path(".")
    sys.stdout.write(render(example_projects(root)))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
