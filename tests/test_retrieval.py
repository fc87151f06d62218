from __future__ import annotations

from rag.question import parse_question
from rag.retrieval import retrieve, rrf
from rag.settings import RetrievalMode


def test_rrf_rewards_agreement():
    fused = rrf([[1, 2, 3], [3, 1, 4]], k=60)
    assert max(fused, key=fused.get) == 1
    assert fused[3] > fused[2] and fused[4] < fused[2] + 1e-9 or fused[4] > 0


def test_place_and_year_prefer_the_matching_report(qa):
    q = parse_question("苏州2016年职工书屋多少家")
    hits = retrieve(qa.index, qa.embedder, q, qa.settings)
    top = qa.index.chunks[hits[0].chunk]
    assert top.doc_id == "001_0a525996db59571e"
    assert "918" in top.text


def test_modes_run_alone(qa):
    q = parse_question("无锡向企业发出了多少份劳动法律监督意见书")
    for mode in RetrievalMode:
        hits = retrieve(qa.index, qa.embedder, q, qa.settings, mode=mode)
        assert hits, mode
        assert qa.index.chunks[hits[0].chunk].doc_id.startswith("004"), mode


def test_without_prior_kunshan_can_win_the_suzhou_question(qa):
    """The prior is what moves 苏州's own report above 昆山's "苏州级以上职工书屋"."""
    q = parse_question("苏州2016年职工书屋多少家")
    with_prior = retrieve(qa.index, qa.embedder, q, qa.settings)
    assert with_prior[0].prior > 0
    without = retrieve(qa.index, qa.embedder, q, qa.settings, use_prior=False)
    assert all(h.prior == 0 for h in without)


def test_a_place_named_as_a_level_of_honour_is_not_that_place():
    from rag.index import DocRecord
    from rag.matching import place_factor
    from rag.metadata import DocMeta

    doc = DocRecord("d", "d.txt", "", "", DocMeta("d", "临川县工会报告", region="临川县"))
    # A report of one of the city's counties counts its own rooms, not the city's.
    assert place_factor(doc, "已建成抚州市级以上职工书屋127家。", "", ["抚州"]) == 0.0
    assert place_factor(doc, "抚州全市建成职工书屋500家。", "", ["抚州"]) == 0.9
