"""Figures derived from two stated ones (rag/derived.py: the rest of a whole, the
difference of two), the noun before a figure (rag/groups.py) and the years a report of
several years speaks for (rag/matching.py), on made-up reports."""

from __future__ import annotations

import pytest

from rag.complement import positive, rest_of, says_verb, states_unmet, unmet
from rag.groups import asked_head, named_before_another
from rag.numbers import find_figures
from rag.question import expected_unit, parse_question
from rag.schema import Status
from rag.than import other_words, than, without_than

FIVE_YEARS = """# 淮安市总工会第五次代表大会以来工作报告

（2016年—2020年）

五年来，各级工会劳调组织受理劳动争议1800件，成功调解1650件。
在淮安投资的60家外资企业,已有57家开展工资集体协商。
全市已有 120 个“爱心驿站”通过验收并投入使用。
深化“安康杯”竞赛活动,全市参赛企业5200家、职工18万人。
五年来开展“五比五创”劳动竞赛24次。
五年来，各级工会发出书面要约3000份，覆盖2400家企业，应约企业2280家。
全市累计建立职工书屋900家。其中星级职工书屋300家。
"""

ONE_YEAR = """# 宿迁市总工会2018年工作报告

2018年，宿迁全市工会深化“安康杯”竞赛活动,全市参赛企业3100家。
"""


@pytest.fixture(scope="module")
def made_qa(made_pipeline):
    return made_pipeline({"huaian-2016-2020.md": FIVE_YEARS, "suqian-2018.md": ONE_YEAR})


@pytest.mark.parametrize(
    ("question", "verb"),
    [
        ("受理的劳动争议中，没有调解成功的有多少件？", "调解成功"),
        ("还有多少个驿站尚未通过验收", "通过验收"),
        ("还没有开展工资集体协商的企业有几家", "开展工资集体协商"),
        ("淮安有没有开展职工读书月活动", None),  # yes or no, not the rest
        ("未来五年计划建多少个驿站", None),
    ],
)
def test_the_negated_act_is_read_from_the_question(question, verb):
    assert unmet(question) == verb


def test_the_positive_question_drops_the_negation():
    assert positive("没有调解成功的有多少件") == "调解成功的有多少件"


def test_the_whole_is_the_larger_figure_before_in_the_same_unit():
    sentence = "在淮安投资的60家外资企业,已有57家开展工资集体协商。"
    met = [f for f in find_figures(sentence) if f.value == 57][0]
    whole = rest_of(sentence, met.start, met, "开展工资集体协商")
    assert whole is not None and whole.value == 60
    # A whole that says the act too is no whole of it.
    sentence = "开展工资集体协商的企业60家,已有57家开展工资集体协商。"
    met = [f for f in find_figures(sentence) if f.value == 57][0]
    assert rest_of(sentence, met.start, met, "开展工资集体协商") is None


def test_the_act_may_be_said_in_another_order():
    assert says_verb("调解成功", "成功调解1650件")
    assert not says_verb("调解成功", "受理劳动争议1800件")
    assert states_unmet("开展", "尚有3家未开展")


def test_those_that_did_not_are_the_whole_less_those_that_did(made_qa):
    answer = made_qa.ask("淮安受理的劳动争议中，没有调解成功的有多少件？").answer
    assert (answer.rest, answer.from_, answer.value) == (150, 1800, 1650)
    answer = made_qa.ask("在淮安投资的外资企业中，还没有开展工资集体协商的有几家").answer
    assert answer.rest == 3


def test_a_whole_in_the_sentence_before_is_cited_too(made_qa):
    result = made_qa.ask("淮安累计建立的职工书屋里，不属于星级职工书屋的有多少家？")
    assert (result.answer.rest, result.answer.from_) == (600, 900)
    quotes = [c.quote for c in result.citations]
    assert any("900家" in q for q in quotes) and any("300家" in q for q in quotes)


def test_no_whole_stated_means_no_rest(made_qa):
    result = made_qa.ask("淮安还有多少个爱心驿站尚未通过验收？")
    assert result.status is Status.NOT_FOUND, result.answer


@pytest.mark.parametrize(
    ("question", "head"),
    [
        ("参赛的班组有多少个", "班组"),
        ("多少个职工服务点", "服务点"),
        ("江都培训工会干部多少人次", "干部"),
        ("这几年看望过多少户困难职工家庭", "家庭"),
    ],
)
def test_the_asked_head_noun(question, head):
    assert asked_head(question).endswith(head[-1]) and head.endswith(asked_head(question))


def test_a_figure_named_by_another_noun_does_not_count_the_asked_one():
    assert named_before_another("班组", "全市参赛企业", "全市参赛企业|家")
    assert not named_before_another("企业", "全市参赛企业", "全市参赛企业|家")
    # Workers before a figure say whom it is about (困难职工3000户 counts households).
    assert not named_before_another("家庭", "走访困难职工", "走访困难职工|户")


