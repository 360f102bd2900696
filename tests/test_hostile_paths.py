"""Hostile-input corpus, paths and budgets (issue 15): templates, attachments, ``validate``, ``pdfcheck``.

Nothing outside the project (or outside the sequence folder) is read, nothing that is not a regular
file is opened, nothing above a size limit is parsed, a template cannot render forever or without
bound, and no message quotes the bytes of a file it refused. Each case runs the real CLI in a
subprocess (tests/hostile_support.py) and asserts the exit code, no traceback, the rule id and the
location; build cases also assert that the previous good build is untouched.

Build cases share one good build of the example (FDA only) per module; ``validate`` cases mutate a
copy of its sequence folder.
"""

from __future__ import annotations

import io
import os
import shutil
import time
from pathlib import Path

import pytest

from hostile_support import Run, assert_handled, cli, project, tree_hash
from indbuilder.diagnostics import Diagnostics
from indbuilder.paths import ReadScope, attachment_refusal
from indbuilder.render.jinja_env import RenderBudget, TemplateEnv

PASSWD = Path("/etc/passwd")
PASSWD_HEAD = PASSWD.read_text(encoding="utf-8", errors="replace").splitlines()[0][:12]  # e.g. "root:x:0:0:r"
UP = "../" * 16  # enough to reach / from any temporary folder
TPL = "templates/ectd/m3/32p1-description-composition.en.md.j2"  # a template the FDA build renders
HOSTILE_SECONDS = 5.0  # what a hostile part of an input may cost (the goal of issue 15)


def no_bytes_of(run: Run, data: str = PASSWD_HEAD) -> None:
    """No message quotes the refused file."""
    assert data not in run.text, run.text[-2000:]


# --------------------------------------------------------------------------------------------------
# shared good build


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example, built once for the FDA region (the previous good output of every build case)."""
    root = project(tmp_path_factory.mktemp("good"))
    run = cli(root, "build", "-r", "fda")
    assert run.code == 0, run.text[-3000:]
    return root


@pytest.fixture()
def copy(built: Path, tmp_path: Path) -> Path:
    """A private copy of the built project (content, templates, build output)."""
    dest = tmp_path / "p"
    shutil.copytree(built, dest, symlinks=True)
    return dest


def sequence_of(root: Path) -> Path:
    [seq] = list((root / "build/fda/ectd").glob("*/0000"))
    return seq


def build_refused(root: Path, rule: str | None, where: str | None) -> Run:
    """``build -r fda`` over a good build: refused with ``rule`` at ``where``, the old build untouched."""
    before = tree_hash(root / "build")
    assert before
    run = cli(root, "build", "-r", "fda")
    assert_handled(run, code=1, rule=rule, where=where)
    assert tree_hash(root / "build") == before, "the previous good build was changed"
    assert not list((root / "build").glob(".staging-*"))
    return run


# --------------------------------------------------------------------------------------------------
# templates


def test_template_symlink_to_etc_passwd_is_refused_and_never_read(copy: Path):
    """The issue's case: a project template that is a symbolic link to /etc/passwd."""
    tpl = copy / TPL
    tpl.unlink()
    tpl.symlink_to(PASSWD)
    run = build_refused(copy, "template.outside-project", TPL)
    no_bytes_of(run)


