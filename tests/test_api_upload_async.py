"""A large upload answered 202 Accepted: its status URL reports progress, then done,
and the report becomes answerable; questions are answered meanwhile; a failed
background upload is reported as failed and leaves the index as it was.

The report is made up (bench/synthetic_report.py): invented city, districts, people
and figures, so the test covers text no index has seen. How long it takes is for
the benchmark (bench/upload.py), not for this test.
"""

from __future__ import annotations

import fcntl
import json
import threading
import time

import httpx
import pytest
from conftest import ADMIN_TOKEN, MISSION, ApiServer, assert_error

from api.errors import ApiError
from api.uploads import UploadJobs
from bench.synthetic_report import make_report

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
REPORT = make_report(48 * 1024, seed=21)


@pytest.fixture(scope="module")
def server(api_server_factory) -> ApiServer:
    # RAG_UPLOAD_WAIT_S=0: every upload is answered 202 at once, whatever its size.
    return api_server_factory(
        env={
            "RAG_ADMIN_TOKEN": ADMIN_TOKEN,
            "RAG_RATE_LIMIT_PER_MINUTE": "100000",
            "RAG_UPLOAD_WAIT_S": "0",
        }
    )


def _upload(http: httpx.Client, name: str, text: str) -> httpx.Response:
    return http.post(
        "/v1/documents", files={"file": (name, text.encode(), "text/plain")}, headers=AUTH
    )


def _poll(http: httpx.Client, url: str, seen: list[dict], timeout_s: float = 900) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = http.get(url, headers=AUTH)
        assert status.status_code == 200, status.text
        body = status.json()
        seen.append(body)
        if body["state"] in ("done", "failed"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"upload not finished after {timeout_s}s: {seen[-1]}")


def test_a_202_upload_reports_progress_then_done_and_becomes_answerable(server):
    fact = REPORT.facts[0]
    with server.client() as http:
        before = http.get("/v1/documents").json()["count"]
        accepted = _upload(http, "synthetic_report.txt", REPORT.text)
        assert accepted.status_code == 202, accepted.text
        body = accepted.json()
        url = body["status_url"]
        assert accepted.headers["location"] == url == f"/v1/uploads/{body['upload_id']}"
        assert body["state"] in ("queued", "running")
        # Not answerable yet, and questions about the seeds are answered meanwhile.
        answers = []
        seen: list[dict] = []
        deadline = time.monotonic() + 900
        while (not seen or seen[-1]["state"] not in ("done", "failed")) and (
            time.monotonic() < deadline
        ):
            answers.append(http.post("/v1/ask", json={"question": MISSION}))
            status = http.get(url, headers=AUTH).json()
            seen.append(status)
            time.sleep(0.2)
        done = seen[-1]
        assert done["state"] == "done", done
        assert all(a.status_code == 200 and a.json()["status"] == "answered" for a in answers)
        embedding = [s for s in seen if s["stage"] == "embedding"]
        assert embedding, [s["stage"] for s in seen]
        # Progress counts up to a total that is known while embedding.
        counts = [s["embedded"] for s in seen if s["stage"] in ("embedding", "indexing")]
        assert counts == sorted(counts)
        assert all(s["total"] > 0 and s["embedded"] <= s["total"] for s in embedding)
        assert done["embedded"] == done["total"] > 0
        assert done["result"]["status"] == "added"
        assert done["result"]["documents"] == before + 1
        assert done["error"] is None
        doc_id = done["result"]["doc_id"]
        assert http.get("/v1/documents").json()["count"] == before + 1

        answer = http.post("/v1/ask", json={"question": fact.question}).json()
        assert answer["status"] == "answered", answer
        assert fact.answer in json.dumps(answer["answer"], ensure_ascii=False), (fact, answer)
        assert answer["citations"][0]["doc_id"] == doc_id

        assert http.delete(f"/v1/documents/{doc_id}", headers=AUTH).status_code == 200
        assert http.get("/v1/documents").json()["count"] == before


def test_a_failed_background_upload_says_so_and_changes_nothing(server):
    with server.client() as http:
        before = http.get("/v1/documents").json()
        # Another writer (as `rag ingest` would) holds the index lock.
        with open(server.index_dir / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            accepted = _upload(http, "blocked.txt", make_report(8 * 1024, seed=5).text)
            # The lock is found taken at once, so the failure may beat the 202.
            if accepted.status_code == 409:
                error = assert_error(accepted, 409, "index_busy")
            else:
                assert accepted.status_code == 202, accepted.text
                failed = _poll(http, accepted.json()["status_url"], [])
                assert failed["state"] == failed["stage"] == "failed"
                assert failed["result"] is None
                error = failed["error"]
        assert error["code"] == "index_busy"
        assert "索引" in error["message"] and "/" not in error["message"]
        assert http.get("/v1/documents").json() == before


def test_a_job_that_fails_after_202_is_failed_with_its_error():
    jobs = UploadJobs()
    release = threading.Event()

    def work(progress):
        progress("embedding", 3, 10)
        release.wait(10)
        raise ApiError(409, "index_busy", "另一个导入任务正在写入索引，请等它完成后再试。")

    job = jobs.start("slow.txt", work)
    assert not job.wait(0.2)  # would be answered 202
    running = jobs.get(job.upload_id)
    assert (running.state, running.stage, running.done, running.total) == (
        "running",
        "embedding",
        3,
        10,
    )
    release.set()
    assert job.wait(10)
    assert (job.state, job.stage, job.error.code) == ("failed", "failed", "index_busy")
    assert job.outcome is None and job.finished is not None


def test_status_of_an_unknown_upload_and_without_a_token(server):
    with server.client() as http:
        assert_error(http.get("/v1/uploads/0123456789abcdef", headers=AUTH), 404, "not_found")
        assert_error(http.get("/v1/uploads/0123456789abcdef"), 401, "unauthorized")


def test_ingest_reports_each_stage_and_every_text_embedded(tmp_path):
    """What the status URL and `rag ingest`'s bar show comes from rag.ingest itself."""
    from rag.ingest import ingest
    from rag.settings import Settings

    path = tmp_path / "report.txt"
    path.write_text(make_report(6 * 1024, seed=9).text, encoding="utf-8")
    calls: list[tuple[str, int, int]] = []
    report = ingest(
        [path], Settings(index_dir=tmp_path / "index"), progress=lambda *a: calls.append(a)
    )
    assert report.added == ["report"]
    stages = [c[0] for c in calls]
    assert stages[0] == "chunking" and stages[-1] == "saving"
    assert stages.index("indexing") > stages.index("embedding")
    embedded = [(done, total) for stage, done, total in calls if stage == "embedding"]
    assert embedded[0][0] == 0 and embedded[-1][0] == embedded[-1][1] > 0
    assert [d for d, _ in embedded] == sorted(d for d, _ in embedded)
    # Every distinct text once: chunks plus sentences, duplicates embedded once.
    index = report.index
    assert embedded[-1][1] <= len(index.chunks) + len(index.sentences)
