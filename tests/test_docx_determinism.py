"""Same document in, same bytes out; and filling big tables stays linear."""

from __future__ import annotations

import io
import time
import zipfile

from docx_support import full_document, open_docx, part_names

from indbuilder import doctree as dt
from indbuilder.writers.docx import write_docx


def test_two_writes_are_byte_identical():
    doc = full_document(toc=True, disclaimer="Illustrative data")
    assert write_docx(doc) == write_docx(doc)
    # a fresh, equal document (new object identities) gives the same bytes too
    assert write_docx(full_document(toc=True, disclaimer="Illustrative data")) == write_docx(doc)


def test_zip_entries_have_fixed_metadata_and_order():
    data = write_docx(full_document())
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert [i.filename for i in infos[1:]] == sorted(i.filename for i in infos[1:])
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.external_attr == 0o644 << 16 and info.create_system == 3


def test_output_depends_on_content_and_date():
    a = write_docx(full_document())
    b = write_docx(full_document(date="2026-04-01"))
    assert a != b
    assert open_docx(b).core_properties.modified.date().isoformat() == "2026-04-01"


def test_no_stale_template_metadata():
    data = write_docx(full_document())
    assert not [n for n in part_names(data) if "thumbnail" in n]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        app = z.read("docProps/app.xml").decode()
        core = z.read("docProps/core.xml").decode()
    assert "<Application>indbuilder</Application>" in app
    assert "python-docx" not in core and "2013" not in core


def _table_doc(rows: int) -> dt.Document:
    body = [[dt.Cell(dt.text(f"r{r}c{c}")) for c in range(8)] for r in range(rows)]
    head = [[dt.Cell(dt.text(f"H{c}")) for c in range(8)]]
    return dt.Document(full_document().meta, [dt.Table(header=head, rows=body, caption=dt.text("Big"))])


def test_large_table_is_filled_in_linear_time():
    start = time.perf_counter()
    small = write_docx(_table_doc(250))
    t_small = time.perf_counter() - start
    start = time.perf_counter()
    big = write_docx(_table_doc(2000))
    t_big = time.perf_counter() - start
    # 8x the rows: linear filling takes ~8x as long, quadratic ~64x. Allow generous noise.
    assert t_big < max(30 * t_small, 1.0), (t_small, t_big)
    assert t_big < 20.0
    table = open_docx(big).tables[0]
    assert len(table._tbl.tr_lst) == 2001
    assert table._tbl.tr_lst[-1].tc_lst[-1].xpath("string(.)") == "r1999c7"
    assert len(small) < len(big)
