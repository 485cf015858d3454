"""Accounting tables: product models, their immutable versions, and stored results.

A result row keeps the whole `AccountingResult` as JSON and copies what lists and searches
need; `accounting_result_factors` indexes which factor versions each result used, so a
superseded factor finds its results without reading their JSON.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column

from pcfhub.ledger.objects import ids_of, object_kind, row_by_id
from pcfhub.platform.db import Base, new_id, utcnow


class ProductModelRow(Base):
    """One product model of an organisation, across its versions, under a code."""

    __tablename__ = "product_models"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(300))
    name_zh: Mapped[str] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(64), default=None)
    latest_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProductModelVersionRow(Base):
    """One immutable version of a model: the whole `ProductModel` as JSON."""

    __tablename__ = "product_model_versions"
    __table_args__ = (UniqueConstraint("model_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    model_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("product_models.id", ondelete="RESTRICT"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AccountingResultRow(Base):
    """One stored footprint result of a model version; never changed once written."""

    __tablename__ = "accounting_results"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    model_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("product_model_versions.id", ondelete="RESTRICT"), index=True
    )
    # A recomputation names the result it replaces; the old one stays.
    replaces_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounting_results.id", ondelete="RESTRICT"), default=None, index=True
    )
    reason: Mapped[str] = mapped_column(String(300))
    headline: Mapped[str] = mapped_column(String(16))
    total: Mapped[float] = mapped_column(Float)  # headline variant, kg CO2e per declared unit
    location_total: Mapped[float] = mapped_column(Float)
    market_total: Mapped[float] = mapped_column(Float)
    declared_unit: Mapped[str] = mapped_column(String(120))
    rule_code: Mapped[str | None] = mapped_column(String(64), default=None)
    rule_version: Mapped[int | None] = mapped_column(Integer, default=None)
    complies: Mapped[bool] = mapped_column(default=True)
    iterations: Mapped[int] = mapped_column(Integer, default=0)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # the whole AccountingResult
    content_hash: Mapped[str] = mapped_column(String(80))
    created_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AccountingResultFactorRow(Base):
    """That a result used a factor version (for finding the results a new version affects)."""

    __tablename__ = "accounting_result_factors"

    result_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounting_results.id", ondelete="CASCADE"), primary_key=True
    )
    factor_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("factor_versions.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


@object_kind("product_model_version", ids=lambda s: ids_of(s, ProductModelVersionRow))
def product_model_version_content(session: Session, object_id: str) -> dict[str, Any] | None:
    row = row_by_id(session, ProductModelVersionRow, object_id)
    if row is None:
        return None
    return {
        "id": str(row.id),
        "model_id": str(row.model_id),
        "version": row.version,
        "content_hash": row.content_hash,
    }


@object_kind("accounting_result", ids=lambda s: ids_of(s, AccountingResultRow))
def accounting_result_content(session: Session, object_id: str) -> dict[str, Any] | None:
    row = row_by_id(session, AccountingResultRow, object_id)
    if row is None:
        return None
    return {
        "id": str(row.id),
        "model_version_id": str(row.model_version_id),
        "replaces_id": str(row.replaces_id) if row.replaces_id else None,
        "content_hash": row.content_hash,
    }
