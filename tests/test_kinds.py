"""Question kinds and the span finders, on questions and sentences written for the test
(names, places and dates that appear in no document of the corpus)."""

from __future__ import annotations

import pytest

from eval.kinds import load_kinds
from rag.kinds import QuestionKind, question_kind
from rag.lists import expected_count, find_lists
from rag.settings import PROJECT_ROOT
from rag.spans import Found, date_parts, find_dates, find_names, find_people, find_places_in


def test_kind_enum_parses_and_refuses_clearly():
    assert QuestionKind.parse("person") is QuestionKind.PERSON
    assert QuestionKind.parse(" List ") is QuestionKind.LIST
    with pytest.raises(ValueError, match="figure"):  # the message lists the known kinds
        QuestionKind.parse("opinion")
    assert QuestionKind.DESCRIBE.is_passage and QuestionKind.DEFINITION.is_passage
    assert not QuestionKind.PERSON.is_passage


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("常州市总工会2020年建了多少家职工之家", "figure"),
        ("南通市总工会副主席叫什么名字", "person"),
        ("哪位劳模带领团队攻克了技术难题", "person"),
        ("宿迁第五届职工运动会是什么时候举办的", "date"),
        ("徐州市总工会哪一年成立了法律援助中心", "date"),
        ("淮安的职工技能大赛决赛在哪里举行", "place"),
        ("淮安的劳动竞赛是在哪个城区开展的", "place"),
        ("盐城工会推出的线上服务平台叫什么", "name"),
        ("南京市总工会的服务热线号码是多少", "name"),  # an identifier, not a quantity
        ("南京有多少条服务热线", "figure"),
        ("张建国获得过什么荣誉称号", "name"),
        ("连云港工会今年的重点工作有哪些", "list"),
        ("职工互助保障包括哪几项", "list"),
        ("镇江的企业是否都建立了工会", "yesno"),
        ("泰州开展职工疗休养了吗", "yesno"),
        ("泰州村级职工服务站建成率是不是已经达到100%", "yesno"),  # the rate is stated
        ("泰州村级职工服务站建成率是多少", "figure"),
        ("泰州工会的服务平台叫啥", "name"),  # spoken 啥 is 什么
        ("泰州职工运动会啥时候开的", "date"),
        ("泰州工会跟哪家银行合作发卡", "place"),
        ("泰州工业园区成立总工会了没有", "yesno"),  # …了没有, …没: spoken yes/no
        ("泰州每个乡镇都建了总工会没", "yesno"),
        ("泰州哪些企业还没有", "list"),
        ("泰州的职工入会率在全省是不是排在前列", "yesno"),  # a rate named, no number asked
        ("什么是职工书屋", "definition"),
        ("“娘家人”服务站指什么", "definition"),
        ("扬州工会是怎样帮助农民工讨薪的", "describe"),
        ("工会做了什么", "describe"),
    ],
)
def test_question_kind_on_questions_of_other_places(question, kind):
    assert question_kind(question) is QuestionKind.parse(kind)


def test_kind_classifier_on_the_kinds_set():
    items = load_kinds(PROJECT_ROOT / "eval" / "kinds.jsonl")
    right = sum(question_kind(i.question) is i.kind for i in items)
    assert right / len(items) >= 0.95


def test_people_with_their_posts():
    found = find_people("市总工会党组书记、主席王晓明出席会议并讲话。")
    assert [(f.text, f.label) for f in found] == [("王晓明", "主席")]
    assert found[0].posts == ("党组书记", "主席")
    deputy = find_people("副市长李红梅为获奖职工颁奖。")
    assert [(f.text, f.label) for f in deputy] == [("李红梅", "副市长")]


def test_dates_ranges_and_parts():
    text = "活动时间为2018年5月至10月，总结会于2019年3月15日召开。"
    found = [f.text for f in find_dates(text)]
    assert found == ["2018年5月至10月", "2019年3月15日"]
    assert date_parts("2019年3月15日") == (True, True, True)
    assert date_parts("3月15日") == (False, True, True)
    assert date_parts("2019") == (True, False, False)
    assert [f.text for f in find_dates("“五一”前夕，工会走访了一线职工。")] == ["“五一”前夕"]


