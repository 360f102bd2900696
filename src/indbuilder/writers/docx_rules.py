"""Rules of the DOCX writer: content problems it finds while writing (ids ``docx.*``).

Importing this module registers them in :mod:`indbuilder.rules`.
"""

from __future__ import annotations

from ..rules import Rule, define

#: The rules this writer emits (registered at import time), by id.
RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        define(
            "docx.anchor-missing", "warning",
            "An internal link points to an anchor that no heading or table of the document defines.",
            "The link is written as plain text. Fix the anchor name or add the anchor to the target "
            "heading/table.",
            "FDA Portable Document Format (PDF) Specifications v4.x: 'Ensure that all hypertext links "
            "... remain active'",
        ),
        define(
            "docx.anchor-duplicate", "warning",
            "Two headings/tables use the same anchor; only the first one receives the bookmark.",
            "Links to the anchor go to its first occurrence, which is probably not what every author meant.",
            "FDA Portable Document Format (PDF) Specifications v4.x (hypertext links remain active)",
        ),
        define(
            "docx.link-no-target", "warning",
            "A link has neither an anchor, a relative href nor a URL.",
            "It is written as plain text.",
        ),
        define(
            "docx.href-not-relative", "error",
            "A link to another document of the sequence is not a relative path.",
            "Links between documents of an eCTD sequence must be relative so they survive copying the "
            "sequence folder (no drive letters, no leading '/', no backslashes, no URL scheme).",
            "NMPA eCTD technical specification, PDF rules 6.2/6.9 (relative links) and 3.12 (relative "
            "paths with '/' only)",
        ),
        define(
            "docx.footnote-missing", "error",
            "A footnote reference names a footnote the document does not define.",
            "The reference is printed as its label in brackets so a reviewer can find it.",
        ),
        define(
            "docx.footnote-unused", "warning",
            "A footnote is defined but never referenced; it is not printed.",
        ),
        define(
            "docx.footnote-nested", "warning",
            "A footnote refers to a footnote that the body never referenced (Word has no nested footnotes).",
            "The reference is printed as its label in brackets.",
        ),
        define(
            "docx.invalid-char", "warning",
            "Text contains a control character that XML (and therefore DOCX) cannot store; it was removed.",
            "Usually a paste artefact (e.g. U+000B vertical tab from Word, U+0007 from Excel).",
            "W3C XML 1.0, section 2.2 (Char production)",
        ),
        define(
            "docx.table-ragged", "warning",
            "A table row has a different number of columns than the table; the table was padded.",
            "Rows are padded with empty cells to the widest row so no content is lost.",
        ),
        define(
            "docx.table-empty", "warning",
            "A table has no rows at all; only its caption (if any) is printed.",
            "Word treats a table without rows as damaged content.",
        ),
        define(
            "docx.meta-date", "warning",
            "The document date is not an ISO date (YYYY-MM-DD); document properties use 2000-01-01.",
        ),
    )
}
