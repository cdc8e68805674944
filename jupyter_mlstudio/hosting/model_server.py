"""The model server: SageMaker's serving contract for script-mode models.

What ``serve`` means on the process runtime (run by the studio's Python) and in the studio's
image (copied there as ``/usr/local/bin/serve``), hence standard library plus numpy only.

Start-up, from the environment:

- ``SM_MODEL_DIR`` (default ``/opt/ml/model``): the unpacked model;
- ``SAGEMAKER_PROGRAM``: the entry point's file name (optional: without it only the default
  handlers below run); it is looked up in ``SAGEMAKER_SUBMIT_DIRECTORY`` when that is a
  local folder, else in ``<SM_MODEL_DIR>/code``, then ``/opt/ml/code``. The folder goes
  first on ``sys.path`` and the file is imported as a module named after it, so its
  ``if __name__ == "__main__":`` training code does not run;
- ``model_fn(model_dir)`` is called once; without it ``model.joblib``, ``model.pkl`` or
  ``model.pickle`` in the model folder is loaded (joblib when importable, else pickle).
  Neither, or any failure while loading: a message on stderr and exit code 1 (2 for bad
  settings), before anything listens;
- then it listens on ``SAGEMAKER_BIND_ADDRESS`` (default ``0.0.0.0``) port
  ``SAGEMAKER_BIND_TO_PORT`` (default 8080) and logs one line: ``model server: loaded
  <program> from <dir>; listening on <address>:<port>``.

HTTP/1.1 with keep-alive (one thread per connection, ``TCP_NODELAY``, ``Content-Length``
on every answer, no per-request log lines; errors go to stderr):

- ``GET /ping`` → 200 (the model is loaded before the port opens);
- ``GET /execution-parameters`` → ``{"MaxConcurrentTransforms": <workers>,
  "BatchStrategy": "MULTI_RECORD", "MaxPayloadInMB": 6}`` (workers:
  ``SAGEMAKER_MODEL_SERVER_WORKERS``, else the CPUs this process may use);
- ``POST /invocations``: ``input_fn(body, content_type)`` → ``predict_fn(data, model)`` →
  ``output_fn(prediction, accept)``, each the user's when the entry point defines it
  (``transform_fn(model, body, content_type, accept)`` replaces all three). The body
  reaches ``input_fn`` as ``str`` for ``text/csv`` and ``application/json`` (UTF-8), else as
  ``bytes``; the content type has its parameters (``; charset=...``) removed. An ``Accept``
  that is missing or ``*/*`` means ``SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT`` (default
  ``application/json``). ``output_fn`` returns the body (``bytes`` or ``str``) or ``(body,
  content_type)``; a body alone is answered with the accept type.

Default handlers: ``text/csv`` (rows of numbers → a 2-D float array; one row → shape
``(1, n)``), ``application/json`` (a list, ``{"instances": [...]}`` or ``{"inputs": ...}`` →
``numpy.array``) and ``application/x-npy`` (``numpy.load``, no pickles) in; ``model.predict``;
the same three out (CSV: one line per row, values comma-separated, floats in Python's
shortest round-trip form; JSON via ``tolist()``; NPY as ``numpy.save`` writes it).

Errors, as ``text/plain`` bodies: 415 unsupported content type, 406 unsupported accept,
400 a body the default handlers cannot decode, 404 unknown path, 500 when user code raises
(the exception's message; the traceback goes to stderr). An exception with an integer
``status_code`` attribute between 400 and 599 (sagemaker-inference's errors) answers that
status. ``SAGEMAKER_MODEL_SERVER_TIMEOUT`` (seconds, default 60) is how long a connection
may stay silent (mid-request or idle between keep-alive requests) before it is closed.

SIGTERM (or SIGINT) stops accepting, lets requests in flight finish (up to 10 s) and exits
with code 0.

With ``SAGEMAKER_MULTI_MODEL=true`` no model is loaded at start (the entry point, if any,
is imported) and the server speaks SageMaker's multi-model API instead of
``/invocations``: ``POST /models`` (``{"model_name", "url"}``: the folder, absolute or
relative to ``SM_MODEL_DIR``; loaded with the model's own ``code/<program>`` (default
``inference.py``) when it has one, else the entry point's ``model_fn``, else the default
loader; 409 when loaded, 507
when ``MLSTUDIO_MME_MAX_MODELS`` are loaded or the RSS is over
``MLSTUDIO_MME_MEMORY_FRACTION`` (default 0.9) of ``MLSTUDIO_MME_MEMORY_BYTES``, 500 with
the loader's message when loading fails), ``GET /models``, ``GET /models/<name>``,
``DELETE /models/<name>`` (unload) and ``POST /models/<name>/invoke`` (as /invocations).
"""

