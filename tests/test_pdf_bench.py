"""The PDF benchmark script runs and reports both timings (smoke test with two small documents)."""

from __future__ import annotations

import runpy
from pathlib import Path


def test_bench_pdf_runs(capsys):
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_pdf.py"
    namespace = runpy.run_path(str(script))
    namespace["main"](2, 3)
    out = capsys.readouterr().out
    assert "2 documents" in out
    assert "write_pdf (pipeline):" in out and "typst.compile alone:" in out
