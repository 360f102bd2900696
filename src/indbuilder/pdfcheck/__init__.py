"""PDF rule checks, attachment checks and AcroForm filling for submission PDFs."""

from .checks import PdfCheckLimits, check_pdf, pdf_version, run_pdfcheck
from .forms import FormMapping, fill_form, form_field_names, resolve_mapping

__all__ = [
    "PdfCheckLimits",
    "check_pdf",
    "pdf_version",
    "run_pdfcheck",
    "FormMapping",
    "fill_form",
    "form_field_names",
    "resolve_mapping",
]
