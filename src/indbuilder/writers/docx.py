"""DOCX writer: :class:`indbuilder.doctree.Document` -> Word document bytes (python-docx).

What a reviewer gets:

- real Word styles (Title, Heading 1-4, Normal, List Bullet/Number 1-3, Table Grid, Caption,
  Quote, footnote text) so the navigation pane, a TOC update and style-based review work;
- a title block (title, CTD section, product, sponsor, version, date) and, when the document
  carries a disclaimer, a boxed disclaimer under it and in the page header of every page;
- header "CTD section + title", footer "Page X of Y" from PAGE/NUMPAGES fields;
- an optional TOC field (``TOC \\o "1-4" \\h \\z \\u``) pre-filled with linked entries;
- internal links to bookmarks on headings/tables, relative links to other files of the
  sequence (kept relative, ICH eCTD v3.2.2 section 2.7 / FDA "Portable Document Format (PDF)
  Specifications": hypertext links between documents must be relative), external URLs;
- real Word footnotes;
- figures (generated images such as the 3.2.S.1.2 structure drawing) as inline pictures with
  alternative text, the caption below in the Caption style;
- the region's paper (Letter for FDA, A4 for NMPA), 1 inch margins (FDA PDF specifications: left margin
  >= 3/4 inch, others >= 3/8 inch), Times New Roman 12 pt body text (FDA's recommendation),
  only NMPA 6.26 "standard fonts" (宋体 SimSun, Times New Roman, Arial, Courier New);
- byte-identical output for identical input (fixed core properties and zip entry metadata).

Content problems found while writing are reported as :class:`~indbuilder.diagnostics.Diagnostic`
(rule ids ``docx.*``, see :mod:`.docx_rules`), never raised.
"""

from __future__ import annotations

import copy
import datetime as _dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, cast

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.document import CT_Body
from docx.oxml.section import CT_HdrFtr
from docx.oxml.table import CT_Tbl
from docx.oxml.text.paragraph import CT_P
from docx.oxml.text.run import CT_R
from docx.opc.part import Part
from docx.shared import Mm, Twips
from lxml import etree

from .. import doctree as dt
from ..diagnostics import Diagnostics
from . import docx_ooxml as ox
from .base import WriteContext, WriteResult, document_context
from .text_check import TextRepair
from .docx_rules import RULES  # noqa: F401  (registers the docx.* rules; re-exported)
from .docx_styles import (
    DEFAULT_FONTS,
    Fonts,
    apply_page_setup,
    apply_styles,
    font_table_xml,
    page_setup,
)
from .table_layout import SCI, Metrics, layout_table

# ---------------------------------------------------------------- public API


def write_docx(
    doc: dt.Document,
    diags: Diagnostics | None = None,
    ctx: WriteContext | None = None,
    fonts: Fonts = DEFAULT_FONTS,
) -> bytes:
    """Render ``doc`` as a .docx file and return its bytes.

    ``ctx`` gives the paper, the words and whether links point at sibling review copies (default:
    :func:`~indbuilder.writers.base.document_context`, the document's region and language).
    Deterministic: the same ``doc`` gives the same bytes. Problems in the content are added to
    ``diags`` (if given) as ``docx.*`` diagnostics; the document is still written.
    """
    builder = _Builder(doc, diags if diags is not None else Diagnostics(), ctx or document_context(doc), fonts)
    return builder.build()


@dataclass(frozen=True)
class DocxWriter:
    """The review-copy writer (registry name ``docx``).

    With ``ctx.review_links`` the DOCX files are review copies laid out in the same relative tree
    as the sequence's PDFs (``<region>/docx/<eCTD path>.docx``); links to ``*.pdf`` documents then
    point to the sibling ``*.docx`` instead, with ``#anchor`` turned into the Word bookmark name
    this writer gives that anchor. Without it links stay exactly as in the submission.
    """

    name: str = "docx"
    extension: str = ".docx"
    submission: bool = False
    fonts: Fonts = DEFAULT_FONTS

    def write(self, doc: dt.Document, ctx: WriteContext) -> WriteResult:
        """See :func:`write_docx`; content problems come back in the result."""
        diags = Diagnostics()
        data = write_docx(doc, diags, ctx, self.fonts)
        return WriteResult(data, diags.items)


#: The registry entry (``writers.get_writer("docx")``).
WRITER = DocxWriter()


# ---------------------------------------------------------------- internals

#: A story that holds paragraphs and tables: the body, a header/footer, a footnote.
_Container = CT_Body | CT_HdrFtr

_APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    b"<Application>indbuilder</Application><DocSecurity>0</DocSecurity>"
    b"<LinksUpToDate>false</LinksUpToDate><HyperlinksChanged>false</HyperlinksChanged>"
    b"</Properties>"
)

_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class _Fmt:
    """Character formatting accumulated while descending inline nodes."""

    bold: bool = False
    italic: bool = False
    sup: bool = False
    sub: bool = False
    rstyle: str | None = None


@dataclass(frozen=True)
class _Ctx:
    """Block context: the paragraph style for plain paragraphs and list nesting level."""

    base: str = "Normal"
    list_level: int = 0
    in_list_item: bool = False


@dataclass
class _Footnote:
    label: str
    id: int


@dataclass
class _State:
    bookmarks: dict[str, str] = field(default_factory=dict)  # anchor -> bookmark name
    heading_bookmarks: dict[int, str] = field(default_factory=dict)  # id(Heading) -> name
    placed: set[int] = field(default_factory=set)  # id(block) that carries its bookmark
    taken: set[str] = field(default_factory=set)
    next_bookmark_id: int = 0
    footnotes: dict[str, _Footnote] = field(default_factory=dict)


def _headings_in_lists(blocks: list[dt.Block], inside: bool = False) -> set[int]:
    """``id()`` of every heading that sits (at any depth) inside a list item."""
    found: set[int] = set()
    for b in blocks:
        if isinstance(b, dt.Heading) and inside:
            found.add(id(b))
        elif isinstance(b, dt.ListBlock):
            for item in b.items:
                found |= _headings_in_lists(item, True)
        elif isinstance(b, (dt.Note, dt.Quote)):
            found |= _headings_in_lists(b.children, inside)
    return found


