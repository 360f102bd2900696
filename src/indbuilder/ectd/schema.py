"""Backbone structure read from the official DTD/XSD, safe XML parsing and DTD/XSD validation.

The nesting of eCTD headings is derived from the standards themselves (lxml ``DTD.iterelements()``
content models for ICH and FDA, the nested ``xs:element`` declarations of the NMPA schema), never
hand-copied. XML is parsed without entity expansion, network access or DTD loading; the DTD/XSD used
for validation always comes from the local standards directory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from collections.abc import Iterator
from typing import Protocol, cast

from lxml import etree

from ..diagnostics import Diagnostics, Location
from ..paths import refusal
from ..rules import define
from . import rules as _rules  # noqa: F401
from .standards import by_name, locate

# The largest backbone or study tagging file read: real backbones are kilobytes to a few megabytes
# (a large IND's index.xml is ~2 MB); anything far beyond is refused before it is parsed.
MAX_XML_BYTES = 50 * 1024 * 1024

define("ectd.file-refused", "error", "A file of the sequence is not opened: not a regular file, or over its size limit",
       "A named pipe would block validation forever and a device never ends, so only regular files are read. "
       "Size limits: backbones and study tagging files 50 MB, util files 50 MB, leaves 5 GB (the FDA "
       "limit for a study dataset; a PDF may have at most 500 MB, checked by pdfcheck).",
       "Issue 15 (resource limits); ICH eCTD v3.2.2 (files are regular files of the sequence folder); FDA "
       "Study Data Technical Conformance Guide (datasets over 5 GB are split)")
define("ectd.outside-sequence", "error", "A reference leads outside the sequence folder; the file is not opened",
       "An xlink:href (of a backbone leaf or a study tagging file's doc-content) climbs out with '..', "
       "or a file of the sequence is a symbolic link to a file outside it. A sequence is self-contained: "
       "only references to earlier sequences of the same submission (NNNN/...) are followed.",
       "ICH eCTD Specification v3.2.2 (relative references inside the submission); issue 15")

ICH_NS = "http://www.ich.org/ectd"
FDA_NS = "http://www.ich.org/fda"
CN_NS = "cn_ectd"
XLINK_ICH = "http://www.w3c.org/1999/xlink"  # sic: the ICH and FDA DTDs fix w3c.org
XLINK_W3 = "http://www.w3.org/1999/xlink"  # NMPA schema and the ICH STF DTD use the W3C namespace
XS = "http://www.w3.org/2001/XMLSchema"


# lxml-stubs 0.5.1 does not declare lxml's DTD introspection classes, entity nodes or error-log entries;
# these protocols describe the attributes of them that this module reads (lxml 5/6 API).
class _DTDContent(Protocol):
    """``_DTDElementContentDecl``: a content-model particle (``element``, ``seq``, ``or``, ``pcdata``)."""

    @property
    def type(self) -> str | None: ...
    @property
    def name(self) -> str: ...  # read only for type "element", where lxml always sets it
    @property
    def left(self) -> _DTDContent | None: ...
    @property
    def right(self) -> _DTDContent | None: ...


class _DTDAttribute(Protocol):
    """``_DTDAttributeDecl``: one declared attribute (``default`` is ``required``/``implied``/``fixed``/``none``)."""

    @property
    def name(self) -> str: ...
    @property
    def prefix(self) -> str | None: ...
    @property
    def default(self) -> str | None: ...


class _DTDElement(Protocol):
    """``_DTDElementDecl``: one ``<!ELEMENT>`` declaration."""

    @property
    def name(self) -> str: ...
    @property
    def prefix(self) -> str | None: ...
    @property
    def content(self) -> _DTDContent | None: ...
    def iterattributes(self) -> Iterator[_DTDAttribute]: ...


class _DTDEntity(Protocol):
    """``_DTDEntityDecl``: one ``<!ENTITY>`` declaration."""

    @property
    def name(self) -> str: ...
    @property
    def system_url(self) -> str | None: ...


class _EntityNode(Protocol):
    """``_Entity``: an unexpanded entity reference in the tree."""

    @property
    def name(self) -> str: ...
    @property
    def sourceline(self) -> int | None: ...


class _LogEntry(Protocol):
    """``_LogEntry``: one validation error."""

    @property
    def message(self) -> str: ...
    @property
    def line(self) -> int: ...


def line_of(element: etree._Element) -> int:
    """Source line of ``element`` (0 when unknown)."""
    # lxml-stubs 0.5.1 declares ``sourceline = ...`` (an ellipsis); lxml gives ``int | None``.
    return element.sourceline or 0  # type: ignore[return-value]


@dataclass
class Structure:
    """Heading tree of one backbone: parent of each element, child order, declared attributes."""

    root: str
    parents: dict[str, str] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)
    attributes: dict[str, list[str]] = field(default_factory=dict)
    required: dict[str, list[str]] = field(default_factory=dict)
    leaf_holders: set[str] = field(default_factory=set)

    def chain(self, element: str) -> list[str]:
        """Elements from the first child of the root down to ``element`` (inclusive)."""
        out = [element]
        while out[-1] in self.parents and self.parents[out[-1]] != self.root:
            out.append(self.parents[out[-1]])
        return list(reversed(out))

    def order(self, parent: str, child: str) -> int:
        kids = self.children.get(parent, [])
        return kids.index(child) if child in kids else len(kids)


def safe_parser() -> etree.XMLParser:
    """Parser that never expands entities, loads DTDs or touches the network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False)


