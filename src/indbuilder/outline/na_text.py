"""The text of a not-applicable section.

NMPA keeps the number and title of every CTD item; an item without information states 不适用 and the
reason (生物制品注册受理审查指南（试行）2025, Part 1: "如无相关信息或研究资料，应保留项目编号和名称，
并注明'不适用'及理由"). The same text in English reads "Not applicable. <reason>".
"""

from __future__ import annotations

from typing import Mapping

from .model import OutlineNode


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
