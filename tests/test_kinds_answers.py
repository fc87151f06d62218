"""Answers of every kind on the seed corpus: exact offsets for every question of the
kinds set, never a figure for a question that asked none, and the questions users tried
(issue #13) through a real server."""

from __future__ import annotations

import re

import pytest
from conftest import ApiServer

from eval.kinds import load_kinds
from eval.kinds_report import run_kinds, summarise_kinds
from rag.kinds import QuestionKind
from rag.settings import PROJECT_ROOT
from rag.spans import date_parts


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


KINDS = load_kinds(PROJECT_ROOT / "eval" / "kinds.jsonl")


@pytest.fixture(scope="module")
def answers(qa):
    return [(item, qa.ask(item.question)) for item in KINDS]


def test_every_quote_and_answer_span_is_exact(qa, answers):
    for item, result in answers:
        for c in result.citations:
            assert qa.index.docs[c.doc_id].text[c.start : c.end] == c.quote, item.id
        a = result.answer
        if a is None:
            continue
        assert a.kind is result.kind
        assert a.doc_id is not None and a.start is not None and a.end is not None, item.id
        span = qa.index.docs[a.doc_id].text[a.start : a.end]
        if a.kind is QuestionKind.LIST:
            for i in a.items:  # an item wrapped over a line break reads as one line
                written = qa.index.docs[a.doc_id].text[i.start : i.end]
                assert _flat(written) == _flat(i.text), item.id
        elif not a.kind.is_passage and a.kind is not QuestionKind.YESNO:
            assert span == a.text, item.id
        # The answer stands inside a quoted sentence of the same document.
        assert any(
            c.doc_id == a.doc_id and c.start <= a.start and a.end <= c.end for c in result.citations
        ), item.id


def test_no_figure_for_a_question_that_asked_none(answers):
    for item, result in answers:
        assert result.kind is not QuestionKind.FIGURE, item.id
        if result.answer is not None:
            assert result.answer.value is None and result.answer.unit is None, item.id


def test_unanswerable_questions_say_so_and_cite_the_closest_sentences(answers):
    unanswerable = [(i, r) for i, r in answers if not i.answerable]
    assert len(unanswerable) >= 40
    honest = [r for _, r in unanswerable if r.status.value == "not_found"]
    assert len(honest) / len(unanswerable) >= 0.6
    for r in honest:
        assert r.answer is None and r.message
        assert all(len(c.quote) < 400 for c in r.citations)  # sentences, not whole chunks


def test_kinds_summary_counts_what_it_says(qa):
    rows = run_kinds(qa, KINDS[:20])
    summary = summarise_kinds(rows)
    assert summary.questions == 20
    assert summary.no_figure == 1.0
    assert sum(k.n + k.unanswerable for k in summary.by_kind) == 20


def _ask(server: ApiServer, question: str) -> dict:
    with server.client() as client:
        response = client.post("/v1/ask", json={"question": question})
    assert response.status_code == 200, response.text
    return response.json()


def test_issue_questions_over_http(api_server, qa):
    """The questions of the issue, each given the kind of answer it asked for."""
    docs = qa.index.docs

    person = _ask(api_server, "江都区总工会主席是谁")
    assert person["kind"] == "person" and person["status"] == "answered"
    a, c = person["answer"], person["citations"][0]
    assert a["post"] == "主席" and a["value"] is None
    assert docs[a["doc_id"]].text[a["start"] : a["end"]] == a["text"]
    assert a["text"] in c["quote"] and "主席" in c["quote"] and c["region"] == "江都"

    date = _ask(api_server, "苏州市总工会十五届三次全委会议是什么时候开的")
    assert date["kind"] == "date" and date["status"] == "answered"
    assert date_parts(date["answer"]["text"]) == (True, True, True)
    assert date["citations"][0]["region"] == "苏州"

    definition = _ask(api_server, "什么是苏工惠")
    assert definition["kind"] == "definition" and definition["status"] == "answered"
    assert definition["answer"]["value"] is None
    assert any("苏工惠" in c["quote"] for c in definition["citations"])

    honour = _ask(api_server, "顾秋亮获得了什么荣誉")
    assert honour["kind"] == "name" and honour["status"] == "answered"
    assert honour["answer"]["value"] is None
    doc = docs[honour["answer"]["doc_id"]].text
    around = doc[max(0, honour["answer"]["start"] - 80) : honour["answer"]["end"] + 80]
    assert "顾秋亮" in around  # the honour is the one written beside the person

    work = _ask(api_server, "无锡市总工会去年做了哪些工作")
    assert work["status"] == "answered" and work["answer"]["value"] is None
    assert {c["region"] for c in work["citations"]} == {"无锡"}

    vague = _ask(api_server, "工会做了什么")
    assert vague["kind"] == "describe" and (vague["answer"] or {}).get("value") is None
    assert vague["citations"]  # the best passages, or the closest ones with a message


def test_a_list_question_prefers_sentences_that_name_its_abbreviation(qa, monkeypatch):
    import rag.sentence_rank as sr
    from rag.question import parse_question
    from rag.retrieval import retrieve

    question = parse_question("苏州工会说的“五小”活动是指哪些活动")
    hits = retrieve(qa.index, qa.embedder, question, qa.settings, qa.settings.top_k, None)
    vector = qa.embedder.encode_query(question.text)

    def lead() -> float:
        """How far the best sentence naming “五小” stands above the best one that does not."""
        ranked = sr.rank_sentences(qa.index, hits, question, vector)
        naming = max(r.score for r in ranked if "五小" in r.text)
        return naming / max(r.score for r in ranked if "五小" not in r.text)

    preferred = lead()
    monkeypatch.setattr(sr, "ABBREVIATION_MISSING", 1.0)
    assert preferred > lead() * 1.2
