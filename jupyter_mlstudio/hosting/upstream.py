"""The router's HTTP/1.1 client to model servers: keep-alive connections, httptools parsing.

One :class:`Upstream` per event loop. ``await upstream.post(origin, path, body, headers,
timeout)`` sends one request on an idle connection to ``origin`` (``http://host:port``) or
a new one and returns the :class:`Answer` once the whole response is in. Responses are
parsed by httptools (llhttp): Content-Length, chunked, and bodies that end when the server
closes. One request at a time per connection (no pipelining); a connection goes back to
the idle list when the answer allows keep-alive, and idle ones older than
``idle_seconds`` are dropped (below the model server's 60 s idle timeout, so the server
rarely closes one first). When a reused connection closes before any byte of the answer
(the server dropped it while idle), the request goes once more on a new connection.

Per request this costs the loop a fraction of what a general-purpose client does (no
request/response objects, cookie jar, timer contexts or stream readers): it is on the
path of every invocation.

Errors: :class:`UpstreamError` (refused, reset, malformed answer) and
:class:`asyncio.TimeoutError` after ``timeout`` seconds (that connection is closed).
Everything runs on the loop that owns the :class:`Upstream`; :meth:`Upstream.close` too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

import httptools

#: idle connections older than this are closed rather than reused
IDLE_SECONDS = 30.0


class UpstreamError(ConnectionError):
    """The model server could not be reached, or its answer could not be read."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes


class _Dropped(UpstreamError):
    """A reused connection closed before any byte of the answer."""


def request_head(
    method: str, path: str, host: str, length: int, headers: Mapping[str, str]
) -> bytes:
    """The request line and headers, as bytes; ValueError on a value that would split the
    head (CR, LF or NUL)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {length}"]
    for name, value in headers.items():
        if "\r" in value or "\n" in value or "\0" in value:
            raise ValueError(f"header {name} has a line break or NUL in its value")
        lines.append(f"{name}: {value}")
    lines.append("\r\n")
    return "\r\n".join(lines).encode("latin-1")


class _Connection(asyncio.Protocol):
    """One connection; :meth:`send` one request at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[Answer] | None = None
        self.headers: dict[str, str] = {}
        self.chunks: list[bytes] = []
        self.got_bytes = False
        self.headers_done = False
        self.framed = False  # Content-Length or chunked: the end is in the stream
        self.keep_alive = False
        self.closed = False
        self.idle_since = 0.0

    # -- asyncio.Protocol ---------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # a TCP transport (uvloop's, in a Ray Serve replica, is no asyncio.Transport subclass)
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self.waiter is None:  # nothing asked: a confused server
            self.close()
            return
        self.got_bytes = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(UpstreamError(f"malformed answer from the model server: {exc}"))
            self.close()

    def eof_received(self) -> bool:
        return False  # close the transport; connection_lost finishes the story

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is None or self.waiter.done():
            return
        if self.headers_done and not self.framed:  # the body ran until the close
            self._finish(keep_alive=False)
        elif not self.got_bytes:
            self._fail(_Dropped(f"the model server closed the connection ({exc or 'EOF'})"))
        else:
            self._fail(
                UpstreamError(f"the model server closed the connection mid-answer ({exc or 'EOF'})")
            )

    # -- httptools callbacks ------------------------------------------------------------
    def on_header(self, name: bytes, value: bytes) -> None:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        previous = self.headers.get(key)
        self.headers[key] = text if previous is None else f"{previous}, {text}"

    def on_headers_complete(self) -> None:
        self.headers_done = True
        self.framed = (
            "content-length" in self.headers
            or "chunked" in self.headers.get("transfer-encoding", "").lower()
        )

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        if 100 <= self.parser.get_status_code() < 200:  # interim answer: the real one follows
            self.headers, self.chunks, self.headers_done = {}, [], False
            return
        self._finish(keep_alive=self.parser.should_keep_alive())

    # -- requests -----------------------------------------------------------------------
    def _finish(self, *, keep_alive: bool) -> None:
        waiter, self.waiter = self.waiter, None
        answer = Answer(self.parser.get_status_code(), self.headers, b"".join(self.chunks))
        self.keep_alive = keep_alive and not self.closed
        if waiter is not None and not waiter.done():
            waiter.set_result(answer)

    def _fail(self, exc: BaseException) -> None:
        waiter, self.waiter = self.waiter, None
        self.keep_alive = False
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    def send(self, head: bytes, body: bytes) -> asyncio.Future[Answer]:
        assert self.transport is not None
        assert self.waiter is None
        self.headers, self.chunks = {}, []
        self.got_bytes = self.headers_done = self.framed = self.keep_alive = False
        self.waiter = self.loop.create_future()
        self.transport.write(head + body if len(body) < 65536 else head)
        if len(body) >= 65536:
            self.transport.write(body)
        return self.waiter

    def close(self) -> None:
        self.closed = True
        if self.transport is not None and not self.loop.is_closed():  # else it is gone
            self.transport.close()