def test_places_venues_and_named_places():
    texts = {f.text for f in find_places_in("第三届职工运动会在市体育中心举行。")}
    assert "市体育中心" in texts
    texts = {f.text for f in find_places_in("培训班在南京市工人文化宫开班。")}
    assert "南京市工人文化宫" in texts


def test_names_quoted_and_honours():
    found = find_names("该公司获得“全国五一劳动奖状”称号。")
    assert "全国五一劳动奖状" in {f.text for f in found}
    assert "职工e家" in {f.text for f in find_names("推出“职工e家”服务平台。")}


def test_lists_enumerations_and_ordinals():
    lists = find_lists("全市开展了技能竞赛、劳模评选、职工培训和困难帮扶等工作。")
    assert [i.text for i in lists[0]] == ["技能竞赛", "劳模评选", "职工培训", "困难帮扶"]
    text = "重点抓好三项工作：一是建会入会，二是集体协商，三是职工服务。"
    ordinals = [[i.text for i in items] for items in find_lists(text)]
    assert ["建会入会", "集体协商", "职工服务"] in ordinals
    for items in find_lists(text):
        assert all(text[i.start : i.end] == i.text for i in items)  # offsets are exact
    assert expected_count("包括哪三项") == 3
    assert expected_count("有哪些") is None


def test_lists_joins_words_and_numbered_abbreviations():
    from rag.lists import joined_runs

    # 和 of 和谐 joins nothing; 等 closes the list before 及 joins its category.
    text = "做好了东湖园、西岭园、北塘园创建劳动关系和谐园区的培育。"
    items = max(find_lists(text), key=len)
    assert [i.text for i in items][:2] == ["东湖园", "西岭园"]
    assert not any(i.text[:1] == "谐" for items in find_lists(text) for i in items)
    text = "紧盯码头仓储、冷链运输、家政服务等重点区域及行业。"
    assert [i.text for i in max(find_lists(text), key=len)][1:] == ["冷链运输", "家政服务"]
    # 两帮三促: two parts of two and three items, written as two lists one after the other.
    assert expected_count("“两帮三促”包括哪些内容") == 5
    assert expected_count("第十五届三次会议") is None
    text = "开展“两帮三促”（帮就业、帮就医，促增收、促和睦、促成长）。"
    runs = joined_runs(text, find_lists(text))
    assert [[i.text for i in r] for r in runs] == [
        ["帮就业", "帮就医", "促增收", "促和睦", "促成长"]
    ]


def test_lists_in_a_quotation_apart_by_commas_and_quoted_clause_heads():
    text = "部署“千名职工大练兵，千项工种大比武，千条建议大征集”活动。"
    lists = [[i.text for i in items] for items in find_lists(text)]
    assert ["千名职工大练兵", "千项工种大比武", "千条建议大征集"] in lists
    text = "“夏送清凉”走访工地12处,“秋送助学”资助学生30人,“冬送温暖”慰问职工50户。"
    lists = [[i.text for i in items] for items in find_lists(text)]
    assert ["夏送清凉", "秋送助学", "冬送温暖"] in lists
    for items in find_lists(text):
        assert all(text[i.start : i.end] == i.text for i in items)
    # A slogan of two halves is no list.
    assert not any(len(i) == 2 for i in find_lists("以“建功新时代，争当排头兵”为主题"))


def test_a_bracketed_aside_after_the_last_item_belongs_to_it():
    text = "乡村、县级以上园区(产业园)职工驿站建成率100%"
    items = max(find_lists(text), key=len)
    assert [i.text for i in items] == ["乡村", "县级以上园区(产业园)"]
    assert all(text[i.start : i.end] == i.text for i in items)


