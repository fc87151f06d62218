"""Tests for document metadata inference and sidecar overrides."""

import json
from pathlib import Path

import pytest

from rag.metadata import (
    DocMeta,
    find_years,
    infer_metadata,
    load_metadata,
    parse_period,
    period_covers,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seed(prefix: str) -> DocMeta:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return infer_metadata(path.read_text(encoding="utf-8"), path.name)


# ---------------------------------------------------------------- seed corpus


def test_seed_000_kunshan_five_years():
    meta = seed("000")
    assert meta.title.endswith("——昆山工会工作五年巡礼")
    assert meta.issuer == "昆山市总工会"  # not 苏州市总工会 from the first photo caption
    assert meta.region == "昆山"
    assert meta.region_path == ["江苏", "苏州", "昆山"]
    assert meta.date is None
    # "过去的五年" ending at 十九大 (2017); the 《规划(2015—2019年)》 title looks ahead.
    assert (meta.period, meta.period_start, meta.period_end) == ("2013-2017", 2013, 2017)


def test_seed_001_suzhou_2016_review():
    meta = seed("001")
    assert meta.title.startswith("全力推进改革创新")
    assert "——在苏州市总工会十五届三次全委（扩大）会议上的工作报告" in meta.title
    assert meta.issuer == "苏州市总工会"
    assert meta.region == "苏州"
    assert meta.region_path == ["江苏", "苏州"]
    assert meta.date == "2017-01-10"
    assert (meta.period, meta.period_start, meta.period_end) == ("2016", 2016, 2016)


def test_seed_002_suzhou_this_year():
    meta = seed("002")
    assert meta.title == "苏州市总工会述职报告"
    assert meta.issuer == "苏州市总工会"
    assert meta.region == "苏州"
    assert meta.date == "2012-12-07"  # from the closing source note
    assert meta.period == "2012"


def test_seed_003_jiangdu_under_yangzhou():
    meta = seed("003")
    assert meta.title.endswith("——扬州市江都区工会工作回眸")
    assert meta.issuer == "江都区总工会"
    assert meta.region == "江都"
    assert meta.region_path == ["江苏", "扬州", "江都"]
    assert meta.date is None  # "日期: 5月2日" has no year
    # "代表大会以来": five years up to the latest year referenced (2019).
    assert meta.period == "2015-2019"


def test_seed_004_wuxi_past_year():
    meta = seed("004")
    assert meta.title.startswith("无锡市总工会:团结动员职工")
    assert meta.issuer == "无锡市总工会"
    assert meta.region == "无锡"
    assert meta.date is None
    assert meta.period == "2015"


def test_seed_doc_id_and_source():
    meta = seed("001")
    assert meta.doc_id == "001_0a525996db59571e"
    assert meta.source == "001_0a525996db59571e.txt"


def test_suzhou_2016_question_prefers_the_suzhou_2016_report():
    kunshan, suzhou_2016 = seed("000"), seed("001")
    assert period_covers(suzhou_2016, 2016) and suzhou_2016.region == "苏州"
    assert kunshan.region != "苏州" and "苏州" in kunshan.region_path


# ---------------------------------------------------------------- synthetic texts


def test_other_city_with_chinese_numeral_date_and_last_year():
    text = "# 杭州市总工会工作报告\n\n（二〇一八年二月十二日）\n\n去年，杭州市总工会新建职工书屋120家。去年以来……"
    meta = infer_metadata(text, "hz.txt")
    assert meta.issuer == "杭州市总工会"
    assert meta.region_path == ["浙江", "杭州"]
    assert meta.date == "2018-02-12"
    assert meta.period == "2017"


def test_this_year_late_in_the_year():
    text = (
        "常州市总工会工作情况\n今年以来，全市新建工会组织300家，比去年多。今年……\n2019年12月20日\n"
    )
    meta = infer_metadata(text, "cz.txt")
    assert meta.region == "常州"
    assert meta.date == "2019-12-20"
    assert meta.period == "2019"


def test_five_year_report_dated_early_ends_the_year_before():
    text = "# 五年工作回眸\n泰州市总工会\n（2018年1月5日）\n五年来，……近五年……今年……"
    assert infer_metadata(text, "tz.txt").period == "2013-2017"


def test_plan_titles_and_chinese_numeral_years_do_not_mislead():
    text = "# 二〇一六年工作报告\n盐城市总工会\n实施《三年规划(2018—2020年)》。2016年新建……2016年……"
    meta = infer_metadata(text, "yc.txt")
    assert meta.period == "2016"


def test_no_date_no_year():
    meta = infer_metadata("南京市总工会\n全市工会积极开展职工技能竞赛。", "nj.txt")
    assert meta.region == "南京"
    assert meta.date is None
    assert meta.period is None and meta.period_start is None
    assert not period_covers(meta, 2016)


def test_year_range_in_title():
    meta = infer_metadata("# 宜兴市工会2013—2017年工作回眸\n五年来……", "yx.txt")
    assert meta.period == "2013-2017"
    assert meta.region_path == ["江苏", "无锡", "宜兴"]


def test_region_without_a_union_name():
    meta = infer_metadata("深圳职工服务情况\n深圳全市职工……广州也……", "sz.txt")
    assert meta.issuer is None
    assert meta.region == "深圳"


def test_title_from_plain_first_line_is_short():
    meta = infer_metadata("第一行标题\n正文内容。", "t.txt")
    assert meta.title == "第一行标题"


def test_find_years_skips_counts():
    assert find_years("2016年书屋1900 多万元，2081人次，2000余条，春风行动2015") == [2016, 2015]


def test_parse_period():
    assert parse_period("2016") == (2016, 2016)
    assert parse_period("2013—2017") == (2013, 2017)
    with pytest.raises(ValueError):
        parse_period("去年")
    with pytest.raises(ValueError):
        parse_period("2017-2013")


def test_period_covers():
    meta = DocMeta("d", "t", period="2013-2017", period_start=2013, period_end=2017)
    assert period_covers(meta, 2013) and period_covers(meta, 2017)
    assert not period_covers(meta, 2018)


# ---------------------------------------------------------------- sidecars


def write_doc(tmp_path: Path, sidecar: object | str | None, name: str = "doc.txt") -> Path:
    path = tmp_path / name
    path.write_text("苏州市总工会\n今年以来……", encoding="utf-8")
    if sidecar is not None:
        content = sidecar if isinstance(sidecar, str) else json.dumps(sidecar, ensure_ascii=False)
        path.with_suffix(".meta.json").write_text(content, encoding="utf-8")
    return path


def test_without_sidecar_load_equals_infer(tmp_path):
    path = write_doc(tmp_path, None)
    text = path.read_text(encoding="utf-8")
    assert load_metadata(path, text) == infer_metadata(text, path.name)


def test_sidecar_overrides_and_keeps_derived_fields_consistent(tmp_path):
    path = write_doc(tmp_path, {"region": "昆山", "period": "2013-2017"})
    meta = load_metadata(path, path.read_text(encoding="utf-8"))
    assert meta.region == "昆山"
    assert meta.region_path == ["江苏", "苏州", "昆山"]
    assert (meta.period_start, meta.period_end) == (2013, 2017)
    assert meta.issuer == "苏州市总工会"  # untouched fields stay inferred


def test_sidecar_named_after_the_full_file_name(tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text("苏州市总工会", encoding="utf-8")
    (tmp_path / "doc.txt.meta.json").write_text('{"date": "2017-01-10"}', encoding="utf-8")
    assert load_metadata(path, "苏州市总工会").date == "2017-01-10"


def test_sidecar_can_clear_a_period(tmp_path):
    path = write_doc(tmp_path, {"period": None})
    meta = load_metadata(path, path.read_text(encoding="utf-8"))
    assert meta.period is None and meta.period_start is None


@pytest.mark.parametrize(
    ("sidecar", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ({"regoin": "昆山"}, "unknown field"),
        ({"period": "五年"}, "period must look like"),
        ({"period_start": "2013"}, "wrong type"),
        ({"region_path": "江苏"}, "wrong type"),
        ({"date": "2017/1/10"}, "ISO"),
    ],
)
def test_invalid_sidecar_names_the_file(tmp_path, sidecar, message):
    path = write_doc(tmp_path, sidecar)
    with pytest.raises(ValueError, match=message) as error:
        load_metadata(path, path.read_text(encoding="utf-8"))
    assert "doc.meta.json" in str(error.value)


# A report whose appendices were issued by another city's union.
APPENDED = """南通市总工会2016年工作报告
（2017年1月16日）

一、2016年工作回顾
2016年，南通市总工会团结动员全市职工，全年新建职工书屋 52 家。

附件1：扬州市总工会关于开展职工互助活动的通知
扬州市总工会决定在全市开展职工互助活动。扬州市总工会各基层工会要高度重视。
扬州市总工会将对活动进行检查。
扬州市总工会
2016年3月1日

附件2：扬州市总工会关于表彰先进集体的决定
扬州市总工会决定表彰新建职工驿站 41 个的先进集体。
扬州市总工会
2016年12月5日
"""


def test_the_place_in_the_title_wins_over_signatures_further_down():
    meta = infer_metadata(APPENDED, "nantong_2016.txt")
    assert meta.region == "南通" and meta.issuer == "南通市总工会"
    assert meta.region_path == ["江苏", "南通"]
    # The document also speaks for the place whose union signs its appendices.
    assert meta.places == ["南通", "扬州"]


def test_a_question_about_any_of_a_documents_places_finds_it():
    from rag.chunking import Chunk
    from rag.index import DocRecord
    from rag.retrieval import place_match

    meta = infer_metadata(APPENDED, "nantong_2016.txt")
    doc = DocRecord("nantong_2016", "nantong_2016.txt", APPENDED, "x", meta)
    start = APPENDED.index("决定表彰")
    end = APPENDED.index("\n", start)
    chunk = Chunk("nantong_2016#1", doc.doc_id, APPENDED[start:end], start, end)
    assert place_match(doc, chunk.text, "南通") == 1.0
    # The passage itself names no place; the appendix's city still finds it.
    assert "扬州" not in chunk.text
    assert place_match(doc, chunk.text, "扬州") > place_match(doc, chunk.text, "无锡") == 0.0
    assert place_match(doc, chunk.text, "扬州") >= 0.9
