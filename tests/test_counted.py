"""What a figure counts against what the question asks (rag/counted.py), on made-up text."""

from __future__ import annotations

import pytest

from rag.counted import asked, counts_visits, judge, stages, unit_agreement
from rag.question import parse_question

TEXT = (
    "全市申报职工书屋120家，建成85家。"
    "各级工会受理劳动争议案件500件，调解成功450件。"
    "全市获评全国劳模3人、全国五一劳动奖章5人。"
    "全市工会会员120万人。"
    "全年组织一线职工疗休养2081人次。"
    "发展女职工互助共济会员7000余人。"
    "全年培训女职工5000人。"
    "全年新建职工之家26家，累计建成职工之家300家。"
)


def verdict(question: str, figure: str):
    """The verdict on the first ``figure`` (number and unit) of TEXT for ``question``."""
    start = TEXT.index(figure)
    unit = figure.lstrip("0123456789.万余")
    return judge(asked(parse_question(question)), TEXT, start, start + len(figure), unit)


@pytest.mark.parametrize(
    ("question", "right", "wrong"),
    [
        ("建成了多少家职工书屋", "85家", "120家"),  # built, not applied for
        ("申报了多少家职工书屋", "120家", "85家"),
        ("调解成功了多少件劳动争议", "450件", "500件"),  # settled, not accepted
        ("受理了多少件劳动争议", "500件", "450件"),
        ("累计建成职工之家多少家", "300家", "26家"),  # the total, not the new ones
        ("新建职工之家多少家", "26家", "300家"),
    ],
)
def test_another_stage_or_tally_is_ruled_out(question, right, wrong):
    good, bad = verdict(question, right), verdict(question, wrong)
    assert good.factor == 1.0 and not good.ruled_out
    assert bad.ruled_out and bad.factor <= 0.1


def test_a_stage_word_governs_the_list_it_leads():
    text = "市总命名表彰了示范单位12家、优秀活动品牌12个、优秀文体团队16个。"
    want = asked(parse_question("命名了多少个优秀文体团队"))
    start = text.index("16")
    assert judge(want, text, start, start + 3, "个").factor == 1.0
    assert stages("受理并调解成功") == {"accept", "done"}


def test_applications_do_not_answer_what_exists():
    assert verdict("全市有多少个职工书屋", "120家").factor < 0.5
    assert verdict("全市有多少个职工书屋", "85家").factor == 1.0


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("女职工会员有多少", "120万人"),  # the broader group
        ("女职工会员有多少", "7000余人"),  # a narrower one: a mutual-aid scheme
        ("女职工会员有多少", "5000人"),  # the qualifier counted: women trained
        ("女职工会员有多少", "2081人次"),  # neither word in the sentence
        ("工会会员有多少人", "7000余人"),  # another kind of member
    ],
)
def test_another_group_is_ruled_out(question, figure):
    assert verdict(question, figure).factor <= 0.3


def test_the_asked_group_itself_passes():
    assert verdict("工会会员有多少人", "120万人").factor == 1.0
    assert verdict("互助共济会员有多少人", "7000余人").factor == 1.0


def test_person_times_are_not_people_when_people_are_asked():
    people = asked(parse_question("疗休养了多少人"))
    noun_only = asked(parse_question("疗休养了多少一线职工"))
    visits = asked(parse_question("疗休养了多少人次"))
    assert people.people and not noun_only.people
    assert unit_agreement(people, "人次") < 0.1
    assert 0.1 < unit_agreement(noun_only, "人次") < 1.0  # the noun leaves the unit open
    assert unit_agreement(visits, "人次") == 1.0
    # 多少名 asks for heads as 多少人 does; 多少家 is not answered by 家次, but 场次 is 场.
    assert counts_visits(asked(parse_question("培训了多少名工会干部")), "人次")
    assert counts_visits(asked(parse_question("排查了多少家企业")), "家次")
    assert not counts_visits(asked(parse_question("排查了多少家次企业")), "家次")
    assert not counts_visits(asked(parse_question("演出了多少场")), "场次")


def test_a_neighbour_does_not_take_the_place_of_a_count_of_visits(qa):
    from rag.answer import candidates
    from rag.question import parse_question as parse
    from rag.retrieval import retrieve

    # The report counts trained union cadres in 人次 only; the 名 beside it are others.
    question = parse("江都培训了多少名工会干部")
    hits = retrieve(qa.index, qa.embedder, question, qa.settings, qa.settings.top_k, None)
    ranked = candidates(qa.index, hits, question, qa.embedder.encode_query(question.text))
    assert not ranked or ranked[0].score < qa.threshold


