"""Rule family F: traceability between nonclinical studies, CMC lots and the clinical protocol."""

from __future__ import annotations

from ..diagnostics import Diagnostics
from ..rules import define
from .context import CheckContext
from .support import known, where

TOX_CATEGORIES = {"single-dose-toxicity", "repeat-dose-toxicity"}
SAFETY_CATEGORIES = TOX_CATEGORIES | {"safety-pharmacology", "genotoxicity", "tumorigenicity", "local-tolerance", "other-toxicity"}

define(
    "trace.tox-lot-unknown",
    "error",
    "A nonclinical study names a test-article lot that is not in the batch analyses.",
    """
    Every test-article lot named in a nonclinical study must appear in the batch records with its results,
    so the reviewer can compare the material tested in animals with the clinical material.
    """,
    "21 CFR 312.23(a)(7)(iv)(a) (stability/quality of material supporting toxicology studies); FDA 1995 Phase 1 "
    "content guidance (differences between toxicology and clinical material); ind-content.md §5 F1.",
)
define(
    "trace.tox-lot-use",
    "warning",
    "A lot used in a GLP safety study is not recorded as a toxicology lot.",
    "The batch record should say that the lot was used for toxicology (type or uses), so that the batch table in 3.2.P.5.4 identifies it.",
    "21 CFR 58.105 (test article characterization); ind-content.md §5 F1.",
)
define(
    "trace.tox-lot-process",
    "warning",
    "A pivotal toxicology lot was made by a different process version than the clinical process.",
    """
    When the material tested in pivotal toxicology differs in process from the clinical product, the
    differences must be described and their impact justified (comparability, 3.2.P.2.3 / 2.3.P).
    """,
    "FDA Preclinical Assessment of Investigational CGT Products (2013) §III.B.1; ind-content.md §5 F2.",
)
define(
    "trace.route-mismatch",
    "error",
    "The route of a pivotal toxicology study (or of the protocol) differs from the clinical route.",
    """
    Pivotal toxicology must use the clinical route of administration (e.g. intravenous infusion), or the
    difference must be justified. The protocol's route must equal the product's route.
    """,
    "FDA Preclinical CGT guidance (2013) §III.B.6 (product delivery); ICH M3(R2) §1.4; ind-content.md §5 F3.",
)
define(
    "trace.tox-duration",
    "error",
    "A pivotal toxicology study is shorter than the clinical dosing period plus follow-up.",
    """
    Toxicology duration (in-life including recovery/observation) should cover the clinical dosing duration
    and, for cell and gene therapy products, an observation period long enough for persistence and delayed
    effects, i.e. at least the main-study follow-up.
    """,
    "ICH M3(R2) §5 table 1; ICH S6(R1); FDA Preclinical CGT guidance (2013) §III.B.4; ind-content.md §5 F4.",
)
define(
    "units.unknown",
    "error",
    "A quantity has a unit the rules cannot compare (for example a misspelt time unit).",
    "Time units are hours, days, weeks, months or years; dose units cells/kg, cells, mg/kg or mg.",
    "ind-content.md §3.4 (dose units) (derived).",
)


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """F1-F4: lots, routes and durations of the nonclinical studies against CMC and the protocol."""
    d = ctx.dossier
    batches = d.index("batches")
    process = d.process
    product = d.product
    protocol = d.protocol
    for s in d.studies:
        for i, lot in enumerate(s.test_article_lots):
            b = batches.get(lot)
            if b is None:
                diags.emit(
                    "trace.tox-lot-unknown",
                    f"study {s.id} uses test-article lot {lot}, which is not in the batch analyses (known lots: {known(batches)})",
                    where(ctx, "studies", s.id, "test_article_lots", i),
                )
                continue
            if s.glp and s.category in SAFETY_CATEGORIES and b.type != "toxicology" and "toxicology" not in b.uses:
                diags.emit(
                    "trace.tox-lot-use",
                    f"GLP study {s.id} uses lot {lot}, whose batch record is type '{b.type}' and does not list 'toxicology' in uses",
                    where(ctx, "batches", lot, "uses") if "uses" in _keys(ctx, lot) else where(ctx, "batches", lot, "type"),
                )
            if s.pivotal and process is not None and b.process_version != process.version:
                diags.emit(
                    "trace.tox-lot-process",
                    f"pivotal study {s.id} tested lot {lot}, made by process version {b.process_version}; the clinical "
                    f"process is version {process.version} (describe the comparability in 3.2.P.2.3)",
                    where(ctx, "studies", s.id, "test_article_lots", i),
                )
    if protocol is None:
        return
    clinical_route = product.route_code if product is not None else protocol.route_code
    if product is not None and protocol.route_code != product.route_code:
        diags.emit(
            "trace.route-mismatch",
            f"protocol {protocol.number} route_code is '{protocol.route_code}'; the product's route_code is '{product.route_code}'",
            where(ctx, "protocol", "route_code"),
        )
    pivotal_tox = [s for s in d.studies if s.pivotal and s.category in SAFETY_CATEGORIES]
    for s in pivotal_tox:
        if s.route_code != clinical_route:
            diags.emit(
                "trace.route-mismatch",
                f"pivotal study {s.id} ({s.study_number}) route_code is '{s.route_code}'; the clinical route is '{clinical_route}'",
                where(ctx, "studies", s.id, "route_code"),
            )
    try:
        clinical_weeks = protocol.treatment_duration.in_unit("weeks") + protocol.follow_up.in_unit("weeks")
    except ValueError as exc:
        diags.emit("units.unknown", f"protocol duration: {exc}", where(ctx, "protocol", "follow_up"))
        return
    for s in pivotal_tox:
        if s.category not in TOX_CATEGORIES:
            continue
        try:
            weeks = s.duration.in_unit("weeks")
        except ValueError as exc:
            diags.emit("units.unknown", f"study {s.id} duration: {exc}", where(ctx, "studies", s.id, "duration", "unit"))
            continue
        if weeks + 1e-9 < clinical_weeks:
            diags.emit(
                "trace.tox-duration",
                f"pivotal study {s.id} ({s.study_number}) lasts {s.duration.value:g} {s.duration.unit} "
                f"({weeks:.1f} weeks); the protocol doses for {protocol.treatment_duration.value:g} "
                f"{protocol.treatment_duration.unit} and follows up for {protocol.follow_up.value:g} "
                f"{protocol.follow_up.unit} ({clinical_weeks:.1f} weeks in all)",
                where(ctx, "studies", s.id, "duration"),
            )


def _keys(ctx: CheckContext, lot: str) -> set[str]:
    """Keys recorded for a batch (to point at ``uses`` only when the file has it)."""
    return {p[2] for p in ctx.dossier.sources.locations if len(p) >= 3 and p[0] == "batches" and p[1] == lot}

