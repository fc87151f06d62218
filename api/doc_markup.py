"""A document's text as reading-page HTML, character for character.

Citation offsets count every character of the stored text, newlines included, so the
page shows that text whole in a ``pre-wrap`` block: ``text[start:end]`` is exactly what
``<mark id="hl">`` holds. Markdown documents keep their ``#`` marks too, but their
headings read as headings: the heading lines (found by markdown-it-py, which also knows
underlined headings) are styled, and their marks hidden, not removed.

Example::

    >>> body = markup("# 总结\\n\\n建成书屋 918 家。", 8, 14, markdown=True)
    >>> '<span class="md-h md-h1">总结</span>' in body, '<mark id="hl">建成书屋 918</mark>' in body
    (True, True)
"""

from __future__ import annotations

import re
from html import escape

from markdown_it import MarkdownIt

_ATX_OPEN = re.compile(r"^ {0,3}#{1,6}[ \t]*")
_ATX_CLOSE = re.compile(r"[ \t]+#+[ \t]*$")


def headings(text: str) -> list[tuple[int, int, int, int, int]]:
    """(level, line start, text start, text end, line end) of every heading line; the
    stretches outside [text start, text end) are its marks (``## `` or an ``===`` line)."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    out = []
    for token in MarkdownIt().parse(text):
        if token.type != "heading_open" or not token.map:
            continue
        level = int(token.tag[1])
        first, last = token.map
        for n in range(first, min(last, len(lines))):
            line, at = lines[n], starts[n]
            if token.markup.startswith("#"):
                lead = _ATX_OPEN.match(line)
                body = line[lead.end() :] if lead else line
                close = _ATX_CLOSE.search(body)
                body_end = (lead.end() if lead else 0) + (close.start() if close else len(body))
                out.append(
                    (level, at, at + (lead.end() if lead else 0), at + body_end, at + len(line))
                )
            elif n == last - 1:  # the underline of a setext heading: all mark
                out.append((level, at, at, at, at + len(line)))
            else:
                out.append((level, at, at, at + len(line), at + len(line)))
    return out


def markup(text: str, start: int | None, end: int | None, markdown: bool = False) -> str:
    """HTML of ``text`` with ``text[start:end]`` in one ``<mark id="hl">`` (if given) and,
    for Markdown, heading lines styled. Tags nest properly: a heading's style is split
    where the highlight begins or ends, never the highlight."""
    spans = headings(text) if markdown else []
    cuts = {0, len(text)}
    if start is not None and end is not None:
        cuts |= {start, end}
    for _, line_start, body_start, body_end, line_end in spans:
        cuts |= {line_start, body_start, body_end, line_end}
    cuts = sorted(c for c in cuts if 0 <= c <= len(text))

    def style(a: int) -> tuple[int, bool] | None:
        for level, line_start, body_start, body_end, line_end in spans:
            if line_start <= a < line_end:
                return level, not body_start <= a < body_end
        return None

    out, marking = [], False
    empty = start is not None and start == end  # an empty span still marks the place
    for a, b in zip(cuts, cuts[1:], strict=False):
        if empty and a == start:
            out.append('<mark id="hl"></mark>')
            empty = False
        inside = start is not None and end is not None and start <= a < end
        if inside and not marking:
            out.append('<mark id="hl">')
        elif marking and not inside:
            out.append("</mark>")
        marking = inside
        piece = escape(text[a:b])
        found = style(a)
        if found is None:
            out.append(piece)
        elif found[1]:
            out.append(f'<span class="md-mark" aria-hidden="true">{piece}</span>')
        else:
            out.append(f'<span class="md-h md-h{found[0]}">{piece}</span>')
    if marking:
        out.append("</mark>")
    if empty:  # at the very end of the text
        out.append('<mark id="hl"></mark>')
    return "".join(out)
