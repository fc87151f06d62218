"""Parse a question into what retrieval and answering need: place, year, unit, subject.

Example::

    >>> q = parse_question("苏州2016年职工书屋多少家")
    >>> q.places, q.years, q.unit
    (['苏州'], [2016], '家')
"""

from __future__ import annotations

import re
from typing import NamedTuple

from rag.complement import unmet
from rag.kinds import QuestionKind, plain_question_words, question_kind
from rag.numbers import find_figures
from rag.regions import find_places, is_within
from rag.script import normalize_script
from rag.synonyms import variants
from rag.than import than
from rag.tokenization import MEASURES, adjacent_words, is_thing_word, normalize, tokenize
from rag.told import _SHORT_YEAR, _YEAR, asked_clause, parse_years

MEASURE_WORDS = "人次|家次|户次|批次|万元|亿元|元|个|家|名|人|位|项|场|次|条|份|件|所|户|册|本|支|批|期|天|小时|届|篇|座|处|套|台|辆|间|张|块|门|种|类|对|起|例|首|部|幅|万|亿"
_ASK_UNIT = re.compile(rf"(?:多少|几|若干)(?:万|千|百|十)?({MEASURE_WORDS})")
# "有多少万元" leaves the token 万元: once the asked unit is known, a unit word is not a
# subject word to look for (in "参与职工 人次" it is all the question says of the unit).
_UNIT_WORD = re.compile(rf"(?:万|千|百|十|亿)?(?:{MEASURE_WORDS})")
_MONEY = re.compile(
    r"多少钱|金额|总额|资金|经费|多少元|花了|花费|投入了?多少|募集|筹集|款|折合|值多少|价值"
)
_PERCENT = re.compile(r"比例|比率|百分之|百分比|占比|[^效]率(?:是|为|有|达)?|多少%|几成")
_COMPARE = re.compile(r"哪[边个里方家]|谁|更多|更少|较多|较少|多还是|少还是|比较")
# "哪边更少": the smaller figure wins the comparison.
_FEWER = re.compile(r"更少|较少|最少|少还是|少一些|更低|较低|最低")
_CHANGE = re.compile(r"变化|增长|增加|减少|提高|上升|下降|从.{0,12}到|由.{0,12}到|到\d{4}年")

# Words that shape a question without naming its subject.
QUESTION_WORDS = frozenset(
    """多少 几 几个 几家 若干 哪边 哪个 哪里 哪家 谁 什么 怎么 怎样 如何 是否 一共 总共 共 共计 合计 总计 累计 有 有没有
    哪些 哪几 哪位 哪一位 哪年 哪一年 哪天 何时 时候 什么时候 为什么 为何 怎么样 是不是 有无 能否 吗 么 哪儿 在哪 何处 呢
    数量 数目 总数 情况 全市 全区 全县 全省 今年 去年 当年 同期 一年 年 年度 年来 更多 更 较 还是 呢 吗 请问 告诉 我 你 其中
    多 少 达到 达 约 大约 大概 大致 差不多 左右 共有 到底 获得 得 了 请 问 查询 一下 是 的 个 地 和 与 及 或 钱 人数 变化 增长 增加 净增 到 涨 上涨 减少 下降 现在 如今 目前 至今 迄今 还有 尚有 仍有 之中 当中 属于 者 数目 一届 本届 这一届 期间 任期""".split()
)


# Words that say what kind of answer is wanted rather than what it is about.
ANSWER_TYPE_WORDS = frozenset(
    """称号 荣誉 名字 名称 标题 叫 叫做 哪家 哪个 哪些 地方 位置 地点 时间 日期 内容 哪里 哪位 人 名单
    主题 意思 含义 定义 具体 分别 哪几项 哪几个 项目""".split()
)


