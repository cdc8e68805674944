"""SageMaker Pipelines: CreatePipeline, DescribePipeline, ListPipelines, UpdatePipeline,
DeletePipeline and the executions' operations, over the studio's pipelines
(``Studio.pipelines``, ``Studio.pipeline_executions``), so a pipeline created here shows
in the Pipelines section and runs on the studio's executor.

The studio's records name pipelines and executions with its own ARNs
(``arn:mlstudio:sagemaker:local:pipeline/<name>/execution/<id>``); this module answers
SageMaker's (``arn:aws:sagemaker:<region>:<account>:...``) and accepts either in requests:
:func:`aws_arn` and :func:`execution_in_request` are the only translations, at this
boundary. ``ClientRequestToken`` (which boto3 fills in) makes Create, Start, Stop and
Retry idempotent for as long as the studio runs: the same token with the same request
answers what the first call answered (:class:`RequestTokens`).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ...entities.registry import ARN_PREFIX
from ...exceptions import ConflictError, NotFoundError, StudioError
from ..errors import RESOURCE_NOT_FOUND, AwsError, validation
from ..listing import read_all, select
from ..pagination import paginate
from ..registry import SAGEMAKER, Call

CONFLICT = "ConflictException"
#: the studio runs at most this many steps of an execution at once
MAX_PARALLEL_STEPS = 4
#: tokens remembered per studio process (the oldest are forgotten first)
TOKENS_KEPT = 1000
EXECUTION_FIELD = "PipelineExecutionArn"


def aws_arn(call: Call, arn: str) -> str:
    """A studio ARN (``arn:mlstudio:sagemaker:local:<resource>``) in AWS's form,
    ``arn:aws:sagemaker:<region>:<account>:<resource>``; any other text is returned as
    it is. The resource is kept as the studio wrote it: pipelines' names are in lower
    case already, and a step job's name keeps its case, since the studio's job names
    are case-sensitive and the ARN's last part must name the job to DescribeProcessingJob
    and the like (SageMaker writes it in lower case and looks names up ignoring case).

    Args:
        call: The request (region and account).
        arn: An ARN from the studio's records.

    Returns:
        The ARN in AWS's form.
    """
    prefix = f"{ARN_PREFIX}:"
    if not arn.startswith(prefix):
        return arn
    return f"arn:aws:sagemaker:{call.region}:{call.account_id}:{arn[len(prefix) :]}"


def pipeline_name_in_request(name: str) -> str:
    """A ``PipelineName`` member: a name, or a pipeline's ARN (SageMaker accepts both).

    Args:
        name: The member as sent.

    Returns:
        The pipeline's name (from an ARN: as the ARN writes it, in lower case).
    """
    if name.startswith("arn:") and ":pipeline/" in name:
        return name.split(":pipeline/", 1)[1].split("/", 1)[0]
    return name


def execution_in_request(arn: str) -> str:
    """A ``PipelineExecutionArn`` (AWS's form or the studio's) as the studio's execution
    id, checking that the ARN names the execution's own pipeline.

    Args:
        arn: The member as sent.

    Returns:
        The execution's id.

    Raises:
        NotFoundError: The ARN has no ``pipeline/<name>/execution/<id>``.
    """
    _, _, resource = arn.partition(":pipeline/")
    pipeline, marker, execution_id = resource.partition("/execution/")
    if not (pipeline and marker and execution_id) or "/" in execution_id:
        raise NotFoundError(f"Pipeline execution '{arn}' does not exist.", field=EXECUTION_FIELD)
    return execution_id


def _not_found(what: str) -> AwsError:
    return AwsError(RESOURCE_NOT_FOUND, f"{what} does not exist.")


def _pipeline_call(call: Call, run: Callable[[str], Any]) -> Any:
    """Run ``run(name)`` for the request's pipeline; ResourceNotFound (naming its ARN)
    when there is none, as SageMaker answers."""
    name = pipeline_name_in_request(call.params["PipelineName"])
    try:
        return run(name)
    except NotFoundError as exc:
        if exc.field not in (None, "PipelineName"):
            raise
        arn = call.arn("pipeline", name)
        raise _not_found(f"Pipeline '{arn}'") from None


def _execution_call(call: Call, run: Callable[[str], Any]) -> Any:
    """Run ``run(execution_id)`` for the request's execution; ResourceNotFound naming the
    ARN as sent when there is none (or the ARN names another pipeline)."""
    arn = call.params[EXECUTION_FIELD]
    try:
        execution_id = execution_in_request(arn)
        described = call.studio.pipeline_executions.describe(execution_id)
    except NotFoundError:
        raise _not_found(f"Pipeline execution '{arn}'") from None
    pipeline = arn.partition(":pipeline/")[2].partition("/execution/")[0]
    if aws_arn(call, described["PipelineArn"]).rpartition("/")[2] != pipeline.lower():
        raise _not_found(f"Pipeline execution '{arn}'")
    return run(execution_id)


def _parallelism(params: dict[str, Any]) -> None:
    config = params.get("ParallelismConfiguration")
    if config is None:
        return
    steps = config.get("MaxParallelExecutionSteps")
    if not isinstance(steps, int) or steps < MAX_PARALLEL_STEPS:
        raise validation(
            "ParallelismConfiguration.MaxParallelExecutionSteps: the studio runs up to"
            f" {MAX_PARALLEL_STEPS} steps of an execution at once; give {MAX_PARALLEL_STEPS}"
            " or more"
        )


class RequestTokens:
    """``ClientRequestToken`` → the first answer, per studio and operation: a call
    repeated with the same token and request answers the same (nothing is done again);
    the same token with another request is a ValidationException.

    Args:
        kept: How many tokens are remembered (the oldest are forgotten first).
    """

    def __init__(self, kept: int = TOKENS_KEPT) -> None:
        self._kept = kept
        self._answers: OrderedDict[tuple[str, str, str], tuple[str, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def once(self, call: Call, operation: str, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """``run()``, or the answer it gave to this token before.

        Args:
            call: The request (its ``ClientRequestToken``).
            operation: The operation's name.
            run: What the operation does.

        Returns:
            The answer.

        Raises:
            AwsError: ``ValidationException`` for a token used with another request.
        """
        token = call.params.get("ClientRequestToken")
        if not token:
            return run()
        request = {k: v for k, v in call.params.items() if k != "ClientRequestToken"}
        digest = hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode())
        fingerprint = digest.hexdigest()
        key = (str(call.studio.config.home), operation, str(token))
        with self._lock:  # one call per token at a time: a retry waits for the first
            seen = self._answers.get(key)
            if seen is not None:
                if seen[0] != fingerprint:
                    raise validation(
                        f"ClientRequestToken: {token!r} was used with another {operation} request"
                    )
                return seen[1]
            answer = run()
            self._answers[key] = (fingerprint, answer)
            while len(self._answers) > self._kept:
                self._answers.popitem(last=False)
            return answer


TOKENS = RequestTokens()


def _definition(call: Call) -> str | None:
    """The definition's text: ``PipelineDefinition``, or the object
    ``PipelineDefinitionS3Location`` names, read from the studio's artifact store."""
    params = call.params
    text = params.get("PipelineDefinition")
    location = params.get("PipelineDefinitionS3Location")
    if text is not None and location is not None:
        raise validation("give PipelineDefinition or PipelineDefinitionS3Location, not both")
    if location is None:
        return text
    uri = f"s3://{location['Bucket']}/{location['ObjectKey']}"
    if location.get("VersionId"):
        raise validation(
            f"PipelineDefinitionS3Location.VersionId: the studio reads the current version"
            f" of {uri} only"
        )
    root = call.studio.artifacts.root_uri.rstrip("/")
    if not uri.startswith(root + "/"):
        raise validation(
            f"PipelineDefinitionS3Location: the studio reads definitions under its"
            f" artifact root {root} only, not {uri}"
        )
    try:
        data = call.studio.artifacts.get_bytes(uri[len(root) + 1 :])
    except StudioError as exc:
        raise validation(f"PipelineDefinitionS3Location: {uri}: {exc.message}") from None
    try:
        return data.decode()
    except UnicodeDecodeError:
        raise validation(f"PipelineDefinitionS3Location: {uri} is not UTF-8 text") from None


