"""Placeholders: what a project made by ``indbuilder init`` still asks its writer to fill in.

The marker is ``TODO:`` (upper case, with the colon), anywhere on a line of ``indbuilder.yaml``, a fact
file or a narrative under ``content/``: in a value (``name: {en: "TODO: product name"}``) or in the
comment beside a sample value that only keeps the file valid (``shelf_life: {value: 12, unit: months}
# TODO: ...``). Each one is a ``completeness.placeholder`` warning at its file:line, so ``check`` on a
fresh project exits 0 and lists what to write. A build must not ship one: :func:`gate_build` turns
the remaining placeholders into one ``build.placeholders`` error that stops ``build`` before anything
is written.

:func:`pending_facts` says, per rendered document, which placeholder facts it read (from the
document's provenance): the outline shows those sections as "template only: facts to fill in", and
``completeness.facts-pending`` names them, section by section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from ..diagnostics import Diagnostic, Diagnostics, Location, Severity
from ..model.dossier import PART_LISTS, Dossier
from ..rules import define
from .context import CheckContext, RenderedDoc

MARKER = "TODO:"
_MARKER = re.compile(r"TODO:\s*(.*)")

PLACEHOLDER = define(
    "completeness.placeholder",
    "warning",
    "A value still holds the placeholder marker 'TODO:' (written by 'indbuilder init').",
    """
    'indbuilder init' writes a project whose every value you must supply or confirm carries the marker
    'TODO:', in the value itself or in the comment beside a sample value (a number, a date, a choice)
    that only keeps the file valid. Replace the value and delete the marker. 'indbuilder build' refuses
    to build while any marker is left (rule build.placeholders).
    """,
    "21 CFR 312.23(a) and NMPA 药品注册管理办法 第十二条: the application's information must be true and complete",
).id

GATE = define(
    "build.placeholders",
    "error",
    "The build was refused because placeholders ('TODO:') are left in the project.",
    """
    A submission must not contain placeholder text or sample values. 'indbuilder check' lists every
    remaining marker (completeness.placeholder). For a draft build of review copies, set this rule's
    severity to 'warning' in indbuilder.yaml (severity: {build.placeholders: warning}): the build then
    runs, and the report still lists every placeholder.
    """,
    "21 CFR 312.23(a); NMPA 药品注册管理办法 第十二条",
).id

PENDING = define(
    "completeness.facts-pending",
    "info",
    "A section is rendered from its template, but facts it prints are still placeholders.",
    """
    The section's template exists and renders, but some of the facts it reads still hold 'TODO:'
    placeholders or sample values; the section is not yet filled from your facts. 'indbuilder outline'
    shows these sections as 'template only'.
    """,
    "21 CFR 312.23(a)",
).id


@dataclass(frozen=True)
class Placeholder:
    """One marker: where it is, the text after it, and the fact it stands in for (when it is a fact)."""

    location: Location
    text: str
    fact: tuple[Any, ...] | None = None

    @property
    def fact_name(self) -> str:
        return ".".join(str(p) for p in self.fact) if self.fact else ""


def project_files(root: Path, content_dir: Path) -> list[Path]:
    """The files a placeholder may sit in: ``indbuilder.yaml`` and every fact file and narrative."""
    files = [root / "indbuilder.yaml"] if (root / "indbuilder.yaml").is_file() else []
    if content_dir.is_dir():
        files += sorted(p for ext in ("*.yaml", "*.yml", "*.md") for p in content_dir.rglob(ext) if p.is_file())
    return files


def _fact_lines(dossier: Dossier) -> dict[tuple[str, int], tuple[Any, ...]]:
    """``(file, line) -> fact path`` of the deepest fact written on that line."""
    out: dict[tuple[str, int], tuple[Any, ...]] = {}
    for path, loc in dossier.sources.locations.items():
        key = (loc.path, loc.line)
        if key not in out or len(path) > len(out[key]):
            out[key] = path
    return out


def find_placeholders(root: Path, content_dir: Path, dossier: Dossier | None = None) -> list[Placeholder]:
    """Every ``TODO:`` marker of the project, in file and line order, with its fact path when the
    dossier records a fact on that line."""
    lines = _fact_lines(dossier) if dossier is not None else {}
    out: list[Placeholder] = []
    for file in project_files(root, content_dir):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # unreadable files are reported by the loader
        display = Location.of(file, root=root).path
        for number, line in enumerate(text.splitlines(), start=1):
            m = _MARKER.search(line)
            if m is None:
                continue
            what = m.group(1).strip().rstrip('"}').strip() or "(no description)"
            out.append(Placeholder(Location(display, number, m.start() + 1), what, lines.get((display, number))))
    return out


def _normal(path: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drug substance / drug product list items are recorded both ways (``drug_product.batches.X`` and
    ``batches.X``): compare them without the record name."""
    if len(path) > 2 and path[0] in ("drug_substance", "drug_product") and path[1] in PART_LISTS:
        return path[1:]
    return path


def pending_facts(doc: RenderedDoc, placeholders: Iterable[Placeholder]) -> list[Placeholder]:
    """The placeholders among the facts ``doc`` read (documents rendered from a template or narrative)."""
    used = {_normal(tuple(f)) for f in doc.provenance.facts}
    out = []
    for ph in placeholders:
        if ph.fact is None:
            continue
        p = _normal(ph.fact)
        if any(u[: len(p)] == p or (len(u) > 1 and p[: len(u)] == u) for u in used):
            out.append(ph)
    return out


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """``completeness.placeholder`` at each marker; ``completeness.facts-pending`` per section whose
    document reads a placeholder fact, in outline order."""
    config = ctx.config
    found = find_placeholders(config.root, config.content_dir, ctx.dossier)
    for ph in found:
        fact = f" ({ph.fact_name})" if ph.fact else ""
        diags.emit("completeness.placeholder", f"placeholder to fill in{fact}: {ph.text}", ph.location)
    if not found:
        return
    for rb in ctx.regions:
        for rd in rb.docs:
            pending = pending_facts(rd, found)
            if not pending or rd.node is None:
                continue
            names = ", ".join(dict.fromkeys(p.fact_name for p in pending))
            diags.emit(
                "completeness.facts-pending",
                f"{rd.node.label('en')} ({rb.region}) is rendered from its template, but {len(pending)} fact(s) it "
                f"prints are placeholders: {names[:300]}",
                pending[0].location,
            )


def gate_build(root: Path, content_dir: Path, where: Location) -> Diagnostic | None:
    """Before a build writes anything: one ``build.placeholders`` error when markers are left, else ``None``.

    The caller applies the project's severity policy: a project may lower the rule to a warning for a
    draft build; at its default severity (error) the build must stop before writing."""
    found = find_placeholders(root, content_dir)
    if not found:
        return None
    files = sorted({p.location.path for p in found})
    return Diagnostic(
        "build.placeholders",
        Severity.ERROR,
        f"{len(found)} placeholder(s) 'TODO:' are left in {len(files)} file(s) ({', '.join(files[:4])}"
        f"{', ...' if len(files) > 4 else ''}); nothing was built",
        where,
        hint="run 'indbuilder check' to list them, fill them in and delete the markers",
    )


__all__ = ["GATE", "MARKER", "PENDING", "PLACEHOLDER", "Placeholder", "check", "find_placeholders", "gate_build", "pending_facts", "project_files"]
