"""Copies of the example project for tests that change it (scenarios, mutations, lifecycle)."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROJECT_PARTS = ("indbuilder.yaml", "content", "templates")
PACKAGED_TEMPLATES = REPO / "src" / "indbuilder" / "templates" / "ectd"


def copy_example(dest: Path, templates: bool = True) -> Path:
    """A fresh copy of the example project (config, content) in ``dest``.

    With ``templates`` the packaged templates are copied into the project's own ``templates/ectd``
    (which overrides the packaged ones file by file), so a test can break or change a template
    without touching the package; findings then name ``templates/ectd/...`` in the project.
    """
    dest.mkdir(parents=True, exist_ok=True)
    if templates:
        shutil.copytree(PACKAGED_TEMPLATES, dest / "templates" / "ectd")
    for part in PROJECT_PARTS:
        src = REPO / part
        if not src.exists():
            continue  # templates/: the example uses the packaged templates
        if src.is_dir():
            shutil.copytree(src, dest / part)
        else:
            shutil.copy2(src, dest / part)
    return dest


def edit(root: Path, file: str, find: str, replace: str, count: int | None = None) -> None:
    """Replace ``find`` in ``root/file``; fail loudly when the example no longer contains it."""
    path = root / file
    text = path.read_text(encoding="utf-8")
    found = text.count(find)
    if found == 0 or (count is not None and found < count):
        raise AssertionError(f"scenario edit no longer applies: {find!r} not found in {file}")
    path.write_text(text.replace(find, replace, count if count is not None else -1), encoding="utf-8")