class _Builder:
    def __init__(self, doc: dt.Document, diags: Diagnostics, ctx: WriteContext, fonts: Fonts) -> None:
        self.doc = doc
        self.meta = doc.meta
        self.diags = diags
        self.ctx = ctx
        self.fonts = fonts
        self.labels = dict(ctx.words)
        self.page = page_setup(ctx.paper)
        self.docx = docx.Document()
        self.part: Part = self.docx.part  # story part receiving relationships (document / footnotes)
        self.state = _State()
        self._numbering: ox.ListNumbering | None = None
        self._footnotes_part: ox.FootnotesPart | None = None
        self._in_footnote = False
        self._where = doc.meta.element or doc.meta.title
        self._list_headings: set[int] = set()  # id() of headings nested in list items
        self._repair = TextRepair()  # lone surrogates: replaced and reported once per document
        self._sections: list[tuple[CT_P, bool]] = []  # paragraphs that end a section: (p, landscape)

    # ------------------------------------------------------------ driver

    def build(self) -> bytes:
        apply_styles(self.docx, self.meta, self.fonts, self.page)
        apply_page_setup(self.docx, self.page)
        self._assign_bookmarks()
        body = self.docx.element.body
        self._title_block(body)
        if self.meta.toc:
            self._toc(body)
        self._blocks(self.doc.blocks, body, _Ctx())
        self._end_with_paragraph(body)
        self._write_footnotes()
        self._header_footer()
        self._end_sections()
        self._properties()
        self._repair.report(self.diags, self.ctx.source)
        out = io.BytesIO()
        self.docx.save(out)
        fonts = self.fonts
        return ox.normalize_zip(
            out.getvalue(),
            replace={
                "docProps/app.xml": _APP_XML,
                "word/fontTable.xml": lambda xml: font_table_xml(xml, fonts),
            },
        )

    # ------------------------------------------------------------ text safety

    def _clean(self, s: str) -> str:
        # The one place where text enters the document: a lone surrogate becomes U+FFFD (reported
        # as write.invalid-text), the rest of what XML cannot store is removed (docx.invalid-char).
        s = self._repair.replace_surrogates(s)
        bad = ox.invalid_xml_chars(s)
        if not bad:
            return s
        codes = ", ".join(f"U+{ord(c):04X}" for c in bad)
        snippet = ox.strip_invalid_xml(s)[:60]
        self.diags.emit(
            "docx.invalid-char",
            f"{self._where}: removed control character(s) {codes} from text {snippet!r}",
            self.ctx.source,
        )
        return ox.strip_invalid_xml(s)

    # ------------------------------------------------------------ bookmarks

    def _new_bookmark_id(self) -> int:
        self.state.next_bookmark_id += 1
        return self.state.next_bookmark_id

    def _assign_bookmarks(self) -> None:
        """Give every anchored heading/table a Word bookmark name (in document order), and every
        heading a hidden ``_Toc`` bookmark when a TOC is requested."""
        st = self.state
        toc_no = 0
        self._list_headings = _headings_in_lists(self.doc.blocks)
        for block in dt.walk_blocks(self.doc.blocks):
            anchor = getattr(block, "anchor", None) if isinstance(block, (dt.Heading, dt.Table, dt.Figure)) else None
            if anchor:
                if anchor in st.bookmarks:
                    self.diags.emit(
                        "docx.anchor-duplicate",
                        f"{self._where}: anchor {anchor!r} is used more than once; "
                        "links go to its first occurrence",
                    )
                else:
                    st.bookmarks[anchor] = ox.bookmark_name(anchor, st.taken)
                    st.placed.add(id(block))
                    if isinstance(block, dt.Heading):
                        st.heading_bookmarks[id(block)] = st.bookmarks[anchor]
                    continue
            if isinstance(block, dt.Heading) and self.meta.toc and id(block) not in self._list_headings:
                toc_no += 1
                name = f"_Toc{toc_no:09d}"
                st.taken.add(name)
                st.heading_bookmarks[id(block)] = name
                st.placed.add(id(block))

    def _bookmark_for(self, block: dt.Heading | dt.Table | dt.Figure) -> str | None:
        if id(block) not in self.state.placed:
            return None
        if isinstance(block, dt.Heading):
            return self.state.heading_bookmarks.get(id(block))
        return self.state.bookmarks.get(block.anchor) if block.anchor else None

    # ------------------------------------------------------------ paragraphs and runs

    def _p(self, container: _Container, style: str) -> CT_P:
        p = container.add_p()
        p.get_or_add_pPr().style = style
        return p

    def _run(self, parent: etree._Element, text: str, fmt: _Fmt) -> None:
        vert = "superscript" if fmt.sup else "subscript" if fmt.sub else None
        ox.append_run(
            parent, self._clean(text), rstyle=fmt.rstyle, bold=fmt.bold, italic=fmt.italic, vert=vert
        )

    def _inlines(self, parent: etree._Element, nodes: Iterable[dt.Inline], fmt: _Fmt = _Fmt(), in_link: bool = False) -> None:
        for node in nodes:
            if isinstance(node, dt.Text):
                if node.text:
                    self._run(parent, node.text, fmt)
            elif isinstance(node, dt.Strong):
                self._inlines(parent, node.children, replace(fmt, bold=True), in_link)
            elif isinstance(node, dt.Emph):
                self._inlines(parent, node.children, replace(fmt, italic=not fmt.italic), in_link)
            elif isinstance(node, dt.Sup):
                self._inlines(parent, node.children, replace(fmt, sup=True, sub=False), in_link)
            elif isinstance(node, dt.Sub):
                self._inlines(parent, node.children, replace(fmt, sub=True, sup=False), in_link)
            elif isinstance(node, dt.Code):
                style = fmt.rstyle if in_link else "VerbatimChar"
                self._run(parent, node.text, replace(fmt, rstyle=style))
            elif isinstance(node, dt.LineBreak):
                ox.append_run(parent, "\n")
            elif isinstance(node, dt.Link):
                self._link(parent, node, fmt, in_link)
            elif isinstance(node, dt.FootnoteRef):
                self._footnote_ref(parent, node)

    def _link(self, parent: etree._Element, link: dt.Link, fmt: _Fmt, in_link: bool) -> None:
        if in_link:  # Word has no nested hyperlinks: keep the text of the inner link
            self._inlines(parent, link.children, fmt, True)
            return
        target_el = None
        if link.href:
            href = link.href
            if "\\" in href or href.startswith("/") or _SCHEME.match(href):
                self.diags.emit(
                    "docx.href-not-relative",
                    f"{self._where}: link target {href!r} is not a relative path",
                    hint="write the path relative to this document, e.g. ../32p8/stability.pdf",
                )
            anchor = link.anchor
            if self.ctx.review_links and href.lower().endswith(".pdf"):
                href = href[: -len(".pdf")] + ".docx"
                anchor = ox.bookmark_name(anchor, set()) if anchor else None
            target = href + (f"#{anchor}" if anchor else "")
            r_id = self.part.relate_to(target, RT.HYPERLINK, is_external=True)
            target_el = ox.hyperlink(parent, r_id=r_id)
        elif link.url:
            r_id = self.part.relate_to(link.url, RT.HYPERLINK, is_external=True)
            target_el = ox.hyperlink(parent, r_id=r_id)
        elif link.anchor:
            name = self.state.bookmarks.get(link.anchor)
            if name is None:
                self.diags.emit(
                    "docx.anchor-missing",
                    f"{self._where}: link to anchor {link.anchor!r} "
                    f"(text {dt.plain_text(link.children)!r}) has no target in the document",
                )
            else:
                target_el = ox.hyperlink(parent, anchor=name)
        else:
            self.diags.emit(
                "docx.link-no-target",
                f"{self._where}: link {dt.plain_text(link.children)!r} has no target",
            )
        if target_el is None:
            self._inlines(parent, link.children, fmt, False)
        else:
            self._inlines(target_el, link.children, replace(fmt, rstyle="Hyperlink"), True)

    # ------------------------------------------------------------ footnotes

    def _footnote_ref(self, parent: etree._Element, ref: dt.FootnoteRef) -> None:
        known = self.state.footnotes.get(ref.label)
        if ref.label not in self.doc.footnotes:
            self.diags.emit(
                "docx.footnote-missing",
                f"{self._where}: footnote reference [^{ref.label}] has no footnote text",
            )
            self._run(parent, f"[{ref.label}]", _Fmt(sup=True))
        elif known is not None:
            # A second reference to the same note: Word numbers notes by their (single)
            # reference, so repeat the number as a superscript.
            self._run(parent, str(known.id), _Fmt(rstyle="FootnoteReference"))
        elif self._in_footnote:
            self.diags.emit(
                "docx.footnote-nested",
                f"{self._where}: a footnote refers to footnote [^{ref.label}], "
                "which the text never refers to",
            )
            self._run(parent, f"[{ref.label}]", _Fmt(sup=True))
        else:
            note = _Footnote(ref.label, len(self.state.footnotes) + 1)
            self.state.footnotes[ref.label] = note
            parent.append(ox.footnote_reference_run(note.id))

    def _write_footnotes(self) -> None:
        for label in self.doc.footnotes:
            if label not in self.state.footnotes:
                self.diags.emit(
                    "docx.footnote-unused",
                    f"{self._where}: footnote [^{label}] is never referenced and is not printed",
                )
        if not self.state.footnotes:
            return
        self._footnotes_part = ox.add_footnotes_part(self.docx.part)
        self.part = self._footnotes_part
        self._in_footnote = True
        for note in list(self.state.footnotes.values()):
            el = self._footnotes_part.add_footnote(note.id)
            self._blocks(self.doc.footnotes[note.label], el, _Ctx(base="FootnoteText"))
            self._end_with_paragraph(el)
            first = cast("CT_P | None", el.find(qn("w:p")))
            if first is None or first is not el[0]:
                first = cast(CT_P, OxmlElement("w:p"))
                el.insert(0, first)
                first.get_or_add_pPr().style = "FootnoteText"
            ppr = first.get_or_add_pPr()
            space = OxmlElement("w:r")
            space.text = " "
            ppr.addnext(space)
            ppr.addnext(ox.footnote_ref_mark_run())
        self._in_footnote = False
        self.part = self.docx.part

    # ------------------------------------------------------------ blocks

    def _blocks(self, blocks: Iterable[dt.Block], container: _Container, ctx: _Ctx) -> None:
        previous = None
        for block in blocks:
            if isinstance(block, dt.Table) and isinstance(previous, dt.Table) and not block.caption:
                self._spacer(container)  # two adjacent tables would merge into one in Word
            self._block(block, container, ctx)
            previous = block

    def _spacer(self, container: _Container) -> None:
        p = self._p(container, "Normal")
        p.get_or_add_pPr().spacing_after = Twips(0)

    def _end_with_paragraph(self, container: _Container) -> None:
        """Word expects a story (body before sectPr, footnote) to end with a paragraph."""
        last = [c for c in container if c.tag in (qn("w:p"), qn("w:tbl"))]
        if last and last[-1].tag == qn("w:tbl"):
            self._spacer(container)

    def _block(self, block: dt.Block, container: _Container, ctx: _Ctx) -> CT_P | None:
        """Render one block; return the first ``w:p`` it created (for list numbering) or None."""
        if isinstance(block, dt.Paragraph):
            return self._paragraph(block, container, ctx)
        if isinstance(block, dt.Heading):
            return self._heading(block, container, ctx)
        if isinstance(block, dt.ListBlock):
            self._list(block, container, ctx)
        elif isinstance(block, dt.Table):
            self._table(block, container, ctx)
        elif isinstance(block, dt.Note):
            self._note(block, container, ctx)
        elif isinstance(block, dt.Quote):
            self._blocks(block.children, container, replace(ctx, base="Quote"))
        elif isinstance(block, dt.CodeBlock):
            p = self._p(container, "SourceCode")
            self._run(p, block.text.rstrip("\n"), _Fmt())
            return p
        elif isinstance(block, dt.Figure):
            return self._figure(block, container)
        elif isinstance(block, dt.PageBreak):
            p = container.add_p()
            r = OxmlElement("w:r")
            r.append(OxmlElement("w:br", {qn("w:type"): "page"}))
            p.append(r)
        return None

    _PARAGRAPH_STYLES = {"caption": "Caption", "disclaimer": "Disclaimer", "small": "SmallText"}

    def _paragraph(self, block: dt.Paragraph, container: _Container, ctx: _Ctx) -> CT_P:
        style = self._PARAGRAPH_STYLES.get(block.style or "", ctx.base)
        p = self._p(container, style)
        self._inlines(p, block.children)
        return p

    def _heading(self, block: dt.Heading, container: _Container, ctx: _Ctx) -> CT_P:
        if self._in_footnote or ctx.in_list_item:
            # A heading inside a list item or footnote would break the list / the outline:
            # print it as bold text (still a link target).
            p = self._p(container, ctx.base)
            self._inlines(p, block.children, _Fmt(bold=True))
            name = self._bookmark_for(block)
            if name:
                ox.add_bookmark(p, self._new_bookmark_id(), name)
            return p
        level = min(max(block.level, 1), 4)
        p = self._p(container, f"Heading{level}")
        text = dt.plain_text(block.children)
        if block.numbered and not text.startswith(block.numbered):
            self._run(p, f"{block.numbered} ", _Fmt())
        self._inlines(p, block.children)
        name = self._bookmark_for(block)
        if name:
            ox.add_bookmark(p, self._new_bookmark_id(), name)
        return p

    def _note(self, block: dt.Note, container: _Container, ctx: _Ctx) -> None:
        label = self.labels.get(block.kind, self.labels.get("note", "Note"))
        sub = replace(ctx, base="NoteText")
        children = list(block.children)
        if children and isinstance(children[0], dt.Paragraph) and not children[0].style:
            p = self._p(container, "NoteText")
            self._run(p, label + self.labels["label_sep"], _Fmt(bold=True))
            self._inlines(p, children[0].children)
            children = children[1:]
        else:
            p = self._p(container, "NoteText")
            self._run(p, label, _Fmt(bold=True))
        self._blocks(children, container, sub)

    def _list(self, block: dt.ListBlock, container: _Container, ctx: _Ctx) -> None:
        if self._numbering is None:
            self._numbering = ox.ListNumbering(self.docx.part.numbering_part.element)
        level = ctx.list_level
        num_id = self._numbering.new_list(block.ordered, level, block.start)
        suffix = "" if level == 0 else str(min(level + 1, 3))
        item_style = ("ListNumber" if block.ordered else "ListBullet") + suffix
        cont_style = "ListContinue" + suffix
        inner = replace(ctx, list_level=level + 1, in_list_item=True)
        for item in block.items:
            blocks = list(item)
            first = blocks[0] if blocks else None
            p = self._p(container, item_style)
            if isinstance(first, dt.Paragraph) and not first.style:
                self._inlines(p, first.children)
                blocks = blocks[1:]
            elif isinstance(first, dt.Heading):
                self._inlines(p, first.children, _Fmt(bold=True))
                name = self._bookmark_for(first)
                if name:
                    ox.add_bookmark(p, self._new_bookmark_id(), name)
                blocks = blocks[1:]
            # get_or_add_numPr is generated at runtime by python-docx (ZeroOrOne) and not typed
            ppr: Any = p.get_or_add_pPr()
            numpr = ppr.get_or_add_numPr()
            numpr.get_or_add_ilvl().val = level
            numpr.get_or_add_numId().val = num_id
            for b in blocks:
                if isinstance(b, (dt.Paragraph, dt.Heading)) and not getattr(b, "style", None):
                    q = self._block(b, container, replace(inner, base=cont_style))
                    assert q is not None  # paragraphs and headings always give their w:p
                    q.get_or_add_pPr().ind_left = Twips(360 * (level + 1))
                else:
                    self._block(b, container, inner)

    # ------------------------------------------------------------ tables

    def _table(self, block: dt.Table, container: _Container, ctx: _Ctx) -> None:
        rows = [(True, r) for r in block.header] + [(False, r) for r in block.rows]
        declared = block.ncols
        widths_of = [sum(c.colspan for c in r) for _, r in rows]
        ncols = max(widths_of + [declared, 1])
        for i, w in enumerate(widths_of):
            if w != ncols:
                self.diags.emit(
                    "docx.table-ragged",
                    f"{self._where}: table {self._table_name(block)!r} row {i + 1} has {w} "
                    f"column(s), the table has {ncols}; padded with empty cells",
                )
        bookmark = self._bookmark_for(block)
        if not rows:
            self.diags.emit(
                "docx.table-empty",
                f"{self._where}: table {self._table_name(block)!r} has no rows",
            )
        indent = 360 * ctx.list_level if ctx.in_list_item else 0  # align with list item text
        total = self.page.text_width - indent
        turnable = rows and isinstance(container, CT_Body) and not ctx.in_list_item and not self._in_footnote
        layout = layout_table(
            block, ncols, total / 20, (self.page.height - 2 * self.page.margin) / 20 if turnable else None,
            (self.page.height - 2 * self.page.margin) / 20, _DOCX_METRICS,
        )
        if layout.landscape:
            # A table too wide for a portrait page: a landscape section of its own (ECMA-376 17.6.13,
            # w:orient), so Word and LibreOffice neither squeeze its columns nor split the table.
            self._sections.append((container.add_p(), False))
            total = int(layout.text_width * 20)
        if block.caption or (bookmark and not rows):
            cap = self._p(container, "Caption")
            if block.number and block.caption:
                self._run(cap, dt.table_label(block.number, self.meta.lang) + " ", _Fmt())
            self._inlines(cap, block.caption)
            if bookmark:
                ox.add_bookmark(cap, self._new_bookmark_id(), bookmark)
                bookmark = None
        if not rows:
            return

        rel = list(block.widths or [])
        if len(rel) != ncols or any(w <= 0 for w in rel):
            rel = layout.widths  # from the content: the longest word of each column fits
        scale = total / sum(rel)
        widths = [int(w * scale) for w in rel]
        widths[-1] += total - sum(widths)

        tbl = CT_Tbl.new_tbl(0, ncols, Twips(total))
        tbl.tblPr.style = "TableGrid"
        ox.set_table_layout(tbl, widths, indent)
        if layout.metrics.font_pt < 10:  # narrow cell margins for a table set in 9 pt (as the PDF)
            margin = str(int(layout.metrics.pad_pt * 20))
            mar = OxmlElement("w:tblCellMar")
            for side in ("w:left", "w:right"):
                mar.append(OxmlElement(side, {qn("w:w"): margin, qn("w:type"): "dxa"}))
            look = tbl.tblPr.find(qn("w:tblLook"))
            if look is not None:
                look.addprevious(mar)
            else:
                tbl.tblPr.append(mar)
        container._insert_tbl(tbl)

        cells_out = ox.CellFactory()
        first_cell_p = None
        page_height = self.page.height - 2 * self.page.margin
        min_height = int(block.min_row_mm * 1440 / 25.4)
        for i, (is_header, cells) in enumerate(rows):
            keep = layout.row_heights[i] * 20 < 0.4 * page_height if i < len(layout.row_heights) else True
            tr = ox.new_row(tbl, header=is_header, keep=keep, min_height=0 if is_header else min_height)
            col = 0
            padded = list(cells)
            padded += [dt.Cell(())] * (ncols - sum(c.colspan for c in cells))
            for cell in padded:
                span = max(1, min(cell.colspan, ncols - col))
                align = cell.align if cell.align in ("left", "center", "right") else None
                p = cells_out.add(tr, sum(widths[col : col + span]), span, is_header, align)
                self._inlines(p, _sci_together(cell.children))
                if first_cell_p is None:
                    first_cell_p = p
                col += span
                if col >= ncols:
                    break
        if layout.metrics.font_pt < 10:  # 9 pt for a table whose words need it (as in the PDF)
            for rpr in tbl.iter(qn("w:rPr")):
                _set_size(rpr, int(layout.metrics.font_pt * 2))
            for r in tbl.iter(qn("w:r")):
                if r.find(qn("w:rPr")) is None:
                    rpr = OxmlElement("w:rPr")
                    r.insert(0, rpr)
                    _set_size(rpr, int(layout.metrics.font_pt * 2))
        if bookmark and first_cell_p is not None:
            ox.add_bookmark(first_cell_p, self._new_bookmark_id(), bookmark)
        if layout.landscape:
            self._sections.append((container.add_p(), True))

    def _end_sections(self) -> None:
        """Give every section-ending paragraph a copy of the document's section properties (page,
        margins, header and footer), turned to landscape for the sections that hold a wide table."""
        body_sect = self.docx.element.body.find(qn("w:sectPr"))
        if body_sect is None:
            return
        for p, landscape in self._sections:
            sect = copy.deepcopy(body_sect)
            size = sect.find(qn("w:pgSz"))
            if landscape and size is not None:
                w, h = size.get(qn("w:w")), size.get(qn("w:h"))
                size.set(qn("w:w"), h or "")
                size.set(qn("w:h"), w or "")
                size.set(qn("w:orient"), "landscape")
            p.get_or_add_pPr().append(sect)

    # ------------------------------------------------------------ figures

    def _figure(self, block: dt.Figure, container: _Container) -> CT_P:
        """The picture in a centred paragraph kept with its caption (Caption style, below it, as
        figures are captioned in ICH M4 documents); the anchor's bookmark is on the caption."""
        p = self._p(container, "Normal")
        ppr = p.get_or_add_pPr()
        ppr.keepNext_val = True
        ppr.jc_val = WD_ALIGN_PARAGRAPH.CENTER
        width = min(int(Mm(block.width_mm)), int(Twips(self.page.text_width)))
        # python-docx names the image part by count (/word/media/image1.png) and the shape by the
        # next free id: both deterministic, and normalize_zip fixes the zip metadata.
        inline = self.part.new_pic_inline(io.BytesIO(block.data), width=width)  # type: ignore[attr-defined]
        doc_pr = inline.find(qn("wp:docPr"))
        if doc_pr is not None and block.alt:
            doc_pr.set("descr", self._clean(block.alt))  # alternative text for screen readers
        run = OxmlElement("w:r")
        cast(CT_R, run).add_drawing(inline)
        p.append(run)
        bookmark = self._bookmark_for(block)
        if block.caption or bookmark:
            cap = self._p(container, "Caption")
            cap.get_or_add_pPr().keepNext_val = False  # the style keeps a table caption with the table below it
            self._inlines(cap, block.caption)
            if bookmark:
                ox.add_bookmark(cap, self._new_bookmark_id(), bookmark)
        return p

    @staticmethod
    def _table_name(block: dt.Table) -> str:
        return dt.plain_text(block.caption) or (block.anchor or "(untitled)")

    # ------------------------------------------------------------ title block, TOC

    def _title_block(self, body: CT_Body) -> None:
        meta, labels = self.meta, self.labels
        p = self._p(body, "Title")
        self._run(p, meta.title, _Fmt())
        sep = labels["label_sep"]
        for key, value in (
            ("section", meta.ctd_section),
            ("product", meta.product),
            ("sponsor", meta.sponsor),
            ("version", meta.version),
            ("date", meta.date),
        ):
            if value:
                p = self._p(body, "DocumentInfo")
                # the table's words in title case; a project's own word (DocMeta.labels) as written
                name = labels[key] if meta.labels.get(key) else _field_name(labels[key])
                self._run(p, name + sep, _Fmt(bold=True))
                self._run(p, value, _Fmt())
        if meta.disclaimer:
            p = self._p(body, "Disclaimer")
            self._run(p, meta.disclaimer, _Fmt())

    def _toc(self, body: CT_Body) -> None:
        """A Word TOC field whose cached result already lists every heading as a link.

        Page numbers are left to Word: ``w:updateFields`` makes Word refresh the field (and add
        page numbers) when the document is opened. Viewers that never update fields
        (LibreOffice's converter) still show a usable, linked contents list.
        """
        p = self._p(body, "TOCHeading")
        self._run(p, self.labels["contents"], _Fmt())
        entries = [
            h
            for h in self.doc.headings()
            if id(h) in self.state.heading_bookmarks and id(h) not in self._list_headings
        ]
        instr = 'TOC \\o "1-4" \\h \\z \\u'
        if not entries:
            p = self._p(body, "TOC1")
            ox.field_begin(p, instr, dirty=True)
            self._run(p, self.labels["toc_placeholder"], _Fmt())
            ox.field_end(p)
            return
        for i, h in enumerate(entries):
            level = min(max(h.level, 1), 4)
            p = self._p(body, f"TOC{level}")
            if i == 0:
                ox.field_begin(p, instr, dirty=True)
            name = self.state.heading_bookmarks[id(h)]
            link = ox.hyperlink(p, anchor=name)
            text = dt.plain_text(h.children)
            if h.numbered and not text.startswith(h.numbered):
                text = f"{h.numbered} {text}"
            self._run(link, text, _Fmt())
            if i == len(entries) - 1:
                ox.field_end(p)
        ox.insert_setting(self.docx.settings.element, OxmlElement("w:updateFields", {qn("w:val"): "true"}))

    # ------------------------------------------------------------ header, footer, properties

    def _header_footer(self) -> None:
        meta = self.meta
        section = self.docx.sections[0]
        hdr = section.header.part.element
        for child in list(hdr):
            hdr.remove(child)
        p = self._p(hdr, "Header")
        # the page header names the CTD section; the title block names the document itself
        self._run(p, " ".join(x for x in (meta.ctd_section, meta.section_heading) if x), _Fmt())
        if meta.disclaimer:
            p = self._p(hdr, "Header")
            self._run(p, meta.disclaimer, _Fmt(bold=True))
            p.get_or_add_pPr().jc_val = WD_ALIGN_PARAGRAPH.CENTER

        ftr = section.footer.part.element
        for child in list(ftr):
            ftr.remove(child)
        p = self._p(ftr, "Footer")
        for piece in re.split(r"(\{page\}|\{pages\})", self.labels["page_format"]):
            if piece == "{page}":
                ox.add_field(p, "PAGE", "1")
            elif piece == "{pages}":
                ox.add_field(p, "NUMPAGES", "1")
            elif piece:
                self._run(p, piece, _Fmt())

    def _properties(self) -> None:
        meta = self.meta
        try:
            day = _dt.date.fromisoformat(meta.date) if meta.date else _dt.date(2000, 1, 1)
        except ValueError:
            self.diags.emit("docx.meta-date", f"{self._where}: document date {meta.date!r} is not YYYY-MM-DD")
            day = _dt.date(2000, 1, 1)
        when = _dt.datetime(day.year, day.month, day.day, tzinfo=_dt.timezone.utc)
        cp = self.docx.core_properties
        # OOXML core properties hold at most 255 characters; a long protocol title is cut there
        # (the title page shows it in full)
        cp.title = _core_text(self._clean(meta.title))
        cp.subject = _core_text(self._clean(" ".join(x for x in (meta.ctd_section, meta.section_heading) if x)))
        cp.author = self._clean(meta.sponsor)
        cp.last_modified_by = self._clean(meta.sponsor)
        cp.keywords = meta.element
        cp.comments = ""
        cp.category = ""
        cp.language = "zh-CN" if meta.lang == "zh" else "en-US"
        cp.version = meta.version
        cp.revision = 1
        cp.created = cp.modified = cp.last_printed = when
        # The template's thumbnail shows another document: drop it. Its stylesWithEffects part
        # (Word 2010) holds the template's old style definitions; Word repairs a file whose
        # stylesWithEffects disagrees with styles.xml, so drop that part too.
        for rels, reltype in (
            (self.docx.part.package.rels, RT.THUMBNAIL),
            (self.docx.part.rels, _STYLES_WITH_EFFECTS),
        ):
            for r_id, rel in list(rels.items()):
                if rel.reltype == reltype:
                    rels.pop(r_id)


