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
_COMPARE_FIGURE = re.compile(r"(?:哪|谁).{0,12}(?:多|少|高|低|大|小)(?!少)|(?:多|少)还是")
_FIGURE = re.compile(
    r"多少|几(?:个|家|名|位|项|次|场|人|万|千|百|十|成|所|件|户|批|期|座|处|种|类|条|支|天|年(?!级))|"
    r"若干|比例|比率|百分之|百分比|占比|[^效]率|多大|多高|多长|多久|"
    r"数量|数目|人数|总数|总量|金额|规模|人次$|%"
)
_DATE = re.compile(
    r"什么时候|何时|哪天|哪一天|哪日|哪一年|哪年|几月|几号|几日|什么时间|何年|日期|"
    r"(?:在|于)?哪个(?:月|时间|时候|年份|日子)|哪个月|多会儿|几时"
)
_PERSON = re.compile(
    r"是谁|谁是|谁(?!的)|哪位|哪一位|哪个人|哪些人|何人|叫什么名字|姓名|名字叫|(?:的)?名字是什么"
)
_PLACE = re.compile(
    r"在哪(?:里|儿|个地方)?|哪里|哪儿|什么地方|何地|何处|哪个地方|地点|地址|位于|在什么(?:地方|位置)"
)
_NAME = re.compile(
    r"什么(?:荣誉|称号|奖项|奖|称谓|头衔|名称|名字|品牌|平台|活动|项目|工程|计划|行动|机制|制度|"
    r"组织|机构|单位|企业|公司|会议|赛事|竞赛|比赛|节目|栏目|服务|载体|主题|口号|标准|文件|荣誉称号)|"
    r"哪(?:个|项|些)?(?:荣誉|称号|奖项|奖|品牌|平台|会议)|叫什么|名称是|称号是|荣获了?什么|获得了?什么|"
    r"获(?:了)?什么|评为什么|被评为"
)
_LIST = re.compile(
    r"(?:有|包括|包含|涵盖|分为|含)(?:了)?哪些|哪几|都有什么|包括什么|包含什么|分别是|哪些"
)
_DESCRIBE = re.compile(
    r"怎么|怎样|如何|为什么|为何|何以|原因|做了(?:什么|哪些|些什么)|干了(?:什么|哪些)|"
    r"(?:采取|开展|推出|实施|落实|进行)了?(?:什么|哪些)|(?:哪些|什么)(?:措施|举措|做法|办法|工作|经验|成效|成绩|成果|方面)|"
    r"情况|成效|进展|做法|经验|作用|意义|目的|效果|亮点|特点|主要任务|重点|要求"
)
_DEFINITION = re.compile(
    r"^(?:请问|请)?(?:什么(?:是|叫)|何为|何谓)|是什么(?:意思|东西)?[？?。！!]*$|指(?:的是)?什么|是指什么|"
    r"是(?:个|一个)?什么(?:样的)?(?:东西|平台|组织|机构|活动|项目|载体)?[？?。！!]*$|含义|定义|介绍一下|是干什么的|是做什么的"
)
_YESNO = re.compile(
    r"是否|有没有|有无|是不是|能不能|能否|可否|会不会|可不可以|有木有|对不对|"
    r"[^什么哪谁多几][吗么][？?。！!\s]*$"
)


def question_kind(text: str) -> QuestionKind:
    """The kind of answer ``text`` asks for; a question with no interrogative words
    ("江都 职工大讲堂示范点 数量") is a figure question when it names a quantity, else
    a request for passages."""
    q = text.strip()
    if _COMPARE_FIGURE.search(q) and not _DATE.search(q) and not _NAME.search(q):
        return QuestionKind.FIGURE
    if _DATE.search(q):
        return QuestionKind.DATE
    if _YESNO.search(q) and not _FIGURE.search(q):
        return QuestionKind.YESNO
    if _FIGURE.search(q):
        return QuestionKind.FIGURE
    if _PERSON.search(q):
        return QuestionKind.PERSON
    if _PLACE.search(q):
        return QuestionKind.PLACE
    if _NAME.search(q):
        return QuestionKind.NAME
    if _DESCRIBE.search(q):
        return QuestionKind.DESCRIBE
    if _LIST.search(q):
        return QuestionKind.LIST
    if _DEFINITION.search(q):
        return QuestionKind.DEFINITION
    return QuestionKind.DESCRIBE
