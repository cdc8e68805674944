"""A real studio in a subprocess, for load tests and the serving benchmark.

* :class:`StudioServer`: ``jupyter server`` with the extension on a fresh studio home, a
  generated token and a free port on 127.0.0.1, the process runtime (or ``runtime``);
  REST calls with the token (``Authorization: token <t>``), :meth:`StudioServer.deploy`
  of a script-mode model through the REST API (model, endpoint config, endpoint, until
  InService), and :meth:`StudioServer.kill` (``kill -9``) then :meth:`StudioServer.start`
  again on the same home, for crash tests.
* :func:`build_iris_model`: an iris ``DecisionTreeClassifier`` as a ``model.tar.gz`` with
  ``model.joblib`` and an inference script that defines only ``model_fn``.
* :class:`ModelServer`: ``hosting/model_server.py`` started directly (no studio), on
  127.0.0.1 and a free port, for the "direct" side of a comparison.
* :func:`load`: an aiohttp load generator (N requests, C at a time, every answer checked
  against the expected predictions). Run this module as a script to use it from another
  process than the server under load (it prints one JSON line), from the repository root::

      python -m tests.support.studio_server URL --cases cases.json \\
          --requests 20000 --concurrency 32 [--authorization "token <t>"]

Blocking helpers; nothing here runs inside the studio itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_mlstudio.runtime.process import MODEL_SERVER

#: script-mode inference code: model_fn only, the model server's default JSON handlers do
#: the rest
INFERENCE = """\
import os

