"""Controlled vocabularies read from the standards directory (FDA code lists, NMPA CV and dependency files)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostics, Location
from .schema import parse_xml
from .standards import by_name, locate

if TYPE_CHECKING:  # pragma: no cover
    from lxml import etree

# The code lists are the agencies' checksum-verified files, whose entries always carry the attributes read
# here; an entry without one (never the case) names no code and is skipped.


def _tree(standards: Path, name: str) -> etree._ElementTree | None:
    p = locate(standards, by_name(name))
    return None if p is None else parse_xml(p, Location(p.name), Diagnostics())


def fda_codes(standards: Path, name: str) -> set[str] | None:
    """Codes of an FDA code list such as ``application-type.xml`` (None when not installed)."""
    tree = _tree(standards, name)
    if tree is None:
        return None
    return {code for c in tree.getroot().iter("code-display") if (code := c.get("code")) is not None}


def cn_codes(standards: Path, name: str) -> set[str] | None:
    """Codes of an NMPA controlled vocabulary such as ``cv-application-type.xml``."""
    tree = _tree(standards, name)
    return None if tree is None else {code for c in tree.getroot().iter("code") if (code := c.get("name")) is not None}


def cn_dependencies(standards: Path) -> set[tuple[str, str, str]] | None:
    """Allowed (application type, regulatory activity, sequence type) triples from ``depend-apt-rat-sqt.xml``."""
    tree = _tree(standards, "depend-apt-rat-sqt.xml")
    if tree is None:
        return None
    out: set[tuple[str, str, str]] = set()
    for version in tree.getroot().iter("version"):
        for apt in version.iterfind("code"):
            for rat in apt.iterfind("code"):
                for sqt in rat.iterfind("code"):
                    a, r, s = apt.get("name"), rat.get("name"), sqt.get("name")
                    if a is not None and r is not None and s is not None:
                        out.add((a, r, s))
    return out


def stf_file_tags(standards: Path) -> dict[str, str]:
    """STF file-tag value -> realm (``ich``, ``us`` ...) from ICH ``valid-values.xml`` (empty if not installed)."""
    tree = _tree(standards, "valid-values.xml")
    if tree is None:
        return {}
    return {value: realm for ft in tree.getroot().iter("file-tag") for v in ft.iter("valid-value")
            if (value := v.get("value")) is not None and (realm := v.get("realm")) is not None}
