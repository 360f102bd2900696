"""Every example's documents speak only of its own modality (issue 10).

For each example project present in the repository (MCT-101 at the root; ``examples/small-molecule-tablet``
and ``examples/mab-injection`` once they exist), ``indbuilder check`` renders every document of every region,
and:

* no ``identity.modality-wording`` finding is reported (no template printed another modality's wording);
* an independent scan of every rendered document's text, written here without the rule's code, finds none
  of the other modalities' patterns, outside the literature reference entries (bibliographic records).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indbuilder import modalities
from indbuilder.pipeline import check_project

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = [p for p in (REPO, REPO / "examples" / "small-molecule-tablet", REPO / "examples" / "mab-injection")
            if (p / "indbuilder.yaml").is_file()]


@pytest.fixture(scope="module", params=EXAMPLES, ids=lambda p: p.name if p != REPO else "mct-101")
def checked(request):
    diags, analysis = check_project(request.param)
    assert analysis is not None, [d.format() for d in diags]
    return request.param, diags, analysis


def test_no_modality_wording_finding(checked):
    root, diags, analysis = checked
    rendered = sum(len(rb.documents) for rb in analysis.regions)
    assert rendered > 20, f"{root}: only {rendered} documents rendered"
    hits = [d.format() for d in diags if d.rule.startswith("identity.modality-wording") and not d.waived]
    assert not hits, "\n".join(hits)


def foreign_patterns(product) -> list[tuple[str, str, re.Pattern[str], str | None]]:
    """(modality, what, pattern, language) of every other modality's wording, the product's own patterns and
    its reviewing FDA centre left out."""
    own = {w.pattern for name in product.modality for w in modalities.get(name).wording}
    out = []
    for name in modalities.names():
        if name in product.modality:
            continue
        for w in modalities.get(name).wording:
            if w.pattern not in own and w.what != product.kind.fda_centre:
                out.append((name, w.what, re.compile(w.pattern, re.I), w.lang))
    return out


def test_rendered_text_has_no_foreign_wording(checked):
    root, _, analysis = checked
    dossier = analysis.project.dossier
    product = dossier.product
    patterns = foreign_patterns(product)
    assert patterns
    titles = [r.title.casefold() for r in dossier.literature]
    found = []
    for rb in analysis.regions:
        for rd in rb.documents:
            for line in rd.text.splitlines():
                if any(t and t in line.casefold() for t in titles):
                    continue  # a literature reference entry
                for name, what, rx, lang in patterns:
                    if lang not in (None, rd.lang):
                        continue
                    m = rx.search(line)
                    if m:
                        found.append(f"{rd.region} {rd.label}: '{m.group(0)}' ({name}: {what}) in: {line[:200]}")
    assert not found, "\n".join(found[:40])
