"""The rule catalog on the example dossier: quiet on it, and the issue's mutation tests on a copy of it.

Mutations are located from the loaded facts (``dossier.where``), not from hard-coded line numbers, so they
keep working while the example evolves; each must make the right rule fire at the right file:line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checks_helpers import EXAMPLE, findings, load_context, run
from indbuilder.diagnostics import Diagnostics, Location
from indbuilder.pipeline import check_project
from example_project import copy_example

RULE_PREFIXES = ("ref.", "identity.", "dates.", "cmc.", "trace.", "dose.", "protocol.", "cgt.", "china.", "units.", "nonclinical.", "consent.")
MY_COMPLETENESS = {
    "completeness.qos-body-match",
    "completeness.glp-statement",
    "completeness.pivotal-not-glp",
    "completeness.label-statement",
    "completeness.environmental-claim",
}


def mine(rule: str) -> bool:
    return rule.startswith(RULE_PREFIXES) or rule in MY_COMPLETENESS


def set_value(root: Path, loc: Location, key: str, value: str) -> int:
    """Rewrite ``key: <value>`` on the line of ``loc`` (block or flow style); returns the line number."""
    path = root / loc.path
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    line = lines[loc.line - 1]
    new, n = re.subn(rf"(\b{re.escape(key)}:\s*)([^,}}\n]+)", lambda m: m.group(1) + value, line, count=1)
    assert n == 1, f"no '{key}:' on {loc}: {line!r}"
    lines[loc.line - 1] = new
    path.write_text("".join(lines), encoding="utf-8")
    return loc.line


def replace_on_line(root: Path, loc: Location, old: str, new: str) -> None:
    path = root / loc.path
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[loc.line - 1], (loc, old)
    lines[loc.line - 1] = lines[loc.line - 1].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")


@pytest.fixture(scope="module")
def example_run():
    """The full ``indbuilder check`` of the example (facts, plan, rendered documents, rules, waivers)."""
    diags, project = check_project(EXAMPLE)
    assert project is not None
    return diags, project


@pytest.fixture(scope="module")
def example_check(example_run):
    return example_run[0]


def test_example_facts_are_quiet():
    """Fact-level rules are quiet on the example (its indbuilder.yaml waivers, with justification, apply)."""
    ctx, _ = load_context(EXAMPLE)
    diags = Diagnostics(run(EXAMPLE))
    diags.apply_policy(dict(ctx.config.settings.severity), ctx.config.waivers)
    assert [d.format() for d in diags if d.counts] == []
    for d in diags:  # a waived finding keeps its written justification
        assert d.waived and len(d.waived) > 40


def test_example_documents_are_quiet(example_check):
    """No rule of the catalog fires on the rendered example (waived findings carry their justification)."""
    assert [d.format() for d in example_check if mine(d.rule) and d.counts] == []


def test_example_documents_were_checked(example_run):
    """The check really saw rendered documents of both regions (the rules above were not vacuous)."""
    project = example_run[1]
    assert {rb.region for rb in project.regions} == {"fda", "nmpa"}
    assert all(sum(d.document is not None for d in rb.docs) > 20 for rb in project.regions)


def test_rules_find_the_example_documents_they_read(example_run):
    """Every element the document rules read exists in the rendered example, and each document has a source."""
    from indbuilder.checks import CheckContext
    from indbuilder.checks import support as S

    project = example_run[1]
    ctx = CheckContext(project.config, project.dossier, project.regions)
    fda = [S.FDA_IB, S.FDA_LABELS, S.FDA_PLAN, S.FDA_COVER, S.P81, S.P51]
    nmpa = [S.CN_COVER, S.CN_FORM, S.CN_INSERT, S.CN_LABELS, S.CN_MFG_TESTING, S.CN_PROTOCOL, S.CN_ICF, S.CN_IB, S.P81, S.P51]
    assert [e for e in fda if not S.docs_at(ctx, [e], "fda")] == []
    assert [e for e in nmpa if not S.docs_at(ctx, [e], "nmpa")] == []
    protocols = [d for d in S.rendered(ctx) if S.is_protocol_doc(d, project.dossier.protocol.number)]
    assert sorted(d.region for d in protocols) == ["fda", "nmpa"]
    assert [(d.region, d.element) for d in S.rendered(ctx) if d.source is None] == []


# ------------------------------------------------------------------ the mutation tests


def _mutate_and_check(tmp_path, mutate):
    root = copy_example(tmp_path / "example")
    ctx, _ = load_context(root)
    expected = mutate(root, ctx.dossier)
    return root, run(root), expected


def _assert_fires(diags, rule, path, line, fragment):
    hits = [d for d in findings(diags, rule) if fragment in d.message]
    assert hits, f"{rule} with {fragment!r} not in {[d.format() for d in diags]}"
    assert (hits[0].location.path, hits[0].location.line) == (path, line), hits[0].format()


def test_unknown_tox_lot(tmp_path):
    def mutate(root, d):
        study = next(s for s in d.studies if s.pivotal)
        loc = d.where("studies", study.id, "test_article_lots", 0)
        replace_on_line(root, loc, study.test_article_lots[0], "MCT-T-099")
        return study, loc

    root, diags, (study, loc) = _mutate_and_check(tmp_path, mutate)
    _assert_fires(diags, "trace.tox-lot-unknown", loc.path, loc.line,
                  f"study {study.id} uses test-article lot MCT-T-099, which is not in the batch analyses")


def test_batch_out_of_specification(tmp_path):
    def mutate(root, d):
        test = next(t for t in d.drug_product.specification.tests if t.release and t.limit.kind == "max")
        batch = next(b for b in d.batches if test.id in b.results)
        loc = d.where("batches", batch.id, "results", test.id)
        set_value(root, loc, test.id, f"{test.limit.max * 10:g}")
        return batch, test, loc

    root, diags, (batch, test, loc) = _mutate_and_check(tmp_path, mutate)
    _assert_fires(diags, "cmc.batch-oos", loc.path, loc.line,
                  f"batch {batch.id} result for {test.id} ({test.name.en}) is {test.limit.max * 10:g}")


def test_shelf_life_beyond_stability(tmp_path):
    def mutate(root, d):
        longest = max(s.longest.in_unit(d.product.shelf_life.unit) for s in d.stability if s.supports == "shelf-life")
        claim = int(longest) + 12
        set_value(root, d.where("product", "shelf_life", "value"), "value", str(claim))
        return claim, d.where("product", "shelf_life")

    root, diags, (claim, loc) = _mutate_and_check(tmp_path, mutate)
    _assert_fires(diags, "cmc.stability-shelf-life", loc.path, loc.line, f"the claimed shelf life of {claim} months exceeds")


def test_starting_dose_above_margin(tmp_path):
    def mutate(root, d):
        p = d.protocol
        lowest = min(s.noael.value for s in d.studies if s.pivotal and s.noael is not None)
        dose = lowest / 2  # within the NOAEL, but only a 2x margin where the safety factor is 10
        first = p.cohorts[0]
        loc = d.where("protocol", "cohorts", first.id, "dose")
        set_value(root, loc, "dose", f"{dose:.3e}")
        return first, loc

    root, diags, (first, loc) = _mutate_and_check(tmp_path, mutate)
    _assert_fires(diags, "dose.margin", loc.path, loc.line, f"(cohort {first.id}) leaves a margin of 2.0×")


def test_specification_test_without_method(tmp_path):
    def mutate(root, d):
        test = next(iter(d.drug_product.specification.tests))
        loc = d.where("drug_product", "specification", "tests", test.id, "method")
        set_value(root, loc, "method", '""')
        return test, loc

    root, diags, (test, loc) = _mutate_and_check(tmp_path, mutate)
    _assert_fires(diags, "cmc.spec-test-no-method", loc.path, loc.line, f"drug product specification test {test.id} ({test.name.en}) has no method")


def test_check_command_fails_on_a_mutation(tmp_path):
    """Through the real pipeline (``indbuilder check``): the finding is an error with its file:line."""
    root = copy_example(tmp_path / "example")
    ctx, _ = load_context(root)
    study = next(s for s in ctx.dossier.studies if s.pivotal)
    loc = ctx.dossier.where("studies", study.id, "test_article_lots", 0)
    replace_on_line(root, loc, study.test_article_lots[0], "MCT-T-099")
    diags, _ = check_project(root)
    assert diags.has_errors
    hits = findings(diags.sorted(), "trace.tox-lot-unknown")
    assert [(d.location.path, d.location.line) for d in hits] == [(loc.path, loc.line)]
