"""Shared helpers of tests/test_checks_*.py: copy a project, edit its text, load it and run the rules."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from indbuilder.checks import CheckContext, RegionResult, run_checks
from indbuilder.config import load_config
from indbuilder.diagnostics import Diagnostic, Diagnostics
from indbuilder.loader import load_content

FIXTURE = Path(__file__).parent / "fixtures" / "checks" / "good"
EXAMPLE = Path(__file__).parent.parent  # the repository root is the example project


@dataclass(frozen=True)
class Edit:
    """Replace the ``nth`` occurrence of ``old`` with ``new`` in ``path`` (relative to the project root)."""

    path: str
    old: str
    new: str
    nth: int = 0


@dataclass(frozen=True)
class At:
    """The expected location: the line holding the ``nth`` occurrence of ``text`` in ``path``."""

    path: str
    text: str
    nth: int = 0

    def line(self, root: Path) -> int:
        content = (root / self.path).read_text(encoding="utf-8")
        idx = -1
        for _ in range(self.nth + 1):
            idx = content.index(self.text, idx + 1)
        return content.count("\n", 0, idx) + 1


def copy_project(src: Path, dst: Path) -> Path:
    """Copy ``indbuilder.yaml`` and ``content/`` of a project to ``dst``."""
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src / "indbuilder.yaml", dst / "indbuilder.yaml")
    shutil.copytree(src / "content", dst / "content")
    return dst


def apply(root: Path, edit: Edit) -> None:
    path = root / edit.path
    text = path.read_text(encoding="utf-8")
    idx = -1
    for _ in range(edit.nth + 1):
        idx = text.find(edit.old, idx + 1)
        assert idx >= 0, f"{edit.old!r} (occurrence {edit.nth}) not found in {edit.path}"
    path.write_text(text[:idx] + edit.new + text[idx + len(edit.old) :], encoding="utf-8")


def load_context(root: Path, regions: list[RegionResult] | None = None) -> tuple[CheckContext, Diagnostics]:
    """Load a project; the returned diagnostics hold only loading problems."""
    config, problems = load_config(root)
    assert config is not None, [d.format() for d in problems]
    diags = Diagnostics()
    dossier = load_content(config.root, config.content_dir, diags)
    return CheckContext(config, dossier, regions or []), diags


def run(root: Path, regions: list[RegionResult] | None = None, families=None) -> list[Diagnostic]:
    """Load and check a project; loading problems fail the test (a scenario must stay schema-valid)."""
    ctx, diags = load_context(root, regions)
    assert not list(diags), [d.format() for d in diags]
    out = Diagnostics()
    run_checks(ctx, out, families)
    return out.sorted()


def findings(diags: list[Diagnostic], rule: str) -> list[Diagnostic]:
    return [d for d in diags if d.rule == rule]
