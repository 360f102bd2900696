"""YAML loading that remembers where every key is and refuses duplicate keys.

PyYAML's safe loader silently keeps the last of two identical keys, which hides copy-paste
mistakes in fact files (two ``shelf_life`` entries, only one of them reviewed). We reject them.
Every mapping key and sequence item gets a 1-based ``(line, col)`` keyed by its path from the
document root, so schema errors can point at ``content/cmc/batches.yaml:41:7``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from .diagnostics import Diagnostic, Location, Severity
from .paths import is_regular_file
from .rules import define

define(
    "yaml.syntax",
    "error",
    "A YAML file cannot be parsed.",
    "The file is not valid YAML (for example a tab used for indentation, an unclosed quote or a "
    "mis-indented key). Nothing from the file is used until it parses.",
)
define(
    "yaml.duplicate-key",
    "error",
    "A key appears twice in the same YAML mapping.",
    "YAML parsers silently keep only one of two identical keys, so one value would be dropped "
    "without anyone noticing. Remove or rename one of them.",
)
define(
    "yaml.encoding",
    "error",
    "A source file is not valid UTF-8.",
    "Content files must be UTF-8 so that Chinese and English text survive unchanged.",
)
define(
    "yaml.unreadable",
    "error",
    "A YAML file cannot be read (no permission, or not a regular file).",
    "Fact and config files must be regular files the build can read. A named pipe, a device or a "
    "folder named like a YAML file is refused rather than read, so the build can never hang on it.",
)
define(
    "yaml.limit",
    "error",
    "A YAML file exceeds a resource limit (file size, nesting depth, alias expansion, node count).",
    "Fact files are small, hand-written documents. A file above 10 MB, a structure nested more than "
    "200 levels deep, or aliases (``*name``) that expand to more than 10,000 nodes (more than "
    "1,000,000 nodes in all) is refused before it is read further: such input is either a mistake "
    "or an attempt to exhaust memory and time (the YAML 'billion laughs' alias bomb).",
    "CWE-776 (unrestricted recursive entity references); CWE-400 (uncontrolled resource consumption).",
)
define(
    "yaml.key-type",
    "error",
    "A YAML mapping key is itself a mapping or a list.",
    "YAML allows complex keys (``? {a: 1} : x``), but no fact schema has one: every key names a "
    "field, a section or a record id and must be a plain value (text, number, date).",
)
define(
    "yaml.control-character",
    "error",
    "A YAML file contains a control character.",
    "Control characters (BEL, ESC, NUL, DEL, C1 controls; anything but tab and line breaks) are "
    "invisible in editors, cannot be stored in the XML of DOCX and eCTD files and print as nothing "
    "or as boxes in a PDF. They usually come from copying text out of another program; delete them.",
    "YAML 1.1 section 5.1 (character set); XML 1.0 section 2.2 (Char).",
)
define(
    "yaml.surrogate",
    "error",
    "A YAML string contains a lone UTF-16 surrogate (an escape such as \\ud800).",
    "A surrogate code point (U+D800 to U+DFFF) on its own is not a character: it cannot be encoded "
    "as UTF-8 and no document format can hold it. Write the character itself, or a \\U escape "
    "of its full code point.",
    "Unicode 15.0 section 3.9 (D76, ill-formed code unit sequences).",
)
define(
    "yaml.value",
    "error",
    "A YAML value has the form of a typed value but is impossible (such as the date 2026-02-30).",
    "YAML reads ``2026-02-30`` as a date because of its form, and a date that does not exist cannot "
    "be a fact. Correct the value (or quote it if it is meant as text).",
)

# Resource limits of one YAML file (see the yaml.limit rule and the README's fact-file section).
MAX_YAML_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 200
MAX_ALIAS_NODES = 10_000
MAX_NODES = 200_000

# Characters YAML does not allow in a stream (PyYAML's Reader.NON_PRINTABLE; includes lone surrogates).
_NON_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]")
# Characters an escape sequence may put into a value that no document can hold.
_CONTROL = re.compile("[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})

KeyPath = tuple[Any, ...]


@dataclass
class LoadedYaml:
    """Parsed data plus the location of every key path (``()`` is the document root)."""

    path: Path
    display: str  # the path as shown in diagnostics (relative to the project root)
    data: Any
    marks: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def location(self, key_path: KeyPath = ()) -> Location:
        """The closest recorded location for ``key_path`` (walking up to a known parent)."""
        kp = tuple(key_path)
        while kp not in self.marks and kp:
            kp = kp[:-1]
        line, col = self.marks.get(kp, (1, 1))
        return Location(self.display, line, col)


class _LimitExceeded(Exception):
    """A resource limit was hit while composing or expanding the document."""

    def __init__(self, message: str, mark: Any) -> None:  # a yaml.Mark or libyaml's Mark
        super().__init__(message)
        self.message = message
        self.mark = mark


class _BoundedComposer(Composer):
    """PyYAML's composer with a nesting-depth and node-count bound (no RecursionError, no hang)."""

    _depth = 0
    _nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        self._nodes += 1
        try:
            if self._depth > MAX_DEPTH or self._nodes > MAX_NODES:
                event: yaml.Event | None = self.peek_event()  # type: ignore[attr-defined]  # the parser's
                what = (
                    f"nesting deeper than {MAX_DEPTH} levels"
                    if self._depth > MAX_DEPTH
                    else f"more than {MAX_NODES:,} values"
                )
                raise _LimitExceeded(what, event.start_mark if event is not None else None)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


