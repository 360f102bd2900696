"""Leaf titles: every document of one eCTD element has its own title.

A reviewer sees the leaves of an element as a list of titles in the eCTD viewer: two toxicology reports
or a protocol and its consent form that share one title cannot be told apart without opening them.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict

from ..diagnostics import Diagnostics
from .context import CheckContext, RenderedDoc
from .support import define

define(
    "ectd.leaf-title-duplicate",
    "error",
    "Two documents of one eCTD element have the same leaf title.",
    """
    Each leaf of an eCTD element is titled with its document's own title (the study title and number of
    a study report, the protocol number on the protocol, the ICF and the investigator list), so that the
    leaves of one element can be told apart in the review tool. Give the documents their own titles:
    `studies[].document.title` / `short_title`, `consent.title`, `protocol.short_title`, a narrative's
    front matter `title` / `short_title`, an attachment's `title`.
    """,
    "ICH eCTD Specification v3.2.2 (leaf title describes the document); FDA eCTD Technical Conformance "
    "Guide (leaf titles concise, meaningful and distinct; no CTD section number, no file name).",
)


def _element_key(rd: RenderedDoc, path: str | None) -> tuple[str, str]:
    """The eCTD element a document's leaf is in: its node, and for Module 3 S/P sections the
    drug substance or drug product folder (``m3-2-s-…`` elements repeat per substance/product)."""
    node = rd.planned.node
    if path and node.startswith(("m3-2-s-", "m3-2-p-")):
        return node, posixpath.dirname(path)
    return node, ""


def check_leaf_titles(ctx: CheckContext, diags: Diagnostics) -> None:
    """``ectd.leaf-title-duplicate``: per region, no two leaves of one element share a title."""
    from ..placement import goes_into_sequence, leaf_title

    for rb in ctx.regions:
        items = rb.placement.items if rb.placement is not None else {}
        groups: dict[tuple[str, str], dict[str, list[RenderedDoc]]] = defaultdict(lambda: defaultdict(list))
        for rd in rb.docs:
            if not goes_into_sequence(rd.planned):
                continue
            item = items.get(rd.doc_id)
            if rb.placement is not None and item is None:
                continue  # not placed (reported by placement)
            title = " ".join(leaf_title(rd).split()).casefold()
            groups[_element_key(rd, item.path if item is not None else None)][title].append(rd)
        for (node, _), by_title in groups.items():
            for same in by_title.values():
                if len(same) < 2:
                    continue
                first = same[0]
                where = f"{first.node.number} {first.node.title.get(rb.lang)}" if first.node is not None else node
                names = ", ".join(f"{d.doc_id} ({d.source.path if d.source else d.planned.kind})" for d in same)
                for rd in same[1:]:
                    diags.emit(
                        "ectd.leaf-title-duplicate",
                        f"{rb.region}: {len(same)} documents of eCTD section {where} have the leaf title "
                        f"'{leaf_title(first)}': {names}; a reviewer cannot tell them apart",
                        rd.source,
                        hint="give each document its own title (studies[].document.title, consent.title, "
                        "protocol.short_title, a narrative's front matter title, an attachment's title)",
                    )
