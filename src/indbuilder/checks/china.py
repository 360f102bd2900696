"""Rule family J: Chinese-language renditions, translation pairs and the NMPA envelope.

NMPA dossiers are written in Simplified Chinese; where an English original exists the Chinese
rendition is a traceable pair (same narrative id, same version), and facts such as lot ids are
identical in both. A Chinese narrative whose file was last changed before its English source is
flagged as possibly stale: the dates are the files' last git commit times when the project is a
git work tree and the file is committed unchanged, otherwise the files' modification times.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from functools import lru_cache
from pathlib import Path

from ..diagnostics import Diagnostics, Location
from ..doctree import plain_text
from ..model.common import Text
from ..model.dossier import Narrative
from ..outline import Outline, load_outline
from .context import CheckContext, RenderedDoc
from .support import compact, define, rendered, where
from .zh_typography import check_typography

BASIS_ZH = (
    "《药品注册管理办法》(2007) 第十四条: 外文资料应当按照要求提供中文译本; M4 模块一 (NMPA, 2020): "
    "labelling approved abroad is filed as the original text 并附中文译本."
)

define(
    "china.zh-rendition",
    "error",
    "An NMPA document, or an English narrative that NMPA documents use, has no Chinese rendition.",
    """
    Every document of the NMPA submission is in Simplified Chinese: its language is zh and its text is
    Chinese (not an English text placed in the Chinese tree), and every English narrative used by the
    dossier has a zh narrative with the same id.
    """,
    BASIS_ZH,
)
define(
    "china.translation-pair",
    "error",
    "A zh/en narrative pair does not share id and version, or translation_of names an unknown narrative.",
    """
    A Chinese narrative translating an English one keeps the same `id`, the same `version`, and (if it says
    `translation_of`) names that id. Differing versions mean the two texts describe different states.
    """,
    BASIS_ZH,
)
define(
    "china.stale-translation",
    "warning",
    "A Chinese narrative was last changed before its English source (possibly stale translation).",
    """
    When the English narrative changes after its Chinese rendition, the translation may no longer match.
    Dates are git last-commit times of the two files (or modification times for uncommitted files).
    Update the translation (and its version) or waive the finding for this file with a justification.
    """,
    BASIS_ZH,
)
define(
    "china.translation-facts",
    "warning",
    "The English and Chinese renditions of a narrative or document cite different lot, study or protocol ids.",
    """
    Lot ids, study numbers and the protocol number are identical in both renditions of a document; only the
    prose is translated. Narrative pairs (same id, en/zh) and the FDA (English) and NMPA (Chinese) renditions
    of the same Module 2-5 document are compared.
    """,
    "21 CFR 312.23(c) (an accurate and complete English translation); 《药品注册管理办法》(2007) 第十四条 "
    "(外文资料应当按照要求提供中文译本). A consistency check derived from them: a translation changes the prose, never an "
    "id or a number.",
)
define(
    "china.zh-untranslated",
    "warning",
    "A text fact has the same English sentence as its Chinese value (not translated).",
    "Text facts printed in NMPA documents carry a Chinese value; copying the English sentence leaves English in a Chinese document.",
    BASIS_ZH,
)
define(
    "china.nmpa-envelope",
    "error",
    "The NMPA envelope codes do not fit an initial IND of this product type.",
    """
    For a clinical trial application (IND) application-type is cnapt1; product-type is cnprt2 for a biological
    product (including cell and gene therapies) and cnprt1 for a chemical drug; the first sequence (0000) is
    regulatory-activity cnrat1 (首次申请) and sequence-type cnsqt1 (首次提交).
    """,
    "China eCTD Module 1 stylesheet cn-regional-1-1.xsl (cv-application-type, cv-product-type); "
    "《生物制品注册分类及申报资料要求》(NMPA, 2020).",
)

define(
    "china.cover-letter-facts",
    "error",
    "The 说明函 (1.0) does not state the key facts of the application.",
    """
    The NMPA cover letter summarises the application: the product (name or code), the application type
    (临床试验申请), the registration class (注册分类, e.g. 治疗用生物制品1类) and the reference of each
    communication meeting with CDE. The registration class must fit the product type (a cell or gene therapy
    is a 治疗用生物制品).
    """,
    "M4 模块一 (NMPA, 2020) 1.0 说明函（主要对于本次申请关键信息的概括与说明）; 《生物制品注册分类及申报资料要求》(NMPA, 2020).",
)

define(
    "china.typography",
    "warning",
    "A Chinese document has English text, an English unit word, a US unit or an English table cell.",
    """
    Chinese documents are normalised when they render (full-width punctuation, “” quotes, 、 in lists,
    spacing: see indbuilder.render.zh_typography). What needs a translation is reported here, at the fact,
    narrative or template line it comes from:

    * English text: four or more English words with at least two lower-case content words, outside the
      abbreviation list, names and titles (every content word capitalised), code and literature references;
    * English unit words: "cells/kg" (个细胞/kg), "12 months" (12个月), days, weeks, years, hours;
    * US units where Chinese clinical practice uses another: mg/dL (mmol/L for glucose and lipids,
      µmol/L for creatinine), g/dL (g/L), mEq/L (mmol/L), °F (℃), lb (kg);
    * table cells written in English only.

    Translate the zh text of the fact (or the zh narrative, or the .zh template). A name or title that must
    stay in English is waived with a reason in indbuilder.yaml.
    """,
    "《药品注册管理办法》(2020) 第十四条 and M4 模块一: 申报资料使用中文; GB/T 15834-2011 《标点符号用法》; "
    "GB 3100-1993 / GB 3101-1993 (法定计量单位及其使用); WS/T 404 (临床常用生化检验项目参考区间: mmol/L, µmol/L).",
)

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"[A-Za-z]{2,}")


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """J1 (renditions, pairs, staleness, ids), J4 (envelope) and untranslated text facts."""
    if "nmpa" not in ctx.config.settings.regions:
        return
    _documents(ctx, diags)
    _document_pairs(ctx, diags)
    _pairs(ctx, diags)
    _envelope(ctx, diags)
    _cover_letter(ctx, diags)
    _untranslated(ctx, diags)
    check_typography(ctx, diags)


def chinese_share(text: str) -> float:
    """Share of Chinese characters among the letters of ``text`` (0.0 when it has no letters)."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return cjk / (cjk + latin) if cjk + latin else 0.0


