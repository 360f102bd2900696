"""The writer registry: docx is always there; optional writers load lazily."""

from __future__ import annotations

import pytest
from docx_support import full_document, meta

from indbuilder import doctree as dt
from indbuilder import writers
from indbuilder.diagnostics import Diagnostics


def test_docx_registered_eagerly():
    w = writers.WRITERS["docx"]
    assert w.name == "docx" and w.extension == ".docx"
    assert isinstance(w, writers.Writer)
    assert writers.get_writer("docx") is w
    assert w.write(full_document())[:2] == b"PK"


def test_write_passes_diagnostics_to_writers_that_take_them():
    diags = Diagnostics()
    doc = dt.Document(meta(), [dt.Paragraph((dt.Link(dt.text("x"), anchor="nowhere"),))])
    writers.write("docx", doc, diags)
    assert [d.rule for d in diags] == ["docx.anchor-missing"]


def test_unknown_or_missing_writer_module_does_not_break_docx(monkeypatch):
    monkeypatch.setitem(writers._MODULES, "odt", ("indbuilder.writers.odt_not_installed", "OdtWriter"))
    with pytest.raises(KeyError, match="odt"):
        writers.get_writer("odt")
    with pytest.raises(KeyError, match="rtf"):
        writers.get_writer("rtf")
    assert "odt" not in writers.available()
    assert "docx" in writers.available()
    assert writers.write("docx", full_document())[:2] == b"PK"


def test_write_calls_writers_without_a_diags_parameter(monkeypatch):
    class Plain:
        name = "txt"
        extension = ".txt"

        def write(self, doc: dt.Document) -> bytes:
            return doc.meta.title.encode()

    monkeypatch.setitem(writers.WRITERS, "txt", Plain())
    assert writers.write("txt", full_document(), Diagnostics()) == b"Stability Summary and Conclusion"
