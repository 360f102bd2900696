"""Markdown narrative -> document tree blocks (markdown-it-py, CommonMark + a few extensions).

Supported syntax (anything else prints as literal text):

- CommonMark: headings, paragraphs, ``*emphasis*``, ``**strong**``, ```code```, lists (nested,
  ordered with a start number), block quotes, code blocks, hard breaks, links.
- GFM pipe tables with header row and column alignment (``:--``, ``:-:``, ``--:``).
- Footnotes ``text[^id]`` + ``[^id]: note`` and inline ``^[note]`` -> ``Document.footnotes``.
- ``^superscript^`` and ``~subscript~`` (``10^6^ cells``, ``H~2~O``); in fact text, which is escaped,
  ``<sup>scid</sup>`` and ``<sub>2</sub>``.
- Heading anchors: ``## Results {#results}``; without one the anchor is a slug of the text.
  In Jinja templates write ``{ #results }`` (with a space): ``{#`` starts a Jinja comment.
- Table caption and anchor: a paragraph written directly before a table as
  ``Table: Release specification {#tbl-spec}`` (or ``表：放行标准 {#tbl-spec}``) becomes the
  table's caption and anchor (pandoc's caption syntax, placed above the table as in ICH E3).
- Notes: ``> **Note:** text`` (also ``**注：**``, ``**Warning:**``) or a container
  ``::: note`` … ``:::`` (also ``::: warning``). The label is not kept in the text: writers print
  the localized label for ``Note.kind``.
- ``::: pagebreak`` / ``:::`` forces a page break; ``::: bibliography`` / ``:::`` is replaced by
  the numbered list of literature cited with ``ref:lit:<id>`` (see render/xref.py).
- Cross-references: ``[](ref:3.2.P.8.1)``, ``[text](ref:study:NC-TOX-001)``.
- Generated figures: a paragraph holding only ``![Figure 1. Structure of XYZ-123](structure:product)``,
  optionally followed by ``{#fig-structure}`` (anchor) and with ``?width=120`` (printed width in mm)
  after the target, becomes a :class:`~indbuilder.doctree.Figure` made by the caller's image
  resolver (see render/figures.py: ``structure:`` draws the product's SMILES). The alt text is the
  caption, printed below the figure.

Raw HTML is never interpreted: ``<b>`` or ``USP <71>`` stays literal text. Other images (files,
addresses), horizontal rules and strikethrough have no place in the document tree; they give a
``narrative.unsupported`` warning (the alt text / struck text is kept).

Source lines (``token.map``) are kept: diagnostics name ``file:line``, and an optional
:class:`SourceMap` records the location of every block for later checks.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from markdown_it import MarkdownIt
from markdown_it.rules_inline import emphasis
from markdown_it.rules_inline.state_inline import Scanned, StateInline
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.subscript import sub_plugin
from mdit_py_plugins.superscript import superscript_plugin

from .. import rules
from ..diagnostics import Diagnostics, Location
from ..loader import read_text_file, split_front_matter, warn_controls  # the owner of the front matter format
from ..schema_errors import show_value
from ..doctree import (
    Block,
    Cell,
    Figure,
    CodeBlock,
    Code,
    Emph,
    FootnoteRef,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Note,
    PageBreak,
    Paragraph,
    Quote,
    Strong,
    Sub,
    Sup,
    Table,
    Text,
    plain_text,
)
from .jinja_env import parse_source_title

rules.define(
    "narrative.unsupported",
    "warning",
    "Markdown that the document tree cannot represent",
    """
    Images from files or addresses, horizontal rules and strikethrough are not part of the document
    tree: the text of the construct is kept without its formatting. Figures that indbuilder
    generates from the facts are written ``![caption](structure:product)`` in a paragraph of their own.
    """,
    "indbuilder document tree (doctree.py); FDA/NMPA PDF rules favour searchable text.",
)
rules.define(
    "narrative.figure",
    "error",
    "A generated figure could not be made",
    """
    ``![caption](structure:product)`` draws a figure from the facts (the product's chemical structure
    from its SMILES). When the facts needed are missing or invalid the figure is left out and only its
    caption is printed, so the document does not silently lack its structural formula.
    """,
    "ICH M4Q(R1) 3.2.S.1.2 (structural formula, including relative and absolute stereochemistry).",
)
rules.define(
    "narrative.caption",
    "warning",
    "A table caption line is not followed by a table",
    "``Table: caption {#id}`` must be written directly before a pipe table; it was printed as text.",
    "ICH E3 / house style: every table has a numbered caption above it.",
)
rules.define(
    "narrative.duplicate-anchor",
    "error",
    "Two headings or tables of one document have the same anchor",
    "A ``{#id}`` anchor must be unique in its document, or links would land on the wrong place.",
    "ICH eCTD v3.2.2 hyperlink guidance: links must reach the intended destination.",
)


# ---------------------------------------------------------------- sources and front matter


@dataclass
class MarkdownSource:
    """Markdown text and where it came from.

    ``line_offset``: body line N is file line N + offset (front matter removed). Markdown
    produced by a template has a ``line_map`` instead: the template file:line of each rendered
    line. With ``lines_known=False`` and no map, diagnostics name the file only and quote the
    rendered line.
    ``jinja=True`` runs the text through the template environment first (facts in narratives).
    """

    text: str
    path: str
    line_offset: int = 0
    front_matter: dict[str, Any] = field(default_factory=dict)
    lines_known: bool = True
    jinja: bool = False
    line_map: list[Location] | None = None


@dataclass
class SourceMap:
    """Where each block came from (``id(block) -> Location``), for checks that report file:line."""

    _locs: dict[int, tuple[Block, Location]] = field(default_factory=dict)

    def add(self, block: Block, loc: Location) -> None:
        self._locs[id(block)] = (block, loc)

    def get(self, block: Block) -> Location | None:
        entry = self._locs.get(id(block))
        return entry[1] if entry is not None and entry[0] is block else None

    def __len__(self) -> int:
        return len(self._locs)


def parse_markdown_file(
    path: Path | str, diags: Diagnostics, root: Path | None = None
) -> tuple[dict[str, Any], str, int]:
    """Read a narrative file: ``(front_matter, body, body_line_offset)``.

    Body line N is file line N + ``body_line_offset``. The front matter is split and parsed by the
    project's content loader (:func:`indbuilder.loader.split_front_matter`, located YAML), so its
    problems carry the same rule ids and file:line as everywhere else (``yaml.syntax``,
    ``yaml.duplicate-key``, ``yaml.encoding``, ``narrative.front-matter``); never exceptions.
    A file without front matter is all body (offset 0).
    """
    shown = Location.of(path, root=root).path
    read = read_text_file(Path(path), shown, diags)  # size limit, regular file, UTF-8: located findings
    if read is None:
        return {}, "", 0
    text = warn_controls(read.lstrip("\ufeff").replace("\r\n", "\n"), shown, diags)
    fm, body, body_line = split_front_matter(text, shown)
    if fm is None:
        if re.match(r"---[ \t]*\n", text):
            diags.emit(
                "narrative.front-matter",
                "front matter starts with '---' but is never closed",
                Location(shown, 1),
                hint="close it with a line '---', or remove the first line if it is not front matter",
            )
        return {}, text, 0
    diags.extend(fm.diagnostics)
    if fm.data is None:
        return {}, body, body_line - 1
    if not isinstance(fm.data, dict):
        diags.emit(
            "narrative.front-matter",
            f"front matter must be a mapping of keys to values (key: value lines), got {show_value(fm.data)}",
            Location(shown, 2),
        )
        return {}, body, body_line - 1
    return dict(fm.data), body, body_line - 1


def load_markdown(path: Path | str, diags: Diagnostics, root: Path | None = None) -> MarkdownSource:
    """A narrative file as a :class:`MarkdownSource` (front matter parsed, line offset kept)."""
    fm, body, offset = parse_markdown_file(path, diags, root)
    return MarkdownSource(body, Location.of(path, root=root).path, offset, fm)


def narrative_source(narrative: Any, jinja: bool = False) -> MarkdownSource:
    """A :class:`MarkdownSource` for a loaded :class:`indbuilder.model.dossier.Narrative`."""
    return MarkdownSource(
        narrative.body, narrative.path, narrative.body_line - 1, dict(narrative.meta), jinja=jinja
    )


# ---------------------------------------------------------------- parser


def _cjk_scan_delims(state: StateInline, start: int, can_split_word: bool) -> Scanned:
    """CommonMark delimiter scanning, made CJK-friendly.

    CommonMark decides whether ``**`` opens or closes emphasis from the spaces and punctuation
    around it. Chinese has no spaces between words, so ``**设计。**非…`` (bold ending in a full stop,
    followed by text) is left as literal asterisks. Next to a CJK character, a delimiter opens
    when the next character is not a space and closes when the previous one is not (the approach
    of the markdown-cjk-friendly extension).
    """
    scanned = StateInline.scanDelims(state, start, can_split_word)
    end = start
    while end < state.posMax and state.src[end] == state.src[start]:
        end += 1
    last = state.src[start - 1] if start > 0 else " "
    nxt = state.src[end] if end < state.posMax else " "
    if not (_CJK_CHAR.match(last) or _CJK_CHAR.match(nxt)):
        return scanned
    return Scanned(scanned.can_open or not nxt.isspace(), scanned.can_close or not last.isspace(), scanned.length)


def _cjk_emphasis(state: StateInline, silent: bool) -> bool:
    state.scanDelims = _cjk_scan_delims.__get__(state)  # type: ignore[method-assign]
    return emphasis.tokenize(state, silent)


def make_parser() -> MarkdownIt:
    """The markdown-it parser: CommonMark, raw HTML off, tables, footnotes, sub/sup, containers."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.inline.ruler.at("emphasis", _cjk_emphasis)
    md.use(footnote_plugin)
    md.use(sub_plugin)
    md.use(superscript_plugin)
    for name in ("note", "warning", "bibliography", "pagebreak"):
        md.use(container_plugin, name)
    return md


