"""The sandboxed Jinja2 environment that turns templates and facts into Markdown.

- :class:`jinja2.sandbox.ImmutableSandboxedEnvironment` (a ``SandboxedEnvironment`` that also
  forbids mutating lists/dicts): templates can neither reach Python internals (``''.__class__``)
  nor change the shared dossier between two documents.
- ``StrictUndefined``: a missing fact is an error, never an empty string in a submission.
- Autoescape off: the output is Markdown, not HTML. Fact text that may contain Markdown
  characters is escaped explicitly with ``md_escape`` (``table`` escapes its cells itself).
- Search path: the project's ``templates/ectd/`` first, then the packaged defaults. Rendering
  ``m3/x.md.j2`` for ``zh`` first looks for ``m3/x.zh.md.j2`` in *every* directory, then for
  ``m3/x.md.j2``: a Chinese document must use a Chinese template wherever one exists.

Errors never escape as tracebacks: they become ``template.*`` diagnostics naming the template
file and line, e.g. ``templates/ectd/m3/32p81.md.j2:12: error [template.undefined]
'product.shelf_lif' is undefined``.
"""

from __future__ import annotations

import re
import sys
import traceback
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, Callable, Mapping, Sequence

import jinja2
from jinja2 import StrictUndefined, nodes, pass_context
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import (
    SecurityError,
    TemplateNotFound,
    TemplateSyntaxError,
    TemplatesNotFound,
    UndefinedError,
)
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .. import derived as derived_values
from .. import rules
from ..derived import Derived
from ..diagnostics import Diagnostics, Location
from ..model.dossier import SECTIONS, Dossier
from . import filters as F
from .filters import FilterError, Markdown, md_escape
from .provenance import FactPath, Recorder

rules.define(
    "template.undefined",
    "error",
    "A template uses a fact that does not exist",
    """
    The template printed or tested a name or attribute that the dossier does not define
    (a typo such as ``product.shelf_lif`` or a fact not yet entered). Templates run with
    StrictUndefined, so the document is not produced rather than printed with a blank.
    Use ``{% if x is defined %}`` for facts that are optional.
    """,
    "21 CFR 312.23(a): the IND must contain the listed information; a blank in a rendered "
    "section is missing content (ICH M4 content completeness).",
)
rules.define(
    "template.syntax",
    "error",
    "A template is not valid Jinja2",
    "The template could not be compiled (unclosed block, bad expression). The message is Jinja's.",
    "indbuilder template language (Jinja2 3.x syntax).",
)
rules.define(
    "template.error",
    "error",
    "A template failed while rendering",
    """
    An expression raised an error while the template ran: a filter got a value it cannot format
    (``num`` of a text, ``date`` of a non-ISO date, ``t`` of a text without a Chinese version), a
    division by zero, a missing included template. The document is not produced.
    """,
    "indbuilder template language; facts are formatted only by the documented filters.",
)
rules.define(
    "template.unsafe",
    "error",
    "A template tried something the sandbox forbids",
    """
    Templates run in Jinja's immutable sandbox: they cannot reach Python internals
    (``__class__``, ``__globals__``, private attributes) and cannot modify facts (``list.append``,
    ``dict.update``), so one document can never change what another document prints.
    """,
    "Jinja2 sandbox (jinja2.sandbox.ImmutableSandboxedEnvironment); reproducible builds.",
)

# Marker put in the title of a Markdown link produced by ``ref()`` so the cross-reference
# resolver can report the *template* file:line instead of a line of the rendered Markdown.
SOURCE_TITLE_PREFIX = "indbuilder-src:"


def variant_name(name: str, lang: str) -> str:
    """``m3/x.md.j2`` -> ``m3/x.zh.md.j2`` (same rule as ``outline.planner.resolve_template``).

    Names not ending in ``.md.j2`` get the language before their last suffix (``a.j2`` -> ``a.zh.j2``).
    """
    for suffix in (".md.j2",):
        if name.endswith(suffix):
            return f"{name[: -len(suffix)]}.{lang}{suffix}"
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{lang}.{ext}" if dot and "/" not in ext else f"{name}.{lang}"


