"""Each document has its own title, version and date (title page, PDF /Title, first bookmark, eCTD leaf title),
leaf titles are unique within an eCTD element, and a body that dates its document otherwise is reported."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from checks_helpers import EXAMPLE, findings, region_build, run
from example_project import copy_example
from indbuilder.doctree import DocMeta, Document, Paragraph, text
from indbuilder.outline.planner import DocKind, PlannedDocument

REPO = Path(__file__).resolve().parents[1]
PROTOCOL_NODE = "m5-3-3-2-patient-pk-and-initial-tolerability-study-reports"
REPEAT_DOSE_NODE = "m4-2-3-2-repeat-dose-toxicity"
FDA_IB = "m1-14-4-1-investigational-brochure"


@pytest.fixture(scope="module")
def fda_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The MCT-101 example built for FDA (PDFs and the eCTD sequence), in a scratch copy."""
    root = copy_example(tmp_path_factory.mktemp("titles"), templates=False)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "INDBUILDER_PROGRESS": "none"}
    done = subprocess.run([sys.executable, "-m", "indbuilder", "build", "-r", "fda", "-q"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return next((root / "build" / "fda" / "ectd").glob("*/0000"))


def _leaves(sequence: Path) -> list[tuple[str, str, str]]:
    """``(element, leaf title, href)`` of every leaf of ``index.xml`` and the US regional backbone."""
    from lxml import etree

    out = []
    for backbone in (sequence / "index.xml", sequence / "m1" / "us" / "us-regional.xml"):
        tree = etree.parse(str(backbone))
        base = backbone.parent
        for leaf in tree.iter("{*}leaf", "leaf"):
            title = leaf.findtext("title") or leaf.findtext("{*}title") or ""
            # the ICH eCTD DTD declares xlink as http://www.w3c.org/1999/xlink (sic)
            href = next((v for k, v in leaf.attrib.items() if str(k).endswith("}href")), "")
            parent = leaf.getparent()
            element = etree.QName(parent).localname if parent is not None else ""
            out.append((element, title, str((base / href).resolve().relative_to(sequence.resolve())) if href else ""))
    return out


def _pdf(sequence: Path, href: str) -> tuple[str, str, str]:
    """``(/Title, first bookmark, first page text)`` of a PDF of the sequence."""
    from pypdf import PdfReader

    reader = PdfReader(str(sequence / href))
    title = str((reader.metadata or {}).get("/Title", ""))
    outline = [o for o in reader.outline if not isinstance(o, list)]
    first = str(outline[0].title) if outline else ""
    return title, first, reader.pages[0].extract_text() or ""


def _facts():
    from checks_helpers import load_context

    ctx, _ = load_context(EXAMPLE)
    return ctx.dossier


def test_protocol_icf_ib_and_tox_reports_carry_their_own_titles(fda_build: Path) -> None:
    d = _facts()
    p, consent, reg = d.protocol, d.consent, d.regulatory
    leaves = _leaves(fda_build)
    at_protocol = {t: h for e, t, h in leaves if e == PROTOCOL_NODE and not t.startswith("Study tagging file")}
    assert set(at_protocol) == {
        f"Protocol {p.number}: {p.short_title.en}",
        f"Informed Consent Form, Protocol {p.number}",
        f"Investigator List, Protocol {p.number}",
    }
    tox = {t: h for e, t, h in leaves if e == REPEAT_DOSE_NODE and not t.startswith("Study tagging file")}
    studies = {s.study_number: s for s in d.studies if s.ich_node == REPEAT_DOSE_NODE}
    assert set(tox) == {f"Study {n}: {s.title.en}" for n, s in studies.items()}
    ib = [h for e, t, h in leaves if t == "Investigator's Brochure"]
    assert len(ib) == 1

    expected = {
        at_protocol[f"Protocol {p.number}: {p.short_title.en}"]: (p.title.en, p.version, p.date),
        at_protocol[f"Informed Consent Form, Protocol {p.number}"]: ("Informed Consent Form", consent.version, consent.date),
        ib[0]: ("Investigator's Brochure", reg.ib_version, reg.ib_date),
    }
    for n, s in studies.items():
        expected[tox[f"Study {n}: {s.title.en}"]] = (s.title.en, s.document.version, s.document.date)
    titles = set()
    for href, (title, version, date) in expected.items():
        meta_title, bookmark, page = _pdf(fda_build, href)
        assert meta_title == title, href
        assert bookmark == title, href  # the bookmarks start with the document's own title
        flat = " ".join(page.split())
        assert date.isoformat() in flat, f"{href}: title page does not show its own date {date}"
        assert re.search(rf"Version\s*:?\s*{re.escape(version)}", flat), f"{href}: no version {version}"
        titles.add(meta_title)
    assert len(titles) == len(expected)  # five documents, five titles
    # the page header keeps the CTD section and heading
    _, _, protocol_page = _pdf(fda_build, at_protocol[f"Protocol {p.number}: {p.short_title.en}"])
    assert "5.3.3.2 Patient PK and Initial Tolerability Study Reports" in " ".join(protocol_page.split())


def test_leaf_titles_are_unique_within_each_element(fda_build: Path) -> None:
    seen: dict[tuple[str, str], str] = {}
    for element, title, href in _leaves(fda_build):
        key = (element, title)
        assert key not in seen or element.startswith("m3-2-"), f"{title!r} twice in {element}: {seen.get(key)}, {href}"
        seen[key] = href
        assert not re.match(r"^\d+(\.\d+)+\s", title), f"leaf title {title!r} starts with a CTD number"


# ------------------------------------------------------------------ ectd.leaf-title-duplicate


def _doc(element: str, title: str, *body: str, leaf: str = "", date: str = "2026-11-20", version: str = "1.0") -> Document:
    meta = DocMeta(title=title, ctd_section="x", element=element, region="fda", lang="en", leaf_title=leaf,
                   date=date, version=version)
    return Document(meta, [Paragraph(text(b)) for b in body])


def _planned(element: str, doc_id: str, template: str) -> PlannedDocument:
    return PlannedDocument(element, doc_id, DocKind.TEMPLATE, "en", template=template)


def test_leaf_title_duplicate_fires_on_two_reports_with_one_title() -> None:
    docs = [_doc(REPEAT_DOSE_NODE, "Repeat-Dose Toxicity"), _doc(REPEAT_DOSE_NODE, "Repeat-Dose Toxicity")]
    planned = [_planned(REPEAT_DOSE_NODE, "tox-mouse", "m4/study-report.md.j2"),
               _planned(REPEAT_DOSE_NODE, "tox-rat", "m4/study-report.md.j2")]
    rb = region_build("fda", docs, planned=planned, sources={"tox-rat": "content/nonclinical/studies.yaml"})
    found = findings(run(EXAMPLE, [rb], ["dates"]), "ectd.leaf-title-duplicate")
    assert len(found) == 1
    assert "Repeat-Dose Toxicity" in found[0].message and "tox-mouse" in found[0].message
    assert found[0].location is not None and found[0].location.path == "content/nonclinical/studies.yaml"


def test_leaf_title_duplicate_is_quiet_on_distinct_titles() -> None:
    docs = [_doc(REPEAT_DOSE_NODE, "Repeat-Dose Toxicity", leaf="Study A: mice"),
            _doc(REPEAT_DOSE_NODE, "Repeat-Dose Toxicity", leaf="Study B: rats")]
    planned = [_planned(REPEAT_DOSE_NODE, "a", "m4/study-report.md.j2"), _planned(REPEAT_DOSE_NODE, "b", "m4/study-report.md.j2")]
    rb = region_build("fda", docs, planned=planned)
    assert not findings(run(EXAMPLE, [rb], ["dates"]), "ectd.leaf-title-duplicate")


# ------------------------------------------------------------------ dates.title-page


def _ib(*body: str, date: str = "2026-11-20", version: str = "1.0") -> list:
    rb = region_build("fda", [_doc(FDA_IB, "Investigator's Brochure", *body, date=date, version=version)],
                      planned=[_planned(FDA_IB, "ib", "m1/us/11441-investigators-brochure.md.j2")])
    return findings(run(EXAMPLE, [rb], ["dates"]), "dates.title-page")


def test_title_page_fires_when_the_body_dates_the_document_otherwise() -> None:
    found = _ib("Investigator's brochure version 1.0, dated 25 November 2026.")
    assert len(found) == 1 and "2026-11-25" in found[0].message and "2026-11-20" in found[0].message


def test_title_page_fires_on_a_version_line_and_on_chinese_dates() -> None:
    found = _ib("Version 2.0, 20 November 2026")
    assert [f for f in found if "version 2.0" in f.message]
    zh = region_build("nmpa", [Document(DocMeta(title="研究者手册", ctd_section="1.3.4.3", element="cn-1-3-4-3", region="nmpa",
                                                 lang="zh", date="2026-11-20", version="1.0"),
                                         [Paragraph(text("研究者手册版本号1.0，版本日期2026年11月25日。"))])],
                      planned=[_planned("cn-1-3-4-3", "ib", "m1/cn/1343-investigators-brochure.md.j2")])
    found = findings(run(EXAMPLE, [zh], ["dates"]), "dates.title-page")
    assert len(found) == 1 and "2026-11-25" in found[0].message


def test_title_page_is_quiet_when_the_body_agrees() -> None:
    assert not _ib("Investigator's brochure version 1.0, dated 20 November 2026.",
                   "The protocol MCT-GLF-101 is dated 25 November 2026.")


def test_title_page_is_quiet_on_the_example(fda_build: Path) -> None:
    # both regions' documents: no body dates its document otherwise, no element has two leaves of one title
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "INDBUILDER_PROGRESS": "none"}
    root = fda_build.parents[4]
    done = subprocess.run([sys.executable, "-m", "indbuilder", "check", "--format", "json"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600)
    assert "dates.title-page" not in done.stdout and "ectd.leaf-title-duplicate" not in done.stdout
