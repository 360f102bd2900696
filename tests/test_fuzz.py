"""Property-based fuzzing of everything that reads text a user (or an attacker) wrote.

The YAML loader, the config loader, narrative front matter and the Markdown converter get
random Unicode (including lone surrogates and control characters), random YAML documents,
YAML- and Markdown-token soups and byte/line mutations of the example's own files. The
property is always the same: the call returns (data and/or diagnostics) and never raises.

Every property has a fixed example count and derandomized generation, so CI runs the same
inputs in bounded time (see ``EXAMPLES``); ``deadline=None`` because the machine is shared.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from example_project import REPO
from indbuilder.config import load_config
from indbuilder.diagnostics import Diagnostic, Diagnostics
from indbuilder.loader import _assemble_composites, _load_section, check_front_matter, load_narrative, split_front_matter
from indbuilder.model.dossier import SourceMap
from indbuilder.render.markdown import MarkdownSource, markdown_to_blocks, parse_markdown_file
from indbuilder.yamlio import LoadedYaml, load_yaml, load_yaml_text

# Examples per property; the total is what the module runs (reported by test_example_budget).
EXAMPLES = {
    "yaml_unicode": 500,
    "yaml_soup": 500,
    "yaml_documents": 300,
    "yaml_mutated_examples": 400,
    "config": 400,
    "front_matter": 500,
    "markdown": 500,
    "markdown_file": 300,
}


def _settings(name: str) -> settings:
    return settings(
        max_examples=EXAMPLES[name],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


# ---------------------------------------------------------------- strategies

# Any code point: lone surrogates and control characters included (hypothesis leaves out Cs by default).
ANY_CHAR = st.characters(exclude_categories=())
CONTROLS = st.sampled_from([chr(c) for c in [*range(0, 32), *range(0x7F, 0xA0)]] + ["\ud800", "\udfff", "\ufeff", "\u2028"])
YAML_TOKENS = st.sampled_from(
    [
        "\n", "  ", " ", "\t", "- ", ": ", "? ", "[", "]", "{", "}", ",", "&a ", "*a", "&b ", "*b", "<<: ", "!!str ",
        "!!python/object:os.system ", "!!binary ", "!!timestamp ", "!!set ", "|", ">-", "'", '"', "\\u", "\\ud800",
        "\\x07", "#", "%YAML 1.1\n", "---\n", "...\n", "~", "null", "true", "2026-02-30", "2026-12-14", "1e400",
        "-0", ".nan", ".inf", "99999999999999999999", "key", "value", "product", "id", "en", "zh", "\ufeff", "\x07",
    ]
)
MD_TOKENS = st.sampled_from(
    [
        "\n", "\n\n", " ", "  ", "# ", "## ", "#### ", "*", "**", "_", "`", "```", "~", "~~", "^", "[", "]", "(", ")",
        "![", "](", "ref:", "ref:study:", "ref:3.2.P.8.1", "ref:lit:x", "[^1]", "[^1]: ", "^[", "> ", "- ", "1. ",
        "9999999999. ", "|", "|---|", "| :-: |", ":::", "::: note\n", "::: bibliography\n", "::: pagebreak\n",
        "Table: cap {#t}\n", "{#id}", "{ #id }", "<b>", "&amp;", "http://x", "#anchor", "---\n", "\t", "\x07", "\ud800",
        "表：", "注：", "中文", "**注：**", "\\", "\r\n",
    ]
)


def soup(tokens: st.SearchStrategy[str], size: int = 60) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(tokens, st.text(ANY_CHAR, max_size=4)), max_size=size).map("".join)


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(ANY_CHAR, max_size=20),
    st.dates(), st.sampled_from(["2026-02-30", "en", "zh", "fda", "nmpa", "docx", "pdf", "0000"]),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.one_of(st.text(ANY_CHAR, max_size=10), st.sampled_from(["regions", "formats", "severity", "waivers", "id", "lang", "node", "title"])), children, max_size=5),
    ),
    max_leaves=25,
)


def _dump(doc: object) -> str:
    try:
        return yaml.safe_dump(doc, allow_unicode=True)
    except yaml.YAMLError:  # e.g. a surrogate the emitter refuses: fuzz its repr instead
        return repr(doc)


EXAMPLE_YAML = sorted((REPO / "content").rglob("*.yaml"))
EXAMPLE_TEXTS = {p.relative_to(REPO).as_posix(): p.read_bytes() for p in EXAMPLE_YAML}
CONFIG_TEXT = (REPO / "indbuilder.yaml").read_bytes()
NARRATIVE_TEXTS = [p.read_bytes() for p in sorted((REPO / "content").rglob("*.md"))]


@st.composite
def mutated(draw: st.DrawFn, originals: list[bytes]) -> bytes:
    """An example file with a few byte or line mutations: deletions, insertions, duplicates, swaps."""
    data = bytearray(draw(st.sampled_from(originals)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "insert", "flip", "dup-line", "swap-lines", "truncate", "indent"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "delete":
            del data[pos : pos + draw(st.integers(1, 40))]
        elif op == "insert":
            piece = draw(st.one_of(st.binary(max_size=8), YAML_TOKENS.map(lambda s: s.encode("utf-8", "surrogatepass"))))
            data[pos:pos] = piece
        elif op == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif op == "truncate":
            del data[pos:]
        else:
            lines = bytes(data).split(b"\n")
            i = draw(st.integers(0, max(0, len(lines) - 1)))
            j = draw(st.integers(0, max(0, len(lines) - 1)))
            if op == "dup-line":
                lines.insert(j, lines[i])
            elif op == "swap-lines":
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines[i] = b"  " * draw(st.integers(0, 3)) + lines[i].lstrip()
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # lone surrogates become invalid UTF-8, as on disk


@contextmanager
def _folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="indbuilder-fuzz-") as tmp:
        yield Path(tmp)


def _diagnostics_are_located(diags: list[Diagnostic]) -> None:
    for d in diags:
        assert isinstance(d, Diagnostic) and d.rule and d.message
        assert d.location is None or d.location.path


def _check_loaded(loaded: LoadedYaml) -> None:
    assert isinstance(loaded, LoadedYaml)
    _diagnostics_are_located(loaded.diagnostics)
    if loaded.data is not None:
        loaded.location(())  # every recorded key path can be located


# ---------------------------------------------------------------- YAML loader


@_settings("yaml_unicode")
@given(st.one_of(st.text(ANY_CHAR, max_size=200), soup(CONTROLS, 30)))
def test_yaml_text_of_any_unicode(text: str) -> None:
    _check_loaded(load_yaml_text(text, "fuzz.yaml"))


@_settings("yaml_soup")
@given(soup(YAML_TOKENS, 80))
def test_yaml_file_of_token_soup(text: str) -> None:
    with _folder() as folder:
        path = folder / "soup.yaml"
        path.write_bytes(_encode(text))
        _check_loaded(load_yaml(path, "soup.yaml"))


@_settings("yaml_documents")
@given(documents)
def test_yaml_file_of_random_documents(doc: object) -> None:
    with _folder() as folder:
        path = folder / "doc.yaml"
        path.write_bytes(_encode(_dump(doc)))
        _check_loaded(load_yaml(path, "doc.yaml"))


@_settings("yaml_mutated_examples")
@given(mutated(list(EXAMPLE_TEXTS.values())))
def test_mutated_example_fact_files_load_and_validate(data: bytes) -> None:
    """Through the YAML loader and the fact schema, as ``load_content`` does for each section."""
    with _folder() as folder:
        path = folder / "facts.yaml"
        path.write_bytes(data)
        loaded = load_yaml(path, "content/facts.yaml")
        _check_loaded(loaded)
        diags = Diagnostics()
        if isinstance(loaded.data, dict):
            facts: dict[str, object] = {}
            defined_in: dict = {}
            for section, value in loaded.data.items():
                _load_section(section, value, loaded, facts, SourceMap(), defined_in, diags, {})
            _assemble_composites(facts, defined_in, diags, {}, False)  # the drug substance/product as a whole
        _diagnostics_are_located(list(diags))


# ---------------------------------------------------------------- config loader


@_settings("config")
@given(
    st.one_of(
        mutated([CONFIG_TEXT]),
        documents.map(_dump).map(_encode),
        st.dictionaries(st.sampled_from(["regions", "sequence", "submission_date", "output", "formats", "severity", "waivers", "content", "templates", "allow_outside", "disclaimer"]), documents, max_size=6).map(_dump).map(_encode),
        soup(YAML_TOKENS, 60).map(_encode),
    )
)
def test_config_loader(data: bytes) -> None:
    with _folder() as folder:
        (folder / "indbuilder.yaml").write_bytes(data)
        config, diags = load_config(folder)
        _diagnostics_are_located(diags)
        assert config is not None or any(d.severity.value == "error" for d in diags)


# ---------------------------------------------------------------- narratives


@_settings("front_matter")
@given(
    st.one_of(
        st.tuples(soup(YAML_TOKENS, 40), st.text(ANY_CHAR, max_size=40)).map(lambda p: f"---\n{p[0]}\n---\n{p[1]}"),
        st.dictionaries(st.sampled_from(["id", "lang", "node", "title", "version", "translation_of", "x"]), documents, max_size=6).map(lambda d: "---\n" + _dump(d) + "---\nbody\n"),
        st.text(ANY_CHAR, max_size=120),
    )
)
def test_front_matter(text: str) -> None:
    fm, body, body_line = split_front_matter(text, "content/n.md")
    assert isinstance(body, str) and body_line >= 1
    if fm is not None:
        diags = Diagnostics()
        check_front_matter(fm, diags)
        _diagnostics_are_located(fm.diagnostics + list(diags))


@_settings("markdown")
@given(st.one_of(soup(MD_TOKENS, 80), st.text(ANY_CHAR, max_size=200)))
def test_markdown_converter(text: str) -> None:
    diags = Diagnostics()
    result = markdown_to_blocks(MarkdownSource(text, "content/n.md", line_offset=3), diags)
    assert isinstance(result.blocks, list)
    _diagnostics_are_located(list(diags))


@_settings("markdown_file")
@given(
    st.one_of(
        mutated(NARRATIVE_TEXTS),
        soup(MD_TOKENS, 60).map(lambda s: _encode("---\nid: x\nlang: en\n---\n" + s)),
        st.binary(max_size=200),
    )
)
def test_narrative_files(data: bytes) -> None:
    """A narrative file through both readers: the content loader and the Markdown file reader."""
    with _folder() as folder:
        path = folder / "content" / "n.md"
        path.parent.mkdir()
        path.write_bytes(data)
        diags = Diagnostics()
        narrative = load_narrative(path, folder, diags)
        meta, body, offset = parse_markdown_file(path, diags, folder)
        assert isinstance(meta, dict) and isinstance(body, str) and offset >= 0
        if narrative is not None:
            markdown_to_blocks(MarkdownSource(narrative.body, narrative.path, narrative.body_line - 1), diags)
        _diagnostics_are_located(list(diags))


def test_example_budget() -> None:
    """Thousands of generated inputs in all, with a fixed count per property."""
    assert sum(EXAMPLES.values()) >= 3000
