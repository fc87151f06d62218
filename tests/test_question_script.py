"""Questions in traditional script or with full-width digits parse, and are answered,
like their simplified half-width forms."""

from __future__ import annotations

import pytest

from rag.question import parse_question
from rag.schema import Status

PAIRS = [
    ("蘇州２０１６年職工書屋多少家？", "苏州2016年职工书屋多少家？"),
    # Cantonese written forms and corner quotes, as a Hong Kong asker types them
    ("崑山嘅職工書屋有幾多家？（唔計「示範點」）", "昆山的职工书屋有多少家？（不计“示范点”）"),
    ("崑山會員有幾人", "昆山会员有几人"),
    ("無錫建了幾家職工之家", "无锡建了几家职工之家"),
    ("江都２０１２年培訓了多少人次", "江都2012年培训了多少人次"),
]


@pytest.mark.parametrize(("traditional", "simplified"), PAIRS)
def test_traditional_and_full_width_parse_like_simplified(traditional, simplified):
    t, s = parse_question(traditional), parse_question(simplified)
    assert (t.places, t.years, t.unit, t.kind, t.terms) == (
        s.places,
        s.years,
        s.unit,
        s.kind,
        s.terms,
    )
    assert t.text == s.text  # retrieval embeds and tokenizes the normalised text
    assert t.places  # the place is recognised at all


REPORT = """# 某市总工会2016年工作报告

2016年，全市申报职工书屋120家，建成85家。
各级工会受理劳动争议案件500件，调解成功450件。
全市工会会员120万人，基层工会组织3600家。
"""


@pytest.fixture(scope="module")
def small_qa(made_pipeline):
    return made_pipeline({"city-2016.md": REPORT})


@pytest.mark.parametrize(
    ("traditional", "simplified", "value"),
    [
        ("全市建成了多少家職工書屋", "全市建成了多少家职工书屋", 85),
        ("調解成功了多少件勞動爭議", "调解成功了多少件劳动争议", 450),
        ("受理了多少件勞動爭議", "受理了多少件劳动争议", 500),
        ("工會會員有多少人", "工会会员有多少人", 1_200_000),
    ],
)
def test_traditional_questions_get_the_same_answer(small_qa, traditional, simplified, value):
    t, s = small_qa.ask(traditional), small_qa.ask(simplified)
    assert t.answer is not None and s.answer is not None
    assert t.answer.value == s.answer.value == value
    # The quote is the stored document's text, never the normalised question's.
    text = small_qa.index.docs[t.citations[0].doc_id].text
    c = t.citations[0]
    assert text[c.start : c.end] == c.quote == s.citations[0].quote


def test_a_narrower_group_than_stated_is_not_found(small_qa):
    # Only 会员 are counted; 女职工会员 are not stated.
    for question in ("女职工会员有多少", "女職工會員有多少"):
        assert small_qa.ask(question).status is Status.NOT_FOUND
