"""What a question counts, read once: the *counted phrase* of the question (its thing,
stage, tally, level, honour, group, unit) that :func:`rag.counted.judge` compares with
each figure's.

The word classes here (stage verbs, honours) are general vocabulary of reports, not
tied to any question or document.

Example::

    >>> from rag.question import parse_question
    >>> want = asked(parse_question("2016年新建了多少家职工书屋"))
    >>> want.unit, sorted(want.tally)
    ('家', ['new'])
    >>> sorted(stages("受理并调解成功"))
    ['accept', 'done']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from rag.groups import ACTORS, asked_head, asking_verb, defining_verb, names_thing, whole_head
from rag.parts import after_premise, asked_part, part_levels, premise_whole
from rag.periods import asks_one_year, asks_per_unit
from rag.question import Question, without_asides
from rag.regions import find_places
from rag.tokenization import tokenize

__all__ = ["HONOURS", "STAGE_WORDS", "Asked", "asked", "honours", "place_levels", "scope", "stages"]

# Stages of one piece of work: what was applied for or put forward, what was accepted
# or taken on, what came out of it. "申报120家，建成85家" are two different counts.
STAGE_WORDS = {
    "apply": "申报 申请 报名 推荐 上报 报送 提名 候选 提交 提出 征集",
    "accept": "受理 接待 接收 收到 登记 调处 立项 开工",
    "join": "参加 参与 参保 加入 入会 参赛 登台",
    "done": "建成 成功 办结 结案 结项 竣工 化解 获批 批准 命名 认定 评为 获评 评选出 入选 验收 挽回 追回 讨回 采纳 "
    "获得 获奖 领到 领取 拿到 受助 得到 处罚 到位",
}
_STAGE = re.compile(
    "|".join(
        f"(?P<{stage}>{'|'.join(sorted(words.split(), key=len, reverse=True))})"
        for stage, words in STAGE_WORDS.items()
    )
)

# Honours a report counts side by side ("全国劳模2名、…66人获…五一劳动奖章"): the count of
# one never answers for another. Longest first, so 十佳文明职工 is not read as 文明职工.
HONOURS = {
    "劳模": "劳动模范 劳模",
    "先进工作者": "先进工作者",
    "奖章": "五一劳动奖章 劳动奖章",
    "奖状": "五一劳动奖状 劳动奖状",
    "先锋号": "工人先锋号",
    "十佳文明职工": "十佳文明职工",
    "百佳文明职工": "百佳文明职工",
    "文明职工": "文明职工",
    "工匠": "工匠",
    "优秀工会工作者": "优秀工会工作者",
    "优秀工会积极分子": "优秀工会积极分子",
    "模范职工之家": "模范职工之家",
    "模范职工小家": "模范职工小家",
}
_HONOUR = re.compile(
    "|".join(sorted((w for ws in HONOURS.values() for w in ws.split()), key=len, reverse=True))
)
_HONOUR_OF = {w: name for name, ws in HONOURS.items() for w in ws.split()}


def honours(text: str) -> frozenset[str]:
    """The honours ``text`` names: 评选产生115名江苏省劳动模范 → {劳模}."""
    return frozenset(_HONOUR_OF[m.group()] for m in _HONOUR.finditer(text))


_ASK_WORD = re.compile(r"多少|几")
_STOCK = re.compile(r"(?:一共|总共|总计|合计|现|现在|目前)有(?:多少|几)|总数|共有|拥有")
# One group counted apart from others the reports count with it.
_ALONE = re.compile(r"不含|不包括|不算(?!重复)|只算|只统计|单独|单列|仅[算指]")
# A total of several items named: 之家+小家, 单独的加上联合的, 三级劳模“三金”一共.
_SUM_OF = re.compile(
    r"[\u4e00-\u9fff”](?:加上|\+|＋)[\u4e00-\u9fff“]"
    r"|[两二三四五六](?:级|类|项|种)[\u4e00-\u9fff“”]{0,10}?(?:一共|总共|合计|共计|总计|加起来|总额|总数)"
)
# Asked for what was done: a plan's figure (力争年内新建100个) does not answer.
_ACTUAL = re.compile(r"实际|已经|最终|到底|真正|完成了|落实了")
# 2017年计划新建多少, 目标是多少, 要达到多少: a plan is what is asked
_ASKS_PLAN = re.compile(
    r"计划|目标|打算|力争|争取|预计|任务|将要|准备|拟|要求|确保|要[新建达完实]|指标|规划"
)
# Heads, not visits: 按人头, 按人数, 不算重复.
_DISTINCT = re.compile(r"按人头|按人数|不算重复|不重复|去重")
_ASKS_PEOPLE = re.compile(r"(?:多少|几)个?(?:人|名|位)(?!次)|人数")


class Asked(NamedTuple):
    """The question's counted phrase, read once per question."""

    unit: str | None
    people: bool  # the question itself says 人/名/位/人数: person-times will not do
    stages: frozenset[str]
    tally: frozenset[str]
    levels: frozenset[str]
    modifiers: tuple[tuple[str, str], ...]  # (qualifier, thing): ("女职工", "会员")
    # The pairs that name what is counted; "组织专场招聘会提供了多少就业岗位" counts
    # 就业岗位, and 专场招聘会 only says where they came from.
    counted: tuple[tuple[str, str], ...] = ()
    honours: frozenset[str] = frozenset()  # 江苏省五一劳动奖章 → {奖章}
    alone: bool = False  # 只算劳模, 不含公交司机: one group apart from the others
    actual: bool = False  # 实际, 已经, 最终: what was done, not what was planned
    plan: bool = False  # 计划, 目标, 力争: a plan is asked
    sum_of: bool = False  # 单独建立加联合建立, 三级劳模三金一共: a total of several items
    level_of: frozenset[str] = frozenset()  # 苏州市级以上 → {苏州}: whose level is asked
    # One-word "qualifier + thing" terms split in two: 困难职工 → (困难, 职工).
    compounds: tuple[tuple[str, str], ...] = ()
    scope: str | None = None  # 全市（含县级市） → "whole", 市区 → "core"
    text: str = ""  # the question as asked
    excluded: tuple[str, ...] = ()  # what the asker rules out: 不含市级 → ("市级",)
    one_year: bool = False  # 2017年一年, 全年: not a sum over several years
    per_unit: bool = False  # 平均每户, 每人, 人均: a rate, not the total
    subset: tuple[str, ...] = ()  # 会员中女职工有多少: the part of the whole asked
    whole: str | None = None  # the head of that whole: 涵盖的单位中，基层工会本身… → 单位
    premise: str = ""  # the whole's words: 基层工会涵盖的单位
    head: str | None = None  # the head noun of what is counted: 班组
    amount: bool = False  # 净增了多少: by how much, which a 由X增加到Y answers
    verb: str | None = None  # the act that defines the counted thing: 要约覆盖的企业 → 覆盖