def _core_text(value: str, limit: int = 255) -> str:
    """``value`` within the 255-character limit of a DOCX core property (cut with an ellipsis)."""
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


#: Table text in the DOCX: 10 pt "Table Text" in Times New Roman (or its metric twin Liberation Serif,
#: which LibreOffice uses on Linux: Debian package fonts-liberation), 108-twip cell margins.
_DOCX_METRICS = Metrics(font_pt=10.0, pad_pt=5.4, line_pt=11.5, row_pad_pt=2.0, latin_scale=1.06)


def _set_size(rpr: Any, half_points: int) -> None:
    """Set ``w:sz`` of a run's properties (schema order: after the font, bold, italic … before vertAlign)."""
    for old in rpr.findall(qn("w:sz")):
        rpr.remove(old)
    sz = OxmlElement("w:sz", {qn("w:val"): str(half_points)})
    later = [qn(t) for t in ("w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")]
    nxt = next((c for c in rpr if c.tag in later), None)
    if nxt is not None:
        nxt.addprevious(sz)
    else:
        rpr.append(sz)


def _sci_together(nodes: tuple[dt.Inline, ...]) -> tuple[dt.Inline, ...]:
    """Cell text with the spaces of "3.0 × 10⁷" made non-breaking, so a line never breaks inside a number."""
    out: list[dt.Inline] = []
    for n in nodes:
        if isinstance(n, dt.Text) and SCI.search(n.text):
            n = dt.Text(SCI.sub(lambda m: m.group(0).replace(" ", "\u00a0"), n.text))
        out.append(n)
    return tuple(out)


def _field_name(word: str) -> str:
    """A title-block word as a Word field name: every word capitalized ("CTD section" -> "CTD Section").

    The DOCX title block is a list of "Name: value" lines in title case; the PDF prints the same
    words of :mod:`.words` as the row heads of a table, as written.
    """
    return " ".join(w[:1].upper() + w[1:] for w in word.split(" "))