class _Line:
    def __init__(self, lineno: int) -> None:
        self.lineno = lineno


class LineTrackingCodeGenerator(CodeGenerator):
    """Jinja's code generator, but static text keeps its own template line in the debug info.

    Jinja maps a ``yield`` of static text to the line of the *previous* statement (e.g. the
    ``{% for %}`` line); here it maps to the text's own line, so each line of the rendered
    Markdown can be traced back to its template line (see :attr:`RenderedMarkdown.line_map`).
    Only line bookkeeping changes; if Jinja renames these internals, lines are merely coarser.
    """

    def visit_Output(self, node: nodes.Output, frame: Any) -> None:  # noqa: N802 (Jinja's name)
        self._data_nodes = [c for c in node.nodes if isinstance(c, nodes.TemplateData)]
        self._const_line: int | None = None
        super().visit_Output(node, frame)

    def _output_const_repr(self, group: Any) -> str:
        first = group[0] if group else None
        pending = getattr(self, "_data_nodes", [])
        for i, data in enumerate(pending):
            if data.data == first:
                self._const_line = data.lineno
                del pending[: i + 1]
                break
        return super()._output_const_repr(group)

    def writeline(self, x: str, node: Any = None, extra: int = 0) -> None:
        const_line: int | None = getattr(self, "_const_line", None)
        if node is None and x.startswith("yield ") and const_line:
            node, self._const_line = _Line(const_line), None
        super().writeline(x, node, extra)


class LanguageLoader(jinja2.BaseLoader):
    """Loads ``name`` from the search path, preferring the ``lang`` variant in any directory."""

    def __init__(self, search_paths: Sequence[Path | str], lang: str) -> None:
        self.search_paths = [Path(p) for p in search_paths]
        self.lang = lang
        self._fs = jinja2.FileSystemLoader([str(p) for p in self.search_paths], encoding="utf-8")

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        if self.lang:
            try:
                return self._fs.get_source(environment, variant_name(template, self.lang))
            except TemplateNotFound:
                pass
        return self._fs.get_source(environment, template)

    def list_templates(self) -> list[str]:
        return self._fs.list_templates()


class _Hooks:
    """What the sandbox reports reads to: the active :class:`Recorder` of the document being rendered
    (None outside :meth:`TemplateEnv.recording`, so rendering costs one attribute test per read)."""

    __slots__ = ("recorder", "display")

    def __init__(self, display: Callable[[str], str]) -> None:
        self.recorder: Recorder | None = None
        self.display = display


class _LazyDerived:
    """``derived`` for a context built without it: computed from the context's facts on first use
    (a template that never reads ``derived`` may be given facts that are not a dossier)."""

    def __init__(self, make: Callable[[], Derived]) -> None:
        self._make = make
        self._value: Derived | None = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._value is None:
            self._value = self._make()
        return getattr(self._value, name)


class RecordingSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, reporting every attribute/item read and every template loaded.

    Only observes: every value is returned exactly as the sandbox returns it.
    """

    hooks: _Hooks

    def getattr(self, obj: Any, attribute: str) -> Any:
        value = super().getattr(obj, attribute)
        rec = self.hooks.recorder
        if rec is not None:
            rec.read(obj, attribute, value)
        return value

    def getitem(self, obj: Any, argument: Any) -> Any:
        value = super().getitem(obj, argument)
        rec = self.hooks.recorder
        if rec is not None:
            rec.read(obj, argument, value)
        return value

    def _load_template(self, name: str, globals: MutableMapping[str, Any] | None) -> jinja2.Template:
        # every get_template/import/include passes here, also when the template is cached
        tmpl = super()._load_template(name, globals)
        rec = self.hooks.recorder
        if rec is not None:
            rec.template(self.hooks.display(tmpl.filename or tmpl.name or name))
        return tmpl


class RecordingContext(Context):
    """The template context, reporting every top-level name a template resolves (``product`` …)."""

    def resolve_or_missing(self, key: str) -> Any:
        value = super().resolve_or_missing(key)
        env = self.environment
        rec = env.hooks.recorder if isinstance(env, RecordingSandbox) else None
        if rec is not None:
            rec.name(value)
        return value


@dataclass
class RenderedMarkdown:
    """Markdown produced by a template, with where it came from (for later diagnostics).

    ``line_map[i]`` is the template file:line that produced line ``i`` (0-based) of ``text``:
    static text maps to its own line, an expression's or macro call's output to its line, the
    output of ``{% include %}`` to the include statement.
    """

    text: str
    path: str  # template file, root-relative when possible
    name: str  # the template that was actually used (language variant or base)
    line_map: list[Location] = field(default_factory=list)


@dataclass
class TemplateEnv:
    """One sandboxed Jinja environment per document language over the template search path.

    ``search_paths``: the project's ``templates/ectd`` then the packaged default directory.
    ``root``: the project root, so diagnostics show ``templates/ectd/…`` instead of absolute paths.
    """

    search_paths: Sequence[Path | str]
    root: Path | None = None
    _envs: dict[str, jinja2.Environment] = field(default_factory=dict, init=False, repr=False)
    _strings: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _shown: dict[str, str] = field(default_factory=dict, init=False, repr=False)  # string templates
    _sources: dict[str, str] = field(default_factory=dict, init=False, repr=False)  # file text cache
    _hooks: _Hooks = field(init=False, repr=False)
    _derived_cache: dict[tuple[int, ...], tuple[Dossier, Derived]] = field(default_factory=dict, init=False, repr=False)
    _fact_index: dict[int, FactPath] = field(default_factory=dict, init=False, repr=False)
    _derived_index: dict[int, tuple[FactPath, ...]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._hooks = _Hooks(self._display_path)

    # -------------------------------------------------------------- provenance

    def track(self, facts: dict[int, FactPath], derived: dict[int, tuple[FactPath, ...]] | None = None) -> None:
        """Use ``facts`` (:func:`~indbuilder.render.provenance.index_facts`) to name the facts read
        while :meth:`recording`; ``derived`` maps derived values to the fact paths they depend on."""
        self._fact_index = facts
        self._derived_index = derived or {}

    @contextmanager
    def recording(self) -> Iterator[Recorder]:
        """Record the facts, templates and narratives read while the block renders one document."""
        rec = Recorder(self._fact_index, self._derived_index)
        previous, self._hooks.recorder = self._hooks.recorder, rec
        try:
            yield rec
        finally:
            self._hooks.recorder = previous

    @property
    def recorder(self) -> Recorder | None:
        """The recorder of the document being rendered, if any (``narrative()`` reports to it)."""
        return self._hooks.recorder

    def environment(self, lang: str) -> jinja2.Environment:
        """The (cached) environment for documents in ``lang`` ("en" or "zh")."""
        env = self._envs.get(lang)
        if env is None:
            env = self._make(lang)
            self._envs[lang] = env
        return env

    def _make(self, lang: str) -> jinja2.Environment:
        env = RecordingSandbox(
            loader=LanguageLoader(self.search_paths, lang),
            undefined=StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        env.code_generator_class = LineTrackingCodeGenerator
        env.context_class = RecordingContext
        hooks = env.hooks = self._hooks

        def ctx_lang(ctx: Any) -> str:
            return str(ctx.get("lang") or lang)

        @pass_context
        def t(ctx: Any, obj: Any) -> Any:
            want = ctx_lang(ctx)
            if hooks.recorder is not None:
                hooks.recorder.used(obj, want)
            return F.pick_lang(obj, want)

        @pass_context
        def unit(ctx: Any, value: Any, u: Any = None) -> Markdown:
            if hooks.recorder is not None and u is None:
                hooks.recorder.used(value, "value", "unit")
            return F.unit(value, u, lang=ctx_lang(ctx))

        @pass_context
        def date(ctx: Any, value: Any, style: str = "long") -> str:
            return F.date(value, style, lang=ctx_lang(ctx))

        @pass_context
        def table(ctx: Any, rows: Any, columns: Any, caption: Any = None, id: str | None = None) -> Markdown:
            if hooks.recorder is not None:
                hooks.recorder.rows(rows, _column_keys(columns))
            return F.table(rows, columns, caption=caption, id=id, lang=ctx_lang(ctx))

        env.filters.update(
            num=F.num,
            sci=F.sci,
            pct=F.pct,
            unit=unit,
            date=date,
            t=t,
            md_escape=md_escape,
            table=table,
        )
        env.globals.update(t=t, table=table, ref=self._ref, bibliography=bibliography, lang=lang)
        return env

    # -------------------------------------------------------------- cross-reference globals

    def _ref(self, target: Any, text: Any = None) -> Markdown:
        """``{{ ref("3.2.P.8.1") }}`` -> a Markdown ``ref:`` link resolved later (render/xref.py)."""
        return ref_markdown(str(target), text, self._caller_location())

    def _caller_location(self) -> Location | None:
        f: FrameType | None = sys._getframe(1)
        while f is not None:
            tmpl = f.f_globals.get("__jinja_template__")
            if tmpl is not None:
                line = tmpl.get_corresponding_lineno(f.f_lineno)
                return Location(self._display_path(tmpl.filename or tmpl.name or "<template>"), line)
            f = f.f_back
        return None

    def _display_path(self, filename: str) -> str:
        if filename in self._strings or filename.startswith("<"):
            return filename
        shown = self._shown.get(filename)
        if shown is None:  # resolving paths is costly and this runs for every output chunk
            shown = self._shown[filename] = Location.of(filename, root=self.root).path
        return shown

    # -------------------------------------------------------------- rendering

    def render(
        self, name: str, context: Mapping[str, Any], lang: str, diags: Diagnostics
    ) -> RenderedMarkdown | None:
        """Render template ``name`` (e.g. ``m3/32p81.md.j2``) for ``lang``; ``None`` after an error."""
        env = self.environment(lang)
        try:
            tmpl = env.get_template(name)
        except (TemplateNotFound, TemplatesNotFound) as exc:
            if getattr(exc, "name", None) in (name, variant_name(name, lang)):
                dirs = ", ".join(self._display_path(str(p)) for p in self.search_paths)
                diags.emit("template.error", f"template {name!r} not found (searched {dirs})")
                return None
            self._report(exc, diags, None)
            return None
        except Exception as exc:  # syntax errors, also in imported/included templates
            self._report(exc, diags, None)
            return None
        return self._run(tmpl, context, lang, diags)

    def render_string(
        self, source: str, filename: str, context: Mapping[str, Any], lang: str, diags: Diagnostics
    ) -> RenderedMarkdown | None:
        """Render template text (e.g. a narrative that uses facts); ``filename`` names it in diagnostics."""
        env = self.environment(lang)
        shown = self._display_path(filename)
        self._strings[shown] = source
        try:
            code = env.compile(source, name=shown, filename=shown)
            tmpl = env.template_class.from_code(env, code, env.make_globals(None))
        except Exception as exc:
            self._report(exc, diags, shown)
            return None
        return self._run(tmpl, context, lang, diags)

    def _run(
        self, tmpl: jinja2.Template, context: Mapping[str, Any], lang: str, diags: Diagnostics
    ) -> RenderedMarkdown | None:
        ctx = dict(context)
        ctx.setdefault("lang", lang)
        if "derived" not in ctx:
            ctx["derived"] = _LazyDerived(lambda: self._derived_for(ctx))
        shown = self._display_path(tmpl.filename or tmpl.name or "<template>")
        pieces: list[tuple[str, Location]] = []
        try:
            gen = tmpl.generate(ctx)
            for chunk in gen:
                pieces.append((chunk, self._chunk_origin(gen, shown)))
        except Exception as exc:  # every failure inside a template becomes a diagnostic
            self._report(exc, diags, shown)
            return None
        text = "".join(c for c, _ in pieces)
        return RenderedMarkdown(text, shown, tmpl.name or shown, self._line_map(pieces))

    def _derived_for(self, ctx: Mapping[str, Any]) -> Derived:
        """``derived`` for a context built without it (a template rendered on its own, e.g. in tests):
        computed from the context's fact sections, once per set of section objects."""
        values = {name: ctx[name] for name in SECTIONS if name in ctx}
        key = tuple(id(v) for v in values.values())
        hit = self._derived_cache.get(key)
        if hit is None:
            # the Dossier keeps the section objects alive, so their ids in `key` stay theirs
            dossier = Dossier(facts=values)
            hit = self._derived_cache[key] = (dossier, derived_values.compute(dossier))
        return hit[1]

    def _chunk_origin(self, gen: Any, fallback: str) -> Location:
        """The innermost template frame that yielded the current chunk."""
        found = Location(fallback)
        g = getattr(gen, "gi_yieldfrom", None)
        while g is not None:
            frame = getattr(g, "gi_frame", None)
            if frame is None:
                break
            tmpl = frame.f_globals.get("__jinja_template__")
            if tmpl is not None:
                path = self._display_path(tmpl.filename or tmpl.name or fallback)
                found = Location(path, tmpl.get_corresponding_lineno(frame.f_lineno))
            g = getattr(g, "gi_yieldfrom", None)
        return found

    def _line_map(self, pieces: list[tuple[str, Location]]) -> list[Location]:
        out: list[Location] = []
        at_start = True
        for chunk, origin in pieces:
            # static text advances one template line per newline; a value's lines all map to it
            static = "\n" in chunk and chunk in self._source_text(origin.path)
            parts = chunk.split("\n")
            for k, part in enumerate(parts):
                if k:
                    at_start = True
                if at_start and (part or k < len(parts) - 1):
                    line = origin.line + k if static and origin.line else origin.line
                    out.append(Location(origin.path, line))
                    at_start = False
        return out

    # -------------------------------------------------------------- error reporting

    def _report(self, exc: BaseException, diags: Diagnostics, fallback: str | None) -> None:
        if isinstance(exc, TemplateSyntaxError):
            path = self._display_path(exc.filename or exc.name or fallback or "<template>")
            diags.emit("template.syntax", exc.message or str(exc), Location(path, exc.lineno or 0))
            return
        loc = self._template_frame(exc) or (Location(fallback) if fallback else None)
        if isinstance(exc, SecurityError) or (
            isinstance(exc, UndefinedError) and "is unsafe" in str(exc)
        ):
            diags.emit(
                "template.unsafe",
                str(exc).rstrip("."),
                loc,
                hint="templates may only read facts; Python internals and mutation are blocked",
            )
        elif isinstance(exc, UndefinedError):
            diags.emit("template.undefined", self._undefined_message(str(exc), loc), loc)
        elif isinstance(exc, (TemplateNotFound, TemplatesNotFound)):
            diags.emit("template.error", f"included template {exc.name!r} not found", loc)
        elif isinstance(exc, FilterError):
            diags.emit("template.error", str(exc), loc)
        else:
            diags.emit("template.error", f"{type(exc).__name__}: {exc}", loc)

    def _is_template_file(self, filename: str) -> bool:
        if filename in self._strings:
            return True
        p = Path(filename)
        for d in self.search_paths:
            try:
                p.resolve().relative_to(Path(d).resolve())
                return True
            except (ValueError, OSError):
                continue
        return False

    def _template_frame(self, exc: BaseException) -> Location | None:
        """The innermost template file:line of the traceback (Jinja rewrites frames to template lines)."""
        found: Location | None = None
        for fs in traceback.extract_tb(exc.__traceback__):
            if self._is_template_file(fs.filename):
                found = Location(self._display_path(fs.filename), fs.lineno or 0)
        return found

    def _source_text(self, path: str) -> str:
        src = self._strings.get(path) or self._sources.get(path)
        if src is None:
            p = Path(path)
            if not p.is_absolute() and self.root is not None:
                p = self.root / p
            try:
                src = p.read_text(encoding="utf-8")
            except OSError:
                src = ""
            self._sources[path] = src
        return src

    def _source_line(self, loc: Location | None) -> str:
        if loc is None or not loc.line:
            return ""
        lines = self._source_text(loc.path).splitlines()
        return lines[loc.line - 1] if 0 < loc.line <= len(lines) else ""

    def _undefined_message(self, message: str, loc: Location | None) -> str:
        """Name the missing fact as written in the template: ``'product.shelf_lif' is undefined``."""
        m = re.match(r"^'([^']+)' is undefined$", message)
        if m:
            return message
        m = re.match(r"^.+ has no element (.+)$", message)
        if m:  # a list index out of range: name the indexing expression (`lots[5]`)
            line = self._source_line(loc)
            index = re.escape(m.group(1).strip("'"))
            found = list(dict.fromkeys(
                f"'{e.group(0)}'"
                for e in re.finditer(r"\b[A-Za-z_]\w*(?:\.\w+|\[[^\]]*\])*?\[\s*['\"]?%s['\"]?\s*\]" % index, line)
            ))
            return f"{' or '.join(found)} is undefined" if found else message
        m = re.match(r"^.+ has no attribute '([^']+)'$", message)
        if not m:
            return message
        attr = m.group(1)
        line = self._source_line(loc)
        pattern = r"\b([A-Za-z_]\w*(?:\.\w+|\[[^\]]*\])*?)(?:\.%s\b|\[\s*['\"]%s['\"]\s*\])" % (
            re.escape(attr),
            re.escape(attr),
        )
        found = list(dict.fromkeys(f"'{m.group(1)}.{attr}'" for m in re.finditer(pattern, line)))
        if len(found) == 1:
            return f"{found[0]} is undefined"
        if found:  # the same attribute on several objects of one line: name them all
            return f"{' or '.join(found)} is undefined"
        return f"{message} (attribute {attr!r} is undefined)"


