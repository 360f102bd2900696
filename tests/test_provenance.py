"""Document provenance (which facts, narratives and templates a rendered document used) and the derived
regulatory values that templates and checks share (indbuilder.derived)."""

from __future__ import annotations

from pathlib import Path

import pytest

from indbuilder import derived
from indbuilder.build import RenderedDoc
from indbuilder.diagnostics import Diagnostics
from indbuilder.doctree import document_text
from indbuilder.model.common import Quantity
from indbuilder.pipeline import analyse
from indbuilder.render.provenance import Provenance, Recorder, index_facts
from example_project import copy_example

EXAMPLE = Path(__file__).resolve().parents[1]
P81 = "m3-2-p-8-1-stability-summary-and-conclusion"
NOT_COVERED = {"en": "extends beyond the real-time data", "zh": "超出了现有实时数据"}


def analysis(root: Path, region: str):  # type: ignore[no-untyped-def]
    diags = Diagnostics()
    project = analyse(root, [region], diags)
    assert project is not None, [d.format() for d in diags.sorted()]
    return project, diags


@pytest.fixture(scope="module")
def fda():  # type: ignore[no-untyped-def]
    project, _ = analysis(EXAMPLE, "fda")
    [rb] = project.regions
    return project, rb


def doc(rb, element: str) -> RenderedDoc:  # type: ignore[no-untyped-def]
    return next(d for d in rb.documents if d.element == element)


# ------------------------------------------------------------------ what a document records


def test_stability_summary_records_the_shelf_life_and_its_templates(fda):  # type: ignore[no-untyped-def]
    _, rb = fda
    prov = doc(rb, P81).provenance
    assert ("product", "shelf_life", "value") in prov.facts
    assert prov.uses("product", "shelf_life")
    assert prov.uses("product", "in_use_time", "unit")
    # every stability study of the example is read, by its record id (as Dossier.where takes it)
    project, _ = fda
    for st in project.dossier.stability:
        assert prov.uses(project.dossier.part_of("stability", st.id), "stability", st.id), st.id
    assert "src/indbuilder/templates/ectd/m3/32p81-stability-summary.en.md.j2" in prov.templates
    assert "src/indbuilder/templates/ectd/m3/_macros.j2" in prov.templates  # the imported macro file
    assert not any(t.endswith(".zh.md.j2") for t in prov.templates)


def test_fact_paths_name_records_by_id_and_fields_as_where_takes_them(fda):  # type: ignore[no-untyped-def]
    project, rb = fda
    prov = doc(rb, "m3-2-p-5-4-batch-analyses").provenance
    lot = project.dossier.batches[0]
    test_id = next(iter(lot.results))
    assert ("drug_product", "batches", lot.id, "results", test_id) in prov.facts
    for path in prov.facts:  # every recorded path leads to a source location of the facts
        assert project.dossier.where(*path) is not None, path


def test_a_document_that_does_not_use_batches_has_no_batch_path(fda):  # type: ignore[no-untyped-def]
    _, rb = fda
    prov = doc(rb, "m1-3-1-4-transfer-of-obligation").provenance
    assert prov.from_template and prov.facts  # it did read facts (sponsor, protocol …)
    assert not any(f[0] == "batches" or f[:2] == ("drug_product", "batches") for f in prov.facts), sorted(prov.facts)
    assert not prov.uses("batches") and not prov.uses("drug_product", "batches")


