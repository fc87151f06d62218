"""Answers that are not figures: a person, a date, a place, a name, a list, 是/否, or
the sentences that answer a "what is" or "how" question.

All are extractive. The ranked sentences (rag/sentence_rank.py) are searched for spans
of the asked kind (rag/spans.py); a span is scored by its sentence's score, how well it
fits what was asked (the post of a person, the precision of a date, the type of a name)
and how close it stands to the question's words. Below a threshold of its kind the
answer is "not found": an honest gap beats a confident wrong name.

Example::

    >>> ranked = rank_sentences(index, hits, question, vector)
    >>> extracted = extract(index, question, ranked)
    >>> extracted.text, extracted.post
    ('张永新', '主席')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from rag.byline import ASKS_AUTHOR, FIRST_PERSON, bylines
from rag.entities import entities
from rag.entities import tag as tag_words
from rag.index import CorpusIndex, DocRecord
from rag.kinds import QuestionKind
from rag.lists import (
    asked_head,
    asks_people,
    expected_count,
    find_lists,
    frame_trim,
    head_agreement,
    joined_runs,
)
from rag.matching import term_weights
from rag.question import Question
from rag.regions import find_places, is_within
from rag.sentence_rank import ORDINAL, Ranked, focus_span, following
from rag.sentences import CLAUSE_END, bounds, quote_span
from rag.spans import (
    OFFICES,
    POSTS,
    Found,
    date_parts,
    find_dates,
    find_headed,
    find_names,
    find_people,
    find_places_in,
)
from rag.synonyms import variants

# Lowest score of a right answer per kind, calibrated on the development questions
# (eval/kinds.jsonl) like the figure threshold.
THRESHOLDS = {
    QuestionKind.PERSON: 0.16,
    QuestionKind.DATE: 0.03,
    QuestionKind.PLACE: 0.28,
    QuestionKind.NAME: 0.18,
    QuestionKind.LIST: 0.04,
    QuestionKind.YESNO: 0.0,
    QuestionKind.DEFINITION: 0.0,
    QuestionKind.DESCRIBE: 0.4,
}
BYLINE_FIT = 0.9  # a byline answers as well as a name beside the asked post
SENTENCES = 8  # how many of the best sentences are searched for a span
FOLLOWING = 4  # short lines after each that may hold the span (captions, bylines)
WORDS_SPOKEN = 0.4  # share of the question's words (by weight) that stands for its key
PAIRS_SPOKEN = 0.6  # or share of its character pairs (负责人 asked, 主席李建英 stated)
PASSAGE_SENTENCES = 3
YESNO_WORDS = 0.5  # share of the question's words (by weight) a 是 sentence holds
PASSAGE_KEEP = 0.75  # a further sentence joins a passage answer within this share of the best
_POST = re.compile(POSTS)
_NEGATION = re.compile(r"未|没有|尚未|不再|不能|无法|并非|不是")


@dataclass
class Quoted:
    """One cited sentence: where it is and how well it answers."""

    doc: DocRecord
    start: int
    end: int
    score: float
    rank: int
    hit: object


@dataclass
class Extracted:
    kind: QuestionKind
    text: str
    doc: DocRecord
    start: int  # the answer span in the document
    end: int
    score: float
    quotes: list[Quoted]
    post: str | None = None
    items: list[tuple[str, int, int]] = field(default_factory=list)


_CLAUSE = re.compile(r"[，,；;。：:]")


def _anchors(
    sentence: str, question: Question, weights: dict[str, float]
) -> list[tuple[int, int, str, float]]:
    """Where the question's words stand in the sentence: (start, end, word, weight)."""
    spots = []
    for word in question.terms:
        if len(word) < 2:
            continue
        for v in variants(word):
            at = sentence.find(v)
            while at >= 0:
                spots.append((at, at + len(v), word, weights.get(word, 1.0)))
                at = sentence.find(v, at + 1)
    return spots


def _proximity(found: Found, sentence: str, anchors: list[tuple[int, int, str, float]]) -> float:
    """How close the span stands to the question's words, each weighted by rarity: the
    answer sits where the question's own words are (陆育海获评江苏省十佳文明职工), not
    across the sentence beside someone else's. A clause break counts as distance."""
    close: dict[str, float] = {}
    weight: dict[str, float] = {}
    for a, b, word, w in anchors:
        weight[word] = w
        if a < found.end and found.start < b:
            continue  # the span holds the question's own word
        lo, hi = (b, found.start) if b <= found.start else (found.end, a)
        gap = max(0, hi - lo) + 12 * len(_CLAUSE.findall(sentence[lo:hi]))
        close[word] = max(close.get(word, 0.0), 1.0 / (1.0 + gap / 10.0))
    if not weight:
        return 0.5
    words = sorted(weight, key=lambda w: -weight[w])[:4]
    total = sum(weight[w] for w in words) or 1.0
    got = sum(weight[w] * close.get(w, 0.0) for w in words)
    return 0.3 + 0.7 * got / total


def _in_question(text: str, question: Question) -> bool:
    """The asker already wrote this span: 顾秋亮 is not the answer to 顾秋亮获得了什么荣誉."""
    core = text.strip('“”"《》「」 ')
    return bool(core) and (core in question.text or question.text in core)


