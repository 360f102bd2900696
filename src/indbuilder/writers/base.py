"""What a writer is to indbuilder: the :class:`Writer` protocol every output format implements.

A writer turns one :class:`~indbuilder.doctree.Document` into the bytes of one file. Everything it
needs beyond the document comes in a :class:`WriteContext` (paper size from the region profile, the
label words of the document language, where the document came from, whether it is a review copy);
what it finds while writing comes back in the :class:`WriteResult`, never printed or raised. A
document it cannot write at all raises :class:`WriteError`, which names the rule to report.

``submission`` marks the format of the eCTD sequence itself: ICH eCTD v3.2.2 and both agencies'
specifications (FDA "Portable Document Format (PDF) Specifications"; NMPA eCTD validation criteria
chapter 6) accept only PDF for the documents of a sequence, so only the PDF writer sets it. Every
other format is a review copy written beside the sequence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ..diagnostics import Diagnostic, Location
from ..regions.base import Paper
from .words import labels_for

if TYPE_CHECKING:  # pragma: no cover
    from ..doctree import Document


@dataclass(frozen=True)
class WriteContext:
    """What a writer needs beyond the document itself.

    ``paper``: the page size of the region's documents (``RegionProfile.paper``).
    ``words``: the printed label words (title block, header/footer, contents, notes) for the
    document language, with ``DocMeta.labels`` already applied (see :mod:`.words`).
    ``source``: the template, narrative or attachment the document came from (for diagnostics).
    ``review_links``: the file is a review copy laid out in the same relative tree as the
    sequence's PDFs (``<region>/<format>/<eCTD path>``); links to ``*.pdf`` files of the sequence
    should point at the sibling copy in this format instead.
    """

    paper: Paper
    words: Mapping[str, str]
    source: Location | None = None
    review_links: bool = False


@dataclass(frozen=True)
class WriteResult:
    """One written file: its bytes and the content problems found while writing it."""

    data: bytes
    diagnostics: list[Diagnostic] = field(default_factory=list)


class WriteError(RuntimeError):
    """A document the writer could not write (no file comes out of it).

    ``rule`` is the diagnostic the write stage reports; with ``stops_format`` no further document
    of this format can be written either (e.g. a missing font), so the stage stops that format.
    ``diagnostics`` are the problems found before the failure.
    """

    rule: str = "write.failed"
    stops_format: bool = False

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.diagnostics: list[Diagnostic] = list(diagnostics or [])


@runtime_checkable
class Writer(Protocol):
    """One output format. ``extension`` includes the dot (``".docx"``)."""

    @property
    def name(self) -> str:
        """The format name: registry key and ``formats`` value in ``indbuilder.yaml``."""
        ...

    @property
    def extension(self) -> str:
        """The file name extension, with its dot."""
        ...

    @property
    def submission(self) -> bool:
        """True when the files are the eCTD submission format (only PDF)."""
        ...

    def write(self, doc: "Document", ctx: WriteContext) -> WriteResult:
        """Render ``doc`` to the bytes of one file; raise :class:`WriteError` when it cannot."""
        ...


def document_context(
    doc: "Document",
    *,
    paper: Paper | None = None,
    source: Location | None = None,
    review_links: bool = False,
) -> WriteContext:
    """The context for writing ``doc``: label words of its language, and its region's paper
    unless ``paper`` is given (the write stage passes its region profile's)."""
    if paper is None:
        from ..regions import get

        paper = get(doc.meta.region).paper
    return WriteContext(paper=paper, words=labels_for(doc.meta), source=source, review_links=review_links)
