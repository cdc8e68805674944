"""``PipelineSession`` (``sagemaker.workflow.pipeline_context``): a session under which
the SDK's ``estimator.fit``, ``processor.run``, ``transformer.transform``,
``model.create`` and ``model.register`` start nothing and return a step's arguments
(``TrainingStep(name, step_args=estimator.fit(...))``).

The SDK's modules recognise it through :class:`~..jobs_client.RequestCapture`: each hands
the Create* request it has built to the session instead of sending it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ...exceptions import ValidationError
from ..client import TrackingClient, resolve_client
from ..jobs_client import RequestCapture
from ..session import Session
from .entities import copy_request

T = TypeVar("T")

#: the SageMaker session method each job's request stands for (SageMaker's caller names)
JOB_CALLERS = {
    "CreateTrainingJob": "train",
    "CreateProcessingJob": "process",
    "CreateTransformJob": "transform",
    "CreateHyperParameterTuningJob": "create_tuning_job",
}


class StepArguments:
    """What an SDK call returned under a ``PipelineSession``: a step's arguments.

    Args:
        caller_name: The session call it stands for (``train``, ``process``, ...).
    """

    def __init__(self, caller_name: str | None = None) -> None:
        self.caller_name = caller_name


class JobStepArguments(StepArguments):
    """A job step's arguments: the Create*Job request.

    Args:
        caller_name: ``train``, ``process``, ``transform`` or ``create_tuning_job``.
        args: The request, in SageMaker's field names.
    """

    def __init__(self, caller_name: str, args: dict[str, Any]) -> None:
        super().__init__(caller_name)
        self.args = args


class ModelStepArguments(StepArguments):
    """A ``ModelStep``'s arguments: a CreateModel or a CreateModelPackage request.

    Args:
        model: The model they were made from.
    """

    def __init__(self, model: Any) -> None:
        super().__init__()
        self.model = model
        self.create_model_request: dict[str, Any] | None = None
        self.create_model_package_request: dict[str, Any] | None = None


def step_arguments(api: str, request: dict[str, Any], source: Any) -> StepArguments:
    """The step arguments a captured request stands for.

    Args:
        api: The SageMaker call (``CreateTrainingJob``, ..., ``CreateModelPackage``).
        request: The request (copied).
        source: The SDK object that made it.

    Returns:
        ``JobStepArguments`` for jobs, ``ModelStepArguments`` for models.

    Raises:
        ValidationError: An ``api`` no step is made of.
    """
    request = copy_request(request)
    if api == "CreateModel":
        arguments = ModelStepArguments(source)
        arguments.caller_name = "create_model"
        arguments.create_model_request = request
        return arguments
    if api == "CreateModelPackage":
        arguments = ModelStepArguments(source)
        arguments.caller_name = "create_model_package_from_containers"
        arguments.create_model_package_request = request
        return arguments
    if api not in JOB_CALLERS:
        raise ValidationError(f"no pipeline step is made of {api}", field="api")
    return JobStepArguments(JOB_CALLERS[api], request)


class PipelineSession(Session, RequestCapture):
    """A session for building pipelines: SDK calls made with it return step arguments.

    Nothing is sent to the studio when it is made or used for steps; other calls
    (describing a job, ...) reach the studio of ``tracking`` as a ``Session``'s do, but no
    job is started through it.

    Args:
        tracking: None (the default client), a :class:`~..client.TrackingClient` or a
            tracking URI: the studio that later runs the pipeline.
        kwargs: SageMaker's arguments (``boto_session``, ``sagemaker_client``,
            ``default_bucket``, ...), accepted and not used.
    """

    def __init__(self, tracking: TrackingClient | str | None = None, **kwargs: Any) -> None:
        self._tracking = tracking
        self._tracking_client: TrackingClient | None = None
        #: the step arguments of the latest call (SageMaker's ``session.context``)
        self.context: StepArguments | None = None

    @property
    def tracking_client(self) -> TrackingClient:
        """The tracking client, resolved on first use."""
        if self._tracking_client is None:
            self._tracking_client = resolve_client(self._tracking)
        return self._tracking_client

    @tracking_client.setter
    def tracking_client(self, value: TrackingClient) -> None:
        self._tracking_client = value

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def capture_request(self, api: str, request: dict[str, Any], source: Any) -> StepArguments:
        """Keep a request as a step's arguments (``RequestCapture``).

        Args:
            api: The SageMaker call.
            request: The request.
            source: The SDK object that made it.

        Returns:
            The step arguments, also kept as :attr:`context`.
        """
        self.context = step_arguments(api, request, source)
        return self.context


class LocalPipelineSession(PipelineSession):
    """SageMaker's session for pipelines run on the local machine; in the studio every
    pipeline runs on the studio's own runtimes, so it is a :class:`PipelineSession`.

    Args:
        tracking: As for :class:`PipelineSession`.
        kwargs: SageMaker's arguments (``boto_session``, ``s3_endpoint_url``,
            ``disable_local_code``, ...), accepted and not used.
    """


class _Capture(RequestCapture):
    """Keeps the request of one call made by a step with its own SDK object."""

    def __init__(self) -> None:
        self.arguments: StepArguments | None = None

    def capture_request(self, api: str, request: dict[str, Any], source: Any) -> StepArguments:
        self.arguments = step_arguments(api, request, source)
        return self.arguments


def captured(source: Any, call: Callable[[], Any], what: str) -> StepArguments:
    """The step arguments ``call`` makes when ``source`` has a capturing session.

    A step given an estimator, processor, transformer or model (rather than
    ``step_args``) calls its ``fit``/``run``/... this way: the object's session is
    swapped for the time of the call, so nothing starts.

    Args:
        source: The SDK object (its ``sagemaker_session`` is swapped, then restored).
        call: The SDK call, e.g. ``lambda: processor.run(inputs, outputs)``.
        what: The call's name, for the error.

    Returns:
        The arguments of the request the call made.

    Raises:
        ValidationError: The call made no request.
    """
    capture = _Capture()
    session = source.sagemaker_session
    source.sagemaker_session = capture
    try:
        call()
    finally:
        source.sagemaker_session = session
    if capture.arguments is None:
        raise ValidationError(f"{what} made no request", field=what)
    return capture.arguments
