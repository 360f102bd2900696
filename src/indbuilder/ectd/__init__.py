"""eCTD v3.2.2 sequence assembly, lifecycle and validation for every registered region.

Public API::

    assemble_sequence(files, envelope, out_dir, standards, history_dir=None) -> Diagnostics
    validate_sequence(path, standards, history_dir=None, expect_region=None) -> Diagnostics
    install_standards(from_dir, cache=None) -> Diagnostics
    mark_submitted(history_dir, sequence, date, note="") -> Diagnostics
    next_sequence(history_dir) -> str
    layout.place_sequence(files, envelope, standards, diags) -> Layout (placed items) | None
    assemble.assemble_placed(items, envelope, out_dir, standards, history_dir=None, placed=()) -> Diagnostics
    default_cache() -> Path

Design decisions (see the module docstrings for the regulatory basis):

* ``files`` is always the complete current dossier. Each document is compared with its current version
  replayed from ``history_dir/<NNNN>/`` (0000 .. sequence-1): new -> ``new``, different bytes ->
  ``replace`` with ``modified-file="../NNNN/index.xml#ID"`` (``../../../NNNN/m1/us/us-regional.xml#ID``
  in M1), gone -> ``delete``; unchanged documents are left out. Leaf IDs derive from ``doc_id`` only, so
  a document keeps its ID across rebuilds and sequences.
* A sequence is submitted when ``<history_dir>/<NNNN>.submitted.yaml`` exists (``mark_submitted``);
  it is never rebuilt, and ``validate_sequence`` reports an index.xml changed after marking.
* Module 1 (backbone, placement, rules) belongs to the region: ``regions.get(envelope.region).module1()``;
  a region without one files the ICH ``index.xml`` only. FDA forms are node ids ``form:<form-type code>``.
* Study reports in 4.2.x and 5.3.1-5.3.5 carry ``StudyInfo``; one ICH STF v2.2 file per study and
  heading is generated, and rewritten (replace) only when what it tags changes.
* ``util/dtd`` and ``util/style`` are byte copies from the standards directory, checked against the
  published checksums in ``data/standards.json``. The standard files are never part of the project.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .model import (Applicant, Contact, Envelope, HeadingAttributes, StudyInfo,
                    SubmissionFile)

if TYPE_CHECKING:  # pragma: no cover
    from .assemble import assemble_sequence
    from .lifecycle import mark_submitted, next_sequence
    from .standards import default_cache, install_standards
    from .validate import validate_sequence

# The functions load lxml (through .schema): they are imported on first use, so that importing the
# package (the place stage, ``indbuilder check``) stays light.
_LAZY = {"assemble_sequence": "assemble", "mark_submitted": "lifecycle", "next_sequence": "lifecycle",
         "default_cache": "standards", "install_standards": "standards", "validate_sequence": "validate"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Applicant", "Contact", "Envelope", "HeadingAttributes", "StudyInfo",
    "SubmissionFile", "assemble_sequence", "default_cache", "install_standards", "mark_submitted",
    "next_sequence", "validate_sequence",
]
