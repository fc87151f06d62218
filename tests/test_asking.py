"""What the asker tells before asking (rag/question.py's asked_clause, rag/parts.py's
known_wholes), and what a figure of the report does not count (rag/counted.py: plans,
levels, ruled-out honours; rag/answer.py: the best matching sentence ruled out, ordinals,
magnitudes), on made-up reports and questions."""

from __future__ import annotations

import pytest

from rag.answer import _within_told
from rag.asked import asked
from rag.counted import judge
from rag.groups import defining_verb
from rag.kinds import QuestionKind, question_kind
from rag.numbers import find_figures
from rag.parts import known_wholes, part_levels
from rag.question import parse_question
from rag.schema import Status
from rag.told import asked_clause

REPORT = """# 盐城市总工会2019年工作报告

2019年，盐城全市工会深化劳动竞赛，举办盐城市第三届职工足球联赛暨第九届“友谊杯”足球赛。
全市通过技能比武晋升技术等级的职工达 2.4 万余人次。
年内录入困难职工1850人，特困职工320人。
在盐城投资的45家外资企业,已有41家开展工资集体协商。
力争年内建成职工驿站60个以上。
全市建成“爱心母婴室”77个。
"""


@pytest.fixture(scope="module")
def yancheng(made_pipeline):
    return made_pipeline({"yancheng-2019.md": REPORT})


def judge_at(question: str, text: str, figure: str, unit: str):
    start = text.index(figure)
    return judge(asked(parse_question(question)), text, start, start + len(figure), unit)


# ------------------------------------------------------------------ what the asker tells


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("淮安12年有驿站80个，那14年那份里驿站有几个", "那14年那份里驿站有几个"),
        ("淮安和盐城都建了驿站，盐城那边是多少个？", "盐城那边是多少个"),
        ("盐城2019年建成多少个驿站", None),  # one clause: nothing told
        ("盐城2019年，建成多少个驿站", None),  # two clauses, nothing told, no turn
    ],
)
def test_the_asking_clause_is_found_after_what_the_asker_told(question, clause):
    span = asked_clause(question)
    assert (question[span[0] : span[1]] if span else None) == clause


def test_the_asking_clause_sets_the_year_and_the_place():
    q = parse_question("淮安16年省劳模115个，那12年那份里市劳模表彰了几个")
    assert q.years == [2012]
    assert parse_question("淮安、盐城都有爱心驿站，盐城那边是多少个？").places == ["盐城"]


def test_a_short_year_is_no_figure_the_asker_knows():
    assert parse_question("盐城16年建成多少个驿站").figures == []


def test_a_whole_the_asker_states_is_found():
    wholes = known_wholes("盐城那45家外资企业里，有几家开展了工资集体协商？")
    assert [(f.value, f.unit) for f in wholes] == [(45.0, "家")]
    assert known_wholes("盐城45家外资企业开展了什么") == []


def test_a_rough_figure_stands_for_the_range_up_to_its_next_step():
    told = find_figures("涵盖9万多家单位")[0]
    assert _within_told(91900, told) and not _within_told(100500, told)
    told = find_figures("1900多万元")[0]
    assert _within_told(19_500_000, told) and not _within_told(20_000_000, told)


def test_the_asker_who_states_the_whole_is_answered_from_its_sentence(yancheng):
    reply = yancheng.ask("盐城那45家外资企业里，有几家还没开展工资集体协商？")
    assert reply.status is Status.ANSWERED and reply.answer.rest == 4


def test_a_verb_tagged_character_by_character_defines_the_part():
    assert defining_verb("要约 覆盖的企业里 应约的有多少家") == "应约"
    assert defining_verb("要约覆盖的企业有多少家") == "覆盖"


# ------------------------------------------------------------------ what a figure counts


def test_a_plan_answers_only_a_question_that_asks_a_plan():
    text = "力争年内建成职工驿站60个以上。"
    assert "plan" in judge_at("盐城2019年建成了多少个职工驿站", text, "60个以上", "个").clashes
    assert (
        "plan" not in judge_at("盐城2019年计划建成多少个职工驿站", text, "60个以上", "个").clashes
    )


def test_the_level_of_a_part_after_a_premise_is_the_level_asked():
    assert part_levels("省市级职工书屋示范点里，省级的有几个") == frozenset({"province"})
    text = "建成全国职工书屋示范点6个、省市级职工书屋示范点45个。"
    question = "盐城的省市级职工书屋示范点里，省级的有几个？"
    assert judge_at(question, text, "45个", "个").factor <= 0.1


