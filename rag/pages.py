"""Which page of its PDF a character of a stored text is on.

Example::

    >>> page_of(record, 0), page_of(record, 5_000)      # a PDF record
    (1, 7)
    >>> page_of(text_record, 10) is None                 # .txt, .docx, HTML: no pages
    True
"""

from __future__ import annotations

import bisect


def page_of(doc, offset: int) -> int | None:
    """1-based page holding ``doc.text[offset]``; None for a format without pages."""
    starts = getattr(doc, "page_starts", None)
    if not starts:
        return None
    return max(1, bisect.bisect_right(starts, offset))


def page_count(doc) -> int | None:
    starts = getattr(doc, "page_starts", None)
    return len(starts) if starts else None
