"""Load and validate a region's outline from ``outline/data/<region>.yaml``.

The outline files ship with indbuilder, so a malformed one is a packaging bug: it raises
:class:`OutlineError` naming every problem, instead of producing content diagnostics.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .model import Fill, FillKind, FormSlot, IndItem, Outline, OutlineError, OutlineNode, SourceRef, Status, Title

_ID_RE = re.compile(r"^[a-z][a-z0-9-]*$")
_NUMBER_RE = re.compile(r"^[0-9]+(\.[0-9A-Za-z]+)*$")
_TEMPLATE_RE = re.compile(r"^[a-z0-9][a-z0-9/_.-]*\.md\.j2$")
_NODE_KEYS = {
    "id", "number", "title", "status", "by_modality", "basis", "fill", "ind_items", "na_allowed", "repeat", "note", "forms",
    "children",
}
_FILL_KEYS = {"template", "each", "where", "attachment", "file_tag", "record_attachment"}


def load_outline(region: str, path: Path | None = None) -> Outline:
    """The validated outline of the registered ``region`` (its profile's ``outline_path()``), or of the
    YAML file ``path``.

    Raises :class:`OutlineError` when the region is unknown or the data is invalid.
    """
    if path is not None:
        return _parse(Path(path).read_text(encoding="utf-8"), str(path))
    from .. import regions

    if region not in regions.names():
        raise OutlineError(f"unknown region {region!r}; expected one of {', '.join(regions.names())}")
    return _load_region(region, regions.get(region).outline_path())


@lru_cache(maxsize=None)
def _load_region(region: str, path: Path) -> Outline:
    origin = f"outline/data/{path.name}" if path.parent.name == "data" and path.parent.parent.name == "outline" else str(path)
    outline = _parse(path.read_text(encoding="utf-8"), origin)
    if outline.region != region:
        raise OutlineError(f"{origin} declares region {outline.region!r}")
    return outline


# The outline files are packaged data (no source locations needed): libyaml's loader reads them in a
# fraction of the pure-Python loader's time, which every check and build pays.
_FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(text: str, origin: str) -> Outline:
    data = yaml.load(text, Loader=_FAST_LOADER)  # noqa: S506 - a safe loader (C or Python)
    problems: list[str] = []
    if not isinstance(data, dict):
        raise OutlineError(f"{origin}: top level must be a mapping")

    def need(key: str) -> Any:
        if key not in data:
            problems.append(f"missing top-level key {key!r}")
        return data.get(key)

    region = str(need("region") or "")
    version = str(need("version") or "")
    effective = _date(need("effective"), problems)
    language = str(need("language") or "")
    if language not in ("en", "zh"):
        problems.append(f"language must be 'en' or 'zh', got {language!r}")
    na_mode = str(data.get("not_applicable", "omit"))
    if na_mode not in ("omit", "render"):
        problems.append(f"not_applicable must be 'omit' or 'render', got {na_mode!r}")
    sources = tuple(SourceRef(str(s.get("id")), str(s.get("title"))) for s in (need("sources") or []))
    items = tuple(
        IndItem(
            id=str(i["id"]),
            title=_title(i.get("title"), f"ind item {i.get('id')}", problems),
            basis=str(i.get("basis", "")),
            satisfied_by=i.get("satisfied_by"),
            note=i.get("note"),
        )
        for i in (data.get("ind_items") or [])
    )
    item_ids = {i.id for i in items}
    if len(item_ids) != len(items):
        problems.append("duplicate ind_items ids")

    seen: dict[str, str] = {}
    numbers: dict[str, str] = {}
    modules = tuple(
        _node(raw, None, problems, seen, numbers, item_ids) for raw in (need("modules") or [])
    )
    if problems:
        raise OutlineError(f"{origin}: invalid outline:\n  " + "\n  ".join(problems))
    return Outline(
        region=region,
        version=version,
        effective=effective or dt.date(1970, 1, 1),
        language=language,
        not_applicable=na_mode,
        sources=sources,
        ind_items=items,
        modules=modules,
    )


def _date(value: Any, problems: list[str]) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(f"effective must be an ISO date, got {value!r}")
        return None


def _title(value: Any, where: str, problems: list[str]) -> Title:
    if not isinstance(value, dict) or not str(value.get("en", "")).strip() or not str(value.get("zh", "")).strip():
        problems.append(f"{where}: title needs non-empty 'en' and 'zh'")
        value = value if isinstance(value, dict) else {}
    return Title(str(value.get("en", "")).strip(), str(value.get("zh", "")).strip())


def _node(
    raw: Any,
    parent: str | None,
    problems: list[str],
    seen: dict[str, str],
    numbers: dict[str, str],
    item_ids: set[str],
) -> OutlineNode:
    if not isinstance(raw, dict):
        problems.append(f"node under {parent}: must be a mapping")
        raw = {}
    node_id = str(raw.get("id", ""))
    where = f"node {node_id or '?'}"
    if not _ID_RE.match(node_id):
        problems.append(f"{where}: id must be an eCTD element name (lowercase letters, digits, '-')")
    if node_id in seen:
        problems.append(f"{where}: duplicate id")
    seen[node_id] = node_id
    unknown = set(raw) - _NODE_KEYS
    if unknown:
        problems.append(f"{where}: unknown keys {sorted(unknown)}")
    number = str(raw.get("number", ""))
    if not _NUMBER_RE.match(number):
        problems.append(f"{where}: bad display number {number!r}")
    elif number in numbers:
        problems.append(f"{where}: number {number} already used by {numbers[number]}")
    numbers.setdefault(number, node_id)
    try:
        status = Status(raw.get("status"))
    except ValueError:
        problems.append(f"{where}: unknown status {raw.get('status')!r}")
        status = Status.OPTIONAL

    by_modality: list[tuple[str, Status]] = []
    for modality, value in (raw.get("by_modality") or {}).items():
        try:
            by_modality.append((str(modality), Status(value)))
        except ValueError:
            problems.append(f"{where}: by_modality {modality}: unknown status {value!r}")
    fills = _fills(raw.get("fill"), where, problems)
    children = tuple(_node(c, node_id, problems, seen, numbers, item_ids) for c in (raw.get("children") or []))
    if status is Status.HEADING:
        if fills:
            problems.append(f"{where}: a heading holds no documents, so it takes no fill")
        if not children:
            problems.append(f"{where}: a heading needs children")
    else:
        if children:
            problems.append(f"{where}: only headings have children (status is {status.value})")
        if status is not Status.NOT_FOR_IND and not fills:
            problems.append(f"{where}: a {status.value} section needs a fill")
    ind_items = tuple(str(i) for i in (raw.get("ind_items") or []))
    for item in ind_items:
        if item not in item_ids:
            problems.append(f"{where}: ind item {item!r} is not declared in ind_items")
    forms = []
    for raw_form in raw.get("forms") or []:
        code = str(raw_form.get("code", ""))
        try:
            form_status = Status(raw_form.get("status"))
        except ValueError:
            problems.append(f"{where}: form {code}: unknown status {raw_form.get('status')!r}")
            form_status = Status.OPTIONAL
        if not re.fullmatch(r"[a-z0-9]+", code) or form_status in (Status.HEADING, Status.NOT_FOR_IND):
            problems.append(f"{where}: form needs a code of [a-z0-9] and a required/conditional/optional status")
        if f"form:{code}" in seen:
            problems.append(f"{where}: duplicate form code {code}")
        seen[f"form:{code}"] = node_id
        forms.append(
            FormSlot(
                code=code,
                title=_title(raw_form.get("title"), f"{where} form {code}", problems),
                status=form_status,
                basis=str(raw_form.get("basis", "")),
                na_allowed=bool(raw_form.get("na_allowed", True)),
            )
        )
    if forms and not any(f.kind is FillKind.ATTACHMENT for f in fills):
        problems.append(f"{where}: a node with forms needs 'attachment: true'")
    return OutlineNode(
        id=node_id,
        number=number,
        title=_title(raw.get("title"), where, problems),
        status=status,
        by_modality=tuple(by_modality),
        basis=str(raw.get("basis", "")),
        fills=fills,
        ind_items=ind_items,
        na_allowed=bool(raw.get("na_allowed", True)),
        repeat=tuple(raw.get("repeat") or ()),
        note=raw.get("note"),
        forms=tuple(forms),
        children=children,
        parent_id=parent,
    )


def _fills(raw: Any, where: str, problems: list[str]) -> tuple[Fill, ...]:
    if raw is None:
        return ()
    entries = raw if isinstance(raw, list) else [raw]
    out = []
    for entry in entries:
        if not isinstance(entry, dict):
            problems.append(f"{where}: fill must be a mapping or a list of mappings")
            continue
        unknown = set(entry) - _FILL_KEYS
        if unknown:
            problems.append(f"{where}: unknown fill keys {sorted(unknown)}")
        template = entry.get("template")
        if template is not None and (not _TEMPLATE_RE.match(str(template)) or ".." in str(template)):
            problems.append(f"{where}: template {template!r} must be a relative path ending in .md.j2")
        if entry.get("attachment") is True:
            if template or entry.get("each"):
                problems.append(f"{where}: 'attachment: true' cannot be combined with template/each")
            out.append(Fill(FillKind.ATTACHMENT))
        elif entry.get("each"):
            where_map = entry.get("where") or {}
            if not isinstance(where_map, dict) or not template:
                problems.append(f"{where}: 'each' needs a 'where' mapping and a 'template'")
                continue
            out.append(
                Fill(
                    FillKind.EACH,
                    template=str(template),
                    each=str(entry["each"]),
                    where=tuple(sorted((str(k), str(v)) for k, v in where_map.items())),
                    file_tag=entry.get("file_tag"),
                    record_attachment=bool(entry.get("record_attachment", True)),
                )
            )
        elif template:
            out.append(Fill(FillKind.TEMPLATE, template=str(template), file_tag=entry.get("file_tag")))
        else:
            problems.append(f"{where}: fill needs 'template', 'each' or 'attachment: true'")
    return tuple(out)
