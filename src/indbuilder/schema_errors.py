"""Turn pydantic validation errors into diagnostics a writer understands.

A writer sees ``content/cmc/batches.yaml:41:7: error [schema.type] 'viability_percent' must be a
number, got 'ninety'``, not a pydantic error dump.
"""

from __future__ import annotations

from typing import Any, Iterable

from pydantic import ValidationError

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


# Members of a union that pydantic names in an error's location (``results.sterility.float``).
_BRANCHES = frozenset({"float", "str", "int", "bool", "date", "list[str]", "dict[str,str]", "none"})
_BOUNDS = {
    "greater_than_equal": "at least",
    "greater_than": "greater than",
    "less_than_equal": "at most",
    "less_than": "less than",
}


def _expected(err_type: str) -> str | None:
    for prefix, words in _TYPE_WORDS.items():
        if err_type.startswith(prefix + "_") or err_type == prefix:
            return words
    return None


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def diagnostics_from_validation(
    exc: ValidationError,
    loaded: LoadedYaml,
    base: KeyPath = (),
    known_keys: dict[KeyPath, Iterable[str]] | None = None,
) -> list[Diagnostic]:
    """One diagnostic per pydantic error, located at the offending key in ``loaded``.

    ``base`` is the key path of the validated object inside the file (e.g. ``("batches",)``).
    """
    out: list[Diagnostic] = []
    seen: set[KeyPath] = set()
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and (p.startswith("function-") or p in _BRANCHES)))
        if err["type"] != "missing" and err["type"] != "extra_forbidden":
            if loc in seen:  # one finding per value, not one per member of a union (float | str)
                continue
            seen.add(loc)
        path = base + loc
        name = _field_name(base + loc)
        etype = err["type"]
        where = loaded.location(path)
        hint = None
        if etype == "missing":
            rule = "schema.missing"
            parent = _describe(base + loc[:-1])
            message = f"'{name}' is required{parent}"
            where = loaded.location(path[:-1])
        elif etype == "extra_forbidden":
            rule = "schema.unknown-key"
            message = f"unknown key '{name}'"
            allowed = err.get("ctx", {}).get("allowed") if err.get("ctx") else None
            candidates = list(allowed or [])
            if known_keys and path[:-1] in known_keys:
                candidates = list(known_keys[path[:-1]])
            hint = did_you_mean(name, candidates)
        elif (words := _expected(etype)) is not None:
            rule = "schema.type"
            message = f"'{name}' must be {words}, got {_show(err.get('input'))}"
        elif etype in _BOUNDS:
            rule = "schema.value"
            ctx = err.get("ctx") or {}
            bound = next((ctx[k] for k in ("ge", "gt", "le", "lt") if k in ctx), "")
            if isinstance(bound, float) and bound.is_integer():
                bound = int(bound)
            message = f"'{name}' must be {_BOUNDS[etype]} {bound}, got {_show(err.get('input'))}"
        elif etype == "finite_number":
            rule = "schema.value"
            message = f"'{name}' must be a finite number, got {_show(err.get('input'))}"
        elif etype in ("literal_error", "enum"):
            rule = "schema.value"
            expected = err.get("ctx", {}).get("expected", "")
            message = f"'{name}' must be one of {expected}, got {_show(err.get('input'))}"
        else:
            rule = "schema.value"
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
            message = f"'{name}': {msg}"
        out.append(Diagnostic(rule, Severity.ERROR, message, where, hint))
    return out


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
