"""Recognise Chinese administrative places in text.

The gazetteer below is general knowledge, not tied to any document: every
prefecture-level city of 江苏 with its districts, county-level cities and
counties, every provincial-level division of China, and the provincial
capitals and other major cities. Names are simplified; text in traditional
characters is matched through OpenCC's conversion (rag/script.py). Questions about places outside 江苏 are
therefore recognised as *other* places instead of silently matching nothing.

Each place has a short canonical name ("昆山") and a full name ("昆山市");
both are matched in text. Conventions:

* Single-character short names ("丰" for 丰县) are never matched on their own;
  such places use the full name as their canonical name.
* Short names that are also ordinary words or are ambiguous ("扬中" inside
  "弘扬中华", "钟楼", "滨海", "大丰") are only matched in their full form
  ("扬中市"); they are marked with "!" in the data.
* A parent immediately followed by its child ("扬州市江都区", "江苏省苏州市")
  is one mention of the child, spanning both.
* "姑苏" (also a literary name for 苏州) is read as 姑苏区, a district of 苏州,
  so it still lies within 苏州 for ``is_within``.
* Districts whose names occur in several cities (鼓楼, 淮安区 of 淮安) are left
  out: a bare mention could not be placed.

Example:
    >>> [p.name for p in find_places("扬州市江都区总工会与苏州、昆山市工会")]
    ['江都', '苏州', '昆山']
    >>> ancestors("昆山")
    ['苏州', '江苏']
    >>> is_within("昆山", "江苏")
    True
"""

from __future__ import annotations

import re
from typing import NamedTuple

from rag.script import to_simplified

__all__ = ["Place", "find_places", "lookup", "ancestors", "is_within"]


class Place(NamedTuple):
    """A place, either found in text (start/end set) or looked up (-1, -1)."""

    name: str  # short canonical name, e.g. "昆山"
    full: str  # full administrative name, e.g. "昆山市"
    level: str  # "province" | "city" | "county"
    parent: str | None  # canonical name of the parent place
    start: int
    end: int


# One line per parent: "<parent full name> > <children full names>".
# "中国" is the root, so its children are provincial-level divisions (the four
# municipalities included, since that is their administrative rank).
_GAZETTEER = """
中国 > 北京市 天津市 上海市 重庆市 河北省 山西省 辽宁省 吉林省 黑龙江省 江苏省
  浙江省 安徽省 福建省 江西省 山东省 河南省 湖北省 湖南省 广东省 海南省 四川省
  贵州省 云南省 陕西省 甘肃省 青海省 台湾省 内蒙古自治区 广西壮族自治区
  西藏自治区 宁夏回族自治区 新疆维吾尔自治区 香港特别行政区 澳门特别行政区
江苏省 > 南京市 无锡市 徐州市 常州市 苏州市 南通市 连云港市 淮安市 盐城市 扬州市
  镇江市 泰州市 宿迁市
南京市 > 玄武区! 秦淮区 建邺区 浦口区 栖霞区 雨花台区 江宁区 六合区! 溧水区 高淳区
无锡市 > 锡山区 惠山区 滨湖区! 梁溪区 新吴区 江阴市 宜兴市
徐州市 > 云龙区! 贾汪区 泉山区! 铜山区 丰县 沛县 睢宁县 新沂市 邳州市
常州市 > 天宁区 钟楼区! 新北区! 武进区 金坛区 溧阳市
苏州市 > 姑苏区 虎丘区 吴中区 相城区 吴江区 常熟市 张家港市 昆山市 太仓市
南通市 > 崇川区 通州区! 海门区 如东县 启东市 如皋市 海安市
连云港市 > 连云区! 海州区! 赣榆区 东海县! 灌云县 灌南县
淮安市 > 清江浦区 淮阴区 洪泽区 涟水县 盱眙县 金湖县
盐城市 > 亭湖区 盐都区 大丰区! 响水县 滨海县! 阜宁县 射阳县 建湖县 东台市
扬州市 > 广陵区 邗江区 江都区 宝应县 仪征市 高邮市
镇江市 > 京口区 润州区 丹徒区 丹阳市 扬中市! 句容市
泰州市 > 海陵区 高港区 姜堰区 兴化市 靖江市 泰兴市
宿迁市 > 宿城区 宿豫区 沭阳县 泗阳县 泗洪县
河北省 > 石家庄市 唐山市 保定市 邯郸市
山西省 > 太原市 大同市
内蒙古自治区 > 呼和浩特市 包头市
辽宁省 > 沈阳市 大连市
吉林省 > 长春市
黑龙江省 > 哈尔滨市
浙江省 > 杭州市 宁波市 温州市 嘉兴市 湖州市 绍兴市 金华市 台州市
安徽省 > 合肥市 芜湖市 马鞍山市 蚌埠市 滁州市
福建省 > 福州市 厦门市 泉州市
江西省 > 南昌市
山东省 > 济南市 青岛市 烟台市 潍坊市
河南省 > 郑州市 洛阳市
湖北省 > 武汉市
湖南省 > 长沙市
广东省 > 广州市 深圳市 东莞市 佛山市 珠海市 汕头市 惠州市 中山市!
广西壮族自治区 > 南宁市
海南省 > 海口市! 三亚市
四川省 > 成都市
贵州省 > 贵阳市
云南省 > 昆明市
西藏自治区 > 拉萨市
陕西省 > 西安市
甘肃省 > 兰州市
青海省 > 西宁市
宁夏回族自治区 > 银川市
新疆维吾尔自治区 > 乌鲁木齐市
台湾省 > 台北市 高雄市
"""