def _quote(ranked: Ranked, start: int, end: int) -> Quoted:
    span = quote_span(ranked.doc.text, start, end)
    return Quoted(ranked.doc, span.start, span.end, ranked.score, ranked.rank, ranked.hit)


def _raw(ranked: Ranked) -> str:
    """The sentence as stored, line breaks as spaces: offsets stay those of the document."""
    return ranked.doc.text[ranked.start : ranked.end].replace("\n", " ")


# ------------------------------------------------------------------------ scoring


def _asked_posts(question: Question) -> list[str]:
    return [m.group(0) for m in _POST.finditer(question.text) if m.group(0) in OFFICES]


def _person_fit(found: Found, question: Question, doc: DocRecord) -> float:
    """How well a person found fits: the asked post beside the name, in the asked
    place's organisation (苏州市总工会主席 stated, 昆山's chairman asked: no)."""
    asked = _asked_posts(question)
    if not asked:
        return 0.8 if found.label in OFFICES else 0.6
    if found.label in asked or any(p in asked for p in found.posts):
        fit = 1.0
    elif found.label in OFFICES:
        fit = 0.1  # 副区长 stated, 区长 asked: another office
    else:
        fit = 0.1
    if question.places:
        named = [p.name for p in find_places(found.context)] if found.context else []
        home = named or ([doc.meta.region] if doc.meta.region else [])
        if home and not any(n == q or is_within(n, q) for n in home for q in question.places):
            fit *= 0.1
    return fit


_WH_HEAD = re.compile(
    r"哪(?:一|个|家|所|条|段|座|片|位|份|项)?([\u4e00-\u9fff]{1,6}?)(?=上|里|中|的|开展|工作|举行|比赛|[？?]|$)"
)


def wh_head(question: Question) -> str | None:
    """The noun the question word asks about: 哪条省道 → 省道, 哪所大学 → 大学."""
    m = _WH_HEAD.search(question.text)
    if not m or m.group(1) in ("里", "儿", "些", "几"):
        return None
    return m.group(1)


def _uninformative(text: str, question: Question, doc: DocRecord) -> bool:
    """Only the asked place or its parents (扬州市江都区 for a 江都 question)."""
    named = find_places(text)
    if not named:
        return False
    known = {q for q in question.places} | set(doc.meta.region_path or []) | {doc.meta.region}
    if not all(p.name in known or any(q and is_within(q, p.name) for q in known) for p in named):
        return False
    rest = text
    for p in named:
        rest = rest.replace(p.full, "").replace(p.name, "")
    # 昆山市工会 for a 昆山 question: the asker's own union says no more than 昆山.
    return len(re.sub(r"^(?:总工会|工会|市总|区总|县总)", "", rest.strip("市区县省的 "))) == 0


# 走访了哪家企业: the question's verb in the sentence, and what follows it, the answer.
_VERB_WHICH = re.compile(r"([\u4e00-\u9fff]{2})了?哪(?:家|个|所|座)")
OBJECT_FIT = 0.9


def verb_objects(text: str, question: Question) -> list[Found]:
    """The object after the question's own verb (温祥华走访仁宝电脑 asked 走访了哪家企业):
    a company a tagger does not know is still named right after the verb."""
    m = _VERB_WHICH.search(question.text)
    if not m:
        return []
    out = []
    for v in re.finditer(re.escape(m.group(1)) + r"了?", text):
        obj = re.match(r"[^\s，,。；;、！!？?（(“\"]{2,10}", text[v.end() :])
        if obj and not re.search(r"[的了着过和与及等]", obj.group()):
            out.append(Found(obj.group(), v.end(), v.end() + obj.end(), "object"))
    return out


_WHICH_THEN_VERB = re.compile(
    r"哪(?:个|家|支|所|位|座)?[\u4e00-\u9fff]{0,3}?([\u4e00-\u9fff]{2})(?:了|的)?[？?。]?$"
)
VERB_UNSAID = 0.2
ORDINAL_LED = 1.5  # a name right after the question's ordinal (第六届“…”) is the one asked


def asked_verb(question: Question) -> str | None:
    """The verb that ends a which-question (哪支队夺冠 → 夺冠): what the answer did."""
    from rag.entities import tag

    m = _WHICH_THEN_VERB.search(question.text)
    if not m:
        return None
    tokens = tag(m.group(1))
    return m.group(1) if len(tokens) == 1 and tokens[0].tag in ("v", "vn") else None


def _place_fit(found: Found, question: Question, doc: DocRecord) -> float:
    """A place the asker already named, or one containing it (江苏省 for a 苏州
    question), tells nothing; a span ending in the asked noun (哪条省道 → 227省道) fits
    best; venues, organisations and roads say where."""
    if _uninformative(found.text, question, doc):
        return 0.1
    fit = 1.0 if found.label in ("venue", "org", "route") else 0.7
    head = wh_head(question)
    if head:
        if found.text.endswith(head) or found.text.endswith(head[-1]):
            fit *= 1.3
        else:
            fit *= 0.6
    return fit


