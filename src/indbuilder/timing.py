"""Wall time and peak memory per pipeline stage (for ``make bench``; never asserted in tests)."""

from __future__ import annotations

import resource
import time
import tracemalloc
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator


@dataclass
class StageFigure:
    seconds: float = 0.0
    peak_mib: float = 0.0  # Python heap peak inside the stage (tracemalloc), when tracing
    rss_mib: float = 0.0  # process peak resident memory at the end of the stage (includes typst)


@dataclass
class Stopwatch:
    """Accumulates per-stage figures. ``trace_memory`` turns on tracemalloc (slower; bench only)."""

    trace_memory: bool = False
    stages: dict[str, StageFigure] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        fig = self.stages.setdefault(name, StageFigure())
        if self.trace_memory:
            if not tracemalloc.is_tracing():
                tracemalloc.start()
            tracemalloc.reset_peak()
        start = time.perf_counter()
        try:
            yield
        finally:
            fig.seconds += time.perf_counter() - start
            fig.rss_mib = self.process_peak_mib()
            if self.trace_memory:
                _, peak = tracemalloc.get_traced_memory()
                fig.peak_mib = max(fig.peak_mib, peak / 2**20)

    @staticmethod
    def process_peak_mib() -> float:
        """Peak resident memory of this process so far (includes native code such as typst)."""
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