try:  # libyaml's C scanner and parser: about five times faster, with the same events and marks
    from yaml._yaml import CParser as _Parser

    class _LocatingLoader(_Parser, _BoundedComposer, SafeConstructor, Resolver):
        """Safe loader that builds plain data and records node marks with their key paths."""

        def __init__(self, stream: str) -> None:
            _Parser.__init__(self, stream)
            _BoundedComposer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

        # The composition is ours (bounded), not libyaml's recursive C one.
        check_node = _BoundedComposer.check_node
        get_node = _BoundedComposer.get_node
        get_single_node = _BoundedComposer.get_single_node

except ImportError:  # pragma: no cover - PyYAML built without libyaml

    class _LocatingLoader(  # type: ignore[no-redef]
        yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, _BoundedComposer, SafeConstructor, Resolver
    ):
        """Safe loader that builds plain data and records node marks with their key paths."""

        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            _BoundedComposer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)


# A duplicate key: the key, where the second one is, and the (line, col) of the first (if known).
_Duplicate = tuple[Any, yaml.Mark, "tuple[int, int] | None"]


def _at(display: str, mark: Any) -> Location:  # a yaml.Mark, libyaml's Mark or None
    return Location(display, mark.line + 1, mark.column + 1) if mark is not None else Location(display)


