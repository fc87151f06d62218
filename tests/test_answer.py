"""Candidate scoring pieces of rag.answer that do not need an index."""

from __future__ import annotations

import pytest

from rag.answer import unit_agreement
from rag.question import parse_question


@pytest.mark.parametrize(
    ("asked", "exact", "weaker"),
    [
        ("人次", "人次", "人"),  # people counted once or per visit: close
        ("件", "件", "起"),  # cases: the everyday word for the report's word
        ("家", "家", "个"),
        ("元", "元", None),  # a figure without unit is weak evidence
    ],
)
def test_the_asked_unit_beats_a_compatible_one(asked, exact, weaker):
    assert unit_agreement(asked, exact) == 1.0
    assert 0.0 < unit_agreement(asked, weaker) < 1.0


@pytest.mark.parametrize(
    ("asked", "unit"), [("人次", "次"), ("人次", "场次"), ("元", "人"), ("%", "家")]
)
def test_a_different_quantity_is_a_clash(asked, unit):
    # "培训了多少人次" must not take "送教上门148次" — events, not people.
    assert (
        unit_agreement(asked, unit)
        < 0.1
        < unit_agreement(asked, "人次" if asked == "人次" else asked)
    )


def test_no_asked_unit_prefers_figures_that_have_one():
    assert unit_agreement(None, "家") > unit_agreement(None, None)


def test_running_total_and_new_this_year_are_told_apart():
    from rag.answer import Span, _tally_clash
    from rag.question import parse_question

    text = "全年新增会员1200人,五年累计发展会员5.6万人。"
    new, total = text.index("1200"), text.index("5.6")
    asked_total = parse_question("累计发展了多少会员").tally
    asked_new = parse_question("今年新增会员多少人").tally
    assert asked_total == {"total"} and asked_new == {"new"}
    first, second = Span(0, new + 6), Span(new + 6, len(text))
    assert _tally_clash(asked_total, text, first, new)
    assert not _tally_clash(asked_total, text, second, total)
    assert _tally_clash(asked_new, text, second, total)
    assert not _tally_clash(asked_new, text, first, new)
    # A question that names neither asks for whatever the text states.
    assert parse_question("发展了多少会员").tally == frozenset()


def test_a_word_weighs_as_much_as_its_commonest_synonym(qa):
    from rag.answer import term_weights

    # "建了" never occurs in reports but 建成/建立 are everywhere; "咕噜" occurs nowhere
    # and has no synonyms. Both sit beside the question word, so only IDF differs.
    question = parse_question("苏州建了多少个咕噜")
    weights = term_weights(qa.index, question)
    assert question.focus["建了"] == question.focus["咕噜"]
    assert weights["建了"] < 0.6 * weights["咕噜"]


def test_key_term_is_the_rarest_thing_the_corpus_knows(qa):
    from rag.answer import _document_frequency, key_term

    question = parse_question("无锡有多少家企业建立了女职工委员会")
    key = key_term(qa.index, question)
    assert key in question.terms and _document_frequency(qa.index, key) > 0
    for common in ("企业", "女职工"):  # named by the question, frequent in reports
        assert _document_frequency(qa.index, key) <= _document_frequency(qa.index, common)
    # A word the corpus never uses cannot be the key: it tells no sentence apart.
    assert key_term(qa.index, parse_question("苏州有多少个咕噜")) is None


def test_a_compound_is_mentioned_when_all_its_parts_are():
    from rag.answer import _mentions

    parts = ["工会", "干部"]
    assert _mentions("各级工会高度重视干部队伍能力建设", "工会干部", parts)
    assert not _mentions("各级工会高度重视职工队伍能力建设", "工会干部", parts)
    assert _mentions("建立爱心驿站46个", "驿站", [])
