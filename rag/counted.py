"""What exactly a figure counts, and whether it is the thing the question asks about.

A figure answers only when the thing it counts is the thing asked. Reports put
neighbouring figures side by side — "申报职工书屋120家，建成85家", "受理劳动争议案件500件，
调解成功450件", "全国劳模3人、全国五一劳动奖章5人" — and each names its thing in the few words
around it: the *counted phrase*, from the verb or modifier before the number to the
measure word and noun after it (the figure's segment, see :data:`SEGMENT_END`).

:func:`asked` reads the question's counted phrase once; :func:`judge` compares it with
each figure's and says how far the figure can be trusted as the answer. A figure is
ruled out (a small factor) when its phrase names

* another **stage** of the same work: applied for / accepted / done (申报 vs 建成,
  受理 vs 调解成功);
* a running total where an addition is asked, or back (累计 vs 新增, 总数 vs 新建);
* another administrative **level** (全国劳模 vs 市劳模);
* another **kind** of quantity (a rate asked, a count found) or a clashing unit
  (人次 counts visits, 人 people);
* another **scope** of the place: the whole city asked, its core counted (全市, 市区);
* another **group**: a broader one (会员 stated, 女职工会员 asked), a narrower or
  other kind of the thing (女职工互助共济会员, 已注册并激活的会员, 各类调解组织, 爱心驿站
  for 妈妈驿站), or the qualifier instead of the qualified (培训女职工 for 女职工会员);
  these checks live in rag/groups.py;
* another **thing** altogether, beside the figure, while the asked one is nowhere in
  the sentence (全国五一劳动奖章 for 全国劳模).

The word classes below (stage verbs, tally words) are general vocabulary of reports,
not tied to any question or document.

Example::

    >>> from rag.question import parse_question
    >>> text = "全市申报职工书屋120家，建成85家。"
    >>> want = asked(parse_question("建成了多少家职工书屋"))
    >>> def factor(number):
    ...     start = text.index(number)
    ...     return judge(want, text, start, start + len(number) + 1, "家").factor
    >>> factor("85") == 1.0, factor("120") < 0.2
    (True, True)
"""

from __future__ import annotations

import re
from typing import NamedTuple

from rag.asked import Asked, asked, honours, level_owners, place_levels, scope, stages
from rag.groups import (
    acts_apart,
    all_kinds,
    counts_another_thing,
    group_clash,
    head_swapped,
    joined_groups,
    named_before_another,
    names_the_whole,
    narrowed_by_clause,
    other_kind,
    qualified_unasked,
    thing_absent,
)
from rag.numbers import find_figures, quantity_kind, unit_family
from rag.parts import (
    another_named_item,
    one_of_joined,
    subset_unasked,
)
from rag.periods import states_per_unit, sums_several_years
from rag.question import levels, tally
from rag.regions import find_places
from rag.sections import section_heading
from rag.sentences import CLAUSE_END, SEGMENT_END, SENTENCE_END, bounds, previous_sentence, unwrap
from rag.synonyms import variants
from rag.tokenization import tokenize

__all__ = ["Asked", "Verdict", "asked", "counts_visits", "judge", "stages", "unit_agreement"]

