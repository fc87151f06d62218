"""Benchmark section 4: dense and BM25 indexes on synthetic corpora of 10k–1M chunks.

Vectors (512-d, float32, unit length) come from a Gaussian model fitted to the seed
corpus's own chunk embeddings: the corpus mean plus its principal directions with their
variances, and a small isotropic floor. Each synthetic chunk is a random "topic" centre
(4,096 of them) plus within-topic spread from the same distribution. This keeps the
anisotropy and cluster structure of real sentence embeddings, which decides how well
approximate indexes work; isotropic random unit vectors are the worst case (no structure
at all, every neighbour nearly equidistant), reported separately at the smallest size.
Queries are corpus vectors plus noise from the same model, re-normalised.

BM25 chunks are token-id lists drawn from the seed corpus's vocabulary by a Zipf law
(rank r has probability ∝ 1/r; the vocabulary grows as √tokens, Heaps' law, with
synthetic words past the real ones), 40–80 tokens per chunk (mean 60, the real corpus
has 66), fed to bm25s as its ``Tokenized`` structure. Queries are the gold questions,
tokenised by the service's own jieba tokenizer and searched with ``rag.lexical.search_bm25``.

Latencies are single-query searches (as the service issues them), p50 over the queries.
Recall@10 is measured against exact search on 200 queries.

Example::

    >>> result = run_scale(real_vectors, chunk_texts, questions, sizes=[10_000], budget=ScaleBudget())
    >>> [(r.engine, r.p50_ms, r.recall10) for r in result.dense]
"""

from __future__ import annotations

import gc
import math
import os
import sys
import time
from collections import Counter
from typing import NamedTuple

import bm25s
import faiss
import numpy as np

from bench import upload as bench_upload
from bench.common import fmt, log, md_table, median, mib, omp_threads, ratio, rss_bytes
from rag.lexical import search_bm25
from rag.settings import Settings
from rag.tokenization import tokenize

DIM = 512
TOPICS = 4096
SPREAD = 1.0  # within-topic spread relative to the corpus's own spread
QUERY_NOISE = 1.0
HNSW_M = 32
EF_CONSTRUCTION = 40
EF_SWEEP = (16, 32, 64, 128, 256)
NPROBE_SWEEP = (8, 16, 32, 64, 128)
TARGET_RECALL = 0.95
K = 10
K_SERVICE = 30  # the service asks both retrievers for settings.candidates results
CORES = os.cpu_count() or 1
SWITCH_BUDGET_MS = 5.0  # flat search may take a third of the 15 ms ask budget


class ScaleBudget(NamedTuple):
    hnsw_build_s: float = 480.0  # predicted 1.5× over: extrapolate; build stops (partial) at 1.25×
    flat_queries: int = 50  # single-query flat searches to time (fewer at 1M)
    flat_seconds: float = 15.0  # time allowed for those
    n_queries: int = 200  # recall queries


class VectorModel(NamedTuple):
    mean: np.ndarray  # (d,)
    basis: np.ndarray  # (k, d): principal directions scaled by their standard deviation
    iso: float  # standard deviation of the isotropic floor, per dimension


class DenseRow(NamedTuple):
    n: int
    engine: str
    params: str
    build_s: float
    index_bytes: int
    rss_delta: int
    p50_ms: float
    recall10: float | None  # None for exact search
    note: str = ""


class SweepRow(NamedTuple):
    n: int
    engine: str
    param: str  # efSearch=… or nprobe=…
    recall10: float
    p50_ms: float


class Bm25Row(NamedTuple):
    n: int
    vocab: int
    gen_s: float  # numpy token-id generation and list conversion
    build_s: float  # bm25s.BM25().index(Tokenized)
    index_bytes: int
    rss_delta: int
    p50_ms: float
    p95_ms: float


class ScaleResult(NamedTuple):
    sizes: list[int]
    dense: list[DenseRow]
    sweep: list[SweepRow]
    bm25: list[Bm25Row]
    notes: list[str]
    switch: dict[
        int, int | None
    ]  # OpenMP threads -> chunks where flat search passes SWITCH_BUDGET_MS
    service_threads: int  # what the service searches with
    cores: int  # what builds use
    uploads: tuple = ()  # bench_upload.UploadRow per size: an upload into the HNSW index


