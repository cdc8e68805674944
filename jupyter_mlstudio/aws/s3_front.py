"""The embedded S3's front door: a forwarding server that lets SSE-KMS requests through.

The SageMaker SDKs ask S3 to encrypt what they upload with the account's default KMS key
(``x-amz-server-side-encryption: aws:kms`` and no key id, e.g. the estimator's
``sourcedir.tar.gz``). SeaweedFS answers those with a 500 unless it runs a KMS, and its
only self-contained KMS keeps its keys in memory (objects unreadable after a restart). So
the studio's S3 endpoint is this server, on a free port of 127.0.0.1: a request without
SSE-KMS headers goes to SeaweedFS unchanged (its ``Host`` too, so SeaweedFS checks the
client's own signature); one with them is checked here (SigV4, the studio's key pair),
loses those headers and is signed again with the same key for SeaweedFS. Objects are then
stored as SeaweedFS stores any other (on this machine, unencrypted: the studio's home is
the user's), and answers come back as they are, streamed.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from tornado import httputil
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.httpserver import HTTPServer
from tornado.iostream import StreamClosedError
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

from .credentials import AwsIdentity
from .errors import AwsError
from .sigv4 import verify

#: the request headers of SSE-KMS, which are dropped before SeaweedFS
KMS_HEADERS = (
    "x-amz-server-side-encryption",
    "x-amz-server-side-encryption-aws-kms-key-id",
    "x-amz-server-side-encryption-context",
    "x-amz-server-side-encryption-bucket-key-enabled",
)
#: the largest request body (boto3 sends bigger files as multipart uploads of 8 MiB parts)
MAX_BODY = 1024 * 1024 * 1024
#: hop-by-hop headers, never forwarded
_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "expect"}


def asks_kms(headers: httputil.HTTPHeaders) -> bool:
    """Whether a request asks for SSE-KMS (the only case this server changes)."""
    return headers.get("x-amz-server-side-encryption", "").strip().lower().startswith("aws:kms")


class S3Front:
    """The forwarding server (start once in the loop that will serve it, stop once).

    Args:
        upstream: Where SeaweedFS answers S3 (``http://127.0.0.1:PORT``).
        identity: The studio's key pair (the only one SeaweedFS accepts).
    """

    def __init__(self, upstream: str, identity: AwsIdentity) -> None:
        self.upstream = upstream.rstrip("/")
        self.identity = identity
        self._server: HTTPServer | None = None
        self.endpoint_url = ""

    def start(self) -> str:
        """Listen on a free port of 127.0.0.1 (call in the IOLoop's thread).

        Returns:
            The endpoint URL.
        """
        app = Application(
            [(r"/.*", _ForwardHandler, {"front": self})],
            max_body_size=MAX_BODY,
        )
        sockets = bind_sockets(0, "127.0.0.1", family=socket.AF_INET)
        self._server = HTTPServer(app, max_body_size=MAX_BODY, max_buffer_size=MAX_BODY)
        self._server.add_sockets(sockets)
        port = sockets[0].getsockname()[1]
        self.endpoint_url = f"http://127.0.0.1:{port}"
        return self.endpoint_url

    def stop(self) -> None:
        """Stop listening (call in the IOLoop's thread)."""
        if self._server is not None:
            self._server.stop()
            self._server = None

    def resign(self, method: str, uri: str, headers: httputil.HTTPHeaders, body: bytes) -> None:
        """Check the client's signature, drop the SSE-KMS headers and sign for SeaweedFS.

        Raises:
            AwsError: The signature does not hold (403, S3's codes).
        """
        host = headers.get("Host", "")
        signed = verify(
            method=method,
            url=f"http://{host}{uri}",
            headers=headers.get_all(),
            body=body,
            secrets=self.identity.secrets,
            services=frozenset({"s3"}),
        )
        for name in (*KMS_HEADERS, "Authorization", "X-Amz-Date", "Host"):
            headers.pop(name, None)
        request = AWSRequest(
            method=method, url=self.upstream + uri, headers=dict(headers.get_all()), data=body
        )
        credentials = Credentials(self.identity.access_key_id, self.identity.secret_access_key)
        S3SigV4Auth(credentials, "s3", signed.region).add_auth(request)
        headers.clear()
        for name, value in request.headers.items():
            headers.add(name, value)
        headers["Host"] = urlsplit(self.upstream).netloc


class _ForwardHandler(RequestHandler):
    """Every method, every path: forwarded to SeaweedFS, the answer streamed back."""

    SUPPORTED_METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE")

    def initialize(self, front: S3Front) -> None:
        self.front = front
        self._started = False
        self._upstream_headers = httputil.HTTPHeaders()

    def check_xsrf_cookie(self) -> None:  # an S3 API: signed requests, no cookies
        return

    def set_default_headers(self) -> None:
        self.clear_header("Content-Type")
        self.clear_header("Server")

    async def get(self) -> None:
        await self._forward()

    async def head(self) -> None:
        await self._forward()

    async def put(self) -> None:
        await self._forward()

    async def post(self) -> None:
        await self._forward()

    async def delete(self) -> None:
        await self._forward()

    async def _forward(self) -> None:
        request = self.request
        headers = httputil.HTTPHeaders()
        for name, value in _forwardable(request.headers.get_all()):
            headers.add(name, value)
        body = request.body or b""
        if asks_kms(headers):
            try:
                self.front.resign(request.method or "GET", request.uri or "/", headers, body)
            except AwsError as exc:
                code = "AccessDenied" if exc.status == 403 else exc.code
                self._s3_error(exc.status, code, exc.message)
                return
        upstream = HTTPRequest(
            url=self.front.upstream + (request.uri or "/"),
            method=request.method or "GET",
            headers=headers,
            body=body if request.method in ("PUT", "POST") else None,
            allow_nonstandard_methods=True,
            follow_redirects=False,
            decompress_response=False,
            header_callback=self._on_header_line,
            streaming_callback=self._on_chunk,
            request_timeout=3600,
        )
        try:
            await AsyncHTTPClient().fetch(upstream, raise_error=False)
        except (OSError, HTTPClientError, asyncio.TimeoutError) as exc:
            if not self._started:
                self._s3_error(503, "ServiceUnavailable", f"the studio's S3 is unreachable: {exc}")
            return
        if not self._finished:  # tornado's own flag: the error answers above finish
            self.finish()

    def _on_header_line(self, line: str) -> None:
        """The upstream answer's status line and headers, one line at a time."""
        if line.startswith("HTTP/"):
            start = httputil.parse_response_start_line(line.strip())
            self.set_status(start.code, start.reason)
            self._upstream_headers = httputil.HTTPHeaders()
            return
        if line.strip():
            self._upstream_headers.parse_line(line)
            return
        for name, value in _forwardable(self._upstream_headers.get_all()):
            self.add_header(name, value)

    def _on_chunk(self, chunk: bytes) -> None:
        self._started = True
        try:
            self.write(chunk)
            self.flush()
        except StreamClosedError:
            pass

    def _s3_error(self, status: int, code: str, message: str) -> None:
        self.clear()
        self.set_status(status)
        self.set_header("Content-Type", "application/xml")
        self.finish(
            '<?xml version="1.0" encoding="UTF-8"?>'
            f"<Error><Code>{_xml(code)}</Code><Message>{_xml(message)}</Message></Error>"
        )


def _forwardable(headers: Iterable[tuple[str, str]]) -> Iterable[tuple[str, str]]:
    for name, value in headers:
        if name.lower() not in _HOP:
            yield name, value


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
