"""Spans inside a sentence that can answer a non-figure question: people with their
posts, dates, places, and names of honours, programmes and organisations (lists: rag/lists.py).

Each finder takes a sentence (already unwrapped or not: offsets are into the text it
is given) and returns ``Found`` spans; choosing among them is the answerer's job.

Example::

    >>> [f.text for f in find_people("区总党组书记、主席张永新(右)为职工大讲堂授牌")]
    ['张永新']
    >>> find_people("区总党组书记、主席张永新(右)为职工大讲堂授牌")[0].post
    '主席'
"""

from __future__ import annotations

import re
from typing import NamedTuple

from rag.entities import Token, tag
from rag.regions import find_places


class Found(NamedTuple):
    text: str
    start: int
    end: int
    label: str = ""  # person: the post; name: "quoted" / "honour" / "org"; list: the marker
    context: str = ""  # person: the organisation before the post
    posts: tuple[str, ...] = ()  # person: every post written before the name (党组书记、主席)


# ------------------------------------------------------------------------- people

POSTS = (
    "常务副主席|副主席|主席|党组书记|党组副书记|副书记|书记|常务副主任|副主任|主任|常委|委员|"
    "副部长|组织部长|宣传部长|部长|副区长|区长|副市长|市长|副县长|县长|副省长|省长|秘书长|"
    "副会长|会长|董事长|副总经理|总经理|经理|副厂长|厂长|局长|处长|科长|院长|校长|站长|"
    "队长|组长|馆长|社长|主编|总工程师|工程师|技师|钳工|焊工|电工|工人|职工|劳模|工匠"
)
# Posts that make a person's office (主席张永新); the rest (钳工顾秋亮) describe them.
OFFICES = frozenset(
    "常务副主席 副主席 主席 党组书记 党组副书记 副书记 书记 常务副主任 副主任 主任 常委 委员 "
    "副部长 组织部长 宣传部长 部长 副区长 区长 副市长 市长 副县长 县长 副省长 省长 秘书长 副会长 "
    "会长 董事长 副总经理 总经理 经理 副厂长 厂长 局长 处长 科长 院长 校长 站长 队长 组长 馆长 社长 主编".split()
)
_POST_BEFORE = re.compile(rf"({POSTS})[\s、，,]*$")
_POST_CHAIN = re.compile(rf"(?:({POSTS})[、\s]*)+$")
_POST_AFTER = re.compile(rf"^(?:同志)?({POSTS})")
_ORG_BEFORE = re.compile(r"([\u4e00-\u9fff（）()]{2,20}?)(?:党组)?$")
_CJK_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")


def _post_near(text: str, start: int, end: int) -> tuple[str, int]:
    """The post written just before the name (主席张永新) or just after (张永新主席),
    and where it starts."""
    before = _POST_BEFORE.search(text[max(0, start - 12) : start])
    if before:
        return before.group(1), max(0, start - 12) + before.start(1)
    after = _POST_AFTER.match(text[end : end + 8])
    if after:
        return after.group(1), end + after.start(1)
    return "", -1


_TITLED_CLAUSE = re.compile(rf"^[\u4e00-\u9fff（）()]{{0,16}}?({POSTS})$")


def _offices_before(text: str, start: int) -> tuple[str, ...]:
    """Posts of the comma-joined titles before the one right before the name: in
    "苏州市人大常委会副主任,苏州市总工会主席温祥华" he is 副主任 too. A clause not
    ending in a post (会长李四，主席张三) belongs to someone else and stops the chain."""
    pieces = re.split(r"[，,]", text[max(0, start - 60) : start])
    if len(pieces) < 2 or not _POST_BEFORE.search(pieces[-1]):
        return ()
    found: list[str] = []
    for piece in reversed(pieces[-4:-1]):
        m = _TITLED_CLAUSE.match(piece.strip())
        if not m:
            break
        found.insert(0, m.group(1))  # the clause's own post (常委会副主任 → 副主任)
    return tuple(found)


