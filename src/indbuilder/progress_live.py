"""The live progress display on a terminal (``rich``): one row per region and stage, with counts.

Imported only when a live display is used (:func:`indbuilder.progress.choose_progress`), so the
``check`` of a pre-commit hook or a CI job never loads ``rich``.
"""

from __future__ import annotations

from typing import IO

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from .progress import finished_line, stage_text


class LiveProgress:
    """A ``rich`` live display on ``stream`` (stderr); rows stay on screen when the command ends."""

    def __init__(self, stream: IO[str] | None = None, verbose: bool = False, force_terminal: bool = False,
                 console: Console | None = None) -> None:
        self.console = console or Console(file=stream, stderr=stream is None, force_terminal=force_terminal or None)
        self.verbose = verbose
        self._bars = Progress(
            SpinnerColumn(finished_text="[green]✓[/]"),
            TextColumn("{task.description}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        )
        self._tasks: dict[tuple[str | None, str], TaskID] = {}
        self._running = False

    def _label(self, region: str | None, stage: str) -> str:
        where = f"[bold]{region}[/] " if region else ""
        return where + stage_text(stage).label

    def started(self, region: str | None, stage: str, total: int | None) -> None:
        if not self._running:
            self._bars.start()
            self._running = True
        key = (region, stage)
        if key in self._tasks:  # a stage that runs again (e.g. plan for the placeholder gate, then build)
            self._bars.reset(self._tasks[key], total=total)
            return
        self._tasks[key] = self._bars.add_task(self._label(region, stage), total=total)

    def advanced(self, region: str | None, stage: str, done: int, item: str | None) -> None:
        task = self._tasks.get((region, stage))
        if task is None:
            return
        self._bars.update(task, completed=done)
        if self.verbose and item and stage.startswith("write-"):
            where = f"[{region}] " if region else ""
            self._bars.console.print(f"[dim]{escape(where + stage_text(stage).label)}: {escape(item)}[/]", highlight=False)

    def finished(self, region: str | None, stage: str, done: int | None, seconds: float) -> None:
        task = self._tasks.get((region, stage))
        if task is None:
            return
        count = done if done is not None else 1
        self._bars.update(task, total=max(count, 1), completed=max(count, 1))
        self._bars.stop_task(task)
        if self.verbose:
            self._bars.console.print(f"[dim]{escape(finished_line(region, stage, done, seconds))}[/]", highlight=False)

    def close(self) -> None:
        if self._running:
            self._bars.stop()
            self._running = False


__all__ = ["LiveProgress"]
