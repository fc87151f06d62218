"""What kind of answer a question wants: a figure, a person, a date, a list, a passage…

The kind decides which answerer runs, so a question that asks no figure never gets one.
Rules are on the question's own interrogative words (谁, 什么时候, 有哪些, 是否, 什么是…),
tried from the most specific to the most general.

Example::

    >>> question_kind("江都区总工会主席是谁")
    <QuestionKind.PERSON: 'person'>
    >>> question_kind("苏州2016年职工书屋多少家")
    <QuestionKind.FIGURE: 'figure'>
"""

from __future__ import annotations

import re
from enum import StrEnum


class QuestionKind(StrEnum):
    FIGURE = "figure"  # 多少/几/比例: a number with its unit
    PERSON = "person"  # 谁/哪位: a name, with its post when the text gives one
    DATE = "date"  # 什么时候/哪一年: a date or time
    PLACE = "place"  # 在哪/哪里: a place or venue
    NAME = "name"  # 什么荣誉/称号/活动/品牌/平台: the name of a thing
    LIST = "list"  # 有哪些/包括什么: the items a sentence enumerates
    YESNO = "yesno"  # 是否/有没有/…吗: 是 with the sentence that says so
    DEFINITION = "definition"  # 什么是X / X是什么: the sentences describing X
    DESCRIBE = "describe"  # 怎么/如何/做了什么: the sentences that answer best

    @classmethod
    def parse(cls, value: str) -> QuestionKind:
        try:
            return cls(value.strip().lower())
        except ValueError:
            allowed = ", ".join(k.value for k in cls)
            raise ValueError(f"unknown question kind {value!r}; choose one of: {allowed}") from None

    @property
    def is_passage(self) -> bool:
        """Answered by whole sentences rather than a span inside one."""
        return self in (QuestionKind.DEFINITION, QuestionKind.DESCRIBE)


# Comparisons ("哪边更多", "谁的会员多") ask for figures even though they say 谁/哪.
_COMPARE_FIGURE = re.compile(
    r"(?:哪|谁)[^，。？?]{0,16}(?:多|少|高|低)(?:一些|些|呢)?[？?。！!\s]*$|(?:多|少)还是|更多|更少|较多|较少"
)
_FIGURE = re.compile(
    r"多少|(?<!哪)几(?:个|家|名|位|项|次|场|人|万|千|百|十|成|所|件|户|批|期|座|处|种|类|条|支|天|届|宗|级|起|例|轮|本|册|篇|台|套|站|大)|"
    r"若干|比例|比率|百分之|百分比|占比|[^效]率(?!先)|多大|多高|多长|多久|(?:隔|每)几年|几年一[次届回]|"
    r"数量|数目|人数|总数|总量|金额|人次$|%"
)
_DATE = re.compile(
    r"什么时候|何时|哪天|哪一天|哪日|哪一年|哪年|哪几年|哪个年度|哪一年度|几月|几号|几日|什么时间|何年|"
    r"日期|年份|(?:在|于)?哪个(?:月|时间|时候|年份|日子)|哪个月|几时"
)
_YESNO = re.compile(
    r"是否|有没有|有无|是不是|能不能|能否|可否|会不会|可不可以|对不对|[^什么哪谁多几][吗么][？?。！!\s]*$"
)
# 成立总工会了没有, 都建了总工会没: yes/no when no other question word asks.
_NOT_YET = re.compile(r"(?<![有还])没有?[？?。！!\s]*$")
_WH_WORD = re.compile(r"哪|什么|谁|多少|几|怎么|如何")
# What asks for a number outright; a rate word alone (组建率是不是排在前列) does not.
_ASKS_NUMBER = re.compile(r"多少|(?<!哪)几(?![乎])|若干|百分之几|多大|多高|多长|多久|比例是|占比是")
_NUMERAL = "几两三四五六七八九十百\\d"
_PEOPLE_LIST = re.compile(rf"都有谁|有哪些人|是哪些人|哪些人|哪[{_NUMERAL}]+位|有谁")
_PERSON = re.compile(
    r"是谁|谁|哪位|哪一位|哪个人|何人|姓名|[那这]位[\u4e00-\u9fff]{0,4}叫什么|"
    r"(?:主席|书记|主任|部长|区长|市长|县长|会长|委员|负责人|领导|代表|劳模|工匠|记者|作者)"
    r"(?:是)?(?:叫什么|的名字)"
)
# "包括哪几项", "哪“四比”", "四项职能是什么": a numbered set of things is a list.
_NUMBERED_LIST = re.compile(
    rf"哪[{_NUMERAL}]+|哪[“\"]|(?<![“\"{_NUMERAL}])[{_NUMERAL}]+(?:项|个|大|类|种|方面|条)[\u4e00-\u9fff“”\"]{{0,8}}"
    r"(?:是什么|是哪些|有哪些|包括|指什么|分别)"
)
_DESCRIBE_ASK = re.compile(
    r"怎么|怎样|如何|(?<![誉评称名选])为什么|为何|何以|原因|做了?(?:什么|哪些|些什么)(?!的)|干了(?:什么|哪些)|"
    r"采取了?(?:什么|哪些)|(?:哪些|什么)(?:措施|举措|做法|办法|经验|成效|成绩|不足|问题|困难|变化)"
)
_PLACE = re.compile(
    r"在哪(?:里|儿|个地方)?(?![些份个家种本项])|哪里|哪一?段|哪条|哪座|哪儿|什么地方|何地|何处|地点|地址|位于|在什么(?:地方|位置)|"
    r"哪(?:个|家|所|条|段|一段|座|片)?(?:地方|地区|区域|城区|街道|乡镇|开发区|区|县|市|镇|村|路|省道|国道|公路|大学|学校|"
    r"企业|公司|单位|场馆|基地|园区|医院|银行|机构|学院|三地|几地)"
)
_NAME = re.compile(
    r"叫什么|名字|名称|标题|称号|荣誉|主题是|誉为什么|称为什么|命名为什么|评为了?什么|荣获了?什么|"
    r"获得了?什么|获(?:了)?什么|什么[\u4e00-\u9fff]{1,6}[？?]?$|哪(?:个|家|份|一个|支)"
)
_LIST = re.compile(r"哪些|哪几|都有什么|有什么|包括什么|包含什么|分别是")
_DEFINITION = re.compile(
    r"^(?:请问|请)?(?:什么(?:是|叫)|何为|何谓)|是什么(?:意思)?[？?。！!]*$|指(?:的是)?什么|是指什么|"
    r"[”\"》]是(?:个|一个)?什么|含义|定义|介绍一下|是干什么的|是做什么的"
)
_DESCRIBE = re.compile(r"情况|成效|进展|做法|经验|作用|意义|目的|效果|亮点|特点|主要任务|重点|要求")
# 热线号码是多少 asks for an identifier written with digits, not for a quantity.
_IDENTIFIER = re.compile(r"(?:号码|电话|热线|编号|代码|邮编|账号|网址|门牌号?)(?:是|为)?多少")
# A rate the question states ("建成率达到了100%的地方") is given, not asked.
_STATED_RATE = re.compile(
    r"(?:率|比例|比重)?(?:是不是|是否|有没有|已经|已|都)*(?:达到了?|达|为|是|超过|提高到|上升到)?[\d.]+\s*[%％]"
)
# What a query of keywords ends with when it asks a figure: 件数, 企业数, 建制数, 家次,
# 慰问资金 (a year may follow: 建制数 2016).
_QUANTITY_WORD = re.compile(
    r"(?:建制面|覆盖面|人次|家次|场次|总额|规模|[\u4e00-\u9fff]\s?数|资金|经费|金额|比例|占比|[^效]率)"
    r"\s*(?:\d{2,4}年?)?\s*$"
)


