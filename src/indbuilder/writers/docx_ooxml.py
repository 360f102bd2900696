"""WordprocessingML pieces python-docx has no API for.

python-docx (1.2) cannot add hyperlinks, bookmarks, fields, footnotes, repeating table header
rows or list numbering instances; this module builds exactly those elements, following
ECMA-376 Part 1 (WordprocessingML) element order, and nothing else. Everything else is done
through python-docx.
"""

from __future__ import annotations

import copy
import hashlib
import io
import re
import zipfile
from typing import TYPE_CHECKING, Callable, cast

from lxml import etree

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import register_element_cls
from docx.oxml.section import CT_HdrFtr
from docx.oxml.text.run import CT_R
from docx.parts.story import StoryPart

if TYPE_CHECKING:  # pragma: no cover
    from docx.oxml.numbering import CT_Num, CT_Numbering
    from docx.package import Package
    from docx.oxml.table import CT_Tbl
    from docx.parts.document import DocumentPart

# ---------------------------------------------------------------- text

# XML 1.0 "Char" production: everything else (most C0 controls, lone surrogates, U+FFFE/F)
# cannot be stored in document.xml at all.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def invalid_xml_chars(s: str) -> list[str]:
    """The characters of ``s`` that XML 1.0 cannot represent, in order of first occurrence."""
    return list(dict.fromkeys(_INVALID_XML.findall(s)))


def strip_invalid_xml(s: str) -> str:
    """``s`` without characters XML 1.0 cannot represent."""
    return _INVALID_XML.sub("", s)


# ---------------------------------------------------------------- runs

_W_R, _W_RPR, _W_T, _W_BR, _W_TAB = qn("w:r"), qn("w:rPr"), qn("w:t"), qn("w:br"), qn("w:tab")
_W_RSTYLE, _W_B, _W_I, _W_VA, _W_VAL = qn("w:rStyle"), qn("w:b"), qn("w:i"), qn("w:vertAlign"), qn("w:val")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_BREAKS = re.compile(r"(\n|\t)")


def append_run(
    parent: etree._Element,
    text: str,
    *,
    rstyle: str | None = None,
    bold: bool = False,
    italic: bool = False,
    vert: str | None = None,
) -> None:
    """Append a ``w:r`` with ``text`` to ``parent`` (line feeds become ``w:br``, tabs ``w:tab``).

    Built with plain lxml calls (python-docx's generic child insertion is ~20x slower, which
    matters for tables with tens of thousands of cells). ``w:rPr`` children are written in
    schema order: rStyle, b, i, vertAlign.
    """
    r = etree.SubElement(parent, _W_R)
    if rstyle or bold or italic or vert:
        rpr = etree.SubElement(r, _W_RPR)
        if rstyle:
            etree.SubElement(rpr, _W_RSTYLE).set(_W_VAL, rstyle)
        if bold:
            etree.SubElement(rpr, _W_B)
        if italic:
            etree.SubElement(rpr, _W_I)
        if vert:
            etree.SubElement(rpr, _W_VA).set(_W_VAL, vert)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for piece in _BREAKS.split(text):
        if piece == "\n":
            etree.SubElement(r, _W_BR)
        elif piece == "\t":
            etree.SubElement(r, _W_TAB)
        elif piece:
            t = etree.SubElement(r, _W_T)
            t.text = piece
            if piece[0].isspace() or piece[-1].isspace():
                t.set(_XML_SPACE, "preserve")


# ---------------------------------------------------------------- bookmarks

_BOOKMARK_BAD = re.compile(r"[^A-Za-z0-9_]")