_PARSER = make_parser()

# Resolves a `ref:` link: (target, link text, where) -> inline nodes. See render/xref.py.
RefResolver = Callable[[str, tuple[Inline, ...], "Location | None"], tuple[Inline, ...]]


@dataclass(frozen=True)
class ImageRequest:
    """A generated figure asked for in Markdown: ``![caption](scheme:target?width=120){#anchor}``."""

    scheme: str  # "structure"
    target: str  # "product"
    caption: tuple[Inline, ...]
    anchor: str | None
    width_mm: float | None  # None: the figure kind's default
    where: Location


class FigureError(Exception):
    """A figure kind knows the request but cannot make it (facts missing or invalid); the message
    says why in words for an author, and is reported as ``narrative.figure``."""


# Makes the figure of a request: a Figure, None when the scheme is not a generated figure kind
# (the image is then reported as unsupported), or FigureError. See render/figures.py.
ImageResolver = Callable[[ImageRequest], "Figure | None"]

#: Printed widths (mm) a figure may ask for: the text column is 160-165 mm wide (A4 / US Letter
#: with 25 mm / 1 inch margins).
FIGURE_WIDTH_MM = (20.0, 160.0)

# `{#id}`, also written `{ #id }`: in a Jinja template `{#` opens a comment, so templates use the
# spaced form (pandoc accepts both).
_ANCHOR_RAW = re.compile(r"(?<!\\)\{\s*#([A-Za-z][\w.:-]*)\s*\}\s*$")
_ANCHOR_TEXT = re.compile(r"\s*\{\s*#[A-Za-z][\w.:-]*\s*\}\s*$")
_CAPTION_RAW = re.compile(r"^(?:Table|表)\s*[:：]")
_NOTE_LABEL = re.compile(r"^\s*(Note|NOTE|注|注意|Warning|WARNING|警告)\s*[:：]?\s*$")
_REF_DEST = re.compile(r"\]\(\s*<?ref:")
_FIGURE_SRC = re.compile(r"^(?P<scheme>[a-z][a-z0-9-]*):(?P<target>[^?#]*)(?:\?(?P<query>.*))?$")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_CJK = r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_CJK_SOFTBREAK = re.compile(rf"(?<=[{_CJK}])\n(?=[{_CJK}])")

