"""A reader that closes the pipe early (``indbuilder rules | head``) ends the command quietly with exit 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("INDBUILDER_DEBUG", None)
    return env


def _run_into_closed_pipe(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    """Run ``indbuilder args`` with stdout a pipe whose reader is already gone: every write meets EPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "indbuilder", *args], stdout=write_end, stderr=subprocess.PIPE,
                              cwd=REPO, env=_env(), timeout=300, check=False)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("args", [["rules"], ["rules", "yaml.duplicate-key"], ["--help"], ["check", "--help"], ["--version"],
                                  ["outline", "-r", "fda", "--no-color"]])
def test_informational_commands_end_quietly_on_a_closed_pipe(args):
    done = _run_into_closed_pipe(args)
    assert done.returncode == 0, done.stderr.decode()
    err = done.stderr.decode()
    assert "BrokenPipe" not in err and "internal error" not in err and "Exception ignored" not in err


def test_check_into_a_closed_pipe_keeps_its_exit_code_and_says_nothing_about_the_pipe():
    done = _run_into_closed_pipe(["check", "--quiet"])
    assert done.returncode == 0, done.stderr.decode()
    assert "BrokenPipe" not in done.stderr.decode() and "internal error" not in done.stderr.decode()


def test_rules_piped_into_head_exits_0():
    script = f"{sys.executable} -m indbuilder rules | head -1; echo status=${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, cwd=REPO, env=_env(), timeout=120, check=False)
    assert done.stdout.splitlines()[0].split()[0].count(".") >= 1  # the first rule id
    assert "status=0" in done.stdout and "internal error" not in done.stderr and "BrokenPipe" not in done.stderr
