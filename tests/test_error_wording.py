"""Errors a writer understands (issue 11, item 6): each bad input of a table is checked as a user runs
``indbuilder check``; the finding must name file:line, the rule, and say what to write instead.

A second table runs templates against facts with the usual failure modes (a text without its Chinese,
a first item of an empty list, arithmetic on an empty value ...) and a last test checks that no
message of either corpus carries a Python repr, an object address or a Jinja internal name.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from example_project import copy_example, edit
from indbuilder.diagnostics import Diagnostic, Diagnostics
from indbuilder.loader import load_content
from indbuilder.pipeline import check_project
from indbuilder.render.jinja_env import TemplateEnv
from indbuilder.render.provenance import index_facts

REPO = Path(__file__).resolve().parents[1]

# What no message or hint may contain: Python reprs of records and objects, exception class names,
# Jinja's module and internal wording.
FORBIDDEN = [
    "Text(", "Batch(", "Product(", "Quantity(", "<indbuilder", "indbuilder.model", "object at 0x", "jinja2",
    "NoneType", "TypeError", "ZeroDivisionError", "KeyError", "UndefinedError", "sequence was empty",
    "Input should be", "Value error,", "dict object", "list object", "str object", "Traceback",
]


@dataclass
class Case:
    """One bad input: ``edits`` (file, find, replace) to a copy of the example; the finding expected."""

    name: str
    edits: list[tuple[str, str, str]]
    rule: str
    file: str  # where the finding must be located (file, and the line of ``at`` in it)
    at: str | None  # text on the expected line of ``file`` (None: line 1 or any line)
    wording: list[str]  # each must occur in the message or the hint
    regions: list[str] | None = field(default=None)


C = "content"
CASES = [
    # -- unknown keys: the closest key of the record at that place
    Case("batch-stie", [(f"{C}/cmc/batches.yaml", "      site: org-meridian-md", "      stie: org-meridian-md")],
         "schema.unknown-key", f"{C}/cmc/batches.yaml", "stie:", ["unknown key 'stie'", "did you mean 'site'?"]),
    Case("product-mechanizm", [(f"{C}/product.yaml", "  mechanism:", "  mechanizm:")],
         "schema.unknown-key", f"{C}/product.yaml", "mechanizm:", ["unknown key 'mechanizm'", "did you mean 'mechanism'?"]),
    Case("batch-optional-donr", [(f"{C}/cmc/batches.yaml", "      donor: {en: \"healthy donor HD-01", "      donr: {en: \"healthy donor HD-01")],
         "schema.unknown-key", f"{C}/cmc/batches.yaml", "donr:", ["did you mean 'donor'?"]),
    Case("study-nested-unti", [(f"{C}/nonclinical/studies.yaml", "duration: {value: 14, unit: days}", "duration: {value: 14, unti: days}")],
         "schema.unknown-key", f"{C}/nonclinical/studies.yaml", "unti: days", ["unknown key 'unti'", "did you mean 'unit'?"]),
    Case("composite-batchs", [(f"{C}/cmc/batches.yaml", "  batches:", "  batchs:")],
         "schema.unknown-key", f"{C}/cmc/batches.yaml", "batchs:", ["unknown key 'batchs'", "did you mean 'batches'?"]),
    Case("section-prodcut", [(f"{C}/product.yaml", "product:\n", "prodcut:\n")],
         "schema.unknown-section", f"{C}/product.yaml", "prodcut:", ["did you mean 'product'?"]),
    Case("text-language-zn", [(f"{C}/product.yaml", "    zh: 静脉输注\n", "    zn: 静脉输注\n")],
         "schema.value", f"{C}/product.yaml", "zn: 静脉输注", ["'zn' is not a language", "did you mean 'zh'?"]),
    Case("config-region-nmpaa", [("indbuilder.yaml", "regions: [fda, nmpa]", "regions: [fda, nmpaa]")],
         "schema.value", "indbuilder.yaml", "regions:", ["must be one of 'fda'", "did you mean 'nmpa'?"]),
    # -- a value of the wrong kind: what to write
    Case("phase-number", [(f"{C}/product.yaml", '  phase: "1"', "  phase: 1")],
         "schema.value", f"{C}/product.yaml", "phase: 1", ["must be one of '1'", "write it in quotes: phase: '1'"]),
    Case("route-bare-word", [(f"{C}/product.yaml", "  route:\n    en: intravenous infusion\n    zh: 静脉输注\n", "  route: oral\n")],
         "schema.type", f"{C}/product.yaml", "route: oral", ["write it as a mapping", "route: {en: oral, zh: ...}"]),
    Case("uses-scalar", [(f"{C}/cmc/batches.yaml", "      uses: [engineering]", "      uses: engineering")],
         "schema.type", f"{C}/cmc/batches.yaml", "uses: engineering", ["must be a list", "write it as a list: uses: [engineering]"]),
    Case("version-number", [(f"{C}/cmc/batches.yaml", '      process_version: "1.0"', "      process_version: 1.0")],
         "schema.type", f"{C}/cmc/batches.yaml", "process_version: 1.0", ["must be text", "quote it: process_version: '1.0'"]),
    Case("shelf-life-number", [(f"{C}/product.yaml", "  shelf_life:\n    value: 12\n    unit: months\n", "  shelf_life: 12\n")],
         "schema.type", f"{C}/product.yaml", "shelf_life: 12", ["write it as a mapping: shelf_life: {value: ..., unit: ...}"]),
    # -- indbuilder.yaml
    Case("config-regoins", [("indbuilder.yaml", "regions: [fda, nmpa]", "regoins: [fda, nmpa]")],
         "config.unknown-key", "indbuilder.yaml", "regoins:", ["unknown key 'regoins'", "did you mean 'regions'?"]),
    Case("config-waiver-justfication", [("indbuilder.yaml", "    justification: >-", "    justfication: >-")],
         "schema.unknown-key", "indbuilder.yaml", "justfication:", ["unknown key 'justfication'", "did you mean 'justification'?"]),
    Case("config-regions-scalar", [("indbuilder.yaml", "regions: [fda, nmpa]", "regions: fda")],
         "schema.type", "indbuilder.yaml", "regions: fda", ["write it as a list: regions: [fda]"]),
    Case("config-no-submission-date", [("indbuilder.yaml", "submission_date: 2026-12-14\n", "")],
         "schema.missing", "indbuilder.yaml", None, ["'submission_date' is required in indbuilder.yaml",
                                                      "submission_date: 2027-01-15", "YYYY-MM-DD"]),
    Case("config-output-number", [("indbuilder.yaml", "output: build", "output: 12")],
         "schema.type", "indbuilder.yaml", "output: 12", ["quote it: output: '12'"]),
    Case("config-sequence-number", [("indbuilder.yaml", 'sequence: "0000"', "sequence: 12a")],
         "schema.value", "indbuilder.yaml", "sequence: 12a", ["four digits"]),
    # -- narrative front matter
    Case("front-matter-nodee", [(f"{C}/narratives/form-1571.en.md", "node: form:fdaft1", "nodee: form:fdaft1")],
         "narrative.unknown-key", f"{C}/narratives/form-1571.en.md", "nodee:", ["did you mean 'node'?"]),
    Case("front-matter-title-number", [(f"{C}/narratives/form-1571.en.md", "title: Form FDA 1571 - entries", "title: 1571")],
         "schema.type", f"{C}/narratives/form-1571.en.md", "title: 1571", ["must be text", "quote it: title: '1571'"]),
    # -- templates: the document, the fact and the template line; how to override a packaged template
    Case("template-zh-missing", [(f"{C}/product.yaml", "    zh: 静脉输注\n", '    zh: ""\n')],
         "template.error", "indbuilder:templates/ectd/m1/cn/12-application-form-data.zh.md.j2", None,
         ["product.route has no 'zh' text (Chinese)", "its 'en' text is 'intravenous infusion'", "in document nmpa 1.2",
          "content/product.yaml:27", "copy it to templates/ectd/m1/cn/12-application-form-data.zh.md.j2 in your project"],
         regions=["nmpa"]),
    Case("template-first-of-empty", [(f"{C}/cmc/specification.yaml", "      - id: appearance", "      - id: look")],
         "template.error", "indbuilder:templates/ectd/modalities/cell-therapy/m1/cn/1311-investigational-insert.zh.md.j2",
         "| first", ["no item of drug_product.specification.tests matches", "selectattr(\"id\", \"equalto\", \"appearance\")",
                     "in document nmpa 1.3.1.1", "default(none)", "copy it to templates/ectd/modalities/cell-therapy/"],
         regions=["nmpa"]),
]

_RESULTS: dict[str, tuple[Path, list[Diagnostic]]] = {}


def run_case(case: Case, tmp_path: Path) -> tuple[Path, list[Diagnostic]]:
    if case.name not in _RESULTS:
        root = copy_example(tmp_path / case.name, templates=False)
        for file, find, replace in case.edits:
            edit(root, file, find, replace, count=1)
        diags, _ = check_project(root, case.regions)
        _RESULTS[case.name] = (root, list(diags.sorted()))
    return _RESULTS[case.name]


def _line_of(root: Path, file: str, text: str) -> int:
    if file.startswith("indbuilder:"):
        path = REPO / "src" / "indbuilder" / file[len("indbuilder:"):]
    else:
        path = root / file
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return n
    raise AssertionError(f"{text!r} not in {file}")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_finding_names_place_rule_and_what_to_write(case: Case, tmp_path: Path) -> None:
    root, diags = run_case(case, tmp_path)
    mine = [d for d in diags if d.rule == case.rule and d.location is not None and d.location.path == case.file]
    assert mine, "\n".join(d.format() for d in diags)
    if case.at is not None:
        line = _line_of(root, case.file, case.at)
        mine = [d for d in mine if d.location is not None and d.location.line == line]
        assert mine, f"no {case.rule} at {case.file}:{line}:\n" + "\n".join(d.format() for d in diags)
    text = "\n".join(d.format() for d in mine)
    for words in case.wording:
        assert words in text, text


# A misspelt required key is one finding (at the misspelling), not two.
def test_misspelt_required_key_is_one_finding(tmp_path: Path) -> None:
    _, diags = run_case(CASES[0], tmp_path)
    errors = [d for d in diags if d.severity.value == "error"]
    assert [d.rule for d in errors] == ["schema.unknown-key"], "\n".join(d.format() for d in diags)
    assert errors[0].hint == "did you mean 'site'? (a required key, missing here)"


# ---------------------------------------------------------------- templates against facts


@dataclass
class TemplateCase:
    name: str
    template: str
    context: dict[str, Any]
    wording: list[str]
    lang: str = "en"


@pytest.fixture(scope="module")
def dossier():
    diags = Diagnostics()
    loaded = load_content(REPO, REPO / "content", diags)
    assert not diags.has_errors
    return loaded


def _template_cases(d: Any) -> list[TemplateCase]:
    from indbuilder.model.common import Text

    blank = Text.model_validate({"en": "infusion", "zh": ""})
    return [
        TemplateCase("t-missing-zh", "{{ product.route | t }}", {"product": d.product.model_copy(update={"route": blank})},
                     ["product.route has no 'zh' text (Chinese)", "its 'en' text is 'infusion'"], lang="zh"),
        TemplateCase("t-dict-missing-zh", "{{ x | t }}", {"x": {"en": "only English"}}, ["no 'zh' text"], lang="zh"),
        TemplateCase("t-none", "{{ x | t }}", {"x": None}, ["is missing (an empty value)"]),
        TemplateCase("first-empty", "{% set b = drug_product.batches | first %}{{ b.id }}",
                     {"drug_product": d.drug_product.model_copy(update={"batches": []})},
                     ["drug_product.batches is empty, so there is no first item"]),
        TemplateCase("first-no-match", '{{ (studies | selectattr("category", "equalto", "none") | first).id }}',
                     {"studies": d.studies}, ["no item of studies matches `selectattr(\"category\", \"equalto\", \"none\")`"]),
        TemplateCase("iterate-none", "{% for s in product.strength %}{{ s }}{% endfor %}", {"product": d.product},
                     ["the template lists the items of `product.strength`", "nothing (an empty value), not a list"]),
        TemplateCase("add-text-number", "{{ product.shelf_life.value + product.code }}", {"product": d.product},
                     ["cannot add a number and a text"]),
        TemplateCase("compare-none", "{% if product.strength < 3 %}x{% endif %}", {"product": d.product},
                     ["cannot compare nothing (an empty value) with a number"]),
        TemplateCase("len-none", "{{ product.strength | length }}", {"product": d.product}, ["counts the items of nothing"]),
        TemplateCase("divide-zero", "{{ 1 / n }}", {"n": 0}, ["divided by zero"]),
        TemplateCase("record-attribute", "{{ drug_product.batches[0].stie }}", {"drug_product": d.drug_product},
                     ["'drug_product.batches[0].stie' is undefined", "did you mean 'site'?"]),
        TemplateCase("record-attribute-in-loop", "{% for b in drug_product.batches %}{{ b.stie }}{% endfor %}",
                     {"drug_product": d.drug_product}, ["'b.stie' is undefined", "did you mean 'site'?"]),
        TemplateCase("num-of-text", "{{ product.code | num }}", {"product": d.product}, ["expected a number, got 'MCT-101'"]),
        TemplateCase("num-of-record", "{{ product | num }}", {"product": d.product}, ["expected a number, got a Product record"]),
        TemplateCase("t-of-record", "{{ product | t }}", {"product": d.product}, ["to print with 't', got a Product record"]),
        TemplateCase("date-bad", "{{ 'soon' | date }}", {}, ["expected an ISO date YYYY-MM-DD, got 'soon'"]),
        TemplateCase("call-text", "{{ product.code() }}", {"product": d.product}, ["a text is used as a function"]),
        TemplateCase("unknown-name", "{{ prodcut.code }}", {"product": d.product}, ["'prodcut' is undefined"]),
    ]


def _render(tmp_path: Path, case: TemplateCase, dossier: Any) -> list[Diagnostic]:
    folder = tmp_path / "templates" / "ectd"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "t.md.j2").write_text("line one\n" + case.template + "\n", encoding="utf-8")
    env = TemplateEnv([folder], root=tmp_path)
    env.track(index_facts({k: v for k, v in case.context.items() if k in ("product", "drug_product", "studies")}))
    diags = Diagnostics()
    assert env.render("t.md.j2", case.context, case.lang, diags, document="fda 9.9 Test Document") is None
    return list(diags)


def test_template_failure_modes_are_in_plain_words(tmp_path: Path, dossier: Any) -> None:
    problems = []
    for case in _template_cases(dossier):
        diags = _render(tmp_path / case.name, case, dossier)
        text = "\n".join(d.format() for d in diags)
        ok = (
            len(diags) == 1
            and diags[0].rule.startswith("template.")
            and str(diags[0].location) == "templates/ectd/t.md.j2:2"
            and "(in document fda 9.9 Test Document)" in diags[0].message
            and all(w in text for w in case.wording)
            and not [f for f in FORBIDDEN if f in text]
        )
        if not ok:
            problems.append(f"{case.name}:\n{text}")
    assert not problems, "\n\n".join(problems)


def test_a_macro_error_in_many_documents_is_one_finding_naming_them(tmp_path: Path, dossier: Any) -> None:
    folder = tmp_path / "templates" / "ectd"
    folder.mkdir(parents=True)
    (folder / "m.j2").write_text("{% macro tx(x) %}{{ x | t }}{% endmacro %}\n", encoding="utf-8")
    (folder / "a.md.j2").write_text('{% import "m.j2" as m %}\n{{ m.tx(x) }}\n', encoding="utf-8")
    env = TemplateEnv([folder], root=tmp_path)
    diags = Diagnostics()
    with env.collecting(diags):
        for n in range(5):
            env.render("a.md.j2", {"x": {"en": "a"}}, "zh", diags, document=f"nmpa 1.{n} Doc {n}")
    [d] = list(diags)
    assert str(d.location) == "templates/ectd/m.j2:1"
    assert d.message.endswith("(in 5 documents: nmpa 1.0 Doc 0; nmpa 1.1 Doc 1; nmpa 1.2 Doc 2; and 2 more)")


# ---------------------------------------------------------------- no reprs anywhere


def test_no_message_of_the_bad_input_corpus_shows_a_python_repr(tmp_path: Path, dossier: Any) -> None:
    found = []
    for case in CASES:
        _, diags = run_case(case, tmp_path)
        for d in diags:
            text = d.format()
            found += [f"{case.name}: {f!r} in {text}" for f in FORBIDDEN if f in text]
            if re.search(r"\b[A-Z]\w*\(\w+=", text):
                found.append(f"{case.name}: a record repr in {text}")
    assert not found, "\n".join(found)


def test_show_value_writes_values_as_yaml() -> None:
    from indbuilder.schema_errors import show_value

    assert show_value("ninety") == "'ninety'"
    assert show_value(12) == "12" and show_value(1.0) == "1.0"
    assert show_value(True) == "true" and show_value(None) == "nothing (an empty value)"
    assert show_value(dt.date(2027, 1, 15)) == "2027-01-15"
    assert show_value({"a": 1}) == "a mapping" and show_value([1]) == "a list"


def test_plain_removes_reprs() -> None:
    from indbuilder.render.template_errors import plain

    assert plain("no 'zh' text in Text(en='infusion', zh='')") == "no 'zh' text in the text 'infusion'"
    assert plain("'indbuilder.model.cmc.Batch object' has no attribute 'x'") == "a Batch record has no attribute 'x'"
    assert plain("got <indbuilder.model.cmc.Batch object at 0x7f00>") == "got a Batch record"
    assert plain("jinja2.exceptions.UndefinedError: x is wrong") == "x is wrong"


def test_every_finding_in_a_packaged_template_says_how_to_override_it() -> None:
    """Not only render-stage findings: a consistency rule located in a packaged template gets the hint too
    (pipeline.apply_policy), and a finding in a project file does not."""
    from types import SimpleNamespace

    from indbuilder.diagnostics import Diagnostics, Location
    from indbuilder.pipeline import apply_policy

    diags = Diagnostics()
    diags.emit("identity.modality-wording", "wording of another modality", Location("indbuilder:templates/ectd/m3/32p1-composition.md.j2", 4))
    diags.emit("identity.modality-wording", "wording of another modality", Location("content/product.yaml", 3))
    settings = SimpleNamespace(severity={}, waivers=[], templates="my-templates")
    apply_policy(SimpleNamespace(config=SimpleNamespace(settings=settings, waivers=[], source=None)), diags)  # type: ignore[arg-type]
    packaged, own = list(diags)
    assert packaged.hint and "copy it to my-templates/m3/32p1-composition.md.j2 in your project" in packaged.hint
    assert not own.hint
