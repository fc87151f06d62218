"""Editing a question's text: its place and year spans, the thing it asks about.

The follow-up resolver (rag/followup.py) decides *what* changes; this module makes the
change in the previous question's own words, so the result reads like a question a
user would type and parses like one. Words come from LAC (rag/entities.py), whose noun
and modifier tags keep compounds such as 全国劳模 or 模范职工之家 together.

Example::

    >>> with_context("苏州2016年职工书屋多少家", [mention("昆山")], [2012])
    '昆山2012年职工书屋多少家'
    >>> with_subject("江都推荐表彰了多少名全国劳模", "省劳模")
    '江都推荐表彰了多少名省劳模'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from rag.entities import Token, tag
from rag.kinds import QuestionKind, question_kind
from rag.question import _SHORT_YEAR, _YEAR, MEASURE_WORDS, NOUN_UNITS, expected_unit, tally
from rag.regions import find_places, is_within

# Words that ask (or, in keyword questions, name a quantity).
ASKS = re.compile(
    r"多少|几|若干|哪|谁|什么|啥|怎么|怎样|如何|为何|为什么|是否|有没有|有无|是不是|能否|吗|"
    r"比例|比率|占比|多大|多高|多长|多久|何时|何地|何处|数量|数目|人数|总数|总量|金额"
)
# The question phrase, with the measure word a figure question asks in.
ASK_PHRASE = re.compile(
    rf"(?:一共|总共|共计|共有|共|有|是|达到|达)?(?:多少|几|若干)(?:万|千|百|十)?(?P<unit>{MEASURE_WORDS})?"
    r"|(?:是|为)?(?:谁|哪一?位|什么时候|何时|哪一?年|哪里|哪儿|什么|哪些)"
)
CHANGE = re.compile(r"增加|增长|减少|下降|上升|提高|降低|变化|多了|少了|涨了|降了")
_FILLER_WORDS = r"的|有|是|共|一共|总共|共计|达到|达|了|这几年|这些年|这两年|几年来|期间|分别"
_FILLER = re.compile(rf"^(?:{_FILLER_WORDS})+|(?:{_FILLER_WORDS})+$")
# Administrative level of an honour or model unit: 全国劳模 → 省劳模.
_LEVEL = re.compile(r"全国|国家级|各级|(?<![全本该])(?:省|市|区|县)+级?(?=[\u4e00-\u9fff])")
LEVEL_ONLY = re.compile(r"^(?:全国|国家级|各级|(?:省|市|区|县|镇)+级?)$")
_TALLY_WORD = re.compile(r"累计|已建|已有|现有|目前|现在|新增|新建|净增")
_NOMINAL = frozenset({"n", "nz", "nw", "nt", "vn", "an", "a", "ORG"})
_VERB = frozenset({"v", "vd"})
_KIND_TAIL = {
    QuestionKind.FIGURE: "有多少",
    QuestionKind.PERSON: "是谁",
    QuestionKind.DATE: "是什么时候",
    QuestionKind.PLACE: "在哪里",
    QuestionKind.LIST: "有哪些",
    QuestionKind.NAME: "是什么",
}
_SAME_UNIT = ({"人", "名", "位"}, {"家", "个"})


# ------------------------------------------------------------ mentions


class Mention(NamedTuple):
    start: int
    end: int
    text: str  # as written: "昆山市"
    name: str  # canonical: "昆山"


def mention(text: str) -> Mention:
    """A place as a free-standing mention (for building questions in tests and docs)."""
    found = find_places(text)
    return Mention(-1, -1, text, found[0].name if found else text)


def places(text: str) -> list[Mention]:
    """Place mentions that set the question's place (a province beside one of its cities
    qualifies a title instead, as in rag.question.parse_question)."""
    found = find_places(text)
    names = [p.name for p in found]
    return [
        Mention(p.start, p.end, text[p.start : p.end], p.name)
        for p in found
        if not any(other != p.name and is_within(other, p.name) for other in names)
    ]


def years(text: str) -> list[tuple[Mention, int]]:
    """Year mentions (the digits: "2016" of "2016年", "12" of "12年") with their value."""
    out = [
        (Mention(m.start(1), m.end(1), m.group(1), m.group(1)), int(m.group(1)))
        for m in _YEAR.finditer(text)
    ]
    for m in _SHORT_YEAR.finditer(text):
        if not any(s.start <= m.start(1) < s.end for s, _ in out):
            out.append(
                (Mention(m.start(1), m.end(1), m.group(1), m.group(1)), 2000 + int(m.group(1)))
            )
    return sorted(out)


def year_values(text: str) -> list[int]:
    return [y for _, y in years(text)]


def context_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` states its place and year ("2016年" with its 年)."""
    spans = [(p.start, p.end) for p in places(text)]
    spans += [(s.start, s.end + (text[s.end : s.end + 1] == "年")) for s, _ in years(text)]
    return spans


