"""The jobs an SDK object started: ``estimator.latest_training_job``,
``processor.latest_job``, ``transformer.latest_transform_job``.

Each is a handle on one job of the studio (name and kind): its record, its log as it
grows, and a stop request, through :class:`~.jobs_client.JobsClient`.
"""

from __future__ import annotations

import sys
import time
from typing import Any, ClassVar

from ..entities import TERMINAL_JOB_STATUSES, Job, JobKind
from .jobs_client import JobsClient

#: seconds before the first look at a job that was just started
FIRST_POLL_S = 0.05
#: seconds between two looks at a running job
POLL_S = 0.5


class BaseJob:
    """A job of the studio, of the kind its subclass names.

    Args:
        client: The client of the studio that runs the job.
        job_name: The job's name.
    """

    kind: ClassVar[JobKind]

    def __init__(self, client: JobsClient, job_name: str) -> None:
        self._client = client
        #: the job's name (``job_name`` is SageMaker's other spelling of it)
        self.name = self.job_name = job_name

    def describe(self) -> Job:
        """The job's current record.

        Returns:
            Its status, times, failure reason, outputs and the request it was made from.

        Raises:
            NotFoundError: The job was deleted.
        """
        return self._client.describe_job(self.kind, self.name)

    def stop(self) -> None:
        """Ask the job to stop; it ends Stopped soon after (use :meth:`wait` to see it).

        Raises:
            NotFoundError: The job was deleted.
        """
        self._client.stop_job(self.kind, self.name)

    def wait(self, logs: bool = True, timeout: float | None = None) -> Job:
        """Block until the job ends.

        Args:
            logs: Print the job's log to standard output as it grows.
            timeout: Give up after this many seconds (None: wait for the end).

        Returns:
            The job's record: ended, or still running when ``timeout`` passed first.
            A job that failed is returned too (its ``status`` and ``failure_reason`` say
            so): the callers that raise on failure do it themselves.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        offset = 0
        time.sleep(FIRST_POLL_S)  # nothing to see yet; leave the CPU to the job's start
        while True:
            if logs:
                chunk = self._client.job_logs(self.kind, self.name, offset=offset)
                if chunk.Text:
                    sys.stdout.write(chunk.Text)
                    sys.stdout.flush()
                offset = chunk.NextOffset
                if chunk.Complete:
                    return self.describe()
            else:
                job = self.describe()
                if job.status in TERMINAL_JOB_STATUSES:
                    return job
            if deadline is not None and time.monotonic() > deadline:
                return self.describe()
            time.sleep(POLL_S)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class TrainingJob(BaseJob):
    """A training job (``estimator.latest_training_job``)."""

    kind = JobKind.TRAINING

    def rule_job_summary(self) -> list[dict[str, Any]]:
        """The job's Debugger and profiler rules and how each stands.

        Returns:
            ``DebugRuleEvaluationStatuses`` then ``ProfilerRuleEvaluationStatuses``:
            ``RuleConfigurationName``, ``RuleEvaluationStatus`` (InProgress, NoIssuesFound,
            IssuesFound, Error, Stopped), ``StatusDetails``, ``RuleEvaluationJobName``,
            ``LastModifiedTime``.
        """
        outputs = self.describe().outputs
        return [
            dict(entry)
            for key in ("DebugRuleEvaluationStatuses", "ProfilerRuleEvaluationStatuses")
            for entry in outputs.get(key) or ()
        ]


class ProcessingJob(BaseJob):
    """A processing job (``processor.latest_job``, and each of ``processor.jobs``)."""

    kind = JobKind.PROCESSING


class TransformJob(BaseJob):
    """A batch transform job (``transformer.latest_transform_job``)."""

    kind = JobKind.TRANSFORM


class AutoMLJob(BaseJob):
    """An AutoML job (``AutoML.fit``); its log is the job's own: stages and candidates."""

    kind = JobKind.AUTOML
