"""Extractive answering: pick the figure in the retrieved passages that answers the question.

Every figure in the top passages becomes a candidate. A candidate is scored by how
many of the question's subject words stand next to it (same segment, clause,
sentence), whether its unit is what the question asks for, whether its document is
about the asked place and year, and how well its passage was retrieved. Below a
calibrated threshold the answer is "not found" rather than a guess.

Example::

    >>> best = best_candidate(index, hits, parse_question("苏州2016年职工书屋多少家"))
    >>> best.figure.text
    '918 家'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from rag.counted import asked, counts_visits, judge, unit_agreement
from rag.index import CorpusIndex, DocRecord
from rag.matching import (
    bigram_coverage,
    content_bigrams,
    coverage,
    document_frequency,
    key_parts,
    key_term,
    mentions,
    place_factor,
    term_weights,
    year_factor,
)
from rag.numbers import LABEL_KINDS, Figure, find_figures, unit_family
from rag.parts import known_wholes
from rag.question import Question
from rag.retrieval import Hit
from rag.script import simplified
from rag.sentences import (
    CLAUSE_END,
    SEGMENT_END,
    SENTENCE_END,
    Span,
    bounds,
    quote_span,
    unwrap,
)

SKIP_KINDS = LABEL_KINDS
_ORDINAL_ASKED = re.compile(r"第几")
ORDINAL_NOUN_CHARS = 12  # 第四届职工篮球联赛: the noun an ordinal numbers
TOUCH_CHARS = 6  # "示范点 918 家": the counted noun sits within a few characters
# The rarest thing the question names (妈妈 of 妈妈驿站, 委员会 of 女职工委员会) is
# missing from the figure's sentence: likely a figure about a neighbouring thing.
KEY_MISSING = 0.5
# The sentence's own figure for the asked thing is ruled out (新增 stated, 累计 asked):
# the other figures of that sentence count other things.
KEY_ELSEWHERE = 0.3
# The best matching sentence's figure is ruled out: other sentences' figures matching less
# than this share as well weigh this much.
ELSEWHERE_RATIO = 0.7
MAGNITUDE_CLASH = 0.1  # 多少万 asked, 88个 found
KNOWN_WHOLE = 1.5  # a figure beside the whole the asker states (那98家…里)
SENTENCE_ELSEWHERE = 0.4
UNIT_FLOOR = 0.08  # what a figure of a clashing unit keeps (people asked, 4195家 found)
VISITS_CLASH = 0.2  # on top of the unit's low agreement: a count of visits all but rules out

# "由 X 增加到 Y": X is the old value, Y the answer.
_CHANGE_LINK = re.compile(
    r"^\s*[^，,。；;]{0,10}?(?:增加|增长|提高|提升|上升|扩大|发展|增至|减少|下降|降低|降至|升至)(?:到|至|为)?\s*$"
)
_CHANGE_FROM = re.compile(r"(?:由|从)\s*$")


@dataclass
class Candidate:
    figure: Figure  # offsets relative to the document
    doc: DocRecord
    hit: Hit
    rank: int
    score: float
    quote: Span
    from_value: float | None = None
    parts: dict = field(default_factory=dict)


def candidates(
    index: CorpusIndex,
    hits: list[Hit],
    question: Question,
    query_vector: np.ndarray | None = None,
    depth: int = 8,
) -> list[Candidate]:
    """Every figure in the top ``depth`` passages, scored; best first.

    ``query_vector`` (the question's embedding) adds the meaning of the sentence
    around each figure, which catches paraphrases ("劳动纠纷" for "劳动争议案件").
    """
    terms = question.terms
    # 第几届 asks an ordinal (第四届); otherwise session numbers are never the answer.
    skip = SKIP_KINDS - {"ordinal"} if _ORDINAL_ASKED.search(question.text) else SKIP_KINDS
    weights = term_weights(index, question)
    key_word = key_term(index, question)
    parts_of_key = key_parts(key_word, terms)
    grams = content_bigrams(question)
    focus = [t for t in terms if t in question.focus]
    # What the question counts, compared with what each figure counts (rag/counted.py).
    want = asked(question, known=lambda word: document_frequency(index, word) > 0)
    # 涵盖9万多家单位: a figure the asker gives roughly (9.19万家 is the one they know)
    told = [f for f in find_figures(question.text) if f.qualifier in _MORE_THAN and f.value > 0]
    ten_thousands = bool(re.search(r"(?:多少|几)万(?![元块])", question.text))
    # Figures of one sentence or chunk share its text: score each text once.
    covered: dict[str, float] = {}

    def cover(text: str) -> float:
        if (value := covered.get(text)) is None:
            value = covered[text] = coverage(terms, weights, text)
        return value

    seen: dict[tuple[str, int], Candidate] = {}
    topics: dict[tuple[str, int], dict[str, str]] = {}
    sentence_of: dict[tuple[str, int], tuple[str, int]] = {}
    blocked: dict[tuple[str, int], tuple[float, bool]] = {}
    by_sentence: dict[tuple[str, int], dict[tuple[str, int], tuple[bool, bool, bool]]] = {}
    for rank, hit in enumerate(hits[:depth]):
        chunk = index.chunks[hit.chunk]
        doc = index.docs[chunk.doc_id]
        # Matched in simplified script (a traditional report meets the simplified
        # question); the same length, so every offset is the document's.
        text = simplified(doc.text)
        chunk_text = text[chunk.start : chunk.end]
        figures = [f for f in find_figures(chunk.text) if f.kind not in skip]
        for i, local in enumerate(figures):
            start, end = chunk.start + local.start, chunk.start + local.end
            key = (doc.doc_id, start)
            if key in seen and seen[key].rank <= rank:
                continue
            # Segment: from the previous figure or list mark to the next one.
            prev_end = chunk.start + figures[i - 1].end if i else chunk.start
            next_start = chunk.start + figures[i + 1].start if i + 1 < len(figures) else chunk.end
            from_value = _change_from(text, figures, i, chunk.start)
            if from_value is not None and i:
                # "基层工会由4081家增加到6299家": Y shares X's subject.
                prev = figures[i - 1]
                prev_end = chunk.start + figures[i - 2].end if i > 1 else chunk.start
                seg = bounds(text, chunk.start + prev.start, end, SEGMENT_END)
            else:
                seg = bounds(text, start, end, SEGMENT_END)
            seg = Span(max(seg.start, prev_end), min(seg.end, next_start))
            clause = bounds(text, start, end, CLAUSE_END)
            sent = bounds(text, start, end, SENTENCE_END)
            seg_text, clause_text, sent_text = (
                unwrap(text[seg.start : seg.end]),
                unwrap(text[clause.start : clause.end]),
                unwrap(text[sent.start : sent.end]),
            )

            # "国有企业…建制面达100%、已建会非公企业的建制面达95.2%": the second names only
            # its group; the topic before the shared head word is the first one's too.
            head = _head_before(text[seg.start : start])
            said_before = topics.setdefault((doc.doc_id, sent.start), {})
            if head and head in said_before and said_before[head] != text[seg.start : start]:
                seg_text = said_before[head] + "|" + seg_text
            elif head:
                said_before.setdefault(head, text[seg.start : start])
            cov_seg = cover(seg_text)
            cov_clause = cover(clause_text)
            cov_sent = cover(sent_text)
            cov_chunk = cover(chunk_text)
            grams_seg = bigram_coverage(grams, seg_text)
            grams_clause = bigram_coverage(grams, clause_text)
            grams_sent = bigram_coverage(grams, sent_text)
            # The counted noun usually touches the figure: "示范点 918 家", "47个工种".
            left = chunk.start + figures[i - 1].start if from_value is not None else start
            touching = unwrap(
                text[max(seg.start, left - TOUCH_CHARS) : start]
                + "|"
                + text[end : min(seg.end, end + 4)]
            )
            if local.kind == "ordinal":
                # 第四届职工篮球联赛 暨第七届“天佑杯”篮球联赛: an ordinal's noun follows it
                touching = unwrap(text[end : min(seg.end, end + ORDINAL_NOUN_CHARS)])
            cov_touch = coverage(terms, weights, touching)
            semantic = _semantic(index, doc.doc_id, start, query_vector)
            lexical = (
                0.20 * semantic
                + 0.15 * cov_touch
                + 0.25 * cov_seg
                + 0.15 * cov_clause
                + 0.10 * cov_sent
                + 0.05 * cov_chunk
                + 0.05 * grams_seg
                + 0.10 * grams_clause
                + 0.10 * grams_sent
            )
            # The thing being counted must be in the sentence, not just somewhere near.
            gate = 0.4 + 0.6 * coverage(focus, weights, sent_text) if focus else 1.0
            unit = unit_agreement(want, local.unit)
            where = place_factor(doc, sent_text, chunk_text, question.places) * year_factor(
                doc, sent_text, chunk_text, question.years, start, question.thread_years
            )
            retrieval = 1.0 / (1.0 + 0.15 * rank)
            relevance = lexical * gate * where
            verdict = judge(want, text, start, end, local.unit, seg)
            where *= verdict.factor
            clashed = verdict.ruled_out
            visits = counts_visits(want, local.unit)
            if visits:
                where *= VISITS_CLASH  # 1600余人次 for 多少名干部: visits are not heads
            if key_word and not mentions(sent_text, key_word, parts_of_key):
                where *= KEY_MISSING
            if ten_thousands and local.value < 10000 and local.kind != "percent":
                where *= MAGNITUDE_CLASH  # 多少万 asked: a figure below 10000 is not it
            if any(_same_value(local.value, v) for v in question.figures) or any(
                _within_told(local.value, f) for f in told
            ):
                where *= 0.1  # the asker already knows this number
            score = (
                lexical
                * gate
                * (UNIT_FLOOR + (1 - UNIT_FLOOR) * unit)
                * where
                * (0.75 + 0.25 * retrieval)
            )

            fig = local._replace(start=start, end=end)
            owns = bool(key_word) and mentions(seg_text, key_word, parts_of_key)
            by_sentence.setdefault((doc.doc_id, sent.start), {})[key] = (owns, clashed, visits)
            sentence_of[key] = (doc.doc_id, sent.start)
            # A figure that does not count the asked thing: a clash of the thing, visits
            # for heads, or another kind of quantity.
            blocked[key] = (relevance, clashed or visits or unit < 0.3)
            seen[key] = Candidate(
                figure=fig,
                doc=doc,
                hit=hit,
                rank=rank,
                score=score,
                quote=quote_span(text, start, end),
                from_value=from_value,
                parts={
                    "sem": semantic,
                    "touch": cov_touch,
                    "seg": cov_seg,
                    "clause": cov_clause,
                    "sent": cov_sent,
                    "chunk": cov_chunk,
                    "g_seg": grams_seg,
                    "g_clause": grams_clause,
                    "g_sent": grams_sent,
                    "gate": gate,
                    "unit": unit,
                    "unitless": float(local.unit is None),
                    "asked_unit": float(question.unit is not None),
                    "qualified": float(local.qualifier is not None),
                    "retrieval": retrieval,
                    "where": where,
                    "rank": rank,
                },
            )
    # "新增劳模创新工作室17个,推出技术创新项目161项" asked for the running total: the
    # sentence's figure for the thing is ruled out, and its neighbours count other things.
    for figures_here in by_sentence.values():
        owners = [clashed or visits for owns, clashed, visits in figures_here.values() if owns]
        if not (owners and all(owners)):
            continue
        counted_visits = not all(c for owns, c, _ in figures_here.values() if owns)
        for key, (owns, _, _) in figures_here.items():
            # Where the thing's own figure counts visits (培训工会干部1600余人次), a
            # neighbour counts it only if its own words say so (聘用15名社会化工作者 does not).
            if not owns and not (counted_visits and seen[key].parts["touch"] > 0):
                seen[key].score *= KEY_ELSEWHERE
    _elsewhere(seen, sentence_of, blocked)
    _beside_known_whole(seen, sentence_of, known_wholes(question.text))
    # "由 X 增加到 Y": X is never the answer while Y stands beside it, unless the
    # question asks where the change began (原有多少, 增长之前): then Y is not.
    earlier = question.earlier
    for cand in seen.values():
        if cand.from_value is not None:
            for other in seen.values():
                if (
                    other.doc is cand.doc
                    and other.figure.end <= cand.figure.start
                    and other.figure.value == cand.from_value
                ):
                    if earlier:
                        cand.score = min(cand.score, other.score * 0.9)
                    else:
                        other.score = min(other.score, cand.score * 0.9)
    return sorted(seen.values(), key=lambda c: -c.score)


def _beside_known_whole(seen, sentence_of, wholes: list[Figure]) -> None:
    """那98家500强里，有几家…: the sentence holding the whole the asker states is the one
    asked; its other figures weigh more."""
    if not wholes:
        return
    holding = {
        sentence_of[key]
        for key, cand in seen.items()
        if any(
            _same_value(cand.figure.value, w.value)
            and unit_family(cand.figure.unit) == unit_family(w.unit)
            for w in wholes
        )
    }
    for key, cand in seen.items():
        if sentence_of[key] in holding and not any(
            _same_value(cand.figure.value, w.value) for w in wholes
        ):
            cand.score *= KNOWN_WHOLE


def _elsewhere(seen, sentence_of, blocked) -> None:
    """The sentence that best matches the question counts something close to but not the
    asked thing (晋升技术等级的职工达1.53万余人次 for 按人数算): the question is about it, and
    a figure of another, less matching sentence (录入困难职工3040人) answers it only by
    chance. Such figures keep their score only when they match nearly as well."""
    if not blocked:
        return
    top = max(blocked, key=lambda k: blocked[k][0])
    best, is_blocked = blocked[top]
    if not is_blocked:
        return
    for key, cand in seen.items():
        if sentence_of[key] != sentence_of[top] and blocked[key][0] < ELSEWHERE_RATIO * best:
            cand.score *= SENTENCE_ELSEWHERE


_LINK_TAIL = re.compile(r"[达为是有共计约近超过逾:：\s]+$")


def _head_before(before: str) -> str | None:
    """The last two characters of the words before a figure, link words off: the head
    that parallel items of a list share (…建制面达 → 制面)."""
    words = _LINK_TAIL.sub("", unwrap(before))
    tail = words[-2:]
    return tail if len(tail) == 2 and re.fullmatch(r"[\u4e00-\u9fff]{2}", tail) else None


def _semantic(index: CorpusIndex, doc_id: str, pos: int, query_vector: np.ndarray | None) -> float:
    """Cosine of question and sentence, rescaled: m3e puts unrelated Chinese sentences
    near 0.5 and paraphrases near 0.9."""
    if query_vector is None or index.sentence_vectors is None:
        return 0.0
    row = index.sentence_row(doc_id, pos)
    if row is None:
        return 0.0
    cos = float(index.sentence_vectors[row] @ query_vector)
    return min(1.0, max(0.0, (cos - 0.5) / 0.4))


_MORE_THAN = ("多", "余", "逾", "超过")


def _within_told(value: float, told: Figure) -> bool:
    """``value`` is what "9万多" (the asker's rough figure) stands for: from it up to the
    next step of its last written digit (90000 ≤ value < 100000)."""
    digits = told.value
    step = 1.0
    while digits >= 10 and digits % 10 == 0:
        digits /= 10
        step *= 10
    return told.value <= value < told.value + step


def _same_value(a: float, b: float) -> bool:
    return abs(a - b) <= 0.005 * max(abs(a), abs(b), 1e-9)


def _change_from(text: str, figures: list[Figure], i: int, offset: int) -> float | None:
    if i == 0:
        return None
    prev = figures[i - 1]
    between = text[offset + prev.end : offset + figures[i].start]
    before = text[max(0, offset + prev.start - 3) : offset + prev.start]
    if _CHANGE_LINK.match(between) and _CHANGE_FROM.search(before):
        return prev.value
    return None


def rerank(
    index: CorpusIndex, hits: list[Hit], ranked: list[Candidate], depth: int = 8
) -> list[Hit]:
    """Order the top passages by the best figure each holds, then by fused rank.

    The answer scorer reads every figure's sentence; a passage holding a well-matched
    figure is a better first passage than one that merely shares words.
    """
    best: dict[int, float] = {}
    for cand in ranked:
        for hit in hits[:depth]:
            chunk = index.chunks[hit.chunk]
            if (
                chunk.doc_id == cand.doc.doc_id
                and chunk.start <= cand.figure.start
                and cand.figure.end <= chunk.end
            ):
                best[hit.chunk] = max(best.get(hit.chunk, 0.0), cand.score)
    head = sorted(hits[:depth], key=lambda h: -best.get(h.chunk, 0.0))
    return head + hits[depth:]
