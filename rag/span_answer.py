"""Answers that are not figures: a person, a date, a place, a name, a list, 是/否, or
the sentences that answer a "what is" or "how" question.

All are extractive. The ranked sentences (rag/sentence_rank.py) are searched for spans
of the asked kind (rag/spans.py); a span is scored by its sentence's score, how well it
fits what was asked (the post of a person, the precision of a date, the type of a name)
and how close it stands to the question's words. Below a threshold of its kind the
answer is "not found": an honest gap beats a confident wrong name.

This module answers people, dates, places and names and routes the rest
(:func:`extract`): lists to rag/list_answer.py, 是/否 to rag/yesno_answer.py, definitions
and descriptions to rag/passage_answer.py; what they share is in rag/span_parts.py.

Example::

    ranked = rank_sentences(index, hits, question, vector)
    extracted = extract(index, question, ranked)
    extracted.text, extracted.post  # ('张永新', '主席')
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from rag.byline import ASKS_AUTHOR, FIRST_PERSON, bylines
from rag.entities import tag
from rag.index import CorpusIndex, DocRecord
from rag.kinds import QuestionKind
from rag.list_answer import list_answer
from rag.matching import term_weights
from rag.passage_answer import passage_answer
from rag.question import Question
from rag.regions import find_places, is_within
from rag.sentence_rank import ORDINAL, Ranked
from rag.sentences import CLAUSE_END, bounds
from rag.span_parts import (
    ASKS_HONOUR,
    HONOURISH,
    SENTENCES,
    Extracted,
    Quoted,
    asked_already,
    closeness,
    find_anchors,
    outermost,
    quote_of,
    speaks_of,
    stored_text,
    with_following,
)
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
from rag.yesno_answer import yesno_answer

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
_POST = re.compile(POSTS)


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


_WH = re.compile(r"哪(?:里|儿|一|个|家|所|条|段|座|片|位|份|项|类|支|种|级|批)?")
_HEAD_TAGS = frozenset("n nz nw vn an s j LOC ORG".split())


@lru_cache(maxsize=256)
def _wh_phrase(text: str) -> tuple[tuple[str, ...], tuple]:
    """The nouns right after the question word, and the words after them: 哪所大学一起办的
    → (大学), (一起 办 的); 哪条轨道交通线上开展的 → (轨道 交通 线), (开展 的). Read once
    per question: a place question asks for its head once for every span it weighs."""
    m = _WH.search(text)
    words = list(tag(text[m.end() :])) if m else []
    nouns = []
    while words and words[0].tag in _HEAD_TAGS | {"f"}:
        word = words.pop(0)
        if word.tag in ("s", "f") and word.word[-1] in "上里中内":
            if len(word.word) > 1:
                nouns.append(word.word[:-1])  # 线上 → 线
            break
        nouns.append(word.word)
    return tuple(nouns), tuple(words)


def wh_head(question: Question) -> str | None:
    """The noun the question word asks about: 哪条省道 → 省道, 哪所大学一起办的 → 大学,
    哪类区域 → 区域; the last of the nouns right after it."""
    nouns, _ = _wh_phrase(question.text)
    return nouns[-1] if nouns else None


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
_VERB_WHICH = re.compile(r"([\u4e00-\u9fff]{2})(?:了|的是|的)?哪(?:家|个|所|座)")
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


# Verbs of being somewhere that a sentence need not say: 顾秋亮 is a 研究所钳工 who
# works there whether or not 上班 is written.
_STATIVE = frozenset("上班 工作 任职 就职 位于 坐落 在 是 有".split())
VERB_UNSAID = 0.2
ORDINAL_LED = 1.5  # a name right after the question's ordinal (第六届“…”) is the one asked


def asked_verb(question: Question) -> str | None:
    """The verb right after a which-question's noun (哪支队夺冠 → 夺冠, 跟哪所大学一起办的
    → 办): what the answer did. Only a verb that ends the question counts."""
    _, rest = _wh_phrase(question.text)
    while rest and rest[-1].tag in ("w", "u", "xc", "y"):
        rest = rest[:-1]  # …的？
    while rest and rest[0].tag in ("d", "p", "ad"):
        rest = rest[1:]  # 一起, 最后
    if len(rest) != 1 or rest[0].tag != "v" or rest[0].word in _STATIVE:
        return None
    return rest[0].word


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
    terms = [
        t
        for t in question.terms
        if len(t) >= 2 and t not in question.places and not _UNION_WORD.fullmatch(t)
    ]
    title = sent.doc.meta.title
    return 1.0 if terms and sum(t in title for t in terms) >= len(terms) / 3 else 0.0


# In every report's title: they tell no title apart.
_UNION_WORD = re.compile(r"总工会|工会|总工|市总|区总|报告")


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
_CALLS = re.compile(r"称为|称作|叫做|誉为|称号是|被叫作")
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


def _name_fit(found: Found, question: Question) -> float:
    if (
        ASKS_HONOUR.search(question.text)
        and found.label != "honour"
        and not HONOURISH.search(found.text)
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


def _best_span(
    question: Question, ranked: list[Ranked], weights: dict[str, float], finder, fit
) -> tuple[Found, Ranked, float] | None:
    """The best-scored span the finder offers in the sentences: the sentence's score
    times the span's fit to what was asked times its closeness to the question's words."""
    best = None
    for sent in ranked:
        if not speaks_of(sent):
            continue
        raw = stored_text(sent)
        anchors = find_anchors(raw, question, weights)
        for found in outermost(finder(raw)):
            if asked_already(found.text, question) and found.label != "headed-quoted":
                continue  # (“昆山工会”专版 asked by 昆山工会…的专版叫什么 is the name)
            f, near = fit(found, sent, raw), closeness(found, raw, anchors)
            score = sent.score * f * near
            if best is None or score > best[2]:
                best = (found, sent, score)
    return best


class NameAsk(NamedTuple):
    """What a name question says of the name it wants."""

    head: str | None  # 挂牌成立的基地叫什么 → 基地
    calls: bool  # 被称为什么, 叫做: a quotation is the name it goes by
    honour: bool  # 什么荣誉: _name_fit decides
    role: bool  # 要做职工的什么人: a role ending in 人

    @classmethod
    def of(cls, question: Question) -> NameAsk:
        text = question.text
        return cls(
            name_head(question),
            bool(_CALLS.search(text)),
            bool(ASKS_HONOUR.search(text)),
            bool(re.search(r"什么人[？?]?$", text)),
        )


def _name_span_fit(f: Found, raw: str, question: Question, ask: NameAsk) -> float:
    if f.label == "headed-quoted":
        return 1.2
    if f.label == "headed":
        return 1.1
    if ask.head and f.text.endswith(ask.head):
        # “家政服务工程” asked 哪个工程: a quoted name of the asked thing
        return 1.25 if f.label == "quoted" else 1.0
    if ask.role:
        # 要做职工的什么人 → “娘家人”: a role ends in 人, an activity does not
        return 1.25 if f.text.endswith("人") else 0.3
    if f.label == "quoted" and not ask.honour and (ask.calls or _introduced(raw, f)):
        # 85名专家被称为什么 → 组织85名“义工教授”; 开通的栏目叫什么 → 开通“微书苑”
        return 1.0
    return _name_fit(f, question) * (0.6 if ask.head else 1.0)


def _said_with(f: Found, raw: str, verb: str | None, ordinals: list[str]) -> float:
    """What the sentence says beside the span: a which-question's verb must be there
    (哪支队夺冠: a sentence that says nothing of 夺冠 names no winner), and a name right
    after the question's ordinal is the one asked (第六届“无锡市职工读书月”)."""
    factor = 1.0
    if verb and not any(v in raw for v in variants(verb)):
        factor *= VERB_UNSAID
    if any(raw[max(0, f.start - len(o) - 1) : f.start].startswith(o) for o in ordinals):
        factor *= ORDINAL_LED
    return factor


