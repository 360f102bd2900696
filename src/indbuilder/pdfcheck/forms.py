"""Filling the agencies' fillable PDF forms (FDA 1571/1572/3674, ...) from project facts.

A mapping file says which fact goes into which AcroForm field::

    # forms/fda-1571.map.yaml   -- PDF field name: fact path (dots; list items by number)
    SponsorName: sponsor.name.en
    SponsorAddress1: sponsor.address.lines.0
    Phase: {value: "1"}            # a constant
    DrugName: {fact: product.name.en, default: "TBD"}

:func:`resolve_mapping` turns it into ``{field: text}`` (reporting unknown fields and fact paths
as diagnostics at their line in the mapping file) and :func:`fill_form` writes the values into
the form with pypdf. The FDA forms are exempt from the "no security" rule, but the filled form
must stay fillable, so we only set values and ``/NeedAppearances`` (viewers redraw the fields) and drop the XFA copy
of the form and the usage-rights signature, which would contradict the new values.
"""

from __future__ import annotations

import datetime as _dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, PdfObject

from ..diagnostics import Diagnostics, Location
from ..rules import define
from ..yamlio import LoadedYaml, load_yaml, load_yaml_text

__all__ = ["FormMapping", "fill_form", "form_field_names", "resolve_mapping", "resolve_fact"]

define(
    "pdf.form-mapping-invalid",
    "error",
    "A form mapping file is not a mapping of PDF field names to fact paths.",
    "Each entry must be `FieldName: fact.path` or `FieldName: {fact: path, default: text}` or "
    "`FieldName: {value: text}`.",
)
define(
    "pdf.form-unknown-field",
    "error",
    "A form mapping names a field that the PDF form does not have.",
    "The value would be silently lost. Check the field name against the form (names are case sensitive).",
    basis="FDA: the application form must match the application (eCTD validation, form checks)",
)
define(
    "pdf.form-unknown-fact",
    "error",
    "A form mapping refers to a fact path that does not exist in the project facts.",
    "The field would stay empty. Fix the path or add the fact; use `default:` for optional facts.",
    basis="21 CFR 312.23(a)(1) (Form FDA 1571 must be complete)",
)
define(
    "pdf.form-fact-not-text",
    "error",
    "A form mapping refers to a fact that is a list or mapping, not a single value.",
    "Point the field at one value (e.g. `sponsor.address.lines.0`, not `sponsor.address`).",
)
define(
    "pdf.form-field-unmapped",
    "info",
    "A field of the PDF form has no entry in the mapping file.",
    "Unmapped fields stay as they are in the template (usually empty).",
)

_MISSING = object()


@dataclass
class FormMapping:
    """A parsed mapping file: ``field -> (fact path | None, constant | None, default | None)``."""

    entries: dict[str, tuple[str | None, str | None, str | None]] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)


def form_field_names(template_pdf: Path | bytes) -> list[str]:
    """The fully qualified names of the AcroForm fields of a PDF, sorted."""
    reader = PdfReader(io.BytesIO(template_pdf) if isinstance(template_pdf, bytes) else template_pdf)
    return sorted((reader.get_fields() or {}).keys())


def resolve_fact(facts: object, path: str) -> object:
    """The value at a dotted ``path`` in nested dicts/lists/objects, or a private sentinel."""
    cur = facts
    for part in path.split("."):
        if isinstance(cur, dict):
            cur = cur.get(part, _MISSING)
        elif isinstance(cur, (list, tuple)):
            cur = cur[int(part)] if part.isdigit() and int(part) < len(cur) else _MISSING
        elif hasattr(cur, part) and not part.startswith("_"):
            cur = getattr(cur, part)
        else:
            cur = _MISSING
        if cur is _MISSING:
            return _MISSING
    return cur


def _as_text(value: object) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "Off"
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, (str, int, float)):
        return str(value)
    if hasattr(value, "value") and isinstance(getattr(value, "value"), (str, int, float)):  # enums
        return str(value.value)
    return None