def _date_fit(found: Found, question: Question) -> float:
    """How well a date answers: 哪一年 wants a year, 哪天 a day, 哪几年 a range;
    "什么时候" prefers the fuller date."""
    year, month, day = date_parts(found.text)
    if re.search(r"哪几年|起止|期限", question.text):
        return 1.0 if re.search(r"[—–\-－~～至到]", found.text) else 0.4
    if re.search(r"哪一?年|何年|年份|年度", question.text):
        return 1.0 if year else NO_YEAR  # 哪一年成立 is not answered by 五一劳动节
    if re.search(r"几月|哪个月|月份", question.text):
        return 1.0 if month else 0.3
    if re.search(r"哪一?天|几号|几日|日期", question.text):
        return 1.0 if day else 0.3
    return 0.55 + 0.15 * (year + month + day)


def _dateline_fit(found: Found, sent: Ranked, question: Question) -> float:
    """A date standing alone on its line (“（2017年1月10日）”) dates the document: it
    answers a question about the meeting or report the title names, not any event
    (温祥华是哪一年当选的)."""
    if re.sub(r"[\s\W_]", "", sent.text.replace(found.text, "")):
        return 1.0  # the line says more than the date ("日期: 5月2日" is a label)
    terms = [t for t in question.terms if len(t) >= 2 and t not in question.places]
    title = sent.doc.meta.title
    return 1.0 if terms and sum(t in title for t in terms) >= len(terms) / 3 else 0.0


# The events a date can mark. A date beside one event does not answer when another
# was asked: 于12月16日奠基 tells nothing of when the hall 建成开放.
_EVENTS = {
    "start": "奠基 开工 动工",
    "done": "建成 竣工 落成 开放 投入使用 投用 交付",
    "found": "成立 挂牌 揭牌 组建",
    "held": "召开 举行 举办 开幕 闭幕 开展",
    "launch": "启动 开通 上线 发布 推出",
    "sign": "签订 签署 签约",
    "elect": "当选 选举",
    "issue": "印发 出台 颁布 实施",
}


NO_YEAR = 0.02  # a year asked, a date without one: below any date's threshold
EVENT_CLASH = 0.03  # all but rules the date out: the threshold does the rest


def _events(text: str) -> set[str]:
    return {e for e, words in _EVENTS.items() if any(w in text for w in words.split())}


def _event_fit(found: Found, raw: str, question: Question) -> float:
    """A date fits the event asked (建成开放) unless its own clause names only other
    events (奠基): then it is another event's date."""
    asked = _events(question.text)
    if not asked:
        return 1.0
    clause = bounds(raw, found.start, found.end, CLAUSE_END)
    own = _events(raw[clause.start : clause.end])
    return EVENT_CLASH if own and not own & asked else 1.0


_NAME_TYPES = {
    "honour": re.compile(r"荣誉|称号|奖|评为|荣获|获得|获评|头衔|表彰|先进"),
    "quoted": re.compile(
        r"品牌|平台|活动|项目|工程|行动|计划|频道|APP|栏目|服务|主题|口号|载体|文件|规定|办法|意见"
    ),
    "org": re.compile(r"组织|机构|单位|企业|公司|协会|委员会|中心"),
}


_NAME_HEAD = re.compile(
    r"([\u4e00-\u9fff]{1,10}?)(?:叫什么|叫做什么|的名称|的名字|是什么名字|叫啥)"
)


# Asked what something is called: a quotation is the name it goes by.
_CALLS = re.compile(r"称为|称作|叫做|誉为|称号是|被叫作|什么人$")
# A quotation right after a verb that brings a thing into being names that thing.
_INTRODUCED = re.compile(r"(?:开通|推出|打造|建立|设立|成立|创建|创办|启用|上线|开设|开辟|组建)$")


def _introduced(raw: str, found: Found) -> bool:
    return bool(_INTRODUCED.search(raw[: max(0, found.start - 1)]))


def name_head(question: Question) -> str | None:
    """What the asked name is the name of: 挂牌成立的基地叫什么 → 基地."""
    m = _NAME_HEAD.search(question.text)
    if not m:
        return None
    from rag.entities import tag

    nouns = [t.word for t in tag(m.group(1)) if t.tag in ("n", "nz", "vn", "nw")]
    return nouns[-1] if nouns and nouns[-1] not in ("名字", "名称") else None


# What the name of an honour is made of: 先进集体, 标兵个人, 十佳, 五一劳动奖章, 工人先锋号.
_HONOURISH = re.compile(
    r"先进|标兵|模范|优秀|十佳|示范|荣誉|称号|奖|能手|明星|劳模|劳动模范|工匠|文明|先锋|"
    r"之家|[岗号章杯状]$|一等|二等|三等|金牌|冠军|第[一二三]名|最美|十大"
)
_ASKS_HONOUR = re.compile(r"荣誉|称号|奖项|什么奖|哪些奖|表彰")


def _name_fit(found: Found, question: Question) -> float:
    if (
        _ASKS_HONOUR.search(question.text)
        and found.label != "honour"
        and not _HONOURISH.search(found.text)
    ):
        return 0.1  # asked for an honour, 职工大讲堂 or “对标找差” is none
    wanted = [label for label, pattern in _NAME_TYPES.items() if pattern.search(question.text)]
    label = "org" if found.label in ("org", "nz", "nw") else found.label
    if not wanted:
        return 0.8 if label in ("quoted", "honour") else 0.5
    if label in wanted:
        return 1.0
    if label == "quoted":
        return 0.7  # a quoted name may be any of them
    return 0.35


# --------------------------------------------------------------------- answerers


