"""Turn pydantic validation errors into diagnostics a writer understands.

A writer sees ``content/cmc/batches.yaml:41:7: error [schema.type] 'viability_percent' must be a
number, got 'ninety'``, not a pydantic error dump, and a hint that says what to write instead:

- an unknown key names the closest key the record has (``did you mean 'site'?``), taken from the
  model's fields and aliases at the error's place (:func:`keys_at`), so it works at every depth
  (a batch inside ``drug_product``, a study, a waiver of ``indbuilder.yaml``);
- a value of the wrong kind says how to write the right one: a number or date where text is
  expected is quoted (``'1'``), a bare word where a record is expected is shown as a mapping with
  the record's keys (``route: {en: oral, zh: ...}``), a single value where a list is expected is
  shown as a list (``uses: [engineering]``).

No message carries a Python repr: values are shown as a writer wrote them (:func:`show_value`).
"""

from __future__ import annotations

import collections.abc as cabc
import difflib
import datetime as dt
import re
import types
import typing
from typing import Any, Iterable, Mapping, Sequence

from pydantic import BaseModel, ValidationError

from .diagnostics import Diagnostic, Severity, did_you_mean
from .rules import define
from .yamlio import KeyPath, LoadedYaml

define("schema.type", "error", "A fact has the wrong kind of value (text, number, date, list, …).")
define("schema.missing", "error", "A required fact is missing from a record.")
define(
    "schema.unknown-key",
    "error",
    "A key is not part of the fact schema (often a typo).",
    "Unknown keys are rejected so that a misspelt field (``shelf_lfe``) is not silently ignored "
    "while the document still shows the old value.",
)
define("schema.value", "error", "A fact has a value outside what is allowed (enumeration, range, format).")

_TYPE_WORDS = {
    "float": "a number",
    "int": "a whole number",
    "bool": "true or false",
    "string": "text",
    "str": "text",
    "date": "a date (YYYY-MM-DD)",
    "list": "a list",
    "dict": "a mapping of keys to values",
    "model": "a mapping of keys to values",
    "tuple": "a list",
}

# Error types whose prefix is a kind of value but which are about something else (a length, a pattern).
_NOT_TYPE = frozenset({"string_too_short", "string_too_long", "string_pattern_mismatch", "list_too_short",
                       "list_too_long", "date_future", "date_past"})

# Members of a union that pydantic names in an error's location (``results.sterility.float``).
_BRANCHES = frozenset({"float", "str", "int", "bool", "date", "list[str]", "dict[str,str]", "none"})
_BOUNDS = {
    "greater_than_equal": "at least",
    "greater_than": "greater than",
    "less_than_equal": "at most",
    "less_than": "less than",
}


def _expected(err_type: str) -> str | None:
    if err_type in _NOT_TYPE:
        return None
    for prefix, words in _TYPE_WORDS.items():
        if err_type.startswith(prefix + "_") or err_type == prefix:
            return words
    return None


def show_value(value: Any) -> str:
    """A value as a writer wrote it in YAML: ``'ninety'``, ``12``, ``2024-01-05``, ``true``,
    ``a mapping``, ``a list``, ``nothing`` (never a Python repr of a record)."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, cabc.Mapping)):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return f"a {type(value).__name__} record"
    if isinstance(value, str):
        text = "'" + value.replace("\n", " ") + "'"
    elif isinstance(value, (int, float)):
        text = _yaml_number(value)
    else:
        text = type(value).__name__
    return text if len(text) <= 60 else text[:56] + "...'"


_show = show_value  # the name other modules of this package used


def _yaml_number(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{value:.1f}"
    return str(value)


def _as_written(value: Any) -> str | None:
    """The text a scalar the YAML reader turned into a number, date or boolean was written as."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _yaml_number(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return None


# ---------------------------------------------------------------- the schema at an error's place


