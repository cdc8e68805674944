"""A pipeline's execution in the studio: what ``Pipeline.start()`` returns (SageMaker's
``_PipelineExecution``, also importable under that name from :mod:`.pipeline`)."""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import WaiterError

from ...entities import JobKind
from ...exceptions import StudioError
from ...services.pipelines.executor import job_properties
from ..jobs_client import jobs_client
from ..pipeline_client import pipeline_client

#: how often :meth:`PipelineExecution.wait` looks at the studio: soon after the start
#: (an execution served from the cache ends in a fraction of a second), then every 0.5 s
POLL_SCHEDULE_S = (0.05, 0.1, 0.2, 0.5)
#: the name SageMaker's SDK gives its waiter (in the WaiterError)
WAITER_NAME = "PipelineExecutionComplete"
#: ``list_steps()`` Metadata keys of job steps → the kind of job
JOB_METADATA = {
    "TrainingJob": JobKind.TRAINING,
    "ProcessingJob": JobKind.PROCESSING,
    "TransformJob": JobKind.TRANSFORM,
    "TuningJob": JobKind.TUNING,
}
ENDED = frozenset({"Succeeded", "Failed", "Stopped"})


class PipelineExecution:
    """One execution of a pipeline.

    Args:
        arn: The execution's ARN (its id works too).
        sagemaker_session: The session of the studio that runs it (None: the default).
    """

    def __init__(self, arn: str, sagemaker_session: Any = None) -> None:
        self.arn = arn
        self.sagemaker_session = sagemaker_session

    def __repr__(self) -> str:
        return f"_PipelineExecution(arn={self.arn!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PipelineExecution) and other.arn == self.arn

    def __hash__(self) -> int:
        return hash(self.arn)

    @property
    def _client(self) -> Any:
        return pipeline_client(self.sagemaker_session)

    def describe(self) -> dict[str, Any]:
        """The execution, as DescribePipelineExecution answers.

        Returns:
            ``PipelineExecutionArn``, ``PipelineExecutionStatus`` (Executing, Stopping,
            Stopped, Failed or Succeeded), ``FailureReason`` when it failed, its
            ``PipelineParameters``, display name, description and times.
        """
        return self._client.describe_execution(self.arn)

    def list_steps(self) -> list[dict[str, Any]]:
        """The execution's steps, newest first (ListPipelineExecutionSteps).

        Returns:
            One dict per step that has started: ``StepName``, ``StepStatus`` (Starting,
            Executing, Stopping, Stopped, Failed, Succeeded), ``StartTime``, ``EndTime``,
            ``FailureReason``, ``CacheHitResult`` when it was served from the cache, and
            ``Metadata`` (``TrainingJob.Arn``, ``ProcessingJob.Arn``, ``TransformJob.Arn``,
            ``TuningJob.Arn``, ``Model.Arn``, ``RegisterModel.Arn``,
            ``Condition.Outcome`` or ``Fail.ErrorMessage``).
        """
        return self._client.list_steps(self.arn)

    def list_parameters(
        self, max_results: int | None = None, next_token: str | None = None
    ) -> dict[str, Any]:
        """The parameters it runs with (ListPipelineParametersForExecution).

        Args:
            max_results: At most this many (None: all).
            next_token: Where the previous page ended.

        Returns:
            ``PipelineParameters``: ``Name``/``Value`` dicts (every parameter of the
            pipeline, defaults included), and ``NextToken`` when there are more.
        """
        parameters = list(self.describe().get("PipelineParameters", []))
        start = int(next_token) if next_token and next_token.isdigit() else 0
        end = len(parameters) if max_results is None else start + max_results
        answer: dict[str, Any] = {"PipelineParameters": parameters[start:end]}
        if end < len(parameters):
            answer["NextToken"] = str(end)
        return answer

    def stop(self) -> dict[str, Any]:
        """Stop it: its running jobs are stopped, it ends Stopped.

        Returns:
            The execution, as DescribePipelineExecution answers (``Stopping``).

        Raises:
            ConflictError: It has ended already.
        """
        return self._client.stop_execution(self.arn)

    def wait(self, delay: int = 30, max_attempts: int = 60) -> None:
        """Wait until the execution has succeeded.

        SageMaker looks every ``delay`` seconds; the studio is on this machine, so it is
        looked at soon after the call and then every half second, within the same total
        time (``delay * max_attempts``).

        Args:
            delay: Seconds between two of SageMaker's looks.
            max_attempts: How many looks before giving up.

        Raises:
            botocore.exceptions.WaiterError: It ended Failed or Stopped (SageMaker's
                waiter only knows Failed and waits out a Stopped one), or it had not
                ended within ``delay * max_attempts`` seconds.
        """
        deadline = time.monotonic() + max(delay, 0) * max(max_attempts, 1)
        looks = 0
        while True:
            described: Any = self.describe()  # botocore types last_response narrowly
            status = described["PipelineExecutionStatus"]
            if status == "Succeeded":
                return
            if status in ENDED:
                raise WaiterError(
                    name=WAITER_NAME,
                    reason="Waiter encountered a terminal failure state: For expression"
                    f' "PipelineExecutionStatus" we matched expected path: "{status}"'
                    + (
                        f" ({described['FailureReason']})" if described.get("FailureReason") else ""
                    ),
                    last_response=described,
                )
            if time.monotonic() >= deadline:
                raise WaiterError(
                    name=WAITER_NAME, reason="Max attempts exceeded", last_response=described
                )
            time.sleep(POLL_SCHEDULE_S[min(looks, len(POLL_SCHEDULE_S) - 1)])
            looks += 1

    def result(self, step_name: str) -> dict[str, Any]:
        """What a step that succeeded produced.

        SageMaker answers this for ``@step`` functions only; the studio has none of those
        and answers it for every step: a job step's properties (the Describe*Job fields its
        ``properties`` refer to), a condition's ``Outcome``, a model step's ``Arn``.

        Args:
            step_name: The step.

        Returns:
            The step's properties as a dict.

        Raises:
            ValueError: The execution has no step of that name (yet).
            StudioError: The step has not succeeded (its status and reason said).
        """
        step = next((s for s in self.list_steps() if s["StepName"] == step_name), None)
        if step is None:
            raise ValueError(f"the execution has no step named {step_name!r} (yet)")
        if step["StepStatus"] != "Succeeded":
            reason = step.get("FailureReason")
            raise StudioError(
                f"step {step_name!r} is {step['StepStatus']}" + (f": {reason}" if reason else "")
            )
        metadata = step.get("Metadata") or {}
        for key, kind in JOB_METADATA.items():
            if key in metadata:
                job_name = str(metadata[key]["Arn"]).rsplit("/", 1)[-1]
                return job_properties(
                    jobs_client(self.sagemaker_session).describe_job(kind, job_name)
                )
        return {k: v for entry in metadata.values() for k, v in dict(entry).items()}
