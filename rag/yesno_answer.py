"""是/否 from the best sentences: 是 when one states it, 否 only when it is negated there
or a part below the whole is counted where all were asked; silence is not found.

Example::

    >>> _share("规模以上企业职工服务点建成率达85%", "")
    False
"""

from __future__ import annotations

import re

from rag.kinds import QuestionKind
from rag.question import Question
from rag.sentence_rank import Ranked
from rag.span_parts import (
    NEGATION,
    PAIRS_SPOKEN,
    Extracted,
    find_anchors,
    quote_of,
    stored_text,
)
from rag.synonyms import variants
from rag.tokenization import cut

YESNO_WORDS = 0.5  # share of the question's words (by weight) a 是 sentence holds

_INTENT = re.compile(r"力争|争取|计划|拟|将要|准备|打算|目标")
_ALL = re.compile(r"都|全部|所有|均|全都|每个|每一个|全覆盖")


def _without_places(text: str) -> str:
    """The question with its place names blanked: the 都 of 江都 or 成都 asks nothing."""
    from rag.regions import find_places

    for p in find_places(text):
        text = text[: p.start] + " " * (p.end - p.start) + text[p.end :]
    return text


def yesno_answer(
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
        raw = stored_text(sent)
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
        near = [a for a, _, _, _ in find_anchors(raw, question, {})]
        if any(NEGATION.search(raw[max(0, s - 6) : s]) for s in near):
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
    obj = re.sub(r"^(?:了|过)", "", m.group("obj").strip('“”"'))
    words = cut(obj)  # precise mode: 之 of 职工之家 stays, no overlapping parts
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
        [quote_of(sent, sent.start, sent.end)],
    )
