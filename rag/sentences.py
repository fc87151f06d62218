"""Sentence, clause and segment bounds in report text.

Reports converted from PDF break lines where the page ended, often mid-sentence:
"全市参赛企业11707家、\\n\\n职工92.9万人". Such a break is a line wrap, not a sentence
end; a break after a heading or a full stop is one.

Example::

    >>> text = "全市参赛企业11707家、职工达到一定规模，\\n\\n职工92.9万人。\\n\\n## 下一节"
    >>> span = bounds(text, text.index("92.9"), text.index("92.9") + 4, SENTENCE_END)
    >>> text[span.start : span.end].startswith("全市参赛企业")
    True
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import NamedTuple

SENTENCE_END = "。！？；;!?\n"
CLAUSE_END = SENTENCE_END + "，,：:"
SEGMENT_END = CLAUSE_END + "、"
MAX_QUOTE = 160

_BREAK = re.compile(r"\n[ \t\u3000\n]*")
_FINAL = '。！？；;!?：:）)*”"》】'
# "一、…", "2. …", "（三）…": numbered headings and list items start afresh.
_NUMBERED = re.compile(
    r"[ \t\u3000]*(?:[一二三四五六七八九十]+、|\d+[.、．]|[（(][一二三四五六七八九十\d]+[）)])"
)


class Span(NamedTuple):
    start: int
    end: int


def _is_wrap(line: str, following: str) -> bool:
    """Whether the break between ``line`` and ``following`` only wraps a sentence.

    Headings are short, carry no full stop and often no comma; wrapped prose ends on a
    character that cannot end a sentence.
    """
    line = line.strip()
    if not line or not following or line[0] == "#" or following[0] == "#":
        return False
    if line[-1] in _FINAL or _NUMBERED.match(following):
        return False
    if line[-1] in "、，," or "。" in line:
        return True
    if _NUMBERED.match(line):
        return False
    return len(line) >= 20 and ("，" in line or "," in line)


@lru_cache(maxsize=64)
def soft_breaks(text: str) -> frozenset[int]:
    """Positions of the line breaks in ``text`` that wrap a sentence."""
    soft: set[int] = set()
    for m in _BREAK.finditer(text):
        line = text[text.rfind("\n", 0, m.start()) + 1 : m.start()]
        next_break = text.find("\n", m.end())
        following = text[m.end() : next_break if next_break >= 0 else None]
        if _is_wrap(line, following):
            soft.update(i for i in range(m.start(), m.end()) if text[i] == "\n")
    return frozenset(soft)


@lru_cache(maxsize=64)
def _stop_positions(text: str, stops: str) -> list[int]:
    soft = soft_breaks(text) if "\n" in stops else frozenset()
    pattern = "[" + re.escape(stops) + "]"
    return [m.start() for m in re.finditer(pattern, text) if m.start() not in soft]


def bounds(text: str, start: int, end: int, stops: str) -> Span:
    """The run of ``text`` around ``start:end`` up to the nearest ``stops`` either side;
    it keeps its closing full stop. Wrapping line breaks are not stops."""
    positions = _stop_positions(text, stops)
    i = bisect.bisect_left(positions, start)
    left = positions[i - 1] + 1 if i else 0
    j = bisect.bisect_left(positions, end)
    right = positions[j] if j < len(positions) else len(text)
    if right < len(text) and text[right] in "。！？!?；;":
        right += 1  # the quote keeps its full stop
    return Span(left, right)


def unwrap(text: str) -> str:
    """A sentence's words rejoined across its line wraps ("民主管\\n\\n理" → "民主管理")."""
    return re.sub(r"\s*\n\s*", "", text) if "\n" in text else text


def sentence_before(text: str, sent: Span) -> Span:
    """The span of the sentence before ``sent`` (``sent`` itself at the start of the text)."""
    if sent.start < 2:
        return sent
    return bounds(text, sent.start - 2, sent.start - 2, SENTENCE_END)


def previous_sentence(text: str, sent: Span) -> str:
    """The sentence before ``sent``, its wraps rejoined ("" at the start of the text)."""
    if sent.start < 2:
        return ""
    return unwrap(text[sentence_before(text, sent).start : sent.start])


def split_sentences(text: str) -> list[Span]:
    """Sentence spans of a document: ends at 。！？； and at line breaks that end one."""
    soft = soft_breaks(text)
    spans, start = [], 0
    for m in re.finditer(r"[。！？；!?;\n]+", text):
        if all(i in soft for i in range(m.start(), m.end())):
            continue
        if text[start : m.end()].strip():
            spans.append(Span(start, m.end()))
        start = m.end()
    if text[start:].strip():
        spans.append(Span(start, len(text)))
    return spans


def _strip(text: str, span: Span) -> Span:
    s, e = span
    while s < e and text[s] in " \t\u3000#>*-—":
        s += 1
    while e > s and text[e - 1] in " \t\u3000":
        e -= 1
    return Span(s, e)


def quote_span(text: str, fig_start: int, fig_end: int) -> Span:
    """The sentence stating the figure; narrowed to its clauses when very long."""
    sent = _strip(text, bounds(text, fig_start, fig_end, SENTENCE_END))
    if sent.end - sent.start <= MAX_QUOTE:
        return sent
    s, e = bounds(text, fig_start, fig_end, CLAUSE_END)
    # Widen clause by clause while it fits, so the subject before the figure stays in.
    while True:
        grown = False
        if s > sent.start:
            ns = bounds(text, s - 1, s - 1, CLAUSE_END).start
            if e - ns <= MAX_QUOTE:
                s, grown = ns, True
        if e < sent.end and not grown:
            ne = bounds(text, e + 1, e + 1, CLAUSE_END).end
            if ne - s <= MAX_QUOTE:
                e, grown = ne, True
        if not grown:
            break
    return _strip(text, Span(max(s, sent.start), min(e, sent.end)))
