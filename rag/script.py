"""Writing-system normalisation: traditional → simplified characters, full-width → half-width.

Reports arrive in Big5 or with full-width digits (臺北市總工會，２０１６年); the gazetteer,
jieba's dictionary and the question parser speak simplified characters and ASCII
digits. Every function here keeps the text's length, character for character, so a
position found in the normalised text is the same position in the original — quotes
and offsets stay exact.

Conversion is OpenCC's ``t2s`` (the ``opencc`` package; dictionaries, not a hand
list). Simplified text passes through unchanged.

``rag.tokenization.normalize`` applies NFKC to whole texts for search tokens, which
also turns Chinese punctuation (，：（）) into ASCII; :func:`to_halfwidth` converts only
the characters of words and numbers and keeps the punctuation the sentence splitter
and the answerer look for.

Example::

    >>> to_simplified("臺北市總工會2016年工作報告")
    '台北市总工会2016年工作报告'
    >>> to_halfwidth("全年新建１２．５万家，增长１０％")
    '全年新建12.5万家，增长10%'
    >>> normalize_script("蘇州２０１６年職工書屋多少家？")
    '苏州2016年职工书屋多少家？'
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["to_simplified", "to_halfwidth", "normalize_script"]


@lru_cache(maxsize=1)
def _converter():
    import opencc  # C++ OpenCC with its dictionaries, ~1 µs per short text

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=256)
def simplified(text: str) -> str:
    """:func:`to_simplified`, remembered: a document's text is read in simplified script
    for matching on every question, and its offsets stay those of the original."""
    return to_simplified(text)


def to_simplified(text: str) -> str:
    """Traditional characters as simplified ones, the length unchanged."""
    if text.isascii():
        return text
    convert = _converter().convert
    out = convert(text)
    if len(out) == len(text):
        return out
    # A phrase rule changed the length (rare): convert character by character, which
    # keeps every position, and leave a character alone if even that would not.
    return "".join(c2 if len(c2 := convert(c)) == 1 else c for c in text)


# Full-width forms of the characters that make up words and numbers: digits, Latin
# letters, the decimal point and the percent sign; and the ideographic space.
_HALFWIDTH = {
    **{cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)},  # ０-９
    **{cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)},  # Ａ-Ｚ
    **{cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)},  # ａ-ｚ
    ord("．"): ord("."),
    ord("％"): ord("%"),
    0x3000: ord(" "),
}


def to_halfwidth(text: str) -> str:
    """Full-width digits, letters, ``．``, ``％`` and spaces as ASCII; punctuation kept."""
    return text.translate(_HALFWIDTH)


def normalize_script(text: str) -> str:
    """Both: simplified characters, half-width digits and letters (length unchanged)."""
    return to_halfwidth(to_simplified(text))