BIBLIOGRAPHY_STYLE = "_bibliography"


def slugify(text: str) -> str:
    """An ASCII anchor from heading text (``3.2.P.8.1 Stability`` -> ``3-2-p-8-1-stability``)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class MarkdownResult:
    blocks: list[Block]
    footnotes: dict[str, list[Block]]


class _Converter:
    """Walks the markdown-it syntax tree and builds doctree nodes."""

    def __init__(
        self,
        src: MarkdownSource,
        diags: Diagnostics,
        resolve_ref: RefResolver | None,
        source_map: SourceMap | None,
        anchors: set[str],
        resolve_image: ImageResolver | None = None,
    ) -> None:
        self.src = src
        self.resolve_image = resolve_image
        self.lines = src.text.splitlines()
        self.diags = diags
        self.resolve_ref = resolve_ref
        self.source_map = source_map
        self.anchors = anchors
        self.footnotes: dict[str, list[Block]] = {}
        self.current_line = 0
        self._raw, self._raw_line0, self._raw_cursor = "", 0, 0

    # ---------------------------------------------------------- locations

    def loc(self, line0: int | None = None) -> Location:
        line0 = self.current_line if line0 is None else line0
        if self.src.line_map:
            return self.src.line_map[max(0, min(line0, len(self.src.line_map) - 1))]
        if self.src.lines_known:
            return Location(self.src.path, line0 + 1 + self.src.line_offset)
        return Location(self.src.path)

    def where_suffix(self, line0: int | None = None) -> str:
        """For rendered templates: quote the rendered line, since its number means nothing."""
        if self.src.lines_known or self.src.line_map:
            return ""
        line0 = self.current_line if line0 is None else line0
        if 0 <= line0 < len(self.lines):
            return f" (in rendered text: {self.lines[line0].strip()[:60]!r})"
        return ""

    def record(self, block: Block, node: SyntaxTreeNode) -> Block:
        if self.source_map is not None and node.map:
            self.source_map.add(block, self.loc(node.map[0]))
        return block

    def unsupported(self, what: str) -> None:
        self.diags.emit(
            "narrative.unsupported",
            f"{what} cannot be represented in the document{self.where_suffix()}",
            self.loc(),
        )

    def anchor(self, anchor: str, explicit: bool) -> str:
        if anchor in self.anchors:
            if explicit:
                self.diags.emit(
                    "narrative.duplicate-anchor",
                    f"anchor '{anchor}' is used twice in this document{self.where_suffix()}",
                    self.loc(),
                )
                return anchor
            n = 2
            while f"{anchor}-{n}" in self.anchors:
                n += 1
            anchor = f"{anchor}-{n}"
        self.anchors.add(anchor)
        return anchor

    # ---------------------------------------------------------- blocks

    def blocks(self, nodes: list[SyntaxTreeNode]) -> list[Block]:
        out: list[Block] = []
        i = 0
        while i < len(nodes):
            node = nodes[i]
            if node.map:
                self.current_line = node.map[0]
            nxt = nodes[i + 1] if i + 1 < len(nodes) else None
            if node.type == "paragraph" and self._is_caption(node):
                if nxt is not None and nxt.type == "table":
                    caption, anchor = self._caption(node)
                    if nxt.map:
                        self.current_line = nxt.map[0]
                    out.append(self.table(nxt, caption, anchor))
                    i += 2
                    continue
                self.diags.emit(
                    "narrative.caption",
                    f"caption line {plain_text(self.inlines(node.children[0]))!r} is not directly "
                    f"followed by a table{self.where_suffix()}",
                    self.loc(),
                )
            out.extend(self.block(node))
            i += 1
        return out

    def block(self, node: SyntaxTreeNode) -> list[Block]:
        t = node.type
        if t == "heading":
            return [self.record(self.heading(node), node)]
        if t == "paragraph":
            figure = self.figure(node)
            if figure is not None:
                return [self.record(figure, node)] if isinstance(figure, Figure) else list(figure)
            inl = self.inlines(node.children[0])
            return [self.record(Paragraph(inl), node)] if inl else []
        if t in ("bullet_list", "ordered_list"):
            start = int(node.attrs.get("start", 1)) if t == "ordered_list" else 1
            items = [self.blocks(item.children) for item in node.children]
            return [self.record(ListBlock(t == "ordered_list", items, start), node)]
        if t == "table":
            return [self.table(node, (), None)]
        if t == "blockquote":
            return [self.record(self.quote(node), node)]
        if t in ("fence", "code_block"):
            return [self.record(CodeBlock(node.content.rstrip("\n")), node)]
        if t in ("container_note", "container_warning"):
            kind = t.removeprefix("container_")
            return [self.record(Note(self.blocks(node.children), kind), node)]
        if t == "container_pagebreak":
            return [self.record(PageBreak(), node)]
        if t == "container_bibliography":
            return [Paragraph((), style=BIBLIOGRAPHY_STYLE)]
        if t == "footnote_block":
            for fn in node.children:
                meta = fn.meta
                label = _footnote_label(meta)
                body = [b for b in self.blocks(fn.children)]
                self.footnotes[label] = body
            return []
        if t == "hr":
            self.unsupported("a horizontal rule ('---')")
            return []
        if t == "html_block":  # unreachable with html=False; kept literal just in case
            return [Paragraph((Text(node.content),))]
        return [Paragraph((Text(node.content),))] if node.content else []

    # ---------------------------------------------------------- generated figures

    def figure(self, node: SyntaxTreeNode) -> Figure | list[Block] | None:
        """A paragraph that is only ``![caption](scheme:target)`` (+ ``{#anchor}``): its Figure, or
        the caption as a paragraph when the figure cannot be made; None for any other paragraph."""
        if self.resolve_image is None or not node.children:
            return None
        inline = node.children[0]
        parts = [c for c in inline.children if not (c.type in ("text", "softbreak") and not c.content.strip())]
        if not parts or parts[0].type != "image":
            return None
        image, rest = parts[0], parts[1:]
        trailing = "".join(c.content for c in rest if c.type == "text")
        if len(rest) != sum(1 for c in rest if c.type == "text") or (trailing and not _ANCHOR_TEXT.fullmatch(trailing)):
            return None
        src = urllib.parse.unquote(str(image.attrs.get("src", "")))
        m = _FIGURE_SRC.match(src)
        if m is None:
            return None
        if inline.map:
            self.current_line = inline.map[0]
        caption = _merge(self._inline_children(image.children))
        anchor_match = _ANCHOR_RAW.search(inline.content)
        width = self._figure_width(m.group("query") or "")
        anchor = self.anchor(anchor_match.group(1), explicit=True) if anchor_match else None
        request = ImageRequest(m.group("scheme"), m.group("target"), caption, anchor, width, self.loc())
        try:
            figure = self.resolve_image(request)
        except FigureError as exc:
            self.diags.emit("narrative.figure", f"figure '{src}' cannot be made: {exc}{self.where_suffix()}", self.loc())
            return [Paragraph(caption, style="caption")] if caption else []
        if figure is None:
            return None  # not a generated figure kind: printed as text with narrative.unsupported
        return figure

    def _figure_width(self, query: str) -> float | None:
        values = urllib.parse.parse_qs(query, keep_blank_values=True)
        if not values.get("width"):
            return None
        raw = values["width"][0]
        low, high = FIGURE_WIDTH_MM
        try:
            width = float(raw.removesuffix("mm"))
        except ValueError:
            width = -1.0
        if not low <= width <= high:
            self.diags.emit(
                "narrative.figure",
                f"figure width '{raw}' is not a width in mm from {low:g} to {high:g}; the default width is used"
                f"{self.where_suffix()}",
                self.loc(),
            )
            return None
        return width

    def heading(self, node: SyntaxTreeNode) -> Heading:
        level = min(int(node.tag[1:]), 4)
        inline = node.children[0]
        inl = self.inlines(inline)
        m = _ANCHOR_RAW.search(inline.content)
        if m:
            inl = _strip_trailing(inl, _ANCHOR_TEXT)
            anchor = self.anchor(m.group(1), explicit=True)
        else:
            anchor = self.anchor(slugify(plain_text(inl)) or "section", explicit=False)
        return Heading(level, inl, anchor)

    def _is_caption(self, node: SyntaxTreeNode) -> bool:
        return bool(node.children) and bool(_CAPTION_RAW.match(node.children[0].content))

    def _caption(self, node: SyntaxTreeNode) -> tuple[tuple[Inline, ...], str | None]:
        inline = node.children[0]
        inl = self.inlines(inline)
        anchor = None
        m = _ANCHOR_RAW.search(inline.content)
        if m:
            inl = _strip_trailing(inl, _ANCHOR_TEXT)
            anchor = self.anchor(m.group(1), explicit=True)
        inl = _strip_leading(inl, re.compile(r"^\s*(?:Table|表)\s*[:：]\s*"))
        return inl, anchor

    def table(self, node: SyntaxTreeNode, caption: tuple[Inline, ...], anchor: str | None) -> Table:
        header: list[list[Cell]] = []
        rows: list[list[Cell]] = []
        for section in node.children:
            target = header if section.type == "thead" else rows
            for tr in section.children:
                target.append([self.cell(c) for c in tr.children])
        if header and not any(c.children for row in header for c in row):
            header = []  # `|  |  |` over the delimiter row: a table without a header row
        table = Table(header, rows, caption, anchor)
        if header and rows and len(header[0]) > 1 and not any(c.children for row in rows for c in row[1:]):
            # a form to fill in by hand (the signature block of a consent form): every body cell
            # but the first is empty, so rows get room to sign and date (ICH E6(R3) 2.8.8 signatures)
            table.min_row_mm = 15.0
        return self.record(table, node)  # type: ignore[return-value]

    def cell(self, node: SyntaxTreeNode) -> Cell:
        style = str(node.attrs.get("style", ""))
        m = re.search(r"text-align:\s*(left|center|right)", style)
        inl = self.inlines(node.children[0]) if node.children else ()
        return Cell(inl, m.group(1) if m else None)

    def quote(self, node: SyntaxTreeNode) -> Block:
        children = self.blocks(node.children)
        first = children[0] if children else None
        if isinstance(first, Paragraph) and first.children and isinstance(first.children[0], Strong):
            label = plain_text(first.children[0].children)
            m = _NOTE_LABEL.match(label)
            if m:
                kind = "warning" if m.group(1).lower() in ("warning", "警告") else "note"
                rest = _strip_leading(first.children[1:], re.compile(r"^\s+"))
                body = ([Paragraph(rest, first.style)] if rest else []) + children[1:]
                return Note(body, kind)
        return Quote(children)

    # ---------------------------------------------------------- inlines

    def inlines(self, node: SyntaxTreeNode) -> tuple[Inline, ...]:
        if node.map:
            self.current_line = node.map[0]
        # inline tokens carry no line numbers: find each ref link in the raw text of the block
        self._raw, self._raw_line0, self._raw_cursor = node.content, self.current_line, 0
        return _merge(self._inline_children(node.children))

    def _ref_line(self) -> int:
        """The 0-based line of the next ``](ref:`` in the current block's raw text."""
        m = _REF_DEST.search(self._raw, self._raw_cursor)
        if m is None:
            return self._raw_line0
        self._raw_cursor = m.end()
        return self._raw_line0 + self._raw.count("\n", 0, m.start())

    def _inline_children(self, nodes: list[SyntaxTreeNode]) -> list[Inline]:
        out: list[Inline] = []
        for n in nodes:
            out.extend(self._inline(n))
        return out

    def _inline(self, n: SyntaxTreeNode) -> list[Inline]:
        t = n.type
        if t == "text":
            return [Text(n.content)]
        if t == "softbreak":
            return [Text("\n")]
        if t == "hardbreak":
            return [LineBreak()]
        if t == "code_inline":
            return [Code(n.content)]
        if t == "em":
            return [Emph(_merge(self._inline_children(n.children)))]
        if t == "strong":
            return [Strong(_merge(self._inline_children(n.children)))]
        if t == "sup":
            return [Sup(_merge(self._inline_children(n.children)))]
        if t == "sub":
            return [Sub(_merge(self._inline_children(n.children)))]
        if t == "s":
            self.unsupported("strikethrough ('~~text~~')")
            return self._inline_children(n.children)
        if t == "footnote_ref":
            return [FootnoteRef(_footnote_label(n.meta))]
        if t == "image":
            src = str(n.attrs.get("src", ""))
            if self.resolve_image is not None and _FIGURE_SRC.match(urllib.parse.unquote(src)):
                self.unsupported(f"a figure inside a line of text ({src}: write it as a paragraph of its own)")
            else:
                self.unsupported(f"an image ({src})")
            return [Text(n.content)] if n.content else []
        if t == "link":
            return self.link(n)
        if t == "html_inline":  # unreachable with html=False
            return [Text(n.content)]
        return [Text(n.content)] if n.content else []

    def link(self, n: SyntaxTreeNode) -> list[Inline]:
        href = str(n.attrs.get("href", ""))
        children = _merge(self._inline_children(n.children))
        if href.startswith("ref:"):
            target = urllib.parse.unquote(href[4:])
            line0 = self._ref_line()
            where = parse_source_title(n.attrs.get("title")) or self.loc(line0)  # type: ignore[arg-type]
            if self.resolve_ref is None:
                return list(children) or [Text(target)]
            return list(self.resolve_ref(target, children, where))
        shown = children or (Text(urllib.parse.unquote(href)),)
        if href.startswith("#"):
            return [Link(shown, anchor=urllib.parse.unquote(href[1:]))]
        if _URL.match(href):
            return [Link(shown, url=href)]
        path, _, frag = href.partition("#")
        return [Link(shown, href=urllib.parse.unquote(path) or None, anchor=urllib.parse.unquote(frag) or None)]


def _footnote_label(meta: dict[str, Any]) -> str:
    label = meta.get("label")
    return str(label) if label else f"inline-{int(meta.get('id', 0)) + 1}"


def _merge(nodes: list[Inline] | tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Join adjacent Text nodes; a soft line break is a space, or nothing between two CJK characters."""
    out: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + node.text)
        else:
            out.append(node)
    result: list[Inline] = []
    for node in out:
        if isinstance(node, Text) and "\n" in node.text:
            node = Text(_CJK_SOFTBREAK.sub("", node.text).replace("\n", " "))
        if isinstance(node, Text) and not node.text:
            continue
        if isinstance(node, Text) and "</su" in node.text:
            result.extend(_sup_sub_tags(node.text))
            continue
        result.append(node)
    return tuple(result)


# Superscript and subscript in facts: a fact's text is escaped for Markdown (it prints literally),
# so `^…^` cannot reach the parser from a fact; the tags <sup>…</sup> and <sub>…</sub> do, as text,
# and become Sup/Sub here (strain names such as Prkdc<sup>scid</sup>, nomenclature of the
# International Committee on Standardized Genetic Nomenclature for Mice).
_SUP_SUB_TAG = re.compile(r"<(sup|sub)>([^<>]{1,40})</\1>")


def _sup_sub_tags(text: str) -> list[Inline]:
    """``text`` with every ``<sup>x</sup>`` / ``<sub>x</sub>`` turned into a Sup / Sub node."""
    out: list[Inline] = []
    pos = 0
    for m in _SUP_SUB_TAG.finditer(text):
        if m.start() > pos:
            out.append(Text(text[pos : m.start()]))
        out.append((Sup if m.group(1) == "sup" else Sub)((Text(m.group(2)),)))
        pos = m.end()
    if pos < len(text):
        out.append(Text(text[pos:]))
    return out


def _strip_trailing(inl: tuple[Inline, ...], pattern: re.Pattern[str]) -> tuple[Inline, ...]:
    if inl and isinstance(inl[-1], Text):
        rest = pattern.sub("", inl[-1].text)
        return inl[:-1] + ((Text(rest),) if rest else ())
    return inl


def _strip_leading(inl: tuple[Inline, ...], pattern: re.Pattern[str]) -> tuple[Inline, ...]:
    if inl and isinstance(inl[0], Text):
        rest = pattern.sub("", inl[0].text, count=1)
        return ((Text(rest),) if rest else ()) + inl[1:]
    return inl


def markdown_to_blocks(
    src: MarkdownSource,
    diags: Diagnostics,
    resolve_ref: RefResolver | None = None,
    source_map: SourceMap | None = None,
    resolve_image: ImageResolver | None = None,
) -> MarkdownResult:
    """Convert Markdown to doctree blocks and footnotes.

    ``resolve_ref`` turns ``ref:`` links into inline nodes (an :class:`XrefResolver`'s
    ``resolve``); without it the link text is kept as plain text. A ``::: bibliography``
    container is left as a placeholder paragraph (style ``_bibliography``) for the caller.
    ``resolve_image`` makes generated figures (``![caption](structure:product)``, see
    :func:`indbuilder.render.figures.figure_resolver`); without it every image is unsupported.
    """
    tokens = _PARSER.parse(src.text)
    tree = SyntaxTreeNode(tokens)
    conv = _Converter(src, diags, resolve_ref, source_map, set(), resolve_image)
    blocks = conv.blocks(tree.children)
    return MarkdownResult(blocks, conv.footnotes)


def replace_bibliography(blocks: list[Block], entries: list[Block]) -> list[Block]:
    """Replace every bibliography placeholder (also inside notes/lists) with ``entries``."""
    out: list[Block] = []
    for b in blocks:
        if isinstance(b, Paragraph) and b.style == BIBLIOGRAPHY_STYLE:
            out.extend(entries)
            continue
        if isinstance(b, (Note, Quote)):
            b.children = replace_bibliography(b.children, entries)
        elif isinstance(b, ListBlock):
            b.items = [replace_bibliography(item, entries) for item in b.items]
        out.append(b)
    return out
