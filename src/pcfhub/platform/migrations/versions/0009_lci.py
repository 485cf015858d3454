"""lci: imported database releases and their products

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pcfhub.platform.db import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lci_releases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("database", sa.String(length=100), nullable=False),
        sa.Column("release", sa.String(length=100), nullable=False),
        sa.Column("source_format", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("gwp_set", sa.String(length=16), nullable=False),
        sa.Column("allocation", sa.String(length=16), nullable=False),
        sa.Column("source", sa.JSON(), nullable=False),
        sa.Column("licence", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("allocations", sa.JSON(), nullable=False),
        sa.Column("unmapped", sa.JSON(), nullable=False),
        sa.Column("matrices", sa.LargeBinary(), nullable=False),
        sa.Column("matrices_sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_by", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["imported_by"],
            ["organisations.id"],
            name=op.f("fk_lci_releases_imported_by_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lci_releases")),
        sa.UniqueConstraint("database", "release", name=op.f("uq_lci_releases_database")),
    )
    with op.batch_alter_table("lci_releases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lci_releases_imported_by"), ["imported_by"])
    op.create_table(
        "lci_products",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("release_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=300), nullable=False),
        sa.Column("process_name", sa.String(length=500), nullable=False),
        sa.Column("product_name", sa.String(length=500), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("location", sa.String(length=64), nullable=True),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("co2e", sa.Float(), nullable=False),
        sa.Column("gases", sa.JSON(), nullable=False),
        sa.Column("factor_version_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["factor_version_id"],
            ["factor_versions.id"],
            name=op.f("fk_lci_products_factor_version_id_factor_versions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["lci_releases.id"],
            name=op.f("fk_lci_products_release_id_lci_releases"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lci_products")),
        sa.UniqueConstraint("release_id", "position", name=op.f("uq_lci_products_release_id")),
    )
    with op.batch_alter_table("lci_products", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lci_products_release_id"), ["release_id"])


def downgrade() -> None:
    op.drop_table("lci_products")
    op.drop_table("lci_releases")
