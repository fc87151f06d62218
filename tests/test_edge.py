"""The network edge (api/edge.py) over raw sockets against a real ``rag serve``.

One server with short deadlines (HEADER_TIMEOUT_S, BODY_TIMEOUT_S) and small connection
caps. Headers of megabytes are refused before they are buffered and other clients keep
being answered; a client trickling header lines or a body is cut off at the deadline;
beyond the connection caps requests get 503 with Retry-After while other clients are
served. X-Forwarded-For is believed only from the proxies named in
RAG_FORWARDED_ALLOW_IPS (empty by default), so a local process cannot pick its own
address to escape the rate limit.

Other loopback addresses (127.0.0.2 …) stand for other clients: Linux routes all of
127.0.0.0/8 to the loopback interface.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from urllib.parse import urlsplit

import httpx
import psutil
import pytest
from conftest import ApiServer, assert_error

from rag.pipeline import Pipeline
from rag.settings import Settings

HEADER_TIMEOUT_S = 1.5
BODY_TIMEOUT_S = 1.5
PER_CLIENT = 6
MAX_CONNECTIONS = 30
RATE_PER_MINUTE = 3


@pytest.fixture(scope="module")
def edge_server(api_server_factory) -> ApiServer:
    return api_server_factory(
        env={
            "RAG_HEADER_TIMEOUT_S": str(HEADER_TIMEOUT_S),
            "RAG_BODY_TIMEOUT_S": str(BODY_TIMEOUT_S),
            "RAG_MAX_CONNECTIONS_PER_CLIENT": str(PER_CLIENT),
            "RAG_MAX_CONNECTIONS": str(MAX_CONNECTIONS),
            "RAG_RATE_LIMIT_PER_MINUTE": str(RATE_PER_MINUTE),
        }
    )


def address(server: ApiServer) -> tuple[str, int]:
    url = urlsplit(server.url)
    return url.hostname, url.port


def connect(server: ApiServer, source: str = "127.0.0.1", timeout: float = 10) -> socket.socket:
    sock = socket.create_connection(address(server), timeout=timeout, source_address=(source, 0))
    return sock


def read_response(sock: socket.socket) -> tuple[int | None, dict[str, str], bytes]:
    """Status, headers and body of one response; status None if closed without one."""
    data = b""
    with contextlib.suppress(ConnectionResetError, TimeoutError, socket.timeout):
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    if b"\r\n\r\n" not in data:
        return None, {}, b""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])}
    length = int(headers.get("content-length", "0"))
    with contextlib.suppress(ConnectionResetError, TimeoutError, socket.timeout):
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    return int(lines[0].split()[1]), headers, body


def get(server: ApiServer, path: str, source: str = "127.0.0.1", headers: str = "") -> tuple:
    with connect(server, source) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: t\r\n{headers}Connection: close\r\n\r\n".encode()
        )
        return read_response(sock)


def error_of(body: bytes) -> dict:
    error = json.loads(body)["error"]
    assert error["code"] and any("\u4e00" <= c <= "\u9fff" for c in error["message"]), error
    return error


def rss(server: ApiServer) -> int:
    return psutil.Process(server.proc.pid).memory_info().rss


# ------------------------------------------------------------------ headers


@pytest.mark.parametrize("megabytes", [8, 100])
def test_a_megabytes_long_header_is_refused_before_it_is_buffered(edge_server, megabytes):
    before = rss(edge_server)
    answered: list[float] = []
    stop = threading.Event()

    def other_client() -> None:  # keeps asking while the big header is being sent
        while not stop.is_set():
            t0 = time.monotonic()
            status, _, _ = get(edge_server, "/healthz", source="127.0.0.2")
            assert status == 200
            answered.append(time.monotonic() - t0)
            time.sleep(0.05)

    watcher = threading.Thread(target=other_client)
    watcher.start()
    t0 = time.monotonic()
    try:
        with connect(edge_server) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: ")
            sent, block = 0, b"a" * (1 << 20)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                while sent < megabytes << 20:
                    sock.sendall(block)
                    sent += len(block)
                sock.sendall(b"\r\n\r\n")
            status, headers, body = read_response(sock)
    finally:
        stop.set()
        watcher.join()
    took = time.monotonic() - t0
    # Refused: either the 431 was read, or the server closed before the header ended.
    assert status in (431, None), (status, body[:200])
    if status == 431:
        assert error_of(body)["code"] == "headers_too_large"
        assert headers["connection"] == "close"
    assert sent < megabytes << 20 or status == 431
    assert took < 10, took
    # Nothing like the header was kept in memory, and others were answered meanwhile.
    assert rss(edge_server) - before < 30 << 20
    assert answered and max(answered) < 2.0, answered


def test_headers_within_the_limit_are_served(edge_server):
    status, _, _ = get(edge_server, "/healthz", headers=f"X-Fine: {'b' * 12_000}\r\n")
    assert status == 200


# ---------------------------------------------------------------- deadlines


def test_a_client_trickling_header_lines_is_cut_off(edge_server):
    with connect(edge_server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
        t0 = time.monotonic()
        closed_after = None
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for i in range(100):  # a line every 0.2 s: uvicorn alone would wait forever
                sock.sendall(f"X-Line-{i}: x\r\n".encode())
                time.sleep(0.2)
                if time.monotonic() - t0 > HEADER_TIMEOUT_S + 3:
                    break
        status, _, body = read_response(sock)
        closed_after = time.monotonic() - t0
    assert status == 408, status
    assert error_of(body)["code"] == "request_timeout"
    assert closed_after < HEADER_TIMEOUT_S + 3


def test_an_idle_connection_is_closed_at_the_header_deadline(edge_server):
    with connect(edge_server) as sock:
        t0 = time.monotonic()
        assert sock.recv(1) == b""  # closed, nothing sent
        assert time.monotonic() - t0 < HEADER_TIMEOUT_S + 2


def test_a_client_trickling_a_body_is_cut_off(edge_server):
    # Not from 127.0.0.1, whose rate-limit allowance the X-Forwarded-For test counts.
    with connect(edge_server, "127.0.0.21") as sock:
        sock.sendall(
            b"POST /v1/ask HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b'Content-Length: 400\r\n\r\n{"question": "'
        )
        t0 = time.monotonic()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for _ in range(100):
                sock.sendall("苏".encode())
                time.sleep(0.2)
                if time.monotonic() - t0 > BODY_TIMEOUT_S + 3:
                    break
        status, _, body = read_response(sock)
        took = time.monotonic() - t0
    assert status == 408, status
    assert error_of(body)["code"] == "request_timeout"
    assert took < BODY_TIMEOUT_S + 3
    # The server is fine afterwards.
    assert get(edge_server, "/healthz")[0] == 200


def test_keep_alive_requests_each_get_the_full_allowance(edge_server):
    with connect(edge_server) as sock:
        for _ in range(3):
            sock.sendall(
                b"GET /healthz HTTP/1.1\r\nHost: t\r\n" + b"X-Pad: " + b"c" * 10_000 + b"\r\n\r\n"
            )
            status, _, _ = read_response(sock)
            assert status == 200


# ------------------------------------------------------------------- caps


def hold(server: ApiServer, source: str, n: int) -> list[socket.socket]:
    """``n`` connections that have begun a request and stall (a slow client)."""
    socks = []
    for _ in range(n):
        sock = connect(server, source)
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        socks.append(sock)
    return socks


def test_slow_sockets_from_one_client_cannot_take_the_service_from_others(edge_server):
    held = hold(edge_server, "127.0.0.3", PER_CLIENT)
    try:
        status, headers, body = get(edge_server, "/healthz", source="127.0.0.3")
        assert status == 503
        assert error_of(body)["code"] == "too_many_connections"
        assert int(headers["retry-after"]) > 0
        assert get(edge_server, "/healthz", source="127.0.0.4")[0] == 200  # someone else
    finally:
        for sock in held:
            sock.close()
    deadline = time.monotonic() + 5
    while get(edge_server, "/healthz", source="127.0.0.3")[0] != 200:
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_beyond_the_connection_limit_requests_get_503_with_retry_after(edge_server):
    clients = [f"127.0.0.{10 + i}" for i in range(MAX_CONNECTIONS // PER_CLIENT)]
    held = [s for c in clients for s in hold(edge_server, c, PER_CLIENT)]
    try:
        status, headers, body = get(edge_server, "/healthz", source="127.0.0.5")
        assert status == 503
        assert int(headers["retry-after"]) > 0
        assert error_of(body)["code"] == "too_many_connections"
    finally:
        for sock in held:
            sock.close()
    deadline = time.monotonic() + 5
    while get(edge_server, "/healthz", source="127.0.0.5")[0] != 200:
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_a_few_hundred_slow_sockets_from_one_client_leave_the_service_answering(edge_server):
    held = []
    try:
        for _ in range(300):
            with contextlib.suppress(ConnectionResetError, BrokenPipeError):
                held += hold(edge_server, "127.0.0.7", 1)
        # Only PER_CLIENT of them hold a slot; the others were told 503 at once.
        refused = 0
        for sock in held:
            sock.settimeout(0.05)
            with contextlib.suppress(ConnectionResetError, TimeoutError, socket.timeout):
                refused += sock.recv(64).startswith(b"HTTP/1.1 503")
        assert refused >= len(held) - PER_CLIENT
        for source in ("127.0.0.8", "127.0.0.9"):
            assert get(edge_server, "/healthz", source=source)[0] == 200
    finally:
        for sock in held:
            sock.close()


# ------------------------------------------------------------------ proxies


def test_x_forwarded_for_from_loopback_is_not_believed_by_default(edge_server):
    statuses = []
    for i in range(RATE_PER_MINUTE + 1):  # a new "address" every time
        status, _, _ = get(
            edge_server, "/v1/documents", headers=f"X-Forwarded-For: 198.51.100.{i}\r\n"
        )
        statuses.append(status)
    assert statuses == [200] * RATE_PER_MINUTE + [429]
    records = [json.loads(line) for line in edge_server.log().splitlines() if line.startswith("{")]
    ips = {r["ip"] for r in records if r["path"] == "/v1/documents"}
    assert ips == {"127.0.0.1"}


def in_process(app, client: str, requests: list[dict]) -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, client=(client, 4242))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return [await http.get("/v1/documents", headers=h) for h in requests]

    return asyncio.run(run())


def test_x_forwarded_for_is_believed_from_a_named_proxy_only(qa, seed_index_dir, caplog):
    from api.server import create_app

    settings = Settings(
        index_dir=seed_index_dir, rate_limit_per_minute=1, forwarded_allow_ips=["10.0.0.5"]
    )
    app = create_app(pipeline=Pipeline(qa.index, qa.embedder, settings))
    # Through the proxy: every real client has its own allowance …
    via_proxy = in_process(
        app, "10.0.0.5", [{"X-Forwarded-For": f"203.0.113.{i}"} for i in range(3)]
    )
    assert [r.status_code for r in via_proxy] == [200, 200, 200]
    # … and a client reaching the server directly cannot pretend to be someone else.
    direct = in_process(
        app, "10.0.0.9", [{"X-Forwarded-For": f"203.0.113.{i}"} for i in range(10, 12)]
    )
    assert [r.status_code for r in direct] == [200, 429]
    assert_error(direct[1], 429, "rate_limited")