class Question(NamedTuple):
    text: str
    kind: QuestionKind  # what the answer must be: a figure, a person, a list, a passage…
    places: list[str]  # canonical place names, in order of mention
    years: list[int]
    unit: str | None  # measure word the answer should carry, if the question says
    terms: list[str]  # subject words to match against sentences
    focus: dict[str, float]  # terms beside 多少/几 (usually the thing counted) and how close
    figures: list[float]  # values the question itself states: never the answer
    levels: frozenset[str]  # administrative level of the thing asked: 全国劳模 → {"national"}
    tally: frozenset[str]  # running total or new this period: 累计 → {"total"}, 新增 → {"new"}
    modifiers: list[tuple[str, str]]  # (thing, word it qualifies): 妈妈驿站 → ("妈妈", "驿站")
    compare: bool  # "哪边更多": pick the larger figure across places
    change: bool  # "从X年到Y年怎么变化": report the later figure with the earlier as ``from``
    # What the asker rules out: "不要覆盖单位的数", "（不含市级）", "不是人次" → the phrases
    # 覆盖单位, 市级, 人次. They are no subject words, and a figure that names them is not
    # the answer (rag/counted.py).
    excluded: tuple[str, ...] = ()
    # Asks where a change began (原有多少, 增长之前, 由多少…增加到): in "由X增加到Y" the
    # answer is X. The marker words are no subject words.
    earlier: bool = False
    # Asks by how much (增加了多少, 涨了多少, 减少了多少), not to what (增加到多少): where
    # both figures are found the answer reports the difference too.
    amount: bool = False
    # Years a follow-up took from the conversation ("昆山呢" after 苏州2016年…): the asker
    # did not type them, so a report of several years still answers for them.
    thread_years: frozenset[int] = frozenset()
    # The act a question of the rest negates: 没有调解成功的有多少 → 调解成功 (rag/complement.py).
    unmet: str | None = None
    # The other side of 比…多多少: 覆盖的企业比应约企业多多少家 → 应约企业 (rag/than.py).
    than: str | None = None


# 增加了多少 / 多了多少 / 下降了几个: the size of a change; 增加到多少 asks where it ended.
_AMOUNT = re.compile(r"(?:增加|增长|净增|提高|上升|扩大|减少|下降|降低|涨|多|少)了?(?:多少|几)")
_TO = re.compile(r"(?:增加|增长|提高|上升|扩大|发展|减少|下降|降低|涨)(?:到|至)")
# 从多少增加到多少？净增了几家？: the question ends asking the amount
_LAST_AMOUNT = re.compile(r"净增了?(?:多少|几)[^？?]*[？?]?$")


# The measure word a counted noun usually takes, for questions that name the noun
# instead of the unit ("多少职工" → 人, "多少企业" → 家, "多少助学金" → 元).
NOUN_UNITS = {
    "人": """职工 会员 员工 工人 农民工 学员 学生 劳模 工匠 干部 人员 代表 女职工 党员 人才
             律师 专家 志愿者 教师 老师 选手 司机""".split(),
    "家": "企业 单位 公司 商家".split(),
    "元": "钱 资金 经费 金额 工资 助学金 助学款 奖金 补助 补贴 慰问金 款".split(),
}
_ASK_NOUN = re.compile(
    r"(?:多少|几)(?:个|名|位)?[^，,。？?]{0,3}?("
    + "|".join(sorted({n for ns in NOUN_UNITS.values() for n in ns}, key=len, reverse=True))
    + ")"
)


# "会员多少", "会员有多少": the noun can also come just before the question word.
_ASK_NOUN_AT = re.compile(
    "("
    + "|".join(sorted({n for ns in NOUN_UNITS.values() for n in ns}, key=len, reverse=True))
    + ")"
)
_NOUN_ASK = re.compile(
    "("
    + "|".join(sorted({n for ns in NOUN_UNITS.values() for n in ns}, key=len, reverse=True))
    + r")(?:数|人数|总数|总额)?的?(?:有|是|共|一共|总共)?(?:多少|几)"
)


# Honours, model units and plans come at a level: 全国/省/市/区 劳模, 国家级示范点.
# "全市"/"全省" mean "across the city", not a level, and are left out.
# 区域性, 社区, 园区, 市场 and 市民 name no level.
_LEVEL = re.compile(
    r"(全国|国家级|各级|(?<!全)(?:省|市|(?<![社园城景片街])区|县)(?:级)?)(?![域场民])(?=[\u4e00-\u9fff“\"])"
)
_LEVEL_AFTER_PLACE = {"省级", "市级", "区级", "县级"}
_LEVEL_NAMES = {
    "全": "national",
    "国": "national",
    "各": "all",
    "省": "province",
    "市": "city",
    "区": "district",
    "县": "district",
}


# A running total and what was added in the period are different figures, often in one
# sentence: "全年新增立项项目43个,三年累计立项103个"; "已建…918家" is a total too
# ("已建会" is not: it says a union exists).
_TALLY = re.compile(
    r"(累计|已建(?!会)|已有|现有|目前|现在|总数)|新增|新建|净增|新组建|新成立|新招收?|新录取|新吸收"
    r"|(?:全年|年内|当年|今年)(?:共)?(?:建成|建立|组建|发展|有)"
)


