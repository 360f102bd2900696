"""Every registered rule cites the regulation or guideline it comes from, never a file users do not have.

``indbuilder rules ID`` shows a rule's summary, explanation and basis to users. The development
reference notes of this project (Markdown files kept beside the repository) are not shipped, so a
basis such as "see notes.md §5" would send a user to nothing.
"""

from __future__ import annotations

import re

import pytest

from indbuilder.rules import Rule, all_rules

_MD_FILE = re.compile(r"[\w./-]+\.md\b", re.I)
RULES = all_rules()
# the consistency-rule families (src/indbuilder/checks/): each rule states where it comes from
CHECK_FAMILIES = {"cmc", "china", "dose", "identity", "trace", "protocol", "cgt", "completeness", "dates", "ref",
                  "units", "xref", "guidelines", "nonclinical", "consent"}


def _user_text(rule: Rule) -> str:
    return "\n".join((rule.summary, rule.explanation, rule.basis))


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_cites_no_reference_file(rule: Rule) -> None:
    text = _user_text(rule)
    if rule.id.split(".")[0] in CHECK_FAMILIES:
        assert rule.basis.strip(), f"{rule.id} has no basis"
    assert not _MD_FILE.search(text), f"{rule.id} cites a file: {_MD_FILE.search(text).group(0)!r} in {text!r}"
    assert "shared/" not in text, f"{rule.id} points to the development folder: {text!r}"


def test_registry_is_loaded() -> None:
    """The parametrised test above sees every rule family (a failed import would hide rules)."""
    families = {r.id.split(".")[0] for r in RULES}
    assert {"cmc", "china", "dose", "xref", "ectd", "pdf", "identity", "trace"} <= families
    assert len(RULES) > 200
