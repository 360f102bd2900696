"""Jinja filters for regulatory writing: numbers, units, dates, percentages, language pick, escaping.

Every filter is deterministic (no locale, no clock) so the same facts always give the same bytes.
A filter given a value it cannot format raises :class:`FilterError`; the template renderer turns
that into a ``template.error`` diagnostic naming the template file and line.

Filters that need the document language read ``lang`` from the template context (``"en"`` or
``"zh"``); :func:`indbuilder.render.jinja_env.TemplateEnv` installs them with ``pass_context``.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping, Sequence


class FilterError(ValueError):
    """A fact that a filter cannot format; reported as ``template.error`` at the template line.

    ``hint`` (optional) says what to write so that the filter can format the fact.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def _shown(value: Any) -> str:
    """A value as the writer wrote it (never a Python repr of a record)."""
    from ..schema_errors import show_value

    return show_value(value)


def missing_language(obj: Any, lang: str, path: str | None) -> str:
    """The message for a text without ``lang`` (see :func:`.template_errors.missing_language`)."""
    from .template_errors import missing_language as message

    return message(obj, lang, path)


class Markdown(str):
    """Text that is already Markdown (output of ``ref``, ``table``, ``sci`` …): never escaped again.

    Like ``markupsafe.Markup`` for HTML: :func:`md_escape` and :func:`table` leave it unchanged.
    """


# ---------------------------------------------------------------- escaping

# CommonMark 2.4: "Any ASCII punctuation character may be backslash-escaped." Escaping all of them
# is the only rule that is safe in every inline position (emphasis, links, entities `&amp;`,
# autolinks/raw HTML `<..>`, list markers `1.`/`-`, headings `#`, table pipes `|`, and the
# extensions used here: `^sup^`, `~sub~`, `[^footnote]`, `{#anchor}`, `:::` containers).
_MD_SPECIAL = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


def md_escape(value: Any) -> Markdown:
    """Escape fact text so that it prints literally in Markdown (``USP <71>``, ``*``, ``a|b``).

    Newlines become spaces: a fact is one run of text and must not start a new block.
    ``None`` becomes the empty string. :class:`Markdown` values pass through unchanged.
    """
    if isinstance(value, Markdown):
        return value
    if value is None:
        return Markdown("")
    s = str(value)
    s = re.sub(r"\s*[\r\n]+\s*", " ", s)
    return Markdown(_MD_SPECIAL.sub(r"\\\1", s))


# Characters that start an inline construct in the middle of a line (emphasis, code, links,
# autolinks, entities, sup/sub, footnotes, table pipes, anchors). Used for short fact pieces that a
# filter embeds in its own Markdown output (a unit symbol), where `%`, `/` and `.` must stay plain.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>^~|&!{}])")


def md_escape_inline(value: Any) -> str:
    """Escape only what starts inline Markdown mid-line (``*``, ``_``, ``<``, ``^``, ``|`` …)."""
    if isinstance(value, Markdown):
        return value
    return _MD_INLINE.sub(r"\\\1", re.sub(r"\s*[\r\n]+\s*", " ", str(value)))


# ---------------------------------------------------------------- numbers


