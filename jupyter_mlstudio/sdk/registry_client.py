"""The SDK's client of the studio's model registry (``/mlstudio/api/model-package-groups``):
DescribeModelPackage-shaped dicts in, out."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from ..entities.registry import package_of
from ..exceptions import ConflictError, NotFoundError
from .client import resolve_client
from .transport import StudioConnection, segment

GROUPS = "model-package-groups"


class RegistryClient:
    """Groups and versions of one studio.

    Args:
        connection: The studio.
    """

    def __init__(self, connection: StudioConnection) -> None:
        self.connection = connection

    def create_group(
        self, name: str, description: str | None = None, tags: Sequence[Mapping[str, str]] = ()
    ) -> dict[str, Any]:
        """CreateModelPackageGroup; the group as DescribeModelPackageGroup answers."""
        body: dict[str, Any] = {"ModelPackageGroupName": name, "Tags": [dict(t) for t in tags]}
        if description is not None:
            body["ModelPackageGroupDescription"] = description
        return dict(self.connection.json("POST", GROUPS, body=body))

    def describe_group(self, name: str) -> dict[str, Any]:
        """DescribeModelPackageGroup."""
        return dict(self.connection.json("GET", f"{GROUPS}/{segment(name)}"))

    def create_package(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """CreateModelPackage (the group named in the request, by name or ARN).

        A group given by name is created first when it does not exist, as SageMaker's SDK
        does; one given by ARN must exist.
        """
        named = str(request["ModelPackageGroupName"])
        group = named.rsplit("/", 1)[-1]
        if not named.startswith("arn:"):
            try:
                self.describe_group(group)
            except NotFoundError:
                with contextlib.suppress(ConflictError):  # created meanwhile
                    self.create_group(group)
        path = f"{GROUPS}/{segment(group)}/model-packages"
        return dict(self.connection.json("POST", path, body=dict(request)))

    def describe_package(self, arn: str) -> dict[str, Any]:
        """DescribeModelPackage of a version's ARN (or ``<group>/<version>``)."""
        group, version = package_of(arn, "ModelPackageName")
        path = f"{GROUPS}/{segment(group)}/model-packages/{version}"
        return dict(self.connection.json("GET", path))

    def update_package(self, arn: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """UpdateModelPackage of a version."""
        group, version = package_of(arn, "ModelPackageArn")
        path = f"{GROUPS}/{segment(group)}/model-packages/{version}"
        return dict(self.connection.json("PATCH", path, body=dict(changes)))

    def list_packages(self, group: str, approval_status: str | None = None) -> list[dict[str, Any]]:
        """Every version of a group, newest first (all pages of ListModelPackages)."""
        items: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            query = {"ModelApprovalStatus": approval_status, "NextToken": token}
            page = self.connection.json(
                "GET", f"{GROUPS}/{segment(group)}/model-packages", query=query
            )
            items.extend(page["ModelPackageSummaryList"])
            token = page.get("NextToken")
            if not token:
                return items


def registry_client(session: Any = None) -> RegistryClient:
    """The registry client of a ``sagemaker_session``.

    Args:
        session: None (the default client), a Session, a TrackingClient or a URI.

    Returns:
        A client of the studio that owns the session's home.
    """
    return RegistryClient(resolve_client(session).studio)
