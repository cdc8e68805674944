"""The supervisor of one training job: a thread that walks it through its lifecycle.

Secondary statuses: Starting → Downloading (channels and checkpoints into ``/opt/ml``) →
Training (the runner launches the hosts algo-1 .. algo-N, one per instance; each host's log
is copied into the job folder, ``logs/<host>.log``, and the metric regexes are applied to
each line of algo-1's) → Uploading (``model.tar.gz`` and
``output.tar.gz`` of algo-1, as SageMaker does, under the output path) → Completed once
every host exited 0. A non-zero exit of any host stops the others and is Failed with the
text of that host's ``/opt/ml/output/failure`` (or its exit code) as FailureReason,
prefixed with the host's name when the job has several; a host the runtime lost (it ended
with no exit code: its cluster node died, or it ended while no runner watched) is Failed
with ``InternalServerError: <what the runtime said>`` (which a pipeline step's retry
policy for ``SageMaker.JOB_INTERNAL_ERROR`` retries); a stop request (this process's
:meth:`TrainingSupervisor.request_stop`, or the job's status set to Stopping by any
process) is Stopping → Stopped (every host is stopped); ``MaxRuntimeInSeconds`` is Failed
with secondary status MaxRuntimeExceeded.

:meth:`TrainingSupervisor.detach` leaves a running job alone (studio shutdown); a new
supervisor re-attaches to it later (``handles`` given), resuming the log where the job
folder's copy ends.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from ...artifacts import transfer
from ...artifacts.base import ArtifactStore
from ...config import StudioConfig
from ...entities import (
    TERMINAL_JOB_STATUSES,
    JobKind,
    JobStatus,
    MetricPoint,
    SecondaryStatus,
    TrialComponentArtifact,
    TrialComponentPrimaryStatus,
    utcnow,
)
from ...exceptions import NotFoundError, StudioError
from ...runtime.base import ContainerSpec, JobHandle, JobRunner, JobState
from ...store.base import MetadataStore
from . import checkpoints, debugging, placement, runs, tracking_channel
from .layout import (
    HOST,
    claim_supervision,
    host_ml_dir,
    job_dir,
    log_path,
    release_supervision,
)
from .training_plan import container_spec

log = logging.getLogger(__name__)

POLL_S = 0.2
STORE_CHECK_S = 1.0
STOP_GRACE_S = 10.0
STARTUP_WAIT_S = 0.5
MAX_RUNTIME_REASON = "MaxRuntimeExceeded: the job ran longer than MaxRuntimeInSeconds ({} s)"


class TrainingSupervisor(threading.Thread):
    """Drives one job; ``plan`` is a TrainingPlan (or a ProcessingPlan for the subclass)."""

    def __init__(
        self,
        *,
        store: MetadataStore,
        artifacts: ArtifactStore,
        config: StudioConfig,
        runner: JobRunner,
        plan: Any,
        owns_run: bool | None,
        handles: Sequence[JobHandle] | None = None,
    ) -> None:
        super().__init__(name=f"mlstudio-job-{plan.job_name}", daemon=True)
        self.plan: Any = plan
        self.store = store
        self.artifacts = artifacts
        self.config = config
        self.runner = runner
        self.owns_run = owns_run  # None: the job's run is created after the launch
        self.handles: list[JobHandle] = list(handles or [])
        self.hosts: tuple[str, ...] = tuple(getattr(plan, "hosts", (HOST,)))
        self.folder = job_dir(config, plan.job_name)
        self.ml_dir = host_ml_dir(self.folder)  # algo-1's: the model and failure come from it
        self.log_file = log_path(config, plan.job_name)
        self._failed_host = HOST
        self._stop_event = threading.Event()
        self._detach_event = threading.Event()
        self._partial = ""
        self._early_error: Exception | None = None
        self._checkpoints: checkpoints.CheckpointSyncThread | None = None
        self._channels: dict[str, tracking_channel.ChannelReader] = {}
        self._launched_at: datetime | None = None
        self._sampler: Any = None  # the profiler's ProfilerSampler while the hosts run
        self._steps: dict[str, int] = {}
        self._last: dict[str, tuple[float, datetime]] = {}

    # -- control from other threads -------------------------------------------------------
    def request_stop(self) -> None:
        self._stop_event.set()

    def detach(self) -> None:
        """Stop watching; the job keeps running and stays InProgress (re-attached later)."""
        self._detach_event.set()

    # -- lifecycle ------------------------------------------------------------------------
    def launch_early(self) -> None:
        """With nothing to download, start the hosts in the calling thread (the job
        service's, before :meth:`start`): the supervisor thread would first have to win the
        GIL from a caller that keeps running Python, which costs milliseconds between
        ``fit()`` and the first line of user code. A launch error ends the job in
        :meth:`run`, as it would have there."""
        if self.handles or self._has_inputs():
            return
        try:
            self._launch()
        except Exception as exc:
            self._early_error = exc

    def run(self) -> None:
        self._claim()
        try:
            if self._early_error is not None:
                raise self._early_error
            if self._launched_at is not None:  # by launch_early
                self._let_hosts_start()
                self._after_launch(fetching=False)
            elif not self.handles:
                if not self._prepare():
                    return
            else:
                self._start_checkpoint_sync()
                self._ensure_run()
                self._resume_steps()
                self._start_profiler()
            self._watch()
        except Exception as exc:  # anything unexpected still ends the job
            log.exception("training job %s failed in the studio", self.plan.job_name)
            reason = exc.message if isinstance(exc, StudioError) else f"{type(exc).__name__}: {exc}"
            self._end(JobStatus.FAILED, SecondaryStatus.FAILED, reason=f"ClientError: {reason}")
        finally:
            self._save_checkpoints(final=not self._detach_event.is_set())  # no-op if done
            self._stop_profiler()
            release_supervision(self.folder)

    def _claim(self) -> None:
        claim_supervision(self.folder)

    def _prepare(self) -> bool:
        """Downloading, then launch. False when the job ended on the way (stopped).

        Nothing that can wait stands between ``fit()`` and the launch: with nothing to
        download the hosts start first (:meth:`launch_early`) and Downloading is recorded
        after them; the stop check before the launch reads the store only after a download
        (a stop asked meanwhile by another process is seen by the first round of
        :meth:`_watch`)."""
        fetching = self._has_inputs()
        if fetching:
            self._update(SecondaryStatus.DOWNLOADING, "Downloading input data")
            self._download()
        if self._stop_event.is_set() or (fetching and self._stop_requested()):
            self._end(JobStatus.STOPPED, SecondaryStatus.STOPPED)
            return False
        self._launch()
        self._after_launch(fetching)
        return True

    def _launch(self) -> None:
        for spec in self._specs():
            try:
                self.handles.append(self.runner.launch(spec))
            except BaseException:
                self._discard_launched()
                raise
        self._launched_at = utcnow()

    def _let_hosts_start(self) -> None:
        """Wait (at most :data:`STARTUP_WAIT_S`) for algo-1's first output before writing
        the launch's records, so that this thread's store writes do not compete for the
        CPU with the start of the job's interpreter on a busy machine."""
        deadline = time.monotonic() + STARTUP_WAIT_S
        while time.monotonic() < deadline and not self._stop_event.is_set():
            try:
                if self.runner.logs(self.handles[0], 0)[1] > 0:
                    return
            except StudioError:
                return
            self._stop_event.wait(0.01)

    def _after_launch(self, fetching: bool) -> None:
        """The records a launch needs, written once the hosts run."""
        self._start_profiler()
        self._start_checkpoint_sync()
        self._ensure_run()
        if not fetching:
            self._update(SecondaryStatus.DOWNLOADING, "Nothing to download")
        nodes = placement.host_nodes(self.handles)  # where they run, kept past their end
        self.store.update_job(
            self.plan.job_name,
            secondary_status=SecondaryStatus.TRAINING,
            status_message=f"{self.what.capitalize()} in progress",
            start_time=self._launched_at,
            outputs={placement.HOSTS_KEY: nodes} if nodes else None,
        )

    def _ensure_run(self) -> None:
        """Create the job's run when the job service left it to the supervisor."""
        if self.owns_run is not None:
            return
        try:
            self.owns_run = runs.prepare_run(self.store, self.plan, self.kind)
        except StudioError:
            log.warning("job %s: its run was not created", self.plan.job_name, exc_info=True)
            self.owns_run = False

    # -- what differs between kinds of jobs (overridden for processing jobs) ---------------
    what = "training"
    kind = JobKind.TRAINING
    failure_files: tuple[str, ...] = ("output/failure",)

    def _has_inputs(self) -> bool:
        return bool(self.plan.channels) or self.plan.request.CheckpointConfig is not None

    def discard_launch(self) -> None:
        """Undo :meth:`launch_early` (the job's record could not be written)."""
        self._discard_launched()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _discard_launched(self) -> None:
        """A host could not be launched: the ones already started go."""
        for handle in self.handles:
            with contextlib.suppress(Exception):
                self.runner.stop(handle, grace_seconds=1.0)
            with contextlib.suppress(Exception):
                self.runner.cleanup(handle)
        self.handles.clear()

    def _download(self) -> None:
        count = len(self.hosts)
        for index, host in enumerate(self.hosts):  # all files, or a shard (ShardedByS3Key)
            ml_dir = host_ml_dir(self.folder, host)
            for channel, uri in self.plan.channels:
                target = ml_dir / "input" / "data" / channel.name
                transfer.fetch_for_host(uri, target, channel.distribution, index, count)
            sync = self._checkpoint_sync(host)
            if sync is not None:  # restored into every host, synced from algo-1
                sync.restore()
                if host == HOST:
                    self._checkpoints = checkpoints.CheckpointSyncThread(sync, self.plan.job_name)
                else:
                    sync.close()

    def _checkpoint_sync(self, host: str = HOST) -> checkpoints.CheckpointSync | None:
        local_path = getattr(self.plan, "checkpoint_path", None)  # processing jobs: none
        if not local_path:
            return None
        folder = checkpoints.host_folder(host_ml_dir(self.folder, host), local_path)
        return checkpoints.CheckpointSync(folder, self.plan.request.CheckpointConfig.S3Uri)

    def _specs(self) -> list[ContainerSpec]:
        return [
            container_spec(
                self.plan, self.runner, host_ml_dir(self.folder, host), self.config, host
            )
            for host in self.hosts
        ]

    def _start_checkpoint_sync(self) -> None:
        """Mirror the checkpoints while the job runs (after a re-attach, from scratch:
        every file is uploaded once)."""
        if self._checkpoints is None:
            sync = self._checkpoint_sync()
            if sync is None:
                return
            self._checkpoints = checkpoints.CheckpointSyncThread(sync, self.plan.job_name)
        if not self._checkpoints.is_alive():
            self._checkpoints.start()

    def _start_profiler(self) -> None:
        if self._sampler is None and self.handles:
            debug = getattr(self.plan, "debug", None)  # processing jobs are not profiled
            self._sampler = debugging.start_sampler(debug, self.runner, self.handles, self.folder)

    def _stop_profiler(self) -> None:
        if self._sampler is not None:
            self._sampler.stop()

    def _save_checkpoints(self, final: bool = True) -> None:
        """The last round of the checkpoint sync (``final``), or just its end (detach)."""
        if self._checkpoints is not None:
            self._checkpoints.finish(final)

    def _watch(self) -> None:
        handles = list(self.handles)
        assert handles
        offsets = {h.host: self._log_size(h.host) for h in handles}
        ended: dict[str, JobState] = {}
        started_at = min(h.started_at for h in handles)
        failed: str | None = None
        next_store_check = 0.0
        outcome: str | None = None
        while True:
            for handle in handles:
                if handle.host not in ended:
                    state = self.runner.poll(handle)
                    if not state.running:
                        ended[handle.host] = state
                offsets[handle.host] = self._copy_logs(handle, offsets[handle.host])
                self._read_channel(handle.host)
            self._tick()
            if len(ended) == len(handles):
                break
            failed = next((h for h, state in ended.items() if state.exit_code != 0), None)
            if failed is not None:
                outcome = "host_failed"  # one host failed on its own: the others are stopped
            if self._detach_event.is_set():
                return
            now = time.monotonic()
            if outcome is None and now >= next_store_check:
                next_store_check = now + STORE_CHECK_S
                if self._stop_requested():
                    outcome = "stopped"
            if outcome is None and time.time() - started_at > self.plan.max_runtime_s:
                outcome = "max_runtime"
            if outcome is not None:
                self._stop_hosts([h for h in handles if h.host not in ended])
                for handle in handles:
                    if handle.host not in ended:
                        ended[handle.host] = self.runner.poll(handle)
                break
            self._stop_event.wait(POLL_S)
        self._stop_profiler()
        for handle in handles:
            offsets[handle.host] = self._copy_logs(handle, offsets[handle.host])
            self._read_channel(handle.host)
        self._flush_partial()
        if outcome == "host_failed":
            outcome = None
        else:  # the first host seen to end with a non-zero code
            failed = next((h for h, state in ended.items() if state.exit_code != 0), None)
        self._failed_host = failed or HOST
        state = ended[self._failed_host]
        try:
            self._conclude(outcome, state.exit_code, state.detail)
        finally:
            # only now: a studio that dies before the job's record is final (while it
            # uploads, say) leaves the hosts, with their exit codes, to the next one
            for handle in handles:
                with contextlib.suppress(NotFoundError):
                    self.runner.cleanup(handle)

    def _tick(self) -> None:
        """Called on every round of :meth:`_watch` (a rule job reads its status here)."""

    def _log_size(self, host: str) -> int:
        path = log_path(self.config, self.plan.job_name, host)
        return path.stat().st_size if path.exists() else 0

    def _stop_hosts(self, handles: list[JobHandle]) -> None:
        """Stop the hosts at the same time (each gets the full grace period)."""

        def stop(handle: JobHandle) -> None:
            with contextlib.suppress(NotFoundError):
                self.runner.stop(handle, grace_seconds=STOP_GRACE_S)

        threads = [threading.Thread(target=stop, args=(h,), daemon=True) for h in handles]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _conclude(self, outcome: str | None, exit_code: int | None, detail: str | None) -> None:
        self._save_checkpoints()
        if outcome == "stopped":
            outputs = self._upload_after_stop()
            self._end(
                JobStatus.STOPPED, SecondaryStatus.STOPPED, exit_code=exit_code, outputs=outputs
            )
        elif outcome == "max_runtime":
            reason = MAX_RUNTIME_REASON.format(self.plan.max_runtime_s)
            self._end(
                JobStatus.FAILED,
                SecondaryStatus.MAX_RUNTIME_EXCEEDED,
                reason=reason,
                exit_code=exit_code,
            )
        elif exit_code == 0:
            self._update(SecondaryStatus.UPLOADING, f"Uploading the {self.what} outputs")
            outputs = self._upload()
            self._end(JobStatus.COMPLETED, SecondaryStatus.COMPLETED, exit_code=0, outputs=outputs)
        else:
            self._end(
                JobStatus.FAILED,
                SecondaryStatus.FAILED,
                reason=self._failure_reason(exit_code, detail),
                exit_code=exit_code,
            )

    def _failure_reason(self, exit_code: int | None, detail: str | None) -> str:
        host = self._failed_host
        prefix = f"{host}: " if len(self.hosts) > 1 else ""
        for name in self.failure_files:
            with contextlib.suppress(OSError):
                text = (host_ml_dir(self.folder, host) / name).read_text(errors="replace").strip()
                if text:
                    return prefix + text
        if exit_code is None:  # the runtime lost the host (its node died): not the program
            lost = detail or "the job ended with an unknown exit code"
            return f"InternalServerError: {prefix}{lost}"
        return f"{prefix}AlgorithmError: the {self.what} program exited with code {exit_code}"

    def _upload_after_stop(self) -> dict[str, Any]:
        """As SageMaker does for a stopped training job: what the script saved in the
        model folder before it ended (it had the SIGTERM grace period) is uploaded."""
        if self.what != "training" or not transfer.has_files(self.ml_dir / "model"):
            return {}
        try:
            return self._upload()
        except Exception:  # the job is stopped either way
            log.exception("could not upload the model of stopped job %s", self.plan.job_name)
            return {}

    def _upload(self) -> dict[str, Any]:
        key = f"{self.plan.job_name}/output"
        if self.plan.output_path is None:
            key = f"jobs/{key}"
        packed = self.folder / "packed"
        model_uri = transfer.publish(
            transfer.pack(self.ml_dir / "model", packed / "model.tar.gz"),
            self.plan.output_path,
            f"{key}/model.tar.gz",
            self.artifacts,
        )
        outputs: dict[str, Any] = {"ModelArtifacts": {"S3ModelArtifacts": model_uri}}
        data = self.ml_dir / "output" / "data"
        if transfer.has_files(data):
            data_uri = transfer.publish(
                transfer.pack(data, packed / "output.tar.gz"),
                self.plan.output_path,
                f"{key}/output.tar.gz",
                self.artifacts,
            )
            outputs["OutputDataArtifacts"] = {"S3Uri": data_uri}
        with contextlib.suppress(StudioError):
            self.store.update_trial_component(
                self.plan.run.trial_component_name,
                output_artifacts={
                    "SageMaker.ModelArtifact": TrialComponentArtifact(
                        value=model_uri, media_type="application/x-tar"
                    )
                },
            )
        return outputs

    # -- logs and metrics -----------------------------------------------------------------
    def _copy_logs(self, handle: JobHandle, offset: int) -> int:
        try:
            text, next_offset = self.runner.logs(handle, offset)
        except NotFoundError:
            return offset
        if text:
            path = log_path(self.config, self.plan.job_name, handle.host)
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "ab") as out:
                out.write(text.encode("utf-8"))
            if handle.host == HOST:  # metrics come from algo-1's log
                self._metrics(text)
        return next_offset

    def _read_channel(self, host: str) -> None:
        """Log what the host wrote with ``mlstudio_job`` since the last read
        (:mod:`.job_channel`); when the store does not take it, it is read again."""
        reader = self._channels.get(host)
        if reader is None:
            path = host_ml_dir(self.folder, host) / tracking_channel.CHANNEL_FILE
            offsets = log_path(self.config, self.plan.job_name, host).with_suffix(".channel")
            reader = self._channels[host] = tracking_channel.ChannelReader(path, offsets)
        points, parameters = reader.read()
        if not points and not parameters:
            reader.commit()  # past skipped lines
            return
        try:
            tracking_channel.log_to_run(
                self.store, self.plan.run.trial_component_name, points, parameters
            )
        except StudioError:
            log.warning("job %s: channel not logged yet", self.plan.job_name, exc_info=True)
            return
        reader.commit()

    def _metrics(self, text: str) -> None:
        if not self.plan.metric_regexes:
            return
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        self._log_lines(lines)

    def _flush_partial(self) -> None:
        if self._partial:
            self._log_lines([self._partial])
            self._partial = ""

    def _log_lines(self, lines: list[str]) -> None:
        points: list[MetricPoint] = []
        now = utcnow()
        for line in lines:
            for name, regex in self.plan.metric_regexes:
                match = regex.search(line)
                if not match:
                    continue
                try:
                    value = float(match.group(1) if regex.groups else match.group(0))
                except (ValueError, IndexError):
                    continue
                if value != value or value in (float("inf"), float("-inf")):
                    continue
                step = self._steps.get(name, 0)
                self._steps[name] = step + 1
                self._last[name] = (value, now)
                points.append(MetricPoint(metric_name=name, value=value, step=step, timestamp=now))
        if points:
            try:
                self.store.log_metrics(self.plan.run.trial_component_name, points)
            except StudioError:
                log.warning("job %s: metrics not logged", self.plan.job_name, exc_info=True)

    def _resume_steps(self) -> None:
        for name, _ in self.plan.metric_regexes:
            with contextlib.suppress(StudioError):
                series = self.store.get_metric_series(self.plan.run.trial_component_name, name)
                self._steps[name] = len(series)

    # -- records --------------------------------------------------------------------------
    def _stop_requested(self) -> bool:
        if self._stop_event.is_set():
            return True
        try:
            status = self.store.get_job(self.plan.job_name).status
        except StudioError:
            return False
        if status is JobStatus.STOPPING:
            self._stop_event.set()
        return self._stop_event.is_set()

    def _update(self, secondary: SecondaryStatus, message: str) -> None:
        self.store.update_job(
            self.plan.job_name, secondary_status=secondary, status_message=message
        )

    def _end(
        self,
        status: JobStatus,
        secondary: SecondaryStatus,
        *,
        reason: str | None = None,
        exit_code: int | None = None,
        outputs: dict[str, Any] | None = None,
    ) -> None:
        final = [
            {"MetricName": k, "Value": v, "Timestamp": t.isoformat()}
            for k, (v, t) in sorted(self._last.items())
        ]
        merged = {**(outputs or {}), **({"FinalMetricDataList": final} if final else {})}
        now = utcnow()
        debug_uri = self._publish_tensors()
        if debug_uri:
            merged["DebugOutputUri"] = debug_uri
        try:
            current = self.store.get_job(self.plan.job_name)
            if current.status in TERMINAL_JOB_STATUSES:
                return
            self.store.update_job(
                self.plan.job_name,
                status=status,
                secondary_status=secondary,
                status_message=reason,
                failure_reason=reason,
                exit_code=exit_code,
                outputs=merged or None,
                end_time=now,
            )
        finally:
            if getattr(self.plan, "debug", None) is not None:
                debugging.write_ended(self.folder, status)  # its rule jobs conclude
            self._ensure_run()  # a job that ended before its launch still has its run
            if self.owns_run:
                self._end_run(status, reason, now)

    def _publish_tensors(self) -> str | None:
        debug = getattr(self.plan, "debug", None)
        if debug is None:
            return None
        return debugging.publish_tensors(debug, self.plan.job_name, self.folder, self.hosts)

    def _end_run(self, status: JobStatus, reason: str | None, now: datetime) -> None:
        primary = {
            JobStatus.COMPLETED: TrialComponentPrimaryStatus.COMPLETED,
            JobStatus.STOPPED: TrialComponentPrimaryStatus.STOPPED,
        }.get(status, TrialComponentPrimaryStatus.FAILED)
        with contextlib.suppress(StudioError):
            self.store.update_trial_component(
                self.plan.run.trial_component_name,
                status=primary,
                status_message=(reason or None) and reason[:1024],
                end_time=now.astimezone(timezone.utc),
            )