from __future__ import annotations

import csv
import gc
import importlib.util
import io
import json
import os
import pickle
import re
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType
from typing import Any

import numpy as np

CSV = "text/csv"
JSON = "application/json"
NPY = "application/x-npy"
TEXT_TYPES = (CSV, JSON)  # given to input_fn as str, as sagemaker-inference does
DRAIN_SECONDS = 10.0
MODEL_FILES = ("model.joblib", "model.pkl", "model.pickle")
PREFIX = "model server:"
MULTI_MODEL_ENV = "SAGEMAKER_MULTI_MODEL"
MAX_MODELS_ENV = "MLSTUDIO_MME_MAX_MODELS"
MEMORY_ENV = "MLSTUDIO_MME_MEMORY_BYTES"
MEMORY_FRACTION_ENV = "MLSTUDIO_MME_MEMORY_FRACTION"
MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$")


class RequestError(Exception):
    """A request the default handlers refuse (its body, content type or accept), answered
    with ``status`` and ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Stopping(BaseException):
    """Raised by the SIGTERM/SIGINT handler in the main thread (a BaseException, so the
    server's request loop does not swallow it)."""


class StartupError(Exception):
    """The server cannot start; the message says why, ``code`` is the exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


# -- default handlers --------------------------------------------------------------------


def _decode_csv(text: str) -> np.ndarray:
    rows = [line for line in text.splitlines() if line.strip()]
    if not rows:
        raise RequestError(400, "the CSV body has no rows")
    try:
        values = [[float(value) for value in row.split(",")] for row in rows]
    except ValueError as exc:
        raise RequestError(400, f"the CSV rows must be numbers: {exc}") from None
    width = len(values[0])
    if any(len(row) != width for row in values):
        raise RequestError(400, "the CSV rows do not all have the same number of values")
    return np.array(values, dtype=float)


def _decode_json(text: str) -> np.ndarray:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise RequestError(400, f"the body is not JSON: {exc}") from None
    if isinstance(data, dict):
        if "instances" in data:
            data = data["instances"]
        elif "inputs" in data:
            data = data["inputs"]
        else:
            raise RequestError(
                400, 'a JSON object needs "instances" or "inputs"; or send a JSON list'
            )
    try:
        return np.array(data)
    except ValueError as exc:  # ragged lists
        raise RequestError(400, f"the JSON body is not an array: {exc}") from None


def _decode_npy(body: bytes) -> np.ndarray:
    try:
        return np.asarray(np.load(io.BytesIO(body), allow_pickle=False))
    except (ValueError, OSError, EOFError) as exc:
        raise RequestError(400, f"the body is not a .npy array: {exc}") from None


def default_input_fn(body: str | bytes, content_type: str) -> np.ndarray:
    """CSV, JSON or NPY → a numpy array; 415 for other types, 400 for bodies that do not
    decode."""
    if content_type == NPY:
        return _decode_npy(body if isinstance(body, bytes) else body.encode())
    if content_type not in TEXT_TYPES:
        raise RequestError(
            415,
            f"unsupported content type {content_type or '(none)'!r}; the default input_fn"
            f" reads {CSV}, {JSON} and {NPY}",
        )
    text = body if isinstance(body, str) else body.decode("utf-8")
    return _decode_csv(text) if content_type == CSV else _decode_json(text)


def default_predict_fn(data: Any, model: Any) -> Any:
    predict = getattr(model, "predict", None)
    if predict is None:
        raise TypeError(f"the model ({type(model).__name__}) has no predict(); define predict_fn")
    return predict(data)


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy arrays and scalars, pandas objects
        return value.tolist()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _csv_rows(array: np.ndarray) -> np.ndarray:
    if array.ndim == 0:
        return array.reshape(1, 1)
    if array.ndim == 1:
        return array.reshape(-1, 1)
    return array.reshape(array.shape[0], -1)


def _encode_csv(prediction: Any) -> str:
    rows = _csv_rows(np.asarray(prediction))
    kind = rows.dtype.kind
    if kind in "iub" or rows.dtype == np.float64:
        return "".join(",".join(map(str, row)) + "\n" for row in rows.tolist())
    if kind == "f":  # float32/16: each value's own shortest form (0.1, not 0.10000000149)
        return "".join(",".join(str(v) for v in row) + "\n" for row in rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows.tolist())
    return out.getvalue()


def _encode_npy(prediction: Any) -> bytes:
    out = io.BytesIO()
    np.save(out, np.asarray(prediction), allow_pickle=False)
    return out.getvalue()


def default_output_fn(prediction: Any, accept: str) -> tuple[bytes | str, str]:
    """The prediction as JSON, CSV or NPY; 406 for other accept types."""
    if accept == JSON:
        return json.dumps(prediction, default=_json_default, separators=(",", ":")), JSON
    if accept == CSV:
        return _encode_csv(prediction), CSV
    if accept == NPY:
        return _encode_npy(prediction), NPY
    raise RequestError(
        406, f"unsupported accept {accept!r}; the default output_fn writes {JSON}, {CSV}, {NPY}"
    )


# -- the user's entry point and model ---------------------------------------------------


def code_folder(model_dir: str) -> str | None:
    """Where the entry point lives: SAGEMAKER_SUBMIT_DIRECTORY when it is a local folder,
    else ``<model_dir>/code``, else ``/opt/ml/code``; None when none exists."""
    submit = os.environ.get("SAGEMAKER_SUBMIT_DIRECTORY", "")
    if submit and "://" not in submit and not submit.endswith(".tar.gz"):
        return submit if os.path.isdir(submit) else None
    for folder in (os.path.join(model_dir, "code"), "/opt/ml/code"):
        if os.path.isdir(folder):
            return folder
    return None


def import_entry_point(program: str, folder: str) -> ModuleType:
    """Import ``folder/program`` as the module ``<program without .py>`` (so ``__main__``
    code does not run), with ``folder`` first on ``sys.path``."""
    path = os.path.join(folder, program)
    if not os.path.isfile(path) and os.path.isfile(path + ".py"):
        path += ".py"
    if not os.path.isfile(path):
        raise StartupError(f"the entry point {program!r} is not in {folder}", code=2)
    name = os.path.splitext(os.path.basename(path))[0]
    sys.path.insert(0, folder)
    return _import_as(name, path)


def _import_as(name: str, path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise StartupError(f"cannot import {path}", code=2)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # pickles of classes defined in it find them
    spec.loader.exec_module(module)
    return module


def load_default_model(model_dir: str) -> tuple[Any, str]:
    for name in MODEL_FILES:
        path = os.path.join(model_dir, name)
        if os.path.isfile(path):
            try:
                import joblib
            except ImportError:
                with open(path, "rb") as handle:
                    return pickle.load(handle), name
            return joblib.load(path), name
    raise StartupError(
        f"no model_fn and no {', '.join(MODEL_FILES[:-1])} or {MODEL_FILES[-1]} in {model_dir};"
        " save the model there or define model_fn(model_dir) in the entry point"
    )


class ModelHandlers:
    """The loaded model and the four steps of an invocation (the user's or the defaults)."""

    def __init__(self, module: ModuleType | None, model: Any, default_accept: str) -> None:
        self.model = model
        self.default_accept = default_accept

        def user(name: str) -> Callable[..., Any] | None:
            found = getattr(module, name, None) if module is not None else None
            return found if callable(found) else None

        self.transform_fn = user("transform_fn")
        self.user_output = user("output_fn") is not None
        self.input_fn = user("input_fn") or default_input_fn
        self.predict_fn = user("predict_fn") or default_predict_fn
        self.output_fn = user("output_fn") or default_output_fn

    def accept_type(self, header: str | None) -> str:
        """The type to answer in: missing or ``*/*`` → the default; of a list, the first
        the default output_fn writes (or simply the first, for a user's output_fn)."""
        wanted = [part.split(";", 1)[0].strip().lower() for part in (header or "").split(",")]
        wanted = [w for w in wanted if w and w != "*/*"]
        if not wanted:
            return self.default_accept
        if self.user_output or self.transform_fn is not None:
            return wanted[0]
        for media in wanted:
            if media in (JSON, CSV, NPY):
                return media
        return wanted[0]

    def invoke(self, body: bytes, content_type: str, accept: str) -> tuple[bytes, str]:
        data: str | bytes = body
        if content_type in TEXT_TYPES:
            try:
                data = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise RequestError(400, f"the {content_type} body is not UTF-8: {exc}") from None
        if self.transform_fn is not None:
            result = self.transform_fn(self.model, data, content_type, accept)
        else:
            prediction = self.predict_fn(self.input_fn(data, content_type), self.model)
            result = self.output_fn(prediction, accept)
        if isinstance(result, tuple) and len(result) == 2:
            answer, answer_type = result
        else:
            answer, answer_type = result, accept
        if isinstance(answer, str):
            answer = answer.encode("utf-8")
        elif not isinstance(answer, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"output_fn returned {type(answer).__name__}; return bytes, str or"
                " (body, content_type)"
            )
        return bytes(answer), str(answer_type or accept)


# -- multi-model -------------------------------------------------------------------------


def rss_bytes() -> int:
    """This process's resident memory (0 when unknown)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class ModelStore:
    """The models of a multi-model server, by name. Thread-safe."""

    def __init__(
        self, model_dir: str, program: str, shared: ModuleType | None, accept: str
    ) -> None:
        self.model_dir = model_dir
        self.program = program
        self.shared = shared
        self.accept = accept
        self.max_models = int(_number(MAX_MODELS_ENV, 1_000_000))
        memory = _number(MEMORY_ENV, 0) * _number(MEMORY_FRACTION_ENV, 0.9)
        self.memory_limit = int(memory)
        self.models: dict[str, tuple[ModelHandlers, str, str | None]] = {}
        self._loading: set[str] = set()
        self._lock = threading.Lock()

    def get(self, name: str) -> ModelHandlers | None:
        found = self.models.get(name)
        return found[0] if found is not None else None

    def describe(self, name: str) -> dict[str, str] | None:
        found = self.models.get(name)
        return None if found is None else {"modelName": name, "modelUrl": found[1]}

    def load(self, name: str, url: str) -> tuple[int, str]:
        """Load ``url`` as ``name``: the status and message to answer."""
        if not MODEL_NAME.match(name or ""):
            return 400, f"model_name {name!r}: letters, digits, '.', '_' and '-'"
        path = url if os.path.isabs(url) else os.path.join(self.model_dir, url)
        with self._lock:
            if name in self.models or name in self._loading:
                return 409, f"model {name} is already loaded"
            if len(self.models) + len(self._loading) >= self.max_models:
                return 507, f"{len(self.models)} models are loaded, the most this server holds"
            rss = rss_bytes()
            if self.memory_limit and rss > self.memory_limit:
                return 507, f"memory in use ({rss} bytes) is over {self.memory_limit} bytes"
            self._loading.add(name)
        try:
            handlers, module_name = self._load(name, path)
        except Exception as exc:
            sys.stderr.write(f"{PREFIX} loading model {name} failed:\n{traceback.format_exc()}")
            return 500, str(exc) or type(exc).__name__
        finally:
            with self._lock:
                self._loading.discard(name)
        with self._lock:
            self.models[name] = (handlers, path, module_name)
        return 200, f"model {name} loaded"

    def _load(self, name: str, path: str) -> tuple[ModelHandlers, str | None]:
        if not os.path.isdir(path):
            raise StartupError(f"the model folder {path} does not exist")
        module, module_name = self.shared, None
        own = os.path.join(path, "code", self.program or "inference.py")
        if not os.path.isfile(own) and os.path.isfile(own + ".py"):
            own += ".py"
        if os.path.isfile(own):  # the model's own code: a module of its own
            module_name = f"mlstudio_model_{name.replace('.', '_').replace('-', '_')}"
            sys.path.insert(0, os.path.dirname(own))  # its helpers, imported as it loads
            try:
                module = _import_as(module_name, own)
            finally:
                sys.path.remove(os.path.dirname(own))
        model_fn = getattr(module, "model_fn", None)
        model = model_fn(path) if callable(model_fn) else load_default_model(path)[0]
        return ModelHandlers(module, model, self.accept), module_name

    def unload(self, name: str) -> bool:
        with self._lock:
            found = self.models.pop(name, None)
        if found is not None and found[2]:
            sys.modules.pop(found[2], None)
        if found is not None:
            gc.collect()  # give its memory back before the next load checks the RSS
        return found is not None


# -- HTTP --------------------------------------------------------------------------------


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _status_of(exc: BaseException) -> int:
    code = getattr(exc, "status_code", None)
    return code if isinstance(code, int) and 400 <= code <= 599 else 500


class ModelServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        handlers: ModelHandlers | None,
        workers: int,
        models: ModelStore | None = None,
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, InvocationHandler)
        self.handlers = handlers
        self.models = models
        self.workers = workers
        self.in_flight = 0
        self.idle = threading.Condition()

    def drain(self, timeout: float) -> None:
        """Wait until no request is being answered (at most ``timeout`` seconds)."""
        with self.idle:
            self.idle.wait_for(lambda: self.in_flight == 0, timeout)


class InvocationHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "mlstudio-model-server"
    server: ModelServer

    # quiet: no line per request; errors are written where they happen
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def log_message(self, format: str, *args: Any) -> None:
        text = format % args
        if not text.startswith("Request timed out"):  # an idle keep-alive connection
            sys.stderr.write(f"{PREFIX} {self.address_string()}: {text}\n")

    def _answer(self, status: int, body: bytes, content_type: str = "text/plain") -> None:
        head = (
            f"HTTP/1.1 {status} {_reason(status)}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        )
        if self.close_connection:
            head += "Connection: close\r\n"
        self.wfile.write(head.encode("latin-1") + b"\r\n" + body)

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts: list[bytes] = []
            while True:
                size = int(self.rfile.readline(65537).split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537).strip():  # trailers
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline(3)
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError(f"Content-Length {length} is negative")
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:
        try:
            self._body()  # keep the connection usable if a GET came with one
        except (ValueError, OSError):
            self.close_connection = True
        path = self.path.split("?", 1)[0]
        if path == "/ping":
            self._answer(200, b"")
        elif path == "/execution-parameters":
            body = json.dumps(
                {
                    "MaxConcurrentTransforms": self.server.workers,
                    "BatchStrategy": "MULTI_RECORD",
                    "MaxPayloadInMB": 6,
                }
            )
            self._answer(200, body.encode(), JSON)
        elif self.server.models is not None and path == "/models":
            models = self.server.models
            listed = [models.describe(name) for name in sorted(models.models)]
            self._answer(200, json.dumps({"models": [m for m in listed if m]}).encode(), JSON)
        elif self.server.models is not None and path.startswith("/models/"):
            found = self.server.models.describe(path[len("/models/") :])
            if found is None:
                self._answer(404, f"no model {path[len('/models/') :]} is loaded".encode())
            else:
                self._answer(200, json.dumps([found]).encode(), JSON)
        else:
            self._answer(404, f"no {path}; try /ping or POST /invocations".encode())

    def do_DELETE(self) -> None:
        try:
            self._body()
        except (ValueError, OSError):
            self.close_connection = True
        path = self.path.split("?", 1)[0]
        models = self.server.models
        if models is None or not path.startswith("/models/"):
            self._answer(404, f"no DELETE {path}".encode())
            return
        name = path[len("/models/") :]
        if models.unload(name):
            self._answer(200, json.dumps({"status": f"model {name} unloaded"}).encode(), JSON)
        else:
            self._answer(404, f"no model {name} is loaded".encode())

    def _load_model(self, body: bytes) -> None:
        models = self.server.models
        assert models is not None
        try:
            request = json.loads(body or b"{}")
            name, url = str(request["model_name"]), str(request["url"])
        except (ValueError, KeyError, TypeError) as exc:
            self._answer(400, f'send {{"model_name": ..., "url": ...}}: {exc}'.encode())
            return
        status, message = models.load(name, url)
        self._answer(status, json.dumps({"status": message}).encode(), JSON)

    def do_POST(self) -> None:
        try:
            body = self._body()
        except (ValueError, OSError) as exc:
            self.close_connection = True
            self._answer(400, f"cannot read the request body: {exc}".encode())
            return
        path = self.path.split("?", 1)[0]
        server = self.server
        handlers = server.handlers
        if server.models is not None:
            if path == "/models":
                self._load_model(body)
                return
            name = path[len("/models/") : -len("/invoke")]
            if not (path.startswith("/models/") and path.endswith("/invoke") and name):
                self._answer(404, f"no POST {path}; try POST /models/<name>/invoke".encode())
                return
            handlers = server.models.get(name)
            if handlers is None:
                self._answer(404, f"no model {name} is loaded".encode())
                return
        elif path != "/invocations":
            self._answer(404, f"no POST {path}; try POST /invocations".encode())
            return
        assert handlers is not None
        with server.idle:
            server.in_flight += 1
        try:
            content_type = self.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
            accept = handlers.accept_type(self.headers.get("Accept"))
            answer, answer_type = handlers.invoke(body, content_type, accept)
            self._answer(200, answer, answer_type)
        except RequestError as exc:
            self._answer(exc.status, exc.message.encode("utf-8"))
        except Exception as exc:
            sys.stderr.write(f"{PREFIX} the invocation failed:\n{traceback.format_exc()}")
            message = str(exc) or type(exc).__name__
            self._answer(_status_of(exc), message.encode("utf-8", errors="replace"))
        finally:
            with server.idle:
                server.in_flight -= 1
                if server.in_flight == 0:
                    server.idle.notify_all()


# -- main --------------------------------------------------------------------------------


def _workers() -> int:
    value = os.environ.get("SAGEMAKER_MODEL_SERVER_WORKERS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _number(name: str, default: float) -> float:
    value = os.environ.get(name, "")
    try:
        return float(value) if value else default
    except ValueError:
        raise StartupError(f"{name}={value!r} is not a number", code=2) from None


def load() -> tuple[ModelHandlers | ModelStore, str]:
    """Import the entry point and load the model; return the handlers and what was loaded
    (a :class:`ModelStore` with nothing loaded for a multi-model server)."""
    model_dir = os.environ.get("SM_MODEL_DIR") or "/opt/ml/model"
    program = os.environ.get("SAGEMAKER_PROGRAM", "")
    module = None
    what = ""
    if program:
        folder = code_folder(model_dir)
        if folder is None:
            submit = os.environ.get("SAGEMAKER_SUBMIT_DIRECTORY") or (
                f"{os.path.join(model_dir, 'code')} or /opt/ml/code"
            )
            raise StartupError(f"no code folder for {program!r}: {submit} does not exist", 2)
        module = import_entry_point(program, folder)
        what = f"{program} from {folder}"
    accept = (os.environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT") or JSON).strip().lower()
    if os.environ.get(MULTI_MODEL_ENV, "").lower() == "true":
        return ModelStore(model_dir, program, module, accept), f"{what or 'no code'} (multi-model)"
    model_fn = getattr(module, "model_fn", None)
    if callable(model_fn):
        model = model_fn(model_dir)
    else:
        model, name = load_default_model(model_dir)
        what = f"{what} and {name}" if what else f"{name} from {model_dir}"
    return ModelHandlers(module, model, accept), what


def main() -> int:
    started = time.monotonic()
    try:
        port = int(_number("SAGEMAKER_BIND_TO_PORT", 8080))
        address = os.environ.get("SAGEMAKER_BIND_ADDRESS") or "0.0.0.0"
        timeout = _number("SAGEMAKER_MODEL_SERVER_TIMEOUT", 60)
        loaded, what = load()
        if isinstance(loaded, ModelStore):
            server = ModelServer((address, port), None, _workers(), loaded)
        else:
            server = ModelServer((address, port), loaded, _workers())
    except StartupError as exc:
        sys.stderr.write(f"{PREFIX} {exc}\n")
        return exc.code
    except Exception:
        sys.stderr.write(f"{PREFIX} loading the model failed:\n{traceback.format_exc()}")
        return 1
    InvocationHandler.timeout = timeout if timeout > 0 else None

    def stop(signum: int, _frame: Any) -> None:
        raise Stopping(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(
        f"{PREFIX} loaded {what} in {time.monotonic() - started:.2f} s;"
        f" listening on {address}:{server.server_port}",
        flush=True,
    )
    try:
        server.serve_forever(poll_interval=0.5)
    except Stopping as exc:
        print(f"{PREFIX} {exc}: stopping", flush=True)
    finally:
        server.socket.close()
        server.drain(DRAIN_SECONDS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