def test_question_words_at_a_lists_edges_frame_it():
    from rag.lists import frame_trim

    text = "组织参观北岭村、南湾镇、东坡区文化站的先进做法。"
    items = max(find_lists(text), key=len)
    trimmed = frame_trim(items, text, ["参观", "文化站", "先进", "做法"])
    assert [i.text for i in trimmed] == ["北岭村", "南湾镇", "东坡区"]
    assert all(text[i.start : i.end] == i.text for i in trimmed)
    # A word every item shares is the items' own: 调解 stays in 民间调解…司法调解.
    text = "民间调解、行业调解、司法调解联动机制日益健全。"
    items = max(find_lists(text), key=len)
    got = [i.text for i in frame_trim(items, text, ["调解", "联动", "机制"])]
    assert got == ["民间调解", "行业调解", "司法调解"]
    # Nor is a quoted name cut: 《…补贴办法》 keeps its 补贴.
    text = "依据《青禾县职工补贴办法》、《青禾县助学办法》发放。"
    items = [i for i in find_lists(text) if len(i) == 2][0]
    got = [i.text for i in frame_trim(items, text, ["依据", "补贴", "办法"])]
    assert all("办法" in g for g in got), got


def test_an_answer_comes_only_from_a_sentence_that_speaks_of_what_is_asked():
    from rag.sentence_rank import Ranked
    from rag.span_parts import speaks_of

    def sent(text, key, words, pairs):
        return Ranked(None, 0, len(text), text, 0.5, None, 0, key, parts=(0.5, words, pairs, 1.0))

    # The key word is there: it speaks of it.
    assert speaks_of(sent("北岭村举办了第三届风筝节。", True, 0.3, 0.3))
    # A neighbouring event, the asked one's words absent: no answer from it.
    assert not speaks_of(sent("职工在南湾镇龙舟赛中。", False, 0.15, 0.14))
    # The key is the asked category (权益) the sentence spells out: most words are there.
    assert speaks_of(sent("职工的休息权、培训权得到保障。", False, 0.45, 0.3))
    assert speaks_of(sent("青禾县工会主席方立成看望环卫工人。", False, 0.3, 0.73))
    # A date alone on its line is judged as a dateline, not dropped here.
    assert speaks_of(sent("（2031年3月8日）", False, 0.0, 0.0))


def test_a_quotation_before_the_asked_noun_names_it():
    from rag.spans import find_headed

    # The quotation stands a noun phrase before the asked 平台: it names the platform.
    got = find_headed("升级“青禾学堂”职工技能在线学习平台,注册企业过千家。", "平台")
    assert ("青禾学堂", "headed-quoted") in {(f.text, f.label) for f in got}
    # A quotation that is itself a 工程 names the 工程, not another one afar.
    text = "把“北岭互助工程”建成“互助、帮扶、培训”全链条服务品牌工程。"
    got = {f.text for f in find_headed(text, "工程") if f.label == "headed-quoted"}
    assert "互助、帮扶、培训" not in got


def test_a_fragment_of_a_quoted_name_is_no_name():
    from rag.span_parts import outermost
    from rag.spans import Found

    spans = [
        Found("全省工会职工之家示范单位", 10, 22, "quoted"),
        Found("全省工会", 10, 14, "org"),
        Found("县总工会", 0, 4, "org"),
    ]
    assert [f.text for f in outermost(spans)] == ["全省工会职工之家示范单位", "县总工会"]


