"""Word styles, fonts, language and page setup for the DOCX writer.

The python-docx default template supplies the built-in styles (Title, Heading 1-9, List Bullet,
List Number, Caption, Quote, Table Grid, ...). Their look is the blue "Office 2010" theme, which
is wrong for a regulatory document, so this module *replaces* the definitions of the styles we
use with sober, explicit ones (black text, explicit fonts instead of theme fonts) while keeping
Word's built-in style ids and names, so reviewers see real "Heading 1" etc. in the style pane
and Word's navigation pane / TOC field work.

It also adds the styles the template lacks: footnote text/reference, TOC 1-4, Hyperlink, a
monospace code style, and the semantic paragraph styles of the document tree (disclaimer,
small, note).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Twips
from lxml import etree

from ..doctree import DocMeta
from ..regions.base import Paper

# Twips per inch. FDA "Portable Document Format (PDF) Specifications" (v4.1) asks for margins of
# at least 3/4 inch; 1 inch on every side leaves room for binding/stamping.
INCH = 1440
MARGIN = INCH


@dataclass(frozen=True)
class PageSetup:
    """Page size in twips. Letter for FDA submissions, A4 for NMPA (GB/T 148 paper sizes)."""

    width: int
    height: int
    margin: int = MARGIN

    @property
    def text_width(self) -> int:
        return self.width - 2 * self.margin


LETTER = PageSetup(12240, 15840)
A4 = PageSetup(11906, 16838)


_PAGES: dict[Paper, PageSetup] = {"letter": LETTER, "a4": A4}


def page_setup(paper: Paper) -> PageSetup:
    """The page of ``paper`` (the region profile's: Letter for FDA, A4 for NMPA)."""
    return _PAGES[paper]


@dataclass(frozen=True)
class Fonts:
    """Font families written into the styles.

    ``east_asia`` goes into ``w:rFonts/@w:eastAsia`` so that Word and LibreOffice pick a CJK font
    for Chinese characters instead of falling back glyph by glyph. The defaults are the
    "standard fonts" of the NMPA eCTD PDF rule 6.26 (宋体/SimSun, Times New Roman, Arial,
    Courier New), which FDA also lists as standard fonts; FDA recommends Times New Roman 12 pt
    for narrative text.
    """

    body: str = "Times New Roman"
    heading: str = "Arial"
    mono: str = "Courier New"
    east_asia: str = "SimSun"
    east_asia_heading: str = "SimSun"
    body_size: int = 24  # half-points: 12 pt


DEFAULT_FONTS = Fonts()


def _rfonts(latin: str, east_asia: str) -> str:
    a, e = quoteattr(latin), quoteattr(east_asia)
    return f"<w:rFonts w:ascii={a} w:hAnsi={a} w:cs={a} w:eastAsia={e}/>"


def _style(
    kind: str,
    style_id: str,
    name: str,
    *,
    based_on: str | None = "Normal",
    next_: str | None = None,
    link: str | None = None,
    ppr: str = "",
    rpr: str = "",
    tblpr: str = "",
    ui_priority: int | None = None,
    qformat: bool = False,
    semi_hidden: bool = False,
) -> str:
    """One ``w:style`` element (children in CT_Style schema order)."""
    parts = [f"<w:style {nsdecls('w')} w:type=\"{kind}\" w:styleId=\"{style_id}\">"]
    parts.append(f"<w:name w:val={quoteattr(name)}/>")
    if based_on:
        parts.append(f'<w:basedOn w:val="{based_on}"/>')
    if next_:
        parts.append(f'<w:next w:val="{next_}"/>')
    if link:
        parts.append(f'<w:link w:val="{link}"/>')
    if ui_priority is not None:
        parts.append(f'<w:uiPriority w:val="{ui_priority}"/>')
    if semi_hidden:
        parts.append("<w:semiHidden/><w:unhideWhenUsed/>")
    if qformat:
        parts.append("<w:qFormat/>")
    if ppr:
        parts.append(f"<w:pPr>{ppr}</w:pPr>")
    if rpr:
        parts.append(f"<w:rPr>{rpr}</w:rPr>")
    if tblpr:
        parts.append(f"<w:tblPr>{tblpr}</w:tblPr>")
    parts.append("</w:style>")
    return "".join(parts)


def _size(half_points: int) -> str:
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


BLACK = '<w:color w:val="000000"/>'

# heading level -> (size in half-points, space before, space after) in twips
_HEADING_LOOK = {1: (32, 360, 120), 2: (28, 280, 100), 3: (26, 240, 80), 4: (24, 200, 60)}


def style_definitions(fonts: Fonts, page: PageSetup) -> list[str]:
    """The XML of every style this writer defines or redefines."""
    head = _rfonts(fonts.heading, fonts.east_asia_heading)
    mono = _rfonts(fonts.mono, fonts.east_asia)
    right_tab = page.text_width
    styles = [
        _style(
            "paragraph", "Normal", "Normal", based_on=None, qformat=True,
            ppr='<w:widowControl/><w:spacing w:after="120" w:line="264" w:lineRule="auto"/>',
        ),
        _style(
            "paragraph", "Title", "Title", next_="Normal", ui_priority=10, qformat=True,
            ppr='<w:keepNext/><w:spacing w:before="0" w:after="240"/><w:jc w:val="center"/>',
            rpr=f"{head}<w:b/><w:bCs/>{BLACK}{_size(36)}",
        ),
    ]
    for level, (size, before, after) in _HEADING_LOOK.items():
        styles.append(
            _style(
                "paragraph", f"Heading{level}", f"heading {level}", next_="Normal",
                ui_priority=9, qformat=True,
                ppr=(
                    f'<w:keepNext/><w:keepLines/><w:spacing w:before="{before}" w:after="{after}"/>'
                    f'<w:outlineLvl w:val="{level - 1}"/>'
                ),
                rpr=f"{head}<w:b/><w:bCs/>{BLACK}{_size(size)}",
            )
        )
    styles += [
        _style(
            "paragraph", "Caption", "caption", next_="Normal", ui_priority=35, qformat=True,
            # keepNext: a table caption stays on the page of its table (caption above table).
            ppr='<w:keepNext/><w:spacing w:before="120" w:after="60"/>',
            rpr=f"<w:b/><w:bCs/>{BLACK}{_size(20)}",
        ),
        _style(
            "paragraph", "Quote", "Quote", next_="Normal", ui_priority=29, qformat=True,
            ppr='<w:ind w:left="720" w:right="720"/>',
            rpr=f"<w:i/><w:iCs/>{BLACK}",
        ),
        _style(
            "paragraph", "SourceCode", "Source Code", next_="Normal",
            ppr=(
                '<w:pBdr><w:top w:val="single" w:sz="4" w:space="2" w:color="A6A6A6"/>'
                '<w:left w:val="single" w:sz="4" w:space="4" w:color="A6A6A6"/>'
                '<w:bottom w:val="single" w:sz="4" w:space="2" w:color="A6A6A6"/>'
                '<w:right w:val="single" w:sz="4" w:space="4" w:color="A6A6A6"/></w:pBdr>'
                '<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>'
                '<w:spacing w:after="120" w:line="240" w:lineRule="auto"/><w:ind w:left="144" w:right="144"/>'
            ),
            rpr=f"{mono}{_size(18)}",
        ),
        _style("character", "VerbatimChar", "Verbatim Char", based_on="DefaultParagraphFont",
               rpr=f"{mono}{_size(20)}"),
        _style("character", "Hyperlink", "Hyperlink", based_on="DefaultParagraphFont",
               ui_priority=99, semi_hidden=True,
               rpr='<w:color w:val="0563C1"/><w:u w:val="single"/>'),
        _style("paragraph", "FootnoteText", "footnote text", ui_priority=99, semi_hidden=True,
               ppr='<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>', rpr=_size(18)),
        _style("character", "FootnoteReference", "footnote reference",
               based_on="DefaultParagraphFont", ui_priority=99, semi_hidden=True,
               rpr='<w:vertAlign w:val="superscript"/>'),
        _style(
            # Black on light grey in a heavy box: prominent, yet within FDA's "black text" advice.
            "paragraph", "Disclaimer", "Disclaimer", next_="Normal",
            ppr=(
                '<w:keepNext/><w:pBdr><w:top w:val="single" w:sz="18" w:space="4" w:color="000000"/>'
                '<w:left w:val="single" w:sz="18" w:space="4" w:color="000000"/>'
                '<w:bottom w:val="single" w:sz="18" w:space="4" w:color="000000"/>'
                '<w:right w:val="single" w:sz="18" w:space="4" w:color="000000"/></w:pBdr>'
                '<w:shd w:val="clear" w:color="auto" w:fill="E7E6E6"/>'
                '<w:spacing w:before="120" w:after="240"/><w:jc w:val="center"/>'
            ),
            rpr=f"<w:b/><w:bCs/>{BLACK}{_size(24)}",
        ),
        _style("paragraph", "DocumentInfo", "Document Info", next_="Normal",
               ppr='<w:spacing w:after="40"/><w:jc w:val="center"/>'),
        _style("paragraph", "SmallText", "Small Text", next_="Normal", rpr=_size(18)),
        _style(
            "paragraph", "NoteText", "Note Text", next_="Normal",
            ppr=(
                '<w:pBdr><w:left w:val="single" w:sz="18" w:space="6" w:color="7F7F7F"/></w:pBdr>'
                '<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>'
                '<w:spacing w:before="120" w:after="120"/><w:ind w:left="216"/>'
            ),
        ),
        _style("paragraph", "TableText", "Table Text",
               ppr='<w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/>',
               rpr=_size(20)),
        _style("paragraph", "TableHeading", "Table Heading", based_on="TableText",
               ppr="<w:keepNext/>", rpr="<w:b/><w:bCs/>"),
        _style("paragraph", "TOCHeading", "TOC Heading", based_on="Heading1", next_="Normal",
               ui_priority=39, semi_hidden=True, qformat=True,
               ppr='<w:outlineLvl w:val="9"/>'),
        _style("paragraph", "Header", "header", ui_priority=99, semi_hidden=True,
               ppr=('<w:pBdr><w:bottom w:val="single" w:sz="4" w:space="1" w:color="000000"/></w:pBdr>'
                    f'<w:tabs><w:tab w:val="right" w:pos="{right_tab}"/></w:tabs>'
                    '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'),
               rpr=_size(18)),
        _style("paragraph", "Footer", "footer", ui_priority=99, semi_hidden=True,
               ppr=('<w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>'),
               rpr=_size(18)),
    ]
    for level in range(1, 5):
        styles.append(
            _style(
                "paragraph", f"TOC{level}", f"toc {level}", next_="Normal", ui_priority=39,
                semi_hidden=True,
                ppr=(
                    f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{right_tab}"/></w:tabs>'
                    f'<w:spacing w:after="60"/><w:ind w:left="{(level - 1) * 240}"/>'
                ),
            )
        )
    return styles


def apply_styles(document: DocxDocument, meta: DocMeta, fonts: Fonts, page: PageSetup) -> None:
    """Install fonts, language and the style definitions into ``document``'s styles part."""
    styles_el = document.styles.element
    lang = "zh-CN" if meta.lang == "zh" else "en-US"
    # Document defaults: explicit fonts (not theme fonts) and the document language. w:eastAsia
    # of w:lang is always zh-CN so that CJK characters in English documents shape correctly.
    defaults = parse_xml(
        f"<w:docDefaults {nsdecls('w')}><w:rPrDefault><w:rPr>"
        f"{_rfonts(fonts.body, fonts.east_asia)}{_size(fonts.body_size)}"
        f'<w:lang w:val="{lang}" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
        "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>"
        '<w:spacing w:after="120" w:line="264" w:lineRule="auto"/>'
        "</w:pPr></w:pPrDefault></w:docDefaults>"
    )
    old = styles_el.find(qn("w:docDefaults"))
    if old is not None:
        old.addprevious(defaults)
        styles_el.remove(old)
    else:
        styles_el.insert(0, defaults)

    by_id = {s.get(qn("w:styleId")): s for s in styles_el.findall(qn("w:style"))}
    for xml in style_definitions(fonts, page):
        new = parse_xml(xml)
        sid = new.get(qn("w:styleId"))
        if sid == "Normal":
            new.set(qn("w:default"), "1")
        old_style = by_id.get(sid)
        if old_style is not None:
            old_style.addprevious(new)
            styles_el.remove(old_style)
        else:
            styles_el.append(new)
    # Table Grid: keep the template's borders, add small cell margins only (already present).

    # Settings: theme font language must match (Word uses it to resolve any theme font left).
    settings = document.settings.element
    # Word 2013+ layout rules; with the template's 14 Word opens the file in "Compatibility Mode".
    for cs in settings.iter(qn("w:compatSetting")):
        if cs.get(qn("w:name")) == "compatibilityMode":
            cs.set(qn("w:val"), "15")
    tfl = settings.find(qn("w:themeFontLang"))
    if tfl is not None:
        tfl.set(qn("w:val"), lang)
        tfl.set(qn("w:eastAsia"), "zh-CN")


# Font table entries (ECMA-376 17.8.3.10) so Word can substitute sensibly where a font is
# missing: SimSun is "宋体" on Chinese Windows (charset 0x86 = GB2312).
_FONT_TABLE = {
    "SimSun": (
        '<w:altName w:val="宋体"/><w:panose1 w:val="02010600030101010101"/><w:charset w:val="86"/>'
        '<w:family w:val="auto"/><w:pitch w:val="variable"/>'
    ),
    "Arial": (
        '<w:panose1 w:val="020B0604020202020204"/><w:charset w:val="00"/><w:family w:val="swiss"/>'
        '<w:pitch w:val="variable"/>'
    ),
    "Courier New": (
        '<w:panose1 w:val="02070309020205020404"/><w:charset w:val="00"/><w:family w:val="modern"/>'
        '<w:pitch w:val="fixed"/>'
    ),
}


def font_table_xml(original: bytes, fonts: Fonts) -> bytes:
    """``word/fontTable.xml`` with entries added for the fonts the styles use (where known)."""
    root = etree.fromstring(original)
    have = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    used = [fonts.body, fonts.heading, fonts.mono, fonts.east_asia, fonts.east_asia_heading]
    for name in dict.fromkeys(used):
        if name in have or name not in _FONT_TABLE:
            continue
        root.append(
            etree.fromstring(f"<w:font {nsdecls('w')} w:name={quoteattr(name)}>{_FONT_TABLE[name]}</w:font>")
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def apply_page_setup(document: DocxDocument, page: PageSetup) -> None:
    """Page size and margins of every section (header/footer 1/2 inch from the edge)."""
    for section in document.sections:
        section.page_width = Twips(page.width)
        section.page_height = Twips(page.height)
        section.left_margin = section.right_margin = Twips(page.margin)
        section.top_margin = section.bottom_margin = Twips(page.margin)
        section.header_distance = section.footer_distance = Twips(INCH // 2)
        section.gutter = Twips(0)
