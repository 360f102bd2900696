"""The place stage: where every planned document of a region goes in its eCTD sequence.

Runs once per region between plan and render: rendering needs every document's path to write
relative links, and assembly fills the placed items with the written bytes (it never places again).
Placement findings (unknown nodes, derived file names, missing standards) are kept in the
:class:`~indbuilder.build.Placement` and reported once, when the sequence is assembled.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .build import Placement
from .config import ProjectConfig
from .diagnostics import Diagnostics
from .model.dossier import Dossier
from .outline.model import Outline, OutlineNode
from .outline.planner import DocKind, PlannedDocument
from .regions.base import RegionProfile

if TYPE_CHECKING:  # pragma: no cover - the eCTD layer is imported only when a sequence is placed
    from .build import RenderedDoc
    from .ectd.model import StudyInfo, SubmissionFile


def place_region(
    config: ProjectConfig,
    dossier: Dossier,
    profile: RegionProfile,
    planned: Sequence[PlannedDocument],
    diags: Diagnostics,
) -> Placement:
    """The eCTD placement of ``planned`` documents in ``profile``'s sequence (envelope, paths, items)."""
    from .ectd.layout import place_sequence

    env = profile.envelope(config, dossier, diags)
    found = Diagnostics()
    files = [submission_file(dossier, pd, pd.title or pd.doc_id, profile.lang, b"") for pd in planned if goes_into_sequence(pd)]
    layout = place_sequence(files, env, config.standards_dir(), found)
    items = {item.doc_id: item for item in layout.items} if layout is not None else {}
    return Placement(env, {doc_id: item.path for doc_id, item in items.items()}, items, list(found.items))


def leaf_title(rd: "RenderedDoc") -> str:
    """The eCTD leaf title of a rendered document: its own concise title (``DocMeta.leaf_title``),
    or an attachment's declared title.

    ICH eCTD v3.2.2 leaf ``title``; FDA eCTD Technical Conformance Guide: a leaf title is concise,
    names the document, not its file, and carries no CTD section number; leaves of one element are
    told apart by their titles (``ectd.leaf-title-duplicate``).
    """
    if rd.document is not None:
        return rd.document.meta.ectd_title
    return rd.planned.title or rd.planned.doc_id


def na_statement_home(outline: Outline, node: OutlineNode) -> OutlineNode | None:
    """The heading whose single 不适用 statement lists ``node``, or ``None`` when ``node`` keeps its own.

    NMPA eCTD验证标准 5.17: every leaf in 4.2 and 5.3.1-5.3.5 must be tagged by a study tagging file,
    and a 不适用 statement is no study; 3.21/4.1.20: a heading is in the backbone only with leaves.
    CDE still expects every CTD number and title with 不适用 and the reason (生物制品注册受理审查指南
    （试行）2025, Part 1). So the statements of those items are gathered in one document at the nearest
    heading above them that takes leaves without a study tagging file: ich-ectd-3-2.dtd lets
    ``m4-nonclinical-study-reports`` (Module 4, for 4.2.x) and ``m5-3-clinical-study-reports``
    (5.3, for 5.3.1-5.3.5) hold leaves of their own.
    """
    from .ectd.layout import in_stf_scope

    if not in_stf_scope(node.id):
        return None
    return next((anc for anc in outline.ancestors(node.id) if not in_stf_scope(anc.id)), None)


def goes_into_sequence(pd: PlannedDocument) -> bool:
    """Whether a planned document becomes an eCTD leaf.

    NMPA eCTD rule 5.17: every leaf in 4.2 and 5.3.1-5.3.5 must be tagged by a study tagging file,
    and a 不适用 statement is no study. The pipeline plans those statements gathered at a heading that
    needs no study tagging file (:func:`na_statement_home`); a plan made without that rule keeps them
    out of the sequence rather than break it.
    """
    from .ectd.layout import in_stf_scope

    return not (pd.kind == DocKind.NOT_APPLICABLE and in_stf_scope(pd.node))


def study_info(d: Dossier, pd: PlannedDocument, lang: str) -> "StudyInfo | None":
    """Study tagging data for documents planned per study or per protocol (ICH STF v2.2)."""
    from .ectd.model import StudyInfo

    if pd.collection == "studies" and pd.record:
        s = next((x for x in d.studies if x.id == pd.record), None)
        if s is None:
            return None
        cats: list[tuple[str, str, str]] = [("species", "ich", s.species_code)] if s.species_code != "in-vitro" else []
        cats.append(("route-of-admin", "ich", s.route_code))
        return StudyInfo(s.study_number, s.title.get(lang), pd.file_tag or "pre-clinical-study-report", tuple(cats))
    if pd.collection == "protocols" and d.protocol is not None:
        p = d.protocol
        return StudyInfo(p.number, p.title.get(lang), pd.file_tag or "protocol-or-amendment")
    return None


def submission_file(d: Dossier, pd: PlannedDocument, title: str, lang: str, data: bytes, ext: str = "pdf") -> "SubmissionFile":
    """The eCTD assembly input of one planned document (``data`` empty when only its place is wanted)."""
    from .ectd.model import SubmissionFile

    return SubmissionFile(
        node_id=pd.node,
        doc_id=pd.doc_id,
        title=title,
        lang=lang,
        data=data,
        ext=ext,
        name_hint=pd.doc_id,
        study=study_info(d, pd, lang),
    )
