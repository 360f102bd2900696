"""Turn a :class:`~indbuilder.doctree.Document` into the JSON data the typst template reads.

Text is never spliced into typst source: it travels as JSON strings and the template prints
them as typst ``str`` values, which typst always shows literally. This module also resolves what
typst itself would fail on (links to anchors that do not exist, anchors used twice) so that such
content problems become diagnostics instead of compile errors.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Any

from .. import doctree as dt
from ..diagnostics import Diagnostics, Location
from ..regions.base import Paper
from ..rules import define
from .pdf_fonts import FontSetup
from .table_layout import Metrics, keep_together, layout_table
from .text_check import TextRepair, long_words

define(
    "pdf.link-target-missing",
    "error",
    "An internal link points to an anchor that no heading or table of the document carries.",
    "The link is printed as plain text so the PDF stays valid, but the reader cannot follow it. "
    "Fix the anchor name or add the anchor to the heading/table.",
    basis="FDA PDF Specifications (hypertext links must work); NMPA eCTD validation 6.1-6.4",
)
define(
    "pdf.duplicate-anchor",
    "error",
    "Two headings or tables of one document carry the same anchor.",
    "A link target must be unique; only the first element keeps the anchor in the PDF.",
    basis="FDA PDF Specifications (hypertext links must go to the right place)",
)
define(
    "pdf.invalid-date",
    "warning",
    "The document date is not an ISO date (YYYY-MM-DD).",
    "The PDF is written without a creation date (which keeps it reproducible) and the title "
    "block shows the date as written.",
)
define(
    "pdf.long-word",
    "warning",
    "A word is wider than the text column; it is broken across lines at arbitrary characters.",
    "typst breaks lines only at spaces, hyphens and between CJK characters, so a longer run of "
    "letters (a pasted hash, a sequence, a URL-like string) would run off the page and be cut. "
    "The writer lets it break anywhere so that all of it is printed, and reports it so that the "
    "author can check the source (usually a template or paste error).",
    basis="FDA PDF Specifications (text must be readable: nothing outside the page margins); "
    "NMPA eCTD validation 6.25 (searchable text)",
)
define(
    "pdf.url-printed",
    "info",
    "An external web address is printed as plain text instead of a link.",
    "Submission PDFs must not link outside the submission, so the writer prints the address as "
    "plain, non-clickable text after the link text.",
    basis="FDA PDF Specifications v4 (no external hyperlinks); NMPA eCTD validation 6.3/6.10",
)

#: typst's name for each paper size and its margin in mm: 1 inch on US Letter (FDA PDF
#: specifications ask for at least 3/4 inch on the left), 25 mm on A4.
_PAPER: dict[Paper, tuple[str, float]] = {"letter": ("us-letter", 25.4), "a4": ("a4", 25.0)}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_PAPER_WIDTH_MM: dict[Paper, float] = {"letter": 215.9, "a4": 210.0}
_PAPER_HEIGHT_MM: dict[Paper, float] = {"letter": 279.4, "a4": 297.0}
#: Table text as the template sets it: 10 pt, cell inset 5 pt / 4 pt, leading 0.65 em.
_TABLE_METRICS = Metrics(font_pt=10.0, pad_pt=5.0, line_pt=10.0 * 1.65 * 0.78, row_pad_pt=8.0)
#: A row estimated taller than this share of the page may break across pages; shorter rows never do.
_UNBREAKABLE_ROW = 0.4
#: Font sizes (pt) of the template: body, table cells, code, and headings by level.
_BODY_PT, _TABLE_PT, _CODE_PT = 12.0, 10.0, 9.5
_HEADING_PT = {1: 15.0, 2: 13.5, 3: 12.5, 4: 12.0}
#: Share of the column a word may take before it counts as too wide (lists, notes and quotes
#: are indented a little).
_USABLE = 0.92
#: Mono-spaced characters are 0.6 em wide (Liberation Mono, DejaVu Sans Mono).
_MONO_EM = 0.6
#: Long-word findings reported per document; further ones are counted in one last finding.
_LONG_WORD_REPORTS = 10


@dataclass
class _State:
    """Book-keeping while converting one document."""

    anchors: set[str]
    location: Location | None
    diagnostics: Diagnostics | None
    footnote_labels: dict[str, str] = field(default_factory=dict)
    footnotes: dict[str, list[dt.Block]] = field(default_factory=dict)
    used_anchors: set[str] = field(default_factory=set)
    heading_level: int = 0  # level of the last heading, in document order
    column_pt: float = 468.0  # width of the text column
    landscape_pt: float = 648.0  # width of the text column of a landscape page
    height_pt: float = 648.0  # height of the text area of a portrait page
    lang: str = "en"
    depth: int = 0  # 0 for the document's own blocks; tables nested in lists cannot turn the page
    size_pt: float = _BODY_PT  # font size of the text being converted
    where: str = "paragraph"  # what the text being converted is, for messages
    long_words: int = 0
    repair: TextRepair = field(default_factory=TextRepair)
    images: list[bytes] = field(default_factory=list)  # figure images, referred to by index

    def emit(self, rule: str, message: str, hint: str | None = None) -> None:
        if self.diagnostics is not None:
            self.diagnostics.emit(rule, message, self.location, hint)

    def limit_em(self) -> float:
        """How many em of the current font size a word may be wide."""
        return self.column_pt * _USABLE / self.size_pt

    def report_long(self, length: int, preview: str) -> None:
        self.long_words += 1
        if self.long_words <= _LONG_WORD_REPORTS:
            self.emit(
                "pdf.long-word",
                f"a word of {length} characters in a {self.where} is wider than the text column: "
                f"'{preview}'; it is printed broken across lines",
                hint="check the source for a pasted hash, sequence or missing spaces",
            )


def parse_date(value: str) -> tuple[int, int, int] | None:
    """``(year, month, day)`` of an ISO date, or None when it is not a real calendar date."""
    m = _ISO_DATE.match(value.strip())
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    try:
        _dt.date(y, mo, d)
    except ValueError:
        return None
    return (y, mo, d)


def all_text(doc: dt.Document) -> str:
    """Every piece of text of the document (to decide whether CJK fonts are needed)."""
    parts = [doc.meta.title, doc.meta.product, doc.meta.sponsor, doc.meta.disclaimer or ""]
    for b in list(dt.walk_blocks(doc.blocks)) + [
        x for blocks in doc.footnotes.values() for x in dt.walk_blocks(blocks)
    ]:
        if isinstance(b, (dt.Heading, dt.Paragraph)):
            parts.append(dt.plain_text(b.children))
        elif isinstance(b, dt.Table):
            parts.append(dt.plain_text(b.caption))
            for row in b.header + b.rows:
                parts.extend(dt.plain_text(c.children) for c in row)
        elif isinstance(b, dt.CodeBlock):
            parts.append(b.text)
        elif isinstance(b, dt.Figure):
            parts.append(dt.plain_text(b.caption))
    return "\n".join(parts)


def _title_bookmark(doc: dt.Document) -> bool:
    """Whether the title block is the first bookmark: always, unless the first heading already
    says the title (a document titled with its CTD heading that starts with that heading)."""
    first = next(doc.headings(), None)
    if first is None:
        return True
    heading = " ".join(dt.plain_text(first.children).split()).casefold()
    title = " ".join(doc.meta.title.split()).casefold()
    return not (heading == title or heading.endswith(" " + title))


def document_data(
    doc: dt.Document,
    fonts: FontSetup,
    *,
    paper: Paper,
    words: Mapping[str, str],
    toc: bool | str,
    toc_pages: int = 5,
    diagnostics: Diagnostics | None = None,
    location: Location | None = None,
) -> dict[str, Any]:
    """The JSON-ready data for the template: ``{"meta": {...}, "blocks": [...]}``, plus
    ``"images"`` (the bytes of every figure's image as a list of integers, which typst turns back
    into bytes) when the document has figures.

    ``paper`` and ``words`` come from the write context (region profile, document language).
    ``toc`` is True, False or ``"auto"`` (a table of contents when the document has more than
    ``toc_pages`` pages).
    """
    meta = doc.meta
    state = _State(anchors=set(), location=location, diagnostics=diagnostics, footnotes=doc.footnotes)
    # First pass: which anchors exist (headings and tables), reporting duplicates.
    for b in dt.walk_blocks(doc.blocks):
        anchor = getattr(b, "anchor", None) if isinstance(b, (dt.Heading, dt.Table, dt.Figure)) else None
        if anchor:
            if anchor in state.anchors:
                state.emit("pdf.duplicate-anchor", f"anchor '{anchor}' is used by more than one heading, table or figure")
            state.anchors.add(anchor)

    labels = dict(words)
    # A note box is titled "Note:" / "注：": the word and the language's label separator.
    sep = labels["label_sep"].rstrip()
    for kind in ("note", "warning"):
        labels[kind] += sep
    pre, _, rest = labels["page_format"].partition("{page}")
    mid, _, post = rest.partition("{pages}")
    paper_name, margin = _PAPER[paper]
    state.column_pt = (_PAPER_WIDTH_MM[paper] - 2 * margin) * 72 / 25.4
    state.landscape_pt = state.height_pt = (_PAPER_HEIGHT_MM[paper] - 2 * margin) * 72 / 25.4
    state.lang = meta.lang
    date = parse_date(meta.date) if meta.date else None
    if meta.date and date is None:
        state.emit("pdf.invalid-date", f"document date '{meta.date}' is not an ISO date (YYYY-MM-DD)")

    zh = meta.lang == "zh"
    body_fonts: list[Any] = []
    for fam in fonts.body:
        if zh and fam != fonts.cjk:
            # Latin letters and digits from the Latin font, but CJK punctuation and quotes from
            # the CJK font (typst's "latin-in-cjk" coverage).
            body_fonts.append({"name": fam, "covers": "latin-in-cjk"})
        else:
            body_fonts.append(fam)

    # The page header names the CTD section and its heading; the title page names the document
    # by its own title, version and date (ICH M4 granularity: the section says where a document
    # is filed, the document's title what it is).
    header_left = " ".join(x for x in (meta.ctd_section, meta.section_heading) if x)
    version = f"{labels['version']} {meta.version}" if meta.version else ""
    title_rows = [
        [labels["section"], meta.ctd_section],
        [labels["product"], meta.product],
        [labels["sponsor"], meta.sponsor],
        [labels["version"], meta.version],
        [labels["date"], meta.date],
    ]
    data_meta = {
        "title": meta.title,
        "lang": meta.lang,
        "text-region": "CN" if zh else "US",
        "paper": paper_name,
        "margin-mm": margin,
        "date": list(date) if date else None,
        "sponsor": meta.sponsor,
        "keywords": [k for k in (meta.ctd_section, meta.element) if k],
        "disclaimer": meta.disclaimer or None,
        "toc": toc,
        "toc-pages": toc_pages,
        "title-bookmark": _title_bookmark(doc),
        "header-left": header_left,
        "header-right": version,
        "footer-left": meta.product,
        "title-rows": [r for r in title_rows if r[1]],
        "fonts": {"body": body_fonts, "mono": list(fonts.mono)},
        "list-of-tables": any(t.caption for t in doc.tables()),
        "labels": {
            "contents": labels["contents"],
            "tables": labels["tables"],
            "page-pre": pre,
            "page-mid": mid,
            "page-post": post,
        },
    }
    blocks = [_block(b, state, labels) for b in doc.blocks]
    data: dict[str, Any] = _clean({"meta": data_meta, "blocks": blocks}, state.repair)
    if state.images:  # bytes, not text: nothing to clean
        data["images"] = [list(img) for img in state.images]
    state.repair.report(diagnostics, location)
    if state.long_words > _LONG_WORD_REPORTS:
        state.emit("pdf.long-word", f"{state.long_words - _LONG_WORD_REPORTS} more words are wider than the text column")
    return data


def _clean(value: Any, repair: TextRepair) -> Any:
    """``value`` with every string made printable (recursively through lists and dicts): the one
    place where text enters the typst input. C0/C1 control characters print as nothing or as
    boxes and a lone surrogate cannot even be encoded as UTF-8: ``repair`` drops the former,
    replaces the latter and reports both."""
    if isinstance(value, str):
        return repair.clean(value)
    if isinstance(value, list):
        return [_clean(v, repair) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v, repair) for k, v in value.items()}
    return value


def _chunk(word: str) -> int:
    """Grapheme clusters per unbreakable piece of a long word (more for huge words: fewer boxes)."""
    return max(4, math.ceil(len(word) / 20000))


def _break_long(items: list[Any], state: _State) -> list[Any]:
    """``items`` with every word wider than the column turned into a ``wrap`` node (the template
    sets it in small boxes, between which lines may break)."""
    out: list[Any] = []
    limit = state.limit_em()
    for item in items:
        if not isinstance(item, str):
            out.append(item)
            continue
        pos = 0
        for found in long_words(item, limit):
            state.report_long(len(found.word), found.preview)
            if found.start > pos:
                out.append(item[pos:found.start])
            out.append({"k": "wrap", "v": found.word, "chunk": _chunk(found.word)})
            pos = found.start + len(found.word)
        if pos == 0:
            out.append(item)
        elif pos < len(item):
            out.append(item[pos:])
    return out


def _code(text: str, state: _State) -> dict[str, Any]:
    """Inline code; set in boxes (see :func:`_break_long`) when a word is wider than the column."""
    found = list(long_words(text, state.column_pt * _USABLE / _CODE_PT, mono_em=_MONO_EM))
    if not found:
        return {"k": "code", "v": text}
    before = _set(state, _CODE_PT, "piece of code")
    for f in found:
        state.report_long(len(f.word), f.preview)
    _set(state, *before)
    return {"k": "wrap", "v": text, "chunk": _chunk(text), "mono": True}


# ---------------------------------------------------------------- inline nodes


def _text(s: str) -> str:
    # A soft line break inside a paragraph is a space (Markdown semantics); so is a tab.
    return s.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")


def _inlines(nodes: tuple[dt.Inline, ...] | list[dt.Inline], state: _State, labels: dict[str, str]) -> list[Any]:
    out: list[Any] = []
    for n in nodes:
        if isinstance(n, dt.Text):
            if state.where in ("paragraph", "table cell"):
                # numbers in scientific notation and short identifiers stay on one line
                out.extend({"k": "keep", "v": p} if keep else p for p, keep in keep_together(_text(n.text)))
            else:
                out.append(_text(n.text))
        elif isinstance(n, dt.Code):
            out.append(_code(_text(n.text), state))
        elif isinstance(n, dt.LineBreak):
            out.append({"k": "br"})
        elif isinstance(n, (dt.Emph, dt.Strong, dt.Sup, dt.Sub)):
            kind = {dt.Emph: "em", dt.Strong: "strong", dt.Sup: "sup", dt.Sub: "sub"}[type(n)]
            out.append({"k": kind, "c": _inlines(n.children, state, labels)})
        elif isinstance(n, dt.Link):
            out.extend(_link(n, state, labels))
        elif isinstance(n, dt.FootnoteRef):
            out.append(_footnote(n, state, labels))
    return _break_long(_glue_scripts(out), state)


def _glue_scripts(items: list[Any]) -> list[Any]:
    """A superscript or subscript stays on the line of the word it is attached to ("Prkdc" +
    "scid"): the word's last piece and the script are set in one box."""
    out: list[Any] = []
    for item in items:
        if isinstance(item, dict) and item.get("k") in ("sup", "sub") and out:
            prev = out[-1]
            if isinstance(prev, dict) and prev.get("k") == "keep":
                out[-1] = {"k": "keepc", "c": [prev["v"], item]}
                continue
            if isinstance(prev, str) and prev and not prev[-1].isspace():
                head, _, tail = prev.rpartition(" ")
                head = head + " " if _ else ""
                if len(tail) <= 40:
                    out[-1:] = ([head] if head else []) + [{"k": "keepc", "c": [tail, item]}]
                    continue
        out.append(item)
    return out


