"""Benchmark section 2: ``Pipeline.ask`` in process over the gold questions.

Headline latencies come from plain ``ask`` calls. The split by stage comes from separate
passes in which ``rag.pipeline.retrieve`` is called with ``timings=`` (query embedding,
dense search, BM25, fusion) and ``rag.pipeline.candidates`` is timed (answer
extraction); the remainder of an ``ask`` (question parsing, building the answer
object) is "other". "Cold" clears the query-embedding cache (``Embedder._cache``)
before every question; "warm" asks questions whose embeddings are cached.

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
from eval.bench_common import Stats, elapsed_ms, fmt, log, md_table, ratio, summarize
from rag.pipeline import Pipeline
from rag.settings import RetrievalMode

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
    torch_threads: int
    faiss_threads: int
    cold: Stats  # hybrid, cache cleared before each ask
    warm: Stats  # hybrid, embedding cached
    dense_cold: Stats
    bm25_cold: Stats
    cold_parts: Breakdown | None  # None if rag.pipeline no longer exposes the hooks
    warm_parts: Breakdown | None


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


def _ask_pass(
    qa: Pipeline, questions: list[str], cold: bool, mode: RetrievalMode | None = None
) -> list[float]:
    samples = []
    for q in questions:
        if cold:
            qa.embedder._cache.clear()
        t0 = time.perf_counter()
        qa.ask(q, mode=mode)
        samples.append(elapsed_ms(t0))
    return samples


def _traced_pass(qa: Pipeline, questions: list[str], cold: bool) -> list[dict[str, float]]:
    rows: list[dict[str, float]] = []
    with traced() as take:
        for q in questions:
            if cold:
                qa.embedder._cache.clear()
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


def run_queries(qa: Pipeline, questions: list[str], reps: int) -> QueryResult:
    """``reps`` rounds of cold, dense-only, BM25-only and warm passes, interleaved."""
    hooks = hasattr(rag.pipeline, "retrieve") and hasattr(rag.pipeline, "candidates")
    samples: dict[str, list[float]] = {k: [] for k in ("cold", "warm", "dense", "bm25")}
    cold_rows: list[dict[str, float]] = []
    warm_rows: list[dict[str, float]] = []
    _prime(qa, questions[:5])  # first-call costs (allocations, lazy imports) are not a query's
    for rep in range(reps):
        samples["cold"] += _ask_pass(qa, questions, cold=True)
        samples["dense"] += _ask_pass(qa, questions, cold=True, mode=RetrievalMode.DENSE)
        samples["bm25"] += _ask_pass(qa, questions, cold=True, mode=RetrievalMode.BM25)
        if hooks:
            cold_rows += _traced_pass(qa, questions, cold=True)
        _prime(qa, questions)
        samples["warm"] += _ask_pass(qa, questions, cold=False)
        if hooks:
            warm_rows += _traced_pass(qa, questions, cold=False)
        log(f"in-process rep {rep + 1}/{reps}: cold p50 {summarize(samples['cold']).p50:.1f} ms")
    import torch

    return QueryResult(
        n_questions=len(questions),
        reps=reps,
        n_chunks=len(qa.index.chunks),
        index_kind=type(qa.index.dense).__name__,
        torch_threads=torch.get_num_threads(),
        faiss_threads=faiss.omp_get_max_threads(),
        cold=summarize(samples["cold"]),
        warm=summarize(samples["warm"]),
        dense_cold=summarize(samples["dense"]),
        bm25_cold=summarize(samples["bm25"]),
        cold_parts=_breakdown(cold_rows),
        warm_parts=_breakdown(warm_rows),
    )


def _stat_row(name: str, s: Stats) -> list[str]:
    return [name, fmt(s.p50, 2), fmt(s.p95, 2), fmt(s.p99, 2), fmt(s.mean, 2), str(s.n)]


def render(r: QueryResult) -> list[str]:
    head = ["", "p50 ms", "p95 ms", "p99 ms", "mean ms", "n"]
    lines = [
        f"{r.n_questions} gold questions × {r.reps} repetitions, {r.n_chunks} chunks, "
        f"FAISS `{r.index_kind}`, torch threads {r.torch_threads}, FAISS OpenMP threads {r.faiss_threads}.",
        "",
        *md_table(
            head,
            [
                _stat_row("`ask`, hybrid, cold (embedding cache cleared)", r.cold),
                _stat_row("`ask`, hybrid, warm (question embedding cached)", r.warm),
                _stat_row("`ask`, dense only, cold", r.dense_cold),
                _stat_row("`ask`, BM25 only (no query embedding)", r.bm25_cold),
            ],
        ),  # fmt: skip
        "",
        f"Same run: hybrid / dense-only p50 = {ratio(r.cold.p50, r.dense_cold.p50)}; "
        f"cold / warm p50 = {ratio(r.cold.p50, r.warm.p50)}; "
        f"hybrid / BM25-only p50 = {ratio(r.cold.p50, r.bm25_cold.p50)}.",
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
