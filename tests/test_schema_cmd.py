"""`indbuilder schema`: the JSON Schema of a content file (and of indbuilder.yaml) accepts every file of the
example projects and rejects an unknown key, a wrong value and a wrong type at the key's path."""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from indbuilder.cli import app
from indbuilder.loader import discover
from indbuilder.yamlio import load_yaml

REPO = Path(__file__).resolve().parents[1]
PROJECTS = {
    "mct-101": REPO,
    "small-molecule-tablet": REPO / "examples" / "small-molecule-tablet",
    "mab-injection": REPO / "examples" / "mab-injection",
}
runner = CliRunner()


def _plain(value: Any) -> Any:
    """YAML as an editor's language server sees it: dates are strings (YAML 1.2 has no date type)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _schema(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["schema", *args])
    assert result.exit_code == 0, result.output
    schema: dict[str, Any] = json.loads(result.stdout)
    Draft202012Validator.check_schema(schema)
    return schema


def _errors(schema: dict[str, Any], data: Any) -> list[tuple[list[Any], str]]:
    return [(list(e.absolute_path), e.message) for e in Draft202012Validator(schema).iter_errors(data)]


def _product() -> dict[str, Any]:
    data = _plain(load_yaml(REPO / "content" / "product.yaml").data)
    return {"product": data["product"]}


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_every_content_file_of_an_example_validates(name: str) -> None:
    project = PROJECTS[name]
    schema = _schema("-p", str(project))
    files, _ = discover(project / "content")
    assert len(files) >= 15
    for path in files:
        assert _errors(schema, _plain(load_yaml(path).data)) == [], path
    config = _schema("--config")
    assert _errors(config, _plain(load_yaml(project / "indbuilder.yaml").data)) == []


def test_the_project_decides_modality_and_languages() -> None:
    defs = _schema("-p", str(REPO))["$defs"]  # MCT-101: cell + gene therapy, fda and nmpa
    assert {"autologous", "concentration", "in_use_time", "vector"} <= set(defs["Product"]["required"])
    assert "structure" not in defs["Product"]["required"]
    assert "Required for cell-therapy" in defs["Product"]["properties"]["autologous"]["description"]
    assert "ltfu" in defs["Protocol"]["required"] and "nmpa" in defs["Regulatory"]["required"]
    assert defs["Text"]["required"] == ["en", "zh"]
    small = _schema("-p", str(REPO), "-m", "small-molecule", "-r", "fda")["$defs"]
    assert "structure" in small["Product"]["required"] and "autologous" not in small["Product"]["required"]
    assert small["Text"]["required"] == ["en"] and "nmpa" not in small["Regulatory"].get("required", [])
    # no project: nothing beyond the model is required, every modality's need is only noted
    bare = _schema("-p", str(REPO / "docs"))["$defs"]
    assert "structure" not in bare["Product"]["required"] and "required" not in bare["Text"]
    assert "Required for small-molecule" in bare["Product"]["properties"]["structure"]["description"]


def test_unknown_key_wrong_enum_and_wrong_type_are_rejected_at_their_path() -> None:
    schema = _schema("-p", str(REPO))
    assert _errors(schema, _product()) == []
    cases = [
        (("product", "stie"), "x", ["product"], "'stie' was unexpected"),
        (("product", "dose_unit"), "mg/m2", ["product", "dose_unit"], "is not one of"),
        (("product", "phase"), 1, ["product", "phase"], "is not one of"),
        (("product", "modality"), ["cell-therapy", "mechanizm"], ["product", "modality", 1], "is not one of"),
        (("product", "shelf_life", "value"), "twelve", ["product", "shelf_life", "value"], "is not of type 'number'"),
        (("product", "route"), "oral", ["product", "route"], "is not of type 'object'"),
        (("product", "name"), {"en": "only English"}, ["product", "name"], "'zh' is a required property"),
    ]
    for path, value, where, message in cases:
        data = copy.deepcopy(_product())
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        found = _errors(schema, data)
        assert any(p == where and message in m for p, m in found), (path, found)
    # an unknown section, and a former section with the place it moved to
    assert _errors(schema, {"prodct": {}})[0][0] == []
    assert _errors(schema, {"batches": []})[0][0] == ["batches"]
    assert "drug_product.batches" in schema["properties"]["batches"]["description"]


def test_composite_records_may_be_split_over_files() -> None:
    schema = _schema("-p", str(REPO))
    batches = _plain(load_yaml(REPO / "content" / "cmc" / "batches.yaml").data)
    only_batches = {"drug_product": {"batches": batches["drug_product"]["batches"]}}
    assert _errors(schema, only_batches) == []
    only_batches["drug_product"]["batches"][0]["stie"] = "x"
    assert _errors(schema, only_batches)[0][0] == ["drug_product", "batches", 0]


def test_a_limit_names_the_bounds_its_kind_needs() -> None:
    schema = _schema()
    test = {"id": "t", "name": {"en": "x", "zh": "x"}, "category": "purity", "method": "m", "acceptance": {"en": "x", "zh": "x"}}
    spec = {"drug_product": {"specification": {"id": "s", "version": "1", "title": {"en": "x", "zh": "x"}, "tests": [test]}}}
    test["limit"] = {"kind": "range", "min": 1}
    assert any(p == ["drug_product", "specification", "tests", 0, "limit"] and "'max'" in m for p, m in _errors(schema, spec))
    test["limit"] = {"kind": "range", "min": 1, "max": 2}
    assert _errors(schema, spec) == []


def test_config_schema_flags_typos_and_bad_values() -> None:
    schema = _schema("--config")
    date = {"submission_date": "2027-01-15"}  # required (no silent default)
    assert _errors(schema, {"regions": ["fda"], "sequence": "0000", **date}) == []
    assert _errors(schema, {"regoins": ["fda"], **date})[0][0] == []
    assert _errors(schema, {"regions": ["fdaa"], **date})[0][0] == ["regions", 0]
    assert _errors(schema, {"sequence": "12", **date})[0][0] == ["sequence"]
    assert "'submission_date' is a required property" in [m for _, m in _errors(schema, {"regions": ["fda"]})]


def test_output_is_deterministic_and_written_with_o(tmp_path: Path) -> None:
    first = runner.invoke(app, ["schema", "-p", str(REPO)]).stdout
    assert first == runner.invoke(app, ["schema", "-p", str(REPO)]).stdout
    assert first.startswith('{\n  "$defs"')  # sorted keys
    target = tmp_path / ".indbuilder-schema.json"
    result = runner.invoke(app, ["schema", "-p", str(REPO), "-o", str(target)])
    assert result.exit_code == 0 and target.read_text(encoding="utf-8") == first
    assert json.loads(first)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_unknown_modality_or_region_is_a_usage_error() -> None:
    result = runner.invoke(app, ["schema", "-m", "small-molecul"])
    assert result.exit_code == 2 and "unknown modality 'small-molecul'" in result.output
    assert runner.invoke(app, ["schema", "-r", "fda,ema"]).exit_code == 2


def test_the_schema_module_is_imported_only_by_the_command() -> None:
    code = "import sys, indbuilder.cli; print('indbuilder.factschema' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
