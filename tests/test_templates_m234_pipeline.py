"""The Module 2-4 documents of the example dossier through the whole pipeline (plan, render, resolve, check).

Cross-references (``ref(...)``) are resolved and the consistency checks run only in the pipeline, so this
test runs ``indbuilder check`` on the example project and asserts that no finding points at a Module 2, 3
or 4 template, and that every planned Module 2-4 document was rendered in both regions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from indbuilder.pipeline import check_project

REPO = Path(__file__).resolve().parents[1]
OWN = ("templates/ectd/m2/", "templates/ectd/m3/", "templates/ectd/m4/", "m2/", "m3/", "m4/")


@pytest.fixture(scope="module")
def checked():
    return check_project(REPO)


def test_no_finding_points_at_a_module_2_to_4_template(checked):
    diags, project = checked
    assert project is not None
    own = [d.format() for d in diags if d.location is not None and d.location.path.startswith(OWN)]
    assert not own, "\n".join(own)


@pytest.mark.parametrize("region", ["fda", "nmpa"])
def test_every_planned_module_2_to_4_document_is_rendered(checked, region):
    _, project = checked
    rb = next(r for r in project.regions if r.region == region)
    planned = [d for d in rb.plan.documents() if d.kind == "template" and (d.template or "").startswith(("m2/", "m3/", "m4/"))]
    assert len(planned) > 40
    rendered = {id(r.planned) for r in rb.docs if r.document is not None}
    missing = [d.template for d in planned if id(d) not in rendered]
    assert not missing, missing