# Factors: a clash all but rules a figure out; the answer threshold does the rest.
STAGE_CLASH = 0.1
APPLY_UNASKED = 0.1  # no stage asked, the figure counts applications
STAGE_UNSTATED = 0.85  # a stage asked (调解成功), none stated beside the figure: weaker
TALLY_CLASH = 0.1
PLAN_UNASKED = 0.1  # what was done asked (no 计划/目标 said), the figure is a plan
VERB_ELSEWHERE = 0.5  # the act defining the asked thing is the sentence's, not the figure's
TALLY_UNSTATED = 0.2  # an addition asked, the sentence says nothing was added
# What says an addition besides 新增/新建/净增 (rag/question.py's tally words).
_ADDED = re.compile(
    r"新[\u4e00-\u9fff]{0,2}?(?:发展|组建|成立|吸收|建立|入会|培育|创建|招|建|增)|发展|增加|增长|增至|增到|扩大|新"
)
LEVEL_CLASH = 0.1
SCOPE_CLASH = 0.1  # the whole city asked, its core counted (全市 vs 市区), or back
LEVEL_UNSTATED = 0.1  # a national or provincial level asked, the figure's words name none
COMBINED_LEVELS = 0.1  # 全国及省市 counted together, one of them asked
KIND_CLASH = 0.3  # a rate asked, a count or a sum of money found (or back)
OTHER_KIND = 0.3  # the sentence counts another kind of the thing: 爱心驿站 for 妈妈驿站
THING_ABSENT = 0.3  # neither part of the asked "qualifier + thing" in the sentence
OTHER_HEAD = 0.1  # the noun after the figure has another head than the one asked (子女)
GROUP_CLASH = 0.2  # a broader or narrower group, or the qualifier instead of the thing
QUALIFIED = 0.5  # the asked thing with a qualifier the question did not say: some of it
ALONE_CLASH = 0.1  # one group asked apart, the figure counts it with others
EXCLUDED_CLASH = 0.1  # the figure's words name what the asker ruled out (不含市级)
HONOUR_CLASH = 0.1  # the figure counts another honour than the one asked
PLAN_CLASH = 0.1  # what was done asked, the figure is a plan
SPAN_CLASH = 0.1  # one year asked, the figure sums several (五年来…10643户)
PER_UNIT_CLASH = 0.1  # so much per household or head asked, the figure is the total
VISITS = 0.05  # unit agreement of a count of visits (人次, 家次) where heads were asked
# The end of a change, "由X增加到<figure>": a running total, not what was added.
_DONE_RATE = re.compile(r"(?:成功|办结|结案|化解|验收|结项)率")
_CHANGE_TO = re.compile(r"(?:增加|增长|提高|上升|发展|扩大|提升|递增)[到至]\s*$|增至\s*$")
TALLY_REACH = 40  # characters before a figure where 新增/累计 still govern it
LIST_REACH = 40  # characters: items of one list stand this close
AFTER_CHARS = 6  # "85家企业": the noun after the measure word belongs to the phrase

# Units that everyday questions use interchangeably beyond numbers.unit_family:
# "多少起纠纷" of "710件", "多少名" of "12700人", "几个" of "6 家次".
_LOOSE = [
    {"件", "起", "宗", "例"},
    {"人", "名", "位", "人次"},
    {"家", "个", "家次", "所"},
    {"次", "场", "场次", "期", "批"},  # not 人次: people, not events
    {"项", "个", "件", "条", "类", "种"},
]
# "多少人"/"几名"/"人数" asks for people, which a count of person-times (人次) is not;
# "多少农民工" leaves the unit to the noun and takes either.
# A sum asked: a rate (每年组织超200场, 每人1000元) is no answer.
_TOTAL_ASKED = re.compile(r"一共|总共|共计|合计|总计|累计|总额|总数|加起来")
_PLAN_WORDS = re.compile(r"力争|争取|计划|目标|确保|预计|拟|将要")
# An intention reached is no outcome: 3.6万余人达成就业意向 is not 实际实现就业.
_INTENT = re.compile(r"意向|意愿")
_PLAN_HEADING = re.compile(r"任务|安排|计划|思路|目标|打算|展望")


class Verdict(NamedTuple):
    factor: float  # 1.0 when nothing clashes
    clashes: tuple[str, ...]  # which checks failed: "stage", "tally", "level", …

    @property
    def ruled_out(self) -> bool:
        """A clash about the thing itself (not merely its unit or quantity kind)."""
        thing = ("stage", "tally", "level", "group", "excluded", "span", "per_unit")
        return any(c in thing for c in self.clashes)


def counts_visits(want: Asked | str | None, unit: str | None) -> bool:
    """Visits counted where heads were asked: 2081 人次 may be 500 people (多少名干部) or
    fewer households (多少户), 10.5万家次 fewer firms (多少家企业), and 户次 households."""
    asked_unit = want.unit if isinstance(want, Asked) else want
    if not asked_unit or not unit:
        return False
    if isinstance(want, Asked) and want.people and unit == "人次":
        return True
    if asked_unit == "户" and unit == "人次":
        return True  # 为2081人次困难职工发放 for 多少户: visits of people, not households
    return unit in ("家次", "户次") and unit == asked_unit + "次"  # 场次 is 场, not visits


