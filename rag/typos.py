"""A likely typo in a question, corrected from the corpus's own words.

"苏州2016年职工数屋多少家" finds nothing: no document writes 数屋. One character
changed gives 书屋, a word of the corpus that the documents write right after 职工
(职工书屋), so the question probably meant "苏州2016年职工书屋多少家". The pipeline
asks the corrected question first and answers it when it is answered (rag/pipeline.py);
otherwise the question is asked as typed, so a guess that leads nowhere is never shown.

Only words that neither the documents nor jieba's dictionary know are corrected, one
character each, and only to a word the documents write beside the question's
neighbouring word. A real word the corpus lacks is what was asked, not a slip: a place
the corpus does not cover (徐州 is not 苏州) gets the out-of-scope answer instead, and
question words the reports never write (多少) are left alone.

Example::

    >>> corpus = "继续推进职工书屋建设，已建职工书屋示范点918家。"
    >>> correct("职工数屋多少家", corpus, {"书屋": 2, "职工": 2})
    Correction(wrong='数屋', right='书屋', question='职工书屋多少家')
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import NamedTuple

from rag.regions import find_places
from rag.script import to_simplified
from rag.tokenization import cut, is_word

_HAN = re.compile(r"[\u4e00-\u9fff]+")
# A correction stands only if the documents write it beside the question's neighbour
# at least this often: once may be a coincidence of two common characters.
MIN_CONTEXT = 2
# jieba joins a verb or a measure with the grammar of a question (建了, 面是, 几人) into
# words no dictionary holds; a changed particle is grammar, not a slip, so leave them.
_GRAMMAR = frozenset("了是的吗呢吧着过几么比")  # 比市劳模: a comparison, not a mistyped 州市
_ASPECT = frozenset({"了", "过", "着"})


class Correction(NamedTuple):
    wrong: str  # the question's word that no document writes
    right: str  # the corpus word one character away
    question: str  # the question with ``right`` in place of ``wrong``


def correct(
    question: str, corpus: str, vocab: Mapping[str, int], places: Collection[str] = ()
) -> Correction | None:
    """The question with its first unknown word corrected, or None.

    ``corpus`` is the documents' text (joined), ``vocab`` the corpus's words and how
    many passages hold each (the BM25 vocabulary), ``places`` the places the documents
    are about: a word one character from one of them (苏洲, 江督区) is that place, with
    no neighbour needed — a question often starts with its place.
    """
    words = cut(question)
    for i, word in enumerate(words):
        if len(word) < 2 or not _HAN.fullmatch(word) or word in vocab:
            continue  # a word of the index's vocabulary: known (a dict lookup, no scan)
        if to_simplified(word) in corpus:
            continue  # traditional script (職工) is read as simplified, not a typo
        if is_word(word) or _GRAMMAR & set(word):
            continue  # a real word the documents lack (徐州, 多少) is asked, not mistyped
        before = "".join(words[:i])
        if word[0] in "年月日" and before[-1:].isdigit():
            continue  # 2012年市劳模: a date's 年 joined to the next word
        left = words[i - 1] if i > 0 and _HAN.fullmatch(words[i - 1]) else ""
        right = words[i + 1] if i + 1 < len(words) and _HAN.fullmatch(words[i + 1]) else ""
        if right in _ASPECT:
            continue  # 区总聘了: a verb before 了, not a mistyped noun
        # A place stands first or carries 市/区/县 (苏洲2016年, 江督区); 苏大 after 和 is
        # a university, not 苏州.
        placed = not _HAN.search(before) or word[-1] in "市区县"
        best = (_near_place(to_simplified(word), places) if placed else None) or (
            _best_neighbour(word, left, right, corpus, vocab)
        )
        if best is not None:
            start = len(before)
            fixed = question[:start] + best + question[start + len(word) :]
            return Correction(word, best, fixed)
    return None


def _near_place(word: str, places: Collection[str]) -> str | None:
    """The one place of ``places`` one character from ``word`` (苏洲 → 苏州, 江督区 →
    江都区), unless ``word`` is a place of its own (徐州 is no 苏州)."""
    suffix = word[-1] if len(word) > 2 and word[-1] in "市区县" else ""
    base = word[: len(word) - len(suffix)]
    if is_word(base) or find_places(base):
        return None
    near = {
        p
        for p in places
        if len(p) == len(base) and sum(a != b for a, b in zip(p, base, strict=True)) == 1
    }
    return near.pop() + suffix if len(near) == 1 else None


def _best_neighbour(word: str, left: str, right: str, corpus: str, vocab) -> str | None:
    """The corpus word one character from ``word`` that the documents most often write
    beside ``left`` or ``right``."""
    if not (left or right):
        return None
    scored = []
    for pos in range(len(word)):
        head, tail = re.escape(word[:pos]), re.escape(word[pos + 1 :])
        pattern = re.compile(f"{head}([\u4e00-\u9fff]){tail}")
        for char in {m.group(1) for m in pattern.finditer(corpus)}:
            candidate = word[:pos] + char + word[pos + 1 :]
            if vocab.get(candidate, 0) < 2:
                continue
            context = corpus.count(left + candidate) if left else 0
            context += corpus.count(candidate + right) if right else 0
            if context >= MIN_CONTEXT:
                scored.append((context, vocab[candidate], candidate))
    return max(scored)[2] if scored else None
