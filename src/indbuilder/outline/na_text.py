"""The text of a not-applicable section.

NMPA keeps the number and title of every CTD item; an item without information states 不适用 and the
reason (生物制品注册受理审查指南（试行）2025, Part 1: "如无相关信息或研究资料，应保留项目编号和名称，
并注明'不适用'及理由"). The same text in English reads "Not applicable. <reason>".
"""

from __future__ import annotations

from typing import Mapping, Sequence

from .model import Outline, OutlineNode


def justification_text(justification: str | Mapping[str, str] | None, lang: str) -> str:
    """The reason in ``lang`` from a plain string or an ``{en, zh}`` mapping (empty if none)."""
    if justification is None:
        return ""
    if isinstance(justification, str):
        return justification.strip()
    key = "zh" if lang.startswith("zh") else "en"
    return str(justification.get(key) or "").strip()


def not_applicable_text(node: OutlineNode, lang: str, justification: str | Mapping[str, str] | None) -> str:
    """Markdown for a not-applicable section: the kept number and title as heading, then the statement.

    ``zh``: ``# 3.2.S.5 对照品/标准品\\n\\n不适用。<理由>\\n``; ``en``: ``# 3.2.S.5 Reference Standards or
    Materials\\n\\nNot applicable. <reason>\\n``.
    """
    reason = justification_text(justification, lang)
    if lang.startswith("zh"):
        statement = "不适用。" + reason
    else:
        statement = "Not applicable." + (f" {reason}" if reason else "")
    return f"# {node.label(lang)}\n\n{statement.rstrip()}\n"


def _scope(outline: Outline, home: OutlineNode, nodes: Sequence[OutlineNode]) -> list[OutlineNode]:
    """The sub-sections of ``home`` that hold ``nodes`` (``4.2`` for Module 4, ``5.3.1`` ... ``5.3.5`` for 5.3)."""
    out: list[OutlineNode] = []
    for node in nodes:
        top = node
        for anc in outline.ancestors(node.id):
            if anc.id == home.id:
                break
            top = anc
        if top not in out:
            out.append(top)
    return out


def gathered_statement_title(outline: Outline, home: OutlineNode, nodes: Sequence[OutlineNode], lang: str) -> str:
    """``不适用项目说明（4.2 试验报告）``, ``不适用项目说明（5.3.1～5.3.5）`` / ``Not-Applicable Items (4.2 Study Reports)``."""
    tops = _scope(outline, home, nodes)
    zh = lang.startswith("zh")
    if len(tops) == 1:
        scope = tops[0].label(lang)
    else:
        scope = f"{tops[0].number}{'～' if zh else '-'}{tops[-1].number}"
    return f"不适用项目说明（{scope}）" if zh else f"Not-Applicable Items ({scope})"


def gathered_statement_text(
    outline: Outline,
    home: OutlineNode,
    entries: Sequence[tuple[OutlineNode, str | Mapping[str, str] | None]],
    lang: str,
) -> str:
    """Markdown of one statement that gathers the not-applicable items below ``home``.

    Each item keeps its number and title as a heading, followed by 不适用 and the reason, exactly as a
    statement at the item's own heading would read (:func:`not_applicable_text`); an introduction says
    why they are gathered here: their headings take only study reports tagged by a study tagging file
    (NMPA eCTD验证标准 5.17), and a 不适用 statement is no study.
    """
    tops = _scope(outline, home, [n for n, _ in entries])
    if lang.startswith("zh"):
        scope = "、".join(t.number for t in tops)
        intro = (
            f"{scope}项下的文件须为附研究标签文件（STF）的研究报告（eCTD验证标准5.17），"
            f"故其中不适用的项目集中在本文件中说明：各项目保留编号和标题，注明“不适用”及理由。"
        )
    else:
        scope = ", ".join(t.number for t in tops)
        intro = (
            f"The headings of {scope} take only study reports tagged by a study tagging file (NMPA eCTD "
            "validation criterion 5.17), so their not-applicable items are stated here: each keeps its "
            "number and title, with \"Not applicable\" and the reason."
        )
    parts = [intro + "\n"] + [not_applicable_text(node, lang, reason) for node, reason in entries]
    return "\n".join(parts)
