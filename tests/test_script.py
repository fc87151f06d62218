"""Traditional characters and full-width forms (rag/script.py), and the places and
metadata read through them: a Big5 report gets its region like a GB one."""

from __future__ import annotations

import pytest

from rag.documents import decode_bytes
from rag.metadata import infer_metadata
from rag.regions import find_places
from rag.script import normalize_script, to_halfwidth, to_simplified

TRADITIONAL_REPORT = """臺北市總工會2016年工作報告
（2017年1月12日）

一、2016年工作回顧
過去的一年，臺北市總工會團結廣大職工，全年新建職工書屋 27 家。
"""


def test_traditional_becomes_simplified_with_the_same_length():
    text = "蘇州市總工會過去的一年，職工書屋建設穩步推進"
    out = to_simplified(text)
    assert out == "苏州市总工会过去的一年，职工书屋建设稳步推进"
    assert len(out) == len(text)
    simplified = "苏州市总工会2016年工作报告：职工书屋918家。"
    assert to_simplified(simplified) == simplified


def test_halfwidth_converts_digits_and_letters_but_keeps_chinese_punctuation():
    text = "２０１６年，新建ＡＢＣ书屋１２．５万家（增长１０％）：好！"
    out = to_halfwidth(text)
    assert out == "2016年，新建ABC书屋12.5万家（增长10%）：好！"
    assert len(out) == len(text)
    assert normalize_script("蘇州２０１６年職工書屋多少家？") == "苏州2016年职工书屋多少家？"


@pytest.mark.parametrize(
    "text, name, span",
    [
        ("蘇州市吳江區總工會", "吴江", (0, 6)),
        ("在臺北市總工會", "台北", (1, 4)),
        ("揚州市江都區", "江都", (0, 6)),
        ("無錫、常州", "无锡", (0, 2)),
    ],
)
def test_places_in_traditional_characters_are_found_at_their_offsets(text, name, span):
    place = find_places(text)[0]
    assert (place.name, (place.start, place.end)) == (name, span)
    assert text[place.start : place.end].startswith(text[span[0] : span[1]])


def test_a_big5_report_gets_its_region_issuer_and_period():
    text, _encoding = decode_bytes(TRADITIONAL_REPORT.encode("big5"), "taipei.txt")
    assert text == TRADITIONAL_REPORT
    meta = infer_metadata(text, "taipei.txt")
    assert meta.region == "台北"
    assert meta.issuer == "台北市总工会"
    assert meta.title.startswith("臺北市總工會")  # the title stays as written
    assert meta.period == "2016" and meta.date == "2017-01-12"
    assert meta.region_path == ["台湾", "台北"]


def test_a_traditional_suzhou_report_is_suzhou():
    meta = infer_metadata(TRADITIONAL_REPORT.replace("臺北", "蘇州"), "suzhou.txt")
    assert meta.region == "苏州" and meta.region_path == ["江苏", "苏州"]
