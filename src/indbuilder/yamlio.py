"""YAML loading that remembers where every key is and refuses duplicate keys.

PyYAML's safe loader silently keeps the last of two identical keys, which hides copy-paste
mistakes in fact files (two ``shelf_life`` entries, only one of them reviewed). We reject them.
Every mapping key and sequence item gets a 1-based ``(line, col)`` keyed by its path from the
document root, so schema errors can point at ``content/cmc/batches.yaml:41:7``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostic, Location, Severity
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


class _LocatingLoader(yaml.SafeLoader):
    """Safe loader that builds plain data and records node marks with their key paths."""


# A duplicate key: the key, where the second one is, and the (line, col) of the first (if known).
_Duplicate = tuple[Any, yaml.Mark, "tuple[int, int] | None"]


def _walk(
    node: yaml.Node,
    path: KeyPath,
    marks: dict[KeyPath, tuple[int, int]],
    dups: list[_Duplicate],
    loader: _LocatingLoader,
) -> Any:  # the plain data YAML holds (dicts, lists, scalars): validated later by the schemas
    mark = node.start_mark
    marks.setdefault(path, (mark.line + 1, mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, list):
                key = tuple(key)
            key_path = path + (key,)
            if key in out:
                first = marks.get(key_path)
                dups.append((key, key_node.start_mark, first))
                continue
            marks[key_path] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = _walk(value_node, key_path, marks, dups, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, path + (i,), marks, dups, loader) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def load_yaml(path: Path, display: str | None = None) -> LoadedYaml:
    """Load one YAML file; problems are returned as diagnostics on the result, never raised."""
    display = display or path.as_posix()
    result = LoadedYaml(path, display, None)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        result.diagnostics.append(
            Diagnostic("yaml.encoding", Severity.ERROR, f"file is not UTF-8 ({exc.reason})", Location(display))
        )
        return result
    return load_yaml_text(text, display, path)


def load_yaml_text(text: str, display: str, path: Path | None = None) -> LoadedYaml:
    """Load YAML from a string (front matter, tests); ``display`` names it in diagnostics."""
    result = LoadedYaml(path or Path(display), display, None)
    loader = _LocatingLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            result.data = None
            return result
        dups: list[_Duplicate] = []
        result.data = _walk(node, (), result.marks, dups, loader)
        for key, mark, first in dups:
            where = f" (first defined on line {first[0]})" if first else ""
            result.diagnostics.append(
                Diagnostic(
                    "yaml.duplicate-key",
                    Severity.ERROR,
                    f"duplicate key '{key}'{where}",
                    Location(display, mark.line + 1, mark.column + 1),
                    hint="remove one of the two entries; YAML would silently keep only the last",
                )
            )
    except yaml.MarkedYAMLError as exc:
        error_mark = exc.problem_mark or exc.context_mark
        line, col = (error_mark.line + 1, error_mark.column + 1) if error_mark else (0, 0)
        problem = exc.problem or exc.context or "invalid YAML"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        result.diagnostics.append(
            Diagnostic("yaml.syntax", Severity.ERROR, f"{problem}{context}", Location(display, line, col))
        )
        result.data = None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML raises marked errors for text input
        result.diagnostics.append(Diagnostic("yaml.syntax", Severity.ERROR, str(exc), Location(display)))
        result.data = None
    finally:
        loader.dispose()
    return result
