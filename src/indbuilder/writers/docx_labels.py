"""Localized words printed by the DOCX writer (title block, header/footer, TOC, notes).

``DocMeta.labels`` (filled by rendering from the project's language files) wins; missing keys
fall back to the defaults below for the document's language (``meta.lang``).

Keys: ``section``, ``product``, ``sponsor``, ``version``, ``date``, ``contents``, ``note``,
``warning``, ``page_format`` (with ``{page}`` and ``{pages}`` placeholders), and for English-style
footers also ``page`` and ``of`` ("Page X of Y").
"""

from __future__ import annotations

from ..doctree import DocMeta

EN: dict[str, str] = {
    "section": "CTD Section",
    "product": "Product",
    "sponsor": "Sponsor",
    "version": "Version",
    "date": "Date",
    "contents": "Table of Contents",
    "toc_placeholder": "Update this field (F9) to refresh the table of contents.",
    "note": "Note",
    "warning": "Warning",
    "page": "Page",
    "of": "of",
}

ZH: dict[str, str] = {
    "section": "CTD 章节",
    "product": "产品",
    "sponsor": "申请人",
    "version": "版本",
    "date": "日期",
    "contents": "目录",
    "toc_placeholder": "请更新此域（F9）以刷新目录。",
    "note": "注",
    "warning": "警告",
    "page_format": "第 {page} 页 共 {pages} 页",
}


def labels_for(meta: DocMeta) -> dict[str, str]:
    """The label table for ``meta``: defaults for its language, overridden by ``meta.labels``."""
    base = dict(ZH if meta.lang == "zh" else EN)
    base.update({k: v for k, v in meta.labels.items() if v})
    if "page_format" not in meta.labels and meta.lang != "zh":
        base["page_format"] = f"{base.get('page', 'Page')} {{page}} {base.get('of', 'of')} {{pages}}"
    return base


def label_separator(meta: DocMeta) -> str:
    """What follows a label: a full-width colon in Chinese, ": " otherwise."""
    return "：" if meta.lang == "zh" else ": "
