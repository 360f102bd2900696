"""The assemble stage: one region's eCTD sequence from its placed documents and their written bytes.

Layout of the region's output folder (``dest``)::

    <dest>/ectd/<application>/<NNNN>/...   the submission sequence (PDFs, backbones, util/)

The documents were placed once, before rendering (:mod:`indbuilder.placement`); here each placed item
gets its title and bytes, and the placement findings are reported (once) with the assembly's own.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .build import Project, RegionBuild
from .diagnostics import Diagnostic, Diagnostics
from .placement import leaf_title

if TYPE_CHECKING:  # pragma: no cover
    from .ectd.layout import Item


def assemble_region(project: Project, rb: RegionBuild, files: Mapping[str, bytes], dest: Path, diags: Diagnostics) -> None:
    """Assemble ``rb``'s sequence under ``dest/ectd`` from ``files`` (doc id -> PDF bytes), then check its PDFs."""
    from .ectd.assemble import assemble_placed
    from .pdfcheck import PdfCheckLimits, run_pdfcheck

    assert rb.placement is not None
    env = rb.placement.envelope
    items = filled_items(rb, files)
    with project.timings.stage("assemble"):
        history = project.config.history_dir / rb.region
        out = dest / "ectd" / env.application_number
        out.mkdir(parents=True, exist_ok=True)
        # The application folder holds every sequence, as sent: lifecycle links such as
        # modified-file="../0000/index.xml#ID" resolve between sibling sequence folders.
        if history.is_dir():
            for earlier in sorted(p for p in history.iterdir() if p.is_dir() and p.name < env.sequence):
                shutil.copytree(earlier, out / earlier.name)
        found = assemble_placed(items, env, out, project.config.standards_dir(), history if history.is_dir() else None,
                                rb.placement.diagnostics)
        # Findings name paths inside the application folder ("0000/index.xml"); show where that
        # folder will be after publishing, so the two regions' findings can be told apart.
        published = f"{project.config.settings.output}/{rb.region}/ectd/{env.application_number}"
        diags.extend(_under(d, published) for d in found)
    with project.timings.stage("pdfcheck"):
        # Every PDF of the finished sequence against the FDA/NMPA PDF rules, including the
        # links between files, which can only be followed once the folder exists.
        sequence = out / env.sequence
        if sequence.is_dir():
            # Text extraction (pypdf) is most of this check's cost; typst output always carries
            # real text with ToUnicode maps, user PDFs were checked in full when written, and the
            # example's end-to-end test reads the text back with pdftotext.
            found = run_pdfcheck([sequence], PdfCheckLimits(text_sample_pages=0))
            diags.extend(_under(d, published, strip=str(out)) for d in found)


def filled_items(rb: RegionBuild, files: Mapping[str, bytes]) -> list["Item"]:
    """The placed items of ``rb`` that have bytes, in ``files`` order, with their document titles and bytes."""
    assert rb.placement is not None
    by_id = {d.doc_id: d for d in rb.docs}
    out = []
    for doc_id, data in files.items():
        item = rb.placement.items.get(doc_id)
        if item is None:
            continue
        rd = by_id[doc_id]
        title = leaf_title(rd)
        out.append(replace(item, title=title, lang=rb.lang, data=data))
    return out


def _under(diag: Diagnostic, prefix: str, strip: str | None = None) -> Diagnostic:
    """``diag`` with its location shown below ``prefix`` (after removing the staging folder ``strip``)."""
    if diag.location is None:
        return diag
    path = diag.location.path
    if strip and path.startswith(strip):
        path = path[len(strip) :].lstrip("/")
    return replace(diag, location=replace(diag.location, path=f"{prefix}/{path}"))