def speaks_of(sent: Ranked) -> bool:
    """Whether a sentence speaks of what is asked: it holds the question's key word, or
    much of the question's words by weight or of its character pairs (the key may be the
    asked category, 权利 or 负责人, that the answer spells out as 知情权、参与权… or
    主席李建英), or it is a date alone on its line, which
    _dateline_fit judges. A same-kind span beside a neighbouring thing (百企羽毛球比赛
    for a question about the 广播体操比赛) is no answer."""
    if sent.key or sent.parts[1] >= WORDS_SPOKEN or sent.parts[2] >= PAIRS_SPOKEN:
        return True
    return _date_only(sent.text)


def _date_only(text: str) -> bool:
    """A line that is a date and nothing else: （2017年1月10日）."""
    found = find_dates(text)
    if not found:
        return False
    rest = text
    for d in find_dates(text):
        rest = rest.replace(d.text, "")
    return not re.sub(r"[\s\W_]", "", rest)


def _with_following(index: CorpusIndex, ranked: list[Ranked]) -> list[Ranked]:
    """The best sentences that hold the question's names, each followed by the short
    lines after it."""
    out, seen = [], set()
    for sent in [r for r in ranked if r.named][:SENTENCES]:
        for r in [sent, *following(index, sent, FOLLOWING)]:
            if (r.doc.doc_id, r.start) not in seen:
                seen.add((r.doc.doc_id, r.start))
                out.append(r)
    return out


def _outermost(spans: list[Found]) -> list[Found]:
    """Spans not lying inside a longer quoted name: 全国工会 within “全国工会法律援助
    维权服务示范单位” is a fragment of the name, not a name."""
    quoted = [f for f in spans if f.label in ("quoted", "headed-quoted")]
    return [
        f
        for f in spans
        if not any(
            q.start <= f.start and f.end <= q.end and (q.end - q.start) > (f.end - f.start)
            for q in quoted
        )
    ]


def _best_span(
    question: Question, ranked: list[Ranked], weights: dict[str, float], finder, fit
) -> tuple[Found, Ranked, float] | None:
    """The best-scored span the finder offers in the sentences: the sentence's score
    times the span's fit to what was asked times its closeness to the question's words."""
    best = None
    for sent in ranked:
        if not speaks_of(sent):
            continue
        raw = _raw(sent)
        anchors = _anchors(raw, question, weights)
        for found in _outermost(finder(raw)):
            if _in_question(found.text, question) and found.label != "headed-quoted":
                continue  # (“昆山工会”专版 asked by 昆山工会…的专版叫什么 is the name)
            f, near = fit(found, sent), _proximity(found, raw, anchors)
            score = sent.score * f * near
            if best is None or score > best[2]:
                best = (found, sent, score)
    return best


def _span_answer(
    index: CorpusIndex, question: Question, ranked: list[Ranked], weights: dict[str, float]
) -> Extracted | None:
    kind = question.kind
    if kind is QuestionKind.PERSON:
        finder, fit = find_people, lambda f, s: _person_fit(f, question, s.doc)
    elif kind is QuestionKind.DATE:

        def fit(f: Found, s: Ranked) -> float:
            fit = _date_fit(f, question) * _dateline_fit(f, s, question)
            return fit * _event_fit(f, _raw(s), question)

        finder = find_dates
    elif kind is QuestionKind.PLACE:

        def finder(text: str) -> list[Found]:
            return find_places_in(text) + verb_objects(text, question)

        def fit(f: Found, s: Ranked) -> float:
            return OBJECT_FIT if f.label == "object" else _place_fit(f, question, s.doc)

    else:
        head = name_head(question)
        calls = bool(_CALLS.search(question.text))
        honour = bool(_ASKS_HONOUR.search(question.text))  # then _name_fit decides
        role = bool(re.search(r"什么人[？?]?$", question.text))

        def finder(text: str) -> list[Found]:
            return find_names(text) + (find_headed(text, head) if head else [])

        def fit(f: Found, s: Ranked) -> float:
            if f.label == "headed-quoted":
                return 1.2
            if f.label == "headed":
                return 1.1
            if head and f.text.endswith(head):
                # “家政服务工程” asked 哪个工程: a quoted name of the asked thing
                return 1.25 if f.label == "quoted" else 1.0
            if role:
                # 要做职工的什么人 → “娘家人”: a role ends in 人, an activity does not
                return 1.25 if f.text.endswith("人") else 0.3
            if f.label == "quoted" and not honour and (calls or _introduced(_raw(s), f)):
                # 85名专家被称为什么 → 组织85名“义工教授”; 开通的栏目叫什么 → 开通“微书苑”
                return 1.0
            return _name_fit(f, question) * (0.6 if head else 1.0)

    pool = _with_following(index, ranked)
    verb = asked_verb(question)
    if verb and kind in (QuestionKind.NAME, QuestionKind.PLACE):
        # 哪支队夺冠: a sentence that says nothing of 夺冠 names no winner
        plain_fit = fit

        def fit(f: Found, s: Ranked) -> float:
            said = any(v in _raw(s) for v in variants(verb))
            return plain_fit(f, s) * (1.0 if said else VERB_UNSAID)

    ordinals = ORDINAL.findall(question.text)
    if ordinals and kind is QuestionKind.NAME:
        # 第六届职工读书活动叫什么: the name the ordinal stands before (第六届“无锡市职工读书月”)
        ordinal_fit = fit

        def fit(f: Found, s: Ranked) -> float:
            raw = _raw(s)
            led = any(raw[max(0, f.start - len(o) - 1) : f.start].startswith(o) for o in ordinals)
            return ordinal_fit(f, s) * (ORDINAL_LED if led else 1.0)

    best = _best_span(question, pool, weights, finder, fit)
    if kind is QuestionKind.PERSON:
        signed = _byline_answer(question, pool)
        if signed and (best is None or signed.score > best[2]):
            return signed
    if best is None:
        return None
    found, sent, score = best
    start, end = sent.start + found.start, sent.start + found.end
    post = None
    if kind is QuestionKind.PERSON:
        asked = [p for p in found.posts if p in _asked_posts(question)]
        post = asked[0] if asked else (found.label if found.label in OFFICES else None)
    return Extracted(
        kind, found.text, sent.doc, start, end, score, [_quote(sent, start, end)], post
    )


