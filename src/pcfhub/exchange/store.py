"""PACT exchange tables: published footprints, who they are shared with, partner connections,
footprint requests in both directions, the outbox of events to send, and received footprints.

A published footprint keeps its v2 and v3 documents as issued; only ``status`` changes (to
Deprecated, PACT v3 §Lifecycle), and the documents are served with the current status.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column

from pcfhub.ledger.objects import ids_of, object_kind, row_by_id
from pcfhub.platform.db import Base, new_id, utcnow


class PactFootprintRow(Base):
    """An accounting result published as a PACT ProductFootprint (its id is the PACT id)."""

    __tablename__ = "pact_footprints"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    result_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounting_results.id", ondelete="RESTRICT"), index=True
    )
    model_code: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="Active")  # Active | Deprecated
    document_v3: Mapped[dict[str, Any]] = mapped_column(JSON)
    document_v2: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    v2_refusal: Mapped[str | None] = mapped_column(Text, default=None)  # why v2 is missing
    content_hash: Mapped[str] = mapped_column(String(80))  # of document_v3 as issued
    created_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deprecated_at: Mapped[datetime | None] = mapped_column(default=None)


class PactShareRow(Base):
    """That the owner lets one organisation (a tenant, or an external partner) read a
    footprint over PACT and on its pages. Revoking keeps the row."""

    __tablename__ = "pact_shares"
    __table_args__ = (UniqueConstraint("footprint_id", "recipient_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    footprint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("pact_footprints.id", ondelete="RESTRICT"), index=True
    )
    recipient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    granted_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class PactConnectionRow(Base):
    """A tenant's connection with another PACT host system.

    Inbound: the partner is an external organisation of this platform whose API client (the
    credentials handed to the partner) calls our PACT API. Outbound: the partner's base URL and
    the credentials it issued to us, the secret encrypted with the platform's key.
    """

    __tablename__ = "pact_connections"
    __table_args__ = (UniqueConstraint("organisation_id", "partner_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    partner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    base_url: Mapped[str | None] = mapped_column(String(500), default=None)
    auth_base_url: Mapped[str | None] = mapped_column(String(500), default=None)
    spec_version: Mapped[int] = mapped_column(Integer, default=3)  # 2 or 3
    remote_client_id: Mapped[str | None] = mapped_column(String(200), default=None)
    remote_secret: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)  # AES-GCM
    created_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class PactRequestRow(Base):
    """A request for footprints (RequestCreated), received (inbound) or sent (outbound)."""

    __tablename__ = "pact_requests"
    __table_args__ = (UniqueConstraint("connection_id", "direction", "event_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("pact_connections.id", ondelete="RESTRICT"), index=True
    )
    direction: Mapped[str] = mapped_column(String(8))  # inbound | outbound
    event_id: Mapped[str] = mapped_column(String(200))
    spec_version: Mapped[int] = mapped_column(Integer)
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")  # fulfilled | rejected
    answer: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)


class PactOutboxRow(Base):
    """An event to deliver to a partner's events endpoint, retried with exponential backoff
    (PACT: SHOULD retry, SHOULD abandon after 72 hours)."""

    __tablename__ = "pact_outbox"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("pact_connections.id", ondelete="RESTRICT"), index=True
    )
    event: Mapped[dict[str, Any]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    abandoned_at: Mapped[datetime | None] = mapped_column(default=None)


class PactReceivedRow(Base):
    """A footprint received from a partner (listed, fetched, or sent in an event)."""

    __tablename__ = "pact_received"
    __table_args__ = (UniqueConstraint("organisation_id", "footprint_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("pact_connections.id", ondelete="RESTRICT"), index=True
    )
    footprint_id: Mapped[str] = mapped_column(String(64))  # the partner's PACT id
    spec_version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


@object_kind("pact_footprint", ids=lambda s: ids_of(s, PactFootprintRow))
def pact_footprint_content(session: Session, object_id: str) -> dict[str, Any] | None:
    row = row_by_id(session, PactFootprintRow, object_id)
    if row is None:
        return None
    return {
        "id": str(row.id),
        "result_id": str(row.result_id),
        "content_hash": row.content_hash,
        "status": row.status,
    }


@object_kind("pact_share", ids=lambda s: ids_of(s, PactShareRow))
def pact_share_content(session: Session, object_id: str) -> dict[str, Any] | None:
    row = row_by_id(session, PactShareRow, object_id)
    if row is None:
        return None
    return {
        "id": str(row.id),
        "footprint_id": str(row.footprint_id),
        "recipient_id": str(row.recipient_id),
        "revoked": row.revoked_at is not None,
    }


@object_kind("pact_received", ids=lambda s: ids_of(s, PactReceivedRow))
def pact_received_content(session: Session, object_id: str) -> dict[str, Any] | None:
    row = row_by_id(session, PactReceivedRow, object_id)
    if row is None:
        return None
    return {"id": str(row.id), "footprint_id": row.footprint_id, "content_hash": row.content_hash}
