"""Benchmark: the example dossier scaled 1x, 10x and 50x, timed stage by stage.

Usage: ``python benchmarks/bench_pipeline.py [--scales 1 10 50] [--project .] [--no-pdf]``
(``make bench`` runs it). Scaling multiplies the records that drive document count and table
size: batches (rows of every batch table, and results), specification tests (columns of batch
data) and nonclinical studies (one Module 4 document each). Each scale runs in its own process;
prints wall time per stage and the process's peak resident memory after it (which includes
typst's native memory). ``--trace-memory`` adds the Python-heap peak per stage (tracemalloc; it
slows Python code several times, so times are then not comparable). Figures are printed, never
asserted: tests make no timing claims.
"""

from __future__ import annotations

import argparse
import copy
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from indbuilder.assembly import assemble_region  # noqa: E402
from indbuilder.diagnostics import Diagnostics  # noqa: E402
from indbuilder.pipeline import load_project, plan_regions, render_regions, run_checks  # noqa: E402
from indbuilder.timing import Stopwatch  # noqa: E402
from indbuilder.write import write_documents  # noqa: E402


def _rewrite(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def scale_project(src: Path, dest: Path, factor: int) -> None:
    """Copy the project and multiply batches, spec tests and studies by ``factor``."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("build", ".venv", ".git", "submissions", "tests"))
    if factor == 1:
        return
    content = dest / "content"
    new_tests: list[str] = []

    def specs(data):
        tests = data["specification"]["tests"]
        extra = []
        for k in range(1, factor):
            for t in tests:
                if t["category"] in ("general", "quantity"):
                    c = copy.deepcopy(t)
                    c["id"] = f"{t['id']}-x{k}"
                    new_tests.append((c["id"], t["id"]))
                    extra.append(c)
        tests.extend(extra)

    _rewrite(content / "cmc" / "specification.yaml", specs)

    def batches(data):
        base = data["batches"]
        for b in base:
            for new_id, orig in new_tests:
                b["results"][new_id] = b["results"][orig]
        extra = []
        for k in range(1, factor):
            for b in base:
                c = copy.deepcopy(b)
                c["id"] = f"{b['id']}-x{k}"
                extra.append(c)
        base.extend(extra)

    _rewrite(content / "cmc" / "batches.yaml", batches)

    def studies(data):
        base = data["studies"]
        extra = []
        for k in range(1, factor):
            for s in base:
                c = copy.deepcopy(s)
                c["id"] = f"{s['id']}-x{k}"
                c["study_number"] = f"{s['study_number']}-X{k}"
                extra.append(c)
        base.extend(extra)

    _rewrite(content / "nonclinical" / "studies.yaml", studies)


def run(project_dir: Path, pdf: bool, trace: bool) -> tuple[Stopwatch, int, int]:
    sw = Stopwatch(trace_memory=trace)
    diags = Diagnostics()
    project = load_project(project_dir, diags, sw)
    assert project is not None, [d.format() for d in diags]
    builds = plan_regions(project, None, diags)
    builds = render_regions(project, builds, diags)
    run_checks(project, builds, diags)
    out = Path(tempfile.mkdtemp(prefix="bench-out-"))
    try:
        for rb in builds:
            files = write_documents(project, rb, out / rb.region, Diagnostics(), pdf=pdf)
            if files is not None:
                assemble_region(project, rb, files, out / rb.region, Diagnostics())
    finally:
        shutil.rmtree(out, ignore_errors=True)
    docs = sum(len(rb.docs) for rb in builds)
    return sw, docs, len(project.dossier.batches)


STAGES = ["load", "plan", "place", "render", "check", "write-docx", "write-pdf", "assemble", "pdfcheck"]


def one_scale(project: Path, factor: int, pdf: bool, trace: bool) -> None:
    """Scale, run and print one table row (called in a fresh process per scale)."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{factor}x-") as tmp:
        proj = Path(tmp) / "project"
        scale_project(project, proj, factor)
        start = time.perf_counter()
        sw, docs, batches = run(proj, pdf, trace)
        total = time.perf_counter() - start
    cells = []
    for s in STAGES:
        f = sw.stages.get(s)
        if f is None:
            cells.append("-")
        elif trace:
            cells.append(f"{f.seconds:.2f}s/{f.peak_mib:.0f}M")
        else:
            cells.append(f"{f.seconds:.2f}s/{f.rss_mib:.0f}M")
    print(f"{factor:>4}x {docs:>5} {batches:>7} " + " ".join(f"{c:>14}" for c in cells) + f" {total:8.2f}s {Stopwatch.process_peak_mib():7.0f}M")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 10, 50])
    ap.add_argument("--project", type=Path, default=ROOT)
    ap.add_argument("--no-pdf", action="store_true", help="DOCX only (skip typst and eCTD assembly)")
    ap.add_argument("--trace-memory", action="store_true", help="Python-heap peak per stage (slow)")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: run one scale in this process
    args = ap.parse_args()
    if args.one:
        one_scale(args.project, args.one, not args.no_pdf, args.trace_memory)
        return
    what = "time/Python-heap peak" if args.trace_memory else "time/peak RSS after stage"
    print(f"per stage: {what}; both regions (FDA + NMPA)")
    print(f"{'scale':>5} {'docs':>5} {'batches':>7} " + " ".join(f"{s:>14}" for s in STAGES) + f" {'total':>9} {'peak RSS':>8}")
    sys.stdout.flush()
    for factor in args.scales:
        cmd = [sys.executable, __file__, "--one", str(factor), "--project", str(args.project)]
        cmd += ["--no-pdf"] if args.no_pdf else []
        cmd += ["--trace-memory"] if args.trace_memory else []
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main()
