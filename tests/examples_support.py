"""The example dossiers (issue 10): where they are and one build of each, shared by the tests.

MCT-101 (a gene-modified cell therapy) is the repository's default project at its root; the other examples
live under ``examples/``. A build copies the example into a temporary folder first, so the tests never
write into the checkout.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from example_project import copy_example
from indbuilder.cli import app

REPO = Path(__file__).resolve().parents[1]
EXAMPLES: dict[str, Path] = {
    "mct-101": REPO,
    "small-molecule-tablet": REPO / "examples" / "small-molecule-tablet",
    "mab-injection": REPO / "examples" / "mab-injection",
}
MODALITIES = {
    "mct-101": ("cell-therapy", "gene-therapy"),
    "small-molecule-tablet": ("small-molecule",),
    "mab-injection": ("protein",),
}


@dataclass(frozen=True)
class BuiltExample:
    name: str
    root: Path  # the copy that was built
    exit_code: int
    output: str

    def sequence(self, region: str) -> Path:
        [seq] = list((self.root / "build" / region / "ectd").glob("*/0000"))
        return seq


def copy_project(name: str, dest: Path) -> Path:
    """A fresh copy of example ``name`` (indbuilder.yaml, content/, templates/ if any) in ``dest``."""
    if EXAMPLES[name] == REPO:
        return copy_example(dest)
    shutil.copytree(EXAMPLES[name], dest, ignore=shutil.ignore_patterns("build", "submissions"))
    return dest


def build_example(name: str, dest: Path) -> BuiltExample:
    root = copy_project(name, dest)
    result = CliRunner().invoke(app, ["build", "-p", str(root)])
    return BuiltExample(name, root, result.exit_code, result.output)
