"""Factor version rows: a new version written once, with the columns search and filters need,
in its lineage (created on first use, owned by one contributor); and a version found by id.

Who may write which version, and in which status, is the caller's business (`factors.service`
for contributions, `factors.reference` for reference data).
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pcfhub.errors import ConflictError, NotFoundError
from pcfhub.factors.model import FactorData, FactorStatus
from pcfhub.factors.search import index_for_search
from pcfhub.factors.store import FactorLineageRow, FactorVersionRow
from pcfhub.factors.text import token_text
from pcfhub.ledger.canonical import content_hash
from pcfhub.platform.db import utcnow
from pcfhub.units import get_registry, parse_unit


def dimension_of(unit: str) -> str:
    return str(get_registry().get_dimensionality(parse_unit(unit)))


def new_version(
    session: Session,
    *,
    data: FactorData,
    contributor_id: uuid.UUID | None,
    created_by: uuid.UUID | None,
    status: FactorStatus,
) -> FactorVersionRow:
    lineage = session.scalar(
        select(FactorLineageRow)
        .where(FactorLineageRow.lineage_key == data.lineage_key)
        .with_for_update()
    )
    if lineage is None:
        lineage = FactorLineageRow(lineage_key=data.lineage_key, contributor_id=contributor_id)
        session.add(lineage)
        session.flush()
    elif lineage.contributor_id != contributor_id:
        raise ConflictError(
            f"lineage_key: {data.lineage_key!r} belongs to another contributor; choose another key."
        )
    latest = session.scalar(
        select(func.max(FactorVersionRow.version)).where(FactorVersionRow.lineage_id == lineage.id)
    )
    record = data.model_dump(mode="json")
    now = utcnow()
    row = FactorVersionRow(
        lineage=lineage,
        version=(latest or 0) + 1,
        status=status.value,
        data=record,
        content_hash=content_hash(record),
        name_zh=data.name_zh,
        name_en=data.name_en,
        activity=data.activity,
        geography=data.geography,
        reference_year=data.reference_year,
        boundary=data.boundary.value,
        unit=data.unit,
        dimension=dimension_of(data.unit),
        value=data.value,
        source_publisher=data.source.publisher,
        redistribution=data.licence.redistribution.value,
        search_text=token_text(
            data.lineage_key,
            data.name_zh,
            data.name_en,
            data.description,
            data.activity,
            data.geography,
            data.source.publisher,
            data.source.document,
            data.technology,
        ),
        created_by=created_by,
        created_at=now,
    )
    session.add(row)
    session.flush()
    index_for_search(session, row)
    return row


def version_row(session: Session, version_id: uuid.UUID) -> FactorVersionRow:
    row = session.get(FactorVersionRow, version_id)
    if row is None:
        raise NotFoundError(f"No factor version {version_id} here.")
    return row
