"""Follow-up questions: turn "那2012年呢？" into the standalone question it stands for.

No LLM: the new question is compared with the previous standalone question's parse
(places, years, subject words, question kind) and that question's *text* is rewritten —
its place or year span replaced, its subject narrowed or swapped, or it is recast as a
change or comparison question. The result is an ordinary question the pipeline answers,
and the user is shown it ("按“苏州2012年职工书屋多少家”查找").

What the new question leaves out is carried over; what it states replaces:

* place or year only ("昆山呢", "那2012年呢", "上一年呢") → the previous question with
  that place or year;
* a thing ("省劳模呢", "其中企业调解组织呢", "会员呢") → the previous question with its
  subject narrowed (a shared head word, a level, 其中) or swapped;
* a predicate of its own ("覆盖多少法人单位") → that predicate at the previous place/year;
* "增加了多少" / "比上一年多了多少" → a change question over the years of the thread;
* "哪边多" → a comparison of the places of the last turns;
* "他/她" → the person the previous turn asked about or named.

A question that stands on its own (place, subject and question word, no pronoun) ignores
the history. A follow-up the history cannot complete ("那个呢", or "他是谁" with no
person before) asks the user to restate it.

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

from rag.entities import Token, entities, tag
from rag.kinds import QuestionKind, question_kind
from rag.question import _SHORT_YEAR, _YEAR, MEASURE_WORDS, NOUN_UNITS, expected_unit, tally
from rag.regions import find_places, is_within, lookup
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


# ---------------------------------------------------------------- patterns

_LEAD = re.compile(
    r"^(?:那么|那(?![个些样里儿年时天位名])|还有|另外|此外|请问|再问一下|再问|同样|其中)+"
)
_TRAIL = re.compile(r"(?:的呢|呢|啊|吧|呀)?[？?。！!，,、\s]*$")
_PUNCT = re.compile(r"[？?。！!，,、\s]+$")
# Spans of time the thread has covered: "这几年增加了多少" asks over the years asked.
_THREAD_TIME = re.compile(r"这几年|这些年|这两年|几年来|前后|期间")
_PRONOUN = re.compile(r"他们|她们|他|她|此人|这个人|这位|该同志")
_RELATIVE_YEAR = {
    -1: re.compile(r"上一年|前一年|上年|头一年"),
    1: re.compile(r"下一年|后一年|次年|第二年"),
    0: re.compile(r"同年|当年|那一年|这一年|那年"),
}
_CHANGE = re.compile(r"增加|增长|减少|下降|上升|提高|降低|变化|多了|少了|涨了|降了")
_FEWER = re.compile(r"减少|下降|降低|少了|降了")
_COMPARE = re.compile(r"(?:哪[边个里方家]?|谁)(?:的)?(?:更|比较)?(?:多|少|高|低|大|小)|更多|更少")
# Words that ask (or, in keyword questions, name a quantity) — the question's own kind.
_ASKS = re.compile(
    r"多少|几|若干|哪|谁|什么|啥|怎么|怎样|如何|为何|为什么|是否|有没有|有无|是不是|能否|吗|"
    r"比例|比率|占比|多大|多高|多长|多久|何时|何地|何处|数量|数目|人数|总数|总量|金额"
)
# The question phrase of a figure question, with the measure word it asks in.
_ASK_PHRASE = re.compile(
    rf"(?:一共|总共|共计|共有|共|有|是|达到|达)?(?:多少|几|若干)(?:万|千|百|十)?(?P<unit>{MEASURE_WORDS})?"
    r"|(?:是|为)?(?:谁|哪一?位|什么时候|何时|哪一?年|哪里|哪儿|什么|哪些)"
)
_FILLER = re.compile(
    r"^(?:的|有|是|共|一共|总共|共计|达到|达|了|这几年|这些年|这两年|几年来|期间|分别)+"
    r"|(?:的|有|是|共|一共|总共|共计|达到|达|了|这几年|这些年|这两年|几年来|期间|分别)+$"
)
# Administrative level of an honour or model unit: 全国劳模 → 省劳模.
_LEVEL = re.compile(r"全国|国家级|各级|(?<![全本该])(?:省|市|区|县)+级?(?=[\u4e00-\u9fff])")
_LEVEL_ONLY = re.compile(r"^(?:全国|国家级|各级|(?:省|市|区|县|镇)+级?)$")
_NOMINAL = frozenset({"n", "nz", "nw", "nt", "vn", "an", "a", "ORG"})
_VERB = frozenset({"v", "vd"})
_EMPTY = frozenset(
    {"", "那个", "这个", "那些", "这些", "这", "那", "其他", "别的", "它", "它们", "其", "此"}
)
_KIND_TAIL = {
    QuestionKind.FIGURE: "有多少",
    QuestionKind.PERSON: "是谁",
    QuestionKind.DATE: "是什么时候",
    QuestionKind.PLACE: "在哪里",
    QuestionKind.LIST: "有哪些",
    QuestionKind.NAME: "是什么",
}


# ------------------------------------------------------------------ parts


class Frame(NamedTuple):
    """A resolved earlier turn."""

    text: str
    answer: str | None


class Span(NamedTuple):
    start: int
    end: int
    text: str


def _places(text: str) -> list[Span]:
    """Place mentions that set the question's place (a province beside one of its cities
    qualifies a title instead, as in parse_question)."""
    found = find_places(text)
    names = [p.name for p in found]
    return [
        Span(p.start, p.end, text[p.start : p.end])
        for p in found
        if not any(other != p.name and is_within(other, p.name) for other in names)
    ]


def _years(text: str) -> list[tuple[Span, int]]:
    """Year mentions with their value: the digits' span ("2016" of "2016年")."""
    out = [(Span(m.start(1), m.end(1), m.group(1)), int(m.group(1))) for m in _YEAR.finditer(text)]
    for m in _SHORT_YEAR.finditer(text):
        if not any(s.start <= m.start(1) < s.end for s, _ in out):
            out.append((Span(m.start(1), m.end(1), m.group(1)), 2000 + int(m.group(1))))
    return sorted(out)


