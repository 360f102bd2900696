"""How much a new user writes: files and YAML keys of a fresh ``init`` project, and how many carry a
placeholder (``python -m indbuilder.scaffold.measure small-molecule fda``).

Counts every YAML leaf (a key path ending in a scalar; list items count under their key) in the project's
fact files and ``indbuilder.yaml``, and the leaves whose line holds ``TODO:`` (the ones the user must
write or confirm); narratives are counted as files.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from . import init_project


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [leaf for k, v in node.items() for leaf in _leaves(v, path + (k,))]
    if isinstance(node, list):
        return [leaf for i, v in enumerate(node) for leaf in _leaves(v, path + (i,))]
    return [path]


def measure(root: Path) -> dict[str, int]:
    """Files, YAML leaf keys, files with placeholders and placeholder lines of the project at ``root``."""
    files = [p for p in root.rglob("*") if p.is_file()]
    yaml_files = [p for p in files if p.suffix in (".yaml", ".yml")]
    keys = sum(len(_leaves(yaml.safe_load(p.read_text(encoding="utf-8")))) for p in yaml_files)
    todo_files = [p for p in files if "TODO:" in p.read_text(encoding="utf-8")]
    todo_lines = sum(p.read_text(encoding="utf-8").count("TODO:") for p in files)
    return {"files": len(files), "yaml_files": len(yaml_files), "yaml_keys": keys,
            "files_with_placeholders": len(todo_files), "placeholders": todo_lines}


def main(argv: list[str]) -> int:
    modality = argv[0] if argv else "small-molecule"
    region = argv[1] if len(argv) > 1 else "fda"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        init_project(root, [modality], [region], submission_date=dt.date(2027, 1, 4))
        for key, value in measure(root).items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
