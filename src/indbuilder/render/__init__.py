"""Rendering: Jinja templates and Markdown narrative -> :class:`indbuilder.doctree.Document`.

- :mod:`.jinja_env`: the sandboxed template environment (``TemplateEnv``) and ``template.*`` rules;
- :mod:`.filters`: the regulatory-writing filters (``num``, ``sci``, ``unit``, ``date``, ``pct``,
  ``t``, ``md_escape``, ``table``);
- :mod:`.markdown`: Markdown -> doctree blocks, narrative front matter (``narrative.*`` rules);
- :mod:`.xref`: cross-references and literature citations (``xref.*`` rules);
- :mod:`.xref_index`: the region's cross-reference index from the plan and the dossier;
- :mod:`.document`: :func:`render_document`, one call per planned document.

Importing this package registers every rule it can emit.
"""

from .document import TemplateSource, render_document
from .filters import FilterError, Markdown, md_escape
from .jinja_env import TemplateEnv
from .markdown import (
    MarkdownSource,
    SourceMap,
    load_markdown,
    markdown_to_blocks,
    narrative_source,
    parse_markdown_file,
)
from .xref import XrefIndex, XrefResolver, XrefTarget, parse_target, report_unused
from .xref_index import build_xref_index, register_tables

__all__ = [
    "FilterError",
    "Markdown",
    "MarkdownSource",
    "SourceMap",
    "TemplateEnv",
    "TemplateSource",
    "XrefIndex",
    "XrefResolver",
    "XrefTarget",
    "build_xref_index",
    "load_markdown",
    "markdown_to_blocks",
    "md_escape",
    "narrative_source",
    "parse_markdown_file",
    "parse_target",
    "register_tables",
    "render_document",
    "report_unused",
]