def blank(text: str, spans: Sequence[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def clean(text: str) -> str:
    """Without spaces and the fillers around a subject ("有", "是", "的", "共计", "了")."""
    text = re.sub(r"\s+", "", text)
    for _ in range(3):
        text = _FILLER.sub("", text)
    return text


def ask_phrase(text: str) -> re.Match[str] | None:
    return next((m for m in ASK_PHRASE.finditer(text) if ASKS.search(m.group(0))), None)


def prefix(text: str) -> str:
    """Place and year of a question as a prefix: "苏州2016年"."""
    found, values = places(text), year_values(text)
    return (found[0].text if found else "") + (f"{max(values)}年" if values else "")


def subject_of(text: str) -> str:
    """What a question asks about, without place, year and question phrase:
    "苏州2016年工会会员共计多少人" → "工会会员"."""
    spans = context_spans(text)
    for m in ASK_PHRASE.finditer(text):
        if ASKS.search(m.group(0)):
            # a question phrase with only fillers after it ends the subject
            spans.append((m.start(), len(text) if not clean(text[m.end() :]) else m.end()))
    spans += [(m.start(), m.end()) for m in re.finditer("从|到|由", text)]
    return clean(CHANGE.sub("", blank(text, spans)))


def without_context(text: str) -> str:
    return re.sub(r"\s+", "", blank(text, context_spans(text)))


# ------------------------------------------------------- place and year


def with_context(previous: str, new_places: Sequence[Mention], new_years: Sequence[int]) -> str:
    """``previous`` with ``new_places`` and ``new_years`` in place of its own (inserted
    after its place, or at the start, when it has none)."""
    text = previous
    if new_years:
        spans = years(text)
        new = str(new_years[-1])
        if spans:
            span = spans[-1][0]  # in "从2012年到2016年", the later year is the one asked
            text = text[: span.start] + new + text[span.end :]
        else:
            found = places(text)
            at = found[0].end if found else 0
            text = text[:at] + new + "年" + text[at:]
    if new_places:
        mentions = places(text)
        new = "和".join(p.text for p in new_places)
        if mentions:
            first = mentions[0]
            for m in reversed(mentions[1:]):  # a comparison's other place goes too
                start = m.start - 1 if text[m.start - 1 : m.start] in "和与、及" else m.start
                text = text[:start] + text[m.end :]
            text = text[: first.start] + new + text[first.end :]
        else:
            text = new + text
    return text


# ------------------------------------------------------------- subject


class Run(NamedTuple):
    """Neighbouring noun-like words of a question: a thing it names, with its modifiers."""

    start: int
    end: int
    tokens: tuple[Token, ...]


def runs(text: str) -> tuple[list[Run], tuple[int, int] | None]:
    """Noun runs of ``text`` outside its place and year, and the span of its question phrase."""
    context = context_spans(text)
    ask = ask_phrase(text)
    ask_span = (ask.start(), ask.end()) if ask else None
    out: list[Run] = []
    current: list[Token] = []
    tokens = tag(text)
    for i, t in enumerate(tokens):
        inside = any(s < t.end and t.start < e for s, e in context)
        in_ask = ask_span is not None and ask_span[0] < t.end and t.start < ask_span[1]
        nominal = t.tag in _NOMINAL or t.tag == "LOC"  # a LOC outside the place: 江苏省 of a title
        if t.word == "之" and current:  # 模范职工之家
            nominal = True
        if t.tag == "TIME" and not re.search(r"\d", t.word):  # 五一 of 全国五一劳动奖章
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            nominal = nxt is not None and nxt.tag in _NOMINAL
        if nominal and not inside and not in_ask:
            current.append(t)
            continue
        if current:
            out.append(Run(current[0].start, current[-1].end, tuple(current)))
        current = []
    if current:
        out.append(Run(current[0].start, current[-1].end, tuple(current)))
    return out, ask_span


def focus(found: Sequence[Run], ask: tuple[int, int] | None) -> Run | None:
    """The run the question phrase counts: the nearest one, after it on a tie."""
    if not found:
        return None
    if ask is None:
        return found[-1]

    def distance(run: Run) -> tuple[int, int]:
        if run.start >= ask[1]:
            return (run.start - ask[1], 0)
        return (max(0, ask[0] - run.end), 1)

    return min(found, key=distance)


def with_subject(base: str, subject: str, core: str = "", narrow: bool = False) -> str:
    """``base`` about ``subject`` instead of its own thing: the same head with another
    modifier or level, a part of it (``narrow``), a sibling, or another thing asked
    afresh at the same place and year. ``core`` is the follow-up as written, for its
    own predicate ("覆盖多少法人单位") or question phrase ("有多少")."""
    core = core or subject
    found, ask = runs(base)
    head = focus(found, ask)
    base_unit = expected_unit(base)
    words = list(tag(subject))

    # 三年累计 after 新增: a running total instead of an addition (or the reverse)
    if tally(subject) and (m := _TALLY_WORD.search(base)):
        end = m.end()
        if "建" in subject:  # 新建 after 累计建成: 新建 says both, so 建成 goes too
            verb = next((t for t in tag(base) if t.start == end and t.tag in _VERB), None)
            end = verb.end if verb else end
        return base[: m.start()] + subject + base[end:]
    # 省级 after 市级, 江苏省 after 全国: another level of the same honour
    if LEVEL_ONLY.match(subject) or _is_place_level(subject, base):
        spot = _level_span(base)
        if spot:
            return base[: spot[0]] + subject + base[spot[1] :]
        if head:
            return base[: head.start] + subject + base[head.start :]
    # 省劳模 after 全国劳模, 企业调解组织 after 调解组织: the same head, another modifier
    shared = _shared_head(base, subject)
    if shared:
        # 企业调解组织 after 各类调解组织 is one kind of them, no longer every kind
        start = shared[0] - (2 if re.search(r"(?:各类|各种|各式|所有)$", base[: shared[0]]) else 0)
        return base[:start] + subject + base[shared[1] :]
    if ASKS.search(core) and _has_verb(core) and not tally(subject):
        # a predicate of its own ("覆盖多少法人单位"): asked at the previous place and year
        return prefix(base) + without_context(core)
    # 其中女职工 / 独立的 / 特困: a part of the previous thing, named before it
    if head and (narrow or all(t.tag in ("a", "an", "b") for t in words)):
        return base[: head.start] + subject + base[head.start :]
    # 参赛职工 after 参赛企业, 模范职工小家 after 全国模范职工之家: keep what precedes
    if len(words) >= 2:
        for run in found:
            at = next((t for t in run.tokens if t.word == words[0].word), None)
            if at is not None:
                return _drop_unit(base[: at.start] + subject + base[run.end :], base_unit, subject)
    # 小家 after 之家: another head of the same kind
    if head and len(subject) >= 2 and base[head.start : head.end].endswith(subject[-1]):
        return base[: head.end - len(subject)] + subject + base[head.end :]
    # 公交司机 after 环卫工人: a sibling counted alike takes its place in the question
    if head and _same_unit(_unit_of(subject), base_unit):
        return base[: head.start] + subject + base[head.end :]
    # another thing altogether ("会员呢" after 基层工会): asked afresh at that place and year
    own = ask_phrase(core)
    tail = own.group(0) if own else _KIND_TAIL.get(question_kind(base), "有多少")
    return prefix(base) + subject + tail


def _is_place_level(subject: str, base: str) -> bool:
    """ "江苏省" after a 苏州 question: a province above the question's place is a level."""
    found = find_places(subject)
    whole = bool(found) and found[0].start == 0 and found[0].end == len(subject)
    return whole and any(
        is_within(p.name, found[0].name) and p.name != found[0].name for p in places(base)
    )


def _level_span(base: str) -> tuple[int, int] | None:
    """Where ``base`` states a level: 全国, 市级 … or a province above its place."""
    own = {p.name for p in places(base)}
    spots = [(m.start(), m.end()) for m in _LEVEL.finditer(blank(base, context_spans(base)))]
    spots += [(p.start, p.end) for p in find_places(base) if p.name not in own]
    return min(spots, default=None)


def _has_verb(core: str) -> bool:
    """Whether the follow-up says what was done ("覆盖多少法人单位"), not only a thing."""
    skip = context_spans(core) + [(m.start(), m.end()) for m in ASK_PHRASE.finditer(core)]
    return any(
        t.tag in _VERB
        and t.word not in ("有", "是")
        and not any(s < t.end and t.start < e for s, e in skip)
        for t in tag(core)
    )


def _shared_head(base: str, subject: str) -> tuple[int, int] | None:
    """Span of ``base`` to replace when ``subject`` ends like a thing ``base`` names: the
    longest shared ending (two characters or more) that starts on a word, ends a noun
    run, and sits outside the place and year; the run's modifiers before it go too."""
    tokens = list(tag(base))
    context = context_spans(base)

    def outside(t: Token) -> bool:
        return not any(s < t.end and t.start < e for s, e in context)

    best = None
    for i, t in enumerate(tokens):
        if not outside(t):
            continue
        for j in range(i, len(tokens)):
            piece = base[t.start : tokens[j].end]
            nxt = tokens[j + 1] if j + 1 < len(tokens) else None
            ends_run = nxt is None or nxt.tag not in _NOMINAL
            longer = best is None or len(piece) > best[2]
            if len(piece) >= 2 and subject.endswith(piece) and ends_run and longer:
                best = (i, tokens[j].end, len(piece))
    if best is None:
        return None
    i, end, _ = best
    while i > 0 and tokens[i - 1].tag in _NOMINAL and outside(tokens[i - 1]):
        i -= 1  # 全国 of 全国劳模 goes with it
    return tokens[i].start, end


def _unit_of(text: str) -> str | None:
    """The unit a thing is counted in, from the noun it ends with: 参赛职工 → 人."""
    for unit, nouns in NOUN_UNITS.items():
        if any(text.endswith(n) for n in nouns):
            return unit
    return None


def _same_unit(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and (a == b or any({a, b} <= g for g in _SAME_UNIT))


def _drop_unit(text: str, old_unit: str | None, subject: str) -> str:
    """ "有多少家" → "有多少" when the new thing is counted in another unit."""
    new_unit = _unit_of(subject)
    if new_unit is None or old_unit is None or _same_unit(new_unit, old_unit):
        return text
    ask = next((m for m in ASK_PHRASE.finditer(text) if m.group("unit")), None)
    if ask is None:
        return text
    return text[: ask.start("unit")] + text[ask.end("unit") :]
