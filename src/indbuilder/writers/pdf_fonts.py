"""Font discovery for the PDF writer.

Submission PDFs must embed every font (FDA PDF Specifications: "non-standard fonts must be
embedded"; NMPA eCTD validation 6.26). typst embeds (subsets) every font it uses, so the only
thing that can go wrong is a missing font: Chinese text would then come out as empty boxes.
We therefore look fonts up ourselves, from a fixed list of folders (not the whole system, so
the same machine always produces the same bytes), and refuse to render Chinese without a CJK font.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import typst

from .base import WriteError

#: Folders searched for fonts unless ``INDBUILDER_FONT_PATHS`` (os.pathsep-separated) is set.
DEFAULT_FONT_DIRS: tuple[str, ...] = ("/usr/share/fonts", "/usr/local/share/fonts")

#: Latin body fonts in order of preference. Liberation Serif has the metrics of Times New Roman,
#: which the FDA PDF specifications recommend for narrative text; Libertinus Serif ships inside typst.
LATIN_SERIF = ("Liberation Serif", "Libertinus Serif")
MONO = ("Liberation Mono", "DejaVu Sans Mono")
#: Simplified-Chinese fonts (Song/serif style first, as in NMPA documents), Debian fonts-noto-cjk.
CJK_SC = ("Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC", "Source Han Sans SC")


class MissingFontError(WriteError):
    """A font needed to render the document is not installed.

    The write stage reports it as ``pdf.font-missing`` and writes no further PDF: it is never a
    reason to emit a PDF with missing glyphs.
    """

    rule = "pdf.font-missing"
    stops_format = True


@dataclass(frozen=True)
class FontSetup:
    """The typst font collection plus the family lists the template uses."""

    fonts: typst.Fonts
    body: tuple[str, ...]
    mono: tuple[str, ...]
    cjk: str | None  # the CJK family found, if any


def font_dirs() -> tuple[str, ...]:
    """Folders to search: ``INDBUILDER_FONT_PATHS`` if set, else the Debian defaults that exist."""
    env = os.environ.get("INDBUILDER_FONT_PATHS")
    dirs = env.split(os.pathsep) if env else list(DEFAULT_FONT_DIRS)
    return tuple(d for d in dirs if d and Path(d).is_dir())


@lru_cache(maxsize=8)
def _collection(dirs: tuple[str, ...]) -> tuple[typst.Fonts, frozenset[str]]:
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=list(dirs))
    return fonts, frozenset(fonts.families())


def font_setup(lang: str, needs_cjk: bool = False) -> FontSetup:
    """Choose the fonts for a document in ``lang``; raise :class:`MissingFontError` when
    Chinese text (``lang == "zh"`` or CJK characters in the text) has no font to render it."""
    dirs = font_dirs()
    fonts, families = _collection(dirs)
    cjk = next((f for f in CJK_SC if f in families), None)
    if (lang == "zh" or needs_cjk) and cjk is None:
        raise MissingFontError(
            "no Simplified-Chinese font found (looked for "
            + ", ".join(CJK_SC)
            + f" in {', '.join(dirs) or 'no font folder'}); install the Debian package "
            "'fonts-noto-cjk' or point INDBUILDER_FONT_PATHS at a folder holding Noto CJK fonts"
        )
    latin = tuple(f for f in LATIN_SERIF if f in families) or ("Libertinus Serif",)
    mono = tuple(f for f in MONO if f in families) or ("DejaVu Sans Mono",)
    body = latin + ((cjk,) if cjk else ())
    return FontSetup(fonts, body, mono + ((cjk,) if cjk else ()), cjk)


def has_cjk(text: str) -> bool:
    """True when ``text`` holds CJK ideographs, kana, hangul or CJK punctuation."""
    for ch in text:
        o = ord(ch)
        if (
            0x3000 <= o <= 0x30FF  # CJK symbols and punctuation, kana
            or 0x3400 <= o <= 0x4DBF  # extension A
            or 0x4E00 <= o <= 0x9FFF  # unified ideographs
            or 0xAC00 <= o <= 0xD7AF  # hangul
            or 0xF900 <= o <= 0xFAFF  # compatibility ideographs
            or 0xFF00 <= o <= 0xFFEF  # full-width forms (，：（）)
            or 0x20000 <= o <= 0x2FA1F  # extensions B-F
        ):
            return True
    return False
