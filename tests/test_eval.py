"""Tests of the evaluation runner ``rag eval``: metric functions, gold validation, floor gate.

The metric tests use synthetic answer objects; the end-to-end tests run ``rag eval`` on a
small gold file against a real index of ``seeds/`` (built once per session, or taken from
the ``seed_index_dir`` fixture when ``conftest.py`` provides one).

Example::

    $ .venv/bin/python -m pytest tests/test_eval.py -q
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.metrics import (
    GoldError,
    GoldItem,
    GoldSpans,
    QuestionResult,
    Span,
    answer_correct,
    check_floor,
    citation_correct,
    find_span,
    gold_spans,
    mean_reciprocal_rank,
    normalise_unit,
    parse_floor,
    parse_gold,
    percentile,
    rank_of_gold,
    recall_at,
    summarise,
    summarise_by_type,
    target_span,
    units_compatible,
    value_matches,
)
from eval.run import parse_modes
from rag.schema import Answer, AnswerObject, Citation, Status
from rag.settings import RetrievalMode

ROOT = Path(__file__).resolve().parent.parent
DEV_GOLD = Path("/work/shared/eval/dev-gold.jsonl")
DOC = "001_0a525996db59571e"
DOC_TEXT = "前文。全年开展各类安全生产检查 9.2 万次，覆盖企业 2.1 万家。后文。"


# ----------------------------------------------------------------- helpers


def gold(**overrides) -> GoldItem:
    base = dict(
        id="q1",
        question="苏州2016年开展各类安全生产检查多少次？",
        answer_value=92000.0,
        answer_text="9.2 万次",
        unit="次",
        doc=f"{DOC}.txt",
        evidence="全年开展各类安全生产检查 9.2 万次",
        type="lookup",
    )
    base.update(overrides)
    return GoldItem(**base)


def answered(
    value: float, unit: str | None, text: str, quote: str = "", doc_id: str = DOC, start: int = 0
) -> AnswerObject:
    citation = Citation(
        doc_id=doc_id,
        title="t",
        quote=quote,
        start=start,
        end=start + len(quote),
        chunk=quote,
        score=1.0,
    )
    return AnswerObject(
        question="q",
        status=Status.ANSWERED,
        answer=Answer(text=text, value=value, unit=unit),
        citations=[citation],
        took_ms=12.0,
    )


def not_found() -> AnswerObject:
    return AnswerObject(question="q", status=Status.NOT_FOUND, message="未找到", took_ms=3.0)


def result(**overrides) -> QuestionResult:
    base = dict(
        id="q1",
        type="lookup",
        mode="hybrid",
        question="q",
        expected_value=10.0,
        expected_text="10家",
        expected_doc="a.txt",
        status="answered",
        value=10.0,
        unit="家",
        answer_text="10家",
        cited_doc="a",
        quote="共10家",
        correct=True,
        citation_correct=True,
        rank=1,
        recall_applicable=True,
        took_ms=10.0,
        wall_ms=11.0,
    )
    base.update(overrides)
    return QuestionResult(**base)


# ------------------------------------------------------------ value and unit


@pytest.mark.parametrize(
    ("value", "expected", "ok"),
    [
        (92000.0, 92000, True),
        (92460.0, 92000, True),  # +0.5% is still in
        (92470.0, 92000, False),
        (91540.0, 92000, True),
        (148.0, 27028, False),
        (0.0, 0, True),
        (None, 10, False),
        (10.0, None, False),
    ],
)
def test_value_tolerance(value, expected, ok):
    assert value_matches(value, expected) is ok


@pytest.mark.parametrize(
    ("answer", "expected", "ok"),
    [
        ("人", "名", True),
        ("位", "人", True),
        ("个", "家", True),
        ("人次", "人次", True),
        ("元", "元", True),
        ("万元", "元", True),  # normalised to the base unit
        ("%", "%", True),
        ("％", "%", True),
        ("人次", "人", False),
        ("家", "人", False),
        ("场", "场次", False),
        ("次", "人次", False),
        ("家", None, True),  # no gold unit: no check
        (None, "人", True),  # the source has no measure word ("19万职工"): value decides
    ],
)
def test_unit_compatibility(answer, expected, ok):
    assert units_compatible(answer, expected) is ok


def test_normalise_unit():
    assert normalise_unit(" 万人次 ") == "人次"
    assert normalise_unit("亿元") == "元"
    assert normalise_unit("万") == "万"  # a bare multiplier stays as written
    assert normalise_unit(None) is None


def test_answer_correct_value_and_unit():
    item = gold()
    assert answer_correct(item, answered(92000.0, "次", "9.2 万次"))
    assert not answer_correct(
        item, answered(92000.0, "家", "9.2 万家")
    )  # right number, wrong thing
    assert not answer_correct(item, answered(148.0, "次", "148 次"))
    assert not answer_correct(item, not_found())


def test_answer_correct_by_how_much_is_the_difference():
    grew = answered(6299.0, "家", "6299家")
    grew.answer.change, grew.answer.from_ = 2218.0, 4081.0
    assert answer_correct(gold(answer_value=2218.0, unit="家"), grew)
    assert not answer_correct(gold(answer_value=6299.0, unit="家"), grew)  # the change asked


def test_answer_correct_unanswerable():
    item = gold(
        answer_value=None, answer_text=None, unit=None, doc=None, evidence=None, type="unanswerable"
    )
    assert answer_correct(item, not_found())
    assert not answer_correct(item, answered(17.0, "个", "17个"))


def test_answer_correct_cross_doc_checks_the_winning_value():
    item = gold(answer_value=75.0, answer_text="75名", unit="名", type="cross_doc")
    assert answer_correct(item, answered(75.0, "名", "75名"))
    assert not answer_correct(item, answered(66.0, "人", "66人"))  # the other document's figure


# --------------------------------------------------------------- citations


def test_citation_from_gold_doc_quoting_the_figure():
    quote = "全年开展各类安全生产检查 9.2 万次，覆盖企业 2.1 万家。"
    spans = gold_spans(gold(), DOC_TEXT)
    ok = answered(92000.0, "次", "9.2 万次", quote=quote, start=3)
    assert citation_correct(gold(), ok, DOC, spans)


def test_citation_compares_without_whitespace():
    quote = "全年开展各类安全生产检查9.2万次"
    item = gold(answer_text="9.2 万次")
    assert citation_correct(item, answered(92000.0, "次", "9.2万次", quote=quote), DOC, None)


def test_citation_from_another_document_is_wrong():
    quote = "全年开展各类安全生产检查 9.2 万次"
    wrong_doc = answered(92000.0, "次", "9.2 万次", quote=quote, doc_id="000_0462b56534fb87e3")
    assert not citation_correct(gold(), wrong_doc, DOC, None)


def test_citation_quote_without_the_figure_is_wrong():
    quote = "覆盖企业 2.1 万家。"
    assert not citation_correct(gold(), answered(92000.0, "次", "9.2 万次", quote=quote), DOC, None)


def test_citation_by_answer_text_needs_overlap_with_evidence():
    # Gold writes the figure differently ("92000次"), so the answer's own text must be in
    # the quote and the quote must overlap the gold evidence.
    item = gold(answer_text="92000次")
    spans = gold_spans(gold(), DOC_TEXT)
    quote = "全年开展各类安全生产检查 9.2 万次"
    assert citation_correct(
        item, answered(92000.0, "次", "9.2 万次", quote=quote, start=3), DOC, spans
    )
    far = answered(92000.0, "次", "9.2 万次", quote=quote, start=500)
    assert not citation_correct(item, far, DOC, spans)


def test_no_citation_is_wrong():
    answer = answered(92000.0, "次", "9.2 万次")
    answer.citations = []
    assert not citation_correct(gold(), answer, DOC, None)


# ------------------------------------------------------------ spans, recall


def test_find_span_exact_and_whitespace_insensitive():
    at = DOC_TEXT.index("9.2 万次")
    assert find_span(DOC_TEXT, "9.2 万次") == Span(at, at + 6)
    assert find_span(DOC_TEXT, "9.2万次") == Span(at, at + 6)
    assert find_span(DOC_TEXT, "不存在") is None
    assert find_span(DOC_TEXT, None) is None


def test_gold_spans_locate_evidence_and_figure():
    spans = gold_spans(gold(), DOC_TEXT)
    assert spans.evidence == Span(3, DOC_TEXT.index("，"))
    assert DOC_TEXT[spans.figure.start : spans.figure.end] == "9.2 万次"
    missing_figure = gold_spans(gold(answer_text="十万次"), DOC_TEXT)
    assert missing_figure.figure == missing_figure.evidence


def test_target_span_falls_back_to_the_figure_across_a_chunk_boundary():
    spans = GoldSpans(evidence=Span(90, 130), figure=Span(120, 128))
    assert target_span(spans, [(0, 100), (80, 200)]) == spans.evidence  # one chunk holds all
    assert target_span(spans, [(0, 100), (100, 200)]) == spans.figure  # evidence straddles


def test_rank_of_gold():
    target = Span(120, 128)
    passages = [("other", 0, 500), (DOC, 0, 100), (DOC, 100, 200), (DOC, 110, 300)]
    assert rank_of_gold(passages, DOC, target) == 3
    assert rank_of_gold(passages[:2], DOC, target) is None
    assert rank_of_gold([], DOC, target) is None


def test_recall_and_mrr():
    ranks = [1, 2, None, 5, 7]
    assert recall_at(ranks, 1) == pytest.approx(0.2)
    assert recall_at(ranks, 5) == pytest.approx(0.6)
    assert mean_reciprocal_rank(ranks) == pytest.approx((1 + 0.5 + 0.2 + 1 / 7) / 5)
    assert recall_at([], 1) is None
    assert mean_reciprocal_rank([]) is None


def test_percentile():
    assert percentile([10, 20, 30, 40], 50) == 25.0
    assert percentile([5.0], 95) == 5.0
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert percentile([], 50) is None


# --------------------------------------------------------------- summaries


def test_summarise_counts_each_metric_on_its_own_population():
    rows = [
        result(id="a", rank=1),
        result(
            id="b", correct=False, citation_correct=None, status="not_found", value=None, rank=3
        ),
        result(id="c", citation_correct=False, rank=None),
        result(
            id="d",
            type="unanswerable",
            expected_value=None,
            status="not_found",
            citation_correct=None,
            rank=None,
            recall_applicable=False,
        ),
        result(
            id="e",
            type="unanswerable",
            expected_value=None,
            status="answered",
            correct=False,
            citation_correct=None,
            rank=None,
            recall_applicable=False,
        ),
    ]
    s = summarise(rows)
    assert (s.n, s.answerable, s.unanswerable) == (5, 3, 2)
    assert s.answer_accuracy == pytest.approx(3 / 5)
    assert s.citation_accuracy == pytest.approx(1 / 2)  # among a and c, the correct answerable ones
    assert s.recall_at_1 == pytest.approx(1 / 3)
    assert s.recall_at_5 == pytest.approx(2 / 3)
    assert s.mrr == pytest.approx((1 + 1 / 3) / 3)
    assert s.unanswerable_not_found == pytest.approx(1 / 2)
    assert s.answerable_not_found == pytest.approx(1 / 3)
    assert s.latency_p50_ms == 10.0


def test_summarise_by_type_and_empty_populations():
    rows = [
        result(id="a"),
        result(
            id="b",
            type="unanswerable",
            expected_value=None,
            status="not_found",
            citation_correct=None,
            rank=None,
            recall_applicable=False,
        ),
    ]
    by_type = summarise_by_type(rows)
    assert list(by_type) == ["lookup", "unanswerable"]
    assert by_type["lookup"].unanswerable_not_found is None
    assert by_type["unanswerable"].answer_accuracy == 1.0
    assert by_type["unanswerable"].recall_at_1 is None


# ------------------------------------------------------------------- floor


def test_floor_check():
    s = summarise([result(), result(id="b", correct=False, citation_correct=None)])
    floor = parse_floor(
        {
            "_comment": "ignored",
            "answer_accuracy": 0.9,
            "citation_accuracy": 1.0,
            "latency_p95_ms": 5.0,
        }
    )
    failures = {f.metric: f for f in check_floor(s, floor)}
    assert set(failures) == {"answer_accuracy", "latency_p95_ms"}
    assert "below its floor" in failures["answer_accuracy"].describe()
    assert "above its ceiling" in failures["latency_p95_ms"].describe()
    assert check_floor(s, parse_floor({"answer_accuracy": 0.5})) == []


def test_floor_rejects_unknown_metrics():
    with pytest.raises(GoldError, match="unknown metric 'accuracy'"):
        parse_floor({"accuracy": 0.9})
    with pytest.raises(GoldError, match="must be a number"):
        parse_floor({"answer_accuracy": "high"})


def test_floor_file_is_valid():
    data = json.loads((ROOT / "eval" / "floor.json").read_text(encoding="utf-8"))
    assert parse_floor(data)


# -------------------------------------------------------------------- gold


GOOD_LINE = json.dumps(
    {
        "id": "x1",
        "question": "多少家？",
        "answer_value": 5,
        "answer_text": "5家",
        "unit": "家",
        "doc": "a.txt",
        "evidence": "共5家",
        "type": "lookup",
        "some_new_key": [1],
    },
    ensure_ascii=False,
)
NULL_LINE = json.dumps(
    {
        "id": "x2",
        "question": "常州多少家？",
        "answer_value": None,
        "answer_text": None,
        "unit": None,
        "doc": None,
        "evidence": None,
        "type": "unanswerable",
    },
    ensure_ascii=False,
)


def test_parse_gold_accepts_schema_and_ignores_unknown_keys():
    items = parse_gold([GOOD_LINE, "", NULL_LINE], "g.jsonl")
    assert [i.id for i in items] == ["x1", "x2"]
    assert items[0].answer_value == 5.0 and items[0].extra == {"some_new_key": [1]}
    assert items[1].line == 3 and not items[1].answerable


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ('{"id": "x9", "question": "多少', "g.jsonl:2: not valid JSON"),
        ('["a list"]', "g.jsonl:2: expected a JSON object"),
        ('{"id": "x9", "answer_value": 1}', "g.jsonl:2: missing required key(s): question"),
        (
            '{"id": "x9", "question": "q", "answer_value": "五"}',
            "g.jsonl:2: “answer_value” must be a number",
        ),
        (
            '{"id": "x9", "question": "q", "answer_value": 1, "doc": 3}',
            "g.jsonl:2: “doc” must be a string",
        ),
        (
            '{"id": "x9", "question": "q", "answer_value": 1, "type": "unanswerable"}',
            "g.jsonl:2: type “unanswerable”",
        ),
        (
            '{"id": "x1", "question": "q", "answer_value": 1}',
            "g.jsonl:2: duplicate id 'x1' (first on line 1)",
        ),
    ],
)
def test_parse_gold_malformed_line_names_the_line(bad, message):
    with pytest.raises(GoldError) as info:
        parse_gold([GOOD_LINE, bad], "g.jsonl")
    assert message in str(info.value)


def test_parse_modes():
    assert parse_modes("hybrid") == [RetrievalMode.HYBRID]
    assert parse_modes("BM25") == [RetrievalMode.BM25]
    assert parse_modes("all") == [RetrievalMode.HYBRID, RetrievalMode.DENSE, RetrievalMode.BM25]
    with pytest.raises(ValueError, match="unknown retrieval mode"):
        parse_modes("sparse")


# ------------------------------------------------------------ end to end


def _rag(argv: list[str]) -> int:
    from rag.cli import main

    return main(argv)


def test_cli_malformed_gold_exits_2_with_line_number(tmp_path, capsys):
    path = tmp_path / "gold.jsonl"
    path.write_text(
        GOOD_LINE + "\n" + '{"id": "x2", "question": "q", "answer_value": [1]}\n', encoding="utf-8"
    )
    assert _rag(["eval", "--gold", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2" in err and "answer_value" in err


@pytest.fixture(scope="session")
def eval_index_dir(request, tmp_path_factory) -> Path:
    """An index of seeds/: the shared ``seed_index_dir`` fixture if there is one, else built here."""
    try:
        return Path(request.getfixturevalue("seed_index_dir"))
    except pytest.FixtureLookupError:
        pass
    from rag.ingest import ingest
    from rag.settings import Settings

    index_dir = tmp_path_factory.mktemp("eval-index")
    report = ingest([ROOT / "seeds"], Settings(index_dir=index_dir))
    assert not report.failed, report.failed
    return index_dir


@pytest.fixture
def use_index(eval_index_dir, monkeypatch):
    from rag.settings import get_settings

    monkeypatch.setenv("RAG_INDEX_DIR", str(eval_index_dir))
    get_settings.cache_clear()
    yield eval_index_dir
    get_settings.cache_clear()


@pytest.fixture
def small_gold(tmp_path) -> Path:
    """Five dev-gold questions: three lookups, one unanswerable, one cross-document."""
    source = DEV_GOLD if DEV_GOLD.exists() else ROOT / "eval" / "gold.jsonl"
    rows = [
        json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    by_type: dict[str, list[dict]] = {}
    for row in rows:
        by_type.setdefault(row["type"], []).append(row)
    chosen = by_type["lookup"][:3] + by_type["unanswerable"][:1] + by_type["cross_doc"][:1]
    path = tmp_path / "gold.jsonl"
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chosen), encoding="utf-8"
    )
    return path


def test_eval_end_to_end_writes_the_report(use_index, small_gold, tmp_path, capsys):
    out = tmp_path / "report"
    assert _rag(["eval", "--gold", str(small_gold), "--report", str(out)]) == 0
    for name in ("report.md", "report.json", "accuracy.png", "wrong.md"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "accuracy.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["modes"] == ["hybrid"] and report["questions"] == 5
    overall = report["metrics"]["hybrid"]["overall"]
    for key in (
        "answer_accuracy",
        "citation_accuracy",
        "recall_at_1",
        "recall_at_5",
        "mrr",
        "unanswerable_not_found",
        "answerable_not_found",
        "latency_p50_ms",
        "latency_p95_ms",
    ):
        assert key in overall, key
    assert 0.0 <= overall["answer_accuracy"] <= 1.0
    assert overall["recall_at_5"] is not None and overall["recall_at_5"] > 0
    assert set(report["metrics"]["hybrid"]["by_type"]) == {"lookup", "unanswerable", "cross_doc"}
    assert len(report["results"]["hybrid"]) == 5
    assert "## Overall" in (out / "report.md").read_text(encoding="utf-8")
    assert "answer accuracy" in capsys.readouterr().out  # the rich summary table


def test_eval_impossible_floor_exits_1(use_index, small_gold, tmp_path, capsys):
    floor = tmp_path / "floor.json"
    floor.write_text(json.dumps({"answer_accuracy": 1.01, "recall_at_5": 0.0}), encoding="utf-8")
    assert _rag(["eval", "--gold", str(small_gold), "--floor", str(floor), "--json"]) == 1
    captured = capsys.readouterr()
    assert "answer_accuracy" in captured.err and "below its floor 1.0100" in captured.err
    assert "recall_at_5 =" not in captured.err  # only the failing metrics are listed
    assert json.loads(captured.out)["metrics"]["hybrid"]["overall"]["n"] == 5


def test_eval_modes_all_and_passing_floor(use_index, small_gold, tmp_path, capsys):
    floor = tmp_path / "floor.json"
    floor.write_text(json.dumps({"answer_accuracy": 0.0}), encoding="utf-8")
    assert (
        _rag(["eval", "--gold", str(small_gold), "--mode", "all", "--json", "--floor", str(floor)])
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["modes"] == ["hybrid", "dense", "bm25"]
    assert all(len(report["results"][m]) == 5 for m in report["modes"])


def test_eval_gold_doc_missing_from_index_is_a_clear_error(use_index, tmp_path, capsys):
    row = json.loads(GOOD_LINE)
    row["doc"] = "999_not_ingested.txt"
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    assert _rag(["eval", "--gold", str(path)]) == 2
    assert "999_not_ingested.txt" in capsys.readouterr().err


def test_the_learned_scorer_experiment_decides_like_the_answerer_with_the_hand_scores(qa, tmp_path):
    """eval/learned.py compares deciders on the answerer's own candidates: its hand-set
    decider must give the answers the pipeline gives, or the comparison means nothing."""
    from eval.learned import FEATURES, accuracy, collect, cross_validated, decide
    from rag.pipeline import ANSWER_THRESHOLD

    lines = (ROOT / "eval" / "gold.jsonl").read_text("utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    path = tmp_path / "some.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows[:40]), "utf-8")
    items = collect(qa, path)
    assert len(items) >= 30 and all(q.features.shape[1] == len(FEATURES) for q in items)
    picks = decide([q.hand for q in items], ANSWER_THRESHOLD)
    for q, pick in zip(items, picks, strict=True):
        question = next(r["question"] for r in rows if r["id"] == q.id)
        answered = qa.ask(question).status is Status.ANSWERED
        assert answered == (pick is not None), q.id
    assert accuracy(items, picks)[0] > 0.9
    assert 0.0 <= cross_validated(items, list(range(len(FEATURES))))[0] <= 1.0