def _column_keys(columns: Any) -> list[str]:
    """The row keys a ``table`` column list reads (``"key"``, ``("key", "Title")``, ``{key: …}``)."""
    keys: list[str] = []
    for col in columns if isinstance(columns, (list, tuple)) else ():
        if isinstance(col, str):
            keys.append(col)
        elif isinstance(col, (list, tuple)) and col and isinstance(col[0], str):
            keys.append(col[0])
        elif isinstance(col, Mapping) and isinstance(col.get("key"), str):
            keys.append(col["key"])
    return keys


def ref_markdown(target: str, text: Any, where: Location | None) -> Markdown:
    """The Markdown form of a cross-reference: ``[text](<ref:target> "indbuilder-src:file:line")``."""
    label = "" if text is None else md_escape(text)
    dest = re.sub(r"([<>\\])", r"\\\1", target.strip())
    title = ""
    if where is not None:
        src = str(where).replace("\\", "\\\\").replace('"', '\\"')
        title = f' "{SOURCE_TITLE_PREFIX}{src}"'
    return Markdown(f"[{label}](<ref:{dest}>{title})")


def bibliography() -> Markdown:
    """``{{ bibliography() }}``: the numbered list of literature cited in this document."""
    return Markdown("\n::: bibliography\n:::\n")


def parse_source_title(title: str | None) -> Location | None:
    """Read back the template location that :func:`ref_markdown` put in a link title."""
    if not title or not title.startswith(SOURCE_TITLE_PREFIX):
        return None
    rest = title[len(SOURCE_TITLE_PREFIX):]
    path, sep, line = rest.rpartition(":")
    if sep and line.isdigit():
        return Location(path, int(line))
    return Location(rest)


TemplateFunc = Callable[..., Any]
