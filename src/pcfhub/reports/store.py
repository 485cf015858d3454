"""The table of issued study reports: immutable documents, each one ledger entry.

A row keeps both formats' bytes as issued and their SHA-256, so that a document anyone holds
can be found by its hash and proved to be the one the platform recorded.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from pcfhub.ledger.objects import ids_of, object_kind, row_by_id
from pcfhub.platform.db import Base, new_id, utcnow


class ReportRow(Base):
    """One issued report of one accounting result, in one language; never changed."""

    __tablename__ = "reports"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    result_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounting_results.id", ondelete="RESTRICT"), index=True
    )
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    html: Mapped[bytes] = mapped_column(LargeBinary)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    html_sha256: Mapped[str] = mapped_column(String(64), index=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64), index=True)
    result_hash: Mapped[str] = mapped_column(String(80))
    issuer: Mapped[str] = mapped_column(String(300))
    issued_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    ledger_index: Mapped[int | None] = mapped_column(BigInteger, default=None)  # its entry


def ledgered(row: ReportRow) -> dict[str, Any]:
    """What the ledger hashes of a report: ids and the documents' hashes (no times, which
    databases round differently)."""
    return {
        "id": str(row.id),
        "organisation_id": str(row.organisation_id),
        "result_id": str(row.result_id),
        "result_hash": row.result_hash,
        "language": row.language,
        "html_sha256": row.html_sha256,
        "pdf_sha256": row.pdf_sha256,
    }


@object_kind("report", ids=lambda s: ids_of(s, ReportRow))
def report_content(session: Session, object_id: str) -> dict[str, Any] | None:
    row = row_by_id(session, ReportRow, object_id)
    return None if row is None else ledgered(row)