_ORDER = ("apply", "accept", "done")


def _latest(found: frozenset[str]) -> frozenset[str]:
    """调处成功了多少件 asks those settled: of the stages asked, the furthest along
    (申报, then 受理, then 成功) is what is counted; 参加 stands apart."""
    steps = [s for s in _ORDER if s in found]
    return found - frozenset(steps[:-1])


def stages(text: str) -> frozenset[str]:
    """The stages of work that ``text`` names: "申报" → {"apply"}, "调解成功" → {"done"}."""
    return frozenset(m.lastgroup for m in _STAGE.finditer(text))


def asked(question: Question, known: Callable[[str], bool] | None = None) -> Asked:
    """The question's counted phrase; ``known`` (whether the corpus has a word) keeps only
    the qualifiers documents could state at all — a word no report uses tells nothing."""
    pairs = tuple((m, h) for m, h in question.modifiers if known is None or known(m))
    pairs = _past_actors(pairs)
    ask = _ASK_WORD.search(question.text)
    tail = question.text[ask.end() :] if ask else ""
    # With a noun after 多少 the thing counted is there; otherwise ("女职工会员有多少")
    # it is the phrase before the question word, and every pair may name it.
    if any(names_thing(w) for w in tokenize(tail)):
        counted = tuple((m, h) for m, h in pairs if h in tail)
    else:
        counted = pairs
    said = without_asides(question.text)
    premise = premise_whole(said)
    return Asked(
        unit=question.unit,
        people=(question.unit in ("人", "名", "位") and bool(_ASKS_PEOPLE.search(question.text)))
        or bool(_DISTINCT.search(question.text)),
        stages=_latest(after_premise(said, stages)),
        # 一共有多少 asks how many there are, which an addition (新增17个) does not say.
        tally=question.tally
        or (frozenset({"total"}) if _STOCK.search(question.text) else frozenset()),
        # 省市级职工书屋示范点里，省级的有几个: the level asked is the part's
        levels=part_levels(said) or (question.levels | place_levels(question.text)),
        modifiers=pairs,
        counted=counted,
        honours=honours(question.text),
        alone=bool(_ALONE.search(question.text)),
        actual=bool(_ACTUAL.search(question.text)),
        plan=bool(_ASKS_PLAN.search(question.text)),
        sum_of=bool(_SUM_OF.search(question.text)),
        level_of=level_owners(question.text),
        compounds=_compounds(question.terms),
        scope=scope(question.text),
        text=question.text,
        excluded=question.excluded,
        one_year=asks_one_year(question.text),
        per_unit=asks_per_unit(question.text),
        subset=asked_part(said),
        whole=whole_head(premise),
        premise=premise,
        head=asked_head(question.text),
        amount=question.amount,
        verb=defining_verb(question.text) or asking_verb(question.text),
    )


