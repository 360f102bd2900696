"""Rule family F: traceability between nonclinical studies, CMC lots and the clinical protocol."""

from __future__ import annotations

import re

from ..diagnostics import Diagnostics, Location
from ..model.nonclinical import Study
from ..derived import SAFETY_CATEGORIES
from .context import CheckContext
from .support import define, known, narrative_lines, rendered, where

TOX_CATEGORIES = {"single-dose-toxicity", "repeat-dose-toxicity"}

define(
    "trace.tox-lot-unknown",
    "error",
    "A nonclinical study names a test-article lot that is not in the batch analyses.",
    """
    Every test-article lot named in a nonclinical study must appear in the batch records with its results,
    so the reviewer can compare the material tested in animals with the clinical material.
    """,
    "21 CFR 312.23(a)(7)(iv)(a) (stability of the drug substance during the toxicological studies); FDA "
    "Guidance: Content and Format of INDs for Phase 1 Studies of Drugs, Including Well-Characterized, "
    "Therapeutic, Biotechnology-derived Products (1995) (differences between the toxicology and clinical "
    "material).",
)
define(
    "trace.tox-lot-use",
    "warning",
    "A lot used in a GLP safety study is not recorded as a toxicology lot.",
    "The batch record should say that the lot was used for toxicology (type or uses), so that the batch table in 3.2.P.5.4 identifies it.",
    "21 CFR 58.105 (test article characterization).",
)
define(
    "trace.tox-lot-process",
    "warning",
    "A pivotal toxicology lot was made by a different process version than the clinical process.",
    """
    When the material tested in pivotal toxicology differs in process from the clinical product, the
    differences must be described and their impact justified (comparability, 3.2.P.2.3 / 2.3.P).
    """,
    "FDA Guidance: Preclinical Assessment of Investigational Cellular and Gene Therapy Products (2013), "
    "section III.B.1 (investigational CGT products used in preclinical studies).",
)
define(
    "trace.route-mismatch",
    "error",
    "The route of a pivotal toxicology study (or of the protocol) differs from the clinical route.",
    """
    Pivotal toxicology must use the clinical route of administration (e.g. intravenous infusion), or the
    difference must be justified. The protocol's route must equal the product's route.
    """,
    "FDA Guidance: Preclinical Assessment of Investigational Cellular and Gene Therapy Products (2013), "
    "section III.B.6 (product delivery considerations); ICH M3(R2).",
)
define(
    "trace.tox-duration",
    "error",
    "A pivotal toxicology study is shorter than the clinical dosing period.",
    """
    The in-life duration of pivotal toxicology studies must at least equal the duration of dosing in the
    clinical trial (ICH M3(R2) table 1: repeated-dose toxicity studies support clinical trials of up to the
    same duration).
    """,
    "ICH M3(R2) §5 (duration of repeated-dose toxicity studies) and table 1; ICH S6(R1).",
)
define(
    "trace.tox-observation",
    "warning",
    "For a cell or gene therapy, no pivotal safety study observes animals as long as the clinical follow-up.",
    """
    Cell and gene therapy products may persist and act long after a single administration. The longest
    observation period of the pivotal toxicology and tumorigenicity studies should cover the protocol's
    main-study follow-up, or the shorter observation must be justified (e.g. by biodistribution data showing
    clearance); record that justification as a waiver.
    """,
    "FDA Guidance: Preclinical Assessment of Investigational Cellular and Gene Therapy Products (2013) "
    "(study duration sufficient for persistence and delayed effects).",
)
define(
    "trace.unknown-lot-cited",
    "error",
    "A narrative or document cites a lot number that is not in the batch records (or a vector lot other than the vector's).",
    """
    Lot numbers written in narrative text are checked against the facts: a token shaped like the dossier's
    lot numbers (same letters and separators, digits in the same places, e.g. MCT-TOX-2501 or LVV-2408-03)
    must be a batch of the batch analyses or the vector lot. A mistyped or stale lot in prose is the kind
    of discrepancy reviewers find between 2.6, the IB and 3.2.P.5.4.
    """,
    "21 CFR 312.23(a)(7)(iv)(a). A consistency check derived from it: every lot a document cites is a "
    "recorded batch.",
)
define(
    "units.unknown",
    "error",
    "A quantity has a unit the rules cannot compare (for example a misspelt time unit).",
    "Time units are hours, days, weeks, months or years; dose units cells/kg, cells, mg/kg or mg.",
    "Publishing practice: a quantity carries a unit a reader can compare (time: hours, days, weeks, months, "
    "years; dose: mg/kg or mg as in the FDA MRSD guidance (2005), cells/kg or cells as in the FDA early-phase "
    "CGT guidance (2015)).",
)


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """F1-F4: lots, routes and durations of the nonclinical studies against CMC and the protocol."""
    d = ctx.dossier
    batches = {b.id: b for b in d.batches}
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
                    where(ctx, "batches", lot, "uses" if (d.part_of("batches", lot), "batches", lot, "uses") in d.sources.locations else "type"),
                )
            # a lot is compared with the process of the record that holds it (a drug substance lot given to
            # animals in a vehicle, or a drug product lot)
            holder = d.facts.get(d.part_of("batches", lot) or "drug_product")
            process = holder.process if holder is not None else None
            if s.pivotal and process is not None and b.process_version != process.version:
                diags.emit(
                    "trace.tox-lot-process",
                    f"pivotal study {s.id} tested lot {lot}, made by process version {b.process_version}; the clinical "
                    f"process is version {process.version} (describe the comparability in 3.2.P.2.3)",
                    where(ctx, "studies", s.id, "test_article_lots", i),
                )
    _lots_in_text(ctx, diags)
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
        dosing_weeks = protocol.treatment_duration.in_unit("weeks")
        follow_weeks = protocol.follow_up.in_unit("weeks")
    except ValueError as exc:
        diags.emit("units.unknown", f"protocol duration: {exc}", where(ctx, "protocol", "follow_up"))
        return
    observed: list[tuple[float, Study]] = []  # (weeks animals are observed, in-vivo study)
    for s in d.studies:
        if not (s.pivotal and s.category in TOX_CATEGORIES) and s.category != "tumorigenicity":
            continue
        try:
            weeks = s.duration.in_unit("weeks")
        except ValueError as exc:
            diags.emit("units.unknown", f"study {s.id} duration: {exc}", where(ctx, "studies", s.id, "duration", "unit"))
            continue
        if s.species_code != "in-vitro":
            observed.append((weeks, s))
        if s.pivotal and s.category in TOX_CATEGORIES and weeks + 1e-9 < dosing_weeks:
            diags.emit(
                "trace.tox-duration",
                f"pivotal study {s.id} ({s.study_number}) lasts {s.duration.value:g} {s.duration.unit}; the protocol "
                f"doses for {protocol.treatment_duration.value:g} {protocol.treatment_duration.unit}",
                where(ctx, "studies", s.id, "duration"),
            )
    if product is not None and (product.kind.has("cell-therapy") or product.kind.has("gene-therapy")) and observed:
        weeks, longest = max(observed, key=lambda item: item[0])
        if weeks + 1e-9 < follow_weeks:
            diags.emit(
                "trace.tox-observation",
                f"the longest in-vivo safety study, {longest.id} ({longest.study_number}), observes animals for "
                f"{longest.duration.value:g} {longest.duration.unit}; the protocol follows subjects for "
                f"{protocol.follow_up.value:g} {protocol.follow_up.unit} after dosing",
                where(ctx, "studies", longest.id, "duration"),
            )