@SAGEMAKER.operation("CreatePipeline", not_found=RESOURCE_NOT_FOUND)
def create_pipeline(call: Call) -> dict[str, Any]:
    """Create a pipeline from a definition (``PipelineDefinition``, or an object under the
    studio's artifact root named by ``PipelineDefinitionS3Location``), checked as the
    studio checks it; a name taken is SageMaker's ValidationException "... already
    exists" (what the SageMaker SDK's ``upsert`` looks for).

    Args:
        call: A CreatePipeline request.

    Returns:
        ``PipelineArn``.
    """
    params = call.params
    _parallelism(params)

    def run() -> dict[str, Any]:
        definition = _definition(call)
        if definition is None:
            raise validation("give PipelineDefinition or PipelineDefinitionS3Location")
        request = {
            "PipelineName": params["PipelineName"],
            "PipelineDefinition": definition,
            "PipelineDisplayName": params.get("PipelineDisplayName"),
            "PipelineDescription": params.get("PipelineDescription"),
            "RoleArn": params.get("RoleArn"),
            "Tags": [
                {"Key": t["Key"], "Value": t.get("Value", "")} for t in params.get("Tags") or []
            ],
        }
        try:
            created = call.studio.pipelines.create(request)
        except ConflictError:
            name = params["PipelineName"]
            raise validation(
                "Pipeline names must be unique within an AWS account and region. Pipeline"
                f" with name ({name}) already exists."
            ) from None
        return {"PipelineArn": aws_arn(call, created["PipelineArn"])}

    return TOKENS.once(call, "CreatePipeline", run)