def test_another_level_of_honour_is_told_apart():
    assert verdict("全国劳模有几人", "3人").factor == 1.0
    text = "获评市级劳模30人、全国劳模3人。"
    want = asked(parse_question("全国劳模有几人"))
    start = text.index("30")
    assert judge(want, text, start, start + 3, "人").ruled_out


def test_what_is_counted_follows_the_question_word():
    """Only the pairs naming the counted thing must be in the figure's sentence: the
    activity before the verb only says where the things came from."""
    after = asked(parse_question("盐城组织专场招聘会提供了多少就业岗位"))
    assert ("专场", "招聘会") in after.modifiers
    assert all(head in "就业岗位" for _, head in after.counted)
    before = asked(parse_question("盐城女职工会员有多少"))
    assert ("女职工", "会员") in before.counted


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("全区会员由5120名增加到7731名，组织覆盖面进一步扩大。", "7731名"),
        ("农民工会员增至1.2万人。", "1.2万人"),
        ("职工之家由40家发展到65家。", "65家"),
    ],
)
def test_the_end_of_a_change_is_a_total_not_what_was_added(text, figure):
    """新增/净增 asks what was added; the figure a change ended at is the whole now."""
    start = text.index(figure)
    unit = figure.lstrip("0123456789.万")
    span = (start, start + len(figure))
    new = judge(asked(parse_question("净增会员多少名")), text, *span, unit)
    total = judge(asked(parse_question("现有会员多少名")), text, *span, unit)
    assert "tally" in new.clashes
    assert "tally" not in total.clashes


def test_an_increase_itself_still_answers_new():
    text = "今年新增会员增加3000名。"
    start = text.index("3000名")
    verdict = judge(asked(parse_question("净增会员多少名")), text, start, start + 5, "名")
    assert "tally" not in verdict.clashes


def judge_at(question: str, text: str, figure: str, unit: str):
    """The verdict on ``figure`` (its first occurrence in ``text``) for ``question``."""
    start = text.index(figure)
    return judge(asked(parse_question(question)), text, start, start + len(figure), unit)


def _factor(question: str, text: str, figure: str, unit: str) -> float:
    return judge_at(question, text, figure, unit).factor


def test_another_honour_is_ruled_out():
    text = "评选产生 40 名省劳动模范、先进工作者，12 人获评省五一劳动奖章。"
    assert _factor("临川有多少人获得省五一劳动奖章", text, "40 名", "名") < 0.2
    assert _factor("临川有多少人获得省五一劳动奖章", text, "12 人", "人") == 1.0
    # 十佳文明职工 is its own honour, not 文明职工
    text = "1人获评十佳文明职工，9人获评文明职工。"
    assert _factor("临川有几人获评十佳文明职工", text, "9人", "人") < 0.2


def test_levels_counted_together_do_not_answer_one_of_them():
    text = "推荐表彰全国劳模2名,30人获全国及省市“五一劳动奖章”,12个单位获奖状。"
    assert _factor("临川有多少人获得全国五一劳动奖章", text, "30人", "人") <= 0.1
    # a place before the honour gives its level: 江苏省…奖章 is provincial, 市…奖章 is not
    text = "表彰了 76 个市五一劳动奖状、195 名市五一劳动奖章。"
    assert _factor("临川有多少人获得江苏省五一劳动奖章", text, "195 名", "名") < 0.2


def test_the_qualifier_with_another_thing_is_another_group():
    text = "走访慰问困难职工家庭500户,“爱心助学”结对困难学生80名。"
    assert _factor("临川帮扶了多少名困难职工", text, "80名", "名") <= 0.2
    assert _factor("临川结对了多少名困难学生", text, "80名", "名") == 1.0


def test_handling_is_not_settling():
    text = "五年来,参与调处劳动争议案件300件。"
    assert _factor("临川劳动争议调解成功了多少件", text, "300件", "件") <= 0.1


def test_a_place_before_an_honour_in_the_report_gives_its_level():
    text = "表彰大会上，300名临川市劳动模范受到表彰。"
    assert _factor("临川有多少人获评全国劳动模范", text, "300名", "名") < 0.2
    # 市区 is the urban area, not two levels counted together
    text = "市区全年共有 5000 人参加职工大病医疗保障计划。"
    assert _factor("临川市区有多少人参加了大病医疗保障计划", text, "5000 人", "人") == 1.0


