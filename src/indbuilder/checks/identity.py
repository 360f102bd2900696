"""Rule family A: the product, sponsor, indication and phase are named identically everywhere.

The canonical values are the facts (``product``, ``sponsor``); each rendered document's metadata
(:class:`~indbuilder.doctree.DocMeta` ``product``/``sponsor``, printed on title blocks and headers) and
text, and the Markdown narratives, must agree with them in the document's language.
"""

from __future__ import annotations

import re
from collections import Counter

from ..diagnostics import Diagnostics, Location
from ..doctree import plain_text
from ..model.product import Product
from .context import CheckContext
from .traceability import id_shape
from .support import (
    define,
    CN_COVER,
    CN_IB,
    FDA_IB,
    FDA_PLAN,
    docs_at,
    is_protocol_doc,
    narrative_lines,
    normalize,
    rendered,
    where,
)

define(
    "identity.product-name",
    "error",
    "A document names the product differently from the product facts (name, short name or code).",
    """
    The product name and code are identical on Form 1571, the cover letter, 1.20, the IB, the protocol, the
    labels, 2.3/3.2 headers and the CN 申请表 and 说明函. Every document's title-block product (DocMeta) is
    the product's name, short name or code in its language and the same in every document of a region; a
    product code in the text must be the product's code.
    """,
    "21 CFR 312.23(a)(1)(i), (a)(3)(i); ICH eCTD Specification v3.2.2 (substance and product-name "
    "attributes).",
)
define(
    "identity.sponsor-name",
    "error",
    "A document names the sponsor differently from the sponsor facts.",
    "The sponsor/applicant name is identical on every document (title block), the forms, the backbone and the CN 申请表.",
    "21 CFR 312.23(a)(1)(i); FDA eCTD us-regional Module 1 applicant-info.",
)
define(
    "identity.indication",
    "error",
    "A key document does not state the indication as the product facts word it.",
    """
    The indication wording (e.g. "type 2 diabetes mellitus" / "2型糖尿病") is the same in 1.20, the protocol,
    the IB, the cover letter and the CN 说明函 and 申请表; each of these documents states `product.indication`.
    """,
    "21 CFR 312.23(a)(3)(iv) (indication(s) to be studied); Form FDA 1571 box 7.",
)
define(
    "identity.phase",
    "error",
    "The clinical phase differs between the product, the protocol and document titles.",
    "The phase is identical in Form 1571 box 8, the protocol title and design, and the CN 申请表 (I期).",
    "21 CFR 312.23(a)(1)(ii) (phase(s) of the investigation), 312.21.",
)

define(
    "identity.vector-name",
    "error",
    "A narrative or document names the vector differently from the vector facts.",
    """
    The vector (construct) name is identical in 3.2.S.2.3, 2.3.S, the IB, the nonclinical reports and the
    protocol. A token shaped like the vector's name (same letters and separators, digits in the same places,
    e.g. LV-GLP1-FGF23 for LV-GLP1-FGF21) that differs from it is a typo or a stale construct name.
    """,
    "21 CFR 312.23(a)(7)(iv)(a) (description of the drug substance).",
)

_ROMAN = {"I": "1", "II": "2", "III": "3", "IV": "4", "Ⅰ": "1", "Ⅱ": "2", "Ⅲ": "3", "Ⅳ": "4"}
_PHASE_EN = re.compile(r"\bphase\s+((?:I{1,3}|IV|[1-4])(?:\s*/\s*(?:I{1,3}|IV|[1-4]))?)[ab]?\b", re.I)
_PHASE_ZH = re.compile(r"(?<![A-Za-z0-9\-])((?:I{1,3}|IV|[Ⅰ-Ⅳ]|[1-4])(?:\s*/\s*(?:I{1,3}|IV|[Ⅰ-Ⅳ]|[1-4]))?)\s*[abAB]?\s*期")


