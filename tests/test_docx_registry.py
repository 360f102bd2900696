"""The writer registry: built-in writers load lazily, by name, behind one contract."""

from __future__ import annotations

import subprocess
import sys

import pytest
from docx_support import full_document, meta

from indbuilder import doctree as dt
from indbuilder import writers
from indbuilder.writers import WriteContext, WriteResult, document_context


def test_docx_writer_through_the_registry():
    w = writers.get_writer("docx")
    assert w.name == "docx" and w.extension == ".docx" and w.submission is False
    assert isinstance(w, writers.Writer)
    assert writers.get_writer("docx") is w
    doc = full_document()
    result = w.write(doc, document_context(doc))
    assert isinstance(result, WriteResult)
    assert result.data[:2] == b"PK" and result.diagnostics == []


def test_write_returns_diagnostics_in_the_result():
    doc = dt.Document(meta(), [dt.Paragraph((dt.Link(dt.text("x"), anchor="nowhere"),))])
    result = writers.get_writer("docx").write(doc, document_context(doc))
    assert [d.rule for d in result.diagnostics] == ["docx.anchor-missing"]


def test_unknown_format_is_a_clear_key_error():
    with pytest.raises(KeyError, match="unknown format 'rtf'; available writers: docx, pdf"):
        writers.get_writer("rtf")
    assert writers.check_format("rtf") == "unknown format 'rtf'; available writers: docx, pdf"
    assert writers.check_format("docx") is None
    assert {"docx", "pdf"} <= set(writers.available())


def test_listing_and_choosing_writers_never_imports_typst_or_docx():
    code = (
        "import sys; from indbuilder import writers; names = writers.available(); w = writers.get_writer('pdf'); "
        "print(names, w.submission, 'typst' in sys.modules, 'docx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[-3:] == ["True", "False", "False"]


def test_register_rejects_objects_that_are_not_writers():
    class Half:
        name = "half"
        extension = ".half"

    with pytest.raises(TypeError, match="not a writer"):
        writers.register(Half())  # type: ignore[arg-type]
    assert "half" not in writers.available()


def test_paper_comes_from_the_context_not_the_document_region():
    doc = full_document(region="fda")
    ctx = WriteContext(paper="a4", words=document_context(doc).words)
    data = writers.get_writer("docx").write(doc, ctx).data
    import io

    import docx

    section = docx.Document(io.BytesIO(data)).sections[0]
    assert (section.page_width, section.page_height) == (11906 * 635, 16838 * 635)  # A4 in EMU