def _link(n: dt.Link, state: _State, labels: dict[str, str]) -> list[Any]:
    body = _inlines(n.children, state, labels)
    if n.href:
        # Another file of the sequence: kept relative (see pdf_postprocess: becomes GoToR).
        href = n.href + (f"#{n.anchor}" if n.anchor else "")
        return [{"k": "file-link", "href": href, "c": body}]
    if n.anchor:
        if n.anchor in state.anchors:
            return [{"k": "anchor-link", "anchor": n.anchor, "c": body}]
        state.emit(
            "pdf.link-target-missing",
            f"link to anchor '{n.anchor}' has no target in the document",
            hint="anchors: " + (", ".join(sorted(state.anchors)) or "(none)"),
        )
        return body
    if n.url:
        # External web links are not allowed in submission PDFs (FDA PDF specs; NMPA 6.3/6.10):
        # printed as text, with the address visible, never clickable.
        state.emit(
            "pdf.url-printed",
            f"external link to '{n.url}' printed as plain text (not clickable)",
            hint="submission PDFs may only link inside the submission",
        )
        if dt.plain_text(n.children).strip() == n.url.strip():
            return [n.url]
        return body + [f" ({n.url})"]
    return body


def _footnote(n: dt.FootnoteRef, state: _State, labels: dict[str, str]) -> Any:
    if n.label in state.footnote_labels:
        return {"k": "fn", "first": False, "label": state.footnote_labels[n.label]}
    blocks = state.footnotes.get(n.label)
    if blocks is None:
        state.emit("pdf.link-target-missing", f"footnote '{n.label}' is referenced but not defined")
        return f"[{n.label}]"
    label = f"indbuilder-footnote-{len(state.footnote_labels) + 1}"
    state.footnote_labels[n.label] = label
    if len(blocks) == 1 and isinstance(blocks[0], dt.Paragraph):
        body: list[Any] = _inlines(blocks[0].children, state, labels)  # keeps the number on the line
    else:
        body = [_block(b, state, labels) for b in blocks]
    return {"k": "fn", "first": True, "label": label, "body": body}


