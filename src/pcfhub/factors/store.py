"""Factor tables: lineages, immutable versions (with search columns), review records, and the
uses of versions by published results (the market's usage statements)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from pcfhub.ledger.objects import ids_of, object_kind, row_by_id
from pcfhub.platform.db import Base, new_id, utcnow


class FactorLineageRow(Base):
    """One factor across its versions, under a stable key; owned by its contributor."""

    __tablename__ = "factor_lineages"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    lineage_key: Mapped[str] = mapped_column(String(128), unique=True)
    # None: reference data shipped with the platform (IPCC, MEE…), owned by no tenant.
    contributor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True, default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[FactorVersionRow]] = relationship(
        back_populates="lineage", order_by="FactorVersionRow.version"
    )


class FactorVersionRow(Base):
    """One immutable version of a factor. ``data`` is the whole record as submitted; the other
    columns copy what search and filters need. Only ``status`` and its times change."""

    __tablename__ = "factor_versions"
    __table_args__ = (UniqueConstraint("lineage_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    lineage_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("factor_lineages.id", ondelete="RESTRICT"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(80))
    # Search and filter columns, copied from ``data``.
    name_zh: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    activity: Mapped[str] = mapped_column(String(128), index=True)
    geography: Mapped[str] = mapped_column(String(16), index=True)
    reference_year: Mapped[int] = mapped_column(Integer, index=True)
    boundary: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(300))
    dimension: Mapped[str] = mapped_column(String(200))
    value: Mapped[float] = mapped_column(Float)
    source_publisher: Mapped[str] = mapped_column(String(300))
    redistribution: Mapped[str] = mapped_column(String(16))
    search_text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)  # superseded / withdrawn

    lineage: Mapped[FactorLineageRow] = relationship(back_populates="versions")


class FactorReviewRow(Base):
    """A reviewer's decision on a submitted version, with the checklist and the reasons."""

    __tablename__ = "factor_reviews"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("factor_versions.id", ondelete="RESTRICT"), index=True
    )
    reviewer_organisation_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    reviewer_user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    decision: Mapped[str] = mapped_column(String(16))  # published | rejected
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON)
    reasons: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FactorEvidenceRow(Base):
    """A file a contributor gives as evidence for a version (an EPD, a test report, a table).

    Evidence is the contributor's and the reviewers' only; its SHA-256 is in the ledger.
    """

    __tablename__ = "factor_evidence"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("factor_versions.id", ondelete="RESTRICT"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    added_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@object_kind("factor_evidence", ids=lambda session: ids_of(session, FactorEvidenceRow))
def factor_evidence_content(session: Session, object_id: str) -> dict[str, Any] | None:
    row = row_by_id(session, FactorEvidenceRow, object_id)
    if row is None:
        return None
    return {
        "id": str(row.id),
        "version_id": str(row.version_id),
        "filename": row.filename,
        "media_type": row.media_type,
        "size": row.size,
        "sha256": hashlib.sha256(row.content).hexdigest(),  # the bytes themselves, not a copy
    }


class FactorUsageRow(Base):
    """One factor version used by one published result of an organisation.

    A result is named by its kind and id (``result_kind`` ``result_id``), so that any capability
    that publishes results (footprint accounting, LCI releases…) records its uses here.
    """

    __tablename__ = "factor_usages"
    __table_args__ = (
        UniqueConstraint("result_kind", "result_id", "version_id"),
        Index("ix_factor_usages_version_id_used_at", "version_id", "used_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("factor_versions.id", ondelete="RESTRICT")
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    result_kind: Mapped[str] = mapped_column(String(32))
    result_id: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def usage_key(result_kind: str, result_id: str) -> str:
    """The ledger object id of a result's factor uses: ``kind:id``."""
    return f"{result_kind}:{result_id}"


def _usage_keys(session: Session) -> list[str]:
    rows = session.execute(select(FactorUsageRow.result_kind, FactorUsageRow.result_id).distinct())
    return [usage_key(kind, result_id) for kind, result_id in rows]


@object_kind("factor_usage", ids=_usage_keys)
def factor_usage_content(session: Session, object_id: str) -> dict[str, Any] | None:
    kind, _, result_id = object_id.partition(":")
    rows = session.scalars(
        select(FactorUsageRow)
        .where(FactorUsageRow.result_kind == kind, FactorUsageRow.result_id == result_id)
        .order_by(FactorUsageRow.version_id)
    ).all()
    if not rows:
        return None
    return {
        "result": object_id,
        "organisation_id": str(rows[0].organisation_id),
        "factor_versions": [str(row.version_id) for row in rows],
    }


@object_kind("factor_version", ids=lambda session: ids_of(session, FactorVersionRow))
def factor_version_content(session: Session, object_id: str) -> dict[str, Any] | None:
    row = row_by_id(session, FactorVersionRow, object_id)
    if row is None:
        return None
    return {
        "id": str(row.id),
        "lineage_id": str(row.lineage_id),
        "version": row.version,
        "status": row.status,
        "data": row.data,  # the record itself: an edited value is caught by pcfhub verify
    }


@object_kind("factor_review", ids=lambda session: ids_of(session, FactorReviewRow))
def factor_review_content(session: Session, object_id: str) -> dict[str, Any] | None:
    row = row_by_id(session, FactorReviewRow, object_id)
    if row is None:
        return None
    return {
        "id": str(row.id),
        "version_id": str(row.version_id),
        "decision": row.decision,
        "checklist": row.checklist,
        "reasons": row.reasons,
    }
