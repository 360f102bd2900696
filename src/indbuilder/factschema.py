"""JSON Schema (draft 2020-12) of one content file and of ``indbuilder.yaml``, for editor completion.

The schema is made from the fact model (``indbuilder.model``) with pydantic, then adjusted to what the
loader accepts in a single file (``indbuilder.loader``):

- every top-level section is optional in one file (a dossier's sections may live in any file);
- ``drug_substance`` and ``drug_product`` may be split key by key over several files, so none of their
  own keys is required in a file (the assembled record is checked by ``indbuilder check``);
- a text (``Text``) has one key per language; the languages of the project's regions are required
  (``en`` for fda, ``zh`` for nmpa), as the loader's validation context does;
- region and modality names are enumerated from their registries, descriptions come from the model's
  docstrings, ``Field(description=...)`` and the comments beside each field;
- facts a modality or region needs (``Requirement`` of a modality profile, ``requires`` of a region
  profile: rules ``schema.modality-required`` and ``schema.region-required``) are named in the field's
  description, and required when the project's modality or region is known and the fact's record is
  written whole in one file.

Imported only by ``indbuilder schema`` and :mod:`indbuilder.factdoc`.
"""

from __future__ import annotations

import ast
import inspect
import io
import json
import tokenize
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

DRAFT = "https://json-schema.org/draft/2020-12/schema"
JsonDict = dict[str, Any]


@dataclass(frozen=True)
class Scope:
    """What the schema is made for: the product's modalities and the project's regions.

    Empty modalities: every modality's needs are only noted; empty regions: no language is required
    (any registered one may be written) and no region's facts are required.
    """

    modalities: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()


class _Generator(GenerateJsonSchema):
    """pydantic's generator, with the registry-checked names (regions, modalities) as enums.

    Those names are checked by after-validators (the registries may grow through plug-ins), which
    pydantic cannot express in a schema; the names registered now are the allowed values.
    """

    def function_after_schema(self, schema: core_schema.AfterValidatorFunctionSchema) -> JsonSchemaValue:
        inner = super().function_after_schema(schema)
        function = schema["function"].get("function")
        name = getattr(function, "__name__", "")
        if name == "_registered_region":
            from . import regions

            return {**inner, "enum": list(regions.names())}
        if name == "_registered_modalities":
            from . import modalities

            return {**inner, "items": {"type": "string", "enum": list(modalities.names())}, "uniqueItems": True}
        return inner


