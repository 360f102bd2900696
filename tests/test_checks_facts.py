"""Every fact-level rule: quiet on a consistent dossier, and fires on one edit with its message and file:line.

Each scenario copies tests/fixtures/checks/good (a small, consistent dossier), edits its YAML or Markdown
text, loads it with the real loader and runs all rule families; the expected location is the line of a
marker text in the edited file, so the test exercises the real file:line mapping.
"""

from __future__ import annotations

import pytest

from checks_helpers import FIXTURE, At, Edit, apply, copy_project, findings, run

PRODUCT = "content/product.yaml"
SPEC = "content/cmc/specification.yaml"
METHODS = "content/cmc/methods.yaml"
BATCHES = "content/cmc/batches.yaml"
STAB = "content/cmc/stability.yaml"
PROCESS = "content/cmc/process.yaml"
STUDIES = "content/nonclinical/studies.yaml"
PROTO = "content/clinical/protocol.yaml"
SITES = "content/clinical/sites.yaml"
EN = "content/narratives/intro.en.md"
ZH = "content/narratives/intro.zh.md"

# (id, rule, edits, expected message fragment, expected location)
SCENARIOS = [
    ("batch-site", "ref.unknown-id", [Edit(BATCHES, "site: ORG-MFG", "site: ORG-XXX")],
     "batch ENG-001 refers to organisation 'ORG-XXX', which does not exist (known organisations: ORG-CRO, ORG-MFG, ORG-VEC)",
     At(BATCHES, "site: ORG-XXX")),
    ("dose-basis", "ref.unknown-id", [Edit(PROTO, "starting_dose_basis: NC-TOX-001", "starting_dose_basis: NC-TOX-009")],
     "refers to study 'NC-TOX-009', which does not exist", At(PROTO, "starting_dose_basis")),
    ("stability-lot", "ref.unknown-id", [Edit(STAB, "lots: [TOX-001]", "lots: [TOX-001, LOT-9]")],
     "stability study STB-LT refers to batch 'LOT-9'", At(STAB, "lots: [TOX-001, LOT-9]")),
    ("material-step", "ref.one-way-link", [Edit(PROCESS, "steps: [S2]", "steps: [S1, S2]")],
     "material MAT-HPL lists process step S1, but step S1 does not list material MAT-HPL",
     At(PROCESS, "materials: [MAT-COLL]")),
    ("method-empty", "cmc.spec-test-no-method", [Edit(SPEC, "method: M-ENDO", 'method: ""')],
     "specification test T-ENDO (Endotoxin) has no method", At(SPEC, 'method: ""')),
    ("method-removed", "cmc.spec-test-no-method",
     [Edit(METHODS, next(l for l in (FIXTURE / METHODS).read_text().splitlines(True) if "M-ENDO" in l), "")],
     "specification test T-ENDO (Endotoxin) names method 'M-ENDO', which is not among the analytical methods",
     At(SPEC, "method: M-ENDO")),
    ("in-development", "cmc.method-not-qualified",
     [Edit(METHODS, "validation_status: qualified, validation_report: VR-005", "validation_status: in-development, validation_report: VR-005")],
     "uses method M-FLOW, whose validation_status is 'in-development'", At(METHODS, "id: M-FLOW")),
    ("myco-qualified", "cmc.safety-method-not-validated",
     [Edit(METHODS, "validation_status: validated, validation_report: VR-002", "validation_status: qualified, validation_report: VR-002")],
     "safety test T-MYCO (Mycoplasma) uses method M-MYCO, which is only 'qualified'", At(METHODS, "id: M-MYCO")),
    ("no-report", "cmc.method-no-validation-entry", [Edit(METHODS, ", validation_report: VR-004", "")],
     "method M-COUNT (Cell count and viability) is 'qualified' but names no validation_report", At(METHODS, "id: M-COUNT")),
    ("missing-result", "cmc.batch-missing-result", [Edit(BATCHES, "        T-RCL: not detected\n", "")],
     "batch ENG-001 has no result for 1 release test(s): T-RCL", At(BATCHES, "results:")),
    ("oos", "cmc.batch-oos", [Edit(BATCHES, "T-ENDO: 0.6", "T-ENDO: 7.5")],
     "batch TOX-001 result for T-ENDO (Endotoxin) is 7.5 EU/mL, outside the acceptance criterion ≤ 5 EU/mL ('≤ 5.0 EU/mL')",
     At(BATCHES, "T-ENDO: 7.5")),
    ("oos-text", "cmc.batch-oos", [Edit(BATCHES, "T-MYCO: negative", "T-MYCO: positive", 2)],
     "batch CLIN-001 result for T-MYCO (Mycoplasma) is 'positive', outside the acceptance criterion 'negative'",
     At(BATCHES, "T-MYCO: positive")),
    ("spec-number", "cmc.spec-inconsistent", [Edit(SPEC, 'acceptance: {en: "≤ 5.0 EU/mL"', 'acceptance: {en: "≤ 0.5 EU/mL"')],
     "specification test T-ENDO: acceptance text (en) '≤ 0.5 EU/mL' does not state 5 (limit: ≤ 5 EU/mL)", At(SPEC, "≤ 0.5 EU/mL")),
    ("spec-direction", "cmc.spec-inconsistent", [Edit(SPEC, 'acceptance: {en: "≥ 70 %"', 'acceptance: {en: "≤ 70 %"')],
     "states an upper limit (≤) but the limit is a minimum", At(SPEC, '{en: "≤ 70 %"')),
    ("spec-unit", "cmc.spec-inconsistent", [Edit(SPEC, '{en: "≤ 5 copies/cell"', '{en: "≤ 5 copies/genome"')],
     "does not state the unit 'copies/cell'", At(SPEC, "copies/genome")),
    ("shelf-life", "cmc.stability-shelf-life", [Edit(PRODUCT, "shelf_life: {value: 6, unit: months}", "shelf_life: {value: 24, unit: months}")],
     "the claimed shelf life of 24 months exceeds the stability data: study STB-LT supports 6 months", At(PRODUCT, "shelf_life:")),
    ("in-use", "cmc.stability-shelf-life", [Edit(PRODUCT, "in_use_time: {value: 4, unit: hours}", "in_use_time: {value: 6, unit: hours}")],
     "the claimed in-use time of 6 hours exceeds the stability data: study STB-IU supports 4 hours", At(PRODUCT, "in_use_time:")),
    ("stability-oos", "cmc.stability-oos", [Edit(STAB, "T-VIAB: 89", "T-VIAB: 60")],
     "stability study STB-LT, lot TOX-001 at 6 months: T-VIAB (Viability) is 60 %, outside ≥ 70 %", At(STAB, "T-VIAB: 60")),
    ("stability-gap", "cmc.stability-missing-result", [Edit(STAB, ", T-GLP1: 21.0", "")],
     "stability study STB-LT at 3 months has no result for lot TOX-001: T-GLP1", At(STAB, "results: {TOX-001: {T-VIAB: 90}}")),
    ("future-pull", "cmc.stability-pull-after-submission", [Edit(BATCHES, "manufactured: 2025-10-01", "manufactured: 2026-02-01")],
     "lot TOX-001 was manufactured on 2026-02-01, so its 6-months result cannot exist before 2026-08-02, after the submission date 2026-06-30",
     At(STAB, "- time: 6")),
    ("not-monitored", "cmc.stability-indicating-not-monitored",
     [Edit(SPEC, '        limit: {kind: min, min: 5, unit: "ng/10^6 cells/24 h"}\n', '        limit: {kind: min, min: 5, unit: "ng/10^6 cells/24 h"}\n        stability_indicating: true\n')],
     "stability-indicating test T-FGF21 (Potency: FGF21 secretion) of the drug product is not monitored by any long-term study (STB-LT)",
     At(SPEC, "stability_indicating: true", 2)),
    ("label-temp", "cmc.storage-text", [Edit(PRODUCT, 'label_text: {en: "Store in the vapour phase of liquid nitrogen at ≤ −150 °C."', 'label_text: {en: "Store in the vapour phase of liquid nitrogen at ≤ −80 °C."')],
     "product.storage.label_text (en) 'Store in the vapour phase of liquid nitrogen at ≤ −80 °C.' states ≤ -80 °C; max_temperature_c is -150 °C",
     At(PRODUCT, "label_text:")),
    ("storage-study", "cmc.storage-stability-condition",
     [Edit(STAB, 'condition: {en: "≤ −150 °C", zh: "≤ −150 °C"}', 'condition: {en: "−196 °C (liquid phase)", zh: "−196 °C（液相）"}')],
     "may be stored at up to -150 °C ('Store in the vapour phase of liquid nitrogen at ≤ −150 °C.'), but no long-term "
     "stability study of the drug product was run that warm: STB-LT at -196 °C", At(PRODUCT, "max_temperature_c")),
    ("narrative-temp", "cmc.storage-text", [Edit(EN, "The toxicology lot", "Store the product at −70 °C.\nThe toxicology lot")],
     "storage statement gives -70 °C; the product is stored at -150 °C", At(EN, "Store the product")),
    ("clinical-process", "cmc.clinical-lot-process", [Edit(BATCHES, 'process_version: "2.0"', 'process_version: "1.0"', 2)],
     "clinical lot CLIN-001 was made with process version 1.0 (described: 2.0)", At(BATCHES, 'process_version: "1.0"')),
    ("origin-risk", "cmc.material-origin-risk", [Edit(PROCESS, '    risk_note: {en: "Donors tested for HIV, HBV, HCV; pathogen-reduced.", zh: "供者经HIV、HBV、HCV检测；已病原体灭活。"}\n', "")],
     "material MAT-HPL (Human platelet lysate) is of human origin but has no risk_note", At(PROCESS, "origin: human")),
    ("step-numbers", "cmc.process-step-numbering", [Edit(PROCESS, "number: 2", "number: 3")],
     "process PROC steps are numbered 1, 3; expected consecutive numbers from 1", At(PROCESS, "  steps:")),
    ("tox-lot", "trace.tox-lot-unknown", [Edit(STUDIES, "test_article_lots: [TOX-001]", "test_article_lots: [MCT-T-099]")],
     "study NC-TOX-001 uses test-article lot MCT-T-099, which is not in the batch analyses (known lots: CLIN-001, ENG-001, TOX-001)",
     At(STUDIES, "test_article_lots: [MCT-T-099]")),
    ("tox-lot-use", "trace.tox-lot-use", [Edit(STUDIES, "test_article_lots: [TOX-001]", "test_article_lots: [ENG-001]")],
     "GLP study NC-TOX-001 uses lot ENG-001, whose batch record is type 'engineering'", At(BATCHES, "uses: []")),
    ("tox-lot-process", "trace.tox-lot-process", [Edit(BATCHES, 'process_version: "2.0"', 'process_version: "1.5"', 1)],
     "pivotal study NC-TOX-001 tested lot TOX-001, made by process version 1.5; the clinical process is version 2.0",
     At(STUDIES, "test_article_lots: [TOX-001]")),
    ("route-tox", "trace.route-mismatch", [Edit(STUDIES, "route_code: intravenous", "route_code: subcutaneous")],
     "pivotal study NC-TOX-001 (TX-26-001) route_code is 'subcutaneous'; the clinical route is 'intravenous'",
     At(STUDIES, "route_code: subcutaneous")),
    ("route-protocol", "trace.route-mismatch", [Edit(PROTO, "route_code: intravenous", "route_code: intramuscular")],
     "protocol TST-101-001 route_code is 'intramuscular'; the product's route_code is 'intravenous'", At(PROTO, "route_code:")),
    ("tox-duration", "trace.tox-duration", [Edit(PROTO, "treatment_duration: {value: 1, unit: days}", "treatment_duration: {value: 52, unit: weeks}")],
     "pivotal study NC-TOX-001 (TX-26-001) lasts 26 weeks; the protocol doses for 52 weeks", At(STUDIES, "duration: {value: 26")),
    ("tox-observation", "trace.tox-observation", [Edit(PROTO, "follow_up: {value: 24, unit: weeks}", "follow_up: {value: 40, unit: weeks}")],
     "the longest in-vivo safety study, NC-TOX-001 (TX-26-001), observes animals for 26 weeks; the protocol follows subjects for 40 weeks after dosing",
     At(STUDIES, "duration: {value: 26")),
    ("shelf-life-unit", "units.unknown", [Edit(PRODUCT, "shelf_life: {value: 6, unit: months}", "shelf_life: {value: 6, unit: Monate}")],
     "product.shelf_life: cannot convert 'hours' to 'Monate'", At(PRODUCT, "unit: Monate")),
    ("lot-in-text", "trace.unknown-lot-cited", [Edit(EN, "The toxicology lot TOX-001", "The toxicology lot TOX-009")],
     "the text cites lot TOX-009, which is not in the batch records (known lots: CLIN-001, ENG-001, LV-2025-01, TOX-001)",
     At(EN, "TOX-009")),
    ("vector-lot-in-text", "trace.unknown-lot-cited", [Edit(EN, "The toxicology lot", "Vector lot LV-2024-07 was used.\nThe toxicology lot")],
     "the text cites lot LV-2024-07", At(EN, "LV-2024-07")),
    ("unit", "units.unknown", [Edit(STUDIES, "duration: {value: 26, unit: weeks}", "duration: {value: 26, unit: fortnights}")],
     "study NC-TOX-001 duration: cannot convert 'fortnights' to 'weeks'", At(STUDIES, "fortnights")),
    ("start", "dose.start-not-covered", [Edit(PROTO, "{id: C1, dose: 5.0e5", "{id: C1, dose: 3.0e7")],
     "starting dose 3.0 × 10^7 cells/kg (cohort C1) exceeds the HED 2.0 × 10^7 cells/kg from the NOAEL 2.0 × 10^7 cells/kg of study NC-TOX-001 (rat; cells/kg scaling, no body-surface-area conversion)",
     At(PROTO, "{id: C1")),
    ("margin", "dose.margin", [Edit(PROTO, "{id: C1, dose: 5.0e5", "{id: C1, dose: 5.0e6")],
     "starting dose 5.0 × 10^6 cells/kg (cohort C1) leaves a margin of 4.0× below the HED 2.0 × 10^7 cells/kg",
     At(PROTO, "{id: C1")),
    ("safety-factor", "dose.margin", [Edit(PROTO, "safety_factor: 10", "safety_factor: 5")],
     "protocol safety_factor is 5; FDA's default is 10", At(PROTO, "safety_factor")),
    ("max", "dose.max-not-covered", [Edit(PROTO, "{id: C3, dose: 2.0e6", "{id: C3, dose: 5.0e7")],
     "maximum dose 5.0 × 10^7 cells/kg (cohort C3) exceeds the HED 2.0 × 10^7 cells/kg", At(PROTO, "{id: C3")),
    ("cohort-unit", "dose.unit-mismatch", [Edit(PROTO, "{id: C2, dose: 1.0e6, unit: cells/kg", "{id: C2, dose: 6.0e7, unit: cells")],
     "cohort C2 is dosed in cells; the product's dose unit is cells/kg", At(PROTO, "{id: C2")),
    ("noael-unit", "dose.unit-mismatch", [Edit(STUDIES, "noael: {value: 2.0e7, unit: cells/kg}", "noael: {value: 2.0, unit: mg/kg}")],
     "study NC-TOX-001 NOAEL 2 mg/kg is not in a cells/kg-compatible unit", At(STUDIES, "noael:")),
    ("no-noael", "dose.basis-no-noael", [Edit(STUDIES, "    noael: {value: 2.0e7, unit: cells/kg}\n", "")],
     "protocol starting_dose_basis names study NC-TOX-001 (TX-26-001), which has no NOAEL", At(PROTO, "starting_dose_basis")),
    ("not-most-sensitive", "dose.basis-not-most-sensitive",
     [Edit(STUDIES, "      - {value: 1.0e7, unit: cells}\n", "      - {value: 1.0e7, unit: cells/kg}\n    noael: {value: 1.0e7, unit: cells/kg}\n    pivotal: true\n"),
      Edit(STUDIES, "route_code: subcutaneous", "route_code: intravenous"),
      Edit(STUDIES, "glp: false", "glp: true"),
      Edit(STUDIES, '{en: "Not GLP: exploratory design; a GLP study is planned."', '{en: "Conducted in compliance with 21 CFR Part 58 (GLP)."')],
     "the starting dose is based on study NC-TOX-001 (HED 2.0 × 10^7 cells/kg); study NC-TUM-001 (mouse) gives a lower HED of 1.0 × 10^7 cells/kg",
     At(PROTO, "starting_dose_basis")),
    ("noael-not-tested", "dose.noael-not-tested", [Edit(STUDIES, "noael: {value: 2.0e7", "noael: {value: 1.0e7")],
     "study NC-TOX-001 NOAEL 1.0 × 10^7 cells/kg is not one of its dose levels", At(STUDIES, "noael:")),
    ("cohort-order", "dose.cohort-order", [Edit(PROTO, "{id: C2, dose: 1.0e6", "{id: C2, dose: 4.0e5")],
     "cohort C2 (4.0 × 10^5 cells/kg) has a lower dose than the cohort before it, C1 (5.0 × 10^5 cells/kg)", At(PROTO, "{id: C2")),
    ("two-pis", "protocol.site-pi", [Edit(SITES, "role: sub-investigator", "role: principal")],
     "site SITE-US1 (Boston Clinical Research Unit) has 2 principal investigators (Carol Principal, MD, Dan Sub, MD); expected exactly 1",
     At(SITES, "investigators:")),
    ("cv", "protocol.investigator-cv", [Edit(SITES, ", cv_date: 2026-01-12", "")],
     "investigator INV-2 (Dan Sub, MD) at site SITE-US1 has no cv_date", At(SITES, "{id: INV-2")),
    ("region-sites", "protocol.region-sites", [Edit(SITES, "country: CN", "country: US")],
     "region nmpa is built but no site is in CN", At(SITES, "sites:")),
    ("sample-size", "protocol.sample-size", [Edit(PROTO, "sample_size: 9", "sample_size: 12")],
     "protocol TST-101-001 sample_size is 12, but its cohorts enrol 9 (C1: 3 + C2: 3 + C3: 3)", At(PROTO, "sample_size")),
    ("plan-sample-size", "protocol.sample-size", [Edit(EN, "a total of 9 subjects", "a total of 12 subjects")],
     "the general investigational plan states 12 subjects; protocol TST-101-001 enrols 9", At(EN, "a total of 12 subjects")),
    ("endpoint-schedule", "protocol.endpoint-no-timepoint", [Edit(PROTO, "visits: [V1, V3]", "visits: []")],
     "endpoint EP-2 (Change in HbA1c) has assessments AS-HBA1C with no visit in the schedule of activities",
     At(PROTO, "assessments: [AS-HBA1C]")),
    ("objective", "protocol.objective-endpoint", [Edit(PROTO, "endpoints: [EP-2]", "endpoints: []")],
     "secondary objective OBJ-2 (Glycaemic effect) has no endpoint", At(PROTO, "endpoints: []")),
    ("1571-monitor", "protocol.1571-contacts", [Edit(PRODUCT, "      role: monitor\n", "      role: medical\n")],
     "no sponsor contact has role 'monitor': the person responsible for monitoring the investigation", At(PRODUCT, "  contacts:")),
    ("mabel-missing", "dose.basis-estimate-missing", [Edit(PROTO, "  starting_dose_basis:", "  starting_dose: {basis: mabel}\n  starting_dose_basis:")],
     "protocol starting_dose.basis is 'mabel' but starting_dose.mabel gives no value and unit", At(PROTO, "starting_dose: {basis")),
    ("start-above-mabel", "dose.start-above-estimate", [Edit(PROTO, "  starting_dose_basis:", "  starting_dose: {basis: mabel, mabel: {value: 1.0e5, unit: cells/kg, justification: {en: in vitro potency, zh: 体外效力}}}\n  starting_dose_basis:")],
     "starting dose 5.0 × 10^5 cells/kg (cohort C1) is above the declared MABEL of 1.0 × 10^5 cells/kg", At(PROTO, "{id: C1")),
    ("scaling", "dose.scaling-unsupported", [Edit(PROTO, "  starting_dose_basis:", "  starting_dose: {scaling: bsa}\n  starting_dose_basis:")],
     "protocol starting_dose.scaling is 'bsa' for a cell-therapy, gene-therapy product", At(PROTO, "starting_dose: {scaling")),
    ("registration-class", "china.cover-letter-facts", [Edit(PRODUCT, 'zh: "治疗用生物制品1类"', 'zh: "化学药品1类"')],
     "regulatory.nmpa.registration_class '化学药品1类' is not a 治疗用生物制品 class", At(PRODUCT, "化学药品1类")),
    ("consent-version", "dates.consent-version", [Edit(ZH, "毒理批次", "知情同意书第1.0版。\n毒理批次")],
     "content/narratives/intro.zh.md cites the informed consent form version 1.0; the current version is 2.0", At(ZH, "知情同意书第1.0版")),
    ("panel", "cgt.release-safety-panel",
     [Edit(SPEC, "Vector copy number (VCN)", "Vector integration"), Edit(METHODS, "Vector copy number by ddPCR", "ddPCR assay")],
     "the release specification has no vector copy number test (required for a gene-modified cell therapy product with a lentiviral vector)",
     At(SPEC, "  tests:")),
    ("ltfu", "cgt.integrating-vector", [Edit(PROTO, "years: 15", "years: 5")],
     "vector LV-GF (lentiviral) integrates, but protocol long-term follow-up is 5 years; expected 15 years", At(PROTO, "years: 5")),
    ("rcl", "cgt.integrating-vector",
     [Edit(SPEC, "Replication-competent lentivirus (RCL)", "Retroviral safety"), Edit(METHODS, "RCL by cell culture", "Co-culture assay")],
     "vector LV-GF is an integrating lentiviral vector, but no release test detects replication-competent virus", At(SPEC, "  tests:")),
    ("biodistribution", "cgt.biodistribution-tumorigenicity", [Edit(STUDIES, "category: biodistribution", "category: pharmacokinetics")],
     "no biodistribution study among the nonclinical studies (3 studies)", At(STUDIES, "studies:")),
    ("autologous", "cgt.autologous-statement", [Edit(PRODUCT, '{en: "FOR AUTOLOGOUS USE ONLY"', '{en: "Patient-specific product"')],
     "product TST-101 is autologous but autologous_statement is 'Patient-specific product'", At(PRODUCT, "autologous_statement")),
    ("potency", "cgt.potency-moa", [Edit(PRODUCT, '{en: "human FGF21", zh: "人FGF21"}', '{en: "human FGF23", zh: "人FGF23"}')],
     "transgene 'human FGF23' is not measured by any potency or identity test (looked for FGF23)", At(PRODUCT, '"human FGF23"')),
    ("isct", "cgt.isct-phenotype", [Edit(SPEC, 'limit: {kind: min, min: 95, unit: "%"}', 'limit: {kind: min, min: 90, unit: "%"}'),
                                    Edit(SPEC, '{en: "≥ 95 %", zh: "≥ 95 %"}', '{en: "≥ 90 %", zh: "≥ 90 %"}')],
     "identity test T-CD73 (Identity: CD73 positive) accepts ≥ 90 %; ISCT minimal criteria require ≥ 95 %", At(SPEC, "min: 90")),
    ("zh-missing-shared", "china.zh-rendition",
     [Edit(ZH, "id: intro\n", "id: intro-zh\n"), Edit(ZH, "translation_of: intro\n", ""),
      Edit(EN, "node: m1-20-general-investigational-plan-for-initial-ind\n", "regions: [fda, nmpa]\n")],
     "narrative 'intro' (content/narratives/intro.en.md) has no Chinese rendition", At(EN, "---")),
    ("pair-version", "china.translation-pair", [Edit(ZH, 'version: "1.0"', 'version: "0.9"')],
     "narrative 'intro': the zh rendition content/narratives/intro.zh.md is version 0.9, the English source content/narratives/intro.en.md is version 1.0",
     At(ZH, "version:")),
    ("pair-target", "china.translation-pair", [Edit(ZH, "translation_of: intro", "translation_of: intro-old")],
     "says translation_of 'intro-old', but no English narrative has that id", At(ZH, "translation_of:")),
    ("pair-ids", "china.translation-facts", [Edit(ZH, "毒理批次 TOX-001", "毒理批次 ENG-001")],
     "narrative 'intro': only the English cites TOX-001; only the Chinese cites ENG-001", At(ZH, "# 引言")),
    ("untranslated", "china.zh-untranslated",
     [Edit(PRODUCT, 'zh: "表达GLP-1和FGF21的自体脂肪来源间充质干细胞。"', 'zh: "Autologous adipose-derived MSC expressing GLP-1 and FGF21."')],
     "the Chinese text of product.description repeats the English", At(PRODUCT, "description:")),
    ("envelope", "china.nmpa-envelope", [Edit(PRODUCT, '    application_id: "CXSL2600001"\n', '    application_id: "CXSL2600001"\n    product_type: cnprt1\n')],
     "regulatory.nmpa.product_type is 'cnprt1'; an initial IND of a gene-modified cell therapy product needs 'cnprt2' (生物制品)",
     At(PRODUCT, "product_type: cnprt1")),
    ("phase", "identity.phase", [Edit(PROTO, 'phase: "1"', 'phase: "1/2"')],
     "protocol TST-101-001 is phase 1/2; the product facts say phase 1", At(PROTO, "phase:")),
    ("phase-title", "identity.phase", [Edit(PROTO, "A Phase 1 study of Testocel", "A Phase 2 study of Testocel")],
     "protocol title (en) says phase 2; the product is phase 1", At(PROTO, "A Phase 2 study")),
    ("product-code", "identity.product-name", [Edit(EN, "(TST-101)", "(TST-102)")],
     "the text names product code 'TST-102'; the product code is 'TST-101'", At(EN, "TST-102")),
    ("vector-name", "identity.vector-name", [Edit(EN, "The toxicology lot", "The cells carry pLV-GLP1-FGF23.\nThe toxicology lot")],
     "the text names vector 'pLV-GLP1-FGF23'; the vector is 'pLV-GLP1-FGF21'", At(EN, "pLV-GLP1-FGF23")),
    ("sponsor-org", "identity.sponsor-name",
     [Edit(PRODUCT, "organisations:\n", 'organisations:\n  - id: ORG-SP\n    name: {en: "Testo Therapeutics Inc", zh: "特斯治疗公司"}\n    kind: sponsor\n    address:\n      lines: {en: "1 Test Way, Boston, MA 02100", zh: "马萨诸塞州波士顿测试路1号"}\n      country: {en: "United States", zh: "美国"}\n')],
     "organisation ORG-SP is the sponsor but is named 'Testo Therapeutics Inc'; the sponsor is 'Testo Therapeutics, Inc.'",
     At(PRODUCT, "Testo Therapeutics Inc\"")),
    ("protocol-version", "dates.protocol-version", [Edit(EN, "TST-101-001 version 2.0", "TST-101-001 version 1.0")],
     "content/narratives/intro.en.md cites protocol TST-101-001 version 1.0; the current version is 2.0", At(EN, "version 1.0")),
    ("protocol-version-zh", "dates.protocol-version", [Edit(ZH, "第2.0版", "第1.0版")],
     "content/narratives/intro.zh.md cites protocol TST-101-001 version 1.0; the current version is 2.0", At(ZH, "第1.0版")),
    ("protocol-date", "dates.protocol-version", [Edit(EN, "TST-101-001 version 2.0", "TST-101-001 dated 1 March 2026")],
     "cites protocol TST-101-001 dated 2026-03-01; it is dated 2026-04-15", At(EN, "1 March 2026")),
    ("ib-version", "dates.ib-version", [Edit(EN, "The toxicology lot", "See the Investigator's Brochure version 0.9 of 2026-05-01.\nThe toxicology lot")],
     "cites the Investigator's Brochure version 0.9; the current version is 1.0", At(EN, "Brochure version 0.9")),
    ("after-submission", "dates.after-submission", [Edit(PROTO, "date: 2026-04-15", "date: 2026-07-15")],
     "protocol TST-101-001 date is 2026-07-15, after the submission date 2026-06-30", At(PROTO, "date: 2026-07-15")),
    ("glp-claim", "completeness.glp-statement", [Edit(STUDIES, '{en: "Conducted in compliance with 21 CFR Part 58 (GLP)."', '{en: "Conducted according to the CRO SOPs."')],
     "study NC-TOX-001 (TX-26-001) is glp: true, but its statement 'Conducted according to the CRO SOPs.' does not state compliance with 21 CFR Part 58",
     At(STUDIES, "CRO SOPs")),
    ("glp-reason", "completeness.glp-statement", [Edit(STUDIES, '{en: "Not GLP: exploratory design; a GLP study is planned."', '{en: "Exploratory design."')],
     "study NC-TUM-001 (TU-26-001) is glp: false, but its statement 'Exploratory design.' does not say why", At(STUDIES, "Exploratory design.")),
    ("glp-empty", "completeness.glp-statement", [Edit(STUDIES, 'zh: "非GLP：探索性设计；已计划开展GLP试验。"', 'zh: ""')],
     "study NC-TUM-001 (TU-26-001) has an empty GLP statement (zh)", At(STUDIES, 'zh: ""')),
    ("pivotal-glp", "completeness.pivotal-not-glp", [Edit(STUDIES, "glp: true", "glp: false")],
     "pivotal repeat-dose-toxicity study NC-TOX-001 (TX-26-001) is not GLP", At(STUDIES, "glp: false")),
    ("environment", "completeness.environmental-claim", [Edit(PRODUCT, '{en: "Categorical exclusion under 21 CFR 25.31(e)."', '{en: "Not needed."')],
     "regulatory.environmental_assessment 'Not needed.' cites neither a categorical exclusion", At(PRODUCT, "Not needed.")),
]


