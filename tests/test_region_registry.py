"""A third region, registered from the test tree alone, builds a valid ICH-only eCTD sequence.

The toy region has English documents on A4, its own outline (tests/fixtures/toy_region/outline.yaml,
two ICH sections filled by its own templates, copied into the project) and no regional Module 1: no regional backbone, no
``m1`` folder and no leaf under ``m1-administrative-information-and-prescribing-information``.
Nothing in ``src/`` names it: the registry, the outline loader, placement, assembly and validation
all ask its :class:`~indbuilder.regions.RegionProfile`.
"""

from __future__ import annotations

import posixpath
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from lxml import etree
from pypdf import PdfReader

from example_project import copy_example, edit
from indbuilder import regions
from indbuilder.regions.base import ICH_STF_UTIL, ICH_UTIL, Module1, Paper, RegionProfile
from indbuilder.regions.envelope import build_envelope

if TYPE_CHECKING:
    from indbuilder.config import ProjectConfig
    from indbuilder.diagnostics import Diagnostics
    from indbuilder.ectd.model import Envelope
    from indbuilder.model.dossier import Dossier

FIXTURE = Path(__file__).parent / "fixtures" / "toy_region"
A4 = (595.28, 841.89)  # points


@dataclass(frozen=True)
class ToyRegion:
    name: str = "toy"
    label: str = "Toy region (ICH backbone only)"
    languages: tuple[str, ...] = ("en",)
    paper: Paper = "a4"
    site_country: str | None = None

    @property
    def lang(self) -> str:
        return self.languages[0]

    def outline_path(self) -> Path:
        return FIXTURE / "outline.yaml"

    def envelope(self, config: "ProjectConfig", dossier: "Dossier", diags: "Diagnostics") -> "Envelope":
        return build_envelope(config, dossier, self.name, self.lang, "toy-0001", "Toy submission")

    def util_standards(self) -> tuple[str, ...]:
        return ICH_UTIL + ICH_STF_UTIL

    def module1(self) -> Module1 | None:
        return None


@pytest.fixture
def toy() -> Iterator[ToyRegion]:
    profile = ToyRegion()
    regions.register(profile)
    yield profile
    regions.unregister(profile.name)


def test_toy_profile_is_a_region_profile(toy: ToyRegion) -> None:
    assert isinstance(toy, RegionProfile)
    assert "toy" in regions.names() and regions.get("toy") is toy


def test_toy_region_builds_an_ich_only_sequence(toy: ToyRegion, tmp_path: Path) -> None:
    from indbuilder.config import load_config
    from indbuilder.ectd.standards import by_name, locate
    from indbuilder.pipeline import build_project

    root = copy_example(tmp_path / "project")
    edit(root, "indbuilder.yaml", "regions: [fda, nmpa]", "regions: [toy]")
    shutil.copytree(FIXTURE / "templates" / "toy", root / "templates" / "ectd" / "toy")
    diags = build_project(root)
    errors = [f"{d.rule}: {d.message}" for d in diags if d.severity.value == "error"]
    assert not errors, errors

    config, _ = load_config(root)
    assert config is not None and config.settings.regions == ["toy"]
    seq = root / "build" / "toy" / "ectd" / "toy-0001" / "0000"
    index = seq / "index.xml"
    assert index.is_file()
    assert not (seq / "m1").exists()

    dtd_path = locate(config.standards_dir(), by_name("ich-ectd-3-2.dtd"))
    assert dtd_path is not None
    with open(dtd_path, "rb") as fh:
        dtd = etree.DTD(fh)
    tree = etree.parse(str(index))
    assert dtd.validate(tree), dtd.error_log.filter_from_errors()

    root_el = tree.getroot()
    assert root_el.find("m1-administrative-information-and-prescribing-information") is None
    xlink = "{http://www.w3c.org/1999/xlink}href"
    hrefs = [leaf.get(xlink) for leaf in root_el.iter("leaf")]
    assert len(hrefs) == 2, hrefs  # 2.2 and 3.2.A.1, each from its toy template
    for href in hrefs:
        assert href and (seq / posixpath.normpath(href)).is_file(), href

    pdfs = sorted(seq.rglob("*.pdf"))
    assert len(pdfs) == 2
    for pdf in pdfs:
        for page in PdfReader(pdf).pages:
            size = (float(page.mediabox.width), float(page.mediabox.height))
            assert size == pytest.approx(A4, abs=1.0), (pdf.name, size)
