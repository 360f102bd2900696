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

import os
import posixpath
import re
import sys
import time
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
from jinja2.utils import Namespace

from .. import derived as derived_values
from .. import rules
from ..derived import Derived
from ..diagnostics import Diagnostics, Location, did_you_mean
from ..model.dossier import SECTIONS, Dossier
from ..paths import MAX_TEMPLATE_BYTES, ReadScope, refusal
from . import filters as F
from .filters import FilterError, Markdown, md_escape
from .provenance import FactPath, Recorder
from .template_errors import explain, fact_path_text, missing_language, override_hint, plain

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

rules.define(
    "template.outside-project",
    "error",
    "A template resolves outside the project",
    """
    A template file (or a template folder of the search path) is a symbolic link to a file outside
    the project, or an ``{% include %}``/``{% import %}`` names a path that climbs out with ``..``
    or is absolute. The file is not read. Templates are read from the project's ``templates/``
    folder, the templates packaged with indbuilder, and the folders named in ``allow_outside``.
    """,
    "Issue 15: nothing outside the project is read by accident; a submission holds only the "
    "project's own content.",
)
rules.define(
    "template.unreadable",
    "error",
    "A template is not a regular file or is too large",
    """
    A template path names a named pipe, a device or a folder, or a file over the template size
    limit (1 MB). It is not opened: a named pipe would block the build forever.
    """,
    "Issue 15: resource limits; a hostile input is answered in under 5 s.",
)
rules.define(
    "template.budget",
    "error",
    "A document's template rendering exceeded its budget",
    """
    Rendering one document may take at most a fixed time (3 s by default) and produce at most
    5 MB of Markdown; a ``range()`` may have at most 10,000 items and a string or list built with
    ``*`` at most 5 million items. A template that loops over huge ranges, recurses without end
    or multiplies a text into gigabytes is stopped there and the document is not produced. The
    largest document of the example renders in a small fraction of the budget.
    """,
    "Issue 15: template rendering has a time and output-size budget per document.",
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


class TemplateRefused(jinja2.TemplateError):
    """A template that may not be read: outside the read scope, not a regular file, or too large."""

    def __init__(self, name: str, rule: str, message: str, filename: str | None = None) -> None:
        super().__init__(message)
        self.name = name
        self.rule = rule
        self.filename = filename  # the path that was refused, as found on the search path (links unresolved)


class LanguageLoader(jinja2.BaseLoader):
    """Loads ``name`` from the search path, preferring the ``lang`` variant in any directory.

    With a ``scope``, a template whose real path (symbolic links resolved, also a linked
    template folder) lies outside it is refused before it is opened (``template.outside-project``),
    as is a name that climbs out with ``..`` or is absolute; named pipes, devices and files over
    :data:`~indbuilder.paths.MAX_TEMPLATE_BYTES` are refused too (``template.unreadable``).
    """

    def __init__(self, search_paths: Sequence[Path | str], lang: str, scope: ReadScope | None = None) -> None:
        self.search_paths = [Path(p) for p in search_paths]
        self.lang = lang
        self.scope = scope
        self._fs = jinja2.FileSystemLoader([str(p) for p in self.search_paths], encoding="utf-8")

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        self._check_name(template)
        if self.lang:
            found = self._find(variant_name(template, self.lang))
            if found is not None:
                return self._read(found[0], found[1])
        found = self._find(template)
        if found is None:
            dirs = ", ".join(repr(str(p)) for p in self.search_paths)
            raise TemplateNotFound(template, f"{template!r} not found in search paths: {dirs}")
        return self._read(found[0], found[1])

    @staticmethod
    def _check_name(template: str) -> None:
        """Refuse a template name that is absolute or climbs out with ``..`` (whatever it would reach)."""
        if template.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", template):
            raise TemplateRefused(template, "template.outside-project",
                                  f"template name {template!r} is an absolute path; templates are named "
                                  "relative to the template folders")
        pieces = [p for p in template.replace("\\", "/").split("/") if p and p != "."]
        if ".." in pieces:
            raise TemplateRefused(template, "template.outside-project",
                                  f"template name {template!r} climbs out of the template folders with '..'")

    def _find(self, template: str) -> tuple[str, str] | None:
        """``(name, file)`` of the first search path holding ``template`` (a link counts, even a broken one)."""
        self._check_name(template)
        pieces = [p for p in template.replace("\\", "/").split("/") if p and p != "."]
        for base in self.search_paths:
            filename = posixpath.join(str(base), *pieces)
            if os.path.lexists(filename):
                return template, filename
        return None

    def _read(self, template: str, filename: str) -> tuple[str, str | None, Callable[[], bool] | None]:
        path = Path(filename)
        if self.scope is not None and not self.scope.allows(path):
            real = os.path.realpath(filename)
            raise TemplateRefused(template, "template.outside-project",
                                  f"template {template!r} resolves to {real}, outside the project "
                                  "(not read; name its folder in allow_outside to use it)", filename)
        problem = refusal(path, MAX_TEMPLATE_BYTES)
        if problem is not None:
            raise TemplateRefused(template, "template.unreadable", f"template {template!r} {problem}; not read", filename)
        with open(filename, encoding="utf-8") as f:
            contents = f.read()
        mtime = os.path.getmtime(filename)

        def uptodate() -> bool:
            try:
                return os.path.getmtime(filename) == mtime
            except OSError:
                return False

        return contents, os.path.normpath(filename), uptodate

    def list_templates(self) -> list[str]:
        return self._fs.list_templates()


@dataclass(frozen=True)
class RenderBudget:
    """What rendering one document may cost (issue 15: a hostile template is answered in < 5 s).

    ``seconds`` of rendering per document (the example's slowest document takes 0.2-0.4 s on a
    loaded 2-core machine: a margin of 8-15x), at most
    ``max_chars`` characters of Markdown per document, ``range()`` of at most ``max_range`` items.
    Enforced cooperatively (every loop iteration, call and output chunk is counted; the clock is
    read every :data:`_CLOCK_EVERY` counts), so it needs no thread or signal and works in worker
    processes too.
    """

    seconds: float = 3.0
    max_chars: int = 5_000_000
    max_range: int = 10_000


_CLOCK_EVERY = 512


class BudgetExceeded(Exception):
    """Raised inside a template when the document's :class:`RenderBudget` is used up."""


class _Meter:
    """The running count of one document's rendering against its budget."""

    __slots__ = ("budget", "deadline", "count")

    def __init__(self, budget: RenderBudget) -> None:
        self.budget = budget
        self.deadline = time.perf_counter() + budget.seconds
        self.count = 0

    def tick(self) -> None:
        self.count += 1
        if not self.count % _CLOCK_EVERY and time.perf_counter() > self.deadline:
            raise BudgetExceeded(f"rendering took longer than the budget of {self.budget.seconds:g} s per document")

    def size(self, n: int, what: str) -> None:
        if n > self.budget.max_chars:
            raise BudgetExceeded(f"{what} of {n:,} items is over the budget of {self.budget.max_chars:,}")


def _ticking(items: Any, meter: _Meter) -> Iterator[Any]:
    tick = meter.tick
    for item in items:
        tick()
        yield item


class BudgetCodeGenerator(LineTrackingCodeGenerator):
    """Every ``{% for %}`` iterates through ``environment.budget_iter`` (which counts iterations
    against the document's budget), so even a loop with an empty body cannot run unchecked."""

    def visit_For(self, node: nodes.For, frame: Any) -> None:  # noqa: N802 (Jinja's name)
        if not getattr(node, "_budgeted", False):
            node.iter = nodes.Call(
                nodes.EnvironmentAttribute("budget_iter", lineno=node.iter.lineno),
                [node.iter], [], None, None, lineno=node.iter.lineno,
            )
            setattr(node, "_budgeted", True)
        super().visit_For(node, frame)


class _BudgetNamespace(Namespace):
    """``namespace()`` whose attributes cannot hold a text or list over the budget (``ns.s = ns.s ~ ns.s``)."""

    meter: _Meter | None = None

    def __setitem__(self, name: str, value: Any) -> None:
        meter = _BudgetNamespace.meter
        if meter is not None and isinstance(value, (str, list, tuple)):
            meter.size(len(value), "a namespace value")
        super().__setitem__(name, value)


class _Hooks:
    """What the sandbox reports reads to: the active :class:`Recorder` of the document being rendered
    (None outside :meth:`TemplateEnv.recording`, so rendering costs one attribute test per read)."""

    __slots__ = ("recorder", "display", "meter", "budget")

    def __init__(self, display: Callable[[str], str], budget: RenderBudget) -> None:
        self.recorder: Recorder | None = None
        self.display = display
        self.budget = budget
        self.meter: _Meter | None = None  # the budget of the document being rendered

    def current(self) -> _Meter:
        """The meter of the document being rendered (a fresh one outside :meth:`TemplateEnv._run`)."""
        return self.meter if self.meter is not None else _Meter(self.budget)


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
    # ``*`` and ``**`` run through call_binop (also stops Jinja folding ``'x' * 10**9`` at compile time)
    intercepted_binops = frozenset({"*", "**"})

    def budget_iter(self, items: Any) -> Iterator[Any]:
        """What a ``{% for %}`` iterates (see :class:`BudgetCodeGenerator`): ``items``, counted."""
        return _ticking(items, self.hooks.current())

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        meter = self.hooks.current()
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and not isinstance(n, bool):
                    meter.size(len(seq) * max(n, 0), "a text or list made with '*'")
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
            if right * abs(left).bit_length() > 4096:  # a number of more than ~1,200 digits
                raise BudgetExceeded(f"{left} ** {right} is too large a number to compute")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja's signature)
        meter = __self.hooks.current()
        meter.tick()
        for value in (*args, *kwargs.values()):
            if isinstance(value, str):
                meter.size(len(value), "a text passed to a call")
            elif isinstance(value, int) and not isinstance(value, bool) and value > meter.budget.max_chars \
                    and isinstance(getattr(__obj, "__self__", None), (str, list, tuple)):
                meter.size(value, f"'{getattr(__obj, '__name__', 'method')}' with a size")
        return super().call(__context, __obj, *args, **kwargs)

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
    ``scope``: the folders templates may be read from (``ProjectConfig.read_scope``); by default the
    project root when one is given (no check without a root). The packaged templates are always allowed.
    ``budget``: what rendering one document may cost (:class:`RenderBudget`).
    """

    search_paths: Sequence[Path | str]
    root: Path | None = None
    scope: ReadScope | None = None
    budget: RenderBudget = field(default_factory=RenderBudget)
    # the project's template folder as the project names it, for the hint of a packaged template's finding
    project_templates: str = "templates/ectd"
    _envs: dict[str, jinja2.Environment] = field(default_factory=dict, init=False, repr=False)
    _strings: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _shown: dict[str, str] = field(default_factory=dict, init=False, repr=False)  # string templates
    _sources: dict[str, str] = field(default_factory=dict, init=False, repr=False)  # file text cache
    _hooks: _Hooks = field(init=False, repr=False)
    _derived_cache: dict[tuple[int, ...], tuple[Dossier, Derived]] = field(default_factory=dict, init=False, repr=False)
    _fact_index: dict[int, FactPath] = field(default_factory=dict, init=False, repr=False)
    _derived_index: dict[int, tuple[FactPath, ...]] = field(default_factory=dict, init=False, repr=False)
    _where: Callable[[FactPath], Location | None] | None = field(default=None, init=False, repr=False)
    _document: str | None = field(default=None, init=False, repr=False)  # the document being rendered
    # template findings gathered while :meth:`collecting`: (rule, message, location) -> (hint, documents)
    _pending: dict[tuple[str, str, Location | None], tuple[str | None, list[str]]] | None = field(
        default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self._hooks = _Hooks(self._display_path, self.budget)

    def _read_scope(self) -> ReadScope | None:
        """The scope the loader enforces: ``scope`` (or the root), plus the packaged templates."""
        from ..sources import PACKAGED_TEMPLATES

        base = self.scope or (ReadScope.of(self.root) if self.root is not None else None)
        if base is None:
            return None
        return ReadScope(base.root, (*base.extra, PACKAGED_TEMPLATES.resolve()))

    # -------------------------------------------------------------- provenance

    def track(
        self,
        facts: dict[int, FactPath],
        derived: dict[int, tuple[FactPath, ...]] | None = None,
        where: Callable[[FactPath], Location | None] | None = None,
    ) -> None:
        """Use ``facts`` (:func:`~indbuilder.render.provenance.index_facts`) to name the facts read
        while :meth:`recording` and the facts a template error is about; ``derived`` maps derived values
        to the fact paths they depend on; ``where`` finds the file:line a fact path is written at."""
        self._fact_index = facts
        self._derived_index = derived or {}
        self._where = where

    def fact_path(self, obj: Any) -> FactPath | None:
        """The fact path of a fact object (a record, text, list) given to a template, if tracked."""
        return self._fact_index.get(id(obj))

    @contextmanager
    def collecting(self, diags: Diagnostics) -> Iterator[None]:
        """Gather template findings while the block renders many documents: one finding per template
        line and message, naming every document it stopped (a macro used by ten documents fails once)."""
        previous, self._pending = self._pending, {}
        try:
            yield
        finally:
            pending, self._pending = self._pending, previous
            for (rule, message, loc), (hint, docs) in pending.items():
                diags.emit(rule, message + _documents_text(docs), loc, hint=hint)

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
            loader=LanguageLoader(self.search_paths, lang, self._read_scope()),
            undefined=StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        env.code_generator_class = BudgetCodeGenerator
        env.context_class = RecordingContext
        hooks = env.hooks = self._hooks

        def ctx_lang(ctx: Any) -> str:
            return str(ctx.get("lang") or lang)

        @pass_context
        def t(ctx: Any, obj: Any) -> Any:
            want = ctx_lang(ctx)
            if hooks.recorder is not None:
                hooks.recorder.used(obj, want)
            try:
                return F.pick_lang(obj, want)
            except FilterError as exc:
                raise self._text_error(obj, want) or exc from None

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
        env.globals.update(range=self._range, namespace=_BudgetNamespace)
        env.globals.pop("lipsum", None)  # filler text has no place in a submission (and no size limit)
        for name in ("center", "indent", "batch", "slice"):  # filters whose number argument sizes the result
            env.filters[name] = _sized_filter(env.filters[name], hooks)
        return env

    def _text_error(self, obj: Any, lang: str) -> FilterError | None:
        """The ``t`` filter's error for a text without ``lang``, naming the fact and where it is written."""
        if not (hasattr(obj, "en") or hasattr(obj, "zh") or isinstance(obj, Mapping)):
            return None
        path = self.fact_path(obj)
        shown = fact_path_text(path) if path else None
        written = self._where(path) if path and self._where is not None else None
        key = f"{path[-1]}: " if path else ""
        other = "zh" if lang == "en" else lang
        hint = f"write the '{lang}' text beside the other language: {key}{{en: ..., {other}: ...}}"
        if written is not None:
            hint += f" (at {written})"
        return FilterError(missing_language(obj, lang, shown), hint=hint)

    def _range(self, *args: int) -> range:
        """``range()`` in templates: at most ``budget.max_range`` items (Jinja's sandbox allows 100,000)."""
        r = range(*args)
        if len(r) > self.budget.max_range:
            raise BudgetExceeded(f"range() of {len(r):,} items is over the limit of {self.budget.max_range:,}")
        return r

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
            shown = self._shown[filename] = packaged_display(Location.of(filename, root=self.root).path)
        return shown

    # -------------------------------------------------------------- rendering

    def render(
        self, name: str, context: Mapping[str, Any], lang: str, diags: Diagnostics, document: str | None = None
    ) -> RenderedMarkdown | None:
        """Render template ``name`` (e.g. ``m3/32p81.md.j2``) for ``lang``; ``None`` after an error.

        ``document`` names the document being rendered in findings (``fda 3.2.P.5.4 Batch Analyses``).
        """
        previous = self._document
        self._document = document or previous
        try:
            return self._render(name, context, lang, diags)
        finally:
            self._document = previous

    def _render(self, name: str, context: Mapping[str, Any], lang: str, diags: Diagnostics) -> RenderedMarkdown | None:
        env = self.environment(lang)
        try:
            tmpl = env.get_template(name)
        except (TemplateNotFound, TemplatesNotFound) as exc:
            if getattr(exc, "name", None) in (name, variant_name(name, lang)):
                dirs = ", ".join(self._display_path(str(p)) for p in self.search_paths)
                self._emit("template.error", f"template '{name}' not found (searched {dirs})", None, None, diags)
                return None
            self._report(exc, diags, None)
            return None
        except Exception as exc:  # syntax errors, also in imported/included templates
            self._report(exc, diags, None)
            return None
        return self._run(tmpl, context, lang, diags)

    def render_string(
        self, source: str, filename: str, context: Mapping[str, Any], lang: str, diags: Diagnostics,
        document: str | None = None,
    ) -> RenderedMarkdown | None:
        """Render template text (e.g. a narrative that uses facts); ``filename`` names it in diagnostics."""
        previous = self._document
        self._document = document or previous
        try:
            return self._render_string(source, filename, context, lang, diags)
        finally:
            self._document = previous

    def _render_string(
        self, source: str, filename: str, context: Mapping[str, Any], lang: str, diags: Diagnostics
    ) -> RenderedMarkdown | None:
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
        meter = _Meter(self.budget)
        previous, self._hooks.meter, _BudgetNamespace.meter = self._hooks.meter, meter, meter
        total = 0
        try:
            gen = tmpl.generate(ctx)
            for chunk in gen:
                origin = self._chunk_origin(gen, shown)
                total += len(chunk)
                if total > self.budget.max_chars:
                    self._over_budget(total, origin, diags)
                    return None
                try:
                    meter.tick()
                except BudgetExceeded as exc:  # raised here, outside the template: report the chunk's line
                    self._emit("template.budget", str(exc), origin, None, diags)
                    return None
                pieces.append((chunk, origin))
        except Exception as exc:  # every failure inside a template becomes a diagnostic
            self._report(exc, diags, shown)
            return None
        finally:
            self._hooks.meter, _BudgetNamespace.meter = previous, previous
        text = "".join(c for c, _ in pieces)
        return RenderedMarkdown(text, shown, tmpl.name or shown, self._line_map(pieces))

    def _over_budget(self, total: int, origin: Location, diags: Diagnostics) -> None:
        mb = self.budget.max_chars / 1_000_000
        self._emit("template.budget", f"the document's Markdown exceeds the budget of {mb:g} million characters "
                   f"(stopped at {total:,})", origin, None, diags)

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
        """One finding for an exception raised while loading or running a template, in a writer's words
        (:mod:`.template_errors`): at the template file:line, naming the document and the fact."""
        if isinstance(exc, TemplateRefused):
            where = self._template_frame(exc) or (Location(self._unresolved_display(exc.filename)) if exc.filename
                                                  else Location(fallback) if fallback else None)
            self._emit(exc.rule, str(exc), where, None, diags)
            return
        if isinstance(exc, BudgetExceeded):
            self._emit("template.budget", str(exc), self._template_frame(exc) or (Location(fallback) if fallback else None), None, diags)
            return
        if isinstance(exc, RecursionError):
            self._emit("template.budget", "templates call each other (or a macro calls itself) too deeply",
                       self._template_frame(exc) or (Location(fallback) if fallback else None), None, diags)
            return
        if isinstance(exc, TemplateSyntaxError):
            path = self._display_path(exc.filename or exc.name or fallback or "<template>")
            self._emit("template.syntax", plain(exc.message or str(exc)), Location(path, exc.lineno or 0), None, diags)
            return
        loc = self._template_frame(exc) or (Location(fallback) if fallback else None)
        if isinstance(exc, SecurityError) or (
            isinstance(exc, UndefinedError) and "is unsafe" in str(exc)
        ):
            self._emit(
                "template.unsafe",
                str(exc).rstrip("."),
                loc,
                "templates may only read facts; Python internals and mutation are blocked",
                diags,
            )
        elif isinstance(exc, UndefinedError) and not str(exc).startswith("No "):
            self._emit("template.undefined", plain(self._undefined_message(str(exc), loc)), loc,
                       _undefined_hint(str(exc)), diags)
        elif isinstance(exc, (TemplateNotFound, TemplatesNotFound)):
            self._emit("template.error", f"included template '{exc.name}' not found", loc, None, diags)
        elif isinstance(exc, FilterError):
            self._emit("template.error", plain(str(exc)), loc, exc.hint, diags)
        else:
            m = re.match(r"^No (first|last) item", str(exc))
            if m:  # the empty list may be used in a macro: name the line that takes its first item
                wanted = re.compile(r"\|\s*%s\b" % m.group(1))
                loc = next((f for f in reversed(self._template_frames(exc)) if wanted.search(self._source_line(f))), loc)
            explained = explain(exc, self._source_line(loc))
            self._emit("template.error", explained.message, loc, explained.hint, diags)

    def _emit(self, rule: str, message: str, loc: Location | None, hint: str | None, diags: Diagnostics) -> None:
        """Record a template finding: naming the document being rendered, with how to override a
        packaged template; gathered per template line while :meth:`collecting`."""
        extra = override_hint(loc.path, self.project_templates) if loc is not None else None
        if extra:
            hint = f"{hint}; {extra}" if hint else extra
        docs = [self._document] if self._document else []
        if self._pending is None:
            diags.emit(rule, message + _documents_text(docs), loc, hint=hint)
            return
        key = (rule, message, loc)
        entry = self._pending.setdefault(key, (hint, []))
        entry[1].extend(d for d in docs if d not in entry[1])

    def _unresolved_display(self, filename: str) -> str:
        """``filename`` relative to the root *without* resolving links (a refused link is named as
        the project calls it, e.g. ``templates/ectd/m3/x.md.j2``, not by where it points)."""
        plain = Path(os.path.abspath(filename))
        for base in (self.root, self.root.resolve()) if self.root is not None else ():
            try:
                return plain.relative_to(os.path.abspath(base)).as_posix()
            except ValueError:
                continue
        return plain.as_posix()

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
        frames = self._template_frames(exc)
        return frames[-1] if frames else None

    def _template_frames(self, exc: BaseException) -> list[Location]:
        """Every template file:line of the traceback, outermost first."""
        return [
            Location(self._display_path(fs.filename), fs.lineno or 0)
            for fs in traceback.extract_tb(exc.__traceback__)
            if self._is_template_file(fs.filename)
        ]

    def _source_text(self, path: str) -> str:
        src = self._strings.get(path) or self._sources.get(path)
        if src is None:
            p = Path(path)
            if path.startswith("indbuilder:"):  # a packaged template, as findings name it
                p = _PACKAGE_ROOT / path[len("indbuilder:"):]
            elif not p.is_absolute() and self.root is not None:
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


def _undefined_hint(message: str) -> str | None:
    """``did you mean 'shelf_life'?`` for an attribute a fact record does not have (from its fields)."""
    m = re.match(r"^'((?:\w+\.)+)(\w+) object' has no attribute '([^']+)'$", message)
    if not m:
        return None
    module = sys.modules.get(m.group(1).rstrip("."))  # only a class already loaded: nothing is imported
    cls = getattr(module, m.group(2), None) if module is not None else None
    if not isinstance(cls, type):
        return None
    fields = getattr(cls, "model_fields", {})
    names = [*fields, *(n for n in dir(cls) if not n.startswith("_") and not n.startswith("model_") and n not in fields)]
    return did_you_mean(m.group(3), names)


def _documents_text(docs: list[str]) -> str:
    """`` (in document fda 3.2.P.5.4 Batch Analyses)``: the documents a template finding stopped."""
    if not docs:
        return ""
    if len(docs) == 1:
        return f" (in document {docs[0]})"
    shown = "; ".join(docs[:3])
    more = f"; and {len(docs) - 3} more" if len(docs) > 3 else ""
    return f" (in {len(docs)} documents: {shown}{more})"


def _sized_filter(func: Callable[..., Any], hooks: _Hooks) -> Callable[..., Any]:
    """``func`` (a filter such as ``center(width)``), refusing a number argument over the budget."""

    def sized(*args: Any, **kwargs: Any) -> Any:
        meter = hooks.current()
        for value in (*args[1:], *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool):
                meter.size(value, f"the '{getattr(func, '__name__', 'filter')}' filter with a size")
        return func(*args, **kwargs)

    for attr in ("jinja_pass_arg",):  # keep @pass_eval_context / @pass_environment markers
        if hasattr(func, attr):
            setattr(sized, attr, getattr(func, attr))
    sized.__name__ = getattr(func, "__name__", "filter")
    return sized


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


_PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # the installed indbuilder package


def packaged_display(path: str) -> str:
    """A template shipped with indbuilder, named ``indbuilder:templates/ectd/...`` (not by the absolute
    path of wherever the package is installed, which a pull-request annotation cannot place); a path
    inside the project is already relative and stays as it is."""
    p = Path(path)
    if not p.is_absolute():
        return path
    try:
        return "indbuilder:" + p.resolve().relative_to(_PACKAGE_ROOT).as_posix()
    except ValueError:
        return path


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
