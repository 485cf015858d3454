"""Reference data: the factors shipped with pcfhub (src/pcfhub/data/factors) and those an LCI
import computes, published without a contributor and without review (the source is the
review). Publishing again leaves identical factors alone; a changed one becomes a new version
that supersedes the old. Nothing is ever overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from pcfhub.factors import service, versions
from pcfhub.factors.model import FactorData, FactorStatus
from pcfhub.factors.store import FactorLineageRow, FactorVersionRow
from pcfhub.factors.tabular import read_csv
from pcfhub.ledger.canonical import content_hash
from pcfhub.platform.uow import UnitOfWork


@dataclass(frozen=True)
class ReferenceImport:
    file: str
    published: int
    unchanged: int
    superseded: int


def import_reference(uow: UnitOfWork, *, factors: list[FactorData], file: str) -> ReferenceImport:
    """Publish shipped reference data (no contributor, no review: the source is the review).

    A factor identical to its lineage's published version is left alone; a changed one becomes
    a new version that supersedes it. Nothing is ever overwritten.
    """
    session = uow.session
    published = unchanged = superseded = 0
    for data in factors:
        record = data.model_dump(mode="json")
        current = session.scalar(
            select(FactorVersionRow)
            .join(FactorLineageRow)
            .where(
                FactorLineageRow.lineage_key == data.lineage_key,
                FactorVersionRow.status == FactorStatus.PUBLISHED.value,
            )
        )
        if current is not None and current.content_hash == content_hash(record):
            unchanged += 1
            continue
        row = versions.new_version(
            session, data=data, contributor_id=None, created_by=None, status=FactorStatus.SUBMITTED
        )
        service.publish_version(session, None, row)
        published += 1
        superseded += current is not None
    return ReferenceImport(file, published, unchanged, superseded)


REFERENCE_DATA = Path(__file__).parents[1] / "data" / "factors"


def reference_files() -> list[Path]:
    """The CSV files of shipped reference factors (tables of fuel properties are not factors)."""
    return sorted(
        path for path in REFERENCE_DATA.glob("*.csv") if not path.name.endswith("_properties.csv")
    )


def import_shipped_reference(uow: UnitOfWork) -> list[ReferenceImport]:
    """Publish every shipped reference file (src/pcfhub/data/factors); safe to repeat."""
    return [
        import_reference(uow, factors=read_csv(path), file=path.name) for path in reference_files()
    ]
