"""Sentence bounds in report text, where PDF line wraps are not sentence ends."""

from __future__ import annotations

from pathlib import Path

from rag.sentences import SENTENCE_END, bounds, quote_span, soft_breaks, split_sentences

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

WRAPPED = (
    "## 二、维护职工权益\n\n"
    "深化“安康杯”竞赛活动,全市参赛企业11707家、\n\n"
    "职工92.9万人,无锡市总工会荣获优秀组织单位等荣誉。\n\n"
    "劳动关系更加和谐稳定\n\n"
    "围绕推进“大调解工程”,去年以来共调解劳动争议2000件。"
)


def _sentence(text: str, needle: str) -> str:
    at = text.index(needle)
    span = bounds(text, at, at + len(needle), SENTENCE_END)
    return text[span.start : span.end]


def test_a_wrapped_line_continues_its_sentence():
    sentence = _sentence(WRAPPED, "92.9万人")
    assert sentence.startswith("深化“安康杯”竞赛活动")
    assert sentence.endswith("荣誉。")


def test_headings_and_full_stops_still_end_sentences():
    assert _sentence(WRAPPED, "11707家").startswith("深化")  # not the heading above
    # A heading line without punctuation ends at its line break.
    assert _sentence(WRAPPED, "2000件").startswith("围绕推进")
    assert "## 二、维护职工权益" not in _sentence(WRAPPED, "11707家")


def test_split_sentences_keeps_wrapped_sentences_whole():
    texts = [WRAPPED[a:b].strip() for a, b in split_sentences(WRAPPED)]
    assert any("11707家" in t and "92.9万人" in t for t in texts)
    assert "劳动关系更加和谐稳定" in texts


def test_numbered_items_start_afresh():
    text = "加强新闻宣传和信息工作，组织好职工读书月等活动\n\n2. 引领职工积极参加劳动竞赛。"
    assert soft_breaks(text) == frozenset()


def test_every_quote_is_the_exact_source_text_across_wraps():
    text = (SEEDS / "004_6997ae37a3d916d3.txt").read_text(encoding="utf-8")
    at = text.index("职工92.9万人")
    start, end = quote_span(text, at + 2, at + 8)
    assert start < text.index("11707家") < end  # the quote reaches back over the wrap
    assert text[start:end].count("\n") >= 1


def test_wraps_are_found_in_the_converted_reports():
    # The 无锡 and 苏州 2016 reports were converted from PDF with page-width lines.
    for name in ("001_0a525996db59571e.txt", "004_6997ae37a3d916d3.txt"):
        assert soft_breaks((SEEDS / name).read_text(encoding="utf-8"))