import joblib


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(
    url: str,
    process: subprocess.Popen[bytes] | None = None,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 120.0,
    log: Path | None = None,
) -> None:
    """Poll ``url`` until it answers 200; RuntimeError (with the log's tail) when the
    process exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}{_tail(log)}")
        try:
            request = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(request, timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout:.0f} s{_tail(log)}")
        time.sleep(0.2)


def _tail(log: Path | None, chars: int = 3000) -> str:
    if log is None or not log.exists():
        return ""
    return "\n--- log tail ---\n" + log.read_text(errors="replace")[-chars:]


def stop_process(process: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds; only this process."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- the model ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IrisModel:
    """An iris classifier ready to deploy, with rows and their expected predictions."""

    folder: Path
    archive: Path  # model.tar.gz holding model.joblib
    model_file: Path  # model.joblib (unpacked)
    code: Path  # folder holding inference.py
    program: str
    rows: list[list[float]]
    predictions: list[int]

    def cases(self) -> list[dict[str, Any]]:
        """One-row JSON requests with the prediction each must get (every iris row)."""
        return [
            {"body": json.dumps({"instances": [row]}), "expected": [label]}
            for row, label in zip(self.rows, self.predictions, strict=True)
        ]


def build_iris_model(folder: Path) -> IrisModel:
    """Train ``DecisionTreeClassifier(random_state=0)`` on iris; write ``model.joblib``,
    ``model.tar.gz`` and ``code/inference.py`` under ``folder``."""
    import joblib
    from sklearn.datasets import load_iris
    from sklearn.tree import DecisionTreeClassifier

    folder = folder.resolve()
    x, y = load_iris(return_X_y=True)
    model = DecisionTreeClassifier(random_state=0).fit(x, y)
    staged = folder / "model"
    staged.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, staged / "model.joblib")
    archive = folder / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(staged / "model.joblib", arcname="model.joblib")
    code = folder / "code"
    code.mkdir(exist_ok=True)
    (code / "inference.py").write_text(INFERENCE)
    return IrisModel(
        folder=folder,
        archive=archive,
        model_file=staged / "model.joblib",
        code=code,
        program="inference.py",
        rows=[[float(v) for v in row] for row in x],
        predictions=[int(v) for v in model.predict(x)],
    )


# -- the studio ----------------------------------------------------------------------------


@dataclass
class StudioServer:
    """``jupyter server`` with the studio on a fresh home; start with ``with`` or
    :meth:`start`. ``extra_args`` go to the command line (e.g. ``--log-level=DEBUG``);
    ``launcher`` is what follows the Python executable (a profiling wrapper script, say);
    ``runtime`` is the studio's ``default_runtime``; ``embedded_s3`` starts its S3 server
    (off by default); ``env`` adds to the environment, ``unset`` removes from it. The log
    (:attr:`log`) collects every start of the server."""

    work: Path
    extra_args: tuple[str, ...] = ()
    runtime: str = "process"
    embedded_s3: bool = False
    launcher: tuple[str, ...] = ("-m", "jupyter_server")
    env: dict[str, str] = field(default_factory=dict)
    unset: tuple[str, ...] = ()
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.work = self.work.resolve()

    @property
    def home(self) -> Path:
        return self.work / "studio-home"

    @property
    def log(self) -> Path:
        return self.work / "jupyter.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/mlstudio/api"

    @property
    def authorization(self) -> str:
        return f"token {self.token}"

    def invocation_url(self, endpoint: str) -> str:
        return f"{self.base_url}/endpoints/{endpoint}/invocations"

    def command(self) -> list[str]:
        return [
            sys.executable,
            *self.launcher,
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.work}",
            f"--StudioApp.home={self.home}",
            f"--StudioApp.default_runtime={self.runtime}",
            f"--StudioApp.embedded_s3={self.embedded_s3}",
            *self.extra_args,
        ]

    def start(self, timeout: float = 120.0) -> StudioServer:
        """Start the server (again, after :meth:`kill` or :meth:`stop`: on the same home
        and port) and wait until the studio answers."""
        self.home.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "MLSTUDIO_HOME": str(self.home), **self.env}
        for name in self.unset:
            env.pop(name, None)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command(), env=env, stdout=out, stderr=subprocess.STDOUT, cwd=self.work
            )
        try:
            wait_http(
                f"{self.base_url}/health",
                self.process,
                headers={"Authorization": self.authorization},
                timeout=timeout,
                log=self.log,
            )
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, grace=30.0)  # the studio stops its model servers

    def kill(self) -> None:
        """SIGKILL the server process, and only it, as ``kill -9`` would, and reap it:
        what the studio started (jobs, model servers) is left as a crash leaves it."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()

    def __enter__(self) -> StudioServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """One REST call under /mlstudio/api; (status, parsed JSON or None)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.base_url}/{path.lstrip('/')}",
            data=data,
            method=method,
            headers={"Authorization": self.authorization, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                status, raw = answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        return status, (json.loads(raw) if raw else None)

    def download(self, path: str) -> tuple[int, bytes]:
        """GET a file under /mlstudio/api (a job's artifact, say); (status, the bytes)."""
        request = urllib.request.Request(
            f"{self.base_url}/{path.lstrip('/')}", headers={"Authorization": self.authorization}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def _ok(self, method: str, path: str, body: Any = None) -> Any:
        status, answer = self.call(method, path, body)
        if status >= 300:
            raise RuntimeError(f"{method} {path} -> {status}: {answer}")
        return answer

    def deploy(
        self, model: IrisModel, endpoint: str, *, instance_count: int = 1, timeout: float = 120.0
    ) -> dict[str, Any]:
        """Model, endpoint config and endpoint through the REST API; returns the described
        endpoint once InService (RuntimeError with its FailureReason otherwise)."""
        self._ok(
            "POST",
            "models",
            {
                "ModelName": f"{endpoint}-model",
                "PrimaryContainer": {
                    "ModelDataUrl": str(model.archive),
                    "Environment": {
                        "SAGEMAKER_PROGRAM": model.program,
                        "SAGEMAKER_SUBMIT_DIRECTORY": str(model.code),
                    },
                },
            },
        )
        self._ok(
            "POST",
            "endpoint-configs",
            {
                "EndpointConfigName": f"{endpoint}-config",
                "ProductionVariants": [
                    {
                        "VariantName": "AllTraffic",
                        "ModelName": f"{endpoint}-model",
                        "InitialInstanceCount": instance_count,
                        "InstanceType": "ml.m5.large",
                        "InitialVariantWeight": 1.0,
                    }
                ],
            },
        )
        self._ok(
            "POST",
            "endpoints",
            {"EndpointName": endpoint, "EndpointConfigName": f"{endpoint}-config"},
        )
        deadline = time.monotonic() + timeout
        while True:
            described = self._ok("GET", f"endpoints/{endpoint}")
            status = described["EndpointStatus"]
            if status == "InService":
                return dict(described)
            if status != "Creating" or time.monotonic() > deadline:
                raise RuntimeError(
                    f"endpoint {endpoint} is {status}: {described.get('FailureReason')}"
                    f"{_tail(self.log)}"
                )
            time.sleep(0.2)

    def instance_model_dirs(self, endpoint: str) -> list[Path]:
        """The unpacked model folders of the endpoint's generations (``model/code``
        inside), as the studio's instances read them."""
        root = self.home / "endpoints" / endpoint
        return sorted(p for p in root.glob("*/model") if p.is_dir())


# -- a model server without the studio ----------------------------------------------------


@dataclass
class ModelServer:
    """``python hosting/model_server.py`` with the serving environment of a studio
    instance on the process runtime, bound to 127.0.0.1 and a free port."""

    model_dir: Path
    program: str
    log: Path
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.model_dir = self.model_dir.resolve()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> ModelServer:
        code = self.model_dir / "code"
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "SM_MODEL_DIR": str(self.model_dir),
            "SAGEMAKER_SUBMIT_DIRECTORY": str(code),
            "SAGEMAKER_PROGRAM": self.program,
            "SAGEMAKER_MODEL_SERVER_TIMEOUT": "60",
            "SM_CURRENT_HOST": "algo-1",
            "SAGEMAKER_BIND_TO_PORT": str(self.port),
            "SAGEMAKER_BIND_ADDRESS": "127.0.0.1",
            **self.env,
        }
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, str(MODEL_SERVER)],
                env=env,
                cwd=code if code.is_dir() else self.model_dir,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_http(f"{self.url}/ping", self.process, timeout=timeout, log=self.log)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)

    def __enter__(self) -> ModelServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- the load generator ---------------------------------------------------------------------


