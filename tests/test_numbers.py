"""Tests for rag.numbers: figure extraction over the trade-union report corpus."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.numbers import (
    Figure,
    figure_range,
    find_figures,
    format_figure,
    parse_number,
    unit_family,
)

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def figs(text: str) -> list[tuple]:
    return [(f.text, f.value, f.unit, f.qualifier, f.kind) for f in find_figures(text)]


def texts(text: str) -> list[str]:
    return [f.text for f in find_figures(text)]


def one(text: str) -> Figure:
    found = find_figures(text)
    assert len(found) == 1, found
    return found[0]


# --- parse_number ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("s", "value"),
    [
        ("1.12万", 11200.0),
        ("十亿", 1e9),
        ("两千", 2000.0),
        ("27,028", 27028.0),
        ("１２", 12.0),
        ("百分之九十", 90.0),
        ("一百万", 1e6),
        ("万", 10000.0),
        ("3500余万", 35_000_000.0),
        ("50多万", 500_000.0),
        ("九十五点五", 95.5),
        ("41.295万", 412950.0),
        ("0.5", 0.5),
        (" 918 ", 918.0),
        ("１．５万", 15000.0),
        ("七〇二", 702.0),
    ],
)
def test_parse_number(s, value):
    assert parse_number(s) == value


@pytest.mark.parametrize(
    "s",
    [
        "",
        "abc",
        "万万万万万万万万万万万万万万万万万万万万万万万万万",
        "1e5",
        "2.",
        "一线",
        "9" * 100,
    ],
)
def test_parse_number_rejects(s):
    assert parse_number(s) is None


def test_parse_number_has_no_float_noise():
    # 1.12 * 10000 in binary floating point is 11200.000000000002
    assert parse_number("1.12万") == 11200.0
    assert parse_number("1.53万") == 15300.0


# --- counts with units and multipliers (corpus sentences) -------------------------------


def test_spaced_figures_with_multipliers():
    s = "已建全国、省、市三级职工书屋示范点 918 家，图书总量超过 400 万册。"
    assert figs(s) == [
        ("918 家", 918.0, "家", None, "count"),
        ("超过 400 万册", 4_000_000.0, "册", "超过", "count"),
    ]


def test_wan_times():
    s = "委员会 19721 个，全年开展各类安全生产检查 9.2 万次。"
    assert figs(s) == [
        ("19721 个", 19721.0, "个", None, "count"),
        ("9.2 万次", 92000.0, "次", None, "count"),
    ]


def test_a_unit_with_its_alternative_in_brackets():
    # "场（次）": either reading; counted as occasions, and the figure keeps its brackets.
    assert figs("送文化下基层130多场（次），培训5000人(次)。") == [
        ("130多场（次）", 130.0, "场次", "多", "count"),
        ("5000人(次)", 5000.0, "人次", None, "count"),
    ]


def test_wan_with_surplus_marker_after_multiplier():
    s = "全年先后组织 1.12 万家单位、109 万余人次的职工参与"
    assert figs(s) == [
        ("1.12 万家", 11200.0, "家", None, "count"),
        ("109 万余人次", 1_090_000.0, "人次", "余", "count"),
    ]


def test_chinese_numerals_with_qualifiers():
    s = "参赛单位超过一万家，参赛职工超过一百万人，劳动竞赛创造的效益超过十亿元。"
    assert figs(s) == [
        ("超过一万家", 10000.0, "家", "超过", "count"),
        ("超过一百万人", 1_000_000.0, "人", "超过", "count"),
        ("超过十亿元", 1e9, "元", "超过", "money"),
    ]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("提供就业岗位上万个、就业再就业培训", ("上万个", 10000.0, "个", "上", "count")),
        ("共举办各类竞赛活动4000余场,参与", ("4000余场", 4000.0, "场", "余", "count")),
        ("帮扶困难对象近 3 万户、投入", ("近 3 万户", 30000.0, "户", "近", "count")),
        ("服务职工近 3 万人", ("近 3 万人", 30000.0, "人", "近", "count")),
        ("建制率98.1%,惠及职工", ("98.1%", 98.1, "%", None, "percent")),
        ("“冬送温暖”为2081人次困难职工", ("2081人次", 2081.0, "人次", None, "count")),
        ("全年排查企业10.5万家次。", ("10.5万家次", 105000.0, "家次", None, "count")),
        ("为1.8万名困难职工子女发放助学金", ("1.8万名", 18000.0, "名", None, "count")),
        ("提出合理化建议9.3万余条；", ("9.3万余条", 93000.0, "条", "余", "count")),
        ("培训工会干部1600余人次,工会", ("1600余人次", 1600.0, "人次", "余", "count")),
        ("超过4000家企业注册参加培训", ("超过4000家", 4000.0, "家", "超过", "count")),
        ("会员总数逾85万人。", ("逾85万人", 850000.0, "人", "逾", "count")),
        ("参与职工超60万人次。", ("超60万人次", 600000.0, "人次", "超过", "count")),
        ("每年组织超200场安全生产", ("超200场", 200.0, "场", "超过", "count")),
        ("筹集慰问资金3500余万元。", ("3500余万元", 35_000_000.0, "元", "余", "money")),
        ("发放荣誉津贴41.295万元。", ("41.295万元", 412950.0, "元", None, "money")),
        ("投入资金 300 多万元。", ("300 多万元", 3_000_000.0, "元", "多", "money")),
        ("补助款近 500 万元。", ("近 500 万元", 5_000_000.0, "元", "近", "money")),
        ("发放宣传材料5万多份，", ("5万多份", 50000.0, "份", "多", "count")),
        ("实施近8000多条,新增", ("近8000多条", 8000.0, "条", "近", "count")),
        ("组织上百位专家学者", ("上百位", 100.0, "位", "上", "count")),
        ("近万人次通过技能培训", ("近万人次", 10000.0, "人次", "近", "count")),
        ("推进百人以上企业建立", ("百人以上", 100.0, "人", "以上", "count")),
        ("全覆盖 25 人以下“两新”组织", ("25 人以下", 25.0, "人", "以下", "count")),
        ("力争年内建成100个以上。", ("100个以上", 100.0, "个", "以上", "count")),
        ("签订率保持在95%以上;", ("95%以上", 95.0, "%", "以上", "percent")),
        ("主题宣传多达600多次，", ("多达600多次", 600.0, "次", "多", "count")),
        ("每人每年1000元左右", ("1000元左右", 1000.0, "元", "左右", "money")),
        ("帮扶职工家庭超过1000户。", ("超过1000户", 1000.0, "户", "超过", "count")),
        ("发放加班工资102550元。", ("102550元", 102550.0, "元", None, "money")),
        ("会员共计2763467人，", ("2763467人", 2763467.0, "人", None, "count")),
        ("培训 27028 人次，一批", ("27028 人次", 27028.0, "人次", None, "count")),
        ("全市有 6647 对劳模", ("6647 对", 6647.0, "对", None, "count")),
        ("法律援助案件6宗，", ("6宗", 6.0, "宗", None, "count")),
        ("发放会员服务卡20万张,", ("20万张", 200000.0, "张", None, "count")),
        ("全年发放两类救助", ("两类", 2.0, "类", None, "count")),
        ("确定了八个方面的任务", ("八个", 8.0, "个", None, "count")),
        ("7家园区荣获", ("7家", 7.0, "家", None, "count")),
        ("困难职工将近两千人", ("将近两千人", 2000.0, "人", "近", "count")),
        ("投入九千多万元", ("九千多万元", 90_000_000.0, "元", "多", "money")),
        ("共有一万余人参加", ("一万余人", 10000.0, "人", "余", "count")),
        ("覆盖率达百分之九十以上", ("达百分之九十以上", 90.0, "%", "以上", "percent")),
        ("提高2.5个百分点", ("2.5个百分点", 2.5, "个百分点", None, "percent")),
        ("约3000人参加", ("约3000人", 3000.0, "人", "约", "count")),
        ("累计27,028人次", ("27,028人次", 27028.0, "人次", None, "count")),
    ],
)
def test_corpus_figures(sentence, expected):
    assert figs(sentence) == [expected]


def test_qualifier_reached_gives_way_to_approximation():
    # 达 only says "reached"; 余 says the number is a lower bound.
    s = "晋升技术等级的职工达 1.53 万余人次，涉及 57 个工种"
    assert figs(s) == [
        ("达 1.53 万余人次", 15300.0, "人次", "余", "count"),
        ("57 个", 57.0, "个", None, "count"),
    ]
    assert one("集体签订率达98.5%。").qualifier == "达"
    assert one("工会组织达到13480个,覆盖").qualifier == "达"


def test_unitless_arabic_figures():
    s = "举办技能比赛400多场,覆盖工种116个、参与职工达50多万;"
    assert figs(s) == [
        ("400多场", 400.0, "场", "多", "count"),
        ("116个", 116.0, "个", None, "count"),
        ("达50多万", 500_000.0, None, "多", "count"),
    ]
    assert figs("年内有19万职工参加") == [("19万", 190_000.0, None, None, "count")]
    assert one("做好“12351”热线电话").value == 12351.0


def test_unitless_chinese_needs_a_qualifier():
    assert figs("超百万职工参与的生动局面") == [("超百万", 1e6, None, "超过", "count")]
    assert figs("展现了百万职工群众的风采") == []


def test_change_from_to_gives_both_figures():
    s = "基层工会由4081家增加到6299家,会员由179584名增加到283958名"
    assert texts(s) == ["4081家", "6299家", "179584名", "283958名"]


def test_full_width_digits_and_punctuation():
    s = "职工１２３４５人，比例９８．１％，增长１．５万元"
    assert figs(s) == [
        ("１２３４５人", 12345.0, "人", None, "count"),
        ("９８．１％", 98.1, "%", None, "percent"),
        ("１．５万元", 15000.0, "元", None, "money"),
    ]


def test_full_width_percent_sign_after_ascii_digits():
    assert one("覆盖率达95％").unit == "%"


# --- things that are not counts -------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "评选出“十佳金点子”",
        "打造了一系列特色服务品牌",
        "区委常委为一线职工送清凉",
        "已建全国、省、市三级职工书屋",
        "市、市（区）两级共送教上门",
        "学习贯彻党的十八大精神",
        "深化基层工会工作第三方测评机制",
        "中国船舶重工集团公司第七〇二研究所钳工",
        "全国五一劳动奖章",
        "牢固树立“四个意识”,坚定“四个自信”",
        "贯彻落实中央八项规定,修订完善",
        "深入开展“百场公益巡讲进企业”活动",
        "部服务千家非公企业",
        "进一步加强基层建设",
        "打造了一批工会工作品牌",
        "这一年里，",
        "站在“十三五”发展新起点",
        "数十家企业参加",
        "5G网络覆盖",
        "执行GB50016标准",
        "咨询电话0512-65222222",
        "定具有十分重要的意义",
    ],
)
def test_not_figures(sentence):
    assert figs(sentence) == []


def test_list_markers_are_skipped():
    s = "的苏州篇章。\n\n2. 引领职工积极投身\n（3）建立健全\n1) 加强"
    assert figs(s) == []


# --- years, dates, ordinals, durations ---------------------------------------------------


def test_years():
    assert figs("回顾总结2016年工会工作情况") == [("2016年", 2016.0, "年", None, "year")]
    assert figs("圆满完成2015年全国劳模评选") == [("2015年", 2015.0, "年", None, "year")]
    assert figs("被评为 2016 年度市精神文明") == [("2016 年", 2016.0, "年", None, "year")]
    assert figs("二〇一六年全市") == [("二〇一六年", 2016.0, "年", None, "year")]
    # A bare 4-digit number in the calendar range is a year ("2012姑苏职工文化节").
    assert figs("为主题的2012姑苏职工文化节") == [("2012", 2012.0, None, None, "year")]


def test_durations():
    assert figs("五年来,昆山市总工会") == [("五年", 5.0, "年", None, "duration")]
    assert figs("利用3年时间对全市") == [("3年", 3.0, "年", None, "duration")]
    assert figs("集体协商连续11年被评为") == [("11年", 11.0, "年", None, "duration")]
    assert figs("两年一次举办") == [("两年", 2.0, "年", None, "duration")]
    assert figs("试用期3个月") == [("3个月", 3.0, "月", None, "duration")]
    assert figs("24小时服务") == [("24小时", 24.0, "小时", None, "duration")]
    assert figs("改革开放40周年系列活动") == [("40周年", 40.0, "周年", None, "duration")]


def test_dates():
    assert figs("（2017年1月10日）") == [("2017年1月10日", 20170110.0, None, None, "date")]
    assert figs("于去年12月16日奠基。") == [("12月16日", 1216.0, None, None, "date")]
    assert figs("文化节于5月1日开幕") == [("5月1日", 501.0, None, None, "date")]
    assert figs("于去年12月奠基") == [("12月", 1200.0, None, None, "date")]
    assert figs("汇编。2012.12.07）") == [("2012.12.07", 20121207.0, None, None, "date")]
    assert figs("二〇一六年五月一日") == [("二〇一六年五月一日", 20160501.0, None, None, "date")]


def test_ordinals():
    assert figs("顾秋亮荣获第14届全国职工职业道德建设标兵") == [
        ("第14届", 14.0, "届", None, "ordinal")
    ]
    assert figs("江苏省第十三次党代会") == [("第十三次", 13.0, "次", None, "ordinal")]
    assert figs("命名表彰了第三批苏州市职工") == [("第三批", 3.0, "批", None, "ordinal")]
    assert figs("连续第9年开展全市") == [("第9年", 9.0, "年", None, "ordinal")]
    assert figs("轨道交通4号线") == [("4号", 4.0, "号", None, "ordinal")]


def test_session_numbers_without_di_are_ordinals():
    s = "在苏州市总工会十五届三次全委（扩大）会议上"
    assert figs(s) == [
        ("十五届", 15.0, "届", None, "ordinal"),
        ("三次", 3.0, "次", None, "ordinal"),
    ]
    # ...but an Arabic 届 without 第 counts editions held.
    assert figs("连续举办7届劳模学历教育") == [("7届", 7.0, "届", None, "count")]


def test_date_and_year_kinds_mixed_with_counts():
    s = "2016年，全市新建职工书屋127家，5月1日前完成。"
    assert [(f.text, f.kind) for f in find_figures(s)] == [
        ("2016年", "year"),
        ("127家", "count"),
        ("5月1日", "date"),
    ]


# --- ranges -------------------------------------------------------------------------------


def test_ranges_are_one_figure_with_the_lower_value():
    f = one("每期培训3-5天")
    assert (f.text, f.value, f.unit, f.kind) == ("3-5天", 3.0, "天", "duration")
    assert figure_range(f) == (3.0, 5.0)
    f = one("工作规划(2015—2019年)")
    assert (f.text, f.value, f.kind) == ("2015—2019年", 2015.0, "year")
    assert figure_range(f) == (2015.0, 2019.0)
    f = find_figures("三年行动计划（2015～2017）》")[-1]
    assert (f.text, f.value, f.kind) == ("2015～2017", 2015.0, "year")


def test_figure_range_scales_the_upper_bound_with_the_multiplier():
    assert figure_range(one("覆盖3至5万人")) == (30000.0, 50000.0)
    f = one("918 家")
    assert figure_range(f) == (918.0, 918.0)


# --- prefixes that are part of another word ---------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "text"),
    [
        ("书面要约11753份", "11753份"),
        ("签约12家企业", "12家"),
        ("最近3年", "3年"),
        ("下达5个文件", "5个"),
        ("在此基础上3个", "3个"),
    ],
)
def test_words_ending_in_a_qualifier_are_not_qualifiers(sentence, text):
    f = one(sentence)
    assert (f.text, f.qualifier) == (text, None)


# --- offsets ----------------------------------------------------------------------------------


def test_offsets_point_into_the_source():
    s = "苏州2016年职工书屋示范点 918 家，图书超过 400 万册，建制率98.1%。"
    found = find_figures(s)
    assert [f.text for f in found] == ["2016年", "918 家", "超过 400 万册", "98.1%"]
    for f in found:
        assert s[f.start : f.end] == f.text


def test_no_trailing_space_in_span():
    f = one("参与职工达50多万 ;")
    assert f.text == "达50多万"


def test_whitespace_does_not_cross_lines():
    found = find_figures("全年新增 918\n家单位")
    assert [f.text for f in found] == ["918"]


def _check_invariants(source: str, found: list[Figure]) -> None:
    prev_end = 0
    for f in found:
        assert isinstance(f, Figure)
        assert source[f.start : f.end] == f.text
        assert f.text and f.text == f.text.strip()
        assert f.start >= prev_end
        prev_end = f.end
        assert isinstance(f.value, float) and math.isfinite(f.value)
        assert f.kind in {"count", "percent", "money", "year", "date", "ordinal", "duration"}
        assert f.qualifier in {
            None,
            "近",
            "逾",
            "超过",
            "余",
            "多",
            "上",
            "约",
            "以上",
            "以下",
            "左右",
            "不足",
            "达",
        }


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed corpus not present")
def test_whole_corpus_invariants_and_known_figures():
    corpus = {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    assert corpus
    all_texts = set()
    for text in corpus.values():
        found = find_figures(text)
        _check_invariants(text, found)
        all_texts.update(f.text for f in found)
    for expected in [
        "918 家",
        "9.2 万次",
        "超过十亿元",
        "上万个",
        "4000余场",
        "98.1%",
        "10.5万家次",
    ]:
        assert expected in all_texts


# --- robustness -------------------------------------------------------------------------------

_NUMBERISH = list(
    "0123456789０１２.．,，%％ 　\n万亿千百十一二两三四五六七八九〇零第年月日号家个人次名元场余多"
    "近超过逾约达上以左右下不足将之分点-—～至届“”（）()项级大佳线GkA"
)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(_NUMBERISH), max_size=60) | st.text(max_size=60))
def test_find_figures_never_raises_and_keeps_invariants(source):
    _check_invariants(source, find_figures(source))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(_NUMBERISH), max_size=20) | st.text(max_size=20))
def test_parse_number_never_raises(s):
    v = parse_number(s)
    assert v is None or (isinstance(v, float) and math.isfinite(v))


@pytest.mark.parametrize("bad", [None, 12, b"918\xe5\xae\xb6"])
def test_non_string_input(bad):
    assert find_figures(bad) == []
    assert parse_number(bad) is None


# --- unit_family and format_figure -------------------------------------------------------------


def test_unit_family():
    assert unit_family("人") == unit_family("名") == unit_family("位") == "people"
    assert unit_family("人次") not in (unit_family("人"), None)
    assert unit_family("家") == unit_family("个") == unit_family("所") == "organisations"
    assert unit_family("家次") != unit_family("家")
    assert unit_family("场") == unit_family("场次")
    assert unit_family("次") != unit_family("场")
    assert unit_family("户") != unit_family("家")
    assert unit_family("元") == "money"
    assert unit_family("%") != unit_family("个百分点")
    assert unit_family("项") == "项"
    assert unit_family(None) is None


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (11200.0, "家", "11200 家"),
        (98.1, "%", "98.1%"),
        (1e9, "元", "1000000000 元"),
        (412950.0, "元", "412950 元"),
        (2.5, "个百分点", "2.5 个百分点"),
        (12351.0, None, "12351"),
        (1.12 * 10000, "家", "11200 家"),
        (0.5, "天", "0.5 天"),
    ],
)
def test_format_figure(value, unit, text):
    assert format_figure(value, unit) == text


def test_format_figure_round_trips_found_values():
    f = one("全年先后组织 1.12 万家单位")
    assert format_figure(f.value, f.unit) == "11200 家"
