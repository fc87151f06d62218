"""An answer object as Markdown, for chat clients (/v1/chat/completions) and MCP tools.

Each kind of answer opens its own way, then each cited sentence follows as a quote with
its source (linked when ``link`` is given):

* figure, date, place, name: the answer in bold, ``**918 家**（苏州 · 2016）``;
* person: the name in bold with the post written beside it, ``**张永新** · 主席（江都 · 2015-2019）``;
* list: ``共 4 项（苏州 · 2012）：`` and the items as Markdown bullets, ``- 参与``;
* yes/no: ``**是**`` or ``**否**``, then the sentence that decides it;
* definition, describe: ``文档中的相关原文：`` and up to three quoted passages, no bold
  headline (the place is in the heading only when every passage shares it);
* not found: the Chinese message, then ``最接近的句子：`` with up to three excerpts.

Up to two sentences are cited for a span answer (a comparison or a change cites two).

Example (a figure; ``result`` is ``POST /v1/ask``'s answer object)::

    >>> print(answer_markdown(result, link=lambda c: f"http://qa/documents/{c.doc_id}"))
    **918 家**（苏州 · 2016）

    > 继续推进职工书屋建设，已建全国、省、市三级职工书屋示范点 918 家，图书总量超过 400 万册。

    来源：[全力推进改革创新 …](http://qa/documents/001_0a525996db59571e)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

from rag.messages import change_line, compare_line, rest_line, whole_line
from rag.schema import AnswerObject, Citation

_SPECIAL = re.compile(r"([\\`*\[\]<>])")
MAX_CITED = 2  # a comparison or change cites two sentences
PASSAGES_CITED = 3  # a definition or description answers with up to three sentences


def escape(text: str) -> str:
    """Markdown-inert text: the reports contain ** and # of their own headings."""
    return _SPECIAL.sub(r"\\\1", text)


def sentence(text: str) -> str:
    """A quote as one line: line breaks inside a sentence are wraps of a converted PDF."""
    return re.sub(r"[ \t]*\n\s*", "", text).strip()


def document_path(c: Citation) -> str:
    """Path of the reading page with the quoted span highlighted."""
    return f"/documents/{quote(c.doc_id, safe='')}?start={c.start}&end={c.end}"


def where(c: Citation) -> str:
    period = c.period or ""
    return " · ".join(x for x in (c.region, period) if x)


def answer_markdown(result: AnswerObject, link: Callable[[Citation], str] | None = None) -> str:
    """Markdown for ``result``: answer, quoted sentences, sources (linked when ``link``)."""

    def source(c: Citation) -> str:
        title = escape(c.title or c.doc_id)
        if link is None:
            return f"{title}（`{c.doc_id}`，第 {c.start}–{c.end} 字）"
        return f"[{title}]({link(c)})"

    parts = []
    if result.resolved_question:
        parts.append(f"按“{escape(result.resolved_question)}”查找")
    if result.answer is not None:
        answer = result.answer
        cited = PASSAGES_CITED if answer.kind.is_passage else MAX_CITED
        # Passages may come from several reports: a place heads them only when shared.
        places = {where(c) for c in result.citations[: cited if answer.kind.is_passage else 1]}
        place = places.pop() if len(places) == 1 else ""
        place = f"（{escape(place)}）" if place else ""
        if answer.kind.is_passage:  # the quotes are the answer
            parts.append("文档中的相关原文" + place + "：")
        elif answer.items:
            parts.append(f"共 {len(answer.items)} 项{place}：")
            parts.append("\n".join(f"- {escape(sentence(i.text))}" for i in answer.items))
        elif answer.compared:
            # The winner in words, then every side with its own figure.
            sides = "；".join(f"{escape(s.place)} {escape(s.text)}" for s in answer.compared)
            parts.append(f"**{escape(compare_line(answer))}**：{sides}")
        elif answer.rest is not None:
            # 没有…的有多少 asked: the rest, then the whole and the part
            parts.append(f"**{escape(rest_line(answer))}**（{escape(whole_line(answer))}）{place}")
        elif answer.change is not None:
            # 增加了多少 asked: the difference, then the figure it reached
            by = escape(change_line(answer))
            parts.append(f"**{by}**（{escape(answer.text)}）{place}")
        else:
            post = f" · {escape(answer.post)}" if answer.post else ""
            parts.append(f"**{escape(answer.text)}**{post}{place}")
        for c in result.citations[:cited]:
            parts.append(f"> {escape(sentence(c.quote))}")
            parts.append(f"来源：{source(c)}")
        return "\n\n".join(parts)
    parts.append(escape(result.message or "未在文档中找到答案。"))
    if result.citations:
        lines = ["最接近的句子："]
        for c in result.citations[:3]:
            excerpt = sentence(c.quote)
            excerpt = excerpt[:80] + ("…" if len(excerpt) > 80 else "")
            lines.append(f"- {source(c)}：{escape(excerpt)}")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)
