"""factors: lineages, versions, reviews

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 15:00:35.393467
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pcfhub.platform.db import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "factor_lineages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("lineage_key", sa.String(length=128), nullable=False),
        sa.Column("contributor_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contributor_id"],
            ["organisations.id"],
            name=op.f("fk_factor_lineages_contributor_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_factor_lineages")),
        sa.UniqueConstraint("lineage_key", name=op.f("uq_factor_lineages_lineage_key")),
    )
    with op.batch_alter_table("factor_lineages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_factor_lineages_contributor_id"), ["contributor_id"], unique=False
        )

    op.create_table(
        "factor_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("lineage_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=80), nullable=False),
        sa.Column("name_zh", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("activity", sa.String(length=128), nullable=False),
        sa.Column("geography", sa.String(length=16), nullable=False),
        sa.Column("reference_year", sa.Integer(), nullable=False),
        sa.Column("boundary", sa.String(length=32), nullable=False),
        sa.Column("unit", sa.String(length=300), nullable=False),
        sa.Column("dimension", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source_publisher", sa.String(length=300), nullable=False),
        sa.Column("redistribution", sa.String(length=16), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("submitted_at", UtcDateTime(), nullable=True),
        sa.Column("published_at", UtcDateTime(), nullable=True),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["lineage_id"],
            ["factor_lineages.id"],
            name=op.f("fk_factor_versions_lineage_id_factor_lineages"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_factor_versions")),
        sa.UniqueConstraint("lineage_id", "version", name=op.f("uq_factor_versions_lineage_id")),
    )
    with op.batch_alter_table("factor_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_factor_versions_activity"), ["activity"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_factor_versions_geography"), ["geography"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_factor_versions_lineage_id"), ["lineage_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_factor_versions_reference_year"), ["reference_year"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_factor_versions_status"), ["status"], unique=False)

    op.create_table(
        "factor_reviews",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("reviewer_organisation_id", sa.Uuid(), nullable=True),
        sa.Column("reviewer_user_id", sa.Uuid(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["factor_versions.id"],
            name=op.f("fk_factor_reviews_version_id_factor_versions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_factor_reviews")),
    )
    with op.batch_alter_table("factor_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_factor_reviews_version_id"), ["version_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("factor_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_factor_reviews_version_id"))

    op.drop_table("factor_reviews")
    with op.batch_alter_table("factor_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_factor_versions_status"))
        batch_op.drop_index(batch_op.f("ix_factor_versions_reference_year"))
        batch_op.drop_index(batch_op.f("ix_factor_versions_lineage_id"))
        batch_op.drop_index(batch_op.f("ix_factor_versions_geography"))
        batch_op.drop_index(batch_op.f("ix_factor_versions_activity"))

    op.drop_table("factor_versions")
    with op.batch_alter_table("factor_lineages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_factor_lineages_contributor_id"))

    op.drop_table("factor_lineages")
