"""Passage answers for "什么是X" and "怎么做的": the one to three best sentences, each
cited; a definition only from a sentence that says what the term is, not one that
merely names it (:func:`defines`).

Example::

    >>> from rag.question import parse_question
    >>> defines("全力打造“彩虹桥”志愿服务品牌。", "彩虹桥", parse_question("“彩虹桥”是什么"))
    True
"""

from __future__ import annotations

import re

from rag.entities import tag
from rag.index import CorpusIndex
from rag.kinds import QuestionKind
from rag.numbers import SMALL_COUNTS
from rag.question import Question
from rag.sentence_rank import Ranked, focus_span
from rag.span_parts import Extracted, Quoted
from rag.tokenization import tokenize

PASSAGE_SENTENCES = 3
PASSAGE_KEEP = 0.75  # a further sentence joins a passage answer within this share of the best
DEFINES_KEEP = 0.65  # a sentence that says what the term is leads within this share

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
    if _counted_out(sentence, term):
        return True
    for m in re.finditer(re.escape(term), sentence):
        after = sentence[m.end() : m.end() + 12]
        if _quoted_list_before(sentence[: m.start()]):
            return True  # “参与、维护、教育、建设”四项职能
        if _list_item(sentence, m.start(), m.end()) and not _DEFINES_AFTER.match(after):
            continue  # 开展“三访三解三促”、“六个一”等活动: one of several things named
        if _DEFINES_AFTER.match(after):
            return True
        if _INTRODUCE.search(sentence[: m.start()].rstrip('“"')):
            return True
        before = sentence[max(0, m.start() - 40) : m.start()].rstrip('“"')
        if _spelled_out_before(sentence, m.start(), before):
            return True
        # 为…建设“三区三城”贡献力量: inside a 为 frame the term is what the work is for;
        # the words around it are the frame's, they do not qualify it
        framed = re.search(r"为[^，,。；;]*$", sentence[: m.start()])
        lead = tag(before[-8:])
        if (
            not framed
            and sentence[max(0, m.start() - 1) : m.start()] in ("“", '"')  # 职工素质“双千计划”
            and lead
            and _qualifying(lead)
            and len(lead[-1].word) >= 2
            and lead[-1].word not in question.text
        ):
            return True
        if not framed and _kind_noun_after(sentence[m.end() : m.end() + 12], question):
            return True
        if _echoed_after(sentence[m.end() :], term):
            return True
    return False


_COUNTED_TERM = re.compile(r"([两二三四五六七八九十])(?:个|项|大|条)?([\u4e00-\u9fff]{2,4})")


def _counted_out(sentence: str, term: str) -> bool:
    """A numbered term (两个率先) is spelled out by a sentence that says its word that
    many times, once a clause (率先全面建成小康社会，率先基本实现现代化), though it never
    writes the term itself."""
    m = _COUNTED_TERM.fullmatch(term.strip('“”"《》'))
    if not m or m.group(0) in sentence:
        return False
    times = SMALL_COUNTS[m.group(1)]
    clauses = re.split(r"[，,；;。]", sentence)
    return sum(c.startswith(m.group(2)) for c in clauses) >= times


def _quoted_list_before(before: str) -> bool:
    """The term follows a quotation that enumerates its parts: “参与、维护、教育、建设”."""
    m = re.search(r"“([^“”]{2,40})”$", before)
    return bool(m and "、" in m.group(1))


_GENERIC_PARTS = {"工程", "活动", "工作", "计划", "行动", "项目", "建设", "职工", "工会"}


def _spelled_out_before(sentence: str, start: int, before: str) -> bool:
    """A list ends right at the quoted term and names its parts (A、B、C“三架马车”,
    小建议等“五小”): the quotation names the whole. A list further back (利用元旦、春节期间
    做好三级劳模“三金”发放) is about something else."""
    if sentence[max(0, start - 1) : start] not in ("“", '"') or "、" not in before:
        return False
    if re.search(r"[，。；]", before[-12:]):
        return False
    *items, last = re.split(r"[，。；,;]", before)[-1].split("、")
    if not items or len(last) > max(len(items[-1]) * 1.5, len(items[-1]) + 3):
        return False
    return not any(t.tag == "v" for t in tag(last))  # …元旦做好劳模“两补”: a verb between


def _qualifying(lead: list) -> bool:
    """The words before a quoted term qualify it: a noun (职工素质“…”), or a noun and its
    verb written as one (学历提升“双千计划”)."""
    if lead[-1].tag in ("n", "vn", "nz"):
        return True
    return lead[-1].tag == "v" and len(lead) >= 2 and lead[-2].tag in ("n", "nz")


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


def passage_answer(
    question: Question, ranked: list[Ranked], index: CorpusIndex | None = None
) -> Extracted | None:
    quoted = _DEFINE_QUOTED.findall(question.text)
    # A sentence that holds the quoted term asked is about it, whatever the key word (述职
    # 报告里的“双满意工会” asks of the term, not of the report).
    pool = [r for r in ranked if r.key and r.named]
    if index is not None:  # a heading stands for the sentence under it
        pool = [_under_heading(index, r) or r for r in pool]
    if question.kind is QuestionKind.DEFINITION and quoted and pool:
        # A sentence that says what the term is comes before ones that only name it.
        explaining = [r for r in pool if defines(r.text, quoted[0], question)]
        if not explaining:
            return None  # the reports name the term but never say what it is
        if explaining[0].score >= DEFINES_KEEP * pool[0].score:
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
