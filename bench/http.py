"""Benchmark section 3: a real ``rag serve`` on loopback under bounded concurrent load.

The server is ``python -m rag.cli serve`` (exactly ``rag serve``) on a free 127.0.0.1
port, over the index the ingest section built, with a rate limit no client reaches.
``c`` asyncio clients (one ``httpx.AsyncClient``, ``c`` connections) each send
``POST /v1/ask`` back to back until ``n`` requests have been sent in all. Every question
text is sent once (the gold questions with polite prefixes the parser ignores, e.g.
"请问"), so each request computes its query embedding; a final run at 16 clients repeats
questions the server has already embedded, to show the cached path. The server's RSS
(with any child processes) is sampled every 100 ms.

The load generator shares the machine's cores with the server, as a co-located client
would; on a 2-core box that costs the server some throughput.

Example::

    >>> with Server.start(index_dir, log_path) as server:
    ...     level = asyncio.run(load(server.url, questions, clients=16, requests=400))
    >>> level.latency.p50, level.rps, level.errors
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import httpx
import psutil

from bench.common import Stats, elapsed_ms, fmt, log, md_table, mib, rss_bytes, summarize
from rag.settings import PROJECT_ROOT

# Words ``parse_question`` treats as question furniture: same meaning, new cache key.
PREFIXES = (
    "", "请问", "请问一下，", "查询：", "请告诉我：", "问：", "我想问", "请查询",
    "请你告诉我：", "请你查询一下：", "问一下：", "我问一下，",
)  # fmt: skip
START_TIMEOUT_S = 240
# Settings the index was built with: a server started without them could not load it.
MODEL_SETTINGS = ("RAG_MODEL", "RAG_EMBED_PRECISION", "RAG_EMBED_BACKEND", "RAG_ONNX_DIR")
REQUEST_TIMEOUT_S = 30


class LevelResult(NamedTuple):
    clients: int
    requests: int
    errors: int  # non-200 answers and transport errors
    wall_s: float
    latency: Stats  # ms, successful and failed requests alike
    rss_peak: int
    cached: bool  # questions already embedded by the server
    offered_rps: float | None  # paced run: total rate the clients aim for; None: back to back
    server_cpu_ms: float  # server process CPU per request
    client_cpu_ms: float  # load generator CPU per request (same machine)
    variant: str = ""  # a candidate server fix, "" for the server as shipped

    @property
    def rps(self) -> float:
        return self.requests / self.wall_s if self.wall_s else float("nan")

    @property
    def label(self) -> str:
        if self.offered_rps:
            text = f"{self.clients}, paced at {self.offered_rps:g} req/s"
        else:
            text = f"{self.clients}{' (cached)' if self.cached else ''}"
        return f"{text}, {self.variant}" if self.variant else text


class HttpResult(NamedTuple):
    startup_s: float  # process start to /readyz answering 200
    rss_ready: int  # after loading, before any question
    rss_peak: int  # highest sample during the whole load
    levels: list[LevelResult]
    error_sample: str  # first error seen, for the report
    cores: int
    starts: dict[str, tuple[float, int]]  # variant ("" shipped) → seconds to ready, RSS then

    @property
    def capacity_rps(self) -> float:
        """Upper bound from CPU cost: all cores busy on the uncached requests, nothing else."""
        rows = [
            lv
            for lv in self.levels
            if not lv.cached and not lv.offered_rps and not lv.variant and lv.server_cpu_ms > 0
        ]
        if not rows:
            return float("nan")
        per_request = sorted(lv.server_cpu_ms for lv in rows)[len(rows) // 2]
        return self.cores * 1000 / per_request


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unique_questions(questions: list[str]) -> list[str]:
    """Every gold question under every prefix: distinct texts, same answers."""
    return [prefix + q for prefix in PREFIXES for q in questions]


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    log_path: Path
    startup_s: float = 0.0

    @property
    def pid(self) -> int:
        return self.proc.pid

    @classmethod
    @contextlib.contextmanager
    def start(
        cls,
        index_dir: Path,
        log_path: Path,
        env: dict[str, str] | None = None,
    ) -> Iterator[Server]:
        """Run ``rag serve`` until the block exits; waits for ``/readyz``."""
        port = free_port()
        full_env = {
            k: v for k, v in os.environ.items() if not k.startswith("RAG_") or k in MODEL_SETTINGS
        }
        full_env |= {
            "RAG_INDEX_DIR": str(index_dir),
            "RAG_RATE_LIMIT_PER_MINUTE": "1000000",
            "HF_HUB_OFFLINE": "1",
            "PYTHONUNBUFFERED": "1",
        } | (env or {})
        cmd = [sys.executable, "-m", "rag.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
        t0 = time.perf_counter()
        with open(log_path, "wb") as out:
            proc = subprocess.Popen(
                cmd, cwd=PROJECT_ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT
            )
        server = cls(f"http://127.0.0.1:{port}", proc, log_path)
        try:
            server._wait_ready()
            server.startup_s = time.perf_counter() - t0
            yield server
        finally:
            server.stop()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.proc.returncode}:\n{self.log()[-3000:]}"
                )
            with contextlib.suppress(httpx.TransportError):
                response = httpx.get(self.url + "/readyz", timeout=2)
                if response.status_code == 200:
                    return
                if response.status_code == 503 and "retry-after" not in response.headers:
                    # 503 without Retry-After: loading failed for good, not still loading.
                    raise RuntimeError(f"server failed to load: {response.text[:500]}")
            time.sleep(0.2)
        raise RuntimeError(f"server not ready after {START_TIMEOUT_S} s:\n{self.log()[-3000:]}")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class RssSampler:
    """Samples a process tree's RSS in a thread; ``peak`` is the highest seen."""

    pid: int
    interval_s: float = 0.1
    peak: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> RssSampler:
        self.peak = rss_bytes(self.pid)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.peak = max(self.peak, rss_bytes(self.pid))

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


