"""The document tree: the one structure that every writer (DOCX, PDF, …) consumes.

Rendering turns templates and Markdown into a :class:`Document`; writers never see Markdown or
Jinja. Text in the tree is always plain text: a writer must escape it for its own engine, so a
specification that says "USP <71>" or "#3 $5 [a] @b \\c" prints literally everywhere.

Inline nodes: :class:`Text`, :class:`Emph`, :class:`Strong`, :class:`Code`, :class:`Link`,
:class:`FootnoteRef`, :class:`LineBreak`, :class:`Sup`, :class:`Sub`.
Block nodes: :class:`Heading`, :class:`Paragraph`, :class:`ListBlock`, :class:`Table`,
:class:`Note`, :class:`Quote`, :class:`CodeBlock`, :class:`PageBreak`, :class:`Figure`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Union


# ---------------------------------------------------------------- inline nodes


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Emph:
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Strong:
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Sup:
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Sub:
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class LineBreak:
    pass


@dataclass(frozen=True)
class Link:
    """A hyperlink.

    Exactly one of the targets applies:

    - ``anchor`` only: a place in the same document (a heading or table anchor);
    - ``href`` (+ optional ``anchor``): another document of the sequence, as a path relative to
      the *current document's* location inside the eCTD sequence (e.g. ``../32p8/stability.pdf``);
      writers must keep it relative so links survive moving the sequence folder;
    - ``url``: an external address (rejected by PDF rules for submission documents; kept only
      for DOCX review copies).
    """

    children: tuple["Inline", ...]
    anchor: str | None = None
    href: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class FootnoteRef:
    """A reference to ``Document.footnotes[label]``; writers number footnotes in order of use."""

    label: str


Inline = Union[Text, Emph, Strong, Sup, Sub, Code, LineBreak, Link, FootnoteRef]


# ---------------------------------------------------------------- block nodes


@dataclass
class Heading:
    """A heading, level 1-4 (deeper levels are clamped to 4). ``anchor`` is a stable link target."""

    level: int
    children: tuple[Inline, ...]
    anchor: str | None = None
    numbered: str | None = None  # e.g. "3.2.P.8.1" when the heading is a CTD section


@dataclass
class Paragraph:
    children: tuple[Inline, ...]
    style: str | None = None  # optional semantic style: "caption", "disclaimer", "small"


@dataclass
class ListBlock:
    ordered: bool
    items: list[list["Block"]]
    start: int = 1


@dataclass
class Cell:
    children: tuple[Inline, ...]
    align: str | None = None  # "left" | "center" | "right"
    colspan: int = 1


@dataclass
class Table:
    """A table. ``header`` rows repeat on every page; ``caption`` is printed above the table.

    ``number`` is the table's number in its document ("3.2.P.5.4-1": the CTD section and a running
    number), given once by :func:`number_tables` so that captions and cross-references agree;
    writers print it before the caption (:func:`table_label`). ``landscape``: None lets the writer
    decide from the content (a table too wide for a portrait page goes on a landscape page), True or
    False forces it. ``min_row_mm``: the least height of a body row (a signature block: room to sign).
    """

    header: list[list[Cell]]
    rows: list[list[Cell]]
    caption: tuple[Inline, ...] = ()
    anchor: str | None = None
    widths: list[float] | None = None  # relative column widths, optional
    number: str = ""
    landscape: bool | None = None
    min_row_mm: float = 0.0

    @property
    def ncols(self) -> int:
        first = (self.header or self.rows or [[]])[0]
        return sum(c.colspan for c in first)


@dataclass
class Note:
    """An admonition-like note box ("Note:", "注：")."""

    children: list["Block"]
    kind: str = "note"


@dataclass
class Quote:
    children: list["Block"]


@dataclass
class CodeBlock:
    text: str


@dataclass
class PageBreak:
    pass


@dataclass
class Figure:
    """A generated image with its caption printed below it (e.g. the structure drawing of 3.2.S.1.2).

    ``data`` are the image bytes in ``media_type`` (``image/png``); writers embed them as they are.
    ``width_mm`` is the printed width (the height follows the image's aspect ratio). ``anchor`` is a
    stable link target, like a table's. The caption is also the image's alternative text (tagged PDF).
    """

    data: bytes
    media_type: str
    caption: tuple[Inline, ...] = ()
    anchor: str | None = None
    width_mm: float = 100.0

    @property
    def alt(self) -> str:
        """The alternative text of the image (its caption as plain text)."""
        return plain_text(self.caption).strip()


Block = Union[Heading, Paragraph, ListBlock, Table, Note, Quote, CodeBlock, PageBreak, Figure]


# ---------------------------------------------------------------- the document


@dataclass
class DocMeta:
    """What the title block, header/footer and PDF metadata need to know about a document.

    ``title`` is the document's own title (the protocol's title, the study report's title; the CTD
    heading only when the document has no title of its own): the title page, the PDF /Title, the
    first bookmark. ``heading`` is the CTD section heading shown with ``ctd_section`` in the page
    header. ``leaf_title`` is the eCTD leaf title (concise, unique within the eCTD element);
    empty means ``title``.
    """

    title: str
    ctd_section: str  # "3.2.P.8.1" or "1.3.1" (display number)
    element: str  # eCTD element / outline node id, e.g. "m3-2-p-8-1-stability-summary-and-conclusion"
    region: str  # "fda" | "nmpa"
    lang: str  # "en" | "zh"
    product: str = ""
    sponsor: str = ""
    version: str = "1.0"
    date: str = ""  # ISO date of the document (the sequence date by default)
    disclaimer: str | None = None  # e.g. "Illustrative data - not for regulatory use"
    toc: bool = False  # writers add a table of contents (long documents)
    labels: dict[str, str] = field(default_factory=dict)  # localized UI words: "page", "of", "contents", …
    heading: str = ""  # the CTD section heading (page header); empty means ``title``
    leaf_title: str = ""  # the eCTD leaf title; empty means ``title``

    @property
    def section_heading(self) -> str:
        """The CTD heading of the document's section (the page header's text after the number)."""
        return self.heading or self.title

    @property
    def ectd_title(self) -> str:
        """The eCTD leaf title of the document."""
        return self.leaf_title or self.title


@dataclass
class Document:
    meta: DocMeta
    blocks: list[Block] = field(default_factory=list)
    footnotes: dict[str, list[Block]] = field(default_factory=dict)

    def headings(self) -> Iterator[Heading]:
        for b in walk_blocks(self.blocks):
            if isinstance(b, Heading):
                yield b

    def tables(self) -> Iterator[Table]:
        for b in walk_blocks(self.blocks):
            if isinstance(b, Table):
                yield b

    def figures(self) -> Iterator[Figure]:
        for b in walk_blocks(self.blocks):
            if isinstance(b, Figure):
                yield b


#: How a table's number is printed before its caption and in cross-references, per language.
TABLE_LABEL = {"en": "Table {number}", "zh": "表 {number}"}


def table_label(number: str, lang: str) -> str:
    """``Table 3.2.P.5.4-1`` / ``表 3.2.P.5.4-1``: the words before a numbered table's caption."""
    return TABLE_LABEL.get(lang, TABLE_LABEL["en"]).format(number=number)