def test_the_noun_before_the_figure_rules_out_another_thing(made_qa):
    assert made_qa.ask("淮安参赛企业有多少家").answer.value == 5200
    assert made_qa.ask("淮安参赛的班组有多少个").status is Status.NOT_FOUND


def test_a_year_inside_a_report_of_several_is_not_answered_by_its_undated_figures(made_qa):
    assert made_qa.ask("淮安五年来开展了多少次劳动竞赛").answer.value == 24
    result = made_qa.ask("淮安2018年开展了多少次劳动竞赛")
    assert result.status is Status.NOT_FOUND, result.answer


def test_a_year_taken_from_the_conversation_still_finds_a_report_of_several(made_qa):
    history = ["宿迁2018年参赛企业有多少家"]
    assert made_qa.ask(history[0]).answer.value == 3100
    follow = made_qa.ask("淮安呢", history=history)
    assert follow.resolved_question and "2018" in follow.resolved_question
    assert follow.answer is not None and follow.answer.value == 5200
    # Typed by the asker, the same year is not in the report of 2016–2020.
    assert made_qa.ask("淮安2018年参赛企业有多少家").status is Status.NOT_FOUND


def test_a_comparison_of_two_things_is_read_from_the_question():
    question = "要约覆盖的企业比应约企业多多少家？"
    assert than(question) == "应约企业"
    assert without_than(question) == "要约覆盖的企业多少家？"
    assert than("淮安2018年比2016年增加了多少") is None  # a change in time, not a comparison
    assert other_words("市劳模“三金”") == ["市", "劳模", "三", "金"]


def test_by_how_much_one_stated_figure_exceeds_another(made_qa):
    answer = made_qa.ask("淮安五年来要约覆盖的企业比应约企业多多少家？").answer
    assert (answer.value, answer.from_, answer.change) == (2400, 2280, 120)
    assert answer.compared_to == "应约企业"
    # The other side must be stated: 结对企业 is nowhere.
    result = made_qa.ask("淮安五年来要约覆盖的企业比结对企业多多少家？")
    assert result.status is Status.NOT_FOUND, result.answer


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("发的助学金总额是多少", "元"),
        ("五年新增了几个工会劳动法律监督员", "人"),
        ("省劳模评了几个", "人"),
        ("建了几个职工服务点", "个"),
    ],
)
def test_the_unit_asked(question, unit):
    assert expected_unit(question) == unit


def test_how_to_answer_after_the_question_is_not_asked():
    question = parse_question("淮安会员总数大约有多少人？请照报告的约数表述作答。")
    assert "作答" not in question.text and "表述" not in question.terms


def test_every_few_years_asks_a_figure():
    from rag.kinds import QuestionKind

    assert parse_question("文化艺术节隔几年举办一次").kind is QuestionKind.FIGURE
    assert parse_question("淮安这几年开展了哪些活动").kind is not QuestionKind.FIGURE


@pytest.mark.parametrize(
    ("query", "unit"),
    [
        ("淮安 劳动争议 调解成功 件数", "件"),
        ("淮安 工资集体协商 签订合同 企业数", "家"),
        ("淮安 隐患排查 企业家次", "家次"),
        ("淮安 爱心驿站 投入资金", "元"),
    ],
)
def test_a_query_of_keywords_asks_the_figure_it_ends_with(query, unit):
    from rag.kinds import QuestionKind

    question = parse_question(query)
    assert question.kind is QuestionKind.FIGURE and question.unit == unit
    # 案件 ends in 件 but counts nothing by itself
    assert parse_question("淮安办了多少宗法律援助案件").unit != "件"


def test_the_rest_may_be_asked_as_what_lies_outside_a_part():
    assert unmet("调解组织中，企业调解组织以外的有多少个") == "企业调解组织"
    assert positive("组织里，除独立基层工会组织以外的其余部分有多少家") == (
        "组织里，独立基层工会组织的有多少家"
    )


def test_the_whole_a_question_starts_from_is_not_its_part():
    from rag.counted import asked, judge

    text = "目前全市基层工会涵盖单位 9.19 万家，其中基层工会 2.53 万家。"
    want = asked(parse_question("基层工会涵盖的单位中，基层工会本身有多少家"))

    def factor(figure: str) -> float:
        start = text.index(figure)
        return judge(want, text, start, start + len(figure), "家").factor

    assert factor("9.19 万家") < 0.5 and factor("2.53 万家") == 1.0


def test_the_kinds_other_than_one_are_the_rest_of_the_whole():
    assert unmet("淮安 非企业类 调解组织 数量") == "企业"
    assert positive("淮安 非企业类 调解组织 数量") == "淮安 企业类 调解组织 数量"
    assert unmet("淮安非公企业有多少家") is None  # 非公企业 is a kind, not "other than"
