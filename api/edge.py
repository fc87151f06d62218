"""The network edge: uvicorn's httptools protocol with bounds it does not have itself.

uvicorn's default HTTP/1.1 protocol (httptools) reads a header block of any size and
waits for it as long as the client keeps trickling bytes, and holds any number of
connections. :class:`EdgeProtocol` adds, per connection:

* **header size** — at most ``RAG_MAX_HEADER_BYTES`` (16 KiB, as Node.js) of request
  line and headers are handed to the parser; past that the client gets ``431`` and the
  connection is closed, so a megabyte header is never buffered;
* **header deadline** — a request's headers must be complete within
  ``RAG_HEADER_TIMEOUT_S`` of the moment the server starts waiting for them
  (connection opened, or previous response sent): ``408`` and close otherwise, however
  steadily the client trickles;
* **body deadline** — the body must arrive within ``RAG_BODY_TIMEOUT_S`` of the end of
  the headers: ``408`` (if nothing was answered yet) and close;
* **connection caps** — beyond ``RAG_MAX_CONNECTIONS`` open connections in the process,
  or ``RAG_MAX_CONNECTIONS_PER_CLIENT`` from one peer address (trusted proxies in
  ``RAG_FORWARDED_ALLOW_IPS`` excepted), a new connection is answered ``503`` with
  ``Retry-After`` at once and closed, without reading its request or running the
  application. With the header deadline this bounds what slow clients can hold: one
  address at most its per-client share, everyone together at most the process cap.

Everything else (parsing, keep-alive, pipelining, flow control) is uvicorn's. The
parser is still httptools, so throughput is unchanged (BENCHMARKS.md, "Network edge").

``rag serve`` uses it; with uvicorn directly::

    $ uvicorn api.server:create_app --factory --http api.edge:EdgeProtocol --no-proxy-headers
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from typing import ClassVar, NamedTuple

from uvicorn.middleware.proxy_headers import _TrustedHosts
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from rag.settings import Settings, get_settings

log = logging.getLogger("rag.api")

REFUSED_GRACE_S = 1.0  # a refused connection is closed this long after its 503
WARN_EVERY_S = 10.0  # each kind of refusal is logged at most this often (floods)
_warned: dict[str, tuple[float, int]] = {}  # kind -> (last logged, refusals since)


def _warn(kind: str, message: str, *args) -> None:
    """log.warning, at most once per WARN_EVERY_S per kind, counting the ones left out."""
    now = time.monotonic()
    last, skipped = _warned.get(kind, (-WARN_EVERY_S, 0))
    if now - last < WARN_EVERY_S:
        _warned[kind] = (last, skipped + 1)
        return
    _warned[kind] = (now, 0)
    log.warning(message + (f" (and {skipped} more like it)" if skipped else ""), *args)


class EdgeLimits(NamedTuple):
    max_header_bytes: int
    header_timeout_s: float
    body_timeout_s: float
    max_connections: int
    max_connections_per_client: int
    retry_after_s: int
    trusted: _TrustedHosts

    @classmethod
    def from_settings(cls, settings: Settings) -> EdgeLimits:
        return cls(
            settings.max_header_bytes,
            settings.header_timeout_s,
            settings.body_timeout_s,
            settings.max_connections,
            settings.max_connections_per_client,
            settings.busy_retry_after_s,
            _TrustedHosts(settings.forwarded_allow_ips),
        )


def _raw_response(status: int, reason: str, code: str, message: str, retry: int | None) -> bytes:
    """A complete HTTP/1.1 error response in the API's JSON shape, closing the connection."""
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode()
    head = [
        f"HTTP/1.1 {status} {reason}",
        "content-type: application/json",
        f"content-length: {len(body)}",
        "x-content-type-options: nosniff",
        "connection: close",
    ]
    if retry is not None:
        head.append(f"retry-after: {retry}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


class EdgeProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` with header size, header and body deadlines and connection caps."""

    # Admitted connections, in all and per peer address (one event loop per process,
    # so plain class attributes are enough).
    admitted: ClassVar[int] = 0
    per_client: ClassVar[Counter[str]] = Counter()
    _limits: ClassVar[EdgeLimits | None] = None

    @classmethod
    def limits(cls) -> EdgeLimits:
        if cls._limits is None:
            cls._limits = EdgeLimits.from_settings(get_settings())
        return cls._limits

    @classmethod
    def configure(cls, settings: Settings) -> None:
        """Take the limits from ``settings`` instead of the environment (``rag serve``)."""
        cls._limits = EdgeLimits.from_settings(settings)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.edge = self.limits()
        self._in_headers = True  # waiting for (the rest of) a request's headers
        self._header_bytes = 0
        self._header_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._message_done = True
        self._peer: str | None = None  # set while the connection counts against the caps
        self._discarding = False  # refused: input is read and dropped

    # ------------------------------------------------------------- connection

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        peer = self.client[0] if self.client else None
        edge = self.edge
        refusal = None
        if 0 < edge.max_connections <= EdgeProtocol.admitted:
            _warn("cap", "connection limit (%d) reached; refusing %s", edge.max_connections, peer)
            refusal = "服务器繁忙：同时连接数已达上限，请稍后再试"
        elif (
            peer is not None
            and 0 < edge.max_connections_per_client <= self.per_client[peer]
            and peer not in edge.trusted
        ):
            _warn(
                "client-cap",
                "per-client connection limit (%d) reached by %s",
                edge.max_connections_per_client,
                peer,
            )
            refusal = "来自同一地址的连接过多，请关闭空闲连接后再试"
        if refusal is not None:
            self._refuse_connection(refusal)
            return
        self._peer = peer
        EdgeProtocol.admitted += 1
        if peer is not None:
            self.per_client[peer] += 1
        self._arm_header_timer()

    def _refuse_connection(self, message: str) -> None:
        """Answer 503 at once, without reading the request, and hang up shortly.

        The client's request is read and dropped meanwhile: closing with unread data
        would reset the connection and could destroy the response before it is read.
        A refused connection does not count against the caps.
        """
        self._discarding = True
        self.transport.write(
            _raw_response(
                503, "Service Unavailable", "too_many_connections", message, self.edge.retry_after_s
            )
        )
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self._header_timer = self.loop.call_later(REFUSED_GRACE_S, self.transport.close)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel(self._header_timer)
        self._cancel(self._body_timer)
        if self._peer is not None:
            EdgeProtocol.admitted -= 1
            self.per_client[self._peer] -= 1
            if self.per_client[self._peer] <= 0:
                del self.per_client[self._peer]
            self._peer = None
        super().connection_lost(exc)

    # ------------------------------------------------------------------ input

    def data_received(self, data: bytes) -> None:
        if self._discarding:
            return
        # While a header block is incomplete, hand the parser at most what is left of
        # the allowance; the rest waits until the headers are complete. httptools
        # itself would keep accumulating a header of any length.
        while data and self._in_headers:
            room = self.edge.max_header_bytes - self._header_bytes
            if room <= 0:
                self._refuse_headers()
                return
            piece, data = (data, b"") if len(data) <= room else (data[:room], data[room:])
            self._header_bytes += len(piece)
            super().data_received(piece)
            if self.transport.is_closing():
                return
        if data:
            super().data_received(data)

    def _refuse_headers(self) -> None:
        limit = self.edge.max_header_bytes
        _warn("size", "request headers over %d bytes from %s; closed", limit, self._peer)
        self._close_with(
            _raw_response(
                431,
                "Request Header Fields Too Large",
                "headers_too_large",
                f"请求头过大：上限为 {limit} 字节",
                None,
            )
        )

    def _close_with(self, response: bytes) -> None:
        if not self.transport.is_closing():
            self.transport.write(response)
            self.transport.close()

    # --------------------------------------------------------- parser events

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._message_done = False

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._cancel(self._header_timer)
        self._header_timer = None
        super().on_headers_complete()
        self._body_timer = self.loop.call_later(self.edge.body_timeout_s, self._body_timeout)

    def on_message_complete(self) -> None:
        self._cancel(self._body_timer)
        self._body_timer = None
        self._message_done = True
        answered = self.cycle is not None and self.cycle.response_complete
        super().on_message_complete()
        if answered:  # answered before the body was read (e.g. 413): next request now
            self._wait_for_next()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._message_done and not self.pipeline:
            self._wait_for_next()

    def _wait_for_next(self) -> None:
        """The next request's headers have a deadline and an allowance of their own
        (uvicorn's keep-alive timer alone restarts on every byte received)."""
        if self.transport.is_closing():
            return
        self._in_headers = True
        self._header_bytes = 0
        self._arm_header_timer()

    # ---------------------------------------------------------------- timers

    def _arm_header_timer(self) -> None:
        self._cancel(self._header_timer)
        self._header_timer = self.loop.call_later(self.edge.header_timeout_s, self._header_timeout)

    def _header_timeout(self) -> None:
        self._header_timer = None
        if not self._in_headers or self.transport.is_closing():
            return
        if self._header_bytes == 0:  # an idle connection: nothing to answer
            self.transport.close()
            return
        _warn("header-time", "request headers not complete within %.0f s from %s; closed",
                    self.edge.header_timeout_s, self._peer)  # fmt: skip
        self._close_with(
            _raw_response(
                408, "Request Timeout", "request_timeout", "请求头发送超时，连接已关闭", None
            )
        )

    def _body_timeout(self) -> None:
        self._body_timer = None
        if self.transport.is_closing():
            return
        _warn("body-time", "request body not complete within %.0f s from %s; closed",
                    self.edge.body_timeout_s, self._peer)  # fmt: skip
        if self.cycle is not None and not self.cycle.response_started:
            self.transport.write(
                _raw_response(
                    408, "Request Timeout", "request_timeout", "请求体发送超时，连接已关闭", None
                )
            )
        if self.cycle is not None and not self.cycle.response_complete:
            # The application may be waiting on receive(): tell it the client is gone.
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        self.transport.close()

    @staticmethod
    def _cancel(timer: asyncio.TimerHandle | None) -> None:
        if timer is not None:
            timer.cancel()