def find_people(text: str) -> list[Found]:
    """People LAC recognises, each with the post and organisation written beside it."""
    out = []
    for token in tag(text):
        if token.tag != "PER" or not _CJK_NAME.match(token.word):
            continue
        if any(p.start <= token.start and token.end <= p.end for p in find_places(token.word)):
            continue
        post, at = _post_near(text, token.start, token.end)
        context = ""
        if at >= 0 and at < token.start:
            seg_start = max(
                text.rfind(c, 0, at) for c in "，,。；;：:\n（(“"
            )  # the organisation runs from the segment start to the post
            context = text[seg_start + 1 : at].strip(" 、")
        chain = _POST_CHAIN.search(text[max(0, token.start - 24) : token.start])
        posts = tuple(re.findall(POSTS, chain.group(0))) if chain else ()
        posts = _offices_before(text, token.start) + (posts or ((post,) if post else ()))
        out.append(Found(token.word, token.start, token.end, post, context, posts))
    return out


# -------------------------------------------------------------------------- dates

_CN_DIGIT = "〇零一二三四五六七八九十"
_Y = rf"(?:(?:19|20)\d{{2}}|[{_CN_DIGIT}]{{4}})"
_DATE = re.compile(
    rf"(?:19|20)\d{{2}}([./-])\d{{1,2}}\1\d{{1,2}}(?!\d)"  # 2012.12.07, 2016-05-02, 2012/12/7
    rf"|{_Y}\s*年?\s*[—–\-－~～至到]+\s*{_Y}\s*年?(?:度)?"  # 2015—2019年, 2015～2017
    rf"|{_Y}\s*年(?:度|\s*[\d{_CN_DIGIT}]{{1,2}}\s*月(?:\s*[\d{_CN_DIGIT}]{{1,3}}\s*[日号])?)?"
    rf"(?:[初底末]|上半年|下半年)?"
    rf"|[\d{_CN_DIGIT}]{{1,2}}\s*月\s*[\d{_CN_DIGIT}]{{1,3}}\s*[日号]"
    rf"|[\d{_CN_DIGIT}]{{1,2}}\s*月(?:份|初|中旬|上旬|下旬|底)?(?=[^\d{_CN_DIGIT}])"
    # a bare year written beside a name: 2019扬州市…联赛, “春风行动2015”
    r"|(?<![\d.])(?:19|20)\d{2}(?![\d.%％年万亿千百十多余个家名人位项次场件户元条])"
)
# 节日 and named days answer "什么时候" too: “五一”前夕, 元旦、春节期间, 国庆期间.
_DAY = (
    r"[“\"]?(?:五一|五四|三八|十一|七一|八一|六一)[”\"]?(?:国际劳动节|劳动节|节)?"
    r"|(?:元旦|春节|端午|中秋|国庆|重阳|清明)(?:节)?"
)
_FESTIVAL = re.compile(
    rf"(?:{_DAY})(?:、(?:{_DAY}))*(?:前夕|期间|前后|当天|之际)?"
    r"|[\u4e00-\u9fff]{0,4}(?:夏季|冬季|高温季节|春运期间)"
)


def find_dates(text: str) -> list[Found]:
    """Calendar dates (2017年1月10日, 5月10日, 2016年) and named days (“五一”前夕)."""
    out = [Found(m.group(0), m.start(), m.end(), "date") for m in _DATE.finditer(text)]
    out = _join_ranges(text, out)
    taken = [(f.start, f.end) for f in out]
    for m in _FESTIVAL.finditer(text):
        if not any(s < m.end() and m.start() < e for s, e in taken):
            out.append(Found(m.group(0), m.start(), m.end(), "day"))
    return sorted(out, key=lambda f: f.start)


_RANGE = re.compile(r"\s*(?:至|到|—|－|-|~|～)\s*")


