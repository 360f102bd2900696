"""A named registry of plug-in profiles: built-ins loaded on first use, others from an entry-point group.

Regions (``indbuilder.regions``) and modalities (``indbuilder.modalities``) are registries of this kind:
a profile has a ``name``; built-in profiles are modules exporting ``PROFILE``; a package adds its own
through the entry-point group; a test may ``register`` a toy profile and ``unregister`` it again.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points
from typing import Generic, Protocol, TypeVar, cast


class Named(Protocol):
    @property
    def name(self) -> str: ...


T = TypeVar("T", bound=Named)


class Registry(Generic[T]):
    """Profiles of one kind by name, in registration order (built-ins first)."""

    def __init__(self, what: str, builtin: dict[str, str], group: str, kind: type) -> None:
        self.what = what  # "region", "modality": for messages
        self._builtin = builtin  # name -> module exporting PROFILE
        self._group = group  # entry-point group of plug-ins
        self._kind = kind  # an entry point must name an instance of this type
        self._items: dict[str, T] = {}
        self._loaded = False

    def register(self, profile: T) -> T:
        """Add (or replace) ``profile`` under ``profile.name``."""
        self._items[profile.name] = profile
        return profile

    def unregister(self, name: str) -> None:
        """Remove a profile (tests that register a toy profile clean up with it)."""
        self._items.pop(name, None)

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for name, module in self._builtin.items():
            if name not in self._items:
                self.register(import_module(module).PROFILE)
        for ep in entry_points(group=self._group):
            profile = ep.load()
            if isinstance(profile, self._kind):  # anything else under the group is not a profile of this kind
                item = cast(T, profile)
                self._items.setdefault(item.name, item)

    def names(self) -> tuple[str, ...]:
        """Names of every registered profile, built-ins first, in registration order."""
        self._load()
        return tuple(self._items)

    def values(self) -> tuple[T, ...]:
        self._load()
        return tuple(self._items.values())

    def get(self, name: str) -> T:
        """The profile called ``name``; ``KeyError`` names the known ones when it is unknown."""
        self._load()
        try:
            return self._items[name]
        except KeyError:
            raise KeyError(f"unknown {self.what} {name!r}; known: {', '.join(self._items)}") from None
