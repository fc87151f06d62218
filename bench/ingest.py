"""Benchmark section 1: model load and ``rag ingest`` of seeds/, split by stage.

The real :func:`rag.ingest.ingest` runs into a fresh temporary index folder each time,
with the library functions it calls wrapped in timers (chunking, embedding, FAISS
build, jieba + BM25 build, saving); whatever is left is reading files, metadata and
locking. Nothing is reimplemented, so the figures are those of ``rag ingest``. The
same ingest then runs once with each other embedding runtime (sentence-transformers on
torch as before, the other precision, one thread), for texts/s side by side.

Example::

    >>> models = time_model_load(settings, reps=3)
    >>> result = run_ingest(settings, files, workdir=Path(tmp), reps=3)
    >>> result.median.embed_s, result.index_dir
    >>> others = run_variants(settings, files, workdir)
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple
from unittest import mock

import rag.index
import rag.ingest
from bench.common import fmt, log, md_table, median, ratio
from rag.documents import discover
from rag.embedder import Embedder, ingest_threads, load_embedder, question_threads
from rag.settings import EmbedBackend, EmbedPrecision, Settings

STAGES = ("chunk", "embed", "dense", "bm25", "save")


IMPORTS = {
    "onnx": "import onnxruntime, tokenizers",
    "sentence-transformers": "import torch, sentence_transformers",
}


class ModelLoad(NamedTuple):
    runtime: str
    import_s: float  # importing its libraries in a fresh interpreter (median of 3)
    load_s: float  # median time to load the model, libraries already imported
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
    n_sentences: int  # sentences with a vector of their own (the answerer compares them)
    n_embedded: int  # distinct texts through the model: chunks and sentences

    @property
    def texts_per_s(self) -> float:
        return self.n_embedded / self.embed_s if self.embed_s else float("nan")


class IngestResult(NamedTuple):
    runs: list[IngestRun]
    median: IngestRun
    index_dir: Path  # the last run's index, reused by the query and HTTP sections
    files: list[Path]
    embedder: str  # runtime, precision, threads


class IngestVariant(NamedTuple):
    name: str
    threads: int
    run: IngestRun


def _import_seconds(code: str, repeat: int = 3) -> float:
    script = f"import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"
    runs = [
        float(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             check=True).stdout)
        for _ in range(repeat)
    ]  # fmt: skip
    return median(runs)


def time_model_load(settings: Settings, reps: int, compare: bool = True) -> list[ModelLoad]:
    """Per runtime (the shipped one, and torch with ``compare``): import time in a fresh
    interpreter (median of 3), and the median of ``reps`` loads."""
    from rag.embedder import _load

    rows = []
    for backend in (EmbedBackend.AUTO, EmbedBackend.TORCH)[: 2 if compare else 1]:
        name = "sentence-transformers" if backend is EmbedBackend.TORCH else "onnx"
        import_s = _import_seconds(IMPORTS[name], 3 if compare else 1)
        loads = []
        for _ in range(reps):
            t0 = time.perf_counter()
            embedder = _load.__wrapped__(
                settings.model, backend.value, settings.embed_precision.value,
                question_threads(settings), str(settings.onnx_dir), 0.0, 1,
            )  # fmt: skip
            loads.append(time.perf_counter() - t0)
        rows.append(
            ModelLoad(f"{embedder.backend} {embedder.precision}", import_s, median(loads), reps)
        )
    return rows


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
            ("dense_index", "dense"),
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
        len(report.index.sentences), int(acc["embedded"]),
    )  # fmt: skip


def _label(embedder: Embedder, threads: int) -> str:
    return f"{embedder.backend} {embedder.precision}, {threads} thread(s)"


def run_ingest(settings: Settings, files: list[Path], workdir: Path, reps: int) -> IngestResult:
    """``reps`` ingests as ``rag ingest`` runs them, each into a new folder; median per stage."""
    threads = ingest_threads(settings)
    embedder = load_embedder(settings, threads=threads)
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
    counts = ("n_docs", "n_chunks", "n_sentences", "n_embedded")
    mid = mid._replace(**{f: getattr(runs[0], f) for f in counts})
    return IngestResult(runs, mid, index_dir, files, _label(embedder, threads))


def run_variants(settings: Settings, files: list[Path], workdir: Path) -> list[IngestVariant]:
    """One ingest with each other runtime: torch as before (one thread, as it shipped),
    the shipped runtime on one thread, and the other precision."""
    threads = ingest_threads(settings)
    torch = settings.model_copy(update={"embed_backend": EmbedBackend.TORCH})
    other = next(p for p in EmbedPrecision if p != settings.embed_precision)
    plans = [
        ("sentence-transformers (before)", torch, 1),
        ("shipped runtime, one thread", settings, 1),
        (f"onnx {other.value}", settings.model_copy(update={"embed_precision": other}), threads),
    ]
    out = []
    for i, (name, chosen, n) in enumerate(plans):
        embedder = load_embedder(chosen, threads=n)
        if name.startswith("onnx") and embedder.backend != "onnx":
            continue  # the model has no ONNX export: nothing to compare
        folder = chosen.model_copy(update={"index_dir": workdir / f"variant-{i}"})
        run = ingest_once(files, folder, embedder)
        log(f"ingest, {name}: embed {run.embed_s:.1f} s, {run.texts_per_s:.1f} texts/s")
        out.append(IngestVariant(f"{name}: {_label(embedder, n)}", n, run))
    return out


def render(
    models: list[ModelLoad], result: IngestResult, variants: list[IngestVariant] | None = None
) -> list[str]:
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
    lines = [
        f"{m.n_docs} documents ({len(result.files)} files), {m.n_chunks} chunks and {m.n_sentences} "
        f"sentences: {m.n_embedded} distinct texts embedded. Median of {len(result.runs)} runs of "
        f"`rag.ingest.ingest` as `rag ingest` runs it ({result.embedder}) into an empty temporary "
        "index folder, with the model already loaded.",
        "",
        *md_table(
            ["runtime", "import (fresh interpreter) s", "model load s"],
            [[r.runtime, fmt(r.import_s, 2), fmt(r.load_s, 2)] for r in models],
        ),
        "",
        *md_table(["stage", "seconds", "share"], rows),
        "",
        "All runs (s): " + ", ".join(f"{r.total_s:.1f}" for r in result.runs) + ".",
    ]
    if variants:
        before = variants[0].run
        table = [
            [
                "**shipped: " + result.embedder + "**",
                str(m.n_embedded),
                fmt(m.embed_s, 2),
                fmt(m.texts_per_s),
                fmt(m.total_s, 2),
                ratio(m.texts_per_s, before.texts_per_s),
            ]
        ]
        table += [
            [v.name, str(v.run.n_embedded), fmt(v.run.embed_s, 2), fmt(v.run.texts_per_s),
             fmt(v.run.total_s, 2), ratio(v.run.texts_per_s, before.texts_per_s)]
            for v in variants
        ]  # fmt: skip
        lines += [
            "",
            "Each embedding runtime on the same files (one run each besides the shipped median; "
            "speed-up in texts/s against sentence-transformers as it shipped before):",
            "",
            *md_table(["runtime", "texts", "embed s", "texts/s", "total s", "speed-up"], table),
        ]
    return lines
