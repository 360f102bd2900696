"""Shared helpers of tests/test_checks_*.py: copy a project, edit its text, load it and run the rules."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from indbuilder import regions as region_registry
from indbuilder.build import RegionBuild, RenderedDoc
from indbuilder.checks import CheckContext, run_checks
from indbuilder.config import load_config
from indbuilder.diagnostics import Diagnostic, Diagnostics, Location
from indbuilder.doctree import Document
from indbuilder.loader import load_content
from indbuilder.outline import load_outline
from indbuilder.outline.planner import Plan, PlannedDocument

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


def load_context(root: Path, regions: list[RegionBuild] | None = None) -> tuple[CheckContext, Diagnostics]:
    """Load a project; the returned diagnostics hold only loading problems."""
    config, problems = load_config(root)
    assert config is not None, [d.format() for d in problems]
    diags = Diagnostics()
    dossier = load_content(config.root, config.content_dir, diags)
    return CheckContext(config, dossier, regions or []), diags


def run(root: Path, regions: list[RegionBuild] | None = None, families=None) -> list[Diagnostic]:
    """Load and check a project; loading problems fail the test (a scenario must stay schema-valid)."""
    ctx, diags = load_context(root, regions)
    assert not list(diags), [d.format() for d in diags]
    out = Diagnostics()
    run_checks(ctx, out, families)
    return out.sorted()


def region_build(region: str, docs: list[Document], sources: dict[str, str] | None = None,
                 planned: list[PlannedDocument] | None = None, outline=None, plan=None,
                 doc_ids: dict[str, str] | None = None) -> RegionBuild:
    """A region's build made of bare documents, as the rule families see it after rendering.

    ``sources`` maps a document's element (or planned doc id) to the template it came from;
    ``planned`` gives each document its planned document (by position), else one is made up with the
    doc id ``doc_ids[element]`` (default: the element).
    """
    profile = region_registry.get(region)
    outline = outline if outline is not None else load_outline(region)
    plan = plan if plan is not None else Plan(outline, {}, Diagnostics())
    sources = sources or {}
    rb = RegionBuild(profile, outline, plan)
    for i, doc in enumerate(docs):
        element = doc.meta.element
        # made up as the planner names a template's document: after the template, the same in every region
        doc_id = (doc_ids or {}).get(element, element)
        pd = planned[i] if planned else PlannedDocument(element, doc_id, "template", profile.lang, template=doc_id)
        src = sources.get(pd.doc_id) or sources.get(element)
        rb.docs.append(RenderedDoc(pd, region, profile.lang, element, outline.get(element), doc,
                                   Location(src) if src else None))
    return rb


def findings(diags: list[Diagnostic], rule: str) -> list[Diagnostic]:
    return [d for d in diags if d.rule == rule]
