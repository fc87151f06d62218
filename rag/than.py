"""By how much one stated figure exceeds another: "覆盖的企业比应约企业多多少家".

The question is asked without its "比…" part ("覆盖的企业多少家") for the first side;
the other side is the figure near it (its sentence, the one before or the next) in the
same unit whose own words say most of the other side's words ("应约企业49504家"). The answer is the
difference, from the two figures the report states.

Example::

    >>> than("2012年要约覆盖的企业比应约企业多多少家？")
    '应约企业'
    >>> without_than("2012年要约覆盖的企业比应约企业多多少家？")
    '2012年要约覆盖的企业多少家？'
    >>> other_words("市劳模“三金”", "省部劳模“三金”")
    ['市']
"""

from __future__ import annotations

import re

from rag.numbers import Figure, find_figures, unit_family
from rag.synonyms import variants
from rag.tokenization import tokenize

__all__ = ["other_side", "other_words", "than", "without_than"]

# 比应约企业多多少家, 比结项多几个, 比全国模范职工之家多几个; 比去年 is a change in time.
_THAN = re.compile(r"比(?P<other>[^，,。？?！!]{1,24}?)(?:多|少|高|低)了?(?=多少|几)")
_MARK = re.compile(r"[、，,；;。]")
_FILLER = frozenset('的 了 和 与 及 “ ” " 《 》'.split())


def than(question: str) -> str | None:
    """The other side of a "比…多多少" question, if it is one."""
    m = _THAN.search(question)
    return m.group("other") if m else None


def without_than(question: str) -> str:
    """The question asked of the first side only: "A比B多多少" → "A多少"."""
    m = _THAN.search(question)
    return question if m is None else question[: m.start()] + question[m.end() :]


def other_words(other: str, first: str = "") -> list[str]:
    """The words that name the other side (市劳模“三金” → 市, 劳模, 三, 金), less those
    the first side's question says too (省部劳模“三金” leaves 市), unless none is left."""
    words = [w for w in tokenize(other) if w.strip() and w not in _FILLER]
    said = set(tokenize(first))
    return [w for w in words if w not in said] or words


def other_side(
    text: str, window: tuple[int, int], first: Figure, words: list[str]
) -> Figure | None:
    """The figure in ``text[window]`` (offsets of ``text``), in ``first``'s unit and not
    ``first``, whose own words (from the mark before it to the mark after, within its
    neighbours) say most of ``words``; None when none says at least half of them."""
    start, end = window
    figures = [
        f._replace(start=f.start + start, end=f.end + start) for f in find_figures(text[start:end])
    ]
    best, best_share = None, 0.0
    for i, fig in enumerate(figures):
        if fig.start == first.start or unit_family(fig.unit) != unit_family(first.unit):
            continue
        # Its own words: since the mark before it (已发放全国劳模三金68.05万元、市劳模三金…)
        # and after it up to the next (安排385名劳模健康体检), not a neighbour's.
        lo = figures[i - 1].end if i else start
        hi = figures[i + 1].start if i + 1 < len(figures) else end
        marks = [m.end() for m in _MARK.finditer(text, lo, fig.start)]
        after = _MARK.search(text, fig.end, hi)
        stretch = text[marks[-1] if marks else lo : after.start() if after else hi]
        said = sum(any(v in stretch for v in variants(w)) for w in words)
        share = said / len(words) if words else 0.0
        if share > best_share:
            best, best_share = fig, share
    return best if best_share >= 0.5 else None