def test_a_province_before_a_title_is_its_level_not_the_place():
    assert parse_question("江苏省十佳文明职工 2019年是第几届").places == []
    text = "今年，我市有1人获评第九届江苏省“十佳文明职工”。"
    assert not judge_at("江苏省十佳文明职工是第几届", text, "第九届", "届").clashes


def test_a_level_is_read_within_the_figure_own_clause():
    text = "5家单位申报全国工会职工书屋示范点，10家单位申报江苏省工会职工书屋示范点。"
    question = "盐城有几家单位申报江苏省工会职工书屋示范点"
    assert "level" not in judge_at(question, text, "10家", "家").clashes
    assert "level" in judge_at(question, text, "5家", "家").clashes


def test_a_ruled_out_honour_is_read_as_far_as_an_asked_one():
    text = "全市共有14名同志荣获全国劳动模范和先进工作者称号。"
    question = "获得全国先进工作者称号的有几名？不算全国劳模。"
    assert "excluded" in judge_at(question, text, "14名", "名").clashes


def test_an_ordinal_answers_for_the_noun_after_it(yancheng):
    assert yancheng.ask("盐城职工足球联赛是第几届").answer.value == 3
    assert yancheng.ask("“友谊杯”足球赛是第几届").answer.value == 9


def test_the_best_sentence_ruled_out_is_not_replaced_by_a_weaker_one(yancheng):
    # 2.4万余人次 counts visits; 录入困难职工1850人 is another act, matched less well
    reply = yancheng.ask("盐城通过技能比武晋升技术等级的职工，按人数算有多少人？")
    assert reply.status is Status.NOT_FOUND


def test_ten_thousands_asked_are_not_answered_by_a_small_count(yancheng):
    assert yancheng.ask("盐城 爱心母婴室 多少万").status is Status.NOT_FOUND
    assert yancheng.ask("盐城 爱心母婴室 多少个").answer.value == 77


@pytest.mark.parametrize("question", ["盐城 已建工资集体协商企业 数", "盐城在几大重点工程开展竞赛"])
def test_keyword_counts_ask_a_figure(question):
    assert question_kind(question) is QuestionKind.FIGURE


def test_one_city_level_is_no_level_of_another():
    text = "全市共有苏州市级以上模范职工之家153家,昆山市级“职工之家示范点”200家。"
    question = "昆山苏州市级以上的职工之家有多少家？"
    assert "level" in judge_at(question, text, "200家", "家").clashes
    assert "level" not in judge_at(question, text, "153家", "家").clashes


def test_a_total_of_several_items_is_not_one_item_of_their_list():
    text = "已发放全国劳模三金68.05万元、省部劳模三金153.66万元、市劳模三金147.08万元。"
    question = "三级劳模“三金”一共发了多少钱？"
    assert judge_at(question, text, "68.05万元", "元").ruled_out
    assert not judge_at("全国劳模三金发了多少钱？", text, "68.05万元", "元").ruled_out
    text = "全市共有模范职工之家、模范职工小家153家。"
    assert not judge_at("模范职工之家+小家 共几家", text, "153家", "家").ruled_out


def test_a_parallel_item_inherits_the_topic_before_its_shared_head(made_pipeline):
    qa = made_pipeline(
        {
            "huaian-2019.md": "# 淮安市总工会2019年工作报告\n\n2019年，淮安全市国有、集体企事业单位"
            "厂务公开民主管理制度建制面达100%、已建会非公企业的建制面达91.4%。\n"
        }
    )
    answer = qa.ask("淮安已建会非公企业的厂务公开民主管理建制面是多少？").answer
    assert answer.value == 91.4


def test_a_change_between_a_year_told_and_a_year_asked_keeps_both():
    q = parse_question("2012年5.96万家,到2016年达到多少家?")
    assert q.change and q.years == [2012, 2016]


def test_the_measure_word_counts_the_noun_before_de():
    from rag.groups import asked_head

    assert asked_head("全年排查了多少家次企业的劳动关系矛盾隐患？") == "企业"


def test_an_aside_opening_with_fei_rules_its_words_out():
    q = parse_question("淮安建成的省市级“模范职工小家”有多少家？（非全国级）")
    assert q.excluded == ("全国级",) and "national" not in q.levels


def test_a_question_ending_in_jingzeng_asks_the_amount():
    assert parse_question("淮安基层工会数量从多少增加到多少？净增了几家？").amount
    assert not parse_question("淮安基层工会数量增加到了多少家？").amount


def test_a_short_year_is_no_whole_the_asker_states():
    assert known_wholes("盐城16年里，新建了多少个职工驿站？") == []