# Spoken question words, read as the written ones the kind patterns know; Cantonese
# written forms too (幾多家, 唔係, 設立咗), once the script is simplified.
_COLLOQUIAL = [
    ("几多", "多少"),
    ("系唔系", "是不是"),
    ("唔系", "不是"),
    ("唔计", "不计"),
    ("唔", "不"),
    ("嘅", "的"),
    ("咗", "了"),
    ("冇", "没有"),
    ("喺", "在"),
    ("边个", "谁"),
    ("乜嘢", "什么"),
    ("点样", "怎样"),
    ("多会儿", "什么时候"),
    ("啥", "什么"),
    ("咋样", "怎么样"),
    ("咋", "怎么"),
    ("哪儿", "哪里"),
]


def plain_question_words(text: str) -> str:
    """叫啥 → 叫什么, 啥时候 → 什么时候, 咋办 → 怎么办, 在哪儿 → 在哪里.

    >>> plain_question_words("苏工惠啥时候上线的")
    '苏工惠什么时候上线的'
    """
    for spoken, written in _COLLOQUIAL:
        text = text.replace(spoken, written)
    return text


def question_kind(text: str) -> QuestionKind:
    """The kind of answer ``text`` asks for.

    A question with no interrogative word ("江都 职工大讲堂示范点 数量") is a figure
    question when it names a quantity, else a request for the passages about it.
    """
    q = plain_question_words(text.strip())
    if _COMPARE_FIGURE.search(q) and not _DATE.search(q):
        return QuestionKind.FIGURE
    if _DATE.search(q):
        return QuestionKind.DATE
    if _IDENTIFIER.search(q):
        return QuestionKind.NAME
    asked = _STATED_RATE.sub("", q)
    yesno = _YESNO.search(q) or (_NOT_YET.search(q) and not _WH_WORD.search(q))
    if yesno and not _ASKS_NUMBER.search(asked):
        return QuestionKind.YESNO
    if _FIGURE.search(asked) or _QUANTITY_WORD.search(asked):
        return QuestionKind.FIGURE
    if _PEOPLE_LIST.search(q):
        return QuestionKind.LIST
    if _PERSON.search(q):
        return QuestionKind.PERSON
    if _NUMBERED_LIST.search(q):
        return QuestionKind.LIST
    if _DESCRIBE_ASK.search(q):
        return QuestionKind.DESCRIBE
    if re.search(r"是干什么的|是做什么的|是什么性质|是什么标准|[”\"》]是?指什么", q):
        return QuestionKind.DEFINITION
    if re.search(r"哪些|哪几", q) and not re.search(r"哪些地方|哪几个地方", q):
        return QuestionKind.LIST
    if _PLACE.search(q):
        return QuestionKind.PLACE
    # "“天佑杯”是什么比赛" asks what the named thing is; "开展的是什么劳动竞赛" its name;
    # "什么是苏工惠" what it is, though 什么 + noun at the end looks like a name question.
    if re.search(r"[”\"》]是(?:个|一个)?什么|^(?:请问)?(?:什么(?:是|叫)|何为|何谓)", q):
        return QuestionKind.DEFINITION
    if _NAME.search(q):
        return QuestionKind.NAME
    if _LIST.search(q):
        return QuestionKind.LIST
    if _DEFINITION.search(q):
        return QuestionKind.DEFINITION
    return QuestionKind.DESCRIBE