def test_nominated_is_not_awarded_and_a_total_is_not_an_addition():
    text = "共推荐全国优秀工会工作者11名。"
    assert _factor("临川有多少人获评全国优秀工会工作者", text, "11名", "名") <= 0.3
    text = "全年净增农民工会员1.5万人。"
    assert _factor("临川农民工会员总数有多少", text, "1.5万人", "人") <= 0.1


def test_one_group_asked_apart_is_not_the_groups_together():
    text = "组织劳模和一线职工疗休养190人次。"
    assert _factor("临川组织劳模疗休养（只算劳模）有多少人次", text, "190人次", "人次") <= 0.2
    assert _factor("临川组织劳模和一线职工疗休养多少人次", text, "190人次", "人次") == 1.0
    # 按人头 asks for heads: person-times do not answer
    assert unit_agreement(asked(parse_question("临川帮了多少个子女 按人头")), "人次") < 0.1


def test_the_level_that_leads_a_list_holds_for_its_items():
    text = "建成全国“模范职工之家”2家、“模范职工小家”1家,省市级“模范职工之家”48家。"
    assert _factor("临川建成省市级模范职工小家多少家", text, "1家", "家") <= 0.1
    assert _factor("临川建成全国模范职工小家多少家", text, "1家", "家") == 1.0
    # the place's level may stand a few words after the figure
    text = "8家集体获得省五一劳动奖状，26名个人获得江苏省五一劳动奖章。"
    assert _factor("临川有多少名个人获得市级五一劳动奖章", text, "26名", "名") <= 0.1


def test_the_union_itself_is_no_kind_of_the_thing():
    text = "实施学历提升计划,符合条件的50名职工获得了每人800元的专升本学历奖励。"
    assert _factor("临川拿到工会奖励的职工有几个", text, "50名", "名") == 1.0
    # a real other kind still clashes: 爱心驿站 for 妈妈驿站
    text = "全年建成爱心驿站40个。"
    assert _factor("临川建成了多少个妈妈驿站", text, "40个", "个") < 1.0


def test_a_plan_does_not_answer_what_was_done():
    text = "## 2016年工作回顾\n建成驿站 80 个。\n## 2017年主要任务\n全市新建驿站 100 个以上。"
    start = text.index("100")
    want = asked(parse_question("临川2017年实际新建了多少个驿站"))
    assert judge(want, text, start, start + 5, "个").factor <= 0.1
    plan = asked(parse_question("临川2017年计划新建多少个驿站"))
    assert "plan" not in judge(plan, text, start, start + 5, "个").clashes
    start = text.index("80")
    assert "plan" not in judge(want, text, start, start + 4, "个").clashes


@pytest.mark.parametrize(
    ("text", "figure", "added"),
    [
        ("全市工会会员120万人。", "120万人", False),  # how many there are
        ("全年发展会员3000名。", "3000名", True),
        ("新组建工会120家。", "120家", True),
    ],
)
def test_an_addition_asked_needs_a_sentence_that_adds(text, figure, added):
    unit = figure.lstrip("0123456789.万")
    assert ("tally" not in judge_at("新增了多少会员", text, figure, unit).clashes) is added


def test_a_national_level_asked_is_not_a_count_that_names_no_level():
    text = "全年建成劳模创新工作室43家，其中全国劳模创新工作室2家。"
    assert "level" in judge_at("劳模创新工作室有几家是全国级的", text, "43家", "家").clashes
    assert "level" not in judge_at("劳模创新工作室有几家是全国级的", text, "2家", "家").clashes
    assert "level" not in judge_at("建成了多少家劳模创新工作室", text, "43家", "家").clashes


def test_the_whole_city_asked_is_not_its_core_counted():
    text = "市区全年共有5000人参加大病医疗保障计划，全市共有9000人参加。"
    whole = "全市（含各县级市）有多少人参加大病医疗保障计划"
    assert "scope" in judge_at(whole, text, "5000人", "人").clashes
    assert "scope" not in judge_at(whole, text, "9000人", "人").clashes
    assert "scope" not in judge_at("有多少人参加大病医疗保障计划", text, "5000人", "人").clashes


