"""LCI tables: imported database releases (with their report and matrices) and their products."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column

from pcfhub.ledger.objects import ids_of, object_kind, row_by_id
from pcfhub.platform.db import Base, new_id, utcnow


class LciReleaseRow(Base):
    """One imported release of an LCI database: what was read, what was done, the matrices."""

    __tablename__ = "lci_releases"
    __table_args__ = (UniqueConstraint("database", "release"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    database: Mapped[str] = mapped_column(String(100))
    release: Mapped[str] = mapped_column(String(100))
    source_format: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
    gwp_set: Mapped[str] = mapped_column(String(16))
    allocation: Mapped[str] = mapped_column(String(16))
    source: Mapped[dict[str, Any]] = mapped_column(JSON)  # publisher, document, year, url
    licence: Mapped[dict[str, Any]] = mapped_column(JSON)  # identifier, redistribution, …
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)  # processes, flows, exchanges, …
    warnings: Mapped[list[Any]] = mapped_column(JSON)
    allocations: Mapped[list[Any]] = mapped_column(JSON)
    unmapped: Mapped[list[Any]] = mapped_column(JSON)
    matrices: Mapped[bytes] = mapped_column(LargeBinary)  # numpy .npz, see lci.matrices
    matrices_sha256: Mapped[str] = mapped_column(String(64))
    imported_by: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LciProductRow(Base):
    """One product of a release (a column of its technosphere matrix) and its footprint."""

    __tablename__ = "lci_products"
    __table_args__ = (UniqueConstraint("release_id", "position"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    release_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("lci_releases.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[int] = mapped_column()  # column of the release's matrices
    process_id: Mapped[str] = mapped_column(String(300))
    process_name: Mapped[str] = mapped_column(String(500))
    product_name: Mapped[str] = mapped_column(String(500))
    unit: Mapped[str] = mapped_column(String(64))
    location: Mapped[str | None] = mapped_column(String(64), default=None)
    category: Mapped[str] = mapped_column(Text, default="")
    co2e: Mapped[float] = mapped_column(Float)
    gases: Mapped[dict[str, float]] = mapped_column(JSON)
    factor_version_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("factor_versions.id", ondelete="RESTRICT"), default=None
    )


@object_kind("lci_release", ids=lambda session: ids_of(session, LciReleaseRow))
def lci_release_content(session: Session, object_id: str) -> dict[str, Any] | None:
    row = row_by_id(session, LciReleaseRow, object_id)
    if row is None:
        return None
    return {
        "id": str(row.id),
        "database": row.database,
        "release": row.release,
        "file_sha256": row.file_sha256,
        "matrices_sha256": row.matrices_sha256,  # the footprints follow from these
        "gwp_set": row.gwp_set,
        "allocation": row.allocation,
        "counts": row.counts,
    }
