"""china.stale-translation: a Chinese narrative older than its English source, by git commit time or mtime."""

from __future__ import annotations

import os
import subprocess

from checks_helpers import FIXTURE, copy_project, findings, run

EN = "content/narratives/intro.en.md"
ZH = "content/narratives/intro.zh.md"
MESSAGE = "narrative 'intro': content/narratives/intro.zh.md was last changed before its English source content/narratives/intro.en.md"


def _stale(root):
    return findings(run(root, families=["china"]), "china.stale-translation")


def test_mtime_outside_git(tmp_path):
    root = copy_project(FIXTURE, tmp_path / "project")
    os.utime(root / EN, (2_000_000_000, 2_000_000_000))
    os.utime(root / ZH, (1_900_000_000, 1_900_000_000))
    hits = _stale(root)
    assert len(hits) == 1 and MESSAGE in hits[0].message
    assert "(2030-03-17 17:46:40 UTC < 2033-05-18 03:33:20 UTC)" in hits[0].message
    assert str(hits[0].location) == f"{ZH}:1:1"
    os.utime(root / ZH, (2_100_000_000, 2_100_000_000))
    assert _stale(root) == []


def _git(root, *args, date=None):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org")
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def test_git_commit_times_win_over_mtimes(tmp_path):
    """In a git work tree the last commit of each file decides, whatever the checkout's mtimes are."""
    root = copy_project(FIXTURE, tmp_path / "project")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "all", date="2026-01-01T00:00:00Z")
    (root / EN).write_text((root / EN).read_text(encoding="utf-8") + "\nA new English sentence.\n", encoding="utf-8")
    _git(root, "commit", "-q", "-am", "en changed", date="2026-02-01T00:00:00Z")
    os.utime(root / ZH, (2_100_000_000, 2_100_000_000))  # a fresh checkout may give any mtime
    hits = _stale(root)
    assert len(hits) == 1 and "(2026-01-01 00:00:00 UTC < 2026-02-01 00:00:00 UTC)" in hits[0].message


def test_git_translation_committed_after_source(tmp_path):
    root = copy_project(FIXTURE, tmp_path / "project")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "all", date="2026-01-01T00:00:00Z")
    (root / ZH).write_text((root / ZH).read_text(encoding="utf-8") + "\n新增一句。\n", encoding="utf-8")
    _git(root, "commit", "-q", "-am", "zh updated", date="2026-02-01T00:00:00Z")
    os.utime(root / EN, (2_100_000_000, 2_100_000_000))
    assert _stale(root) == []