def parse_xml(source: Path | bytes, where: Location, diags: Diagnostics) -> etree._ElementTree | None:
    """Parse safely; malformed XML and entity declarations become diagnostics (entities never expanded)."""
    if not isinstance(source, bytes):
        problem = refusal(Path(source), MAX_XML_BYTES)
        if problem is not None:
            diags.emit("ectd.file-refused", f"{where.path} {problem}; not parsed", where)
            return None
    try:
        if isinstance(source, bytes):
            tree = etree.ElementTree(etree.fromstring(source, safe_parser()))
        else:
            tree = etree.parse(str(source), safe_parser())
    except (etree.XMLSyntaxError, OSError) as exc:
        diags.emit("ectd.xml-malformed", f"{where.path}: {_xml_error(exc)}", where)
        return None
    dtd = tree.docinfo.internalDTD
    if dtd is not None:
        entities: list[_DTDEntity] = list(dtd.iterentities())  # type: ignore[attr-defined]  # not in lxml-stubs
        for ent in entities:
            kind = f"external entity '{ent.name}' -> {ent.system_url}" if ent.system_url else f"entity '{ent.name}'"
            diags.emit("ectd.xml-unsafe", f"{where.path} declares {kind}; not expanded", where)
    for element in tree.iter(etree.Entity):
        node = cast(_EntityNode, element)  # lxml-stubs types iter() as _Element; the Entity filter yields _Entity
        diags.emit("ectd.xml-unsafe", f"{where.path} uses entity reference &{node.name};",
                   Location(where.path, node.sourceline or 0))
    return tree