def _leaves(tp: Any) -> list[Any]:
    """``tp`` with ``Annotated``, ``Optional`` and unions unwrapped: the kinds a value may have."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _leaves(typing.get_args(tp)[0])
    if origin is typing.Union or origin is types.UnionType:
        out: list[Any] = []
        for arg in typing.get_args(tp):
            out.extend(_leaves(arg))
        return out
    return [tp]


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _field_keys(model: type[BaseModel]) -> list[str]:
    """The keys a record accepts: field names and their aliases."""
    keys: list[str] = []
    for name, info in model.model_fields.items():
        keys.append(name)
        for alias in (info.alias, info.validation_alias):
            if isinstance(alias, str) and alias not in keys:
                keys.append(alias)
    return keys


def _step(tp: Any, key: Any) -> list[Any]:
    """The types one level below ``tp`` at ``key`` (a field name, a list index or a mapping key)."""
    out: list[Any] = []
    for leaf in _leaves(tp):
        origin = typing.get_origin(leaf)
        args = typing.get_args(leaf)
        if _is_model(leaf) and isinstance(key, str):
            for name, info in leaf.model_fields.items():
                if key in (name, info.alias, info.validation_alias):
                    out.append(info.annotation)
        elif origin in (list, set, frozenset, cabc.Sequence, cabc.Set) and isinstance(key, int) and args:
            out.append(args[0])
        elif origin is tuple and isinstance(key, int) and args:
            out.append(args[0] if len(args) == 2 and args[1] is Ellipsis else args[min(key, len(args) - 1)])
        elif origin in (dict, cabc.Mapping) and len(args) == 2:
            out.append(args[1])
    return out


def types_at(schema: Any, loc: Sequence[Any]) -> list[Any]:
    """The types a value at ``loc`` (a pydantic error location) of ``schema`` may have.

    Parts of the location that name no field (a union member such as ``Batch`` or ``str``, a
    discriminator value, a validator) are taken as naming the member, or skipped.
    """
    current = _leaves(schema)
    for key in loc:
        named = [t for t in current if getattr(t, "__name__", None) == key]
        if named:
            current = named
            continue
        following = [leaf for t in current for s in _step(t, key) for leaf in _leaves(s)]
        if following:
            current = following
    return current


def keys_at(schema: Any, loc: Sequence[Any]) -> list[str]:
    """The keys a record at ``loc`` of ``schema`` accepts (fields and aliases), for did-you-mean."""
    keys: list[str] = []
    for t in types_at(schema, loc):
        if _is_model(t):
            keys.extend(k for k in _field_keys(t) if k not in keys)
    return keys


def _model_at(schema: Any, loc: Sequence[Any]) -> type[BaseModel] | None:
    models = [t for t in types_at(schema, loc) if _is_model(t)]
    return models[0] if models else None


# ---------------------------------------------------------------- what to write instead


def _mapping_example(name: str, model: type[BaseModel] | None, value: Any, languages: Sequence[str]) -> str:
    """``route: {en: oral, zh: ...}``: the record ``model`` written as a YAML flow mapping."""
    if model is None:
        return f"write it as a mapping of keys to values: {name}: {{key: value, ...}}"
    fields = model.model_fields
    if model.__name__ == "Text":  # a text in each language of the project
        langs = list(languages) or ["en", "zh"]
        first = _as_written(value) or (value if isinstance(value, str) and len(value) <= 40 else "...")
        inner = ", ".join(f"{lang}: {first if i == 0 else '...'}" for i, lang in enumerate(langs))
        return f"write it as a mapping, one text per language: {name}: {{{inner}}}"
    required = [k for k, f in fields.items() if f.is_required()]
    shown = required or list(fields)[:3]
    inner = ", ".join(f"{k}: ..." for k in shown)
    more = "" if len(shown) == len(fields) else (", ..." if not required else "")
    keys = ", ".join(fields)
    return f"write it as a mapping: {name}: {{{inner}{more}}} (its keys: {keys})"


def _list_example(name: str, value: Any) -> str:
    item = _as_written(value) or (value if isinstance(value, str) and len(value) <= 40 else "...")
    return f"write it as a list: {name}: [{item}] (or one '- {item}' line per item below '{name}:')"


def _literal_values(expected: str) -> list[str]:
    return re.findall(r"'((?:[^'\\]|\\.)*)'", expected)


def _hint_for_type(etype: str, name: str, value: Any, schema: Any, loc: KeyPath, languages: Sequence[str]) -> str | None:
    key = name.rsplit(".", 1)[-1]
    if etype.startswith("string_") or etype.startswith("str_"):
        written = _as_written(value)
        if written is not None:  # YAML read 1, 1.0, 2024-01-05 or yes as a number, date or boolean
            return f"quote it: {key}: '{written}'"
        if isinstance(value, dict):
            return f"'{key}' is one text, not a mapping: {key}: your text"
        if isinstance(value, list):
            return f"'{key}' is one text, not a list: {key}: your text"
        return None
    if etype.startswith("model") or etype.startswith("dict"):
        if isinstance(value, (dict, cabc.Mapping)):
            return None
        if etype.startswith("dict"):
            return f"write it as a mapping: {key}: {{name: value, ...}}"
        return _mapping_example(key, _model_at(schema, loc) if schema is not None else None, value, languages)
    if etype.startswith("list") or etype.startswith("tuple") or etype.startswith("set"):
        if not isinstance(value, (list, tuple)):
            return _list_example(key, value)
        return None
    if etype.startswith("date"):
        return f"write the date as YYYY-MM-DD, e.g. {key}: 2027-01-15"
    if etype.startswith("float") or etype.startswith("int"):
        if isinstance(value, str) and re.search(r"\d", value):
            return f"write the number alone, without units or words, e.g. {key}: {re.sub(r'[^0-9.eE+-]', '', value) or 0}"
        return None
    if etype.startswith("bool"):
        return f"write {key}: true or {key}: false"
    return None


# ---------------------------------------------------------------- the conversion


def diagnostics_from_validation(
    exc: ValidationError,
    loaded: LoadedYaml,
    base: KeyPath = (),
    known_keys: dict[KeyPath, Iterable[str]] | None = None,
    schema: Any = None,
    context: Mapping[str, Any] | None = None,
    examples: Mapping[str, str] | None = None,
) -> list[Diagnostic]:
    """One diagnostic per pydantic error, located at the offending key in ``loaded``.

    ``base`` is the key path of the validated object inside the file (e.g. ``("batches",)``).
    ``schema`` is the type that was validated (a model, ``list[Model]`` ...): it gives the keys an
    unknown key is compared with and the shape of the value a type error asks for. ``known_keys``
    overrides the candidate keys at a path (relative to the file). ``context`` is the validation
    context (its ``languages`` shape the example of a text). ``examples`` shows how a key is written
    (``{"submission_date": "submission_date: 2027-01-15"}``), for a missing key or a wrong value.
    """
    languages = tuple((context or {}).get("languages", ("en", "zh")))
    errors = exc.errors(include_url=False)
    cleaned = [
        (err, tuple(p for p in err["loc"] if not (isinstance(p, str) and (p.startswith("function-") or p in _BRANCHES))))
        for err in errors
    ]
    # A misspelt required key gives two errors (the key is missing; the misspelling is unknown): one
    # finding, at the misspelling, that names the key meant.
    missing = {(loc[:-1], loc[-1]) for err, loc in cleaned if err["type"] == "missing" and loc}
    explained: set[tuple[KeyPath, Any]] = set()
    meant: dict[KeyPath, str] = {}
    for err, loc in cleaned:
        if err["type"] == "extra_forbidden" and loc:
            parent = loc[:-1]
            absent = [str(k) for p, k in missing if p == parent and (p, k) not in explained]
            close = did_you_mean(str(loc[-1]), absent)
            if close:
                target = close.split("'")[1]
                explained.add((parent, target))
                meant[loc] = target
    out: list[Diagnostic] = []
    seen: set[KeyPath] = set()
    for err, loc in cleaned:
        etype = err["type"]
        if etype == "missing" and loc and (loc[:-1], loc[-1]) in explained:
            continue
        if etype != "missing" and etype != "extra_forbidden":
            if loc in seen:  # one finding per value, not one per member of a union (float | str)
                continue
            seen.add(loc)
        path = base + loc
        name = _field_name(path)
        where = loaded.location(path)
        hint: str | None = None
        value = err.get("input")
        if etype == "missing":
            rule = "schema.missing"
            inside = _describe(path[:-1]) or f" in {loaded.display}"
            message = f"'{name}' is required{inside}"
            where = loaded.location(path[:-1])
            if examples and str(path[-1]) in examples:
                hint = f"add it: {examples[str(path[-1])]}"
        elif etype == "extra_forbidden":
            rule = "schema.unknown-key"
            key = str(loc[-1]) if loc else name
            where_in = _describe(path[:-1])
            message = f"unknown key '{key}'{where_in}"
            if loc in meant:
                hint = f"did you mean '{meant[loc]}'? (a required key, missing here)"
            else:
                candidates = keys_at(schema, loc[:-1]) if schema is not None else []
                if known_keys and path[:-1] in known_keys:
                    candidates = list(known_keys[path[:-1]])
                if not candidates:  # no schema given: the keys pydantic said are missing here
                    candidates = [str(k) for p, k in missing if p == loc[:-1]]
                fallback = f"the keys here are: {', '.join(candidates)}" if 0 < len(candidates) <= 25 else None
                hint = did_you_mean(key, candidates, fallback)
        elif (words := _expected(etype)) is not None:
            rule = "schema.type"
            if etype.startswith("model") and schema is not None and getattr(_model_at(schema, loc), "__name__", "") == "Text":
                words = "a text in each language"
            message = f"'{name}' must be {words}, got {show_value(value)}"
            hint = _hint_for_type(etype, name, value, schema, loc, languages)
            top = str(path[0]) if path else ""
            if examples and len(path) == 1 and top in examples and (hint is None or etype.startswith(("dict", "model"))):
                hint = f"write it as: {examples[top]}"
        elif etype in _BOUNDS:
            rule = "schema.value"
            ctx = err.get("ctx") or {}
            bound = next((ctx[k] for k in ("ge", "gt", "le", "lt") if k in ctx), "")
            if isinstance(bound, float) and bound.is_integer():
                bound = int(bound)
            message = f"'{name}' must be {_BOUNDS[etype]} {bound}, got {show_value(value)}"
        elif etype == "finite_number":
            rule = "schema.value"
            message = f"'{name}' must be a finite number, got {show_value(value)}"
        elif etype in ("literal_error", "enum"):
            rule = "schema.value"
            expected = str((err.get("ctx") or {}).get("expected", ""))
            message = f"'{name}' must be one of {expected}, got {show_value(value)}"
            written = _as_written(value)
            if written is not None and written in _literal_values(expected):
                message = f"'{name}' must be one of {expected} (text), got {show_value(value)} (a number)"
                hint = f"write it in quotes: {name.rsplit('.', 1)[-1]}: '{written}'"
            elif isinstance(value, str):
                hint = did_you_mean(value, _literal_values(expected))
        elif etype in ("string_too_short", "string_too_long", "too_short", "too_long"):
            rule = "schema.value"
            message = f"'{name}': {_plain_length(str(err['msg']))}, got {show_value(value)}"
        elif etype == "string_pattern_mismatch":
            rule = "schema.value"
            pattern = str((err.get("ctx") or {}).get("pattern", ""))
            message = f"'{name}' {_pattern_words(pattern)}, got {show_value(value)}"
        else:
            rule = "schema.value"
            msg = str(err["msg"])
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
            message = f"'{name}': {msg}"
            bad, hint = _options_hint(msg)
            if bad is not None and isinstance(value, dict) and bad in value:  # a bad key: point at it
                where = loaded.location(path + (bad,))
        out.append(Diagnostic(rule, Severity.ERROR, message, where, hint))
    return out


def _options_hint(msg: str) -> tuple[str | None, str | None]:
    """For a validator's "'zn' is not a language of any region (languages: en, zh)" or "must be one of
    'fda', 'nmpa', got 'fdaa'": the value named and the closest allowed one (did-you-mean)."""
    m = re.search(r"got '([^']*)'", msg) or re.match(r"^'([^']*)'", msg)
    if m is None:
        return None, None
    bad = m.group(1)
    listed = re.search(r"one of (.+?)(?:, got\b|$)", msg)
    if listed:
        options = _literal_values(listed.group(1))
    else:
        inside = re.search(r"\((?:[\w ]+): ([^()]+)\)", msg)
        options = [o.strip() for o in inside.group(1).split(",")] if inside else []
    options = [o for o in options if o and o != bad]
    hint = did_you_mean(bad, options)
    if hint is None and len(bad) <= 3:  # two-letter codes (zn/zh) are never 60 % alike
        close = difflib.get_close_matches(bad, options, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'?" if close else None
    return bad, hint


def _plain_length(msg: str) -> str:
    """pydantic's "String should have at least 10 characters" in a writer's words."""
    m = re.match(r"(?:String|List|Value) should have (at (?:least|most) \d+ (?:characters?|items?))", msg)
    return f"must have {m.group(1)}" if m else msg[:1].lower() + msg[1:]


def _pattern_words(pattern: str) -> str:
    from .model.common import ID_PATTERN

    if pattern == ID_PATTERN:
        return "may hold only letters, digits, '.', '_' and '-' and must start with a letter or digit"
    return f"does not have the required form (pattern {pattern})"


# Field names too generic to tell a writer which fact is meant on their own.
_GENERIC = {"value", "unit", "en", "zh", "min", "max", "time", "id", "name", "text", "kind", "type"}


def _field_name(path: KeyPath) -> str:
    """The offending key as a writer knows it: ``viability_percent``, or ``shelf_life.value``."""
    keys = [str(p) for p in path if isinstance(p, str) and not p.startswith("function-")]
    if not keys:
        return "value"
    if keys[-1] in _GENERIC and len(keys) > 1:
        return f"{keys[-2]}.{keys[-1]}"
    return keys[-1]


def _describe(path: KeyPath) -> str:
    parts = [str(p) for p in path if not isinstance(p, int)]
    return f" in {'.'.join(parts)}" if parts else ""
