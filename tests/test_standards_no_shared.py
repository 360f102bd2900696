"""Users never have this repository's ../shared folder: nothing the tool shows or documents may point there."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = ("shared/reference", "/work/shared")


def test_no_message_hint_or_doc_points_to_the_development_reference_folder():
    hits = []
    for folder in (REPO / "src" / "indbuilder", REPO / "docs"):
        for p in sorted(folder.rglob("*")):
            if not p.is_file() or p.suffix in (".pyc",):
                continue
            try:
                text = p.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            for n, line in enumerate(text.splitlines(), 1):
                if any(f in line for f in FORBIDDEN):
                    hits.append(f"{p.relative_to(REPO)}:{n}: {line.strip()}")
    assert hits == []