# (template text, rule, line) rendered by `check` in place of TPL
TEMPLATE_CASES = {
    "nested-loops": ("{% for i in range(10000) %}{% for j in range(10000) %}{{ '' }}{% endfor %}{% endfor %}\n",
                     "template.budget", 1),
    "nested-loops-over-text": ("{% set s = 'ab' * 50000 %}\n{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}\n",
                               "template.budget", 2),
    "include-climbing-out": ('# x\n{% include "' + UP + 'etc/passwd" %}\n', "template.outside-project", 2),
    "import-absolute": ('{% import "/etc/passwd" as p %}\n', "template.outside-project", 1),
    "from-import-climbing-out": ('{% from "../../../indbuilder.yaml" import x %}\n', "template.outside-project", 1),
    "include-absolute-list": ('{% include ["/etc/passwd", "/etc/hostname"] %}\n', "template.outside-project", 1),
    "macro-recursion": ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}\n{{ f(0) }}\n", "template.budget", None),
    "exponential-macros": ("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}\n{{ f(60) }}\n",
                           "template.budget", None),
    "string-times-a-billion": ("ok\n{{ 'x' * 10**9 }}\n", "template.budget", 2),
    "list-times-a-billion": ("{% set l = [1] * 10**9 %}\n", "template.budget", 1),
    "huge-power": ("{{ 7 ** 1000000 }}\n", "template.budget", 1),
    "center-filter": ("{{ 'x' | center(10**9) }}\n", "template.budget", 1),
    "ljust-method": ("{{ 'x'.ljust(10**9) }}\n", "template.budget", 1),
    "range-of-a-billion": ("{% for i in range(10**9) %}{% endfor %}\n", "template.budget", 1),
    "namespace-doubling": ("{% set ns = namespace(s='x') %}\n{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}\n",
                           "template.budget", 2),
    "output-over-5-mb": ("{% for i in range(10000) %}{% for j in range(1000) %}xxxxxxxxxx{% endfor %}{% endfor %}\n",
                         "template.budget", 1),
    "private-attribute": ("{{ product.__class__ }}\n", "template.unsafe", 1),
    "python-internals": ("{{ ''.__class__.__mro__[1].__subclasses__() }}\n", "template.unsafe", 1),
    "format-internals": ("{{ '{0.__class__}'.format(product) }}\n", "template.unsafe", 1),
    "mutating-facts": ("{{ product.__dict__.update({'x': 1}) }}\n", "template.unsafe", 1),
    "self-include": ('{% include "m3/32p1-description-composition.md.j2" %}\n', "template.budget", None),
}


@pytest.mark.parametrize("case", sorted(TEMPLATE_CASES))
def test_hostile_template_is_a_located_finding(copy: Path, case: str):
    text, rule, line = TEMPLATE_CASES[case]
    (copy / TPL).write_text(text, encoding="utf-8")
    run = cli(copy, "check", "-r", "fda")
    assert_handled(run, code=1, rule=rule, where=TPL + (f":{line}" if line else ""))
    no_bytes_of(run)


def test_template_budget_answers_a_hostile_template_within_5_s(tmp_path: Path):
    """The budget (3 s per document) stops nested loops over huge ranges under 5 s."""
    (tmp_path / "t.md.j2").write_text(TEMPLATE_CASES["nested-loops"][0], encoding="utf-8")
    env = TemplateEnv([tmp_path], root=tmp_path)
    diags = Diagnostics()
    t0 = time.perf_counter()
    assert env.render("t.md.j2", {}, "en", diags) is None
    assert time.perf_counter() - t0 < HOSTILE_SECONDS
    assert [d.rule for d in diags] == ["template.budget"]


def test_template_budget_is_configurable(tmp_path: Path):
    (tmp_path / "t.md.j2").write_text("{% for i in range(100) %}{{ i }}{% endfor %}", encoding="utf-8")
    diags = Diagnostics()
    assert TemplateEnv([tmp_path], budget=RenderBudget(max_range=50)).render("t.md.j2", {}, "en", diags) is None
    assert "range() of 100 items" in diags.items[0].message
    ok = TemplateEnv([tmp_path]).render("t.md.j2", {}, "en", Diagnostics())
    assert ok is not None and ok.text.startswith("0123")


def test_template_folder_that_is_a_symlink_out_of_the_project(copy: Path, tmp_path: Path):
    outside = tmp_path / "elsewhere"
    shutil.move(str(copy / "templates/ectd/m3"), outside)
    (copy / "templates/ectd/m3").symlink_to(outside, target_is_directory=True)
    run = cli(copy, "check", "-r", "fda")
    assert_handled(run, code=1, rule="template.outside-project", where="templates/ectd/m3/")


