"""Deprecated: moved to :mod:`indbuilder.placement` (study tagging data, submission files) and the region
modules (envelopes). Kept only so that ``write.py`` keeps importing ``goes_into_sequence`` until it imports
it from ``placement``; delete this module then."""

from __future__ import annotations

from .placement import goes_into_sequence, study_info, submission_file

__all__ = ["goes_into_sequence", "study_info", "submission_file"]
