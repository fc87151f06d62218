"""Benchmark section 0: ``rag ask`` from a shell, before and after, beside the peer script.

Each command runs in a fresh process, as a user's shell runs it, over the index the
ingest section built: ``rag ask`` as shipped, ``rag ask`` on sentence-transformers (as
before ONNX Runtime), and the peer pipeline's script (bench/peer.py). Wall time, CPU time
(user + system) come from ``wait4``, peak RSS from sampling every 20 ms. A stage split of the shipped command
(imports, jieba, model, index, first answer) is timed in CPU seconds in a child of its own.

Example::

    >>> rows = run_startup(index_dir, "苏州2016年职工书屋多少家", runs=5)
    >>> rows[0].wall.p50          # ms
    $ RAG_INDEX_DIR=index/ python -m bench.startup --stages    # the stage split, as JSON
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

from bench.common import Stats, fmt, log, md_table, mib, ratio, summarize
from rag.settings import PROJECT_ROOT


class ShellRow(NamedTuple):
    name: str
    command: str
    wall: Stats  # ms
    cpu: Stats  # ms, user + system of the process
    rss_peak: int  # bytes, highest of the runs


class StartupResult(NamedTuple):
    question: str
    rows: list[ShellRow]
    stages: dict[str, float]  # CPU ms of each stage of the shipped `rag ask`


def rag_command() -> list[str]:
    script = Path(sys.executable).with_name("rag")
    return [str(script)] if script.exists() else [sys.executable, "-m", "rag.cli"]


def child_env(index_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    keep = ("RAG_MODEL", "RAG_EMBED_PRECISION", "RAG_ONNX_DIR")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_") or k in keep}
    return env | {"RAG_INDEX_DIR": str(index_dir), "HF_HUB_OFFLINE": "1"} | (extra or {})


def time_command(
    name: str, cmd: list[str], env: dict[str, str], runs: int, shown: str | None = None
) -> ShellRow:
    from bench.http import RssSampler

    wall, cpu, rss = [], [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        # Sampled, not wait4's ru_maxrss: that counts the benchmark's own pages the child
        # had mapped between fork and exec.
        with RssSampler(proc.pid, interval_s=0.02) as sampler:
            _, status, usage = os.wait4(proc.pid, 0)
        wall.append((time.perf_counter() - t0) * 1e3)
        proc.returncode = os.waitstatus_to_exitcode(status)
        error = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        # `rag ask` exits 1 when the documents do not hold the answer (like grep): still
        # a complete run, and a benchmark's small corpus may not hold it.
        not_found = proc.returncode == 1 and "ask" in cmd
        if proc.returncode != 0 and not not_found:
            raise RuntimeError(f"{name} exited with {proc.returncode}: {error[-2000:]}")
        cpu.append((usage.ru_utime + usage.ru_stime) * 1e3)
        rss = max(rss, sampler.peak)
    row = ShellRow(name, shown or " ".join(cmd), summarize(wall), summarize(cpu), rss)
    log(f"{name}: wall p50 {row.wall.p50:.0f} ms, CPU p50 {row.cpu.p50:.0f} ms")
    return row


def run_startup(
    index_dir: Path, question: str, runs: int, before_index: Path | None = None
) -> StartupResult:
    """Each command ``runs`` times; ``before_index`` is one sentence-transformers can read
    (fp32), when the shipped index is int8."""
    ask = [*rag_command(), "ask", question]
    shown = f'rag ask "{question}"'
    rows = [
        time_command("`rag ask`, shipped", ask, child_env(index_dir), runs, shown),
        time_command(
            "`rag ask`, sentence-transformers (before)",
            ask,
            child_env(before_index or index_dir, {"RAG_EMBED_BACKEND": "sentence-transformers"}),
            runs,
            "RAG_EMBED_BACKEND=sentence-transformers " + shown,
        ),
        time_command(
            "peer script (sentence-transformers + FAISS flat)",
            [sys.executable, "-m", "bench.peer", str(index_dir), question],
            child_env(index_dir),
            runs,
            f'python -m bench.peer INDEX "{question}"',
        ),
    ]
    return StartupResult(question, rows, stage_split(index_dir))


def stage_split(index_dir: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.startup", "--stages"],
        cwd=PROJECT_ROOT,
        env=child_env(index_dir),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _stages() -> dict[str, float]:
    """CPU ms per stage of what ``rag ask`` does, in this fresh interpreter."""
    marks: list[tuple[str, float]] = [("", time.process_time())]

    def mark(name: str) -> None:
        marks.append((name, time.process_time()))

    import rag.cli  # noqa: F401

    mark("import rag.cli (rich, pydantic settings)")
    import rag.pipeline

    mark("import the pipeline (numpy, faiss, bm25s, scipy, cn2an, …)")
    import jieba

    jieba.initialize()
    mark("jieba dictionary")
    from rag.settings import get_settings

    settings = get_settings()
    from rag.embedder import load_embedder

    embedder = load_embedder(settings)
    mark(f"embedding model ({embedder.backend} {embedder.precision})")
    from rag.store import load_store

    index = load_store(settings, embedder)
    mark("index load (checksums, JSON, FAISS, BM25)")
    qa = rag.pipeline.Pipeline(index, embedder, settings)
    qa.warm_up()
    mark("first question (lazy tables: jieba POS, tiktoken, LAC, …)")
    qa.ask("苏州2016年职工书屋多少家")
    mark("the question")
    return {name: (t - marks[i][1]) * 1e3 for i, (name, t) in enumerate(marks[1:])}


def render(r: StartupResult) -> list[str]:
    shipped = r.rows[0]
    rows = [
        [row.name, f"`{row.command}`", fmt(row.wall.p50 / 1e3, 2), fmt(row.wall.p95 / 1e3, 2),
         fmt(row.cpu.p50 / 1e3, 2), mib(row.rss_peak), ratio(row.wall.p50, shipped.wall.p50)]
        for row in r.rows
    ]  # fmt: skip
    total = sum(r.stages.values())
    stages = [[name, fmt(ms, 0), f"{100 * ms / total:.0f}%"] for name, ms in r.stages.items()]
    return [
        f"Fresh processes, one question each ({shipped.wall.n} runs per command), over the seed "
        "index; ratio = command / shipped `rag ask` (wall p50).",
        "",
        *md_table(
            ["command", "as typed", "wall p50 s", "wall p95 s", "CPU p50 s", "peak RSS", "ratio"],
            rows,
        ),
        "",
        f"Where the shipped `rag ask`'s {total / 1e3:.2f} s of CPU go (one run, stages in order):",
        "",
        *md_table(["stage", "CPU ms", "share"], stages),
    ]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--stages"]:
        print(json.dumps(_stages()))
    else:
        sys.exit("usage: RAG_INDEX_DIR=index/ python -m bench.startup --stages")
