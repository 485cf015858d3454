"""Platform tables: organisations, users, memberships, API clients, web sessions, grants, jobs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from pcfhub.ledger.objects import ids_of, object_kind, row_by_id
from pcfhub.platform.db import Base, new_id, utcnow


class OrganisationRow(Base):
    __tablename__ = "organisations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(default=False)
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[MembershipRow]] = relationship(back_populates="user")


class MembershipRow(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[UserRow] = relationship(back_populates="memberships")
    organisation: Mapped[OrganisationRow] = relationship()


class ApiClientRow(Base):
    __tablename__ = "api_clients"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class WebSessionRow(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    active_organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), default=None
    )
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class GrantRow(Base):
    """An explicit, expiring permission from one organisation (grantor) to another."""

    __tablename__ = "grants"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    grantor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    grantee_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    object_kind: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64), default=None)
    actions: Mapped[list[str]] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(String(500))
    created_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    grantor: Mapped[OrganisationRow] = relationship(foreign_keys=[grantor_id])
    grantee: Mapped[OrganisationRow] = relationship(foreign_keys=[grantee_id])

    @property
    def grantor_name(self) -> str:
        return self.grantor.name

    @property
    def grantee_name(self) -> str:
        return self.grantee.name


# What the ledger hashes of each platform object. Operational state (failed sign-ins, lock-outs,
# web sessions) is left out: it changes without being a decision anyone signs for.


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@object_kind("organisation", ids=lambda session: ids_of(session, OrganisationRow))
def organisation_content(session: Session, object_id: str) -> dict[str, Any] | None:
    row = row_by_id(session, OrganisationRow, object_id)
    if row is None:
        return None
    return {"id": str(row.id), "slug": row.slug, "name": row.name, "kind": row.kind}


@object_kind("user", ids=lambda session: ids_of(session, UserRow))
def user_content(session: Session, object_id: str) -> dict[str, Any] | None:
    row = row_by_id(session, UserRow, object_id)
    if row is None:
        return None
    return {
        "id": str(row.id),
        "email": row.email,
        "display_name": row.display_name,
        "password_hash": row.password_hash,
        "disabled": row.disabled,
    }


@object_kind("membership", ids=lambda session: ids_of(session, MembershipRow))
def membership_content(session: Session, object_id: str) -> dict[str, Any] | None:
    row = row_by_id(session, MembershipRow, object_id)
    if row is None:
        return None
    return {
        "id": str(row.id),
        "user_id": str(row.user_id),
        "organisation_id": str(row.organisation_id),
        "role": row.role,
    }


@object_kind("api_client", ids=lambda session: ids_of(session, ApiClientRow))
def api_client_content(session: Session, object_id: str) -> dict[str, Any] | None:
    row = row_by_id(session, ApiClientRow, object_id)
    if row is None:
        return None
    return {
        "id": str(row.id),
        "client_id": row.client_id,
        "organisation_id": str(row.organisation_id),
        "name": row.name,
        "secret_hash": row.secret_hash,
        "scopes": sorted(row.scopes),
        "role": row.role,
        "revoked_at": _time(row.revoked_at),
    }


@object_kind("grant", ids=lambda session: ids_of(session, GrantRow))
def grant_content(session: Session, object_id: str) -> dict[str, Any] | None:
    row = row_by_id(session, GrantRow, object_id)
    if row is None:
        return None
    return {
        "id": str(row.id),
        "grantor_id": str(row.grantor_id),
        "grantee_id": str(row.grantee_id),
        "object_kind": row.object_kind,
        "object_id": row.object_id,
        "actions": sorted(row.actions),
        "purpose": row.purpose,
        "expires_at": _time(row.expires_at),
        "revoked_at": _time(row.revoked_at),
    }


class JobRow(Base):
    """Long work (an LCI import, a batch recalculation) with its progress, for its
    organisation's members to follow and cancel."""

    __tablename__ = "jobs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(String(500), default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