def unit_agreement(want: Asked | str | None, unit: str | None) -> float:
    """1 for the asked unit, less for a compatible one, near 0 for a clash."""
    asked_unit = want.unit if isinstance(want, Asked) else want
    if asked_unit is None:
        return 0.7 if unit else 0.5
    if unit is None:
        return 0.25
    if asked_unit == unit:
        return 1.0
    if unit_family(asked_unit) == unit_family(unit):
        return 0.85
    if counts_visits(want, unit):
        return VISITS
    if any(asked_unit in group and unit in group for group in _LOOSE):
        return 0.6
    return 0.05


def judge(
    want: Asked,
    text: str,
    start: int,
    end: int,
    unit: str | None,
    segment: tuple[int, int] | None = None,
) -> Verdict:
    """How far the figure at ``text[start:end]`` counts the asked thing (see module doc).

    ``segment`` is the figure's own stretch of text (from the previous figure or list
    mark to the next); by default the text between segment marks around it.
    """
    seg_start, seg_end = segment or bounds(text, start, end, SEGMENT_END)
    clause = bounds(text, start, end, CLAUSE_END)
    sent = bounds(text, start, end, SENTENCE_END)
    before = unwrap(text[seg_start:start])
    after = unwrap(text[end : min(seg_end, end + AFTER_CHARS)])
    phrase = before + "|" + after
    sentence = unwrap(text[sent.start : sent.end])
    clause_text = unwrap(text[clause.start : clause.end])
    rest = unwrap(text[end:seg_end])  # the figure's segment after it
    factor, clashes = 1.0, []

    def clash(name: str, by: float) -> None:
        nonlocal factor
        factor *= by
        clashes.append(name)

    if want.stages:
        # The segment's own stage word, else the clause's: in "命名示范单位12家、优秀团队16个"
        # 命名 covers the whole list.
        # or, said in the passive after the thing, the segment's rest: 11条建议被采纳
        passive = rest if "被" in rest else ""
        found = stages(phrase) or stages(text[clause.start : start]) or stages(passive)
        if found and not found & want.stages:
            clash("stage", STAGE_CLASH)
        elif (
            not found
            and "done" in want.stages
            and quantity_kind(unit) == "count"
            and quantity_kind(want.unit) != "percent"
            and _DONE_RATE.search(sentence)
        ):
            # 调解成功了多少件 asked, "调解劳动争议案件2366件，调解成功率93.83%": the count
            # is of cases taken up; the sentence gives success only as a rate.
            clash("stage", STAGE_CLASH)
        elif not found:
            factor *= STAGE_UNSTATED
    elif "apply" in stages(re.sub("提出|征集", "", phrase)):
        # "有多少个职工书屋" asks what exists; "申报120家" counts what was applied for.
        # 提出 and 征集 are how suggestions come to be (提出合理化建议13.9万条 is what was
        # made): a stage only against a later one (提出了多少条建议 asked, 11条建议被采纳).
        clash("stage", APPLY_UNASKED)
    changed_to = bool(_CHANGE_TO.search(text[max(clause.start, start - 6) : start]))
    if want.tally and not (want.amount and changed_to):
        # 净增了多少 asked: "由179584名增加到283958名" gives the change, whatever its tally.
        # "目前全市…9.19万家，其中基层工会2.53万家": a part shares its whole's tally.
        part = unwrap(text[clause.start : start]).lstrip(CLAUSE_END).startswith("其中")
        found = tally(text[max(sent.start if part else clause.start, start - TALLY_REACH) : start])
        if changed_to:
            # "会员由179584名增加到283958名": the figure is where a change ended, the
            # whole membership now; a question about 新增/净增 asks the change.
            found |= {"total"}
        if found and not found & want.tally:
            clash("tally", TALLY_CLASH)
        elif want.tally == {"new"} and not found and not _ADDED.search(text[clause.start : end]):
            # 新增了多少会员 asked; 工会会员349.23万名 is how many there are, no addition.
            clash("tally", TALLY_UNSTATED)
    if want.levels:
        # 我市有1人获评第九届江苏省“十佳文明职工”: an ordinal's level is the noun's after it.
        # Not past the clause: in "5家单位申报全国…示范点，10家单位申报江苏省…" 全国 is 5家's.
        lead = start if text.startswith("第", start) else max(seg_start, clause.start, start - 12)
        by = _level_clash(want.levels, text, lead, seg_end, start, end)
        if by < 1.0:
            clash("level", by)
    owners = level_owners(unwrap(text[clause.start : start])) if want.level_of else frozenset()
    if owners and not owners & want.level_of:
        clash("level", LEVEL_CLASH)  # 苏州市级以上 asked, 昆山市级“职工之家示范点”200家
    if want.honours:  # the honour may stand well after the measure word: 115名江苏省劳动模范
        # 模范职工之家、模范职工小家153家: items joined by 、 with no figure between are
        # all the figure's
        found = honours(_since_figure(text, clause.start, start) + "|" + rest)
        if found and not found & want.honours:
            clash("honour", HONOUR_CLASH)
    if want.compounds and head_swapped(want.compounds, before):
        clash("group", GROUP_CLASH)
    if want.actual and (
        planned(text, start, clause.start) or _INTENT.search(text[end : clause.end])
    ):
        clash("plan", PLAN_CLASH)  # 实际新建了多少 asked, 2017年主要任务: 新建…100个以上
    elif not want.plan and _PLAN_WORDS.search(text[clause.start : start]):
        clash("plan", PLAN_UNASKED)  # 2017年建成了多少个 asked, 力争年内建成100个以上
    if want.scope and scope(text[clause.start : start]) not in (None, want.scope):
        clash("scope", SCOPE_CLASH)  # 全市（含各县级市） asked, 市区…57412人 counts the core
    # a ruled-out honour may stand well after the measure word, as an asked one may
    wide = before + "|" + rest
    if any(
        x in (unit, f"{unit}数") or _names(wide if honours(x) else phrase, x) for x in want.excluded
    ):
        clash("excluded", EXCLUDED_CLASH)  # 省级（不含市级） asked, 省市级“模范职工之家”48家
    if counts_another_thing(want.text, unwrap(text[end : clause.end])):
        clash("thing", OTHER_HEAD)  # 多少个职工服务点 asked, 两个区域性…职工服务中心
    elif quantity_kind(want.unit) in (None, "count") and named_before_another(
        want.head, before, phrase
    ):
        clash("thing", OTHER_HEAD)  # 参赛的班组有多少个 asked, 全市参赛企业11707家
    # The figure's own words, and its clause's lead: a list's leading verb governs it.
    own = before + "|" + rest + "|" + unwrap(text[clause.start : start])
    said = want.verb and any(v in sentence for v in variants(want.verb))
    if said and not any(v in own for v in variants(want.verb)) and acts_apart(clause_text):
        # 要约覆盖的企业 asked: 上级工会为1868家企业代行要约 is another act's count than
        # 覆盖50156家企业 beside it.
        clash("verb", VERB_ELSEWHERE)
    for name, by in _span_and_part(want, text, sent, clause, start, end, before, after):
        clash(name, by)
    if want.sum_of and _one_of_list(text, sent, start, end, unit):
        # 三级劳模“三金”一共 asked, 全国劳模三金68.05万元、省部劳模三金153.66万元、…: one
        # item of a list whose total the report never states
        clash("group", EXCLUDED_CLASH)
    if want.alone and joined_groups(text[clause.start : start]):
        clash("group", ALONE_CLASH)  # 只算劳模 asked, 组织劳模和一线职工疗休养190人次
    asked_kind, kind = quantity_kind(want.unit), quantity_kind(unit)
    if asked_kind and kind and asked_kind != kind:
        clash("kind", KIND_CLASH)
    if want.modifiers:
        context = previous_sentence(text, sent)
        if other_kind(want.modifiers, sentence, context):
            clash("other_kind", OTHER_KIND)
        elif group_clash(
            want.modifiers,
            before,
            after,
            sentence,
            context,
            _near_clauses(text, sent, clause),
        ):
            clash("group", GROUP_CLASH)
        elif narrowed_by_clause(want.modifiers, before, want.text):
            clash("group", GROUP_CLASH)  # 已注册并激活的工会会员达53万人: some of them
        elif all_kinds(want.modifiers, before, want.text):
            clash("group", GROUP_CLASH)  # 企业调解组织 asked, 已建各类调解组织16908个
        elif thing_absent(want.counted, sentence):
            clash("thing", THING_ABSENT)
        elif qualified_unasked(want.modifiers, before, want.text):
            clash("qualified", QUALIFIED)  # 基层工会 asked, 独立基层工会组织4631家
    return Verdict(factor, tuple(clashes))