def tally(text: str) -> frozenset[str]:
    """Whether ``text`` speaks of a running total ("total"), an addition ("new"), or both."""
    return frozenset("total" if m.group(1) else "new" for m in _TALLY.finditer(text))


def levels(text: str) -> frozenset[str]:
    """Administrative levels named as modifiers in ``text`` (places already removed)."""
    return frozenset(_LEVEL_NAMES[m.group(1)[0]] for m in _LEVEL.finditer(text))


def _person_follows(rest: str) -> bool:
    """The noun after is a person noun too: 多少个困难职工子女 counts children."""
    return bool(re.match(r"(?:子女|孩子|家属|代表|骨干)", rest.strip()))


def _noun_follows(rest: str) -> bool:
    """Another noun continues the phrase (劳模三金, 会员服务卡): it is what is counted, not
    the noun before it; a verb (参赛) does not."""
    from rag.entities import tag  # LAC, loaded on first use

    tokens = [t for t in tag(rest.strip()[:8]) if t.word.strip()] if rest.strip() else []
    nouns = ("n", "nz", "nw")
    if not tokens:
        return False
    return tokens[0].tag in nouns or (
        tokens[0].tag == "vn" and len(tokens) > 1 and tokens[1].tag in nouns
    )


def _names_a_thing(rest: str) -> bool:
    """Whether a noun continues: "几个职工书屋" counts 书屋, "几个职工参加" counts 职工."""
    import jieba.posseg

    word = next(iter(jieba.posseg.cut(rest.strip())), None)
    return word is not None and is_thing_word(word.word)


_PERSON_NOUN = re.compile(r"[\u4e00-\u9fff]{0,8}?(?:员|者|师|劳模)(?![\u4e00-\u9fff])")
_PERSON_DONE = re.compile(
    "(?:" + "|".join(NOUN_UNITS["人"]) + r")[\u4e00-\u9fff]{1,2}了(?:多少|几)个$"
)


_PERSON_VERB_ASK = re.compile(
    "(?:" + "|".join(NOUN_UNITS["人"]) + r")\s*[\u4e00-\u9fff]{1,2}了?(?:多少|几)(?:$|[？?\s])"
)


def expected_unit(text: str) -> str | None:
    """The measure word the answer should carry, if the question reveals it."""
    if re.search(r"(?:多少|几)个人", text):
        return "人"  # "几个人" counts people, not 个
    match = _ASK_UNIT.search(text)
    noun = _ASK_NOUN.search(text)
    if (
        match
        and match.group(1) == "个"
        and noun
        and noun.start(1) - match.end() <= 2  # 多少个困难职工: a qualifier may stand between
        and (not _names_a_thing(text[noun.end(1) :]) or _person_follows(text[noun.end(1) :]))
    ):
        match = None  # "多少个职工" counts people: the noun decides, not 个
    if (
        match
        and match.group(1) == "个"
        and (_PERSON_NOUN.match(text, match.end()) or _PERSON_DONE.search(text, 0, match.end()))
    ):
        return "人"  # 几个工会劳动法律监督员, 省劳模评了几个: people
    before = _NOUN_ASK.search(text)
    if (
        match
        and match.group(1) == "个"
        and before
        and before.group(1) in NOUN_UNITS["人"]
        and before.end() >= match.start() - 1
    ):
        return "人"  # "拿到奖励的职工有几个" counts people too
    if match:
        unit = match.group(1)
        if unit in ("万元", "亿元", "万", "亿"):
            return "元" if "元" in unit else None
        return unit
    if noun and _noun_follows(text[noun.end(1) :]) and not _person_follows(text[noun.end(1) :]):
        # 多少市劳模三金: the money, not the people, is counted; 农民工会员 are people still
        after = _ASK_NOUN_AT.match(text, noun.end(1))
        noun = after if after else None
    noun = noun or before
    if noun:
        return next(unit for unit, nouns in NOUN_UNITS.items() if noun.group(1) in nouns)
    if _PERSON_VERB_ASK.search(text):
        return "人"  # 省劳模 评了多少: people, whatever the measure word the report uses
    if _MONEY.search(text):
        return "元"
    if _PERCENT.search(text):
        return "%"
    if "人数" in text:
        return "人"
    # A query of keywords ends with what it counts: 件数, 项数, 企业数, 企业家次.
    tail = _COUNT_TAIL.search(text)
    if tail:
        return (
            tail.group("unit")
            or tail.group("visits")
            or NOUN_TAIL_UNITS.get(tail.group("noun") or "")
        )
    return None


