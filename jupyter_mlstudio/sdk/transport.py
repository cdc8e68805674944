"""HTTP to a studio's REST API under ``/mlstudio/api``: the one transport of the SDK.

Authentication is Jupyter's token, sent as ``Authorization: token <token>``; the token
comes from the ``token`` argument, else ``MLSTUDIO_TOKEN``, ``JPY_API_TOKEN`` or
``JUPYTER_TOKEN`` (the first one set). JSON errors come back as the same
:mod:`jupyter_mlstudio.exceptions` classes the server raised; a studio that cannot be
reached is a ``StoreUnavailableError``.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from ..exceptions import StoreUnavailableError, StudioError, from_dict

TOKEN_VARIABLES = ("MLSTUDIO_TOKEN", "JPY_API_TOKEN", "JUPYTER_TOKEN")
API_PATH = "mlstudio/api"
#: seconds a REST call may take
TIMEOUT = 60.0


def segment(name: str) -> str:
    """``name`` quoted as one path segment (``/`` included)."""
    return quote(name, safe="")


@dataclass(frozen=True)
class Answer:
    """A studio's answer: its body and headers."""

    body: bytes
    headers: Message


class StudioConnection:
    """Where a studio answers and how to authenticate. Thread-safe (no state per call).

    Args:
        uri: The Jupyter server's base URL (``http://127.0.0.1:8888/`` or with a base path).
        token: The server's token; None reads it from the environment.
    """

    def __init__(self, uri: str, *, token: str | None = None) -> None:
        parts = urlsplit(uri)
        self.uri = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + "/", "", ""))
        self.api = self.uri + API_PATH
        if token is None:
            token = next((os.environ[v] for v in TOKEN_VARIABLES if os.environ.get(v)), None)
        self._headers = {"Authorization": f"token {token}"} if token else {}

    def send(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: Mapping[str, Any] | None = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = TIMEOUT,
    ) -> Answer:
        """One request under ``/mlstudio/api``.

        Args:
            method: The HTTP method.
            path: The path below the API root (segments already quoted).
            body: A JSON body (sets ``Content-Type: application/json``).
            query: Query parameters; None values are left out.
            data: A raw body instead of ``body``.
            headers: More headers (``Content-Type`` of ``data``, say).
            timeout: Seconds to wait for the answer.

        Returns:
            The answer's body and headers.

        Raises:
            StudioError: The studio's JSON error, as the class the server raised.
            StoreUnavailableError: The studio cannot be reached.
        """
        url = f"{self.api}/{path}"
        if query:
            url += "?" + urlencode({k: v for k, v in query.items() if v is not None}, doseq=True)
        sent = {**self._headers, **(headers or {})}
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Answer(body=response.read(), headers=response.headers)
        except urllib.error.HTTPError as exc:
            raise error_of(exc) from None
        except (urllib.error.URLError, OSError) as exc:
            raise StoreUnavailableError(f"cannot reach the studio at {self.uri}: {exc}") from None

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """:meth:`send`, with the answer parsed as JSON (None for an empty body)."""
        payload = self.send(method, path, **kwargs).body
        return json.loads(payload) if payload else None


def error_of(exc: urllib.error.HTTPError) -> StudioError:
    """The studio error an HTTP error answer carries."""
    try:
        body = json.loads(exc.read() or b"{}")
    except (ValueError, OSError):
        body = {}
    if isinstance(body, dict) and "code" in body:
        error = from_dict(body)
        if exc.code == 403:
            error.message += " (set MLSTUDIO_TOKEN to the Jupyter server's token)"
            error.args = (error.message,)
        return error
    return StudioError(f"HTTP {exc.code} from the studio: {exc.reason}")