def bookmark_name(anchor: str, taken: set[str]) -> str:
    """A Word bookmark name for ``anchor``: letters, digits and '_', starting with a letter,
    at most 40 characters (ECMA-376 17.13.6.2 / Word's limit), unique within ``taken``.

    The mapping is deterministic: the same anchors in the same order give the same names.
    """
    name = _BOOKMARK_BAD.sub("_", anchor)
    if not name or not name[0].isalpha():
        name = "a_" + name
    if len(name) > 40:
        digest = hashlib.sha1(anchor.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        name = f"{name[:31]}_{digest}"
    base, n = name, 2
    while name in taken:
        suffix = f"_{n}"
        name = base[: 40 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def add_bookmark(p: etree._Element, bookmark_id: int, name: str) -> None:
    """Wrap the whole content of paragraph ``p`` (a ``w:p``) in bookmark ``name``."""
    start = OxmlElement("w:bookmarkStart", {qn("w:id"): str(bookmark_id), qn("w:name"): name})
    end = OxmlElement("w:bookmarkEnd", {qn("w:id"): str(bookmark_id)})
    ppr = p.find(qn("w:pPr"))
    if ppr is not None:
        ppr.addnext(start)
    else:
        p.insert(0, start)
    p.append(end)


# ---------------------------------------------------------------- hyperlinks and fields


def hyperlink(parent: etree._Element, *, r_id: str | None = None, anchor: str | None = None) -> etree._Element:
    """Append and return a ``w:hyperlink`` to ``parent``: external (``r:id`` of a relationship
    with TargetMode External) or internal (``w:anchor`` = a bookmark name)."""
    attrs = {qn("w:history"): "1"}
    if r_id is not None:
        attrs[qn("r:id")] = r_id
    if anchor is not None:
        attrs[qn("w:anchor")] = anchor
    el = OxmlElement("w:hyperlink", attrs)
    parent.append(el)
    return el


def _run(rstyle: str | None = None) -> CT_R:
    r = cast(CT_R, OxmlElement("w:r"))
    if rstyle:
        r.get_or_add_rPr().style = rstyle
    return r


def field_begin(parent: etree._Element, instr: str, dirty: bool = False) -> None:
    """Open a complex field (ECMA-376 17.16.18) with instruction ``instr`` in ``parent`` (a
    paragraph or hyperlink); its result is whatever the caller appends before
    :func:`field_end` (the TOC field's result spans several paragraphs). A ``dirty`` field is
    recomputed by Word when the document is opened."""
    attrs = {qn("w:fldCharType"): "begin"}
    if dirty:
        attrs[qn("w:dirty")] = "true"
    r = _run()
    r.append(OxmlElement("w:fldChar", attrs))
    parent.append(r)
    r = _run()
    it = OxmlElement("w:instrText")
    it.set(_XML_SPACE, "preserve")
    it.text = f" {instr} "
    r.append(it)
    parent.append(r)
    r = _run()
    r.append(OxmlElement("w:fldChar", {qn("w:fldCharType"): "separate"}))
    parent.append(r)


def field_end(parent: etree._Element) -> None:
    """Close the field opened by :func:`field_begin`."""
    r = _run()
    r.append(OxmlElement("w:fldChar", {qn("w:fldCharType"): "end"}))
    parent.append(r)


def add_field(parent: etree._Element, instr: str, cached: str = "") -> None:
    """A complete field with result text ``cached`` (Word and LibreOffice recompute PAGE and
    NUMPAGES; ``cached`` is what a viewer that does not shows)."""
    field_begin(parent, instr)
    append_run(parent, cached)
    field_end(parent)


# ---------------------------------------------------------------- tables


class CellFactory:
    """Creates ``w:tc`` elements for one table by copying prepared prototypes: a body cell and a
    header cell (grey shading, "Table Heading" paragraph style)."""

    def __init__(self, body_style: str = "TableText", header_style: str = "TableHeading") -> None:
        def proto(style: str, shade: str) -> etree._Element:
            return parse_xml(
                f'<w:tc {nsdecls("w")}><w:tcPr><w:tcW w:w="0" w:type="dxa"/>{shade}</w:tcPr>'
                f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr></w:p></w:tc>'
            )

        self._body = proto(body_style, "")
        self._header = proto(header_style, '<w:shd w:val="clear" w:color="auto" w:fill="D9D9D9"/>')

    def add(self, tr: etree._Element, width: int, span: int = 1, header: bool = False,
            align: str | None = None) -> etree._Element:
        """Append a cell of ``width`` twips spanning ``span`` grid columns to ``tr``; return its
        (only) paragraph."""
        tc = copy.deepcopy(self._header if header else self._body)
        tcpr = tc[0]
        tcpr[0].set(qn("w:w"), str(width))
        if span > 1:
            tcpr[0].addnext(OxmlElement("w:gridSpan", {qn("w:val"): str(span)}))
        p = tc[1]
        if align:
            etree.SubElement(p[0], qn("w:jc")).set(_W_VAL, align)
        tr.append(tc)
        return p


def new_row(tbl: etree._Element, header: bool = False, keep: bool = True, min_height: int = 0) -> etree._Element:
    """Append a ``w:tr`` to ``tbl``; header rows repeat at the top of every
    page (``w:tblHeader``, ECMA-376 17.4.49); rows are kept in one piece (``w:cantSplit``) unless
    ``keep`` is False (a row too tall for a page); ``min_height`` (twips) is the least row height."""
    tr = etree.SubElement(tbl, qn("w:tr"))
    if header or keep or min_height:
        trpr = etree.SubElement(tr, qn("w:trPr"))
        # CT_TrPr children in schema order: cantSplit, trHeight, tblHeader
        if header or keep:
            etree.SubElement(trpr, qn("w:cantSplit"))
        if min_height:
            etree.SubElement(trpr, qn("w:trHeight"), {qn("w:val"): str(min_height), qn("w:hRule"): "atLeast"})
        if header:
            etree.SubElement(trpr, qn("w:tblHeader"))
    return tr


def set_table_layout(tbl: "CT_Tbl", widths: list[int], indent: int = 0) -> None:
    """Fixed layout, explicit grid column widths (twips), optional left indent (twips)."""
    tblpr = tbl.tblPr
    if indent:
        ind = OxmlElement("w:tblInd", {qn("w:w"): str(indent), qn("w:type"): "dxa"})
        later = [qn(t) for t in ("w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")]
        nxt = next((c for c in tblpr if c.tag in later), None)
        if nxt is not None:
            nxt.addprevious(ind)
        else:
            tblpr.append(ind)
    tblw = tblpr.find(qn("w:tblW"))
    if tblw is None:
        tblw = OxmlElement("w:tblW")
        tblpr.append(tblw)
    tblw.set(qn("w:w"), str(sum(widths)))
    tblw.set(qn("w:type"), "dxa")
    layout = tblpr.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        # CT_TblPr order: ... tblW, jc, tblCellSpacing, tblInd, tblBorders, shd, tblLayout, ...
        after = [qn(t) for t in ("w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")]
        nxt = next((c for c in tblpr if c.tag in after), None)
        if nxt is not None:
            nxt.addprevious(layout)
        else:
            tblpr.append(layout)
    layout.set(qn("w:type"), "fixed")
    for gc, w in zip(tbl.tblGrid.gridCol_lst, widths):
        gc.set(qn("w:w"), str(w))


# ---------------------------------------------------------------- numbering


def _abstract_num(abstract_id: int, ordered: bool) -> str:
    bullets = ["\u2022", "\u2013", "\u25aa"]
    levels = []
    for lvl in range(9):
        left = 360 * (lvl + 1)
        if ordered:
            fmt, text = "decimal", f"%{lvl + 1}."
        else:
            fmt, text = "bullet", bullets[lvl % len(bullets)]
        levels.append(
            f'<w:lvl w:ilvl="{lvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{left}" w:hanging="360"/></w:pPr></w:lvl>'
        )
    nsid = f"{0x1D0C0000 + abstract_id:08X}"
    return (
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        f'<w:nsid w:val="{nsid}"/><w:multiLevelType w:val="multilevel"/>'
        + "".join(levels)
        + "</w:abstractNum>"
    )


class ListNumbering:
    """Numbering definitions for the document's lists: one bullet and one decimal multi-level
    abstract definition, and one ``w:num`` instance per list so each ordered list restarts
    at its own ``start``."""

    def __init__(self, numbering_el: "CT_Numbering") -> None:
        self._el = numbering_el
        used = [int(a.get(qn("w:abstractNumId")) or 0) for a in numbering_el.findall(qn("w:abstractNum"))]
        base = max(used, default=-1) + 1
        first_num = numbering_el.find(qn("w:num"))
        self._abstract: dict[bool, int] = {}
        for ordered in (False, True):
            aid = base + int(ordered)
            el = parse_xml(_abstract_num(aid, ordered))
            if first_num is not None:
                first_num.addprevious(el)
            else:
                numbering_el.append(el)
            self._abstract[ordered] = aid

    def new_list(self, ordered: bool, level: int, start: int = 1) -> int:
        """A fresh ``numId`` for one list; ordered lists restart at ``start`` on ``level``."""
        # python-docx leaves CT_Numbering.add_num unannotated: its type, as documented there
        add_num: Callable[[int], CT_Num] = self._el.add_num
        num = add_num(self._abstract[ordered])
        if ordered:
            override = parse_xml(
                f'<w:lvlOverride {nsdecls("w")} w:ilvl="{level}">'
                f'<w:startOverride w:val="{start}"/></w:lvlOverride>'
            )
            num.append(override)
        return int(num.get(qn("w:numId")) or 0)


# ---------------------------------------------------------------- footnotes


class CT_Footnote(CT_HdrFtr):
    """``w:footnote``: holds block content like a header (``w:p`` and ``w:tbl``)."""


register_element_cls("w:footnote", CT_Footnote)


class FootnotesPart(StoryPart):
    """The ``/word/footnotes.xml`` part (ECMA-376 17.11), with the separator footnotes Word
    requires (ids -1 and 0)."""

    @classmethod
    def new(cls, package: "Package") -> "FootnotesPart":
        xml = (
            f"<w:footnotes {nsdecls('w', 'r')}>"
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" '
            'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing '
            'w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/>'
            "</w:r></w:p></w:footnote></w:footnotes>"
        )
        return cls(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, parse_xml(xml), package)

    def add_footnote(self, footnote_id: int) -> CT_Footnote:
        el = cast(CT_Footnote, OxmlElement("w:footnote", {qn("w:id"): str(footnote_id)}))
        self.element.append(el)
        return el


def add_footnotes_part(document_part: "DocumentPart") -> FootnotesPart:
    """Create the footnotes part, relate it to the main document, and declare the separator
    footnotes in settings (``w:footnotePr``)."""
    part = FootnotesPart.new(document_part.package)
    document_part.relate_to(part, RT.FOOTNOTES)
    pr = parse_xml(
        f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'
    )
    insert_setting(document_part.settings.element, pr)
    return part


def footnote_reference_run(footnote_id: int) -> CT_R:
    r = _run("FootnoteReference")
    r.append(OxmlElement("w:footnoteReference", {qn("w:id"): str(footnote_id)}))
    return r


def footnote_ref_mark_run() -> CT_R:
    r = _run("FootnoteReference")
    r.append(OxmlElement("w:footnoteRef"))
    return r


# ---------------------------------------------------------------- settings

# CT_Settings child order (ECMA-376 Part 1, 17.15.1.78), the part after w:defaultTabStop.
_SETTINGS_ORDER = [
    "defaultTabStop", "autoHyphenation", "consecutiveHyphenLimit", "hyphenationZone",
    "doNotHyphenateCaps", "showEnvelope", "summaryLength", "clickAndTypeStyle",
    "defaultTableStyle", "evenAndOddHeaders", "bookFoldRevPrinting", "bookFoldPrinting",
    "bookFoldPrintingSheets", "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing",
    "displayHorizontalDrawingGridEvery", "displayVerticalDrawingGridEvery",
    "doNotUseMarginsForDrawingGridOrigin", "drawingGridHorizontalOrigin",
    "drawingGridVerticalOrigin", "doNotShadeFormData", "noPunctuationKerning",
    "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars", "noLineBreaksAfter",
    "noLineBreaksBefore", "savePreviewPicture", "doNotValidateAgainstSchema", "saveInvalidXml",
    "ignoreMixedContent", "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml",
    "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags",
    "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr",
    "compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang",
    "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
    "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
    "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
]


def insert_setting(settings_el: etree._Element, child: etree._Element) -> None:
    """Insert ``child`` into ``w:settings`` at its schema position (replacing a same-named one)."""
    local = child.tag.split("}")[1]
    old = settings_el.find(child.tag)
    if old is not None:
        old.addprevious(child)
        settings_el.remove(old)
        return
    later = {qn(f"w:{n}") for n in _SETTINGS_ORDER[_SETTINGS_ORDER.index(local) + 1 :]}
    later.add(qn("m:mathPr"))
    for existing in settings_el:
        if existing.tag in later:
            existing.addprevious(child)
            return
    settings_el.append(child)


# ---------------------------------------------------------------- the package

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def normalize_zip(
    data: bytes, replace: dict[str, bytes | Callable[[bytes], bytes]] | None = None
) -> bytes:
    """Rewrite an OOXML zip deterministically: ``[Content_Types].xml`` first, then entries in
    name order, each with the DOS epoch timestamp, DEFLATE level 6 and fixed attributes.
    ``replace`` substitutes the content of existing entries (bytes, or a function of the old
    content)."""
    replace = replace or {}
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    order = sorted(names, key=lambda n: (n != "[Content_Types].xml", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, on every platform
            info.external_attr = 0o644 << 16
            content = src.read(name)
            new = replace.get(name)
            if callable(new):
                content = new(content)
            elif new is not None:
                content = new
            dst.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()
