"""What the service says when the documents do not hold the answer, in words that fit
the question: a person asked is not "该数字".

Example::

    >>> not_found_message(parse_question("无锡市总工会主席是谁"))
    '文档中没有找到“无锡市总工会主席”的姓名。请换个说法，或确认所问的内容在已收录的文档范围内。'
"""

from __future__ import annotations

import re

from rag.kinds import QuestionKind
from rag.numbers import format_figure
from rag.question import Question

FIGURE = "未在文档中找到该数字。请换个说法，或确认地区和年份是否在已收录的文档范围内。"
COMPARE = "未能在文档中同时找到两边的数字，无法比较。"
RESTATE = "请换个说法，或确认所问的内容在已收录的文档范围内。"
EMPTY = "问题里没有可以查找的文字，请输入一个完整的问题。"
# The documents are Chinese and answers are spans of them: an English question matches
# nothing reliably, so it is not guessed at.
IN_CHINESE = "目前只支持中文提问，请用中文提出问题，例如：“2016年建成了多少家职工书屋”。"

# What is missing, by kind: "文档中没有找到<subject>的<thing>".
_THING = {
    QuestionKind.PERSON: "姓名",
    QuestionKind.DATE: "时间",
    QuestionKind.PLACE: "地点",
    QuestionKind.NAME: "名称",
    QuestionKind.LIST: "具体列举",
    QuestionKind.DEFINITION: "说明",
    QuestionKind.DESCRIBE: "相关内容",
}
# Interrogative tails that do not belong to the subject ("江都区总工会主席是谁").
_TAIL = re.compile(
    r"(?:是谁|叫什么名字|叫什么|是哪位|有哪些|都有哪些|包括哪些|包括什么|是什么时候|什么时候|"
    r"是哪一年|哪一年|哪年|在哪里|在哪儿|在哪|是什么|指什么|是否|有没有|是不是|怎么样|如何|怎样)?"
    r"[^\u4e00-\u9fffA-Za-z0-9“”《》]*$"
)
_HEAD = re.compile(r"^(?:请问|请|什么是|什么叫|何为|何谓|介绍一下)")


def subject(text: str) -> str:
    """The question without its interrogative words and final punctuation."""
    core = _HEAD.sub("", text.strip())
    core = _TAIL.sub("", core).strip()
    return core or text.strip()


def not_found_message(question: Question) -> str:
    """A Chinese sentence saying what was not found, shaped by the question's kind."""
    kind = question.kind
    if not any(c.isalnum() for c in question.text):
        return EMPTY
    if kind is QuestionKind.FIGURE:
        return COMPARE if question.compare else FIGURE
    text = question.text.strip().rstrip("？?。！! ")
    if kind is QuestionKind.YESNO:
        return f"文档中没有提到“{text}”，无法回答是或否。{RESTATE}"
    return f"文档中没有找到“{subject(text)}”的{_THING[kind]}。{RESTATE}"


def year_not_broken_out(region: str | None, start: int, end: int, year: int) -> str:
    """The not-found note for a year a report of several years does not break out."""
    return (
        f"{region or ''}的报告涵盖{start}–{end}年，没有单列{year}年的数字；"
        f"下面是最接近的原文，可去掉年份再问。"
    )


def corrected(wrong: str, right: str) -> str:
    """The note on an answer to a question with a likely typo corrected (rag/typos.py)."""
    return f"文档中没有“{wrong}”一词，已按“{right}”查找。"


def compare_line(answer) -> str:
    """The outcome of a comparison in words: "昆山更多", "江都更少", or "两地相同".

    ``answer.compared`` lists the winner first (see the pipeline's comparison).
    """
    first, second = answer.compared[0], answer.compared[1]
    if answer.winner is None:
        return "两地数字相同"
    return f"{answer.winner}{'更多' if first.value > second.value else '更少'}"


def rest_line(answer) -> str:
    """The rest of a whole, in words, for a question of 没有…的有多少: "其余 103件"."""
    return f"其余 {answer.rest:g}{answer.unit or ''}"


def whole_line(answer) -> str:
    """The whole and the part the rest was taken from: "共 1424件，其中 1321件"."""
    return f"共 {format_figure(answer.from_, answer.unit)}，其中 {answer.text}"


def change_line(answer) -> str:
    """By how much, in words, for a question of 增加了多少: "增加 2218家", "减少 103件";
    of 比…多多少: "比应约企业多 652家"."""
    if answer.compared_to:
        grew = f"比{answer.compared_to}{'多' if answer.change >= 0 else '少'}"
    else:
        grew = "增加" if answer.change >= 0 else "减少"
    return f"{grew} {abs(answer.change):g}{answer.unit or ''}"
