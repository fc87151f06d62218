"""What the documents cover: which places and which years, from each document's metadata.

Users cannot see the corpus, so a "not found" alone leaves them guessing whether the
answer is missing or the whole place is. The scope is derived from the index's own
document records (region and period, rag/metadata.py), so it follows every upload.

Example::

    >>> metas = [DocMeta("a", "t", region="苏州", period_start=2016, period_end=2016),
    ...          DocMeta("b", "t", region="昆山", period_start=2013, period_end=2017)]
    >>> scope_text(coverage(metas))
    '已收录：苏州 2016、昆山 2013–2017'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from rag.metadata import DocMeta
from rag.question import Question
from rag.regions import is_within


class Covered(NamedTuple):
    """One place and period the documents speak for, and how many documents do."""

    place: str | None
    start: int | None
    end: int | None
    documents: int

    def label(self) -> str:
        years = "" if self.start is None else str(self.start)
        if self.end is not None and self.end != self.start:
            years += f"–{self.end}"
        return " ".join(p for p in (self.place or "未标地区", years) if p)


def coverage(metas: Iterable[DocMeta]) -> list[Covered]:
    """Places in the order documents were added, each place's periods in year order."""
    counts: dict[tuple, int] = {}
    order: dict[str | None, int] = {}
    for meta in metas:
        order.setdefault(meta.region, len(order))
        key = (meta.region, meta.period_start, meta.period_end)
        counts[key] = counts.get(key, 0) + 1
    keys = sorted(counts, key=lambda k: (order[k[0]], k[1] is None, k[1] or 0, k[2] or 0))
    return [Covered(place, start, end, counts[(place, start, end)]) for place, start, end in keys]


def scope_text(covered: list[Covered]) -> str:
    if not covered:
        return "尚未收录任何文档。"
    return "已收录：" + "、".join(c.label() for c in covered)


def _related(place: str, meta: DocMeta) -> bool:
    """The asked place is the document's, inside it, or contains it (苏州 holds 昆山)."""
    spoken = [p for p in [meta.region, *meta.places] if p]
    if not spoken:
        return True  # a document of unknown place might speak for any
    return any(p == place or is_within(place, p) or is_within(p, place) for p in spoken)


def _covers_year(meta: DocMeta, year: int) -> bool:
    if meta.period_start is None or meta.period_end is None:
        return True  # unknown period: do not claim the year is outside
    return meta.period_start <= year <= meta.period_end


def outside(question: Question, metas: Iterable[DocMeta]) -> bool:
    """True when the question names a place no document speaks for, or years that no
    document of its place covers: then "not found" is about the corpus, not the wording."""
    metas = list(metas)
    if question.places:
        metas = [m for m in metas if any(_related(p, m) for p in question.places)]
        if not metas:
            return True
    if question.years:
        return not any(_covers_year(m, y) for m in metas for y in question.years)
    return False


def outside_message(question: Question, metas: Iterable[DocMeta]) -> str:
    """Why an out-of-scope question has no answer, and what the documents do cover."""
    years = "、".join(f"{y}年" for y in question.years)
    asked = " ".join(p for p in ("、".join(question.places), years) if p)
    return f"未找到：所问的“{asked}”不在已收录的文档范围内。{scope_text(coverage(metas))}"