def test_a_rendered_narrative_is_in_its_documents_provenance(tmp_path):  # type: ignore[no-untyped-def]
    root = copy_example(tmp_path / "p")
    (root / "content" / "narratives" / "stability-note.en.md").write_text(
        "---\nid: stability-note\nlang: en\ntitle: Stability note\n---\n"
        "Note on storage: the in-use time is {{ product.in_use_time.value }} hours.\n",
        encoding="utf-8",
    )
    tmpl = root / "templates" / "ectd" / "m3" / "32p81-stability-summary.en.md.j2"
    tmpl.write_text(tmpl.read_text(encoding="utf-8") + '\n{{ narrative("stability-note") }}\n', encoding="utf-8")
    project, _ = analysis(root, "fda")
    [rb] = project.regions
    p81 = doc(rb, P81)
    assert "Note on storage" in document_text(p81.doc)
    assert p81.provenance.narratives == {"content/narratives/stability-note.en.md"}
    assert ("product", "in_use_time", "value") in p81.provenance.facts  # read by the narrative's Jinja
    others = [d for d in rb.documents if d is not p81]
    assert not any("content/narratives/stability-note.en.md" in d.provenance.narratives for d in others)
    # a document rendered from a narrative file names that file
    from_file = [d for d in rb.documents if d.planned.kind == "narrative"]
    assert from_file
    for d in from_file:
        assert d.planned.narrative in d.provenance.narratives


def test_provenance_uses_reads_above_and_below():
    prov = Provenance(frozenset({("product", "shelf_life", "value"), ("batches",)}))
    assert prov.uses("product", "shelf_life")  # below
    assert prov.uses("product", "shelf_life", "value", "x")  # the read value contains it
    assert not prov.uses("product", "in_use_time")
    assert prov.uses("batches") and not prov.uses("batches", "LOT-01")  # a bare section is not above


def test_recorder_maps_objects_to_paths():
    q = Quantity(value=12, unit="months")
    idx = index_facts({"product": {"shelf_life": q}})
    rec = Recorder(idx, {})
    rec.read(q, "value", 12.0)
    rec.used(q, "unit")
    rec.read(object(), "x", 1)  # not a fact: nothing recorded
    assert rec.provenance().facts == {("product", "shelf_life", "value"), ("product", "shelf_life", "unit")}


# ------------------------------------------------------------------ derived values


def test_derived_coverage_of_the_example(fda):  # type: ignore[no-untyped-def]
    project, _ = fda
    d = derived.compute(project.dossier)
    assert d is derived.compute(project.dossier)  # computed once per dossier
    assert d.shelf_life is not None and d.shelf_life.covered
    assert d.in_use_time is not None and d.in_use_time.covered
    longer = project.dossier.product.shelf_life.model_copy(update={"value": (d.shelf_life.supported or 0) + 1})
    cov = derived.Coverage(
        "shelf_life", "shelf-life", longer, d.shelf_life.studies, d.shelf_life.supported, d.shelf_life.study
    )
    assert not cov.covered


def test_derived_dose_margins_of_the_example(fda):  # type: ignore[no-untyped-def]
    project, _ = fda
    m = derived.compute(project.dossier).dose
    assert m is not None and m.governing is not None
    p = project.dossier.protocol
    assert m.start_cohort is p.cohorts[0]
    assert m.start_margin == pytest.approx(m.governing.value / p.cohorts[0].dose)
    assert m.start_margin >= p.safety_factor  # the example leaves at least the protocol's margin


@pytest.mark.parametrize("region,lang", [("fda", "en"), ("nmpa", "zh")])
def test_template_and_check_agree_on_a_changed_shelf_life(region, lang, tmp_path):  # type: ignore[no-untyped-def]
    root = copy_example(tmp_path / "p")
    path = root / "content" / "product.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  shelf_life:\n    value: 12\n" in text
    path.write_text(text.replace("  shelf_life:\n    value: 12\n", "  shelf_life:\n    value: 18\n"), encoding="utf-8")
    project, diags = analysis(root, region)
    cov = derived.compute(project.dossier).shelf_life
    assert cov is not None and not cov.covered
    fired = [d for d in diags if d.rule == "cmc.stability-shelf-life" and "shelf life of 18 months exceeds" in d.message]
    assert fired, [d.format() for d in diags]
    [rb] = project.regions
    text = document_text(doc(rb, P81).doc)
    assert NOT_COVERED[lang] in text
    assert "18" in text


def test_template_says_covered_when_the_data_cover_the_claim(fda):  # type: ignore[no-untyped-def]
    _, rb = fda
    text = document_text(doc(rb, P81).doc)
    assert NOT_COVERED["en"] not in text
    assert "is covered by real-time data" in text