def phases_in(text: str) -> set[str]:
    """Phase mentions in English or Chinese text, normalized to ``"1"``, ``"1/2"``, …"""
    out: set[str] = set()
    for rx in (_PHASE_EN, _PHASE_ZH):
        for m in rx.finditer(text):
            parts = [p.strip().upper() for p in m.group(1).split("/")]
            out.add("/".join(_ROMAN.get(p, p) for p in parts))
    return out


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """A1-A4 over the facts, the narratives and the rendered documents."""
    _product(ctx, diags)
    _sponsor(ctx, diags)
    _indication(ctx, diags)
    _phase(ctx, diags)
    _vector(ctx, diags)


def _code_pattern(code: str) -> re.Pattern[str] | None:
    """Tokens shaped like the product code (``TST-101`` -> ``TST-<digits>``), not followed by more id parts."""
    m = re.fullmatch(r"([A-Za-z]+[-_ ]?)(\d+)", code)
    if not m:
        return None
    return re.compile(rf"(?<![\w-]){re.escape(m.group(1))}\d+(?![\w-])")


def _names_product(value: str, product: Product, lang: str) -> bool:
    """``value`` is the product's name or short name, the code, or one of the names with the code."""

    def bare(text: str) -> str:  # the text without the code and brackets
        return normalize(re.sub(r"[()（）\[\]]", " ", text.replace(product.code, " "))).strip(" -–—,:;")

    names = {bare(product.name.get(lang)), bare(product.short_name.get(lang)), ""}
    rest = bare(value)
    return rest in names and bool(rest or product.code in value)


def _product(ctx: CheckContext, diags: Diagnostics) -> None:
    product = ctx.dossier.product
    if product is None:
        return
    for region in ctx.regions:
        docs = [rd for rd in rendered(ctx, region.region) if rd.doc.meta.product]
        for rd in docs:
            if not _names_product(rd.doc.meta.product, product, rd.lang):
                diags.emit(
                    "identity.product-name",
                    f"{rd.label} ({region.region}) names the product "
                    f"'{rd.doc.meta.product}'; expected '{product.name.get(rd.lang)}' or '{product.short_name.get(rd.lang)}' "
                    f"({product.code})",
                    rd.source or where(ctx, "product", "name"),
                )
        counts = Counter(normalize(rd.doc.meta.product) for rd in docs)
        if len(counts) > 1:
            usual = counts.most_common(1)[0][0]
            for rd in docs:
                if normalize(rd.doc.meta.product) != usual:
                    diags.emit(
                        "identity.product-name",
                        f"{rd.label} ({region.region}) names the product "
                        f"'{rd.doc.meta.product}', other {region.region} documents '{usual}'",
                        rd.source or where(ctx, "product", "name"),
                    )
    pattern = _code_pattern(product.code)
    if pattern is None:
        return
    d = ctx.dossier
    other_ids = {b.id for b in d.batches} | {s.id for s in d.studies} | {s.study_number for s in d.studies}
    if d.protocol is not None:
        other_ids.add(d.protocol.number)
    for n, line, text in narrative_lines(ctx):
        for tok in pattern.findall(text):
            if tok != product.code and tok not in other_ids:
                diags.emit(
                    "identity.product-name",
                    f"the text names product code '{tok}'; the product code is '{product.code}'",
                    Location(n.path, line, text.find(tok) + 1),
                )
    for rd in rendered(ctx):
        for tok in sorted(set(pattern.findall(rd.text))):
            if tok != product.code and tok not in other_ids:
                diags.emit(
                    "identity.product-name",
                    f"{rd.label} ({rd.region}) names product code '{tok}'; "
                    f"the product code is '{product.code}'",
                    rd.source or where(ctx, "product", "code"),
                )