def _documents(ctx: CheckContext, diags: Diagnostics) -> None:
    for rd in rendered(ctx, "nmpa"):
        meta = rd.doc.meta
        if "literature-references" in meta.element:
            # a reference list cites publications in their original language: its title and headings are Chinese
            structure = [meta.title] + [plain_text(h.children) for h in rd.doc.headings()]
            share = chinese_share(" ".join(structure))
        else:
            share = chinese_share(rd.text)
        if meta.lang != "zh" or share < 0.2:
            diags.emit(
                "china.zh-rendition",
                f"NMPA document {meta.ctd_section} {meta.title} is not in Chinese (lang {meta.lang}, "
                f"{share:.0%} Chinese characters among letters)",
                rd.source,
            )


def _document_pairs(ctx: CheckContext, diags: Diagnostics) -> None:
    """The English (FDA) and Chinese (NMPA) renditions of a Module 2-5 document cite the same lots and studies."""
    ids = _known_ids(ctx)
    if not ids:
        return
    pattern = re.compile("|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True)))

    def by_key(region: str) -> dict[tuple[str, str], RenderedDoc]:
        """The region's documents by (element, document id), where that pair names one document."""
        docs: dict[tuple[str, str], list[RenderedDoc]] = {}
        for rd in rendered(ctx, region):
            key = (rd.element, rd.doc_id)
            docs.setdefault(key, []).append(rd)
        return {k: v[0] for k, v in docs.items() if len(v) == 1}

    en, zh = by_key("fda"), by_key("nmpa")
    for key in sorted(en.keys() & zh.keys()):
        a, b = en[key], zh[key]
        if a.lang == b.lang:
            continue
        difference = _cited_difference(set(pattern.findall(a.text)), set(pattern.findall(b.text)))
        if difference:
            diags.emit(
                "china.translation-facts",
                f"{b.label}: {difference}",
                b.source,
            )


def _pairs(ctx: CheckContext, diags: Diagnostics) -> None:
    narratives = ctx.dossier.narratives
    en = {n.id: n for n in narratives if n.lang == "en"}
    zh = {n.id: n for n in narratives if n.lang == "zh"}
    nmpa_outline = _nmpa_outline(ctx)
    for nid, n in sorted(en.items()):
        z = zh.get(nid)
        if z is None and not _used_by_nmpa(n, nmpa_outline):
            continue
        if z is None:
            diags.emit(
                "china.zh-rendition",
                f"narrative '{nid}' ({n.path}) has no Chinese rendition (a zh narrative with id '{nid}')",
                Location(n.path, 1, 1),
            )
            continue
        if (n.version or "") != (z.version or ""):
            diags.emit(
                "china.translation-pair",
                f"narrative '{nid}': the zh rendition {z.path} is version {z.version or '(none)'}, the English "
                f"source {n.path} is version {n.version or '(none)'}",
                _front_key(ctx.config.root, z, "version"),
            )
        _ids_match(ctx, diags, n, z)
        en_time, zh_time = _changed(n.path, ctx.config.root), _changed(z.path, ctx.config.root)
        if en_time is not None and zh_time is not None and zh_time < en_time:
            diags.emit(
                "china.stale-translation",
                f"narrative '{nid}': {z.path} was last changed before its English source {n.path} "
                f"({_fmt(zh_time)} < {_fmt(en_time)}); the translation may be stale",
                Location(z.path, 1, 1),
            )
    for nid, z in sorted(zh.items()):
        target = z.translation_of
        if target is not None and target not in en:
            diags.emit(
                "china.translation-pair",
                f"narrative {z.path} says translation_of '{target}', but no English narrative has that id "
                f"(zh id '{nid}')",
                _front_key(ctx.config.root, z, "translation_of"),
            )
        elif target is not None and target != nid:
            diags.emit(
                "china.translation-pair",
                f"narrative {z.path} has id '{nid}' but translates '{target}'; a translation pair shares one id",
                _front_key(ctx.config.root, z, "id"),
            )


def _nmpa_outline(ctx: CheckContext) -> Outline:
    """The NMPA outline of this check (the planned one, else the packaged one)."""
    region = ctx.region("nmpa")
    if region is not None and region.outline is not None:
        return region.outline
    return load_outline("nmpa")


def _used_by_nmpa(n: Narrative, outline: Outline) -> bool:
    """Whether an English narrative is used by NMPA documents (so it needs a zh rendition).

    A narrative is region-specific when its front matter says ``regions`` or its ``node`` exists only in
    another region's outline (e.g. ``form:fdaft1``, Form FDA 1571); otherwise it is shared.
    """
    regions = n.meta.get("regions")
    if isinstance(regions, list):
        return "nmpa" in regions
    return n.node is None or n.node in outline


def _front_key(root: Path, n: Narrative, key: str) -> Location:
    """The line of a front-matter key of narrative ``n`` (1:1 when it cannot be found)."""
    path = root / n.path
    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
    except OSError:
        text = ""
    for i, line in enumerate(text.splitlines()[: max(n.body_line - 1, 1)]):
        if line.startswith(f"{key}:"):
            return Location(n.path, i + 1, 1)
    return Location(n.path, 1, 1)


def _known_ids(ctx: CheckContext) -> set[str]:
    """Lot ids, study ids/numbers and the protocol number that look like identifiers (contain a digit).

    Ids that are plain words (a study id such as ``tumorigenicity``) occur in English prose by nature and
    are left out; the product code is a name, not a fact a translation could get wrong.
    """
    d = ctx.dossier
    ids = {b.id for b in d.batches} | {s.id for s in d.studies} | {s.study_number for s in d.studies}
    if d.protocol is not None:
        ids.add(d.protocol.number)
    return {i for i in ids if len(i) >= 3 and re.search(r"\d", i)}


def _ids_match(ctx: CheckContext, diags: Diagnostics, en: Narrative, zh: Narrative) -> None:
    ids = _known_ids(ctx)
    if not ids:
        return
    pattern = re.compile("|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True)))

    def cited(text: str) -> set[str]:
        return set(pattern.findall(text))

    difference = _cited_difference(cited(en.body), cited(zh.body))
    if difference:
        diags.emit(
            "china.translation-facts",
            f"narrative '{en.id}': {difference}",
            Location(zh.path, zh.body_line),
        )


def _fmt(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _changed(display_path: str, root: Path) -> float | None:
    """When a file last changed: its last git commit time, or its mtime if uncommitted or outside git."""
    path = (root / display_path) if not Path(display_path).is_absolute() else Path(display_path)
    if not path.is_file():
        return None
    path = path.resolve()
    dirty, committed = _git_times(str(path.parent))
    if committed is None or path in dirty or path not in committed:
        return path.stat().st_mtime
    return committed[path]


def reset_caches() -> None:
    """Forget the git state read by the staleness rule (it is read once per work tree and run)."""
    _git_times.cache_clear()


@lru_cache(maxsize=None)
def _git_times(folder: str) -> tuple[frozenset[Path], dict[Path, float] | None]:
    """For the git work tree holding ``folder``: files with uncommitted changes, and each file's last commit time.

    Three git calls per work tree (not per file), so the rule stays fast on large dossiers.
    ``(frozenset(), None)`` outside a git work tree or without git.
    """

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout if out.returncode == 0 else None

    top = git("rev-parse", "--show-toplevel")
    if not top:
        return frozenset(), None
    top_path = Path(top.strip())
    status = git("status", "--porcelain", "-z", "--untracked-files=all") or ""
    dirty = set()
    entries = status.split("\0")
    i = 0
    while i < len(entries):
        entry = entries[i]
        if len(entry) > 3:
            dirty.add((top_path / entry[3:]).resolve())
            if entry[0] in "RC":  # a rename/copy is followed by its source path
                i += 1
        i += 1
    log = git("log", "--format=%x00%ct", "--name-only", "--no-renames", "--", ".") or ""
    committed: dict[Path, float] = {}
    for block in log.split("\0")[1:]:
        lines = block.strip().splitlines()
        if not lines:
            continue
        when = float(lines[0])
        for name in lines[1:]:
            if name.strip():
                committed.setdefault((top_path / name.strip()).resolve(), when)
    return frozenset(dirty), committed


def _envelope(ctx: CheckContext, diags: Diagnostics) -> None:
    reg, product = ctx.dossier.regulatory, ctx.dossier.product
    if reg is None:
        return
    env = reg.nmpa
    if env is None:
        return  # no NMPA build (schema.region-required reports it when nmpa is a region)
    expected = {"application_type": "cnapt1"}
    if env.product_type is not None and product is not None:  # when not given, the modality decides it
        expected["product_type"] = product.kind.nmpa_product_type
    if ctx.config.settings.sequence == "0000":
        expected.update(regulatory_activity="cnrat1", sequence_type="cnsqt1")
    meaning = {
        "cnapt1": "临床试验申请",
        "cnprt1": "化学药品",
        "cnprt2": "生物制品",
        "cnrat1": "首次申请",
        "cnsqt1": "首次提交",
    }
    for field, want in expected.items():
        got = getattr(env, field)
        if got != want:
            diags.emit(
                "china.nmpa-envelope",
                f"regulatory.nmpa.{field} is '{got}'; an initial IND"
                + (f" of a {product.kind.title('en')}" if field == "product_type" and product else "")
                + f" needs '{want}' ({meaning[want]})",
                where(ctx, "regulatory", "nmpa", field) or where(ctx, "regulatory", "nmpa"),
            )


def _untranslated(ctx: CheckContext, diags: Diagnostics) -> None:
    """Text facts whose zh value repeats an English sentence of four or more words."""

    def visit(obj: object, path: tuple[str | int, ...]) -> None:
        if isinstance(obj, Text):
            if obj.zh.strip() == obj.en.strip() and len(_WORD.findall(obj.en)) >= 4 and not _CJK.search(obj.zh):
                diags.emit(
                    "china.zh-untranslated",
                    f"the Chinese text of {'.'.join(str(p) for p in path)} repeats the English '{obj.en}'",
                    where(ctx, *path, "zh"),
                )
            return
        if isinstance(obj, list):
            for i, item in enumerate(obj):
                visit(item, path + (getattr(item, "id", i),))
            return
        fields = getattr(type(obj), "model_fields", None)
        if fields:
            for name in fields:
                visit(getattr(obj, name), path + (name,))

    for section, value in ctx.dossier.facts.items():
        visit(value, (section,))


def _cover_letter(ctx: CheckContext, diags: Diagnostics) -> None:
    """J2: the 说明函 states product, application type, registration class and CDE meeting references."""
    d = ctx.dossier
    product, reg = d.product, d.regulatory
    if product is None or reg is None:
        return
    if reg.nmpa is None:
        return
    cls = reg.nmpa.registration_class
    family = product.kind.category("zh")  # 化学药品 or 治疗用生物制品 (《药品注册管理办法》 第四条)
    if cls is not None and family.removeprefix("治疗用") not in cls.zh:
        diags.emit(
            "china.cover-letter-facts",
            f"regulatory.nmpa.registration_class '{cls.zh}' is not a {family} class, but the product is a "
            f"{product.kind.title('zh')} ({family})",
            where(ctx, "regulatory", "nmpa", "registration_class", "zh"),
        )
    wanted = [("the product", [product.code, product.name.zh, product.short_name.zh]), ("the application type", ["临床试验申请"])]
    if cls is not None:
        wanted.append(("the registration class", [cls.zh]))
    wanted += [(f"meeting {m.id}", [m.reference]) for m in reg.meetings if m.agency == "nmpa"]
    for rd in rendered(ctx, "nmpa"):
        if rd.element != "cn-1-0":
            continue
        text = compact(rd.text)
        missing = [f"{label} ({' / '.join(v for v in values if v)})" for label, values in wanted
                   if not any(v and compact(v) in text for v in values)]
        if missing:
            diags.emit(
                "china.cover-letter-facts",
                f"说明函 {rd.doc.meta.title} does not state {'; '.join(missing)}",
                rd.source,
            )


def _cited_difference(en: set[str], zh: set[str]) -> str | None:
    """How the ids/numbers cited by an English text and its Chinese translation differ, in words."""
    parts = []
    if en - zh:
        parts.append(f"only the English cites {', '.join(sorted(en - zh))}")
    if zh - en:
        parts.append(f"only the Chinese cites {', '.join(sorted(zh - en))}")
    return "; ".join(parts) or None
