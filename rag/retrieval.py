"""Hybrid retrieval: dense and BM25 rankings fused by reciprocal rank fusion, then a
prior for documents whose place and period match the question.

Example::

    >>> hits = retrieve(index, embedder, parse_question("苏州2016年职工书屋多少家"), settings)
    >>> index.chunks[hits[0].chunk].doc_id
    '001_0a525996db59571e'
"""

from __future__ import annotations

import time
from typing import NamedTuple

from rag.chunking import Chunk
from rag.embedder import Embedder
from rag.index import CorpusIndex, DocRecord
from rag.metadata import period_covers
from rag.question import Question
from rag.regions import is_within
from rag.sections import section_years
from rag.settings import RetrievalMode, Settings
from rag.synonyms import variants
from rag.tokenization import tokenize

# A full place or year match is worth more than the whole spread of RRF scores between
# rank 1 and rank 30 (1/61 - 1/90 ≈ 0.005): the question's place is not a hint but a
# constraint, softened only so a document with wrong metadata can still be found.
PLACE_WEIGHT = 0.012
YEAR_WEIGHT = 0.008


class Hit(NamedTuple):
    chunk: int  # position in index.chunks
    score: float  # fused score used for ranking
    dense_rank: int | None
    bm25_rank: int | None
    prior: float  # place/year agreement in [0, 1]


class Timings(NamedTuple):
    embed_ms: float
    dense_ms: float
    bm25_ms: float
    fusion_ms: float


def place_match(doc: DocRecord, chunk_text: str, place: str) -> float:
    """1 for the document's own place, less for a place inside it or merely mentioned.

    A document speaking for several places (``meta.places``: an appendix issued by
    another city's union) matches each of the others nearly as well as its own.
    """
    region = doc.meta.region
    if region == place:
        return 1.0
    if place in doc.meta.places:
        return 0.9
    if region and is_within(region, place):
        return 0.6  # 昆山's report answers a 苏州 question only if nothing better exists
    if place in chunk_text:
        return 0.5
    if region and is_within(place, region):
        return 0.3
    return 0.0


def year_match(doc: DocRecord, chunk_text: str, year: int, pos: int | None = None) -> float:
    """1 when the passage's section or document period is that year, 0.5 if it mentions it."""
    section = section_years(doc.text, pos) if pos is not None else set()
    if year in section or (not section and period_covers(doc.meta, year)):
        return 1.0
    if str(year) in chunk_text:
        return 0.5
    return 0.0


def prior(doc: DocRecord, chunk: Chunk, question: Question) -> float:
    score = 0.0
    if question.places:
        score += PLACE_WEIGHT * max(place_match(doc, chunk.text, p) for p in question.places)
    if question.years:
        score += YEAR_WEIGHT * max(
            year_match(doc, chunk.text, y, chunk.start) for y in question.years
        )
    return score


def expand(tokens: list[str]) -> list[str]:
    """Question tokens plus their synonyms, so "图书室" also finds "书屋"."""
    return list(dict.fromkeys(v for t in tokens for v in sorted(variants(t))))


def rrf(rankings: list[list[int]], k: int) -> dict[int, float]:
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank + 1)
    return scores


def retrieve(
    index: CorpusIndex,
    embedder: Embedder,
    question: Question,
    settings: Settings,
    top_k: int | None = None,
    mode: RetrievalMode | None = None,
    use_prior: bool = True,
    timings: list | None = None,
) -> list[Hit]:
    """Rank chunks for ``question``; ``mode`` picks hybrid, dense-only or BM25-only."""
    mode = mode or settings.mode
    top_k = top_k or settings.top_k
    n = max(settings.candidates, top_k)
    t0 = time.perf_counter()
    dense_ids: list[int] = []
    bm25_ids: list[int] = []
    if mode in (RetrievalMode.HYBRID, RetrievalMode.DENSE):
        vector = embedder.encode_query(question.text)
        t1 = time.perf_counter()
        dense_ids, _ = index.search_dense(vector, n)
    else:
        t1 = time.perf_counter()
    t2 = time.perf_counter()
    if mode in (RetrievalMode.HYBRID, RetrievalMode.BM25):
        bm25_ids, _ = index.search_lexical(expand(tokenize(question.text)), n)
    t3 = time.perf_counter()

    fused = rrf([r for r in (dense_ids, bm25_ids) if r], settings.rrf_k)
    dense_rank = {c: r for r, c in enumerate(dense_ids)}
    bm25_rank = {c: r for r, c in enumerate(bm25_ids)}
    hits = []
    for chunk, score in fused.items():
        p = prior(index.doc_of(chunk), index.chunks[chunk], question) if use_prior else 0.0
        hits.append(Hit(chunk, score + p, dense_rank.get(chunk), bm25_rank.get(chunk), p))
    hits.sort(key=lambda h: (-h.score, h.chunk))
    t4 = time.perf_counter()
    if timings is not None:
        timings.append(Timings((t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3, (t4 - t3) * 1e3))
    return hits[: max(top_k, settings.candidates)]