def id_shape(identifier: str) -> str:
    """A regex for identifiers shaped like ``identifier``: same letters and separators, digit runs of the same length."""
    parts = re.split(r"(\d+)", identifier)
    return "".join(rf"\d{{{len(p)}}}" if p.isdigit() else re.escape(p) for p in parts if p)


def _lots_in_text(ctx: CheckContext, diags: Diagnostics) -> None:
    """Lot-shaped tokens in narratives and rendered documents must be known lots."""
    d = ctx.dossier
    lots = {b.id for b in d.batches}
    vector = d.product.vector if d.product is not None else None
    if vector is not None and vector.lot is not None:
        lots.add(vector.lot)
    shapes = {id_shape(lot) for lot in lots if re.search(r"\d", lot) and re.search(r"[A-Za-z]", lot)}
    if not shapes:
        return
    known_ids = lots | {s.id for s in d.studies} | {s.study_number for s in d.studies} | {m.id for m in d.methods}
    if d.protocol is not None:
        known_ids.add(d.protocol.number)
    if d.product is not None:
        known_ids.add(d.product.code)
    token = re.compile(rf"(?<![A-Za-z0-9\-])(?:{'|'.join(sorted(shapes))})(?![A-Za-z0-9\-])")
    for n, line, text in narrative_lines(ctx):
        for m in token.finditer(text):
            if m.group(0) not in known_ids:
                diags.emit(
                    "trace.unknown-lot-cited",
                    f"the text cites lot {m.group(0)}, which is not in the batch records (known lots: {known(lots)})",
                    Location(n.path, line, m.start() + 1),
                )
    for rd in rendered(ctx):
        for tok in sorted({m.group(0) for m in token.finditer(rd.text)} - known_ids):
            diags.emit(
                "trace.unknown-lot-cited",
                f"{rd.label} ({rd.region}) cites lot {tok}, which is not in the "
                f"batch records (known lots: {known(lots)})",
                rd.source,
            )
