"""Find and normalise the figures (numbers with their units) in Chinese report text.

A *figure* is a number together with the approximation marker and measure word that
belong to it: "超过一万家", "9.2 万次", "4000余场", "98.1%", "2016年". Each comes back as
a :class:`Figure` whose ``text`` is exactly ``source[start:end]``, so answers can cite
the span, and whose ``value`` is normalised to base units (万/亿 multiplied out).

Example::

    >>> for f in find_figures("示范点 918 家，近 3 万人参与，效益超过十亿元"):
    ...     print(f.text, f.value, f.unit, f.qualifier, f.kind)
    918 家 918.0 家 None count
    近 3 万人 30000.0 人 近 count
    超过十亿元 1000000000.0 元 超过 money
    >>> parse_number("1.12万")
    11200.0
    >>> format_figure(11200.0, "家")
    '11200 家'

Decisions worth knowing:

* Chinese-numeral figures need a measure word ("三家", "五年") or an approximation
  marker ("超百万职工"); otherwise "十佳", "一系列", "一线", "两级", "十八大" would all be
  figures. A bare 一/百/千/万/亿 ("一批", "百场活动", "千家企业") is a set phrase or
  campaign name unless qualified ("近万人", "上百位", "百人以上"), and a Chinese numeral
  right after an opening quote (“四个意识”) is a slogan.
* 级 is not a unit ("三级工会"); neither are 大 (十八大), 方 (第三方) or 分 (十分重要).
* Ranges "3-5天" / "2015—2017" are one figure whose value is the *lower* bound; the
  text covers the whole range, and :func:`figure_range` recovers both ends.
* Dates have value YYYYMMDD with missing parts as 0: "5月1日" → 501, "12月" → 1200,
  "2017年1月10日" → 20170110. Their unit is None.
* Ordinals ("第14届", "十五届三次", "4号线") keep their measure word as unit; Chinese
  ordinals without one ("第三方", "第七〇二研究所") are not figures.
* A 4-digit Arabic integer 1900–2100 followed by 年, or standing alone ("2012姑苏"),
  is a calendar year; other numbers before 年 ("5年", "五年来") are durations.
* When a figure carries two markers ("近8000多条", "达 1.53 万余人次") the qualifier is
  the first one that is not 达, since 达 only says "reached" while the other one says
  how approximate the number is.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

import cn2an

__all__ = [
    "Figure",
    "figure_range",
    "find_figures",
    "format_figure",
    "parse_number",
    "unit_family",
]


class Figure(NamedTuple):
    text: str  # exactly source[start:end]: qualifier + number + unit
    start: int
    end: int
    value: float  # in base units: 1.12万家 → 11200.0, 4000万元 → 40000000.0
    unit: str | None  # base measure word (万元 → 元, 万人次 → 人次); None if absent
    qualifier: str | None  # normalised approximation/bound marker, see _QUALIFIERS
    kind: str  # count, percent, money, year, date, ordinal, duration


# Kinds of figure that label (a year, a date, 第三届) rather than count what is asked.
LABEL_KINDS = frozenset({"year", "date", "ordinal"})


# --- character classes -------------------------------------------------------------

# Full-width forms map 1:1 onto ASCII so regex offsets stay valid for the source.
# The full-width comma is left alone: in these reports it separates clauses.
_FULLWIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
        **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
        "．": ".",
        "％": "%",
        "－": "-",
    }
)

# The small counts written with one character: 两个率先, 哪三项, 三年 (过去的五年).
SMALL_COUNTS = {
    "两": 2,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_CN_DIGITS = "〇○零一二两三四五六七八九壹贰叁肆伍陆柒捌玖"
_CN_POWERS = "十百千万亿拾佰仟"
_CN_CHARS = _CN_DIGITS + _CN_POWERS
_SPACE = "[ \\t\\u3000\\xa0]*"  # never across a line break
_SPACE_CHARS = " \t\u3000\xa0"

_ARABIC = r"(?<![0-9A-Za-z.])(?>[0-9]+(?:,[0-9]{3}(?![0-9]))*(?:\.[0-9]+)?)(?![0-9A-Za-z])"
_CHINESE = rf"(?<![{_CN_CHARS}])(?>[{_CN_CHARS}]+(?:点[{_CN_CHARS}]+)?)"
_NUMBER = f"(?:{_ARABIC}|{_CHINESE})"
_MULT = "(?:千万|百万|万亿|万|亿|千|百)"
_MULTIPLIERS = {
    "千万": Decimal(10**7),
    "百万": Decimal(10**6),
    "万亿": Decimal(10**12),
    "万": Decimal(10**4),
    "亿": Decimal(10**8),
    "千": Decimal(1000),
    "百": Decimal(100),
}

# --- units ---------------------------------------------------------------------------

# Surface form → base unit. Look-aheads keep words that merely start with a measure
# word ("3部门", "家庭", "期间", "年级") from lending it.
_UNIT_SURFACES: dict[str, str] = {
    "个百分点": "个百分点",
    "百分点": "个百分点",
    "个工作日": "工作日",
    "工作日": "工作日",
    "平方公里": "平方公里",
    "平方米": "平方米",
    "公里": "公里",
    "公顷": "公顷",
    "个月": "月",
    "小时": "小时",
    "分钟": "分钟",
    "周年": "周年",
    "课时": "课时",
    "学时": "学时",
    # "130多场（次）": the report allows either reading; the count is of occasions.
    **{f"{u}{o}次{c}": f"{u}次" for u in "人家场户" for o, c in ("（）", "()")},
    "人次": "人次",
    "家次": "家次",
    "场次": "场次",
    "户次": "户次",
    "批次": "批次",
    "班次": "班次",
    "车次": "车次",
    "美元": "美元",
    "港元": "港元",
    "欧元": "欧元",
    "%": "%",
}
_SINGLE_UNITS = (
    "人名位家个所处座户元项场次条份件宗册本支批期张对套台部篇首类种组届辆吨亩米倍岁天周月年日号"
)
# Followers that turn a single-character unit into an unrelated word.
_NOT_FOLLOWED_BY = {
    "部": "门分署队长",
    "对": "于象接口外应照比",
    "名": "单称义额誉",
    "期": "间待望限",
    "周": "边末围到",
    "家": "庭属乡",
    "户": "籍口外",
    "年": "级龄轻",
    "本": "地市着科部届",
    "条": "例件款",
    "处": "理置于长",
    "组": "织建成长",
    "台": "湾阶",
    "天": "然下地气",
    "日": "常益本报",
    "米": "粮面",
}


def _unit_pattern() -> str:
    words = sorted(_UNIT_SURFACES, key=len, reverse=True)
    parts = [re.escape(w) for w in words]
    for ch in _SINGLE_UNITS:
        stop = _NOT_FOLLOWED_BY.get(ch)
        parts.append(f"{ch}(?![{stop}])" if stop else ch)
    return "(?:" + "|".join(parts) + ")"


_UNIT = _unit_pattern()
UNIT_PATTERN = _UNIT  # for other modules that read a measure word after 多少
# Extra measure words that only make sense after 第 ("第三轮", "第二阶段").
_ORD_UNIT = f"(?:{_UNIT}|轮|季度|阶段|代|章|款|节|层|批)"

_MONEY_UNITS = {"元", "美元", "港元", "欧元"}
_PERCENT_UNITS = {"%", "个百分点"}
_DURATION_UNITS = {"月", "小时", "分钟", "天", "周", "周年", "工作日"}
_DATE_UNITS = {"日"}  # 月 is a date only without 个 (个月 → duration), handled below

# --- qualifiers ----------------------------------------------------------------------

_QUALIFIERS = {
    "将近": "近",
    "接近": "近",
    "近": "近",
    "逾": "逾",
    "超过": "超过",
    "超出": "超过",
    "超": "超过",
    "约": "约",
    "多达": "达",
    "高达": "达",
    "达到": "达",
    "达": "达",
    "上": "上",
    "不足": "不足",
    "不到": "不足",
    "余": "余",
    "多": "多",
    "之多": "多",
    "以上": "以上",
    "以下": "以下",
    "左右": "左右",
}
_PREFIX = "(?:将近|接近|超过|超出|多达|高达|达到|不足|不到|近|逾|超|约|达|上(?=[十百千万亿]))"
# Characters that, standing before a prefix, make it part of another word:
# 最近/附近, 签约/要约/节约, 下达/传达/表达 — none of them an approximation.
_PREFIX_SPOILERS = {
    "近": "最附就临邻亲贴靠",
    "约": "签要合节集制预特违履公契邀相解践条誓隐",
    "达": "下传表发到抵送通转直雷",
    "超": "赶",
}

# --- the scanner -----------------------------------------------------------------------

_S = _SPACE
_YEAR4 = f"(?:(?<![0-9A-Za-z.])(?:19|20)[0-9]{{2}}(?![0-9])|(?<![{_CN_CHARS}])[〇○零一二三四五六七八九]{{4}})"
_MONTH = r"(?:(?<![0-9A-Za-z.])(?:1[0-2]|0?[1-9])(?![0-9])|十[一二]?|[一二三四五六七八九])"
_DAY = (
    r"(?:(?:3[01]|[12][0-9]|0?[1-9])(?![0-9])|[二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
)

_SCANNER = re.compile(
    # Cheap first-character gate: most positions in prose start no figure at all.
    rf"(?=[0-9第将接超多高达不近逾约上{_CN_CHARS}])(?:"
    # 2017年1月10日 / 2017年1月
    rf"(?P<d1>(?P<d1y>{_YEAR4}){_S}年{_S}(?P<d1m>{_MONTH}){_S}月(?:{_S}(?P<d1d>{_DAY}){_S}[日号])?)"
    # 5月1日
    rf"|(?P<d2>(?P<d2m>{_MONTH}){_S}月{_S}(?P<d2d>{_DAY}){_S}[日号])"
    # 2012.12.07
    rf"|(?P<d3>(?<![0-9A-Za-z.])(?P<d3y>(?:19|20)[0-9]{{2}})(?P<sep>[./-])"
    rf"(?P<d3m>1[0-2]|0?[1-9])(?P=sep)(?P<d3d>3[01]|[12][0-9]|0?[1-9])(?![0-9]))"
    # 第14届
    rf"|(?P<ord>第{_S}(?P<onum>{_NUMBER}){_S}(?P<ounit>{_ORD_UNIT})?)"
    # everything else: [qualifier] number [range] [余/多] [万/亿] [余/多] [unit] [以上]
    rf"|(?:(?P<pre>{_PREFIX}){_S})?"
    rf"(?P<core>百分之{_S}(?P<pnum>{_NUMBER})|(?P<num>{_NUMBER})"
    rf"(?:{_S}[-~～—–至]{_S}(?P<num2>{_NUMBER}))?)"
    rf"{_S}(?P<q1>多|余)?{_S}(?P<mult>{_MULT})?(?P<q2>余|多)?{_S}(?P<unit>{_UNIT})?"
    rf"(?P<post>以上|以下|左右|之多)?)"
)

# Set phrases that look like counts but name policies ("中央八项规定").
_IDIOMS = re.compile(
    "八项规定|两个率先|两个全覆盖|两个维护|两个责任|两个一百年|三个代表|"
    "四个全面|四个意识|四个自信|四个服从|五位一体|四位一体"
)
_OPEN_QUOTES = "“‘「『《\"'"
_VAGUE_BEFORE = "数几若"  # 数十家, 几百人: "dozens", not ten
_BARE = set("一壹百佰千仟万亿")
_LIST_MARK_AFTER = ".、)）"
_LIST_MARK_BEFORE = "(（"


# --- number parsing ------------------------------------------------------------------


def _arabic(s: str) -> Decimal | None:
    if len(s) > 40:  # nothing real is this long; keeps Decimal/float sane
        return None
    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation:
        return None


@lru_cache(maxsize=4096)
def _chinese(s: str) -> Decimal | None:
    if not s or len(s) > 24:
        return None
    if s[0] in "十拾百佰千仟万亿":
        s = "一" + s  # cn2an rejects "万", "百万"; "十五" is fine either way
    try:
        v = cn2an.cn2an(s.replace("○", "〇"), "normal")
    except Exception:  # cn2an raises ValueError, but don't trust a third party here
        return None
    try:
        return Decimal(str(v))
    except InvalidOperation:
        return None


def _digitwise(s: str) -> bool:
    """Chinese numerals read digit by digit ("二〇一六", "五一") rather than positionally."""
    return not any(c in _CN_POWERS for c in s) and "点" not in s


def _number(s: str) -> Decimal | None:
    return _arabic(s) if s[0].isascii() else _chinese(s)


def _to_float(d: Decimal | None) -> float | None:
    if d is None:
        return None
    try:
        f = float(d)
    except (OverflowError, ValueError):
        return None
    return f if math.isfinite(f) else None


_PARSE = re.compile(
    rf"(?P<pct>百分之)?{_S}(?P<num>[0-9]+(?:,[0-9]{{3}})*(?:\.[0-9]+)?|[{_CN_CHARS}]+(?:点[{_CN_CHARS}]+)?)"
    rf"{_S}(?:多|余)?{_S}(?P<mult>{_MULT})?(?:多|余)?"
)


def parse_number(s: str) -> float | None:
    """Value of a number written any common way, or None if ``s`` is not one number.

    "1.12万" → 11200, "十亿" → 1e9, "两千" → 2000, "27,028" → 27028, "１２" → 12,
    "百分之九十" → 90, "3500余万" → 35000000.
    """
    if not isinstance(s, str):
        return None
    m = _PARSE.fullmatch(s.translate(_FULLWIDTH).strip())
    if m is None:
        return None
    d = _number(m["num"])
    if d is None:
        return None
    if m["mult"] and not m["pct"]:
        d *= _MULTIPLIERS[m["mult"]]
    return _to_float(d)


# --- figure building -----------------------------------------------------------------


def _date(y: str | None, mo: str | None, d: str | None) -> float | None:
    total = Decimal(0)
    for part, scale in ((y, 10000), (mo, 100), (d, 1)):
        if part:
            v = _number(part)
            if v is None:
                return None
            total += v * scale
    return _to_float(total)


def _pick_qualifier(markers: list[str | None]) -> str | None:
    found = [_QUALIFIERS[q] for q in markers if q]
    for q in found:
        if q != "达":
            return q
    return found[0] if found else None


def _prefix_ok(t: str, m: re.Match[str]) -> bool:
    pre = m["pre"]
    spoilers = _PREFIX_SPOILERS.get(pre)
    i = m.start("pre")
    return not (spoilers and i > 0 and t[i - 1] in spoilers)


def _is_list_mark(t: str, start: int, end: int) -> bool:
    """Whether a bare number is an enumeration mark such as "1. 加强…" or "（1）"."""
    after = t[end : end + 1]
    if not after:
        return False
    line_start = t.rfind("\n", 0, start) + 1
    before = t[line_start:start].strip(_SPACE_CHARS)
    if not before:
        return after in _LIST_MARK_AFTER
    return before[-1] in _LIST_MARK_BEFORE and after in ")）"


def _figure_from_general(
    t: str, m: re.Match[str]
) -> tuple[int, float, str | None, str | None, str] | None:
    """Start, value, unit, qualifier and kind of a general match, or None to drop it."""
    has_pre = m["pre"] is not None and _prefix_ok(t, m)
    start = m.start("pre") if has_pre else m.start("core")
    numstr = m["pnum"] or m["num"]
    chinese = not numstr[0].isascii()
    d = _number(numstr)
    if d is None:
        return None
    surface = m["unit"]
    unit = _UNIT_SURFACES.get(surface, surface) if surface else None
    qualifier = _pick_qualifier([m["pre"] if has_pre else None, m["q1"], m["q2"], m["post"]])
    if m["mult"] and m["pnum"] is None:
        d *= _MULTIPLIERS[m["mult"]]
    value = _to_float(d)
    if value is None:
        return None
    core = m.start("core")
    before = t[core - 1] if core else "\n"  # "" would be "in" every string below

    if m["pnum"] is not None:
        return start, value, "%", qualifier, "percent"

    if chinese:
        digitwise = _digitwise(numstr)
        if digitwise and len(numstr) > 1 and not (unit == "年" and len(numstr) == 4):
            return None  # "五一", "三三制": not positional numerals
        if before in _OPEN_QUOTES or before in _VAGUE_BEFORE:
            return None
        if _IDIOMS.match(t, core):
            return None
        if unit is None and not (qualifier and value >= 10):
            return None
        if numstr in _BARE and qualifier is None and unit not in ("月", "日") and not m["mult"]:
            return None
    else:
        if unit is None and len(numstr) > 1 and numstr[0] == "0" and numstr[1] != ".":
            return None  # "0512-6522…": a phone or area code, not an amount
        bare = unit is None and qualifier is None and not m["mult"] and not m["num2"]
        if bare and _is_list_mark(t, start, m.end("core")):
            return None

    is_plain_int = not chinese and numstr.isdigit() and not m["mult"]
    if before == "届" or (unit == "届" and chinese) or unit == "号":
        kind = "ordinal"  # "十五届三次全委会": session numbers
    elif unit in _PERCENT_UNITS:
        kind = "percent"
    elif unit in _MONEY_UNITS:
        kind = "money"
    elif unit == "年" or (unit is None and qualifier is None):
        # Only a plain 4-digit number reads as a calendar year: not "2000多年", "2.5年".
        four_digits = len(numstr) == 4 and (chinese or is_plain_int)
        calendar = four_digits and 1900 <= value <= 2100 and qualifier is None
        kind = "year" if calendar else "duration" if unit == "年" else "count"
    elif unit == "月" and surface == "月":
        kind, value, unit = "date", value * 100, None
    elif unit in _DATE_UNITS:
        kind, unit = "date", None
    elif unit in _DURATION_UNITS:
        kind = "duration"
    else:
        kind = "count"
    return start, value, unit, qualifier, kind


def _build(t: str, source: str, m: re.Match[str]) -> Figure | None:
    if m["d1"] is not None:
        start = m.start("d1")
        value = _date(m["d1y"], m["d1m"], m["d1d"])
        parts: tuple = (start, value, None, None, "date")
    elif m["d2"] is not None:
        parts = (m.start("d2"), _date(None, m["d2m"], m["d2d"]), None, None, "date")
    elif m["d3"] is not None:
        parts = (m.start("d3"), _date(m["d3y"], m["d3m"], m["d3d"]), None, None, "date")
    elif m["ord"] is not None:
        numstr = m["onum"]
        surface = m["ounit"]
        if not numstr[0].isascii() and (surface is None or len(numstr) > 1 and _digitwise(numstr)):
            return None  # "第三方", "第七〇二研究所"
        unit = _UNIT_SURFACES.get(surface, surface) if surface else None
        parts = (m.start("ord"), _to_float(_number(numstr)), unit, None, "ordinal")
    else:
        built = _figure_from_general(t, m)
        if built is None:
            return None
        parts = built
    start, value, unit, qualifier, kind = parts
    if value is None:
        return None
    end = m.end()
    while end > start and source[end - 1] in _SPACE_CHARS:
        end -= 1
    return Figure(source[start:end], start, end, float(value), unit, qualifier, kind)


def find_figures(text: str) -> list[Figure]:
    """Every figure in ``text``, in order of appearance, non-overlapping."""
    if not isinstance(text, str) or not text:
        return []
    t = text.translate(_FULLWIDTH)
    figures = []
    for m in _SCANNER.finditer(t):
        fig = _build(t, text, m)
        if fig is not None:
            figures.append(fig)
    return figures


_RANGE = re.compile(rf"(?P<a>{_NUMBER}){_S}[-~～—–至]{_S}(?P<b>{_NUMBER})")


def figure_range(fig: Figure) -> tuple[float, float]:
    """Lower and upper value of a figure; equal unless it was written as a range."""
    m = _RANGE.search(fig.text.translate(_FULLWIDTH))
    if m is None or fig.kind in ("date", "percent"):
        return fig.value, fig.value
    a, b = _number(m["a"]), _number(m["b"])
    if a is None or b is None or a == 0:
        return fig.value, fig.value
    # The lower value already carries the multiplier (3至5万人 → 30000); scale the upper
    # one alike, in Decimal so that 2015—2019 does not come back as 2019.0000000000002.
    upper = _to_float(b * (Decimal(repr(fig.value)) / a))
    return fig.value, fig.value if upper is None else upper


# --- units for matching and display ---------------------------------------------------

# Which units a question about one may be answered with another. 人/名/位 all count
# people; 家/个/所/处/座 count organisations and sites (the reports write "职工书屋示范点
# 8家" and "6个" side by side). 人次, 家次 and 次 count visits, not people or
# organisations, so each stays its own family; likewise 户 (households) and 个百分点.
_FAMILIES = {
    **dict.fromkeys(("人", "名", "位"), "people"),
    **dict.fromkeys(("家", "个", "所", "处", "座"), "organisations"),
    **dict.fromkeys(("场", "场次"), "events"),
    **dict.fromkeys(("件", "宗"), "cases"),
    **dict.fromkeys(("册", "本"), "volumes"),
    **dict.fromkeys(("元", "美元", "港元", "欧元"), "money"),
    "%": "percent",
    "个百分点": "percentage points",
}


def unit_family(unit: str | None) -> str | None:
    """Group of interchangeable units (see _FAMILIES); other units are their own group."""
    if unit is None:
        return None
    return _FAMILIES.get(unit, unit)


def quantity_kind(unit: str | None) -> str | None:
    """ "percent", "money" or "count": a figure of one kind never answers a question
    asking for another (a 签订率 is not answered by "4195家")."""
    family = unit_family(unit)
    if family is None:
        return None
    if family in ("percent", "percentage points"):
        return "percent"
    return "money" if family == "money" else "count"


def format_figure(value: float, unit: str | None) -> str:
    """Display text: ``format_figure(11200.0, "家")`` → "11200 家", ``(98.1, "%")`` → "98.1%"."""
    if not math.isfinite(value):
        number = str(value)
    elif value.is_integer() and abs(value) < 1e16:
        number = str(int(value))
    else:
        number = format(value, ".12g")  # hides float noise such as 1.12*1e4 = 11200.000000000002
    if unit is None:
        return number
    if unit == "%":
        return number + unit
    return f"{number} {unit}"
