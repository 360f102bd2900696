"""Shared set-up of the packaging tests (tests/test_packaging.py, tests/test_ci_examples.py).

indbuilder's sdist and wheel are built once per test session with ``python -m build`` (the wheel is
built from the sdist, so a file the sdist misses is missing from the wheel too), and the wheel is
installed into a fresh virtual environment in a temporary folder, outside the repository tree. The
commands then run there with a clean environment (no ``PYTHONPATH=src``), so they use the installed
package and its packaged templates and data, as a user's would.

Dependencies come from the package index pip is configured for (PyPI in CI); pip's own cache keeps a
second run quick. Tools that only some tests need (pipx, pre-commit) go into a second venv, made on
first use.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import venv
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "small-molecule-tablet"

# generous: a cold pip cache downloads rdkit, typst and lxml
_TIMEOUT = 900


@dataclass
class Installed:
    """The built distributions and the fresh venv that holds the installed wheel."""

    root: Path
    sdist: Path
    wheel: Path
    venv: Path
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment a user's shell would have with this venv first on PATH: nothing of the
        test process's ``PYTHONPATH``, virtualenv or standards override leaks in."""
        env = {k: v for k, v in os.environ.items()
               if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "INDBUILDER_STANDARDS", "INDBUILDER_DEBUG"}}
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(self.venv)
        env["PYTHONNOUSERSITE"] = "1"
        env.update(extra)
        return env

    def run(self, *args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run a command of the venv (``indbuilder``, ``python``, ...) in ``cwd``; output captured as text."""
        exe = self.bin / str(args[0])
        return subprocess.run([str(exe), *map(str, args[1:])], cwd=cwd, env=env or self.env(), text=True,
                              capture_output=True, timeout=_TIMEOUT)


def run_checked(cmd: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``cmd``; on a non-zero exit fail with the command's own output (the useful part)."""
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, text=True, capture_output=True, timeout=_TIMEOUT)
    if proc.returncode != 0:
        pytest.fail(f"{' '.join(map(str, cmd))} exited {proc.returncode}\n--- stdout\n{proc.stdout[-4000:]}"
                    f"\n--- stderr\n{proc.stderr[-4000:]}", pytrace=False)
    return proc


def make_venv(where: Path) -> Path:
    """A fresh virtual environment with pip (from the running interpreter's base Python)."""
    venv.EnvBuilder(with_pip=True, clear=True).create(where)
    return where


def pip_install(venv_dir: Path, *reqs: str | Path) -> None:
    """``pip install`` into ``venv_dir``; no byte-compiling (the largest part of installing rdkit)."""
    run_checked([venv_dir / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-compile", *reqs], cwd=venv_dir)


_INSTALLED: Installed | None = None
_TOOLS: Path | None = None


def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build the sdist and wheel and install the wheel into a fresh venv: once per test session."""
    global _INSTALLED
    if _INSTALLED is None:
        root = tmp_path_factory.mktemp("indbuilder-packaging")
        dist = root / "dist"
        seconds: dict[str, float] = {}
        t0 = time.perf_counter()
        # sdist first, then the wheel from the unpacked sdist (python -m build's default)
        run_checked([sys.executable, "-m", "build", "--outdir", dist, REPO], cwd=REPO)
        seconds["build sdist+wheel"] = time.perf_counter() - t0
        (sdist,) = dist.glob("indbuilder-*.tar.gz")
        (wheel,) = dist.glob("indbuilder-*.whl")
        t0 = time.perf_counter()
        env_dir = make_venv(root / "venv")
        pip_install(env_dir, wheel)
        seconds["venv + pip install wheel"] = time.perf_counter() - t0
        _INSTALLED = Installed(root, sdist, wheel, env_dir, seconds)
    return _INSTALLED


def tools(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with pipx and pre-commit (for the install and hook tests), made once per session."""
    global _TOOLS
    if _TOOLS is None:
        env_dir = make_venv(tmp_path_factory.mktemp("indbuilder-tools") / "venv")
        pip_install(env_dir, "pipx", "pre-commit")
        _TOOLS = env_dir
    return _TOOLS


def standards_source() -> Path:
    """The eCTD standards the tests install from: the folder the development checkout already uses
    (``$INDBUILDER_STANDARDS`` as tests/conftest.py sets it, else the per-user cache)."""
    from indbuilder.config import default_standards_cache

    folder = default_standards_cache()
    assert folder.is_dir(), f"no eCTD standards at {folder}: run 'make standards' first"
    return folder
