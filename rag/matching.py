"""How well a piece of report text matches a question: shared by every answerer.

Coverage of the question's words (weighted by how rare they are in the corpus, with
synonyms), character pairs that keep split compounds together, the key word that must
be present, and whether the text is about the asked place and year.

Example::

    >>> coverage(["书屋", "职工"], {"书屋": 3.0, "职工": 1.0}, "职工书屋示范点 918 家")
    1.0
"""

from __future__ import annotations

import math
import re

from rag.index import CorpusIndex, DocRecord
from rag.metadata import inside_span
from rag.question import Question
from rag.regions import is_within
from rag.retrieval import year_match
from rag.sections import section_years
from rag.synonyms import variants
from rag.tokenization import MEASURES, is_thing_word

KEY_COMMON = 0.3  # a word in more than this share of passages tells sentences apart poorly
KEY_COMMON_MIN = 10  # passages; in a tiny corpus every word is in a third of them
# 昆山's report answers a question about 苏州 only when 苏州's own reports say nothing:
# a county's figure is not the city's.
CHILD_REGION = 0.1
SYNONYM_CREDIT = 0.7  # a synonym is good evidence, the asker's own word better


def coverage(terms: list[str], weights: dict[str, float], text: str) -> float:
    """IDF-weighted share of the question's words present in ``text`` (or a synonym)."""
    total = sum(weights[t] for t in terms)
    if not total:
        return 0.0
    found = 0.0
    for t in terms:
        if t in text:
            found += weights[t]
        elif any(v in text for v in variants(t)):
            found += SYNONYM_CREDIT * weights[t]
    return found / total


def bigram_coverage(grams: set[str], text: str) -> float:
    if not grams:
        return 0.0
    return sum(1 for g in grams if g in text) / len(grams)


def document_frequency(index: CorpusIndex, term: str) -> int:
    """Chunks holding the term or its commonest synonym."""
    return max(index.df.get(v, 0) for v in variants(term))


def key_term(index: CorpusIndex, question: Question) -> str | None:
    """The question's rarest thing-word that the corpus knows at all.

    Words the corpus never uses cannot tell sentences apart; the parts of a longer
    term ("咨询" of "咨询室") stand for it only when the whole is unknown. When the
    only thing-word is everywhere (职工 of "一线职工疗休养"), the rarest other word
    (休养) says what is asked.
    """

    def frequency(term: str) -> int:
        return document_frequency(index, term)

    def rarest(words: list[str]) -> str | None:
        known = [t for t in words if len(t) >= 2 and frequency(t) > 0]
        known = [t for t in known if not any(t != o and t in o for o in known)]
        return min(known, key=frequency, default=None)

    things = [t for t in question.terms if is_thing_word(t) and t not in MEASURES]
    key = rarest(things)
    if key is None or frequency(key) > max(KEY_COMMON * len(index.chunks), KEY_COMMON_MIN):
        key = rarest([t for t in question.terms if not is_thing_word(t)]) or key
    return key


def key_parts(key: str | None, terms: list[str]) -> list[str]:
    """The question's words inside ``key`` that spell it whole: 工会 and 干部 stand for
    工会干部; 文化 alone does not stand for 文化宫 (a 宫 is missing).

    >>> key_parts("工会干部", ["工会", "干部", "工会干部"]), key_parts("文化宫", ["文化", "文化宫"])
    (['工会', '干部'], [])
    """
    if not key:
        return []
    parts = [t for t in terms if t != key and t in key]
    covered = {
        i for p in parts for m in re.finditer(re.escape(p), key) for i in range(m.start(), m.end())
    }
    return parts if len(covered) == len(key) else []


def mentions(text: str, word: str, parts: list[str]) -> bool:
    """``word`` or a synonym is in ``text``, or all its ``parts`` are ("干部" and "工会" of
    "工会干部" in "各级工会高度重视干部队伍建设")."""
    if any(v in text for v in variants(word)):
        return True
    return bool(parts) and all(any(v in text for v in variants(p)) for p in parts)


def term_weights(index: CorpusIndex, question: Question) -> dict[str, float]:
    """IDF over chunks, so rare subject words ("书屋") count more than common ones ("职工").

    Single characters left over by the segmenter ("里", "给") say little; the words
    beside the question word name what is counted and say most.
    """
    n = max(1, len(index.chunks))
    weights = {}
    for t in question.terms:
        # A word is as telling as what it matches: "建了" never occurs in reports, but
        # its synonym 建成 is everywhere, so it must not weigh like a rare word.
        count = document_frequency(index, t)
        idf = math.log(1 + (n - count + 0.5) / (count + 0.5))
        weight = idf * (1.0 + 0.15 * min(len(t) - 1, 3))
        if len(t) == 1:
            weight *= 0.3
        weight *= 1.0 + 1.5 * question.focus.get(t, 0.0)
        weights[t] = weight
    return weights


def place_factor(doc: DocRecord, sentence: str, chunk: str, places: list[str]) -> float:
    if not places:
        return 1.0
    best = 0.0
    for place in places:
        region = doc.meta.region
        if region == place or _names_place(sentence, place):
            f = 1.0 if region == place else 0.9
        elif region and is_within(region, place):
            f = CHILD_REGION
        elif place in chunk:
            f = 0.5
        else:
            f = 0.0
        best = max(best, f)
    return best


def _names_place(sentence: str, place: str) -> bool:
    """The sentence speaks of ``place`` itself: 苏州级以上职工书屋 names a level of honour
    (in a report of one of its cities), not Suzhou's own count."""
    return any(
        not sentence.startswith(("级", "市级"), m.end())
        for m in re.finditer(re.escape(place), sentence)
    )


def year_factor(
    doc: DocRecord,
    sentence: str,
    chunk: str,
    years: list[int],
    pos: int = 0,
    lenient: frozenset[int] | None = None,
) -> float:
    """How far the passage at ``pos`` speaks of the asked years. A figure's undated
    passage in a report of several years answers no year before its last unless the year
    is in ``lenient`` (taken from the conversation, not typed); ``None`` leaves every year
    lenient, for passages that are not figures."""
    if not years:
        return 1.0
    section = section_years(doc.text, pos)
    best = 0.0
    for year in years:
        if str(year) in sentence or year in section:
            f = 1.0
        elif lenient and year in lenient and section and min(section) < year < max(section):
            f = 1.0  # a section of 2016年—2020年 for a year the conversation set
        elif not section and year_match(doc, "", year):
            inside = lenient is not None and year not in lenient and inside_span(doc.meta, year)
            f = 0.0 if inside else 1.0
        elif str(year) in chunk:
            f = 0.7
        elif doc.meta.period_start is None:
            f = 0.6  # a document with no known period might still be about that year
        else:
            f = 0.0
        best = max(best, f)
    return best


def content_bigrams(question: Question) -> set[str]:
    """Character pairs inside and across adjacent subject words of the question.

    Pairs across word boundaries keep compounds the segmenter split: "妈妈驿站" is
    more than "妈妈" and "驿站" apart, and "建制面" more than "建制".
    """
    text = question.text
    covered = [False] * len(text)
    for term in question.terms:
        if len(term) < 2 and not term.isdigit():
            continue
        for m in re.finditer(re.escape(term), text):
            covered[m.start() : m.end()] = [True] * (m.end() - m.start())
    return {text[i : i + 2] for i in range(len(text) - 1) if covered[i] and covered[i + 1]}
