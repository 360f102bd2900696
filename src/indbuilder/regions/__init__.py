"""The region registry: every region indbuilder can build, by name.

Built-in regions (``fda``, ``nmpa``) are registered on first use; a package may add more through the
``indbuilder.regions`` entry-point group (each entry point names a :class:`RegionProfile` object), and a
test or script may call :func:`register`. Config values and CLI choices come from :func:`names`.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points

from .base import Paper, RegionProfile

_REGISTRY: dict[str, RegionProfile] = {}
_BUILTIN = {"fda": "indbuilder.regions.fda", "nmpa": "indbuilder.regions.nmpa"}
_loaded = False


def register(profile: RegionProfile) -> RegionProfile:
    """Add (or replace) ``profile`` under ``profile.name``."""
    _REGISTRY[profile.name] = profile
    return profile


def unregister(name: str) -> None:
    """Remove a region (tests that register a toy region clean up with it)."""
    _REGISTRY.pop(name, None)


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for name, module in _BUILTIN.items():
        if name not in _REGISTRY:
            register(import_module(module).PROFILE)
    for ep in entry_points(group="indbuilder.regions"):
        profile = ep.load()
        if isinstance(profile, RegionProfile):
            _REGISTRY.setdefault(profile.name, profile)


def names() -> tuple[str, ...]:
    """Names of every registered region, built-ins first, in registration order."""
    _load()
    return tuple(_REGISTRY)


def get(name: str) -> RegionProfile:
    """The profile of region ``name``; ``KeyError`` names the known regions when it is unknown."""
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown region {name!r}; known: {', '.join(_REGISTRY)}") from None


def languages() -> tuple[str, ...]:
    """Every language code a registered region declares (bilingual fact text may carry any of them)."""
    _load()
    seen: dict[str, None] = {}
    for profile in _REGISTRY.values():
        seen.update(dict.fromkeys(profile.languages))
    return tuple(seen)


__all__ = ["Paper", "RegionProfile", "get", "languages", "names", "register", "unregister"]