def _describe_pipeline(call: Call, described: dict[str, Any]) -> dict[str, Any]:
    return {
        **described,
        "PipelineArn": aws_arn(call, described["PipelineArn"]),
        "ParallelismConfiguration": {"MaxParallelExecutionSteps": MAX_PARALLEL_STEPS},
    }


@SAGEMAKER.operation("DescribePipeline", not_found=RESOURCE_NOT_FOUND)
def describe_pipeline(call: Call) -> dict[str, Any]:
    """Describe a pipeline: its definition, status (``Active``) and times.

    Args:
        call: A DescribePipeline request (a name or an ARN).

    Returns:
        The pipeline in DescribePipeline's output shape.
    """
    if call.params.get("PipelineVersionId") not in (None, 1):
        raise validation("PipelineVersionId: the studio keeps one version of a pipeline (1)")
    described = _pipeline_call(call, call.studio.pipelines.describe)
    return _describe_pipeline(call, described)


@SAGEMAKER.operation("ListPipelines")
def list_pipelines(call: Call) -> dict[str, Any]:
    """List pipelines (``PipelineNamePrefix``, ``CreatedAfter`` / ``CreatedBefore``,
    ``SortBy`` Name or CreationTime, ``SortOrder``, pages; newest first by default).

    Args:
        call: A ListPipelines request.

    Returns:
        ``PipelineSummaries`` and ``NextToken``.
    """
    params = call.params
    summaries = read_all(
        call.studio.pipelines.list, name_prefix=params.get("PipelineNamePrefix") or None
    )
    page, token = select(
        summaries,
        params,
        sort_keys={
            "CreationTime": lambda s: s["CreationTime"],
            "Name": lambda s: s["PipelineName"],
        },
        times={"Created": lambda s: s["CreationTime"]},
    )
    items = [{**s, "PipelineArn": aws_arn(call, s["PipelineArn"])} for s in page]
    return {"PipelineSummaries": items, "NextToken": token}


@SAGEMAKER.operation("UpdatePipeline", not_found=RESOURCE_NOT_FOUND)
def update_pipeline(call: Call) -> dict[str, Any]:
    """Change a pipeline's definition, display name, description or role (the members
    given; the others are kept). Running executions keep the definition they started
    with.

    Args:
        call: An UpdatePipeline request.

    Returns:
        ``PipelineArn`` and ``PipelineVersionId`` (always 1: one version is kept).
    """
    params = call.params
    _parallelism(params)
    request: dict[str, Any] = {
        key: params[key]
        for key in ("PipelineDisplayName", "PipelineDescription", "RoleArn")
        if key in params
    }
    definition = _definition(call)
    if definition is not None:
        request["PipelineDefinition"] = definition
    updated = _pipeline_call(call, lambda name: call.studio.pipelines.update(name, request))
    return {"PipelineArn": aws_arn(call, updated["PipelineArn"]), "PipelineVersionId": 1}


