"""What the job operations share: a kind's API names, create, list and stop.

Training and processing jobs (and the kinds that follow) are the studio's
:class:`JobKindService` behind SageMaker's operations; a :class:`JobApi` says what the
kind's members are called, and the functions here do the rest the same way for every
kind: the request is cut down to what the studio's request model holds
(:func:`project`), an image the studio does not have makes a Failed job (never a pull)
while an Amazon ECR image it cannot run is refused, and List* filters, sorts and pages as
SageMaker does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel

from ..entities import Job, JobKind, JobStatus
from ..entities.common import JOB_NAME_MAX, utcnow, validate_name
from ..entities.jobs import SecondaryStatus, SecondaryStatusTransition
from ..exceptions import ConflictError, ValidationError
from ..runtime.image_uris import UnknownImageError
from ..runtime.images import DEFAULT_TAG
from ..services.jobs.requests import parse_request
from .errors import validation
from .pagination import paginate
from .registry import Call
from .service_model import to_datetime


@dataclass(frozen=True)
class JobApi:
    """How SageMaker names one kind of job's members.

    Attributes:
        kind: The studio's kind.
        resource: The ARN's resource type (``training-job``).
        prefix: The members' prefix (``TrainingJob``: ``TrainingJobName``, ...).
        image_field: The request member that names the image.
        start_member: The describe member of the start time.
        end_member: The describe member of the end time.
    """

    kind: JobKind
    resource: str
    prefix: str
    image_field: str
    start_member: str
    end_member: str

    @property
    def name_member(self) -> str:
        """``TrainingJobName``."""
        return f"{self.prefix}Name"

    def arn(self, call: Call, name: str) -> str:
        """The job's ARN."""
        return call.arn(self.resource, name)

    def status_members(self, call: Call, job: Job) -> dict[str, Any]:
        """Name, ARN, status, failure and times: what describe and summaries share."""
        return {
            self.name_member: job.job_name,
            f"{self.prefix}Arn": self.arn(call, job.job_name),
            f"{self.prefix}Status": job.status.value,
            "FailureReason": job.failure_reason,
            "CreationTime": job.creation_time,
            "LastModifiedTime": job.last_modified_time,
            self.start_member: job.start_time,
            self.end_member: job.end_time,
        }


