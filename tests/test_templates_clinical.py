"""Module 1, 2, 4 and 5 templates follow the product's modality (issue 10).

Each test renders a packaged template against the MCT-101 facts (content/) with the product turned into
another modality where the test needs it (a small-molecule tablet, a monoclonal antibody), through the
same template search path the pipeline uses (``modalities/<name>/`` before the common templates). The
expected strings are the regulatory wording of each modality; the words of every other modality
(``ModalityProfile.wording``, the list ``identity.modality-wording`` checks) must be absent.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from indbuilder import modalities
from indbuilder.config import load_config
from indbuilder.diagnostics import Diagnostics
from indbuilder.loader import load_content
from indbuilder.model.common import Text
from indbuilder.model.dossier import Dossier
from indbuilder.model.product import Product
from indbuilder.render import TemplateEnv
from indbuilder.sources import PACKAGED_TEMPLATES, template_context

ROOT = Path(__file__).resolve().parents[1]  # MCT-101, the example project at the repository root


@pytest.fixture(scope="module")
def dossier() -> Dossier:
    diags = Diagnostics()
    d = load_content(ROOT, ROOT / "content", diags)
    assert not [x for x in diags.sorted() if x.severity.value == "error"]
    return d


def _text(en: str) -> Text:
    return Text(en=en, zh=en)


def as_modality(product: Product, kind: str) -> Product:
    """The MCT-101 product record re-described as ``kind``, with neutral texts (no cell wording)."""
    common: dict[str, Any] = dict(
        modality=[kind], autologous=None, autologous_statement=None, vector=None, fill_volume_ml=None,
        in_use_time=None, concentration=None,
        name=_text("XR-7 investigational product"), short_name=_text("XR-7"),
        description=_text("XR-7 is an investigational product for type 2 diabetes."),
        mechanism=_text("XR-7 lowers fasting glucose."),
    )
    if kind == "small-molecule":
        common.update(dosage_form=_text("film-coated tablet"), strength=_text("25 mg per tablet"),
                      container=_text("HDPE bottle of 30 tablets"), dose_unit="mg", route=_text("oral"), route_code="oral")
    else:
        common.update(dosage_form=_text("solution for injection"), strength=_text("100 mg/4 mL"),
                      concentration=_text("25 mg/mL"), fill_volume_ml=4.0,
                      container=_text("single-dose glass vial"), dose_unit="mg/kg")
    return product.model_copy(update=common)


def as_dossier(d: Dossier, kind: str) -> Dossier:
    """The MCT-101 dossier with the product, the cohorts and the studies in mg (mg/kg) units."""
    unit = "mg" if kind == "small-molecule" else "mg/kg"
    protocol = d.protocol.model_copy(update={"cohorts": [c.model_copy(update={"unit": unit, "dose": c.dose / 1e5}) for c in d.protocol.cohorts]})
    studies = [
        s.model_copy(update={
            "key_findings": _text("No adverse findings at the NOAEL."),
            "dose_levels": [lv.model_copy(update={"unit": "mg/kg", "value": lv.value / 1e6}) for lv in s.dose_levels],
            "noael": s.noael.model_copy(update={"unit": "mg/kg", "value": s.noael.value / 1e6}) if s.noael else None,
        })
        for s in d.studies
    ]
    facts = dict(d.facts, product=as_modality(d.product, kind), protocol=protocol, studies=studies)
    return dataclasses.replace(d, facts=facts)


def render(d: Dossier, name: str, kind: str | None = None, lang: str = "en", region: str = "fda") -> str:
    config, problems = load_config(ROOT)
    assert config is not None, problems
    if kind is not None:
        d = as_dossier(d, kind)
    product = d.product
    modality = product.kind
    # the pipeline's search path (sources.template_dirs) for this product
    dirs = [PACKAGED_TEMPLATES / "modalities" / n for n in modality.template_parts] + [PACKAGED_TEMPLATES]
    env = TemplateEnv(dirs, root=ROOT)
    ctx: dict[str, Any] = dict(template_context(config, d, region, lambda i: ""))
    ctx.update(lang=lang, region=region,
               node=SimpleNamespace(id="", number="", title=""), record=None)
    diags = Diagnostics()
    out = env.render(name, ctx, lang, diags)
    problems_ = [x.format() for x in diags.sorted()]
    assert out is not None and not problems_, problems_
    return out.text.replace("\\", "")


def foreign(kind_names: list[str], text: str) -> list[str]:
    """Words of other modalities found in ``text`` (what identity.modality-wording reports)."""
    m = modalities.resolve(kind_names)
    return [w.what for _, w in m.foreign_wording() if w.lang in (None, "en") and w.compiled().search(text)]


# ------------------------------------------------------------------ cover letter: the right centre


def test_cover_letter_cell_product_goes_to_cber(dossier: Dossier) -> None:
    text = render(dossier, "m1/us/12-cover-letter.en.md.j2")
    assert "Center for Biologics Evaluation and Research" in text
    assert "Office of Therapeutic Products" in text
    assert "Center for Drug Evaluation" not in text
    assert "genetically modified cell therapy product" in text


@pytest.mark.parametrize("kind", ["small-molecule", "protein"])
def test_cover_letter_drug_or_protein_goes_to_cder(dossier: Dossier, kind: str) -> None:
    text = render(dossier, "m1/us/12-cover-letter.en.md.j2", kind)
    assert "Center for Drug Evaluation and Research" in text
    assert "Office of New Drugs" in text
    assert "Biologics" not in text and "cell therapy" not in text
    assert modalities.get(kind).title["en"] in text
    # no long-term follow-up sentence without a gene therapy
    assert "followed for" not in text
    assert foreign([kind], text) == []


# ------------------------------------------------------------------ labels


def test_label_small_molecule_is_a_bottle_with_strength(dossier: Dossier) -> None:
    text = render(dossier, "m1/us/11442-investigational-labeling.en.md.j2", "small-molecule")
    assert "Bottle label" in text and "25 mg per tablet" in text
    assert "Bag label" not in text and "Biohazard" not in text and "viable cells" not in text
    assert foreign(["small-molecule"], text) == []


def test_label_protein_is_a_vial_with_concentration(dossier: Dossier) -> None:
    text = render(dossier, "m1/us/11442-investigational-labeling.en.md.j2", "protein")
    assert "Vial label" in text and "25 mg/mL" in text
    assert "Bottle label" not in text and "Bag label" not in text
    assert foreign(["protein"], text) == []


def test_label_cell_product_is_a_bag_with_autologous_statement(dossier: Dossier) -> None:
    text = render(dossier, "m1/us/11442-investigational-labeling.en.md.j2")
    assert "Bag label" in text and "total viable cells" in text and "Biohazard" in text
    assert dossier.product.autologous_statement.en in text


# ------------------------------------------------------------------ nonclinical: the guideline's wording

CELL_GENOTOX = "Standard genotoxicity studies are not applicable to a cell product (ICH S6(R1))"


def test_genotoxicity_wording_cell_product(dossier: Dossier) -> None:
    text = render(dossier, "m2/266-toxicology-written.en.md.j2")
    assert CELL_GENOTOX in text


def test_genotoxicity_wording_protein(dossier: Dossier) -> None:
    text = render(dossier, "m2/266-toxicology-written.en.md.j2", "protein")
    assert "not applicable to biotechnology-derived proteins (ICH S6(R1))" in text
    assert "cell product" not in text and "ICH S2(R1)" not in text


def test_genotoxicity_wording_small_molecule(dossier: Dossier) -> None:
    text = render(dossier, "m2/266-toxicology-written.en.md.j2", "small-molecule")
    assert "ICH S2(R1)" in text and "ICH M3(R2)" in text
    assert "cell product" not in text and "ICH S6" not in text


def test_nonclinical_overview_strategy_per_guideline(dossier: Dossier) -> None:
    sm = render(dossier, "m2/24-nonclinical-overview.en.md.j2", "small-molecule")
    assert "follows ICH M3(R2)" in sm and "safety pharmacology core battery" in sm and "ICH S6" not in sm
    mab = render(dossier, "m2/24-nonclinical-overview.en.md.j2", "protein")
    assert "follows ICH S6(R1)" in mab and "pharmacologically relevant species" in mab
    cell = render(dossier, "m2/24-nonclinical-overview.en.md.j2")
    assert "Preclinical Assessment of\nInvestigational Cellular and Gene Therapy Products" in cell


def test_dose_wording_follows_the_unit_family(dossier: Dossier) -> None:
    cell = render(dossier, "m1/us/120-general-investigational-plan.en.md.j2")
    assert "cells/kg basis" in cell
    sm = render(dossier, "m1/us/120-general-investigational-plan.en.md.j2", "small-molecule")
    assert "cells/kg basis" not in sm


# ------------------------------------------------------------------ LTFU and other-modality words


@pytest.mark.parametrize("kind", ["small-molecule", "protein"])
def test_consent_has_no_ltfu_without_gene_therapy(dossier: Dossier, kind: str) -> None:
    text = render(dossier, "_macros/icf-body.en.j2", kind)
    assert "Long-term follow-up" not in text


def test_consent_of_gene_modified_cells_has_ltfu(dossier: Dossier) -> None:
    text = render(dossier, "_macros/icf-body.en.j2")
    assert "# Long-term follow-up" in text


def test_no_hard_coded_mct101_ids_in_owned_templates() -> None:
    owned = [p for p in PACKAGED_TEMPLATES.rglob("*.j2") if "/m3/" not in p.as_posix() and "/23" not in p.name[:3] and not p.name.startswith("23")]
    bad = [str(p) for p in owned if 'idx.studies["' in p.read_text(encoding="utf-8") or re.search(r'ref\("lit:[a-z]', p.read_text(encoding="utf-8"))]
    assert bad == []