def _load(mapping_yaml: Path | str | LoadedYaml) -> LoadedYaml:
    if isinstance(mapping_yaml, LoadedYaml):
        return mapping_yaml
    if isinstance(mapping_yaml, Path):
        return load_yaml(mapping_yaml)
    return load_yaml_text(mapping_yaml, "<form mapping>")


def parse_mapping(mapping_yaml: Path | str | LoadedYaml, diagnostics: Diagnostics) -> FormMapping:
    """Read a mapping file (a path, YAML text, or an already loaded file)."""
    loaded = _load(mapping_yaml)
    diagnostics.extend(loaded.diagnostics)
    result = FormMapping()
    data = loaded.data
    if data is None:
        return result
    if not isinstance(data, dict):
        diagnostics.emit("pdf.form-mapping-invalid", "the mapping file must be a YAML mapping", loaded.location())
        return result
    for name, spec in data.items():
        loc = loaded.location((name,))
        fname = str(name)
        if isinstance(spec, str):
            result.entries[fname] = (spec.strip(), None, None)
        elif isinstance(spec, dict) and set(spec) <= {"fact", "value", "default"} and (
            ("fact" in spec) != ("value" in spec)
        ):
            fact = spec.get("fact")
            const = spec.get("value")
            default = spec.get("default")
            result.entries[fname] = (
                str(fact).strip() if fact is not None else None,
                None if const is None else str(const),
                None if default is None else str(default),
            )
        else:
            diagnostics.emit(
                "pdf.form-mapping-invalid",
                f"field '{fname}': expected a fact path, {{fact: ..., default: ...}} or {{value: ...}}, got {spec!r}",
                loc,
            )
            continue
        result.locations[fname] = loc
    return result


def resolve_mapping(
    mapping_yaml: Path | str | LoadedYaml,
    facts: object,  # the dossier, or any object/dict tree the mapping's dotted paths walk
    diagnostics: Diagnostics | None = None,
    template_pdf: Path | bytes | None = None,
) -> dict[str, str]:
    """``{pdf field: text}`` for :func:`fill_form`.

    Unknown fact paths (``pdf.form-unknown-fact``), non-scalar facts, and - when ``template_pdf``
    is given - field names the form does not have (``pdf.form-unknown-field``) are reported to
    ``diagnostics`` with their line in the mapping file; such entries are left out of the result.
    """
    diags = diagnostics if diagnostics is not None else Diagnostics()
    mapping = parse_mapping(mapping_yaml, diags)
    known = set(form_field_names(template_pdf)) if template_pdf is not None else None
    out: dict[str, str] = {}
    for fname, (fact, const, default) in mapping.entries.items():
        loc = mapping.locations.get(fname)
        if known is not None and fname not in known:
            close = sorted(k for k in known if k.lower() == fname.lower())
            diags.emit(
                "pdf.form-unknown-field",
                f"the form has no field '{fname}'",
                loc,
                hint=f"did you mean '{close[0]}'?" if close else None,
            )
            continue
        if const is not None:
            out[fname] = const
            continue
        assert fact is not None
        value = resolve_fact(facts, fact)
        if value is _MISSING:
            if default is not None:
                out[fname] = default
            else:
                diags.emit("pdf.form-unknown-fact", f"field '{fname}': no fact at path '{fact}'", loc)
            continue
        text = _as_text(value)
        if text is None:
            diags.emit(
                "pdf.form-fact-not-text",
                f"field '{fname}': fact '{fact}' is a {type(value).__name__}, not a single value",
                loc,
            )
            continue
        out[fname] = text
    if known is not None:
        for missing in sorted(known - set(mapping.entries)):
            diags.emit("pdf.form-field-unmapped", f"form field '{missing}' is not in the mapping", None)
    return out