def test_fixture_is_quiet():
    """The consistent fixture dossier triggers no rule at all (each scenario below starts from it)."""
    assert [d.format() for d in run(FIXTURE)] == []


@pytest.mark.parametrize("name,rule,edits,message,at", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_rule_fires(tmp_path, name, rule, edits, message, at):
    root = copy_project(FIXTURE, tmp_path / "project")
    for edit in edits:
        apply(root, edit)
    diags = run(root)
    hits = findings(diags, rule)
    assert hits, f"{rule} did not fire; got {[d.format() for d in diags]}"
    matching = [d for d in hits if message in d.message]
    assert matching, f"no {rule} message contains {message!r}: {[d.message for d in hits]}"
    loc = matching[0].location
    assert loc is not None and loc.path == at.path and loc.line == at.line(root), matching[0].format()


def test_fda_only_narrative_needs_no_chinese(tmp_path):
    """An English narrative placed at an FDA-only node (Form FDA 1571) has no Chinese rendition to check."""
    root = copy_project(FIXTURE, tmp_path / "project")
    (root / "content/narratives/form-1571.en.md").write_text(
        "---\nid: form-1571\nlang: en\nnode: form:fdaft1\n---\nForm FDA 1571 entries.\n", encoding="utf-8"
    )
    assert findings(run(root), "china.zh-rendition") == []


def test_every_fact_rule_family_is_exercised():
    """The scenarios cover every rule of the fact-level families (document rules are in test_checks_documents)."""
    from indbuilder.rules import all_rules

    from test_checks_documents import DOC_RULES

    # read only rendered documents; each has its own test in test_checks_documents.py
    document_only = DOC_RULES | {"completeness.qos-body-match", "protocol.site-table"}
    mine = {r.id for r in all_rules() if r.id.split(".")[0] in {"ref", "identity", "dates", "cmc", "trace", "dose", "protocol", "cgt", "china", "units"}}
    mine |= {"completeness.glp-statement", "completeness.pivotal-not-glp", "completeness.environmental-claim",
             "completeness.empty-document", "completeness.label-statement"}
    # stale: test_checks_china.py; identity.structure needs a small-molecule product: tests/test_chem.py
    # identity.modality-wording(-user) read rendered documents of several modalities: tests/test_checks_modality.py
    covered = {s[1] for s in SCENARIOS} | {"china.stale-translation", "identity.structure", "identity.modality-wording",
                                           "identity.modality-wording-user"}
    # the reviewer's contradictions of issue 14: tests/test_checks_rules14.py (on copies of the example)
    covered |= {"cmc.dose-supply", "cmc.process-duration", "protocol.followup-schedule", "dates.study-lot",
                "dates.study-undated"}
    # tested on copies of the example in their own files: test_checks_content14.py (IB and protocol),
    # test_document_titles.py (title pages), test_zh_typography.py (Chinese typography)
    covered |= {"protocol.prohibited-medications", "protocol.concomitant-medications", "dates.title-page",
                "china.typography"}
    assert mine - document_only - covered == set()