def dumps(schema: JsonDict) -> str:
    """The schema as JSON text: sorted keys, two-space indent, UTF-8 (Chinese stays readable), final newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def content_schema(scope: Scope = Scope(), *, whole_records: bool = False, notes: bool = True) -> JsonDict:
    """The JSON Schema of one content file (``content/**/*.yaml``) for ``scope``.

    ``whole_records``: keep the drug substance's and drug product's required keys (the assembled
    record, as the field reference describes it) instead of the per-file view. ``notes``: name the
    modality and region needs in descriptions (the field reference lists them in a column instead).
    """
    from .model.dossier import COMPOSITE_SECTIONS, MOVED_SECTIONS, SECTIONS

    mode: Literal["validation"] = "validation"  # the schema of what may be written, not of what is dumped
    inputs = [(name, mode, TypeAdapter(typ)) for name, (typ, _, _) in SECTIONS.items()]
    keys, defs_holder = TypeAdapter.json_schemas(inputs, ref_template="#/$defs/{model}", schema_generator=_Generator)
    defs: JsonDict = defs_holder.get("$defs", {})
    properties: JsonDict = {}
    for (name, _), section_schema in keys.items():
        typ, needed, what = SECTIONS[name]
        note = "Every IND needs it, in one of the content files." if needed else "Optional."
        if name in COMPOSITE_SECTIONS:
            note += " Its keys may be split over several files (one key per file, or several)."
        properties[name] = {**section_schema, "description": f"{what[:1].upper()}{what[1:]}. {note}"}
    for name, where in MOVED_SECTIONS.items():
        properties[name] = {"not": {}, "deprecated": True, "description": f"No longer a top-level section: put it under {where}."}
    _describe_fields(defs)
    _text_languages(defs, scope.regions)
    _limit_rules(defs)
    if notes:
        _requirements(properties, defs, scope)
    if not whole_records:
        for name in sorted(COMPOSITE_SECTIONS):
            part = defs[_ref_name(properties[name])]
            part.pop("required", None)
            for prop in part["properties"].values():
                prop.pop("minItems", None)  # the loader joins list keys over files; the record is checked whole
    schema: JsonDict = {
        "$schema": DRAFT,
        "title": "indbuilder content file",
        "description": _scope_text(scope)
        + " A content file holds any of these top-level sections; list sections from several files are joined.",
        "type": ["object", "null"],
        "properties": properties,
        "additionalProperties": False,
        "$defs": defs,
    }
    _strip_titles(schema)
    return schema


def config_schema() -> JsonDict:
    """The JSON Schema of ``indbuilder.yaml`` (:class:`indbuilder.config.ProjectSettings`).

    Unknown keys are flagged (``additionalProperties: false``) although indbuilder only warns about
    them (``config.unknown-key``): in an editor too they are most often typos.
    """
    from . import writers
    from .config import CONFIG_KEYS, ProjectSettings

    schema: JsonDict = ProjectSettings.model_json_schema(ref_template="#/$defs/{model}", schema_generator=_Generator)
    schema["$schema"] = DRAFT
    schema["title"] = "indbuilder.yaml"
    schema["additionalProperties"] = False
    for key, prop in schema["properties"].items():
        prop["description"] = CONFIG_KEYS.get(key, prop.get("description", ""))
    schema["properties"]["formats"]["items"] = {"type": "string", "enum": writers.available()}
    schema["properties"]["sequence"] = {
        "description": CONFIG_KEYS["sequence"],
        "default": "0000",
        "type": ["string", "integer"],
        "pattern": r"^\d{4}$",
        "minimum": 0,
        "maximum": 9999,
    }
    _strip_titles(schema)
    return schema


def project_scope(project: Path) -> Scope:
    """The modalities (``product.modality`` in the project's content) and regions (``indbuilder.yaml``)
    of ``project``; an empty :class:`Scope` part for what cannot be read (no project: no requirement)."""
    from .config import load_config

    config, _ = load_config(project)
    if config is None:
        return Scope()
    return Scope(modalities=_content_modalities(config.content_dir), regions=tuple(config.settings.regions))


def _content_modalities(content_dir: Path) -> tuple[str, ...]:
    """``product.modality`` from the first content file that holds a product (product.yaml first)."""
    from .loader import discover
    from .yamlio import load_yaml

    if not content_dir.is_dir():
        return ()
    files, _ = discover(content_dir)
    files.sort(key=lambda p: (p.name != "product.yaml", str(p)))
    for path in files:
        data = load_yaml(path, path.name).data
        product = data.get("product") if isinstance(data, dict) else None
        if isinstance(product, dict):
            modality = product.get("modality")
            if isinstance(modality, list) and all(isinstance(m, str) for m in modality):
                return tuple(modality)
            return ()
    return ()


def _scope_text(scope: Scope) -> str:
    mods = ", ".join(scope.modalities) or "any modality"
    regs = ", ".join(scope.regions) or "any region"
    return f"Facts of an indbuilder project ({mods}; {regs})."


def _ref_name(schema: JsonDict) -> str:
    """The ``$defs`` name a property refers to (directly, through ``anyOf`` with null, or as list items)."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    for alt in schema.get("anyOf", []):
        if alt.get("type") != "null":
            return _ref_name(alt)
    if "items" in schema:
        return _ref_name(schema["items"])
    return ""


def _strip_titles(node: Any) -> None:
    """Drop pydantic's field titles ("Route Code"): they repeat the key; model titles stay."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            for prop in props.values():
                if isinstance(prop, dict):
                    prop.pop("title", None)
        for value in node.values():
            _strip_titles(value)
    elif isinstance(node, list):
        for value in node:
            _strip_titles(value)


def _model_classes() -> dict[str, type[BaseModel]]:
    """Every fact model by class name (the ``$defs`` names pydantic gives them)."""
    from .model import clinical, cmc, common, literature, nonclinical, product, sponsor

    out: dict[str, type[BaseModel]] = {}
    for module in (common, product, sponsor, cmc, clinical, nonclinical, literature):
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module.__name__:
                out[name] = value
    return out


def _describe_fields(defs: JsonDict) -> None:
    """Give each property the comment written beside (or above) its field in the model source."""
    classes = _model_classes()
    comments: dict[tuple[str, str], str] = {}
    for module in {inspect.getmodule(c) for c in classes.values()}:
        if module is not None:
            comments.update(field_comments(module))
    for def_name, definition in defs.items():
        cls = classes.get(def_name)
        if cls is None:
            continue
        for field, prop in definition.get("properties", {}).items():
            owner = next((k.__name__ for k in cls.__mro__ if field in k.__dict__.get("__annotations__", {})), def_name)
            text = comments.get((owner, field))
            if text and "description" not in prop:
                prop["description"] = text


def field_comments(module: ModuleType) -> dict[tuple[str, str], str]:
    """``(class, field) -> comment`` for the fields of ``module``'s classes: the comment lines right
    above a field and the comment at the end of its line, joined. Empty when the source is not shipped."""
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return {}
    lines = source.splitlines()
    comments: dict[int, str] = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            text = tok.string.lstrip("#").strip()
            if not text.startswith(("pragma", "type:", "noqa")):
                comments[tok.start[0]] = text
    out: dict[tuple[str, str], str] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef):
            continue
        for stmt in node.body:
            if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                continue
            above: list[str] = []
            line = stmt.lineno - 1
            while line in comments and lines[line - 1].lstrip().startswith("#"):
                above.insert(0, comments[line])
                line -= 1
            trailing = comments.get(stmt.end_lineno or stmt.lineno)
            parts = [" ".join(above)] if above else []
            if trailing and not lines[(stmt.end_lineno or stmt.lineno) - 1].lstrip().startswith("#"):
                parts.append(trailing)
            text = "; ".join(p for p in parts if p)
            if text:
                first = text.split(" ", 1)[0].rstrip(":,;")
                if first.isalpha() and first.islower():  # "g/mol", "eCTD", "mg/kg" keep their case
                    text = text[:1].upper() + text[1:]
                out[(node.name, stmt.target.id)] = text + ("" if text.endswith(".") else ".")
    return out


def _text_languages(defs: JsonDict, region_names: tuple[str, ...]) -> None:
    """A text: one string per registered language; the project's region languages required."""
    from . import regions

    if "Text" not in defs:
        return
    by_lang: dict[str, list[str]] = {}
    for name in regions.names():
        for lang in regions.get(name).languages:
            by_lang.setdefault(lang, []).append(name)
    required = list(dict.fromkeys(regions.get(r).lang for r in region_names))
    props = {
        lang: {"type": "string", "description": f"The text in {lang} (read by {', '.join(names)})."}
        for lang, names in by_lang.items()
    }
    need = (
        "required here: " + ", ".join(f"{lang} ({', '.join(r for r in region_names if regions.get(r).lang == lang)})" for lang in required)
        if required
        else "write the language of each region the project builds"
    )
    defs["Text"] = {
        "title": "Text",
        "type": "object",
        "description": f"Text in each language of the project's regions, one key per language code ({need}).",
        "properties": props,
        "additionalProperties": False,
        "minProperties": 1,
        **({"required": required} if required else {}),
    }


def _limit_rules(defs: JsonDict) -> None:
    """A limit's kind names the bounds it needs (``Limit._complete``): min, max, both, or equals."""
    limit = defs.get("Limit")
    if limit is None:
        return
    needs = {"min": ["min"], "max": ["max"], "range": ["min", "max"], "equals": ["equals"]}
    limit["allOf"] = [
        {
            "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
            "then": {
                "required": fields,
                "properties": {f: {"not": {"type": "null"}} for f in fields},
            },
        }
        for kind, fields in needs.items()
    ]


@dataclass(frozen=True)
class Need:
    """A fact some modality or region needs: its dotted path, who needs it, and why."""

    path: str  # "product.structure", "drug_product.batches[].donor"
    who: str  # "small-molecule" or "fda"
    kind: str  # "modality" or "region"
    why: str


def needs() -> list[Need]:
    """Every modality requirement and region requirement registered, in registry order."""
    from . import modalities, regions

    out = [
        Need(req.path, name, "modality", req.why)
        for name in modalities.names()
        for req in modalities.get(name).requires
    ]
    for name in regions.names():
        for path in getattr(regions.get(name), "requires", ()):
            out.append(Need(path, name, "region", f"{name} is one of the project's regions (its submission facts)"))
    return out


def _requirements(properties: JsonDict, defs: JsonDict, scope: Scope) -> None:
    """Note each modality/region need in its field's description; require it where the scope has it
    and its record is written whole in one file (not inside the composite drug substance/product
    records, not per list item of a shared record)."""
    from .model.dossier import COMPOSITE_SECTIONS

    for need in needs():
        chosen = scope.modalities if need.kind == "modality" else scope.regions
        if chosen and need.who not in chosen:
            continue
        located = _locate(properties, defs, need.path)
        if located is None:
            continue
        parent, field = located
        prop = parent["properties"][field]
        label = f"required for {need.who}" if need.kind == "modality" else f"required when {need.who} is a region"
        if "[]" in need.path:
            label += f" (at {need.path})"
        note = f"{label[:1].upper()}{label[1:]}: {need.why}."
        prop["description"] = (prop.get("description", "") + "\n\n" + note).strip()
        if chosen and "[]" not in need.path and need.path.split(".")[0] not in COMPOSITE_SECTIONS:
            required = parent.setdefault("required", [])
            if field not in required:
                required.append(field)
            alternatives = [a for a in prop.get("anyOf", []) if a.get("type") != "null"]
            if len(alternatives) == 1:
                prop.pop("anyOf")
                prop.pop("default", None)
                prop.update(alternatives[0])


def _locate(properties: JsonDict, defs: JsonDict, path: str) -> tuple[JsonDict, str] | None:
    """The object schema holding the last key of dotted ``path``, and that key (``None``: not found)."""
    head, *rest = path.split(".")
    if head not in properties or not rest:
        return None
    node: JsonDict = defs.get(_ref_name(properties[head]), {})
    for part in rest[:-1]:
        prop = node.get("properties", {}).get(part.removesuffix("[]"))
        if prop is None:
            return None
        node = defs.get(_ref_name(prop), {})
    last = rest[-1].removesuffix("[]")
    if last not in node.get("properties", {}):
        return None
    return node, last


def scoped(project: Path | None, modalities: tuple[str, ...] | None, region_names: tuple[str, ...] | None) -> Scope:
    """The scope of a ``schema`` run: the given modalities and regions, the rest from the project."""
    base = project_scope(project) if project is not None else Scope()
    return Scope(
        modalities=modalities if modalities is not None else base.modalities,
        regions=region_names if region_names is not None else base.regions,
    )
