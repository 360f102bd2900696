"""Which characters no font of the PDF writer can draw (rule ``pdf.missing-glyph``).

typst falls back through every font of its collection (the fonts typst embeds itself plus those
of :func:`~.pdf_fonts.font_dirs`) and, when none has a glyph, prints the font's ".notdef" glyph:
an empty box, or nothing, and the character is lost from the PDF's text. Half of the fonts typst
can use are compiled into typst and have no file whose character map we could read, so the
coverage is measured with typst itself: each character in question is typeset alone on a page of
a small probe document, and a page that draws glyph 0 (".notdef") of a CID font marks the
character as missing. Answers are cached per font collection, so a character is probed once per
process; plain ASCII and, when a CJK font is installed, the CJK ideographs and punctuation it
certainly has are not probed at all.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections.abc import Iterable

import typst
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from .pdf_fonts import FontSetup, font_dirs

# One character per page; combining marks sit on an "o" (alone they would be shaped on a dotted circle).
_PROBE = b"""
#set page(width: 60pt, height: 40pt, margin: 4pt)
#let probe = json(bytes(sys.inputs.at("probe")))
#set text(font: probe.fonts, size: 10pt)
#for (i, c) in probe.chars.enumerate() {
  if i > 0 { pagebreak() }
  c
}
"""

#: Answers so far, per font collection (the folders searched): character -> has a glyph.
_KNOWN: dict[tuple[str, ...], dict[str, bool]] = {}

# Text-showing operators and what they show: a literal string, or an array of them (TJ).
_SHOW = re.compile(rb"(\((?:\\.|[^\\()])*\)|\[(?:[^\]\\]|\\.)*\])\s*(?:Tj|TJ|'|\")|/([^\s/\[\]()<>]+)\s+[-\d.]+\s+Tf", re.S)
_LITERAL = re.compile(rb"\((?:\\.|[^\\()])*\)", re.S)
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)
_SIMPLE_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _needs_no_glyph(ch: str) -> bool:
    """Characters that are never drawn: spaces, format characters (joiners, direction marks,
    variation selectors, tags) and controls."""
    cat = unicodedata.category(ch)
    o = ord(ch)
    return (
        cat in ("Zs", "Zl", "Zp", "Cc", "Cf", "Cs")
        or ch.isspace()
        or 0xFE00 <= o <= 0xFE0F  # variation selectors
        or 0xE0100 <= o <= 0xE01EF
        or o == 0x034F  # combining grapheme joiner
    )


def _assumed(ch: str, cjk: bool) -> bool:
    """Characters every body font setup has: printable ASCII; with a CJK font, the unified
    ideographs, CJK punctuation and full-width forms (Noto CJK covers all of them)."""
    o = ord(ch)
    if 0x20 <= o <= 0x7E:
        return True
    return cjk and (0x4E00 <= o <= 0x9FEF or 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF5E)


def _unescape(literal: bytes) -> bytes:
    """The bytes of a PDF literal string ``(...)``."""

    def one(m: re.Match[bytes]) -> bytes:
        e = m.group(1)
        if e[:1].isdigit():
            return bytes([int(e, 8) & 0xFF])
        if e in (b"\n", b"\r"):
            return b""
        return _SIMPLE_ESCAPES.get(e, e)

    return _ESCAPE.sub(one, literal[1:-1])


def _draws_notdef(content: bytes, cid_fonts: set[str]) -> bool:
    """True when ``content`` shows glyph 0 with one of ``cid_fonts`` (two-byte Identity-H codes)."""
    font: str | None = None
    for m in _SHOW.finditer(content):
        if m.group(2) is not None:
            font = m.group(2).decode("latin-1")
            continue
        if font not in cid_fonts:
            continue
        shown = m.group(1)
        strings = [shown] if shown.startswith(b"(") else _LITERAL.findall(shown)
        for s in strings:
            codes = _unescape(s)
            if any(codes[i] == 0 and codes[i + 1] == 0 for i in range(0, len(codes) - 1, 2)):
                return True
    return False


def _probe(chars: list[str], setup: FontSetup) -> dict[str, bool]:
    """Typeset each of ``chars`` on its own page; which of them got a real glyph."""
    shown = ["o" + c if unicodedata.category(c) in ("Mn", "Mc", "Me") else c for c in chars]
    data = json.dumps({"fonts": list(setup.body) + list(setup.mono), "chars": shown}, ensure_ascii=False)
    compiler = typst.Compiler(_PROBE, font_paths=setup.fonts, ignore_system_fonts=True, sys_inputs={"probe": data})
    pdf = compiler.compile()
    assert isinstance(pdf, bytes)
    reader = PdfReader(io.BytesIO(pdf))
    result: dict[str, bool] = {}
    for ch, page in zip(chars, reader.pages):
        fonts = page.get("/Resources", {}).get("/Font", {})
        cid_fonts = set()
        for name, ref in fonts.items():
            font = ref.get_object()
            if isinstance(font, DictionaryObject) and font.get("/Subtype") == "/Type0":
                cid_fonts.add(name.lstrip("/"))
        contents = page.get_contents()
        data_bytes = contents.get_data() if contents is not None else b""
        result[ch] = not _draws_notdef(data_bytes, cid_fonts)
    return result


def missing_glyphs(text: Iterable[str], setup: FontSetup) -> list[str]:
    """The distinct characters of ``text`` that no font of ``setup``'s collection can draw,
    in code point order."""
    known = _KNOWN.setdefault(font_dirs(), {})
    cjk = setup.cjk is not None
    wanted: set[str] = set()
    for piece in text:
        wanted.update(piece)
    unknown = sorted(
        (c for c in wanted if c not in known and not _assumed(c, cjk) and not _needs_no_glyph(c)), key=ord
    )
    if unknown:
        known.update(_probe(unknown, setup))
    return sorted((c for c in wanted if known.get(c) is False), key=ord)
