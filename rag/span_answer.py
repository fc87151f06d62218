"""Answers that are not figures: a person, a date, a place, a name, a list, 是/否, or
the sentences that answer a "what is" or "how" question.

All are extractive. The ranked sentences (rag/sentence_rank.py) are searched for spans
of the asked kind (rag/spans.py); a span is scored by its sentence's score, how well it
fits what was asked (the post of a person, the precision of a date, the type of a name)
and how close it stands to the question's words. Below a threshold of its kind the
answer is "not found": an honest gap beats a confident wrong name.

Example::

    >>> ranked = rank_sentences(index, hits, question, vector)
    >>> extracted = extract(index, question, ranked)
    >>> extracted.text, extracted.post
    ('张永新', '主席')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.index import CorpusIndex, DocRecord
from rag.kinds import QuestionKind
from rag.lists import expected_count, find_lists
from rag.matching import term_weights
from rag.question import Question
from rag.regions import find_places, is_within
from rag.sentence_rank import Ranked, focus_span, following
from rag.sentences import quote_span
from rag.spans import (
    OFFICES,
    POSTS,
    Found,
    date_precision,
    find_dates,
    find_names,
    find_people,
    find_places_in,
)
from rag.synonyms import variants

# Lowest score of a right answer per kind, calibrated on the development questions
# (eval/kinds.jsonl) like the figure threshold.
THRESHOLDS = {
    QuestionKind.PERSON: 0.20,
    QuestionKind.DATE: 0.20,
    QuestionKind.PLACE: 0.20,
    QuestionKind.NAME: 0.20,
    QuestionKind.LIST: 0.20,
    QuestionKind.YESNO: 0.30,
    QuestionKind.DEFINITION: 0.25,
    QuestionKind.DESCRIBE: 0.22,
}
SENTENCES = 8  # how many of the best sentences are searched for a span
FOLLOWING = 4  # short lines after each that may hold the span (captions, bylines)
PASSAGE_SENTENCES = 3
PASSAGE_KEEP = 0.75  # a further sentence joins a passage answer within this share of the best
_POST = re.compile(POSTS)
_NEGATION = re.compile(r"未|没有|尚未|不再|不能|无法|并非|不是")


@dataclass
class Quoted:
    """One cited sentence: where it is and how well it answers."""

    doc: DocRecord
    start: int
    end: int
    score: float
    rank: int
    hit: object


@dataclass
class Extracted:
    kind: QuestionKind
    text: str
    doc: DocRecord
    start: int  # the answer span in the document
    end: int
    score: float
    quotes: list[Quoted]
    post: str | None = None
    items: list[tuple[str, int, int]] = field(default_factory=list)


_CLAUSE = re.compile(r"[，,；;。：:]")


def _anchors(
    sentence: str, question: Question, weights: dict[str, float]
) -> list[tuple[int, int, str, float]]:
    """Where the question's words stand in the sentence: (start, end, word, weight)."""
    spots = []
    for word in question.terms:
        if len(word) < 2:
            continue
        for v in variants(word):
            at = sentence.find(v)
            while at >= 0:
                spots.append((at, at + len(v), word, weights.get(word, 1.0)))
                at = sentence.find(v, at + 1)
    return spots


def _proximity(found: Found, sentence: str, anchors: list[tuple[int, int, str, float]]) -> float:
    """How close the span stands to the question's words, each weighted by rarity: the
    answer sits where the question's own words are (陆育海获评江苏省十佳文明职工), not
    across the sentence beside someone else's. A clause break counts as distance."""
    close: dict[str, float] = {}
    weight: dict[str, float] = {}
    for a, b, word, w in anchors:
        weight[word] = w
        if a < found.end and found.start < b:
            continue  # the span holds the question's own word
        lo, hi = (b, found.start) if b <= found.start else (found.end, a)
        gap = max(0, hi - lo) + 12 * len(_CLAUSE.findall(sentence[lo:hi]))
        close[word] = max(close.get(word, 0.0), 1.0 / (1.0 + gap / 10.0))
    if not weight:
        return 0.5
    words = sorted(weight, key=lambda w: -weight[w])[:4]
    total = sum(weight[w] for w in words) or 1.0
    got = sum(weight[w] * close.get(w, 0.0) for w in words)
    return 0.3 + 0.7 * got / total


def _in_question(text: str, question: Question) -> bool:
    """The asker already wrote this span: 顾秋亮 is not the answer to 顾秋亮获得了什么荣誉."""
    core = text.strip('“”"《》「」 ')
    return bool(core) and (core in question.text or question.text in core)


def _quote(ranked: Ranked, start: int, end: int) -> Quoted:
    span = quote_span(ranked.doc.text, start, end)
    return Quoted(ranked.doc, span.start, span.end, ranked.score, ranked.rank, ranked.hit)


