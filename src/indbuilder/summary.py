"""The closing summary of ``check`` and ``build`` (stderr): what was checked or written, where, and how long it took.

The report's own counted line (``0 errors, 2 warnings, 1 waived``) stays the last line of stdout for
CI logs; this summary sits beside it on stderr. For ``build`` it says, per region, where the eCTD
sequence is, how many documents and files it holds and their size, the sequence number and the
lifecycle operations its backbones carry (new, replace, delete, as the agency's system will read
them: ICH eCTD Specification v3.2.2, §"Operation attribute"), and where the review copies are.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .build import Analysis, BuildResult, PublishedRegion
from .diagnostics import Diagnostics, Severity

OPERATIONS = ("new", "replace", "append", "delete")


@dataclass
class SequenceFigures:
    """What one sequence folder holds: files, bytes, and the leaf operations of its backbones."""

    files: int = 0
    size: int = 0
    operations: Counter[str] = field(default_factory=Counter)

    @property
    def documents(self) -> int:
        """Documents the sequence adds or changes: its leaves, less those that only delete."""
        return sum(n for op, n in self.operations.items() if op != "delete")


def sequence_figures(seq_dir: Path) -> SequenceFigures:
    """Count the files and bytes of ``seq_dir`` and the ``operation`` of every ``leaf`` in its backbones.

    The backbones are ``index.xml`` and the regional XML files (e.g. ``m1/us/us-regional.xml``);
    ``util/`` holds the standards' own files and study tagging files carry no operations.
    """
    figures = SequenceFigures()
    for path in sorted(seq_dir.rglob("*")):
        if not path.is_file():
            continue
        figures.files += 1
        figures.size += path.stat().st_size
        rel = path.relative_to(seq_dir)
        if path.suffix == ".xml" and rel.parts[0] != "util":
            figures.operations.update(_leaf_operations(path))
    return figures


def _leaf_operations(backbone: Path) -> Counter[str]:
    import xml.etree.ElementTree as ET  # only the build summary reads backbones

    ops: Counter[str] = Counter()
    try:
        for _, elem in ET.iterparse(backbone):
            if elem.tag.rsplit("}", 1)[-1] == "leaf" and elem.get("operation"):
                ops[elem.get("operation", "")] += 1
    except (ET.ParseError, OSError):  # the validator reports a broken backbone; the summary only counts
        pass
    return ops


def human_size(size: int) -> str:
    """``23.4 MB``: decimal units, as file managers show them."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"  # pragma: no cover - the loop always returns


def shown_path(path: Path, cwd: Path | None = None) -> str:
    """``path`` relative to the working folder when it is below it (what a user can paste), else absolute."""
    base = (cwd or Path.cwd()).resolve()
    try:
        return path.resolve().relative_to(base).as_posix()
    except ValueError:
        return str(path.resolve())


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def region_lines(region: PublishedRegion, cwd: Path | None = None) -> list[str]:
    """The summary lines of one published region (its sequence, then its review copies)."""
    lines = []
    seq = region.sequence_dir
    if seq is not None:
        fig = sequence_figures(seq)
        ops = ", ".join(f"{fig.operations.get(op, 0)} {op}" for op in OPERATIONS if op != "append" or fig.operations.get(op))
        lines.append(f"{region.region}: {shown_path(seq, cwd)}  sequence {region.sequence}: {_plural(fig.documents, 'document')} in "
                     f"{_plural(fig.files, 'file')}, {human_size(fig.size)}; lifecycle: {ops}")
    else:
        lines.append(f"{region.region}: {shown_path(region.folder, cwd)}  no eCTD sequence (review copies only)")
    for fmt in region.review_formats:
        folder = region.folder / fmt
        if folder.is_dir():
            count = sum(1 for p in folder.rglob("*") if p.is_file())
            lines.append(f"{' ' * len(region.region)}  review copies: {shown_path(folder, cwd)} ({count} {fmt.upper()} files)")
    return lines


def build_summary(result: BuildResult, cwd: Path | None = None) -> str:
    """The build summary: every published region, then the total time (or why nothing was published)."""
    lines: list[str] = []
    for region in result.published:
        lines.extend(region_lines(region, cwd))
    if result.published:
        lines.append(f"built {_plural(len(result.published), 'region')} in {result.seconds:.1f} s")
    else:
        errors = result.diagnostics.count(Severity.ERROR)
        why = f"{_plural(errors, 'error')} (listed in the report)" if errors else "see the report"
        lines.append(f"nothing was written: {why}; {result.seconds:.1f} s")
    return "\n".join(lines) + "\n"


def check_summary(diags: Diagnostics, analysis: Analysis | None, seconds: float) -> str:
    """``check``: findings by severity, documents rendered per region, time."""
    counts = (f"{_plural(diags.count(Severity.ERROR), 'error')}, {_plural(diags.count(Severity.WARNING), 'warning')}, "
              f"{diags.count(Severity.INFO)} info")
    waived = sum(1 for d in diags if not d.counts)
    parts = [f"checked: {counts}, {waived} waived"]
    if analysis is not None and analysis.regions:
        per = ", ".join(f"{rb.region} {len(rb.documents)}" for rb in analysis.regions)
        total = sum(len(rb.documents) for rb in analysis.regions)
        parts.append(f"{_plural(total, 'document')} rendered ({per})")
    parts.append(f"{seconds:.1f} s")
    return "; ".join(parts) + "\n"


__all__ = ["SequenceFigures", "build_summary", "check_summary", "human_size", "region_lines", "sequence_figures", "shown_path"]