_TOTAL_SAID = re.compile(r"共|合计|累计|总计|总数|总额|全部")


def _one_of_list(text: str, sent, start: int, end: int, unit: str | None) -> bool:
    """The figure is one item of a list in its sentence (another figure of its unit within
    a few clauses) and its own words say no total."""
    if _TOTAL_SAID.search(_since_figure(text, sent.start, start)):
        return False
    family = unit_family(unit)
    for f in find_figures(text[sent.start : sent.end]):
        at = sent.start + f.start
        if at != start and unit_family(f.unit) == family and abs(at - start) <= LIST_REACH:
            return True
    return False


def _since_figure(text: str, clause_start: int, start: int) -> str:
    """The figure's clause before it, from the previous figure on."""
    lead = text[clause_start:start]
    figures = find_figures(lead)
    return unwrap(lead[figures[-1].end :] if figures else lead)


def _near_clauses(text: str, sent, clause) -> str:
    """The figure's clause and the one before it (深化“安康杯”竞赛活动, 全市参赛企业11707家):
    where a qualifier still governs the figure."""
    lead = text[sent.start : clause.start].rstrip(CLAUSE_END)
    previous = max(lead.rfind(mark) for mark in CLAUSE_END) + 1
    return unwrap(text[sent.start + previous : clause.end])