async def load(
    url: str,
    questions: list[str],
    clients: int,
    requests: int,
    offered_rps: float | None = None,
    deadline_s: float = 300,
) -> tuple[list[float], int, float, str]:
    """Send ``requests`` asks from ``clients`` concurrent clients; latencies, errors, wall, first error.

    Without ``offered_rps`` each client sends its next request as soon as the previous one
    is answered; with it, each client sends one every ``clients / offered_rps`` seconds
    (staggered), or at once when it is behind.
    """
    latencies: list[float] = []
    errors = 0
    first_error = ""
    sent = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    stop_at = time.monotonic() + deadline_s
    interval = clients / offered_rps if offered_rps else 0.0

    async def client(http: httpx.AsyncClient, number: int) -> None:
        nonlocal sent, errors, first_error
        next_at = time.perf_counter() + interval * number / clients
        while sent < requests and time.monotonic() < stop_at:
            if interval:
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                next_at = max(next_at + interval, time.perf_counter() - interval)
                if sent >= requests:
                    break
            question = questions[sent % len(questions)]
            sent += 1
            t0 = time.perf_counter()
            try:
                response = await http.post("/v1/ask", json={"question": question, "top_k": 5})
                ok = response.status_code == 200
                detail = f"HTTP {response.status_code}: {response.text[:200]}"
            except httpx.HTTPError as exc:
                ok, detail = False, f"{type(exc).__name__}: {exc}"
            latencies.append(elapsed_ms(t0))
            if not ok:
                errors += 1
                first_error = first_error or detail

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=REQUEST_TIMEOUT_S) as http:
        t0 = time.perf_counter()
        await asyncio.gather(*(client(http, i) for i in range(clients)))
        wall = time.perf_counter() - t0
    return latencies, errors, wall, first_error


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children so far."""
    try:
        proc = psutil.Process(pid)
        total = sum(proc.cpu_times()[:2])
        for child in proc.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += sum(child.cpu_times()[:2])
        return total
    except psutil.Error:
        return 0.0


def run_level(
    server: Server,
    questions: list[str],
    clients: int,
    requests: int,
    cached: bool,
    offered_rps: float | None = None,
) -> tuple[LevelResult, str]:
    server_cpu0, client_cpu0 = cpu_seconds(server.pid), time.process_time()
    with RssSampler(server.pid) as rss:
        latencies, errors, wall, first_error = asyncio.run(
            load(server.url, questions, clients, requests, offered_rps)
        )
    n = max(1, len(latencies))
    server_cpu = (cpu_seconds(server.pid) - server_cpu0) * 1e3 / n
    client_cpu = (time.process_time() - client_cpu0) * 1e3 / n
    level = LevelResult(
        clients,
        len(latencies),
        errors,
        wall,
        summarize(latencies),
        rss.peak,
        cached,
        offered_rps,
        server_cpu,
        client_cpu,
    )
    log(
        f"HTTP {level.label}: p50 {level.latency.p50:.1f} ms, p99 {level.latency.p99:.1f} ms, "
        f"{level.rps:.1f} req/s, {errors} errors, server CPU {server_cpu:.1f} ms/request"
    )
    return level, first_error


def warm_up(server: Server, questions: list[str]) -> None:
    """A few requests first (texts no later run sends), so start-up costs stay out."""
    asyncio.run(load(server.url, ["预热：" + q for q in questions[:8]], clients=1, requests=8))


def run_http(
    index_dir: Path,
    questions: list[str],
    clients: list[int],
    requests: int,
    workdir: Path,
    paced_rps: float = 60.0,
    variants: list[tuple[str, dict[str, str]]] | None = None,
) -> HttpResult:
    """Start the server, warm it up, load it at each concurrency level, then paced and
    cached runs; then each variant (a label and the environment that makes it) on a
    fresh server, at 16 clients back to back and paced."""
    texts = unique_questions(questions)
    levels: list[LevelResult] = []
    errors: list[str] = []
    offset = 0

    def fresh() -> list[str]:
        """The next ``requests`` texts: all distinct while fewer than ``len(texts)`` are sent."""
        nonlocal offset
        batch = (texts[offset:] + texts[:offset])[:requests]
        offset = (offset + requests) % len(texts)
        return batch

    with Server.start(index_dir, workdir / "server.log") as server:
        log(f"server ready in {server.startup_s:.1f} s (pid {server.pid})")
        rss_ready = rss_bytes(server.pid)
        startup_s = server.startup_s
        warm_up(server, questions)
        for c in clients:
            level, err = run_level(server, fresh(), c, requests, cached=False)
            levels.append(level)
            errors.append(err)
        paced = 16 if 16 in clients else clients[-1]
        last_batch = fresh()
        level, err = run_level(
            server, last_batch, paced, requests, cached=False, offered_rps=paced_rps
        )
        levels += [level]
        errors.append(err)
        # The paced run's texts were embedded last, so they are surely still cached.
        level, err = run_level(server, last_batch, paced, requests, cached=True)
        levels.append(level)
        errors.append(err)
    starts: dict[str, tuple[float, int]] = {"": (startup_s, rss_ready)}
    for variant, env in variants or []:
        # A fresh server (empty caches, so every text is uncached) started with ``env``.
        name = "".join(c if c.isalnum() else "-" for c in variant)
        with Server.start(index_dir, workdir / f"server-{name}.log", env=env) as server:
            starts[variant] = (server.startup_s, rss_bytes(server.pid))
            warm_up(server, questions)
            for offered in (None, paced_rps):
                level, err = run_level(
                    server, fresh(), paced, requests, cached=False, offered_rps=offered
                )
                levels.append(level._replace(variant=variant))
                errors.append(err)
    first_error = next((e for e in errors if e), "")
    return HttpResult(
        startup_s,
        rss_ready,
        max(lv.rss_peak for lv in levels if not lv.variant),
        levels,
        first_error,
        os.cpu_count() or 1,
        starts,
    )


def render(r: HttpResult) -> list[str]:
    rows = [
        [lv.label, str(lv.requests), fmt(lv.latency.p50), fmt(lv.latency.p95), fmt(lv.latency.p99), fmt(lv.rps),
         str(lv.errors), fmt(lv.server_cpu_ms), fmt(lv.client_cpu_ms), mib(lv.rss_peak)]
        for lv in r.levels
    ]  # fmt: skip
    head = [
        "clients",
        "requests",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "req/s",
        "errors",
        "server CPU ms/req",
        "client CPU ms/req",
        "server RSS peak",
    ]
    lines = [
        f"`rag serve` on 127.0.0.1, ready {r.startup_s:.1f} s after start (model + index load). "
        f"Server RSS when ready {mib(r.rss_ready)}, peak under load {mib(r.rss_peak)}.",
        "",
        *md_table(head, rows),
        "",
        "Plain rows: each client sends its next request as soon as the previous one is answered, so "
        "latency ≈ clients ÷ throughput (Little's law) once the server is saturated. The paced row "
        "has the same clients each send at a fixed interval (together the stated rate). Rows without "
        "“(cached)” send each question text once (gold questions × prefixes such as “请问”), so every "
        "request runs the embedding model; the cached row repeats texts the server has just answered "
        "(answer and embedding caches). Rows with a variant run a fresh server started with that "
        "setting (e.g. the embedding runtime before ONNX Runtime).",
        "",
        f"Server CPU per uncached request puts the ceiling at ≈{r.capacity_rps:.0f} req/s on {r.cores} fully "
        "available cores (before the load generator's own CPU and any other load on the machine).",
    ]
    if len(r.starts) > 1:
        lines += [
            "",
            *md_table(
                ["server", "ready after start s", "RSS when ready"],
                [[v or "shipped", fmt(t, 2), mib(rss)] for v, (t, rss) in r.starts.items()],
            ),
        ]
    if r.error_sample:
        lines += ["", f"First error: `{r.error_sample}`"]
    return lines