NOUN_TAIL_UNITS = {"企业": "家", "单位": "家", "职工": "人", "会员": "人"}
_COUNT_TAIL = re.compile(
    r"(?:(?P<unit>[件项户个家场人名所])数|(?P<visits>家次|人次|场次)|(?P<noun>企业|单位|职工|会员)数)"
    r"\s*(?:\d{2,4}年?)?\s*$"
)


_ASK = re.compile(r"多少|几|若干|是多少|有多少|哪")


def focus_terms(text: str, terms: list[str], window: int = 6) -> dict[str, float]:
    """Terms near the question word, with how near: 1.0 touching it, 0.5 within ``window``.

    "送教上门培训了多少人次" asks about 培训 more than about 送教上门.
    """
    spots = [(m.start(), m.end()) for m in _ASK.finditer(text)]
    if not spots:
        spots = [
            (len(text), len(text))
        ]  # keyword questions put the subject last: "江都 职工大讲堂示范点 数量"
    near: dict[str, float] = {}
    for term in terms:
        for found in re.finditer(re.escape(term), text):
            gap = min(min(abs(s - found.end()), abs(found.start() - e)) for s, e in spots)
            if gap <= 2:
                near[term] = 1.0
            elif gap <= window:
                near[term] = max(near.get(term, 0.0), 0.5)
    return near


def modifier_pairs(text: str, terms: list[str]) -> list[tuple[str, str]]:
    """Adjacent subject words where the first names a thing that qualifies the second:
    "妈妈驿站" is a kind of 驿站, "女职工委员会" a kind of 委员会."""
    return [
        (a, b)
        for a, b in adjacent_words(text)
        if a in terms
        and b in terms
        and len(a) >= 2
        and len(b) >= 2
        and is_thing_word(a)
        and b not in MEASURES
    ]


_SOURCE = re.compile(
    r"(?:述职报告|工作报告|报告|讲话|文件|汇编)(?:(?:里|中|上)(?:的|说的|提到的|讲的|所说的)?"
    r"|(?:里|中|上)?(?:提到|说|讲|指出|显示)(?:的|了)?)"
)
# "不要覆盖单位的数", "（不含市级）", "按人头算，不是人次": a phrase the asker rules out, up to
# the end of its clause or to what is wanted instead (不要户数要人数). 是不是 asks; 不算重复
# counts heads (rag/counted.py).
_EXCLUDED = re.compile(
    r"(?:(?<!是)(?:不要|不是|不算|不计|不包括|不含|而非|并非)|(?<=[（(])非)(?!重复)"
    r"(?P<what>[“\"]?[\u4e00-\u9fff\d][\u4e00-\u9fff\d.“”\"]{1,14}?)(?:的数[字目据]?|的|在内)?"
    r"(?=$|[，,。？?！!；;）)\s]|要|而是)"
)


_EARLIER = re.compile(r"原有|原来|原先|起初|最初|当初|(?:增长|增加|提高|上升)的?(?:之前|前|起点)")


# Words between the thing and 多少 that say nothing of the thing (优秀建议大约有多少条):
# out of the way when measuring how near a term stands to the question word.
_FILLER = re.compile(r"大约|大概|大致|差不多|约莫|估计|一共|总共|到底|究竟|请问")


def asides(text: str) -> list[tuple[int, int]]:
    """Where the question rules something out: 不含市级, 不是当年新增."""
    return [m.span() for m in _EXCLUDED.finditer(text)]


