"""PDF rule checks, attachment checks and AcroForm filling for submission PDFs."""

from .checks import PdfCheckLimits, check_pdf, pdf_version, run_pdfcheck
from .links import check_links, destination_names, file_links
from .forms import FormMapping, fill_form, form_field_names, resolve_mapping

__all__ = [
    "PdfCheckLimits",
    "check_pdf",
    "pdf_version",
    "run_pdfcheck",
    "check_links",
    "destination_names",
    "file_links",
    "FormMapping",
    "fill_form",
    "form_field_names",
    "resolve_mapping",
]