def _checkbox_state(annot: DictionaryObject, value: str) -> NameObject:
    """The on-state name of a check box for truthy values, else /Off."""
    on = value.strip().lower() in {"yes", "true", "x", "1", "on", "checked"}
    if not on:
        return NameObject("/Off")
    ap = annot.get("/AP")
    names = [k for k in (ap.get_object().get("/N", {}) if ap else {}).keys() if k != "/Off"]
    return NameObject(names[0] if names else "/Yes")


def fill_form(template_pdf: Path | bytes, mapping: dict[str, str]) -> bytes:
    """Fill the AcroForm fields named in ``mapping`` and return the PDF (same input, same bytes).

    Text fields get the value; check boxes are ticked for yes/true/x/1. ``/NeedAppearances`` is set
    so viewers draw the values. Names not in the form are ignored here (see :func:`resolve_mapping`).

    A secured (encrypted) form, such as FDA's 1571, 1572 and 3674, keeps its security: it is filled
    by an incremental update appended to its unchanged bytes (:mod:`.secured`). An unsecured form is
    written anew (pypdf repairs a damaged cross-reference on the way, and there is no security to keep).
    """
    data = template_pdf if isinstance(template_pdf, bytes) else template_pdf.read_bytes()
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        from .secured import fill_secured_form

        return fill_secured_form(data, lambda writer, rd: _set_values(writer, rd, mapping))
    writer = PdfWriter(clone_from=reader)
    if reader.pdf_header:
        writer.pdf_header = reader.pdf_header.encode() if isinstance(reader.pdf_header, str) else reader.pdf_header
    _set_values(writer, reader, mapping)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _set_values(writer: PdfWriter, reader: PdfReader, mapping: dict[str, str]) -> None:
    """Write the values into ``writer`` (a clone of ``reader``), set /NeedAppearances and drop
    what would contradict the values (:func:`_drop_stale_form_layers`)."""
    fields = reader.get_fields() or {}
    text_values: dict[str, str] = {}
    for name, value in mapping.items():
        info = fields.get(name)
        if info is None:
            continue
        if info.get("/FT") == "/Btn":
            continue  # handled below, per widget
        text_values[name] = value
    for page in writer.pages:
        if text_values:
            writer.update_page_form_field_values(page, text_values, auto_regenerate=False)
        for ref in page.get("/Annots", None) or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Widget":
                continue
            parent = annot.get("/Parent")
            field_dict = parent.get_object() if parent is not None and "/T" not in annot else annot
            name = _qualified_name(field_dict)
            ftype = field_dict.get("/FT", annot.get("/FT"))
            if name in mapping and name in fields and ftype == "/Btn":
                state = _checkbox_state(annot, mapping[name])
                field_dict[NameObject("/V")] = state
                annot[NameObject("/AS")] = state
    writer.set_need_appearances_writer(True)
    _drop_stale_form_layers(writer)


def _drop_stale_form_layers(writer: PdfWriter) -> None:
    """Remove what would contradict or reject the values we just set.

    - ``/XFA``: hybrid (XFA + AcroForm) forms keep a second copy of the data that XFA-aware
      viewers show instead of the AcroForm values; without it every viewer shows the AcroForm.
    - ``/Perms`` (usage-rights signature, /UR3): it signs the unfilled form, so after filling
      Adobe Reader would report the document as changed and disable its features.
    """
    acro = writer.root_object.get("/AcroForm")
    acro = acro.get_object() if acro is not None else None
    if isinstance(acro, DictionaryObject) and "/XFA" in acro:
        del acro["/XFA"]
    if "/Perms" in writer.root_object:
        del writer.root_object["/Perms"]


def _qualified_name(field_dict: DictionaryObject) -> str:
    parts: list[str] = []
    cur: PdfObject | None = field_dict
    while cur is not None:
        node = cur.get_object()
        if not isinstance(node, DictionaryObject):  # a dangling /Parent: name what was found
            break
        if "/T" in node:
            parts.append(str(node["/T"]))
        cur = node.get("/Parent")
    return ".".join(reversed(parts))