# ---------------------------------------------------------------- block nodes


def _anchor(anchor: str | None, state: _State) -> str | None:
    """The anchor to attach, or None (no anchor, or a duplicate already attached)."""
    if not anchor or anchor in state.used_anchors:
        return None
    state.used_anchors.add(anchor)
    return anchor


def _cell(c: dt.Cell, state: _State, labels: dict[str, str]) -> dict[str, Any]:
    return {"c": _inlines(c.children, state, labels), "align": c.align, "span": max(1, c.colspan)}


def _set(state: _State, size_pt: float, where: str) -> tuple[float, str]:
    """Switch the font size and kind of text being converted; returns the previous ones."""
    before = (state.size_pt, state.where)
    state.size_pt, state.where = size_pt, where
    return before


def _block(b: dt.Block, state: _State, labels: dict[str, str]) -> dict[str, Any]:
    if isinstance(b, dt.Heading):
        before = _set(state, _HEADING_PT[min(max(b.level, 1), 4)], "heading")
        c = _inlines(b.children, state, labels)
        _set(state, *before)
        if b.numbered:
            c = [b.numbered + " "] + c
        level = min(max(b.level, 1), 4)
        state.heading_level = level
        return {"k": "h", "level": level, "c": c, "anchor": _anchor(b.anchor, state)}
    if isinstance(b, dt.Paragraph):
        return {"k": "p", "c": _inlines(b.children, state, labels), "style": b.style}
    if isinstance(b, dt.ListBlock):
        state.depth += 1
        items = [[_block(x, state, labels) for x in item] for item in b.items]
        state.depth -= 1
        return {"k": "list", "ordered": b.ordered, "start": b.start, "items": items}
    if isinstance(b, dt.Table):
        return _table(b, state, labels)
    if isinstance(b, (dt.Note, dt.Quote)):
        state.depth += 1
        children = [_block(x, state, labels) for x in b.children]
        state.depth -= 1
        if isinstance(b, dt.Quote):
            return {"k": "quote", "c": children}
        return {"k": "note", "title": labels.get(b.kind, labels["note"]), "c": children}
    if isinstance(b, dt.CodeBlock):
        found = list(long_words(b.text, state.column_pt * _USABLE / _CODE_PT, mono_em=_MONO_EM))
        if not found:
            return {"k": "codeblock", "v": b.text}
        before = _set(state, _CODE_PT, "code block")
        for f in found:
            state.report_long(len(f.word), f.preview)
        _set(state, *before)
        return {"k": "codeblock", "v": b.text, "chunk": _chunk(max((f.word for f in found), key=len))}
    if isinstance(b, dt.PageBreak):
        return {"k": "pagebreak"}
    if isinstance(b, dt.Figure):
        return _figure(b, state, labels)
    raise TypeError(f"unknown block node {type(b).__name__}")


