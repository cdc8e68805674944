"""The endpoint autoscaling records of ``SqlStore``: scalable targets, scaling policies and
scaling activities (a mixin: it needs the store's ``_session``). The tables are defined
here, beside their queries; revision 0010 creates them."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ...entities import Page
from ...entities.autoscaling import (
    ActivityStatus,
    ScalableTarget,
    ScalingActivity,
    ScalingPolicy,
    resource_id,
)
from ...exceptions import ConflictError, NotFoundError
from .models import Base, BigId, UTCDateTime
from .paging import check_max_results, paginate

NAME = 63  # endpoint and variant names (SageMaker: 63)
POLICY_NAME = 256  # Application Auto Scaling's PolicyName


class ScalableTargetRow(Base):
    __tablename__ = "autoscaling_targets"
    __table_args__ = (UniqueConstraint("endpoint_name", "variant_name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    endpoint_name: Mapped[str] = mapped_column(String(NAME), nullable=False, index=True)
    variant_name: Mapped[str] = mapped_column(String(NAME), nullable=False)
    min_capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    max_capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    role_arn: Mapped[str | None] = mapped_column(Text)
    suspended_state: Mapped[dict[str, bool]] = mapped_column(JSON, nullable=False)
    creation_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class ScalingPolicyRow(Base):
    __tablename__ = "autoscaling_policies"
    __table_args__ = (UniqueConstraint("endpoint_name", "variant_name", "policy_name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    endpoint_name: Mapped[str] = mapped_column(String(NAME), nullable=False, index=True)
    variant_name: Mapped[str] = mapped_column(String(NAME), nullable=False)
    policy_name: Mapped[str] = mapped_column(String(POLICY_NAME), nullable=False)
    policy_id: Mapped[str] = mapped_column(String(36), nullable=False)
    policy_type: Mapped[str] = mapped_column(String(32), nullable=False)
    configuration: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    creation_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class ScalingActivityRow(Base):
    __tablename__ = "autoscaling_activities"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    activity_id: Mapped[str] = mapped_column(String(36), unique=True, nullable=False)
    endpoint_name: Mapped[str] = mapped_column(String(NAME), nullable=False, index=True)
    variant_name: Mapped[str] = mapped_column(String(NAME), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    cause: Mapped[str] = mapped_column(Text, nullable=False)
    status_code: Mapped[str] = mapped_column(String(32), nullable=False)
    status_message: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    start_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    end_time: Mapped[datetime | None] = mapped_column(UTCDateTime)


def _no_target(endpoint_name: str, variant_name: str) -> NotFoundError:
    return NotFoundError(
        f"No scalable target registered for {resource_id(endpoint_name, variant_name)}",
        field="ResourceId",
    )


class AutoscalingQueries:
    """The autoscaling methods of ``SqlStore``."""

    def _session(
        self, *, write: bool = False, conflict: ConflictError | None = None
    ) -> AbstractContextManager[Session]:
        raise NotImplementedError

    # -- scalable targets ---------------------------------------------------------------

    def put_scalable_target(self, target: ScalableTarget) -> ScalableTarget:
        with self._session(write=True) as s:
            row = _target_row(s, target.endpoint_name, target.variant_name)
            if row is None:
                row = ScalableTargetRow(
                    endpoint_name=target.endpoint_name,
                    variant_name=target.variant_name,
                    creation_time=target.creation_time,
                )
                s.add(row)
            row.min_capacity = target.min_capacity
            row.max_capacity = target.max_capacity
            row.role_arn = target.role_arn
            row.suspended_state = dict(target.suspended_state)
            s.flush()
            return _target(row)

    def get_scalable_target(self, endpoint_name: str, variant_name: str) -> ScalableTarget:
        with self._session() as s:
            row = _target_row(s, endpoint_name, variant_name)
            if row is None:
                raise _no_target(endpoint_name, variant_name)
            return _target(row)

    def list_scalable_targets(self, *, endpoint_name: str | None = None) -> list[ScalableTarget]:
        stmt = select(ScalableTargetRow).order_by(
            ScalableTargetRow.creation_time, ScalableTargetRow.id
        )
        if endpoint_name is not None:
            stmt = stmt.where(ScalableTargetRow.endpoint_name == endpoint_name)
        with self._session() as s:
            return [_target(r) for r in s.scalars(stmt)]

    def delete_scalable_target(self, endpoint_name: str, variant_name: str) -> None:
        with self._session(write=True) as s:
            row = _target_row(s, endpoint_name, variant_name)
            if row is None:
                raise _no_target(endpoint_name, variant_name)
            s.execute(
                delete(ScalingPolicyRow).where(
                    ScalingPolicyRow.endpoint_name == endpoint_name,
                    ScalingPolicyRow.variant_name == variant_name,
                )
            )
            s.delete(row)

    # -- scaling policies ---------------------------------------------------------------

    def put_scaling_policy(self, policy: ScalingPolicy) -> ScalingPolicy:
        with self._session(write=True) as s:
            if _target_row(s, policy.endpoint_name, policy.variant_name) is None:
                raise _no_target(policy.endpoint_name, policy.variant_name)
            row = s.scalars(
                select(ScalingPolicyRow).where(
                    ScalingPolicyRow.endpoint_name == policy.endpoint_name,
                    ScalingPolicyRow.variant_name == policy.variant_name,
                    ScalingPolicyRow.policy_name == policy.policy_name,
                )
            ).one_or_none()
            if row is None:
                row = ScalingPolicyRow(
                    endpoint_name=policy.endpoint_name,
                    variant_name=policy.variant_name,
                    policy_name=policy.policy_name,
                    policy_id=policy.policy_id,
                    creation_time=policy.creation_time,
                )
                s.add(row)
            row.policy_type = policy.policy_type
            row.configuration = dict(policy.configuration)
            s.flush()
            return _policy(row)

    def list_scaling_policies(
        self, *, endpoint_name: str | None = None, variant_name: str | None = None
    ) -> list[ScalingPolicy]:
        stmt = select(ScalingPolicyRow).order_by(
            ScalingPolicyRow.creation_time, ScalingPolicyRow.id
        )
        if endpoint_name is not None:
            stmt = stmt.where(ScalingPolicyRow.endpoint_name == endpoint_name)
        if variant_name is not None:
            stmt = stmt.where(ScalingPolicyRow.variant_name == variant_name)
        with self._session() as s:
            return [_policy(r) for r in s.scalars(stmt)]

    def delete_scaling_policy(
        self, endpoint_name: str, variant_name: str, policy_name: str
    ) -> None:
        with self._session(write=True) as s:
            done = s.execute(
                delete(ScalingPolicyRow).where(
                    ScalingPolicyRow.endpoint_name == endpoint_name,
                    ScalingPolicyRow.variant_name == variant_name,
                    ScalingPolicyRow.policy_name == policy_name,
                )
            )
            if not getattr(done, "rowcount", 0):
                raise NotFoundError(
                    f"No scaling policy {policy_name!r} on"
                    f" {resource_id(endpoint_name, variant_name)}",
                    field="PolicyName",
                )

    # -- scaling activities -------------------------------------------------------------

    def create_scaling_activity(self, activity: ScalingActivity) -> ScalingActivity:
        conflict = ConflictError(
            f"Scaling activity {activity.activity_id!r} exists already", field="ActivityId"
        )
        row = ScalingActivityRow(
            activity_id=activity.activity_id,
            endpoint_name=activity.endpoint_name,
            variant_name=activity.variant_name,
            description=activity.description,
            cause=activity.cause,
            status_code=activity.status_code,
            status_message=activity.status_message,
            details=activity.details,
            start_time=activity.start_time,
            end_time=activity.end_time,
        )
        with self._session(write=True, conflict=conflict) as s:
            s.add(row)
            s.flush()
            return _activity(row)

    def update_scaling_activity(
        self,
        activity_id: str,
        *,
        status_code: ActivityStatus,
        status_message: str | None = None,
        end_time: datetime | None = None,
    ) -> ScalingActivity:
        with self._session(write=True) as s:
            row = s.scalars(
                select(ScalingActivityRow)
                .where(ScalingActivityRow.activity_id == activity_id)
                .with_for_update()
            ).one_or_none()
            if row is None:
                raise NotFoundError(
                    f"Scaling activity {activity_id!r} does not exist", field="ActivityId"
                )
            row.status_code = status_code
            row.status_message = status_message
            row.end_time = end_time
            s.flush()
            return _activity(row)

    def list_scaling_activities(
        self,
        *,
        endpoint_name: str | None = None,
        variant_name: str | None = None,
        max_results: int = 50,
        next_token: str | None = None,
    ) -> Page[ScalingActivity]:
        max_results = check_max_results(max_results)
        stmt = select(ScalingActivityRow)
        scope = "scaling-activities"
        if endpoint_name is not None:
            stmt = stmt.where(ScalingActivityRow.endpoint_name == endpoint_name)
            scope += f"/e={endpoint_name}"
        if variant_name is not None:
            stmt = stmt.where(ScalingActivityRow.variant_name == variant_name)
            scope += f"/v={variant_name}"
        with self._session() as s:
            rows, token = paginate(
                s,
                stmt,
                scope=scope,
                sort_column=ScalingActivityRow.start_time,
                id_column=ScalingActivityRow.id,
                descending=True,
                max_results=max_results,
                next_token=next_token,
            )
            return Page[ScalingActivity](items=[_activity(r) for r in rows], next_token=token)


def _target_row(s: Session, endpoint_name: str, variant_name: str) -> ScalableTargetRow | None:
    return s.scalars(
        select(ScalableTargetRow).where(
            ScalableTargetRow.endpoint_name == endpoint_name,
            ScalableTargetRow.variant_name == variant_name,
        )
    ).one_or_none()


def _target(row: ScalableTargetRow) -> ScalableTarget:
    return ScalableTarget(
        endpoint_name=row.endpoint_name,
        variant_name=row.variant_name,
        min_capacity=row.min_capacity,
        max_capacity=row.max_capacity,
        role_arn=row.role_arn,
        suspended_state=dict(row.suspended_state),
        creation_time=row.creation_time,
    )


def _policy(row: ScalingPolicyRow) -> ScalingPolicy:
    return ScalingPolicy(
        policy_name=row.policy_name,
        endpoint_name=row.endpoint_name,
        variant_name=row.variant_name,
        policy_type=row.policy_type,
        configuration=dict(row.configuration),
        policy_id=row.policy_id,
        creation_time=row.creation_time,
    )


def _activity(row: ScalingActivityRow) -> ScalingActivity:
    return ScalingActivity(
        activity_id=row.activity_id,
        endpoint_name=row.endpoint_name,
        variant_name=row.variant_name,
        description=row.description,
        cause=row.cause,
        status_code=row.status_code,
        status_message=row.status_message,
        details=row.details,
        start_time=row.start_time,
        end_time=row.end_time,
    )
