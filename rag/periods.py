"""Over what span and per what a figure counts: one year or several, a total or a rate.

A question that asks one year ("2017年一年", "全年") is not answered by a sum over several
("五年来,走访慰问困难职工家庭10643户", "三年累计立项103个,结项99个"); one that asks so much
per household or head ("平均每户", "每人", "人均") is not answered by a total.

Example::

    >>> asks_one_year("2017年一年举办了多少场竞赛"), asks_one_year("五年来全年举办了多少场")
    (True, False)
    >>> text = "五年来,走访慰问困难职工家庭10643户。"
    >>> sums_several_years(text, Span(0, 20), Span(4, 20), text.index("10643"))
    True
    >>> asks_per_unit("平均每户给了多少钱"), states_per_unit("为204名职工发放每人", "元的奖励")
    (True, True)
"""

from __future__ import annotations

import re

from rag.sentences import CLAUSE_END, Span, unwrap

__all__ = ["asks_one_year", "asks_per_unit", "states_per_unit", "sums_several_years"]

# One year asked, and the words that make a figure a sum over several years; 全年累计 and
# 去年累计 are still one year's.
_ONE_YEAR = re.compile(r"(?<![几多两三四五六七八九十百\d])一年(?![来多半以])|全年|当年|单年|那一年")
_SEVERAL_YEARS = re.compile(
    r"[两三四五六七八九十几多\d]+年(?:来|以来|间|中|里|累计|共)|以来|累计|历年|届内|任期内"
)
# A question that names several years too (无锡全年调解的和昆山五年参与调处的) may compare
# periods: no one year is asked of every figure.
_YEARS_ASKED = re.compile(r"[两三四五六七八九十几多]+年|以来|累计|历年")
_THIS_YEAR = re.compile(r"全年|去年|今年|当年|本年|[一二〇零\d]{4}年(?![来以间])")
# So much per household, head, month …: the figure must say so (每人1000元, 人均, /月).
_PER_UNIT = re.compile(r"平均|人均|户均|每(?:户|人|名|位|个|家|所|次|月|年|天|场|期|届)")
_PER_BEFORE = re.compile(r"(?:平均|人均|户均|均|每[^\d，,。；;]{0,4}|标准[^\d，,。；;]{0,4})$")
_PER_AFTER = re.compile(r"^\s*(?:/|每|一[户人次])")


def asks_one_year(question: str) -> bool:
    """Whether the question asks one year's figure and no span of years."""
    return bool(_ONE_YEAR.search(question)) and not _YEARS_ASKED.search(question)


def asks_per_unit(question: str) -> bool:
    """Whether the question asks so much per household, head, month …"""
    return bool(_PER_UNIT.search(question))


def states_per_unit(clause_before: str, after: str) -> bool:
    """Whether the figure's own words make it a rate: 每人1000元, 人均…, 600元/月."""
    return bool(_PER_BEFORE.search(unwrap(clause_before)) or _PER_AFTER.match(after))


def sums_several_years(text: str, sent: Span, clause: Span, start: int) -> bool:
    """The figure is a sum over several years, said in its own clause before it, else in
    the clause before, else in the sentence's opening clause (五年来,走访慰问…). The
    nearest that names a span decides: 全年累计 and 去年累计 are one year's."""
    lead = text[sent.start : clause.start].rstrip(CLAUSE_END)
    previous = max(lead.rfind(mark) for mark in CLAUSE_END) + 1
    opening = re.split(f"[{CLAUSE_END}]", lead, maxsplit=1)[0]
    for piece in (text[clause.start : start], lead[previous:], opening):
        piece = unwrap(piece)
        if _SEVERAL_YEARS.search(piece):
            return not _THIS_YEAR.search(piece)
        if _THIS_YEAR.search(piece):
            return False
    return False
