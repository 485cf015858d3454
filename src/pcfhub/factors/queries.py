"""Reading factors: one version, its review record, the reviewers' queue, one's own
contributions, a page of a search and whole records for an export, each version with its values
only where the caller may see them (`factors.access`); and a version applied to an activity.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from pcfhub.errors import InvalidInputError, NotFoundError, PermissionDeniedError, UnitError
from pcfhub.factors.access import (
    authorize_contributor,
    authorize_own,
    is_reviewer,
    public_version,
    values_visible,
)
from pcfhub.factors.licences import licences_held
from pcfhub.factors.model import FactorData, FactorStatus
from pcfhub.factors.schemas import FactorReviewPublic, FactorVersionPublic
from pcfhub.factors.search import FactorQuery, page_with_count, search_statement
from pcfhub.factors.store import FactorLineageRow, FactorReviewRow, FactorVersionRow
from pcfhub.factors.use import Activity, AppliedFactor, apply_factor
from pcfhub.factors.versions import dimension_of, version_row
from pcfhub.platform.authz import authorize, require_principal
from pcfhub.platform.model import Action, Principal
from pcfhub.platform.schemas import Page
from pcfhub.platform.uow import UnitOfWork


def get_version(
    uow: UnitOfWork, *, principal: Principal | None, version_id: uuid.UUID
) -> FactorVersionPublic:
    """Published, superseded and withdrawn versions are open to everyone signed in; drafts,
    submissions and rejections only to their contributor and the reviewers.

    A proprietary factor (redistribution ``none``) shows its metadata to all, and its values
    (value, per-gas values, uncertainty) only to its contributor, the reviewers and
    organisations holding a licence: a grant of kind ``factor`` on its lineage.
    """
    principal = require_principal(principal)
    row = version_row(uow.session, version_id)
    owner = row.lineage.contributor_id
    if is_reviewer(principal):
        return public_version(row)
    if owner is not None and owner == principal.organisation_id:
        # Own organisation: the role and the token's scopes still apply.
        authorize(uow.session, principal, Action.READ, owner_id=owner, object_kind="factor")
        return public_version(row)
    private = FactorStatus(row.status) in (
        FactorStatus.DRAFT, FactorStatus.SUBMITTED, FactorStatus.IN_REVIEW, FactorStatus.REJECTED,
    )  # fmt: skip
    if private:
        raise NotFoundError(f"No factor version {version_id} here.")
    licences = licences_held(uow.session, principal)
    return public_version(row, values_visible=values_visible(row, principal, licences))


def apply_version(
    uow: UnitOfWork, *, principal: Principal | None, version_id: uuid.UUID, activity: Activity
) -> AppliedFactor:
    """The emissions of an activity under a factor version the caller may see the values of."""
    version = get_version(uow, principal=principal, version_id=version_id)
    if not isinstance(version.data, FactorData):
        raise PermissionDeniedError(
            f"Factor {version.lineage_key} is proprietary: its values need a licence from its "
            "contributor."
        )
    try:
        return apply_factor(version.data, activity)
    except UnitError as error:
        raise InvalidInputError(f"unit: {error}") from error


def reviews_of(
    uow: UnitOfWork, *, principal: Principal | None, version_id: uuid.UUID
) -> list[FactorReviewPublic]:
    """The review record of a version: for its contributor and the reviewers."""
    principal = require_principal(principal)
    row = version_row(uow.session, version_id)
    if not is_reviewer(principal):
        if row.lineage.contributor_id != principal.organisation_id:
            raise NotFoundError(f"No review record of factor version {version_id} here.")
        authorize_contributor(uow.session, principal, row, Action.READ)
    reviews = uow.session.scalars(
        select(FactorReviewRow)
        .where(FactorReviewRow.version_id == row.id)
        .order_by(FactorReviewRow.created_at, FactorReviewRow.id)
    )
    return [
        FactorReviewPublic(
            id=review.id,
            version_id=review.version_id,
            decision=review.decision,
            checklist=review.checklist,
            reasons=review.reasons,
            created_at=review.created_at,
        )
        for review in reviews
    ]


def review_queue(
    uow: UnitOfWork, *, principal: Principal | None, offset: int = 0, limit: int = 50
) -> Page[FactorVersionPublic]:
    """Submitted versions of every contributor, oldest first: the reviewers' work list."""
    if not is_reviewer(principal):
        raise PermissionDeniedError("Only the platform operator's reviewers review factors.")
    stmt = select(FactorVersionRow).where(
        FactorVersionRow.status.in_([FactorStatus.SUBMITTED.value, FactorStatus.IN_REVIEW.value])
    )
    order = (FactorVersionRow.submitted_at, FactorVersionRow.id)
    rows, count = page_with_count(uow.session, stmt, order, offset=offset, limit=limit)
    return Page(data=[public_version(row) for row in rows], count=count)


def list_contributions(
    uow: UnitOfWork, *, principal: Principal | None, offset: int = 0, limit: int = 50
) -> Page[FactorVersionPublic]:
    """Every version of the caller's organisation, in any status, newest first."""
    principal = authorize_own(uow, principal, Action.READ)
    stmt = (
        select(FactorVersionRow)
        .join(FactorLineageRow)
        .where(FactorLineageRow.contributor_id == principal.organisation_id)
    )
    order = (FactorVersionRow.created_at.desc(), FactorVersionRow.id)
    rows, count = page_with_count(uow.session, stmt, order, offset=offset, limit=limit)
    return Page(data=[public_version(row) for row in rows], count=count)


def _matches(
    uow: UnitOfWork, principal: Principal | None, query: FactorQuery, *, limit: int
) -> tuple[list[tuple[FactorVersionRow, bool]], int]:
    """One page of the versions matching ``query`` in search order, each with whether the
    caller may see its values; and the number of all matches."""
    principal = authorize_own(uow, principal, Action.READ)
    stmt, order = search_statement(
        uow.session,
        query,
        viewer_organisation=principal.organisation_id,
        dimension=dimension_of(query.unit) if query.unit else None,
    )
    rows, count = page_with_count(uow.session, stmt, order, offset=query.offset, limit=limit)
    licences = licences_held(uow.session, principal) if rows else frozenset()
    return [(row, values_visible(row, principal, licences)) for row in rows], count


def search_factors(
    uow: UnitOfWork, *, principal: Principal | None, query: FactorQuery
) -> Page[FactorVersionPublic]:
    """Factors matching ``query``, nearest geography first, then newest; one page of them."""
    matches, count = _matches(uow, principal, query, limit=query.limit)
    return Page(
        data=[public_version(row, values_visible=visible) for row, visible in matches],
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