@dataclass
class _Walk:
    """State of one document's conversion to plain data: marks, findings and expansion budget."""

    loader: _LocatingLoader
    display: str
    marks: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    dups: list[_Duplicate] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)
    nodes: int = 0
    alias_nodes: int = 0

    def error(self, rule: str, message: str, mark: yaml.Mark | None, hint: str | None = None) -> None:
        if len(self.errors) < 50:  # a damaged file must not produce a flood of findings
            self.errors.append(Diagnostic(rule, Severity.ERROR, message, _at(self.display, mark), hint))

    def scalar(self, node: yaml.Node) -> Any:  # a scalar of any YAML type (str, int, date, ...)
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.MarkedYAMLError:
            raise  # an unknown tag, bad base64: reported as yaml.syntax with its mark
        except Exception as exc:  # noqa: BLE001 - PyYAML's constructors on hostile text (2026-02-30,
            # '!!timestamp x' raises AttributeError, '!!bool x' KeyError): the value is refused, located.
            kind = "date" if node.tag.endswith(":timestamp") else node.tag.rsplit(":", 1)[-1]
            reason = str(exc).split(";")[0] if isinstance(exc, (ValueError, OverflowError)) else "not of that form"
            self.error("yaml.value", f"{str(node.value)[:60]!r} is not a valid {kind} ({reason})", node.start_mark)
            return None
        if isinstance(value, str):
            if (m := _SURROGATE.search(value)) is not None:
                self.error(
                    "yaml.surrogate",
                    f"lone surrogate U+{ord(m.group()):04X} in a string (not a character)",
                    node.start_mark,
                    hint="write the character itself; a \\ud800-\\udfff escape alone is not text",
                )
            elif (m := _CONTROL.search(value)) is not None:
                self.error(
                    "yaml.control-character",
                    f"control character U+{ord(m.group()):04X} in a string",
                    node.start_mark,
                    hint="remove the escape sequence that produces it",
                )
        return value

    def walk(self, node: yaml.Node, path: KeyPath, depth: int = 0, aliased: bool = False) -> Any:
        """Plain data (dicts, lists, scalars) for ``node``; validated later by the schemas."""
        mark = node.start_mark
        self.nodes += 1
        if id(node) in self.seen:
            aliased = True  # reached a second time: an alias (or a merge key) expands it again
        self.seen.add(id(node))
        if aliased:
            self.alias_nodes += 1
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise _LimitExceeded(f"aliases expand to more than {MAX_ALIAS_NODES:,} values", mark)
        if self.nodes > MAX_NODES:
            raise _LimitExceeded(f"the document expands to more than {MAX_NODES:,} values", mark)
        if depth > MAX_DEPTH:  # also ends a recursive alias (an anchor used inside itself)
            raise _LimitExceeded(f"nesting deeper than {MAX_DEPTH} levels (through aliases)", mark)
        self.marks.setdefault(path, (mark.line + 1, mark.column + 1))
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
            # The safe loader refuses unknown tags on scalars; on a list or mapping (such as
            # !!python/object/apply:os.system [id]) a tag would otherwise be silently dropped.
            self.error("yaml.syntax", f"the tag '{node.tag}' is not supported", mark)
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)
            if len(node.value) > MAX_NODES:  # merge keys (<<) copy entries: bound them too
                raise _LimitExceeded(f"merge keys expand to more than {MAX_NODES:,} entries", mark)
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    kind = "mapping" if isinstance(key_node, yaml.MappingNode) else "list"
                    self.error(
                        "yaml.key-type",
                        f"a {kind} is used as a mapping key",
                        key_node.start_mark,
                        hint="keys must be plain values (text, numbers, dates)",
                    )
                    continue
                key = self.scalar(key_node)
                key_path = path + (key,)
                if key in out:
                    self.dups.append((key, key_node.start_mark, self.marks.get(key_path)))
                    continue
                self.marks[key_path] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                out[key] = self.walk(value_node, key_path, depth + 1, aliased)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, path + (i,), depth + 1, aliased) for i, item in enumerate(node.value)]
        return self.scalar(node)