def _to_decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise FilterError(f"{what}: expected a number, got {_shown(value)}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise FilterError(f"{what}: expected a finite number, got {_shown(value)}")
        return Decimal(repr(value))
    try:
        return Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise FilterError(f"{what}: expected a number, got {_shown(value)}") from None


def num(value: Any, decimals: int | None = None) -> str:
    """A number with thousands separators: ``num(12345.678, 1)`` -> ``12,345.7``.

    ``decimals=None`` keeps the value's own digits (``1234.50`` stays ``1,234.5`` for a float,
    ``1234`` for an int). Rounding is half-up, as in laboratory reporting (USP <7> / ASTM E29).
    """
    d = _to_decimal(value, "num")
    if decimals is not None:
        if decimals < 0:
            raise FilterError(f"num: decimals must be >= 0, got {_shown(decimals)}")
        from decimal import ROUND_HALF_UP

        d = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        return f"{d:,.{decimals}f}"
    if d == d.to_integral_value() and "." not in str(value):
        return f"{int(d):,}"
    d = d.normalize()
    exp = d.as_tuple().exponent
    places = -exp if isinstance(exp, int) and exp < 0 else 0
    return f"{d:,.{places}f}"


_SUPERSCRIPT = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")
_SCI_TEXT = re.compile(
    r"^\s*([-+]?\d+(?:\.\d+)?)\s*(?:[x×*]\s*10\s*(?:\^|\*\*)\s*\(?([-+]?\d+)\)?|[eE]([-+]?\d+))\s*$"
)


def sci(value: Any, digits: int = 1) -> Markdown:
    """Scientific notation for cell doses: ``sci(2e6)`` -> ``2.0 × 10⁶`` (``digits`` after the point).

    Also accepts text as written by scientists: ``"1.0 x 10^6"``, ``"1.0 × 10^6"``, ``"1e6"``;
    the mantissa's own digits are kept for such text (``"1.50 x 10^6"`` -> ``1.50 × 10⁶``).
    """
    if isinstance(value, str):
        m = _SCI_TEXT.match(value)
        if m:
            mant, exp = m.group(1), int(m.group(2) or m.group(3))
            return Markdown(f"{mant} × 10{str(exp).translate(_SUPERSCRIPT)}")
    d = _to_decimal(value, "sci")
    if digits < 0:
        raise FilterError(f"sci: digits must be >= 0, got {_shown(digits)}")
    if d == 0:
        return Markdown(f"{0:.{digits}f}")
    text = f"{d:.{digits}e}"  # e.g. '2.0e+6'
    mant, exp_s = text.split("e")
    exp = int(exp_s)
    if exp == 0:
        return Markdown(mant)
    return Markdown(f"{mant} × 10{str(exp).translate(_SUPERSCRIPT)}")


def pct(value: Any, decimals: int = 1, ratio: bool = False) -> str:
    """A percentage: ``pct(95.46)`` -> ``95.5%``; ``pct(0.9546, ratio=True)`` -> ``95.5%``."""
    d = _to_decimal(value, "pct")
    if ratio:
        d = d * 100
    return f"{num(d, decimals)}%"


# ---------------------------------------------------------------- units

# Chinese forms of the count words used with units; symbols (mL, kg, °C) are the same in both
# languages (GB 3100-1993 / SI brochure: unit symbols are not translated).
_ZH_UNIT_WORDS = {
    "cells": "个细胞",
    "cell": "个细胞",
    "viable cells": "个活细胞",
    "vials": "瓶",
    "vial": "瓶",
    "bags": "袋",
    "bag": "袋",
    "doses": "剂",
    "dose": "剂",
    "patients": "例受试者",
    "subjects": "例受试者",
    "animals": "只动物",
    "days": "天",
    "day": "天",
    "weeks": "周",
    "week": "周",
    "months": "个月",
    "month": "个月",
    "years": "年",
    "year": "年",
    "hours": "小时",
    "hour": "小时",
    "minutes": "分钟",
    "minute": "分钟",
}
_NO_SPACE_UNITS = {"%", "°", "′", "″"}


def unit_text(unit: str, lang: str) -> str:
    """The unit as printed in ``lang``: count words are translated for zh (``cells/kg`` -> ``个细胞/kg``)."""
    if lang != "zh":
        return unit
    head, sep, tail = unit.partition("/")
    return _ZH_UNIT_WORDS.get(head, head) + sep + tail


def unit(value: Any, unit: str | Mapping[str, str] | None = None, lang: str = "en") -> Markdown:
    """A value with its unit, spaced per language.

    en: a space between number and unit (SI brochure 5.4.3; ``37 °C``, ``2.0 × 10⁶ cells/kg``), none
    before ``%`` or ``°``. zh: a space before a symbol (``5 mL``) and none before a Chinese word
    (``2.0 × 10⁶个细胞/kg``, ``28天``). ``value`` may be a number, text already formatted (``sci``),
    or a quantity object with ``.value`` and ``.unit``; ``unit`` may be ``{en, zh}``.
    """
    if unit is None:
        if hasattr(value, "value") and hasattr(value, "unit"):
            value, unit = value.value, value.unit
        else:
            raise FilterError(f"unit: no unit given for {_shown(value)}")
    if isinstance(unit, Mapping):
        if lang not in unit:
            raise FilterError(f"unit: no {_shown(lang)} form in {_shown(dict(unit))}")
        u = md_escape_inline(unit[lang])
    else:
        u = md_escape_inline(unit_text(str(unit), lang))
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        v = num(value)
    elif isinstance(value, str):
        v = md_escape_inline(value)  # Markdown (e.g. from `sci`) passes unchanged
    else:
        raise FilterError(f"unit: expected a number or text, got {_shown(value)}")
    if not u:
        return Markdown(v)
    if u[0] in _NO_SPACE_UNITS and not u.startswith("°C"):
        sep = ""
    elif lang == "zh" and not u[0].isascii():
        sep = ""
    else:
        sep = " "
    return Markdown(f"{v}{sep}{u}")


# ---------------------------------------------------------------- dates

_MONTHS = (
    "January February March April May June July August September October November December"
).split()


def _to_date(value: Any) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise FilterError(f"date: expected an ISO date YYYY-MM-DD, got {_shown(value)}")


def date(value: Any, style: str = "long", lang: str = "en") -> str:
    """A date: ``style="iso"`` -> ``2026-03-05``; ``"long"`` -> ``05 March 2026`` (en) or
    ``2026年3月5日`` (zh, GB/T 7408 written form)."""
    d = _to_date(value)
    if style == "iso":
        return d.isoformat()
    if style != "long":
        raise FilterError(f"date: unknown style {_shown(style)} (use 'iso' or 'long')")
    if lang == "zh":
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.day:02d} {_MONTHS[d.month - 1]} {d.year}"


