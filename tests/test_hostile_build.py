"""Hostile input to the build, its output folder, the history folder and the environment (issue 15).

Every case runs the real CLI in a subprocess (tests/hostile_support.py) and asserts the exit code, no
traceback, a located, rule-named message and, for build cases, that the previous good build is
untouched. One good FDA build (and one submitted copy of it) is made per module and copied per case;
cases that fail before rendering (config, history, gates) answer in seconds.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from example_project import edit
from hostile_support import REPO, Run, assert_handled, cli, project, tree_hash

FDA_ONLY = ("regions: [fda, nmpa]", "regions: [fda]")


def _config_line(root: Path, key: str) -> int:
    """The line of ``key:`` in the project's indbuilder.yaml (1-based)."""
    for n, line in enumerate((root / "indbuilder.yaml").read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(f"{key}:"):
            return n
    raise AssertionError(f"no {key} in indbuilder.yaml")


def _set(root: Path, key: str, value: str) -> int:
    """Set a top-level key of indbuilder.yaml (replacing or appending it); returns its line."""
    path = root / "indbuilder.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith(f"{key}:"):
            lines[i] = f"{key}: {value}"
            break
    else:
        lines.append(f"{key}: {value}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return _config_line(root, key)


def _copy(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, symlinks=True)
    return dest


def _staging(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "build").glob(".staging-*"))


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project, FDA only, with a good build in build/."""
    root = project(tmp_path_factory.mktemp("good"))
    edit(root, "indbuilder.yaml", *FDA_ONLY)
    run = cli(root, "build", timeout=300)
    assert run.code == 0, run.text[-3000:]
    return root


@pytest.fixture(scope="module")
def submitted(good: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``good`` with sequence 0000 submitted and sequence 0001 configured (not built)."""
    root = _copy(good, tmp_path_factory.mktemp("submitted") / "project")
    run = cli(root, "submit", "-r", "fda", "--date", "2026-12-14")
    assert run.code == 0, run.text
    edit(root, "indbuilder.yaml", 'sequence: "0000"', 'sequence: "0001"')
    return root


@pytest.fixture
def built(good: Path, tmp_path: Path) -> Path:
    return _copy(good, tmp_path / "project")


@pytest.fixture
def history(submitted: Path, tmp_path: Path) -> Path:
    return _copy(submitted, tmp_path / "project")


def _build_untouched(root: Path, *args: str, rule: str | None, where: str | None = None, code: int = 1) -> Run:
    """``build ARGS`` ends as a located ``rule`` finding and leaves build/ (and history) as they were."""
    before, hist = tree_hash(root / "build"), tree_hash(root / "submissions")
    run = cli(root, "build", *args)
    assert_handled(run, code=code, rule=rule, where=where)
    assert tree_hash(root / "build") == before, "the previous build was changed"
    assert tree_hash(root / "submissions") == hist, "the history folder was changed"
    assert _staging(root) == []
    return run


# ---------------------------------------------------------------------------- the output and history folders

OUTPUT_CASES = {
    # issue: `output: content` built into the content folder
    "output-content": ("output", "content", "config.output"),
    "output-root": ("output", ".", "config.output"),
    "output-empty": ("output", '""', "config.output"),
    "output-parent": ("output", "..", "config.output"),
    "output-inside-content": ("output", "content/build", "config.output"),
    "output-inside-templates": ("output", "templates/ectd/out", "config.output"),
    "output-contains-templates": ("output", "templates", "config.output"),
    # issue: `output: submissions` would overwrite the submission record
    "output-history": ("output", "submissions", "config.output"),
    "output-inside-history": ("output", "submissions/fda", "config.output"),
    "history-content": ("history", "content", "config.history"),
    "history-root": ("history", ".", "config.history"),
    "history-inside-content": ("history", "content/sent", "config.history"),
    # issue: `formats: []` replaced a good build with a folder holding only fingerprints.json
    "formats-empty": ("formats", "[]", "config.formats"),
}


@pytest.mark.parametrize("case", OUTPUT_CASES, ids=list(OUTPUT_CASES))
def test_folder_rules_are_config_errors(built: Path, case: str) -> None:
    key, value, rule = OUTPUT_CASES[case]
    line = _set(built, key, value)
    _build_untouched(built, rule=rule, where=f"indbuilder.yaml:{line}")
    assert_handled(cli(built, "check"), rule=rule, where=f"indbuilder.yaml:{line}")


def test_output_through_a_symlink_into_content(built: Path) -> None:
    (built / "out").symlink_to(built / "content", target_is_directory=True)
    line = _set(built, "output", "out")
    _build_untouched(built, rule="config.output", where=f"indbuilder.yaml:{line}")


def test_output_absolute_project_root(built: Path) -> None:
    line = _set(built, "output", str(built))
    _build_untouched(built, rule="config.output", where=f"indbuilder.yaml:{line}")


def test_output_outside_the_project_is_allowed_when_named(tmp_path: Path) -> None:
    # An output folder outside the project is named explicitly in indbuilder.yaml: accepted.
    root = project(tmp_path)
    edit(root, "indbuilder.yaml", *FDA_ONLY)
    _set(root, "output", "../outside-build")
    run = cli(root, "check")
    assert run.code == 0, run.text[-2000:]
    assert "[config.output]" not in run.text


def test_formats_without_a_submission_format(built: Path) -> None:
    line = _set(built, "formats", "[docx]")
    run = _build_untouched(built, rule="config.formats", where=f"indbuilder.yaml:{line}")
    assert "--no-pdf" in run.text


def test_output_is_a_file(built: Path) -> None:
    shutil.rmtree(built / "build")
    (built / "build").write_text("not a folder\n", encoding="utf-8")
    run = cli(built, "build", "--no-pdf")
    assert_handled(run, rule="build.output", where="build")
    assert (built / "build").read_text(encoding="utf-8") == "not a folder\n"


def test_output_below_a_file(built: Path) -> None:
    # stand-in for a read-only output folder (tests run as root, where chmod does not stop writes)
    (built / "notes.txt").write_text("x\n", encoding="utf-8")
    _set(built, "output", "notes.txt/build")
    run = cli(built, "build", "--no-pdf")
    assert_handled(run, rule="build.output", where="notes.txt/build")
    assert "Not a directory" in run.text


# ---------------------------------------------------------------------------- severity overrides cannot open a gate


def test_yaml_syntax_downgraded_plus_syntax_error(built: Path) -> None:
    # issue: `severity: {yaml.syntax: info}` plus a syntax error ended in AttributeError manufacturer_id
    line = _set(built, "severity", "{yaml.syntax: info}")
    facts = built / "content" / "product.yaml"
    facts.write_text(facts.read_text(encoding="utf-8") + "\nbroken: [unclosed\n", encoding="utf-8")
    run = _build_untouched(built, rule="config.gate-override", where=f"indbuilder.yaml:{line}")
    assert "[yaml.syntax]" in run.text and "cannot be downgraded" in run.text
    assert re.search(r"content/product\.yaml:\d+(:\d+)?: error \[yaml\.syntax\]", run.text), run.text[-2000:]


def test_schema_downgraded_to_warning(built: Path) -> None:
    line = _set(built, "severity", "{schema.type: warning}")
    assert_handled(cli(built, "check"), rule="config.gate-override", where=f"indbuilder.yaml:{line}")


def test_gate_rule_cannot_be_waived(built: Path) -> None:
    path = built / "indbuilder.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "waivers:\n", "waivers:\n  - rule: yaml.syntax\n    justification: we know the file is broken\n", 1)
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("  - rule: yaml.syntax") + 1
    assert_handled(cli(built, "check"), rule="config.gate-override", where=f"indbuilder.yaml:{line}")


def test_warning_rule_may_still_be_tuned(built: Path) -> None:
    _set(built, "severity", "{config.unknown-key: info}")
    run = cli(built, "check")
    assert run.code == 0, run.text[-2000:]
    assert "[config.gate-override]" not in run.text


def test_sequence_not_four_digits(built: Path) -> None:
    line = _set(built, "sequence", '"12345"')
    _build_untouched(built, where=f"indbuilder.yaml:{line}", rule=None)


# ---------------------------------------------------------------------------- submitted sequences are evidence


def _a_submitted_pdf(root: Path) -> Path:
    return sorted((root / "submissions/fda/0000/m3").rglob("*.pdf"))[0]


def _shown(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def test_submit_records_per_file_hashes(submitted: Path) -> None:
    lock = yaml.safe_load((submitted / "submissions/fda/0000.submitted.yaml").read_text(encoding="utf-8"))
    files = lock["files"]
    assert "index.xml" in files and len(files) == len([p for p in (submitted / "submissions/fda/0000").rglob("*") if p.is_file()])
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in files.values())
    assert re.fullmatch(r"[0-9a-f]{64}", lock["fingerprints_sha256"])


def test_altered_submitted_pdf(history: Path) -> None:
    # issue: an altered submitted PDF was carried forward silently into 0001
    pdf = _a_submitted_pdf(history)
    before = tree_hash(history / "build")
    pdf.write_bytes(pdf.read_bytes() + b"\n%altered\n")
    run = cli(history, "build")
    assert_handled(run, rule="history.altered", where=_shown(history, pdf))
    assert tree_hash(history / "build") == before


def test_added_file_in_submitted_sequence(history: Path) -> None:
    extra = history / "submissions/fda/0000/m3/extra.pdf"
    extra.write_bytes(b"%PDF-1.4\n")
    _build_untouched(history, rule="history.altered", where=_shown(history, extra))


def test_removed_file_in_submitted_sequence(history: Path) -> None:
    pdf = _a_submitted_pdf(history)
    pdf.unlink()
    run = _build_untouched(history, rule="history.altered", where=_shown(history, pdf))
    assert "removed" in run.text


def test_altered_backbone(history: Path) -> None:
    index = history / "submissions/fda/0000/index.xml"
    index.write_text(index.read_text(encoding="utf-8").replace("<", " <", 1), encoding="utf-8")
    _build_untouched(history, rule="history.altered", where="submissions/fda/0000/index.xml")


def test_altered_fingerprints(history: Path) -> None:
    fp = history / "submissions/fda/0000.fingerprints.json"
    data = json.loads(fp.read_text(encoding="utf-8"))
    data[sorted(data)[0]] = "0" * 64
    fp.write_text(json.dumps(data), encoding="utf-8")
    _build_untouched(history, rule="history.altered", where="submissions/fda/0000.fingerprints.json")


def test_unreadable_fingerprints(history: Path) -> None:
    # issue: `{not json` in 0000.fingerprints.json ended in JSONDecodeError
    (history / "submissions/fda/0000.fingerprints.json").write_text("{not json", encoding="utf-8")
    _build_untouched(history, rule="history.record-unreadable", where="submissions/fda/0000.fingerprints.json:1")


def test_lock_deleted(history: Path) -> None:
    # issue: the lock deleted while the folder remained: 0000 was rebuilt, exit 0
    (history / "submissions/fda/0000.submitted.yaml").unlink()
    edit(history, "indbuilder.yaml", 'sequence: "0001"', 'sequence: "0000"')
    _build_untouched(history, rule="history.unlocked", where="submissions/fda/0000")


def test_lock_unreadable_yaml(history: Path) -> None:
    (history / "submissions/fda/0000.submitted.yaml").write_text("sequence: '0000'\nfiles: [unclosed\n", encoding="utf-8")
    _build_untouched(history, rule="history.record-unreadable", where="submissions/fda/0000.submitted.yaml:")


def test_lock_not_a_mapping(history: Path) -> None:
    (history / "submissions/fda/0000.submitted.yaml").write_text("- a\n- b\n", encoding="utf-8")
    _build_untouched(history, rule="history.record-unreadable", where="submissions/fda/0000.submitted.yaml:1")


def test_lock_without_its_folder(history: Path) -> None:
    shutil.rmtree(history / "submissions/fda/0000")
    _build_untouched(history, rule="history.altered", where="submissions/fda/0000.submitted.yaml:1")


def test_stray_sequence_folder_without_lock(history: Path) -> None:
    shutil.copytree(history / "submissions/fda/0000", history / "submissions/fda/0007")
    _build_untouched(history, rule="history.unlocked", where="submissions/fda/0007")


def test_legacy_lock_without_hashes_is_verified_as_far_as_it_can_be(history: Path) -> None:
    lock = history / "submissions/fda/0000.submitted.yaml"
    record = yaml.safe_load(lock.read_text(encoding="utf-8"))
    del record["files"], record["fingerprints_sha256"]
    lock.write_text(yaml.safe_dump(record), encoding="utf-8")
    pdf = _a_submitted_pdf(history)
    pdf.write_bytes(pdf.read_bytes() + b"\n%altered\n")
    run = _build_untouched(history, rule="history.altered", where=_shown(history, pdf))
    assert "[history.unverified]" in run.text and "per-file hashes" in run.text


def test_output_is_history_with_a_submitted_sequence(history: Path) -> None:
    # issue: `output: submissions` with a submitted 0000, then a 0001 build overwrote the record
    line = _set(history, "output", "submissions")
    _build_untouched(history, rule="config.output", where=f"indbuilder.yaml:{line}")


def test_sequence_already_submitted(history: Path) -> None:
    edit(history, "indbuilder.yaml", 'sequence: "0001"', 'sequence: "0000"')
    run = _build_untouched(history, rule="ectd.sequence-submitted")
    assert run.seconds < 30  # refused before rendering


def test_sequence_gap(history: Path) -> None:
    edit(history, "indbuilder.yaml", 'sequence: "0001"', 'sequence: "0003"')
    _build_untouched(history, rule="ectd.sequence-gap")


def test_submit_twice(history: Path) -> None:
    edit(history, "indbuilder.yaml", 'sequence: "0001"', 'sequence: "0000"')
    run = cli(history, "submit", "-r", "fda")
    assert_handled(run, rule="submit.already-submitted", where="indbuilder.yaml")


def test_submit_without_a_build(tmp_path: Path) -> None:
    root = project(tmp_path)
    run = cli(root, "submit", "-r", "fda")
    assert_handled(run, rule="submit.not-built", where="indbuilder.yaml")
    assert not (root / "submissions").exists()


def test_submit_onto_an_altered_history(history: Path) -> None:
    # 0001 is "built" by copying 0000's folder name; the altered 0000 must stop the record first
    app = next((history / "build/fda/ectd").iterdir())
    shutil.copytree(app / "0000", app / "0001")
    pdf = _a_submitted_pdf(history)
    pdf.write_bytes(b"%PDF-1.4 altered\n")
    run = cli(history, "submit", "-r", "fda")
    assert_handled(run, rule="history.altered", where=_shown(history, pdf))
    assert not (history / "submissions/fda/0001").exists()


@pytest.mark.parametrize("args", [("--date", "2026-02-30"), ("--region", "mars")], ids=["bad-date", "unknown-region"])
def test_submit_usage_errors(built: Path, args: tuple[str, ...]) -> None:
    run = cli(built, "submit", *(("-r", "fda") if args[0] != "--region" else ()), *args)
    assert_handled(run, code=2)
    assert not (built / "submissions").exists()


# ---------------------------------------------------------------------------- the environment


@pytest.mark.parametrize("target", ["/nonexistent/dir/report.txt", "content", "missing-folder/report.txt"])
def test_unwritable_report_path_is_a_usage_error(built: Path, target: str) -> None:
    # issue: FileNotFoundError / IsADirectoryError
    run = cli(built, "check", "--report", target)
    assert_handled(run, code=2)
    assert "--report" in run.text
    assert run.seconds < 10  # refused before any work


def test_report_written_to_a_file(built: Path) -> None:
    run = cli(built, "check", "--format", "json", "--report", "report.json")
    assert run.code == 0, run.text[-2000:]
    assert json.loads((built / "report.json").read_text(encoding="utf-8"))["summary"]["errors"] == 0
    assert not run.out.lstrip().startswith("{")  # the terminal shows the readable text report


@pytest.mark.parametrize("args", [("check", "--region", "mars"), ("check", "--format", "bogus"), ("build", "--format", "bogus")],
                         ids=["unknown-region", "bogus-format", "build-bogus-format"])
def test_usage_errors(built: Path, args: tuple[str, ...]) -> None:
    before = tree_hash(built / "build")
    assert_handled(cli(built, *args), code=2)
    assert tree_hash(built / "build") == before


def _pipe(root: Path, args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    cmd = f"{sys.executable} -c 'from indbuilder.cli import main; main()' {args} | head -1 >/dev/null; exit ${{PIPESTATUS[0]}}"
    return subprocess.run(["bash", "-c", cmd], cwd=root, capture_output=True, text=True, timeout=120, env=env)


def test_rules_into_a_closed_pipe(built: Path) -> None:
    # issue: `indbuilder rules | head` ended in BrokenPipeError, exit 3
    done = _pipe(built, "rules")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr and "internal error" not in done.stderr


def test_closed_pipe_keeps_the_exit_code_of_check(built: Path) -> None:
    facts = built / "content" / "product.yaml"
    facts.write_text(facts.read_text(encoding="utf-8") + "\nbroken: [unclosed\n", encoding="utf-8")
    done = _pipe(built, "check")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


def test_outline_into_a_closed_pipe(built: Path) -> None:
    done = _pipe(built, "outline -r fda --no-color")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (100 * 1024, 100 * 1024))  # `ulimit -f 100`


def test_file_size_limit_while_writing(built: Path) -> None:
    # issue: a full disk (ulimit -f 100 as a stand-in) ended in OSError File too large
    before = tree_hash(built / "build")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("INDBUILDER_DEBUG", None)
    done = subprocess.run([sys.executable, "-c", "from indbuilder.cli import main; main()", "build"], cwd=built,
                          capture_output=True, text=True, timeout=300, env=env, preexec_fn=_limit_file_size)
    run = Run(done.returncode, done.stdout, done.stderr, 0.0)
    assert_handled(run, rule="build.output", where="build/fda/")
    assert "File too large" in run.text
    assert tree_hash(built / "build") == before
    assert _staging(built) == []


# ---------------------------------------------------------------------------- interrupted builds


@pytest.mark.parametrize("after", [2.0, 6.0, 10.0])
def test_sigkill_during_build_then_build_again(built: Path, after: float) -> None:
    # issue: kill -9 of a build left build/.staging-* behind forever
    before = tree_hash(built / "build")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.Popen([sys.executable, "-c", "from indbuilder.cli import main; main()", "build"], cwd=built,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    time.sleep(after)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    published = {k: v for k, v in tree_hash(built / "build").items() if not k.startswith(".staging-")}
    assert published == before, f"the previous build changed (killed after {after} s)"
    run = cli(built, "build", "--no-pdf")
    assert run.code == 0, run.text[-3000:]
    assert _staging(built) == []


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_next_build_removes_only_stale_staging_folders(built: Path) -> None:
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        out = built / "build"
        keep = [out / f".staging-{live.pid}-live1234", out / ".staging-Keep.me"]
        gone = [out / f".staging-{_dead_pid()}-dead1234", out / ".staging-oldstyle_x"]
        for folder in keep + gone:
            (folder / "fda").mkdir(parents=True)
        (out / ".staging-1-file").write_text("a file, not ours\n", encoding="utf-8")
        run = cli(built, "build", "--no-pdf")
        assert run.code == 0, run.text[-3000:]
        assert all(p.is_dir() for p in keep), "a live build's staging folder (or one not named by us) was removed"
        assert not any(p.exists() for p in gone), "a stale staging folder was left"
        assert (out / ".staging-1-file").is_file()
    finally:
        live.kill()
        live.wait()


def test_remove_stale_staging_unit(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "src"))
    from indbuilder.pipeline import remove_stale_staging

    own = tmp_path / f".staging-{os.getpid()}-mine"
    dead = tmp_path / f".staging-{_dead_pid()}-abc"
    other = tmp_path / "staging-1-abc"
    for p in (own, dead, other):
        p.mkdir()
    assert remove_stale_staging(tmp_path) == [dead]
    assert own.is_dir() and other.is_dir()
