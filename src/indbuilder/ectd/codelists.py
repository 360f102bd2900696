"""Controlled vocabularies read from the standards directory (FDA code lists, NMPA CV and dependency files)."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostics, Location
from .schema import parse_xml
from .standards import by_name, locate


def _tree(standards: Path, name: str):
    p = locate(standards, by_name(name))
    return None if p is None else parse_xml(p, Location(p.name), Diagnostics())


def fda_codes(standards: Path, name: str) -> set[str] | None:
    """Codes of an FDA code list such as ``application-type.xml`` (None when not installed)."""
    tree = _tree(standards, name)
    return None if tree is None else {c.get("code") for c in tree.getroot().iter("code-display")}


def cn_codes(standards: Path, name: str) -> set[str] | None:
    """Codes of an NMPA controlled vocabulary such as ``cv-application-type.xml``."""
    tree = _tree(standards, name)
    return None if tree is None else {c.get("name") for c in tree.getroot().iter("code")}


def cn_dependencies(standards: Path) -> set[tuple[str, str, str]] | None:
    """Allowed (application type, regulatory activity, sequence type) triples from ``depend-apt-rat-sqt.xml``."""
    tree = _tree(standards, "depend-apt-rat-sqt.xml")
    if tree is None:
        return None
    out = set()
    for version in tree.getroot().iter("version"):
        for apt in version.iterfind("code"):
            for rat in apt.iterfind("code"):
                for sqt in rat.iterfind("code"):
                    out.add((apt.get("name"), rat.get("name"), sqt.get("name")))
    return out


def stf_file_tags(standards: Path) -> dict[str, str]:
    """STF file-tag value -> realm (``ich``, ``us`` ...) from ICH ``valid-values.xml`` (empty if not installed)."""
    tree = _tree(standards, "valid-values.xml")
    if tree is None:
        return {}
    return {v.get("value"): v.get("realm") for ft in tree.getroot().iter("file-tag") for v in ft.iter("valid-value")}
