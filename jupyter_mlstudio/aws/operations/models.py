"""Models: CreateModel, DescribeModel, ListModels, DeleteModel, over the studio's models
(``Studio.endpoints``), so a model created here shows in the Endpoints section.

A model is one container (``PrimaryContainer``, or ``Containers`` holding one), or an
inference pipeline (``Containers`` of 2 to 15, with ``InferenceExecutionConfig`` Mode
Serial), whose containers the studio serves in order. ``ExecutionRoleArn`` is kept as given, in a
tag the studio reserves (:data:`ROLE_TAG`), and answered by DescribeModel.
"""

from __future__ import annotations

from typing import Any

from ...entities import ContainerDefinition, Model
from ...exceptions import NotFoundError
from ...services.hosting.requests import ContainerSpec
from ..errors import validation
from ..jobs import project
from ..listing import read_all, select
from ..model_packages import aws_package_name, studio_package_name
from ..registry import SAGEMAKER, Call

RESOURCE = "model"
#: the tag that keeps a model's ExecutionRoleArn (the studio's records have no member)
ROLE_TAG = "mlstudio:ExecutionRoleArn"
ROLE_TAG_MAX = 256


def model_arn(call: Call, name: str) -> str:
    """A model's ARN.

    Args:
        call: The request (region and account).
        name: The model's name.

    Returns:
        ``arn:aws:sagemaker:<region>:<account>:model/<name>``.
    """
    return call.arn(RESOURCE, name)


def get_model(call: Call, name: str) -> Model:
    """The model ``name``; SageMaker's ValidationException when there is none.

    Args:
        call: The request.
        name: The model's name.

    Returns:
        The studio's record.

    Raises:
        AwsError: ``Could not find model "<arn>".``
    """
    try:
        return call.studio.endpoints.get_model(name)
    except NotFoundError:
        raise validation(f'Could not find model "{model_arn(call, name)}".') from None


def _container(primary: dict[str, Any], where: str) -> dict[str, Any]:
    for member in ("ModelDataSource", "AdditionalModelDataSources"):
        if primary.get(member):
            raise validation(f"{where}.{member} is not supported by the studio")
    mode = primary.get("Mode")
    if mode not in (None, "SingleModel", "MultiModel"):
        raise validation(f"{where}.Mode: use SingleModel or MultiModel")
    return project(ContainerSpec, primary)