def _byline_answer(question: Question, ranked: list[Ranked]) -> Extracted | None:
    """The writer, from the byline of the document the best sentence is in, when the
    question asks who wrote or reported (记者署名是谁, 谁作的工作报告) or the sentence
    speaks as 我 (我受常委会的委托，向大家报告工作). The byline and the sentence are cited."""
    author = bool(ASKS_AUTHOR.search(question.text))
    for sent in ranked[:SENTENCES]:
        if not speaks_of(sent) or not (author or FIRST_PERSON.search(sent.text)):
            continue
        signed = bylines(sent.doc.text)
        if not signed:
            continue
        name = signed[0]
        line = Quoted(sent.doc, name.start, name.end, sent.score, sent.rank, sent.hit)
        quotes = [line, _quote(sent, sent.start, sent.end)]
        score = sent.score * BYLINE_FIT
        return Extracted(
            QuestionKind.PERSON, name.name, sent.doc, name.start, name.end, score, quotes
        )
    return None


_LABEL_LINE = re.compile(r"^\s*([\u4e00-\u9fff]{2,8})[:：]")


class ListAsk(NamedTuple):
    """What a list question asks for: how many items, of what, people, honours."""

    expected: int | None  # 哪四项 → 4
    head: str | None  # 哪些工匠 → 工匠
    people: bool  # 成员有哪些, 哪两位
    honours: bool  # 获得了哪些荣誉

    @classmethod
    def of(cls, question: Question) -> ListAsk:
        text = question.text
        return cls(
            expected_count(text),
            asked_head(text),
            asks_people(text),
            bool(_ASKS_HONOUR.search(text)),
        )


def _nouns(items: list[Found]) -> bool:
    """Every item a noun phrase, no verb in it: 扬州工匠 is one, 学习劳模 is not."""
    return not any(t.tag == "v" for i in items for t in tag_words(i.text.strip("“”")))


def list_fit(items: list[Found], raw: str, ask: ListAsk, names: set[str]) -> float:
    """How well ``items`` (a list found in ``raw``) fit what was asked; 0 rules it out.

    >>> ask = ListAsk(None, "荣誉", False, True)
    >>> text = "荣获全省先进集体和全国一等奖"
    >>> list_fit([Found("全省先进集体", 2, 8, "和"), Found("全国一等奖", 9, 14, "和")], text, ask, set()) > 0
    True
    """
    expected, head, people, honours = ask
    named = sum(any(n in i.text for n in names) for i in items) >= len(items) / 2
    if people and not named and not (head and head_agreement(items, raw, head) and _nouns(items)):
        return 0.0  # 成员有哪些 asked, the list is not of people (“扬州工匠”“龙川工匠” are)
    if expected is None:
        size = min(1.0, 0.6 + 0.1 * len(items))
    else:
        size = 1.0 if len(items) == expected else 0.55
    labelled = _LABEL_LINE.match(raw)
    # "主办单位: 甲 乙" lists 主办单位; asked 参赛队伍, it lists something else
    if labelled and head and not people and not any(v in labelled.group(1) for v in variants(head)):
        return 0.0
    if items[0].label == "和" and expected != 2:
        size *= 0.6  # "A和B" is a list only when two things are asked for
    if honours:  # 获得了哪些荣誉: …先进集体 and …一等奖 are, 区域、行业 are not
        agree = sum(bool(_HONOURISH.search(i.text)) for i in items) * 2 >= len(items)
        size *= 1.3 if agree else 0.5
    elif head and not people:
        size *= 1.3 if head_agreement(items, raw, head) else 0.7
    return size


