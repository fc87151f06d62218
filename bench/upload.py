"""Benchmark: an upload into an HNSW index, before (graph rebuilt) and after (extended).

Before, every upload rebuilt the whole HNSW graph from all vectors; now
``rag.dense.extend_hnsw`` copies the graph and adds the new document's vectors, and a
deletion only marks nodes. This measures, on the synthetic corpora of the scaling
section (bench/scale.py), for one upload of UPLOAD_CHUNKS chunks (a ~15 kB
report):

* rebuild: building the graph over n + UPLOAD_CHUNKS vectors, as before;
* extend: ``extend_hnsw`` (copy of the graph + adding the new vectors), as now;
* delete: ``extend_hnsw`` for the same corpus without one document (marking only);
* save: writing the graph and the vectors to disk (FAISS + .npy), which both pay.

The rest of an upload (jieba tokens and BM25 over all chunks, sentence spans, the
manifest's checksums) is not the graph's and is not measured here.

Run alone (1M takes a ~10-minute graph build on 2 cores)::

    $ python -m bench.upload 100000 1000000

**Time to answerable** (``--answerable``, sizes in KB): a real ``rag serve`` on a copy
of the seed index gets a made-up report (bench/synthetic_report.py, new text each
repetition) and is timed from the start of the POST until a question about the report
is answered; the status URL (202) is polled meanwhile for the stages, and another
client asks seed questions throughout, whose slowest answer is reported::

    $ python -m bench.upload --answerable 20 256 1024 --reps 3
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import faiss
import numpy as np

from bench.common import fmt, log, md_table, median, omp_threads
from rag.dense import extend_hnsw

UPLOAD_CHUNKS = 30


class UploadRow(NamedTuple):
    n: int
    chunks: int
    rebuild_s: float  # before: the whole graph built again
    extend_s: float  # now: copy + add
    delete_s: float  # now: a document's nodes marked
    save_s: float  # graph + vectors written (both before and now)
    note: str = ""


def measure_upload(
    index: faiss.IndexHNSW, x: np.ndarray, rebuild_s: float, hnsw_m: int, cores: int, note: str = ""
) -> UploadRow:
    """Time an upload and a deletion on the graph ``index`` built over ``x`` (in
    ``rebuild_s``, which stands for the rebuild an upload used to cost)."""
    n = len(x)
    rng = np.random.default_rng(11)
    new = x[rng.integers(0, n, UPLOAD_CHUNKS)] + 0.05 * rng.standard_normal(
        (UPLOAD_CHUNKS, x.shape[1]), dtype=np.float32
    )
    new /= np.linalg.norm(new, axis=1, keepdims=True)
    origin = np.concatenate([np.arange(n), np.full(UPLOAD_CHUNKS, -1)]).astype(np.int64)
    vectors = np.concatenate([x, new])
    with omp_threads(cores):
        t0 = time.perf_counter()
        extended = extend_hnsw(index, None, origin, vectors, hnsw_m)
        extend_s = time.perf_counter() - t0
    assert extended is not None and extended[0].ntotal == n + UPLOAD_CHUNKS
    keep = np.arange(n - UPLOAD_CHUNKS)  # the last document's chunks go
    remaining = x[keep]
    t0 = time.perf_counter()
    marked = extend_hnsw(index, None, keep, remaining, hnsw_m)
    delete_s = time.perf_counter() - t0
    assert marked is not None and marked[0] is index
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        faiss.write_index(extended[0], str(Path(tmp) / "dense.faiss"))
        np.save(Path(tmp) / "vectors.npy", vectors)
        save_s = time.perf_counter() - t0
    del extended
    rebuild = rebuild_s * (n + UPLOAD_CHUNKS) / n
    log(f"{n:,} upload: rebuild {rebuild:.1f} s, extend {extend_s:.2f} s, delete {delete_s:.3f} s")
    return UploadRow(n, UPLOAD_CHUNKS, rebuild, extend_s, delete_s, save_s, note)


def render(rows: list[UploadRow]) -> list[str]:
    if not rows:
        return []
    table = [
        [f"{r.n:,}", r.chunks, fmt(r.rebuild_s, 1), fmt(r.extend_s, 2),
         f"{r.rebuild_s / r.extend_s:.0f}×" if r.extend_s else "–", fmt(r.delete_s, 3),
         fmt(r.save_s, 2), r.note]
        for r in rows
    ]  # fmt: skip
    return [
        f"Upload of {UPLOAD_CHUNKS} chunks into an HNSW index (`rag.dense.extend_hnsw`, "
        "bench/upload.py). *Before*: the graph was built again from all vectors "
        "(the build time measured above, scaled to n + the upload). *Now*: the graph is "
        "copied and the new vectors added; a deletion only marks nodes (rebuilt once a "
        "fifth are marked). Saving the graph and vectors is paid either way. Tokens, BM25 "
        "and checksums over the whole corpus are the rest of an upload and not shown.",
        "",
        *md_table(
            [
                "chunks",
                "uploaded chunks",
                "before: rebuild s",
                "now: extend s",
                "speed-up",
                "now: delete s",
                "save s",
                "note",
            ],
            table,
        ),  # fmt: skip
    ]


def main(sizes: list[int]) -> int:
    """Build the graph at each size (synthetic vectors fitted to the seed index) and
    measure an upload on it; prints the table."""
    from bench.scale import (
        CORES,
        EF_CONSTRUCTION,
        HNSW_M,
        build_hnsw,
        fit_vector_model,
        synthetic_vectors,
    )
    from rag.index import load_index
    from rag.settings import Settings

    model = fit_vector_model(load_index(Settings(), verify=False).vectors)
    rows = []
    for i, n in enumerate(sorted(sizes)):
        x = synthetic_vectors(model, n, np.random.default_rng(300 + i))
        index, build_s, _ = build_hnsw(x, EF_CONSTRUCTION)
        rows.append(measure_upload(index, x, build_s, HNSW_M, CORES))
        del index, x
    print("\n".join(render(rows)))
    return 0


class AnswerableRow(NamedTuple):
    size_kb: int
    texts: int  # texts embedded (chunks + sentences)
    runs_s: list[float]  # POST → the report's question answered, each repetition
    embed_s: float  # median time in the embedding stage
    slowest_question_s: float  # slowest seed question answered meanwhile (all runs)
    load: tuple[float, float]  # 1-minute load average before / after


def time_to_answerable(
    sizes_kb: list[int], reps: int, workdir: Path, index: Path | None = None
) -> list[AnswerableRow]:
    """Upload made-up reports of each size to a real server over a copy of ``index``
    (the configured index by default) and time until answerable."""
    import os
    import shutil
    import threading

    import httpx

    from bench.http import Server
    from bench.synthetic_report import make_report
    from rag.settings import Settings

    token = "bench-token"
    auth = {"Authorization": f"Bearer {token}"}
    index_dir = workdir / "index"
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(
        index or Settings().index_dir, index_dir, ignore=shutil.ignore_patterns("models", ".lock")
    )
    env = {"RAG_ADMIN_TOKEN": token, "RAG_UPLOAD_WAIT_S": "0", "RAG_MAX_UPLOAD_BYTES": "4000000"}
    rows = []
    with (
        Server.start(index_dir, workdir / "server.log", env) as server,
        httpx.Client(base_url=server.url, timeout=600) as http,
    ):
        for size in sizes_kb:
            runs, embeds, texts, slowest = [], [], 0, 0.0
            load0 = os.getloadavg()[0]
            for rep in range(reps):
                report = make_report(size * 1024, seed=1000 * size + rep)
                stop = threading.Event()
                latencies: list[float] = []
                asker = threading.Thread(target=_ask_meanwhile, args=(server.url, stop, latencies))
                asker.start()
                t0 = time.perf_counter()
                reply = http.post(
                    "/v1/documents",
                    files={"file": (f"bench_{size}_{rep}.txt", report.text.encode(), "text/plain")},
                    headers=auth,
                )
                assert reply.status_code == 202, reply.text
                url, embed_start, embed_end = reply.json()["status_url"], None, None
                while True:
                    status = http.get(url, headers=auth).json()
                    now = time.perf_counter()
                    if status["stage"] == "embedding" and embed_start is None:
                        embed_start = now
                    if status["stage"] in ("indexing", "saving", "done") and embed_end is None:
                        embed_end = now
                    if status["state"] in ("done", "failed"):
                        break
                    time.sleep(0.1)
                assert status["state"] == "done", status
                fact = report.facts[0]
                while True:
                    answer = http.post("/v1/ask", json={"question": fact.question}).json()
                    if answer["status"] == "answered":
                        break
                    assert time.perf_counter() - t0 < 3600, answer
                    time.sleep(0.1)
                runs.append(time.perf_counter() - t0)
                stop.set()
                asker.join()
                embeds.append((embed_end or now) - (embed_start or t0))
                texts = status["total"]
                slowest = max([slowest, *latencies])
                doc_id = status["result"]["doc_id"]
                http.delete(f"/v1/documents/{doc_id}", headers=auth).raise_for_status()
                log(f"{size} KB: answerable after {runs[-1]:.1f} s ({texts} texts)")
            rows.append(
                AnswerableRow(
                    size, texts, runs, median(embeds), slowest, (load0, os.getloadavg()[0])
                )
            )
    return rows


def _ask_meanwhile(url: str, stop, latencies: list[float]) -> None:
    """Seed questions, one every 0.5 s, until ``stop``; their latencies in ``latencies``."""
    import httpx

    questions = ["苏州2016年职工书屋多少家", "常州市总工会2018年建成多少个职工书屋"]
    with httpx.Client(base_url=url, timeout=60) as http:
        i = 0
        while not stop.is_set():
            t0 = time.perf_counter()
            # Distinct texts, so the answer cache does not hide the model's cost.
            http.post("/v1/ask", json={"question": f"{questions[i % 2]}（{i}）"})
            latencies.append(time.perf_counter() - t0)
            i += 1
            stop.wait(0.5)


def render_answerable(rows: list[AnswerableRow], reps: int) -> list[str]:
    table = [
        [f"{r.size_kb:,} KB", r.texts, fmt(median(r.runs_s), 1),
         ", ".join(f"{x:.1f}" for x in r.runs_s), fmt(r.embed_s, 1),
         fmt(r.slowest_question_s, 2), f"{r.load[0]:.1f} / {r.load[1]:.1f}"]
        for r in rows
    ]  # fmt: skip
    return md_table(
        ["report", "texts embedded", "answerable after s (median)", "runs s",
         "embedding s (median)", "slowest other question s", "load 1-min before / after"],
        table,
    )  # fmt: skip


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--answerable":
        reps = 3
        if "--reps" in args:
            at = args.index("--reps")
            reps = int(args[at + 1])
            args = args[:at] + args[at + 2 :]
        with tempfile.TemporaryDirectory() as tmp:
            found = time_to_answerable(
                [int(a) for a in args[1:]] or [20, 256, 1024], reps, Path(tmp)
            )
        print("\n".join(render_answerable(found, reps)))
        raise SystemExit(0)
    raise SystemExit(main([int(a) for a in args] or [100_000]))