def number_tables(blocks: list[Block], section: str) -> dict[str, str]:
    """Number the captioned tables of a document in order: ``<section>-1``, ``<section>-2`` … (ICH M4
    documents number tables within their CTD section). Sets ``Table.number`` and returns the
    numbers of anchored tables by anchor, for cross-references. Tables without a caption get no
    number. Numbering the same blocks twice gives the same numbers."""
    by_anchor: dict[str, str] = {}
    n = 0
    for b in walk_blocks(blocks):
        if isinstance(b, Table) and b.caption:
            n += 1
            b.number = f"{section}-{n}" if section else str(n)
            if b.anchor and b.anchor not in by_anchor:
                by_anchor[b.anchor] = b.number
    return by_anchor


def walk_blocks(blocks: list[Block]) -> Iterator[Block]:
    """Every block, depth first, including those nested in lists, notes and quotes."""
    for b in blocks:
        yield b
        if isinstance(b, ListBlock):
            for item in b.items:
                yield from walk_blocks(item)
        elif isinstance(b, (Note, Quote)):
            yield from walk_blocks(b.children)


def plain_text(inlines: tuple[Inline, ...] | list[Inline]) -> str:
    """The text of inline nodes without formatting (for bookmarks, metadata, tests)."""
    out: list[str] = []
    for node in inlines:
        if isinstance(node, (Text, Code)):
            out.append(node.text)
        elif isinstance(node, LineBreak):
            out.append(" ")
        elif isinstance(node, FootnoteRef):
            continue
        else:
            out.append(plain_text(node.children))
    return "".join(out)


def text(s: str) -> tuple[Inline, ...]:
    """Shorthand for a run of plain text."""
    return (Text(s),)


# ---------------------------------------------------------------- reading a document back as text


def table_rows(table: Table) -> Iterator[tuple[bool, list[str]]]:
    """``(is_header, cell texts)`` for every row of a table."""
    for row in table.header:
        yield True, [plain_text(c.children) for c in row]
    for row in table.rows:
        yield False, [plain_text(c.children) for c in row]


def block_texts(doc: Document) -> Iterator[str]:
    """The plain text of every text-bearing block of a document (headings, paragraphs, table cells, code)."""
    for block in walk_blocks(doc.blocks):
        if isinstance(block, (Heading, Paragraph)):
            yield plain_text(block.children)
        elif isinstance(block, Table):
            if block.caption:
                yield plain_text(block.caption)
            for _, cells in table_rows(block):
                yield " | ".join(cells)
        elif isinstance(block, CodeBlock):
            yield block.text
        elif isinstance(block, Figure) and block.caption:
            yield plain_text(block.caption)
    for blocks in doc.footnotes.values():
        for block in walk_blocks(blocks):
            if isinstance(block, Paragraph):
                yield plain_text(block.children)


def document_text(doc: Document) -> str:
    """All the text a reader sees in a document, one block per line (title first)."""
    return "\n".join([doc.meta.title, *block_texts(doc)])
