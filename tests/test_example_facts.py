"""The example dossier's facts: they load cleanly and hang together.

The project's rule checks live in ``indbuilder.checks``; these tests keep the example itself honest.
Each invariant is a small function returning the problems it finds, tested on the real facts (quiet)
and on a deliberately broken copy (fires), so a test can fail for the right reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from indbuilder.config import load_config
from indbuilder.diagnostics import Diagnostics
from indbuilder.loader import load_content
from indbuilder.model.common import convert

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def loaded():
    diags = Diagnostics()
    dossier = load_content(ROOT, ROOT / "content", diags)
    return dossier, diags


@pytest.fixture(scope="module")
def dossier(loaded):
    return loaded[0]


# ------------------------------------------------------------------ invariants


def batches_missing_results(specification, batches) -> list[str]:
    """Every batch has a result for every release test (ind-content.md §5 E2)."""
    tests = [t.id for t in specification.tests if t.release]
    return [f"{b.id}: no result for {t}" for b in batches for t in tests if t not in b.results]


def batches_out_of_spec(specification, batches) -> list[str]:
    tests = {t.id: t for t in specification.tests}
    return [
        f"{b.id}: {tid}={value!r} fails {tests[tid].acceptance.en}"
        for b in batches
        for tid, value in b.results.items()
        if tid in tests and not tests[tid].limit.passes(value)
    ]


def unknown_result_tests(specification, batches) -> list[str]:
    tests = {t.id for t in specification.tests}
    return [f"{b.id}: unknown test {tid}" for b in batches for tid in b.results if tid not in tests]


def unknown_study_lots(studies, batches) -> list[str]:
    """Every test-article lot of a study exists in the batch analyses (§5 F1)."""
    lots = {b.id for b in batches}
    return [f"{s.study_number}: lot {lot}" for s in studies for lot in s.test_article_lots if lot not in lots]


def stability_problems(stability, specification, batches, product) -> list[str]:
    """Stability lots exist, results meet the specification and cover the claimed periods (§5 E8)."""
    lots = {b.id for b in batches}
    tests = {t.id: t for t in specification.tests}
    out: list[str] = []
    for st in stability:
        out += [f"{st.id}: unknown lot {lot}" for lot in st.lots if lot not in lots]
        for tp in st.timepoints:
            for lot, results in tp.results.items():
                if lot not in st.lots:
                    out.append(f"{st.id} t={tp.time}: lot {lot} not in the study")
                for tid, value in results.items():
                    if tid not in st.tests:
                        out.append(f"{st.id}: {tid} not monitored")
                    elif not tests[tid].limit.passes(value):
                        out.append(f"{st.id} t={tp.time} {lot}: {tid}={value!r} out of specification")
    claims = {"shelf-life": product.shelf_life, "in-use-time": product.in_use_time}
    for kind, claim in claims.items():
        supporting = [st for st in stability if st.supports == kind]
        if len(supporting) == 0:
            out.append(f"no stability study supports the {kind}")
            continue
        longest = max(convert(st.longest.value, st.longest.unit, claim.unit) for st in supporting)
        if longest < claim.value:
            out.append(f"{kind} {claim.value} {claim.unit} exceeds the data ({longest} {claim.unit})")
        if min(len(st.timepoints) for st in supporting) < 4:
            out.append(f"{kind}: fewer than 4 time points")
    return out


def dose_margin_problems(protocol, studies) -> list[str]:
    """The starting dose is at most NOAEL / safety factor of the named study (cells/kg, §3.4, G1/G2)."""
    basis = {s.id: s for s in studies}.get(protocol.starting_dose_basis)
    if basis is None or basis.noael is None:
        return [f"starting-dose basis {protocol.starting_dose_basis!r} has no NOAEL"]
    first = min(protocol.cohorts, key=lambda c: c.dose)
    out = []
    if first.unit != basis.noael.unit:
        out.append(f"units differ: {first.unit} vs {basis.noael.unit}")
    if basis.noael.value / first.dose < protocol.safety_factor:
        out.append(f"margin {basis.noael.value / first.dose:g} < {protocol.safety_factor:g}")
    top = max(c.dose for c in protocol.cohorts)
    if top > basis.noael.value:
        out.append(f"highest dose {top:g} above the NOAEL {basis.noael.value:g}")
    return out


def protocol_problems(protocol) -> list[str]:
    """Sample size, objectives -> endpoints -> assessments -> visits all resolve (§5 H5, H6)."""
    out = []
    if protocol.sample_size != sum(c.subjects for c in protocol.cohorts):
        out.append(f"sample size {protocol.sample_size} != sum of cohorts")
    endpoints = {e.id for e in protocol.endpoints}
    assessments = {a.id for a in protocol.assessments}
    visits = {v.id for v in protocol.visits}
    out += [f"{o.id}: endpoint {e}" for o in protocol.objectives for e in o.endpoints if e not in endpoints]
    out += [f"{e.id}: assessment {a}" for e in protocol.endpoints for a in e.assessments if a not in assessments]
    out += [f"{a.id}: visit {v}" for a in protocol.assessments for v in a.visits if v not in visits]
    used = {e for o in protocol.objectives for e in o.endpoints}
    out += [f"endpoint {e} serves no objective" for e in endpoints - used]
    return out


def reference_problems(d) -> list[str]:
    """Ids that facts use to point at other facts all exist."""
    orgs = {o.id for o in d.organisations}
    methods = {m.id for m in d.methods}
    all_steps = [s for _, part in d.parts() for s in part.process.steps]
    steps = {s.id for s in all_steps}
    materials = {m.id for m in d.materials}
    out = []
    refs = [(f"{section}.process.site", part.process.site) for section, part in d.parts()]
    refs.append(("product.manufacturer_id", d.product.manufacturer_id))
    if d.product.vector:
        refs.append(("vector.supplier", d.product.vector.supplier))
    refs += [(f"batch {b.id}.site", b.site) for b in d.batches]
    refs += [(f"method {m.id}.performed_by", m.performed_by) for m in d.methods]
    refs += [(f"study {s.id}.facility", s.facility) for s in d.studies]
    out += [f"{what}: unknown organisation {ref}" for what, ref in refs if ref not in orgs]
    out += [f"test {t.id}: unknown method {t.method}" for t in d.drug_product.specification.tests if t.method not in methods]
    out += [f"material {m.id}: unknown step {s}" for m in d.materials for s in m.steps if s not in steps]
    out += [f"step {s.id}: unknown material {m}" for s in all_steps for m in s.materials if m not in materials]
    return out


# ------------------------------------------------------------------ tests on the example


def test_facts_load_without_any_diagnostic(loaded):
    dossier, diags = loaded
    assert [d.format() for d in diags.sorted()] == []
    for section in ("product", "sponsor", "regulatory", "drug_substance", "drug_product", "protocol", "consent"):
        assert getattr(dossier, section) is not None, section


def test_project_file_loads_and_names_both_regions():
    config, diags = load_config(ROOT)
    assert config is not None and [d.format() for d in diags] == []
    s = config.settings
    assert s.regions == ["fda", "nmpa"] and s.sequence == "0000" and s.formats == ["docx", "pdf"]
    assert set(s.disclaimer) == {"en", "zh"}
    assert (config.standards_dir() / "ich" / "ich-ectd-3-2.dtd").is_file()


def test_example_has_the_scope_the_brief_asks_for(dossier):
    assert len(dossier.drug_product.specification.tests) >= 15
    assert len(dossier.batches) >= 6
    assert sum(len(part.process.steps) for _, part in dossier.parts()) >= 8
    assert len(dossier.studies) >= 8
    assert len(dossier.protocol.cohorts) >= 3
    assert {"human", "animal"} <= {m.origin for m in dossier.materials}
    tox = [s for s in dossier.studies if s.category == "repeat-dose-toxicity" and s.glp]
    assert len({s.species_code for s in tox}) >= 2
    kinds = {st.kind for st in dossier.stability}
    assert {"long-term", "in-use"} <= kinds
    assert {s.country for s in dossier.sites} == {"US", "CN"}


def test_every_batch_has_a_result_for_every_test_and_all_pass(dossier):
    assert batches_missing_results(dossier.drug_product.specification, dossier.batches) == []
    assert batches_out_of_spec(dossier.drug_product.specification, dossier.batches) == []
    assert unknown_result_tests(dossier.drug_product.specification, dossier.batches) == []


def test_every_study_lot_exists_in_batches(dossier):
    assert unknown_study_lots(dossier.studies, dossier.batches) == []


def test_stability_supports_shelf_life_and_in_use_time(dossier):
    assert stability_problems(dossier.stability, dossier.drug_product.specification, dossier.batches, dossier.product) == []


def test_starting_dose_has_the_safety_margin(dossier):
    assert dose_margin_problems(dossier.protocol, dossier.studies) == []


def test_protocol_is_internally_consistent(dossier):
    assert protocol_problems(dossier.protocol) == []
    assert dossier.protocol.route_code == dossier.product.route_code
    vector = dossier.product.vector
    assert vector is not None and vector.integrating and dossier.protocol.ltfu.years >= 15


def test_references_between_facts_resolve(dossier):
    assert reference_problems(dossier) == []


def test_documents_are_not_dated_after_submission(dossier):
    config, _ = load_config(ROOT)
    day = config.submission_date
    dated = {
        "protocol": dossier.protocol.date,
        "consent": dossier.consent.date,
        "ib": dossier.regulatory.ib_date,
        **{f"meeting {m.id}": m.date for m in dossier.regulatory.meetings},
        **{f"batch {b.id}": b.manufactured for b in dossier.batches},
    }
    assert {k: v for k, v in dated.items() if v > day} == {}


# ------------------------------------------------------------------ the invariants fire on bad facts


def test_missing_result_is_found(dossier):
    b = dossier.batches[0]
    results = dict(b.results)
    results.pop("rcl")
    broken = [b.model_copy(update={"results": results})]
    assert batches_missing_results(dossier.drug_product.specification, broken) == [f"{b.id}: no result for rcl"]


def test_out_of_spec_and_unknown_result_are_found(dossier):
    b = dossier.batches[0]
    broken = [b.model_copy(update={"results": {**b.results, "viability": 61.0, "potencyy": 1.0}})]
    assert batches_out_of_spec(dossier.drug_product.specification, broken) == [f"{b.id}: viability=61.0 fails ≥ 80 %"]
    assert unknown_result_tests(dossier.drug_product.specification, broken) == [f"{b.id}: unknown test potencyy"]


def test_unknown_study_lot_is_found(dossier):
    s = dossier.studies[0]
    broken = [s.model_copy(update={"test_article_lots": ["MCT-TOX-9999"]})]
    assert unknown_study_lots(broken, dossier.batches) == [f"{s.study_number}: lot MCT-TOX-9999"]


def test_unsupported_shelf_life_is_found(dossier):
    product = dossier.product.model_copy(
        update={"shelf_life": dossier.product.shelf_life.model_copy(update={"value": 36})}
    )
    problems = stability_problems(dossier.stability, dossier.drug_product.specification, dossier.batches, product)
    assert len(problems) == 1 and problems[0].startswith("shelf-life 36")


def test_insufficient_dose_margin_is_found(dossier):
    p = dossier.protocol
    cohorts = [c.model_copy(update={"dose": c.dose * 20}) for c in p.cohorts]
    problems = dose_margin_problems(p.model_copy(update={"cohorts": cohorts}), dossier.studies)
    assert any(x.startswith("margin ") for x in problems)
    assert any(x.startswith("highest dose") for x in problems)


def test_protocol_dangling_ids_are_found(dossier):
    p = dossier.protocol
    a = p.assessments[0].model_copy(update={"visits": ["v-nowhere"]})
    broken = p.model_copy(update={"assessments": [a, *p.assessments[1:]], "sample_size": p.sample_size + 1})
    problems = protocol_problems(broken)
    assert f"{a.id}: visit v-nowhere" in problems
    assert any(x.startswith("sample size") for x in problems)


def test_dangling_organisation_is_found(dossier):
    class Broken:
        def __getattr__(self, name):
            return getattr(dossier, name)

    broken = Broken()
    dp = dossier.drug_product
    moved = dp.model_copy(update={"process": dp.process.model_copy(update={"site": "org-nowhere"})})
    broken.parts = lambda: [("drug_substance", dossier.drug_substance), ("drug_product", moved)]
    assert reference_problems(broken) == ["drug_product.process.site: unknown organisation org-nowhere"]


def test_narratives_and_not_applicable_declarations_name_outline_nodes(dossier):
    """Every narrative fills a node of its region's outline; every N/A declaration names a node."""
    from indbuilder.outline import load_outline

    outlines = {}
    for region in ("fda", "nmpa"):
        o = load_outline(region)
        outlines[region] = o[0] if isinstance(o, tuple) else o

    def known(region: str, node: str) -> bool:
        o = outlines[region]
        if node.startswith("form:"):
            return any(node[5:] == f.code for n in o.walk() for f in n.forms)
        return node in o

    region_of = {"en": "fda", "zh": "nmpa"}
    assert dossier.narratives
    bad = [n.path for n in dossier.narratives if n.node and not known(region_of[n.lang], n.node)]
    assert bad == []
    bad_na = [(d.node, r) for d in dossier.not_applicable for r in d.regions if not known(r, d.node)]
    assert bad_na == []
    assert not known("fda", "form:fdaft999") and not known("nmpa", "m9-no-such-node")
