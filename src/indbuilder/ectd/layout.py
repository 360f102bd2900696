"""Where each document will sit in a sequence, known before any PDF is rendered.

Cross-references between documents are relative links (FDA PDF specification: links must keep
working when the sequence folder is moved), so the renderer needs every document's final path
first. This is the placing and naming half of assembly, without bytes.
"""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostics, Location
from .model import Envelope, SubmissionFile


def plan_layout(files: list[SubmissionFile], envelope: Envelope, standards: Path, diags: Diagnostics) -> dict[str, str]:
    """``doc_id -> path inside the sequence folder`` for ``files`` (their bytes are not used).

    Names are assigned exactly as :func:`assemble_sequence` assigns them: by folder, then doc_id.
    """
    from .assemble import place_files

    items = place_files(files, envelope, standards, Location(envelope.sequence), diags)
    return {item.doc_id: item.path for item in items}
