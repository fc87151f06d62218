"""Benchmark section 1: model load and ``rag ingest`` of seeds/, split by stage.

The real :func:`rag.ingest.ingest` runs into a fresh temporary index folder each time,
with the library functions it calls wrapped in timers (chunking, embedding, FAISS
build, jieba + BM25 build, saving); whatever is left is reading files, metadata and
locking. Nothing is reimplemented, so the figures are those of ``rag ingest``.

Example::

    >>> model = time_model_load(settings, reps=3)
    >>> result = run_ingest(settings, seeds=[Path("seeds")], workdir=Path(tmp), reps=3)
    >>> result.median.embed_s, result.index_dir
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple
from unittest import mock

import rag.index
import rag.ingest
from eval.bench_common import fmt, log, md_table, median
from rag.documents import discover
from rag.embedder import Embedder, load_embedder
from rag.settings import Settings

STAGES = ("chunk", "embed", "dense", "bm25", "save")


class ModelLoad(NamedTuple):
    import_s: float | None  # importing torch + sentence-transformers; None if already imported
    load_s: float  # median time to construct the model from its folder
    reps: int


class IngestRun(NamedTuple):
    total_s: float
    chunk_s: float  # split_text, including the embedder-token counting it does
    embed_s: float
    dense_s: float
    bm25_s: float  # jieba tokenisation + bm25s index
    save_s: float
    other_s: float  # reading, encoding detection, metadata, lock, df
    n_docs: int
    n_chunks: int
    n_embedded: int  # texts through the model: chunks, plus sentences if the index keeps them

    @property
    def texts_per_s(self) -> float:
        return self.n_embedded / self.embed_s if self.embed_s else float("nan")


class IngestResult(NamedTuple):
    runs: list[IngestRun]
    median: IngestRun
    index_dir: Path  # the last run's index, reused by the query and HTTP sections
    files: list[Path]


def time_model_load(settings: Settings, reps: int) -> ModelLoad:
    """Import time (once per process) and the median of ``reps`` fresh model loads."""
    import_s = None
    if "sentence_transformers" not in sys.modules:
        t0 = time.perf_counter()
        import sentence_transformers  # noqa: F401
        import torch  # noqa: F401

        import_s = time.perf_counter() - t0
    from rag.embedder import _load

    loads = []
    for _ in range(reps):
        t0 = time.perf_counter()
        _load.__wrapped__(settings.model_path(), settings.model, settings.torch_threads)
        loads.append(time.perf_counter() - t0)
    return ModelLoad(import_s, median(loads), reps)


def seed_files(seeds: list[Path], limit: int | None) -> list[Path]:
    """The files ``rag ingest`` would read; with ``limit``, only that many of the smallest."""
    files = discover(seeds)
    if limit is not None:
        files = sorted(files, key=lambda p: p.stat().st_size)[:limit]
    return files


def _timed(func: Callable, bucket: str, acc: dict[str, float]) -> Callable:
    def wrapper(*args, **kwargs):
        if bucket == "embed" and args:
            acc["embedded"] += len(args[0])
        t0 = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            acc[bucket] += time.perf_counter() - t0

    return wrapper


@contextlib.contextmanager
def instrumented(embedder: Embedder, acc: dict[str, float]) -> Iterator[None]:
    """Wrap the functions ``build_index`` and ``ingest`` call in timers, for one run."""
    with contextlib.ExitStack() as stack:
        for name, bucket in (
            ("split_text", "chunk"),
            ("build_dense", "dense"),
            ("tokenize", "bm25"),
            ("build_bm25", "bm25"),
        ):
            stack.enter_context(
                mock.patch.object(rag.index, name, _timed(getattr(rag.index, name), bucket, acc))
            )
        stack.enter_context(
            mock.patch.object(rag.ingest, "save_index", _timed(rag.ingest.save_index, "save", acc))
        )
        stack.enter_context(
            mock.patch.object(embedder, "encode", _timed(embedder.encode, "embed", acc))
        )
        yield


def ingest_once(files: list[Path], settings: Settings, embedder: Embedder) -> IngestRun:
    """One ``ingest`` of ``files`` into ``settings.index_dir`` (which should be empty)."""
    acc: dict[str, float] = defaultdict(float)
    with instrumented(embedder, acc):
        t0 = time.perf_counter()
        report = rag.ingest.ingest(files, settings, embedder=embedder)
        total = time.perf_counter() - t0
    if report.failed or report.index is None:
        raise RuntimeError(f"ingest failed: {report.failed}")
    staged = sum(acc[s] for s in STAGES)
    return IngestRun(
        total, acc["chunk"], acc["embed"], acc["dense"], acc["bm25"], acc["save"],
        max(0.0, total - staged), len(report.index.docs), len(report.index.chunks),
        int(acc["embedded"]),
    )  # fmt: skip


def run_ingest(settings: Settings, files: list[Path], workdir: Path, reps: int) -> IngestResult:
    """``reps`` full ingests, each into a new folder under ``workdir``; median per stage."""
    embedder = load_embedder(settings)
    runs = []
    index_dir = workdir
    for i in range(reps):
        index_dir = workdir / f"index-{i}"
        run = ingest_once(files, settings.model_copy(update={"index_dir": index_dir}), embedder)
        log(
            f"ingest {i + 1}/{reps}: {run.total_s:.1f} s, {run.n_chunks} chunks, embed {run.embed_s:.1f} s"
        )
        runs.append(run)
    mid = IngestRun(*(median(getattr(r, f) for r in runs) for f in IngestRun._fields))
    mid = mid._replace(
        n_docs=runs[0].n_docs, n_chunks=runs[0].n_chunks, n_embedded=runs[0].n_embedded
    )
    return IngestResult(runs, mid, index_dir, files)


def render(model: ModelLoad, result: IngestResult) -> list[str]:
    m = result.median
    share = lambda s: f"{100 * s / m.total_s:.0f}%" if m.total_s else "–"  # noqa: E731
    rows = [
        ["chunking (split_text, token counting)", fmt(m.chunk_s, 2), share(m.chunk_s)],
        [
            f"embedding: {m.n_embedded} texts, {m.texts_per_s:.1f} texts/s",
            fmt(m.embed_s, 2),
            share(m.embed_s),
        ],
        ["FAISS build", fmt(m.dense_s, 3), share(m.dense_s)],
        ["jieba tokenisation + BM25 build", fmt(m.bm25_s, 2), share(m.bm25_s)],
        ["save (JSON, .npy, FAISS, BM25, checksums, fsync)", fmt(m.save_s, 2), share(m.save_s)],
        ["other (read, decode, metadata, lock, df)", fmt(m.other_s, 2), share(m.other_s)],
        ["**total `ingest()`**", f"**{fmt(m.total_s, 2)}**", "100%"],
    ]
    imp = "already imported" if model.import_s is None else f"{model.import_s:.2f} s"
    return [
        f"{m.n_docs} documents ({len(result.files)} files), {m.n_chunks} chunks, {m.n_embedded} texts "
        "embedded (chunks, plus every sentence where the index keeps sentence vectors); median of "
        f"{len(result.runs)} runs of `rag.ingest.ingest` into an empty temporary index folder, "
        "with the model already loaded.",
        "",
        f"- Model: import torch + sentence-transformers {imp}; model load (median of {model.reps}) "
        f"{model.load_s:.2f} s. `rag ingest` from a cold shell pays both.",
        "",
        *md_table(["stage", "seconds", "share"], rows),
        "",
        "All runs (s): " + ", ".join(f"{r.total_s:.1f}" for r in result.runs) + ".",
    ]
