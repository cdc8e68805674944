"""The model registry: model package groups and their versioned model packages.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Frozen copies of the column types at this revision (never import the live models).
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "model_package_groups",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("last_version", sa.Integer(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("creation_time", Time, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_model_package_groups"),
        sa.UniqueConstraint("name", name="uq_model_package_groups_name"),
    )
    op.create_index(
        "ix_model_package_groups_creation_time", "model_package_groups", ["creation_time"]
    )
    op.create_table(
        "model_packages",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("group_id", BigId, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("approval_status", sa.String(32), nullable=False),
        sa.Column("approval_description", sa.Text(), nullable=True),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("creation_time", Time, nullable=False),
        sa.Column("last_modified_time", Time, nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["model_package_groups.id"],
            name="fk_model_packages_group_id",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_model_packages"),
        sa.UniqueConstraint("group_id", "version", name="uq_model_packages_group_id"),
    )
    op.create_index("ix_model_packages_approval_status", "model_packages", ["approval_status"])
    op.create_index("ix_model_packages_creation_time", "model_packages", ["creation_time"])


def downgrade() -> None:
    op.drop_table("model_packages")
    op.drop_table("model_package_groups")