def _table(b: dt.Table, state: _State, labels: dict[str, str]) -> dict[str, Any]:
    """A table laid out from its content (:mod:`.table_layout`): column widths in pt, a landscape
    page when it is too wide for portrait, rows that do not break across pages, its number
    before the caption."""
    ncols = max(1, b.ncols)
    before = _set(state, _TABLE_PT, "table cell")
    header = [[_cell(c, state, labels) for c in row] for row in b.header]
    rows = [[_cell(c, state, labels) for c in row] for row in b.rows]
    _set(state, _BODY_PT, "table caption")
    caption = _inlines(b.caption, state, labels) if b.caption else None
    _set(state, *before)
    label = dt.table_label(b.number, state.lang) if b.number else ""
    if caption is not None and label:
        caption = [label + " "] + caption
    caption_text = " ".join(x for x in (label, dt.plain_text(b.caption).strip()) if x) or None
    given = list(b.widths) if b.widths and len(b.widths) == ncols and all(w > 0 for w in b.widths) else None
    layout = layout_table(b, ncols, state.column_pt, state.landscape_pt if state.depth == 0 else None,
                          state.height_pt, _TABLE_METRICS)
    widths = layout.widths
    if given is not None:  # the template's relative widths, over the text width the content chose
        widths = [w * layout.text_width / sum(given) for w in given]
    min_row = b.min_row_mm * 72 / 25.4
    breakable = [h > _UNBREAKABLE_ROW * state.height_pt for h in layout.row_heights]
    return {
        "k": "table",
        "header": header,
        "rows": rows,
        "caption": caption,
        # Captioned tables get a bookmark one level below the heading they sit under (FDA PDF
        # specifications: bookmarks and links for tables and figures).
        "caption-text": caption_text,
        "bookmark-level": state.heading_level + 1,
        "anchor": _anchor(b.anchor, state),
        "columns": [round(w, 2) for w in widths],
        "font-size": round(layout.metrics.font_pt, 2),
        "inset-x": round(layout.metrics.pad_pt, 2),
        "landscape": layout.landscape,
        "breakable": breakable[len(header):],
        "min-row": round(min_row, 2),
        "ncols": ncols,
    }


