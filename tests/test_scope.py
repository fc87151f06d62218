"""What the documents cover (rag/scope.py): GET /v1/corpus, the not-found answer for a
place or year no document speaks for, and both following an upload."""

from __future__ import annotations

import httpx
import pytest
from conftest import ADMIN_TOKEN

from rag.metadata import DocMeta
from rag.question import parse_question
from rag.scope import coverage, outside, outside_message, scope_text

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def meta(doc_id: str, region: str | None, start: int | None, end: int | None) -> DocMeta:
    return DocMeta(
        doc_id,
        "t",
        region=region,
        places=[region] if region else [],
        period_start=start,
        period_end=end,
    )


METAS = [
    meta("a", "南通", 2016, 2016),
    meta("b", "海门", 2014, 2018),
    meta("c", "南通", 2012, 2012),
    meta("d", "南通", 2016, 2016),
    meta("e", None, None, None),
]


def test_coverage_groups_places_in_order_and_periods_by_year():
    covered = coverage(METAS)
    assert [(c.place, c.start, c.end, c.documents) for c in covered] == [
        ("南通", 2012, 2012, 1),
        ("南通", 2016, 2016, 2),
        ("海门", 2014, 2018, 1),
        (None, None, None, 1),
    ]
    assert scope_text(covered) == "已收录：南通 2012、南通 2016、海门 2014–2018、未标地区"
    assert scope_text([]) == "尚未收录任何文档。"


@pytest.mark.parametrize(
    ("question", "out"),
    [
        ("南通2016年职工书屋多少家", False),
        ("海门2015年新建工会多少家", False),  # inside 海门's 2014–2018
        ("南通2015年新建工会多少家", False),  # 海门 lies within 南通 and covers 2015
        ("江苏2016年职工书屋多少家", False),  # the province holds 南通
        ("徐州2016年职工书屋多少家", True),  # no document speaks for 徐州
        ("海门2020年新建工会多少家", True),  # 海门's report ends in 2018
        ("职工书屋多少家", False),
    ],
)
def test_outside_names_places_and_years_no_document_covers(question, out):
    known = [m for m in METAS if m.region]  # a document without a period claims no year
    assert outside(parse_question(question), known) is out


def test_a_document_of_unknown_period_covers_every_year():
    assert not outside(parse_question("南通2030年职工书屋多少家"), METAS)


def test_outside_message_says_what_was_asked_and_what_is_covered():
    text = outside_message(parse_question("徐州2016年职工书屋多少家"), METAS[:2])
    assert text.startswith("未找到：所问的“徐州 2016年”不在已收录的文档范围内。")
    assert text.endswith("已收录：南通 2016、海门 2014–2018")


# ------------------------------------------------------------------ over HTTP

REPORT = """连云港市总工会2018年工作报告
（2019年1月20日）

2018年，连云港市总工会新建职工书屋 23 家，开展劳动竞赛 41 场次。
"""


@pytest.fixture(scope="module")
def server(api_server_factory):
    return api_server_factory(
        env={"RAG_ADMIN_TOKEN": ADMIN_TOKEN, "RAG_RATE_LIMIT_PER_MINUTE": "100000"}
    )


def test_corpus_lists_the_seed_places_and_follows_an_upload(server):
    with httpx.Client(base_url=server.url, timeout=120) as http:
        before = http.get("/v1/corpus").json()
        assert before["documents"] == len(http.get("/v1/documents").json()["documents"])
        places = {c["place"] for c in before["coverage"]}
        assert {"苏州", "昆山", "无锡", "江都"} <= places
        assert before["text"].startswith("已收录：") and "苏州 2016" in before["text"]

        # A place no document covers: not found, with the scope.
        asked = http.post("/v1/ask", json={"question": "连云港2018年新建职工书屋多少家"}).json()
        assert asked["status"] == "not_found" and asked["answer"] is None
        assert "连云港" in asked["message"] and before["text"] in asked["message"]

        done = http.post(
            "/v1/documents",
            files={"file": ("lyg_2018.txt", REPORT.encode("utf-8"), "text/plain")},
            headers=AUTH,
        )
        assert done.status_code == 201, done.text
        after = http.get("/v1/corpus").json()
        assert after["documents"] == before["documents"] + 1
        assert {"place": "连云港", "start": 2018, "end": 2018, "documents": 1} in after["coverage"]
        asked = http.post("/v1/ask", json={"question": "连云港2018年新建职工书屋多少家"}).json()
        assert asked["status"] == "answered" and asked["answer"]["value"] == 23
        # Still out of scope: a year the new report does not cover.
        asked = http.post("/v1/ask", json={"question": "连云港2010年新建职工书屋多少家"}).json()
        assert asked["status"] == "not_found" and "连云港 2018" in asked["message"]
