"""The words every writer prints around the content, one table per document language.

Title block (``section``, ``product``, ``sponsor``, ``version``, ``date``), table of contents
(``contents``, ``tables``, ``toc_placeholder``), note boxes (``note``, ``warning``), the footer
(``page_format`` with ``{page}`` and ``{pages}``; a language without it composes it from ``page``
and ``of``: "Page X of Y") and ``label_sep``, what follows a label ("Version: 2.0", "版本：2.0").

``DocMeta.labels`` (per document) overrides any of them. Writers receive the result in
:attr:`WriteContext.words <indbuilder.writers.base.WriteContext>` and never keep words of their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..doctree import DocMeta

#: The language used for a document whose language has no table.
FALLBACK = "en"

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "section": "CTD section",
        "product": "Product",
        "sponsor": "Sponsor",
        "version": "Version",
        "date": "Date",
        "contents": "Table of Contents",
        "tables": "List of Tables",
        "toc_placeholder": "Update this field (F9) to refresh the table of contents.",
        "note": "Note",
        "warning": "Warning",
        "page": "Page",
        "of": "of",
        "label_sep": ": ",
    },
    "zh": {
        "section": "CTD 章节",
        "product": "产品",
        "sponsor": "申请人",
        "version": "版本",
        "date": "日期",
        "contents": "目录",
        "tables": "表格目录",
        "toc_placeholder": "请更新此域（F9）以刷新目录。",
        "note": "注",
        "warning": "警告",
        # Chinese page numbering reads "page N, of M in total": no "Page X of Y" composition.
        "page_format": "第 {page} 页 共 {pages} 页",
        "label_sep": "：",  # full-width colon, no space (GB/T 15834 punctuation)
    },
}


def labels_for(meta: "DocMeta") -> dict[str, str]:
    """The words for ``meta.lang`` with the non-empty entries of ``meta.labels`` applied on top."""
    words = dict(WORDS.get(meta.lang, WORDS[FALLBACK]))
    words.update({k: v for k, v in meta.labels.items() if v})
    if "page_format" not in words:
        words["page_format"] = f"{words.get('page', 'Page')} {{page}} {words.get('of', 'of')} {{pages}}"
    return words
