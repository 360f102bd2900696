"""Module 2, 3 and 4 templates of the example dossier render the facts, in English and Chinese.

Each test renders a template against the example project's facts (``content/``) and checks that
the facts appear in the output, computing the expected strings from the loaded facts (never from
hard-coded values), and that the checks built into the templates fire on bad facts and stay quiet
on good ones.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from indbuilder.config import load_config
from indbuilder.diagnostics import Diagnostics
from indbuilder.loader import load_content
from indbuilder.model.dossier import Dossier
from indbuilder.render import TemplateEnv
from indbuilder.render.filters import sci, unit
from indbuilder.sources import PACKAGED_TEMPLATES, template_context, template_dirs

REPO = Path(__file__).resolve().parents[1]
ROOT = REPO  # the example project (indbuilder.yaml, content/) lives at the repository root
TEMPLATES = PACKAGED_TEMPLATES  # src/indbuilder/templates/ectd, packaged with indbuilder
OUTLINES = REPO / "src" / "indbuilder" / "outline" / "data"
LANGS = [("en", "fda"), ("zh", "nmpa")]

_MD_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_LINK = re.compile(r"\[([^\]]*)\]\(<ref:([^>]*)>[^)]*\)")


@pytest.fixture(scope="module")
def dossier() -> Dossier:
    diags = Diagnostics()
    d = load_content(ROOT, ROOT / "content", diags)
    errors = [x.format() for x in diags.sorted() if x.severity.value == "error"]
    assert not errors, "example facts do not load:\n" + "\n".join(errors)
    return d


@pytest.fixture(scope="module")
def env(dossier: Dossier) -> TemplateEnv:
    """The pipeline's search path (sources.template_dirs): the product's modality folders, then the common set."""
    config, _ = load_config(ROOT)
    assert config is not None
    return TemplateEnv(template_dirs(config, dossier), root=REPO)


def context(d: Dossier, lang: str, region: str, record: Any = None, node: Any = None) -> dict[str, Any]:
    """The template context the pipeline builds (``indbuilder.sources.template_context``) plus the
    per-document keys (``lang``, ``region``, ``node``, ``record``)."""
    config, problems = load_config(ROOT)
    assert config is not None, [p.format() for p in problems]

    def narrative(narrative_id: str) -> str:
        n = d.narrative(narrative_id, lang)
        return n.body if n else ""

    ctx = template_context(config, d, region, narrative)
    ctx.update(lang=lang, region=region, node=node or SimpleNamespace(id="", number="", title=""), record=record)
    return ctx


def render(env: TemplateEnv, d: Dossier, name: str, lang: str, region: str, record: Any = None) -> str:
    diags = Diagnostics()
    out = env.render(name, context(d, lang, region, record), lang, diags)
    problems = [x.format() for x in diags.sorted()]
    assert out is not None and not problems, f"{name} [{lang}]:\n" + "\n".join(problems)
    return out.text


def plain(md: str) -> str:
    """Markdown to comparable text: links keep their label (or their target), escapes are removed."""
    md = _LINK.sub(lambda m: m.group(1) or m.group(2), md)
    return _MD_ESCAPED.sub(r"\1", md)


def with_facts(d: Dossier, **changes: Any) -> Dossier:
    return Dossier(facts={**d.facts, **changes}, narratives=d.narratives, sources=d.sources)


def table_rows(md: str, table_id: str) -> list[list[str]]:
    """Body rows (cells) of the pipe table announced by ``Table: ... {#table_id}``."""
    lines = md.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Table:") and "{#" + table_id + "}" in line)
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip():
            if rows:
                break
            continue
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
    return rows[2:]  # drop header and delimiter rows


# ------------------------------------------------------------------ every template renders


def outline_template_nodes() -> list[tuple[str, str, str | None, str]]:
    """(region, template, each-collection, node id) for every Module 2-4 node filled by a template."""
    out = []
    for region in ("fda", "nmpa"):
        data = yaml.safe_load((OUTLINES / f"{region}.yaml").read_text(encoding="utf-8"))

        def walk(nodes):
            for n in nodes:
                fills = n.get("fill") or []
                for f in fills if isinstance(fills, list) else [fills]:
                    tmpl = f.get("template")
                    if tmpl and tmpl.split("/")[0] in ("m2", "m3", "m4"):
                        out.append((region, tmpl, f.get("each"), n["id"]))
                walk(n.get("children") or [])

        walk(data["modules"])
    return sorted(set(out))


def test_every_m234_template_of_the_outlines_exists_in_both_languages():
    nodes = outline_template_nodes()
    assert nodes, "no Module 2-4 template fills found in the outline data"
    missing = []
    for _, tmpl, _, _ in nodes:
        stem = tmpl[: -len(".md.j2")]
        for lang in ("en", "zh"):
            # a template may live only in modality folders (3.2.A.2: cell therapies and proteins)
            if not any(base.joinpath(f"{stem}.{lang}.md.j2").is_file() for base in [TEMPLATES, *TEMPLATES.joinpath("modalities").iterdir()]):
                missing.append(f"{stem}.{lang}.md.j2")
    assert not missing, "templates missing: " + ", ".join(sorted(set(missing)))


@pytest.mark.parametrize("lang,region", LANGS)
def test_every_m234_template_renders_without_diagnostics(env, dossier, lang, region):
    rendered = 0
    for reg, tmpl, each, node_id in outline_template_nodes():
        if reg != region:
            continue
        if each == "studies":
            for s in dossier.studies:
                if s.ich_node == node_id:
                    render(env, dossier, tmpl, lang, region, record=s)
                    rendered += 1
        else:
            render(env, dossier, tmpl, lang, region)
            rendered += 1
    assert rendered > 40


def _zh_prose_problems(text: str, english_facts: tuple[str, ...] = ()) -> list[str]:
    """English words in a Chinese document, ignoring links and facts the model keeps in English only."""
    body = plain(_LINK.sub("", text))
    for fact in english_facts:
        body = body.replace(fact, "")
    return [w for w in (" the ", " and ", " of ", " is ", "Table: T") if w in body]


def _english_only_facts(d: Dossier) -> tuple[str, ...]:
    """Fact strings that have no Chinese form in the model (plain ``str`` fields)."""
    values = [m.reference for m in d.methods if m.reference]
    values += [m.supplier for m in d.materials if isinstance(m.supplier, str)]  # a {en, zh} supplier has Chinese
    values.append(d.product.substance_name)
    if d.product.vector and d.product.vector.generation:
        values.append(d.product.vector.generation)
    return tuple(sorted(set(values), key=len, reverse=True))


def test_chinese_m234_documents_contain_no_english_sentences(env, dossier):
    bad = {}
    for reg, tmpl, each, node_id in outline_template_nodes():
        if reg != "nmpa":
            continue
        records = [s for s in dossier.studies if s.ich_node == node_id] if each == "studies" else [None]
        for rec in records:
            problems = _zh_prose_problems(
                render(env, dossier, tmpl, "zh", "nmpa", record=rec), _english_only_facts(dossier)
            )
            if problems:
                bad[tmpl] = problems
    assert not bad, bad


def test_english_prose_detector_fires_on_english_text():
    assert _zh_prose_problems("本品 is stable and of good quality") == [" and ", " of ", " is "]
    assert _zh_prose_problems("本品在液氮气相中保存。") == []


# ------------------------------------------------------------------ 3.2.P.5.1 specification


@pytest.mark.parametrize("lang,region", LANGS)
def test_specification_lists_every_test_with_its_criterion_and_method(env, dossier, lang, region):
    md = render(env, dossier, "m3/32p51-specifications.md.j2", lang, region)
    rows = table_rows(md, "tbl-p51-spec")
    tests = dossier.drug_product.specification.tests
    assert len(rows) == len(tests)
    methods = dossier.index("methods")
    for row, test in zip(rows, tests):
        cells = [plain(c) for c in row]
        assert cells[1] == test.name.get(lang)
        assert cells[2].startswith(methods[test.method].title.get(lang))
        assert cells[3] == test.acceptance.get(lang)
    assert dossier.drug_product.specification.version in plain(md)


# ------------------------------------------------------------------ 3.2.P.5.4 batch analyses


_SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def parse_number(cell: str) -> float:
    """A reported number back to a float: ``92.5``, ``1,234``, ``2.46 × 10⁷`` (units after it ignored)."""
    m = re.match(r"^(-?[\d,]+(?:\.\d+)?)(?:\s*×\s*10([⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+))?", cell.strip())
    assert m, f"no number in {cell!r}"
    value = float(m.group(1).replace(",", ""))
    if m.group(2):
        value *= 10 ** int(m.group(2).translate(_SUPER))
    return value


@pytest.mark.parametrize("lang,region", LANGS)
def test_batch_analyses_report_every_result_of_every_lot(env, dossier, lang, region):
    md = render(env, dossier, "m3/32p54-batch-analyses.md.j2", lang, region)
    text = plain(md)
    batches = dossier.batches
    assert batches
    info = table_rows(md, "tbl-p54-batches")
    assert [plain(r[0]) for r in info] == [b.id for b in batches]
    results = table_rows(md, "tbl-p54-results")
    tests = dossier.drug_product.specification.tests
    assert len(results) == len(tests)
    for row, test in zip(results, tests):
        assert len(row) == 2 + len(batches)
        for cell, b in zip(row[2:], batches):
            cell = plain(cell)
            if test.id not in b.results:
                assert cell == "—"
                continue
            v = b.results[test.id]
            if isinstance(v, str):
                assert cell  # qualitative outcome, translated for zh
                if lang == "en":
                    assert cell.lower().startswith(v.lower())
            else:
                assert math.isclose(parse_number(cell), v, rel_tol=5e-3), (cell, v)
    for b in batches:
        assert b.id in text


@pytest.mark.parametrize("lang,region", LANGS)
def test_batch_analyses_mark_results_outside_the_criterion(env, dossier, lang, region):
    good = render(env, dossier, "m3/32p54-batch-analyses.md.j2", lang, region)
    failing = [
        (b, t) for b in dossier.batches for t in dossier.drug_product.specification.tests
        if t.id in b.results and not t.limit.passes(b.results[t.id])
    ]
    assert ("†" in good) == bool(failing)
    # make the first numeric min/max result of the first drug product lot fail its limit
    dp = dossier.drug_product
    lot = dp.batches[0]
    test = next(
        t for t in dossier.drug_product.specification.tests
        if t.limit.kind in ("min", "max") and isinstance(lot.results.get(t.id), (int, float))
    )
    bad_value = (test.limit.min - 1) if test.limit.kind == "min" else (test.limit.max + 1)
    bad_lot = lot.model_copy(update={"results": {**lot.results, test.id: bad_value}})
    bad = with_facts(dossier, drug_product=dp.model_copy(update={"batches": [bad_lot, *dp.batches[1:]]}))
    md = render(env, bad, "m3/32p54-batch-analyses.md.j2", lang, region)
    row = next(r for r in table_rows(md, "tbl-p54-results") if plain(r[0]) == test.name.get(lang))
    assert "†" in row[2]
    assert lot.id in plain(md).split("†")[-1]  # the lot is named in the text after the legend


# ------------------------------------------------------------------ 3.2.P.8.1 stability summary


@pytest.mark.parametrize("lang,region", LANGS)
def test_stability_summary_states_shelf_life_and_in_use_time(env, dossier, lang, region):
    text = plain(render(env, dossier, "m3/32p81-stability-summary.md.j2", lang, region))
    p = dossier.product
    assert str(unit(p.shelf_life.value, p.shelf_life.unit, lang=lang)) in text
    assert str(unit(p.in_use_time.value, p.in_use_time.unit, lang=lang)) in text
    assert p.storage.condition.get(lang) in text
    for st in dossier.stability:
        assert st.title.get(lang) in text
        for lot in st.lots:
            assert lot in text


@pytest.mark.parametrize("lang,region", LANGS)
def test_stability_summary_flags_a_shelf_life_beyond_the_data(env, dossier, lang, region):
    marker = {"en": "extends beyond the real-time data", "zh": "超出了现有实时数据"}[lang]
    p = dossier.product
    supported = any(
        st.supports == "shelf-life" and p.shelf_life.in_unit(st.time_unit) <= st.longest.value
        for st in dossier.stability
    )
    text = plain(render(env, dossier, "m3/32p81-stability-summary.md.j2", lang, region))
    assert (marker in text) == (not supported)
    longest = max(
        (st.longest.in_unit(p.shelf_life.unit) for st in dossier.stability if st.supports == "shelf-life"),
        default=0,
    )
    longer = p.model_copy(update={"shelf_life": p.shelf_life.model_copy(update={"value": longest * 2 + 1})})
    text = plain(render(env, with_facts(dossier, product=longer), "m3/32p81-stability-summary.md.j2", lang, region))
    assert marker in text


# ------------------------------------------------------------------ 2.6.7 toxicology tables

TOX = {"single-dose-toxicity", "repeat-dose-toxicity", "genotoxicity", "tumorigenicity", "local-tolerance", "other-toxicity"}


@pytest.mark.parametrize("lang,region", LANGS)
def test_toxicology_tabulated_summary_lists_every_toxicology_study(env, dossier, lang, region):
    md = render(env, dossier, "m2/267-toxicology-tabulated.md.j2", lang, region)
    text = plain(md)
    tox = [s for s in dossier.studies if s.category in TOX]
    assert tox, "the example dossier has no toxicology study"
    overview = table_rows(md, "tbl-267-overview")
    assert len(overview) == len(tox)
    for s in tox:
        assert s.study_number in text
        assert s.species.get(lang) in text
        for lot in s.test_article_lots:
            assert lot in text
        if s.noael:
            assert str(sci(s.noael.value)) in text
    numbers = [plain(row[-1]) for row in overview]
    assert numbers == [s.study_number for s in tox]  # only toxicology studies, in dossier order


def test_chinese_batch_results_use_chinese_qualitative_outcomes(env, dossier):
    md = render(env, dossier, "m3/32p54-batch-analyses.md.j2", "zh", "nmpa")
    cells = {plain(c) for row in table_rows(md, "tbl-p54-results") for c in row[2:]}
    english = {v for b in dossier.batches for v in b.results.values() if isinstance(v, str)}
    assert english, "the example batches have no qualitative result"
    untranslated = {c for c in cells if c.lower() in {e.lower() for e in english}}
    assert not untranslated, f"untranslated results in the NMPA batch table: {sorted(untranslated)}"


# ------------------------------------------------------------------ Module 4 study reports

STAND_IN = {"en": "stands in for the", "zh": "代替"}


@pytest.mark.parametrize("lang,region", LANGS)
def test_study_report_synopsis_of_every_study(env, dossier, lang, region):
    assert dossier.studies
    for s in dossier.studies:
        md = render(env, dossier, "m4/study-report.md.j2", lang, region, record=s)
        text = plain(md)
        assert STAND_IN[lang] in text
        assert s.study_number in text
        assert s.title.get(lang) in text
        assert s.key_findings.get(lang) in text
        assert s.glp_statement.get(lang) in text
        for lot in s.test_article_lots:
            assert lot in text
        doses = table_rows(md, f"tbl-m4-{s.id}-doses") if s.dose_levels else []
        assert [parse_number(plain(r[1])) for r in doses] == pytest.approx([d.value for d in s.dose_levels], rel=1e-2)
        if s.noael:
            assert str(sci(s.noael.value)) in text


@pytest.mark.parametrize("lang,region", LANGS)
@pytest.mark.parametrize("name,table", [("m3/33-literature-references.md.j2", "tbl-33-literature"), ("m4/43-literature-references.md.j2", "tbl-43-literature")])
def test_literature_reference_lists_every_reference(env, dossier, lang, region, name, table):
    md = render(env, dossier, name, lang, region)
    rows = table_rows(md, table)
    refs = sorted(dossier.literature, key=lambda r: r.id)
    assert refs, "the example dossier has no literature"
    assert [plain(r[2]) for r in rows] == [r.title for r in refs]
    assert [int(plain(r[4])) for r in rows] == [r.year for r in refs]


@pytest.mark.parametrize("lang,region", LANGS)
def test_stability_data_tables_hold_every_result(env, dossier, lang, region):
    md = render(env, dossier, "m3/32p83-stability-data.md.j2", lang, region)
    tests = {t.id: t for t in dossier.drug_product.specification.tests}
    assert dossier.stability
    for st in dossier.stability:
        rows = table_rows(md, f"tbl-p83-{st.id}")
        expected = [(lot, tid) for lot in st.lots for tid in st.tests if tid in tests]
        assert [(plain(r[0]), plain(r[1])) for r in rows] == [(lot, tests[t].name.get(lang)) for lot, t in expected]
        for row, (lot, tid) in zip(rows, expected):
            cells = [plain(c) for c in row[3:]]
            assert len(cells) == len(st.timepoints)
            for cell, tp in zip(cells, st.timepoints):
                v = tp.results.get(lot, {}).get(tid)
                if v is None:
                    assert cell == "—"
                elif isinstance(v, str):
                    assert cell and (lang == "zh" or cell.lower() == v.lower())
                else:
                    assert math.isclose(parse_number(cell), v, rel_tol=5e-3), (st.id, lot, tid, cell, v)


_GLUED_HEADING = re.compile(r"[^\s#{\\]#{1,3} \S")  # "text# Heading": a block tag ate the blank line
_GLUED_SENTENCE = re.compile(r"[a-z0-9)]\.(?=[A-Z][a-z]{2})")  # "criteria.The": a block tag ate the space
_GLUED_TABLE = re.compile(r"^[^|\n][^\n]*\|-{3}", re.M)  # a table delimiter row not at the start of a line
_EMPTY_ROW = re.compile(r"^\|(?:[ \t]*\|)+[ \t]*$", re.M)  # a row of empty cells (e.g. a blank header row)


def layout_problems(md: str, lang: str) -> list[str]:
    text = plain(md)
    found = [m.group(0) for rx in (_GLUED_HEADING, _GLUED_TABLE, _EMPTY_ROW) for m in rx.finditer(md)]
    if lang == "en":
        found += [text[max(0, m.start() - 20) : m.end() + 10] for m in _GLUED_SENTENCE.finditer(text)]
    return found


def test_layout_detector_fires_on_glued_blocks():
    assert layout_problems("All good.The next", "en")
    assert layout_problems("段落# 标题", "zh")
    assert layout_problems("Table text| a |\n|---|", "en") == [] and layout_problems("text |---|", "en")
    assert layout_problems("| | |\n|---|---|\n| a | b |", "en") == ["| | |"]
    assert layout_problems("# Title\n\nAll good. The next (Ph. Eur.) e.g. 2.6.7\n\n| a |\n|---|\n", "en") == []


@pytest.mark.parametrize("lang,region", LANGS)
def test_rendered_documents_keep_their_block_layout(env, dossier, lang, region):
    bad = {}
    for reg, tmpl, each, node_id in outline_template_nodes():
        if reg != region:
            continue
        records = [s for s in dossier.studies if s.ich_node == node_id] if each == "studies" else [None]
        for rec in records:
            problems = layout_problems(render(env, dossier, tmpl, lang, region, record=rec), lang)
            if problems:
                bad[tmpl] = problems
    assert not bad, bad


@pytest.mark.parametrize("lang,region", LANGS)
def test_qos_summarises_the_observed_range_of_every_test(env, dossier, lang, region):
    md = render(env, dossier, "m2/23p-drug-product.md.j2", lang, region)
    rows = table_rows(md, "tbl-23p-results")
    tests = dossier.drug_product.specification.tests
    assert len(rows) == len(tests)
    for row, test in zip(rows, tests):
        assert plain(row[0]) == test.name.get(lang)
        values = [b.results[test.id] for b in dossier.batches if test.id in b.results]
        numbers = [v for v in values if not isinstance(v, str)]
        cell = plain(row[2])
        assert f"{len(values)}" in cell  # the number of lots
        if numbers:
            parts = cell.split("–")
            assert math.isclose(parse_number(parts[0]), min(numbers), rel_tol=5e-3), (test.id, cell)
            assert math.isclose(parse_number(parts[-1]), max(numbers), rel_tol=5e-3), (test.id, cell)


def _variants(d: Dossier) -> dict[str, Dossier]:
    """The example facts changed the way another project's facts could differ."""
    p = d.product
    return {
        "no-vector": with_facts(d, product=p.model_copy(update={"vector": None})),
        "one-batch": with_facts(d, batches=d.batches[:1]),
        "shelf-life-study-only": with_facts(d, stability=[s for s in d.stability if s.supports == "shelf-life"]),
        "no-literature": with_facts(d, literature=[]),
    }


@pytest.mark.parametrize("variant", ["no-vector", "one-batch", "shelf-life-study-only", "no-literature"])
@pytest.mark.parametrize("lang,region", LANGS)
def test_templates_render_for_other_facts(env, dossier, variant, lang, region):
    d = _variants(dossier)[variant]
    for reg, tmpl, each, node_id in outline_template_nodes():
        if reg != region:
            continue
        for rec in ([s for s in d.studies if s.ich_node == node_id] if each == "studies" else [None]):
            render(env, d, tmpl, lang, region, record=rec)


def _excipients(d: Dossier) -> list:
    """The drug product's materials other than its active ingredient, as the templates define (m3/_macros EXCIPIENTS)."""
    return [m for m in d.drug_product.materials if not (m.function.get("en") or "").lower().startswith("active")]


@pytest.mark.parametrize("lang,region", LANGS)
def test_excipients_of_human_or_animal_origin_are_listed_only_when_present(env, dossier, lang, region):
    name = "m3/32p45-excipients-human.md.j2"
    excipients = _excipients(dossier)
    assert excipients
    bio = [m for m in excipients if m.origin in ("human", "animal")]
    md = render(env, dossier, name, lang, region)
    assert ("tbl-p45-bio" in md) == bool(bio)
    first = excipients[0]
    dp = dossier.drug_product
    changed = [m.model_copy(update={"origin": "human"}) if m.id == first.id else m for m in dp.materials]
    md = render(env, with_facts(dossier, drug_product=dp.model_copy(update={"materials": changed})), name, lang, region)
    rows = table_rows(md, "tbl-p45-bio")
    expected = [m.name.get(lang) for m in changed if m.id in {e.id for e in excipients} and m.origin in ("human", "animal")]
    assert [plain(r[0]) for r in rows] == expected
