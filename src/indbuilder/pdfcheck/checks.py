"""Submission PDF checks (``indbuilder pdfcheck FILE...``), read with pypdf.

Each rule cites where it comes from. Sources (see docs reference ectd-specs.md §3 and §4):
FDA "Portable Document Format (PDF) Specifications" v4.x (PDF 1.4-1.7 or PDF/A-1/-2, no security,
no JavaScript, no attachments or dynamic content, embedded fonts, text searchable, bookmarks and a
hyperlinked TOC for long documents, 8.5 x 11 inch pages, no external hyperlinks) and NMPA eCTD
validation criteria chapter 6 (rules 6.1-6.26).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NullObject, PdfObject

from ..diagnostics import Diagnostic, Diagnostics, Location
from ..rules import define
from ..paths import file_kind
from .links import catalog as catalog_of, check_links, file_spec_path
from .quiet import describe_pdf_error, silence_pypdf

# pypdf logs the bytes it cannot parse (``invalid pdf header: b'root:'``); findings say what is wrong
silence_pypdf()

__all__ = ["check_pdf", "run_pdfcheck", "PdfCheckLimits", "PROFILE_EXEMPTIONS", "pdf_version"]

# ---------------------------------------------------------------- rules

define(
    "pdf.unreadable",
    "error",
    "A PDF file cannot be opened or parsed.",
    "The file is missing, truncated or not a PDF. Regulators reject files they cannot open.",
    basis="NMPA eCTD validation 6.1 (PDF must be readable); FDA PDF Specifications",
)
define(
    "pdf.encrypted",
    "error",
    "A PDF is encrypted or password protected.",
    "Security settings and passwords must not be activated on submission PDFs. The only exception is "
    "an agency's secured form kept with the security it was issued with (see pdf.form-security-kept).",
    basis="FDA PDF Specifications ('Do not activate security settings or password protection'); "
    "NMPA eCTD validation 6.19/6.21",
)
define(
    "pdf.form-security-kept",
    "info",
    "A secured agency form keeps the security it was issued with; its values are an incremental update.",
    "FDA asks that its fillable forms (1571, 1572, 3674) be submitted with their existing security "
    "settings. Encryption is accepted only for such a form: the file starts with the form's own bytes "
    "and its last trailer keeps the form's /Encrypt dictionary and file identifier. The build compares "
    "with the form the attachment declares; `indbuilder pdfcheck` on a file alone takes the first "
    "revision of an incremental update as the form and says so.",
    basis="FDA PDF Specifications (forms are exempt from the security rule; submit FDA forms with their "
    "existing security settings); ISO 32000-1 §7.5.6 (incremental updates)",
)
define(
    "pdf.version",
    "error",
    "A PDF is not version 1.4 to 1.7 (or PDF/A-1/PDF/A-2, which are based on 1.4 and 1.7).",
    "Re-save the file as PDF 1.7 (or PDF/A-2b). PDF 2.0 and versions older than 1.4 are not accepted.",
    basis="FDA PDF Specifications v4 ('PDF versions 1.4 through 1.7, PDF/A-1 and PDF/A-2 are "
    "acceptable'); NMPA eCTD validation 6.16",
)
define(
    "pdf.javascript",
    "error",
    "A PDF contains JavaScript.",
    "JavaScript actions (document open actions, link or form actions, the /JavaScript name tree) "
    "are not allowed in submission PDFs.",
    basis="FDA PDF Specifications v4 ('PDF files must not contain JavaScript'); NMPA eCTD validation 6.24",
)
define(
    "pdf.attachment",
    "error",
    "A PDF carries embedded files (attachments).",
    "Each document of a submission must be its own leaf; attachments inside a PDF are not allowed.",
    basis="FDA PDF Specifications v4 (no attachments); NMPA eCTD validation 6.17",
)
define(
    "pdf.dynamic-content",
    "warning",
    "A PDF contains multimedia, 3D content or a disallowed action type.",
    "Only GoTo, GoToR and Launch actions (links) are expected; sound, movie, rich media, 3D, "
    "form submission and similar actions are not allowed.",
    basis="FDA PDF Specifications v4 (no dynamic content, audio, video or 3D); NMPA eCTD validation 6.4/6.11, 6.24",
)
define(
    "pdf.font-not-embedded",
    "error",
    "A font used by a PDF is not embedded.",
    "Non-standard fonts must be embedded so the document prints and displays as written.",
    basis="FDA PDF Specifications v4 (non-standard fonts must be embedded); NMPA eCTD validation 6.26",
)
define(
    "pdf.font-standard-not-embedded",
    "info",
    "A standard font (Times, Arial/Helvetica, Courier, Symbol, Zapf Dingbats, SimSun) is not embedded.",
    "Standard fonts may be left unembedded, but embedding them removes any doubt about rendering.",
    basis="NMPA eCTD validation 6.26 (standard fonts or embedded fonts)",
)
define(
    "pdf.bookmarks-missing",
    "warning",
    "A PDF of more than 5 pages has no bookmarks.",
    "Documents longer than 5 pages need bookmarks (and a hyperlinked table of contents) so "
    "reviewers can navigate. Literature references and forms are exempt.",
    basis="NMPA eCTD validation 6.23 ('>5 pages must have bookmarks'); FDA PDF Specifications (bookmarks and hyperlinked TOC)",
)
define(
    "pdf.initial-view",
    "warning",
    "A PDF with bookmarks does not open with the bookmarks panel.",
    "Set the initial view to 'Bookmarks Panel and Page' (catalog /PageMode /UseOutlines).",
    basis="FDA PDF Specifications v2.0+ ('Bookmarks Panel and Page'); NMPA eCTD validation 6.20",
)
define(
    "pdf.external-link",
    "error",
    "A PDF contains a link to a web site or e-mail address.",
    "Links in submission PDFs may only point inside the submission (same document or relative "
    "links to other files of the sequence).",
    basis="FDA PDF Specifications v4 (no external hyperlinks); NMPA eCTD validation 6.3/6.10",
)
define(
    "pdf.absolute-link",
    "warning",
    "A PDF links to another file by an absolute path or file: address.",
    "Links between files of a submission must be relative so that they keep working when the "
    "sequence folder is moved.",
    basis="NMPA eCTD validation 6.2/6.9 (relative links); ICH eCTD specification (relative paths)",
)
define(
    "pdf.uri-file-link",
    "warning",
    "A PDF links to another file with a URI action instead of a GoToR action.",
    "Relative URI actions depend on the viewer; use GoToR (or Launch) with a relative file "
    "specification.",
    basis="NMPA eCTD validation 6.4/6.11 (only GoTo, GoToR and Launch actions)",
)
define(
    "pdf.zoom-not-inherited",
    "warning",
    "A link or bookmark sets a fixed zoom or fit instead of 'Inherit Zoom'.",
    "Destinations should keep the reader's zoom: /XYZ with a null (or 0) zoom.",
    basis="NMPA eCTD validation 6.8/6.15 (links and bookmarks use Inherit Zoom)",
)
define(
    "pdf.annotation",
    "warning",
    "A PDF contains annotations other than links (comments, highlights, stamps...).",
    "Remove review annotations before submission.",
    basis="FDA PDF Specifications v4 ('Do not include PDF annotations'); NMPA eCTD validation 6.18",
)
define(
    "pdf.not-searchable",
    "warning",
    "A PDF has no extractable text (scanned image without OCR?).",
    "Submission PDFs must be text searchable; run OCR or produce the PDF from the source document.",
    basis="FDA PDF Specifications ('text searchable'); NMPA eCTD validation 6.25",
)
define(
    "pdf.page-size",
    "warning",
    "A PDF page is larger than US Letter / A4.",
    "Pages must print on 8.5 x 11 inch (FDA) or A4 (NMPA) paper; landscape pages are fine.",
    basis="FDA PDF Specifications (page size 8.5 x 11 inches); NMPA eCTD technical specification (A4)",
)
define(
    "pdf.file-size",
    "error",
    "A PDF exceeds the maximum file size.",
    "Split the document into several leaves.",
    basis="NMPA eCTD验证标准 2.2 (at most 500 MB per file); the FDA PDF Specifications v4.0 release notes are "
          "reported to raise FDA's limit to 400 MB (not checked against FDA's text). The check uses "
          "PdfCheckLimits.max_bytes (500 MB): lower it if your gateway needs.",
)
define(
    "pdf.file-size-large",
    "warning",
    "A PDF is larger than 100 MB.",
    "Large files are slow to review and to transmit; consider splitting the document.",
    basis="FDA PDF Specifications (previous 100 MB limit); Health Canada/TW validation criteria (size warnings)",
)

# ---------------------------------------------------------------- limits

LETTER = (612.0, 792.0)
A4 = (595.276, 841.89)
_TOLERANCE = 1.5  # points


@dataclass(frozen=True)
class PdfCheckLimits:
    """Tunable thresholds (defaults per the rule bases above)."""

    max_bytes: int = 500 * 1024 * 1024
    warn_bytes: int = 100 * 1024 * 1024
    bookmark_pages: int = 5  # more pages than this need bookmarks
    text_sample_pages: int = 20  # pages sampled for extractable text (0: skip the check)


_STANDARD_FONTS = re.compile(
    r"^(Times(-Roman|-Bold|-Italic|-BoldItalic)?|Helvetica(-Bold|-Oblique|-BoldOblique)?"
    r"|Courier(-Bold|-Oblique|-BoldOblique)?|Symbol|ZapfDingbats"
    r"|TimesNewRoman(PS)?(MT)?(,?-?(Bold|Italic|BoldItalic)(MT)?)?"
    r"|Arial(MT)?(,?-?(Bold|Italic|BoldItalic)(MT)?)?"
    r"|CourierNew(PS)?(MT)?(,?-?(Bold|Italic|BoldItalic)(MT)?)?|SimSun|宋体)$"
)
_EXTERNAL = re.compile(r"^\s*(https?:|ftp:|mailto:|www\.|news:|telnet:)", re.IGNORECASE)
_ABSOLUTE = re.compile(r"^\s*(file:|/|\\\\|[A-Za-z]:[\\/])")
_ALLOWED_ACTIONS = {"/GoTo", "/GoToR", "/Launch", "/URI"}  # URI judged separately
_DYNAMIC_ANNOTS = {"/Movie", "/Sound", "/Screen", "/RichMedia", "/3D"}
_OK_ANNOTS = {"/Link", "/Widget", "/Popup"}


def pdf_version(data: bytes, reader: PdfReader | None = None) -> str | None:
    """The effective version: the header ``%PDF-x.y`` raised by a catalog ``/Version``."""
    m = re.search(rb"%PDF-(\d\.\d)", data[:1024])
    version = m.group(1).decode() if m else None
    if reader is not None:
        try:
            cat = catalog_of(reader)
            v = cat.get("/Version")
            if v is not None:
                cat_v = str(v).lstrip("/")
                if version is None or cat_v > version:
                    version = cat_v
        except Exception:  # a broken catalog is reported elsewhere
            pass
    return version


@dataclass
class _Findings:
    """What one walk of the object graph found."""

    javascript: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    dynamic: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    absolute: list[str] = field(default_factory=list)
    uri_files: list[str] = field(default_factory=list)
    fonts_missing: list[str] = field(default_factory=list)
    fonts_standard: list[str] = field(default_factory=list)
    fixed_zoom: int = 0


# Back-pointers (reached from the top anyway), the logical structure tree of tagged PDFs (it only
# points back at page content and annotations; walking it is most of the cost) and content streams.
_SKIP_KEYS = frozenset({"/Parent", "/P", "/StructTreeRoot", "/StructParents", "/Contents", "/Metadata"})


def _walk(root: PdfObject) -> Iterator[DictionaryObject]:
    """Every dictionary reachable from ``root`` (each indirect object once)."""
    seen: set[tuple[int, int]] = set()
    stack: list[PdfObject] = [root]
    while stack:
        obj: PdfObject | None = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            try:
                obj = obj.get_object()
            except Exception:
                continue
        if isinstance(obj, DictionaryObject):
            yield obj
            for k, v in obj.items():
                if k in _SKIP_KEYS:
                    continue
                stack.append(v)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)


def _font_name(font: DictionaryObject) -> str:
    name = str(font.get("/BaseFont", "(unnamed)")).lstrip("/")
    return name.split("+", 1)[1] if re.match(r"^[A-Z]{6}\+", name) else name


def _action(action: PdfObject | None, found: _Findings, depth: int = 0) -> None:
    """Classify one action dictionary (and its /Next chain)."""
    if action is None or depth > 50:
        return
    obj = action.get_object()
    if isinstance(obj, ArrayObject):  # /OpenAction may be a destination; /Next may be an array
        for x in obj:
            if isinstance(x.get_object(), DictionaryObject):
                _action(x, found, depth + 1)
        return
    if not isinstance(obj, DictionaryObject):
        return
    kind = obj.get("/S")
    if kind == "/URI":
        uri = str(obj.get("/URI", ""))
        if _EXTERNAL.match(uri):
            found.external.append(uri)
        elif _ABSOLUTE.match(uri):
            found.absolute.append(uri)
        else:
            found.uri_files.append(uri)
    elif kind in ("/GoToR", "/Launch"):
        target = file_spec_path(obj)
        if _EXTERNAL.match(target):
            found.external.append(target)
        elif _ABSOLUTE.match(target):
            found.absolute.append(target)
    elif kind == "/JavaScript":
        found.javascript.append("JavaScript action")
    elif kind is not None and kind not in _ALLOWED_ACTIONS:
        found.dynamic.append(f"{str(kind).lstrip('/')} action")
    _action(obj.get("/Next"), found, depth + 1)


def _inherits_zoom(dest: ArrayObject) -> bool:
    """True for ``[page /XYZ left top zoom]`` with a null or 0 zoom (ISO 32000-1 §12.3.2.2)."""
    if len(dest) < 2 or dest[1] != "/XYZ":
        return False
    zoom = dest[4].get_object() if len(dest) > 4 else None
    return zoom is None or isinstance(zoom, NullObject) or float(zoom) == 0


def _inspect(d: DictionaryObject, found: _Findings) -> None:
    typ = d.get("/Type")
    if "/JS" in d or d.get("/S") == "/JavaScript":
        found.javascript.append("JavaScript action")
    if "/JavaScript" in d and isinstance(d.get("/JavaScript"), (DictionaryObject, IndirectObject)):
        found.javascript.append("document-level /JavaScript name tree")
    if "/EmbeddedFiles" in d or "/EF" in d or d.get("/Subtype") == "/FileAttachment":
        name = str(d.get("/UF", d.get("/F", ""))) if "/EF" in d else ""
        found.attachments.append(f"embedded file {name!r}" if name else "embedded file")
    subtype = d.get("/Subtype")
    if subtype in _DYNAMIC_ANNOTS:
        found.dynamic.append(f"{str(subtype).lstrip('/')} annotation")
    for key in ("/A", "/OpenAction"):
        _action(d.get(key), found)
    aa = d.get("/AA")  # additional actions (page open/close, form field events, ...)
    aa = aa.get_object() if aa is not None else None
    if isinstance(aa, DictionaryObject):
        for v in aa.values():
            _action(v, found)
    dest = d.get("/Dest") if ("/Dest" in d) else (d.get("/D") if d.get("/S") == "/GoTo" else None)
    dest = dest.get_object() if dest is not None else None
    if isinstance(dest, ArrayObject) and not _inherits_zoom(dest):
        found.fixed_zoom += 1
    if typ == "/Font" and subtype not in ("/Type0", "/Type3"):
        desc = d.get("/FontDescriptor")
        desc = desc.get_object() if desc is not None else None
        embedded = isinstance(desc, DictionaryObject) and any(
            k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")
        )
        if not embedded:
            name = _font_name(d)
            bucket = found.fonts_standard if _STANDARD_FONTS.match(name.replace(" ", "")) else found.fonts_missing
            if name not in bucket:
                bucket.append(name)


#: Rules that do not apply to some kinds of PDF.
#: - "form": the agencies' fillable forms (FDA 1571/1572/3674...) carry their own field scripts,
#:   actions and layout; they are checked for readability, version, attachments and external links.
#:   They keep the security they were issued with (FDA PDF specifications), but only as the form's
#:   own bytes plus an incremental update (:func:`.secured.kept_security`); any other encryption is
#:   refused for every profile.
#: - "literature": published references (CTD 2.7.5, 3.3, 4.3, 5.4) are exempt from most PDF rules
#:   (NMPA eCTD validation, chapter 6 note); they must still open, be unencrypted and carry no
#:   scripts or attachments. Which rules count as "most" is our reading, not an agency list.
PROFILE_EXEMPTIONS: dict[str, frozenset[str]] = {
    "document": frozenset(),
    "form": frozenset({
        "pdf.javascript", "pdf.dynamic-content", "pdf.bookmarks-missing",
        "pdf.initial-view", "pdf.annotation", "pdf.font-not-embedded", "pdf.font-standard-not-embedded",
        "pdf.zoom-not-inherited",
    }),
    "literature": frozenset({
        "pdf.bookmarks-missing", "pdf.initial-view", "pdf.not-searchable", "pdf.font-not-embedded",
        "pdf.font-standard-not-embedded", "pdf.page-size", "pdf.annotation", "pdf.zoom-not-inherited",
        "pdf.version", "pdf.uri-file-link", "pdf.absolute-link", "pdf.external-link",
    }),
}


def check_pdf(
    source: Path | str | bytes,
    name: str | None = None,
    limits: PdfCheckLimits = PdfCheckLimits(),
    profile: str = "document",
    original: bytes | None = None,
) -> list[Diagnostic]:
    """Check one PDF (a path or its bytes); ``name`` is the location shown in findings.

    ``profile`` is "document" (all rules), "form" or "literature" (see :data:`PROFILE_EXEMPTIONS`).
    ``original``: for a filled agency form, the bytes of the form as declared (issued); an
    encrypted file is accepted only when it starts with exactly those bytes (see :func:`_encryption`).
    """
    found = _check_pdf(source, name, limits, profile, original)
    if profile == "document" and any(d.rule == "pdf.form-security-kept" for d in found):
        # A file recognised as a secured agency form kept as issued (e.g. the filled 1571 when the
        # finished sequence is checked, or `indbuilder pdfcheck` on it) is checked as a form.
        profile = "form"
    exempt = PROFILE_EXEMPTIONS[profile]
    return [d for d in found if d.rule not in exempt]


def _encryption(data: bytes, profile: str, original: bytes | None) -> tuple[bool, str]:
    """Whether an encrypted PDF may stay encrypted, and the finding's text.

    Only a secured agency form kept with its original security: with ``original`` (the build
    filled a declared form) the file must start with the form's unchanged bytes; without it (a
    form attached as supplied, or ``indbuilder pdfcheck FILE``) the file must be an incremental
    update whose first revision is an encrypted fillable form with the same /Encrypt and file
    identifier. Literature (published references) is never encrypted.
    """
    if profile == "literature":
        return False, "file is encrypted (security settings or a password are set)"
    from .secured import kept_security

    kept, why = kept_security(data, original if profile == "form" else None)
    if kept:
        return True, why
    return False, f"file is encrypted (security settings or a password are set); not a secured form kept as issued: {why}"


def _check_pdf(source: Path | str | bytes, name: str | None, limits: PdfCheckLimits,
               profile: str = "document", original: bytes | None = None) -> list[Diagnostic]:
    diags = Diagnostics()
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
        loc = Location(name or "<pdf>")
    else:
        path = Path(source)
        loc = Location(name or path.as_posix())
        problem = _refusal(path, limits)
        if problem is not None:
            rule, message = problem
            diags.emit(rule, message, loc)
            return diags.items
        try:
            data = path.read_bytes()
        except OSError as exc:
            diags.emit("pdf.unreadable", f"cannot read file: {exc.strerror or type(exc).__name__}", loc)
            return diags.items

    size = len(data)
    mb = size / (1024 * 1024)
    if size > limits.max_bytes:
        diags.emit("pdf.file-size", f"file is {mb:.1f} MB; the limit is {limits.max_bytes // (1024 * 1024)} MB", loc)
    elif size > limits.warn_bytes:
        diags.emit("pdf.file-size-large", f"file is {mb:.1f} MB (over {limits.warn_bytes // (1024 * 1024)} MB)", loc)

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except (PdfReadError, ValueError, OSError) as exc:
        diags.emit("pdf.unreadable", f"not a readable PDF: {describe_pdf_error(exc)}", loc)
        return diags.items
    if encrypted:
        kept, why = _encryption(data, profile, original)
        if not kept:
            diags.emit("pdf.encrypted", why, loc,
                       hint="remove all security settings before submission; an agency's secured form keeps "
                            "its security when the build fills it (`fill:` in content/attachments.yaml)")
            return diags.items
        diags.emit("pdf.form-security-kept", why, loc)  # the reader opened it with the empty password

    version = pdf_version(data, reader)
    if version is None or not ("1.4" <= version <= "1.7"):
        diags.emit("pdf.version", f"PDF version is {version or 'unknown'}, expected 1.4 to 1.7", loc)

    try:
        pages = list(reader.pages)
        catalog = catalog_of(reader)
    except Exception as exc:
        diags.emit("pdf.unreadable", f"page tree cannot be read: {describe_pdf_error(exc)}", loc)
        return diags.items

    found = _Findings()
    for d in _walk(reader.trailer["/Root"]):
        _inspect(d, found)
    if found.javascript:
        diags.emit("pdf.javascript", f"file contains JavaScript ({sorted(set(found.javascript))[0]})", loc)
    for what in sorted(set(found.attachments)):
        diags.emit("pdf.attachment", f"file contains an {what}", loc)
    for what in sorted(set(found.dynamic)):
        diags.emit("pdf.dynamic-content", f"file contains a {what}", loc)
    for uri in sorted(set(found.external)):
        diags.emit("pdf.external-link", f"link to external address '{uri}'", loc,
                   hint="print the address as text; do not make it clickable")
    for target in sorted(set(found.absolute)):
        diags.emit("pdf.absolute-link", f"link to absolute file path '{target}'", loc)
    for target in sorted(set(found.uri_files)):
        diags.emit("pdf.uri-file-link", f"URI action used for relative file link '{target}'", loc,
                   hint="use a GoToR action with a relative file specification")
    if found.fixed_zoom:
        diags.emit("pdf.zoom-not-inherited", f"{found.fixed_zoom} link(s) or bookmark(s) set a fixed zoom or fit", loc,
                   hint="use 'Inherit Zoom' for every link and bookmark")
    for font in found.fonts_missing:
        diags.emit("pdf.font-not-embedded", f"font '{font}' is not embedded", loc)
    for font in found.fonts_standard:
        diags.emit("pdf.font-standard-not-embedded", f"standard font '{font}' is not embedded", loc)

    # Annotations other than links, and page sizes.
    odd_annots: set[str] = set()
    bad_sizes: dict[str, list[int]] = {}
    for i, page in enumerate(pages, start=1):
        for ref in page.get("/Annots", None) or []:
            try:
                sub = ref.get_object().get("/Subtype")
            except Exception:
                continue
            if sub not in _OK_ANNOTS and sub not in _DYNAMIC_ANNOTS:
                odd_annots.add(str(sub).lstrip("/"))
        box = page.cropbox
        w, h = float(box.width), float(box.height)
        if (page.get("/Rotate", 0) or 0) % 180:
            w, h = h, w
        fits = any(
            (w <= pw + _TOLERANCE and h <= ph + _TOLERANCE) or (h <= pw + _TOLERANCE and w <= ph + _TOLERANCE)
            for pw, ph in (LETTER, A4)
        )
        if not fits:
            bad_sizes.setdefault(f"{w:.0f} x {h:.0f} pt", []).append(i)
    for what in sorted(odd_annots):
        diags.emit("pdf.annotation", f"file contains {what} annotations", loc)
    for size_text, nums in sorted(bad_sizes.items()):
        shown = ", ".join(str(n) for n in nums[:10]) + (" ..." if len(nums) > 10 else "")
        diags.emit("pdf.page-size", f"page size {size_text} exceeds Letter/A4 (pages {shown})", loc)

    # Bookmarks and the initial view.
    has_outline = False
    try:
        has_outline = len(reader.outline) > 0
    except Exception:
        has_outline = False
    if len(pages) > limits.bookmark_pages and not has_outline:
        diags.emit("pdf.bookmarks-missing", f"{len(pages)} pages but no bookmarks", loc)
    if has_outline and catalog.get("/PageMode") != "/UseOutlines":
        mode = str(catalog.get("/PageMode", "/UseNone")).lstrip("/")
        diags.emit("pdf.initial-view", f"opens with page mode '{mode}', not the bookmarks panel", loc,
                   hint="set the initial view to 'Bookmarks Panel and Page' (/PageMode /UseOutlines)")

    # Searchable text: at least one of the sampled pages must give text (0 pages: not checked).
    if pages and limits.text_sample_pages > 0:
        has_text = False
        for page in pages[: limits.text_sample_pages]:
            try:
                if page.extract_text().strip():
                    has_text = True
                    break
            except Exception:
                continue
        if not has_text:
            n = min(len(pages), limits.text_sample_pages)
            diags.emit("pdf.not-searchable", f"no extractable text on the first {n} page(s)", loc)
    return diags.items


def _refusal(path: Path, limits: PdfCheckLimits) -> tuple[str, str] | None:
    """``(rule, message)`` when ``path`` must not be opened: not a regular file (a named pipe would
    block forever, a device never ends) or over the size limit (judged from its size on disk)."""
    kind = file_kind(path)
    if kind == "missing":
        return "pdf.unreadable", "cannot read file: it does not exist"
    if kind != "regular file":
        return "pdf.unreadable", f"is a {kind}, not a regular file; not opened"
    try:
        size = path.stat().st_size
    except OSError as exc:
        return "pdf.unreadable", f"cannot read file: {exc.strerror or type(exc).__name__}"
    if size > limits.max_bytes:
        mb = size / (1024 * 1024)
        return "pdf.file-size", (f"file is {mb:.1f} MB; the limit is {limits.max_bytes // (1024 * 1024)} MB "
                                 "(not opened)")
    return None


def run_pdfcheck(paths: list[Path], limits: PdfCheckLimits = PdfCheckLimits(), profile: str = "document") -> Diagnostics:
    """Check PDF files (folders are searched for ``*.pdf``), for ``indbuilder pdfcheck FILE...``.

    Besides :func:`check_pdf`, links to other files are followed on disk (:func:`check_links`).
    """
    diags = Diagnostics()
    for p in paths:
        p = Path(p)
        files = sorted(p.rglob("*.pdf")) if p.is_dir() else [p]
        for f in files:
            found = check_pdf(f, f.as_posix(), limits, profile)
            diags.extend(found)
            if _refusal(f, limits) is None:  # a refused file is not opened a second time for its links
                diags.extend(check_links(f, f.as_posix()))
    return diags