@pytest.mark.parametrize(
    ("question", "term", "sentence", "says"),
    [
        # the noun after the term says what kind of thing it is (with or without 的)
        ("“彩虹桥”是什么", "彩虹桥", "全力打造“彩虹桥”志愿服务品牌,惠及职工。", True),
        ("“双星”是什么", "双星", "确立“双星”的帮扶工作新理念，扩大受益面。", True),
        # the clause after goes on about it in its own words
        ("“暖心送法”是什么", "暖心送法", "推进“暖心送法”工程,律师为职工送法上门。", True),
        # named beside something else, or with only the noun the question already says
        ("“567”工程指什么", "567", "全面推进“567”工程和“三室”建设,升级服务中心。", False),
        ("“八有”标准是什么", "八有", "以“八有”标准扎实推进服务站建设。", False),
        # one of a list, a bare 活动, the term echoed by itself, a list further back
        ("“五个好”是什么", "五个好", "开展“四帮四促”、“五个好”等调研活动。", False),
        ("什么是“双联双创”", "双联双创", "广泛开展“双联双创”活动,加强典型选树。", False),
        (
            "劳模“两补”是什么",
            "两补",
            "利用春节、元旦做好劳模“两补”发放，发放劳模两补8万元。",
            False,
        ),
        ("“四乱”指什么", "四乱", "持续反对“四乱”，使干部作风持续好转。", False),
        # a list ending at the term spells it out; numbered parts named after it
        ("“三小”是什么", "三小", "以小发明、小改造、小建议等“三小”活动为载体。", True),
        ("“一家一屋”是什么", "一家一屋", "推进“一家一屋”建设,建成职工之家9个、书屋12个。", True),
    ],
)
def test_defines_tells_a_description_from_a_mention(question, term, sentence, says):
    from rag.passage_answer import defines
    from rag.question import parse_question

    assert defines(sentence, term, parse_question(question)) is says


def test_a_quoted_name_with_an_award_suffix_is_the_award():
    found = find_names("市总工会获评“全民健身进万家”组织奖，并开通“惠工宝”平台。")
    honours = [f.text for f in found if f.label == "honour"]
    assert "“全民健身进万家”组织奖" in honours
    assert "惠工宝" not in " ".join(honours)  # a platform's name is not an award


def test_an_honour_question_is_not_answered_by_a_programme_name():
    from rag.question import parse_question
    from rag.span_answer import _name_fit
    from rag.spans import Found

    question = parse_question("临川区总工会获得过什么荣誉")
    programme = Found("职工微课堂", 0, 5, "quoted")
    honour = Found("全省工会先进集体", 0, 8, "nz")
    assert _name_fit(programme, question) < 0.2 <= _name_fit(honour, question)
    # asked for a platform, the same programme name fits
    assert _name_fit(programme, parse_question("临川区总工会开通的平台叫什么")) > 0.5


def test_a_date_of_another_event_does_not_answer():
    from rag.question import parse_question
    from rag.span_answer import _event_fit

    raw = "临川职工文化中心列入实事项目，于去年3月8日奠基。"
    date = find_dates(raw)[0]
    assert _event_fit(date, raw, parse_question("临川职工文化中心什么时候建成开放")) < 0.1
    assert _event_fit(date, raw, parse_question("临川职工文化中心什么时候奠基的")) == 1.0
    assert _event_fit(date, raw, parse_question("临川职工文化中心是哪天的事")) == 1.0


def test_an_honour_list_is_of_honours():
    from rag.list_answer import ListAsk, list_fit
    from rag.question import parse_question
    from rag.spans import Found

    ask = ListAsk.of(parse_question("临川区总工会获得了哪些荣誉"))
    text = "荣获全省工会先进集体和全国职工书屋示范点，区域、行业签订合同80份"
    honours = [Found("全省工会先进集体", 2, 10, "和"), Found("全国职工书屋示范点", 11, 20, "和")]
    others = [Found("区域", 21, 23, "、"), Found("行业签订合同80份", 24, 33, "、")]
    assert list_fit(honours, text, ask, set()) > list_fit(others, text, ask, set())


def test_a_labelled_line_lists_what_its_label_says():
    from rag.list_answer import ListAsk, list_fit
    from rag.question import parse_question

    text = "主办单位: 青禾县总工会 青禾县体育局"
    items = [i for i in find_lists(text) if i[0].label == "label"][0]
    hosts = ListAsk.of(parse_question("青禾职工篮球赛的主办单位有哪些"))
    teams = ListAsk.of(parse_question("青禾职工篮球赛有哪些参赛队伍"))
    assert list_fit(items, text, hosts, set()) > 0
    assert list_fit(items, text, teams, set()) == 0


