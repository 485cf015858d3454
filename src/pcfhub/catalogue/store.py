"""Catalogue tables: numbered catalogue versions and numbered versions of each accounting rule.

A row is written once and never changed: ``data`` is the whole document as published, its
content hash beside it; the other columns copy what lookups by number and date need. Both kinds
are ledgered, so `pcfhub verify` finds an edited document.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column

from pcfhub.ledger.objects import ids_of, object_kind, row_by_id
from pcfhub.platform.db import Base, new_id, utcnow


class CatalogueVersionRow(Base):
    """One version of the classification catalogue (分类管理名录)."""

    __tablename__ = "catalogue_versions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    effective_from: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16))  # draft | published
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(80))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(default=None)  # None: the platform
    created_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(default=None)


class RuleVersionRow(Base):
    """One version of a product-category accounting rule (产品种类规则)."""

    __tablename__ = "rule_versions"
    __table_args__ = (UniqueConstraint("rule_code", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    rule_code: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date, default=None)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(80))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    created_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@object_kind("catalogue_version", ids=lambda session: ids_of(session, CatalogueVersionRow))
def catalogue_version_content(session: Session, object_id: str) -> dict[str, Any] | None:
    row = row_by_id(session, CatalogueVersionRow, object_id)
    if row is None:
        return None
    return {
        "id": str(row.id),
        "version": row.version,
        "effective_from": row.effective_from.isoformat(),
        "status": row.status,
        "data": row.data,  # the document itself: an edited category is caught by pcfhub verify
    }


@object_kind("rule_version", ids=lambda session: ids_of(session, RuleVersionRow))
def rule_version_content(session: Session, object_id: str) -> dict[str, Any] | None:
    row = row_by_id(session, RuleVersionRow, object_id)
    if row is None:
        return None
    return {
        "id": str(row.id),
        "rule_code": row.rule_code,
        "version": row.version,
        "effective_from": row.effective_from.isoformat(),
        "effective_to": row.effective_to.isoformat() if row.effective_to else None,
        "data": row.data,
    }