def _list_answer(
    index: CorpusIndex, question: Question, ranked: list[Ranked], weights: dict[str, float]
) -> Extracted | None:
    best = None
    ask = ListAsk.of(question)
    for sent in _with_following(index, ranked):
        if not speaks_of(sent):
            continue
        raw = _raw(sent)
        anchors = _anchors(raw, question, weights)
        names = {t.word for t in entities(raw, "PER")} if ask.people else set()
        lists = find_lists(raw)
        if ask.expected:
            lists += [run for run in joined_runs(raw, lists) if len(run) == ask.expected]
        for items in lists:
            items = frame_trim(items, raw, question.terms)
            if any(_in_question(i.text, question) for i in items):
                continue
            size = list_fit(items, raw, ask, names)
            if not size:
                continue
            whole = Found(items[0].text, items[0].start, items[-1].end)
            score = sent.score * size * _proximity(whole, raw, anchors)
            if best is None or score > best[2]:
                best = (items, sent, score)
    if best is None:
        return None
    items, sent, score = best
    start, end = sent.start + items[0].start, sent.start + items[-1].end
    text = "、".join(i.text for i in items)
    found = [(i.text, sent.start + i.start, sent.start + i.end) for i in items]
    quote = _quote(sent, start, end)
    # The list may be longer than a quote of one sentence allows: cite it whole.
    quote.start, quote.end = min(quote.start, start), max(quote.end, end)
    return Extracted(
        QuestionKind.LIST,
        text,
        sent.doc,
        start,
        end,
        score,
        [quote],
        items=found,
    )


_INTENT = re.compile(r"力争|争取|计划|拟|将要|准备|打算|目标")
_ALL = re.compile(r"都|全部|所有|均|全都|每个|每一个|全覆盖")


def _without_places(text: str) -> str:
    """The question with its place names blanked: the 都 of 江都 or 成都 asks nothing."""
    from rag.regions import find_places

    for p in find_places(text):
        text = text[: p.start] + " " * (p.end - p.start) + text[p.end :]
    return text


def _yesno_answer(
    question: Question, ranked: list[Ranked], weights: dict[str, float]
) -> Extracted | None:
    """是 when one of the best sentences states it: its key word and names there and
    most of the question's words (a sentence that only names the 篮球联赛 says nothing
    of who may play). 否 only when it is negated there, or when "都…吗" meets a part
    below the whole in the clause that speaks of the asked thing (建成率达85%, 98家…已有
    96家). A plan (力争年内建成…) is not a fact: not found."""
    asks_all = bool(_ALL.search(_without_places(question.text)))
    for sent in ranked[:3]:
        if not sent.named:
            continue
        raw = _raw(sent)
        if not _object_said(raw, question):
            continue
        clause = _focal_clause(raw, question, weights)
        if not sent.key or not _holds_question(sent):
            # 都…吗 is still settled by one clause that holds nearly all of the question
            # (规模以上企业职工服务点建成率达85%) and says all or a part.
            if not (asks_all and _clause_holds(clause, question, weights)):
                continue
            if _planned(raw, question, weights):
                continue  # 力争年内全部建成 is no fact
            whole = _share(clause, raw)
            if whole is None:
                continue
            return _yes_no(sent, "是" if whole else "否")
        if _planned(raw, question, weights) and not _INTENT.search(question.text):
            return None
        near = [a for a, _, _, _ in _anchors(raw, question, {})]
        if any(_NEGATION.search(raw[max(0, s - 6) : s]) for s in near):
            return _yes_no(sent, "否")
        if _ALL.search(_without_places(question.text)):
            whole = _share(clause, raw)
            if whole is None:
                continue  # the sentence does not say whether all of them did
            return _yes_no(sent, "是" if whole else "否")
        return _yes_no(sent, "是")
    return None


ALL_CLAUSE = 0.8  # share of the question's words by weight one clause must hold


def _clause_holds(clause: str, question: Question, weights: dict[str, float]) -> bool:
    words = [
        w
        for w in question.terms
        if len(w) >= 2 and w not in question.places and not _ALL.fullmatch(w) and w != "已经"
    ]
    total = sum(weights.get(w, 1.0) for w in words)
    return bool(total) and _clause_weight(clause, question, weights) >= ALL_CLAUSE * total


# 有没有开展职工读书月活动: what is asked to exist, after the verb that makes it.
_MADE = re.compile(
    r"(?:开展|建立|举办|设立|成立|建成|实施|推出|开通|签订|获得|评为|荣获|获评|组建|创建)"
    r"[了过]?(?P<obj>[\u4e00-\u9fff“”\"]{2,16}?)(?:活动|工作|称号|荣誉|了|吗|么|没有|呢)*[？?。！!]*$"
)


def _object_said(raw: str, question: Question) -> bool:
    """Every word of the thing asked to exist is in the sentence, a one-character word
    with the one before it: 读书、健身需求 says nothing of a 职工读书月."""
    m = _MADE.search(question.text)
    if not m:
        return True
    import jieba

    import rag.tokenization  # noqa: F401  (loads the project's jieba dictionary)

    obj = re.sub(r"^(?:了|过)", "", m.group("obj").strip('“”"'))
    words = jieba.lcut(obj)  # precise mode: 之 of 职工之家 stays, no overlapping parts
    for i, w in enumerate(words):
        if len(w) >= 2 and not any(v in raw for v in variants(w)):
            return False  # 职工心理咨询室: no 咨询室 in the sentence
        if len(w) == 1 and i and w not in "的了和与及等" and (words[i - 1][-1] + w) not in raw:
            return False  # 职工读书月: 读书 alone is not the 读书月
    return True


def _holds_question(sent: Ranked) -> bool:
    """Most of the question's words by weight, or of its character pairs (称作 asked,
    被誉为 written, 大国工匠 in both)."""
    return sent.parts[1] >= YESNO_WORDS or sent.parts[2] >= PAIRS_SPOKEN


_CLAUSES = re.compile(r"[^，,；;。：:]+")
_PART_OF = re.compile(r"(\d+)\s*([家个所项名人户])[^。；;]{0,30}?(?:已有|已|其中|有)\s*(\d+)\s*\2")


