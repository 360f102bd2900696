"""``indbuilder init``: a new project's skeleton for a modality and a set of regions.

The skeleton is generated, not copied: one Jinja2 template per project file under ``files/`` (the
folder mirrors the project tree; a template that renders to nothing is not written) reads the combined
:class:`~indbuilder.modalities.Modality`, the regions and their languages, and the sample values of
:mod:`.data`. So a product gets only its own modality's fields (a small molecule ``structure`` and
``strength``, a protein ``protein``, ``cell_bank`` and ``viral_clearance``, a cell therapy the cell fields
and the lot's donor, a gene therapy ``vector`` and long-term follow-up), and Chinese text only when
``nmpa`` is a region.

Everything the user still has to write carries the placeholder marker :data:`PLACEHOLDER` (``TODO:``),
in a value or in the comment beside a sample value; ``indbuilder check`` lists each one at its
file:line (rule ``completeness.placeholder``) and ``indbuilder build`` refuses to run while any is left.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import jinja2

from .. import modalities, regions
from . import data

PLACEHOLDER = "TODO:"
FILES = Path(__file__).parent / "files"

_CAUTION = {
    "en": "CAUTION: New Drug - Limited by Federal (or United States) law to investigational use.",
    "zh": "注意：新药——仅限临床试验使用。",
}


class InitError(ValueError):
    """The request cannot be carried out (unknown modality or region, a folder that is not empty)."""


@dataclass(frozen=True)
class InitResult:
    """What ``init`` did: the files written and the existing files it left untouched (``--force``)."""

    root: Path
    written: tuple[Path, ...]
    kept: tuple[Path, ...]


def split_names(values: Sequence[str]) -> list[str]:
    """``["cell-therapy,gene-therapy", "x"]`` -> ``["cell-therapy", "gene-therapy", "x"]`` (repeated or comma-separated)."""
    out: list[str] = []
    for value in values:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return list(dict.fromkeys(out))


def _check_names(kind: str, given: list[str], known: tuple[str, ...]) -> None:
    unknown = [n for n in given if n not in known]
    if unknown:
        raise InitError(f"unknown {kind} {', '.join(repr(u) for u in unknown)}; choose from {', '.join(known)}")
    if not given:
        raise InitError(f"name at least one {kind}: {', '.join(known)}")


def _primary_first(names: list[str]) -> list[str]:
    """The product's modalities in registry priority order (a gene-modified cell therapy is cell-therapy first)."""
    return sorted(names, key=lambda n: (modalities.get(n).priority, names.index(n)))


