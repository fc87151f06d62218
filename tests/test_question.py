from __future__ import annotations

import pytest

from rag.question import expected_unit, parse_question, years_near


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("苏州2016年职工书屋多少家", "家"),
        ("有几个人获奖", "人"),
        ("培训了多少人次", "人次"),
        ("花了多少钱", "元"),
        ("投入资金多少万元", "元"),
        ("建制率是多少", "%"),
        ("惠及多少职工", "人"),
        ("有多少企业注册", "家"),
        ("情况如何", None),
        ("多少个职工参加了培训", "人"),  # 个 before a person noun counts people
        ("建了几个职工心理咨询室", "个"),  # ...unless a noun follows: 职工 only qualifies it
        ("几个职工书屋", "个"),
        ("拿到奖励的职工有几个", "人"),  # the person noun before 有几个 counts people
        ("职工书屋有几个", "个"),
        ("帮了多少个困难职工子女", "人"),  # a qualifier between, and a person noun after
        ("几个困难职工家庭", "个"),
    ],
)
def test_expected_unit(question, unit):
    assert expected_unit(question) == unit


def test_place_year_and_terms():
    q = parse_question("苏州市2016年职工书屋多少家？")
    assert q.places == ["苏州"] and q.years == [2016]
    assert "书屋" in q.terms
    assert not any("州" in t for t in q.terms)


def test_an_asked_unit_is_not_a_subject_word():
    assert "万元" not in parse_question("工会经费收入有多少万元").terms
    # With no 多少 to attach it to, the unit word is all the question says: keep it.
    assert "人次" in parse_question("会员服务卡 参与职工 人次").terms


def test_province_beside_a_city_is_a_title_word_not_the_place():
    q = parse_question("2012年苏州有几个人被评为江苏省文明职工？")
    assert q.places == ["苏州"]
    assert any(t.startswith("江苏") for t in q.terms)


def test_comparison_and_years_belong_to_their_place():
    q = parse_question("苏州2016年和无锡比，谁的工会会员多？")
    assert q.compare and q.places == ["苏州", "无锡"]
    assert years_near(q, "苏州") == [2016]
    assert years_near(q, "无锡") == []


def test_stated_figures_are_remembered():
    q = parse_question("2012年5.96万家，到2016年达到多少家？")
    assert q.change
    assert 59600 in q.figures


def test_levels_of_honours():
    assert parse_question("2016年苏州有几名职工获得全国五一劳动奖章").levels == {"national"}
    assert parse_question("江都推荐表彰了多少名市劳模？").levels == {"city"}
    # "全市" is "across the city", not a level.
    assert parse_question("全市职工书屋多少家").levels == frozenset()
    # "苏州市级": the place is 苏州, the level 市级.
    q = parse_question("2012年苏州市级劳模“三金”发放金额")
    assert q.places == ["苏州"] and q.levels == {"city"}
    assert parse_question("苏州市劳模多少名").levels == frozenset()


def test_synonyms_reach_the_report_wording():
    from rag.synonyms import variants

    assert "书屋" in variants("图书室")
    assert "子女" in variants("孩子")
    assert variants("没有同义词的词") == {"没有同义词的词"}


def test_where_a_change_began_is_asked_and_its_marker_is_no_subject_word():
    q = parse_question("江都工会会员在增长之前原有多少名")
    assert q.earlier and "原有" not in q.terms and "之前" not in q.terms
    assert parse_question("江都会员由多少名增加到283958名").earlier
    assert not parse_question("江都基层工会由多少家增加到多少家").earlier
    assert not parse_question("江都工会会员有多少名").earlier


def test_words_between_the_thing_and_the_question_word_do_not_push_it_out_of_focus():
    plain = parse_question("临川累计征集到的优秀建议有多少条")
    hedged = parse_question("临川累计征集到的优秀建议大约有多少条")
    assert hedged.focus == plain.focus
    assert (
        parse_question("临川工会会员总数大概多少").unit
        == parse_question("临川工会会员总数多少").unit
    )
    assert "大概" not in parse_question("临川工会会员总数大概多少").terms


def test_a_report_named_by_its_date_is_where_the_asker_read_it():
    q = parse_question("临川市总2017年1月那份报告里，送温暖投了多少资金")
    assert 2017 in q.years and 2016 in q.years  # a report of early 2017 reviews 2016
    assert not {"报告", "那份"} & set(q.terms)
    assert not q.change
    q = parse_question("临川劳动竞赛累计多少项？我说的是2012年述职报告那年")
    assert 2012 in q.years and "述职" not in q.terms


def test_what_an_aside_rules_out_sets_no_year_and_no_tally():
    q = parse_question("宿迁2016年为职工提供了多少件法律服务？（2016年报告，不是2012年）")
    assert 2012 not in q.years and 2016 in q.years
    q = parse_question("宿迁三年累计立项多少个？（不是当年新增）")
    assert q.tally == {"total"} and q.excluded == ("当年新增",)


@pytest.mark.parametrize(
    "question",
    [
        "宿迁区工会第十四次代表大会到第十五次代表大会期间，基层工会增加了多少家？",
        "宿迁工会十四大以来基层工会增加了多少家",
        "宿迁基层工会从十四大到现在增加了多少家",
    ],
)
def test_a_period_named_by_a_congress_is_when_not_what(question):
    q = parse_question(question)
    assert q.terms == ["基层", "工会"] and q.amount


def test_a_congress_that_did_something_is_the_subject():
    assert "党代会" in parse_question("宿迁第十二次党代会确定了几个方面的战略举措").terms


def test_a_lead_naming_the_report_read_is_not_searched_for():
    q = parse_question(
        "据宿迁市总工会2017年1月的工作报告，宿迁第十二次党代会确定了几个方面的战略举措？"
    )
    assert q.text.startswith("宿迁第十二次党代会") and 2016 in q.years
    assert q.places == ["宿迁"]
