"""One call per planned document: Jinja template or Markdown -> resolved doctree Document."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ..diagnostics import Diagnostics, Location
from ..doctree import Block, Document, DocMeta, Paragraph, Table, number_tables, plain_text, walk_blocks
from .figures import figure_resolver
from .jinja_env import TemplateEnv
from .markdown import (
    BIBLIOGRAPHY_STYLE,
    MarkdownSource,
    SourceMap,
    load_markdown,
    markdown_to_blocks,
    replace_bibliography,
)
from .xref import XrefIndex, XrefResolver, XrefTarget
from .zh_typography import normalise_document


@dataclass(frozen=True)
class TemplateSource:
    """A template by its name on the search path, e.g. ``m3/32p81.md.j2`` (language variants apply)."""

    name: str


Source = TemplateSource | MarkdownSource | Path


def render_document(
    source: Source,
    context: Mapping[str, Any],
    meta: DocMeta,
    xrefs: XrefIndex,
    diags: Diagnostics,
    *,
    env: TemplateEnv | None = None,
    doc_path: str | None = None,
    source_map: SourceMap | None = None,
    root: Path | None = None,
) -> Document | None:
    """Render one document: Jinja (templates, or narratives with ``jinja=True``) -> Markdown ->
    doctree, resolving cross-references and literature citations on the way.

    ``source``: a :class:`TemplateSource`, a :class:`MarkdownSource`, or a ``Path`` to a ``.md``
    narrative (front matter removed, lines kept) or to a template under one of ``env``'s search
    paths. ``context``: the facts (``lang``, ``region`` and ``meta`` are added from ``meta``).
    ``doc_path``: this document's eCTD path in the sequence (``m3/…/file.pdf``), so links to other
    documents are relative to it. ``source_map`` (optional) receives the location of every block.

    Returns ``None`` only when the template could not be rendered (the reason is in ``diags``);
    content problems found later (unresolved references …) are diagnostics on a returned document.
    """
    src = _as_source(source, env, diags, root)
    if src is None:
        return None
    if isinstance(src, TemplateSource) or src.jinja:
        if env is None:
            raise ValueError("render_document: a template needs a TemplateEnv (env=...)")
        ctx = {**context, "lang": meta.lang, "region": meta.region, "meta": meta}
        label = document_label(meta)
        if isinstance(src, TemplateSource):
            rendered = env.render(src.name, ctx, meta.lang, diags, document=label)
        else:
            rendered = env.render_string(src.text, src.path, ctx, meta.lang, diags, document=label)
        if rendered is None:
            return None
        fm = src.front_matter if isinstance(src, MarkdownSource) else {}
        src = MarkdownSource(
            rendered.text, rendered.path, 0, fm, lines_known=False, line_map=rendered.line_map or None
        )
    resolver = XrefResolver(xrefs, meta.lang, doc_path, diags)
    # the document's own tables resolve without a second pass; the quiet pre-parse is needed only
    # when the text refers to a table at all
    for table in _anchored_tables(src, meta.ctd_section) if "table:" in src.text else ():
        caption = plain_text(table.caption) or (table.anchor or "")
        resolver.add_local(
            XrefTarget("table", table.anchor or "", caption, caption, number=table.number, anchor=table.anchor)
        )
    result = markdown_to_blocks(src, diags, resolver.resolve, source_map, figure_resolver(context))
    # numbered once here, so the captions the writers print and the references agree
    number_tables(result.blocks, meta.ctd_section)
    bibliography = resolver.bibliography()
    if resolver.citations and not _has_bibliography(result.blocks, result.footnotes):
        first = resolver.citations[0]
        diags.emit(
            "xref.bibliography-missing",
            f"{len(resolver.citations)} literature reference(s) cited (first: lit:{first.key}) "
            "but the document has no bibliography",
            Location(src.path),
            hint="add {{ bibliography() }} (templates) or a '::: bibliography' block (Markdown)",
        )
    blocks = replace_bibliography(result.blocks, bibliography)
    footnotes = {k: replace_bibliography(v, bibliography) for k, v in result.footnotes.items()}
    if meta.lang == "zh":  # Chinese typography (GB/T 15834): full-width marks, “” quotes, spacing
        normalise_document(blocks, footnotes)
    return Document(meta, blocks, footnotes)


def document_label(meta: DocMeta) -> str:
    """How findings name a document: ``fda 3.2.P.5.4 Batch Analyses`` (region, CTD section, title)."""
    return " ".join(x for x in (meta.region, meta.ctd_section, meta.title) if x)


def _has_bibliography(blocks: list[Block], footnotes: dict[str, list[Block]]) -> bool:
    every = list(walk_blocks(blocks)) + [b for v in footnotes.values() for b in walk_blocks(v)]
    return any(isinstance(b, Paragraph) and b.style == BIBLIOGRAPHY_STYLE for b in every)


def _anchored_tables(src: MarkdownSource, section: str) -> list[Table]:
    """The anchored tables of ``src``, numbered as in the document (a quiet first parse: its findings
    come in the real one)."""
    blocks = markdown_to_blocks(src, Diagnostics()).blocks
    number_tables(blocks, section)
    return [b for b in walk_blocks(blocks) if isinstance(b, Table) and b.anchor]


def _as_source(
    source: Source, env: TemplateEnv | None, diags: Diagnostics, root: Path | None
) -> TemplateSource | MarkdownSource | None:
    if not isinstance(source, Path):
        return source
    if source.suffix == ".md":
        return load_markdown(source, diags, root)
    if env is not None:
        for d in env.search_paths:
            try:
                return TemplateSource(source.resolve().relative_to(Path(d).resolve()).as_posix())
            except ValueError:
                continue
    raise ValueError(f"render_document: {source} is neither a .md narrative nor under a template directory")
