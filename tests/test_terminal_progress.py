"""Progress of check/build: plain stage lines on stderr when piped, a live display on a terminal,
--quiet, coloured severities in the text report, and no ``rich`` import on the check path."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from indbuilder import progress as prog
from indbuilder.diagnostics import Diagnostics, Location
from indbuilder.report import render_report

REPO = Path(__file__).resolve().parents[1]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "INDBUILDER_PROGRESS", "INDBUILDER_DEBUG")}
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "indbuilder", "check", *args], capture_output=True, text=True, cwd=REPO,
                          env=_env(), timeout=600, check=False)


@pytest.fixture(scope="module")
def piped_check() -> subprocess.CompletedProcess[str]:
    return _check()


def _index(lines: list[str], start: str) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith(start))


def test_piped_check_prints_stage_lines_on_stderr_in_order(piped_check):
    assert piped_check.returncode == 0, piped_check.stdout[-2000:]
    err = piped_check.stderr.splitlines()
    order = [_index(err, s) for s in ("loaded facts (", "[fda] planned ", "[nmpa] planned ", "[fda] rendered ",
                                      "[nmpa] rendered ", "ran checks (", "checked: ")]
    assert order == sorted(order), err
    rendered = err[_index(err, "[fda] rendered ")]
    assert rendered.endswith(" s)") and " documents (" in rendered
    assert "\x1b[" not in piped_check.stderr  # plain lines when piped
    # the check summary: findings by severity, documents rendered, time
    assert "0 errors" in err[-1] and "documents rendered (fda " in err[-1] and err[-1].endswith(" s")


def test_report_stays_on_stdout_with_its_summary_line(piped_check):
    out = piped_check.stdout.splitlines()
    assert out[-1] == "0 errors, 0 warnings, 1 waived"
    assert not any(line.startswith(("loaded facts", "[fda]", "checked:")) for line in out)


def test_quiet_prints_no_progress_and_only_errors():
    done = _check("--quiet")
    assert done.returncode == 0
    assert done.stderr == ""
    assert done.stdout.splitlines() == ["0 errors, 0 warnings, 1 waived"]  # the waived warning is not an error


def test_json_report_is_unchanged_by_progress(piped_check):
    done = _check("--format", "json", "--verbose")
    import json

    payload = json.loads(done.stdout)  # nothing but the report on stdout
    assert payload["summary"]["errors"] == 0
    assert "ran checks (" in done.stderr


def _feed(clock_progress: prog.Progress) -> None:
    """The events of a small build, as the pipeline sends them."""
    clock = prog.clock_for(clock_progress)
    assert isinstance(clock, prog.ProgressClock)
    with clock.stage("load"):
        pass
    for region in ("fda", "nmpa"):
        with prog.in_region(clock, region):
            prog.expect(clock, "render", 3)
            with clock.stage("render"):
                for doc in ("a", "b", "c"):
                    prog.step(doc)
            prog.expect(clock, "write-docx", 2)
            with clock.stage("write-docx"):
                prog.step("m2/a.docx")
                prog.step("m2/b.docx")
            with clock.stage("place"):
                prog.tally(3)
    with clock.stage("check"):
        pass
    clock_progress.close()


def test_plain_lines_per_stage_and_region_in_order():
    buf = io.StringIO()
    _feed(prog.PlainProgress(buf))
    lines = [line.rsplit(" (", 1)[0] for line in buf.getvalue().splitlines()]
    assert lines == ["loaded facts", "[fda] rendered 3 documents", "[fda] wrote 2 DOCX files",
                     "[nmpa] rendered 3 documents", "[nmpa] wrote 2 DOCX files", "ran checks"]


def test_verbose_adds_minor_stages_and_every_document_written():
    buf = io.StringIO()
    _feed(prog.PlainProgress(buf, verbose=True))
    text = buf.getvalue()
    assert "[fda] write DOCX 1/2: m2/a.docx" in text and "[nmpa] write DOCX 2/2: m2/b.docx" in text
    assert "[fda] placed 3 documents (" in text


def test_a_closed_stderr_does_not_stop_the_build():
    class Closed(io.StringIO):
        def write(self, s: str) -> int:
            raise BrokenPipeError

    _feed(prog.PlainProgress(Closed()))  # no exception


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_choice_of_display():
    assert isinstance(prog.choose_progress(stream=io.StringIO(), env={}), prog.PlainProgress)
    assert isinstance(prog.choose_progress(quiet=True, stream=_Tty(), env={}), prog.NullProgress)
    assert isinstance(prog.choose_progress(stream=_Tty(), env={"CI": "true"}), prog.PlainProgress)
    assert isinstance(prog.choose_progress(stream=_Tty(), env={"NO_COLOR": "1"}), prog.PlainProgress)
    assert isinstance(prog.choose_progress(stream=_Tty(), env={"TERM": "dumb"}), prog.PlainProgress)
    assert isinstance(prog.choose_progress(stream=_Tty(), env={"INDBUILDER_PROGRESS": "plain"}), prog.PlainProgress)
    assert type(prog.choose_progress(stream=_Tty(), env={"TERM": "xterm"})).__name__ == "LiveProgress"
    forced = prog.choose_progress(stream=io.StringIO(), env={"INDBUILDER_PROGRESS": "live"})
    assert type(forced).__name__ == "LiveProgress"
    forced.close()


def test_live_display_renders_stages_per_region_with_counts():
    from rich.console import Console

    from indbuilder.progress_live import LiveProgress

    buf = io.StringIO()
    live = LiveProgress(console=Console(file=buf, force_terminal=True, width=100, color_system="standard"))
    _feed(live)
    text = buf.getvalue()
    for stage in ("load facts", "render", "write DOCX", "checks"):
        assert stage in text
    assert "fda" in text and "nmpa" in text and "3/3" in text and "2/2" in text
    assert "\x1b[" in text  # a terminal display


def test_check_path_does_not_import_rich():
    code = ("import sys, indbuilder.cli, indbuilder.pipeline, indbuilder.progress, indbuilder.summary, indbuilder.report;"
            "sys.exit('rich' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], env=_env(), cwd=REPO, timeout=120, check=False).returncode == 0


def _diags() -> Diagnostics:
    d = Diagnostics()
    d.emit("yaml.duplicate-key", "duplicate key 'name'", Location("content/product.yaml", 3, 1))
    d.emit("config.unknown-rule", "rule 'x' does not exist", Location("indbuilder.yaml", 9, 1))
    return d


def test_text_report_colours_severities_only_when_asked():
    diags = _diags()
    plain = render_report(diags, "text")
    coloured = render_report(diags, "text", color=True)
    assert "\x1b[" not in plain
    assert "\x1b[31m" in coloured and "\x1b[2m[yaml.duplicate-key]" in coloured
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain
    assert render_report(diags, "json", color=True) == render_report(diags, "json")


def test_quiet_text_report_lists_errors_and_the_final_line():
    diags = _diags()
    lines = render_report(diags, "text", quiet=True).splitlines()
    assert [line.split(": ")[0] for line in lines[:-1]] == ["content/product.yaml:3:1"]
    assert lines[-1] == render_report(diags, "text").splitlines()[-1]
