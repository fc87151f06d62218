"""What the asker tells before asking, and the years a question names.

"苏州16年省劳模115个，那12年那份里市劳模表彰了几个": the asker tells a figure of one
report, then turns (那…) to ask of another; the asking clause sets the year and the place.
"12年" in a question about reports is 2012.

Example::

    >>> text = "昆山101家，那苏州全市通过验收的几个"
    >>> start, end = asked_clause(text)
    >>> text[start:end], parse_years("从12年到2016年")
    ('那苏州全市通过验收的几个', [2016, 2012])
"""

from __future__ import annotations

import re

from rag.numbers import LABEL_KINDS, find_figures

__all__ = ["asked_clause", "parse_years"]

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:年)?(?!\d)")
_SHORT_YEAR = re.compile(r"(?<![\d.])(\d{2})年(?!代)")

# Clauses of a question: "苏州16年省劳模115个，那12年那份里市劳模表彰了几个".
_QUESTION_CLAUSE = re.compile(r"[^，,。；;？?！!\s]+")
# The asker turns from what they told to what they ask: 那12年那份里, 江都那边.
_TURN = re.compile(r"^(?:那么?|而|可)|那[份边里個个]|那邊")
_ASK = re.compile(r"多少|几|若干|哪")


def asked_clause(text: str) -> tuple[int, int] | None:
    """The span of the question's asking clause, when the asker told something first that
    is not asked: a figure of their own (昆山101家，那苏州…几个) or a turn (那份, 那边).
    None when the question is one clause or tells nothing."""
    clauses = list(_QUESTION_CLAUSE.finditer(text))
    asking = [m for m in clauses if _ASK.search(m.group())]
    if len(clauses) < 2 or not asking:
        return None
    ask = asking[-1]
    told = any(
        f.kind not in LABEL_KINDS and not _SHORT_YEAR.match(m.group(), f.start)
        for m in clauses
        if m is not ask
        for f in find_figures(m.group())
    )
    return ask.span() if told or _TURN.search(ask.group()) else None


def parse_years(text: str) -> list[int]:
    years = [int(m.group(1)) for m in _YEAR.finditer(text)]
    # "12年" in "从12年到16年" means 2012 in a question about reports.
    years += [
        2000 + int(m.group(1)) for m in _SHORT_YEAR.finditer(text) if not _YEAR.search(m.group(0))
    ]
    return list(dict.fromkeys(y for y in years if 1949 <= y <= 2100))
