"""Model package ARNs at the API boundary: SageMaker's form in, the studio's names out.

The studio's registry records name a version ``arn:mlstudio:sagemaker:local:model-package/
<group>/<version>`` (``entities/registry.py``); the AWS API answers SageMaker's
``arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>`` (the group in
lower case, as SageMaker writes ARNs) and takes those, the studio's own ARNs and plain
names (``<group>``, ``<group>/<version>``) in requests. Every operation that names a
group or a version translates through here, CreateModel's ``ModelPackageName`` too.
"""

from __future__ import annotations

import re

from ..entities.registry import ARN_PREFIX
from ..exceptions import NotFoundError
from .errors import validation
from .listing import read_all
from .registry import Call

GROUP_RESOURCE = "model-package-group"
PACKAGE_RESOURCE = "model-package"
_AWS_ARN = re.compile(r"arn:aws[a-z\-]*:sagemaker:[^:]*:[^:]*:(?P<resource>[a-z\-]+)/(?P<rest>.+)")


def group_arn(call: Call, group: str) -> str:
    """A group's ARN as SageMaker writes it.

    Args:
        call: The request (region and account).
        group: The group's name.

    Returns:
        ``arn:aws:sagemaker:<region>:<account>:model-package-group/<group>``.
    """
    return call.arn(GROUP_RESOURCE, group)


def package_arn(call: Call, group: str, version: int) -> str:
    """A version's ARN as SageMaker writes it.

    Args:
        call: The request (region and account).
        group: The group's name.
        version: The version's number.

    Returns:
        ``arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>``.
    """
    return call.arn(PACKAGE_RESOURCE, f"{group}/{version}")


def group_name(call: Call, value: str, field: str = "ModelPackageGroupName") -> str:
    """The studio's name of the group a request names (its name, or an ARN of either form).

    Args:
        call: The request.
        value: What the request gave.
        field: The member that gave it (errors name it).

    Returns:
        The group's name as the studio keeps it (an ARN's lower-case name is matched to
        the group whatever its case).

    Raises:
        AwsError: ``ValidationException`` for an ARN of another resource.
    """
    resource, rest = _split(value, field)
    if resource is None:
        return value
    if resource != GROUP_RESOURCE or "/" in rest:
        raise validation(f"{field}: {value!r} is not a model package group ARN")
    return _stored_case(call, rest)


def package_of(call: Call, value: str, field: str = "ModelPackageName") -> tuple[str, int]:
    """The group and version a request names (an ARN of either form, or ``<group>/<n>``).

    Args:
        call: The request.
        value: What the request gave.
        field: The member that gave it (errors name it).

    Returns:
        ``(group, version)``, the group's name as the studio keeps it.

    Raises:
        AwsError: ``ValidationException`` when ``value`` names no version (an unversioned
            package: the studio's registry has versions only).
    """
    resource, rest = _split(value, field)
    if resource is not None and resource != PACKAGE_RESOURCE:
        raise validation(f"{field}: {value!r} is not a model package ARN")
    text = value if resource is None else rest
    group, _, version = text.rpartition("/")
    if not group or not version.isdigit() or "/" in group:
        raise validation(
            f"{field}: {value!r} names no model package version: give its ARN"
            " (model-package/<group>/<version>) or <group>/<version>"
        )
    if resource is not None:
        group = _stored_case(call, group)
    return group, int(version)


def studio_package_name(call: Call, value: str, field: str) -> str:
    """What the studio's hosting takes for a request's ``ModelPackageName``.

    Args:
        call: The request.
        value: An ARN of either form, or ``<group>/<version>``.
        field: The member that gave it.

    Returns:
        ``<group>/<version>``.
    """
    group, version = package_of(call, value, field)
    return f"{group}/{version}"


def aws_package_name(call: Call, stored: str | None) -> str | None:
    """A ``ModelPackageName`` the studio keeps, as the AWS API answers it (an ARN).

    Args:
        call: The request.
        stored: The studio's form (``<group>/<version>`` or its own ARN), or None.

    Returns:
        SageMaker's ARN of the version; ``stored`` unchanged when it names no version.
    """
    if not stored:
        return stored
    text = stored.removeprefix(f"{ARN_PREFIX}:{PACKAGE_RESOURCE}/")
    group, _, version = text.rpartition("/")
    if not group or not version.isdigit():
        return stored
    return package_arn(call, group, int(version))


def _split(value: str, field: str) -> tuple[str | None, str]:
    """``(resource, rest)`` of an ARN; ``(None, value)`` for a name."""
    if not value.startswith("arn:"):
        return None, value
    studio = f"{ARN_PREFIX}:"
    if value.startswith(studio):
        resource, _, rest = value[len(studio) :].partition("/")
        return resource, rest
    match = _AWS_ARN.fullmatch(value)
    if match is None:
        raise validation(f"{field}: {value!r} is not a SageMaker ARN")
    return match["resource"], match["rest"]


def _stored_case(call: Call, lowered: str) -> str:
    """The group an ARN's lower-case name stands for (SageMaker's ARNs lower the case)."""
    store = call.studio.store
    try:
        return store.get_model_package_group(lowered).model_package_group_name
    except NotFoundError:
        pass
    for group in read_all(store.list_model_package_groups):
        if group.model_package_group_name.lower() == lowered.lower():
            return group.model_package_group_name
    return lowered