def test_allow_outside_admits_a_template_folder(tmp_path: Path):
    """A folder named in allow_outside may hold templates (the read scope the config builds)."""
    root, shared = tmp_path / "p", tmp_path / "shared"
    (root / "templates").mkdir(parents=True)
    shared.mkdir()
    (shared / "x.md.j2").write_text("shared {{ 1 + 1 }}", encoding="utf-8")
    (root / "templates/x.md.j2").symlink_to(shared / "x.md.j2")
    refused = Diagnostics()
    assert TemplateEnv([root / "templates"], root=root).render("x.md.j2", {}, "en", refused) is None
    assert [d.rule for d in refused] == ["template.outside-project"]
    assert refused.items[0].location is not None and refused.items[0].location.path == "templates/x.md.j2"
    env = TemplateEnv([root / "templates"], root=root, scope=ReadScope.of(root, [shared]))
    out = env.render("x.md.j2", {}, "en", Diagnostics())
    assert out is not None and out.text == "shared 2"


def test_template_that_is_a_named_pipe_is_not_opened(copy: Path):
    """Not a template at all: the project's pipe is found first and refused (never opened, so no hang)."""
    tpl = copy / TPL
    tpl.unlink()
    os.mkfifo(tpl)
    run = cli(copy, "check", "-r", "fda", timeout=60)
    assert_handled(run, code=1, rule="template.unreadable", where="templates/ectd/m3/32p1-description-composition")


def test_included_template_that_is_a_named_pipe(copy: Path):
    os.mkfifo(copy / "templates/ectd/m3/pipe.md.j2")
    (copy / TPL).write_text('# x\n{% include "m3/pipe.md.j2" %}\n', encoding="utf-8")
    run = cli(copy, "check", "-r", "fda", timeout=60)
    assert_handled(run, code=1, rule="template.unreadable", where=TPL + ":2")
    assert "named pipe" in run.text


def test_oversized_template_is_refused(copy: Path):
    tpl = copy / TPL
    with open(tpl, "r+b") as fh:
        fh.truncate(2 * 1024 * 1024)  # sparse: no disk used
    run = cli(copy, "check", "-r", "fda")
    assert_handled(run, code=1, rule="template.unreadable", where=TPL)
    assert "over the limit" in run.text


# --------------------------------------------------------------------------------------------------
# attachments


def attach(root: Path, file: str, fill: str | None = None) -> None:
    """Declare an attachment at FDA node form:fdaft1 (the 1571 data sheet narrative is removed)."""
    (root / "content/narratives/form-1571.en.md").unlink()
    (root / "content/attachments.yaml").write_text(
        "attachments:\n"
        "  - id: form-1571\n"
        "    node: form:fdaft1\n"
        f"    file: {file}\n"
        + (f"    fill: {fill}\n" if fill else "")
        + "    title: {en: Form FDA 1571, zh: FDA 1571表}\n"
        "    regions: [fda]\n",
        encoding="utf-8",
    )


def a_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.pdf_header = b"%PDF-1.7"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


ATTACHMENT_CASES = {
    "file-climbing-to-etc-passwd": (UP + "etc/passwd", None, "build.attachment-outside"),
    "fill-climbing-to-etc-passwd": ("forms/form.pdf", UP + "etc/passwd", "build.attachment-outside"),
    "absolute-file": ("/etc/passwd", None, "build.attachment-outside"),
    "symlinked-file": ("forms/link.pdf", None, "build.attachment-outside"),
    "fill-symlinked": ("forms/form.pdf", "forms/map-link.yaml", "build.attachment-outside"),
}


@pytest.mark.parametrize("case", sorted(ATTACHMENT_CASES))
def test_attachment_outside_the_project_is_refused(copy: Path, case: str):
    file, fill, rule = ATTACHMENT_CASES[case]
    forms = copy / "forms"
    forms.mkdir()
    (forms / "form.pdf").write_bytes(a_pdf())
    (forms / "link.pdf").symlink_to(PASSWD)
    (forms / "map-link.yaml").symlink_to(PASSWD)
    os.mkfifo(forms / "pipe.pdf")
    attach(copy, file, fill)
    run = build_refused(copy, rule, "content/attachments.yaml:")
    no_bytes_of(run)


