"""Progress of ``check`` and ``build`` while they run: an observer the pipeline reports its stages to.

The pipeline already times every stage with a :class:`~indbuilder.timing.Stopwatch`
(``with project.timings.stage("render"): ...``). A :class:`ProgressClock` is a stopwatch that also
tells a :class:`Progress` observer when a stage starts, how far it is (one :func:`step` per document
rendered or written) and when it ends, so the stage modules need no printing of their own.

Observers:

* :class:`NullProgress` — says nothing (``--quiet``, library use, tests);
* :class:`PlainProgress` — one line per finished stage on stderr, flushed at once, for CI logs and
  pipes: ``[fda] rendered 94 documents (3.1 s)``; with ``verbose`` every stage and every document;
* :class:`indbuilder.progress_live.LiveProgress` — a live ``rich`` display per region and stage on a
  terminal (``rich`` is imported only then, so ``check`` in a hook or CI stays light).

:func:`choose_progress` picks one from the stream and the environment (``INDBUILDER_PROGRESS=
live|plain|none`` forces a choice).
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import IO, Iterator, Mapping, Protocol

from .timing import Stopwatch


@dataclass(frozen=True)
class StageText:
    """How a stage is named: ``label`` on a live display, ``done`` + ``unit`` in a finished line."""

    label: str
    done: str
    unit: str = ""  # what the count counts ("documents"); empty: no count is shown
    minor: bool = False  # shown only with --verbose in plain lines


# Stage names are those of the pipeline's Stopwatch (pipeline.py, write.py, assembly.py).
STAGES: dict[str, StageText] = {
    "load": StageText("load facts", "loaded facts"),
    "plan": StageText("plan", "planned", "documents"),
    "place": StageText("place in eCTD", "placed", "documents", minor=True),
    "render": StageText("render", "rendered", "documents"),
    "check": StageText("checks", "ran checks"),
    "write-docx": StageText("write DOCX", "wrote", "DOCX files"),
    "write-pdf": StageText("write PDF", "wrote", "PDF files"),
    "assemble": StageText("assemble eCTD", "assembled and validated the eCTD sequence"),
    "pdfcheck": StageText("validate PDFs", "checked the sequence's PDFs"),
}


def stage_text(stage: str) -> StageText:
    """The wording of ``stage``; a stage added later (e.g. a new writer) gets a readable default."""
    if stage in STAGES:
        return STAGES[stage]
    if stage.startswith("write-"):
        fmt = stage.removeprefix("write-").upper()
        return StageText(f"write {fmt}", "wrote", f"{fmt} files")
    return StageText(stage, f"{stage} done")


class Progress(Protocol):
    """What the pipeline tells an observer; ``region`` is ``None`` for stages over the whole project."""

    def started(self, region: str | None, stage: str, total: int | None) -> None:
        """A stage began; ``total`` is the number of steps expected, when known."""

    def advanced(self, region: str | None, stage: str, done: int, item: str | None) -> None:
        """One more step of a running stage (``done`` so far); ``item`` names it (a document path)."""

    def finished(self, region: str | None, stage: str, done: int | None, seconds: float) -> None:
        """A stage ended after ``seconds``; ``done`` is what it counted (``None``: nothing to count)."""

    def close(self) -> None:
        """The command is over: stop any live display, so the report can follow."""


class NullProgress:
    """An observer that says nothing."""

    def started(self, region: str | None, stage: str, total: int | None) -> None:
        pass

    def advanced(self, region: str | None, stage: str, done: int, item: str | None) -> None:
        pass

    def finished(self, region: str | None, stage: str, done: int | None, seconds: float) -> None:
        pass

    def close(self) -> None:
        pass


NULL = NullProgress()


def finished_line(region: str | None, stage: str, done: int | None, seconds: float) -> str:
    """``[fda] rendered 94 documents (3.1 s)``: one finished stage, as plain lines and summaries show it."""
    text = stage_text(stage)
    what = text.done
    if text.unit and done is not None:
        what = f"{text.done} {done} {text.unit}"
    where = f"[{region}] " if region else ""
    return f"{where}{what} ({seconds:.1f} s)"


class PlainProgress:
    """Finished stages as plain lines on ``stream`` (stderr), each flushed as it happens.

    ``verbose`` adds the minor stages and one line per document written. A stream that can no longer
    be written (a closed pipe) silences the observer instead of stopping the build.
    """

    def __init__(self, stream: IO[str], verbose: bool = False) -> None:
        self.stream = stream
        self.verbose = verbose
        self._totals: dict[tuple[str | None, str], int | None] = {}
        self._dead = False

    def _line(self, text: str) -> None:
        if self._dead:
            return
        try:
            self.stream.write(text + "\n")
            self.stream.flush()
        except (BrokenPipeError, ValueError, OSError):
            self._dead = True

    def started(self, region: str | None, stage: str, total: int | None) -> None:
        self._totals[(region, stage)] = total

    def advanced(self, region: str | None, stage: str, done: int, item: str | None) -> None:
        if self.verbose and item and stage.startswith("write-"):
            total = self._totals.get((region, stage))
            where = f"[{region}] " if region else ""
            count = f"{done}/{total}" if total else str(done)
            self._line(f"{where}{stage_text(stage).label} {count}: {item}")

    def finished(self, region: str | None, stage: str, done: int | None, seconds: float) -> None:
        if stage_text(stage).minor and not self.verbose:
            return
        self._line(finished_line(region, stage, done, seconds))

    def close(self) -> None:
        pass


def wants_live(stream: IO[str], env: Mapping[str, str]) -> bool:
    """A live display only on a real terminal: not in CI, not with ``NO_COLOR`` or ``TERM=dumb``."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return tty and not env.get("CI") and not env.get("NO_COLOR") and env.get("TERM", "") != "dumb"