# The city as a whole, or its core without the county-level cities and counties in it.
_WHOLE = re.compile(r"全市|全区|全县|含[各下辖]*县级?市|含[各下辖]*县")
_CORE = re.compile(r"市区|城区|市本级|本级")


def scope(text: str) -> str | None:
    """Whether ``text`` speaks of the whole area ("whole") or its core ("core")."""
    if _WHOLE.search(text):
        return "whole"
    return "core" if _CORE.search(text) else None


def _past_actors(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """女职工工会会员 reads (女职工, 工会), (工会, 会员); the union is no thing a qualifier
    narrows, so the pair is (女职工, 会员)."""
    out = []
    for i, (m, h) in enumerate(pairs):
        follow = pairs[i + 1] if i + 1 < len(pairs) else None
        if h in ACTORS and follow and follow[0] == h:
            out.append((m, follow[1]))
        else:
            out.append((m, h))
    return tuple(dict.fromkeys(out))


_PLACE_LEVEL = {"省": "province", "市": "city", "区": "district", "县": "district"}


_OWN_LEVEL = re.compile(r"(?:市|省|区|县)?级")


def level_owners(text: str) -> frozenset[str]:
    """Places whose own level ``text`` names: 苏州市级以上 → {苏州}, 昆山市级“…示范点” →
    {昆山}. A level of one city is no level of another."""
    return frozenset(
        p.name
        for p in find_places(text)
        if _OWN_LEVEL.match(text, p.end - 1 if text[p.end - 1] in "市省区县" else p.end)
    )


def place_levels(text: str) -> frozenset[str]:
    """A place right before an honour gives its level: 江苏省五一劳动奖章 is provincial."""
    out = set()
    for place in find_places(text):
        level = _PLACE_LEVEL.get(text[place.end - 1 : place.end])
        at = place.end + (text[place.end : place.end + 1] in '“"「')  # 江苏省“十佳文明职工”
        if level and _HONOUR.match(text, at):
            out.add(level)
    return frozenset(out)


def _compounds(terms: list[str]) -> tuple[tuple[str, str], ...]:
    """Terms that are two other terms joined, a qualifier and a noun: 困难职工."""
    out = []
    for t in terms:
        for k in range(2, len(t) - 1):
            a, b = t[:k], t[k:]
            if a in terms and b in terms and names_thing(b):
                out.append((a, b))
    return tuple(out)
