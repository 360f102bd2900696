"""eCTD file and folder names: ICH recommended folders, compliant names, deterministic collision handling.

Rules (ICH eCTD v3.2.2 Appendix 2 as cited in ectd-specs.md §1; FDA TCG v1.8 §2.4):
lowercase ``a-z``, ``0-9`` and ``-`` only, files with exactly one extension, at most 64 characters per
name, at most 150 characters for a path counted from the sequence folder.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import TypedDict

MAX_NAME = 64
MAX_PATH = 150
NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FILE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]+$")
EXT_RE = re.compile(r"^[a-z0-9]+$")


class _IchFolders(TypedDict):
    """Shape of ``data/ich-folders.json``."""

    about: str
    folders: dict[str, str]  # ICH element -> recommended folder segment
    attribute_folders: dict[str, list[str]]  # repeatable heading -> attributes naming its sub-folder


@lru_cache(maxsize=1)
def _ich_folders() -> _IchFolders:
    text = resources.files(__package__).joinpath("data/ich-folders.json").read_text("utf-8")
    data: _IchFolders = json.loads(text)
    return data


def ich_folder(element: str) -> str:
    """Recommended folder segment of an ICH element ('' = files sit in the parent's folder)."""
    return _ich_folders()["folders"].get(element, "")


def attribute_folder_keys(element: str) -> list[str]:
    """Attributes whose values name a sub-folder of a repeatable heading (e.g. 3.2.S substance-manufacturer)."""
    return _ich_folders()["attribute_folders"].get(element, [])


def _short_hash(text: str, n: int = 6) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()[:n]


def slug(text: str, max_len: int = MAX_NAME) -> str:
    """Lowercase ``[a-z0-9-]`` form of ``text``; too long -> truncated plus a short hash of the full text."""
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")
    if not s and text:
        s = "x-" + _short_hash(text)  # e.g. a purely Chinese title: keep it distinct and stable
    if len(s) > max_len:
        h = _short_hash(text)
        s = s[: max_len - len(h) - 1].rstrip("-") + "-" + h
    return s


def is_compliant_file_name(name: str) -> bool:
    return len(name) <= MAX_NAME and bool(FILE_RE.match(name))


def is_compliant_folder_name(name: str) -> bool:
    return len(name) <= MAX_NAME and bool(NAME_RE.match(name))


def cn_folder(element: str) -> str:
    """NMPA M1 folder: two-digit second-level section (cn-1-3-4-3 -> ``03``), per cn/m1-folder-structure.md."""
    parts = element.split("-")
    return f"{int(parts[2]):02d}" if len(parts) >= 3 and parts[2].isdigit() else "00"


class Namer:
    """Assigns unique, compliant file names per folder. Call in a deterministic order."""

    def __init__(self) -> None:
        self.used: dict[str, set[str]] = {}

    def assign(self, folder: str, hint: str, ext: str, fallback: str) -> tuple[str, bool]:
        """Return ``(file name, derived)``; ``derived`` is True when the hint was not usable as given.

        ``folder`` is the path from the sequence folder. Names are cut (never silently colliding: a cut
        name carries a hash, a taken name gets ``-2``, ``-3`` ...) so that the path stays within 150.
        """
        ext = ext.lower().lstrip(".")
        budget = min(MAX_NAME, MAX_PATH - len(folder) - 1) - len(ext) - 1
        given = f"{hint}.{ext}"
        derived = not (hint and is_compliant_file_name(given) and len(hint) <= budget)
        base = hint if not derived else (slug(hint, max(budget, 8)) or slug(fallback, max(budget, 8)))
        taken = self.used.setdefault(folder, set())
        name = f"{base}.{ext}"
        n = 2
        while name in taken:
            suffix = f"-{n}"
            name = f"{base[: max(budget - len(suffix), 1)].rstrip('-')}{suffix}.{ext}"
            n += 1
            derived = True
        taken.add(name)
        return name, derived


def leaf_id_for(doc_id: str) -> str:
    """Stable XML ID for a document's leaf: the same doc_id gives the same ID in every build and sequence."""
    return f"id-{slug(doc_id, 40)}-{_short_hash(doc_id, 8)}"


def delete_id_for(leaf_id: str) -> str:
    """ID of the delete leaf that retires ``leaf_id`` (distinct from a re-filed leaf of the same document)."""
    return f"del-{leaf_id}"
