"""The router's HTTP/1.1 client against raw asyncio servers that answer byte for byte."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from jupyter_mlstudio.hosting.upstream import Upstream, UpstreamError, request_head

Reply = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def read_request(reader: asyncio.StreamReader) -> tuple[str, dict[str, str], bytes]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    line, *fields = head.split("\r\n")[:-2]
    headers = {k.lower(): v.strip() for k, _, v in (f.partition(":") for f in fields)}
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return line, headers, body


class Server:
    """An asyncio server whose ``reply`` handles each connection; counts connections."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.connections = 0
        self.server: asyncio.Server | None = None
        self.handlers: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> Server:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            task = asyncio.current_task()
            assert task is not None
            self.handlers.add(task)
            try:
                await self.reply(reader, writer)
            except (asyncio.IncompleteReadError, ConnectionError):
                pass
            finally:
                writer.close()
                self.handlers.discard(task)

        self.server = await asyncio.start_server(handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        for task in list(self.handlers):
            task.cancel()
        await asyncio.gather(*self.handlers, return_exceptions=True)
        await self.server.wait_closed()

    @property
    def origin(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"


def answer(body: bytes, *, status: str = "200 OK", extra: str = "") -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{extra}"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def echo_keep_alive(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:
        line, headers, body = await read_request(reader)
        reply = f"{line}|{headers.get('content-type')}|{headers.get('accept')}|".encode() + body
        writer.write(answer(reply, extra="X-Amzn-SageMaker-Custom-Attributes: a=1\r\n"))
        await writer.drain()


async def test_requests_reuse_one_keep_alive_connection() -> None:
    upstream = Upstream()
    async with Server(echo_keep_alive) as server:
        for i in range(5):
            got = await upstream.post(
                server.origin,
                "/invocations",
                f"[{i}]".encode(),
                {"Content-Type": "text/csv", "Accept": "application/json"},
                5,
            )
            assert got.status == 200
            assert (
                got.body == f"POST /invocations HTTP/1.1|text/csv|application/json|[{i}]".encode()
            )
            assert got.headers["content-type"] == "application/json"
            assert got.headers["x-amzn-sagemaker-custom-attributes"] == "a=1"
        assert server.connections == 1
        upstream.close()


async def test_concurrent_requests_each_get_their_own_answer() -> None:
    upstream = Upstream()
    async with Server(echo_keep_alive) as server:
        bodies = [f"[{i}]".encode() for i in range(64)]
        answers = await asyncio.gather(
            *(upstream.post(server.origin, "/invocations", b, {}, 5) for b in bodies)
        )
        assert [a.body.rsplit(b"|", 1)[1] for a in answers] == bodies
        assert server.connections <= 64
        again = await upstream.post(server.origin, "/invocations", b"x", {}, 5)
        assert again.status == 200
        assert server.connections <= 64  # the last request reused an idle connection
        upstream.close()


async def test_chunked_and_close_delimited_bodies_are_read_whole() -> None:
    async def chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        )
        await writer.drain()
        await read_request(reader)  # the connection stays usable
        writer.write(answer(b"again"))
        await writer.drain()

    async def until_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it")
        await writer.drain()

    upstream = Upstream()
    async with Server(chunked) as server:
        first = await upstream.post(server.origin, "/invocations", b"", {}, 5)
        assert (first.status, first.body) == (200, b"hello world")
        second = await upstream.post(server.origin, "/invocations", b"", {}, 5)
        assert second.body == b"again"
        assert server.connections == 1
    async with Server(until_close) as server:
        got = await upstream.post(server.origin, "/invocations", b"", {}, 5)
        assert (got.status, got.body) == (200, b"all of it")
    upstream.close()


async def test_an_interim_100_answer_is_skipped() -> None:
    async def reply(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n" + answer(b"[1]"))
        await writer.drain()
        await reader.read()

    upstream = Upstream()
    async with Server(reply) as server:
        got = await upstream.post(server.origin, "/invocations", b"", {}, 5)
        assert (got.status, got.body) == (200, b"[1]")
    upstream.close()


async def test_a_connection_the_server_dropped_while_idle_is_replaced() -> None:
    async def one_answer_then_close(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await read_request(reader)
        writer.write(answer(b"ok"))  # says keep-alive, then closes anyway
        await writer.drain()

    upstream = Upstream()
    async with Server(one_answer_then_close) as server:
        assert (await upstream.post(server.origin, "/p", b"", {}, 5)).body == b"ok"
        await asyncio.sleep(0.05)  # the close reaches the client while the connection idles
        assert (await upstream.post(server.origin, "/p", b"", {}, 5)).body == b"ok"
        assert server.connections == 2
    upstream.close()


async def test_an_idle_connection_past_its_age_is_not_reused() -> None:
    upstream = Upstream(idle_seconds=0.05)
    async with Server(echo_keep_alive) as server:
        await upstream.post(server.origin, "/p", b"", {}, 5)
        await asyncio.sleep(0.1)
        await upstream.post(server.origin, "/p", b"", {}, 5)
        assert server.connections == 2
    upstream.close()


async def test_status_errors_are_answers_not_exceptions() -> None:
    async def reply(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(answer(b"bad input", status="400 Bad Request"))
        await writer.drain()
        await reader.read()

    upstream = Upstream()
    async with Server(reply) as server:
        got = await upstream.post(server.origin, "/invocations", b"", {}, 5)
        assert (got.status, got.body) == (400, b"bad input")
    upstream.close()


async def test_failures_raise_upstream_error_or_timeout() -> None:
    async def mid_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")
        await writer.drain()

    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        await writer.drain()
        await reader.read()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(30)

    upstream = Upstream()
    async with Server(mid_answer) as server:
        with pytest.raises(UpstreamError, match="mid-answer"):
            await upstream.post(server.origin, "/invocations", b"", {}, 5)
    async with Server(garbage) as server:
        with pytest.raises(UpstreamError, match="malformed"):
            await upstream.post(server.origin, "/invocations", b"", {}, 5)
    async with Server(silent) as server:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(asyncio.TimeoutError):
            await upstream.post(server.origin, "/invocations", b"", {}, 0.3)
        assert 0.25 < loop.time() - started < 2
        assert not upstream._idle.get(server.origin)  # the timed-out connection is gone
        origin = server.origin
    with pytest.raises(UpstreamError, match="cannot connect"):
        await upstream.post(origin, "/invocations", b"", {}, 5)  # nothing listens now
    upstream.close()
    with pytest.raises(UpstreamError, match="closed"):
        await upstream.post(origin, "/invocations", b"", {}, 5)


def test_a_header_value_cannot_split_the_request() -> None:
    head = request_head("POST", "/invocations", "127.0.0.1:8080", 3, {"Accept": "text/csv"})
    assert head == (
        b"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 3\r\n"
        b"Accept: text/csv\r\n\r\n"
    )
    for bad in ("a\r\nX-Evil: 1", "a\nb", "a\0b"):
        with pytest.raises(ValueError, match="Content-Type"):
            request_head("POST", "/", "h:1", 0, {"Content-Type": bad})