def _blank(text: str, spans: Sequence[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _clean(text: str) -> str:
    text = re.sub(r"\s+", "", text)
    for _ in range(3):
        text = _FILLER.sub("", text)
    return text


def _strip(question: str) -> tuple[str, bool, bool, bool]:
    """The question without its follow-up markers: (core, narrow, marked, modifier) —
    modifier: it ended in 的 ("省级的呢"), naming a kind of the previous thing."""
    text = normalize(question).strip()
    lead = _LEAD.match(text)
    core = text[lead.end() :] if lead else text
    trail = _TRAIL.search(core)
    modifier = bool(trail and trail.group(0).startswith("的呢"))
    core = _THREAD_TIME.sub("", core[: trail.start()] if trail else core)
    if core.endswith("的") and not _ASKS.search(core):
        core, modifier = core[:-1], True
    ne = _PUNCT.sub("", text).endswith("呢")
    return core, bool(lead and "其中" in lead.group(0)), bool(lead) or ne, modifier


class Parts(NamedTuple):
    """What a question (or a follow-up's core) says."""

    core: str
    places: list[Span]  # places that set the question's place
    levels: list[Span]  # places used as a level: 江苏省 of "江苏省的呢" after a 苏州 question
    years: list[int]
    subject: str  # the rest, without places, years, question phrase and fillers
    asks: bool
    ask_text: str  # the question phrase as written ("有多少", "是谁"), "" if none


def _parts(core: str, context_places: Sequence[str] = ()) -> Parts:
    places, levels = [], []
    for p in _places(core):
        place = lookup(p.text)
        province = place is not None and place.level == "province"
        if province and any(is_within(q, p.text) and q != p.text for q in context_places):
            levels.append(p)  # "江苏省的呢" after a 苏州 question: a level, not a place
        else:
            places.append(p)
    years = _years(core)
    ask = _ASK_PHRASE.search(core)
    spans = [(p.start, p.end) for p in places + levels] + [(s.start, s.end) for s, _ in years]
    spans += [(m.start(), m.end()) for m in re.finditer(r"(?<=\d)年", core)]
    if ask and _ASKS.search(ask.group(0)):
        spans.append((ask.start(), ask.end()))
    subject = _clean(_blank(core, spans))
    return Parts(
        core=core,
        places=places,
        levels=levels,
        years=[y for _, y in years],
        subject="" if subject in _EMPTY else subject,
        asks=bool(_ASKS.search(core)),
        ask_text=ask.group(0) if ask and _ASKS.search(ask.group(0)) else "",
    )


# ----------------------------------------------------------- entry point


def resolve(
    question: str,
    history: Sequence[str | Turn],
    answer_of: Callable[[str], str | None] | None = None,
) -> Resolution:
    """Resolve ``question`` against earlier turns (oldest first, at most :data:`MAX_HISTORY`
    used). ``answer_of(question)`` gives the answer text of an earlier standalone question
    when the turn did not carry one; it is only called for a pronoun ("他") after a
    question that asked for a person.
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


def _resolve(question: str, frames: list[Frame], answer_of) -> Resolution:
    text = normalize(question).strip()
    core, narrow, marked, modifier = _strip(text)
    last = frames[-1].text if frames else None
    parts = _parts(core, [p.text for p in _places(last)] if last else ())
    pronoun = _PRONOUN.search(core)
    relative = next(((d, m) for d, rx in _RELATIVE_YEAR.items() if (m := rx.search(core))), None)
    change = bool(_CHANGE.search(core))
    compare = bool(_COMPARE.search(core))
    needs_context = bool(
        pronoun
        or relative
        or narrow
        or not parts.subject
        or parts.levels
        or (not parts.asks and marked)
    )
    if not needs_context and (parts.places or not frames):
        return Resolution(text, False, False)
    if not frames:
        return _restate(text)

    if pronoun:
        name = _person(frames, answer_of)
        if name is None:
            return _restate(text)
        core = core[: pronoun.start()] + name + core[pronoun.end() :]
        if parts.asks:
            return _done(text, core)
        parts = _parts(core)
    if relative:
        base = _years_of(last)
        if not base:
            return _restate(text)
        delta, m = relative
        core = core[: m.start()] + f"{max(base) + delta}年" + core[m.end() :]
        parts = _parts(core, [p.text for p in _places(last)])
    subject = _clean(_parts(_CHANGE.sub(" ", core)).subject.replace("比", "")) if change else ""
    if change and not subject:
        return _done(text, _as_change(core, parts, frames))
    if compare and not _clean(_COMPARE.sub("", parts.subject)):
        rebuilt = _as_compare(core, frames)
        return _done(text, rebuilt) if rebuilt else _restate(text)
    base = _with_context(last, parts)
    if not parts.subject and not parts.levels:
        if base == last and not (parts.places or parts.years):
            return _restate(text)  # "那个呢": nothing to change, nothing to ask
        return _done(text, base)
    return _done(text, _with_subject(base, parts, narrow or modifier, core))


def _restate(text: str) -> Resolution:
    return Resolution(text, False, True)


def _done(question: str, resolved: str) -> Resolution:
    resolved = _PUNCT.sub("", resolved)
    same = re.sub(r"\W", "", resolved) == re.sub(r"\W", "", question)
    return Resolution(question if same else resolved, not same, False)


# --------------------------------------------------------- place and year


def _years_of(text: str) -> list[int]:
    return [y for _, y in _years(text)]


def _prefix(text: str) -> str:
    """Place and year of a question as a prefix: "苏州2016年"."""
    places = _places(text)
    years = _years_of(text)
    return (places[0].text if places else "") + (f"{max(years)}年" if years else "")


def _with_context(previous: str, parts: Parts) -> str:
    """``previous`` with the places and years ``parts`` state put in place of its own."""
    text = previous
    if parts.years:
        spans = _years(text)
        new = str(parts.years[-1])
        if spans:
            span = spans[-1][0]  # in "从2012年到2016年", the later year is the one asked
            text = text[: span.start] + new + text[span.end :]
        else:
            places = _places(text)
            at = places[0].end if places else 0
            text = text[:at] + new + "年" + text[at:]
    if parts.places:
        mentions = _places(text)
        new = "和".join(p.text for p in parts.places)
        if mentions:
            first = mentions[0]
            for m in reversed(mentions[1:]):  # a comparison's other place goes too
                start = m.start - 1 if text[m.start - 1 : m.start] in "和与、及" else m.start
                text = text[:start] + text[m.end :]
            text = text[: first.start] + new + text[first.end :]
        else:
            text = new + text
    return text


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


# ----------------------------------------------------------- change, compare


def _subject_of(text: str) -> str:
    """What a question asks about, without place, year and question phrase:
    "苏州2016年工会会员共计多少人" → "工会会员"."""
    spans = [(p.start, p.end) for p in _places(text)]
    spans += [(s.start, s.end + (text[s.end : s.end + 1] == "年")) for s, _ in _years(text)]
    for m in _ASK_PHRASE.finditer(text):
        if _ASKS.search(m.group(0)):
            rest = text[m.end() :]
            # a question phrase with only fillers after it ends the subject
            spans.append((m.start(), len(text) if not _clean(rest) else m.end()))
    spans += [(m.start(), m.end()) for m in re.finditer("从|到|由", text)]
    return _clean(_CHANGE.sub("", _blank(text, spans)))


def _as_change(core: str, parts: Parts, frames: Sequence[Frame]) -> str:
    """ "增加了多少" after "苏州2016年…" and "苏州2012年…": 苏州…从2012年到2016年增加了多少."""
    last = frames[-1].text
    subject = _subject_of(last)
    places = [p.text for p in parts.places] or [p.text for p in _places(last)][:1]
    years = set(parts.years) | set(_years_of(last))
    if not parts.years:
        for frame in reversed(frames[:-1]):  # the other year of the same thing, asked before
            if len(years) >= 2:
                break
            if (
                _subject_of(frame.text) == subject
                and [p.text for p in _places(frame.text)][:1] == places
            ):
                years |= set(_years_of(frame.text))
    verb = "减少" if _FEWER.search(core) else "增加"
    place = "和".join(places)
    if len(years) >= 2:
        ordered = sorted(years)
        return f"{place}{subject}从{ordered[0]}年到{ordered[-1]}年{verb}了多少"
    year = f"{years.pop()}年" if years else ""
    return f"{place}{year}{subject}{verb}了多少"


def _as_compare(core: str, frames: Sequence[Frame]) -> str | None:
    """ "哪边多" after questions about two places: "A和B…哪边多"."""
    last = frames[-1].text
    places = _places(last)
    if not places:
        return None
    other = next(
        (
            f.text
            for f in reversed(frames[:-1])
            if (ps := _places(f.text)) and ps[0].text != places[0].text
        ),
        None,
    )
    if other is None:
        return None
    phrase = _COMPARE.search(core).group(0)
    phrase = core[core.find(phrase) :] if phrase in core else phrase
    return f"{_prefix(last)}和{_prefix(other)}{_subject_of(last)}{phrase}"


# ----------------------------------------------------------------- subject


class Run(NamedTuple):
    """Neighbouring noun-like words of a question: a thing it names, with its modifiers."""

    start: int
    end: int
    tokens: tuple[Token, ...]


def _runs(text: str) -> tuple[list[Run], tuple[int, int] | None]:
    """Noun runs of ``text`` outside its place and year, and the span of its question phrase."""
    context = [(p.start, p.end) for p in _places(text)]
    context += [(s.start, s.end + 1) for s, _ in _years(text)]
    ask = next((m for m in _ASK_PHRASE.finditer(text) if _ASKS.search(m.group(0))), None)
    ask_span = (ask.start(), ask.end()) if ask else None
    runs: list[Run] = []
    current: list[Token] = []
    tokens = tag(text)
    for i, t in enumerate(tokens):
        inside = any(s < t.end and t.start < e for s, e in context)
        in_ask = ask_span is not None and ask_span[0] < t.end and t.start < ask_span[1]
        nominal = t.tag in _NOMINAL or (t.tag == "LOC" and not inside)
        if t.word == "之" and current:  # 模范职工之家
            nominal = True
        if t.tag == "TIME" and not re.search(r"\d", t.word):  # 全国五一劳动奖章
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            nominal = nxt is not None and nxt.tag in _NOMINAL
        if nominal and not inside and not in_ask:
            current.append(t)
            continue
        if current:
            runs.append(Run(current[0].start, current[-1].end, tuple(current)))
        current = []
    if current:
        runs.append(Run(current[0].start, current[-1].end, tuple(current)))
    return runs, ask_span


def _focus(runs: Sequence[Run], ask: tuple[int, int] | None) -> Run | None:
    """The run the question phrase counts: the nearest one, after it on a tie."""
    if not runs:
        return None
    if ask is None:
        return runs[-1]

    def distance(run: Run) -> tuple[int, int]:
        if run.start >= ask[1]:
            return (run.start - ask[1], 0)
        return (max(0, ask[0] - run.end), 1)

    return min(runs, key=distance)


def _unit_of(text: str) -> str | None:
    """The unit a thing is counted in, from the noun it ends with: 参赛职工 → 人."""
    for unit, nouns in NOUN_UNITS.items():
        if any(text.endswith(n) for n in nouns):
            return unit
    return None


_SAME_UNIT = ({"人", "名", "位"}, {"家", "个"})


def _same_unit(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and (a == b or any({a, b} <= g for g in _SAME_UNIT))


def _with_subject(base: str, parts: Parts, narrow: bool, core: str) -> str:
    """``base`` about the thing ``parts`` names: narrowed, re-levelled, or swapped."""
    subject = "".join(p.text for p in parts.levels) + parts.subject
    runs, ask = _runs(base)
    focus = _focus(runs, ask)
    base_unit = expected_unit(base)

    # 三年累计 after 新增: a running total instead of an addition (or the reverse)
    if tally(subject):
        m = re.search(r"累计|已建|已有|现有|目前|现在|新增|新建|净增", base)
        if m:
            return base[: m.start()] + subject + base[m.end() :]
    # 省级 after 市级, 江苏省 after 全国: another level of the same honour
    if parts.levels or _LEVEL_ONLY.match(subject):
        blanked = _blank(base, [(p.start, p.end) for p in _places(base)])
        ancestors = [
            t for t in tag(base) if t.tag == "LOC" and t.word not in {p.text for p in _places(base)}
        ]
        level = next(iter(_LEVEL.finditer(blanked)), None)
        spot = min(
            [(m.start(), m.end()) for m in [level] if m] + [(t.start, t.end) for t in ancestors],
            default=None,
        )
        if spot:
            return base[: spot[0]] + subject + base[spot[1] :]
        if focus:
            return base[: focus.start] + subject + base[focus.start :]
    words = list(tag(subject))
    # 省劳模 after 全国劳模, 企业调解组织 after 调解组织: the same head, another modifier
    shared = _shared_head(base, subject)
    if shared:
        return base[: shared[0]] + subject + base[shared[1] :]
    # 参赛职工 after 参赛企业, 模范职工小家 after 全国模范职工之家: keep what precedes
    if len(words) >= 2:
        for run in runs:
            at = next((t for t in run.tokens if t.word == words[0].word), None)
            if at is not None:
                replaced = base[: at.start] + subject + base[run.end :]
                return _drop_unit(replaced, base_unit, subject)
    # 小家 after 之家: another head of the same kind
    if focus and len(subject) >= 2 and base[focus.start : focus.end].endswith(subject[-1]):
        return base[: focus.end - len(subject)] + subject + base[focus.end :]
    if parts.asks and _has_verb(core) and not tally(subject):
        # a predicate of its own ("覆盖多少法人单位"): asked at the previous place and year
        return _prefix(base) + _without_context(core)
    modifier = all(t.tag in ("a", "an", "b") for t in words)
    if focus and (narrow or modifier or _same_unit(_unit_of(subject), base_unit)):
        return base[: focus.start] + subject + base[focus.start :]
    # another thing altogether ("会员呢" after 基层工会): asked afresh at that place and year
    tail = parts.ask_text or _KIND_TAIL.get(question_kind(base), "有多少")
    return _prefix(base) + subject + tail


def _has_verb(core: str) -> bool:
    """Whether the follow-up says what was done ("覆盖多少法人单位"), not only a thing."""
    skip = [(p.start, p.end) for p in _places(core)]
    skip += [(m.start(), m.end()) for m in _ASK_PHRASE.finditer(core)]
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
    tokens = [t for t in tag(base)]
    context = [(p.start, p.end) for p in _places(base)]
    context += [(s.start, s.end + 1) for s, _ in _years(base)]
    best = None
    for i, t in enumerate(tokens):
        if any(s < t.end and t.start < e for s, e in context):
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
    while (
        i > 0
        and tokens[i - 1].tag in _NOMINAL
        and not any(s < tokens[i - 1].end and tokens[i - 1].start < e for s, e in context)
    ):
        i -= 1  # 全国 of 全国劳模 goes with it
    return tokens[i].start, end


def _without_context(core: str) -> str:
    spans = [(p.start, p.end) for p in _places(core)]
    spans += [(s.start, s.end + (core[s.end : s.end + 1] == "年")) for s, _ in _years(core)]
    return re.sub(r"\s+", "", _blank(core, spans))


def _drop_unit(text: str, old_unit: str | None, subject: str) -> str:
    """ "有多少家" → "有多少" when the new thing is counted in another unit."""
    new_unit = _unit_of(subject)
    if new_unit is None or old_unit is None or _same_unit(new_unit, old_unit):
        return text
    ask = next((m for m in _ASK_PHRASE.finditer(text) if m.group("unit")), None)
    if ask is None:
        return text
    return text[: ask.start("unit")] + text[ask.end("unit") :]
