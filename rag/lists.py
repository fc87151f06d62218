"""The enumerations a sentence makes: the answer to "有哪些 / 包括哪几项".

Reports list things in a few ways, each found here with every item's offsets:

- joined by 、 inside a clause, often led by a verb and closed by 等
  (开展法律援助、劳模管理、职工培训等工作 → 法律援助, 劳模管理, 职工培训);
- inside one quotation (“参与、维护、教育、建设”);
- quoted names one after another (“扬州工匠”“龙川工匠”);
- 一是…二是…三是…;
- a label line with names apart by spaces (主办单位: 甲 乙);
- two things joined by 和/与/及 (劳动争议调解委员会和劳动法律监督委员会).

Example::

    >>> [i.text for i in find_lists("逐步将法律援助、劳模管理、职工培训等工作窗口嵌入APP")[0]]
    ['法律援助', '劳模管理', '职工培训']
"""

from __future__ import annotations

import re
import statistics

from rag.entities import tag
from rag.numbers import SMALL_COUNTS
from rag.spans import Found
from rag.tokenization import part_of_speech

_ORDINAL = re.compile(r"(?:^|[。；;，,：:\s])([一二三四五六七八九十]是)")
_STOPS = "，,。；;：:！？!?\n（）()"
_QUOTE = re.compile(r"“[^“”]*”|《[^《》]*》|\"[^\"]*\"")
# 和 and 及 of a word (和谐, 和平, 及时, 及其) join nothing.
_JOIN = re.compile(
    r"(?<=[\u4e00-\u9fff”》])(?:和(?![谐睦平美])|以及|及(?![时其早])|与(?!会))(?=[\u4e00-\u9fff“《])"
)
_NOUNS = frozenset("n nz nw vn an ORG LOC PER s j l".split())
_LABEL = re.compile(r"^\s*[\u4e00-\u9fff]{2,8}[:：]\s*(\S+(?:\s+\S+)+)\s*$")


_MEASURES = "届次年月日号个项名家人位条种类大批期轮场所支件"
_NUMBERED = re.compile(
    rf"([两二三四五六七八九十])([^{_MEASURES}\W\d])([两二三四五六七八九十])([^{_MEASURES}\W\d])"
)


def expected_count(question: str) -> int | None:
    """How many items the question expects: 哪两位 → 2, 三大平台 → 3, “四个百” → 4,
    and a numbered abbreviation counts its parts: 三进五送 → 8 (三进 and 五送)."""
    numbered = _NUMBERED.search(question)
    if numbered:
        return SMALL_COUNTS[numbered.group(1)] + SMALL_COUNTS[numbered.group(3)]
    m = re.search(
        r"哪(\d+|[两二三四五六七八九十])|(\d+|[两二三四五六七八九十])(?:大|项|个|类|种|条|位|方面|家)",
        question,
    )
    if not m:
        return None
    digit = m.group(1) or m.group(2)
    return int(digit) if digit.isdigit() else SMALL_COUNTS.get(digit)


def _quoted(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _QUOTE.finditer(text)]


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a < pos < b for a, b in spans)


def _split_top(text: str, start: int, end: int, sep: str, quotes) -> list[tuple[int, int]]:
    """``text[start:end]`` split at ``sep`` characters outside quotation marks."""
    parts, at = [], start
    for i in range(start, end):
        if text[i] == sep and not _inside(i, quotes):
            parts.append((at, i))
            at = i + 1
    parts.append((at, end))
    return parts


_LEADING = frozenset("v p d vd c u r xc".split())


def _cuts(text: str, start: int, end: int, quotes) -> list[tuple[int, bool]]:
    """Token starts in ``text[start:end]`` outside quotations, each with whether the
    word before it leads into what follows (a verb or preposition: 嵌入|“苏工惠”APP)."""
    cuts, previous = [], ""
    for t in tag(text[start:end]):
        at = start + t.start
        if not _inside(at, quotes):
            cuts.append((at, previous in _LEADING))
        previous = t.tag
    return cuts


def _trim_first(text: str, a: int, b: int, others: list[int], quotes) -> int:
    """Start of the first item: the verb leading into the list is not part of it
    (逐步将法律援助 → 法律援助). The item is cut where a verb or preposition ends, at
    the length closest to the other items', and only when it is much longer than they are."""
    length = b - a
    if not others:
        return a
    typical = statistics.median(others)
    if length <= max(typical * 1.4, typical + 2):
        return a
    cuts = [(c, lead) for c, lead in _cuts(text, a, b, quotes) if b - c >= 2]
    best = min(
        cuts, key=lambda cl: abs((b - cl[0]) - typical) + (0 if cl[1] else 2.5), default=None
    )
    return best[0] if best else a


