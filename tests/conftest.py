"""Shared test set-up: where the official eCTD standard files are read from.

Tests read the standards from ``$INDBUILDER_STANDARDS`` when set; otherwise from the team's
reference copy beside the repository (``../shared/reference/ectd``), which CI provides. The project
never commits copies of these files.
"""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_REFERENCE = (REPO / ".." / "shared" / "reference" / "ectd").resolve()

if not os.environ.get("INDBUILDER_STANDARDS") and _REFERENCE.is_dir():
    os.environ["INDBUILDER_STANDARDS"] = str(_REFERENCE)
