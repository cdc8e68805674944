"""What the job view shows of a training job's Debugger and profiler, one call each.

A training job's files are in its folder (:func:`.layout.job_dir`): each host's hook
writes tensors below ``<host /opt/ml>/<DebugHookConfig.LocalPath below /opt/ml>``, the
studio's sampler writes ``profiler/<host>.jsonl``, and the ProfilerReport rule's
evaluation job (a processing job) writes its report into its own folder's
``ml/processing/output/rule``. This service finds those places from the job's record
(spec and outputs) and hands them to the readers, :mod:`.debugger_views` (tensors) and
:mod:`.profiler` (samples and the report), which it imports on first use: they read
numpy arrays, which the server needs only when a view asks.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from ...config import StudioConfig
from ...debugger.rules.base import PROFILER_DIR
from ...entities import Job, JobKind
from ...exceptions import NotFoundError, ValidationError
from ...runtime.base import OPT_ML, host_name
from ...store.base import MetadataStore
from .debugging import DEFAULT_TENSOR_PATH as DEFAULT_LOCAL_PATH
from .debugging import DebugPlan, plan_debugging
from .layout import host_ml_dir, job_dir
from .requests import CreateTrainingJobRequest, parse_request
from .rule_jobs import output_folder

#: the hook's output below /opt/ml when the job's DebugHookConfig names none
DEFAULT_TENSOR_PATH = str(PurePosixPath(DEFAULT_LOCAL_PATH).relative_to(OPT_ML))
#: the profiler rule whose evaluation job writes the HTML report
PROFILER_REPORT = "ProfilerReport"
#: the tensor modes the hook records (smdebug's ModeKeys)
MODES = ("TRAIN", "EVAL", "PREDICT", "GLOBAL")


class DebuggerService:
    """Reads a training job's saved tensors, profiler samples and profiler report.

    Args:
        store: Where the training jobs are recorded.
        config: The studio's configuration (where job folders are).
    """

    def __init__(self, store: MetadataStore, config: StudioConfig) -> None:
        self.store = store
        self.config = config

    def tensors(self, job_name: str) -> dict[str, Any]:
        """The tensors the job's hook saved, across its hosts.

        Args:
            job_name: A training job's name.

        Returns:
            ``{"Tensors": [{"Name", "Collections", "Steps", "FirstStep", "LastStep",
            "Shape"}], "Skipped": [what could not be read]}``; empty lists when the job
            saved nothing (yet).

        Raises:
            NotFoundError: There is no such training job.
        """
        folders = tensor_folders(self.config, self._job(job_name))
        if not folders:
            return {"Tensors": [], "Skipped": []}
        from . import debugger_views

        return dict(debugger_views.tensor_index(folders))

    def tensor(self, job_name: str, tensor_name: str, mode: str | None = None) -> dict[str, Any]:
        """One tensor's values over steps: scalars as ``Values``, arrays as per-step
        summaries (``Mean``, ``Min``, ``Max``, ``Norm``).

        Args:
            job_name: A training job's name.
            tensor_name: The tensor's name, as :meth:`tensors` lists it.
            mode: Only the steps of this mode (TRAIN, EVAL, PREDICT, GLOBAL); None for all.

        Returns:
            ``{"Name", "Steps", "Values", "Mean", "Min", "Max", "Norm"}``.

        Raises:
            NotFoundError: There is no such training job, or it saved no such tensor.
            ValidationError: ``mode`` is not one of the modes (field ``mode``).
        """
        if mode is not None and mode not in MODES:
            raise ValidationError(f"mode must be one of {', '.join(MODES)}", field="mode")
        folders = tensor_folders(self.config, self._job(job_name))
        series = None
        if folders:
            from . import debugger_views

            series = debugger_views.tensor_series(folders, tensor_name, mode)
        if not series:
            raise NotFoundError(
                f"training job {job_name!r} saved no tensor {tensor_name!r}", field="TensorName"
            )
        return dict(series)

    def profile(self, job_name: str, since: float | None = None) -> dict[str, Any]:
        """The job's profiler samples per host, and whether its report is there.

        Args:
            job_name: A training job's name.
            since: Only samples taken after this time (epoch seconds): a view that polls
                passes the last timestamp it has.

        Returns:
            ``{"ProfilingStatus": "Enabled" | "Disabled", "IntervalMillis",
            "Hosts": [{"Host", "Timestamps", "Series": {figure: [...]}}], "Report"}``.

        Raises:
            NotFoundError: There is no such training job.
        """
        job = self._job(job_name)
        folder = job_dir(self.config, job_name)
        hosts: list[dict[str, Any]] = []
        if (folder / PROFILER_DIR).is_dir():
            from . import profiler

            samples = profiler.read_profile(folder, job_hosts(job), since=since)
            hosts = samples.get("Hosts", []) if isinstance(samples, dict) else list(samples)
        return {
            "ProfilingStatus": profiling_status(job),
            "IntervalMillis": interval_ms(job),
            "Hosts": hosts,
            "Report": self._report(job) is not None,
        }

    def report(self, job_name: str) -> bytes:
        """The HTML of the job's ProfilerReport (written by its rule evaluation job).

        Args:
            job_name: A training job's name.

        Returns:
            The report's bytes (UTF-8 HTML).

        Raises:
            NotFoundError: There is no such training job, or no report (yet).
        """
        path = self._report(self._job(job_name))
        if path is None:
            raise NotFoundError(f"training job {job_name!r} has no profiler report (yet)")
        return path.read_bytes()

    def _job(self, job_name: str) -> Job:
        return self.store.get_job(job_name, JobKind.TRAINING)

    def _report(self, job: Job) -> Path | None:
        rule_job = report_job_name(job)
        if rule_job is None:
            return None
        from . import profiler

        found = profiler.report_file(output_folder(job_dir(self.config, rule_job)))
        return Path(found) if found is not None and Path(found).is_file() else None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def job_hosts(job: Job) -> list[str]:
    """The job's hosts, ``algo-1`` .. ``algo-N`` (N = ResourceConfig.InstanceCount)."""
    count = _object(job.spec.get("ResourceConfig")).get("InstanceCount", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        count = 1
    return [host_name(i) for i in range(count)]


def _debug_plan(job: Job) -> DebugPlan:
    """The job's Debugger settings as the studio planned them when it created the job (one
    reading of the request: :func:`.debugging.plan_debugging`).

    Raises:
        ValidationError: The recorded request does not pass (a record the create call
            would have refused), with the field named.
    """
    body = {"TrainingJobName": job.job_name, **job.spec}
    return plan_debugging(parse_request(CreateTrainingJobRequest, body))


def tensor_path(job: Job) -> str:
    """Where the hook writes below ``/opt/ml`` (``output/tensors`` by default)."""
    return _debug_plan(job).tensor_path or DEFAULT_TENSOR_PATH


def tensor_folders(config: StudioConfig, job: Job) -> list[Path]:
    """Each host's hook output folder that exists, algo-1 first."""
    folder = job_dir(config, job.job_name)
    below = tensor_path(job)
    found = [host_ml_dir(folder, host) / below for host in job_hosts(job)]
    return [f for f in found if f.is_dir()]


def interval_ms(job: Job) -> int:
    """The profiler's sampling interval (ProfilerConfig.ProfilingIntervalInMilliseconds)."""
    return _debug_plan(job).interval_ms


def profiling_status(job: Job) -> str:
    """``Enabled`` or ``Disabled``: every host is sampled unless the job's ProfilerConfig
    says ``DisableProfiler``, as on SageMaker."""
    return "Enabled" if _debug_plan(job).profiling else "Disabled"


def report_job_name(job: Job) -> str | None:
    """The evaluation job of the job's ProfilerReport rule (a configuration that runs
    ProfilerReport, by its name or ``rule_to_invoke``), when it has one."""
    names = {r.configuration_name for r in _debug_plan(job).rules if r.rule == PROFILER_REPORT}
    names.add(PROFILER_REPORT)
    for status in job.outputs.get("ProfilerRuleEvaluationStatuses") or []:
        entry = _object(status)
        rule_job = entry.get("RuleEvaluationJobName")
        if entry.get("RuleConfigurationName") in names and isinstance(rule_job, str) and rule_job:
            return rule_job
    return None
