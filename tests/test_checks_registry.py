"""The rule catalog as a whole: registry, family runner, and the small readers the rules rely on."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from checks_helpers import FIXTURE, load_context
from indbuilder import checks
from indbuilder.checks.limits import passes
from indbuilder.checks.china import chinese_share
from indbuilder.checks.dates import dates_in
from indbuilder.checks.identity import phases_in
from indbuilder.checks.numbers import numbers_in
from indbuilder.checks.support import num
from indbuilder.diagnostics import Diagnostics
from indbuilder.model.cmc import Limit
from indbuilder.rules import all_rules, get

CHECKS_DIR = Path(checks.__file__).parent


def _emitted_ids() -> set[str]:
    """Every literal rule id passed to ``diags.emit`` in the checks package."""
    ids = set()
    for path in CHECKS_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # diags.emit("rule", ...) or a finding built directly: Diagnostic("rule", ...)
            if not isinstance(node, ast.Call):
                continue
            is_emit = getattr(node.func, "attr", None) == "emit" or getattr(node.func, "id", None) == "Diagnostic"
            if is_emit and node.args:
                if isinstance(node.args[0], ast.Constant):
                    ids.add(node.args[0].value)
                else:  # a helper passing its rule through
                    ids.add("<dynamic>")
    return ids


def _defined_ids() -> set[str]:
    ids = set()
    for path in CHECKS_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "define":
                ids.add(node.args[0].value)
    return ids


def test_catalog_size_and_documentation():
    defined = _defined_ids()
    assert len(defined) >= 30
    for rule_id in defined:
        rule = get(rule_id)
        assert rule is not None, rule_id
        assert rule.summary and rule.explanation and rule.basis, rule_id


def test_every_emitted_rule_is_defined():
    emitted = _emitted_ids() - {"<dynamic>"}
    assert emitted and emitted <= _defined_ids()


def test_every_defined_rule_is_emitted():
    """No dead rule: each id defined by the checks package is emitted somewhere in it."""
    assert _defined_ids() - _emitted_ids() == set()


def test_rules_are_in_the_registry_listing():
    listed = {r.id for r in all_rules()}
    assert _defined_ids() <= listed


def test_families_and_selection():
    assert list(checks.FAMILIES) == [
        "references", "identity", "structure", "modality", "completeness", "dates", "cmc", "traceability", "dose", "protocol", "consent", "comedication", "cgt", "guidelines", "nonclinical", "china",
        "placeholders",
    ]
    ctx, _ = load_context(FIXTURE)
    diags = Diagnostics()
    checks.run_checks(ctx, diags, families=["dose"])
    assert list(diags) == []
    with pytest.raises(KeyError):
        checks.run_checks(ctx, diags, families=["doses"])


def test_family_selection_runs_only_that_family(tmp_path):
    from checks_helpers import Edit, apply, copy_project, run

    root = copy_project(FIXTURE, tmp_path / "p")
    apply(root, Edit("content/clinical/protocol.yaml", "sample_size: 9", "sample_size: 10"))
    assert {d.rule for d in run(root, families=["protocol"])} == {"protocol.sample-size"}
    assert run(root, families=["cmc", "dose"]) == []


# ------------------------------------------------------------------ readers


@pytest.mark.parametrize(
    "text,values",
    [
        ("≥ 70 %", [70]),
        ("0.8 × 10^7 to 1.2 × 10^7 cells/mL", [8e6, 1.2e7]),
        ("1.0 × 10⁷ cells", [1e7]),
        ("≤ −150 °C", [-150]),
        ("1,000,000 cells", [1e6]),
        ("≥ 10 ng/10^6 cells/24 h", [10, 1e6, 24]),
        ("aged 18-65", [18, 65]),
        ("2.0e7 and 3E-2", [2e7, 0.03]),
        ("共9例受试者", [9]),
    ],
)
def test_numbers_in(text, values):
    assert numbers_in(text) == pytest.approx(values)


def test_phases_dates_share_and_num():
    assert phases_in("A Phase 1 study; Phase I/II later; phase 1a") == {"1", "1/2"}
    assert phases_in("一项I期研究，后续Ⅱ期") == {"1", "2"}
    assert list(dates_in("dated 15 March 2026, 2026-04-01, April 2, 2026 and 2026年5月3日")) == [
        dt.date(2026, 3, 15), dt.date(2026, 4, 1), dt.date(2026, 4, 2), dt.date(2026, 5, 3)
    ]
    assert chinese_share("无菌 sterility") == pytest.approx(2 / 11)
    assert chinese_share("1234") == 0.0
    assert num(2e7) == "2.0 × 10^7" and num(1.5e-5) == "1.5 × 10^-5" and num(12.5) == "12.5"


def test_numeric_results_written_as_text():
    """PyYAML reads 1.0e7 as text; a numeric limit still evaluates it as the number a reader sees."""
    limit = Limit(kind="range", min=8e6, max=1.2e7)
    assert passes(limit, "1.0e7") and not passes(limit, "1.3e7") and not passes(limit, "n/a")
    assert passes(Limit(kind="equals", equals="negative"), "Negative")


def test_partial_dossiers_do_not_crash(tmp_path):
    """Rules run on whatever validated: a dossier with sections missing gives findings, never a traceback."""
    from indbuilder.checks import CheckContext
    from indbuilder.model.dossier import Dossier

    ctx, _ = load_context(FIXTURE)
    full = ctx.dossier.facts
    for dropped in list(full):
        facts = {k: v for k, v in full.items() if k != dropped}
        checks.run_checks(CheckContext(ctx.config, Dossier(facts, ctx.dossier.narratives, ctx.dossier.sources)), Diagnostics())
    checks.run_checks(CheckContext(ctx.config, Dossier({})), Diagnostics())


def test_stated_sample_sizes():
    from indbuilder.checks.protocol import stated_sample_sizes

    text = ("Over 1,000 patients have received MSCs. A total of 18 subjects will be enrolled, 6 patients per cohort. "
            "计划入组受试者18例。研究共入组12名受试者。Estimated number of participants: 24 in total. 样本量：30例。")
    assert stated_sample_sizes(text) == {18, 6, 12, 24, 30}
    assert stated_sample_sizes("MSCs were given to 2,500 patients in earlier trials.") == set()