# Longest suffixes first so "广西壮族自治区" loses "壮族自治区", not just "区".
_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "省",
    "市",
    "区",
    "县",
)
_LEVEL_BELOW = {None: "province", "province": "city", "city": "county"}


def _short_name(full: str) -> str:
    for suffix in _SUFFIXES:
        if full.endswith(suffix) and len(full) - len(suffix) >= 2:
            return full[: -len(suffix)]
    return full  # e.g. 丰县: "丰" alone would match far too much


def _parse_gazetteer(data: str) -> tuple[dict[str, Place], dict[str, str]]:
    """Return (canonical name -> Place, surface form -> canonical name)."""
    places: dict[str, Place] = {}
    surfaces: dict[str, str] = {}
    full_to_name: dict[str, str] = {}
    # Continuation lines (indented) belong to the previous "parent >" line.
    logical = re.sub(r"\n\s+", " ", data.strip())
    for line in logical.splitlines():
        parent_full, _, children = line.partition(">")
        parent_full = parent_full.strip()
        parent = full_to_name.get(parent_full)
        level = _LEVEL_BELOW[places[parent].level if parent else None]
        for token in children.split():
            full_only = token.endswith("!")
            full = token.rstrip("!")
            name = _short_name(full)
            places[name] = Place(name, full, level, parent, -1, -1)
            full_to_name[full] = name
            surfaces[full] = name
            if not full_only:
                surfaces[name] = name
    # 姑苏 is commonly written without 区 (姑苏职工文化节); see module docstring.
    surfaces["姑苏"] = "姑苏"
    return places, surfaces


_PLACES, _SURFACES = _parse_gazetteer(_GAZETTEER)
_PATTERN = re.compile("|".join(sorted(map(re.escape, _SURFACES), key=len, reverse=True)))


def lookup(name: str) -> Place | None:
    """Return the gazetteer entry for a short or full name (start/end are -1).

    >>> lookup("昆山市").parent
    '苏州'
    """
    canonical = _SURFACES.get(name, name)
    return _PLACES.get(canonical)


def find_places(text: str) -> list[Place]:
    """All place mentions in ``text``, in order, longest match first; traditional
    characters match too.

    >>> [(p.name, p.start, p.end) for p in find_places("扬州市江都区")]
    [('江都', 0, 6)]
    >>> [(p.name, p.start, p.end) for p in find_places("蘇州市吳江區總工會")]
    [('吴江', 0, 6)]
    """
    found: list[Place] = []
    # Traditional forms (臺北市, 蘇州市, 吳江區) are matched through their simplified
    # ones; the conversion keeps every position, so offsets refer to ``text``.
    for match in _PATTERN.finditer(to_simplified(text)):
        entry = _PLACES[_SURFACES[match.group()]]
        place = entry._replace(start=match.start(), end=match.end())
        previous = found[-1] if found else None
        # "扬州市江都区": the city only qualifies the district that follows it.
        if previous and previous.end == place.start and place.parent == previous.name:
            found[-1] = place._replace(start=previous.start)
        else:
            found.append(place)
    return found


def ancestors(name: str) -> list[str]:
    """Canonical names of the enclosing places, nearest first; [] if unknown.

    >>> ancestors("江都")
    ['扬州', '江苏']
    """
    chain: list[str] = []
    place = lookup(name)
    while place and place.parent:
        chain.append(place.parent)
        place = _PLACES.get(place.parent)
    return chain


def is_within(child: str, parent: str) -> bool:
    """True if ``child`` lies within ``parent`` or is the same place.

    Inclusive, so that a document about 苏州 matches a question about 苏州.

    >>> is_within("昆山", "苏州"), is_within("苏州", "昆山")
    (True, False)
    """
    child_place, parent_place = lookup(child), lookup(parent)
    if child_place is None or parent_place is None:
        return child == parent
    return child_place.name == parent_place.name or parent_place.name in ancestors(child_place.name)
