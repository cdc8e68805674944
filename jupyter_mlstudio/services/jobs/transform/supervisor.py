"""One batch transform job, driven by a supervisor thread.

Starting: InstanceCount model servers for the model (:class:`TransformInstances`, the
endpoints' :class:`~jupyter_mlstudio.hosting.instances.VariantInstances` labelled as the
job's), each answering ``/ping``; unset concurrency, payload and strategy come from the
first one's ``/execution-parameters``. Downloading: the input files are listed (S3 ones
copied into the job folder). Transforming: each file is split into records, batched and
sent over keep-alive connections, ``MaxConcurrentTransforms`` per instance, through a
bounded window so that answers are written in input order while later batches are in
flight. A batch the model refuses is sent again record by record, so that only the bad
records fail. Uploading: ``<input>.out`` files go to ``S3OutputPath``. Then Completed, or
Failed with "N of M records failed" while the good outputs are kept. Stop (from any
process, through the job's status) and the studio closing end it early.

Instance logs are copied into ``<home>/jobs/<job>/logs/<host>.log`` while the job runs.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import shutil
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ....artifacts import open_artifact_store
from ....config import StudioConfig
from ....entities import TERMINAL_JOB_STATUSES, JobStatus, SecondaryStatus, utcnow
from ....exceptions import ConflictError, NotFoundError, StudioError, ValidationError
from ....hosting.instances import (
    LABEL_KIND,
    Instance,
    VariantInstances,
    VariantPlan,
    unpack_model,
)
from ....hosting.pipeline import chain
from ....runtime.base import LABEL_MANAGED, JobRunner
from ....store.base import MetadataStore
from ..layout import claim_supervision, job_dir, log_path, release_supervision
from .files import InputFile, Outcome, OutputWriter, Tally, list_inputs, open_input
from .records import (
    MULTI_RECORD,
    SINGLE_RECORD,
    Record,
    RecordError,
    assemble,
    batch_records,
    body_of,
    filter_input,
    output_record,
    record_format,
    split_answer,
    split_records,
)
from .requests import TransformSettings

log = logging.getLogger(__name__)

KIND = "TransformJob"
LABEL_TRANSFORM = "mlstudio.transform"
DEFAULT_PAYLOAD_MB = 6
STORE_CHECK_S = 0.5
PROGRESS_S = 2.0
OUTPUT_FILES_KEPT = 1000
_STRATEGIES = {"MULTI_RECORD": MULTI_RECORD, "SINGLE_RECORD": SINGLE_RECORD}


class TransformInstances(VariantInstances):
    """A transform job's model servers: the runner's job name is the transform job's, so
    they are found by it (``runner.reattach``); start failures keep the hosts (and their
    logs) for the supervisor to copy before it stops them."""

    def __init__(self, plan: VariantPlan, runner: JobRunner, folder: Path, job_name: str) -> None:
        super().__init__(plan, runner, folder, generation=0)
        self.job_name = job_name

    def labels(self) -> dict[str, str]:
        return {LABEL_MANAGED: "true", LABEL_KIND: KIND, LABEL_TRANSFORM: self.job_name}

    def start(self, count: int | None = None) -> None:
        count = self.plan.instance_count if count is None else count
        unpack_model(self.plan, self.model_dir)
        for index in range(count):
            self._launch(index, count)
        for instance in list(self.instances):
            self._wait_ready(instance)

    def halt(self) -> None:
        """Stop the hosts (not removed: their logs stay readable until :meth:`stop`)."""
        for instance in list(self.instances):
            for part in instance.parts():  # every container of a pipeline
                if part.handle is not None:
                    with contextlib.suppress(StudioError):
                        self.runner.stop(part.handle, grace_seconds=2.0)


class Stopped(Exception):
    """The job was asked to stop (or the studio is closing)."""


class InstanceLost(StudioError):
    """A model server exited while the job needed it."""


class _Client:
    """Keep-alive connections to one instance (used by one worker thread): one, or one
    per container of an inference pipeline, which a request goes through in order."""

    def __init__(self, instance: Instance, timeout: float) -> None:
        self.instance = instance
        self.conns = []
        for part in instance.parts():
            assert part.url is not None
            host, _, port = part.url.removeprefix("http://").rpartition(":")
            self.conns.append(http.client.HTTPConnection(host, int(port), timeout=timeout))

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str, bytes]:
        if self.instance.members:
            plans = [m.plan for m in self.instance.members]
            return chain(self._send, plans, body, headers)
        return self._send(0, body, headers)

    def _send(self, index: int, body: bytes, headers: Mapping[str, str]) -> tuple[int, str, bytes]:
        conn = self.conns[index]
        conn.request("POST", "/invocations", body=body, headers=dict(headers))
        answer = conn.getresponse()
        data = answer.read()
        return answer.status, answer.getheader("Content-Type") or "", data

    def close(self) -> None:
        for conn in self.conns:
            conn.close()


class TransformSupervisor(threading.Thread):
    def __init__(
        self,
        *,
        store: MetadataStore,
        config: StudioConfig,
        settings: TransformSettings,
        plan: VariantPlan,
        runner: JobRunner,
        output_uri: str,
    ) -> None:
        super().__init__(name=f"mlstudio-transform-{settings.job_name}", daemon=True)
        self.store = store
        self.config = config
        self.settings = settings
        self.job_name = settings.job_name
        self.folder = job_dir(config, settings.job_name)
        self.output_uri = output_uri
        self.instances = TransformInstances(plan, runner, self.folder / "instances", self.job_name)
        self.runner = runner
        self._stop_asked = threading.Event()
        self._cancel = threading.Event()  # the transform loop left early: workers give up
        self._abort_reason: str | None = None
        self._starting = False
        self._next_check = 0.0
        self._next_progress = 0.0
        self._log_offsets: dict[str, int] = {}
        self._local = threading.local()
        self._clients: list[_Client] = []
        self._clients_lock = threading.Lock()
        self._assigned = 0
        self.tally = Tally()
        self.concurrency = 1
        self.strategy = SINGLE_RECORD
        self.max_bytes = DEFAULT_PAYLOAD_MB * 1024 * 1024

    # -- control (any thread) ---------------------------------------------------------------
    def request_stop(self, reason: str | None = None) -> None:
        """Stop the job: Stopped, or Failed with ``reason`` (the studio closing)."""
        self._abort_reason = reason
        self._stop_asked.set()
        if self._starting:  # waiting for /ping: the hosts exit and the wait ends
            threading.Thread(target=self.instances.halt, daemon=True).start()

    # -- the job ----------------------------------------------------------------------------
    def run(self) -> None:
        self._claim()
        try:
            self._run()
        except Stopped:
            self._end_stopped()
        except Exception as exc:  # every failure ends the job with its reason
            if self._stop_asked.is_set():
                self._end_stopped()
            else:
                log.info("transform job %s failed: %s", self.job_name, exc, exc_info=True)
                self._end(JobStatus.FAILED, SecondaryStatus.FAILED, _reason(exc))
        finally:
            self._shutdown()

    def _run(self) -> None:
        count = self.settings.instance_count
        self._starting = True
        try:
            self.instances.start()
        except StudioError as exc:
            if self._stop_asked.is_set():
                raise Stopped from None
            raise StudioError(f"the model servers did not start: {exc.message}") from None
        finally:
            self._starting = False
        self._copy_logs()
        self._check_stop(force=True)
        self._execution_parameters()
        self._update(
            SecondaryStatus.DOWNLOADING,
            f"Reading the input from {self.settings.input_uri}",
            start_time=utcnow(),
        )
        files = list_inputs(self.settings, self.folder / "input")
        self._check_stop(force=True)
        workers = count * self.concurrency
        self._update(
            SecondaryStatus.TRANSFORMING,
            f"Transforming {len(files)} file(s) on {count} instance(s),"
            f" {self.concurrency} request(s) at a time each ({self.strategy},"
            f" {self.max_bytes // (1024 * 1024)} MB)",
            outputs={"TransformSettings": self._effective_settings(workers)},
        )
        started = time.monotonic()
        writer = self._transform(files, workers)
        seconds = time.monotonic() - started
        self._check_stop(force=True)
        self._update(SecondaryStatus.UPLOADING, f"Writing the output to {self.output_uri}")
        self._upload(writer)
        self._finish(seconds)

    def _effective_settings(self, workers: int) -> dict[str, Any]:
        return {
            "BatchStrategy": self.strategy,
            "MaxPayloadInMB": self.max_bytes // (1024 * 1024),
            "MaxConcurrentTransforms": self.concurrency,
            "InstanceCount": self.settings.instance_count,
            "Workers": workers,
        }

    # -- starting -------------------------------------------------------------------------
    def _execution_parameters(self) -> None:
        """Defaults from the model server's ``/execution-parameters`` (if it has one)."""
        found: dict[str, Any] = {}
        instance = self.instances.instances[0]
        with contextlib.suppress(OSError, ValueError, http.client.HTTPException):
            client = _Client(instance, timeout=5.0)
            try:
                client.conns[0].request("GET", "/execution-parameters")
                answer = client.conns[0].getresponse()
                body = answer.read()
                if answer.status == 200:
                    found = dict(json.loads(body))
            finally:
                client.close()
        s = self.settings
        concurrency = s.max_concurrent or _positive(found.get("MaxConcurrentTransforms")) or 1
        self.concurrency = min(concurrency, 64)
        self.strategy = s.strategy or _STRATEGIES.get(
            str(found.get("BatchStrategy")), SINGLE_RECORD
        )
        payload = s.max_payload_mb or _positive(found.get("MaxPayloadInMB")) or DEFAULT_PAYLOAD_MB
        self.max_bytes = min(payload, 100) * 1024 * 1024

    # -- transforming ---------------------------------------------------------------------
    def _transform(self, files: list[InputFile], workers: int) -> OutputWriter:
        out_dir = self.folder / "output"
        shutil.rmtree(out_dir, ignore_errors=True)
        window: deque[tuple[InputFile, Future[Outcome]]] = deque()
        # batches waiting or in flight: enough to keep every worker busy, fewer when they
        # are large (about 64 MB of requests beyond the ones being answered)
        limit = workers + 1 + max(1, min(workers, (64 << 20) // self.max_bytes))
        writer = OutputWriter(out_dir, self.tally)
        pool = ThreadPoolExecutor(workers, thread_name_prefix=f"mlstudio-{self.job_name}")
        try:
            for item, batch in self._batches(files):
                window.append((item, pool.submit(self._invoke, batch)))
                while len(window) >= limit:
                    self._write(writer, *window.popleft())
            while window:
                self._write(writer, *window.popleft())
        finally:
            self._stop_on_error(window)
            if self._stop_asked.is_set():  # answers in flight are not waited for
                self.instances.halt()
            pool.shutdown(wait=True, cancel_futures=True)
            writer.close()
            for client in self._clients:
                client.close()
        return writer

    def _stop_on_error(self, window: deque[tuple[InputFile, Future[Outcome]]]) -> None:
        if window:  # left early: workers still waiting on answers are told to give up
            self._cancel.set()
            for _, future in window:
                future.cancel()

    def _batches(self, files: list[InputFile]) -> Iterator[tuple[InputFile, list[Record]]]:
        s = self.settings
        fmt = s.input_format
        for item in files:
            yield item, []  # opens the output file (an empty input gives an empty output)
            with open_input(item.path, s.gzip) as stream:
                records = (
                    _record(number, raw, s.input_filter, fmt)
                    for number, raw in split_records(stream, s.split_type)
                )
                for batch in batch_records(records, self.strategy, self.max_bytes, s.split_type):
                    yield item, batch

    def _write(self, writer: OutputWriter, item: InputFile, future: Future[Outcome]) -> None:
        while True:
            self._check_stop()
            self._progress()
            try:
                outcome = future.result(timeout=STORE_CHECK_S)
                break
            except TimeoutError:
                continue
        writer.write(item, outcome)

    def _client(self) -> _Client:
        client: _Client | None = getattr(self._local, "client", None)
        if client is None:
            with self._clients_lock:
                instances = self.instances.instances
                instance = instances[self._assigned % len(instances)]
                self._assigned += 1
                client = _Client(instance, self.settings.timeout_s)
                self._clients.append(client)
            self._local.client = client
        return client

    def _invoke(self, batch: list[Record]) -> Outcome:
        """Send a batch; on a refusal, its records one by one. Runs on a worker thread."""
        if not batch:
            return Outcome()
        if self._stop_asked.is_set() or self._cancel.is_set():
            raise Stopped
        if len(batch) == 1 and batch[0].error is not None:
            return Outcome(failures=[(batch[0].number, batch[0].error)], records=1)
        outcome = self._try(batch)
        if outcome is not None:
            return outcome
        isolated = Outcome(records=len(batch))
        for record in batch:
            single = self._try([record], isolate=False)
            assert single is not None
            isolated.outputs.extend(single.outputs)
            isolated.failures.extend(single.failures)
        return isolated

    def _try(self, batch: list[Record], *, isolate: bool = True) -> Outcome | None:
        """The batch's outcome, or None when it failed as a whole and has several records
        (``isolate``: the caller retries them one by one)."""
        s = self.settings
        headers = {"Content-Type": s.content_type or "application/octet-stream"}
        if s.accept:
            headers["Accept"] = s.accept
        status, content_type, data = self._post(body_of(batch, s.split_type), headers)
        error = None
        if 200 <= status < 300:
            try:
                return self._outputs(batch, data, content_type)
            except RecordError as exc:
                error = str(exc)
        else:
            error = _model_error(status, data)
        if isolate and len(batch) > 1:
            return None
        return Outcome(failures=[(r.number, error) for r in batch], records=len(batch))

    def _post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str, bytes]:
        client = self._client()
        attempts = self.settings.max_retries + 1
        for attempt in range(attempts):
            try:
                return client.post(body, headers)
            except TimeoutError:
                client.close()
                return 504, "", f"no answer within {self.settings.timeout_s:.0f} s".encode()
            except (OSError, http.client.HTTPException) as exc:
                client.close()  # reconnects on the next request
                if self._stop_asked.is_set() or self._cancel.is_set():
                    raise Stopped from None
                self._check_alive(client.instance)
                if attempt == attempts - 1:
                    return 502, "", f"{client.instance.host} did not answer: {exc}".encode()
        raise AssertionError("unreachable")

    def _check_alive(self, instance: Instance) -> None:
        for part in instance.parts():  # every container of a pipeline
            assert part.handle is not None
            try:
                state = self.runner.poll(part.handle)
            except NotFoundError:
                raise InstanceLost(f"instance {part.host} is gone") from None
            if not state.running:
                raise InstanceLost(
                    f"instance {part.host} exited with code {state.exit_code}:"
                    f" {self.instances.log_tail(instance)}"
                )

    def _outputs(self, batch: list[Record], data: bytes, content_type: str) -> Outcome:
        s = self.settings
        if not s.per_record:
            return Outcome(outputs=[assemble(data, s.assemble_with)], records=len(batch))
        out_format = record_format(content_type or s.accept)
        answers = split_answer(data, len(batch), "json" if out_format == "json" else "csv")
        outcome = Outcome(records=len(batch))
        for record, answer in zip(batch, answers, strict=True):
            try:
                out = output_record(
                    record.raw,
                    answer,
                    input_format=s.input_format,
                    output_format=out_format,
                    join=s.join,
                    output_filter=s.output_filter,
                )
            except RecordError as exc:
                outcome.failures.append((record.number, str(exc)))
                continue
            outcome.outputs.append(assemble(out, s.assemble_with))
        return outcome

    # -- uploading and the end ------------------------------------------------------------
    def _upload(self, writer: OutputWriter) -> None:
        with open_artifact_store(self.output_uri) as store:
            writer.upload(store)
        shutil.rmtree(writer.out_dir, ignore_errors=True)

    def _finish(self, seconds: float) -> None:
        t = self.tally
        outputs = {
            "TransformOutput": {"S3OutputPath": self.output_uri},
            "OutputFiles": t.files[:OUTPUT_FILES_KEPT],
            "OutputFileCount": len(t.files),
            "RecordCount": t.records,
            "FailedRecordCount": t.failed,
            "FailedRecords": t.first_errors,
            "RecordsPerSecond": round(t.records / seconds, 1) if seconds > 0 else None,
            "Progress": self.tally.figures(),
        }
        if t.failed:
            first = t.first_errors[0]
            reason = (
                f"{t.failed} of {t.records} records failed: first error: {first['File']}"
                f" record {first['Record']}: {first['Error']}"
            )
            self._end(JobStatus.FAILED, SecondaryStatus.FAILED, reason, outputs=outputs)
            return
        self._end(JobStatus.COMPLETED, SecondaryStatus.COMPLETED, None, outputs=outputs)

    def _end_stopped(self) -> None:
        if self._abort_reason:
            self._end(JobStatus.FAILED, SecondaryStatus.FAILED, self._abort_reason)
        else:
            self._end(JobStatus.STOPPED, SecondaryStatus.STOPPED, None)

    def _end(
        self,
        status: JobStatus,
        secondary: SecondaryStatus,
        reason: str | None,
        outputs: dict[str, Any] | None = None,
    ) -> None:
        message = {
            JobStatus.COMPLETED: "Transform job completed",
            JobStatus.STOPPED: "Transform job stopped",
        }.get(status, reason)
        with contextlib.suppress(ConflictError, NotFoundError):  # ended elsewhere, or deleted
            self.store.update_job(
                self.job_name,
                status=status,
                secondary_status=secondary,
                status_message=message,
                failure_reason=reason,
                outputs=outputs,
                end_time=utcnow(),
            )

    def _shutdown(self) -> None:
        self.instances.halt()
        self._copy_logs()
        try:
            self.instances.stop()
        except Exception:  # the job has ended: log it and go on
            log.exception("transform job %s: could not stop its model servers", self.job_name)
        shutil.rmtree(self.folder / "input", ignore_errors=True)
        shutil.rmtree(self.folder / "output", ignore_errors=True)
        release_supervision(self.folder)

    # -- bookkeeping ----------------------------------------------------------------------
    def _claim(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        claim_supervision(self.folder)

    def _update(self, secondary: SecondaryStatus, message: str, **changes: Any) -> None:
        self.store.update_job(
            self.job_name, secondary_status=secondary, status_message=message, **changes
        )

    def _check_stop(self, force: bool = False) -> None:
        """Raise Stopped when asked here or (read from the store) by another process."""
        if self._stop_asked.is_set():
            raise Stopped
        now = time.monotonic()
        if not force and now < self._next_check:
            return
        self._next_check = now + STORE_CHECK_S
        self._copy_logs()
        try:
            status = self.store.get_job(self.job_name).status
        except NotFoundError:
            status = JobStatus.STOPPED
        if status is JobStatus.STOPPING or status in TERMINAL_JOB_STATUSES:
            self._stop_asked.set()
            raise Stopped

    def _progress(self) -> None:
        now = time.monotonic()
        if now < self._next_progress:
            return
        self._next_progress = now + PROGRESS_S
        with contextlib.suppress(ConflictError, NotFoundError):
            self.store.update_job(self.job_name, outputs={"Progress": self.tally.figures()})

    def _copy_logs(self) -> None:
        """Each host's new log lines (of a pipeline: each container's, as
        ``algo-N-c<i>``) into the job's folder."""
        parts = [part for i in list(self.instances.instances) for part in i.parts()]
        for part in parts:
            if part.handle is None:
                continue
            offset = self._log_offsets.get(part.host, 0)
            try:
                text, next_offset = self.runner.logs(part.handle, offset)
            except (NotFoundError, ValidationError):
                continue
            if text:
                path = log_path(self.config, self.job_name, part.host)
                path.parent.mkdir(parents=True, exist_ok=True)
                with open(path, "ab") as out:
                    out.write(text.encode("utf-8"))
            self._log_offsets[part.host] = next_offset


def _record(number: int, raw: bytes, input_filter: Any, fmt: str) -> Record:
    try:
        return Record(number, raw, filter_input(raw, input_filter, fmt))
    except RecordError as exc:
        return Record(number, raw, b"", error=str(exc))


def _model_error(status: int, data: bytes) -> str:
    text = data.decode("utf-8", errors="replace").strip().replace("\n", " ")
    return f"the model answered {status}: {text[:300]}" if status < 502 else text[:300]


def _positive(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _reason(exc: BaseException) -> str:
    message = exc.message if isinstance(exc, StudioError) else f"{type(exc).__name__}: {exc}"
    return message[:1024]
