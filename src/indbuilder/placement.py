"""The place stage: where every planned document of a region goes in its eCTD sequence.

Runs once per region between plan and render: rendering needs every document's path to write
relative links, and assembly places the rendered bytes at the same paths.
"""

from __future__ import annotations

from collections.abc import Sequence

from .build import Placement
from .config import ProjectConfig
from .diagnostics import Diagnostics
from .model.dossier import Dossier
from .outline.planner import PlannedDocument
from .regions.base import RegionProfile


def place_region(
    config: ProjectConfig,
    dossier: Dossier,
    profile: RegionProfile,
    planned: Sequence[PlannedDocument],
    diags: Diagnostics,
) -> Placement:
    """The eCTD placement of ``planned`` documents in ``profile``'s sequence."""
    from .ectd_bridge import document_paths, envelope_for

    env = envelope_for(config, dossier, profile.name)
    return Placement(env, document_paths(config, dossier, env, list(planned)))
