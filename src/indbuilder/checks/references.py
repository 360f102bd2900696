"""Referential integrity: every id one fact record uses to point at another must resolve.

Records refer to each other by id (a batch names its manufacturing site, a study its test
facility, a stability study its lots). A dangling id means a document would print a name that
exists nowhere else in the dossier, which is the kind of internal inconsistency a reviewer
flags first. Two references have their own, more specific rules and are not repeated here:
a specification test's method (``cmc.spec-test-no-method``, E1) and a study's test-article lot
(``trace.tox-lot-unknown``, F1).
"""

from __future__ import annotations

from typing import Any, Iterable

from ..diagnostics import Diagnostics
from .context import CheckContext
from .support import define, known, where

define(
    "ref.unknown-id",
    "error",
    "A fact refers to a record id that does not exist.",
    """
    Facts refer to other records by id: a batch to its manufacturing site (an organisation), a study
    to its test facility, a stability study to its lots and tests, a process step to its materials,
    the protocol to the study whose NOAEL justifies its starting dose. Each id must name an existing
    record, otherwise documents state a site, lot or test that the rest of the dossier does not know.
    """,
    "ICH M4(R4) (information is consistent across the CTD); 21 CFR 312.23(a)(7)(i) (proper identification "
    "of the drug). A consistency check derived from them: every id names an existing record.",
)
define(
    "ref.one-way-link",
    "warning",
    "Two records link to each other in one direction only (a material lists a step that does not list it).",
    """
    Materials name the process steps that use them and steps name their materials. Both lists feed
    different documents (3.2.P.3.3 process description, 3.2.P.4/3.2.S.2.3 control of materials), so they
    must agree: a material used in a step must be listed by that step and the other way round.
    """,
    "ICH M4Q 3.2.S.2.2/3.2.S.2.3 (materials used in each process step) (derived).",
)


def _check(
    ctx: CheckContext,
    diags: Diagnostics,
    value: str | None,
    targets: Iterable[str],
    what: str,
    kind: str,
    path: tuple[str | int, ...],
) -> None:
    """Emit ``ref.unknown-id`` when ``value`` is not among ``targets``."""
    ids = set(targets)
    if value is None or value in ids:
        return
    diags.emit(
        "ref.unknown-id",
        f"{what} refers to {kind} '{value}', which does not exist (known {kind}s: {known(ids)})",
        where(ctx, *path),
    )


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """Every id reference between fact records resolves."""
    d = ctx.dossier
    orgs = set(d.index("organisations"))
    batches = set(d.index("batches"))
    studies = set(d.index("studies"))
    materials = {m.id: m for m in d.materials}
    # process steps of both records: a drug product step may use a material the drug substance lists
    steps = {s.id: s for _, part in d.parts() for s in part.process.steps}
    step_section = {s.id: section for section, part in d.parts() for s in part.process.steps}

    if d.product is not None:
        _check(ctx, diags, d.product.manufacturer_id, orgs, "product", "organisation", ("product", "manufacturer_id"))
        if d.product.vector is not None and d.product.vector.supplier is not None:
            _check(ctx, diags, d.product.vector.supplier, orgs, f"vector {d.product.vector.id}", "organisation", ("product", "vector", "supplier"))
    for section, part in d.parts():
        process = part.process
        _check(ctx, diags, process.site, orgs, f"process {process.id}", "organisation", (section, "process", "site"))
        for step in process.steps:
            for i, mid in enumerate(step.materials):
                _check(ctx, diags, mid, materials, f"process step {step.id}", "material", (section, "process", "steps", step.id, "materials", i))
                mat = materials.get(mid)
                if mat is not None and step.id not in mat.steps:
                    diags.emit(
                        "ref.one-way-link",
                        f"process step {step.id} uses material {mid}, but material {mid} does not list step {step.id} "
                        f"(its steps: {known(mat.steps)})",
                        where(ctx, "materials", mid, "steps"),
                    )
    for mat in d.materials:  # material.supplier is a supplier's name, not an organisation id
        for i, sid in enumerate(mat.steps):
            _check(ctx, diags, sid, steps, f"material {mat.id}", "process step", ("materials", mat.id, "steps", i))
            linked = steps.get(sid)
            if linked is not None and mat.id not in linked.materials:
                diags.emit(
                    "ref.one-way-link",
                    f"material {mat.id} lists process step {sid}, but step {sid} does not list material {mat.id} "
                    f"(its materials: {known(linked.materials)})",
                    where(ctx, step_section.get(sid, "drug_product"), "process", "steps", sid, "materials"),
                )
    for m in d.methods:
        _check(ctx, diags, m.performed_by, orgs, f"method {m.id}", "organisation", ("methods", m.id, "performed_by"))
    for section, part in d.parts():
        tested = d.tested_part(section)
        tests = {t.id for t in tested.specification.tests} if tested is not None and tested.specification is not None else set()
        for b in part.batches:
            _check(ctx, diags, b.site, orgs, f"batch {b.id}", "organisation", ("batches", b.id, "site"))
            for tid in b.results:
                _check(ctx, diags, tid, tests, f"batch {b.id} result", "specification test", ("batches", b.id, "results", tid))
        for st in part.stability:
            _stability_refs(ctx, diags, st, batches, tests)
    for s in d.studies:
        _check(ctx, diags, s.facility, orgs, f"study {s.id}", "organisation", ("studies", s.id, "facility"))
    p = d.protocol
    if p is not None:
        _check(ctx, diags, p.starting_dose_basis, studies, f"protocol {p.number} starting_dose_basis", "study", ("protocol", "starting_dose_basis"))
        endpoints = {e.id for e in p.endpoints}
        assessments = {a.id for a in p.assessments}
        visits = {v.id for v in p.visits}
        for o in p.objectives:
            for i, eid in enumerate(o.endpoints):
                _check(ctx, diags, eid, endpoints, f"objective {o.id}", "endpoint", ("protocol", "objectives", o.id, "endpoints", i))
        for e in p.endpoints:
            for i, aid in enumerate(e.assessments):
                _check(ctx, diags, aid, assessments, f"endpoint {e.id}", "assessment", ("protocol", "endpoints", e.id, "assessments", i))
        for a in p.assessments:
            for i, vid in enumerate(a.visits):
                _check(ctx, diags, vid, visits, f"assessment {a.id}", "visit", ("protocol", "assessments", a.id, "visits", i))
    reg = d.regulatory
    if reg is not None and p is not None:
        _check(ctx, diags, reg.protocol_ref, {p.id}, "regulatory.protocol_ref", "protocol", ("regulatory", "protocol_ref"))


def _stability_refs(ctx: CheckContext, diags: Diagnostics, st: Any, batches: set[str], tests: set[str]) -> None:
    """A stability study names existing lots and specification tests, and reports only its own lots and tests."""
    for i, lot in enumerate(st.lots):
        _check(ctx, diags, lot, batches, f"stability study {st.id}", "batch", ("stability", st.id, "lots", i))
    for i, tid in enumerate(st.tests):
        _check(ctx, diags, tid, tests, f"stability study {st.id}", "specification test", ("stability", st.id, "tests", i))
    for k, tp in enumerate(st.timepoints):
        for lot, results in tp.results.items():
            _check(ctx, diags, lot, st.lots, f"stability study {st.id} timepoint {tp.time:g} {st.time_unit}", "study lot", ("stability", st.id, "timepoints", k, "results", lot))
            for tid in results:
                _check(ctx, diags, tid, st.tests, f"stability study {st.id} timepoint {tp.time:g} {st.time_unit}", "monitored test", ("stability", st.id, "timepoints", k, "results", lot, tid))
