"""Report formats are produced from the same diagnostics and parse as their formats require."""

import json
from xml.etree import ElementTree

from indbuilder.diagnostics import Diagnostic, Diagnostics, Location, Severity, Waiver
from indbuilder.report import as_github, as_json, as_junit, as_sarif, as_text, failed


def sample() -> Diagnostics:
    d = Diagnostics()
    d.add(Diagnostic("yaml.duplicate-key", Severity.ERROR, "duplicate key 'x'", Location("content/a.yaml", 3, 5)))
    d.add(Diagnostic("config.unknown-key", Severity.WARNING, "unknown key 'y', 50% sure", Location("indbuilder.yaml", 1, 1)))
    return d


def test_text_is_sorted_by_file_with_summary():
    lines = as_text(sample()).splitlines()
    assert lines[0] == "content/a.yaml:3:5: error [yaml.duplicate-key] duplicate key 'x'"
    assert lines[-1] == "1 error, 1 warning, 0 waived"


def test_json_sarif_junit_github():
    d = sample()
    assert json.loads(as_json(d))["summary"] == {"errors": 1, "warnings": 1, "waived": 0}
    sarif = json.loads(as_sarif(d))
    results = sarif["runs"][0]["results"]
    assert results[0]["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 5}
    suite = ElementTree.fromstring(as_junit(d))
    assert suite.get("failures") == "1"
    gh = as_github(d).splitlines()
    assert gh[0] == "::error file=content/a.yaml,line=3,col=5,title=yaml.duplicate-key::duplicate key 'x'"
    assert "50%25 sure" in gh[1]


def test_strict_fails_on_warnings_only_when_asked():
    d = Diagnostics()
    d.add(Diagnostic("config.unknown-key", Severity.WARNING, "w", None))
    assert not failed(d, strict=False) and failed(d, strict=True)


def _finding() -> Diagnostics:
    """An error of a rule that does not gate the build (it may be waived or downgraded)."""
    d = Diagnostics()
    d.add(Diagnostic("build.attachment-missing", Severity.ERROR, "attachment 'x.pdf' does not exist", Location("content/a.yaml", 3, 5)))
    return d


def test_waived_finding_is_reported_but_does_not_fail():
    d = _finding()
    d.apply_policy({}, [Waiver("build.attachment-missing", "accepted for this sequence by QA", contains="'x.pdf'")])
    assert not failed(d, strict=False)
    text = as_text(d)
    assert "error (waived) [build.attachment-missing]" in text and "waiver: accepted for this sequence by QA" in text
    assert text.rstrip().endswith("0 errors, 0 warnings, 1 waived")


def test_severity_override():
    d = _finding()
    d.apply_policy({"build.attachment-missing": "warning"}, [])
    assert not d.has_errors


def test_gate_rules_keep_their_severity_and_are_never_waived():
    # yaml.* and schema.* errors gate rendering: a project cannot turn them off (issue 15)
    d = sample()
    d.apply_policy({"yaml.duplicate-key": "info"}, [Waiver("yaml.duplicate-key", "accepted for this sequence by QA")])
    assert d.has_errors and failed(d, strict=False)
    assert "error [yaml.duplicate-key]" in as_text(d)


def test_summary_counts_a_repeated_finding_once_as_it_is_printed() -> None:
    from indbuilder.diagnostics import Diagnostics, Location
    from indbuilder.report import render_report

    diags = Diagnostics()
    for _ in range(3):  # the same template line failing in three documents
        diags.emit("template.error", "no item to show", Location("templates/ectd/m1/x.md.j2", 4))
    diags.emit("template.error", "no item to show", Location("templates/ectd/m1/x.md.j2", 9))
    text = render_report(diags, "text")
    assert text.count("error [template.error]") == 2
    assert diags.count(diags.items[0].severity) == 2 and "2 errors" in text.splitlines()[-1]
