"""`indbuilder init`: a skeleton per modality x region set that loads, checks with warnings only, holds
only its own modality's fields and only its regions' languages; the outline's two fill states; the
placeholder rule and the build gate."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from indbuilder.checks.placeholders import find_placeholders
from indbuilder.cli import app
from indbuilder.diagnostics import Diagnostics
from indbuilder.loader import load_content
from indbuilder.outline import FactState, outline_facts
from indbuilder.pipeline import check_project
from indbuilder.scaffold import InitError, init_project

MODALITIES = ["small-molecule", "protein", "cell-therapy", "gene-therapy", "cell-therapy,gene-therapy"]
REGION_SETS = ["fda", "nmpa", "fda,nmpa"]
DATE = dt.date(2027, 1, 4)
CJK = re.compile(r"[\u3400-\u9fff]")

# Fields only one modality has: where they sit in the skeleton's files.
OWN_FIELDS = {
    "small-molecule": [("content/product.yaml", ("product", "structure")), ("content/product.yaml", ("product", "strength"))],
    "protein": [("content/product.yaml", ("product", "protein")),
                ("content/cmc/drug-substance.yaml", ("drug_substance", "cell_bank")),
                ("content/cmc/drug-substance.yaml", ("drug_substance", "viral_clearance"))],
    "cell-therapy": [("content/product.yaml", ("product", "autologous")), ("content/product.yaml", ("product", "in_use_time"))],
    "gene-therapy": [("content/product.yaml", ("product", "vector")), ("content/clinical/protocol.yaml", ("protocol", "ltfu")),
                     ("content/clinical/consent.yaml", ("consent", "ltfu"))],
}


def _has(root: Path, file: str, path: tuple[str, ...]) -> bool:
    node = yaml.safe_load((root / file).read_text(encoding="utf-8"))
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def _new(tmp_path: Path, modality: str, regions: str) -> Path:
    root = tmp_path / "proj"
    init_project(root, [modality], [regions], submission_date=DATE)
    return root


@pytest.mark.parametrize("regions", REGION_SETS)
@pytest.mark.parametrize("modality", MODALITIES)
def test_skeleton_files_fields_and_languages(tmp_path: Path, modality: str, regions: str) -> None:
    root = _new(tmp_path, modality, regions)
    names = modality.split(",")
    region_list = regions.split(",")
    for rel in ("indbuilder.yaml", "content/product.yaml", "content/sponsor.yaml", "content/regulatory.yaml",
                "content/cmc/drug-substance.yaml", "content/cmc/drug-product.yaml", "content/cmc/methods.yaml",
                "content/nonclinical/studies.yaml", "content/clinical/protocol.yaml", "content/clinical/sites.yaml",
                "content/clinical/consent.yaml"):
        assert (root / rel).is_file(), rel
    assert (root / "content/narratives/form-1571.en.md").is_file() == ("fda" in region_list)
    assert (root / "content/narratives/application-form.zh.md").is_file() == ("nmpa" in region_list)
    # the facts load with no schema error for the project's regions
    diags = Diagnostics()
    load_content(root, root / "content", diags, region_names=tuple(region_list))
    assert [str(d) for d in diags if d.severity.value == "error"] == []
    # its own modality's fields, and no other modality's
    for other, fields in OWN_FIELDS.items():
        for file, path in fields:
            assert _has(root, file, path) == (other in names), f"{other}: {'.'.join(path)}"
    donor = yaml.safe_load((root / "content/cmc/drug-product.yaml").read_text(encoding="utf-8"))["drug_product"]["batches"][0]
    assert ("donor" in donor) == ("cell-therapy" in names)
    # Chinese only when nmpa is a region; English only when fda is
    text = "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*") if p.is_file())
    assert bool(CJK.search(text)) == ("nmpa" in region_list)
    assert bool(re.search(r"\ben: ", text)) == ("fda" in region_list)
    assert find_placeholders(root, root / "content"), "the skeleton marks what to fill in"


@pytest.mark.parametrize("regions", REGION_SETS)
@pytest.mark.parametrize("modality", MODALITIES)
def test_new_project_checks_with_warnings_only(tmp_path: Path, modality: str, regions: str) -> None:
    root = _new(tmp_path, modality, regions)
    diags, _ = check_project(root)
    errors = [f"{d.rule}: {d.message[:160]}" for d in diags if d.severity.value == "error"]
    assert errors == []
    assert any(d.rule == "completeness.placeholder" for d in diags)


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InitError, match="not empty"):
        init_project(root, ["protein"], ["fda"])
    assert sorted(p.name for p in root.iterdir()) == ["notes.txt"]
    # --force adds the skeleton but never overwrites a file of the user's
    (root / "content").mkdir()
    (root / "content/product.yaml").write_text("# my product\n", encoding="utf-8")
    result = init_project(root, ["protein"], ["fda"], force=True)
    assert (root / "content/product.yaml").read_text(encoding="utf-8") == "# my product\n"
    assert root / "content/product.yaml" in result.kept
    assert (root / "content/sponsor.yaml").is_file()


def test_cli_init_and_clear_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["init", str(tmp_path / "a"), "--modality", "cell-therapy,gene-therapy", "--regions", "fda,nmpa"])
    assert ok.exit_code == 0, ok.output
    product = yaml.safe_load((tmp_path / "a/content/product.yaml").read_text(encoding="utf-8"))["product"]
    assert product["modality"] == ["cell-therapy", "gene-therapy"]
    bad = runner.invoke(app, ["init", str(tmp_path / "b"), "--modality", "vaccine"])
    assert bad.exit_code == 2 and "unknown modality 'vaccine'" in bad.output and "small-molecule" in bad.output
    bad = runner.invoke(app, ["init", str(tmp_path / "c"), "-m", "protein", "--regions", "ema"])
    assert bad.exit_code == 2 and "unknown region 'ema'" in bad.output
    again = runner.invoke(app, ["init", str(tmp_path / "a"), "-m", "protein"])
    assert again.exit_code == 2 and "not empty" in again.output


def test_placeholder_rule_names_file_and_line(tmp_path: Path) -> None:
    root = _new(tmp_path, "small-molecule", "fda")
    found = find_placeholders(root, root / "content")
    product_lines = (root / "content/product.yaml").read_text(encoding="utf-8").splitlines()
    hits = [p for p in found if p.location.path == "content/product.yaml"]
    assert hits and all("TODO:" in product_lines[p.location.line - 1] for p in hits)
    # quiet once the markers are gone
    for file in [root / "indbuilder.yaml", *(root / "content").rglob("*.*")]:
        file.write_text(file.read_text(encoding="utf-8").replace("TODO:", "Note"), encoding="utf-8")
    assert find_placeholders(root, root / "content") == []


def test_outline_tells_template_only_from_filled_from_facts(tmp_path: Path) -> None:
    # no facts at all: every template-filled section is "template only", none "from facts"
    empty = tmp_path / "empty"
    (empty / "content").mkdir(parents=True)
    (empty / "indbuilder.yaml").write_text("regions: [fda]\nsubmission_date: 2027-01-15\n", encoding="utf-8")
    plan, facts = outline_facts(empty, "fda", Diagnostics())
    assert plan is not None and facts
    assert all(f.state is FactState.TEMPLATE_ONLY and f.missing for f in facts.values())
    # a fresh skeleton: sections whose documents print placeholders are template only, with the file:line
    root = _new(tmp_path, "small-molecule", "fda")
    _, facts = outline_facts(root, "fda", Diagnostics())
    pending = [f for f in facts.values() if f.pending]
    assert pending and all(f.state is FactState.TEMPLATE_ONLY for f in pending)
    assert pending[0].pending[0].location.line > 0
    # every marker replaced: the sections that render are filled from facts
    for file in [root / "indbuilder.yaml", *(root / "content").rglob("*.*")]:
        file.write_text(file.read_text(encoding="utf-8").replace("TODO:", "Note"), encoding="utf-8")
    _, facts = outline_facts(root, "fda", Diagnostics())
    assert any(f.state is FactState.FROM_FACTS for f in facts.values())
    assert not any(f.pending for f in facts.values())
    out = CliRunner().invoke(app, ["outline", "--project", str(empty), "--no-color"])
    assert "template only: its facts are missing" in out.output and "0 from facts" in out.output
    js = CliRunner().invoke(app, ["outline", "--project", str(empty), "--format", "json"])
    assert '"facts": "template-only"' in js.output


def test_build_refuses_placeholders(tmp_path: Path) -> None:
    root = _new(tmp_path, "cell-therapy", "fda")
    result = CliRunner().invoke(app, ["build", "--project", str(root), "--no-pdf"])
    assert result.exit_code == 1
    assert "build.placeholders" in result.output
    assert not (root / "build").exists()
