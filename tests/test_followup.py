"""Follow-up resolution (rag/followup.py, rag/rewrite.py) and Pipeline.ask(history=).

The resolver cases use places, years and subjects that are not in the corpus (常州, 盐城,
南京 …): the rules work on the parse of any question, not on the questions of the
evaluation set.
"""

from __future__ import annotations

import pytest

from rag.followup import RESTATE, Turn, resolve


def resolved(question: str, *history: str | Turn) -> str | None:
    r = resolve(question, list(history))
    assert not r.needs_restate, (question, history)
    return r.text if r.carried else None


@pytest.mark.parametrize(
    ("history", "question", "expected"),
    [
        # the year or the place changes, the rest is carried over
        (["常州2018年建成多少家职工之家"], "那2019年呢？", "常州2019年建成多少家职工之家"),
        (["常州2018年建成多少家职工之家"], "南通呢", "南通2018年建成多少家职工之家"),
        (["常州2018年建成多少家职工之家"], "那南通2017年的呢", "南通2017年建成多少家职工之家"),
        (["2018年常州建成多少家职工之家"], "17年的呢", "2017年常州建成多少家职工之家"),
        (["常州建成多少家职工之家"], "2019年呢", "常州2019年建成多少家职工之家"),
        (["盐城市总工会主席是谁"], "泰州市的呢", "泰州市总工会主席是谁"),
        # another level of the same thing
        (["南京新建市级劳模创新工作室多少个"], "省级的呢", "南京新建省级劳模创新工作室多少个"),
        (["南京推荐了多少名全国劳模"], "市劳模呢", "南京推荐了多少名市劳模"),
        (
            ["南京2019年多少人获得全国五一劳动奖章"],
            "江苏省的呢",
            "南京2019年多少人获得江苏省五一劳动奖章",
        ),
        # the same head with another modifier, a part of it, a sibling
        (
            ["镇江2018年已建调解组织多少个"],
            "其中企业调解组织呢",
            "镇江2018年已建企业调解组织多少个",
        ),
        (
            ["镇江2018年已建各类调解组织多少个"],
            "其中企业调解组织呢",
            "镇江2018年已建企业调解组织多少个",  # one kind, no longer 各类
        ),
        (["泰州2016年会员有多少名"], "其中女职工呢", "泰州2016年女职工会员有多少名"),
        (["江阴新增全国模范职工之家多少个"], "小家呢", "江阴新增全国模范职工小家多少个"),
        (["徐州2015年慰问了多少名环卫工人"], "公交司机呢", "徐州2015年慰问了多少名公交司机"),
        (["无锡累计立项项目多少个"], "新增的呢", "无锡新增立项项目多少个"),
        # another thing altogether, or a predicate of its own, at the same place and year
        (["盐城2019年基层工会有多少家"], "会员呢", "盐城2019年会员有多少"),
        (
            ["扬州2017年举办职工技能竞赛多少场"],
            "参赛职工有多少人次",
            "扬州2017年参赛职工有多少人次",
        ),
        (["扬州2017年举办职工技能竞赛多少场"], "覆盖多少个工种", "扬州2017年覆盖多少个工种"),
        # change and comparison questions
        (
            ["盐城2019年发放助学金多少万元"],
            "比上一年多了多少",
            "盐城发放助学金从2018年到2019年增加了多少",
        ),
        (
            ["盐城2019年发放助学金多少万元", "2017年呢"],
            "这几年增加了多少",
            "盐城发放助学金从2017年到2019年增加了多少",
        ),
        (["盐城基层工会有多少家"], "减少了多少", "盐城基层工会减少了多少"),
        (["宿迁2018年工会会员多少人", "淮安呢"], "哪边多", "淮安2018年和宿迁2018年工会会员哪边多"),
        # a person answered before
        ([Turn("镇江市总工会主席是谁", "张三")], "他是什么时候上任的", "张三是什么时候上任的"),
        (
            [Turn("镇江市总工会主席是谁", "**李四**（镇江 · 2018）\n\n> …")],
            "她兼任什么职务",
            "李四兼任什么职务",
        ),
        (["王五获得了什么荣誉"], "他是哪个单位的", "王五是哪个单位的"),
    ],
)
def test_follow_up_is_resolved_from_the_previous_question(history, question, expected):
    assert resolved(question, *history) == expected


