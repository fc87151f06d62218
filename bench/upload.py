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
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import faiss
import numpy as np

from bench.common import fmt, log, md_table, omp_threads
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


if __name__ == "__main__":
    raise SystemExit(main([int(a) for a in sys.argv[1:]] or [100_000]))
