"""The answer to "有哪些 / 包括哪几项": the best-fitting enumeration of the ranked
sentences (rag/lists.py finds them), with every item's offsets.

Example::

    >>> from rag.question import parse_question
    >>> ask = ListAsk.of(parse_question("临川选树了哪些工匠"))
    >>> ask.head, ask.people
    ('工匠', True)
"""

from __future__ import annotations

import re
from typing import NamedTuple

from rag.entities import entities
from rag.entities import tag as tag_words
from rag.index import CorpusIndex
from rag.kinds import QuestionKind
from rag.lists import (
    asked_head,
    asked_verb,
    asks_people,
    expected_count,
    find_lists,
    frame_trim,
    head_agreement,
    joined_runs,
)
from rag.question import Question
from rag.sentence_rank import Ranked
from rag.span_parts import (
    ASKS_HONOUR,
    HONOURISH,
    Extracted,
    asked_already,
    closeness,
    find_anchors,
    quote_of,
    speaks_of,
    stored_text,
    with_following,
)
from rag.spans import Found
from rag.synonyms import variants

_LABEL_LINE = re.compile(r"^\s*([\u4e00-\u9fff]{2,8})[:：]")


class ListAsk(NamedTuple):
    """What a list question asks for: how many items, of what, people, honours."""

    expected: int | None  # 哪四项 → 4
    head: str | None  # 哪些工匠 → 工匠
    people: bool  # 成员有哪些, 哪两位
    honours: bool  # 获得了哪些荣誉
    verb: str | None = None  # 提供哪些服务 → 提供

    @classmethod
    def of(cls, question: Question) -> ListAsk:
        text = question.text
        return cls(
            expected_count(text),
            asked_head(text),
            asks_people(text),
            bool(ASKS_HONOUR.search(text)),
            asked_verb(text),
        )


def _nouns(items: list[Found]) -> bool:
    """Every item a noun phrase, no verb in it: 扬州工匠 is one, 学习劳模 is not."""
    return not any(t.tag == "v" for i in items for t in tag_words(i.text.strip("“”")))


def list_fit(items: list[Found], raw: str, ask: ListAsk, names: set[str]) -> float:
    """How well ``items`` (a list found in ``raw``) fit what was asked; 0 rules it out.

    >>> ask = ListAsk(None, "荣誉", False, True)
    >>> text = "荣获全省先进集体和全国一等奖"
    >>> list_fit([Found("全省先进集体", 2, 8, "和"), Found("全国一等奖", 9, 14, "和")], text, ask, set()) > 0
    True
    """
    expected, head, people, honours, verb = ask
    named = sum(any(n in i.text for n in names) for i in items) >= len(items) / 2
    if people and not named and not (head and head_agreement(items, raw, head) and _nouns(items)):
        return 0.0  # 成员有哪些 asked, the list is not of people (“扬州工匠”“龙川工匠” are)
    if expected is None:
        size = min(1.0, 0.6 + 0.1 * len(items))
    else:
        size = 1.0 if len(items) == expected else 0.55
    labelled = _LABEL_LINE.match(raw)
    # "主办单位: 甲 乙" lists 主办单位; asked 参赛队伍, it lists something else
    if labelled and head and not people and not any(v in labelled.group(1) for v in variants(head)):
        return 0.0
    if items[0].label == "和" and expected != 2:
        size *= 0.6  # "A和B" is a list only when two things are asked for
    if honours:  # 获得了哪些荣誉: …先进集体 and …一等奖 are, 区域、行业 are not
        agree = sum(bool(HONOURISH.search(i.text)) for i in items) * 2 >= len(items)
        size *= 1.3 if agree else 0.5
    elif head and not people:
        if head_agreement(items, raw, head):
            size *= 1.3
        elif expected and len(items) != expected:
            return 0.0  # 这10家企业是哪些: three items of something else are not them
        elif verb and not any(v in raw for v in variants(verb)):
            return 0.0  # 提供哪些服务 asked: neither services nor anything provided
        else:
            size *= 0.7
    return size


def list_answer(
    index: CorpusIndex, question: Question, ranked: list[Ranked], weights: dict[str, float]
) -> Extracted | None:
    best = None
    ask = ListAsk.of(question)
    for sent in with_following(index, ranked):
        if not speaks_of(sent):
            continue
        raw = stored_text(sent)
        anchors = find_anchors(raw, question, weights)
        names = {t.word for t in entities(raw, "PER")} if ask.people else set()
        lists = find_lists(raw)
        if ask.expected:
            lists += [run for run in joined_runs(raw, lists) if len(run) == ask.expected]
        for items in lists:
            items = frame_trim(items, raw, question.terms)
            if any(asked_already(i.text, question) for i in items):
                continue
            size = list_fit(items, raw, ask, names)
            if not size:
                continue
            whole = Found(items[0].text, items[0].start, items[-1].end)
            score = sent.score * size * closeness(whole, raw, anchors)
            if best is None or score > best[2]:
                best = (items, sent, score)
    if best is None:
        return None
    items, sent, score = best
    start, end = sent.start + items[0].start, sent.start + items[-1].end
    text = "、".join(i.text for i in items)
    found = [(i.text, sent.start + i.start, sent.start + i.end) for i in items]
    quote = quote_of(sent, start, end)
    # The list may be longer than a quote of one sentence allows: cite it whole.
    quote.start, quote.end = min(quote.start, start), max(quote.end, end)
    return Extracted(
        QuestionKind.LIST,
        text,
        sent.doc,
        start,
        end,
        score,
        [quote],
        items=found,
    )
