"""Benchmark: the network edge — HTTP servers under hostile clients, and their throughput.

Each candidate serves the same app on loopback (index/ of this checkout):

* ``uvicorn`` — ``uvicorn api.server:create_app --factory``, httptools, as before;
* ``uvicorn-h11`` — the same with ``--http h11 --h11-max-incomplete-event-size 16384``;
* ``granian`` — Granian (Rust, hyper) with its 16 KiB-class buffer and 10 s header
  timeout, when the ``granian`` package is installed (it is not a dependency);
* ``rag serve`` — uvicorn with api/edge.py's protocol (what ships).

For each: a request whose one header is 8 MB and 100 MB (status or close, seconds to
it, the server's RSS growth, and the slowest answer another client got meanwhile); a
client trickling a header line every second (how long the server keeps it); and
throughput of 16 clients on ``/healthz`` (the HTTP layer alone) and on ``/v1/ask``
(distinct questions, the model's cost included).

    $ python -m bench.edge            # prints a Markdown section
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
from pathlib import Path
from typing import NamedTuple

import httpx
import psutil

from bench.common import fmt, log, md_table, median
from bench.http import free_port, load, unique_questions
from rag.settings import PROJECT_ROOT

HEADER_SIZES_MB = (8, 100)
TRICKLE_WATCH_S = 30.0
CLIENTS = 16
HEALTH_REQUESTS = 3000
ASK_REQUESTS = 400


class EdgeRow(NamedTuple):
    server: str
    header: dict[
        int, tuple[str, float, float, float]
    ]  # MB -> (outcome, s, RSS Δ MB, others' max ms)
    trickle_s: float | None  # None: still open after TRICKLE_WATCH_S
    health_rps: float
    ask_rps: float
    ask_p50_ms: float


def commands(port: int) -> dict[str, list[str]]:
    py, host = sys.executable, ["--host", "127.0.0.1", "--port", str(port)]
    uvicorn = [py, "-m", "uvicorn", "api.server:create_app", "--factory", *host]
    out = {
        "uvicorn (before)": uvicorn,
        "uvicorn --http h11, 16 KiB": [*uvicorn, "--http", "h11",
                                       "--h11-max-incomplete-event-size", "16384"],
        "rag serve (api/edge.py)": [py, "-m", "rag.cli", "serve", *host],
    }  # fmt: skip
    with contextlib.suppress(ImportError):
        import granian  # noqa: F401

        out["granian"] = [
            py, "-m", "granian", "--interface", "asgi", "--factory", "api.server:create_app",
            "--host", "127.0.0.1", "--port", str(port), "--no-ws", "--log-level", "warning",
            "--http1-buffer-size", "16384", "--http1-header-read-timeout", "10000",
        ]  # fmt: skip
    return out


@contextlib.contextmanager
def running(cmd: list[str], port: int, log_path: Path) -> Iterator[psutil.Process]:
    env = {**os.environ, "RAG_RATE_LIMIT_PER_MINUTE": "0", "HF_HUB_OFFLINE": "1"}
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 180
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{cmd[2:4]} did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.3)
        yield psutil.Process(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _status(sock: socket.socket) -> str:
    with contextlib.suppress(OSError):
        head = sock.recv(64)
        if head.startswith(b"HTTP/"):
            return head.split()[1].decode()
    return "closed"


def big_header(
    port: int, server: psutil.Process, megabytes: int
) -> tuple[str, float, float, float]:
    """Send one header of ``megabytes``; (outcome, seconds, RSS growth MB, others' max ms)."""
    rss0 = sum(p.memory_info().rss for p in [server, *server.children(recursive=True)])
    others: list[float] = []
    stop = threading.Event()

    def other_client() -> None:
        while not stop.is_set():
            t0 = time.perf_counter()
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=60)
            others.append((time.perf_counter() - t0) * 1e3)
            time.sleep(0.05)

    watcher = threading.Thread(target=other_client)
    watcher.start()
    peak = rss0
    t0 = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        block, sent = b"a" * (1 << 20), 0
        try:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: b\r\nX-Big: ")
            while sent < megabytes << 20:
                sock.sendall(block)
                sent += len(block)
                if sent % (8 << 20) == 0:
                    peak = max(peak, server.memory_info().rss)
            sock.sendall(b"\r\n\r\n")
            outcome = _status(sock)
        except OSError:
            outcome = f"closed after {sent >> 20} MB"
            if status := _status(sock):
                outcome = status if status != "closed" else outcome
    took = time.perf_counter() - t0
    peak = max(peak, server.memory_info().rss)
    stop.set()
    watcher.join()
    return outcome, took, (peak - rss0) / 2**20, max(others, default=float("nan"))