def _span_and_part(want: Asked, text: str, sent, clause, start: int, end: int, before, after):
    """Clashes of the span a figure covers and the part of a whole it counts (rag/periods.py,
    rag/parts.py): (name, factor) pairs."""
    lead = unwrap(text[clause.start : start])
    rest = unwrap(text[end : clause.end])
    if want.one_year and sums_several_years(text, sent, clause, start):
        yield "span", SPAN_CLASH  # 2017年一年 asked, 五年来,走访慰问…10643户
    if want.per_unit and not states_per_unit(lead, after):
        yield "per_unit", PER_UNIT_CLASH  # 平均每户多少钱 asked, 近3万户、投入资金4000万元
    elif not want.per_unit and _TOTAL_ASKED.search(want.text) and states_per_unit(lead, after):
        yield "per_unit", PER_UNIT_CLASH  # 一共搞了多少场 asked, 坚持每年组织超200场
    own = before + "|" + rest
    # (unless the figure's words name the part too: 其中企业调解组织15258个)
    own_part = [w for w in want.subset if w not in want.premise]
    part_said = any(v in before for w in own_part for v in variants(w))
    if want.whole and names_the_whole(want.whole, before) and not part_said:
        yield "part", GROUP_CLASH  # 涵盖的单位中，基层工会本身 asked, 基层工会涵盖单位9.19万家
    if want.subset and not any(v in own for w in want.subset for v in variants(w)):
        # 会员中女职工有多少 asked, 会员由179584名增加到283958名; 调解组织中企业调解组织有
        # 多少 asked, 已建各类调解组织16908个,其中企业调解组织15258个: the figure's own words.
        # Not a clash of the sentence's key figure: the part asked is often its neighbour.
        yield "part", GROUP_CLASH
    if subset_unasked(want.text, lead, rest):
        yield "group", GROUP_CLASH  # 培训了多少名职工 asked, 其中5000多人晋升成为高技能人才
    sentence = unwrap(text[sent.start : sent.end])
    if one_of_joined(want.text, lead):
        # “温情年夜饭”花了多少 asked, “春节大礼包”、“温情年夜饭”和“爱心购物卡”累计560万元
        yield "group", EXCLUDED_CLASH
    if another_named_item(want.text, sentence, lead):
        yield "group", GROUP_CLASH  # “夏送清凉”花了多少钱 asked, “秋送助学”为…发放95.88万元


