"""Finding factors: one page of a search, and whole records for an export, each version
with its values only where the caller may see them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from pcfhub.factors import service
from pcfhub.factors.licences import licences_held
from pcfhub.factors.model import FactorData, FactorStatus
from pcfhub.factors.schemas import FactorVersionPublic
from pcfhub.factors.search import FactorQuery, page_with_count, search_statement
from pcfhub.factors.store import FactorLineageRow, FactorVersionRow
from pcfhub.platform.model import Action, Principal
from pcfhub.platform.schemas import Page
from pcfhub.platform.uow import UnitOfWork


def _matches(
    uow: UnitOfWork, principal: Principal | None, query: FactorQuery, *, limit: int
) -> tuple[list[tuple[FactorVersionRow, bool]], int]:
    """One page of the versions matching ``query`` in search order, each with whether the
    caller may see its values; and the number of all matches."""
    principal = service.authorize_own(uow, principal, Action.READ)
    stmt, order = search_statement(
        uow.session,
        query,
        viewer_organisation=principal.organisation_id,
        dimension=service.dimension_of(query.unit) if query.unit else None,
    )
    rows, count = page_with_count(uow.session, stmt, order, offset=query.offset, limit=limit)
    licences = licences_held(uow.session, principal) if rows else frozenset()
    return [(row, service.values_visible(row, principal, licences)) for row in rows], count


def search_factors(
    uow: UnitOfWork, *, principal: Principal | None, query: FactorQuery
) -> Page[FactorVersionPublic]:
    """Factors matching ``query``, nearest geography first, then newest; one page of them."""
    matches, count = _matches(uow, principal, query, limit=query.limit)
    return Page(
        data=[service.public_version(row, values_visible=visible) for row, visible in matches],
        count=count,
    )


EXPORT_MAX = 10_000  # versions per export; page on with ``offset`` for more


@dataclass(frozen=True)
class Export:
    factors: list[FactorData]
    count: int  # every match, also beyond this export's page
    withheld: int  # proprietary matches left out: the caller holds no licence


def export_factors(
    uow: UnitOfWork, *, principal: Principal | None, query: FactorQuery, limit: int = EXPORT_MAX
) -> Export:
    """The whole records of the versions matching ``query`` (in search order), for a file.

    Proprietary versions whose values the caller may not see are left out, and counted.
    """
    matches, count = _matches(uow, principal, query, limit=limit)
    shown = [row for row, visible in matches if visible]
    return Export(
        factors=[FactorData.model_validate(row.data) for row in shown],
        count=count,
        withheld=len(matches) - len(shown),
    )


def usable_version(session: Session, key: str, version: int | None) -> FactorVersionRow | None:
    """The version a result may use: the newest published one of ``key``, or the pinned
    ``version`` if it is published or superseded (never a draft, rejection or withdrawal)."""
    query = (
        select(FactorVersionRow)
        .join(FactorLineageRow, FactorVersionRow.lineage_id == FactorLineageRow.id)
        .where(FactorLineageRow.lineage_key == key)
    )
    if version is None:
        query = query.where(FactorVersionRow.status == FactorStatus.PUBLISHED.value)
    else:
        query = query.where(
            FactorVersionRow.version == version,
            FactorVersionRow.status.in_(
                [FactorStatus.PUBLISHED.value, FactorStatus.SUPERSEDED.value]
            ),
        )
    return session.scalar(query.order_by(FactorVersionRow.version.desc()).limit(1))
