"""Candidate scoring pieces of rag.answer that do not need an index."""

from __future__ import annotations

import pytest

from rag.counted import unit_agreement
from rag.question import parse_question
from rag.schema import Status


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
    from rag.counted import asked, judge

    text = "全年新增会员1200人,五年累计发展会员5.6万人。"
    new, total = text.index("1200"), text.index("5.6")
    asked_total = asked(parse_question("累计发展了多少会员"))
    asked_new = asked(parse_question("今年新增会员多少人"))
    assert asked_total.tally == {"total"} and asked_new.tally == {"new"}

    def clash(want, start, length):
        return "tally" in judge(want, text, start, start + length, "人").clashes

    assert clash(asked_total, new, 5)
    assert not clash(asked_total, total, 5)
    assert clash(asked_new, total, 5)
    assert not clash(asked_new, new, 5)
    # A question that names neither asks for whatever the text states.
    assert parse_question("发展了多少会员").tally == frozenset()


def test_new_or_total_governs_the_whole_clause():
    from rag.counted import asked, judge

    asked_total = asked(parse_question("累计建成多少家示范点"))
    listed = "新建市级示范点20家、省级示范点8家。"
    at = listed.index("8家")
    assert "tally" in judge(asked_total, listed, at, at + 2, "家").clashes
    # "已建" is a running total, "已建会" is not a tally word at all.
    assert parse_question("已建多少家职工书屋").tally == {"total"}
    assert parse_question("无锡现在一共有多少家职工书屋").tally == {"total"}
    assert parse_question("已建会企业有多少家").tally == frozenset()


def test_a_rate_is_never_answered_by_a_count():
    from rag.numbers import quantity_kind

    assert quantity_kind("%") == "percent" and quantity_kind("元") == "money"
    assert quantity_kind("家") == quantity_kind("人次") == "count"
    assert quantity_kind(None) is None


def test_modifier_pairs_name_a_kind_of_thing():
    assert ("妈妈", "驿站") in parse_question("无锡建了多少个妈妈驿站").modifiers
    assert ("女职工", "委员会") in parse_question("多少家企业建立了女职工委员会").modifiers
    # A verb before a noun does not make a kind of it.
    assert parse_question("参加培训的职工有多少").modifiers == []


def test_a_sentence_counting_another_kind_of_the_thing_is_told_apart():
    from rag.counted import asked, judge

    def other(question: str, text: str) -> bool:
        at = text.index("88")
        return (
            "other_kind" in judge(asked(parse_question(question)), text, at, at + 3, "个").clashes
        )

    assert other("建了多少个妈妈驿站", "全年建成环卫职工爱心驿站88个。")
    assert not other("建了多少个妈妈驿站", "全年建成妈妈驿站88个。")
    # The qualifier stated in the sentence before still governs this one.
    assert not other("建了多少个妈妈驿站", "大力推进妈妈驿站建设。全年建成爱心驿站88个。")


def test_a_word_weighs_as_much_as_its_commonest_synonym(qa):
    from rag.matching import term_weights

    # "建了" never occurs in reports but 建成/建立 are everywhere; "咕噜" occurs nowhere
    # and has no synonyms. Both sit beside the question word, so only IDF differs.
    question = parse_question("苏州建了多少个咕噜")
    weights = term_weights(qa.index, question)
    assert question.focus["建了"] == question.focus["咕噜"]
    assert weights["建了"] < 0.6 * weights["咕噜"]


def test_key_term_is_the_rarest_thing_the_corpus_knows(qa):
    from rag.matching import document_frequency as _document_frequency
    from rag.matching import key_term

    question = parse_question("无锡有多少家企业建立了女职工委员会")
    key = key_term(qa.index, question)
    assert key in question.terms and _document_frequency(qa.index, key) > 0
    for common in ("企业", "女职工"):  # named by the question, frequent in reports
        assert _document_frequency(qa.index, key) <= _document_frequency(qa.index, common)
    # A word the corpus never uses cannot be the key: it tells no sentence apart.
    assert key_term(qa.index, parse_question("苏州有多少个咕噜")) is None
    # 金额 names the figure's own quantity, which the figure answers: not the key.
    assert key_term(qa.index, parse_question("苏州劳模慰问金发放金额是多少")) != "金额"


def test_a_thing_word_in_most_passages_gives_way_to_a_rarer_word(qa):
    from rag.matching import KEY_COMMON, key_term
    from rag.matching import document_frequency as _document_frequency

    question = parse_question("昆山一线职工疗休养了多少人次")
    assert _document_frequency(qa.index, "职工") > KEY_COMMON * len(qa.index.chunks)
    key = key_term(qa.index, question)
    assert key != "职工" and key in question.terms
    assert 0 < _document_frequency(qa.index, key) < _document_frequency(qa.index, "职工")


def test_a_compound_is_mentioned_when_all_its_parts_are():
    from rag.matching import mentions as _mentions

    parts = ["工会", "干部"]
    assert _mentions("各级工会高度重视干部队伍能力建设", "工会干部", parts)
    assert not _mentions("各级工会高度重视职工队伍能力建设", "工会干部", parts)
    assert _mentions("建立爱心驿站46个", "驿站", [])


REPORT = """# 无锡市总工会2015年工作报告

2015年，无锡全市工会深入开展职工技术创新活动，新增劳模创新工作室17个,推出技术创新项目161项。
全年建成环卫职工爱心驿站88个、爱心母婴休息室21个。
深化“安康杯”竞赛活动,全市参赛企业11707家、

职工92.9万人,无锡市总工会荣获全国优秀组织单位称号。

开展“爱心妈妈”结对帮扶活动,关爱困难职工子女。
"""


@pytest.fixture(scope="module")
def small_qa(made_pipeline):
    """A pipeline over one made-up report, so the rules are tested on text nobody tuned on."""
    return made_pipeline({"wuxi-2015.md": REPORT})


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("无锡新增劳模创新工作室多少个", 17),
        ("无锡建了多少个爱心驿站", 88),
        ("无锡参赛职工多少人", 929000),
        # Only the new ones are stated; their neighbour 161项 counts projects.
        ("无锡累计建成劳模创新工作室多少个", None),
        # The report counts another kind of 驿站.
        ("无锡建了多少个妈妈驿站", None),
        # A rate asked, only counts stated.
        ("无锡企业参赛率是多少", None),
    ],
)
def test_figures_of_another_kind_are_not_answers(small_qa, question, expected):
    result = small_qa.ask(question)
    if expected is None:
        assert result.status is Status.NOT_FOUND, result.answer
    else:
        assert result.answer is not None and result.answer.value == expected


def test_a_quote_runs_over_a_wrapped_line(small_qa):
    citation = small_qa.ask("无锡参赛职工多少人").citations[0]
    assert "参赛企业11707家" in citation.quote and "92.9万人" in citation.quote
    text = small_qa.index.docs[citation.doc_id].text
    assert text[citation.start : citation.end] == citation.quote