def _names(phrase: str, excluded: str) -> bool:
    """The figure's words name what the asker ruled out: the phrase itself, or all of it
    word by word (涵盖单位那个9万多 → 涵盖, 单位); 全国模范职工小家 does not name
    全国模范职工之家, whose 之家 is left over."""
    if any(v in phrase for v in variants(excluded)):
        return True
    words = [w for w in tokenize(excluded) if len(w) >= 2 and not _POINTER.match(w)]
    words = [w for w in words if not any(o != w and o in w for o in words)]  # 全国, 劳模
    found = [w for w in words if any(v in phrase for v in variants(w))]
    if not words or len(found) < len(words):
        return False
    leftover = excluded
    for word in sorted(found, key=len, reverse=True):
        leftover = leftover.replace(word, "")
    return not _LEFTOVER.sub("", leftover)


_POINTER = re.compile(r"^(?:那|这|哪)[个些种]?$|^[\d.]*[万亿千百]?[多余]?$")
# What may stay of a ruled-out phrase once its words are found: pointers, 的, 数.
_LEFTOVER = re.compile(r"(?:那|这|哪)[个些种]?|[\d.万亿千百多余]|的|数")


def planned(text: str, start: int, clause_start: int) -> bool:
    """The figure is a plan: under a heading of tasks for the year (2017年主要任务) or
    in a clause that says 力争/计划/确保."""
    if _PLAN_HEADING.search(section_heading(text, start)):
        return True
    return bool(_PLAN_WORDS.search(text[clause_start:start]))


# Levels named together (全国及省市, 省市级, 市区两级); 市区 alone is the urban area.
_JOINED_LEVELS = re.compile(r"[及和与、]|[省市区县]{2,}级|[两三四]级")


def _level_clash(
    want: frozenset[str], text: str, seg_start: int, seg_end: int, start: int, end: int
) -> float:
    """The factor for the figure's own words naming another administrative level than
    the question, or several together (1.0 when they name the asked one or none)."""
    near = text[max(seg_start, start - 12) : start] + "|" + text[end : min(seg_end, end + 8)]
    # 300名苏州市劳动模范, 26名个人获得江苏省五一劳动奖章: the place's level, read wider
    named = place_levels(
        text[max(seg_start, start - 12) : start] + "|" + text[end : min(seg_end, end + 16)]
    )
    places = find_places(near)
    # 申报江苏省工会职工书屋示范点: a province named is the provincial level
    named |= {"province" for p in places if p.level == "province"}
    for place in places:
        near = near[: place.start] + " " * (place.end - place.start) + near[place.end :]
    found = levels(near) | named
    if not found:
        found = _leading_level(text, start)
    if found and want < found and _JOINED_LEVELS.search(near):
        return COMBINED_LEVELS  # 全国及省市“五一劳动奖章”, 省市级: several levels together
    if "all" in found and "all" not in want:
        return COMBINED_LEVELS  # 全国劳动模范 asked, 涌现各级劳模和先进工作者270名
    if not found and want & {"national", "province"}:
        # 有几家是全国级的 asked, 建成劳模创新工作室43家 names no level: the city's own count
        return LEVEL_UNSTATED
    return LEVEL_CLASH if found and not (found & want) and "all" not in found else 1.0


def _leading_level(text: str, start: int) -> frozenset[str]:
    """The level that leads a list the figure is part of: in 建成全国“模范职工之家”2家、
    “模范职工小家”1家 the 1家 are national too. Only within the clause, and only when
    the items between are figures of one list (apart by 、)."""
    clause = bounds(text, start, start, CLAUSE_END)
    before = text[clause.start : start]
    if "、" not in before:
        return frozenset()
    head = before.split("、")[0]
    for place in find_places(head):
        head = head[: place.start] + " " * (place.end - place.start) + head[place.end :]
    return levels(head)