def _focal_clause(raw: str, question: Question, weights: dict[str, float]) -> str:
    """The clause holding most of the question's words by weight (places aside): in
    "乡镇…服务站建成率100%,规模以上企业服务点建成率达85%" the one the asker means."""
    clauses = _CLAUSES.findall(raw) or [raw]
    return max(clauses, key=lambda c: _clause_weight(c, question, weights))


def _clause_weight(clause: str, question: Question, weights: dict[str, float]) -> float:
    words = [w for w in question.terms if len(w) >= 2 and w not in question.places]
    return sum(weights.get(w, 1.0) for w in words if any(v in clause for v in variants(w)))


def _planned(raw: str, question: Question, weights: dict[str, float]) -> bool:
    """The clause that speaks of the asked thing, or the one beside it, states a plan
    (…服务站建设，力争年内建成100个以上), not a clause afar (…就是工会工作的目标,…)."""
    clauses = _CLAUSES.findall(raw) or [raw]
    at = max(range(len(clauses)), key=lambda i: _clause_weight(clauses[i], question, weights))
    return any(_INTENT.search(c) for c in clauses[max(0, at - 1) : at + 2])


def _share(clause: str, sentence: str) -> bool | None:
    """Whether the clause says all (100%, 全部, 全覆盖), a part (85%, 98家…已有96家), or
    neither (None)."""
    if re.search(r"全部|全覆盖|均已|都已|100\s*[%％]", clause):
        return True
    shares = [float(x) for x in re.findall(r"(\d+(?:\.\d+)?)\s*[%％]", clause)]
    if shares:
        return max(shares) >= 100
    at = sentence.find(clause)
    for m in _PART_OF.finditer(sentence):
        if m.start() < at + len(clause) and at < m.end():  # the count runs through it
            return int(m.group(3)) >= int(m.group(1))
    return None


def _yes_no(sent: Ranked, verdict: str) -> Extracted:
    return Extracted(
        QuestionKind.YESNO,
        verdict,
        sent.doc,
        sent.start,
        sent.end,
        sent.score,
        [_quote(sent, sent.start, sent.end)],
    )


_DEFINES_AFTER = re.compile(
    r"^[”\"》]?(?:[\u4e00-\u9fff]{0,6}?)(?:是|指|即|就是|意为|是指|包括|包含|[：:（(—])"
)
_INTRODUCE = re.compile(
    r"(?:开通|推出|打造|建立|设立|成立|创建|创办|启用|上线|开设|命名|称为|誉为)[^，。；]{0,12}$"
)
_DEFINE_QUOTED = re.compile(r"“([^“”]{2,30})”")


def defines(sentence: str, term: str, question: Question) -> bool:
    """Whether the sentence says something of what ``term`` is, not merely names it.

    It does when the term is followed by 是/指/即/包括/：/（…）, when a list right before
    it spells it out (A、B、C“三架马车”), when a noun right before it qualifies it (学历提升
    “双千计划”), or when the noun after it says what kind of thing it is and the question
    did not already say so (“工会常伴四季”服务品牌). "全面推进“123”实事工程", asked
    what the 实事工程 is, only names it.
    """
    from rag.entities import tag

    for m in re.finditer(re.escape(term), sentence):
        after = sentence[m.end() : m.end() + 12]
        if _list_item(sentence, m.start(), m.end()) and not _DEFINES_AFTER.match(after):
            continue  # 开展“三访三解三促”、“六个一”等活动: one of several things named
        if _DEFINES_AFTER.match(after):
            return True
        if _INTRODUCE.search(sentence[: m.start()].rstrip('“"')):
            return True
        before = sentence[max(0, m.start() - 40) : m.start()].rstrip('“"')
        if _spelled_out_before(sentence, m.start(), before):
            return True
        lead = tag(before[-8:])
        if (
            sentence[max(0, m.start() - 1) : m.start()] in ("“", '"')  # 学历提升“双千计划”
            and lead
            and lead[-1].tag in ("n", "vn", "nz")
            and len(lead[-1].word) >= 2
            and lead[-1].word not in question.text
        ):
            return True
        if _kind_noun_after(sentence[m.end() : m.end() + 12], question):
            return True
        if _echoed_after(sentence[m.end() :], term):
            return True
    return False


_GENERIC_PARTS = {"工程", "活动", "工作", "计划", "行动", "项目", "建设", "职工", "工会"}


def _spelled_out_before(sentence: str, start: int, before: str) -> bool:
    """A list ends right at the quoted term and names its parts (A、B、C“三架马车”,
    小建议等“五小”): the quotation names the whole. A list further back (利用元旦、春节期间
    做好三级劳模“三金”发放) is about something else."""
    if sentence[max(0, start - 1) : start] not in ("“", '"') or "、" not in before:
        return False
    if re.search(r"[，。；]", before[-12:]):
        return False
    from rag.entities import tag

    *items, last = re.split(r"[，。；,;]", before)[-1].split("、")
    if not items or len(last) > max(len(items[-1]) * 1.5, len(items[-1]) + 3):
        return False
    return not any(t.tag == "v" for t in tag(last))  # …元旦做好劳模“两补”: a verb between


