"""Template failures in a writer's words: no Python exception names, no reprs, no Jinja internals.

A template that fails while it renders raised a Python or Jinja exception whose text was written
for programmers (``TypeError: 'NoneType' object is not iterable``, ``No first item, sequence was
empty.``, ``'indbuilder.model.cmc.Batch object' has no attribute 'stie'``, ``Text(en='', zh='')``).
:func:`explain` turns each into what went wrong with the facts, naming the fact expression of the
template line when it can be read from the line (``drug_product.batches is empty``), and a hint
saying what to do. :func:`plain` is the last line of defence: it rewrites any repr of a record or
object address left in a message. :func:`override_hint` tells a writer how to change a template
packaged with indbuilder (findings name those ``indbuilder:templates/ectd/...``).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Iterable

from ..diagnostics import Diagnostic
from ..schema_errors import show_value

PACKAGED_PREFIX = "indbuilder:templates/ectd/"

LANGUAGE_NAMES = {"en": "English", "zh": "Chinese", "fr": "French", "de": "German", "ja": "Japanese", "ko": "Korean"}

# Python type names as a writer knows the values of facts.
_TYPE_WORDS = {
    "NoneType": "nothing (an empty value)",
    "None": "nothing (an empty value)",
    "str": "a text",
    "int": "a number",
    "float": "a number",
    "Decimal": "a number",
    "bool": "true/false",
    "list": "a list",
    "tuple": "a list",
    "dict": "a mapping",
    "date": "a date",
    "datetime": "a date",
    "Undefined": "an undefined value",
    "StrictUndefined": "an undefined value",
    "Markdown": "a text",
    "Text": "a text in each language",
}

_OPERATORS = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide", "//": "divide", "%": "take the remainder of",
              "**": "raise"}


def type_words(name: str) -> str:
    """``'NoneType'`` -> ``nothing (an empty value)``; a record class -> ``a Batch record``."""
    bare = name.strip("'\"").rsplit(".", 1)[-1]
    if bare in _TYPE_WORDS:
        return _TYPE_WORDS[bare]
    return f"a {bare} record" if bare[:1].isupper() else f"a value of kind {bare}"


def fact_path_text(path: Iterable[Any]) -> str:
    """A fact path (``("drug_product", "batches", "LOT-1", "donor")``) as written in messages:
    ``drug_product.batches[LOT-1].donor``; list positions without an id are counted from 1."""
    out = ""
    previous_was_list = False
    for i, part in enumerate(path):
        if isinstance(part, int):
            out += f"[{part + 1}]"
        elif i and previous_was_list:
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
        previous_was_list = isinstance(part, str) and part in _LIST_KEYS
    return out


# Keys whose value is a list of records named by id (the next part of a fact path is the id).
_LIST_KEYS = frozenset({
    "batches", "stability", "materials", "methods", "studies", "sites", "organisations", "literature",
    "abbreviations", "not_applicable", "attachments", "meetings", "investigators", "cohorts", "tests",
    "steps", "components", "timepoints", "objectives", "endpoints", "visits",
})


# ---------------------------------------------------------------- reprs


_ADDRESS = re.compile(r"<(?:[\w.]+\.)?(\w+) object at 0x[0-9a-fA-F]+>")
_OBJECT_TYPE = re.compile(r"'((?:[A-Za-z_][\w]*\.)*([A-Za-z_]\w*)) object'")
_JINJA_NAMES = re.compile(r"\bjinja2(?:\.\w+)*\.(\w+)")
_RECORD_START = re.compile(r"\b([A-Z][A-Za-z0-9_]*)\((?=[a-z_]\w*=)")


def _strip_records(text: str) -> str:
    """``Text(en='x', zh='')`` -> ``the text 'x'``; ``Batch(id='L1', ...)`` -> ``the Batch record 'L1'``."""
    out, i = [], 0
    while True:
        m = _RECORD_START.search(text, i)
        if m is None:
            out.append(text[i:])
            return "".join(out)
        depth, j, quote = 0, m.end() - 1, ""
        while j < len(text):
            c = text[j]
            if quote:
                if c == "\\":
                    j += 1
                elif c == quote:
                    quote = ""
            elif c in "'\"":
                quote = c
            elif c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        inner = text[m.end(): j]
        name = m.group(1)
        first = re.match(r"(?:en|id|name)=(['\"])(.*?)\1", inner)
        label = f" '{first.group(2)[:40]}'" if first and first.group(2) else ""
        shown = f"the text{label}" if name == "Text" else f"the {name} record{label}"
        out.append(text[i: m.start()] + shown)
        i = j + 1


def plain(message: str) -> str:
    """``message`` without Python reprs of records, object addresses or Jinja module names."""
    text = re.sub(r"^(?:[a-z_][\w]*\.)*[A-Z]\w*(?:Error|Exception): ", "", message)
    text = _ADDRESS.sub(lambda m: type_words(m.group(1)), text)
    text = _OBJECT_TYPE.sub(lambda m: type_words(m.group(2)), text)
    text = _JINJA_NAMES.sub(lambda m: m.group(1), text)
    text = _strip_records(text)
    return text


# ---------------------------------------------------------------- expressions of a template line


def _expression_before(line: str, at: int) -> str:
    """The Jinja expression that ends at ``line[:at]`` (a pipe chain such as ``a.b | selectattr(...)``)."""
    depth, quote, j = 0, "", at - 1
    while j >= 0:
        c = line[j]
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c in ")]":
            depth += 1
        elif c in "([":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and (line.startswith(("{{", "{%"), j - 1) or c in ",=:" or line[max(0, j - 3): j + 1] == " in "):
            if c == "=" and j > 0 and line[j - 1] in "=!<>":
                j -= 2
                continue
            break
        j -= 1
    expr = line[j + 1: at].strip()
    expr = re.sub(r"^(?:set\s+\w+\s*|if\s+|elif\s+|for\s+\w+(?:\s*,\s*\w+)*\s+in\s+|in\s+|-)", "", expr).strip()
    return expr.strip("{}%- ")


def _head(expr: str) -> str:
    """The fact an expression starts from: ``drug_product.batches`` of ``drug_product.batches | list``."""
    m = re.match(r"\(?\s*([A-Za-z_]\w*(?:\.\w+|\[[^\]]*\])*)", expr)
    return m.group(1) if m else expr


_SELECTING = re.compile(r"\|\s*(?:selectattr|rejectattr|select|reject)\b")


def empty_item_message(word: str, line: str) -> str:
    """``No first item, sequence was empty`` with the expression of the template line named."""
    m = re.search(r"\|\s*%s\b" % word, line)
    if m is None:
        return f"a list the template takes the {word} item of is empty"
    expr = _expression_before(line, m.start()).rstrip(" |")
    if not expr:
        return f"a list the template takes the {word} item of is empty"
    head = _head(expr)
    if _SELECTING.search(expr):
        chain = expr[len(head):].strip(" |")
        return f"no item of {head} matches `{chain}`, so there is no {word} item to show"
    return f"{head} is empty, so there is no {word} item to show"


# ---------------------------------------------------------------- exceptions


@dataclasses.dataclass
class Explained:
    """What a failed template line means for the writer: ``message`` and what to do (``hint``)."""

    message: str
    hint: str | None = None


def explain(exc: BaseException, line: str) -> Explained:
    """A writer's message for an exception raised while a template ran; ``line`` is the template's
    source line (to name the expression that failed), ``""`` when unknown."""
    text = str(exc).strip()
    if isinstance(exc, KeyError) and len(exc.args) == 1 and isinstance(exc.args[0], str):
        text = exc.args[0]
    m = re.match(r"^No (first|last) item, sequence was empty\.?$", text)
    if m:
        return Explained(
            empty_item_message(m.group(1), line),
            "add the missing facts, or write '| first | default(none)' in the template when they are optional"
            if m.group(1) == "first" else
            "add the missing facts, or write '| last | default(none)' in the template when they are optional",
        )
    if isinstance(exc, ZeroDivisionError):
        return Explained(f"a number is divided by zero{_in(line)}", "check the facts the template divides by (a count or total of 0)")
    m = re.match(r"^'(\w+)' object is not iterable$", text)
    if m:
        return Explained(f"the template lists the items of {_named(line, type_words(m.group(1)))}, "
                         f"which is {type_words(m.group(1))}, not a list",
                         "write the fact as a list ('- item' lines), or test it with '{% if x %}' in the template")
    m = re.match(r"^object of type '(\w+)' has no len\(\)$", text)
    if m:
        return Explained(f"the template counts the items of {type_words(m.group(1))}{_in(line)}", "give the fact a list value")
    m = re.match(r"^unsupported operand type\(s\) for ([^:]+): '(\w+)' and '(\w+)'$", text)
    if m:
        verb = _OPERATORS.get(m.group(1).strip(), "combine")
        return Explained(f"cannot {verb} {type_words(m.group(2))} and {type_words(m.group(3))}{_in(line)}",
                         "a number fact may have been written as text (or left empty): check the facts on this line")
    m = re.match(r"^can only concatenate (\w+) \(not \"(\w+)\"\) to \w+$", text)
    if m:
        return Explained(f"cannot add {type_words(m.group(2))} to {type_words(m.group(1))}{_in(line)}",
                         "join texts with '~' in templates ({{ a ~ b }}), which converts numbers")
    m = re.match(r"^'([<>=!]=?)' not supported between instances of '(\w+)' and '(\w+)'$", text)
    if m:
        return Explained(f"cannot compare {type_words(m.group(2))} with {type_words(m.group(3))}{_in(line)}",
                         "one of the facts compared is missing or written as text: check the facts on this line")
    m = re.match(r"^'(\w+)' object is not callable$", text)
    if m:
        return Explained(f"{type_words(m.group(1))} is used as a function{_in(line)}", "remove the '()' after it")
    m = re.match(r"^'(\w+)' object is not subscriptable$", text)
    if m:
        return Explained(f"the template takes an item of {type_words(m.group(1))}, which has no items{_in(line)}", None)
    return Explained(plain(text) or "the template failed on this line")


def _in(line: str) -> str:
    expr = _statement(line)
    return f" in `{expr}`" if expr else ""


def _named(line: str, fallback: str) -> str:
    m = re.search(r"\{%-?\s*for\s+\w+(?:\s*,\s*\w+)*\s+in\s+(.+?)\s*-?%\}", line)
    return f"`{m.group(1).strip()}`" if m else fallback


def _statement(line: str) -> str:
    """The Jinja expression or statement of a template line, shortened (for 'in `...`')."""
    m = re.search(r"\{\{-?\s*(.+?)\s*-?\}\}|\{%-?\s*(.+?)\s*-?%\}", line)
    if not m:
        return ""
    expr = (m.group(1) or m.group(2) or "").strip()
    return expr if len(expr) <= 80 else expr[:77] + "..."


# ---------------------------------------------------------------- the t filter


def missing_language(obj: Any, lang: str, path: str | None) -> str:
    """The ``t`` filter's message for a text without ``lang``: which fact, and what it says otherwise."""
    name = LANGUAGE_NAMES.get(lang, lang)
    where = path or "a text"
    other = ""
    for key in ("en", "zh"):
        value = obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)
        if key != lang and isinstance(value, str) and value:
            shown = show_value(value)
            other = f"; its '{key}' text is {shown}"
            break
    if path is None and not other:
        return f"a text has no '{lang}' text ({name}) and no other language either"
    return f"{where} has no '{lang}' text ({name}){other}"


# ---------------------------------------------------------------- packaged templates


def override_hint(path: str, templates_dir: str = "templates/ectd") -> str | None:
    """How to change a packaged template named ``indbuilder:templates/ectd/<rel>``: copy it to
    ``<templates_dir>/<rel>`` in the project (project templates override the packaged ones)."""
    if not path.startswith(PACKAGED_PREFIX):
        return None
    rel = path[len(PACKAGED_PREFIX):]
    return (f"the template is packaged with indbuilder: to change it, copy it to "
            f"{templates_dir.rstrip('/')}/{rel} in your project (a project template overrides the packaged one)")


def with_override_hint(diag: Diagnostic, templates_dir: str = "templates/ectd") -> Diagnostic:
    """``diag`` with :func:`override_hint` added when it is located in a packaged template."""
    if diag.location is None:
        return diag
    extra = override_hint(diag.location.path, templates_dir)
    if extra is None or (diag.hint and extra in diag.hint):
        return diag
    return dataclasses.replace(diag, hint=f"{diag.hint}; {extra}" if diag.hint else extra)