class Upstream:
    """Keep-alive connections per origin, for one event loop."""

    def __init__(self, idle_seconds: float = IDLE_SECONDS) -> None:
        self.idle_seconds = idle_seconds
        self._idle: dict[str, list[_Connection]] = {}
        self._addresses: dict[str, tuple[str, int, str, str]] = {}
        self._busy: set[_Connection] = set()
        self.closed = False

    def _address(self, origin: str) -> tuple[str, int, str, str]:
        found = self._addresses.get(origin)
        if found is None:
            parts = urlsplit(origin)
            if parts.scheme != "http" or not parts.hostname or not parts.port:
                raise ValueError(f"not an http://host:port origin: {origin!r}")
            found = (parts.hostname, parts.port, parts.netloc, parts.path.rstrip("/"))
            self._addresses[origin] = found
        return found

    def _reuse(self, origin: str) -> _Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            conn = idle.pop()
            if not conn.closed and now - conn.idle_since < self.idle_seconds:
                return conn
            conn.close()
        return None

    async def _open(self, host: str, port: int) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            _, conn = await loop.create_connection(lambda: _Connection(loop), host, port)
        except OSError as exc:
            raise UpstreamError(f"cannot connect to {host}:{port}: {exc}") from exc
        return conn

    async def post(
        self,
        origin: str,
        path: str,
        body: bytes,
        headers: Mapping[str, str],
        timeout: float,
    ) -> Answer:
        """POST ``body`` to ``origin + path`` (an origin may have a path: a prefix of
        ``path``, as a Ray Serve application's route); the answer, or
        UpstreamError/TimeoutError."""
        if self.closed:
            raise UpstreamError("the router is closed")
        host, port, netloc, prefix = self._address(origin)
        head = request_head("POST", prefix + path, netloc, len(body), headers)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        conn = self._reuse(origin)
        if conn is not None:
            try:
                return await self._exchange(conn, origin, head, body, deadline)
            except _Dropped:
                pass  # dropped while idle: once more on a new connection
        conn = await asyncio.wait_for(self._open(host, port), max(0.0, deadline - loop.time()))
        return await self._exchange(conn, origin, head, body, deadline)

    async def _exchange(
        self, conn: _Connection, origin: str, head: bytes, body: bytes, deadline: float
    ) -> Answer:
        self._busy.add(conn)
        waiter = conn.send(head, body)
        timer = conn.loop.call_at(deadline, _expire, waiter)
        try:
            answer = await waiter
        except BaseException:
            conn.close()  # timed out, cancelled, dropped or broken: never reused
            raise
        finally:
            timer.cancel()
            self._busy.discard(conn)
        if conn.keep_alive and not self.closed:
            conn.idle_since = time.monotonic()
            self._idle.setdefault(origin, []).append(conn)
        else:
            conn.close()
        return answer

    def close(self) -> None:
        """Close every connection (call on the owning loop); requests in flight fail."""
        self.closed = True
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()
        for conn in list(self._busy):
            conn.close()
        self._busy.clear()


def _expire(waiter: asyncio.Future[Any]) -> None:
    if not waiter.done():
        waiter.set_exception(asyncio.TimeoutError())
