"""The model registry: package groups and their versions (CreateModelPackageGroup,
CreateModelPackage, ListModelPackages, DescribeModelPackage, UpdateModelPackage)."""

from __future__ import annotations

from typing import ClassVar

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from ...services.registry.requests import (
    CreateModelPackageGroupRequest,
    CreateModelPackageRequest,
    UpdateModelPackageRequest,
)
from ...services.registry.service import parse_version
from .. import registry_schemas as rs
from ..json_io import read_json
from .base import Operation, StudioHandler


class ModelPackageGroupsHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "List model package groups, newest first",
            "listModelPackageGroups",
            query=rs.ListModelPackageGroupsQuery,
            response=rs.ListModelPackageGroupsResponse,
        ),
        "post": Operation(
            "Create a model package group",
            "createModelPackageGroup",
            body=CreateModelPackageGroupRequest,
            response=rs.ModelPackageGroupBody,
            status=201,
            errors=(400, 403, 409),
        ),
    }

    @authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(rs.ListModelPackageGroupsQuery)
        page = await self.run(
            self.studio.registry.list_groups,
            name_contains=q.NameContains,
            sort_order=q.SortOrder,
            max_results=q.MaxResults,
            next_token=q.NextToken,
        )
        self.send({"ModelPackageGroupSummaryList": page.items, "NextToken": page.next_token})

    @authenticated
    @authorized
    async def post(self) -> None:
        body = self.parse_body(CreateModelPackageGroupRequest)
        self.send(await self.run(self.studio.registry.create_group, body), 201)


class ModelPackageGroupHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Describe a model package group",
            "describeModelPackageGroup",
            response=rs.ModelPackageGroupBody,
            errors=(403, 404),
        ),
        "delete": Operation(
            "Delete a model package group that holds no versions",
            "deleteModelPackageGroup",
            status=204,
            errors=(403, 404, 409),
        ),
    }

    @authenticated
    @authorized
    async def get(self, group: str) -> None:
        self.send(await self.run(self.studio.registry.describe_group, group))

    @authenticated
    @authorized
    async def delete(self, group: str) -> None:
        await self.run(self.studio.store.delete_model_package_group, group)
        self.send(None, 204)


class ModelPackagesHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "List a group's versions, newest first (filter by ModelApprovalStatus)",
            "listModelPackages",
            query=rs.ListModelPackagesQuery,
            response=rs.ListModelPackagesResponse,
            errors=(400, 403, 404),
        ),
        "post": Operation(
            "Register a new version in the group (CreateModelPackage)",
            "createModelPackage",
            body=CreateModelPackageRequest,
            response=rs.DescribeModelPackageResponse,
            status=201,
            errors=(400, 403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, group: str) -> None:
        q = self.parse_query(rs.ListModelPackagesQuery)
        page = await self.run(
            self.studio.registry.list_packages,
            group,
            approval_status=q.ModelApprovalStatus,
            sort_order=q.SortOrder,
            max_results=q.MaxResults,
            next_token=q.NextToken,
        )
        self.send({"ModelPackageSummaryList": page.items, "NextToken": page.next_token})

    @authenticated
    @authorized
    async def post(self, group: str) -> None:
        body = read_json(self.request.body or b"{}")
        self.send(await self.run(self.studio.registry.create_package, body, group=group), 201)


class ModelPackageHandler(StudioHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "Describe a version (DescribeModelPackage)",
            "describeModelPackage",
            response=rs.DescribeModelPackageResponse,
            errors=(400, 403, 404),
        ),
        "patch": Operation(
            "Approve or reject a version; change its customer metadata (UpdateModelPackage)",
            "updateModelPackage",
            body=UpdateModelPackageRequest,
            response=rs.DescribeModelPackageResponse,
            errors=(400, 403, 404),
        ),
        "delete": Operation(
            "Delete a version (its number is not reused)",
            "deleteModelPackage",
            status=204,
            errors=(400, 403, 404),
        ),
    }

    @authenticated
    @authorized
    async def get(self, group: str, version: str) -> None:
        number = parse_version(version)
        self.send(await self.run(self.studio.registry.describe_package, group, number))

    @authenticated
    @authorized
    async def patch(self, group: str, version: str) -> None:
        number = parse_version(version)
        body = self.parse_body(UpdateModelPackageRequest)
        self.send(await self.run(self.studio.registry.update_package, group, number, body))

    @authenticated
    @authorized
    async def delete(self, group: str, version: str) -> None:
        number = parse_version(version)
        await self.run(self.studio.store.delete_model_package, group, number)
        self.send(None, 204)
