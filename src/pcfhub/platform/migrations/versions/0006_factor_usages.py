"""factors: the uses of factor versions by published results (usage statements)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pcfhub.platform.db import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "factor_usages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("result_kind", sa.String(length=32), nullable=False),
        sa.Column("result_id", sa.String(length=64), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_factor_usages_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["factor_versions.id"],
            name=op.f("fk_factor_usages_version_id_factor_versions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_factor_usages")),
        sa.UniqueConstraint(
            "result_kind", "result_id", "version_id", name=op.f("uq_factor_usages_result_kind")
        ),
    )
    with op.batch_alter_table("factor_usages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_factor_usages_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_factor_usages_used_at"), ["used_at"], unique=False)
        batch_op.create_index(
            "ix_factor_usages_version_id_used_at", ["version_id", "used_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("factor_usages")
