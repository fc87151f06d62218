"""Several ``rag serve`` replicas sharing one PostgreSQL, and ``rag migrate``.

Two real uvicorn processes with ``RAG_STORE=postgres`` point at one database filled by
``rag migrate``. A document uploaded through one is answerable through the other
within :data:`PROPAGATION_S` (each replica polls ``corpus_version`` at most once a
second, then reloads in the background); uploads racing through both replicas both
survive.
"""

from __future__ import annotations

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from conftest import ADMIN_TOKEN, MISSION, PYTHON, ROOT, ApiServer, _wait

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PROPAGATION_S = 5.0  # the stated bound: 1 s polling + reload, with room for a busy CI box

REPORT = """常州市总工会2018年工作报告
（2019年1月15日）

一、2018年工作回顾
2018年，常州市总工会深入推进职工文化建设，全年新建职工书屋 37 家，读书活动覆盖全市。
全市各级工会组织开展劳动竞赛，参赛职工广泛，竞赛成果显著。
"""
QUESTION = "常州2018年新建职工书屋多少家"
OTHER = REPORT.replace("常州", "镇江").replace("37", "58")
OTHER_QUESTION = QUESTION.replace("常州", "镇江")


@pytest.fixture(scope="module")
def migrated_url(pg_database, seed_index_dir) -> str:
    """An empty database filled by the real ``rag migrate`` command."""
    url = pg_database(empty=True)
    done = subprocess.run(
        [PYTHON, "-m", "rag.cli", "migrate", "--from", str(seed_index_dir), "--database-url", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "corpus_version 1" in done.stdout and "5 篇文档" in done.stdout, done.stdout
    return url


@pytest.fixture(scope="module")
def replicas(api_server_factory, migrated_url) -> list[ApiServer]:
    env = {
        "RAG_STORE": "postgres",
        "RAG_DATABASE_URL": migrated_url,
        "RAG_ADMIN_TOKEN": ADMIN_TOKEN,
        "RAG_RATE_LIMIT_PER_MINUTE": "100000",
    }
    # Started together, then waited for: the model loads in both at once.
    servers = [api_server_factory(env=env, copy_index=False, wait="") for _ in range(2)]
    for server in servers:
        _wait(server, "/readyz")
    return servers


def ask(server: ApiServer, question: str) -> dict:
    response = httpx.post(server.url + "/v1/ask", json={"question": question}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def value(answer: dict) -> float | None:
    return answer["answer"]["value"] if answer.get("answer") else None


def upload(server: ApiServer, name: str, text: str) -> httpx.Response:
    files = {"file": (name, text.encode("utf-8"), "text/plain")}
    return httpx.post(server.url + "/v1/documents", files=files, headers=AUTH, timeout=120)


def wait_until(predicate, limit: float) -> float:
    """Seconds until ``predicate()`` held; fails after ``limit``."""
    t0 = time.monotonic()
    while True:
        if predicate():
            return time.monotonic() - t0
        assert time.monotonic() - t0 < limit, f"not within {limit}s"
        time.sleep(0.1)


def test_replicas_serve_the_migrated_index(replicas):
    for server in replicas:
        answer = ask(server, MISSION)
        assert value(answer) == 918 and answer["citations"][0]["doc_id"] == "001_0a525996db59571e"
        assert "postgres" not in server.index_dir.name  # nothing of theirs on disk
        assert not server.index_dir.exists()


def test_upload_through_one_replica_is_answerable_through_the_other(replicas):
    a, b = replicas
    assert value(ask(b, QUESTION)) != 37
    created = upload(a, "changzhou_2018.txt", REPORT)
    assert created.status_code == 201, created.text
    doc_id = created.json()["doc_id"]
    try:
        assert value(ask(a, QUESTION)) == 37  # the writer serves it at once
        took = wait_until(lambda: value(ask(b, QUESTION)) == 37, PROPAGATION_S)
        print(f"upload visible through the other replica after {took:.2f}s")
        listed = httpx.get(b.url + "/v1/documents", timeout=30).json()
        assert doc_id in {d["doc_id"] for d in listed["documents"]}
    finally:
        deleted = httpx.delete(f"{b.url}/v1/documents/{doc_id}", headers=AUTH, timeout=120)
    assert deleted.status_code == 200, deleted.text
    wait_until(lambda: value(ask(a, QUESTION)) != 37, PROPAGATION_S)


def test_uploads_racing_through_both_replicas_both_survive(replicas):
    a, b = replicas

    def send(server: ApiServer, name: str, text: str) -> str:
        for _ in range(60):  # the loser of the writers' lock is told 409 and retries
            response = upload(server, name, text)
            if response.status_code != 409:
                assert response.status_code == 201, response.text
                return response.json()["doc_id"]
            time.sleep(float(response.headers.get("Retry-After", "1")) / 5)
        raise AssertionError("index stayed busy")

    with ThreadPoolExecutor(2) as pool:
        ids = list(
            pool.map(send, [a, b], ["changzhou_2018.txt", "zhenjiang_2018.txt"], [REPORT, OTHER])
        )
    try:
        for server in replicas:
            wait_until(
                lambda s=server: (
                    value(ask(s, QUESTION)) == 37 and value(ask(s, OTHER_QUESTION)) == 58
                ),
                PROPAGATION_S,
            )
    finally:
        for doc_id in ids:
            httpx.delete(f"{a.url}/v1/documents/{doc_id}", headers=AUTH, timeout=120)
