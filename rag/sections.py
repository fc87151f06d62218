"""Which year a passage is about, from the headings above it.

A report dated 2017 reviews 2016 under "2016年工作回顾" and plans 2017 under
"2017年主要任务"; the document's period alone would put both halves in 2016.

Example::

    >>> text = "## 2016年工作回顾\\n建成 5 家。\\n## 2017年主要任务\\n新建 9 家。"
    >>> section_heading(text, text.index("9"))
    '## 2017年主要任务'
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
# Markdown headings, or short lines without sentence punctuation.
_HEADING = re.compile(r"^[ \t]*(?:#+[^\n]*|[^\n。；，,]{2,30})$", re.MULTILINE)


@lru_cache(maxsize=256)
def _year_headings(text: str) -> tuple[list[int], list[str]]:
    found = [
        (m.start(), m.group(0).strip()) for m in _HEADING.finditer(text) if YEAR.search(m.group(0))
    ]
    return [s for s, _ in found], [h for _, h in found]


def section_heading(text: str, pos: int) -> str:
    """The nearest heading above ``pos`` that names a year ("" if none)."""
    starts, heads = _year_headings(text)
    i = bisect.bisect_right(starts, pos) - 1
    return heads[i] if i >= 0 else ""


def section_years(text: str, pos: int) -> set[int]:
    return {int(y) for y in YEAR.findall(section_heading(text, pos))}