def predictions_of(answer: Any) -> list[Any]:
    """The predictions in a JSON answer: a list, or ``{"predictions": [...]}``."""
    if isinstance(answer, dict):
        for key in ("predictions", "outputs"):
            if key in answer:
                return list(answer[key])
    return list(answer) if isinstance(answer, list) else [answer]


async def load(
    url: str,
    cases: list[dict[str, Any]],
    *,
    requests: int,
    concurrency: int,
    authorization: str | None = None,
) -> dict[str, Any]:
    """``requests`` POSTs, ``concurrency`` at a time over keep-alive connections, cycling
    through ``cases`` (``{"body", "expected"}``); every answer's predictions are compared
    with ``expected``. Returns counts, errors (a few examples), req/s and latencies."""
    import aiohttp

    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if authorization:
        headers["Authorization"] = authorization
    bodies = [case["body"].encode() for case in cases]
    expected = [case["expected"] for case in cases]
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    wrong = 0
    checked = 0
    latencies: list[float] = []
    next_index = 0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal next_index, wrong, checked
        while next_index < requests:
            i = next_index
            next_index += 1
            case = i % len(bodies)
            started = time.perf_counter()
            try:
                async with session.post(url, data=bodies[case], headers=headers) as answer:
                    raw = await answer.read()
                    status = answer.status
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                statuses[-1] += 1
                if len(failures) < 5:
                    failures.append(f"request {i}: {type(exc).__name__}: {exc}")
                continue
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1
            if status != 200:
                if len(failures) < 5:
                    failures.append(f"request {i}: {status} {raw[:300]!r}")
                continue
            checked += 1
            try:
                got = predictions_of(json.loads(raw))
            except ValueError:
                got = None
            if got != expected[case]:
                wrong += 1
                if len(failures) < 5:
                    failures.append(f"request {i}: {raw[:200]!r}, expected {expected[case]}")

    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started, cpu_started = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
    latencies.sort()

    def pct(q: float) -> float | None:
        if not latencies:
            return None
        return round(latencies[min(len(latencies) - 1, int(q / 100 * len(latencies)))] * 1000, 3)

    errors = sum(n for status, n in statuses.items() if status != 200)
    return {
        "requests": requests,
        "concurrency": concurrency,
        "seconds": round(seconds, 3),
        "rps": round(requests / seconds, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": errors,
        "checked": checked,
        "wrong": wrong,
        "failures": failures,
        "p50_ms": pct(50),
        "p99_ms": pct(99),
        "client_cpu_ms_per_request": round(1000 * cpu_seconds / requests, 3),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="aiohttp load generator (one JSON line out)")
    parser.add_argument("url")
    parser.add_argument("--cases", type=Path, required=True, help='JSON [{"body", "expected"}]')
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--authorization", default=os.environ.get("MLSTUDIO_LOAD_AUTHORIZATION"))
    args = parser.parse_args(argv)
    cases = json.loads(args.cases.read_text())
    result = asyncio.run(
        load(
            args.url,
            cases,
            requests=args.requests,
            concurrency=args.concurrency,
            authorization=args.authorization,
        )
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