@SAGEMAKER.operation("DeletePipeline", not_found=RESOURCE_NOT_FOUND)
def delete_pipeline(call: Call) -> dict[str, Any]:
    """Delete a pipeline: its running executions are stopped, their records kept.

    Args:
        call: A DeletePipeline request.

    Returns:
        ``PipelineArn``.
    """

    def run(name: str) -> dict[str, Any]:
        arn = call.studio.pipelines.describe(name)["PipelineArn"]
        call.studio.pipelines.delete(name)
        return {"PipelineArn": aws_arn(call, arn)}

    return dict(_pipeline_call(call, run))


@SAGEMAKER.operation("StartPipelineExecution", not_found=RESOURCE_NOT_FOUND)
def start_pipeline_execution(call: Call) -> dict[str, Any]:
    """Start an execution with ``PipelineParameters`` (values as text, typed by the
    definition's parameters; an unknown name or a value of another type is a
    ValidationException naming ``PipelineParameters[i]``).

    Args:
        call: A StartPipelineExecution request.

    Returns:
        ``PipelineExecutionArn``.
    """
    params = call.params
    _parallelism(params)
    for member in ("SelectiveExecutionConfig", "PipelineVersionAlias"):
        if params.get(member) is not None:
            raise validation(f"{member} is not supported by the studio")
    if params.get("PipelineVersionId") not in (None, 1):
        raise validation("PipelineVersionId: the studio keeps one version of a pipeline (1)")
    request: dict[str, Any] = {
        key: params[key]
        for key in (
            "PipelineParameters",
            "PipelineExecutionDisplayName",
            "PipelineExecutionDescription",
        )
        if key in params
    }

    def run() -> dict[str, Any]:
        started = _pipeline_call(
            call, lambda name: call.studio.pipeline_executions.start(name, request)
        )
        return {"PipelineExecutionArn": aws_arn(call, started["PipelineExecutionArn"])}

    return TOKENS.once(call, "StartPipelineExecution", run)


@SAGEMAKER.operation("DescribePipelineExecution", not_found=RESOURCE_NOT_FOUND)
def describe_pipeline_execution(call: Call) -> dict[str, Any]:
    """Describe an execution: ``Executing``, ``Stopping``, ``Stopped``, ``Failed`` (with
    ``FailureReason``) or ``Succeeded``.

    Args:
        call: A DescribePipelineExecution request (AWS's ARN, or the studio's).

    Returns:
        The execution in DescribePipelineExecution's output shape.
    """
    described = _execution_call(call, call.studio.pipeline_executions.describe)
    return {
        **described,
        "PipelineArn": aws_arn(call, described["PipelineArn"]),
        "PipelineExecutionArn": aws_arn(call, described["PipelineExecutionArn"]),
        "ParallelismConfiguration": {"MaxParallelExecutionSteps": MAX_PARALLEL_STEPS},
    }


@SAGEMAKER.operation("ListPipelineExecutions", not_found=RESOURCE_NOT_FOUND)
def list_pipeline_executions(call: Call) -> dict[str, Any]:
    """List a pipeline's executions (``CreatedAfter`` / ``CreatedBefore``, ``SortBy``
    CreationTime or PipelineExecutionArn, ``SortOrder``, pages; newest first).

    Args:
        call: A ListPipelineExecutions request.

    Returns:
        ``PipelineExecutionSummaries`` and ``NextToken``.
    """
    if call.params.get("PipelineVersionAlias") is not None:
        raise validation("PipelineVersionAlias is not supported by the studio")

    def run(name: str) -> list[dict[str, Any]]:
        return read_all(lambda **kw: call.studio.pipeline_executions.list_executions(name, **kw))

    summaries = _pipeline_call(call, run)
    page, token = select(
        summaries,
        call.params,
        sort_keys={
            "CreationTime": lambda s: s["StartTime"],
            "PipelineExecutionArn": lambda s: s["PipelineExecutionArn"],
        },
        times={"Created": lambda s: s["StartTime"]},
    )
    items = [{**s, "PipelineExecutionArn": aws_arn(call, s["PipelineExecutionArn"])} for s in page]
    return {"PipelineExecutionSummaries": items, "NextToken": token}


