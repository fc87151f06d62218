"""The question-answering pipeline: load once, then ``ask`` and ``search`` many times.

The CLI, the HTTP API and the evaluation all go through this one code path.

Example::

    >>> qa = Pipeline.load()
    >>> result = qa.ask("苏州2016年职工书屋多少家")
    >>> result.answer.text, result.citations[0].quote
    ('918 家', '…已建全国、省、市三级职工书屋示范点 918 家，图书总量超过 400 万册。')
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import faiss

from rag.answer import Candidate, candidates, rerank
from rag.derived import rest_answer, states_unmet_at, than_answer
from rag.embedder import Embedder, load_embedder
from rag.followup import RESTATE, Turn, resolve
from rag.index import CorpusIndex
from rag.kinds import QuestionKind
from rag.messages import EMPTY, IN_CHINESE, corrected, not_found_message, year_not_broken_out
from rag.metadata import inside_span, period_covers
from rag.numbers import unit_family
from rag.pages import page_of
from rag.question import Question, asks_fewer, parse_question, parse_years, years_near
from rag.retrieval import Hit, retrieve
from rag.schema import (
    Answer,
    AnswerItem,
    AnswerObject,
    Citation,
    ComparedFigure,
    Passage,
    SearchResult,
    Status,
)
from rag.scope import outside, outside_message
from rag.sentence_rank import Ranked, focus_span, rank_sentences
from rag.settings import RetrievalMode, Settings, get_settings
from rag.span_answer import Extracted, Quoted, extract
from rag.store import load_store
from rag.typos import correct

# Calibrated on the development questions: the lowest score of a right answer sits
# well above the highest score reached by a question with no answer in the corpus.
ANSWER_THRESHOLD = 0.115

ANSWER_CACHE_SIZE = 1024

_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{2}")


@dataclass
class Pipeline:
    index: CorpusIndex
    embedder: Embedder
    settings: Settings
    threshold: float = ANSWER_THRESHOLD

    def __post_init__(self) -> None:
        self._swap = threading.Lock()
        # Widget users and dashboards ask the same questions again and again; an answer
        # depends only on the question, the options and the index, so keep recent ones.
        self._answers: OrderedDict[tuple, AnswerObject] = OrderedDict()
        self._answers_lock = threading.Lock()
        self._corpus: tuple[CorpusIndex | None, str, frozenset[str]] = (None, "", frozenset())

    @classmethod
    def load(cls, settings: Settings | None = None, warm: bool = True) -> Pipeline:
        """The index and model of ``settings``; ``warm=False`` skips the warm-up question,
        for a process that asks one question and exits (``rag ask``)."""
        settings = settings or get_settings()
        faiss.omp_set_num_threads(max(1, settings.faiss_threads))
        embedder = load_embedder(settings)
        pipeline = cls(load_store(settings, embedder), embedder, settings)
        if warm:
            pipeline.warm_up()
        return pipeline

    def warm_up(self) -> None:
        """Answer one question, uncached: jieba's dictionaries and torch's first forward
        pass take a second or more, which the first user should not wait for."""
        self._ask(self.index, "预热：苏州2016年职工书屋多少家", None, None, time.perf_counter())

    def replace_index(self, index: CorpusIndex) -> None:
        """Swap in a new index; requests already running finish on the old one."""
        with self._swap:
            self.index = index
        with self._answers_lock:
            self._answers.clear()

    # ------------------------------------------------------------------ search

    def search(
        self, query: str, top_k: int | None = None, mode: RetrievalMode | None = None
    ) -> SearchResult:
        t0 = time.perf_counter()
        index = self.index
        question = parse_question(query)
        hits = retrieve(index, self.embedder, question, self.settings, top_k, mode)
        vector = self.embedder.encode_query(question.text)
        hits = rerank(index, hits, candidates(index, hits, question, vector))
        hits = hits[: top_k or self.settings.top_k]
        passages = [self._passage(index, h) for h in hits]
        return SearchResult(query=query, passages=passages, took_ms=_ms(t0))

    def _passage(self, index: CorpusIndex, hit: Hit) -> Passage:
        chunk = index.chunks[hit.chunk]
        meta = index.docs[chunk.doc_id].meta
        return Passage(
            doc_id=chunk.doc_id,
            title=meta.title,
            region=meta.region,
            period=meta.period,
            text=chunk.text,
            start=chunk.start,
            end=chunk.end,
            page=page_of(index.docs[chunk.doc_id], chunk.start),
            score=round(hit.score, 6),
            dense_rank=hit.dense_rank,
            bm25_rank=hit.bm25_rank,
            tokens=index.tokens_of(hit.chunk),
        )

    # --------------------------------------------------------------------- ask

    def ask(
        self,
        text: str,
        top_k: int | None = None,
        mode: RetrievalMode | None = None,
        history: Sequence[str | Turn] | None = None,
        *,
        thread_years: frozenset[int] = frozenset(),
    ) -> AnswerObject:
        """Answer ``text``; with ``history`` (earlier turns, oldest first) a follow-up such
        as "那2012年呢" is answered as the standalone question it stands for, given back
        in ``resolved_question`` (rag/followup.py). ``thread_years`` are the years of
        ``text`` that a follow-up took from the conversation."""
        t0 = time.perf_counter()
        if not any(c.isalnum() for c in text):  # "？？？": nothing to look for, or to resolve
            return _nothing_to_ask(text, EMPTY, t0)
        resolution = resolve(text, history or [], answer_of=self._answer_text)
        if resolution.needs_restate:
            return AnswerObject(
                question=text, status=Status.NOT_FOUND, message=RESTATE, took_ms=_ms(t0)
            )
        if resolution.carried:
            taken = frozenset(parse_years(resolution.text)) - frozenset(parse_years(text))
            result = self.ask(resolution.text, top_k, mode, thread_years=taken)
            standalone = result.resolved_question or resolution.text  # typo corrected too
            return result.model_copy(
                update={"question": text, "resolved_question": standalone, "took_ms": _ms(t0)}
            )
        index = self.index  # one consistent index for the whole question
        key = (
            text,
            top_k or self.settings.top_k,
            mode or self.settings.mode,
            id(index),
            thread_years,
        )
        cached = self._answers.get(key)
        if cached is not None:
            return cached.model_copy(update={"took_ms": _ms(t0)})
        result = self._corrected(index, text, top_k, mode, t0, thread_years) or self._ask(
            index, text, top_k, mode, t0, thread_years
        )
        with self._answers_lock:
            self._answers[key] = result
            if len(self._answers) > ANSWER_CACHE_SIZE:
                self._answers.popitem(last=False)
        return result

    def _answer_text(self, question: str) -> str | None:
        """The answer text of an earlier standalone question (cached): what "他" refers to."""
        answer = self.ask(question).answer
        return answer.text if answer else None

    def _corrected(
        self, index: CorpusIndex, text: str, top_k, mode, t0, thread_years=frozenset()
    ) -> AnswerObject | None:
        """The answer to the question with a likely typo corrected (职工数屋 → 职工书屋,
        rag/typos.py), given back in ``resolved_question``; None when there is no typo or
        the corrected question is not answered either, so the question is asked as typed.

        As typed, retrieval often still finds a passage and takes a neighbouring figure
        from it (职工之家 for 职工数屋): the corrected question is asked first."""
        corpus, places = self._corpus_of(index)
        fix = correct(text, corpus, index.df, places)
        if fix is None:
            return None
        result = self._ask(index, fix.question, top_k, mode, t0, thread_years)
        if result.status is not Status.ANSWERED:
            return None
        return result.model_copy(
            update={
                "question": text,
                "resolved_question": fix.question,
                "message": corrected(fix.wrong, fix.right),
            }
        )

    def _corpus_of(self, index: CorpusIndex) -> tuple[str, frozenset[str]]:
        """Every document's text joined, and the places they are about: what a typo is
        checked against, gathered once per index."""
        if self._corpus[0] is not index:
            docs = index.docs.values()
            text = "\n".join(d.text for d in docs)
            places = frozenset(p for d in docs for p in [d.meta.region, *d.meta.places] if p)
            self._corpus = (index, text, places)
        return self._corpus[1], self._corpus[2]

    def _ask(
        self, index: CorpusIndex, text: str, top_k, mode, t0: float, thread_years=frozenset()
    ) -> AnswerObject:
        if _LATIN.search(text) and not _HAN.search(text):
            return _nothing_to_ask(text, IN_CHINESE, t0)
        question = parse_question(text)._replace(thread_years=thread_years)
        top_k = top_k or self.settings.top_k
        metas = [d.meta for d in index.docs.values()]
        if outside(question, metas):
            # No document speaks for the place or the years asked: say what is covered
            # rather than offer the nearest place's or year's answer (the closest
            # sentences still show what the documents say on the subject).
            hits = retrieve(index, self.embedder, question, self.settings, top_k, mode)
            found = self._not_found(index, text, question, hits, top_k, t0)
            return found.model_copy(update={"message": outside_message(question, metas)})
        if question.kind is not QuestionKind.FIGURE:
            return self._ask_span(index, text, question, top_k, mode, t0)
        if question.compare:
            return self._compare(index, text, question, top_k, mode, t0)
        if question.change and question.years:  # "增加了多少" with no year: one sentence's 由X到Y
            return self._change(index, text, question, top_k, mode, t0)
        if question.than:  # 覆盖的企业比应约企业多多少家
            return than_answer(self, index, text, question, top_k, mode, t0)
        best, hits = self._best(index, question, top_k, mode)
        if question.unmet and not (best and states_unmet_at(best, question.unmet)):
            return rest_answer(self, index, text, question, top_k, mode, t0)
        if best is None:
            return self._not_found(index, text, question, hits, top_k, t0)
        return self._answered(index, text, [best], best, t0, question.amount)

    def _ask_span(self, index, text, question: Question, top_k, mode, t0) -> AnswerObject:
        """Every kind but figures: the best sentences, then the span of the asked kind."""
        hits = retrieve(index, self.embedder, question, self.settings, top_k, mode)
        ranked = rank_sentences(index, hits, question, self.embedder.encode_query(question.text))
        found = extract(index, question, ranked)
        if found is None:
            return self._not_found(index, text, question, hits, top_k, t0, ranked)
        return AnswerObject(
            question=text,
            kind=question.kind,
            status=Status.ANSWERED,
            answer=_span_answer(found),
            citations=[self._quoted(index, q) for q in found.quotes],
            took_ms=_ms(t0),
        )

    def _best(
        self, index: CorpusIndex, question: Question, top_k: int, mode: RetrievalMode | None
    ) -> tuple[Candidate | None, list[Hit]]:
        hits = retrieve(index, self.embedder, question, self.settings, top_k, mode)
        ranked = candidates(index, hits, question, self.embedder.encode_query(question.text))
        if ranked and ranked[0].score >= self.threshold:
            return ranked[0], hits
        return None, hits

    def _compare(self, index, text, question, top_k, mode, t0) -> AnswerObject:
        found = self._sides(index, question, top_k, mode)
        units = {unit_family(c.figure.unit) for c in found if c.figure.unit}
        if len(units) > 1 and question.unit is None:
            # "哪个多" compares like with like: every side is asked again in the unit of
            # the side found most surely (11707家 against 4720余家, not against 100%).
            surest = max(found, key=lambda c: c.score).figure.unit
            found = self._sides(index, question._replace(unit=surest), top_k, mode)
            units = {unit_family(c.figure.unit) for c in found if c.figure.unit}
        # 244.13万人 against 55个 compares nothing: each side must count in one unit.
        if len(found) < 2 or len(units) > 1:
            hits = retrieve(index, self.embedder, question, self.settings, top_k, mode)
            return self._not_found(index, text, question, hits, top_k, t0)
        fewer = asks_fewer(question)
        found.sort(key=lambda c: c.figure.value if fewer else -c.figure.value)
        reply = self._answered(index, text, found, found[0], t0)
        # Both sides, each with its own figure and offsets: the asker sees what was
        # compared, not one number with the other left out.
        reply.answer.compared = [
            ComparedFigure(
                place=place_of(c),
                text=c.figure.text,
                value=c.figure.value,
                unit=c.figure.unit,
                doc_id=c.doc.doc_id,
                start=c.figure.start,
                end=c.figure.end,
            )
            for c in found
        ]
        tied = found[0].figure.value == found[1].figure.value
        reply.answer.winner = None if tied else place_of(found[0])
        return reply

    def _sides(self, index, question, top_k, mode) -> list[Candidate]:
        """The best figure of each compared place, asked as a question of its own."""
        found = []
        for place in question.places:
            sub = question._replace(
                places=[place], years=years_near(question, place), compare=False
            )
            best, _ = self._best(index, sub, top_k, mode)
            if best is not None and place_of(best) == place:
                found.append(best)
        return found

    def _change(self, index, text, question, top_k, mode, t0) -> AnswerObject:
        years = sorted(question.years)
        latest, _ = self._best(
            index, question._replace(years=[years[-1]], change=False), top_k, mode
        )
        if latest is None:
            hits = retrieve(index, self.embedder, question, self.settings, top_k, mode)
            return self._not_found(index, text, question, hits, top_k, t0)
        earliest, _ = self._best(
            index, question._replace(years=[years[0]], change=False), top_k, mode
        )
        cited = [latest]
        if (
            earliest is not None
            and earliest.doc is not latest.doc
            and earliest.figure.unit == latest.figure.unit
        ):
            latest.from_value = earliest.figure.value
            cited.append(earliest)
        return self._answered(index, text, cited, latest, t0, question.amount)

    def _answered(
        self, index, text, cited: list[Candidate], best: Candidate, t0, amount: bool = False
    ) -> AnswerObject:
        """``amount``: the question asks by how much (增加了多少), so where the figure has
        the one it grew from the answer carries the difference too."""
        fig = best.figure
        change = None
        if amount and best.from_value is not None:
            change = round(fig.value - best.from_value, 6)
        answer = Answer(
            kind=QuestionKind.FIGURE,
            text=fig.text,
            value=fig.value,
            unit=fig.unit,
            qualifier=fig.qualifier,
            from_=best.from_value,
            change=change,
            doc_id=best.doc.doc_id,
            start=fig.start,
            end=fig.end,
        )
        return AnswerObject(
            question=text,
            kind=QuestionKind.FIGURE,
            status=Status.ANSWERED,
            answer=answer,
            citations=[self._citation(index, c) for c in cited],
            took_ms=_ms(t0),
        )

    def _citation(self, index: CorpusIndex, cand: Candidate) -> Citation:
        start, end = cand.quote
        return self._cite(index, cand.doc, start, end, cand.hit.chunk, cand.score)

    def _quoted(self, index: CorpusIndex, quoted: Quoted) -> Citation:
        return self._cite(
            index, quoted.doc, quoted.start, quoted.end, quoted.hit.chunk, quoted.score
        )

    def _cite(self, index, doc, start: int, end: int, chunk_no: int, score: float) -> Citation:
        chunk = index.chunks[chunk_no]
        return Citation(
            doc_id=doc.doc_id,
            title=doc.meta.title,
            region=doc.meta.region,
            period=doc.meta.period,
            quote=doc.text[start:end],
            start=start,
            end=end,
            page=page_of(doc, start),
            chunk=chunk.text,
            score=round(score, 4),
            tokens=index.tokens_of(chunk_no),
        )

    def _not_found(
        self,
        index,
        text,
        question: Question,
        hits: list[Hit],
        top_k: int,
        t0,
        ranked: list[Ranked] | None = None,
    ) -> AnswerObject:
        """No answer: say so in words that fit the question, and cite the closest
        sentences (one per document at most), not the start of the closest chunks."""
        if ranked is None:
            vector = self.embedder.encode_query(question.text)
            ranked = rank_sentences(index, hits, question, vector)
        # Asked of a place or year some document speaks for (苏州2012年…), the closest
        # sentences come from those documents: the 2016 report's say nothing of 2012.
        speaking = [r for r in ranked if _speaks_for(r.doc, question)]
        own = bool(speaking) and bool(question.years or question.places)
        closest, docs = [], set()
        for r in speaking if own else ranked:
            if (r.doc.doc_id in docs and not own) or len(r.text) < 8:
                continue
            docs.add(r.doc.doc_id)
            start, end = focus_span(r, question.terms)
            closest.append(self._cite(index, r.doc, start, end, r.hit.chunk, r.score))
            if len(closest) >= min(top_k, 3):
                break
        return AnswerObject(
            question=text,
            kind=question.kind,
            status=Status.NOT_FOUND,
            citations=closest,
            message=_unbroken_year(index, question) or not_found_message(question),
            took_ms=_ms(t0),
        )


def _unbroken_year(index, question: Question) -> str | None:
    """ "昆山的报告涵盖2013–2017年，没有单列2016年的数字": the figure asked of a year inside
    a report of several, which gives none for that year (rag/matching.year_factor)."""
    if question.kind is not QuestionKind.FIGURE:
        return None
    for year in question.years:
        if year in question.thread_years:
            continue
        for doc in index.docs.values():
            meta = doc.meta
            if (not question.places or meta.region in question.places) and inside_span(meta, year):
                return year_not_broken_out(meta.region, meta.period_start, meta.period_end, year)
    return None


def _speaks_for(doc, question: Question) -> bool:
    """The document is of the asked place itself (not a district within it) and covers
    the asked year."""
    if question.places and doc.meta.region not in question.places:
        return False
    return not question.years or any(period_covers(doc.meta, y) for y in question.years)


def _span_answer(found: Extracted) -> Answer:
    items = [AnswerItem(text=t, doc_id=found.doc.doc_id, start=a, end=b) for t, a, b in found.items]
    return Answer(
        kind=found.kind,
        text=found.text,
        post=found.post,
        items=items or None,
        doc_id=found.doc.doc_id,
        start=found.start,
        end=found.end,
    )


def place_of(cand: Candidate) -> str | None:
    return cand.doc.meta.region


def _nothing_to_ask(text: str, message: str, t0: float) -> AnswerObject:
    """not_found before any search: the question gives nothing to look for (？？？) or is
    in a language the documents are not (an English question)."""
    return AnswerObject(
        question=text,
        kind=QuestionKind.DESCRIBE,
        status=Status.NOT_FOUND,
        message=message,
        took_ms=_ms(t0),
    )


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)