def choose_progress(quiet: bool = False, verbose: bool = False, stream: IO[str] | None = None,
                    env: Mapping[str, str] | None = None) -> Progress:
    """The observer for a command: none with ``quiet``, a live display on a terminal, plain lines otherwise.

    ``INDBUILDER_PROGRESS`` (``live``, ``plain`` or ``none``) overrides the choice, e.g. to record a
    live display in a test or to keep plain lines in a terminal multiplexer's log.
    """
    out = stream if stream is not None else sys.stderr
    environ = os.environ if env is None else env
    forced = environ.get("INDBUILDER_PROGRESS", "").strip().lower()
    if quiet or forced == "none":
        return NULL
    if forced == "live" or (forced != "plain" and wants_live(out, environ)):
        from .progress_live import LiveProgress  # rich is imported only for a live display

        return LiveProgress(stream=out, verbose=verbose, force_terminal=forced == "live")
    return PlainProgress(out, verbose=verbose)


# ---------------------------------------------------------------------------- the clock the pipeline holds


@dataclass
class _Running:
    region: str | None
    name: str
    total: int | None
    done: int = 0
    tally: int | None = None


_ACTIVE: ContextVar["ProgressClock | None"] = ContextVar("indbuilder_progress_clock", default=None)


@dataclass
class ProgressClock(Stopwatch):
    """A :class:`Stopwatch` that reports every stage to ``progress``, attributed to the current region."""

    progress: Progress = field(default_factory=NullProgress)
    region: str | None = None
    expected: dict[tuple[str | None, str], int] = field(default_factory=dict)
    _running: list[_Running] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        run = _Running(self.region, name, self.expected.pop((self.region, name), None))
        self._running.append(run)
        self.progress.started(run.region, name, run.total)
        token = _ACTIVE.set(self)
        start = time.perf_counter()
        try:
            with super().stage(name):
                yield
        finally:
            _ACTIVE.reset(token)
            self._running.remove(run)
            counted = run.tally if run.tally is not None else (run.done if run.done or run.total is not None else None)
            self.progress.finished(run.region, name, counted, time.perf_counter() - start)

    def step(self, item: str | None = None) -> None:
        """One step (a document) of the innermost running stage."""
        if self._running:
            run = self._running[-1]
            run.done += 1
            self.progress.advanced(run.region, run.name, run.done, item)

    def tally(self, count: int) -> None:
        """The count the innermost running stage reports when it finishes (when it has no steps)."""
        if self._running:
            self._running[-1].tally = count


def clock_for(progress: Progress, timings: Stopwatch | None = None) -> Stopwatch:
    """The stopwatch to run the pipeline with: ``timings`` itself when nobody watches, otherwise a
    :class:`ProgressClock` sharing its figures (``make bench`` still reads them)."""
    if isinstance(progress, NullProgress):
        return timings or Stopwatch()
    if isinstance(timings, ProgressClock):
        return timings
    base = timings or Stopwatch()
    return ProgressClock(trace_memory=base.trace_memory, stages=base.stages, progress=progress)


@contextmanager
def in_region(timings: Stopwatch, region: str) -> Iterator[None]:
    """Stages run inside are attributed to ``region`` (no effect on a plain stopwatch)."""
    if not isinstance(timings, ProgressClock):
        yield
        return
    before, timings.region = timings.region, region
    try:
        yield
    finally:
        timings.region = before


def expect(timings: Stopwatch, stage: str, total: int) -> None:
    """The next ``stage`` of the current region will take ``total`` steps (for n/N counts and bars)."""
    if isinstance(timings, ProgressClock):
        timings.expected[(timings.region, stage)] = total


def step(item: str | None = None) -> None:
    """One document rendered or written by the running stage; nothing happens when nobody watches."""
    clock = _ACTIVE.get()
    if clock is not None:
        clock.step(item)


def tally(count: int) -> None:
    """What the running stage counted, reported when it finishes (e.g. documents planned)."""
    clock = _ACTIVE.get()
    if clock is not None:
        clock.tally(count)


__all__ = [
    "NULL",
    "NullProgress",
    "PlainProgress",
    "Progress",
    "ProgressClock",
    "STAGES",
    "choose_progress",
    "clock_for",
    "expect",
    "finished_line",
    "in_region",
    "stage_text",
    "step",
    "tally",
    "wants_live",
]
