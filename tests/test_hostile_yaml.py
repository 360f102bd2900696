"""Hostile-input corpus: YAML facts, indbuilder.yaml, narratives and the fact schema.

Every case damages a fresh copy of the example project, runs the real ``indbuilder check`` in a
subprocess and asserts what a user relies on (tests/hostile_support.py): exit 1, no traceback,
the rule id, ``file:line`` and an answer within :data:`hostile_support.FAST` seconds. Content
errors stop ``check`` after the load stage, so each case is fast.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from hostile_support import FAST, assert_handled, cli, project

# A damage applied to a project copy; returns the location the finding must name ("file:line").
Damage = Callable[[Path], "str | None"]

PRODUCT = "content/product.yaml"
BATCHES = "content/cmc/batches.yaml"
STABILITY = "content/cmc/stability.yaml"
PROTOCOL = "content/clinical/protocol.yaml"
STUDIES = "content/nonclinical/studies.yaml"
SPEC = "content/cmc/specification.yaml"
NARRATIVE = "content/narratives/pre-ind-correspondence.en.md"
CONFIG = "indbuilder.yaml"


def line_of(root: Path, file: str, needle: str, nth: int = 1) -> int:
    """1-based line of the ``nth`` line of ``file`` containing ``needle``."""
    hits = [i for i, line in enumerate((root / file).read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    assert len(hits) >= nth, f"{needle!r} not in {file}"
    return hits[nth - 1]


def replace(file: str, find: str, new: str, *, at: str | None = None, nth: int = 1) -> Damage:
    """Replace the ``nth`` occurrence of ``find`` in ``file``; the finding is on the line of ``at`` (default ``new``)."""

    def damage(root: Path) -> str:
        path = root / file
        text = path.read_text(encoding="utf-8")
        start = -1
        for _ in range(nth):
            start = text.index(find, start + 1)
        path.write_text(text[:start] + new + text[start + len(find) :], encoding="utf-8")
        needle = (at if at is not None else new).splitlines()[0]
        return f"{file}:{line_of(root, file, needle)}"

    return damage


def new_file(file: str, content: str | bytes, line: int | None = 1) -> Damage:
    """Write a new file into the project; the finding is at ``file:line`` (just ``file`` for ``None``)."""

    def damage(root: Path) -> str:
        path = root / file
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return f"{file}:{line}" if line is not None else file

    return damage


def _alias_bomb() -> str:
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    return "\n".join(levels) + "\n"


def _deep_block(levels: int) -> str:
    return "".join("  " * i + f"k{i}:\n" for i in range(levels)) + "  " * levels + "leaf\n"


def _duplicate_narrative(root: Path) -> str:
    src = root / NARRATIVE
    (root / "content/narratives/copy-of-pre-ind.en.md").write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    return "content/narratives/pre-ind-correspondence.en.md:2"


def _symlink(file: str, target: str) -> Damage:
    def damage(root: Path) -> str:
        path = root / file
        if path.exists():
            path.unlink()
        os.symlink(target, path)
        return file

    return damage


def _config_content_outside(root: Path) -> str:
    path = root / CONFIG
    path.write_text(path.read_text(encoding="utf-8") + "content: /etc\n", encoding="utf-8")
    return f"{CONFIG}:{line_of(root, CONFIG, 'content: /etc')}"


def _zero_floor_negative_result(root: Path) -> str:
    """A test whose limit starts at 0 (min: 0) gets a negative result in a batch."""
    spec = root / SPEC
    text = spec.read_text(encoding="utf-8")
    test_id = re.findall(r"- id: ([\w-]+)", text[: text.index("min: 80")])[-1]
    spec.write_text(text.replace("min: 80,", "min: 0,", 1), encoding="utf-8")
    batches = root / BATCHES
    btext = batches.read_text(encoding="utf-8")
    key = f"\n        {test_id}: "
    start = btext.index(key) + len(key)
    end = btext.index("\n", start)
    batches.write_text(btext[:start] + "-5" + btext[end:], encoding="utf-8")
    return f"{BATCHES}:{line_of(root, BATCHES, f'{test_id}: -5')}"


def _bel_in_narrative_and_bad_date(root: Path) -> str:
    """A warning-only finding would run the whole check: pair it with an error that stops at load."""
    replace(BATCHES, "manufactured: 2024-11-05", "manufactured: 2026-02-30")(root)
    path = root / NARRATIVE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append("A bell \x07 rings here.\n")
    path.write_text("".join(lines), encoding="utf-8")
    return f"{NARRATIVE}:{len(lines)}"


@dataclass(frozen=True)
class Case:
    name: str
    damage: Damage
    rule: str
    forbidden: str | None = None  # text that must never appear (bytes of a refused file)
    seconds: float = FAST  # findings that do not stop check after loading run the whole check


CASES = [
    # --- the cases the issue reported
    Case("invalid-date", replace(BATCHES, "manufactured: 2024-11-05", "manufactured: 2026-02-30"), "yaml.value"),
    Case("invalid-submission-date", replace(CONFIG, "submission_date: 2026-12-14", "submission_date: 2026-02-30"), "yaml.value"),
    Case("alias-bomb", new_file("content/bomb.yaml", _alias_bomb(), line=1), "yaml.limit"),
    Case("nested-flow-sequences", new_file("content/deep.yaml", "[" * 1000 + "]" * 1000 + "\n"), "yaml.limit"),
    Case("mapping-as-key", new_file("content/key.yaml", "? {a: 1}\n: x\n"), "yaml.key-type"),
    Case("bel-in-string", replace(PRODUCT, "code: MCT-101", "code: MCT-\x07101"), "yaml.control-character"),
    Case("escaped-surrogate", replace(PRODUCT, "code: MCT-101", 'code: "MCT-\\ud800"'), "yaml.surrogate"),
    Case("front-matter-node-list", replace(NARRATIVE, "node: m1-12-1-pre-ind-correspondence", "node: [a, b]"), "schema.type"),
    Case("front-matter-title-mapping", replace(NARRATIVE, "title: Pre-IND", "title: {x: 1}\nx-title: Pre-IND", at="title: {x: 1}"), "schema.type"),
    Case("duplicate-narrative-id", _duplicate_narrative, "narrative.duplicate-id", seconds=60),
    Case("negative-shelf-life", replace(PRODUCT, "    value: 12", "    value: -3"), "schema.value"),
    Case("nan-batch-result", replace(BATCHES, "appearance: conforms", "appearance: .nan"), "schema.value"),
    Case("bel-in-narrative", _bel_in_narrative_and_bad_date, "narrative.control-character"),
    Case("fact-file-symlink-outside", _symlink("content/sponsor.yaml", "/etc/passwd"), "yaml.outside-project", "root:"),
    Case("narrative-symlink-outside", _symlink(NARRATIVE, "/etc/passwd"), "yaml.outside-project", "root:"),
    Case("content-folder-outside", _config_content_outside, "yaml.outside-project", "root:"),
    Case("50-mb-file", new_file("content/huge.yaml", "a: [" + "1, " * 17_000_000 + "]\n", line=None), "yaml.limit"),
    # --- more YAML damage
    Case("11-mb-file", new_file("content/big.yaml", "x" * (11 * 1024 * 1024), line=None), "yaml.limit"),
    Case("tab-indentation", replace(PRODUCT, "  code: MCT-101", "\tcode: MCT-101"), "yaml.syntax"),
    Case("second-document", replace(PRODUCT, "  code: MCT-101", "  code: MCT-101\n---\nother: 1", at="---"), "yaml.syntax"),
    Case("binary-bytes", new_file("content/binary.yaml", b"\xff\xfe\x00\x01garbage\x80", line=None), "yaml.encoding"),
    Case("nul-byte", replace(PRODUCT, "code: MCT-101", "code: MCT\x00101"), "yaml.control-character"),
    Case("escape-control", replace(PRODUCT, "code: MCT-101", 'code: "MCT\\x1b[31m101"'), "yaml.control-character"),
    Case("c1-control", replace(PRODUCT, "code: MCT-101", "code: MCT\x9b101"), "yaml.control-character"),
    Case("one-mb-line", new_file("content/long.yaml", "notes: " + "x" * 1_048_576 + "\n"), "schema.unknown-section"),
    Case("deep-block-mappings", new_file("content/deepmap.yaml", _deep_block(300), line=200), "yaml.limit"),
    Case("python-object-tag", replace(PRODUCT, "code: MCT-101", "code: !!python/object/apply:os.system [id]"), "yaml.syntax"),
    Case("recursive-alias", new_file("content/loop.yaml", "loop: &a [*a]\n"), "yaml.limit"),
    Case("front-matter-alias-bomb", replace(NARRATIVE, "lang: en", "lang: en\n" + _alias_bomb(), at="a0: &a0"), "yaml.limit"),
    Case("duplicate-anchor", new_file("content/anchors.yaml", "a: &x 1\nb: &x 2\n", line=2), "yaml.syntax"),
    Case("undefined-alias", replace(PRODUCT, "code: MCT-101", "code: *nowhere"), "yaml.syntax"),
    Case("huge-integer", replace(PRODUCT, "fill_volume_ml: 20.0", "fill_volume_ml: " + "9" * 5000), "yaml.value"),
    Case("float-overflow", replace(PRODUCT, "fill_volume_ml: 20.0", "fill_volume_ml: 1.0e+400"), "schema.value"),
    Case("infinite-in-use-time", replace(PRODUCT, "    value: 4", "    value: .inf"), "schema.value"),
    Case("impossible-time", replace(BATCHES, "manufactured: 2024-11-05", "manufactured: 2024-11-05 25:61:00"), "yaml.value"),
    Case("month-13", replace(BATCHES, "manufactured: 2024-11-05", "manufactured: 2024-13-05"), "yaml.value"),
    Case("duplicate-nested-key", replace(BATCHES, "        appearance: conforms", "        appearance: conforms\n        appearance: fails", at="appearance: fails"), "yaml.duplicate-key"),
    Case("sequence-as-key", new_file("content/seqkey.yaml", "product:\n  ? [a, b]\n  : x\n", line=2), "yaml.key-type"),
    Case("top-level-list", new_file("content/list.yaml", "- product\n- sponsor\n"), "schema.type"),
    Case("wrong-type-shelf-life", replace(PRODUCT, "    value: 12", "    value: twelve"), "schema.type"),
    Case("wrong-type-results", replace(BATCHES, "      results:", "      results: [a, b]\n      x-results:", at="results: [a, b]"), "schema.type"),
    Case("negative-subjects", replace(PROTOCOL, "      subjects: 6", "      subjects: -1"), "schema.value"),
    Case("negative-dose", replace(PROTOCOL, "      dose: 5.0e+5", "      dose: -5.0e+5"), "schema.value"),
    Case("zero-sample-size", replace(PROTOCOL, "  sample_size: 18", "  sample_size: 0"), "schema.value"),
    Case("negative-study-duration", replace(STUDIES, "duration: {value: 14, unit: days}", "duration: {value: -14, unit: days}"), "schema.value"),
    Case("negative-timepoint", replace(STABILITY, "      - time: 3", "      - time: -3"), "schema.value"),
    Case("negative-result-min-zero", _zero_floor_negative_result, "schema.value"),
    Case("control-char-in-front-matter", replace(NARRATIVE, "lang: en", "lang: en\x07"), "yaml.control-character"),
    Case("front-matter-lang-mapping", replace(NARRATIVE, "lang: en", "lang: {en: 1}"), "narrative.front-matter", seconds=60),
    Case("front-matter-id-number", replace(NARRATIVE, "id: pre-ind-correspondence", "id: 12"), "schema.type"),
    Case("config-control-character", replace(CONFIG, "output: build", "output: bu\x1bild"), "yaml.control-character"),
    Case("config-complex-key", replace(CONFIG, "output: build", "? [output]\n: build", at="? [output]"), "yaml.key-type"),
    Case("config-alias-bomb", lambda root: new_file(CONFIG, (root / CONFIG).read_text(encoding="utf-8") + _alias_bomb(), line=None)(root), "yaml.limit"),
    Case("config-deep-nesting", replace(CONFIG, "output: build", "output: " + "[" * 500 + "]" * 500, at="output: ["), "yaml.limit"),
]


def test_the_corpus_is_large_enough() -> None:
    """The issue asks for the reported cases plus at least 20 more of this area."""
    assert len(CASES) >= 17 + 20
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_is_a_located_finding(case: Case, tmp_path: Path) -> None:
    root = project(tmp_path)
    where = case.damage(root)
    run = cli(root, "check")
    assert_handled(run, code=1, rule=case.rule, where=where)
    assert run.seconds < case.seconds, f"{case.name}: answered in {run.seconds:.1f} s"
    if case.forbidden is not None:
        assert case.forbidden not in run.text, "the bytes of a refused file were shown"