def _raw(ranked: Ranked) -> str:
    """The sentence as stored, line breaks as spaces: offsets stay those of the document."""
    return ranked.doc.text[ranked.start : ranked.end].replace("\n", " ")


# ------------------------------------------------------------------------ scoring


def _asked_posts(question: Question) -> list[str]:
    return [m.group(0) for m in _POST.finditer(question.text) if m.group(0) in OFFICES]


def _person_fit(found: Found, question: Question, doc: DocRecord) -> float:
    """How well a person found fits: the asked post beside the name, in the asked
    place's organisation (苏州市总工会主席 stated, 昆山's chairman asked: no)."""
    asked = _asked_posts(question)
    if not asked:
        return 0.8 if found.label in OFFICES else 0.6
    if found.label in asked or any(p in asked for p in found.posts):
        fit = 1.0
    elif found.label in OFFICES:
        fit = 0.25  # 副主席 stated, 主席 asked
    else:
        fit = 0.1
    if question.places:
        named = [p.name for p in find_places(found.context)] if found.context else []
        home = named or ([doc.meta.region] if doc.meta.region else [])
        if home and not any(n == q or is_within(n, q) for n in home for q in question.places):
            fit *= 0.1
    return fit


def _place_fit(found: Found, question: Question, doc: DocRecord) -> float:
    """A place the asker already named, or one containing it (江苏省 for a 苏州
    question), tells nothing; venues and organisations say where."""
    named = [p for p in find_places(found.text)]
    known = set(question.places) | set(doc.meta.region_path or []) | {doc.meta.region}
    if (
        named
        and all(p.name in known or any(is_within(q, p.name) for q in known if q) for p in named)
        and len(found.text) <= max(len(p.full) for p in named) + 1
    ):
        return 0.1
    return 1.0 if found.label in ("venue", "org") else 0.7


def _date_fit(found: Found, question: Question) -> float:
    precision = date_precision(found.text)
    if re.search(r"哪几年|起止|期限", question.text):
        return 1.0 if re.search(r"[—–\-－~～至到]", found.text) else 0.4
    if re.search(r"哪一?年|何年|年份|年度", question.text):
        return 1.0 if precision >= 1 else 0.2
    if re.search(r"几月|哪个月|月份", question.text):
        return 1.0 if precision >= 2 else 0.3
    if re.search(r"哪一?天|几号|几日|日期", question.text):
        return 1.0 if precision >= 3 else 0.4
    return 0.55 + 0.15 * precision


_NAME_TYPES = {
    "honour": re.compile(r"荣誉|称号|奖|评为|荣获|获得|获评|头衔|表彰|先进"),
    "quoted": re.compile(
        r"品牌|平台|活动|项目|工程|行动|计划|频道|APP|栏目|服务|主题|口号|载体|文件|规定|办法|意见"
    ),
    "org": re.compile(r"组织|机构|单位|企业|公司|协会|委员会|中心"),
}


def _name_fit(found: Found, question: Question) -> float:
    wanted = [label for label, pattern in _NAME_TYPES.items() if pattern.search(question.text)]
    label = "org" if found.label in ("org", "nz", "nw") else found.label
    if not wanted:
        return 0.8 if label in ("quoted", "honour") else 0.5
    if label in wanted:
        return 1.0
    if label == "quoted":
        return 0.7  # a quoted name may be any of them
    return 0.35


# --------------------------------------------------------------------- answerers


def _with_following(index: CorpusIndex, ranked: list[Ranked]) -> list[Ranked]:
    """The best sentences that hold the question's names, each followed by the short
    lines after it."""
    out, seen = [], set()
    for sent in [r for r in ranked if r.named][:SENTENCES]:
        for r in [sent, *following(index, sent, FOLLOWING)]:
            if (r.doc.doc_id, r.start) not in seen:
                seen.add((r.doc.doc_id, r.start))
                out.append(r)
    return out


def _best_span(
    question: Question, ranked: list[Ranked], weights: dict[str, float], finder, fit
) -> tuple[Found, Ranked, float] | None:
    best = None
    for sent in ranked:
        raw = _raw(sent)
        anchors = _anchors(raw, question, weights)
        for found in finder(raw):
            if _in_question(found.text, question):
                continue
            score = sent.score * fit(found, sent) * _proximity(found, raw, anchors)
            if best is None or score > best[2]:
                best = (found, sent, score)
    return best


