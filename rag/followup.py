"""Follow-up questions: turn "那2012年呢？" into the standalone question it stands for.

No LLM: the new question is compared with the previous standalone question's parse
(places, years, subject, question kind) and that question's *text* is rewritten
(rag/rewrite.py) — its place or year replaced, its subject narrowed or swapped, or it is
recast as a change or comparison question. The result is an ordinary question the
pipeline answers, and the user is shown it ("按“苏州2012年职工书屋多少家”查找").

What the new question leaves out is carried over; what it states replaces:

* a place or year only ("昆山呢", "那2012年呢", "上一年呢") → the previous question
  with that place or year;
* a thing ("省劳模呢", "其中企业调解组织呢", "会员呢") → the previous question about it
  (a shared head word or a level swapped, 其中 narrowing, another thing asked afresh);
* a predicate of its own ("覆盖多少法人单位") → asked at the previous place and year;
* "增加了多少" / "比上一年多了多少" → a change question over the years of the thread;
* "哪边多" → a comparison of the places of the last turns;
* "他/她" → the person the previous turn asked about (its answer) or named.

A question that stands on its own (place, subject and question word, no pronoun) ignores
the history. A follow-up the history cannot complete ("那个呢", or "他是谁" with no
person before it) is flagged so the user is asked to restate it.

Example::

    >>> resolve("那2012年呢？", ["苏州2016年职工书屋多少家"])
    Resolution(text='苏州2012年职工书屋多少家', carried=True, needs_restate=False)
    >>> resolve("那个呢", []).needs_restate
    True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from rag import rewrite as rw
from rag.entities import entities
from rag.kinds import QuestionKind, question_kind
from rag.question import REPORT_REF, asides
from rag.regions import is_within, lookup
from rag.tokenization import normalize

MAX_HISTORY = 10

RESTATE = (
    "这个问题需要接着前面的对话才能理解，但没能确定它指的是什么。"
    "请把问题说完整，例如“苏州2016年职工书屋多少家”。"
)


class Turn(NamedTuple):
    """One earlier turn: what was asked and, if the client sends it, the answer shown."""

    question: str
    answer: str | None = None


class Resolution(NamedTuple):
    text: str  # the standalone question to answer
    carried: bool  # something came from the history (text differs from the question)
    needs_restate: bool  # a follow-up the history cannot complete


_LEAD = re.compile(
    r"^(?:那么|那(?![个些样里儿年时天位名])|还有|另外|此外|请问|再问一下|再问|同样|其中)+"
)
_TRAIL = re.compile(r"(?:的呢|呢|啊|吧|呀)?[？?。！!，,、\s]*$")
_PUNCT = re.compile(r"[？?。！!，,、\s]+$")
# The time the thread has covered: "这几年增加了多少" asks over the years asked so far.
_THREAD_TIME = re.compile(r"这几年|这些年|这两年|几年来|前后|期间")
# 其他 (other) is no 他 (he): "（不含其他类型调解组织）" refers to nobody.
_PRONOUN = re.compile(r"(?<![其吉])(?:他们|她们|他|她)|此人|这个人|这位|该同志")
_RELATIVE_YEAR = {
    -1: re.compile(r"上一年|前一年|上年|头一年"),
    1: re.compile(r"下一年|后一年|次年|第二年"),
    0: re.compile(r"同年|当年|那一年|这一年|那年"),
}
_FEWER = re.compile(r"减少|下降|降低|少了|降了")
_COMPARE = re.compile(r"(?:哪[边个里方家]?|谁)(?:的)?(?:更|比较)?(?:多|少|高|低|大|小)|更多|更少")
_EMPTY = frozenset(
    {"", "那个", "这个", "那些", "这些", "这", "那", "其他", "别的", "它", "它们", "其", "此"}
)


class Frame(NamedTuple):
    """An earlier turn, resolved."""

    text: str
    answer: str | None


class Parts(NamedTuple):
    """What a follow-up says, its markers stripped."""

    core: str
    places: list[rw.Mention]  # places that set the question's place
    levels: list[rw.Mention]  # a province used as a level: 江苏省 of "江苏省的呢" after 苏州
    years: list[int]
    subject: str  # the rest, without places, years, question phrase and fillers
    asks: bool


def _strip(question: str) -> tuple[str, bool, bool, bool]:
    """The question without its follow-up markers: (core, narrow, marked, modifier).
    ``narrow``: it began with 其中; ``modifier``: it ended in 的 ("省级的呢")."""
    text = normalize(question).strip()
    lead = _LEAD.match(text)
    core = text[lead.end() :] if lead else text
    trail = _TRAIL.search(core)
    modifier = bool(trail and trail.group(0).startswith("的呢"))
    core = _THREAD_TIME.sub("", core[: trail.start()] if trail else core)
    if core.endswith("的") and not rw.ASKS.search(core):
        core, modifier = core[:-1], True
    marked = bool(lead) or _PUNCT.sub("", text).endswith("呢")
    return core, bool(lead and "其中" in lead.group(0)), marked, modifier


def _parts(core: str, previous: str | None = None) -> Parts:
    above = {p.name for p in rw.places(previous)} if previous else set()
    places, levels = [], []
    for p in rw.places(core):
        place = lookup(p.name)
        province = place is not None and place.level == "province"
        if province and any(is_within(q, p.name) and q != p.name for q in above):
            levels.append(p)  # 江苏省 of a 苏州 question is the honour's level, not a place
        else:
            places.append(p)
    found = rw.years(core)
    spans = [(p.start, p.end) for p in places + levels]
    spans += [(y.start, y.end + (core[y.end : y.end + 1] == "年")) for y, _ in found]
    ask = rw.ask_phrase(core)
    if ask:
        spans.append((ask.start(), ask.end()))
    subject = rw.clean(rw.blank(core, spans))
    return Parts(
        core=core,
        places=places,
        levels=levels,
        years=[y for _, y in found],
        subject="" if subject in _EMPTY else subject,
        asks=bool(rw.ASKS.search(core)),
    )


# ----------------------------------------------------------- entry point


def resolve(
    question: str,
    history: Sequence[str | Turn],
    answer_of: Callable[[str], str | None] | None = None,
) -> Resolution:
    """Resolve ``question`` against earlier turns (oldest first; the last
    :data:`MAX_HISTORY` are used). ``answer_of(question)`` gives the answer text of an
    earlier standalone question whose turn did not carry one; it is called only for a
    pronoun ("他") after a question that asked for a person.
    """
    frames: list[Frame] = []
    for turn in list(history)[-MAX_HISTORY:]:
        turn = turn if isinstance(turn, Turn) else Turn(str(turn))
        if not turn.question.strip():
            continue
        res = _resolve(turn.question, frames, answer_of)
        if not res.needs_restate:
            frames.append(Frame(_PUNCT.sub("", normalize(res.text).strip()), turn.answer))
    return _resolve(question, frames, answer_of)


def _relative_year(core: str) -> tuple[int, re.Match] | None:
    """The first year said relative to the last turn (上一年 → -1), outside a report's
    name and outside an aside the question rules out."""
    taken = [m.span() for m in REPORT_REF.finditer(core)] + asides(core)
    for delta, rx in _RELATIVE_YEAR.items():
        for m in rx.finditer(core):
            if not any(a <= m.start() < b for a, b in taken):
                return delta, m
    return None


def _resolve(question: str, frames: list[Frame], answer_of) -> Resolution:
    text = question.strip()
    core, narrow, marked, modifier = _strip(text)
    last = frames[-1].text if frames else None
    parts = _parts(core, last)
    pronoun = _PRONOUN.search(core)
    # "我说的是2012年述职报告那年" names the report, not a year relative to the last turn;
    # nor does an aside it rules out ("（不是当年新增）"), nor 当年 beside a year of its own
    # ("2015年…当年新增立项多少个": that same year).
    relative = _relative_year(core)
    if relative and relative[0] == 0 and parts.years:
        relative = None
    change = bool(rw.CHANGE.search(core))
    own_subject = (
        _parts(rw.CHANGE.sub(" ", core)).subject.replace("比", "") if change else parts.subject
    )
    needs_context = bool(
        pronoun
        or relative
        or narrow
        or not rw.clean(own_subject)
        or parts.levels
        or (not parts.asks and marked)
    )
    if not needs_context and (parts.places or not frames):
        return Resolution(text, False, False)
    if last is None:
        return _restate(text)

    if pronoun:
        name = _person(frames, answer_of)
        if name is None:
            return _restate(text)
        core = core[: pronoun.start()] + name + core[pronoun.end() :]
        if parts.asks:
            return _done(text, core)  # "他是哪一年当选的": about that person, no place needed
        parts = _parts(core, last)
    if relative:
        base_years = rw.year_values(last)
        if not base_years:
            return _restate(text)
        delta, m = relative
        core = core[: m.start()] + f"{max(base_years) + delta}年" + core[m.end() :]
        parts = _parts(core, last)
    if change and not rw.clean(_parts(rw.CHANGE.sub(" ", core)).subject.replace("比", "")):
        return _done(text, _as_change(core, parts, frames))
    if _COMPARE.search(core) and not rw.clean(_COMPARE.sub("", parts.subject)):
        rebuilt = _as_compare(core, frames)
        return _done(text, rebuilt) if rebuilt else _restate(text)
    base = rw.with_context(last, parts.places, parts.years)
    if not parts.subject and not parts.levels:
        if base == last and not (parts.places or parts.years):
            return _restate(text)  # "那个呢": nothing to change, nothing to ask
        return _done(text, base)
    subject = "".join(p.text for p in parts.levels) + parts.subject
    return _done(text, rw.with_subject(base, subject, core, narrow or modifier))


def _restate(text: str) -> Resolution:
    return Resolution(text, False, True)


def _done(question: str, resolved: str) -> Resolution:
    resolved = _PUNCT.sub("", resolved)
    same = re.sub(r"\W", "", resolved) == re.sub(r"\W", "", question)
    return Resolution(question if same else resolved, not same, False)


def _person(frames: Sequence[Frame], answer_of) -> str | None:
    """The person a pronoun points back to: the answer of a question that asked for one,
    else a name the question itself gave."""
    for frame in reversed(frames):
        if question_kind(frame.text) == QuestionKind.PERSON:
            answer = frame.answer
            if answer is None and answer_of is not None:
                answer = answer_of(frame.text)
            names = entities(answer, "PER") if answer else []
            if names:
                return names[0].word
        names = entities(frame.text, "PER")
        if names:
            return names[0].word
    return None


def _as_change(core: str, parts: Parts, frames: Sequence[Frame]) -> str:
    """ "增加了多少" after "苏州2016年…" and "苏州2012年…": "苏州…从2012年到2016年增加了多少"."""
    last = frames[-1].text
    subject = rw.subject_of(last)
    place_names = [p.text for p in parts.places] or [p.text for p in rw.places(last)][:1]
    found = set(parts.years) | set(rw.year_values(last))
    if not parts.years:
        for frame in reversed(frames[:-1]):  # the other year of the same thing, asked before
            if len(found) >= 2:
                break
            same_place = [p.text for p in rw.places(frame.text)][:1] == place_names
            if same_place and rw.subject_of(frame.text) == subject:
                found |= set(rw.year_values(frame.text))
    verb = "减少" if _FEWER.search(core) else "增加"
    place = "和".join(place_names)
    if len(found) >= 2:
        ordered = sorted(found)
        return f"{place}{subject}从{ordered[0]}年到{ordered[-1]}年{verb}了多少"
    year = f"{found.pop()}年" if found else ""
    return f"{place}{year}{subject}{verb}了多少"


def _as_compare(core: str, frames: Sequence[Frame]) -> str | None:
    """ "哪边多" after questions about two places: "A和B…哪边多"."""
    last = frames[-1].text
    here = rw.places(last)
    if not here:
        return None
    other = next(
        (
            f.text
            for f in reversed(frames[:-1])
            if (there := rw.places(f.text)) and there[0].name != here[0].name
        ),
        None,
    )
    if other is None:
        return None
    phrase = core[_COMPARE.search(core).start() :]
    return f"{rw.prefix(last)}和{rw.prefix(other)}{rw.subject_of(last)}{phrase}"
