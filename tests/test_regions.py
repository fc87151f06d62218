"""Tests for the place gazetteer and place finder."""

import pytest

from rag.regions import ancestors, find_places, is_within, lookup


def names(text: str) -> list[str]:
    return [place.name for place in find_places(text)]


def test_short_and_full_forms_are_recognised():
    assert names("苏州和苏州市、昆山市、江都区") == ["苏州", "苏州", "昆山", "江都"]


def test_longest_match_wins():
    place = find_places("苏州市总工会")[0]
    assert (place.name, place.full, place.start, place.end) == ("苏州", "苏州市", 0, 3)


def test_parent_followed_by_child_is_one_mention_of_the_child():
    (place,) = find_places("扬州市江都区总工会")
    assert (place.name, place.parent, place.start, place.end) == ("江都", "扬州", 0, 6)
    (place,) = find_places("江苏省苏州市")
    assert place.name == "苏州"


def test_enumerated_places_stay_separate():
    assert names("苏州、昆山、常熟") == ["苏州", "昆山", "常熟"]


def test_levels_and_parents():
    assert lookup("江苏") == lookup("江苏省")
    assert lookup("江苏").level == "province" and lookup("江苏").parent is None
    assert lookup("苏州").level == "city" and lookup("苏州").parent == "江苏"
    assert lookup("昆山").level == "county" and lookup("昆山").parent == "苏州"
    assert lookup("内蒙古自治区").name == "内蒙古"
    assert lookup("不存在") is None


@pytest.mark.parametrize(
    ("county", "city"),
    [
        ("昆山", "苏州"),
        ("常熟", "苏州"),
        ("张家港", "苏州"),
        ("太仓", "苏州"),
        ("吴江", "苏州"),
        ("吴中", "苏州"),
        ("相城", "苏州"),
        ("姑苏", "苏州"),
        ("江阴", "无锡"),
        ("宜兴", "无锡"),
        ("江都", "扬州"),
        ("邗江", "扬州"),
        ("仪征", "扬州"),
        ("高邮", "扬州"),
        ("宝应", "扬州"),
        ("溧阳", "常州"),
        ("金坛", "常州"),
        ("武进", "常州"),
    ],
)
def test_jiangsu_counties(county, city):
    assert ancestors(county) == [city, "江苏"]


def test_all_thirteen_jiangsu_cities():
    cities = [
        "南京",
        "无锡",
        "徐州",
        "常州",
        "苏州",
        "南通",
        "连云港",
        "淮安",
        "盐城",
        "扬州",
        "镇江",
        "泰州",
        "宿迁",
    ]
    assert all(lookup(city).parent == "江苏" for city in cities)


def test_other_cities_are_recognised_as_other_places():
    assert names("北京、上海、广州、深圳、杭州和南京的职工") == [
        "北京",
        "上海",
        "广州",
        "深圳",
        "杭州",
        "南京",
    ]
    assert ancestors("杭州") == ["浙江"]
    assert not is_within("杭州", "江苏")


def test_gusu_is_a_district_of_suzhou():
    assert names("2012姑苏职工文化节") == ["姑苏"]
    assert is_within("姑苏", "苏州")


def test_ambiguous_short_names_need_their_full_form():
    # "扬中" inside "弘扬中华", "大丰" inside "大丰收" are not places.
    assert names("弘扬中华民族精神，迎来大丰收，钟楼下") == []
    assert names("扬中市、大丰区、钟楼区") == ["扬中", "大丰", "钟楼"]


def test_single_character_names_are_not_matched_alone():
    assert names("丰富多彩，沛然") == []
    assert names("丰县和沛县") == ["丰县", "沛县"]


def test_is_within():
    assert is_within("昆山", "苏州")
    assert is_within("昆山", "江苏")
    assert is_within("苏州", "苏州")  # inclusive
    assert not is_within("苏州", "昆山")
    assert not is_within("昆山", "无锡")
    assert is_within("昆山市", "苏州市")  # full names work too
    assert not is_within("火星", "苏州")


def test_ancestors_of_unknown_or_top_level():
    assert ancestors("江苏") == []
    assert ancestors("不存在") == []