def _join_ranges(text: str, dates: list[Found]) -> list[Found]:
    """ "2018年5月至10月" is one answer to 什么时候, not two dates."""
    out: list[Found] = []
    for f in dates:
        last = out[-1] if out else None
        if last is not None and _RANGE.fullmatch(text[last.end : f.start]):
            out[-1] = Found(text[last.start : f.end], last.start, f.end, "date")
        else:
            out.append(f)
    return out


def date_parts(text: str) -> tuple[bool, bool, bool]:
    """Whether a date names its year, its month, its day: 2017年1月10日 → all three,
    5月2日 → month and day, 2019 → year, “五一”前夕 → none."""
    year = bool(re.search(r"(?:19|20)\d{2}|[〇零一二三四五六七八九]{4}|年", text))
    day = bool(re.search(r"[日号]|\d+([./-])\d+\1\d+", text))
    month = day or "月" in text
    return year, month, day


# ------------------------------------------------------------------------- places

_VENUE = re.compile(
    r"(?:在|于|赴|到|与|同|和|向|将)([\u4e00-\u9fff\d“”（）()·]{2,24}?)"
    r"(?=举行|召开|举办|开展|开幕|进行|设立|成立|落户|挂牌|建成|揭牌|宣讲|签订|签署|联办|合作|"
    r"投放|多个|作为|演出|慰问|走访|开班|开赛|开讲|启动|闭幕|落幕)"
)
# Roads, lines and sections: 227省道, 轨道交通4号线, 古城路, 常熟南段.
_ROUTE = re.compile(
    r"[\u4e00-\u9fff\d]{1,8}?(?:号线|省道|国道|高速公路|快速路|大道|[东西南北]段|路(?=[南北东西]?延|[，,、和及]))"
)
_PLACE_TAGS = ("LOC", "ORG")


def _verb_alone(word: str) -> bool:
    """LAC tags a word a place in context that it reads as a verb on its own (发挥)."""
    alone = tag(word)
    return len(alone) == 1 and alone[0].tag in ("v", "vn", "ad", "d", "a")


def find_places_in(text: str) -> list[Found]:
    """Places: venues of an event (在X举行), LAC's places and organisations (adjacent
    ones joined: 贵州省铜仁市碧江区), the gazetteer's, and roads and lines."""
    out = []
    for m in _VENUE.finditer(text):
        inner = m.group(1)  # "于5月10日在市公共文化中心": the place follows the last 在
        cut = max(inner.rfind(c) for c in "在于到赴") + 1
        out.append(Found(inner[cut:], m.start(1) + cut, m.end(1), "venue"))
    for m in _ROUTE.finditer(text):
        lead = len(m.group(0)) - len(m.group(0).lstrip("和及以与在将的"))
        out.append(Found(m.group(0)[lead:], m.start() + lead, m.end(), "route"))
    run: list = []
    for t in [*tag(text), None]:
        if t is not None and t.tag in _PLACE_TAGS and _verb_alone(t.word):
            t = Token(t.word, "v", t.start, t.end)  # 注重发挥镇…: LAC read 发挥 as a place
        if t is not None and t.tag in _PLACE_TAGS and (not run or run[-1].end == t.start):
            run.append(t)
            continue
        if run:
            a, b = run[0].start, run[-1].end
            label = "org" if any(r.tag == "ORG" for r in run) else "loc"
            out.append(Found(text[a:b], a, b, label))
        run = [t] if t is not None and t.tag in _PLACE_TAGS else []
    out += [Found(text[p.start : p.end], p.start, p.end, "place") for p in find_places(text)]
    seen, unique = set(), []
    for f in sorted(out, key=lambda f: (f.start, -(f.end - f.start))):
        if (f.start, f.end) not in seen and f.end - f.start >= 2:
            seen.add((f.start, f.end))
            unique.append(f)
    return unique


# -------------------------------------------------------------------------- names

