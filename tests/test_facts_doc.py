"""docs/facts.md is the generated field reference: it must match what the fact model generates now."""

from __future__ import annotations

from pathlib import Path

from indbuilder.factdoc import REGENERATE, example_projects, render
from indbuilder.model.dossier import SECTIONS

REPO = Path(__file__).resolve().parents[1]


def test_docs_facts_md_is_up_to_date() -> None:
    expected = render(example_projects(REPO))
    current = (REPO / "docs" / "facts.md").read_text(encoding="utf-8")
    assert current == expected, f"docs/facts.md is stale: regenerate it from the repository root with `{REGENERATE}` (or `make docs`)"


def test_reference_covers_every_section_and_nested_key() -> None:
    text = render(example_projects(REPO))
    for name in SECTIONS:
        assert f"\n## {name}\n" in text
    # nested keys, a key the writer chooses, allowed values, a modality's and a region's need, an example
    assert "| `drug_product.batches[].results.<id>` |" in text
    assert "one of `cells/kg`, `cells`, `mg/kg`" in text
    row = next(line for line in text.splitlines() if line.startswith("| `product.structure` |"))
    assert "| small-molecule: 3.2.S.1.2 shows the structure" in row
    # MCT-101 has no structure: the example comes from the small-molecule example project
    smiles = next(line for line in text.splitlines() if line.startswith("| `product.structure.smiles` |"))
    assert smiles.split("|")[-2].strip().startswith("`") and len(smiles.split("|")[-2].strip()) > 5
    assert "| `regulatory.nmpa` |" in text and "nmpa region" in text
    assert text.count("| `product.phase` | one of `'1'`, `1/2`") == 1  # a string YAML would read as a number is quoted
    assert "| `product.code` | string | yes |  |" in text and "| `MCT-101` |" in text


def test_without_examples_the_default_or_type_is_the_example() -> None:
    text = render([])
    assert "| `protocol.safety_factor` | number > 0 | no (default 10.0) |" in text
    row = next(line for line in text.splitlines() if line.startswith("| `protocol.date` |"))
    assert row.endswith("| `2026-01-31` |")
