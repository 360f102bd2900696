"""consent.protocol-requirements and protocol.prohibited-medications: the consent form and the IB against
the protocol. Each fires on a copy of the example with the reviewer's contradiction put back, and is quiet
on the three example projects."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks_helpers import EXAMPLE, At, findings, run
from example_project import copy_example, edit
from indbuilder.checks.comedication import prohibitions
from indbuilder.checks.consent import duration_pattern, stated_years
from indbuilder.model.common import Quantity
from indbuilder.pipeline import check_project

CONSENT = "content/clinical/consent.yaml"
PROTO = "content/clinical/protocol.yaml"
IB_EN = "templates/ectd/modalities/cell-therapy/_macros/ib-body.en.j2"
RULES = ("consent.protocol-requirements", "protocol.prohibited-medications", "protocol.concomitant-medications")
EXAMPLES = [EXAMPLE, EXAMPLE / "examples" / "mab-injection", EXAMPLE / "examples" / "small-molecule-tablet"]


def _drop_block(root: Path, file: str, start: str, indent: str = "  ") -> None:
    """Delete the YAML key ``start`` (a line) and its indented block."""
    path = root / file
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    i = next(n for n, line in enumerate(lines) if line.rstrip("\n") == start)
    j = i + 1
    while j < len(lines) and (lines[j].startswith(indent + " ") or not lines[j].strip()):
        j += 1
    path.write_text("".join(lines[:i] + lines[j:]), encoding="utf-8")


def _mine(diags):
    return [d for d in diags if d.rule in RULES]


@pytest.mark.parametrize("project", EXAMPLES, ids=lambda p: p.name)
def test_quiet_on_the_example_facts(project):
    assert [d.format() for d in _mine(run(project, families=["consent", "comedication"]))] == []


@pytest.mark.parametrize("project", EXAMPLES, ids=lambda p: p.name)
def test_quiet_on_the_rendered_examples(project):
    diags, _ = check_project(project)
    assert [d.format() for d in _mine(diags)] == []


def test_contraception_missing_from_the_consent_facts(tmp_path):
    root = copy_example(tmp_path / "p", templates=False)
    _drop_block(root, CONSENT, "  contraception:")
    got = findings(run(root, families=["consent"]), "consent.protocol-requirements")
    assert [(d.location.path, d.location.line) for d in got] == [(CONSENT, At(CONSENT, "consent:").line(root))] * 2
    assert all("does not mention contraception" in d.message and "12 months" in d.message for d in got)


def test_contraception_requirement_read_from_a_criterion(tmp_path):
    """Without a contraception fact, the inclusion criterion that asks for contraception is the requirement."""
    root = copy_example(tmp_path / "p", templates=False)
    _drop_block(root, PROTO, "  contraception:")
    edit(root, CONSENT, "until 12 months after the infusion", "until 6 months after the infusion")
    edit(root, CONSENT, "during those 12 months", "during that time")
    got = findings(run(root, families=["consent"]), "consent.protocol-requirements")
    assert len(got) == 1 and "(en) mentions contraception but not for how long (12 months)" in got[0].message
    assert "inclusion criterion 5" in got[0].message


def test_ltfu_contradicted(tmp_path):
    root = copy_example(tmp_path / "p", templates=False)
    edit(root, CONSENT, "with yearly visits or telephone contacts", "for 10 years, with yearly visits or telephone contacts")
    got = findings(run(root, families=["consent"]), "consent.protocol-requirements")
    assert len(got) == 1 and "states 10 years" in got[0].message and "15 years" in got[0].message
    # a missing consent.ltfu of a gene therapy is a schema error (schema.modality-required), not this rule's


def test_hgr_and_sample_export(tmp_path):
    root = copy_example(tmp_path / "p", templates=False)
    _drop_block(root, PROTO, "  human_genetic_resources:")
    _drop_block(root, CONSENT, "  sample_export:")
    got = findings(run(root, families=["consent"]), "consent.protocol-requirements")
    messages = sorted(d.message for d in got)
    assert len(got) == 2
    assert "does not tell participants that their samples are sent to another country" in messages[0] + messages[1]
    assert any("human genetic resources" in m and "has sites in China" in m for m in messages)


def test_rendered_consent_form_without_contraception(tmp_path):
    """The rendered consent forms (FDA Module 5, NMPA 1.3.4.2) are read: the template has no contraception
    section when the fact is missing, so both fire, at the consent facts."""
    root = copy_example(tmp_path / "p", templates=False)
    _drop_block(root, CONSENT, "  contraception:")
    diags, _ = check_project(root)
    got = findings(diags, "consent.protocol-requirements")
    assert sorted(d.message.split(" does ")[0] for d in got) == ["the FDA consent form", "the NMPA consent form"]
    assert all(d.location.path == CONSENT for d in got)


def test_ib_prohibition_not_in_the_protocol(tmp_path):
    """The reviewer's finding put back: the IB forbids new glucose-lowering agents for 4 weeks, and the
    protocol has no concomitant-medication section."""
    root = copy_example(tmp_path / "p")
    edit(root, IB_EN, "see the\n  prohibited medications below.", "no new\n  glucose-lowering agents during the first 4 weeks.")
    _drop_block(root, PROTO, "  concomitant_medications:")
    diags, _ = check_project(root)
    got = findings(diags, "protocol.prohibited-medications")
    assert len(got) == 1, [d.format() for d in got]
    assert "the FDA Investigator's Brochure says \"no new glucose-lowering agents during the first 4 weeks.\"" in got[0].message
    section = findings(diags, "protocol.concomitant-medications")
    assert len(section) == 1 and section[0].location.path == PROTO


def test_ib_prohibition_for_another_period(tmp_path):
    root = copy_example(tmp_path / "p")
    edit(root, IB_EN, "see the\n  prohibited medications below.", "no new\n  glucose-lowering agents during the first 8 weeks.")
    diags, _ = check_project(root)
    got = findings(diags, "protocol.prohibited-medications")
    assert len(got) == 1, [d.format() for d in got]
    assert "for 8 weeks" in got[0].message and "4 weeks after dosing" in got[0].message
    assert (got[0].location.path, got[0].location.line) == (PROTO, At(PROTO, "id: cm-glucose-lowering").line(root))


def test_prohibition_sentences():
    text = ("- **Prohibited medications** (protocol X-1, section 5.1):\n"
            "  - new glucose-lowering agents are prohibited for 4 weeks after dosing\n"
            "Intra-participant escalation is not permitted.")
    got = prohibitions(text, "en")
    assert [(p.sentence, p.period) for p in got] == [
        ("- new glucose-lowering agents are prohibited for 4 weeks after dosing", Quantity(value=4, unit="weeks"))]
    zh = prohibitions("- 给药后4周内禁止使用新的降糖药物\n- 禁用药物见下文。", "zh")
    assert len(zh) == 1 and zh[0].period == Quantity(value=4, unit="weeks")


def test_duration_wording():
    q = Quantity(value=12, unit="months")
    assert duration_pattern(q, "en").search("for twelve months after")
    assert duration_pattern(q, "en").search("a 12-month period")
    assert not duration_pattern(q, "en").search("for 112 months")
    assert duration_pattern(q, "zh").search("输注后12个月内")
    assert stated_years("followed for 15 years", "en") == {15} and stated_years("随访15年", "zh") == {15}