def without_asides(text: str) -> str:
    """The question without what it rules out: 三年累计立项多少个（不是当年新增） →
    三年累计立项多少个."""
    return _without(text, asides(text))


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with ``spans`` and the brackets left empty around them taken out."""
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + text[end:]
    return re.sub(r"[（(]\s*[）)]", "", text)


# The report named by its date (2017年1月那份报告, 我说的是2012年述职报告那年): where the
# asker read it. Its words are no subject, and a report of early 2017 reviews 2016.
REPORT_REF = re.compile(
    r"(?:我说的是|指的是)?(?P<year>(?:19|20)\d{2})年(?:\d{1,2}月)?[初底末]?"
    r"(?:的|那份|这份|那次|召开的)?(?:述职|工作)?报告(?:里|中|上)?(?:那年|那一年)?"
)


# A period named by a congress (十四大以来, 第十四次代表大会到第十五次代表大会期间): when,
# like a year, not what is asked about. 第十二次党代会确定了… (no 以来/期间) is a subject.
_CONGRESS = r"第?[一二三四五六七八九十]{1,3}次?(?:代表大会|工代会|党代会|大)"
_EVENT_PERIOD = re.compile(
    rf"(?:从|自)?(?:[区市县]?工会)?{_CONGRESS}(?:召开)?"
    rf"(?:(?:到|至)(?:{_CONGRESS}(?:召开)?|现在|目前|如今)(?:期间|以来|为止)?"
    rf"|以来|期间|之后|召开时|时)"
)


# "据苏州市总工会2017年1月的工作报告，…", "苏州市总工会2017年1月的报告提到，…": a lead
# naming where the asker read it. Its year is kept (REPORT_REF); searching with it would
# look for the report's date rather than for what is asked.
# "…多少人？请照报告的约数表述作答。": how to answer, after the question itself.
_INSTRUCTION = re.compile(r"(?<=[？?。！!])\s*请[^？?]*(?:作答|回答|答复|表述|说明|给出)[^？?]*$")
_SOURCE_LEAD = re.compile(
    r"^(?:据|根据|按照)?[^，,。？?]{0,24}?(?:述职报告|工作报告|报告|讲话)(?:里|中|上)?"
    r"(?:提到|说|讲|指出|显示)?(?:的|了)?[，,：:]\s*"
)


def _from_asked(text: str) -> bool:
    """由多少名增加到283958名 asks the start; 由多少家增加到多少家 asks the change whole."""
    m = re.search(r"[由从]多少", text)
    return bool(m) and not re.search(r"多少|几", text[m.end() :])


# 江苏省十佳文明职工, 江苏省劳动模范, 江苏省“五一”劳动奖章: a province before a title
# names who gives it, not where the asked figure is.
_TITLE_AFTER = re.compile(
    r"[“\"「]?(?:十佳|百佳|文明|劳模|劳动模范|五一|先进|模范|工人先锋号|优秀|工匠|技术能手)"
)
# 苏州大学, 苏州银行: a place that begins an institution's name sets no place to ask of.
_INSTITUTION = re.compile(r"(?:市|区|县)?(?:大学|学院|银行|医院|中学|小学|日报|电视台|晚报)")


def parse_question(text: str) -> Question:
    # 蘇州、會員、幾家、２０１６年 are read as 苏州、会员、几家、2016年: the gazetteer, jieba and
    # the patterns here speak simplified characters, and retrieval embeds and tokenizes
    # ``Question.text``. Quotes and offsets come from the documents, never from here.
    text = plain_question_words(normalize(normalize_script(text)).strip())
    text = _INSTRUCTION.sub("", text) or text
    mentions = find_places(text)
    # "苏州…江苏省文明职工": a province named beside one of its cities qualifies a title
    # rather than setting the place, so it stays a subject word.
    names = [p.name for p in mentions]
    kept = [
        p
        for p in mentions
        if not any(other != p.name and is_within(other, p.name) for other in names)
        and not _INSTITUTION.match(text, p.end)
        and not (p.level == "province" and _TITLE_AFTER.match(text, p.end))
    ]
    places = list(dict.fromkeys(p.name for p in kept))
    turn = None if _COMPARE.search(text) else asked_clause(text)
    if turn:
        # "妈妈驿站 昆山101家，那苏州全市…几个": the place of the asking clause is asked.
        inside = [p.name for p in mentions if turn[0] <= p.start < turn[1]]
        places = list(dict.fromkeys(inside)) or places
    excluded = list(_EXCLUDED.finditer(text))
    ruled_out = [m.span() for m in excluded]  # left out of the focus too
    said = _without(text, ruled_out)  # 三年累计立项多少个（不是当年新增）: what is asked
    # 2016年…（不是2012年）: a year ruled out is no year to look in
    years = parse_years(said)
    # 2012年5.96万家,到2016年达到多少家: a change between the years told and asked
    if turn and not _CHANGE.search(text) and parse_years(text[turn[0] : turn[1]]):
        years = parse_years(text[turn[0] : turn[1]])  # 苏州12年和16年都有… 16年那份是多少
    reports = list(REPORT_REF.finditer(text))
    # A report given in a year's first months reviews the year before: either may be meant.
    report_years = [int(m.group("year")) - 1 for m in reports]
    figures = [f for f in find_figures(text) if f.kind not in ("date", "ordinal")]
    # Subject words come from the text with places, years and stated figures blanked
    # out, so "苏州市" leaves no "州市" behind and "5.96万家" no "万家".
    blanked = list(text)
    # "苏州市级劳模": 苏州 is the place and 市级 the level of the honour.
    place_spans = [
        (p.start, p.end - 1 if text[p.end - 1 : p.end + 1] in _LEVEL_AFTER_PLACE else p.end)
        for p in kept
    ]
    earlier = list(_EARLIER.finditer(text))
    periods = list(_EVENT_PERIOD.finditer(text))
    unsaid = ruled_out + [m.span() for m in earlier + reports + periods]
    for span in place_spans + [(f.start, f.end) for f in figures] + unsaid:
        blanked[span[0] : span[1]] = [" "] * (span[1] - span[0])
    unit = expected_unit(_FILLER.sub("", text))
    # With no 多少 to attach it to ("参与职工 人次"), the unit word is all the question
    # says of the unit: it stays a subject word.
    asks = unit if re.search(r"多少|几|若干", text) else None
    terms = [
        t
        # 评了 is 评: the report says 被评为, never 评了 (建了 has synonyms of its own)
        for t in (
            w[:-1] if len(w) > 1 and w.endswith("了") and len(variants(w)) == 1 else w
            for w in tokenize("".join(blanked))
        )
        if t not in QUESTION_WORDS
        and t != asks
        and not _ASK_UNIT.fullmatch(t)
        and not (asks and _UNIT_WORD.fullmatch(t))
        and not t.isdigit()
    ]
    # 述职报告里的“双满意工会”: where the asker read it, not what is asked about.
    source = _SOURCE.search(text)
    if source:
        terms = [t for t in terms if t not in source.group(0)]
    kind = question_kind(text)
    if kind is not QuestionKind.FIGURE:
        # "获得了什么称号": 称号 names the kind of answer, which the report may not
        # write; a number the asker states ("95人荣获…") marks where the answer is.
        terms = [t for t in terms if t not in ANSWER_TYPE_WORDS]
        # 是不是 / 有没有 ask; their 不是 and 没有 are no subject of the sentence sought.
        asked = {w for pair, w in (("是不是", "不是"), ("有没有", "没有")) if pair in text}
        terms = [t for t in terms if t not in asked]
        terms += [f.text.replace(" ", "") for f in figures if f.kind not in ("year",)]
    terms = list(dict.fromkeys(terms))
    return Question(
        text=_SOURCE_LEAD.sub("", text) or text,
        kind=kind,
        places=places,
        unit=unit,
        terms=terms,
        # "环卫工人（不含公交司机）有多少": the words beside 多少 once the aside is gone
        focus=focus_terms(_FILLER.sub("", said), terms),
        # 16年 is a year the asker typed short, no figure they know
        figures=[
            f.value for f in figures if f.kind != "year" and not _SHORT_YEAR.match(text, f.start)
        ],
        levels=levels("".join(blanked)),
        tally=tally(said),
        modifiers=modifier_pairs(text, terms),
        compare=len(places) >= 2 and bool(_COMPARE.search(text)),
        change=len(years) >= 2
        and bool(_CHANGE.search(text))
        or bool(re.search(r"变化|增长了多少|增加了多少", text)),
        years=years + [y for y in report_years if y not in years],
        excluded=tuple(m.group("what") for m in excluded),
        earlier=bool(earlier) or _from_asked(text),
        amount=bool(_AMOUNT.search(said)) and (not _TO.search(said) or _LAST_AMOUNT.search(said)),
        unmet=unmet(said) or unmet(text),
        than=than(said),
    )


def years_near(question: Question, place: str) -> list[int]:
    """Years written beside ``place`` rather than beside another place of the question.

    In "苏州2016年和无锡比" the year belongs to 苏州; 无锡's figure may be from any year.
    """
    mentions = [
        (p.name, (p.start + p.end) / 2)
        for p in find_places(question.text)
        if p.name in question.places
    ]
    if len({name for name, _ in mentions}) < 2:
        return question.years
    kept = []
    for m in _YEAR.finditer(question.text):
        year, mid = int(m.group(1)), (m.start() + m.end()) / 2
        nearest = min(mentions, key=lambda pm: abs(pm[1] - mid))[0]
        if nearest == place:
            kept.append(year)
    return kept


def asks_fewer(question: Question) -> bool:
    """A comparison asking which place has less ("哪边更少"): the smaller figure wins."""
    return bool(_FEWER.search(question.text))
