"""Figures the report states only through two others: the rest of a whole
("没有调解成功的有多少", rag/complement.py) and the difference of two ("覆盖的企业比应约企业
多多少家", rag/than.py). Both quote the report's own figures and carry the result in
``Answer.rest`` / ``Answer.change``; where either figure is missing, nothing answers.

Example::

    >>> from rag.pipeline import Pipeline
    >>> qa = Pipeline.load()
    >>> qa.ask("2012年苏州受理的劳动争议中，没有调解成功的有多少件？").answer.rest
    103.0
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rag.answer import Candidate
from rag.complement import positive, rest_of, says_verb, states_unmet
from rag.numbers import Figure
from rag.question import Question, parse_question
from rag.schema import AnswerObject
from rag.script import simplified
from rag.sentences import CLAUSE_END, SENTENCE_END, bounds, quote_span, sentence_before, unwrap
from rag.than import other_side, other_words, without_than

if TYPE_CHECKING:
    from rag.pipeline import Pipeline

__all__ = ["rest_answer", "states_unmet_at", "than_answer"]


def states_unmet_at(best: Candidate, verb: str) -> bool:
    """The figure's own clause counts those that did not (尚有2家未开展)."""
    text = simplified(best.doc.text)
    clause = bounds(text, best.figure.start, best.figure.end, CLAUSE_END)
    return states_unmet(verb, unwrap(text[clause.start : clause.end]))


def _cited(index, found: Candidate, other: Figure) -> list[Candidate]:
    """``found``, and the sentence of the other figure the answer is computed from when it
    stands in another sentence, cited with the chunk that holds it."""
    quote = quote_span(simplified(found.doc.text), other.start, other.end)
    if quote == found.quote:
        return [found]
    chunk = found.hit.chunk
    held = index.chunks[chunk]
    if not (held.doc_id == found.doc.doc_id and held.start <= other.start < held.end):
        chunk = index.chunk_at(found.doc.doc_id, other.start)
    hit = found.hit._replace(chunk=chunk)
    return [found, Candidate(other, found.doc, hit, found.rank, found.score, quote)]


def _asked_as(question: Question, text: str) -> Question:
    return parse_question(text)._replace(thread_years=question.thread_years)


def rest_answer(qa: Pipeline, index, text, question: Question, top_k, mode, t0) -> AnswerObject:
    """没有调解成功的有多少: those that did, and the whole right before them in the same
    sentence; the answer carries the rest."""
    met, hits = qa._best(index, _asked_as(question, positive(question.text)), top_k, mode)
    whole = None
    if met is not None:
        doc_text = simplified(met.doc.text)
        fig = met.figure
        clause = bounds(doc_text, fig.start, fig.end, CLAUSE_END)
        sent = bounds(doc_text, fig.start, fig.end, SENTENCE_END)
        if says_verb(question.unmet, unwrap(doc_text[clause.start : clause.end])):
            begin = sent.start
            if doc_text[sent.start : fig.start].lstrip().startswith("其中"):
                # "…建立基层工会组织18034家。其中独立基层工会组织4631家": the whole is
                # the sentence before.
                begin = sentence_before(doc_text, sent).start
            sentence = doc_text[begin : sent.end]
            whole = rest_of(sentence, fig.start - begin, fig, question.unmet)
    if whole is None:
        return qa._not_found(index, text, question, hits, top_k, t0)
    whole = whole._replace(start=whole.start + begin, end=whole.end + begin)
    reply = qa._answered(index, text, _cited(index, met, whole), met, t0)
    reply.answer.from_ = whole.value
    reply.answer.rest = round(whole.value - met.figure.value, 6)
    return reply


def than_answer(qa: Pipeline, index, text, question: Question, top_k, mode, t0) -> AnswerObject:
    """A比B多多少: A asked alone, B the figure beside it (its sentence, the one before or
    after) that names B's words; the answer carries A − B, and cites both."""
    first_text = without_than(question.text)
    first, hits = qa._best(index, _asked_as(question, first_text), top_k, mode)
    other = None
    if first is not None:
        doc_text = simplified(first.doc.text)
        fig = first.figure
        sent = bounds(doc_text, fig.start, fig.end, SENTENCE_END)
        following = bounds(doc_text, sent.end, sent.end, SENTENCE_END)
        window = (sentence_before(doc_text, sent).start, max(sent.end, following.end))
        other = other_side(doc_text, window, fig, other_words(question.than, first_text))
    if other is None:
        return qa._not_found(index, text, question, hits, top_k, t0)
    reply = qa._answered(index, text, _cited(index, first, other), first, t0)
    reply.answer.from_ = other.value
    reply.answer.change = round(first.figure.value - other.value, 6)
    reply.answer.compared_to = question.than
    return reply
