"""Rule family: nonclinical statements against the study designs they summarise.

A toxicology study that measured the test article (or its products) in plasma has toxicokinetic data;
a summary that says toxicokinetics are not applicable, or reports none, contradicts the study design a
reviewer reads in Module 4 and in 2.6.7.
"""

from __future__ import annotations

import re

from ..diagnostics import Diagnostics
from ..doctree import Heading, Paragraph, Table, plain_text, table_rows, walk_blocks
from ..model.nonclinical import Study
from .context import CheckContext, RenderedDoc
from .support import define, rendered, where

define(
    "nonclinical.tk-statement",
    "error",
    "A document says toxicokinetics are not applicable (or none were measured) while a study measured exposure.",
    """
    ICH S3A asks that exposure be assessed in toxicity studies (toxicokinetics), and 2.6.7.2/2.6.7.3 summarise
    those measurements. When a study's design or findings say that plasma concentrations were measured
    (toxicokinetics, plasma levels of the test article or of its transgene products), the study's
    `toxicokinetics:` fact gives what was found, and no document (2.6.7.2, 2.6.7.3, 2.4, 2.6.6, the IB) may say
    that toxicokinetics are not applicable or that no toxicokinetic data exist. For a cell therapy the
    persistence of the cells is not toxicokinetics, but plasma levels of a secreted product are.
    """,
    "ICH S3A (Note for Guidance on Toxicokinetics: the Assessment of Systemic Exposure in Toxicity Studies), "
    "§1-3; ICH M4S(R2) 2.6.7.2-2.6.7.3 (toxicokinetics overview and data); 21 CFR 312.23(a)(8)(ii)(a).",
)

TOX_CATEGORIES = frozenset({
    "single-dose-toxicity", "repeat-dose-toxicity", "genotoxicity", "tumorigenicity", "local-tolerance",
    "reproductive-toxicity", "immunotoxicity", "other-toxicity",
})
# Words of a study design or finding that say exposure was measured in the animals.
_MEASURED = re.compile(
    r"toxicokinetic|\bTK\b|plasma (?:[\w\-\[\]()]+ ){0,4}(?:concentration|level|exposure)s?|"
    r"(?:plasma|serum) (?:GLP-1|FGF21|[\w\-\[\]]+ analogue)|\bC(?:max|min)\b|\bAUC|systemic exposure|"
    r"毒代动力学|血浆[\u4e00-\u9fff\w\-\[\]()]{0,20}(?:浓度|水平|暴露)|血浆GLP-1|暴露量",
    re.I,
)
_TK_WORD = re.compile(r"toxicokinetic|毒代", re.I)
_TK_HEADING = re.compile(r"\s*(?:toxicokinetic|毒代动力学)", re.I)
_NUMBERING = re.compile(r"^\s*[\dA-Z]+(?:\.[\dA-Z]+)*\s+")
_NONE = re.compile(
    r"not applicable|no toxicokinetic data|not (?:been )?(?:measured|assessed|conducted)|were not performed|"
    r"不适用|未报告毒代|未(?:进行|开展|检测)",
    re.I,
)


def measured_exposure(s: Study) -> tuple[str, str, str] | None:
    """``(field, language, phrase)`` of a study's design or findings that says exposure was measured, or None."""
    for name in ("dosing", "title", "key_findings"):
        for lang, text in getattr(s, name).texts().items():
            m = _MEASURED.search(text)
            if m:
                return name, lang, m.group(0)
    return None


_INCLUDING = re.compile(r"[（(]\s*(?:包括|including)[^）)]*[）)]", re.I)


def tk_statements(rd: RenderedDoc) -> list[str]:
    """Statements of a document that toxicokinetics are not applicable or absent.

    A block counts when it says so and either names toxicokinetics itself or stands under a heading that
    does ("2.6.7.3 Toxicokinetics: Overview of Toxicokinetics Data" / "Not applicable; see 2.6.7.2").
    """
    out: list[str] = []
    under_tk = False
    for block in walk_blocks(rd.doc.blocks):
        if isinstance(block, Heading):
            # a toxicokinetics section ("2.6.7.3 Toxicokinetics: ..."), not a section that merely includes
            # them ("4.2.3.3.2 In vivo (including supportive toxicokinetics evaluations)")
            title = _NUMBERING.sub("", plain_text(block.children))
            under_tk = bool(_TK_HEADING.match(title))
            continue
        if isinstance(block, Paragraph):
            texts = [plain_text(block.children)]
        elif isinstance(block, Table):
            # a table is read cell by cell: a row of the 1.1 checklist joins a 不适用 state and a reason that
            # mentions toxicokinetics for another purpose; a row is one statement only when one of its
            # cells names toxicokinetics as its subject ("Toxicokinetics | Not applicable")
            texts = []
            for _, cells in table_rows(block):
                if any(_TK_HEADING.match(_NUMBERING.sub("", c)) for c in cells):
                    texts.append(" | ".join(cells))
                else:
                    texts.extend(cells)
        else:
            continue
        for text in texts:
            for sentence in re.split(r"(?<=[.;。；])\s*", text):
                # a CTD title that merely includes them ("In vivo (including supportive toxicokinetics
                # evaluations)", "体内（包括伴随毒代动力学试验）"), e.g. a row of the 1.1 checklist, is no statement
                bare = _INCLUDING.sub("", sentence)
                if _NONE.search(bare) and (under_tk or _TK_WORD.search(bare)):
                    out.append(sentence.strip())
    return out


def check(ctx: CheckContext, diags: Diagnostics) -> None:
    """Toxicokinetics statements against the study designs."""
    measured: list[Study] = []
    for s in ctx.dossier.studies:
        if s.category not in TOX_CATEGORIES:
            continue
        found = measured_exposure(s)
        if found is None and s.toxicokinetics is None:
            continue
        if s.toxicokinetics is None and found is not None:
            field, lang, phrase = found
            diags.emit(
                "nonclinical.tk-statement",
                f"study {s.study_number} ({s.id}) measured exposure ('{phrase}') but has no 'toxicokinetics:' "
                "summary, so 2.6.7.2 and 2.6.7.3 report no toxicokinetic data for it: add what was measured and "
                "found (analytes, dose proportionality, time course)",
                where(ctx, "studies", s.id, field, lang) or where(ctx, "studies", s.id),
            )
        measured.append(s)
    if not measured:
        return
    names = ", ".join(s.study_number for s in measured)
    noun = "study" if len(measured) == 1 else "studies"
    for rd in rendered(ctx):
        if rd.document is None:
            continue
        for sentence in tk_statements(rd):
            diags.emit(
                "nonclinical.tk-statement",
                f"{rd.label} ({rd.region}) says '{sentence[:120]}', but {noun} {names} measured exposure "
                "(toxicokinetics): state the toxicokinetic results instead",
                rd.source or where(ctx, "studies", measured[0].id),
            )


__all__ = ["check", "measured_exposure", "tk_statements"]
