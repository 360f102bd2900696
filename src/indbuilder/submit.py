"""``indbuilder submit``: record a built sequence as sent to the agency.

The sequence is copied from the build output into the project's history folder
(``<history>/<region>/<NNNN>/``, kept in git) and marked submitted. From then on it is the baseline
for lifecycle operations of later sequences and is never rewritten (eCTD lifecycle: a sequence,
once sent, is immutable; FDA and NMPA reject changed content under a used sequence number).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from .carry_forward import FINGERPRINTS
from .config import load_config
from .diagnostics import Diagnostics, Location
from .ectd.lifecycle import is_submitted, mark_submitted
from .rules import define

define(
    "submit.not-built",
    "error",
    "There is no built sequence to record as submitted.",
    "Run 'indbuilder build' first: 'submit' records the sequence that the last build produced.",
)
define(
    "submit.already-submitted",
    "error",
    "The sequence is already recorded as submitted.",
    "A submitted sequence is immutable. Set the next sequence number in indbuilder.yaml and build again.",
)


def submit(root: Path, region: str, date: dt.date | None, note: str) -> tuple[Diagnostics, str]:
    """Copy the built sequence of ``region`` into the history folder and mark it submitted."""
    diags = Diagnostics()
    config, cdiags = load_config(root)
    diags.extend(cdiags)
    if config is None:
        return diags, ""
    seq = config.settings.sequence
    history = config.history_dir / region
    built = sorted((config.output_dir / region / "ectd").glob(f"*/{seq}"))
    if not built:
        diags.emit("submit.not-built", f"no built {region} sequence {seq} under {config.settings.output}/{region}/ectd", config.source)
        return diags, ""
    target = history / seq
    if is_submitted(history, seq) or target.exists():
        diags.emit("submit.already-submitted", f"{region} sequence {seq} is already in {config.settings.history}/{region}", config.source)
        return diags, ""
    history.mkdir(parents=True, exist_ok=True)
    shutil.copytree(built[0], target)
    # content fingerprints of this sequence's documents, for carrying unchanged ones forward
    fingerprints = config.output_dir / region / FINGERPRINTS
    if fingerprints.is_file():
        shutil.copy2(fingerprints, history / f"{seq}.{FINGERPRINTS}")
    diags.extend(mark_submitted(history, seq, (date or dt.date.today()).isoformat(), note).items)
    nxt = f"{int(seq) + 1:04d}"
    return diags, (
        f"{region} sequence {seq} recorded as submitted in {config.settings.history}/{region}/{seq}; "
        f"commit it, and set sequence: \"{nxt}\" in indbuilder.yaml for the next submission\n"
    )


__all__ = ["submit", "Location"]