def _xml_error(exc: Exception) -> str:
    """lxml's message without quoted input (it names the line and the kind of error, not the bytes)."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if text.isprintable() else type(exc).__name__


def _flatten(content: _DTDContent | None) -> list[str]:
    if content is None:
        return []
    if content.type == "element":
        return [content.name]
    return _flatten(content.left) + _flatten(content.right)


@lru_cache(maxsize=8)
def _load_dtd(path: str) -> etree.DTD:
    with open(path, "rb") as fh:
        return etree.DTD(fh)


def dtd_structure(path: Path) -> Structure:
    """Structure of a DTD (``ich-ectd-3-2.dtd`` or ``us-regional-v3-3.dtd``) from its content models."""
    return _dtd_structure(str(path))


@lru_cache(maxsize=8)
def _dtd_structure(path: str) -> Structure:
    dtd = _load_dtd(path)
    elements: list[_DTDElement] = list(dtd.iterelements())  # type: ignore[attr-defined]  # not in lxml-stubs
    first = elements[0]
    st = Structure(root=f"{first.prefix}:{first.name}" if first.prefix else first.name)
    for el in elements:
        name = f"{el.prefix}:{el.name}" if el.prefix else el.name
        kids = _flatten(el.content)
        st.children[name] = kids
        st.attributes[name] = [a.name for a in el.iterattributes() if a.prefix is None]
        st.required[name] = [a.name for a in el.iterattributes() if a.prefix is None and a.default == "required"]
        if "leaf" in kids:
            st.leaf_holders.add(name)
        for k in kids:
            if k not in ("leaf", "node-extension", "title", "link-text") and k not in st.parents:
                st.parents[k] = name
    return st


def xsd_structure(path: Path) -> Structure:
    """Structure of the NMPA regional schema: nested ``xs:element`` names, ``cn-leaf-ext`` hold leaves."""
    return _xsd_structure(str(path))


@lru_cache(maxsize=4)
def _xsd_structure(path: str) -> Structure:
    doc = etree.parse(path, safe_parser())
    st = Structure(root="cn-content")
    content = doc.find(f"{{{XS}}}complexType[@name='cn-content']")

    def walk(node: etree._Element, parent: str) -> None:
        for el in node.iterfind(f".//{{{XS}}}element"):
            # only direct element children of this level (skip deeper ones; they recurse)
            anc = el.getparent()
            while anc is not None and anc is not node and anc.tag != f"{{{XS}}}element":
                anc = anc.getparent()
            if anc is not node:
                continue
            name = el.get("name")
            assert name is not None  # the nested xs:element declarations of the NMPA schema are named (no ref=)
            st.parents[name] = parent
            st.children.setdefault(parent, []).append(name)
            st.attributes[name] = []
            if el.get("type") == "cn-leaf-ext":
                st.leaf_holders.add(name)
            walk(el, name)

    assert content is not None, f"{path} has no complexType cn-content"  # was an AttributeError in walk()
    walk(content, "cn-content")
    return st


def validate_dtd(tree: etree._ElementTree, dtd_path: Path, where: Location, diags: Diagnostics) -> bool:
    """Validate against a local DTD; each error -> ``ectd.backbone-invalid`` with line and reason."""
    return _validated(_load_dtd(str(dtd_path)), tree, dtd_path.name, where, diags)


def _validated(validator: etree.DTD | etree.XMLSchema, tree: etree._ElementTree, against: str,
               where: Location, diags: Diagnostics) -> bool:
    """Run a DTD or XSD validator; each error -> ``ectd.backbone-invalid`` with its line and reason."""
    if validator.validate(tree):
        return True
    # lxml-stubs 0.5.1 declares _ErrorLog without members
    errors: list[_LogEntry] = list(validator.error_log.filter_from_errors())  # type: ignore[attr-defined]
    for err in errors:
        diags.emit("ectd.backbone-invalid", f"{where.path}: {err.message} (against {against})",
                   Location(where.path, err.line))
    return False


class _LocalResolver(etree.Resolver):
    """Resolve the NMPA schema's relative imports (xlink.xsd, xml.xsd) inside the standards directory."""

    def __init__(self, standards: Path) -> None:
        super().__init__()
        self.standards = standards

    # lxml calls resolve(system_url, public_id, context); lxml-stubs 0.5.1 omits ``context`` and
    # ``resolve_filename`` (hence the two ignores).
    def resolve(self, system_url: str | None, public_id: str | None,  # type: ignore[override]
                context: object) -> object:
        name = (system_url or "").rsplit("/", 1)[-1]
        try:
            found = locate(self.standards, by_name(name))
        except KeyError:
            found = None
        if found is not None:
            return self.resolve_filename(str(found), context)  # type: ignore[attr-defined]
        return None


@lru_cache(maxsize=4)
def _load_xsd(standards: str, path: str) -> etree.XMLSchema:
    parser = safe_parser()
    parser.resolvers.add(_LocalResolver(Path(standards)))
    return etree.XMLSchema(etree.parse(path, parser))


def validate_xsd(tree: etree._ElementTree, standards: Path, xsd_path: Path, where: Location,
                 diags: Diagnostics) -> bool:
    """Validate against the NMPA schema from the standards directory."""
    try:
        schema = _load_xsd(str(standards), str(xsd_path))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
        diags.emit("ectd.standard-missing", f"{xsd_path.name} cannot be compiled: {exc}", where)
        return False
    return _validated(schema, tree, xsd_path.name, where, diags)