def test_a_clause_or_every_kind_before_the_thing_is_another_group():
    text = "已注册并激活的工会会员达53万人，全市工会会员349万名。"
    assert "group" in judge_at("青禾工会会员共计多少人", text, "53万人", "人").clashes
    assert "group" not in judge_at("青禾工会会员共计多少人", text, "349万名", "名").clashes
    text = "目前已建各类调解组织16908个，其中企业调解组织15258个。"
    assert "group" in judge_at("已建企业调解组织多少个", text, "16908个", "个").clashes
    assert "group" not in judge_at("已建企业调解组织多少个", text, "15258个", "个").clashes
    assert "group" not in judge_at("已建各类调解组织多少个", text, "16908个", "个").clashes


def test_the_qualifier_counted_a_little_after_the_measure_word_is_not_the_thing():
    text = "组织各类讲座50余次，近万名一线女职工接受了教育。"
    assert "group" in judge_at("青禾女职工工会会员有多少名", text, "近万名", "名").clashes
    # …元的专升本学历奖励: what the money is for, not what is counted
    text = "符合条件的204名职工获得了每人1000元的专升本学历奖励。"
    assert judge_at("拿到专升本奖金的职工有多少人", text, "204名", "名").factor == 1.0


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("全市共有基层工会5821家，其中独立基层工会组织4631家。", "4631家"),
        ("培育“活力基层工会”100家。", "100家"),
    ],
)
def test_a_thing_under_a_qualifier_the_question_does_not_say_is_some_of_it(text, figure):
    verdict = judge_at("全市有多少家基层工会", text, figure, figure[-1])
    assert "qualified" in verdict.clashes, verdict


def test_whom_a_thing_serves_does_not_make_it_some_of_it():
    # 环卫职工 says whom the 爱心驿站 serve: all of them, not a kind among them.
    text = "全年建成环卫职工爱心驿站88个、爱心母婴休息室21个。"
    verdict = judge_at("建了多少个爱心驿站", text, "88个", "个")
    assert "qualified" not in verdict.clashes, verdict


def test_what_the_asker_rules_out_is_not_the_answer():
    text = "建成全国“模范职工之家”2家,省市级“模范职工之家”48家。"
    assert _factor("临川有多少家省级模范职工之家（不含市级）", text, "48家", "家") <= 0.1
    assert _factor("临川有多少家省市级模范职工之家", text, "48家", "家") == 1.0
    text = "慰问一线环卫工人、公交司机共8937人次。"
    assert _factor("临川慰问了多少公交司机（不包括环卫工人）", text, "8937人次", "人次") <= 0.1
    text = "全年培训职工10.75万人次。"
    assert _factor("临川培训了多少职工，不是人次", text, "10.75万人次", "人次") <= 0.1


def test_a_ruled_out_phrase_is_no_subject_word_of_the_question():
    q = parse_question("2016年临川全市基层工会有多少家？不要覆盖单位的数。")
    assert q.excluded == ("覆盖单位",)
    assert "覆盖" not in q.terms and "单位" not in q.terms
    # 是不是 asks and 不算重复 counts heads: neither rules anything out
    assert parse_question("是不是建成了100家职工书屋").excluded == ()
    assert parse_question("参赛职工有多少人，不算重复的").excluded == ()
    # an aside between the thing and 多少 does not hide the thing from the focus
    q = parse_question("临川慰问一线环卫工人（不含公交司机）有多少人次")
    assert q.focus.get("环卫工人", 0) >= 1.0 and "公交司机" not in q.focus


def test_a_qualifier_in_another_clause_of_a_long_sentence_does_not_govern_the_figure():
    text = (
        "树立大抓基层的导向,扎实开展农民工入会集中行动,基层工会建设达标1336家,"
        "基层工会由4081家增加到6299家,会员由179584名增加到283958名。"
    )
    assert _factor("临川农民工会员有多少", text, "283958名", "名") <= 0.2
    # in the sentence's opening clause it does: the topic of what follows
    text = "农民工入会工作成效明显,新发展会员2.3万名。"
    assert _factor("临川农民工会员新发展了多少", text, "2.3万名", "名") == 1.0


def test_a_noun_after_the_figure_with_another_head_is_another_thing():
    text = "为1.8万名困难职工子女发放助学金。"
    assert _factor("临川有多少困难职工", text, "1.8万名", "名") <= 0.1
    assert _factor("临川给多少困难职工的孩子发了助学金", text, "1.8万名", "名") == 1.0
    text = "新建两个区域性行业性职工服务中心,规模以上企业职工服务点建成率达85%。"
    assert _factor("临川建了多少个职工服务点", text, "两个", "个") <= 0.1
    assert _factor("临川新建了几个区域性、行业性职工服务中心", text, "两个", "个") == 1.0
    # the head after the last 的, and people named as what they became, still count it
    text = "陆续开展了127项主题鲜明、内容丰富、健康向上的职工文化系列活动。"
    assert _factor("临川开展了多少项职工文化活动", text, "127项", "项") == 1.0
    text = "301名同志被评为临川市劳动模范。"
    assert _factor("临川评了多少名市劳动模范", text, "301名", "名") == 1.0


