"""What every rule family receives: the build records of :mod:`indbuilder.build` (re-exported here)."""

from __future__ import annotations

from ..build import CheckContext, RegionBuild, RenderedDoc

__all__ = ["CheckContext", "RegionBuild", "RenderedDoc"]
