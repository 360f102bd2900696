"""What a new project's skeleton says for each modality: sample values that keep the facts valid and
consistent with each other (so ``check`` reports only what is still to write), and the nonclinical
programme each modality's guideline expects. The templates under ``files/`` turn this into YAML.

Every sample number is marked ``TODO:`` in the written files: it exists only so that a fresh project
loads and its consistency rules have something coherent to compare.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..modalities import Modality


@dataclass(frozen=True)
class SpecTestSample:
    """One specification test of the skeleton, with a limit and a result that passes it."""

    id: str
    name: str
    name_zh: str
    category: str
    method: str
    acceptance: str
    acceptance_zh: str
    limit: str  # YAML flow mapping
    result: str  # YAML scalar
    stability: bool = False


@dataclass(frozen=True)
class MethodSample:
    id: str
    title: str
    title_zh: str
    status: str
    reference: str | None = None


@dataclass(frozen=True)
class StudySample:
    """One nonclinical study of the skeleton (the categories its modality's guideline expects)."""

    id: str
    number: str
    title: str
    title_zh: str
    category: str
    node: str
    species: str
    species_code: str
    unit: str
    doses: tuple[float, ...] = ()
    noael: float | None = None
    duration: int = 28
    duration_unit: str = "days"
    glp: bool = True
    pivotal: bool = False
    immunogenicity: bool = False
    route_text: str = "route of administration in the study"
    route_code: str = "oral"


@dataclass(frozen=True)
class Forms:
    """Product-level sample values of the primary modality."""

    dosage_form: str
    route: str
    route_code: str
    dose_unit: str
    tox_unit: str
    concentration: str = ""
    fill_volume: float = 1.0
    max_temperature: float = 25
    shelf_life: int = 12
    start_dose: float = 1.0
    second_dose: float = 3.0
    noael: float = 100.0


FORMS: dict[str, Forms] = {
    # FDA 2005 MRSD guidance: a rat NOAEL of 100 mg/kg -> HED 16 mg/kg -> MRSD 1.6 mg/kg, about 97 mg at 60 kg
    "small-molecule": Forms("dosage form, e.g. film-coated tablet", "route, e.g. oral", "oral", "mg", "mg/kg",
                            max_temperature=25, shelf_life=12, start_dose=10, second_dose=30, noael=100),
    # a monkey NOAEL of 50 mg/kg -> HED 16 mg/kg -> MRSD 1.6 mg/kg
    "protein": Forms("dosage form, e.g. solution for intravenous infusion", "route, e.g. intravenous infusion", "intravenous",
                     "mg/kg", "mg/kg", concentration="protein concentration, e.g. 25 mg/mL", fill_volume=4.0,
                     max_temperature=8, shelf_life=12, start_dose=0.3, second_dose=1.0, noael=50),
    # cells and vector genomes are not scaled by body surface area: NOAEL / safety factor
    "cell-therapy": Forms("dosage form, e.g. cell suspension for intravenous infusion", "route, e.g. intravenous infusion",
                          "intravenous", "cells/kg", "cells/kg", concentration="viable cell concentration of the drug product",
                          fill_volume=20.0, max_temperature=-150, shelf_life=12, start_dose=1.0e6, second_dose=3.0e6, noael=1.0e8),
    "gene-therapy": Forms("dosage form, e.g. suspension for intravenous infusion", "route, e.g. intravenous infusion",
                          "intravenous", "vg/kg", "vg/kg", concentration="vector genome concentration of the drug product, e.g. 2 × 10¹³ vg/mL",
                          fill_volume=1.0, max_temperature=-60, shelf_life=12,
                          start_dose=1.0e12, second_dose=3.0e12, noael=1.0e14),
}

_CONFORMS = "{kind: equals, equals: conforms}"


def _t(id: str, name: str, zh: str, category: str, method: str, acceptance: tuple[str, str], limit: str, result: str,
       stability: bool = False) -> SpecTestSample:
    return SpecTestSample(id, name, zh, category, method, acceptance[0], acceptance[1], limit, result, stability)


APPEARANCE = _t("appearance", "Appearance", "外观", "general", "m-appearance", ("Conforms to the description", "符合描述"), _CONFORMS, "conforms", True)
IDENTITY = _t("identity", "Identity", "鉴别", "identity", "m-identity", ("Conforms to the reference", "与对照品一致"), _CONFORMS, "conforms")
ASSAY = _t("assay", "Assay", "含量", "quantity", "m-assay", ("95.0 % to 105.0 % of label claim", "标示量的95.0 %至105.0 %"),
           "{kind: range, min: 95.0, max: 105.0, unit: '%'}", "100.2", True)
IMPURITIES = _t("impurities", "Total impurities", "总杂质", "impurity", "m-assay", ("≤ 1.0 %", "≤ 1.0 %"),
                "{kind: max, max: 1.0, unit: '%'}", "0.2", True)
STERILITY = _t("sterility", "Sterility", "无菌", "safety", "m-sterility", ("No growth", "无菌生长"), "{kind: equals, equals: no growth}", "no growth")
ENDOTOXIN = _t("endotoxin", "Bacterial endotoxins", "细菌内毒素", "safety", "m-endotoxin", ("≤ 5.0 EU/mL", "≤ 5.0 EU/mL"),
               "{kind: max, max: 5.0, unit: EU/mL}", "0.5")
MYCOPLASMA = _t("mycoplasma", "Mycoplasma", "支原体", "safety", "m-mycoplasma", ("Negative", "阴性"), "{kind: equals, equals: negative}", "negative")
POTENCY = _t("potency", "Potency", "效价", "potency", "m-potency", ("70 % to 130 % of the reference", "对照品的70 %至130 %"),
             "{kind: range, min: 70, max: 130, unit: '%'}", "98", True)
PURITY_SEC = _t("purity-sec", "Purity (SEC, monomer)", "纯度（SEC，单体）", "purity", "m-sec", ("≥ 95.0 % monomer", "单体≥ 95.0 %"),
                "{kind: min, min: 95.0, unit: '%'}", "99.1", True)
VIABILITY = _t("viability", "Viability", "细胞活率", "general", "m-cellcount", ("≥ 70 %", "≥ 70 %"),
               "{kind: min, min: 70, unit: '%'}", "90", True)
VIABLE_CELLS = _t("viable-cell-concentration", "Viable cell concentration", "活细胞浓度", "quantity", "m-cellcount",
                  ("1.0 × 10⁷ to 3.0 × 10⁷ viable cells/mL", "1.0 × 10⁷至3.0 × 10⁷个活细胞/mL"),
                  "{kind: range, min: 1.0e+7, max: 3.0e+7, unit: cells/mL}", "2.0e+7", True)
RCV = _t("rcv", "Replication-competent virus", "复制型病毒", "safety", "m-rcv", ("Not detected", "未检出"),
         "{kind: equals, equals: not detected}", "not detected")
# vector copy number limits the genotoxic risk of integration: a safety attribute (FDA RCR/VCN guidance 2020)
VCN = _t("vcn", "Vector copy number", "载体拷贝数", "safety", "m-vcn", ("≤ 5 copies/cell", "≤ 5 copies/cell"),
         "{kind: max, max: 5, unit: copies/cell}", "1.2")
TITRE = _t("titre", "Vector genome titre", "载体基因组滴度", "quantity", "m-titre", ("1.0 × 10¹³ to 5.0 × 10¹³ vg/mL", "1.0 × 10¹³至5.0 × 10¹³ vg/mL"),
           "{kind: range, min: 1.0e+13, max: 5.0e+13, unit: vg/mL}", "2.1e+13", True)

_METHODS: dict[str, MethodSample] = {
    "m-appearance": MethodSample("m-appearance", "Visual inspection", "目视检查", "compendial-verified"),
    "m-identity": MethodSample("m-identity", "Identity test", "鉴别试验", "qualified"),
    "m-assay": MethodSample("m-assay", "Assay and impurities (HPLC)", "含量及杂质（HPLC）", "qualified"),
    "m-sterility": MethodSample("m-sterility", "Sterility test", "无菌检查", "compendial-verified", "USP <71>"),
    "m-endotoxin": MethodSample("m-endotoxin", "Bacterial endotoxins test", "细菌内毒素检查", "compendial-verified", "USP <85>"),
    "m-mycoplasma": MethodSample("m-mycoplasma", "Mycoplasma test", "支原体检查", "qualified", "USP <63>"),
    "m-potency": MethodSample("m-potency", "Potency assay", "效价测定", "qualified"),
    "m-sec": MethodSample("m-sec", "Size-exclusion chromatography", "分子排阻色谱", "qualified"),
    "m-cellcount": MethodSample("m-cellcount", "Viable cell count and viability", "活细胞计数及活率", "qualified"),
    "m-rcv": MethodSample("m-rcv", "Replication-competent virus assay", "复制型病毒检测", "qualified"),
    "m-vcn": MethodSample("m-vcn", "Vector copy number (qPCR)", "载体拷贝数（qPCR）", "qualified"),
    "m-titre": MethodSample("m-titre", "Vector genome titre (ddPCR)", "载体基因组滴度（ddPCR）", "qualified"),
}


def spec_tests(modality: Modality) -> tuple[list[SpecTestSample], list[SpecTestSample]]:
    """Sample drug substance and drug product tests: the panel each modality's guidance names at release."""
    if modality.has("small-molecule"):
        return [APPEARANCE, IDENTITY, ASSAY, IMPURITIES], [APPEARANCE, IDENTITY, ASSAY, IMPURITIES]
    if modality.has("protein"):  # ICH Q6B 6.1: identity, purity, potency, quantity; sterility of the parenteral
        return [APPEARANCE, IDENTITY, PURITY_SEC, POTENCY], [APPEARANCE, IDENTITY, PURITY_SEC, POTENCY, STERILITY, ENDOTOXIN]
    dp = [APPEARANCE, IDENTITY, POTENCY, STERILITY, ENDOTOXIN]
    if modality.has("cell-therapy"):  # 21 CFR 610.12 / 610.30; FDA CGT CMC guidance 2020
        dp = [APPEARANCE, IDENTITY, VIABLE_CELLS, VIABILITY, POTENCY, STERILITY, ENDOTOXIN, MYCOPLASMA]
    if modality.has("gene-therapy"):
        dp = dp + ([RCV, VCN] if modality.has("cell-therapy") else [TITRE, RCV])
    ds = [] if modality.has("cell-therapy") else [APPEARANCE, IDENTITY, TITRE, STERILITY]
    return ds, dp


def methods(tests: list[SpecTestSample]) -> list[MethodSample]:
    """The methods the sample tests name, once each, in first-use order."""
    return [_METHODS[m] for m in dict.fromkeys(t.method for t in tests)]


def studies(modality: Modality, forms: Forms) -> list[StudySample]:
    """The nonclinical programme of the skeleton: what the modality's guideline expects before a first-in-human study."""
    unit, noael = forms.tox_unit, forms.noael
    doses = (0, noael / 10, noael / 3, noael) if unit == "mg/kg" else (0, noael / 10, noael)
    route = forms.route_code
    out = [
        StudySample("pd-1", "PD-001", "primary pharmacodynamics study", "主要药效学试验", "primary-pharmacodynamics",
                    "m4-2-1-1-primary-pharmacodynamics", "species or in vitro system", "in-vitro", unit, glp=False,
                    route_text="not applicable (in vitro)", route_code="in-vitro"),
    ]
    if modality.has("small-molecule"):  # ICH M3(R2): core battery, genotoxicity, repeat-dose in two species
        out += [
            StudySample("tox-rat", "TOX-001", "28-day repeat-dose toxicity study in rats", "大鼠28天重复给药毒性试验",
                        "repeat-dose-toxicity", "m4-2-3-2-repeat-dose-toxicity", "rat", "rat", unit, doses, noael,
                        pivotal=True, route_code=route),
            StudySample("tox-dog", "TOX-002", "28-day repeat-dose toxicity study in dogs", "犬28天重复给药毒性试验",
                        "repeat-dose-toxicity", "m4-2-3-2-repeat-dose-toxicity", "dog", "dog", unit,
                        tuple(d / 5 for d in doses), noael / 5, route_code=route),
            StudySample("safety-pharm", "SP-001", "safety pharmacology core battery (ICH S7A/S7B)", "安全药理学核心组合试验",
                        "safety-pharmacology", "m4-2-1-3-safety-pharmacology", "species", "rat", unit, doses, noael, route_code=route),
            StudySample("ames", "GT-001", "bacterial reverse mutation assay (ICH S2(R1))", "细菌回复突变试验",
                        "genotoxicity", "m4-2-3-3-1-in-vitro", "Salmonella typhimurium and Escherichia coli strains",
                        "in-vitro", unit, (), None, duration=3, route_text="not applicable (in vitro)", route_code="in-vitro"),
        ]
    elif modality.has("protein"):  # ICH S6(R1): a pharmacologically relevant species, immunogenicity
        out += [
            StudySample("tox-monkey", "TOX-001", "4-week repeat-dose toxicity study in cynomolgus monkeys", "食蟹猴4周重复给药毒性试验",
                        "repeat-dose-toxicity", "m4-2-3-2-repeat-dose-toxicity", "cynomolgus monkey", "monkey", unit, doses, noael,
                        pivotal=True, immunogenicity=True, route_code=route),
        ]
    else:  # FDA preclinical CGT guidance 2013: toxicity, biodistribution (and tumorigenicity for cells)
        out += [
            StudySample("tox-mouse", "TOX-001", "single-dose toxicity study with recovery in mice", "小鼠单次给药毒性试验（含恢复期）",
                        "repeat-dose-toxicity", "m4-2-3-2-repeat-dose-toxicity",
                        "mouse", "mouse", unit, doses, noael, duration=13, duration_unit="weeks", pivotal=True, route_code=route),
            StudySample("biodistribution", "BD-001", "biodistribution and persistence study in mice", "小鼠生物分布及存续研究",
                        "biodistribution", "m4-2-2-3-distribution", "mouse", "mouse", unit, doses, None,
                        duration=13, duration_unit="weeks", route_code=route),
        ]
        if modality.has("cell-therapy"):
            out.append(
                StudySample("tumorigenicity", "TG-001", "tumorigenicity study in immunodeficient mice", "免疫缺陷小鼠致瘤性试验",
                            "tumorigenicity", "m4-2-3-4-3-other-studies", "mouse", "mouse", unit, doses, None,
                            duration=26, duration_unit="weeks", route_code=route),
            )
    return out


@dataclass(frozen=True)
class Skeleton:
    """Everything the scaffold templates read."""

    modality: Modality
    regions: tuple[str, ...]
    langs: tuple[str, ...]
    submission_date: str
    code: str = "PRODUCT-001"
    extra: dict[str, Any] = field(default_factory=dict)
