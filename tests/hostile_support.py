"""Harness of the hostile-input corpus (tests/test_hostile_*.py): run the real CLI on a damaged project.

Every case asserts the same four things a user relies on:

* the exit code (1 for content errors, 2 for usage errors; never 3, the internal-error code);
* no Python traceback and no "internal error" in what the user sees;
* a located message: the expected rule id, and ``file:line`` where the input has a line;
* the previous good output untouched (for ``build`` cases: the hash of every file before and after).

Cases run the CLI in a subprocess with a time limit, as a user or CI would, so a hang, a crash of
the interpreter or a ``kill -9`` are observable too.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from example_project import REPO, copy_example

TIMEOUT = 60  # seconds; a hostile input must be answered well within it (the goal is < 5 s)
FAST = 5.0


@dataclass
class Run:
    """What one CLI run did."""

    code: int
    out: str
    err: str
    seconds: float

    @property
    def text(self) -> str:
        return self.out + self.err


def cli(root: Path, *args: str, timeout: float = TIMEOUT, env: dict[str, str] | None = None) -> Run:
    """``indbuilder ARGS`` in ``root``, with this checkout's code, in a fresh interpreter."""
    import time

    full_env = {**os.environ, "PYTHONPATH": str(REPO / "src"), **(env or {})}
    full_env.pop("INDBUILDER_DEBUG", None)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", "from indbuilder.cli import main; main()", *args],
        cwd=root, capture_output=True, text=True, timeout=timeout, env=full_env,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - t0)


def project(tmp_path: Path, name: str = "project") -> Path:
    """A fresh copy of the example project."""
    return copy_example(tmp_path / name)


def tree_hash(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file below ``folder`` (empty when it does not exist)."""
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_handled(run: Run, *, code: int = 1, rule: str | None = None, where: str | None = None) -> None:
    """The run ended as a content (or usage) error with a located, rule-named message and no traceback."""
    assert run.code == code, f"exit {run.code}, expected {code}:\n{run.text[-3000:]}"
    assert "Traceback" not in run.text, run.text[-3000:]
    assert "internal error" not in run.text, run.text[-3000:]
    if rule is not None:
        assert f"[{rule}]" in run.text, f"no [{rule}] finding:\n{run.text[-3000:]}"
    if where is not None:
        assert where in run.text, f"no location {where!r}:\n{run.text[-3000:]}"
