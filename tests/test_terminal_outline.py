"""indbuilder outline: --only, --lang, findings only with --check, and a tree that keeps its shape at any width."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from example_project import REPO, copy_example
from indbuilder.outline import NodeState, Sources, format_outline, load_outline, plan
from indbuilder.outline.tree_format import cell_width, wrap_cells

runner = CliRunner()
GUIDES = ("├", "└", "│", " ")


@pytest.fixture(scope="module")
def missing_form(tmp_path_factory):
    """The example with the data of Form FDA 1571 removed: section 1.1 is MISSING (an error)."""
    root = copy_example(tmp_path_factory.mktemp("outline") / "p", templates=False)
    (root / "content/narratives/form-1571.en.md").unlink()
    return root


def _outline(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app_(), ["outline", "--no-color", *args], env=env)


def app_():
    from indbuilder.cli import app

    return app


def test_only_missing_shows_the_missing_section_with_its_ancestors(missing_form):
    result = _outline("-p", str(missing_form), "-r", "fda", "--only", "missing")
    assert result.exit_code == 1
    tree = result.stdout.splitlines()[1:-1]
    assert tree[0] == "├── 1 Module 1: Administrative Information (US regional)" or tree[0].startswith("└── 1 Module 1")
    assert any("1.1 Forms — MISSING" in line for line in tree)
    assert not any("filled" in line or "not applicable" in line for line in tree)
    assert "shown: 1 MISSING and their parent sections" in result.stdout.splitlines()[-1]


def test_only_filled_and_na_keep_only_those_states():
    filled = _outline("-p", str(REPO), "-r", "fda", "--only", "filled").stdout.splitlines()[1:-1]
    assert filled and all(" — filled" in line or " — " not in line for line in filled)
    na = _outline("-p", str(REPO), "-r", "fda", "--only", "na").stdout.splitlines()[1:-1]
    assert na and all(" — not applicable" in line or " — " not in line for line in na)


def test_lang_shows_titles_and_states_in_the_chosen_language():
    zh = _outline("-p", str(REPO), "-r", "fda", "--lang", "zh").stdout
    assert "模块1" in zh and "已提供" in zh
    en = _outline("-p", str(REPO), "-r", "nmpa", "--lang", "en").stdout
    assert "Module 1" in en and " — filled" in en and "已提供" not in en


def test_findings_are_listed_only_with_check(missing_form):
    quiet = _outline("-p", str(missing_form), "-r", "fda")
    assert quiet.exit_code == 1
    assert "[completeness." not in quiet.stderr
    assert "1 error" in quiet.stderr and "--check" in quiet.stderr
    listed = _outline("-p", str(missing_form), "-r", "fda", "--check")
    assert listed.exit_code == 1 and "error [completeness." in listed.stderr


def test_json_format_is_kept():
    import json

    payload = json.loads(_outline("-p", str(REPO), "-r", "fda", "--format", "json").stdout)
    assert payload["region"] == "fda" and payload["sections"]


def _check_shape(text: str, width: int) -> None:
    lines = text.splitlines()
    for line in lines:
        assert cell_width(line) <= width, line
    assert lines[0].endswith(")")  # the header: outline name, version, effective date
    # the summary (last line with counts) may wrap, indented; every tree line starts with a guide
    summary_start = max(i for i, line in enumerate(lines) if re.match(r"\d+ ", line))
    for line in lines[1:summary_start]:
        assert line.startswith(GUIDES), f"breaks to column 0: {line!r}"
        if not line.startswith(("│", " ")):
            assert re.match(r"[├└]── \d ", line), f"only a module starts at column 0: {line!r}"
    for line in lines[summary_start + 1:]:
        assert line.startswith("  ")


@pytest.mark.parametrize("region,lang", [("fda", "en"), ("nmpa", "zh"), ("nmpa", "en")])
def test_narrow_terminal_keeps_the_tree_shape(region, lang):
    result = _outline("-p", str(REPO), "-r", region, "--lang", lang, env={"COLUMNS": "60"})
    assert result.exit_code == 0
    _check_shape(result.stdout, 60)
    assert max(cell_width(line) for line in result.stdout.splitlines()) > 40  # it did use the width


def test_long_lines_continue_under_their_title():
    p = plan(load_outline("fda"), Sources(templates=frozenset({"m3/32p81-stability-summary.md.j2"})))
    text = format_outline(p, lang="en", width=50)
    _check_shape(text, 50)
    lines = text.splitlines()
    i = next(i for i, line in enumerate(lines) if "3.2.P.8.1 Stability" in line)
    title_col = lines[i].index("3.2.P.8.1")
    assert lines[i + 1][:title_col].strip("│ ") == ""  # continued inside the guides, right of the branch
    assert len(lines[i + 1]) - len(lines[i + 1].lstrip("│ ")) > title_col
    assert format_outline(p, lang="en", width=None).count("\n") < text.count("\n")


def test_wrapping_cuts_chinese_by_display_width():
    pieces = wrap_cells("3.2.S.5 对照品/标准品 — 不适用：不使用对照品。不使用对照品。", 20, 12)
    assert all(cell_width(piece) <= 20 for piece in pieces[:1]) and all(cell_width(piece) <= 12 for piece in pieces[1:])
    assert "".join(pieces).replace(" ", "") == "3.2.S.5对照品/标准品—不适用：不使用对照品。不使用对照品。"


def test_only_keeps_states_in_the_library_function():
    p = plan(load_outline("fda"), Sources(templates=frozenset({"m3/32p81-stability-summary.md.j2"})))
    text = format_outline(p, lang="en", only={NodeState.FILLED})
    body = text.splitlines()[1:-1]
    assert [line for line in body if " — " in line] == [line for line in body if "filled" in line]
    assert any("3.2.P.8.1 Stability Summary and Conclusion — filled" in line for line in body)