def test_all_questions_read_the_clause_that_speaks_of_the_asked_thing():
    from rag.question import parse_question
    from rag.yesno_answer import _focal_clause, _planned, _share

    sentence = "新建两个服务中心,村级职工服务站建成率100%,规上企业职工服务点建成率达76%"
    q = parse_question("临川规上企业的职工服务点都建成了吗")
    clause = _focal_clause(sentence, q, {})
    assert "76%" in clause and _share(clause, sentence) is False
    q = parse_question("临川村级职工服务站都建成了吗")
    assert _share(_focal_clause(sentence, q, {}), sentence) is True
    counted = "在临川投资的40家外资企业,已有38家建立工会"
    q = parse_question("在临川投资的外资企业是不是都建立了工会")
    assert "不是" not in q.terms  # 是不是 asks; its 不是 is no subject
    assert _share(_focal_clause(counted, q, {}), counted) is False
    planned = "推进驿站建设，力争年内建成50个以上。"
    assert _planned(planned, parse_question("临川是否建成了50个以上驿站"), {})
    done = "按照工作目标,推进驿站建设,已建成50个驿站。"
    assert not _planned(done, parse_question("临川是否建成了50个驿站"), {})


def test_places_are_not_verbs_events_or_the_askers_own_union():
    texts = [f.text for f in find_places_in("注重发挥镇（街道）服务中心的作用")]
    assert "发挥" not in texts  # LAC's place in context, a verb on its own
    assert not any("羽毛球" in f.text for f in find_places_in("职工在百企羽毛球比赛中夺冠。"))
    assert not any("全局" in f.text for f in find_places_in("在全省发展全局中找准工作切入点"))
    assert "市体育馆" in [f.text for f in find_places_in("比赛在市体育馆举行。")]

    from rag.question import parse_question
    from rag.span_answer import _uninformative

    class Doc:  # a document of no region: only the question's place is known
        class meta:
            region, region_path = None, []

    q = parse_question("昆山劳模展示厅在什么地方")
    assert _uninformative("昆山市工会", q, Doc)
    assert not _uninformative("昆山市工人文化宫", q, Doc)


def test_a_quotation_a_thing_goes_by_is_its_name():
    from rag.span_answer import _CALLS, _introduced

    raw = "市总工会公众号开通“青禾书苑”，为职工读书创造条件。"
    found = [f for f in find_names(raw) if f.text == "青禾书苑"][0]
    assert _introduced(raw, found)
    assert not _introduced("深入实施“青禾书苑”工程", Found("青禾书苑", 5, 9, "quoted"))
    assert _CALLS.search("到基层培训的30名专家被称为什么")


def test_all_is_settled_by_the_clause_that_holds_the_question():
    from rag.question import parse_question
    from rag.yesno_answer import _clause_holds

    q = parse_question("临川规模以上企业的职工服务点是否已经全部建成")
    weights = {}
    assert _clause_holds("规模以上企业职工服务点建成率达85%", q, weights)
    assert not _clause_holds("乡镇职工服务站建成率100%", q, weights)


def test_the_object_of_the_questions_verb_is_the_place_asked():
    from rag.question import parse_question
    from rag.span_answer import verb_objects

    text = "市总工会主席张建国走访青禾精机,看望一线职工。"
    got = verb_objects(text, parse_question("张建国走访了哪家企业"))
    assert [f.text for f in got] == ["青禾精机"]
    assert all(text[f.start : f.end] == f.text for f in got)
    assert verb_objects(text, parse_question("张建国在哪里看望职工")) == []


def test_a_heading_stands_for_the_sentence_under_it():
    from rag.passage_answer import _HEADING

    for heading in [
        "1. 加快打造网上工会。",
        "（三）推进建会入会",
        "### 二、突出服务大局",
        "四、加强自身建设",
    ]:
        assert _HEADING.match(heading), heading
    assert not _HEADING.match("2016年全市新建工会组织1200家。")