def trickle(port: int) -> float | None:
    """Seconds until the server closes a client sending a header line every second."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
        t0 = time.monotonic()
        i = 0
        while time.monotonic() - t0 < TRICKLE_WATCH_S:
            try:
                sock.sendall(f"X-Line-{i}: x\r\n".encode())
                sock.settimeout(1.0)
                if sock.recv(64) is not None:
                    return time.monotonic() - t0  # an answer (408) or a close
            except TimeoutError:
                i += 1
            except OSError:
                return time.monotonic() - t0
    return None


async def health_rps(url: str, clients: int, requests: int) -> float:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as http:
        per = requests // clients

        async def client() -> None:
            for _ in range(per):
                (await http.get("/healthz")).raise_for_status()

        t0 = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        return per * clients / (time.perf_counter() - t0)


def bench_server(
    name: str, cmd: list[str], port: int, questions: list[str], workdir: Path
) -> EdgeRow:
    log(f"edge: {name}")
    with running(cmd, port, workdir / f"{name.split()[0]}.log") as server:
        url = f"http://127.0.0.1:{port}"
        header = {mb: big_header(port, server, mb) for mb in HEADER_SIZES_MB}
        trickled = trickle(port)
        health = asyncio.run(health_rps(url, CLIENTS, HEALTH_REQUESTS))
        asyncio.run(load(url, questions[:32], 4, 32))  # warm-up
        latencies, errors, wall, _ = asyncio.run(load(url, questions[32:], CLIENTS, ASK_REQUESTS))
    return EdgeRow(name, header, trickled, health, ASK_REQUESTS / wall, median(latencies))


def run_edge(questions: list[str], workdir: Path) -> list[EdgeRow]:
    port = free_port()
    texts = unique_questions(questions)
    return [bench_server(name, cmd, port, texts, workdir) for name, cmd in commands(port).items()]


def render(rows: list[EdgeRow]) -> list[str]:
    table = []
    for r in rows:
        cells = [r.server]
        for mb in HEADER_SIZES_MB:
            outcome, took, rss, others = r.header[mb]
            cells.append(f"{outcome} in {took:.1f} s, RSS +{rss:.0f} MB, others ≤ {others:.0f} ms")
        cells += [
            f"closed after {r.trickle_s:.1f} s" if r.trickle_s is not None
            else f"still open after {TRICKLE_WATCH_S:.0f} s",
            fmt(r.health_rps, 0), fmt(r.ask_rps, 1), fmt(r.ask_p50_ms, 1),
        ]  # fmt: skip
        table.append(cells)
    headers = ["server", *(f"{mb} MB header" for mb in HEADER_SIZES_MB),
               "header line every 1 s", f"/healthz req/s ({CLIENTS} clients)",
               f"/v1/ask req/s ({CLIENTS} clients)", "/v1/ask p50 ms"]  # fmt: skip
    return md_table(headers, table)


def main() -> int:
    import json
    import tempfile

    gold = PROJECT_ROOT / "eval" / "gold.jsonl"
    questions = [json.loads(line)["question"] for line in gold.read_text("utf-8").splitlines()]
    with tempfile.TemporaryDirectory() as tmp:
        rows = run_edge(questions, Path(tmp))
    print("\n".join(render(rows)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