def _span_answer(
    index: CorpusIndex, question: Question, ranked: list[Ranked], weights: dict[str, float]
) -> Extracted | None:
    kind = question.kind
    verb = asked_verb(question)  # 哪支队夺冠 → 夺冠 (names and places)
    if kind is QuestionKind.PERSON:
        finder = find_people

        def fit(f: Found, s: Ranked, raw: str) -> float:
            return _person_fit(f, question, s.doc)

    elif kind is QuestionKind.DATE:
        finder = find_dates

        def fit(f: Found, s: Ranked, raw: str) -> float:
            date = _date_fit(f, question) * _dateline_fit(f, s, question)
            return date * _event_fit(f, raw, question)

    elif kind is QuestionKind.PLACE:

        def finder(text: str) -> list[Found]:
            return find_places_in(text) + verb_objects(text, question)

        def fit(f: Found, s: Ranked, raw: str) -> float:
            place = OBJECT_FIT if f.label == "object" else _place_fit(f, question, s.doc)
            return place * _said_with(f, raw, verb, [])

    else:
        ask = NameAsk.of(question)
        ordinals = ORDINAL.findall(question.text)

        def finder(text: str) -> list[Found]:
            return find_names(text) + (find_headed(text, ask.head) if ask.head else [])

        def fit(f: Found, s: Ranked, raw: str) -> float:
            return _name_span_fit(f, raw, question, ask) * _said_with(f, raw, verb, ordinals)

    pool = with_following(index, ranked)
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
        kind, found.text, sent.doc, start, end, score, [quote_of(sent, start, end)], post
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
        quotes = [line, quote_of(sent, sent.start, sent.end)]
        score = sent.score * BYLINE_FIT
        return Extracted(
            QuestionKind.PERSON, name.name, sent.doc, name.start, name.end, score, quotes
        )
    return None


def extract(index: CorpusIndex, question: Question, ranked: list[Ranked]) -> Extracted | None:
    """The answer of ``question``'s kind from the ranked sentences, or None."""
    kind = question.kind
    weights = term_weights(index, question)
    if kind is QuestionKind.LIST:
        found = list_answer(index, question, ranked, weights)
    elif kind is QuestionKind.YESNO:
        found = yesno_answer(question, ranked, weights)
    elif kind.is_passage:
        found = passage_answer(question, ranked, index)
    else:
        found = _span_answer(index, question, ranked, weights)
    if found is None or found.score < THRESHOLDS[kind]:
        return None
    return found
