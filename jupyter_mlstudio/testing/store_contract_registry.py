"""The model registry part of the metadata store contract: model package groups and their
versions. :class:`RegistryContract` is part of ``StoreContract`` and needs a ``store``
fixture yielding a fresh, empty :class:`~jupyter_mlstudio.store.base.MetadataStore`."""

from __future__ import annotations

import math
import threading

import pytest

from ..entities import ModelApprovalStatus
from ..exceptions import ConflictError, NotFoundError, ValidationError
from ..store.base import MetadataStore
from .store_helpers import expect

PENDING = ModelApprovalStatus.PENDING_MANUAL_APPROVAL
APPROVED = ModelApprovalStatus.APPROVED
REJECTED = ModelApprovalStatus.REJECTED

SPEC = {
    "InferenceSpecification": {
        "Containers": [{"Image": "img:1", "ModelDataUrl": "file:///m/model.tar.gz"}],
        "SupportedContentTypes": ["text/csv"],
        "SupportedResponseMIMETypes": ["application/json"],
    },
    "ModelMetrics": {
        "ModelQuality": {
            "Statistics": {"ContentType": "application/json", "S3Uri": "file:///e.json"}
        }
    },
    "CustomerMetadataProperties": {"team": "churn"},
}


class RegistryContract:
    """Groups, versions numbered 1, 2, ... per group, approval and customer metadata."""

    def test_groups(self, store: MetadataStore) -> None:
        group = store.create_model_package_group("churn", description="churn models")
        assert group.model_package_group_name == "churn"
        assert group.model_package_group_arn.endswith(":model-package-group/churn")
        assert store.get_model_package_group("churn") == group
        with expect(ConflictError, "ModelPackageGroupName"):
            store.create_model_package_group("churn")
        with expect(ValidationError, "ModelPackageGroupName"):
            store.create_model_package_group("bad name")
        with expect(NotFoundError):
            store.get_model_package_group("none")
        store.create_model_package_group("fraud")
        names = [g.model_package_group_name for g in store.list_model_package_groups().items]
        assert names == ["fraud", "churn"]
        page = store.list_model_package_groups(name_contains="URN")
        assert [g.model_package_group_name for g in page.items] == ["churn"]

    def test_versions_count_up_and_are_never_reused(self, store: MetadataStore) -> None:
        store.create_model_package_group("g")
        first = store.create_model_package("g", spec=SPEC, description="v1")
        second = store.create_model_package("g", approval_status=APPROVED)
        assert (first.model_package_version, second.model_package_version) == (1, 2)
        assert first.model_approval_status is PENDING
        assert first.spec == SPEC
        assert first.model_package_arn.endswith(":model-package/g/1")
        assert store.get_model_package("g", 1) == first
        store.delete_model_package("g", 2)
        assert store.create_model_package("g").model_package_version == 3
        with expect(NotFoundError, "ModelPackageVersion"):
            store.get_model_package("g", 2)
        with expect(ValidationError, "ModelPackageVersion"):
            store.get_model_package("g", 0)

    def test_versions_of_a_missing_group(self, store: MetadataStore) -> None:
        with expect(NotFoundError, "ModelPackageGroupName"):
            store.create_model_package("nope")
        with expect(NotFoundError, "ModelPackageGroupName"):
            store.list_model_packages("nope")

    def test_listing_newest_first_with_an_approval_filter(self, store: MetadataStore) -> None:
        store.create_model_package_group("g")
        for status in (PENDING, APPROVED, REJECTED, APPROVED):
            store.create_model_package("g", approval_status=status)
        versions = [p.model_package_version for p in store.list_model_packages("g").items]
        assert versions == [4, 3, 2, 1]
        approved = store.list_model_packages("g", approval_status=APPROVED)
        assert [p.model_package_version for p in approved.items] == [4, 2]
        page = store.list_model_packages("g", sort_order="Ascending", max_results=3)
        assert [p.model_package_version for p in page.items] == [1, 2, 3]
        rest = store.list_model_packages(
            "g", sort_order="Ascending", max_results=3, next_token=page.next_token
        )
        assert [p.model_package_version for p in rest.items] == [4]
        with expect(ValidationError, "NextToken"):
            store.list_model_packages("g", approval_status=APPROVED, next_token=page.next_token)

    def test_approval_and_customer_metadata(self, store: MetadataStore) -> None:
        store.create_model_package_group("g")
        store.create_model_package("g", spec=SPEC)
        updated = store.update_model_package(
            "g",
            1,
            approval_status=APPROVED,
            approval_description="auc 0.91",
            customer_metadata={"owner": "ana"},
            customer_metadata_to_remove=["team"],
        )
        assert updated.model_approval_status is APPROVED
        assert updated.approval_description == "auc 0.91"
        assert updated.spec["CustomerMetadataProperties"] == {"owner": "ana"}
        assert updated.spec["InferenceSpecification"] == SPEC["InferenceSpecification"]
        assert updated.last_modified_time >= updated.creation_time
        assert store.get_model_package("g", 1) == updated
        kept = store.update_model_package("g", 1, approval_status=REJECTED)
        assert kept.approval_description == "auc 0.91"  # not given: unchanged
        with expect(ValidationError, "ModelApprovalStatus"):
            store.update_model_package("g", 1, approval_status="Maybe")  # type: ignore[arg-type]
        with expect(ValidationError, "CustomerMetadataProperties.k"):
            store.update_model_package("g", 1, customer_metadata={"k": 5})  # type: ignore[dict-item]

    @pytest.mark.parametrize("bad", [math.nan, math.inf])
    def test_a_spec_json_cannot_carry_is_refused(self, store: MetadataStore, bad: float) -> None:
        store.create_model_package_group("g")
        with expect(ValidationError, "Spec"):
            store.create_model_package("g", spec={"ModelMetrics": {"x": bad}})
        assert store.list_model_packages("g").items == []

    def test_a_group_with_versions_is_not_deleted(self, store: MetadataStore) -> None:
        store.create_model_package_group("g")
        store.create_model_package("g")
        with expect(ConflictError, "ModelPackageGroupName"):
            store.delete_model_package_group("g")
        store.delete_model_package("g", 1)
        store.delete_model_package_group("g")
        with expect(NotFoundError):
            store.get_model_package_group("g")

    def test_concurrent_versions_are_distinct(self, store: MetadataStore) -> None:
        store.create_model_package_group("g")
        errors: list[BaseException] = []

        def register() -> None:
            try:
                for _ in range(5):
                    store.create_model_package("g")
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=register) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        versions = sorted(p.model_package_version for p in store.list_model_packages("g").items)
        assert versions == list(range(1, 21))
