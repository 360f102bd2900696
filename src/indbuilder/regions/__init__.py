"""The region registry: every region indbuilder can build, by name.

Built-in regions (``fda``, ``nmpa``) are registered on first use; a package may add more through the
``indbuilder.regions`` entry-point group (each entry point names a :class:`RegionProfile` object), and a
test or script may call :func:`register`. Config values and CLI choices come from :func:`names`.
"""

from __future__ import annotations

from ..registry import Registry
from .base import Paper, RegionProfile

_REGISTRY: Registry[RegionProfile] = Registry(
    "region", {"fda": "indbuilder.regions.fda", "nmpa": "indbuilder.regions.nmpa"}, "indbuilder.regions", RegionProfile
)
register = _REGISTRY.register
unregister = _REGISTRY.unregister
names = _REGISTRY.names
get = _REGISTRY.get


def languages() -> tuple[str, ...]:
    """Every language code a registered region declares (bilingual fact text may carry any of them)."""
    seen: dict[str, None] = {}
    for profile in _REGISTRY.values():
        seen.update(dict.fromkeys(profile.languages))
    return tuple(seen)


__all__ = ["Paper", "RegionProfile", "get", "languages", "names", "register", "unregister"]