def skeleton_context(modality_names: Sequence[str], region_names: Sequence[str], submission_date: dt.date) -> dict[str, object]:
    """The values the ``files/`` templates read (public so a test or plug-in can inspect a skeleton)."""
    mods = split_names(list(modality_names))
    regs = split_names(list(region_names))
    _check_names("modality", mods, modalities.names())
    _check_names("region", regs, regions.names())
    modality = modalities.resolve(_primary_first(mods))
    langs = tuple(dict.fromkeys(regions.get(r).lang for r in regs))
    forms = data.FORMS.get(modality.names[0], data.FORMS["small-molecule"])
    ds_tests, dp_tests = data.spec_tests(modality)
    studies = data.studies(modality, forms)
    ds_tested = bool(ds_tests)

    def text(hint_en: str, hint_zh: str | None = None) -> str:
        """A fact text placeholder in the project's languages, as a one-line YAML flow mapping."""
        values = {"en": f"{PLACEHOLDER} {hint_en}", "zh": f"{PLACEHOLDER} {hint_zh or hint_en}"}
        return "{" + ", ".join(f"{lang}: {json.dumps(values.get(lang, values['en']), ensure_ascii=False)}" for lang in langs) + "}"

    def fixed(en: str, zh: str | None = None) -> str:
        """A known text (a test name, a statutory statement) in the project's languages, no placeholder."""
        values = {"en": en, "zh": zh or en}
        return "{" + ", ".join(f"{lang}: {json.dumps(values.get(lang, en), ensure_ascii=False)}" for lang in langs) + "}"

    process_words = {
        "small-molecule": ("synthesis of the drug substance: route, steps, starting materials, purification",
                           "manufacture of the drug product: blending, granulation, compression, coating, packaging"),
        "protein": ("cell culture, harvest and purification of the drug substance",
                    "formulation, sterile filtration, aseptic filling and inspection"),
        "cell-therapy": ("collection, processing and expansion of the cells up to harvest",
                         "formulation, filling and cryopreservation of the cells"),
        "gene-therapy": ("vector production: transfection or infection, harvest, purification",
                         "formulation, sterile filtration and aseptic filling of the vector"),
    }[modality.names[0]]
    return {
        "modality": modality,
        "regions": regs,
        "nmpa": "nmpa" in regs,
        "langs": langs,
        "submission_date": submission_date.isoformat(),
        "code": "PRODUCT-001",
        "forms": forms,
        "caution": _CAUTION,
        "ds_tested": ds_tested,
        "ds_tests": ds_tests,
        "dp_tests": dp_tests,
        "methods": data.methods(ds_tests + dp_tests),
        "ds_origin": {"small-molecule": "chemical", "protein": "recombinant", "cell-therapy": "autologous"}.get(modality.names[0], "recombinant"),
        "ds_process": process_words[0],
        "dp_process": process_words[1],
        "composition": not modality.has("cell-therapy"),
        "studies": studies,
        "pivotal_study": next(s.id for s in studies if s.pivotal),
        "tox_lot": "DS-LOT-1" if ds_tested else "DP-LOT-1",
        "site_countries": [c for r, c in (("fda", "US"), ("nmpa", "CN")) if r in regs] or ["US"],
        "t": text,
        "fixed": fixed,
    }


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(FILES)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["q"] = lambda s: json.dumps(str(s), ensure_ascii=False)  # a YAML double-quoted scalar
    return env


def render_skeleton(modality_names: Sequence[str], region_names: Sequence[str], submission_date: dt.date) -> dict[str, str]:
    """Every file of the skeleton, by path relative to the project root (files that render empty are left out)."""
    env = _environment()
    context = skeleton_context(modality_names, region_names, submission_date)
    out: dict[str, str] = {}
    for template in sorted(p for p in FILES.rglob("*.j2") if p.is_file()):
        rel = template.relative_to(FILES).as_posix()
        text = env.get_template(rel).render(**context)
        if text.strip():
            out[rel[: -len(".j2")]] = text.rstrip("\n") + "\n"
    return out


def default_submission_date(today: dt.date | None = None) -> dt.date:
    """A date for the user to review: the first day of the month after next (the project says TODO: beside it)."""
    d = today or dt.date.today()
    month = d.month + 2
    return dt.date(d.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def init_project(
    root: Path,
    modality_names: Sequence[str],
    region_names: Sequence[str] = ("fda",),
    force: bool = False,
    submission_date: dt.date | None = None,
) -> InitResult:
    """Write a new project into ``root`` (created if needed).

    A folder that is not empty is refused unless ``force``; even then no existing file is overwritten:
    it is kept and listed in :attr:`InitResult.kept`. Raises :class:`InitError` for an unknown modality
    or region, or a refused folder.
    """
    files = render_skeleton(modality_names, region_names, submission_date or default_submission_date())
    if root.exists() and not root.is_dir():
        raise InitError(f"{root} exists and is not a folder")
    if root.is_dir() and any(root.iterdir()) and not force:
        raise InitError(f"{root} is not empty; choose a new folder, or add --force to add the skeleton's missing files (existing files are never overwritten)")
    written: list[Path] = []
    kept: list[Path] = []
    for rel, text in files.items():
        dest = root / rel
        if dest.exists():
            kept.append(dest)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        with dest.open("x", encoding="utf-8") as fh:  # "x": never replace a file that appeared meanwhile
            fh.write(text)
        written.append(dest)
    return InitResult(root, tuple(written), tuple(kept))


__all__ = ["PLACEHOLDER", "InitError", "InitResult", "default_submission_date", "init_project", "render_skeleton", "skeleton_context", "split_names"]