def _sponsor(ctx: CheckContext, diags: Diagnostics) -> None:
    sponsor = ctx.dossier.sponsor
    if sponsor is None:
        return
    for rd in rendered(ctx):
        value = rd.doc.meta.sponsor
        if value and normalize(value) != normalize(sponsor.name.get(rd.lang)):
            diags.emit(
                "identity.sponsor-name",
                f"{rd.label} ({rd.region}) names the sponsor '{value}'; "
                f"expected '{sponsor.name.get(rd.lang)}'",
                rd.source or where(ctx, "sponsor", "name", rd.lang),
            )
    for org in ctx.dossier.organisations:
        if org.kind != "sponsor":
            continue
        for lang in ("en", "zh"):
            if normalize(org.name.get(lang)) != normalize(sponsor.name.get(lang)):
                diags.emit(
                    "identity.sponsor-name",
                    f"organisation {org.id} is the sponsor but is named '{org.name.get(lang)}'; the sponsor is "
                    f"'{sponsor.name.get(lang)}'",
                    where(ctx, "organisations", org.id, "name", lang),
                )
            if normalize(org.address.lines.get(lang)) != normalize(sponsor.address.lines.get(lang)):
                diags.emit(
                    "identity.sponsor-name",
                    f"organisation {org.id} is the sponsor but its address is '{org.address.lines.get(lang)}'; the "
                    f"sponsor's address is '{sponsor.address.lines.get(lang)}'",
                    where(ctx, "organisations", org.id, "address", "lines", lang),
                )


def _indication(ctx: CheckContext, diags: Diagnostics) -> None:
    product, protocol = ctx.dossier.product, ctx.dossier.protocol
    if product is None:
        return
    docs = docs_at(ctx, [FDA_PLAN, FDA_IB, CN_COVER, CN_IB])
    if protocol is not None:
        docs += [rd for rd in rendered(ctx) if is_protocol_doc(rd, protocol.number)]
    for rd in docs:
        wanted = normalize(product.indication.get(rd.lang))
        if wanted.lower() not in normalize(rd.text).lower():
            diags.emit(
                "identity.indication",
                f"{rd.label} ({rd.region}) does not state the indication "
                f"'{wanted}'",
                rd.source or where(ctx, "product", "indication", rd.lang),
            )


def _phase(ctx: CheckContext, diags: Diagnostics) -> None:
    product, protocol = ctx.dossier.product, ctx.dossier.protocol
    if product is None:
        return
    phase = product.phase
    allowed = {phase, *phase.split("/")}
    if protocol is not None:
        if protocol.phase != phase:
            diags.emit(
                "identity.phase",
                f"protocol {protocol.number} is phase {protocol.phase}; the product facts say phase {phase}",
                where(ctx, "protocol", "phase"),
            )
        for field in ("title", "short_title", "design"):
            for lang in ("en", "zh"):
                found = phases_in(getattr(protocol, field).get(lang)) - allowed
                if found:
                    diags.emit(
                        "identity.phase",
                        f"protocol {field} ({lang}) says phase {', '.join(sorted(found))}; the product is phase {phase}",
                        where(ctx, "protocol", field, lang),
                    )
    for rd in rendered(ctx):
        titles = [rd.doc.meta.title] + [plain_text(h.children) for h in rd.doc.headings()]
        found = set().union(*(phases_in(t) for t in titles)) - allowed
        if found:
            diags.emit(
                "identity.phase",
                f"{rd.label} ({rd.region}) has a title or heading saying phase "
                f"{', '.join(sorted(found))}; the product is phase {phase}",
                rd.source or where(ctx, "product", "phase"),
            )


def _vector(ctx: CheckContext, diags: Diagnostics) -> None:
    product = ctx.dossier.product
    vector = product.vector if product is not None else None
    if vector is None or not re.search(r"\d", vector.name):
        return
    pattern = re.compile(rf"(?<![A-Za-z0-9\-]){id_shape(vector.name)}(?![A-Za-z0-9\-])")
    for n, line, text in narrative_lines(ctx):
        for m in pattern.finditer(text):
            if m.group(0) != vector.name:
                diags.emit(
                    "identity.vector-name",
                    f"the text names vector '{m.group(0)}'; the vector is '{vector.name}'",
                    Location(n.path, line, m.start() + 1),
                )
    for rd in rendered(ctx):
        for tok in sorted({m.group(0) for m in pattern.finditer(rd.text)} - {vector.name}):
            diags.emit(
                "identity.vector-name",
                f"{rd.label} ({rd.region}) names vector '{tok}'; the vector is "
                f"'{vector.name}'",
                rd.source or where(ctx, "product", "vector", "name"),
            )
