"""accounting: product models, versions and results

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pcfhub.platform.db import UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "product_models",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("name_zh", sa.String(length=300), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_product_models_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_models")),
        sa.UniqueConstraint(
            "organisation_id", "code", name=op.f("uq_product_models_organisation_id")
        ),
    )
    with op.batch_alter_table("product_models", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_models_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "product_model_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("model_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=80), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["product_models.id"],
            name=op.f("fk_product_model_versions_model_id_product_models"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_model_versions")),
        sa.UniqueConstraint("model_id", "version", name=op.f("uq_product_model_versions_model_id")),
    )
    with op.batch_alter_table("product_model_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_model_versions_model_id"), ["model_id"], unique=False
        )

    op.create_table(
        "accounting_results",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("model_version_id", sa.Uuid(), nullable=False),
        sa.Column("replaces_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("headline", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("location_total", sa.Float(), nullable=False),
        sa.Column("market_total", sa.Float(), nullable=False),
        sa.Column("declared_unit", sa.String(length=120), nullable=False),
        sa.Column("rule_code", sa.String(length=64), nullable=True),
        sa.Column("rule_version", sa.Integer(), nullable=True),
        sa.Column("complies", sa.Boolean(), nullable=False),
        sa.Column("iterations", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=80), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_version_id"],
            ["product_model_versions.id"],
            name=op.f("fk_accounting_results_model_version_id_product_model_versions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_accounting_results_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"],
            ["accounting_results.id"],
            name=op.f("fk_accounting_results_replaces_id_accounting_results"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounting_results")),
    )
    with op.batch_alter_table("accounting_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accounting_results_model_version_id"), ["model_version_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_accounting_results_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_accounting_results_replaces_id"), ["replaces_id"], unique=False
        )

    op.create_table(
        "accounting_result_factors",
        sa.Column("result_id", sa.Uuid(), nullable=False),
        sa.Column("factor_version_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["factor_version_id"],
            ["factor_versions.id"],
            name=op.f("fk_accounting_result_factors_factor_version_id_factor_versions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["accounting_results.id"],
            name=op.f("fk_accounting_result_factors_result_id_accounting_results"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "result_id", "factor_version_id", name=op.f("pk_accounting_result_factors")
        ),
    )
    with op.batch_alter_table("accounting_result_factors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accounting_result_factors_factor_version_id"),
            ["factor_version_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("accounting_result_factors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounting_result_factors_factor_version_id"))

    op.drop_table("accounting_result_factors")
    with op.batch_alter_table("accounting_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounting_results_replaces_id"))
        batch_op.drop_index(batch_op.f("ix_accounting_results_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_accounting_results_model_version_id"))

    op.drop_table("accounting_results")
    with op.batch_alter_table("product_model_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_model_versions_model_id"))

    op.drop_table("product_model_versions")
    with op.batch_alter_table("product_models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_models_organisation_id"))

    op.drop_table("product_models")