def _containers(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """The request's containers as the studio takes them: ``PrimaryContainer`` (also for
    ``Containers`` of one), or ``Containers`` and ``InferenceExecutionConfig`` (an
    inference pipeline, served serially)."""
    primary = params.get("PrimaryContainer")
    containers = params.get("Containers") or []
    config = params.get("InferenceExecutionConfig")
    if primary is not None and containers:
        raise validation("give PrimaryContainer or Containers, not both")
    if primary is None and len(containers) == 1:
        if config is not None and config.get("Mode") != "Serial":
            raise validation("InferenceExecutionConfig.Mode: the studio runs pipelines Serial")
        primary, where = containers[0], "Containers[0]"
    elif primary is None:
        out = [_container(c, f"Containers[{i}]") for i, c in enumerate(containers)]
        for i, container in enumerate(out):
            _package(call, container, f"Containers[{i}]")
        request: dict[str, Any] = {"Containers": out}
        if config is not None:
            request["InferenceExecutionConfig"] = {"Mode": config.get("Mode")}
        return request
    else:
        where = "PrimaryContainer"
    single = _container(primary, where)
    _package(call, single, "PrimaryContainer")
    return {"PrimaryContainer": single}


def _package(call: Call, container: dict[str, Any], where: str) -> None:
    """SageMaker's ARN of a ModelPackageName → the studio's name (in place)."""
    if container.get("ModelPackageName"):
        container["ModelPackageName"] = studio_package_name(
            call, container["ModelPackageName"], f"{where}.ModelPackageName"
        )


@SAGEMAKER.operation("CreateModel")
def create_model(call: Call) -> dict[str, Any]:
    """Create a model: one container (an image, or the studio's script-mode serving), its
    model data and environment, or a registered version (ModelPackageName).

    Args:
        call: A CreateModel request.

    Returns:
        ``ModelArn``.
    """
    params = call.params
    tags = {t["Key"]: t.get("Value", "") for t in params.get("Tags") or []}
    role = params.get("ExecutionRoleArn")
    if role:
        if len(role) > ROLE_TAG_MAX:
            raise validation(
                f"ExecutionRoleArn: the studio keeps roles of at most {ROLE_TAG_MAX} characters"
            )
        tags[ROLE_TAG] = role
    request = {"ModelName": params["ModelName"], **_containers(call, params), "Tags": tags}
    name = params["ModelName"]
    if _exists(call, name):
        raise validation(f'Cannot create already existing model "{model_arn(call, name)}".')
    model = call.studio.endpoints.create_model(request)
    return {"ModelArn": model_arn(call, model.model_name)}


def _exists(call: Call, name: str) -> bool:
    """Whether the model exists (SageMaker refuses a name taken with a
    ValidationException, which the SageMaker SDK looks for)."""
    try:
        call.studio.endpoints.get_model(name)
    except NotFoundError:
        return False
    return True


def _container_answer(call: Call, container: ContainerDefinition) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "Image": container.image,
        "ModelDataUrl": container.model_data_url,
        "Environment": dict(container.environment),
        "ModelPackageName": aws_package_name(call, container.model_package_name),
        "Mode": container.mode or "SingleModel",
    }
    if container.multi_model_config:
        answer["MultiModelConfig"] = dict(container.multi_model_config)
    if container.container_hostname:
        answer["ContainerHostname"] = container.container_hostname
    return answer


@SAGEMAKER.operation("DescribeModel")
def describe_model(call: Call) -> dict[str, Any]:
    """Describe a model (ValidationException "Could not find model ..." if there is none,
    as on SageMaker).

    Args:
        call: A DescribeModel request.

    Returns:
        The model in DescribeModel's output shape.
    """
    model = get_model(call, call.params["ModelName"])
    if model.is_pipeline:
        containers: dict[str, Any] = {
            "Containers": [_container_answer(call, c) for c in model.containers],
            "InferenceExecutionConfig": model.inference_execution_config,
        }
    else:
        containers = {"PrimaryContainer": _container_answer(call, model.primary_container)}
    return {
        "ModelName": model.model_name,
        "ModelArn": model_arn(call, model.model_name),
        **containers,
        "ExecutionRoleArn": model.tags.get(ROLE_TAG),
        "CreationTime": model.creation_time,
        "EnableNetworkIsolation": False,
    }


@SAGEMAKER.operation("ListModels")
def list_models(call: Call) -> dict[str, Any]:
    """List models (NameContains, the creation-time filters, SortBy Name or CreationTime,
    SortOrder, pages; newest first by default, as on SageMaker).

    Args:
        call: A ListModels request.

    Returns:
        ``Models`` and ``NextToken``.
    """
    params = call.params
    models = read_all(
        call.studio.endpoints.list_models, name_contains=params.get("NameContains") or None
    )
    page, token = select(
        models,
        params,
        sort_keys={"CreationTime": lambda m: m.creation_time, "Name": lambda m: m.model_name},
        times={"CreationTime": lambda m: m.creation_time},
    )
    summaries = [
        {
            "ModelName": m.model_name,
            "ModelArn": model_arn(call, m.model_name),
            "CreationTime": m.creation_time,
        }
        for m in page
    ]
    return {"Models": summaries, "NextToken": token}


@SAGEMAKER.operation("DeleteModel")
def delete_model(call: Call) -> dict[str, Any]:
    """Delete a model (endpoints serving it keep running, as on SageMaker).

    Args:
        call: A DeleteModel request.

    Returns:
        Nothing (the operation has no output).
    """
    name = call.params["ModelName"]
    get_model(call, name)
    call.studio.endpoints.delete_model(name)
    return {}
