"""The render stage: every planned document of one region, Jinja -> Markdown -> document tree.

Takes the region's plan and placement (the eCTD path of every document, so that links between
documents are written as relative paths) and returns one :class:`~indbuilder.build.RenderedDoc`
per planned document, with the source it came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import derived as derived_values
from ..build import Project, RegionBuild, RenderedDoc
from ..diagnostics import Diagnostics, Location
from ..doctree import DocMeta
from ..model.common import Record
from ..model.dossier import SECTIONS, Dossier
from ..outline.planner import PlannedDocument
from ..progress import step
from ..sources import TemplateContext, template_context, template_dirs
from .document import TemplateSource, render_document
from .identity import clip_leaf_title, document_identity
from .jinja_env import TemplateEnv
from .markdown import MarkdownSource, narrative_source
from .provenance import EMPTY, FactPath, index_facts
from .template_errors import with_override_hint
from .xref import XrefIndex
from .xref_index import build_xref_index, register_tables


def render_region(
    project: Project,
    rb: RegionBuild,
    paths: Mapping[str, str],
    diags: Diagnostics,
) -> list[RenderedDoc]:
    """Render every planned document of ``rb``, then report literature and studies no document cites.

    ``paths`` gives every document's place in the sequence, for relative links.
    """
    config, dossier = project.config, project.dossier
    env = TemplateEnv(template_dirs(config, dossier), root=config.root, scope=config.read_scope,
                      project_templates=config.settings.templates)
    first_finding = len(diags.items)
    xrefs = build_xref_index(rb.plan, dict(paths), dossier)
    lang = rb.lang

    def narrative(narrative_id: str) -> str:
        n = dossier.narrative(narrative_id, lang)
        if n is None:
            raise KeyError(f"no {lang} narrative with id '{narrative_id}' in content/")
        if env.recorder is not None:
            env.recorder.narrative(n.path)
        rendered = env.render_string(n.body, n.path, base_ctx, lang, diags)
        return rendered.text if rendered else ""

    base_ctx = template_context(config, dossier, rb.region, narrative)
    env.track(
        index_facts({name: getattr(dossier, name) for name in SECTIONS}, base_ctx["idx"]),
        derived_index(base_ctx["derived"]),
        lambda path: dossier.where(*path),
    )
    with env.collecting(diags):
        out = _render_planned(project, rb, paths, env, xrefs, base_ctx, diags)
    xrefs.report_unused(diags)
    # every finding of this stage located in a packaged template says how to override it
    diags.items[first_finding:] = [with_override_hint(d, config.settings.templates) for d in diags.items[first_finding:]]
    return out


def _render_planned(
    project: Project,
    rb: RegionBuild,
    paths: Mapping[str, str],
    env: TemplateEnv,
    xrefs: XrefIndex,
    base_ctx: TemplateContext,
    diags: Diagnostics,
) -> list[RenderedDoc]:
    """Render each planned document of ``rb`` (the loop of :func:`render_region`)."""
    config, dossier = project.config, project.dossier
    lang = rb.lang
    out: list[RenderedDoc] = []
    for pd in rb.plan.documents():
        step(pd.doc_id)  # progress: one document of the render stage
        path = paths.get(pd.doc_id, pd.doc_id)
        node = rb.outline.get(pd.node)
        if pd.kind == "attachment":
            file = config.root / (pd.attachment or "")  # existence is checked by the pipeline (build.attachment-missing)
            out.append(
                RenderedDoc(pd, rb.region, lang, path, node, None, Location(pd.attachment or ""), provenance=EMPTY, attachment=file)
            )
            continue
        meta = doc_meta(project, rb, pd)
        ctx = base_ctx.copy()
        ctx["node"] = _node_view(rb, pd)
        ctx["record"] = _record(dossier, pd)
        ctx["planned"] = pd
        source: Any
        if pd.kind == "template":
            source = TemplateSource(pd.template or "")
            origin = pd.template or ""
        elif pd.kind == "narrative":
            n = next((x for x in dossier.narratives if x.path == pd.narrative), None)
            source = narrative_source(n, jinja=True) if n else Path(config.root / (pd.narrative or ""))
            origin = pd.narrative or ""
        else:  # "not-applicable": the NMPA number + title + 不适用 + reason
            source = MarkdownSource(pd.text or "", "outline", lines_known=False)
            origin = f"outline:{pd.node}"
        with env.recording() as rec:
            if pd.kind == "narrative" and pd.narrative:
                rec.narrative(pd.narrative)
            doc = render_document(source, ctx, meta, xrefs, diags, env=env, doc_path=path, root=config.root)
        if doc is None:
            continue
        doc.meta.toc = sum(1 for _ in doc.headings()) >= 8
        register_tables(xrefs, doc, path, diags)
        out.append(RenderedDoc(pd, rb.region, lang, path, node, doc, Location(origin), provenance=rec.provenance()))
    return out


def derived_index(derived: derived_values.Derived) -> dict[int, tuple[FactPath, ...]]:
    """``id(derived value) -> the fact paths it was computed from``, so that a template that prints a
    derived value records the facts behind it (see :class:`~indbuilder.render.provenance.Recorder`)."""
    out: dict[int, tuple[FactPath, ...]] = {}
    for value in (derived.shelf_life, derived.in_use_time, derived.dose, derived.label):
        if value is not None:
            out[id(value)] = value.sources
    out[id(derived.result_decimals)] = (("batches",), ("stability",))
    return out


def _node_view(rb: RegionBuild, pd: PlannedDocument) -> dict[str, str]:
    node = rb.outline.get(pd.node)
    if node is None:  # a form:<code> pseudo-node
        return {"id": pd.node, "number": "1.1", "title": pd.title or pd.node}
    return {"id": node.id, "number": node.number, "title": node.title.get(rb.lang)}


def _record(dossier: Dossier, pd: PlannedDocument) -> Record | None:
    if not pd.record:
        return None
    if pd.collection == "protocols":
        protocol: Record | None = dossier.protocol
        return protocol
    return dossier.index(pd.collection or "").get(pd.record)


def doc_meta(project: Project, rb: RegionBuild, pd: PlannedDocument) -> DocMeta:
    """Title block, header/footer and PDF metadata of one document.

    The title, leaf title, version and date are the document's own (:mod:`.identity`); the CTD
    section and heading go into the page header.
    """
    config, dossier = project.config, project.dossier
    lang = rb.lang
    node = rb.outline.get(pd.node)
    heading = node.title.get(lang) if node else (pd.title or pd.node)
    product = dossier.product
    sponsor = dossier.sponsor
    narrative = next((n for n in dossier.narratives if n.path == pd.narrative), None) if pd.narrative else None
    ident = document_identity(dossier, pd, heading, lang, config.submission_date, narrative)
    disclaimer = (config.settings.disclaimer or {}).get(lang)
    return DocMeta(
        title=ident.title,
        ctd_section=node.number if node else "1.1",
        element=pd.node,
        region=rb.region,
        lang=lang,
        product=product.name.get(lang) if product else "",
        sponsor=sponsor.name.get(lang) if sponsor else "",
        version=ident.version,
        date=ident.date.isoformat(),
        disclaimer=disclaimer,
        heading=heading,
        leaf_title=clip_leaf_title(ident.leaf_title),
    )
