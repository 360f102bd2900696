"""Benchmark the PDF writer: whole ``write_pdf`` versus the typst engine alone.

    .venv/bin/python benchmarks/bench_pdf.py [N] [ROWS]

Renders N synthetic documents (each with ROWS table rows, several headings, lists and footnotes)
through :func:`indbuilder.writers.pdf.write_pdf`, then compiles the very same typst template and
inputs with ``typst.compile`` alone. The difference is the pipeline overhead: building the JSON
data, reading anchor positions back from typst and the pypdf finishing step.
"""

from __future__ import annotations

import sys
import time

import typst

from indbuilder import doctree as d
from indbuilder.writers.pdf import PDF_STANDARD, page_count, typst_inputs, typst_source, write_pdf
from indbuilder.writers.pdf_fonts import font_setup


def synthetic(i: int, rows: int) -> d.Document:
    meta = d.DocMeta(
        title=f"Synthetic document {i}", ctd_section="3.2.P.5.1", element="m3-2-p-5-1-specifications",
        region="fda" if i % 2 == 0 else "nmpa", lang="en", product="ABC-101", sponsor="Acme",
        version="1.0", date="2026-03-01",
    )
    blocks: list[d.Block] = []
    for s in range(4):
        blocks.append(d.Heading(1, d.text(f"Section {s}"), anchor=f"s{s}"))
        blocks.append(d.Paragraph((d.Text("Text with a reference "), d.Link(d.text("back"), anchor="s0"),
                                   d.Text(" and a note"), d.FootnoteRef("n"), d.Text("."))))
        blocks.append(d.ListBlock(False, [[d.Paragraph(d.text(f"item {k} USP <71>"))] for k in range(5)]))
        blocks.append(d.Table(
            header=[[d.Cell(d.text("Test")), d.Cell(d.text("Result"))]],
            rows=[[d.Cell(d.text(f"row {r}")), d.Cell(d.text("complies"))] for r in range(rows)],
            caption=d.text(f"Table {s}"), anchor=f"t{s}",
        ))
    return d.Document(meta, blocks, {"n": [d.Paragraph(d.text("A footnote."))]})


def main(n: int = 20, rows: int = 40) -> None:
    docs = [synthetic(i, rows) for i in range(n)]
    write_pdf(docs[0])  # warm up: font scan (cached) and typst initialisation

    t0 = time.perf_counter()
    pages = sum(page_count(write_pdf(doc)) for doc in docs)
    t_pipeline = time.perf_counter() - t0

    # The same typst sources: the constant template and each document's inputs.
    sources = [typst_inputs(doc) for doc in docs]
    fonts = font_setup("en").fonts
    t0 = time.perf_counter()
    for inputs in sources:
        typst.compile(typst_source(), font_paths=fonts, ignore_system_fonts=True, sys_inputs=inputs,
                      pdf_standards=PDF_STANDARD, timestamp=0)
    t_engine = time.perf_counter() - t0

    print(f"{n} documents, {pages} pages")
    print(f"write_pdf (pipeline): {t_pipeline:8.3f} s  ({1000 * t_pipeline / n:7.1f} ms/doc)")
    print(f"typst.compile alone:  {t_engine:8.3f} s  ({1000 * t_engine / n:7.1f} ms/doc)")
    print(f"pipeline overhead:    {t_pipeline - t_engine:8.3f} s  ({100 * (t_pipeline / t_engine - 1):5.1f} %)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