def _trim_last(text: str, a: int, b: int) -> int:
    """End of the last item: what follows 等/及其 is the list's category, not an item."""
    cut = re.search(r"等|及其|方面|在内", text[a:b])
    return a + cut.start() if cut and cut.start() > 0 else b


def _clean(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in " \u3000":
        a += 1
    while b > a and text[b - 1] in " \u3000":
        b -= 1
    return a, b


def _enumeration(text: str, start: int, end: int, quotes, label: str) -> list[list[Found]]:
    """Runs of items joined by 、 in ``text[start:end]``; an item ending in 等 closes a run."""
    parts = _split_top(text, start, end, "、", quotes)
    if len(parts) < 2:
        return []
    runs: list[list[tuple[int, int]]] = [[]]
    for k, (a, b) in enumerate(parts):
        cut = re.search("等", text[a:b]) if 0 < k < len(parts) - 1 else None
        if cut and cut.start() > 0 and not _inside(a + cut.start(), quotes):
            runs[-1].append((a, a + cut.start()))
            runs.append([(a + cut.end(), b)])
        else:
            runs[-1].append((a, b))
    out = []
    for run in runs:
        if len(run) < 2:
            continue
        a, b = run[-1]
        b = _trim_last(text, a, b)  # …餐饮住宿等重点区域及行业: 及 joins the category
        joined = [m for m in _JOIN.finditer(text, a, b) if not _inside(m.start(), quotes)]
        if joined and b - joined[0].end() <= 16:  # "A、B和C"
            m = joined[0]
            run = run[:-1] + [(a, m.start()), (m.end(), b)]
        a, b = run[-1]
        run[-1] = (a, _trim_last(text, a, b))
        # The last item may still run on into the clause (创业园创建…的培育): the
        # middle items tell the typical length when there are any.
        lengths = [y - x for x, y in (run[1:-1] or run[1:])]
        a, b = run[0]
        run[0] = (_trim_first(text, a, b, lengths, quotes), b)
        items = [Found(text[x:y], x, y, label) for x, y in (_clean(text, *p) for p in run) if y > x]
        if len(items) >= 2:
            out.append(items)
    return out


def _ordinal_items(text: str) -> list[list[Found]]:
    marks = list(_ORDINAL.finditer(text))
    if len(marks) < 2:
        return []
    items = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start(1) if i + 1 < len(marks) else len(text)
        body = text[m.end(1) : end].rstrip("。；;，, \n")
        cut = re.search(r"[，,；;。]", body)
        body = body[: cut.start()] if cut and cut.start() >= 4 else body
        items.append(Found(body, m.end(1), m.end(1) + len(body), m.group(1)))
    return [items]


def _quoted_runs(text: str, quotes) -> list[list[Found]]:
    """Quoted names one after another: “扬州工匠”“龙川工匠”, “A”和“B”."""
    runs, current = [], []
    for a, b in quotes:
        if current and re.fullmatch(r"[、和及与\s]*", text[current[-1][1] : a]):
            current.append((a, b))
        else:
            if len(current) >= 2:
                runs.append(current)
            current = [(a, b)]
    if len(current) >= 2:
        runs.append(current)
    return [[Found(text[a + 1 : b - 1], a + 1, b - 1, "quoted") for a, b in run] for run in runs]


def _pairs(text: str, start: int, end: int, quotes) -> list[list[Found]]:
    """Two things joined by 和/与/及 in a clause without 、: the noun phrases either side
    (实现[劳动争议调解委员会]和[劳动法律监督委员会]两个“全覆盖”)."""
    out = []
    for m in _JOIN.finditer(text, start, end):
        if _inside(m.start(), quotes):
            continue
        lead = [c for c, led in _cuts(text, start, m.start(), quotes) if led]
        a = lead[-1] if lead else start
        b = m.end()
        for t in tag(text[m.end() : end]):
            if t.tag not in _NOUNS:
                break
            b = m.end() + t.end
        if m.start() - a >= 2 and b - m.end() >= 2:
            out.append(
                [
                    Found(text[a : m.start()], a, m.start(), "和"),
                    Found(text[m.end() : b], m.end(), b, "和"),
                ]
            )
    return out


def joined_runs(text: str, lists: list[list[Found]]) -> list[list[Found]]:
    """Two enumerations one right after the other, apart by a comma only, as one list:
    （进社区、进企业、进家庭，送政策、送岗位…）, the parts of a 三进五送."""
    runs = sorted((r for r in lists if r and r[0].label == "、"), key=lambda r: r[0].start)
    return [
        a + b
        for a, b in zip(runs, runs[1:], strict=False)
        if re.fullmatch(r"[，,；;]", text[a[-1].end : b[0].start])
    ]


def find_lists(text: str) -> list[list[Found]]:
    """Every enumeration in ``text``, each a list of items with offsets into ``text``."""
    quotes = _quoted(text)
    lists = _ordinal_items(text) + _quoted_runs(text, quotes)
    label = _LABEL.match(text)
    if label:
        names = [
            (m.start(), m.end()) for m in re.finditer(r"\S+", text[label.start(1) : label.end(1)])
        ]
        base = label.start(1)
        lists.append(
            [Found(text[base + a : base + b], base + a, base + b, "label") for a, b in names]
        )
    clause_start = 0
    for i in range(len(text) + 1):
        if i < len(text) and (text[i] not in _STOPS or _inside(i, quotes)):
            continue
        if i > clause_start:
            found = _enumeration(text, clause_start, i, quotes, "、")
            lists += found or _pairs(text, clause_start, i, quotes)
        clause_start = i + 1
    for a, b in quotes:  # “参与、维护、教育、建设”, “百万职工大培训，百万职工大练兵，…”
        inner = _enumeration(text, a + 1, b - 1, [], "、")
        lists += inner or _comma_items(text, a + 1, b - 1)
    return [_with_aside(text, items) for items in lists + _clause_heads(text, quotes)]


def _with_aside(text: str, items: list[Found]) -> list[Found]:
    """A short aside in brackets right after the last item is part of it: 乡镇、省级以上
    开发区(工业园区) (the brackets end the clause the list was read from)."""
    last = items[-1]
    aside = re.match(r"[（(][^（()）]{1,10}[）)]", text[last.end :])
    if not aside:
        return items
    end = last.end + aside.end()
    return items[:-1] + [Found(text[last.start : end], last.start, end, last.label)]


def _comma_items(text: str, start: int, end: int) -> list[list[Found]]:
    """A quotation of short phrases apart by commas is a list of them (a slogan of
    two halves is not: it needs three)."""
    parts = re.split(r"[，,]", text[start:end])
    if len(parts) < 3 or any(not 2 <= len(p) <= 12 for p in parts):
        return []
    items, at = [], start
    for p in parts:
        items.append(Found(p, at, at + len(p), "、"))
        at += len(p) + 1
    return [items]


def _clause_heads(text: str, quotes) -> list[list[Found]]:
    """Quoted names of one length that each open a clause are the items the clauses go
    on about: “春送岗位”组织…,“夏送清凉”慰问…,“秋送助学”为…"""
    heads = [
        (a, b)
        for a, b in quotes
        if (a == 0 or text[a - 1] in "，,；;：:") and b < len(text) and text[b] not in "，,。；;、"
    ]
    if len(heads) < 3 or len({b - a for a, b in heads}) > 1:
        return []
    return [[Found(text[a + 1 : b - 1], a + 1, b - 1, "quoted") for a, b in heads]]


_ASKED = re.compile(
    r"(?:哪些|哪几|哪[两二三四五六七八九十\d])[个项类种位条家大]?[“\"]?([\u4e00-\u9fff]{1,12})"
)
_BEFORE_ASK = re.compile(
    r"([\u4e00-\u9fff]{1,12}?)(?:都|主要|分别|一共)?(?:有|包括|包含|是)哪(?:些|几)"
)
_PEOPLE = re.compile(
    r"^(?:人|谁|位|名|同志|成员|人员|劳模|工匠|代表|领导|职工|工人|员工|干部|党员|选手|专家)$"
)


def asked_head(question: str) -> str | None:
    """The thing the list is of: 哪几种调解 → 调解, 哪些安全生产知识活动 → 活动,
    主办单位有哪些 → 主办单位: the last noun of the noun phrase the question word leads."""
    m = _ASKED.search(question)
    phrase = m.group(1) if m else None
    if phrase is None:
        m = _BEFORE_ASK.search(question)
        phrase = m.group(1) if m else None
        if phrase is None:
            return None
        nouns = [t.word for t in tag(phrase) if t.tag in _NOUNS]
        return nouns[-1] if nouns else None
    nouns = []
    for t in tag(phrase):
        if t.tag not in _NOUNS and t.tag not in ("vn", "an", "a"):
            break
        nouns.append(t.word)
    return nouns[-1] if nouns else None


_COPULA = re.compile(r"包括|包含|涵盖|有|是|分为|涉及|属于")
_VERB_ASK = re.compile(r"([\u4e00-\u9fff]{2})了?(?:哪些|哪几|哪[两二三四五六七八九十\d])")


def asked_verb(question: str) -> str | None:
    """The verb that governs the asked items: 提供哪些服务 → 提供, 开展了哪几项活动 → 开展."""
    m = _VERB_ASK.search(question)
    if not m:
        return None
    tokens = tag(m.group(1))
    if len(tokens) != 1 or tokens[0].tag != "v" or _COPULA.search(m.group(1)):
        return None  # 包括哪四项 says nothing about what the items are
    return m.group(1)


def asks_people(question: str) -> bool:
    """哪些人 / 都有谁 / 哪两位 / 成员有哪些: the items must be people."""
    if re.search(r"都有谁|哪些人|有谁|哪[两二三四五六七八九十\d几]+位|成员|名单", question):
        return True
    head = asked_head(question)
    return bool(head and _PEOPLE.match(head))


def head_agreement(items: list[Found], text: str, head: str) -> bool:
    """The items are of the asked kind: they end in it (人民调解 for 调解, 知情权 for
    权利), or the list is closed by it (…“安全隐患随手拍”等活动)."""
    last = head[-1]
    ending = sum(1 for i in items if i.text.rstrip('”"》').endswith((head, last)))
    if ending >= max(1, len(items) // 2):
        return True
    after = text[items[-1].end : items[-1].end + 12]
    return bool(re.match(rf"[”\"》]?(?:等|等等)?[^，。；]{{0,4}}{re.escape(head)}", after))


def _frames_left(word: str, after: str) -> bool:
    """A question word before the first item frames the list when it acts on it
    (学习[上海闵行区…], 开展了[…]); a noun joined to the item is part of it
    (工会信息管理 of 工会信息管理、网上办公系统, asked by 昆山工会的三大平台)."""
    return bool(after) and after in "了的过是为在：:" or part_of_speech(word).startswith(("v", "p"))


def frame_trim(items: list[Found], text: str, terms: list[str]) -> list[Found]:
    """The question's own words at the edges of a list frame it, they are no item:
    学习[上海闵行区、无锡江阴市、深圳南山区]总工会先进经验 asked 学习了哪几个地方总工会的
    经验. The first item starts after the last such word in it, the last item ends
    before the first; a word the other items share (人民调解、…、司法调解) is the items'
    own and stays, and so does a word inside a quoted name (《…救助办法》).

    >>> text = "学习甲城、乙城、丙城总工会经验"
    >>> items = [Found("学习甲城", 0, 4), Found("乙城", 5, 7), Found("丙城总工会经验", 8, 15)]
    >>> [i.text for i in frame_trim(items, text, ["学习", "总工会", "经验"])]
    ['甲城', '乙城', '丙城']
    """
    if len(items) < 2:
        return items
    words = [t for t in terms if len(t) >= 2]

    def frame_words(k: int) -> list[str]:
        others = [i.text for j, i in enumerate(items) if j != k]
        return [w for w in words if not any(w in o for o in others)]

    quotes = _quoted(text)
    out = list(items)
    first, last = out[0], out[-1]
    ends = [
        first.start + at + len(w)
        for w in frame_words(0)
        for at in [first.text.rfind(w)]
        if at >= 0
        and _frames_left(w, first.text[at + len(w) : at + len(w) + 1])
        and first.end - (first.start + at + len(w)) >= 2
        and not _inside(first.start + at + len(w), quotes)
    ]
    if ends:
        a = max(ends)
        out[0] = Found(text[a : first.end], a, first.end, first.label)
    starts = [
        last.start + at
        for w in frame_words(len(out) - 1)
        for at in [last.text.find(w)]
        if at >= 2 and not _inside(last.start + at, quotes)
    ]
    if starts:
        b = min(starts)
        out[-1] = Found(text[last.start : b], last.start, b, last.label)
    return out
