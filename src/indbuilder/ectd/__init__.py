"""eCTD v3.2.2 sequence assembly, lifecycle and validation for FDA and NMPA.

Public API::

    assemble_sequence(files, envelope, out_dir, standards, history_dir=None) -> Diagnostics
    validate_sequence(path, standards, history_dir=None) -> Diagnostics
    install_standards(from_dir, cache=None) -> Diagnostics
    mark_submitted(history_dir, sequence, date, note="") -> Diagnostics
    default_cache() -> Path
"""

from .assemble import assemble_sequence
from .lifecycle import mark_submitted
from .model import (Applicant, Contact, Envelope, FdaCodes, HeadingAttributes, NmpaCodes, StudyInfo,
                    SubmissionFile)
from .standards import default_cache, install_standards
from .validate import validate_sequence

__all__ = [
    "Applicant", "Contact", "Envelope", "FdaCodes", "HeadingAttributes", "NmpaCodes", "StudyInfo",
    "SubmissionFile", "assemble_sequence", "default_cache", "install_standards", "mark_submitted",
    "validate_sequence",
]