def load_yaml(path: Path, display: str | None = None) -> LoadedYaml:
    """Load one YAML file; problems are returned as diagnostics on the result, never raised.

    Files above :data:`MAX_YAML_BYTES` and anything that is not a regular file are refused
    before a byte is read.
    """
    display = display or path.as_posix()
    result = LoadedYaml(path, display, None)

    def refuse(rule: str, message: str) -> LoadedYaml:
        result.diagnostics.append(Diagnostic(rule, Severity.ERROR, message, Location(display)))
        return result

    if not is_regular_file(path):
        return refuse("yaml.unreadable", "not a regular file (a folder, pipe or device cannot be a YAML file)")
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            return refuse(
                "yaml.limit",
                f"file is {size / 1_048_576:.1f} MB; YAML files above {MAX_YAML_BYTES // 1_048_576} MB are refused",
            )
        with path.open("rb") as fh:  # read no more than the limit, even if the file grows meanwhile
            raw = fh.read(MAX_YAML_BYTES + 1)
    except OSError as exc:
        return refuse("yaml.unreadable", f"cannot read the file ({exc.strerror or type(exc).__name__})")
    if len(raw) > MAX_YAML_BYTES:
        return refuse("yaml.limit", f"file is larger than {MAX_YAML_BYTES // 1_048_576} MB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return refuse("yaml.encoding", f"file is not UTF-8 ({exc.reason})")
    return load_yaml_text(text, display, path)


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _bad_characters(text: str, display: str) -> list[Diagnostic]:
    """Characters YAML refuses in a stream (controls, lone surrogates), each with file:line:col."""
    out: list[Diagnostic] = []
    for m in _NON_PRINTABLE.finditer(text):
        line, col = _line_col(text, m.start())
        code = ord(m.group())
        if 0xD800 <= code <= 0xDFFF:
            out.append(Diagnostic("yaml.surrogate", Severity.ERROR, f"lone surrogate U+{code:04X}", Location(display, line, col)))
        else:
            out.append(
                Diagnostic(
                    "yaml.control-character",
                    Severity.ERROR,
                    f"control character U+{code:04X} is not allowed in YAML",
                    Location(display, line, col),
                    hint="delete it (it is invisible in most editors)",
                )
            )
        if len(out) >= 20:
            break
    return out


def load_yaml_text(text: str, display: str, path: Path | None = None) -> LoadedYaml:
    """Load YAML from a string (front matter, tests); ``display`` names it in diagnostics."""
    result = LoadedYaml(path or Path(display), display, None)
    if len(text) > MAX_YAML_BYTES:
        result.diagnostics.append(
            Diagnostic(
                "yaml.limit",
                Severity.ERROR,
                f"YAML text above {MAX_YAML_BYTES // 1_048_576} MB is refused",
                Location(display),
            )
        )
        return result
    bad = _bad_characters(text, display)
    if bad:  # the parser would stop at the first one with no file name: report them all, located
        result.diagnostics.extend(bad)
        return result
    loader = _LocatingLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            result.data = None
            return result
        walk = _Walk(loader, display, result.marks)
        data = walk.walk(node, ())
        result.diagnostics.extend(walk.errors)
        result.data = None if walk.errors else data
        for key, mark, first in walk.dups:
            where = f" (first defined on line {first[0]})" if first else ""
            result.diagnostics.append(
                Diagnostic(
                    "yaml.duplicate-key",
                    Severity.ERROR,
                    f"duplicate key '{_short(key)}'{where}",
                    Location(display, mark.line + 1, mark.column + 1),
                    hint="remove one of the two entries; YAML would silently keep only the last",
                )
            )
    except _LimitExceeded as exc:
        result.diagnostics.append(
            Diagnostic(
                "yaml.limit",
                Severity.ERROR,
                f"{exc.message}: the file is refused",
                _at(display, exc.mark),
                hint="fact files are small hand-written documents; see the yaml.limit rule",
            )
        )
        result.data = None
    except yaml.MarkedYAMLError as libyaml_exc:
        err = _python_parser_error(text, libyaml_exc)
        error_mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "invalid YAML"
        context = f" ({err.context})" if err.context and err.problem else ""
        hint, rule = None, "yaml.syntax"
        if error_mark is not None and 0 <= error_mark.index < len(text) and text[error_mark.index] == "\t":
            hint = "a tab cannot indent YAML: use spaces"
        if "invalid Unicode character escape" in problem:  # libyaml: a \ud800-\udfff escape
            rule, hint = "yaml.surrogate", "a \\u escape must name a character, not half of a surrogate pair"
        result.diagnostics.append(Diagnostic(rule, Severity.ERROR, f"{problem}{context}", _at(display, error_mark), hint))
        result.data = None
    except yaml.YAMLError as exc:  # e.g. a ReaderError: no marks, the position is in the message
        result.diagnostics.append(Diagnostic("yaml.syntax", Severity.ERROR, str(exc).splitlines()[0], Location(display, 1, 1)))
        result.data = None
    finally:
        loader.dispose()
    return result


# Up to this size a syntax error found by libyaml is described by PyYAML's own parser, whose
# messages name what was found ("expected ',' or ']', but got ':'"); beyond it, libyaml's stands.
_DESCRIBE_LIMIT = 1_048_576


def _python_parser_error(text: str, found: yaml.MarkedYAMLError) -> yaml.MarkedYAMLError:
    """The pure-Python parser's account of a syntax error libyaml found (same place, clearer words).

    Only the scanner and parser run (no composition: they keep their own stack, no recursion), and
    only on small texts, so a hostile input cannot make this slow.
    """
    if len(text) > _DESCRIBE_LIMIT or not isinstance(found, (yaml.scanner.ScannerError, yaml.parser.ParserError)):
        return found
    try:
        for _ in yaml.parse(text, Loader=yaml.SafeLoader):
            pass
    except yaml.MarkedYAMLError as exc:
        return exc
    except yaml.YAMLError:
        return found
    return found


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."