def test_a_later_stage_said_in_the_passive_and_an_intention_are_not_what_was_asked():
    text = "42项先进操作法被推广、11条高质量发展建议被采纳。"
    assert _factor("临川职工提出了多少条高质量发展建议", text, "11条", "条") <= 0.1
    assert _factor("临川有多少条高质量发展建议被采纳", text, "11条", "条") == 1.0
    # 提出 is how suggestions come to be: asked without a stage, they are the count
    text = "提出合理化建议13.9万多条,实施近8000多条。"
    assert _factor("临川职工提了多少条合理化建议", text, "13.9万多条", "条") == 1.0
    text = "促成3.6万余人达成就业意向。"
    assert _factor("临川通过就业援助实际实现就业多少人", text, "3.6万余人", "人") <= 0.1


def _clashes(question: str, text: str, figure: str, unit: str) -> tuple[str, ...]:
    return judge_at(question, text, figure, unit).clashes


def test_one_year_asked_is_not_answered_by_a_sum_over_several():
    text = "五年来,走访慰问困难职工家庭9876户,结对困难学生183名。"
    assert "span" in _clashes("临川2017年一年走访慰问了多少户困难职工家庭", text, "9876户", "户")
    assert "span" not in _clashes("临川五年走访慰问了多少户困难职工家庭", text, "9876户", "户")
    text = "全年新增立项项目43个,三年累计立项103个,结项99个。"
    assert "span" in _clashes("临川全年结项了多少个工会项目", text, "99个", "个")
    assert "span" not in _clashes("临川全年新增立项了多少个项目", text, "43个", "个")
    # a year's own running total is one year's
    text = "全年累计接待来访职工1200人次。"
    assert "span" not in _clashes("临川全年接待来访职工多少人次", text, "1200人次", "人次")


def test_so_much_each_is_not_answered_by_the_total():
    text = "走访困难职工近3万户、投入资金4000万元,为204名职工发放每人1000元的学历奖励。"
    assert "per_unit" in _clashes("临川送温暖平均每户给了多少钱", text, "4000万元", "元")
    assert "per_unit" not in _clashes("临川学历奖励每人领了多少钱", text, "1000元", "元")
    assert "per_unit" not in _clashes("临川送温暖投入了多少资金", text, "4000万元", "元")
    text = "困难职工生活补贴标准提高到600元/月。"
    assert "per_unit" not in _clashes("临川困难职工每月补贴多少钱", text, "600元", "元")


def test_those_who_took_part_are_not_those_who_received():
    text = "全年共有 5741 人参加职工大病医疗保障计划,320名职工领到大病补助。"
    assert "stage" in _clashes("临川有多少名职工领到了大病补助", text, "5741 人", "人")
    assert "stage" not in _clashes("临川有多少名职工领到了大病补助", text, "320名", "名")
    assert "stage" not in _clashes("临川多少人参与了大病医疗保障计划", text, "5741 人", "人")


def test_a_subset_after_qizhong_answers_only_a_question_about_it():
    text = "培训职工10.75万人次,其中5000多人晋升成为高技能人才。"
    assert "group" in _clashes("临川培训了多少名职工", text, "5000多人", "人")
    assert "group" not in _clashes("临川有多少职工成了高技能人才", text, "5000多人", "人")


def test_the_stage_of_the_whole_the_asker_starts_from_is_not_the_one_asked():
    text = "五年来,参与调处劳动争议案件710件。"
    question = "临川五年参与调处的劳动争议中，成功调解结案的有多少件"
    assert "stage" in _clashes(question, text, "710件", "件")
    assert "stage" not in _clashes("临川五年参与调处了多少件劳动争议", text, "710件", "件")
    text = "累计征集优秀建议4万余条。"
    assert "stage" in _clashes("临川征集的建议中，被采纳的有多少条", text, "4万余条", "条")
    assert "stage" not in _clashes("临川合理化建议活动有多少条优秀建议", text, "4万余条", "条")