def test_asked_what_role_the_name_ends_in_ren(qa):
    # 做职工的什么人: the role (“娘家人”) not the activity beside it.
    result = qa.ask("无锡市总工会说要做职工的什么人")
    assert result.answer is not None and result.answer.text.endswith("人")


def test_a_which_question_ending_in_a_verb_needs_that_verb_said():
    from rag.question import parse_question
    from rag.span_answer import asked_verb

    assert asked_verb(parse_question("青禾县职工足球赛最后是哪支队夺冠")) == "夺冠"
    assert asked_verb(parse_question("青禾县职工足球赛在哪里举行")) == "举行"
    assert asked_verb(parse_question("青禾县总工会主席走访了哪家企业")) is None
    assert question_kind("青禾县职工足球赛最后是哪支队夺冠") is QuestionKind.NAME


def test_a_name_right_after_the_asked_ordinal_is_the_one_asked(qa):
    # 第六届 stands before one of two quoted names in the sentence
    result = qa.ask("无锡举办的第六届职工读书活动叫什么")
    doc = qa.index.docs[result.answer.doc_id].text
    assert doc[result.answer.start - 4 : result.answer.start].endswith("第六届“")


def test_yes_no_needs_every_word_of_the_thing_asked_to_exist():
    from rag.question import parse_question
    from rag.yesno_answer import _object_said

    q = parse_question("临川有没有开展职工读书月活动")
    assert not _object_said("满足广大职工读书、健身、休闲需求", q)
    assert _object_said("举办第三届临川职工读书月活动", q)
    q = parse_question("临川获得过全国模范职工之家称号吗")
    assert _object_said("临川新增全国模范职工之家5个", q)


def test_a_year_asked_is_not_answered_by_a_festival():
    from rag.question import parse_question
    from rag.span_answer import _date_fit

    q = parse_question("临川市总工会是哪一年成立的")
    assert _date_fit(Found("五一劳动节", 0, 5, "date"), q) < 0.03
    assert _date_fit(Found("2015年", 0, 5, "date"), q) == 1.0


def test_a_list_of_people_is_of_names_or_noun_phrases_of_them():
    from rag.list_answer import ListAsk, list_fit
    from rag.question import parse_question

    ask = ListAsk.of(parse_question("临川评出了哪些劳模"))
    assert ask.people
    text = "在全社会营造学习劳模、争当劳模的浓厚氛围"
    doings = [Found("学习劳模", 6, 10, "、"), Found("争当劳模", 11, 15, "、")]
    assert list_fit(doings, text, ask, set()) == 0
    text = "选树“青禾工匠”“东湖工匠”64名"
    crafts = [Found("青禾工匠", 3, 7, "quoted"), Found("东湖工匠", 9, 13, "quoted")]
    assert list_fit(crafts, text, ListAsk.of(parse_question("临川选树了哪些工匠")), set()) > 0


def test_dates_written_with_dashes_or_slashes_are_whole_dates():
    for text, date in [("日期：2016-05-02", "2016-05-02"), ("2012/12/7发布", "2012/12/7")]:
        found = find_dates(text)
        assert [f.text for f in found] == [date]
        assert date_parts(found[0].text) == (True, True, True)
    assert [f.text for f in find_dates("2016-2018年")] == ["2016-2018年"]  # still a range


def test_a_list_of_what_was_neither_asked_nor_done_by_the_asked_verb_is_no_answer():
    from rag.list_answer import ListAsk, list_fit
    from rag.lists import asked_verb

    assert asked_verb("青禾职工之家建成后将提供哪些服务") == "提供"
    assert asked_verb("青禾县总工会开展了哪几项活动") == "开展"
    assert asked_verb("帮扶工程包括哪四项") is None  # 包括 says nothing of the items
    text = "按期完成职工服务中心迁址、改建工作。"
    items = max(find_lists(text), key=len)
    ask = ListAsk(None, "服务", False, False, "提供")
    assert list_fit(items, text, ask, set()) == 0
    said = "为职工提供迁址咨询、改建指导。"
    assert list_fit(max(find_lists(said), key=len), said, ask, set()) > 0