@pytest.mark.parametrize(
    ("history", "question"),
    [
        (["苏州2016年职工书屋多少家"], "南京2016年新建了多少家职工书屋"),
        (["苏州2016年职工书屋多少家"], "江都有几个全国职工书屋示范点？"),
        ([], "苏州2016年职工书屋多少家"),
        ([], "女职工有多少"),  # nothing before it: asked as it is
        ([], "江都 职工大讲堂示范点 数量"),
        # 当年 beside a year of its own is that year; one in an aside refers to nothing
        ([], "宿迁2015年项目化管理中，当年新增立项多少个？"),
        ([], "宿迁项目化管理三年累计立项多少个？（不是当年新增）"),
    ],
)
def test_a_question_that_stands_on_its_own_ignores_the_history(history, question):
    r = resolve(question, history)
    assert (r.text, r.carried, r.needs_restate) == (question, False, False)


@pytest.mark.parametrize(
    ("history", "question"),
    [
        ([], "那个呢"),
        ([], "那2012年呢？"),
        ([], "增加了多少"),
        ([], "他是谁"),
        (["苏州2016年职工书屋多少家"], "那个呢"),
        (["苏州2016年职工书屋多少家"], "他是哪一年当选的"),  # no person before
        (["宿迁2018年工会会员多少人"], "哪边多"),  # only one place so far
        (["宿迁工会会员多少人"], "上一年呢"),  # no year to count from
        (["那2012年呢"], "昆山呢"),  # the only earlier turn could not be resolved either
    ],
)
def test_a_follow_up_the_history_cannot_complete_asks_to_restate(history, question):
    assert resolve(question, history).needs_restate


def test_resolution_chains_over_several_turns():
    history = ["常州2016年工会会员有多少", "那2012年呢"]
    assert resolved("增加了多少", *history) == "常州工会会员从2012年到2016年增加了多少"
    history.append("南通呢")  # 南通2012年…: the other year was asked about 常州, not 南通
    assert resolved("南通呢", *history[:2]) == "南通2012年工会会员有多少"
    assert resolved("增加了多少", *history) == "南通2012年工会会员增加了多少"


def test_only_the_last_ten_turns_are_used():
    history = ["苏州2016年职工书屋多少家"] + ["那个呢"] * 10
    assert resolve("那2012年呢", history).needs_restate


def test_pronoun_asks_the_pipeline_for_the_answer_it_gave():
    asked = []

    def answer_of(question: str) -> str | None:
        asked.append(question)
        return "张永新"

    r = resolve("他是哪一年上任的", ["江都区总工会主席是谁"], answer_of=answer_of)
    assert r.text == "张永新是哪一年上任的"
    assert asked == ["江都区总工会主席是谁"]


# ------------------------------------------------------------------ pipeline


def test_pipeline_answers_the_resolved_question(qa):
    result = qa.ask("那昆山呢？", history=["苏州2016年职工书屋多少家"])
    assert result.question == "那昆山呢？"
    assert result.resolved_question == "昆山2016年职工书屋多少家"
    # The year came from the thread: the report of 2013–2017 still answers for it, as the
    # standalone question does when told so. Typed by the asker, 2016 is not broken out.
    standalone = qa.ask("昆山2016年职工书屋多少家", thread_years=frozenset({2016}))
    assert result.answer == standalone.answer
    assert result.citations == standalone.citations
    assert result.answer.text == "127家"
    typed = qa.ask("昆山2016年职工书屋多少家")
    assert typed.answer is None and "2013–2017" in typed.message


def test_issue_example_is_resolved_and_shown(qa):
    result = qa.ask("那2012年呢？", history=[Turn("苏州2016年职工书屋多少家", "918 家")])
    assert result.resolved_question == "苏州2012年职工书屋多少家"
    # whatever the answer, its passages are about 2012, not the 2016 report
    assert {c.period for c in result.citations} == {"2012"}


def test_standalone_question_has_no_resolved_question(qa):
    result = qa.ask("苏州2016年职工书屋多少家", history=["昆山职工书屋有多少家"])
    assert result.resolved_question is None
    assert result.answer.text == "918 家"
    assert qa.ask("苏州2016年职工书屋多少家").resolved_question is None


def test_unresolvable_follow_up_asks_to_restate_instead_of_guessing(qa):
    for history in ([], ["苏州2016年职工书屋多少家"]):
        result = qa.ask("那个呢", history=history)
        assert result.status == "not_found"
        assert result.answer is None and result.citations == []
        assert result.message == RESTATE and "请把问题说完整" in result.message
        assert result.resolved_question is None


def test_other_is_no_pronoun():
    # 其他 holds 他; a standalone question that mentions other kinds is no follow-up
    res = resolve("苏州2012年企业调解组织多少个（不含其他类型调解组织）", [])
    assert not res.needs_restate and not res.carried


def test_a_report_named_by_its_year_is_no_relative_year():
    res = resolve("苏州劳动竞赛累计多少项？我说的是2012年述职报告那年", [])
    assert not res.needs_restate and not res.carried
