"""Build the planner's :class:`Sources` from a loaded dossier (the glue the pipeline calls).

Reads narratives (front matter ``node:``), ``attachments``, ``not_applicable`` declarations (both
filtered by their ``regions``), nonclinical ``studies`` (``ich_node``, ``report``) and the clinical
``protocol`` (``ich_node``; see :data:`DEFAULT_PROTOCOL_NODE`), plus the templates that exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from ..diagnostics import Location
from .planner import DeclaredFile, FactRecord, NotApplicableDecl, Sources

# ICH M4E(R2) 5.3.3.2 "Patient PK and Initial Tolerability Study Reports": the Module 5 section of a
# first-in-human, dose-escalation study in patients. Used when the protocol record names no ich_node.
DEFAULT_PROTOCOL_NODE = "m5-3-3-2-patient-pk-and-initial-tolerability-study-reports"


def _text(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return {k: str(v or "") for k, v in value.items()}
    return {"en": str(getattr(value, "en", "") or ""), "zh": str(getattr(value, "zh", "") or "")}


def _for_region(item: Any, region: str) -> bool:
    regions = getattr(item, "regions", None)
    return not regions or region in regions


def sources_from_dossier(dossier: Any, region: str, template_roots: Iterable[Path] = ()) -> Sources:
    """The :class:`Sources` of ``dossier`` for ``region``; ``template_roots`` are ``templates/ectd`` folders."""
    where = getattr(dossier, "where", lambda *path: None)

    narratives = tuple(
        DeclaredFile(
            node=n.node,
            path=n.path,
            doc_id=n.id,
            lang=n.lang,
            title=n.title,
            location=Location(n.path, 1, 1),
        )
        for n in getattr(dossier, "narratives", [])
        if n.node
    )
    attachments = tuple(
        DeclaredFile(
            node=a.node,
            path=a.file,
            doc_id=a.id,
            title=(_text(a.title) or {}).get("zh" if region == "nmpa" else "en") or None,
            location=where("attachments", a.id, "node"),
        )
        for a in (dossier.attachments or [])
        if _for_region(a, region)
    )
    not_applicable = tuple(
        NotApplicableDecl(node=d.node, justification=_text(d.justification), location=where("not_applicable", i, "node"))
        for i, d in enumerate(dossier.not_applicable or [])
        if _for_region(d, region)
    )
    studies = tuple(
        FactRecord(
            id=s.id,
            fields={"ich_node": s.ich_node, "category": getattr(s, "category", None)},
            attachment=getattr(s, "report", None),
            location=where("studies", s.id, "ich_node"),
        )
        for s in (dossier.studies or [])
    )
    protocol = dossier.protocol
    protocols = ()
    if protocol is not None:
        node = getattr(protocol, "ich_node", None) or DEFAULT_PROTOCOL_NODE
        protocols = (FactRecord(id=protocol.id, fields={"ich_node": node}, location=where("protocol", "id")),)
    return Sources(
        templates=Sources.scan_templates(*template_roots),
        narratives=narratives,
        attachments=attachments,
        records={"studies": studies, "protocols": protocols},
        not_applicable=not_applicable,
    )