def test_an_ordinal_before_a_noun_is_part_of_the_name_asked():
    from rag.question import parse_question
    from rag.sentence_rank import named_things

    assert "第二工人文化宫" in named_things(parse_question("青禾县第二工人文化宫有哪些服务"))


def test_a_key_is_stood_for_only_by_parts_that_spell_it_whole():
    from rag.matching import key_parts

    assert key_parts("工会干部", ["工会", "干部", "工会干部"]) == ["工会", "干部"]
    assert key_parts("文化宫", ["文化", "文化宫"]) == []
    assert key_parts(None, ["文化"]) == []


def test_a_count_the_list_question_states_rules_out_lists_of_other_things():
    from rag.list_answer import ListAsk, list_fit
    from rag.lists import expected_count

    assert expected_count("青禾县被命名为示范企业的10家企业是哪些") == 10
    text = "着力强基层、补短板、增活力。"
    items = max(find_lists(text), key=len)
    assert list_fit(items, text, ListAsk(10, "企业", False, False), set()) == 0
    assert list_fit(items, text, ListAsk(None, "企业", False, False), set()) > 0


def test_a_numbered_name_is_asked_of_where_it_is_named_an_abbreviation_is_not():
    from rag.question import parse_question
    from rag.sentence_rank import named_things

    assert "十佳金点子" in named_things(parse_question("青禾评出的“十佳金点子”有哪些"))
    assert "三进五送" not in named_things(parse_question("青禾“三进五送”包括哪些内容"))


def test_a_place_that_begins_an_institutions_name_is_no_place_asked():
    from rag.question import parse_question

    assert parse_question("无锡市总工会是不是和苏州大学联办了学历班").places == ["无锡"]
    assert parse_question("苏工惠是跟苏州银行合作的吗").places == []
    assert parse_question("苏州市总工会有多少会员").places == ["苏州"]


def test_a_noun_joined_to_the_first_item_is_part_of_it_not_its_frame():
    from rag.lists import frame_trim

    text = "青禾工会信息管理、网上办公系统、微信公众号三大平台作用彰显。"
    items = max(find_lists(text), key=len)
    got = [i.text for i in frame_trim(items, text, ["青禾", "工会", "三大", "平台"])]
    assert got[0].endswith("工会信息管理")


def test_a_numbered_term_is_defined_where_its_parts_are_spelled_out():
    from rag.passage_answer import defines
    from rag.question import parse_question

    q = parse_question("青禾讲的“两个率先”指什么")
    assert defines("率先建成示范区，率先实现现代化，是时代要求。", "两个率先", q)
    assert not defines("努力实现两个率先，维护职工利益。", "两个率先", q)
    q = parse_question("工会的“四项职能”是什么")
    assert defines("履行“参与、维护、教育、建设”四项职能。", "四项职能", q)


def test_the_object_of_the_questions_verb_answers_where():
    from rag.question import parse_question
    from rag.span_answer import verb_objects

    q = parse_question("李明在青禾走访的是哪家企业")
    assert [f.text for f in verb_objects("青禾市总工会主席李明走访华星电子。", q)] == ["华星电子"]


def test_where_the_asker_read_it_is_no_subject_word():
    from rag.question import parse_question

    terms = parse_question("青禾市总工会述职报告里的“双满意工会”是什么意思").terms
    assert "报告" not in terms and "述职" not in terms and "双满意" in terms


def test_a_term_inside_a_purpose_frame_or_after_a_noun_verb_compound():
    from rag.passage_answer import defines
    from rag.question import parse_question

    q = parse_question("青禾的“双千计划”是什么")
    assert defines("实施学历提升“双千计划”，204名职工获得奖励。", "双千计划", q)
    q = parse_question("青禾报告里的“三区三城”指什么")
    assert not defines("引导职工为实现现代化和建设“三区三城”贡献力量。", "三区三城", q)
