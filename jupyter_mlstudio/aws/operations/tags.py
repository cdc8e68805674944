"""Tags: AddTags, ListTags, DeleteTags, on every resource whose tags the studio keeps.

A resource is named by its ARN, ``arn:aws:sagemaker:<region>:<account>:<type>/<name>``,
the type saying which record it is (:data:`RESOURCES`). SageMaker writes names in ARNs in
lower case, so a name is looked up as written first and, when no record has it, among the
records whose name is the same but for case (one must match). An ARN of another region or
account, of a type the studio does not serve, or of a record that does not exist is a
``ValidationException``, as SageMaker answers these calls.

The studio keeps tags of its own under :data:`STUDIO_PREFIX` (a model's
``ExecutionRoleArn``, the tuning job of a training job, the source of a run): ListTags
does not show them and AddTags and DeleteTags refuse their keys, as they refuse AWS's
``aws:`` keys. The 50 tags SageMaker allows a resource are counted without them.
Endpoint configurations keep no tags in the studio: ListTags answers none and AddTags is
refused.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...entities import JobKind
from ...exceptions import NotFoundError
from ...store.base import MetadataStore, TaggedKind
from ..errors import NOT_FOUND_MESSAGE, AwsError, validation
from ..pagination import paginate
from ..registry import SAGEMAKER, Call
from ..tracking import STORE_PAGE, all_items, tag_list

#: the prefix of the tags the studio keeps for itself (hidden, not changeable here)
STUDIO_PREFIX = "mlstudio:"
#: keys no caller may set or remove: AWS's own and the studio's
RESERVED_PREFIXES = ("aws:", STUDIO_PREFIX)
#: most tags a resource holds (the studio's own not counted)
MAX_TAGS = 50
#: ListTags' page when the request gives no MaxResults (its least allowed value)
LIST_PAGE = 50
#: characters a key or value may hold besides letters, numbers and spaces (botocore's
#: ``TagKey`` / ``TagValue`` pattern, ``[\p{L}\p{Z}\p{N}_.:/=+\-@]*``)
TAG_PUNCTUATION = frozenset("_.:/=+-@")
ARN = re.compile(
    r"arn:aws[a-z-]*:sagemaker:(?P<region>[a-z0-9-]*):(?P<account>[0-9]{12}):"
    r"(?P<type>[a-z-]+)/(?P<name>.+)"
)

Names = Callable[[MetadataStore, str], list[str]]


@dataclass(frozen=True)
class Tagged:
    """How the studio keeps one ARN resource type's tags.

    Attributes:
        kind: The store's kind for :meth:`MetadataStore.set_tags`; None when the studio
            keeps no tags for the type.
        read: The tags of the record called exactly so (NotFoundError if none).
        names: The names of the records whose name contains the given text, in any case.
    """

    kind: TaggedKind | None
    read: Callable[[MetadataStore, str], dict[str, str]]
    names: Names


def _job(kind: JobKind) -> Tagged:
    def names(store: MetadataStore, text: str) -> list[str]:
        items = all_items(
            lambda token: store.list_jobs(
                kind=kind, name_contains=text, max_results=STORE_PAGE, next_token=token
            )
        )
        return [job.job_name for job in items]

    return Tagged("job", lambda store, name: store.get_job(name, kind).tags, names)


def _listed(list_method: str, name_field: str) -> Names:
    """Names from a store listing with a ``name_contains`` filter."""

    def names(store: MetadataStore, text: str) -> list[str]:
        fetch = getattr(store, list_method)
        items = all_items(
            lambda token: fetch(name_contains=text, max_results=STORE_PAGE, next_token=token)
        )
        return [getattr(item, name_field) for item in items]

    return names


def _scanned(list_method: str, name_field: str) -> Names:
    """Names from a store listing without a name filter (every record is read)."""

    def names(store: MetadataStore, text: str) -> list[str]:
        fetch = getattr(store, list_method)
        items = all_items(lambda token: fetch(max_results=STORE_PAGE, next_token=token))
        return [n for n in (getattr(item, name_field) for item in items) if text in n.lower()]

    return names


def _no_tags(store: MetadataStore, name: str) -> dict[str, str]:
    store.get_endpoint_config(name)
    return {}


#: ARN resource type → how its tags are kept
RESOURCES: dict[str, Tagged] = {
    "training-job": _job(JobKind.TRAINING),
    "processing-job": _job(JobKind.PROCESSING),
    "transform-job": _job(JobKind.TRANSFORM),
    "hyper-parameter-tuning-job": _job(JobKind.TUNING),
    "automl-job": _job(JobKind.AUTOML),
    "model": Tagged(
        "model", lambda s, n: s.get_model(n).tags, _listed("list_models", "model_name")
    ),
    "endpoint-config": Tagged(
        None, _no_tags, _listed("list_endpoint_configs", "endpoint_config_name")
    ),
    "endpoint": Tagged(
        "endpoint", lambda s, n: s.get_endpoint(n).tags, _listed("list_endpoints", "endpoint_name")
    ),
    "experiment": Tagged(
        "experiment",
        lambda s, n: s.get_experiment(n).tags,
        _listed("list_experiments", "experiment_name"),
    ),
    "experiment-trial": Tagged(
        "trial", lambda s, n: s.get_trial(n).tags, _scanned("list_trials", "trial_name")
    ),
    "experiment-trial-component": Tagged(
        "trial_component",
        lambda s, n: s.get_trial_component(n).tags,
        _scanned("list_trial_components", "trial_component_name"),
    ),
    "model-package-group": Tagged(
        "model_package_group",
        lambda s, n: s.get_model_package_group(n).tags,
        _listed("list_model_package_groups", "model_package_group_name"),
    ),
    "pipeline": Tagged(
        "pipeline",
        lambda s, n: s.get_pipeline(n).tags,
        _listed("list_pipelines", "pipeline_name"),
    ),
    "monitoring-schedule": Tagged(
        "monitoring_schedule",
        lambda s, n: s.get_monitoring_schedule(n).tags,
        _listed("list_monitoring_schedules", "monitoring_schedule_name"),
    ),
}


@dataclass(frozen=True)
class Resource:
    """The record an ARN names.

    Attributes:
        tagged: How its type keeps tags.
        name: Its name, as the studio writes it.
        tags: Its tags, the studio's own included.
    """

    tagged: Tagged
    name: str
    tags: dict[str, str]


def resolve(call: Call, arn: str) -> Resource:
    """The record ``arn`` names.

    Args:
        call: The request (the studio's region and account).
        arn: A resource's ARN, its name in any case.

    Returns:
        The record.

    Raises:
        AwsError: ``ValidationException`` when no record of the studio is called so.
    """
    match = ARN.fullmatch(arn)
    if match is None:
        raise validation(f"ResourceArn: {arn!r} is not the ARN of a SageMaker resource")
    tagged = RESOURCES.get(match["type"])
    if tagged is None:
        served = ", ".join(sorted(RESOURCES))
        raise validation(
            f"ResourceArn: the studio keeps no tags of {match['type']!r} resources"
            f" (it does for {served})"
        )
    if (match["region"], match["account"]) != (call.region, call.account_id):
        raise _not_found(arn)
    store = call.studio.store
    name = match["name"]
    try:
        return Resource(tagged, name, tagged.read(store, name))
    except NotFoundError:
        pass
    wanted = name.lower()
    same = sorted({n for n in tagged.names(store, wanted) if n.lower() == wanted})
    if len(same) != 1:
        raise _not_found(arn)
    try:
        return Resource(tagged, same[0], tagged.read(store, same[0]))
    except NotFoundError:  # deleted meanwhile
        raise _not_found(arn) from None


def _not_found(arn: str) -> AwsError:
    return validation(f"{NOT_FOUND_MESSAGE} ResourceArn: {arn}")


def visible(tags: dict[str, str]) -> dict[str, str]:
    """``tags`` without the studio's own."""
    return {k: v for k, v in tags.items() if not k.startswith(STUDIO_PREFIX)}


def check_key(key: str, member: str) -> None:
    """Refuse a reserved key, or one holding a character SageMaker's pattern does not
    allow (botocore's pattern uses ``\\p{...}`` classes Python's ``re`` cannot read).

    Args:
        key: A tag key.
        member: The request member it came in (``Tags``, ``TagKeys``).

    Raises:
        AwsError: ``ValidationException`` naming ``member``.
    """
    for prefix in RESERVED_PREFIXES:
        if key.lower().startswith(prefix):
            raise validation(
                f"{member}: tag keys starting with {prefix!r} are reserved"
                + (" by the studio" if prefix == STUDIO_PREFIX else " for AWS use")
                + f" ({key!r})"
            )
    _check_characters(key, member)


def _check_characters(text: str, member: str) -> None:
    for char in text:
        if char in TAG_PUNCTUATION or unicodedata.category(char)[0] in "LZN":
            continue
        raise validation(
            f"{member}: {text!r} failed to satisfy constraint: Member must satisfy regular"
            r" expression pattern: ([\p{L}\p{Z}\p{N}_.:/=+\-@]*)"
        )


@SAGEMAKER.operation("AddTags")
def add_tags(call: Call) -> dict[str, Any]:
    """Add or overwrite tags of a resource named by its ARN (at most 50 a resource).

    Args:
        call: An AddTags request.

    Returns:
        ``Tags``: the tags added.
    """
    given = [{"Key": t["Key"], "Value": t.get("Value", "")} for t in call.params["Tags"]]
    for tag in given:
        check_key(tag["Key"], "Tags")
        _check_characters(tag["Value"], "Tags")
    resource = resolve(call, call.params["ResourceArn"])
    if resource.tagged.kind is None:
        raise validation(
            "ResourceArn: the studio keeps no tags of endpoint configurations"
            " (docs/sagemaker-api.md)"
        )
    added = {tag["Key"]: tag["Value"] for tag in given}
    count = len({**visible(resource.tags), **added})
    if count > MAX_TAGS:
        raise validation(f"Tags: a resource holds at most {MAX_TAGS} tags ({count} with these)")
    call.studio.store.set_tags(resource.tagged.kind, resource.name, add=added)
    return {"Tags": given}


@SAGEMAKER.operation("ListTags")
def list_tags(call: Call) -> dict[str, Any]:
    """List the tags of a resource named by its ARN, by key, in pages (MaxResults at
    least 50, as on SageMaker).

    Args:
        call: A ListTags request.

    Returns:
        ``Tags`` and ``NextToken``.
    """
    resource = resolve(call, call.params["ResourceArn"])
    tags = tag_list(visible(resource.tags))
    page, token = paginate(tags, {"MaxResults": LIST_PAGE, **call.params})
    return {"Tags": page, "NextToken": token}


@SAGEMAKER.operation("DeleteTags")
def delete_tags(call: Call) -> dict[str, Any]:
    """Delete tags of a resource named by its ARN, by key (keys it does not have are
    ignored).

    Args:
        call: A DeleteTags request.

    Returns:
        Nothing (the operation has no output).
    """
    keys = list(call.params["TagKeys"])
    for key in keys:
        check_key(key, "TagKeys")
    resource = resolve(call, call.params["ResourceArn"])
    if resource.tagged.kind is not None and set(keys) & set(resource.tags):
        call.studio.store.set_tags(resource.tagged.kind, resource.name, remove=keys)
    return {}
