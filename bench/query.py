"""Benchmark section 2: ``Pipeline.ask`` in process over the gold questions.

Headline latencies come from plain ``ask`` calls. The split by stage comes from separate
passes in which ``rag.pipeline.retrieve`` is called with ``timings=`` (query embedding,
dense search, BM25, fusion) and ``rag.pipeline.candidates`` is timed (answer
extraction); the remainder of an ``ask`` (question parsing, building the answer
object) is "other". "Cold" clears the query-embedding cache (``Embedder._cache``) and
the answer cache (``Pipeline._answers``) before every question; "warm" clears only the
answer cache, so the question's embedding is cached; "repeat" asks a question twice in a
row and times the second (everything cached).

Example::

    >>> result = run_queries(Pipeline.load(settings), questions, reps=3)
    >>> result.cold.p50, result.warm.p50
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple
from unittest import mock

import faiss

import rag.pipeline
from bench.common import Stats, elapsed_ms, fmt, log, md_table, ratio, summarize
from rag.embedder import Embedder, load_embedder
from rag.pipeline import Pipeline
from rag.settings import EmbedBackend, EmbedPrecision, RetrievalMode

PARTS = ("embed", "dense", "bm25", "fusion", "answer", "other")


class Breakdown(NamedTuple):
    """Per-ask time in each stage (summed over the retrievals of compare/change questions)."""

    embed: Stats
    dense: Stats
    bm25: Stats
    fusion: Stats
    answer: Stats
    other: Stats
    total: Stats


class QueryResult(NamedTuple):
    n_questions: int
    reps: int
    n_chunks: int
    index_kind: str
    embedder: str  # runtime and precision
    dimension: int
    embed_threads: int
    faiss_threads: int
    cold: Stats  # hybrid, cache cleared before each ask
    cold_cpu: Stats  # process CPU time of those asks: the latency on an otherwise idle core
    warm: Stats  # hybrid, embedding cached, answer cache cleared
    repeat: Stats  # the same question twice in a row: answer cache (if the pipeline has one)
    dense_cold: Stats
    bm25_cold: Stats
    cold_parts: Breakdown | None  # None if rag.pipeline no longer exposes the hooks
    warm_parts: Breakdown | None
    variants: list[Variant]  # the other runtimes, measured in the same run as ``cold``
    batches: list[BatchRow]  # query embedding cost per question when questions are batched


class Variant(NamedTuple):
    """A candidate performance fix, tried in process on cold asks."""

    name: str
    what: str
    wall: Stats
    cpu: Stats


class BatchRow(NamedTuple):
    """Embedding ``size`` questions in one call: what micro-batching requests would save."""

    size: int
    wall_per_query: Stats
    cpu_per_query: Stats


def load_questions(path: Path, limit: int | None = None) -> list[str]:
    with open(path, encoding="utf-8") as f:
        questions = [json.loads(line)["question"] for line in f if line.strip()]
    return questions[:limit] if limit else questions


@contextlib.contextmanager
def traced() -> Iterator[Callable[[], dict[str, float]]]:
    """Patch the pipeline's retrieve/candidates to record stage times.

    Yields ``take()``, which returns the stages recorded since the last call and resets.
    """
    real_retrieve, real_candidates = rag.pipeline.retrieve, rag.pipeline.candidates
    current: dict[str, float] = {}

    def add(part: str, value: float) -> None:
        current[part] = current.get(part, 0.0) + value

    def retrieve(*args, **kwargs):
        timings: list = []
        hits = real_retrieve(*args, **kwargs, timings=timings)
        for t in timings:
            for part, value in zip(("embed", "dense", "bm25", "fusion"), t, strict=True):
                add(part, value)
        return hits

    def candidates(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return real_candidates(*args, **kwargs)
        finally:
            add("answer", elapsed_ms(t0))

    def take() -> dict[str, float]:
        row = dict(current)
        current.clear()
        return row

    with (
        mock.patch.object(rag.pipeline, "retrieve", retrieve),
        mock.patch.object(rag.pipeline, "candidates", candidates),
    ):
        yield take


def clear_caches(qa: Pipeline, embedding: bool, answers: bool = True) -> None:
    """Forget cached answers (``Pipeline._answers``) and, if asked, question embeddings."""
    if embedding:
        qa.embedder._cache.clear()
    cache = getattr(qa, "_answers", None)
    if answers and cache is not None:
        with getattr(qa, "_answers_lock", contextlib.nullcontext()):
            cache.clear()


def _repeat_pass(qa: Pipeline, questions: list[str]) -> list[float]:
    """Each question asked right after itself: whatever the pipeline caches is hot."""
    samples = []
    for q in questions:
        qa.ask(q)
        t0 = time.perf_counter()
        qa.ask(q)
        samples.append(elapsed_ms(t0))
    return samples


def _ask_pass(
    qa: Pipeline, questions: list[str], cold: bool, mode: RetrievalMode | None = None
) -> tuple[list[float], list[float]]:
    """Wall-clock and process-CPU milliseconds of one ``ask`` per question."""
    wall, cpu = [], []
    for q in questions:
        clear_caches(qa, embedding=cold)
        c0, t0 = time.process_time(), time.perf_counter()
        qa.ask(q, mode=mode)
        wall.append(elapsed_ms(t0))
        cpu.append((time.process_time() - c0) * 1e3)
    return wall, cpu


def other_embedders(qa: Pipeline) -> list[tuple[str, str, Embedder]]:
    """The runtimes to compare with the pipeline's own, on the same index.

    fp32 on ONNX Runtime and sentence-transformers give the same vectors, so the same
    index serves both; int8 queries on an fp32 index time the int8 model only (its
    answers belong to an index built at int8, see the evaluation).
    """
    settings = qa.settings
    out = [
        (
            "sentence-transformers (before)",
            "torch, `SentenceTransformer.encode`, as before ONNX Runtime",
            load_embedder(settings.model_copy(update={"embed_backend": EmbedBackend.TORCH})),
        )
    ]
    for precision in EmbedPrecision:
        if qa.embedder.backend == "onnx" and precision.value != qa.embedder.precision:
            other = settings.model_copy(update={"embed_precision": precision})
            out.append(
                (f"onnx {precision.value}", "ONNX Runtime, not the default", load_embedder(other))
            )
    return out


def run_variants(qa: Pipeline, questions: list[str]) -> list[Variant]:
    """Cold asks with each runtime swapped in, against the shipped one, question by question."""
    own = qa.embedder
    variants = [
        (f"{own.backend} {own.precision} (shipped)", "the default embedder", own),
        *other_embedders(qa),
    ]
    wall: dict[str, list[float]] = {name: [] for name, _, _ in variants}
    cpu: dict[str, list[float]] = {name: [] for name, _, _ in variants}
    for i, q in enumerate(questions):
        # Interleaved per question, in rotating order, so drift in the machine's load hits all alike.
        for j in range(len(variants)):
            name, _, embedder = variants[(i + j) % len(variants)]
            embedder._cache.clear()
            with mock.patch.object(qa, "embedder", embedder):
                w, c = _ask_pass(qa, [q], cold=True)
            wall[name] += w
            cpu[name] += c
    return [
        Variant(name, what, summarize(wall[name]), summarize(cpu[name]))
        for name, what, _ in variants
    ]


def run_batches(
    embedder: Embedder, questions: list[str], sizes: tuple[int, ...] = (1, 4, 8, 16)
) -> list[BatchRow]:
    """Per-question embedding time at several batch sizes, interleaved batch by batch."""
    wall: dict[int, list[float]] = {n: [] for n in sizes}
    cpu: dict[int, list[float]] = {n: [] for n in sizes}
    step = max(sizes)
    if len(questions) < step:
        return []
    for start in range(0, len(questions) - step + 1, step):
        group = questions[start : start + step]
        for size in sizes:
            for i in range(0, step, size):
                batch = group[i : i + size]
                c0, t0 = time.process_time(), time.perf_counter()
                embedder.embed_questions(batch)
                wall[size].append(elapsed_ms(t0) / len(batch))
                cpu[size].append((time.process_time() - c0) * 1e3 / len(batch))
    return [BatchRow(n, summarize(wall[n]), summarize(cpu[n])) for n in sizes]


def _traced_pass(qa: Pipeline, questions: list[str], cold: bool) -> list[dict[str, float]]:
    rows: list[dict[str, float]] = []
    with traced() as take:
        for q in questions:
            clear_caches(qa, embedding=cold)
            take()
            t0 = time.perf_counter()
            qa.ask(q)
            total = elapsed_ms(t0)
            row = take()
            row["total"] = total
            row["other"] = max(0.0, total - sum(row.get(p, 0.0) for p in PARTS[:-1]))
            rows.append(row)
    return rows


def _breakdown(rows: list[dict[str, float]]) -> Breakdown | None:
    if not rows:
        return None
    return Breakdown(*(summarize(r.get(f, 0.0) for r in rows) for f in Breakdown._fields))


def _prime(qa: Pipeline, questions: list[str]) -> None:
    for q in questions:
        qa.ask(q)


def run_queries(qa: Pipeline, questions: list[str], reps: int, compare: bool = True) -> QueryResult:
    """``reps`` rounds of cold, dense-only, BM25-only and warm passes, interleaved; with
    ``compare``, the other embedding runtimes on the same questions."""
    hooks = hasattr(rag.pipeline, "retrieve") and hasattr(rag.pipeline, "candidates")
    samples: dict[str, list[float]] = {
        k: [] for k in ("cold", "cold_cpu", "warm", "repeat", "dense", "bm25")
    }
    cold_rows: list[dict[str, float]] = []
    warm_rows: list[dict[str, float]] = []
    _prime(qa, questions[:5])  # first-call costs (allocations, lazy imports) are not a query's
    for rep in range(reps):
        wall, cpu = _ask_pass(qa, questions, cold=True)
        samples["cold"] += wall
        samples["cold_cpu"] += cpu
        samples["dense"] += _ask_pass(qa, questions, cold=True, mode=RetrievalMode.DENSE)[0]
        samples["bm25"] += _ask_pass(qa, questions, cold=True, mode=RetrievalMode.BM25)[0]
        if hooks:
            cold_rows += _traced_pass(qa, questions, cold=True)
        _prime(qa, questions)
        samples["warm"] += _ask_pass(qa, questions, cold=False)[0]
        if hooks:
            warm_rows += _traced_pass(qa, questions, cold=False)
        samples["repeat"] += _repeat_pass(qa, questions)
        log(f"in-process rep {rep + 1}/{reps}: cold p50 {summarize(samples['cold']).p50:.1f} ms")
    variants = run_variants(qa, questions) if compare else []
    batches = run_batches(qa.embedder, questions)
    return QueryResult(
        n_questions=len(questions),
        reps=reps,
        n_chunks=len(qa.index.chunks),
        index_kind=type(qa.index.dense).__name__,
        embedder=f"{qa.embedder.backend} {qa.embedder.precision}",
        dimension=qa.embedder.dimension,
        embed_threads=qa.embedder.threads,
        faiss_threads=faiss.omp_get_max_threads(),
        cold=summarize(samples["cold"]),
        cold_cpu=summarize(samples["cold_cpu"]),
        repeat=summarize(samples["repeat"]),
        warm=summarize(samples["warm"]),
        dense_cold=summarize(samples["dense"]),
        bm25_cold=summarize(samples["bm25"]),
        cold_parts=_breakdown(cold_rows),
        warm_parts=_breakdown(warm_rows),
        variants=variants,
        batches=batches,
    )


def _stat_row(name: str, s: Stats) -> list[str]:
    return [name, fmt(s.p50, 2), fmt(s.p95, 2), fmt(s.p99, 2), fmt(s.mean, 2), str(s.n)]


def render(r: QueryResult, peer: Stats | None = None) -> list[str]:
    head = ["", "p50 ms", "p95 ms", "p99 ms", "mean ms", "n"]
    lines = [
        f"{r.n_questions} gold questions × {r.reps} repetitions, {r.n_chunks} chunks, "
        f"FAISS `{r.index_kind}`, embedder {r.embedder} with {r.embed_threads} thread(s), FAISS OpenMP threads {r.faiss_threads}.",
        "",
        *md_table(
            head,
            [
                _stat_row("`ask`, hybrid, cold (embedding and answer caches cleared)", r.cold),
                _stat_row("… the same asks, process CPU time", r.cold_cpu),
                _stat_row("`ask`, hybrid, warm (embedding cached, answer cache cleared)", r.warm),
                _stat_row("`ask`, same question again (answer cache)", r.repeat),
                _stat_row("`ask`, dense only, cold", r.dense_cold),
                _stat_row(
                    "`ask`, BM25-only retrieval (the answerer still embeds the question)",
                    r.bm25_cold,
                ),
            ],
        ),  # fmt: skip
        "",
        f"Same run: hybrid / dense-only p50 = {ratio(r.cold.p50, r.dense_cold.p50)}; "
        f"cold / warm p50 = {ratio(r.cold.p50, r.warm.p50)}; "
        f"hybrid / BM25-only p50 = {ratio(r.cold.p50, r.bm25_cold.p50)}.",
    ]
    if r.variants:
        base = r.variants[0]
        rows = [
            [f"`{v.name}`: {v.what}", fmt(v.wall.p50, 2), fmt(v.wall.p95, 2), fmt(v.cpu.p50, 2),
             ratio(v.wall.p50, base.wall.p50), ratio(v.cpu.p50, base.cpu.p50)]
            for v in r.variants
        ]  # fmt: skip
        lines += [
            "",
            "Embedding runtimes, cold hybrid `ask` on the same index: every question asked once under "
            "each, interleaved question by question (shipped speed-up = other / shipped):",
            "",
            *md_table(
                ["runtime", "p50 ms", "p95 ms", "CPU p50 ms", "shipped speed-up p50", "… CPU p50"],
                rows,
            ),
        ]
    if peer is not None:
        lines += [
            "",
            "The peer pipeline (bench/peer.py: `SentenceTransformer.encode` + FAISS `IndexFlatIP`, "
            "the best chunk, one question at a time, its own interpreter with torch's default "
            f"threads) over the same chunk vectors: p50 {fmt(peer.p50, 2)} ms, p95 {fmt(peer.p95, 2)} "
            f"ms ({peer.n} questions); shipped cold `ask` / peer p50 = {ratio(r.cold.p50, peer.p50)} "
            "(the peer returns a passage; `ask` also runs BM25, fusion and answer extraction).",
        ]
    if r.batches:
        one = r.batches[0]
        rows = [
            [str(b.size), fmt(b.wall_per_query.p50, 2), fmt(b.cpu_per_query.p50, 2), ratio(one.cpu_per_query.p50, b.cpu_per_query.p50)]
            for b in r.batches
        ]  # fmt: skip
        lines += [
            "",
            "Query embedding alone, questions encoded in batches (`Embedder.embed_questions`, one model "
            "call per batch), per question (what batching concurrent requests saves at most; speed-up "
            "against batches of 1):",
            "",
            *md_table(
                ["batch", "p50 ms / question", "CPU p50 ms / question", "speed-up CPU"], rows
            ),
        ]
    for title, parts in (("cold", r.cold_parts), ("warm", r.warm_parts)):
        if parts is None:
            continue
        rows = [_stat_row(name, getattr(parts, name)) for name in (*PARTS, "total")]
        lines += [
            "",
            f"Where the time goes, hybrid, {title} (per ask, from `retrieve(timings=…)` and a timer "
            "around `candidates`; percentiles of each stage separately, so they do not add up):",
            "",
            *md_table(["stage", *head[1:]], rows),
        ]
    return lines