def _list_item(sentence: str, start: int, end: int) -> bool:
    """The term stands in an enumeration, 、 right before or after its quotation marks."""
    before = sentence[:start].rstrip('“"《')
    after = sentence[end:].lstrip('”"》')
    return before.endswith("、") or after.startswith("、")


def _echoed_after(rest: str, term: str) -> bool:
    """The clause after the term goes on about it in its own words: “大维权工程”,…依法
    维权 or “百场公益巡讲进企业”活动,组织专家…为企业培训. A clause on something else
    (“123”实事工程和“两室”建设,转型升级…服务中心) only lists the term."""
    clause = re.split(r"[。；;！？]", rest, maxsplit=1)[0]
    clause = re.split(r"[，,]", clause, maxsplit=1)[-1] if re.search(r"[，,]", clause) else ""
    # Its own words, not the term again (“三金”发放，已发放全国劳模三金…) nor a single
    # character that any clause has.
    core = term.strip('“”"《》')
    numbered = re.fullmatch(r"(?:[一两二三四五六七八九十][\u4e00-\u9fff])+", core)
    if numbered and len(core) >= 4:  # “一站一室”建设,…建成…驿站…休息室: each part named
        return all(ch in clause for ch in core[1::2])
    parts = {w for w in _words(term) if w not in _GENERIC_PARTS and len(w) >= 2 and w != core}
    return any(w in clause for w in parts)


_NOUNISH = ("n", "nz", "nw", "vn", "an", "a", "s")


def _kind_noun_after(after: str, question: Question) -> bool:
    """A noun phrase right after the term (“工会常伴四季”服务品牌, “普惠+特惠”的服务工作新
    理念) that says what kind of thing it is, with a noun the question did not already
    say (asked what the “七有”标准 is, 标准 tells nothing)."""
    from rag.entities import tag

    head = re.match(r"[”\"]?的?([\u4e00-\u9fff]{2,10})", after)
    phrase = []
    for token in tag(head.group(1)) if head else ():
        if token.tag not in _NOUNISH:
            break
        phrase.append(token)
    return bool(
        phrase
        and phrase[-1].tag in ("n", "nz", "nw", "vn")
        and any(
            t.tag in ("n", "nz", "nw")
            and len(t.word) >= 2
            and t.word not in question.text
            and t.word not in _GENERIC_PARTS  # “…”活动 says no more than that it is done
            for t in phrase
        )
    )


def _words(text: str) -> list[str]:
    from rag.tokenization import tokenize

    return [w for w in tokenize(text) if len(w) >= 2]


# A numbered or marked heading line ("1. 加快打造网上工会。", "（三）…", "### 二、…"): the
# sentences under it say what was done.
_HEADING = re.compile(
    r"^\s*(?:#+\s*|\d+[.、．]\s*|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)])"
)


def _under_heading(index: CorpusIndex, r: Ranked) -> Ranked | None:
    """The sentence right after a heading line, in the same document."""
    row = r.row + 1
    if r.row < 0 or row >= len(index.sentences) or not _HEADING.match(r.text):
        return None
    doc_id, start, end = index.sentences[row]
    if doc_id != r.doc.doc_id:
        return None
    return r._replace(start=start, end=end, text=r.doc.text[start:end], row=row)


def _passage_answer(
    question: Question, ranked: list[Ranked], index: CorpusIndex | None = None
) -> Extracted | None:
    pool = [r for r in ranked if r.key and r.named]
    if index is not None:  # a heading stands for the sentence under it
        pool = [_under_heading(index, r) or r for r in pool]
    quoted = _DEFINE_QUOTED.findall(question.text)
    if question.kind is QuestionKind.DEFINITION and quoted and pool:
        # A sentence that says what the term is comes before ones that only name it.
        explaining = [r for r in pool if defines(r.text, quoted[0], question)]
        if not explaining:
            return None  # the reports name the term but never say what it is
        if explaining[0].score >= PASSAGE_KEEP * pool[0].score:
            pool = explaining + [r for r in pool if r not in explaining]
    if not pool:
        return None
    best = pool[0].score
    chosen = [r for r in pool[: PASSAGE_SENTENCES * 2] if r.score >= PASSAGE_KEEP * best]
    chosen = chosen[:PASSAGE_SENTENCES]
    chosen.sort(key=lambda r: (r.doc.doc_id != pool[0].doc.doc_id, r.doc.doc_id, r.start))
    quotes = [Quoted(r.doc, *focus_span(r, question.terms), r.score, r.rank, r.hit) for r in chosen]
    first = quotes[0]
    text = "".join(q.doc.text[q.start : q.end].replace("\n", "") for q in quotes)
    return Extracted(question.kind, text, first.doc, first.start, first.end, best, quotes)


def extract(index: CorpusIndex, question: Question, ranked: list[Ranked]) -> Extracted | None:
    """The answer of ``question``'s kind from the ranked sentences, or None."""
    kind = question.kind
    weights = term_weights(index, question)
    if kind is QuestionKind.LIST:
        found = _list_answer(index, question, ranked, weights)
    elif kind is QuestionKind.YESNO:
        found = _yesno_answer(question, ranked, weights)
    elif kind.is_passage:
        found = _passage_answer(question, ranked, index)
    else:
        found = _span_answer(index, question, ranked, weights)
    if found is None or found.score < THRESHOLDS[kind]:
        return None
    return found
