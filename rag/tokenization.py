"""Jieba tokens for BM25 and for matching question terms against sentences.

Numbers and years stay whole tokens ("2016", "9.2") because users ask for them.

Example::

    >>> tokenize("苏州2016年职工书屋多少家")[:3]
    ['苏州', '2016', '年']
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

import jieba

from rag import jieba_dict
from rag.script import to_simplified

jieba.setLogLevel(logging.WARNING)
jieba_dict.install()  # words looked up on demand: no ~1 s dictionary load per process

_WORD = re.compile(r"[\w.%]+", re.UNICODE)

# Function words that carry no subject; kept small and generic.
STOPWORDS = frozenset(
    "的 了 和 与 及 是 在 有 为 对 把 被 将 并 等 也 都 而 或 个 这 那 其 之 于 以 中 上 下 由 从 到 向".split()
)


# Corner quotes (「工会学院」, written in Hong Kong and Taiwan) as the reports' “”.
_QUOTES = str.maketrans("「」『』", "“”“”")


def normalize(text: str) -> str:
    """Full-width digits and letters to half-width, so "２０１６" and "2016" meet; corner
    quotes (「」『』) as “”, one character for one."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES)


def tokenize(text: str, stopwords: frozenset[str] = STOPWORDS) -> list[str]:
    """Search-mode jieba tokens: compound words plus their parts (职工书屋, 职工, 书屋)."""
    tokens = []
    for token in jieba.cut_for_search(normalize(to_simplified(text))):
        token = token.strip().lower()
        if token and _WORD.fullmatch(token) and token not in stopwords:
            tokens.append(token)
    return tokens


def cut(text: str) -> list[str]:
    """Precise-mode jieba words, nothing dropped and no overlapping parts: 职工之家 →
    职工, 之, 家 (what is written, word by word)."""
    return jieba.lcut(text)


def is_word(text: str) -> bool:
    """Whether jieba's dictionary holds ``text`` as a word (徐州, 多少), not only as the
    start of longer ones or not at all (数屋)."""
    jieba.dt.check_initialized()
    return bool(jieba.dt.FREQ.get(text))


def tokenize_many(texts: list[str]) -> list[list[str]]:
    return [tokenize(t) for t in texts]


@lru_cache(maxsize=4096)
def adjacent_words(text: str) -> tuple[tuple[str, str], ...]:
    """Neighbouring words of ``text`` in jieba's precise mode: ("妈妈", "驿站") of 妈妈驿站.

    Cached: questions repeat, and the corpus has only a few thousand sentences.
    """
    words = [w for w in jieba.cut(text) if w.strip()]
    return tuple(zip(words, words[1:], strict=False))


def part_of_speech(word: str) -> str:
    """Jieba's dictionary tag of ``word`` ("n" noun, "v" verb, "vn" verbal noun…), "" if unknown."""
    import jieba.posseg  # loads its tag table once, on first use

    return jieba.posseg.dt.word_tag_tab.get(word, "")


# Words for the figure's own quantity (多少金额, 人数是多少, 助学金总额): the figure answers
# them, the sentence need not say them, and they qualify nothing.
MEASURES = frozenset(
    "数量 数目 人数 总数 总量 总额 金额 数额 比例 比率 占比 次数 户数 人次 规模".split()
)


def is_thing_word(word: str) -> bool:
    """A dictionary noun naming a thing (妈妈, 委员会, 咨询): not a person's or place name."""
    tag = part_of_speech(word)
    if tag == "nr" and len(word) >= 4:
        return True  # jieba tags 法律援助 as a name; Chinese names are two or three characters
    return (tag.startswith("n") and tag not in ("nr", "ns", "nt")) or tag in ("vn", "j", "l")
