"""What was not done, from two figures a report states side by side.

"受理劳动争议1424件，成功调解1321件" answers "没有调解成功的有多少件" with 1424 − 1321 =
103; "在锡投资的98家世界500强企业,已有96家开展工资集体协商" answers "还没有开展的有几家"
with 2. A question that negates a verb asks the rest of a whole: the figure that counts
those that did it (the verb stands in its clause) and, right before it in the same
sentence, a larger figure in the same unit that does not say the verb. Where the report
gives only those that did it ("已有355个通过验收"), nothing answers.

Example::

    >>> unmet("2012年受理的劳动争议中，没有调解成功的有多少件？")
    '调解成功'
    >>> positive("2012年受理的劳动争议中，没有调解成功的有多少件？")
    '2012年受理的劳动争议中，调解成功的有多少件？'
    >>> says_verb("调解成功", "成功调解1321件")
    True
"""

from __future__ import annotations

import re

from rag.numbers import Figure, find_figures, unit_family
from rag.synonyms import variants
from rag.tokenization import tokenize

__all__ = ["positive", "rest_of", "says_verb", "states_unmet", "unmet"]

# 没有调解成功的, 尚未通过验收, 还没有开展工资集体协商的, 未能就业的. 未来/未成年 name no
# act, and 有没有 asks yes or no.
_UNMET = re.compile(
    r"(?:还|尚|仍)?(?<!有)(?:没有|没能|未能|未曾|没|未|不属于)(?!来|成年|满|知|定|必|免)"
    r"(?P<verb>[\u4e00-\u9fff]{2,10}?)(?=的|[、，,？?。\s]|$)"
)
# 不是企业调解组织的有多少, 企业调解组织以外的, 除独立基层工会组织以外的其余部分: the rest
# of the whole, as 没有…的 is.
_NOT_ONE = re.compile(
    r"(?:不是|除了?)(?P<verb>[\u4e00-\u9fff“”]{2,14}?)(?:以外|之外)?的(?=[\u4e00-\u9fff\s]{0,6}?有?(?:多少|几))"
    r"|(?<=[，,中里\s])(?P<other>[\u4e00-\u9fff“”]{2,14}?)(?:以外|之外)的(?=[\u4e00-\u9fff\s]{0,6}?有?(?:多少|几))"
)
# 非企业类劳动争议调解组织 数量: the kinds other than one, in a keyword query
_NOT_KIND = re.compile(r"(?:(?<=^)|(?<=[\s，,的]))非(?P<kind>[\u4e00-\u9fff]{2,6}?)类")
_NEGATION = re.compile(r"没有|没能|未能|尚未|未曾|未|没|不属于")


def unmet(question: str) -> str | None:
    """The act the question negates, if it asks how many did not do it."""
    m = _UNMET.search(question) or _NOT_ONE.search(question)
    if m is None and (kind := _NOT_KIND.search(question)):
        return kind.group("kind")
    return (m.group("verb") or m.group("other")) if m else None


def positive(question: str) -> str:
    """The question asked of those that did: 没有调解成功的 → 调解成功的."""
    m = _UNMET.search(question) or _NOT_ONE.search(question)
    if m is None and (kind := _NOT_KIND.search(question)):
        return question[: kind.start()] + kind.group("kind") + question[kind.end() - 1 :]
    if m is None:
        return question
    group = "verb" if m.group("verb") else "other"
    rest = re.sub(
        r"^(?:以外|之外)?的(?:其余|其他|剩下)?(?:部分|的)?", "的", question[m.end(group) :]
    )
    return question[: m.start()] + m.group(group) + rest


def says_verb(verb: str, text: str) -> bool:
    """Every word of ``verb`` (or a synonym) is in ``text``, in any order: 调解成功 is
    said by 成功调解."""
    words = [w for w in tokenize(verb) if len(w) >= 2] or [verb]
    return all(any(v in text for v in variants(w)) for w in words)


def states_unmet(verb: str, clause: str) -> bool:
    """The report itself counts those that did not: "尚有2家未开展"."""
    return bool(_NEGATION.search(clause)) and says_verb(verb, clause)


def rest_of(sentence: str, met_start: int, met: Figure, verb: str) -> Figure | None:
    """The whole that ``met`` (at ``met_start`` in ``sentence``) is part of: the nearest
    figure before it in the same unit (98家世界500强企业 skips 500强), larger, whose own
    words do not say ``verb``."""
    before = [f for f in find_figures(sentence) if f.end <= met_start]
    same = [i for i, f in enumerate(before) if unit_family(f.unit) == unit_family(met.unit)]
    if not same:
        return None
    whole = before[same[-1]]
    if whole.value <= met.value:
        return None
    # Its own words: from its clause's start (or the figure before) to it.
    lead = sentence[before[same[-1] - 1].end if same[-1] else 0 : whole.start]
    own = re.split(r"[，,；;。]", lead)[-1] + whole.text
    return None if says_verb(verb, own) else whole
