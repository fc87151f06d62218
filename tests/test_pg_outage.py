"""PostgreSQL going away under a running replica, with questions in flight.

A ``rag serve`` replica (RAG_STORE=postgres) on a PostgreSQL of its own; a document is
uploaded; clients keep asking questions (each one new, so the answer cache cannot
hide the database). The database is stopped (a fast shutdown, as in a restart or a
failover) and started again. While it is away every question gets 503
``database_unavailable`` with Retry-After and a Chinese message, never a 500; once it
is back the replica answers again by itself, and nothing uploaded before the outage
is lost.
"""

from __future__ import annotations

import itertools
import threading
import time

import httpx
import pytest
from conftest import ADMIN_TOKEN, MISSION, ApiServer, assert_error

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
REPORT = """常州市总工会2018年工作报告
（2019年1月15日）

一、2018年工作回顾
2018年，常州市总工会深入推进职工文化建设，全年新建职工书屋 37 家，读书活动覆盖全市。
"""
QUESTION = "常州2018年新建职工书屋多少家"
OUTAGE_SEEN_S = 20  # questions notice the outage within this
RECOVERY_S = 20  # … and are answered again within this of the database's return


@pytest.fixture(scope="module")
def own_postgres():
    from rag.pg_server import LocalPostgres, PostgresUnavailable

    try:
        server = LocalPostgres.start()
    except PostgresUnavailable as exc:
        pytest.skip(f"no local PostgreSQL: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def replica(own_postgres, seed_index_dir, api_server_factory) -> ApiServer:
    from rag.pg import migrate
    from rag.settings import Settings

    url = own_postgres.create_database("rag")
    migrate(Settings(store="postgres", database_url=url), seed_index_dir)
    return api_server_factory(
        env={
            "RAG_STORE": "postgres",
            "RAG_DATABASE_URL": url,
            "RAG_ADMIN_TOKEN": ADMIN_TOKEN,
            "RAG_RATE_LIMIT_PER_MINUTE": "100000",
        },
        copy_index=False,
    )


def questions():
    """Always a new text (place × year × wording): no answer comes from the cache."""
    for n in itertools.count():
        yield f"{['苏州', '无锡', '常州', '扬州'][n % 4]}{2000 + n // 4 % 100}年职工书屋多少家（{n}）"


def test_database_outage_is_503_then_answers_again_with_nothing_lost(own_postgres, replica):
    http = httpx.Client(base_url=replica.url, timeout=30)
    created = http.post(
        "/v1/documents", files={"file": ("changzhou_2018.txt", REPORT.encode())}, headers=AUTH
    )
    assert created.status_code == 201, created.text
    assert http.post("/v1/ask", json={"question": QUESTION}).json()["answer"]["value"] == 37

    results: list[tuple[float, httpx.Response]] = []
    stop = threading.Event()

    def asker(texts) -> None:
        with httpx.Client(base_url=replica.url, timeout=30) as client:
            while not stop.is_set():
                response = client.post("/v1/ask", json={"question": next(texts)})
                results.append((time.monotonic(), response))

    texts = questions()
    threads = [threading.Thread(target=asker, args=(texts,)) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        time.sleep(1)
        own_postgres.pause()
        down_at = time.monotonic()
        while not any(r.status_code == 503 for t, r in results if t > down_at):
            assert time.monotonic() - down_at < OUTAGE_SEEN_S, "the outage was never reported"
            time.sleep(0.2)
        # A write during the outage is refused the same way, and loses nothing.
        refused = http.post(
            "/v1/documents",
            files={"file": ("zhenjiang.txt", "镇江市总工会".encode())},
            headers=AUTH,
        )
        assert_error(refused, 503, "database_unavailable")
        own_postgres.resume()
        up_at = time.monotonic()
        while not any(r.status_code == 200 for t, r in results if t > up_at + 0.5):
            assert time.monotonic() - up_at < RECOVERY_S, (
                "not answering after the database returned"
            )
            time.sleep(0.2)
        recovered = time.monotonic() - up_at
    finally:
        stop.set()
        for t in threads:
            t.join()
    print(f"{len(results)} questions; answered again {recovered:.1f}s after the database returned")

    statuses = {r.status_code for _, r in results}
    assert statuses <= {200, 503}, statuses  # never a 500
    for _, response in results:
        if response.status_code == 503:
            error = assert_error(response, 503, "database_unavailable")
            assert "数据库" in error["message"] and "127.0.0.1" not in error["message"]
            assert int(response.headers["retry-after"]) > 0
    # Nothing uploaded before the outage is lost, and the service is whole again.
    assert http.post("/v1/ask", json={"question": QUESTION}).json()["answer"]["value"] == 37
    assert http.post("/v1/ask", json={"question": MISSION}).json()["answer"]["value"] == 918
    listed = http.get("/v1/documents").json()
    assert listed["count"] == 6 and "changzhou_2018" in {d["doc_id"] for d in listed["documents"]}
    assert http.get("/readyz").status_code == 200
    assert "Traceback" not in replica.log()
