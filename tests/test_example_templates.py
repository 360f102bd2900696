"""Module 1 and Module 5 templates of the example dossier render the facts (FDA in English, NMPA in Chinese).

Expected strings are computed from the loaded facts, never hard-coded, and several tests render a
mutated copy of the facts to prove that the document follows the facts rather than fixed text.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from indbuilder.config import load_config
from indbuilder.diagnostics import Diagnostics
from indbuilder.loader import load_content
from indbuilder.model.dossier import Dossier
from indbuilder.render import TemplateEnv
from indbuilder.render.filters import sci, unit
from indbuilder.contents import ChecklistRow, ContentsEntry
from indbuilder.sources import template_context, template_dirs

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "src" / "indbuilder" / "templates" / "ectd"  # the packaged templates the example uses
OUTLINES = ROOT / "src" / "indbuilder" / "outline" / "data"
REGION_LANG = {"fda": "en", "nmpa": "zh"}
MINE = ("m1/", "m5/")

# Templates written for the example that the outlines do not reference yet (forms, LOA, CN form data).
EXTRA = [
    ("fda", "m1/us/form-1571-data.md.j2"),
    ("fda", "m1/us/form-1572-data.md.j2"),
    ("fda", "m1/us/form-3674-data.md.j2"),
    ("fda", "m1/us/141-letter-of-authorization.md.j2"),
    ("fda", "m1/us/1121-pre-ind-correspondence.md.j2"),
    ("nmpa", "m1/cn/12-application-form-data.md.j2"),
    ("nmpa", "m1/cn/163-meeting-correspondence.md.j2"),
]

_ESC = re.compile(r"\\([!-/:-@\[-`{-~])")
_LINK = re.compile(r"\[([^\]]*)\]\(<ref:([^>]*)>[^)]*\)")


@pytest.fixture(scope="module")
def dossier() -> Dossier:
    diags = Diagnostics()
    d = load_content(ROOT, ROOT / "content", diags)
    assert not [x.format() for x in diags.sorted()]
    return d


@pytest.fixture(scope="module")
def env(dossier: Dossier) -> TemplateEnv:
    """The pipeline's search path (sources.template_dirs): the product's modality folders, then the common set."""
    config, _ = load_config(ROOT)
    assert config is not None
    return TemplateEnv(template_dirs(config, dossier), root=ROOT)


def context(d: Dossier, region: str, record: Any = None) -> dict[str, Any]:
    """The template context the pipeline gives every document (sources.template_context) plus the per-document keys."""
    config, _ = load_config(ROOT)
    assert config is not None
    ctx: dict[str, Any] = dict(template_context(config, d, region, lambda _id: ""))
    ctx.update(
        lang=REGION_LANG[region],
        region=region,
        node=SimpleNamespace(id="", number="", title=""),
        record=record,
        submission_date=dt.date(2026, 12, 14),
        sequence="0000",
        contents=SAMPLE_CONTENTS,  # what indbuilder.contents gives 1.1 目录 and the 申报资料自查表
    )
    return ctx


SAMPLE_CONTENTS = {
    "documents": [ContentsEntry("1", "1.0", "说明函", "cover-letter", "说明函", 2),
                  ContentsEntry("4", "4", "非临床试验报告", "4-not-applicable-statement", "不适用项目说明（4.2 试验报告）", 4)],
    "checklist": [ChecklistRow("1", "1.0", "说明函", "required", "provided", "", ("cover-letter",)),
                  ChecklistRow("4", "4.2.1.2", "次要药效学", "conditional", "not-applicable", "未开展次要药效学试验。",
                               ("4-not-applicable-statement",)),
                  ChecklistRow("5", "5.4", "参考文献", "optional", "not-provided", "", ())],
    "paged": True,
}


def render(env: TemplateEnv, d: Dossier, name: str, region: str, record: Any = None) -> str:
    diags = Diagnostics()
    out = env.render(name, context(d, region, record), REGION_LANG[region], diags)
    problems = [x.format() for x in diags.sorted()]
    assert out is not None and not problems, f"{name} [{region}]:\n" + "\n".join(problems)
    return out.text


def plain(md: str) -> str:
    return _ESC.sub(r"\1", _LINK.sub(lambda m: m.group(1) or m.group(2), md))


def with_facts(d: Dossier, **changes: Any) -> Dossier:
    return Dossier(facts={**d.facts, **changes}, narratives=d.narratives, sources=d.sources)


def outline_templates() -> list[tuple[str, str, str | None]]:
    """(region, template, each-collection) of every Module 1 / Module 5 template fill in the outlines."""
    out = set()
    for region in REGION_LANG:
        data = yaml.safe_load((OUTLINES / f"{region}.yaml").read_text(encoding="utf-8"))

        def walk(nodes):
            for n in nodes:
                fills = n.get("fill") or []
                for f in fills if isinstance(fills, list) else [fills]:
                    t = f.get("template")
                    if t and t.startswith(MINE):
                        out.add((region, t, f.get("each")))
                walk(n.get("children") or [])

        walk(data["modules"])
    return sorted(out)


ALL = [(r, t, e) for r, t, e in outline_templates()] + [(r, t, None) for r, t in EXTRA]


def record_for(d: Dossier, each: str | None) -> Any:
    return d.protocol if each == "protocols" else None


# ------------------------------------------------------------------ every template exists and renders


def test_outlines_reference_module_1_and_5_templates():
    regions = {r for r, _, _ in outline_templates()}
    assert regions == {"fda", "nmpa"}


@pytest.mark.parametrize("region,template,each", ALL, ids=[f"{r}:{t}" for r, t, _ in ALL])
def test_template_exists_in_the_region_language_and_renders_cleanly(env, dossier, region, template, each):
    lang = REGION_LANG[region]
    stem = template[: -len(".md.j2")]
    assert (TEMPLATES / f"{stem}.{lang}.md.j2").is_file() or (TEMPLATES / template).is_file()
    text = render(env, dossier, template, region, record_for(dossier, each))
    assert len(plain(text)) > 200


@pytest.mark.parametrize("region,template,each", [x for x in ALL if x[0] == "nmpa"], ids=lambda v: str(v))
def test_chinese_documents_have_no_english_sentences(env, dossier, region, template, each):
    text = plain(render(env, dossier, template, region, record_for(dossier, each)))
    text = re.sub(r"\(ref:[^)]*\)|ref:\S+|\{#[^}]*\}|[A-Za-z]+://\S+", " ", text)
    # Names, codes and element names may be Latin; a run of five or more English words is a sentence.
    sentences = re.findall(r"(?:\b[A-Za-z]{2,}\b[ ,]+){5,}", text)
    allowed = {a.en for s in dossier.sites for a in [s.address.lines]}
    assert [s for s in sentences if not any(s.strip() in x for x in allowed)] == []


# ------------------------------------------------------------------ content follows the facts


def test_cover_letters_state_the_key_facts(env, dossier):
    us = plain(render(env, dossier, "m1/us/12-cover-letter.md.j2", "fda"))
    cn = plain(render(env, dossier, "m1/cn/10-cover-letter.md.j2", "nmpa"))
    r = dossier.regulatory
    assert r.fda.application_number in us and dossier.product.name.en in us
    assert dossier.protocol.number in us and r.ib_version in us
    assert dossier.product.name.zh in cn and r.nmpa.registration_class.zh in cn
    meeting = next(m for m in r.meetings if m.agency == "nmpa")
    assert meeting.reference in cn


@pytest.mark.parametrize("region,template", [("fda", "m1/us/11442-investigational-labeling.md.j2"),
                                             ("nmpa", "m1/cn/1321-investigational-label.md.j2")])
def test_labels_carry_caution_autologous_and_storage_text(env, dossier, region, template):
    lang = REGION_LANG[region]
    p = dossier.product
    text = plain(render(env, dossier, template, region))
    for fact in (p.caution_statement, p.autologous_statement, p.storage.label_text, p.name):
        assert fact.get(lang) in text
    changed = p.model_copy(update={"caution_statement": p.caution_statement.model_copy(
        update={"en": "CAUTION: changed", "zh": "注意：已更改"})})
    text2 = plain(render(env, with_facts(dossier, product=changed), template, region))
    assert ("CAUTION: changed" if lang == "en" else "注意：已更改") in text2
    assert p.caution_statement.get(lang) not in text2


@pytest.mark.parametrize("region,template", [("fda", "m1/us/11441-investigators-brochure.md.j2"),
                                             ("nmpa", "m1/cn/1343-investigators-brochure.md.j2")])
def test_ib_lists_every_study_and_its_noael(env, dossier, region, template):
    lang = REGION_LANG[region]
    text = plain(render(env, dossier, template, region))
    for s in dossier.studies:
        assert s.study_number in text
        if s.noael:
            assert plain(unit(sci(s.noael.value), s.noael.unit, lang=lang)) in text
    assert f"{dossier.regulatory.ib_version}" in text


@pytest.mark.parametrize("region,template", [("fda", "m5/study-protocol.md.j2"),
                                             ("nmpa", "m1/cn/1341-clinical-protocol.md.j2")])
def test_protocol_has_every_criterion_cohort_and_assessment(env, dossier, region, template):
    lang = REGION_LANG[region]
    p = dossier.protocol
    text = plain(render(env, dossier, template, region, p))
    for item in [*p.inclusion, *p.exclusion, *p.stopping_rules]:
        assert item.get(lang) in text
    for c in p.cohorts:
        assert plain(unit(sci(c.dose), c.unit, lang=lang)) in text
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    for a in p.assessments:
        # the schedule may be split into several tables: count the marks over all rows of the assessment
        marks = sum(r.count(" X ") for r in rows if r.split("|")[1].strip() == a.name.get(lang))
        assert marks == len(a.visits), a.id
    for s in dossier.sites:
        assert s.name.get(lang) in text


def test_protocol_follows_changed_cohorts(env, dossier):
    p = dossier.protocol
    cohorts = [c.model_copy(update={"dose": c.dose * 2}) for c in p.cohorts]
    text = plain(render(env, with_facts(dossier, protocol=p.model_copy(update={"cohorts": cohorts})),
                        "m5/study-protocol.md.j2", "fda"))
    assert plain(unit(sci(cohorts[0].dose), cohorts[0].unit)) in text
    assert plain(unit(sci(p.cohorts[0].dose), p.cohorts[0].unit)) not in text.split("# 3 Trial design")[1]


def test_manufacturing_and_testing_protocol_matches_the_specification(env, dossier):
    text = plain(render(env, dossier, "m1/cn/133-manufacturing-and-testing.md.j2", "nmpa"))
    for t in dossier.drug_product.specification.tests:
        assert f"| {t.name.zh} | {dossier.index('methods')[t.method].title.zh} | {t.acceptance.zh} |" in text
    for s in [s for _, part in dossier.parts() for s in part.process.steps]:
        assert s.name.zh in text
    assert dossier.product.storage.label_text.zh in text


def test_consent_forms_name_versions_and_long_term_follow_up(env, dossier):
    for region, template in (("fda", "m5/study-consent-form.md.j2"), ("nmpa", "m1/cn/1342-informed-consent.md.j2")):
        lang = REGION_LANG[region]
        text = plain(render(env, dossier, template, region, dossier.protocol))
        assert dossier.consent.version in text and dossier.protocol.number in text
        assert dossier.consent.ltfu.get(lang) in text and dossier.consent.risks.get(lang) in text


def test_form_1572_has_one_section_per_us_principal_investigator(env, dossier):
    text = plain(render(env, dossier, "m1/us/form-1572-data.md.j2", "fda"))
    pis = [i for s in dossier.sites if s.country == "US" for i in s.investigators if i.role == "principal"]
    assert text.count("# Form FDA 1572:") == len(pis)
    for s in dossier.sites:
        assert (s.irb.en in text) == (s.country == "US")


def test_transfer_of_obligation_lists_only_cros_of_the_region(env, dossier):
    text = plain(render(env, dossier, "m1/us/1314-transfer-of-obligation.md.j2", "fda"))
    for o in dossier.organisations:
        if o.kind == "cro":
            assert (o.name.en in text) == ("fda" in o.regions)
