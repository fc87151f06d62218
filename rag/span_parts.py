"""What every extractive answer of a non-figure kind is made of: the cited sentence
(:class:`Quoted`) and the answer (:class:`Extracted`), where the question's words stand in
a sentence and how close a span stands to them, and whether a sentence speaks of what was
asked at all. rag/span_answer.py, rag/list_answer.py, rag/yesno_answer.py and
rag/passage_answer.py build on it.

Example::

    >>> from rag.question import parse_question
    >>> q = parse_question("青禾县总工会主席是谁")
    >>> [w for _, _, w, _ in find_anchors("青禾县总工会主席王明", q, {})][:2]
    ['青禾', '总工']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.index import CorpusIndex, DocRecord
from rag.kinds import QuestionKind
from rag.question import Question
from rag.sentence_rank import Ranked, following
from rag.sentences import quote_span
from rag.spans import Found, find_dates
from rag.synonyms import variants

SENTENCES = 8  # how many of the best sentences are searched for a span
FOLLOWING = 4  # short lines after each that may hold the span (captions, bylines)
WORDS_SPOKEN = 0.4  # share of the question's words (by weight) that stands for its key
PAIRS_SPOKEN = 0.6  # or share of its character pairs (负责人 asked, 主席李建英 stated)

NEGATION = re.compile(r"未|没有|尚未|不再|不能|无法|并非|不是")


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


def find_anchors(
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


def closeness(found: Found, sentence: str, anchors: list[tuple[int, int, str, float]]) -> float:
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


def asked_already(text: str, question: Question) -> bool:
    """The asker already wrote this span: 顾秋亮 is not the answer to 顾秋亮获得了什么荣誉."""
    core = text.strip('“”"《》「」 ')
    return bool(core) and (core in question.text or question.text in core)


def quote_of(ranked: Ranked, start: int, end: int) -> Quoted:
    span = quote_span(ranked.doc.text, start, end)
    return Quoted(ranked.doc, span.start, span.end, ranked.score, ranked.rank, ranked.hit)


def stored_text(ranked: Ranked) -> str:
    """The sentence as stored, line breaks as spaces: offsets stay those of the document."""
    return ranked.doc.text[ranked.start : ranked.end].replace("\n", " ")


# What the name of an honour is made of: 先进集体, 标兵个人, 十佳, 五一劳动奖章, 工人先锋号.
HONOURISH = re.compile(
    r"先进|标兵|模范|优秀|十佳|示范|荣誉|称号|奖|能手|明星|劳模|劳动模范|工匠|文明|先锋|"
    r"之家|[岗号章杯状]$|一等|二等|三等|金牌|冠军|第[一二三]名|最美|十大"
)
ASKS_HONOUR = re.compile(r"荣誉|称号|奖项|什么奖|哪些奖|表彰")


def speaks_of(sent: Ranked) -> bool:
    """Whether a sentence speaks of what is asked: it holds the question's key word, or
    much of the question's words by weight or of its character pairs (the key may be the
    asked category, 权利 or 负责人, that the answer spells out as 知情权、参与权… or
    主席李建英), or it is a date alone on its line, which
    _dateline_fit judges. A same-kind span beside a neighbouring thing (百企羽毛球比赛
    for a question about the 广播体操比赛) is no answer."""
    if sent.key or sent.parts[1] >= WORDS_SPOKEN or sent.parts[2] >= PAIRS_SPOKEN:
        return True
    return _date_only(sent.text)


def _date_only(text: str) -> bool:
    """A line that is a date and nothing else: （2017年1月10日）."""
    found = find_dates(text)
    if not found:
        return False
    rest = text
    for d in find_dates(text):
        rest = rest.replace(d.text, "")
    return not re.sub(r"[\s\W_]", "", rest)


def with_following(index: CorpusIndex, ranked: list[Ranked]) -> list[Ranked]:
    """The best sentences that hold the question's names, each followed by the short
    lines after it."""
    out, seen = [], set()
    for sent in [r for r in ranked if r.named][:SENTENCES]:
        for r in [sent, *following(index, sent, FOLLOWING)]:
            if (r.doc.doc_id, r.start) not in seen:
                seen.add((r.doc.doc_id, r.start))
                out.append(r)
    return out


def outermost(spans: list[Found]) -> list[Found]:
    """Spans not lying inside a longer quoted name: 全国工会 within “全国工会法律援助
    维权服务示范单位” is a fragment of the name, not a name."""
    quoted = [f for f in spans if f.label in ("quoted", "headed-quoted")]
    return [
        f
        for f in spans
        if not any(
            q.start <= f.start and f.end <= q.end and (q.end - q.start) > (f.end - f.start)
            for q in quoted
        )
    ]