def test_a_figure_under_another_named_item_of_the_list_is_not_the_asked_one():
    text = "“夏送清凉”慰问一线职工8309人次,“秋送助学”为809人次困难职工子女发放助学金95.88万元。"
    assert "group" in _clashes("临川“夏送清凉”一共花了多少钱", text, "95.88万元", "元")
    assert "group" not in _clashes("临川“秋送助学”发了多少助学金", text, "95.88万元", "元")


def test_a_ruled_out_phrase_is_named_only_when_all_of_it_is_there():
    text = "全市新增全国模范职工之家15个、全国模范职工小家14个。"
    question = "临川新增的全国模范职工小家有多少个？（不是全国模范职工之家）"
    assert "excluded" not in _clashes(question, text, "14个", "个")
    assert "excluded" in _clashes(question, text, "15个", "个")


def test_the_part_asked_within_a_whole_must_be_in_the_sentence():
    text = "全区工会会员由179584名增加到283958名。"
    assert "part" in _clashes("临川工会会员中女职工有多少名", text, "283958名", "名")
    assert "part" not in _clashes("临川工会会员有多少名", text, "283958名", "名")
    # 五年中 says when, not of what
    assert "part" not in _clashes("五年中临川工会会员增加到多少名", text, "283958名", "名")
    # the figure's own words, not only its sentence's, must name the part
    text = "全市已建各类调解组织16908个,其中企业调解组织15258个。"
    question = "临川已建的各类调解组织中，企业调解组织有多少个"
    assert "part" in _clashes(question, text, "16908个", "个")
    assert "part" not in _clashes(question, text, "15258个", "个")


def test_a_count_in_the_unit_ruled_out_and_every_level_together_are_not_the_answer():
    text = "五年来,走访慰问困难职工家庭10643户,涌现各级劳模和先进工作者270名。"
    assert "excluded" in _clashes("临川走访的困难职工多少人 不要户数要人数", text, "10643户", "户")
    assert "level" in _clashes("临川五年涌现的全国劳动模范有多少名", text, "270名", "名")


def test_what_a_year_built_is_no_running_total():
    text = "全年建成环卫职工爱心驿站55家、“爱心母婴休息室”21个。"
    assert "tally" in _clashes(
        "截至2015年临川累计建成的“爱心母婴休息室”有多少个", text, "21个", "个"
    )
    assert "tally" not in _clashes("临川全年建成了多少个“爱心母婴休息室”", text, "21个", "个")


def test_how_many_there_are_is_not_answered_by_an_addition():
    # 一共有 asks the stock; 全年新建职工之家26家 is what was added
    assert verdict("全市职工之家一共有多少家", "26家").ruled_out
    assert not verdict("全市职工之家一共有多少家", "300家").ruled_out


def test_the_furthest_stage_asked_is_the_one_counted():
    # 受理的劳动争议中调解成功了多少件: those settled, not those accepted
    assert verdict("受理的劳动争议中调解成功了多少件", "500件").ruled_out
    assert not verdict("受理的劳动争议中调解成功了多少件", "450件").ruled_out


def test_a_rate_does_not_answer_a_sum():
    text = "坚持每年组织超200场安全生产宣传培训进企业活动。"
    assert judge_at("五年一共组织了多少场宣传培训", text, "200场", "场").ruled_out
    assert not judge_at("每年组织多少场宣传培训", text, "200场", "场").ruled_out


def test_the_verb_that_defines_the_thing_must_govern_the_figure():
    text = "发出书面要约11753份，覆盖50156家企业，上级工会为1868家企业代行要约。"
    question = "要约覆盖的企业有多少家"
    assert (
        judge_at(question, text, "1868家", "家").factor
        < judge_at(question, text, "50156家", "家").factor
    )


def test_one_of_several_named_items_counted_together_is_not_answered():
    text = "为2081人次困难职工发放“春节大礼包”、“温情年夜饭”和“爱心购物卡”累计560万元。"
    assert judge_at("“温情年夜饭”花了多少钱", text, "560万元", "元").ruled_out
    assert not judge_at(
        "“春节大礼包”“温情年夜饭”“爱心购物卡”一共多少钱", text, "560万元", "元"
    ).ruled_out


def test_success_given_only_as_a_rate_does_not_count_the_successes():
    text = "全年调解劳动争议案件2366件，调解成功率93.83%。"
    assert judge_at("全年调解成功了多少件劳动争议", text, "2366件", "件").ruled_out
    assert not judge_at("调解劳动争议的成功率是多少", text, "93.83%", "%").ruled_out
