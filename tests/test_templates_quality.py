"""Quality templates (Module 3, 2.3 and the NMPA 制造及检定规程) follow the drug substance, the drug product and the
modality.

Two small projects are made from the example project (MCT-101) by replacing its product and CMC facts: a
small-molecule tablet and a monoclonal antibody. Their quality documents are rendered with the template search path
the pipeline uses (``indbuilder.sources.template_dirs``: the product's modality folders before the common set), and
the tests check that each shows its modality's content, taken from the facts, and none of the wording another
modality's documents use (``ModalityProfile.wording``, what ``identity.modality-wording`` reads). MCT-101 itself
(cell + gene therapy, drug substance not isolated) keeps referring 3.2.S.4/3.2.S.7 to the drug product.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from indbuilder.config import load_config
from indbuilder.diagnostics import Diagnostics
from indbuilder.loader import load_content
from indbuilder.modalities import resolve
from indbuilder.render import TemplateEnv
from indbuilder.sources import template_context, template_dirs

REPO = Path(__file__).resolve().parents[1]
QUALITY = ("m3/", "m2/23", "m1/cn/133")
_SRC = re.compile(r' "indbuilder-src:[^"]*"')
_ESC = re.compile(r"\\([!-/:-@\[-`{-~])")


# ------------------------------------------------------------------ facts of the two projects (invented)

def T(en, zh): return {"en": en, "zh": zh}

def spec(prefix, tests):
    return {"id": f"spec-{prefix}", "version": "1.0", "title": T(f"{prefix} specification", f"{prefix}质量标准"), "tests": tests}

def spec_test(i, en, zh, cat, method, acc_en, acc_zh, limit, stab=False):
    return {"id": i, "name": T(en, zh), "category": cat, "method": method, "acceptance": T(acc_en, acc_zh), "limit": limit, "stability_indicating": stab}

def step(i, n, en, zh, mats, ctl_en, ctl_zh, acc, critical=True):
    return {"id": i, "number": n, "name": T(en, zh), "description": T(en + ".", zh + "。"), "materials": mats,
            "controls": [{"parameter": T(ctl_en, ctl_zh), "acceptance": T(acc, acc), "critical": critical}]}

def mat(i, en, zh, origin, fn_en, fn_zh, steps, supplier="Acme Chemicals"):
    return {"id": i, "name": T(en, zh), "grade": T("USP/NF", "药典级"), "supplier": supplier, "origin": origin, "function": T(fn_en, fn_zh), "steps": steps}

def batch(i, typ, results, date="2025-03-01", site="org-meridian-md"):
    return {"id": i, "type": typ, "manufactured": date, "site": site, "process_version": "1.0", "scale": T("pilot scale", "中试规模"), "results": results}

def stab(i, kind, lots, tests, vals, supports="shelf-life", unit="months"):
    tps = [{"time": t, "results": {l: dict(vals) for l in lots}} for t in (0, 3, 6)]
    return {"id": i, "kind": kind, "title": T(f"{kind} stability ({i})", f"{kind}稳定性"), "condition": T("25 °C/60 % RH", "25 °C/60 % RH"),
            "lots": lots, "time_unit": unit, "tests": tests, "timepoints": tps, "supports": supports, "conclusion": T("No trend.", "未见变化趋势。")}

def method(i, en, zh):
    return {"id": i, "title": T(en, zh), "principle": T(en + " principle.", zh + "原理。"), "validation_status": "qualified", "performed_by": "org-meridian-md"}


def eq(v: str) -> dict[str, Any]:
    return {"kind": "equals", "equals": v}


def rng(a: float, b: float, u: str = "%") -> dict[str, Any]:
    return {"kind": "range", "min": a, "max": b, "unit": u}


def mx(a: float, u: str = "%") -> dict[str, Any]:
    return {"kind": "max", "max": a, "unit": u}


# ---------------------------------------------------------------- small molecule
sm_methods = [method("m-desc", "Visual description", "外观检查"), method("m-hplc", "HPLC assay and related substances", "HPLC含量及有关物质"),
              method("m-diss", "Dissolution (USP <711>, apparatus 2)", "溶出度（桨法）"), method("m-ir", "Infrared spectroscopy", "红外光谱")]
sm_ds_tests = [spec_test("ds-appearance", "Description", "性状", "general", "m-desc", "White to off-white powder", "白色至类白色粉末", eq("conforms"), True),
               spec_test("ds-identity-ir", "Identity (IR)", "鉴别（红外）", "identity", "m-ir", "Conforms to reference", "与对照品一致", eq("conforms")),
               spec_test("ds-assay", "Assay", "含量", "quantity", "m-hplc", "98.0-102.0 % (anhydrous basis)", "98.0-102.0 %（按无水物计）", rng(98.0, 102.0), True),
               spec_test("ds-imp-total", "Total impurities", "总杂质", "impurity", "m-hplc", "≤ 1.0 %", "≤ 1.0 %", mx(1.0), True)]
sm_ds = {"id": "rx-ds", "name": T("RX-207 phosphate", "RX-207磷酸盐"), "isolated": True, "retest_period": {"value": 24, "unit": "months"},
         "process": {"id": "rx-ds-proc", "version": "1.0", "site": "org-meridian-md", "description": T("Three-step synthesis from starting materials SM-1 and SM-2, then salt formation and crystallisation.", "以SM-1和SM-2为起始物料经三步合成，成盐并结晶。"),
                     "steps": [step("s-coupling", 1, "Amide coupling of SM-1 and SM-2", "SM-1与SM-2酰胺偶联", ["mat-sm1", "mat-sm2"], "Conversion (HPLC)", "转化率（HPLC）", "≥ 98 %"),
                               step("s-deprotect", 2, "Deprotection", "脱保护", [], "Residual protected intermediate", "残留保护中间体", "≤ 0.5 %"),
                               step("s-salt", 3, "Salt formation and crystallisation", "成盐及结晶", ["mat-h3po4"], "Polymorphic form (XRPD)", "晶型（XRPD）", "Form I")]},
         "materials": [mat("mat-sm1", "SM-1 (Boc-protected amino acid)", "SM-1（Boc保护氨基酸）", "chemical", "Starting material", "起始物料", ["s-coupling"]),
                       mat("mat-sm2", "SM-2 (triazolopiperazine)", "SM-2（三唑并哌嗪）", "chemical", "Starting material", "起始物料", ["s-coupling"]),
                       mat("mat-h3po4", "Phosphoric acid", "磷酸", "chemical", "Salt former", "成盐试剂", ["s-salt"])],
         "specification": spec("rx-ds", sm_ds_tests),
         "batches": [batch("RX-DS-2501", "toxicology", {"ds-appearance": "conforms", "ds-identity-ir": "conforms", "ds-assay": 99.6, "ds-imp-total": 0.31}),
                     batch("RX-DS-2502", "clinical", {"ds-appearance": "conforms", "ds-identity-ir": "conforms", "ds-assay": 100.2, "ds-imp-total": 0.22})],
         "stability": [stab("stab-ds", "long-term", ["RX-DS-2501"], ["ds-appearance", "ds-assay"], {"ds-appearance": "conforms", "ds-assay": 99.5})],
         "container_closure": {"description": T("Double LDPE bags in an HDPE drum.", "双层LDPE袋置于HDPE桶中。"), "components": [T("LDPE bag", "LDPE袋"), T("HDPE drum", "HDPE桶")]}}
sm_dp_tests = [spec_test("dp-appearance", "Description", "性状", "general", "m-desc", "White, round, film-coated tablets", "白色圆形薄膜衣片", eq("conforms"), True),
               spec_test("dp-assay", "Assay", "含量", "quantity", "m-hplc", "95.0-105.0 % of label claim", "标示量的95.0-105.0 %", rng(95.0, 105.0), True),
               spec_test("dp-dissolution", "Dissolution (30 min)", "溶出度（30分钟）", "general", "m-diss", "Q = 80 % in 30 min", "30分钟Q = 80 %", {"kind": "min", "min": 85, "unit": "%"}, True),
               spec_test("dp-imp-total", "Degradation products, total", "降解产物总量", "impurity", "m-hplc", "≤ 1.0 %", "≤ 1.0 %", mx(1.0), True)]
sm_dp = {"id": "rx-dp", "name": T("RX-207 tablets, 25 mg", "RX-207片，25 mg"),
         "process": {"id": "rx-dp-proc", "version": "1.0", "site": "org-meridian-md", "description": T("Dry granulation, compression and film coating.", "干法制粒、压片及包衣。"),
                     "steps": [step("d-blend", 1, "Blending", "混合", ["mat-mcc", "mat-mgst"], "Blend uniformity", "混合均匀度", "RSD ≤ 5 %"),
                               step("d-compress", 2, "Compression", "压片", [], "Tablet hardness", "片剂硬度", "60-100 N")]},
         "materials": [mat("mat-mcc", "Microcrystalline cellulose", "微晶纤维素", "plant", "Diluent", "填充剂", ["d-blend"]),
                       mat("mat-mgst", "Magnesium stearate", "硬脂酸镁", "chemical", "Lubricant", "润滑剂", ["d-blend"])],
         "composition": [{"component": T("RX-207 phosphate", "RX-207磷酸盐"), "function": T("Active ingredient", "活性成分"), "amount": "32.1 mg (25 mg free base)", "standard": "In-house"},
                         {"component": T("Microcrystalline cellulose", "微晶纤维素"), "function": T("Diluent", "填充剂"), "amount": "115.9 mg", "standard": "USP/NF"},
                         {"component": T("Magnesium stearate", "硬脂酸镁"), "function": T("Lubricant", "润滑剂"), "amount": "2.0 mg", "standard": "USP/NF"}],
         "specification": spec("rx-dp", sm_dp_tests),
         "batches": [batch("RX-DP-2501", "clinical", {"dp-appearance": "conforms", "dp-assay": 100.4, "dp-dissolution": 96, "dp-imp-total": 0.35})],
         "stability": [stab("stab-dp", "long-term", ["RX-DP-2501"], ["dp-assay", "dp-dissolution"], {"dp-assay": 99.9, "dp-dissolution": 95})],
         "container_closure": {"description": T("HDPE bottle with child-resistant cap.", "HDPE瓶，儿童安全盖。"), "components": [T("HDPE bottle", "HDPE瓶"), T("Polypropylene cap", "聚丙烯盖")]}}

SMALL_MOLECULE = ({"modality": ["small-molecule"], "code": "RX-207", "short_name": T("RX-207", "RX-207"), "name": T("RX-207 tablets", "RX-207片"),
      "substance_name": "RX-207 phosphate", "dosage_form": T("film-coated tablet", "薄膜衣片"), "route": T("oral", "口服"), "route_code": "oral",
      "dose_unit": "mg", "strength": T("25 mg per tablet", "每片25 mg"), "container": T("HDPE bottle of 30 tablets", "HDPE瓶装，每瓶30片"),
      "storage": {"condition": T("at 20-25 °C", "20-25 °C"), "max_temperature_c": 25, "label_text": T("Store at 20-25 °C.", "20-25 °C保存。")},
      "structure": {"smiles": "N[C@@H](CC(=O)N1CCn2c(C1)nnc2C(F)(F)F)Cc1cc(F)c(F)cc1F", "molecular_formula": "C16H15F6N5O", "molecular_weight": 407.31,
                    "chemical_name": T("(3R)-3-amino-1-[3-(trifluoromethyl)-5,6-dihydro[1,2,4]triazolo[4,3-a]pyrazin-7(8H)-yl]-4-(2,4,5-trifluorophenyl)butan-1-one", "(3R)-3-氨基-1-[3-(三氟甲基)-5,6-二氢[1,2,4]三唑并[4,3-a]吡嗪-7(8H)-基]-4-(2,4,5-三氟苯基)丁-1-酮"),
                    "stereochemistry": T("one stereocentre, (R)-configuration; single enantiomer", "一个手性中心，(R)-构型；单一对映体"),
                    "salt_form": T("phosphate monohydrate", "磷酸盐一水合物"), "cas_number": "654671-77-9"}},
      sm_ds, sm_dp, sm_methods)

# ---------------------------------------------------------------- protein
pr_methods = [method("m-app", "Visual appearance", "外观"), method("m-sec", "Size-exclusion HPLC", "分子排阻色谱"), method("m-ciex", "Cation-exchange HPLC", "阳离子交换色谱"),
              method("m-bind", "Binding ELISA", "结合活性ELISA"), method("m-hcp", "Host-cell protein ELISA", "宿主细胞蛋白ELISA"), method("m-a280", "Protein concentration (A280)", "蛋白含量（A280）"),
              method("m-ster", "Sterility (USP <71>)", "无菌检查")]
pr_ds_tests = [spec_test("ds-app", "Appearance", "外观", "general", "m-app", "Clear, colourless solution", "澄清无色溶液", eq("conforms"), True),
               spec_test("ds-sec", "Monomer (SE-HPLC)", "单体（SEC）", "purity", "m-sec", "≥ 95.0 %", "≥ 95.0 %", {"kind": "min", "min": 95.0, "unit": "%"}, True),
               spec_test("ds-hcp", "Host-cell protein", "宿主细胞蛋白", "impurity", "m-hcp", "≤ 100 ng/mg", "≤ 100 ng/mg", mx(100, "ng/mg")),
               spec_test("ds-potency", "Relative binding activity", "相对结合活性", "potency", "m-bind", "70-130 %", "70-130 %", rng(70, 130), True)]
pr_ds = {"id": "ab-ds", "name": T("AB-301 drug substance", "AB-301原液"), "isolated": True,
         "process": {"id": "ab-ds-proc", "version": "1.0", "site": "org-meridian-md", "description": T("Fed-batch culture in a 2000 L bioreactor, protein A capture, low-pH hold, ion exchange and nanofiltration.", "2000 L生物反应器流加培养，蛋白A捕获、低pH孵育、离子交换及纳滤。"),
                     "steps": [step("p-culture", 1, "Production culture", "生产培养", ["mat-media"], "Cell density at harvest", "收获时细胞密度", "≥ 10 × 10⁶/mL"),
                               step("p-proa", 2, "Protein A chromatography", "蛋白A层析", ["mat-resin"], "Step yield", "步骤收率", "≥ 80 %", False),
                               step("p-lowph", 3, "Low-pH viral inactivation", "低pH病毒灭活", [], "pH and time", "pH及时间", "pH 3.5-3.7, 60-90 min"),
                               step("p-nano", 4, "Nanofiltration", "纳滤", [], "Filter integrity", "滤器完整性", "Pass")]},
         "materials": [mat("mat-media", "Chemically defined medium", "化学成分确定培养基", "chemical", "Cell culture", "细胞培养", ["p-culture"]),
                       mat("mat-resin", "Protein A resin", "蛋白A填料", "recombinant", "Capture", "捕获", ["p-proa"])],
         "specification": spec("ab-ds", pr_ds_tests),
         "batches": [batch("AB-DS-2501", "toxicology", {"ds-app": "conforms", "ds-sec": 99.1, "ds-hcp": 12, "ds-potency": 104}),
                     batch("AB-DS-2502", "clinical", {"ds-app": "conforms", "ds-sec": 99.3, "ds-hcp": 8, "ds-potency": 97})],
         "stability": [stab("stab-ab-ds", "long-term", ["AB-DS-2501"], ["ds-sec", "ds-potency"], {"ds-sec": 99.0, "ds-potency": 101})],
         "container_closure": {"description": T("PETG bottles.", "PETG瓶。"), "components": [T("PETG bottle", "PETG瓶")]},
         "cell_bank": {"host": T("CHO-K1 cells (ATCC CCL-61), adapted to serum-free suspension", "CHO-K1细胞（ATCC CCL-61），已驯化为无血清悬浮培养"),
                       "expression_construct": T("Heavy- and light-chain genes under CMV promoters with a glutamine synthetase selection marker; clone selected by limiting dilution with imaging evidence of monoclonality", "CMV启动子驱动重链和轻链基因，谷氨酰胺合成酶筛选标记；有限稀释法克隆并有单克隆性成像证据"),
                       "mcb": {"lot": "MCB-AB-001", "prepared": "2023-06-01", "passage": "PDL 20", "vials": 200, "testing": T("Sterility, mycoplasma, in vitro and in vivo adventitious viruses, retrovirus (TEM, RT), identity (isoenzyme)", "无菌、支原体、体内外外源病毒、逆转录病毒（电镜、RT）、鉴别（同工酶）")},
                       "wcb": {"lot": "WCB-AB-001", "prepared": "2023-09-01", "passage": "PDL 25", "vials": 300, "testing": T("Sterility, mycoplasma, in vitro adventitious viruses, identity", "无菌、支原体、体外外源病毒、鉴别")},
                       "end_of_production": T("Cells at the limit of in vitro cell age (PDL 60) tested for adventitious viruses and retrovirus; genetic stability confirmed", "体外细胞龄限度（PDL 60）细胞检测外源病毒及逆转录病毒；遗传稳定性已确认")},
         "viral_clearance": [{"step": T("Protein A chromatography", "蛋白A层析"), "model_virus": "X-MuLV", "enveloped": True, "log_reduction": 2.5},
                             {"step": T("Low-pH hold", "低pH孵育"), "model_virus": "X-MuLV", "enveloped": True, "log_reduction": 5.0},
                             {"step": T("Nanofiltration", "纳滤"), "model_virus": "X-MuLV", "enveloped": True, "log_reduction": 4.5},
                             {"step": T("Nanofiltration", "纳滤"), "model_virus": "MMV", "enveloped": False, "log_reduction": 4.0},
                             {"step": T("Protein A chromatography", "蛋白A层析"), "model_virus": "MMV", "enveloped": False, "log_reduction": 1.0}]}
pr_dp_tests = [spec_test("dp-app", "Appearance", "外观", "general", "m-app", "Clear to opalescent, colourless solution", "澄清至微乳光无色溶液", eq("conforms"), True),
               spec_test("dp-conc", "Protein concentration", "蛋白含量", "quantity", "m-a280", "90-110 mg/mL", "90-110 mg/mL", rng(90, 110, "mg/mL"), True),
               spec_test("dp-sec", "Monomer (SE-HPLC)", "单体（SEC）", "purity", "m-sec", "≥ 95.0 %", "≥ 95.0 %", {"kind": "min", "min": 95.0, "unit": "%"}, True),
               spec_test("dp-ster", "Sterility", "无菌", "safety", "m-ster", "No growth", "无菌生长", eq("no growth"))]
pr_dp = {"id": "ab-dp", "name": T("AB-301 injection, 100 mg/mL", "AB-301注射液，100 mg/mL"),
         "process": {"id": "ab-dp-proc", "version": "1.0", "site": "org-meridian-md", "description": T("Sterile filtration and aseptic filling into vials.", "除菌过滤并无菌灌装于西林瓶。"),
                     "steps": [step("f-filter", 1, "Sterile filtration", "除菌过滤", ["mat-ps80"], "Bioburden before filtration", "过滤前微生物负荷", "≤ 10 CFU/100 mL"),
                               step("f-fill", 2, "Aseptic filling and stoppering", "无菌灌装加塞", [], "Fill weight", "装量", "1.05-1.15 g")]},
         "materials": [mat("mat-ps80", "Polysorbate 80", "聚山梨酯80", "chemical", "Surfactant", "表面活性剂", ["f-filter"])],
         "composition": [{"component": T("AB-301", "AB-301"), "function": T("Active ingredient", "活性成分"), "amount": "100 mg", "standard": "In-house"},
                         {"component": T("Histidine buffer", "组氨酸缓冲液"), "function": T("Buffer", "缓冲剂"), "amount": "20 mM", "standard": "Ph. Eur."},
                         {"component": T("Polysorbate 80", "聚山梨酯80"), "function": T("Surfactant", "表面活性剂"), "amount": "0.2 mg", "standard": "Ph. Eur."},
                         {"component": T("Water for injection", "注射用水"), "function": T("Solvent", "溶剂"), "amount": "q.s. to 1 mL", "standard": "USP"}],
         "specification": spec("ab-dp", pr_dp_tests),
         "batches": [batch("AB-DP-2501", "clinical", {"dp-app": "conforms", "dp-conc": 101, "dp-sec": 99.0, "dp-ster": "no growth"})],
         "stability": [stab("stab-ab-dp", "long-term", ["AB-DP-2501"], ["dp-sec", "dp-conc"], {"dp-sec": 98.8, "dp-conc": 100})],
         "container_closure": {"description": T("2R type I glass vial, bromobutyl stopper, aluminium seal.", "2R I型玻璃西林瓶，溴化丁基胶塞，铝盖。"), "components": [T("2R type I glass vial", "2R I型玻璃瓶"), T("Bromobutyl stopper", "溴化丁基胶塞")]}}

PROTEIN = ({"modality": ["protein"], "code": "AB-301", "short_name": T("AB-301", "AB-301"), "name": T("AB-301 injection", "AB-301注射液"),
      "substance_name": "AB-301", "dosage_form": T("solution for injection", "注射液"), "route": T("subcutaneous injection", "皮下注射"), "route_code": "subcutaneous",
      "dose_unit": "mg/kg", "strength": T("100 mg/mL", "100 mg/mL"), "container": T("2R glass vial, 1 mL", "2R玻璃西林瓶，1 mL"),
      "storage": {"condition": T("at 2-8 °C", "2-8 °C"), "max_temperature_c": 8, "label_text": T("Store at 2-8 °C. Do not freeze.", "2-8 °C保存，切勿冷冻。")},
      "protein": {"kind": "monoclonal-antibody", "target": T("human IL-23 p19", "人IL-23 p19亚基"), "isotype": "IgG1κ", "molecular_weight_kda": 146.2,
                  "expression_system": T("Chinese hamster ovary (CHO-K1) cells", "中国仓鼠卵巢（CHO-K1）细胞"),
                  "structure": T("Two heavy chains (449 aa) and two light chains (214 aa) linked by 16 disulfide bonds", "两条重链（449个氨基酸）和两条轻链（214个氨基酸），16对二硫键"),
                  "glycosylation": T("One N-glycosylation site per heavy chain (Asn299); G0F, G1F main glycoforms", "每条重链一个N-糖基化位点（Asn299）；主要糖型G0F、G1F"),
                  "variants": T("Acidic and basic charge variants (CEX), aggregates and fragments (SEC, CE-SDS)", "酸性及碱性电荷变异体（CEX）、聚体及片段（SEC、CE-SDS）")}},
      pr_ds, pr_dp, pr_methods)


NEUTRAL = {  # product text and literature that belong to no modality, so any other-modality word comes from a template
    "description": T("An investigational product (illustrative example).", "研究用产品（示例）。"),
    "mechanism": T("Inhibits its target.", "抑制其靶点。"),
}


def make_project(dest: Path, product: dict[str, Any], ds: dict[str, Any], dp: dict[str, Any], methods: list[dict[str, Any]]) -> Path:
    """A copy of the example project with the product and CMC facts replaced."""
    for part in ("indbuilder.yaml", "content"):
        src = REPO / part
        shutil.copytree(src, dest / part) if src.is_dir() else shutil.copy2(src, dest / part)
    cmc = dest / "content" / "cmc"
    for f in cmc.glob("*.yaml"):
        f.unlink()
    doc = yaml.safe_load((dest / "content/product.yaml").read_text(encoding="utf-8"))
    for k in ("vector", "autologous", "autologous_statement", "concentration", "fill_volume_ml", "in_use_time"):
        doc["product"].pop(k, None)
    doc["product"].update(product, **NEUTRAL)
    dump = lambda obj: yaml.safe_dump(obj, allow_unicode=True, sort_keys=False)  # noqa: E731
    (dest / "content/product.yaml").write_text(dump(doc), encoding="utf-8")
    (dest / "content/literature.yaml").write_text(dump({"literature": []}), encoding="utf-8")
    reg = yaml.safe_load((dest / "content/regulatory.yaml").read_text(encoding="utf-8"))
    reg["regulatory"]["environmental_assessment"] = T("A categorical exclusion is claimed (21 CFR 25.31(e)).", "申请豁免环境评估（21 CFR 25.31(e)）。")
    (dest / "content/regulatory.yaml").write_text(dump(reg), encoding="utf-8")
    (cmc / "ds.yaml").write_text(dump({"drug_substance": ds}), encoding="utf-8")
    (cmc / "dp.yaml").write_text(dump({"drug_product": dp}), encoding="utf-8")
    (cmc / "methods.yaml").write_text(dump({"methods": methods}), encoding="utf-8")
    return dest


def render_quality(root: Path) -> tuple[Any, dict[str, str]]:
    """Every quality document of the project at ``root``, in each language: {"m3/32s41-specification.en": text}."""
    diags = Diagnostics()
    d = load_content(root, root / "content", diags)
    config, _ = load_config(root)
    assert config is not None
    dirs = template_dirs(config, d)
    env = TemplateEnv(dirs, root=root)
    names = sorted({
        p.relative_to(base).as_posix()
        for base in dirs for p in base.rglob("*.md.j2")
        if not p.relative_to(base).as_posix().startswith("modalities/") and p.relative_to(base).as_posix().startswith(QUALITY)
    })
    out: dict[str, str] = {}
    for rel in names:
        lang = "zh" if ".zh." in rel else "en"
        region = "nmpa" if lang == "zh" else "fda"

        def narrative(nid: str, lang: str = lang) -> str:
            n = d.narrative(nid, lang)
            return n.body if n else ""

        ctx = template_context(config, d, region, narrative)
        ctx.update(lang=lang, region=region, node=SimpleNamespace(id="", number="", title=""), record=None)
        rd = Diagnostics()
        r = env.render(rel.replace(f".{lang}.md.j2", ".md.j2"), ctx, lang, rd)
        problems = [x.format() for x in rd.sorted()]
        assert r is not None and not problems, f"{rel}:\n" + "\n".join(problems)
        out[rel.replace(".md.j2", "")] = _ESC.sub(r"\1", _SRC.sub("", r.text))
    return d, out


def foreign(docs: dict[str, str], modality: list[str]) -> list[str]:
    """Words of other modalities in the documents (the lists ``identity.modality-wording`` checks)."""
    found = []
    for name, text in docs.items():
        lang = name.rsplit(".", 1)[1]
        for profile, w in resolve(modality).foreign_wording():
            if w.lang not in (None, lang):
                continue
            for m in w.compiled().finditer(text):
                if m.group(0) == "异体" and text[max(0, m.start() - 1):m.start()] == "变":
                    continue  # 变异体 (variant) is not 异体 (allogeneic): the cell-therapy pattern has no word boundary in Chinese
                found.append(f"{name}: {profile.name} word {m.group(0)!r}: ...{text[max(0, m.start() - 60):m.end() + 20]!r}")
    return found


@pytest.fixture(scope="module")
def small_molecule(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, str]]:
    return render_quality(make_project(tmp_path_factory.mktemp("sm"), *SMALL_MOLECULE))


@pytest.fixture(scope="module")
def protein(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, str]]:
    return render_quality(make_project(tmp_path_factory.mktemp("mab"), *PROTEIN))


@pytest.fixture(scope="module")
def mct101() -> tuple[Any, dict[str, str]]:
    return render_quality(REPO)


# ------------------------------------------------------------------ small molecule


def test_small_molecule_structure_is_drawn_from_the_smiles_with_its_identity(small_molecule: Any) -> None:
    d, docs = small_molecule
    sx = d.product.structure
    for lang in ("en", "zh"):
        text = docs[f"m3/32s12-structure.{lang}"]
        assert "](structure:product)" in text
        assert sx.molecular_formula in text and sx.cas_number in text and sx.smiles in text
        assert sx.chemical_name.get(lang) in text and sx.salt_form.get(lang) in text
    assert "ICH Q3A" in docs["m3/32s32-impurities.en"] and "ICH Q3A" in docs["m3/32s32-impurities.zh"]


def test_small_molecule_drug_substance_has_its_own_specification_lots_and_retest_period(small_molecule: Any) -> None:
    d, docs = small_molecule
    ds = d.drug_substance
    spec = docs["m3/32s41-specification.en"]
    assert all(t.name.get("en") in spec for t in ds.specification.tests)
    assert "3.2.P.5.1" not in spec  # an isolated drug substance is not referred to the drug product
    assert all(b.id in docs["m3/32s44-batch-analyses.en"] for b in ds.batches)
    assert not any(b.id in docs["m3/32s44-batch-analyses.en"] for b in d.drug_product.batches)
    assert f"retest period of {ds.retest_period.value:g} months" in docs["m3/32s71-stability-summary.en"]
    steps = docs["m3/32s22-description-manufacturing.en"]
    assert all(s.name.get("en") in steps for s in ds.process.steps)


def test_small_molecule_drug_product_composition_and_dissolution(small_molecule: Any) -> None:
    d, docs = small_molecule
    for c in d.drug_product.composition:
        assert c.component.get("en") in docs["m3/32p1-description-composition.en"] and c.amount in docs["m3/32p1-description-composition.en"]
        assert c.component.get("zh") in docs["m3/32p1-description-composition.zh"]
    assert "Dissolution" in docs["m3/32p2-pharmaceutical-development.en"]
    assert "溶出度" in docs["m3/32p2-pharmaceutical-development.zh"]
    assert d.product.strength.get("en") in docs["m3/32p1-description-composition.en"]


def test_small_molecule_documents_have_no_other_modality_wording(small_molecule: Any) -> None:
    _, docs = small_molecule
    assert foreign(docs, ["small-molecule"]) == [], "\n".join(foreign(docs, ["small-molecule"]))
    assert "m3/32a2-adventitious-agents.en" not in docs  # viral safety is no node of a chemical drug's templates


# ------------------------------------------------------------------ protein


def test_protein_structure_characterisation_and_cell_bank(protein: Any) -> None:
    d, docs = protein
    pf, cb = d.product.protein, d.drug_substance.cell_bank
    for lang in ("en", "zh"):
        assert pf.glycosylation.get(lang) in docs[f"m3/32s12-structure.{lang}"]
        assert pf.isotype in docs[f"m3/32s12-structure.{lang}"]
        assert "ICH Q6B" in docs[f"m3/32s31-elucidation-structure.{lang}"]
        banks = docs[f"m3/32s23-control-materials.{lang}"]
        assert cb.mcb.lot in banks and cb.wcb.lot in banks and "ICH Q5D" in banks
    assert "](structure:" not in docs["m3/32s12-structure.en"]


def test_protein_viral_clearance_table_with_cumulative_lrv(protein: Any) -> None:
    d, docs = protein
    text = docs["m3/32a2-adventitious-agents.en"]
    assert "ICH Q5A(R2)" in text
    totals: dict[str, float] = {}
    for s in d.drug_substance.viral_clearance:
        totals[s.model_virus] = totals.get(s.model_virus, 0.0) + s.log_reduction
        assert f"| {s.step.get('en')} | {s.model_virus} |" in text
    for virus, total in totals.items():
        assert re.search(rf"\| {re.escape(virus)} \| (Yes|No) \| \d+ \| {total:.1f} \|", text), virus


def test_protein_composition_from_drug_product(protein: Any) -> None:
    d, docs = protein
    text = docs["m3/32p1-description-composition.en"]
    assert all(c.amount in text for c in d.drug_product.composition)


def test_protein_documents_have_no_other_modality_wording(protein: Any) -> None:
    _, docs = protein
    assert foreign(docs, ["protein"]) == []


# ------------------------------------------------------------------ MCT-101 (cell + gene therapy, drug substance not isolated)


def test_mct101_drug_substance_is_tested_as_drug_product(mct101: Any) -> None:
    d, docs = mct101
    assert not d.drug_substance.isolated
    for node in ("32s41-specification", "32s44-batch-analyses"):
        assert "3.2.P.5" in docs[f"m3/{node}.en"] and "3.2.P.5" in docs[f"m3/{node}.zh"]
    assert all(b.id in docs["m3/32p54-batch-analyses.en"] for b in d.drug_product.batches)
    # the drug substance steps are shown in 3.2.S.2.2, the drug product steps in 3.2.P.3.3
    assert all(s.name.get("en") in docs["m3/32s22-description-manufacturing.en"] for s in d.drug_substance.process.steps)
    assert all(s.name.get("en") in docs["m3/32p33-description-manufacturing.en"] for s in d.drug_product.process.steps)
    assert d.product.vector.name in docs["m3/32s12-structure.en"]  # the cell-therapy 3.2.S.1.2 with the construct


def test_wording_scan_fires_on_another_modality_text(mct101: Any) -> None:
    """The scan used above finds cell and vector words when a cell product's documents are read as a small molecule's."""
    _, docs = mct101
    hits = foreign({k: v for k, v in docs.items() if k.startswith("m3/32s12")}, ["small-molecule"])
    assert any("vector" in h for h in hits) and any("载体" in h for h in hits)
