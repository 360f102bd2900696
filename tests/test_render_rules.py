"""Every rule the render package can emit is registered, explained and has a basis."""

from __future__ import annotations

import re
from pathlib import Path

import indbuilder.render as render
from indbuilder import rules

RENDER_DIR = Path(render.__file__).parent
OWN_PREFIXES = ("template.", "xref.", "narrative.")


def emitted_rule_ids() -> set[str]:
    ids: set[str] = set()
    for py in RENDER_DIR.glob("*.py"):
        ids.update(re.findall(r"""emit\(\s*["']([a-z][\w.-]+)["']""", py.read_text(encoding="utf-8")))
    return ids


def defined_here() -> set[str]:
    ids: set[str] = set()
    for py in RENDER_DIR.glob("*.py"):
        ids.update(re.findall(r"""define\(\s*["']([a-z][\w.-]+)["']""", py.read_text(encoding="utf-8")))
    return ids


def registered() -> dict[str, rules.Rule]:
    # Read the registry as filled by importing indbuilder.render (and what it imports) only:
    # rules.get()/all_rules() would also import every other rule family, which this test is not about.
    return dict(rules._REGISTRY)


def test_every_emitted_rule_is_registered():
    ids = emitted_rule_ids()
    assert {"template.undefined", "template.syntax", "template.error", "xref.unresolved"} <= ids
    missing = sorted(i for i in ids if i not in registered())
    assert missing == []


def test_own_rules_have_explanation_and_basis():
    own = [r for r in registered().values() if r.id in defined_here()]
    assert len(own) == len(defined_here()) >= 12
    assert all(r.id.startswith(OWN_PREFIXES) for r in own)
    weak = [r.id for r in own if not r.explanation or not r.basis or not r.summary]
    assert weak == []