def project(model: type[BaseModel], data: Any) -> Any:
    """``data`` without the members ``model`` (a studio request model) does not hold.

    The studio's request models refuse unknown fields; SageMaker requests carry members
    the studio has no use for (``VpcConfig``, ``EnableManagedSpotTraining``, ...), which
    are dropped here (docs/sagemaker-api.md lists them).

    Args:
        model: The request model (or a nested one).
        data: The request, already validated against botocore's model.

    Returns:
        The members ``model`` knows, nested models projected the same way.
    """
    if not isinstance(data, dict):
        return data
    out: dict[str, Any] = {}
    for name, value in data.items():
        field = model.model_fields.get(name)
        if field is None:
            continue
        nested = _model_in(field.annotation)
        if nested is None:
            out[name] = value
        elif isinstance(value, list):
            out[name] = [project(nested, item) for item in value]
        else:
            out[name] = project(nested, value)
    return out


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The request model inside an annotation (``X``, ``X | None``, ``list[X]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def create_job(call: Call, api: JobApi, request: dict[str, Any]) -> Job:
    """Create a job through the studio's service for ``api.kind``.

    A SageMaker framework image URI runs as the studio's image that honours its contract
    (``runtime/image_uris.py``); any other Amazon ECR URI is refused (ValidationException
    naming the member and ``mlstudio images``: the studio never pulls). A local image the
    studio cannot run (not on the Docker engine, or any image but the script-mode one on
    the process runtime) does not refuse the call, as on SageMaker: the job is recorded
    Failed, its FailureReason saying how to get the image.

    Args:
        call: The request.
        api: The kind's names.
        request: The studio's request (SageMaker's field names).

    Returns:
        The job as recorded.
    """
    service = call.studio.job_kinds[api.kind]
    try:
        return service.create(request)
    except ValidationError as exc:
        if exc.field != api.image_field or isinstance(exc, UnknownImageError):
            raise
        return _record_failed(call, api, request, exc.message)


def _record_failed(call: Call, api: JobApi, request: dict[str, Any], problem: str) -> Job:
    service = call.studio.job_kinds[api.kind]
    body = parse_request(service.request_model, request)
    name = validate_name(
        getattr(body, api.name_member), field=api.name_member, max_length=JOB_NAME_MAX
    )
    call.studio.owner_check.require(api.name_member)
    reason = (
        f"ClientError: {problem}. The studio never pulls images: run `mlstudio images build`"
        f" for its script-mode image ({DEFAULT_TAG}), or build or tag the image locally"
        " and use the docker runtime"
    )
    now = utcnow()
    job = Job(
        job_name=name,
        kind=api.kind,
        status=JobStatus.FAILED,
        secondary_status=SecondaryStatus.FAILED,
        failure_reason=reason,
        runtime=call.studio.jobs.runtime_name(),
        spec=body.model_dump(mode="json", exclude_none=True),
        creation_time=now,
        end_time=now,
        last_modified_time=now,
        secondary_status_transitions=[
            SecondaryStatusTransition(
                status=SecondaryStatus.FAILED,
                start_time=now,
                end_time=now,
                status_message=reason,
            )
        ],
        tags={t["Key"]: t.get("Value", "") for t in request.get("Tags") or []},
    )
    try:
        return call.studio.store.create_job(job)
    except ConflictError:
        raise ConflictError(f"a job named {name!r} exists already", field=api.name_member) from None


#: List* sort keys → the job attribute they sort by
_SORT_KEYS: dict[str, Callable[[Job], Any]] = {
    "Name": lambda job: job.job_name,
    "CreationTime": lambda job: job.creation_time,
    "Status": lambda job: job.status.value,
}


def list_jobs(call: Call, api: JobApi, summary: Callable[[Job], dict[str, Any]]) -> dict[str, Any]:
    """Answer List<Kind>s: NameContains, StatusEquals, the time filters, SortBy,
    SortOrder (default Ascending, as on SageMaker), MaxResults and NextToken.

    Args:
        call: The request.
        api: The kind's names.
        summary: A job as one item of the answer.

    Returns:
        ``{"<Prefix>Summaries": [...], "NextToken": ...}``.
    """
    params = call.params
    status = params.get("StatusEquals")
    service = call.studio.job_kinds[api.kind]
    jobs: list[Job] = []
    token: str | None = None
    while True:
        page = service.list(
            status=JobStatus(status) if status else None,
            name_contains=params.get("NameContains") or None,
            sort_order="Ascending",
            max_results=100,
            next_token=token,
        )
        jobs.extend(page.items)
        token = page.next_token
        if not token:
            break
    jobs = [job for job in jobs if _in_time_window(job, params)]
    key = _SORT_KEYS[params.get("SortBy") or "CreationTime"]
    jobs.sort(key=key, reverse=params.get("SortOrder") == "Descending")
    items, next_token = paginate(jobs, params)
    return {f"{api.prefix}Summaries": [summary(job) for job in items], "NextToken": next_token}


def _in_time_window(job: Job, params: dict[str, Any]) -> bool:
    bounds = (
        ("CreationTimeAfter", job.creation_time, 1),
        ("CreationTimeBefore", job.creation_time, -1),
        ("LastModifiedTimeAfter", job.last_modified_time, 1),
        ("LastModifiedTimeBefore", job.last_modified_time, -1),
    )
    for member, value, sign in bounds:
        limit = to_datetime(params.get(member))
        if limit is None:
            continue
        if (sign > 0 and not value > limit) or (sign < 0 and not value < limit):
            return False
    return True


def stop_job(call: Call, api: JobApi) -> dict[str, Any]:
    """Answer Stop<Kind>: Stopping now; a job that has ended is a ValidationException
    (SageMaker's answer), not a conflict."""
    name = call.params[api.name_member]
    try:
        call.studio.job_kinds[api.kind].stop(name)
    except ConflictError as exc:
        raise validation(
            f"The request was rejected because the {api.resource.replace('-', ' ')}"
            f" is not in progress: {exc.message}"
        ) from None
    return {}