def _span_answer(
    index: CorpusIndex, question: Question, ranked: list[Ranked], weights: dict[str, float]
) -> Extracted | None:
    kind = question.kind
    if kind is QuestionKind.PERSON:
        finder, fit = find_people, lambda f, s: _person_fit(f, question, s.doc)
    elif kind is QuestionKind.DATE:
        finder, fit = find_dates, lambda f, s: _date_fit(f, question)
    elif kind is QuestionKind.PLACE:
        finder, fit = find_places_in, lambda f, s: _place_fit(f, question, s.doc)
    else:
        finder, fit = find_names, lambda f, s: _name_fit(f, question)
    best = _best_span(question, _with_following(index, ranked), weights, finder, fit)
    if best is None:
        return None
    found, sent, score = best
    start, end = sent.start + found.start, sent.start + found.end
    post = None
    if kind is QuestionKind.PERSON:
        asked = [p for p in found.posts if p in _asked_posts(question)]
        post = asked[0] if asked else (found.label if found.label in OFFICES else None)
    return Extracted(
        kind, found.text, sent.doc, start, end, score, [_quote(sent, start, end)], post
    )


def _list_answer(
    index: CorpusIndex, question: Question, ranked: list[Ranked], weights: dict[str, float]
) -> Extracted | None:
    best = None
    expected = expected_count(question.text)
    for sent in _with_following(index, ranked):
        raw = _raw(sent)
        anchors = _anchors(raw, question, weights)
        for items in find_lists(raw):
            if any(_in_question(i.text, question) for i in items):
                continue
            head = Found(items[0].text, items[0].start, items[-1].end)
            if expected is None:
                size = min(1.0, 0.6 + 0.1 * len(items))
            else:
                size = 1.0 if len(items) == expected else 0.55
            if items[0].label == "和" and expected != 2:
                size *= 0.6  # "A和B" is a list only when two things are asked for
            score = sent.score * size * _proximity(head, raw, anchors)
            if best is None or score > best[2]:
                best = (items, sent, score)
    if best is None:
        return None
    items, sent, score = best
    start, end = sent.start + items[0].start, sent.start + items[-1].end
    text = "、".join(i.text for i in items)
    found = [(i.text, sent.start + i.start, sent.start + i.end) for i in items]
    quote = _quote(sent, start, end)
    # The list may be longer than a quote of one sentence allows: cite it whole.
    quote.start, quote.end = min(quote.start, start), max(quote.end, end)
    return Extracted(QuestionKind.LIST, text, sent.doc, start, end, score, [quote], items=found)


_INTENT = re.compile(r"力争|争取|计划|拟|将要|准备|打算|目标")


def _yesno_answer(question: Question, ranked: list[Ranked]) -> Extracted | None:
    """是 when one of the best sentences states it (its key word and names there); 否
    only when it is negated there. A plan (力争年内建成…) is not a fact: not found."""
    for sent in ranked[:3]:
        if not sent.key or not sent.named:
            continue
        if _INTENT.search(sent.text) and not _INTENT.search(question.text):
            return None
        raw = _raw(sent)
        near = [a for a, _, _, _ in _anchors(raw, question, {})]
        negated = any(_NEGATION.search(raw[max(0, s - 6) : s]) for s in near)
        return Extracted(
            QuestionKind.YESNO,
            "否" if negated else "是",
            sent.doc,
            sent.start,
            sent.end,
            sent.score,
            [_quote(sent, sent.start, sent.end)],
        )
    return None


def _passage_answer(question: Question, ranked: list[Ranked]) -> Extracted | None:
    pool = [r for r in ranked if r.key and r.named]
    if not pool:
        return None
    best = pool[0].score
    chosen = [r for r in pool[: PASSAGE_SENTENCES * 2] if r.score >= PASSAGE_KEEP * best]
    chosen = chosen[:PASSAGE_SENTENCES]
    chosen.sort(key=lambda r: (r.doc.doc_id != pool[0].doc.doc_id, r.doc.doc_id, r.start))
    quotes = [Quoted(r.doc, *focus_span(r, question.terms), r.score, r.rank, r.hit) for r in chosen]
    first = quotes[0]
    text = "".join(q.doc.text[q.start : q.end].replace("\n", "") for q in quotes)
    return Extracted(question.kind, text, first.doc, first.start, first.end, best, quotes)


def extract(index: CorpusIndex, question: Question, ranked: list[Ranked]) -> Extracted | None:
    """The answer of ``question``'s kind from the ranked sentences, or None."""
    kind = question.kind
    weights = term_weights(index, question)
    if kind is QuestionKind.LIST:
        found = _list_answer(index, question, ranked, weights)
    elif kind is QuestionKind.YESNO:
        found = _yesno_answer(question, ranked)
    elif kind.is_passage:
        found = _passage_answer(question, ranked)
    else:
        found = _span_answer(index, question, ranked, weights)
    if found is None or found.score < THRESHOLDS[kind]:
        return None
    return found
