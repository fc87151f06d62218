"""The part of a whole that a question or a figure speaks of.

Three ways a report or a question narrows a whole down to a part:

* the question starts from a whole and asks a part of it: "五年征集的合理化建议中，被采纳的
  有多少" (the stage after 中 is the one asked), "会员中女职工有多少" (the thing after 中
  must be what the figure counts);
* a figure after 其中 counts those of the whole that did what its clause says
  (其中1162项获得国家专利), which answers only a question that says so;
* a sentence lists named items (“春送岗位”…,“夏送清凉”…,“秋送助学”…): a figure under one
  name does not answer for another.

Example::

    >>> asked_part("会员中女职工有多少名"), asked_part("五年中会员增加到多少名")
    (('女职工',), ())
    >>> subset_unasked("培训了多少名职工", "其中", "晋升成为高技能人才")
    True
    >>> sentence = "“夏送清凉”慰问一线职工8309人次,“秋送助学”为809人次困难职工子女发放助学金"
    >>> another_named_item("“夏送清凉”花了多少钱", sentence, "“秋送助学”为809人次困难职工子女发放助学金")
    True
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rag.groups import names_thing
from rag.numbers import LABEL_KINDS, Figure, find_figures
from rag.sentences import unwrap
from rag.tokenization import tokenize
from rag.told import _SHORT_YEAR

__all__ = ["after_premise", "another_named_item", "asked_part", "subset_unasked"]

# "…中，" before the question word: what comes before is the whole the asker starts from.
# (五年中, 五年里 say when, not of what.)
_PREMISE = re.compile(
    r"(?:(?<![年月天期])(?:当中|之中|中)|(?<![这那哪家城心屋年月天期])里)[，,]?(?=[^，,]*(?:多少|几))"
)
_ASK_WORD = re.compile(r"多少|几")
_QUOTED = re.compile(r"[“\"]([^”\"]{2,12})[”\"]")


def after_premise(text: str, read: Callable[[str], frozenset[str]]) -> frozenset[str]:
    """``read`` (e.g. the stages named) of what the question asks after its premise, or of
    the whole question when the part after the premise names none."""
    premises = list(_PREMISE.finditer(text))
    if premises and (after := read(text[premises[-1].end() :])):
        return after
    return read(text)


def part_levels(text: str) -> frozenset[str]:
    """The levels the part after a premise names: 省市级职工书屋示范点里，省级的有几个 →
    {province}; empty without a premise or a level after it."""
    from rag.question import levels  # rag.question reads this module's premises

    premises = list(_PREMISE.finditer(text))
    return levels(text[premises[-1].end() :]) if premises else frozenset()


def asked_part(text: str) -> tuple[str, ...]:
    """The thing asked within the premise's whole: 会员中女职工有多少 → (女职工,)."""
    premises = list(_PREMISE.finditer(text))
    ask = _ASK_WORD.search(text, premises[-1].end()) if premises else None
    if ask is None:
        return ()
    words = [
        w
        for w in tokenize(text[premises[-1].end() : ask.start()])
        if len(w) >= 2 and names_thing(w)
    ]
    return tuple(w for w in words if not any(w != o and w in o for o in words))


def premise_whole(text: str) -> str:
    """The premise's words (…涵盖的单位中，基层工会本身有多少 → …涵盖的单位): the whole the
    asked part is taken from; "" without a premise or a part asked after it."""
    premises = list(_PREMISE.finditer(text))
    if not premises or not asked_part(text):
        return ""
    return re.split(r"[，,。；;]", text[: premises[-1].start()])[-1]


_WHOLE_AFTER = re.compile(r"[^，,。？?！!\s]{0,10}?(?:(?:里|中|当中|之中)(?:[，,\s]|有)|[，,]其中)")


def known_wholes(question: str) -> list[Figure]:
    """Figures the asker states as the whole they ask a part of: 那98家500强里，有几家…
    → [the figure 98家]. The report's sentence that holds it is the one asked about."""
    found = []
    for f in find_figures(question):
        # 苏州16年里: a year typed short, no whole
        short_year = _SHORT_YEAR.match(question, f.start)
        if f.kind not in LABEL_KINDS and not short_year and _WHOLE_AFTER.match(question, f.end):
            found.append(f)
    return found


def subset_unasked(question: str, lead: str, rest: str) -> bool:
    """A figure after 其中 counts those of the whole that did what the rest of its clause
    says (其中1162项获得国家专利); a question that says little of it asks the whole."""
    if "其中" not in lead:
        return False
    words = [w for w in tokenize(unwrap(rest)) if len(w) >= 2]
    return bool(words) and sum(w in question for w in words) < len(words) / 2


# Quoted names side by side, joined by nothing, 、, 和, 及 or 与 only: “扬州工匠”“龙川工匠”.
_JOINED_NAMES = re.compile(
    r"[“\"][^”\"]{2,12}[”\"](?:\s*(?:、|和|及|与)?\s*[“\"][^”\"]{2,12}[”\"])+"
)


_LINK = re.compile(r"(?:累计|合计|共计|总计|共|计|达|等)*")


def one_of_joined(question: str, lead: str) -> bool:
    """The question asks one of several quoted items the figure counts together
    ("“春节大礼包”、“温情年夜饭”和“爱心购物卡”累计560万元" for 温情年夜饭 alone)."""
    for m in _JOINED_NAMES.finditer(lead):
        names = _QUOTED.findall(m.group())
        asked = [n for n in names if n in question]
        between = lead[m.end() :].strip("，,；; 、|")
        if asked and len(asked) < len(names) and _LINK.fullmatch(between):
            return True
    return False


def another_named_item(question: str, sentence: str, lead: str) -> bool:
    """The question names one of the sentence's quoted items, and the figure's clause opens
    under another name: the figure belongs to that one."""
    if not any(n in question for n in _QUOTED.findall(sentence)):
        return False
    own = _QUOTED.findall(lead)
    return bool(own) and not any(n in question for n in own)