# ------------------------------------------------------------------ data


def fit_vector_model(vectors: np.ndarray) -> VectorModel:
    """Mean, principal directions and an isotropic floor of real embeddings."""
    vectors = np.asarray(vectors, dtype=np.float32)
    dim = vectors.shape[1] if vectors.ndim == 2 else DIM
    if len(vectors) < 3:  # nothing to fit: isotropic
        return VectorModel(np.zeros(dim, np.float32), np.zeros((0, dim), np.float32), 1.0)
    mean = vectors.mean(axis=0)
    resid = vectors - mean
    _, s, vt = np.linalg.svd(resid, full_matrices=False)
    std = s / math.sqrt(len(vectors) - 1)
    iso = 0.1 * float(np.sqrt((resid**2).sum(axis=1).mean() / dim))
    return VectorModel(mean.astype(np.float32), (vt * std[:, None]).astype(np.float32), iso)


def _draw(model: VectorModel, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` residuals from the model (principal part plus isotropic floor)."""
    dim = model.mean.shape[0]
    out = model.iso * rng.standard_normal((n, dim), dtype=np.float32)
    if len(model.basis):
        out += rng.standard_normal((n, len(model.basis)), dtype=np.float32) @ model.basis
    return out


def normalize_rows(x: np.ndarray) -> np.ndarray:
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def synthetic_vectors(
    model: VectorModel, n: int, rng: np.random.Generator, batch: int = 50_000
) -> np.ndarray:
    """``n`` unit vectors: topic centre + within-topic spread, see the module docstring."""
    centres = model.mean + _draw(model, TOPICS, rng)
    out = np.empty((n, model.mean.shape[0]), np.float32)
    for a in range(0, n, batch):
        b = min(n, a + batch)
        out[a:b] = centres[rng.integers(0, TOPICS, b - a)] + SPREAD * _draw(model, b - a, rng)
        normalize_rows(out[a:b])
    return out


def isotropic_vectors(n: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    return normalize_rows(rng.standard_normal((n, dim), dtype=np.float32))


def perturbed_queries(
    model: VectorModel, x: np.ndarray, n: int, rng: np.random.Generator
) -> np.ndarray:
    """Corpus vectors plus model noise, re-normalised: a query near, not on, a chunk."""
    rows = x[rng.integers(0, len(x), n)]
    if len(model.basis):
        noise = _draw(model, n, rng)
    else:
        noise = 0.05 * rng.standard_normal(rows.shape, dtype=np.float32)
    return normalize_rows(rows + QUERY_NOISE * noise)


def exact_topk(x: np.ndarray, q: np.ndarray, k: int, block: int = 100_000) -> np.ndarray:
    """Exact inner-product top-k with numpy (faster here than FAISS's batched path)."""
    best_s = np.full((len(q), 0), -np.inf, np.float32)
    best_i = np.zeros((len(q), 0), np.int64)
    for a in range(0, len(x), block):
        s = q @ x[a : a + block].T
        kk = min(k, s.shape[1])
        part = np.argpartition(-s, kk - 1, axis=1)[:, :kk]
        best_s = np.concatenate([best_s, np.take_along_axis(s, part, 1)], axis=1)
        best_i = np.concatenate([best_i, part + a], axis=1)
        keep = np.argsort(-best_s, axis=1)[:, :k]
        best_s, best_i = np.take_along_axis(best_s, keep, 1), np.take_along_axis(best_i, keep, 1)
    return best_i


def recall_at_k(found: np.ndarray, truth: np.ndarray) -> float:
    k = truth.shape[1]
    return float(np.mean([len(set(f[:k]) & set(t)) / k for f, t in zip(found, truth, strict=True)]))


# ---------------------------------------------------------------- timing


def single_query_ms(
    index: faiss.Index, q: np.ndarray, limit: int, seconds: float, k: int = K_SERVICE
) -> float:
    """Median single-query search time over up to ``limit`` queries or ``seconds``."""
    index.search(q[:1], k)  # warm-up
    samples = []
    stop = time.perf_counter() + seconds
    for row in q[:limit]:
        t0 = time.perf_counter()
        index.search(row.reshape(1, -1), k)
        samples.append((time.perf_counter() - t0) * 1e3)
        if time.perf_counter() > stop and len(samples) >= 5:
            break
    return median(samples)


def _rss_delta(before: int) -> int:
    gc.collect()
    return rss_bytes(children=False) - before


def hnsw_bytes(index: faiss.IndexHNSWFlat) -> int:
    h = index.hnsw
    return (
        index.ntotal * index.d * 4
        + h.neighbors.size() * 4
        + h.offsets.size() * 8
        + h.levels.size() * 4
    )


def ivf_bytes(index: faiss.IndexIVFFlat) -> int:
    return index.ntotal * (index.d * 4 + 8) + index.nlist * index.d * 4


# ----------------------------------------------------------------- dense


def bench_flat(x: np.ndarray, q: np.ndarray, budget: ScaleBudget) -> list[DenseRow]:
    n = len(x)
    rss0 = rss_bytes(children=False)
    t0 = time.perf_counter()
    index = faiss.IndexFlatIP(x.shape[1])
    index.add(x)
    build = time.perf_counter() - t0
    delta = _rss_delta(rss0)
    limit = budget.flat_queries if n < 500_000 else max(10, budget.flat_queries // 3)
    nbytes = n * x.shape[1] * 4
    rows = []
    for threads in sorted({1, CORES}):
        with omp_threads(threads):
            p50 = single_query_ms(index, q, limit, budget.flat_seconds)
        rows.append(DenseRow(n, "flat", thread_label(threads), build, nbytes, delta, p50, None))
    del index
    gc.collect()
    return rows


def service_threads() -> int:
    """FAISS OpenMP threads the service searches with (``Settings.faiss_threads``)."""
    return max(1, int(getattr(Settings(), "faiss_threads", CORES)))


def thread_label(threads: int) -> str:
    label = f"{threads} OpenMP thread{'s' if threads > 1 else ''}"
    return label + (" (service setting)" if threads == service_threads() else "")


def service_flat(rows: list[DenseRow], n: int) -> DenseRow | None:
    return next(
        (d for d in rows if d.n == n and d.engine == "flat" and "service" in d.params), None
    )


def _tuned(rows: list[SweepRow]) -> SweepRow:
    """The cheapest setting reaching the target recall, else the most accurate one."""
    good = [r for r in rows if r.recall10 >= TARGET_RECALL]
    return good[0] if good else max(rows, key=lambda r: r.recall10)


def build_hnsw(
    x: np.ndarray, ef_construction: int, stop_after_s: float | None = None
) -> tuple[faiss.Index, float, int]:
    """HNSW over ``x`` in batches; stops early (partial index) past ``stop_after_s``."""
    index = faiss.IndexHNSWFlat(x.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = ef_construction
    t0 = time.perf_counter()
    step = 100_000
    for a in range(0, len(x), step):
        with omp_threads(CORES):
            index.add(x[a : a + step])
        if (
            stop_after_s is not None
            and time.perf_counter() - t0 > stop_after_s
            and a + step < len(x)
        ):
            log(f"HNSW build stopped at {index.ntotal:,} vectors (time budget)")
            break
        if len(x) > step:
            log(f"HNSW build {index.ntotal:,}/{len(x):,} vectors, {time.perf_counter() - t0:.0f} s")
    return index, time.perf_counter() - t0, index.ntotal


def sweep_hnsw(
    index: faiss.Index, n: int, q: np.ndarray, truth: np.ndarray, engine: str
) -> list[SweepRow]:
    rows = []
    for ef in EF_SWEEP:
        index.hnsw.efSearch = ef
        _, found = index.search(q, K)
        p50 = single_query_ms(index, q, 100, 5.0)
        rows.append(SweepRow(n, engine, f"efSearch={ef}", recall_at_k(found, truth), p50))
    return rows


def bench_hnsw(
    x: np.ndarray,
    q: np.ndarray,
    truth: np.ndarray,
    stop_after_s: float | None = None,
    uploads: list | None = None,
) -> tuple[DenseRow, list[SweepRow], DenseRow]:
    """Build, sweep efSearch; returns the tuned row, the sweep and the service-default row.

    With ``uploads``, also times an upload into the built graph (bench/upload.py).
    """
    n = len(x)
    rss0 = rss_bytes(children=False)
    index, build, built = build_hnsw(x, EF_CONSTRUCTION, stop_after_s)
    delta = _rss_delta(rss0)
    if uploads is not None and built == n:
        uploads.append(bench_upload.measure_upload(index, x, build, HNSW_M, CORES))
    note = ""
    if built < n:
        truth = exact_topk(x[:built], q, K)
        note = f"partial: {built:,} of {n:,} vectors built within the time budget"
    sweep = sweep_hnsw(index, n, q, truth, "hnsw")
    best = _tuned(sweep)
    params = f"M={HNSW_M}, efConstruction={EF_CONSTRUCTION}"
    size = hnsw_bytes(index)
    tuned = DenseRow(
        n,
        "hnsw",
        f"{params}, {best.param} (tuned)",
        build,
        size,
        delta,
        best.p50_ms,
        best.recall10,
        note,
    )
    default = next(r for r in sweep if r.param == "efSearch=128")
    service = DenseRow(
        n,
        "hnsw",
        f"{params}, efSearch=128 (service default)",
        build,
        size,
        delta,
        default.p50_ms,
        default.recall10,
        note,
    )
    del index
    gc.collect()
    return tuned, sweep, service


def bench_ivf(x: np.ndarray, q: np.ndarray, truth: np.ndarray) -> tuple[DenseRow, list[SweepRow]]:
    n = len(x)
    nlist = 1024 if n >= 100_000 else max(8, min(int(4 * math.sqrt(n)), n // 39))
    rss0 = rss_bytes(children=False)
    t0 = time.perf_counter()
    quantizer = faiss.IndexFlatIP(x.shape[1])
    index = faiss.IndexIVFFlat(quantizer, x.shape[1], nlist, faiss.METRIC_INNER_PRODUCT)
    index.cp.niter = 10
    rng = np.random.default_rng(1)
    sample = x[rng.choice(n, size=min(n, 40 * nlist), replace=False)]
    with omp_threads(CORES):
        index.train(sample)
        index.add(x)
    build = time.perf_counter() - t0
    delta = _rss_delta(rss0)
    sweep = []
    for nprobe in NPROBE_SWEEP:
        index.nprobe = nprobe
        _, found = index.search(q, K)
        sweep.append(
            SweepRow(
                n,
                f"IVF{nlist},Flat",
                f"nprobe={nprobe}",
                recall_at_k(found, truth),
                single_query_ms(index, q, 100, 5.0),
            )
        )
    best = _tuned(sweep)
    row = DenseRow(
        n,
        "ivf",
        f"IVF{nlist},Flat, 10 k-means iterations, {best.param} (tuned)",
        build,
        ivf_bytes(index),
        delta,
        best.p50_ms,
        best.recall10,
    )
    del index, quantizer
    gc.collect()
    return row, sweep


def predicted_hnsw_s(rows: list[DenseRow], n: int) -> float | None:
    """Build time at ``n`` from the largest measured size, scaled by n·log n."""
    measured = [
        r
        for r in rows
        if r.engine == "hnsw" and "partial" not in r.note and "extrapolated" not in r.note
    ]
    if not measured:
        return None
    ref = max(measured, key=lambda r: r.n)
    return ref.build_s * (n / ref.n) * (math.log(n) / math.log(ref.n))


def extrapolated_hnsw(rows: list[DenseRow], n: int, predicted: float) -> DenseRow:
    ref = max((r for r in rows if r.engine == "hnsw"), key=lambda r: r.n)
    return ref._replace(
        n=n,
        build_s=predicted,
        index_bytes=int(ref.index_bytes * n / ref.n),
        rss_delta=int(ref.rss_delta * n / ref.n),
        note=f"EXTRAPOLATED from {ref.n:,} (build ∝ n·log n; search and recall not measured)",
        p50_ms=float("nan"),
        recall10=None,
    )


def bench_dense_size(
    model: VectorModel,
    n: int,
    budget: ScaleBudget,
    rows: list[DenseRow],
    seed: int,
    uploads: list | None = None,
) -> tuple[list[DenseRow], list[SweepRow]]:
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    x = synthetic_vectors(model, n, rng)
    q = perturbed_queries(model, x, budget.n_queries, rng)
    truth = exact_topk(x, q, K)
    log(f"{n:,} vectors generated with exact top-{K} in {time.perf_counter() - t0:.1f} s")
    out = bench_flat(x, q, budget)
    log(f"{n:,} flat: " + ", ".join(f"{r.params} {r.p50_ms:.2f} ms" for r in out))
    sweep: list[SweepRow] = []
    predicted = predicted_hnsw_s(rows, n)
    if predicted is not None and predicted > 1.5 * budget.hnsw_build_s:
        log(
            f"{n:,} HNSW: predicted build {predicted:.0f} s > budget {budget.hnsw_build_s:.0f} s, extrapolating"
        )
        out.append(extrapolated_hnsw(rows, n, predicted))
    else:
        if predicted is not None:
            log(f"{n:,} HNSW: predicted build {predicted:.0f} s")
        stop = 1.25 * budget.hnsw_build_s
        tuned, hsweep, service = bench_hnsw(x, q, truth, stop_after_s=stop, uploads=uploads)
        out += [tuned, service]
        sweep += hsweep
        log(
            f"{n:,} HNSW: build {tuned.build_s:.1f} s, {tuned.params}: recall {tuned.recall10:.3f}, p50 {tuned.p50_ms:.3f} ms"
        )
    ivf, isweep = bench_ivf(x, q, truth)
    out.append(ivf)
    sweep += isweep
    log(f"{n:,} IVF: build {ivf.build_s:.1f} s, recall {ivf.recall10:.3f}, p50 {ivf.p50_ms:.3f} ms")
    del x, q, truth
    gc.collect()
    return out, sweep


def bench_isotropic(n: int, budget: ScaleBudget) -> tuple[DenseRow, list[SweepRow]]:
    """The no-structure worst case: uniform random unit vectors, queries nearby."""
    rng = np.random.default_rng(7)
    x = isotropic_vectors(n, DIM, rng)
    q = normalize_rows(
        x[rng.integers(0, n, budget.n_queries)]
        + 0.05 * rng.standard_normal((budget.n_queries, DIM), dtype=np.float32)
    )
    truth = exact_topk(x, q, K)
    tuned, sweep, _ = bench_hnsw(x, q, truth)
    sweep = [s._replace(engine="hnsw, isotropic") for s in sweep]
    return tuned._replace(engine="hnsw, isotropic random"), sweep


def flat_rows(rows: list[DenseRow], threads: int) -> list[DenseRow]:
    want = thread_label(threads)
    return [r for r in rows if r.engine == "flat" and r.params == want and r.p50_ms == r.p50_ms]


def flat_fit(rows: list[DenseRow], threads: int) -> tuple[float, float] | None:
    """Flat search p50 ≈ a + b·n (ms), least squares over the measured sizes."""
    flat = flat_rows(rows, threads)
    if not flat:
        return None
    if len({r.n for r in flat}) < 2:
        return 0.0, flat[0].p50_ms / flat[0].n
    b, a = np.polyfit([r.n for r in flat], [r.p50_ms for r in flat], 1)
    return float(max(a, 0.0)), float(b)


def switch_point(
    rows: list[DenseRow], threads: int, budget_ms: float = SWITCH_BUDGET_MS
) -> int | None:
    """Chunks at which single-query flat search reaches ``budget_ms``."""
    fit = flat_fit(rows, threads)
    if fit is None or fit[1] <= 0:
        return None
    a, b = fit
    return max(0, int((budget_ms - a) / b))


def round_down(n: int) -> int:
    """A round threshold at or below ``n``, two significant digits: 49,564 → 49,000."""
    if n < 100:
        return n
    unit = 10 ** (len(str(n)) - 2)
    return n // unit * unit


# ------------------------------------------------------------------ BM25


class Vocab(NamedTuple):
    tokens: list[str]  # by descending corpus frequency
    n_tokens: int  # tokens in the real corpus


def real_vocab(chunk_texts: list[str]) -> Vocab:
    counts: Counter[str] = Counter()
    total = 0
    for text in chunk_texts:
        tokens = tokenize(text)
        counts.update(tokens)
        total += len(tokens)
    return Vocab([t for t, _ in counts.most_common()], total)


def synthetic_bm25_corpus(
    vocab: Vocab, n: int, rng: np.random.Generator
) -> tuple[list[list[int]], dict[str, int]]:
    """Zipf-distributed token ids, 40–80 per chunk, and the matching vocabulary dict."""
    lengths = rng.integers(40, 81, n)
    total = int(lengths.sum())
    size = max(
        len(vocab.tokens), round(len(vocab.tokens) * math.sqrt(total / max(1, vocab.n_tokens)))
    )
    cdf = np.cumsum(1.0 / np.arange(1, size + 1))
    cdf /= cdf[-1]
    ids = (np.searchsorted(cdf, rng.random(total)) + 1).astype(np.int32)  # 0 is the empty token
    ids = np.minimum(ids, size)
    docs = [d.tolist() for d in np.split(ids, np.cumsum(lengths)[:-1])]
    names = vocab.tokens + [f"词{i}" for i in range(len(vocab.tokens), size)]
    vocab_dict = {"": 0} | {t: i + 1 for i, t in enumerate(names)}
    return docs, vocab_dict


def bm25_bytes(index: bm25s.BM25) -> int:
    arrays = sum(index.scores[k].nbytes for k in ("data", "indices", "indptr"))
    return (
        arrays + sys.getsizeof(index.vocab_dict) + sum(sys.getsizeof(k) for k in index.vocab_dict)
    )


def bench_bm25(vocab: Vocab, n: int, questions: list[str], seed: int) -> Bm25Row:
    rng = np.random.default_rng(seed)
    gc.collect()
    rss0 = rss_bytes(children=False)
    t0 = time.perf_counter()
    docs, vocab_dict = synthetic_bm25_corpus(vocab, n, rng)
    gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    index = bm25s.BM25()
    index.index(bm25s.tokenization.Tokenized(docs, vocab_dict), show_progress=False)
    build = time.perf_counter() - t0
    del docs
    delta = _rss_delta(rss0)
    queries = [tokenize(q) for q in questions]
    search_bm25(index, queries[0], K_SERVICE)
    samples = []
    for tokens in queries:
        t1 = time.perf_counter()
        search_bm25(index, tokens, K_SERVICE)
        samples.append((time.perf_counter() - t1) * 1e3)
    row = Bm25Row(
        n,
        len(vocab_dict),
        gen,
        build,
        bm25_bytes(index),
        delta,
        median(samples),
        float(np.percentile(samples, 95)),
    )
    log(f"{n:,} BM25: build {build:.1f} s, p50 {row.p50_ms:.2f} ms")
    del index
    gc.collect()
    return row


# ------------------------------------------------------------------- run


def run_scale(
    real_vectors: np.ndarray,
    chunk_texts: list[str],
    questions: list[str],
    sizes: list[int],
    budget: ScaleBudget,
) -> ScaleResult:
    """Every size in increasing order (so the 1M HNSW build can be predicted first)."""
    model = fit_vector_model(real_vectors)
    dense: list[DenseRow] = []
    sweep: list[SweepRow] = []
    notes: list[str] = []
    uploads: list = []
    for i, n in enumerate(sorted(sizes)):
        with omp_threads(service_threads()):
            rows, srows = bench_dense_size(model, n, budget, dense, seed=100 + i, uploads=uploads)
        dense += rows
        sweep += srows
    with omp_threads(service_threads()):
        iso_row, iso_sweep = bench_isotropic(min(sizes), budget)
    dense.append(iso_row)
    sweep += iso_sweep
    vocab = real_vocab(chunk_texts)
    bm25 = [bench_bm25(vocab, n, questions, seed=200 + i) for i, n in enumerate(sorted(sizes))]
    return ScaleResult(
        sorted(sizes),
        dense,
        sweep,
        bm25,
        notes,
        {t: switch_point(dense, t) for t in sorted({1, CORES})},
        service_threads(),
        CORES,
        tuple(uploads),
    )


# ---------------------------------------------------------------- report


def _n(n: int) -> str:
    return (
        f"{n // 1_000_000}M"
        if n >= 1_000_000 and n % 1_000_000 == 0
        else f"{n // 1000}k"
        if n % 1000 == 0
        else f"{n:,}"
    )


def render(r: ScaleResult) -> list[str]:
    dense_rows = [
        [_n(d.n), d.engine, d.params, fmt(d.build_s, 2), mib(d.index_bytes), mib(d.rss_delta), fmt(d.p50_ms, 3),
         "exact" if d.recall10 is None and d.engine == "flat" else fmt(d.recall10, 3), d.note]
        for d in r.dense
    ]  # fmt: skip
    sweep_rows = [
        [_n(s.n), s.engine, s.param, fmt(s.recall10, 3), fmt(s.p50_ms, 3)] for s in r.sweep
    ]
    bm25_rows = [
        [_n(b.n), f"{b.vocab:,}", fmt(b.gen_s, 1), fmt(b.build_s, 1), mib(b.index_bytes), mib(b.rss_delta), fmt(b.p50_ms, 2), fmt(b.p95_ms, 2)]
        for b in r.bm25
    ]  # fmt: skip
    lines = [
        f"Single-query search for the top {K_SERVICE} (what retrieval asks for), p50 in ms; recall@{K} "
        f"against exact search on 200 queries. Searches use the service's FAISS setting "
        f"({r.service_threads} OpenMP thread{'s' if r.service_threads > 1 else ''}; flat is shown with "
        f"1 and {r.cores}); builds use all {r.cores} cores. Index size is the bytes of the index's arrays; RSS Δ is the "
        "process's resident-memory growth across the build (allocator-dependent).",
        "",
        *md_table(
            [
                "chunks",
                "index",
                "parameters",
                "build s",
                "index size",
                "RSS Δ",
                "search p50 ms",
                f"recall@{K}",
                "note",
            ],
            dense_rows,
        ),
        "",
        "Same-run ratios (flat p50 / approximate p50 at its tuned setting):",
        "",
    ]
    for n in r.sizes:
        flat = service_flat(r.dense, n)
        hnsw = next(
            (d for d in r.dense if d.n == n and d.engine == "hnsw" and "tuned" in d.params), None
        )
        ivf = next((d for d in r.dense if d.n == n and d.engine == "ivf"), None)
        if flat:
            parts = [
                f"HNSW {ratio(flat.p50_ms, hnsw.p50_ms)}" if hnsw else "HNSW –",
                f"IVF {ratio(flat.p50_ms, ivf.p50_ms)}" if ivf else "IVF –",
            ]
            lines.append(f"- {_n(n)}: " + ", ".join(parts))
    lines += [
        "",
        "<details><summary>efSearch / nprobe sweeps</summary>",
        "",
        *md_table(["chunks", "index", "setting", f"recall@{K}", "p50 ms"], sweep_rows),
        "",
        "</details>",
        "",
        "BM25 (bm25s, via `rag.lexical.search_bm25`, gold questions tokenised with jieba):",
        "",
        *md_table(
            [
                "chunks",
                "vocabulary",
                "token generation s",
                "bm25s index s",
                "index size",
                "RSS Δ",
                "search p50 ms",
                "p95 ms",
            ],
            bm25_rows,
        ),
    ]
    if r.uploads:
        lines += ["", *bench_upload.render(list(r.uploads))]
    return lines + r.notes