def test_attachment_that_is_a_named_pipe_is_not_opened(copy: Path):
    (copy / "forms").mkdir()
    os.mkfifo(copy / "forms/pipe.pdf")
    attach(copy, "forms/pipe.pdf")
    run = build_refused(copy, None, "content/attachments.yaml:")
    # the pipeline reports it as missing (not a file) or, with check_attachments, as not a regular file
    assert "[build.attachment-missing]" in run.text or "[build.attachment-unreadable]" in run.text


def test_garbage_attachment_is_reported_without_its_bytes(copy: Path):
    """A file that is not a PDF (here a copy of /etc/passwd inside the project): pypdf's warning
    used to quote its first bytes; the finding says what is wrong instead."""
    (copy / "forms").mkdir()
    shutil.copy(PASSWD, copy / "forms/form.pdf")
    attach(copy, "forms/form.pdf")
    run = build_refused(copy, "pdf.unreadable", "forms/form.pdf")
    no_bytes_of(run)
    assert "b'" not in run.text


@pytest.mark.parametrize("written, ok", [
    ("forms/form.pdf", True),
    ("forms/../forms/form.pdf", True),
    ("../outside.pdf", False),
    ("/etc/passwd", False),
    ("forms/link.pdf", False),
    ("shared/x.pdf", True),  # allowed explicitly below
])
def test_attachment_refusal_by_path(tmp_path: Path, written: str, ok: bool):
    root, shared = tmp_path / "p", tmp_path / "shared"
    (root / "forms").mkdir(parents=True)
    shared.mkdir()
    (root / "forms/form.pdf").write_bytes(b"%PDF-1.7\n")
    (root / "forms/link.pdf").symlink_to(PASSWD)
    (root / "shared").symlink_to(shared, target_is_directory=True)
    (shared / "x.pdf").write_bytes(b"%PDF-1.7\n")
    found = attachment_refusal(ReadScope.of(root, [shared]), written)
    assert (found is None) is ok, found
    if not ok:
        assert found is not None and found[0] == "build.attachment-outside"


# --------------------------------------------------------------------------------------------------
# validate


@pytest.fixture()
def seq(built: Path, tmp_path: Path) -> Path:
    """A private copy of the built FDA sequence 0000 (history folder: its parent)."""
    dest = tmp_path / "fda" / "0000"
    shutil.copytree(sequence_of(built), dest)
    return dest


def validate(path: Path, *extra: str) -> Run:
    run = cli(path.parent if path.parent.exists() else Path("/"), "validate", str(path), *extra, timeout=60)
    assert run.seconds < 30, f"validate took {run.seconds:.1f} s"
    return run


def first_stf(seq: Path) -> Path:
    return sorted(seq.rglob("stf-*.xml"))[0]


def test_good_sequence_validates(seq: Path):
    run = validate(seq)
    assert run.code == 0, run.text[-3000:]


def test_stf_href_climbing_out_is_a_finding_and_not_opened(seq: Path, tmp_path: Path):
    """The issue's case. The climbed-to file is a named pipe: opening it would hang the test."""
    stf = first_stf(seq)
    text = stf.read_text(encoding="utf-8")
    old = text.split('xlink:href="', 1)[1].split('"', 1)[0]
    bad = "../" * 12 + "outside.xml#x"
    stf.write_text(text.replace(old, bad, 1), encoding="utf-8")
    os.mkfifo(tmp_path / "outside.xml")
    line = next(i for i, l in enumerate(stf.read_text().splitlines(), 1) if bad in l)
    rel = stf.relative_to(seq.parent).as_posix()
    run = validate(seq)
    assert_handled(run, code=1, rule="ectd.outside-sequence", where=f"{rel}:{line}")


def test_stf_href_to_an_absolute_path(seq: Path):
    stf = first_stf(seq)
    text = stf.read_text(encoding="utf-8")
    old = text.split('xlink:href="', 1)[1].split('"', 1)[0]
    stf.write_text(text.replace(old, "/etc/passwd#x", 1), encoding="utf-8")
    run = validate(seq)
    assert_handled(run, code=1, rule="ectd.outside-sequence", where=stf.relative_to(seq.parent).as_posix())