_QUOTED = re.compile(r"“([^“”]{1,40})”|\"([^\"]{1,40})\"|《([^《》]{1,60})》|「([^「」]{1,40})」")
_HONOUR_VERB = re.compile(
    r"(?:荣获|获得|获评|获颁|被评为|评为|被授予|授予|荣膺|当选为|当选|被命名为|命名为|被确定为|"
    r"确定为|入选|被誉为|誉为|评选为|获)(?:了)?"
)
_HONOUR_SUFFIX = re.compile(
    r"[\u4e00-\u9fff]{0,6}?(?:奖章|奖状|奖|称号|先进集体|先进个人|先进单位|示范单位|标兵)"
)
_SEGMENT_STOP = re.compile(r"[，,。；;：:！？!?\n]|(?:、(?=[^、]{0,3}(?:获|荣获|被评为)))")


def find_headed(text: str, head: str) -> list[Found]:
    """Names of a thing called ``head``: a quotation right before it (“微书苑”栏目 →
    微书苑), else the noun phrase ending in it (苏州市劳模教育培训基地 for 基地)."""
    out = []
    tokens = tag(text)
    self_named = re.search(r"[“\"][^“”\"]*" + re.escape(head) + r"[”\"]", text)
    for i, t in enumerate(tokens):
        if not t.word.endswith(head):
            continue
        before = text[: t.start + len(t.word) - len(head)]
        quoted = re.search(r"[“\"]([^“”\"]{1,30})[”\"]([\u4e00-\u9fff]{0,12})$", before)
        if quoted and len(quoted.group(2)) > 6 and self_named:
            quoted = None  # a quotation that is itself a 工程 names the 工程, not one afar
        if quoted:
            # “工会学院”职工教育培训网络平台: the quotation names the thing.
            out.append(Found(quoted.group(1), quoted.start(1), quoted.end(1), "headed-quoted"))
            continue
        j = i
        while j > 0 and tokens[j - 1].tag in _NAME_TAGS and tokens[j - 1].word not in '“”"':
            j -= 1
        start = tokens[j].start
        if t.end - start > len(head):
            out.append(Found(text[start : t.end], start, t.end, "headed"))
    return out


_NAME_TAGS = frozenset("n nz nw vn an ORG LOC PER s j l m q a b".split())


def find_names(text: str) -> list[Found]:
    """Names of honours, titles, programmes, platforms and organisations: quoted ones
    (“苏工惠”, 《…》), what follows 荣获/被评为/授予, and LAC's organisations."""
    out = []
    for m in _QUOTED.finditer(text):
        group = next(i for i in range(1, 5) if m.group(i) is not None)
        out.append(Found(m.group(group), m.start(group), m.end(group), "quoted"))
        suffix = _HONOUR_SUFFIX.match(text, m.end())
        if suffix:  # “争当学习型职工读书活动”组织奖: the award is the quote and its suffix
            out.append(Found(text[m.start() : suffix.end()], m.start(), suffix.end(), "honour"))
    for m in _HONOUR_VERB.finditer(text):
        rest = text[m.end() : m.end() + 60]
        quoted = _QUOTED.match(rest)
        if quoted:  # 被评为“全国模范职工之家”: the quote is the name
            span = quoted.group(0)
        else:
            stop = _SEGMENT_STOP.search(rest)
            span = rest[: stop.start() if stop else len(rest)].rstrip()
            again = _HONOUR_VERB.search(span)
            span = span[: again.start()] if again else span
            span = re.sub(r"(?:等|等各类|等多项)?(?:荣誉称号|称号|荣誉|殊荣)$", "", span)
        if 2 <= len(span) <= 50:
            out.append(Found(span, m.end(), m.end() + len(span), "honour"))
    for t in tag(text):
        if t.tag in ("ORG", "nz", "nw") and len(t.word) >= 3:
            out.append(Found(t.word, t.start, t.end, t.tag.lower()))
    return out
