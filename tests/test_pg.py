"""The PostgreSQL + pgvector backend: the same answers as the embedded one, and its writes.

Answer and retrieval tests run once per backend (``backend_qa`` is parametrized); the
rest checks what only PostgreSQL has: SQL BM25 and vector search against bm25s/FAISS,
incremental writes keeping term counts right, a stale replica not losing another's
upload, and the writers' lock.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest
from conftest import MISSION

from rag.documents import make_document
from rag.index import IndexBusy, IndexLoadError
from rag.ingest import add_documents, delete_documents, ingest
from rag.pipeline import Pipeline
from rag.retrieval import retrieve
from rag.schema import Status
from rag.settings import IndexKind, Settings, StoreKind
from rag.tokenization import tokenize

MISSION_DOC = "001_0a525996db59571e"
ROOT = Path(__file__).resolve().parent.parent
DEV_GOLD = ROOT.parent / "shared" / "eval" / "dev-gold.jsonl"

# A made-up report with a figure no seed document has.
REPORT = """常州市总工会2018年工作报告
（2019年1月15日）

一、2018年工作回顾
2018年，常州市总工会深入推进职工文化建设，全年新建职工书屋 37 家，读书活动覆盖全市。
全市各级工会组织开展劳动竞赛，参赛职工广泛，竞赛成果显著。
"""
QUESTION = "常州2018年新建职工书屋多少家"


def _dev_gold() -> list[dict]:
    """The 30 development questions (d001–d030), as tests/test_pipeline.py reads them."""
    path = DEV_GOLD if DEV_GOLD.exists() else ROOT / "eval" / "gold.jsonl"
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["id"].startswith("d")] or rows[:30]


def pg_settings(url: str, **kw) -> Settings:
    return Settings(store="postgres", database_url=url, **kw)


@pytest.fixture(scope="module")
def pg_url(pg_database) -> str:
    """A database with the seed index that tests in this module only read."""
    return pg_database()


@pytest.fixture(scope="module")
def pg_qa(qa, pg_url) -> Pipeline:
    from rag.pg import load_pg_index

    settings = pg_settings(pg_url)
    return Pipeline(load_pg_index(settings, qa.embedder), qa.embedder, settings)


@pytest.fixture(params=["embedded", "postgres"])
def backend_qa(request, qa) -> Pipeline:
    return qa if request.param == "embedded" else request.getfixturevalue("pg_qa")


# ------------------------------------------------ same tests, both backends


def test_mission_question_with_exact_quote(backend_qa):
    result = backend_qa.ask(MISSION)
    assert result.status is Status.ANSWERED
    assert result.answer.value == 918 and result.answer.text.replace(" ", "") == "918家"
    cite = result.citations[0]
    assert cite.doc_id == MISSION_DOC and cite.region == "苏州" and cite.period == "2016"
    assert "职工书屋示范点 918 家" in cite.quote
    assert backend_qa.index.docs[cite.doc_id].text[cite.start : cite.end] == cite.quote


def test_mission_question_retrieval_top1(backend_qa):
    hits = retrieve(backend_qa.index, backend_qa.embedder, _question(MISSION), backend_qa.settings)
    top = backend_qa.index.chunks[hits[0].chunk]
    assert top.doc_id == MISSION_DOC and "918" in top.text
    assert hits[0].dense_rank is not None and hits[0].bm25_rank is not None


def test_dev_questions_at_least_27_of_30(backend_qa):
    rows = _dev_gold()
    right, wrong = 0, []
    for row in rows:
        result = backend_qa.ask(row["question"])
        for cite in result.citations:
            assert backend_qa.index.docs[cite.doc_id].text[cite.start : cite.end] == cite.quote
        if row["answer_value"] is None:
            ok = result.status is Status.NOT_FOUND
        else:
            ok = (
                result.answer is not None
                and abs(result.answer.value - row["answer_value"])
                <= 0.005 * abs(row["answer_value"])
                and result.citations[0].doc_id + ".txt" == row["doc"]
            )
        right += ok
        if not ok:
            wrong.append((row["id"], result.answer.text if result.answer else None))
    assert right >= min(27, len(rows) - 3), wrong


@pytest.mark.parametrize(
    "question",
    [
        "常州市总工会2015年“安康杯”竞赛参赛企业有多少家？",
        "苏州2019年职工书屋多少家",
        "月球上有多少个工会？",
        "？？？",
    ],
)
def test_not_found(backend_qa, question):
    result = backend_qa.ask(question)
    assert result.status is Status.NOT_FOUND and result.answer is None


def test_backends_give_the_same_answers(qa, pg_qa):
    """Exact vector search and the same BM25: every dev question answered identically."""
    for row in _dev_gold():
        a, b = qa.ask(row["question"]), pg_qa.ask(row["question"])
        assert a.status == b.status, row["id"]
        assert (a.answer and a.answer.value) == (b.answer and b.answer.value), row["id"]
        assert [(c.doc_id, c.start, c.end) for c in a.citations] == [
            (c.doc_id, c.start, c.end) for c in b.citations
        ], row["id"]


# ------------------------------------------------------------ the searches


def _question(text: str):
    from rag.question import parse_question

    return parse_question(text)


QUERIES = [
    MISSION,
    "昆山 劳动关系监测点 几家",
    "无锡给多少困难职工的孩子发了助学金？",
    "工会 会员 发展",
]


@pytest.mark.parametrize("text", QUERIES)
def test_sql_bm25_scores_match_bm25s(qa, pg_qa, text):
    tokens = tokenize(text)
    ids_a, scores_a = qa.index.search_lexical(tokens, 30)
    ids_b, scores_b = pg_qa.index.search_lexical(tokens, 30)
    assert ids_b, text
    assert dict(zip(ids_a, scores_a, strict=True)) == pytest.approx(
        dict(zip(ids_b, scores_b, strict=True)), abs=1e-4
    )
    assert pg_qa.index.search_lexical([], 5) == ([], [])
    assert pg_qa.index.search_lexical(["不存在的词语xyz"], 5) == ([], [])


@pytest.mark.parametrize("text", QUERIES)
def test_pgvector_search_matches_faiss(qa, pg_qa, text):
    vector = qa.embedder.encode_query(text)
    ids_a, scores_a = qa.index.search_dense(vector, 30)
    ids_b, scores_b = pg_qa.index.search_dense(vector, 30)
    assert pg_qa.index.exact  # below RAG_HNSW_THRESHOLD: exact, like FAISS flat
    assert ids_a == ids_b
    assert scores_a == pytest.approx(scores_b, abs=1e-5)


def test_hnsw_index_finds_nearly_the_same(qa, pg_url):
    from rag.pg import load_pg_index

    hnsw = load_pg_index(pg_settings(pg_url, index_kind=IndexKind.HNSW))
    assert not hnsw.exact
    overlap = []
    for text in QUERIES:
        vector = qa.embedder.encode_query(text)
        exact, _ = qa.index.search_dense(vector, 10)
        approx, _ = hnsw.search_dense(vector, 10)
        overlap.append(len(set(exact) & set(approx)) / 10)
    assert np.mean(overlap) >= 0.9, overlap


def test_loaded_index_equals_the_embedded_one(qa, pg_qa):
    a, b = qa.index, pg_qa.index
    assert a.docs.keys() == b.docs.keys()
    assert [c.chunk_id for c in a.chunks] == [c.chunk_id for c in b.chunks]
    assert [c.text for c in a.chunks] == [c.text for c in b.chunks]
    assert a.df == b.df
    assert [tuple(s) for s in a.sentences] == b.sentences
    assert np.array_equal(a.sentence_vectors, b.sentence_vectors)
    assert np.array_equal(a.vectors, b.vectors)  # fetched from the database on demand
    assert b.manifest["store"] == "postgres" and b.manifest["model_id"] == a.manifest["model_id"]


# ------------------------------------------------------------------ writes


def _df_in_database(settings: Settings) -> dict[str, int]:
    from rag.pg import connection

    with connection(settings) as conn:
        stored = dict(conn.execute("SELECT term, df FROM rag_terms").fetchall())
        counted = dict(
            conn.execute("SELECT term, count(*)::int FROM rag_postings GROUP BY term").fetchall()
        )
    assert stored == counted
    return stored


def test_upload_and_delete_write_only_what_changed(qa, pg_database):
    from rag.pg import corpus_version, load_pg_index

    settings = pg_settings(pg_database())
    base = load_pg_index(settings, qa.embedder)
    v0 = base.version
    doc = make_document(REPORT.encode(), "changzhou_2018.txt", settings.max_upload_bytes)
    report = add_documents([(doc, None)], settings, qa.embedder, base=base)
    assert report.added == ["changzhou_2018"]
    index = report.index
    assert index.version == v0 + 1 == corpus_version(settings)
    # The in-memory result, the database and a fresh read all agree.
    assert _df_in_database(settings) == index.df == load_pg_index(settings).df
    result = Pipeline(index, qa.embedder, settings).ask(QUESTION)
    assert result.answer is not None and result.answer.value == 37
    assert result.citations[0].doc_id == "changzhou_2018"

    # Unchanged upload: no write, no new version.
    again = add_documents([(doc, None)], settings, qa.embedder, base=index)
    assert again.unchanged == ["changzhou_2018"] and corpus_version(settings) == v0 + 1

    after = delete_documents(["changzhou_2018"], settings, qa.embedder, index)
    assert "changzhou_2018" not in after.docs and after.version == v0 + 2
    assert _df_in_database(settings) == qa.index.df  # back to the seed corpus exactly
    answer = Pipeline(load_pg_index(settings), qa.embedder, settings).ask(QUESTION)
    assert answer.answer is None or answer.answer.value != 37


def test_stale_replica_does_not_drop_another_replicas_upload(qa, pg_database):
    from rag.pg import load_pg_index

    settings = pg_settings(pg_database())
    stale = load_pg_index(settings, qa.embedder)  # replica B's copy
    first = make_document(REPORT.encode(), "changzhou_2018.txt", settings.max_upload_bytes)
    add_documents([(first, None)], settings, qa.embedder, base=stale)  # through replica A
    other = REPORT.replace("常州", "镇江").replace("37", "58")
    second = make_document(other.encode(), "zhenjiang_2018.txt", settings.max_upload_bytes)
    report = add_documents([(second, None)], settings, qa.embedder, base=stale)  # through B
    assert {"changzhou_2018", "zhenjiang_2018"} <= report.index.docs.keys()
    fresh = load_pg_index(settings)
    assert {"changzhou_2018", "zhenjiang_2018"} <= fresh.docs.keys()
    assert _df_in_database(settings) == fresh.df


def test_second_writer_is_told_the_index_is_busy(pg_database):
    from rag.pg import write_lock

    settings = pg_settings(pg_database(empty=True))
    held, release = threading.Event(), threading.Event()

    def hold():
        with write_lock(settings):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(10)
        with pytest.raises(IndexBusy, match="另一个导入任务"), write_lock(settings):
            pass
    finally:
        release.set()
        thread.join()
    with write_lock(settings):  # free again
        pass


def test_ingest_into_an_empty_database(qa, pg_database, tmp_path):
    from rag.pg import load_pg_index

    settings = pg_settings(pg_database(empty=True))
    with pytest.raises(IndexLoadError, match="数据库中还没有索引"):
        load_pg_index(settings)
    (tmp_path / "changzhou_2018.txt").write_text(REPORT, encoding="utf-8")
    report = ingest([tmp_path], settings, qa.embedder)
    assert report.added == ["changzhou_2018"] and not report.failed
    index = Pipeline.load(settings).index  # through the store dispatch
    assert type(index).__name__ == "PgIndex" and list(index.docs) == ["changzhou_2018"]
    assert index.df == _df_in_database(settings)


def test_settings_name_the_backend():
    assert Settings(store="Postgres").store is StoreKind.POSTGRES
    assert Settings().store is StoreKind.EMBEDDED
    with pytest.raises(
        ValueError, match="unknown store 'mysql'; choose one of: embedded, postgres"
    ):
        Settings(store="mysql")
    from rag.store import load_store

    with pytest.raises(IndexLoadError, match="RAG_DATABASE_URL"):
        load_store(Settings(store="postgres"))


def test_unreachable_database_is_a_clear_load_error(pg_server):
    from conftest import free_port

    from rag.pg import load_pg_index

    url = f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere?connect_timeout=2"
    settings = pg_settings(url)
    with pytest.raises(IndexLoadError, match="PostgreSQL"):
        load_pg_index(settings)


def test_pdf_page_starts_and_original_round_trip(qa, pg_database, tmp_path):
    from made_files import print_pdfs, report_html

    from rag.pg import load_pg_index, read_pg_original

    settings = pg_settings(pg_database())
    pdf = print_pdfs({"changzhou_2018": (report_html(REPORT), "常州市总工会")}, tmp_path)
    data = pdf["changzhou_2018"].read_bytes()
    doc = make_document(data, "changzhou_2018.pdf", settings.max_upload_bytes)
    add_documents([(doc, None)], settings, qa.embedder, base=load_pg_index(settings))
    record = load_pg_index(settings, qa.embedder).docs["changzhou_2018"]
    assert record.format == "pdf" and record.page_starts == list(doc.page_starts)
    assert read_pg_original(settings, record.original) == data
    seed = load_pg_index(settings).docs["001_0a525996db59571e"]
    assert seed.format == "text" and seed.page_starts is None
    # Deleting the document deletes its original too.
    delete_documents(["changzhou_2018"], settings, qa.embedder, load_pg_index(settings))
    assert read_pg_original(settings, record.original) is None