@SAGEMAKER.operation("StopPipelineExecution", not_found=RESOURCE_NOT_FOUND)
def stop_pipeline_execution(call: Call) -> dict[str, Any]:
    """Stop an execution: Stopping now (its running jobs are stopped), Stopped once they
    end. One that has ended is a ConflictException.

    Args:
        call: A StopPipelineExecution request.

    Returns:
        ``PipelineExecutionArn``.
    """
    return TOKENS.once(call, "StopPipelineExecution", lambda: _change(call, "stop"))


@SAGEMAKER.operation("RetryPipelineExecution", not_found=RESOURCE_NOT_FOUND)
def retry_pipeline_execution(call: Call) -> dict[str, Any]:
    """Run a Failed or Stopped execution again from where it ended (its succeeded steps
    are kept); another is a ConflictException.

    Args:
        call: A RetryPipelineExecution request.

    Returns:
        ``PipelineExecutionArn`` (the same execution, Executing again).
    """
    _parallelism(call.params)
    return TOKENS.once(call, "RetryPipelineExecution", lambda: _change(call, "retry"))


def _change(call: Call, action: str) -> dict[str, Any]:
    executions = call.studio.pipeline_executions
    method = executions.stop if action == "stop" else executions.retry
    try:
        changed = _execution_call(call, method)
    except ConflictError as exc:
        raise AwsError(CONFLICT, exc.message) from None
    return {"PipelineExecutionArn": aws_arn(call, changed["PipelineExecutionArn"])}


def _step(call: Call, step: dict[str, Any]) -> dict[str, Any]:
    metadata = {}
    for kind, value in (step.get("Metadata") or {}).items():
        if isinstance(value, dict) and isinstance(value.get("Arn"), str):
            value = {**value, "Arn": aws_arn(call, value["Arn"])}
        metadata[kind] = value
    out = {**step, "Metadata": metadata}
    cache = step.get("CacheHitResult") or {}
    if cache.get("SourcePipelineExecutionArn"):
        out["CacheHitResult"] = {
            **cache,
            "SourcePipelineExecutionArn": aws_arn(call, cache["SourcePipelineExecutionArn"]),
        }
    return out


@SAGEMAKER.operation("ListPipelineExecutionSteps", not_found=RESOURCE_NOT_FOUND)
def list_pipeline_execution_steps(call: Call) -> dict[str, Any]:
    """An execution's steps, newest first (``SortOrder`` Ascending: oldest first), with
    ``StepStatus``, times, ``AttemptCount`` and ``Metadata`` (the ARN of a step's job,
    model or model package, in AWS's form).

    Args:
        call: A ListPipelineExecutionSteps request.

    Returns:
        ``PipelineExecutionSteps`` and ``NextToken``.
    """
    steps = _execution_call(call, call.studio.pipeline_executions.list_steps)
    if call.params.get("SortOrder") == "Ascending":
        steps = list(reversed(steps))
    page, token = paginate([_step(call, s) for s in steps], call.params)
    return {"PipelineExecutionSteps": page, "NextToken": token}


@SAGEMAKER.operation("ListPipelineParametersForExecution", not_found=RESOURCE_NOT_FOUND)
def list_pipeline_parameters_for_execution(call: Call) -> dict[str, Any]:
    """The parameters an execution runs with: those given, and the defaults of the
    others (values as text, as SageMaker answers them).

    Args:
        call: A ListPipelineParametersForExecution request.

    Returns:
        ``PipelineParameters`` and ``NextToken``.
    """
    described = _execution_call(call, call.studio.pipeline_executions.describe)
    parameters = [
        {"Name": p["Name"], "Value": _text(p["Value"])} for p in described["PipelineParameters"]
    ]
    page, token = paginate(parameters, call.params)
    return {"PipelineParameters": page, "NextToken": token}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


@SAGEMAKER.operation("DescribePipelineDefinitionForExecution", not_found=RESOURCE_NOT_FOUND)
def describe_pipeline_definition_for_execution(call: Call) -> dict[str, Any]:
    """The definition an execution started with (a later UpdatePipeline does not change
    it).

    Args:
        call: A DescribePipelineDefinitionForExecution request.

    Returns:
        ``PipelineDefinition`` and ``CreationTime``.
    """
    return dict(_execution_call(call, call.studio.pipeline_executions.definition))
