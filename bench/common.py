"""Helpers shared by the benchmark sections: percentiles, process memory, markdown tables.

Example::

    >>> s = summarize([1.0, 2.0, 3.0, 4.0])
    >>> s.p50, s.n
    (2.5, 4)
    >>> md_table(["a", "b"], [[1, 2]])
    ['| a | b |', '|---|---|', '| 1 | 2 |']
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

import faiss
import numpy as np
import psutil


class Stats(NamedTuple):
    """Distribution of a list of samples (milliseconds unless said otherwise)."""

    n: int
    p50: float
    p95: float
    p99: float
    mean: float


EMPTY = Stats(0, float("nan"), float("nan"), float("nan"), float("nan"))


def summarize(samples: Iterable[float]) -> Stats:
    values = np.asarray(list(samples), dtype=np.float64)
    if values.size == 0:
        return EMPTY
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return Stats(int(values.size), float(p50), float(p95), float(p99), float(values.mean()))


def median(samples: Iterable[float]) -> float:
    values = list(samples)
    return float(np.median(values)) if values else float("nan")


def elapsed_ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1e3


def rss_bytes(pid: int | None = None, children: bool = True) -> int:
    """Resident memory of a process, plus its children (uvicorn workers) when asked."""
    try:
        proc = psutil.Process(pid or os.getpid())
        total = proc.memory_info().rss
        if children:
            for child in proc.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    total += child.memory_info().rss
        return total
    except psutil.Error:
        return 0


def mib(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:,.0f} MiB" if n_bytes == n_bytes else "–"


def fmt(value: float | None, digits: int = 1) -> str:
    """A number for a table; ``None`` and NaN print as a dash."""
    if value is None or value != value:
        return "–"
    return f"{value:,.{digits}f}"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b and a == a and b == b else "–"


def md_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def log(message: str) -> None:
    """Progress on stderr, so stdout carries only the report."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def omp_threads(n: int | None) -> Iterator[None]:
    """FAISS's OpenMP thread count set to ``n`` inside the block."""
    before = faiss.omp_get_max_threads()
    if n:
        faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)
