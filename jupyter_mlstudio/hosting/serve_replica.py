"""The body of a Ray Serve replica of an endpoint variant: one model server on its node.

A replica starts the variant's model server as every runtime does (the serving contract:
the :class:`.runtime.base.ContainerSpec` that :class:`.instances.VariantInstances` builds,
here under the replica's own host name ``replica-<id>``), run by the process runtime on
the node Serve placed the replica on, and forwards each request Serve's proxy gives it to
the server's ``/invocations``. Its answers carry :data:`REPLICA_HEADER` (the studio's
router tells them from the proxy's own errors by it). ``check_health`` polls and pings the
server, so Serve replaces a replica whose server died; when Serve stops a replica (scale
in, delete) it first drains its requests, then the server is stopped.

While it runs, a replica keeps a record (JSON) in the variant's ``replicas`` folder: its
host, Serve's actor name, its node and the model server's handle. The studio reads them
(the nodes share the studio's disk, as for every Ray host) and removes a record whose
actor is gone, after stopping its server on its node (:func:`sweep`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from ..runtime.base import ContainerSpec, JobHandle
from .instances import ping
from .upstream import Upstream

#: the header of every answer a replica gives (its host name)
REPLICA_HEADER = "x-mlstudio-replica"
#: request headers a replica passes on to its model server
_PASSED = ("content-type", "accept", "x-amzn-sagemaker-custom-attributes")
#: answer headers it passes back
_RETURNED = ("content-type", "x-amzn-sagemaker-custom-attributes")
RECORD_SUFFIX = ".replica.json"


def record_path(records: Path, host: str) -> Path:
    """Where replica ``host`` keeps its record.

    Args:
        records: The variant's ``replicas`` folder.
        host: ``replica-<id>``.

    Returns:
        The record's path.
    """
    return records / f"{host}{RECORD_SUFFIX}"


def handle_of(record: dict[str, Any]) -> JobHandle:
    """The model server's handle in a replica's record.

    Args:
        record: A record as the replica wrote it.

    Returns:
        The handle (of the process runtime).
    """
    return JobHandle(**record["handle"])


class ModelServerReplica:
    """One replica (the Serve deployment's class): a model server and its forwarder.

    Args:
        template: The variant's ContainerSpec of ``algo-1`` (host name and folders are
            replaced by the replica's own).
        state_root: The process runtime's state folder (shared by the nodes).
        records: The variant's ``replicas`` folder.
        ready_timeout_s: How long the server may take to answer ``/ping``.
        timeout_s: How long one invocation may take.

    Raises:
        RuntimeError: The server exited or did not answer ``/ping`` in time (with the
            last lines of its log); Serve then reports the deployment as failed.
    """

    def __init__(
        self,
        template: ContainerSpec,
        state_root: str,
        records: str,
        ready_timeout_s: float,
        timeout_s: float,
    ) -> None:
        import ray
        from ray import serve

        from ..runtime.process import ProcessRunner

        replica_id = serve.get_replica_context().replica_id
        self.host = f"replica-{replica_id.unique_id}"
        self.timeout_s = timeout_s
        self.records = Path(records)
        self.runner = ProcessRunner(Path(state_root), warm_start=False)
        ml_dir = template.ml_dir.parent.parent / self.host / "ml"
        ml_dir.mkdir(parents=True, exist_ok=True)
        env = dict(template.env)
        env["SM_MODEL_DIR"] = str(ml_dir / "model")
        env["SAGEMAKER_SUBMIT_DIRECTORY"] = str(ml_dir / "model" / "code")
        env["SM_CURRENT_HOST"] = self.host
        spec = replace(template, host=self.host, ml_dir=ml_dir, env=env, instance_index=0)
        self.handle = self.runner.launch(spec)
        host, port = self.runner.address(self.handle)
        self.url = f"http://{host}:{port}"
        self._upstreams: dict[asyncio.AbstractEventLoop, Upstream] = {}
        self._wait_ready(ready_timeout_s)
        context = ray.get_runtime_context()
        record = {
            "host": self.host,
            "actor": context.get_actor_name() or replica_id.to_full_id_str(),
            "node_id": context.get_node_id(),
            "address": ray.util.get_node_ip_address(),
            "started_at": time.time(),
            "url": self.url,
            "handle": {**asdict(self.handle), "labels": dict(self.handle.labels)},
        }
        self.records.mkdir(parents=True, exist_ok=True)
        path = record_path(self.records, self.host)
        scratch = path.with_suffix(".tmp")
        scratch.write_text(json.dumps(record))
        os.replace(scratch, path)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        delay = 0.02
        while not ping(self.url):
            state = self.runner.poll(self.handle)
            if not state.running or time.monotonic() > deadline:
                why = (
                    f"exited with code {state.exit_code}"
                    if not state.running
                    else f"did not answer /ping within {timeout:.0f} s"
                )
                tail = self._log_tail()
                self._stop_server()
                raise RuntimeError(f"the model server of {self.host} {why}: {tail}")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)

    def _log_tail(self, lines: int = 8) -> str:
        try:
            text, _ = self.runner.logs(self.handle)
        except Exception:  # the log is what we wanted to show, not a new failure
            return "(no log)"
        tail = [line for line in text.strip().splitlines() if line.strip()][-lines:]
        return " | ".join(tail)[-1500:] or "(empty log)"

    async def __call__(self, request: Any) -> Any:
        """Forward one request to the model server's ``/invocations``.

        Args:
            request: Serve's Starlette request.

        Returns:
            The server's answer as a Starlette response, with :data:`REPLICA_HEADER`.
        """
        from starlette.responses import Response

        body = await request.body()
        headers = {name: request.headers[name] for name in _PASSED if name in request.headers}
        loop = asyncio.get_running_loop()
        upstream = self._upstreams.get(loop)
        if upstream is None or upstream.closed:
            upstream = self._upstreams[loop] = Upstream()
        answer = await upstream.post(self.url, "/invocations", body, headers, self.timeout_s)
        out = {name: answer.headers[name] for name in _RETURNED if name in answer.headers}
        out[REPLICA_HEADER] = self.host
        return Response(content=answer.body, status_code=answer.status, headers=out)

    def check_health(self) -> None:
        """Serve's health check: the server runs and answers ``/ping``.

        Raises:
            RuntimeError: It does not (Serve then replaces this replica).
        """
        if not self.runner.poll(self.handle).running:
            raise RuntimeError(f"the model server of {self.host} exited")
        if not ping(self.url, timeout=2.0):
            raise RuntimeError(f"the model server of {self.host} does not answer /ping")

    def _stop_server(self) -> None:
        try:
            self.runner.stop(self.handle, grace_seconds=5.0)
        finally:
            self.runner.cleanup(self.handle)

    def __del__(self) -> None:
        # Serve calls this once the replica's requests are drained (scale in, delete)
        record_path(self.records, self.host).unlink(missing_ok=True)
        if getattr(self, "handle", None) is not None:
            self._stop_server()


def sweep(state_root: str, record: dict[str, Any]) -> None:
    """Stop the model server of a replica whose actor is gone (run on its node: the
    server runs on after a replica is killed) and remove its folder.

    Args:
        state_root: The process runtime's state folder.
        record: The replica's record.
    """
    from ..runtime.process import ProcessRunner

    runner = ProcessRunner(Path(state_root), warm_start=False)
    handle = handle_of(record)
    try:
        runner.stop(handle, grace_seconds=2.0)
        # Ray kills a dead worker's children, so the server's supervisor is likely gone
        # (the runner sees nothing running) while the server lives on in its group
        _end_group(int(handle.ref), grace_seconds=2.0)
    finally:
        runner.cleanup(handle)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process not ours took the id: not the server's group
        return False
    return True


def _end_group(group: int, grace_seconds: float) -> None:
    """SIGTERM a process group, SIGKILL what is left of it after ``grace_seconds``."""
    if group <= 1 or not _group_alive(group):
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    while _group_alive(group) and time.monotonic() < deadline:
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)
