"""Rank the sentences of the retrieved passages for a question.

Figures are scored one by one (rag/answer.py); every other kind of answer starts from
the sentences that best match the question: by meaning (the question's embedding
against each sentence's, stored in the index), by the question's words weighted by
rarity, by character pairs, and by whether the document is about the asked place and
year. The same ranking gives a not-found answer its closest sentences.

Example::

    >>> ranked = rank_sentences(index, hits, parse_question("什么是苏工惠"), vector)
    >>> ranked[0].doc.doc_id, "苏工惠" in ranked[0].text
    ('001_0a525996db59571e', True)
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np

from rag.index import CorpusIndex, DocRecord
from rag.kinds import QuestionKind
from rag.matching import (
    bigram_coverage,
    content_bigrams,
    coverage,
    key_parts,
    key_term,
    mentions,
    place_factor,
    term_weights,
    year_factor,
)
from rag.question import Question
from rag.retrieval import Hit
from rag.sentences import quote_span, unwrap
from rag.synonyms import variants

KEY_MISSING = 0.5  # the question's rarest known word is not in the sentence
NAME_MISSING = 0.3  # a name the question gives (“苏工惠”, 顾秋亮) is not there
ABBREVIATION_MISSING = 0.7  # a numbered abbreviation asked (“五小”) is not there
# 四比, 三进五送, 四统筹一创争: numbered parts, which a report may spell out unnamed;
# 十佳金点子 or 三大行动 is a name.
_ABBREVIATION = re.compile(
    r"(?:[一二三四五六七八九十两百千万][\u4e00-\u9fff]{1,2}?)+|[两二三四五六七八九十]个[\u4e00-\u9fff]{2,4}"
)
ORDINAL = re.compile(r"第[一二三四五六七八九十百零〇两\d]+[次届批套期轮]")
_ORDINAL_WORD = re.compile(r"第[一二三四五六七八九十百零〇两\d]+")
_QUOTED = re.compile(r"“([^“”]{2,30})”|《([^《》]{2,40})》|\"([^\"]{2,30})\"")


def _quoted_names(question: Question) -> list[str]:
    return [next(g for g in m.groups() if g) for m in _QUOTED.finditer(question.text)]


def named_things(question: Question) -> list[str]:
    """What the question names exactly: quoted terms and people (LAC's PER). An answer
    must come from where they are: “苏工惠” asked of 昆山's report is not 苏州's."""
    from rag.entities import entities, tag

    names = _quoted_names(question)
    if question.kind in (QuestionKind.LIST, QuestionKind.DEFINITION):
        # 哪“四比”: a numbered abbreviation the report may spell out without naming it.
        names = [n for n in names if not _ABBREVIATION.fullmatch(n)]
    names += [t.word for t in entities(question.text, "PER") if len(t.word) >= 2]
    # An ordinal names one of a series: 第十五次代表大会 is not the 第十六次.
    names += [m.group(0) for m in ORDINAL.finditer(question.text)]
    # 第二工人文化宫 is one of several 工人文化宫: the ordinal is part of its name.
    words = tag(question.text)
    names += [
        a.word + b.word
        for a, b in zip(words, words[1:], strict=False)
        if _ORDINAL_WORD.fullmatch(a.word) and b.tag in ("n", "nz", "ORG") and len(b.word) >= 2
    ]
    return list(dict.fromkeys(n for n in names if n not in question.places))


SHORT = 12  # characters: a heading or a caption says less than a sentence of the report
_LEAD = re.compile(r"^[\s#>*\-—]+")


class Ranked(NamedTuple):
    doc: DocRecord
    start: int  # sentence bounds in the document (leading marks stripped)
    end: int
    text: str  # the sentence with its line wraps rejoined
    score: float
    hit: Hit
    rank: int  # rank of the passage it came from
    key: bool  # holds the question's key word
    row: int = -1  # row in index.sentences
    named: bool = True  # holds every name the question gives (“苏工惠”, 顾秋亮), or its
    # previous sentence does
    parts: tuple[float, float, float, float] = (
        0.0,
        0.0,
        0.0,
        0.0,
    )  # meaning, words, pairs, place/year


def semantic(index: CorpusIndex, row: int, query_vector: np.ndarray | None) -> float:
    """Cosine of question and sentence, rescaled: m3e puts unrelated Chinese sentences
    near 0.5 and paraphrases near 0.9."""
    if query_vector is None or index.sentence_vectors is None or row >= len(index.sentence_vectors):
        return 0.0
    cos = float(index.sentence_vectors[row] @ query_vector)
    return min(1.0, max(0.0, (cos - 0.5) / 0.4))


def rank_sentences(
    index: CorpusIndex,
    hits: list[Hit],
    question: Question,
    query_vector: np.ndarray | None,
    depth: int = 30,
    nearest: int = 20,
) -> list[Ranked]:
    """Every sentence of the top ``depth`` passages and the ``nearest`` sentences to the
    question by meaning, scored; best first."""
    weights = term_weights(index, question)
    key = key_term(index, question)
    quoted = _quoted_names(question)
    if (
        question.kind is QuestionKind.DEFINITION
        and quoted
        and not _ABBREVIATION.fullmatch(quoted[0])
    ):
        key = quoted[0]  # 什么是“双满意工会”: the term is what the sentence must hold
    of_key = key_parts(key, question.terms)
    grams = content_bigrams(question)
    names = named_things(question)
    # 哪“四比”: a numbered abbreviation need not be named, but where it is counts more.
    spelled = [
        a
        for a in _quoted_names(question)
        if question.kind is QuestionKind.LIST and _ABBREVIATION.fullmatch(a) and a not in names
    ]
    seen: set[tuple[str, int]] = set()
    ranked = []
    pool = []
    for rank, hit in enumerate(hits[:depth]):
        chunk = index.chunks[hit.chunk]
        for row, start, end in index.sentences_between(chunk.doc_id, chunk.start, chunk.end):
            pool.append((rank, hit, row, start, end))
    if query_vector is not None:
        for row in index.search_sentences(query_vector, nearest):
            doc_id, start, end = index.sentences[row]
            at = index.chunk_at(doc_id, start)
            if at is not None:
                pool.append((depth, Hit(at, 0.0, None, None, 0.0), row, start, end))
    for rank, hit, row, start, end in pool:
        chunk = index.chunks[hit.chunk]
        doc = index.docs[chunk.doc_id]
        if (doc.doc_id, start) in seen:
            continue
        seen.add((doc.doc_id, start))
        raw = doc.text[start:end]
        start += len(raw) - len(_LEAD.sub("", raw))
        end = start + len(doc.text[start:end].rstrip())
        text = unwrap(doc.text[start:end])
        has_key = not key or mentions(text, key, of_key)
        parts = (
            semantic(index, row, query_vector),
            coverage(question.terms, weights, text),
            bigram_coverage(grams, text),
        )
        lexical = 0.45 * parts[0] + 0.40 * parts[1] + 0.15 * parts[2]
        where = place_factor(doc, text, chunk.text, question.places) * year_factor(
            doc, text, chunk.text, question.years, start
        )
        score = lexical * where * (0.8 + 0.2 / (1.0 + 0.15 * rank))
        if not has_key:
            score *= KEY_MISSING
        if len(text) < SHORT:
            score *= 0.8
        named = not names or _names_near(index, row, text, names)
        if not named:
            score *= NAME_MISSING
        if spelled and not any(a in text for a in spelled):
            score *= ABBREVIATION_MISSING
        ranked.append(
            Ranked(doc, start, end, text, score, hit, rank, has_key, row, named, (*parts, where))
        )
    ranked.sort(key=lambda r: -r.score)
    return ranked


def focus_span(ranked: Ranked, terms: list[str]) -> tuple[int, int]:
    """The sentence, or for a very long one the clauses around the first of the
    question's words in it: what to quote when the whole sentence is not the answer."""
    raw = ranked.doc.text[ranked.start : ranked.end]
    spots = [raw.find(v) for t in terms for v in variants(t) if len(t) >= 2 and v in raw]
    at = ranked.start + min(spots) if spots else ranked.start
    span = quote_span(ranked.doc.text, at, at + 1)
    return span.start, span.end


def _names_near(index: CorpusIndex, row: int, text: str, names: list[str]) -> bool:
    """Every name is in the sentence or the one before (whose subject may carry over)."""
    missing = [n for n in names if n not in text]
    if not missing:
        return True
    if row <= 0:
        return False
    doc_id, start, end = index.sentences[row - 1]
    if doc_id != index.sentences[row][0]:
        return False
    before = unwrap(index.docs[doc_id].text[start:end])
    return all(n in before for n in missing)


def following(index: CorpusIndex, ranked: Ranked, count: int, max_chars: int = 40) -> list[Ranked]:
    """The short lines right after a sentence (a caption's 日期: 5月2日, a title's byline
    and dateline), as candidates that inherit a decaying share of its score."""
    out = []
    for step in range(1, count + 1):
        row = ranked.row + step
        if ranked.row < 0 or row >= len(index.sentences):
            break
        doc_id, start, end = index.sentences[row]
        if doc_id != ranked.doc.doc_id:
            break
        text = ranked.doc.text[start:end].strip()
        if len(text) > max_chars:
            break
        start += len(ranked.doc.text[start:end]) - len(ranked.doc.text[start:end].lstrip())
        end = start + len(text)
        score = ranked.score * 0.9**step
        out.append(ranked._replace(start=start, end=end, text=text, score=score, row=row))
    return out
