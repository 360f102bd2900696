"""sources_from_dossier: a loaded dossier becomes the planner's Sources, filtered per region."""

from __future__ import annotations

from types import SimpleNamespace

from indbuilder.model.common import Text
from indbuilder.model.dossier import Dossier, Narrative
from indbuilder.model.literature import Attachment, NotApplicable
from indbuilder.outline import NodeState, load_outline, plan
from indbuilder.outline.sources import DEFAULT_PROTOCOL_NODE, sources_from_dossier


def _dossier() -> Dossier:
    facts = {
        "attachments": [
            Attachment(id="form-1571", node="form:fdaft1", file="content/forms/1571.pdf",
                       title=Text(en="Form FDA 1571", zh="FDA 1571表"), regions=["fda"]),
            Attachment(id="app-form", node="cn-1-2", file="content/forms/shenqingbiao.pdf",
                       title=Text(en="Application form", zh="申请表"), regions=["nmpa"]),
        ],
        "not_applicable": [
            NotApplicable(node="m3-2-s-5-reference-standards-or-materials", regions=["nmpa"],
                          justification=Text(en="No reference standard.", zh="不使用对照品。")),
        ],
        # stand-ins with the fields the planner reads (the full Study/Protocol models need many more)
        "studies": [SimpleNamespace(id="TOX-01", ich_node="m4-2-3-2-repeat-dose-toxicity", category="repeat-dose-toxicity",
                                    report="content/reports/tox-01.pdf")],
        "protocol": SimpleNamespace(id="TST-101-001"),
    }
    narratives = [
        Narrative(id="stability-summary", path="content/narratives/p81.en.md", lang="en", body="x", body_line=6,
                  node="m3-2-p-8-1-stability-summary-and-conclusion"),
        Narrative(id="note", path="content/narratives/note.md", lang="en", body="x", body_line=4),
    ]
    return Dossier(facts=facts, narratives=narratives)


def test_region_filters_and_records(tmp_path):
    (tmp_path / "m3").mkdir()
    (tmp_path / "m3" / "32p83-stability-data.zh.md.j2").write_text("x", encoding="utf-8")
    fda = sources_from_dossier(_dossier(), "fda", [tmp_path])
    assert [a.node for a in fda.attachments] == ["form:fdaft1"]
    assert fda.attachments[0].title == "Form FDA 1571"
    assert fda.not_applicable == ()
    assert [n.node for n in fda.narratives] == ["m3-2-p-8-1-stability-summary-and-conclusion"]
    assert fda.templates == frozenset({"m3/32p83-stability-data.zh.md.j2"})
    (study,) = fda.records["studies"]
    assert (study.id, study.fields["ich_node"], study.attachment) == ("TOX-01", "m4-2-3-2-repeat-dose-toxicity", "content/reports/tox-01.pdf")
    (protocol,) = fda.records["protocols"]
    assert protocol.fields["ich_node"] == DEFAULT_PROTOCOL_NODE

    nmpa = sources_from_dossier(_dossier(), "nmpa", [tmp_path])
    assert [a.node for a in nmpa.attachments] == ["cn-1-2"] and nmpa.attachments[0].title == "申请表"
    (na,) = nmpa.not_applicable
    assert na.justification == {"en": "No reference standard.", "zh": "不使用对照品。"}


def test_planned_from_a_dossier():
    fda = plan(load_outline("fda"), sources_from_dossier(_dossier(), "fda"))
    assert [d.node for d in fda["m1-1-forms"].documents] == ["form:fdaft1"]
    assert fda["m4-2-3-2-repeat-dose-toxicity"].documents[0].attachment == "content/reports/tox-01.pdf"
    assert fda.state("m3-2-p-8-1-stability-summary-and-conclusion") is NodeState.FILLED
    assert fda.state(DEFAULT_PROTOCOL_NODE) is NodeState.NOT_PROVIDED  # no m5 templates in this project
    nmpa = plan(load_outline("nmpa"), sources_from_dossier(_dossier(), "nmpa"))
    assert nmpa.state("m3-2-s-5-reference-standards-or-materials") is NodeState.NOT_APPLICABLE
    assert nmpa.state("cn-1-2") is NodeState.FILLED