#: Media types of the images typst can embed, and typst's format name for each.
_IMAGE_FORMATS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/svg+xml": "svg"}


def _figure(b: dt.Figure, state: _State, labels: dict[str, str]) -> dict[str, Any]:
    """A figure: the image (by index into ``images``), its printed width, caption and bookmark."""
    fmt = _IMAGE_FORMATS.get(b.media_type)
    if fmt is None:  # a writer bug: figure kinds make PNG
        raise TypeError(f"figure image type {b.media_type!r} is not one of {', '.join(_IMAGE_FORMATS)}")
    state.images.append(b.data)
    before = _set(state, _BODY_PT, "figure caption")
    caption = _inlines(b.caption, state, labels) if b.caption else None
    _set(state, *before)
    column_mm = state.column_pt * 25.4 / 72
    return {
        "k": "figure",
        "image": len(state.images) - 1,
        "format": fmt,
        "width-mm": round(min(b.width_mm, column_mm), 3),
        "alt": b.alt or None,
        "caption": caption,
        # Like a captioned table: a bookmark one level below the heading (FDA PDF specifications:
        # bookmarks for tables and figures).
        "caption-text": b.alt or None,
        "bookmark-level": state.heading_level + 1,
        "anchor": _anchor(b.anchor, state),
    }