def test_leaf_that_is_a_symlink_out_of_the_sequence(seq: Path):
    leaf = sorted(seq.rglob("*.pdf"))[0]
    leaf.unlink()
    leaf.symlink_to(PASSWD)
    run = validate(seq)
    assert_handled(run, code=1, rule="ectd.outside-sequence", where=".xml:")  # the line of the leaf
    assert leaf.relative_to(seq).as_posix() in run.text
    no_bytes_of(run)


def test_stf_that_is_a_named_pipe(seq: Path):
    stf = first_stf(seq)
    stf.unlink()
    os.mkfifo(stf)
    run = validate(seq)
    assert_handled(run, code=1, rule="ectd.file-refused")
    assert "named pipe" in run.text


def test_index_that_is_a_named_pipe(seq: Path):
    (seq / "index.xml").unlink()
    os.mkfifo(seq / "index.xml")
    run = validate(seq)
    assert_handled(run, code=1, rule="ectd.file-refused", where="0000/index.xml")


def test_index_over_the_size_limit(seq: Path):
    with open(seq / "index.xml", "r+b") as fh:
        fh.truncate(60 * 1024 * 1024)  # sparse
    run = validate(seq)
    assert_handled(run, code=1, rule="ectd.file-refused", where="0000/index.xml")
    assert "50.0 MB" in run.text and run.seconds < HOSTILE_SECONDS * 3


def test_leaf_over_the_size_limit(seq: Path):
    leaf = sorted(seq.rglob("*.pdf"))[0]
    with open(leaf, "r+b") as fh:
        fh.truncate(6 * 1024 * 1024 * 1024)  # sparse
    run = validate(seq)
    assert_handled(run, code=1, rule="ectd.file-refused", where=".xml:")  # the line of the leaf
    assert leaf.relative_to(seq).as_posix() in run.text and run.seconds < HOSTILE_SECONDS * 3


def test_index_symlinked_out_of_the_sequence(seq: Path, tmp_path: Path):
    outside = tmp_path / "index-elsewhere.xml"
    shutil.move(str(seq / "index.xml"), outside)
    (seq / "index.xml").symlink_to(outside)
    run = validate(seq)
    assert_handled(run, code=1, rule="ectd.outside-sequence", where="0000/index.xml")


def test_folder_symlinked_out_of_the_sequence(seq: Path, tmp_path: Path):
    (tmp_path / "elsewhere").mkdir()
    (seq / "m3" / "extra").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    run = validate(seq)
    assert_handled(run, code=1, rule="ectd.outside-sequence", where="0000/m3/extra")


def test_index_with_an_external_entity(seq: Path):
    index = seq / "index.xml"
    text = index.read_text(encoding="utf-8")
    dtd = '"util/dtd/ich-ectd-3-2.dtd">'
    assert dtd in text
    index.write_text(text.replace(dtd, dtd[:-1] + ' [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>').replace(
        "</ectd:ectd>", "&xxe;</ectd:ectd>"), encoding="utf-8")
    run = validate(seq)
    assert_handled(run, code=1, rule="ectd.xml-unsafe", where="0000/index.xml")
    no_bytes_of(run)


def test_billion_laughs_backbone(seq: Path):
    lol = "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10 if i else "lol"}">' for i in range(10))
    (seq / "index.xml").write_text(f'<?xml version="1.0"?>\n<!DOCTYPE x [{lol}]>\n<x>&l9;</x>\n', encoding="utf-8")
    run = validate(seq)
    assert_handled(run, code=1, where="0000/index.xml")
    # libxml2 refuses the amplification itself (ectd.xml-malformed), or the declarations are reported
    assert "[ectd.xml-malformed]" in run.text or "[ectd.xml-unsafe]" in run.text, run.text[-2000:]
    assert run.seconds < HOSTILE_SECONDS * 3


def test_garbage_backbone_is_not_quoted(seq: Path):
    shutil.copy(PASSWD, seq / "index.xml")
    run = validate(seq)
    assert_handled(run, code=1, rule="ectd.xml-malformed", where="0000/index.xml")
    no_bytes_of(run)


def test_validate_a_named_pipe(tmp_path: Path):
    os.mkfifo(tmp_path / "0000")
    run = validate(tmp_path / "0000")
    assert_handled(run, code=1, rule="ectd.file-refused", where="0000")
    assert "named pipe" in run.text


