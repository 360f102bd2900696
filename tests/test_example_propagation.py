"""A fact changed in one YAML file changes every document that states it, in both regions."""

from __future__ import annotations

import re

import pytest

from example_project import copy_example, edit
from indbuilder.diagnostics import Diagnostics
from indbuilder.doctree import Paragraph, Table, plain_text, walk_blocks
from indbuilder.pipeline import analyse

# 3.2.P.8.1 stability summary and the investigational label of each region
NODES = {
    "fda": ["m3-2-p-8-1-stability-summary-and-conclusion", "m1-14-4-2-investigational-drug-labeling"],
    "nmpa": ["m3-2-p-8-1-stability-summary-and-conclusion", "cn-1-3-2-1"],
}
SHELF_LIFE = {"fda": r"\b{n} months\b", "nmpa": r"{n}\s*个月"}


def document_text(doc) -> str:
    parts = []
    for block in walk_blocks(doc.blocks):
        if isinstance(block, Paragraph):
            parts.append(plain_text(block.children))
        elif isinstance(block, Table):
            parts.extend(plain_text(c.children) for row in block.header + block.rows for c in row)
    return "\n".join(parts)


def texts(root, region):
    diags = Diagnostics()
    project = analyse(root, [region], diags)
    assert not diags.has_errors, [d.format() for d in diags.sorted()]
    [rb] = project.regions
    return {node: "\n".join(document_text(d.document) for d in rb.docs if d.planned.node == node and d.document) for node in NODES[region]}


@pytest.mark.parametrize("region", ["fda", "nmpa"])
def test_shelf_life_flows_into_stability_summary_and_label(region, tmp_path):
    root = copy_example(tmp_path / "p")
    before = texts(root, region)
    for node, text in before.items():
        assert re.search(SHELF_LIFE[region].format(n=12), text), (node, text[:500])
    edit(root, "content/product.yaml", "  shelf_life:\n    value: 12\n", "  shelf_life:\n    value: 9\n")
    after = texts(root, region)
    for node, text in after.items():
        assert re.search(SHELF_LIFE[region].format(n=9), text), node
        assert not re.search(SHELF_LIFE[region].format(n=12) + r".{0,40}(shelf|有效期)", text), node