# ---------------------------------------------------------------- language pick


def pick_lang(obj: Any, lang: str) -> Any:
    """The ``lang`` text of a bilingual value: ``obj.en``/``obj.zh`` or ``{"en": …, "zh": …}``.

    Plain strings and numbers pass through. A bilingual value without the wanted language is an
    error, never a silent fallback: an English sentence in an NMPA document is a defect.
    """
    if obj is None:
        raise FilterError("a text to print with 't' is missing (an empty value)",
                          hint="give the fact a value, or test it with '{% if x %}' in the template")
    if isinstance(obj, (str, int, float, Decimal)):
        return obj
    if isinstance(obj, Mapping):
        if "en" in obj or "zh" in obj:
            val = obj.get(lang)
            if val in (None, ""):
                raise FilterError(missing_language(dict(obj), lang, None))
            return val
        raise FilterError(f"expected a text in each language ({{en: ..., zh: ...}}) to print with 't', got {_shown(obj)}")
    if hasattr(obj, "en") or hasattr(obj, "zh"):
        val = getattr(obj, lang, None)
        if val in (None, ""):
            raise FilterError(missing_language(obj, lang, None))
        return val
    raise FilterError(f"expected a text in each language ({{en: ..., zh: ...}}) to print with 't', got {_shown(obj)}")


# ---------------------------------------------------------------- tables


def _column_spec(col: Any, lang: str) -> tuple[str, str, str | None]:
    """(key, title, align) from ``"key"``, ``("key", "Title")`` or ``{key, title, align}``."""
    if isinstance(col, str):
        return col, col, None
    if isinstance(col, Sequence) and not isinstance(col, str) and len(col) in (2, 3):
        key, title = col[0], col[1]
        align = col[2] if len(col) == 3 else None
    elif isinstance(col, Mapping) and "key" in col:
        key, title, align = col["key"], col.get("title", col["key"]), col.get("align")
    else:
        raise FilterError(f"table: bad column {_shown(col)} (use 'key', ('key', 'Title') or {{key, title, align}})")
    if align not in (None, "left", "center", "right"):
        raise FilterError(f"table: column {_shown(key)} has bad align {_shown(align)}")
    if not isinstance(title, str):
        title = pick_lang(title, lang)
    return str(key), str(title), align


def _cell_value(row: Any, key: str) -> Any:
    cur = row
    for part in key.split("."):
        if isinstance(cur, Mapping):
            if part not in cur:
                raise FilterError(f"table: row has no {_shown(key)}: {_shown(row)}")
            cur = cur[part]
        elif part.startswith("_") or not hasattr(cur, part):
            raise FilterError(f"table: row has no {_shown(key)}: {_shown(row)}")
        else:
            cur = getattr(cur, part)
    return cur


def _cell_text(value: Any, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Markdown):
        return re.sub(r"(?<!\\)\|", r"\\|", re.sub(r"\s*[\r\n]+\s*", " ", value))
    if isinstance(value, bool):
        value = ("是" if value else "否") if lang == "zh" else ("Yes" if value else "No")
    elif isinstance(value, (int, float, Decimal)):
        value = num(value)
    elif isinstance(value, Mapping) or hasattr(value, "en"):
        value = pick_lang(value, lang)
    return md_escape(value)


def table(
    rows: Iterable[Any],
    columns: Sequence[Any],
    caption: Any = None,
    id: str | None = None,
    lang: str = "en",
) -> Markdown:
    """A Markdown pipe table with an optional ``Table: caption {#id}`` line (see render/markdown.py).

    ``rows`` are mappings or objects; a column key may be dotted (``"result.value"``). Cell text is
    escaped (``|`` included) unless it is :class:`Markdown` (e.g. ``ref(...)`` or ``sci``), whose
    pipes are still escaped so the table keeps its shape. Numbers get thousands separators.
    """
    specs = [_column_spec(c, lang) for c in columns]
    if not specs:
        raise FilterError("table: no columns")
    if id is not None and not re.fullmatch(r"[A-Za-z][\w.:-]*", str(id)):
        raise FilterError(f"table: bad anchor id {_shown(id)} (letters, digits, '-', '_', '.', ':')")
    lines: list[str] = []
    if caption is not None or id is not None:
        cap = "" if caption is None else _cell_text(caption, lang)
        anchor = f" {{#{id}}}" if id else ""
        lines += [f"Table: {cap}{anchor}".rstrip(), ""]
    lines.append("| " + " | ".join(md_escape(title) for _, title, _ in specs) + " |")
    marks = {None: "---", "left": ":--", "center": ":-:", "right": "--:"}
    lines.append("|" + "|".join(marks[a] for _, _, a in specs) + "|")
    for row in rows:
        cells = [_cell_text(_cell_value(row, key), lang) for key, _, _ in specs]
        lines.append("| " + " | ".join(cells) + " |")
    return Markdown("\n" + "\n".join(lines) + "\n\n")
