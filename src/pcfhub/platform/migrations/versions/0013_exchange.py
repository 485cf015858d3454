"""exchange: PACT footprints, shares, connections, requests, outbox, received footprints

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pcfhub.platform.db import UtcDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pact_connections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=True),
        sa.Column("auth_base_url", sa.String(length=500), nullable=True),
        sa.Column("spec_version", sa.Integer(), nullable=False),
        sa.Column("remote_client_id", sa.String(length=200), nullable=True),
        sa.Column("remote_secret", sa.LargeBinary(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_pact_connections_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["organisations.id"],
            name=op.f("fk_pact_connections_partner_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pact_connections")),
        sa.UniqueConstraint(
            "organisation_id", "partner_id", name=op.f("uq_pact_connections_organisation_id")
        ),
    )
    op.create_index(
        op.f("ix_pact_connections_organisation_id"),
        "pact_connections",
        ["organisation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_pact_connections_partner_id"), "pact_connections", ["partner_id"], unique=False
    )
    op.create_table(
        "pact_outbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("connection_id", sa.Uuid(), nullable=False),
        sa.Column("event", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.Column("abandoned_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["pact_connections.id"],
            name=op.f("fk_pact_outbox_connection_id_pact_connections"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pact_outbox")),
    )
    op.create_index(
        op.f("ix_pact_outbox_connection_id"), "pact_outbox", ["connection_id"], unique=False
    )
    op.create_index(
        op.f("ix_pact_outbox_next_attempt_at"), "pact_outbox", ["next_attempt_at"], unique=False
    )
    op.create_table(
        "pact_received",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("connection_id", sa.Uuid(), nullable=False),
        sa.Column("footprint_id", sa.String(length=64), nullable=False),
        sa.Column("spec_version", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=80), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["pact_connections.id"],
            name=op.f("fk_pact_received_connection_id_pact_connections"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_pact_received_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pact_received")),
        sa.UniqueConstraint(
            "organisation_id", "footprint_id", name=op.f("uq_pact_received_organisation_id")
        ),
    )
    op.create_index(
        op.f("ix_pact_received_connection_id"), "pact_received", ["connection_id"], unique=False
    )
    op.create_index(
        op.f("ix_pact_received_organisation_id"), "pact_received", ["organisation_id"], unique=False
    )
    op.create_table(
        "pact_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("connection_id", sa.Uuid(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("spec_version", sa.Integer(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("answered_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["pact_connections.id"],
            name=op.f("fk_pact_requests_connection_id_pact_connections"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_pact_requests_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pact_requests")),
        sa.UniqueConstraint(
            "connection_id", "direction", "event_id", name=op.f("uq_pact_requests_connection_id")
        ),
    )
    op.create_index(
        op.f("ix_pact_requests_connection_id"), "pact_requests", ["connection_id"], unique=False
    )
    op.create_index(
        op.f("ix_pact_requests_organisation_id"), "pact_requests", ["organisation_id"], unique=False
    )
    op.create_table(
        "pact_footprints",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("result_id", sa.Uuid(), nullable=False),
        sa.Column("model_code", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("document_v3", sa.JSON(), nullable=False),
        sa.Column("document_v2", sa.JSON(), nullable=True),
        sa.Column("v2_refusal", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=80), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("deprecated_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_pact_footprints_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["accounting_results.id"],
            name=op.f("fk_pact_footprints_result_id_accounting_results"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pact_footprints")),
    )
    op.create_index(
        op.f("ix_pact_footprints_model_code"), "pact_footprints", ["model_code"], unique=False
    )
    op.create_index(
        op.f("ix_pact_footprints_organisation_id"),
        "pact_footprints",
        ["organisation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_pact_footprints_result_id"), "pact_footprints", ["result_id"], unique=False
    )
    op.create_table(
        "pact_shares",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("footprint_id", sa.Uuid(), nullable=False),
        sa.Column("recipient_id", sa.Uuid(), nullable=False),
        sa.Column("granted_by", sa.Uuid(), nullable=True),
        sa.Column("granted_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["footprint_id"],
            ["pact_footprints.id"],
            name=op.f("fk_pact_shares_footprint_id_pact_footprints"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["organisations.id"],
            name=op.f("fk_pact_shares_recipient_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pact_shares")),
        sa.UniqueConstraint(
            "footprint_id", "recipient_id", name=op.f("uq_pact_shares_footprint_id")
        ),
    )
    op.create_index(
        op.f("ix_pact_shares_footprint_id"), "pact_shares", ["footprint_id"], unique=False
    )
    op.create_index(
        op.f("ix_pact_shares_recipient_id"), "pact_shares", ["recipient_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_pact_shares_recipient_id"), table_name="pact_shares")
    op.drop_index(op.f("ix_pact_shares_footprint_id"), table_name="pact_shares")
    op.drop_table("pact_shares")
    op.drop_index(op.f("ix_pact_footprints_result_id"), table_name="pact_footprints")
    op.drop_index(op.f("ix_pact_footprints_organisation_id"), table_name="pact_footprints")
    op.drop_index(op.f("ix_pact_footprints_model_code"), table_name="pact_footprints")
    op.drop_table("pact_footprints")
    op.drop_index(op.f("ix_pact_requests_organisation_id"), table_name="pact_requests")
    op.drop_index(op.f("ix_pact_requests_connection_id"), table_name="pact_requests")
    op.drop_table("pact_requests")
    op.drop_index(op.f("ix_pact_received_organisation_id"), table_name="pact_received")
    op.drop_index(op.f("ix_pact_received_connection_id"), table_name="pact_received")
    op.drop_table("pact_received")
    op.drop_index(op.f("ix_pact_outbox_next_attempt_at"), table_name="pact_outbox")
    op.drop_index(op.f("ix_pact_outbox_connection_id"), table_name="pact_outbox")
    op.drop_table("pact_outbox")
    op.drop_index(op.f("ix_pact_connections_partner_id"), table_name="pact_connections")
    op.drop_index(op.f("ix_pact_connections_organisation_id"), table_name="pact_connections")
    op.drop_table("pact_connections")