def test_validate_a_device():
    run = cli(Path("/"), "validate", "/dev/zero", timeout=60)
    assert_handled(run, code=1, rule="ectd.file-refused", where="/dev/zero")
    assert "character device" in run.text


def test_validate_an_empty_folder(tmp_path: Path):
    (tmp_path / "0000").mkdir()
    run = validate(tmp_path / "0000")
    assert_handled(run, code=1, rule="ectd.xml-malformed", where="0000")


def test_validate_a_symlink_loop(tmp_path: Path):
    (tmp_path / "0000").symlink_to(tmp_path / "0000")
    run = validate(tmp_path / "0000")
    assert_handled(run, code=2)  # the argument does not exist: a usage error


# --------------------------------------------------------------------------------------------------
# pdfcheck


def pdfcheck(tmp_path: Path, *files: Path) -> Run:
    return cli(tmp_path, "pdfcheck", *map(str, files), timeout=60)


def test_pdfcheck_named_pipe_answers_at_once(tmp_path: Path):
    os.mkfifo(tmp_path / "pipe.pdf")
    run = pdfcheck(tmp_path, tmp_path / "pipe.pdf")
    assert_handled(run, code=1, rule="pdf.unreadable", where="pipe.pdf")
    assert "named pipe" in run.text and run.seconds < HOSTILE_SECONDS


def test_pdfcheck_device(tmp_path: Path):
    run = pdfcheck(tmp_path, Path("/dev/zero"))
    assert_handled(run, code=1, rule="pdf.unreadable", where="/dev/zero")
    assert run.seconds < HOSTILE_SECONDS


def test_pdfcheck_oversized_file_is_not_read(tmp_path: Path):
    big = tmp_path / "big.pdf"
    with open(big, "wb") as fh:
        fh.truncate(600 * 1024 * 1024)  # sparse
    run = pdfcheck(tmp_path, big)
    assert_handled(run, code=1, rule="pdf.file-size", where="big.pdf")
    assert "limit is 500 MB" in run.text and run.seconds < HOSTILE_SECONDS


def test_pdfcheck_folder_holding_a_pipe(tmp_path: Path):
    (tmp_path / "d").mkdir()
    os.mkfifo(tmp_path / "d/pipe.pdf")
    (tmp_path / "d/ok.pdf").write_bytes(a_pdf())
    run = cli(tmp_path, "pdfcheck", "d", timeout=60)  # a folder: searched for *.pdf
    if run.code == 2:  # the CLI takes files only
        assert_handled(run, code=2)
    else:
        assert_handled(run, code=1, rule="pdf.unreadable", where="pipe.pdf")


PDF_CASES = {
    "etc-passwd": (lambda: PASSWD.read_bytes(), "pdf.unreadable"),
    "zero-bytes": (lambda: b"", "pdf.unreadable"),
    "garbage-bytes": (lambda: bytes(range(256)) * 64, "pdf.unreadable"),
    "header-only": (lambda: b"%PDF-1.7\n", "pdf.unreadable"),
    "truncated": (lambda: a_pdf()[: len(a_pdf()) // 2], "pdf.unreadable"),
    "garbage-trailer": (lambda: a_pdf().rsplit(b"trailer", 1)[0] + b"trailer\n<< /Root 999 0 R /Size -1 >>\nstartxref\n1\n%%EOF\n",
                        "pdf.unreadable"),
    "encrypted": (lambda: encrypted_pdf(), "pdf.encrypted"),
}


def encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("case", sorted(PDF_CASES))
def test_pdfcheck_broken_pdf(tmp_path: Path, case: str):
    make, rule = PDF_CASES[case]
    f = tmp_path / "doc.pdf"
    f.write_bytes(make())
    run = pdfcheck(tmp_path, f)
    assert run.code == 1 and "Traceback" not in run.text and "internal error" not in run.text, run.text
    assert "doc.pdf" in run.text
    if case not in ("truncated", "garbage-trailer"):  # pypdf may recover these into other findings
        assert f"[{rule}]" in run.text, run.text
    no_bytes_of(run)
    assert "b'" not in run.text and run.seconds < HOSTILE_SECONDS * 2
