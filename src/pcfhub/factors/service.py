"""Factor use cases: draft, submit, review (publish or reject), withdraw, read and apply.

Reference data (shipped files, LCI imports) is published by `factors.reference`; searches and
exports are `factors.queries`.

A version's record never changes once written; only its status moves:
draft → submitted → (in review →) published → superseded, or → rejected / withdrawn.
Publishing a version supersedes the lineage's previously published one. Every step is a ledger
entry in the same transaction. Reviewers are the editors and admins of the platform operator.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pcfhub.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    UnitError,
)
from pcfhub.factors.licences import Licences, holds_licence, is_proprietary, licences_held
from pcfhub.factors.model import FactorData, FactorStatus
from pcfhub.factors.schemas import (
    WITHHELD_FIELDS,
    FactorMetadata,
    FactorReviewPublic,
    FactorVersionPublic,
    ReviewDecision,
)
from pcfhub.factors.search import (
    index_for_search,
    page_with_count,
)
from pcfhub.factors.store import FactorLineageRow, FactorReviewRow, FactorVersionRow
from pcfhub.factors.text import token_text
from pcfhub.factors.use import Activity, AppliedFactor, apply_factor
from pcfhub.ledger import service as ledger
from pcfhub.ledger.canonical import content_hash
from pcfhub.platform.authz import authorize, require_principal
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import SYSTEM_ACTOR, Action, OrganisationKind, Principal, Role
from pcfhub.platform.schemas import Page
from pcfhub.platform.uow import UnitOfWork
from pcfhub.units import get_registry, parse_unit

# The review checklist (docs/factors.md): every item must hold for a version to be published.
CHECKLIST = (
    "source_cited",  # publisher, document, table and year identify where the value comes from
    "value_matches_source",  # the value (and per-gas values) equal the cited table
    "unit_and_boundary_right",  # reference unit and LCA boundary as the source states them
    "geography_and_year_right",
    "quality_scored",  # pedigree scores given and plausible
    "licence_permits_listing",  # the licence allows the platform to list (and share) it
)


# Lineage keys of the platform's reference data (src/pcfhub/data/factors) and of LCI database
# releases (lci.<database>.…); contributors choose other keys, so that a contribution can
# never occupy a key a shipped file or an LCI import will publish.
RESERVED_KEY_PREFIXES = ("cn.mee.", "ipcc", "pcfhub.", "lci.")


def dimension_of(unit: str) -> str:
    return str(get_registry().get_dimensionality(parse_unit(unit)))


def public_version(row: FactorVersionRow, *, values_visible: bool = True) -> FactorVersionPublic:
    """A version as served; without its values when the viewer may not see them."""
    record = row.data if values_visible else {
        key: value for key, value in row.data.items() if key not in WITHHELD_FIELDS
    }  # fmt: skip
    return FactorVersionPublic(
        id=row.id,
        lineage_id=row.lineage_id,
        lineage_key=row.lineage.lineage_key,
        version=row.version,
        status=FactorStatus(row.status),
        contributor_id=row.lineage.contributor_id,
        values_withheld=not values_visible,
        data=(FactorData if values_visible else FactorMetadata).model_validate(record),
        # The hash of the whole record would let anyone test guesses of the withheld values.
        content_hash=row.content_hash if values_visible else None,
        created_at=row.created_at,
        submitted_at=row.submitted_at,
        published_at=row.published_at,
        ended_at=row.ended_at,
    )


def values_visible(row: FactorVersionRow, principal: Principal, licences: Licences) -> bool:
    """Values are open unless the licence forbids redistribution; then only the contributor,
    the reviewers and holders of the contributor's licence see them."""
    return (
        not is_proprietary(row)
        or is_reviewer(principal)
        or (
            row.lineage.contributor_id is not None
            and row.lineage.contributor_id == principal.organisation_id
        )
        or holds_licence(row, licences)
    )


def _record(
    session: Session, principal: Principal | None, row: FactorVersionRow, action: str
) -> None:
    ledger.append(
        session,
        actor=principal.actor if principal else SYSTEM_ACTOR,
        organisation_id=row.lineage.contributor_id,
        action=action,
        object_kind="factor_version",
        object_id=str(row.id),
    )


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


def authorize_own(uow: UnitOfWork, principal: Principal | None, action: Action) -> Principal:
    """The caller, once allowed ``action`` on factors of its own organisation (role, scopes)."""
    principal = require_principal(principal)
    authorize(
        uow.session, principal, action, owner_id=principal.organisation_id, object_kind="factor"
    )
    return principal


def authorize_contributor(
    session: Session, principal: Principal | None, row: FactorVersionRow, action: Action
) -> Principal:
    principal = require_principal(principal)
    owner = row.lineage.contributor_id
    if owner is None:
        raise PermissionDeniedError("Reference data shipped with the platform cannot be changed.")
    authorize(
        session, principal, action, owner_id=owner, object_kind="factor", object_id=str(row.id)
    )
    return principal


def is_reviewer(principal: Principal | None) -> bool:
    return (
        principal is not None
        and principal.organisation_kind == OrganisationKind.PLATFORM_OPERATOR
        and principal.role in (Role.EDITOR, Role.ADMIN)
        and (
            principal.scopes is None
            or bool({"factor:admin", "*:admin", "factor:*", "*:*"} & principal.scopes)
        )
    )


# Statuses a contributor (or a reviewer) may withdraw a version from.
WITHDRAWABLE = (
    FactorStatus.DRAFT, FactorStatus.SUBMITTED, FactorStatus.IN_REVIEW, FactorStatus.PUBLISHED,
)  # fmt: skip
# Statuses in which a version still takes evidence files.
OPEN_FOR_EVIDENCE = (FactorStatus.DRAFT, FactorStatus.SUBMITTED, FactorStatus.IN_REVIEW)


def _require_reviewer_of(principal: Principal | None, row: FactorVersionRow) -> Principal:
    """A reviewer who did not write the version (four eyes)."""
    if principal is None or not is_reviewer(principal):
        raise PermissionDeniedError("Only the platform operator's reviewers review factors.")
    if row.created_by is not None and row.created_by == principal.user_id:
        raise PermissionDeniedError(
            "A reviewer does not review a factor version they wrote; another reviewer decides."
        )
    return principal


def _require_status(row: FactorVersionRow, *allowed: FactorStatus) -> None:
    if FactorStatus(row.status) not in allowed:
        raise ConflictError(
            f"status: factor version {row.id} is {row.status}; this needs "
            + " or ".join(s.value for s in allowed)
            + "."
        )


def create_draft(
    uow: UnitOfWork, *, principal: Principal | None, data: FactorData
) -> FactorVersionPublic:
    """A new draft: the first version of a new lineage, or the next version of the
    contributor's own lineage."""
    principal = authorize_own(uow, principal, Action.WRITE)
    if data.lineage_key.lower().startswith(RESERVED_KEY_PREFIXES):
        raise InvalidInputError(
            f"lineage_key: {data.lineage_key!r} starts with a prefix kept for the platform's "
            f"reference data ({', '.join(RESERVED_KEY_PREFIXES)}); begin it with your "
            "organisation's name instead."
        )
    row = new_version(
        uow.session,
        data=data,
        contributor_id=principal.organisation_id,
        created_by=principal.user_id,
        status=FactorStatus.DRAFT,
    )
    _record(uow.session, principal, row, "factor.drafted")
    return public_version(row)


def import_drafts(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    factors: list[FactorData],
    and_submit: bool = False,
) -> list[FactorVersionPublic]:
    """Every factor of a checked file as a draft of the caller's organisation, each submitted
    too if asked; all or none (the caller commits)."""
    created = [create_draft(uow, principal=principal, data=data) for data in factors]
    if and_submit:
        created = [submit(uow, principal=principal, version_id=v.id) for v in created]
    return created


def submit(
    uow: UnitOfWork, *, principal: Principal | None, version_id: uuid.UUID
) -> FactorVersionPublic:
    """Send a draft to the reviewers."""
    row = version_row(uow.session, version_id)
    principal = authorize_contributor(uow.session, principal, row, Action.WRITE)
    _require_status(row, FactorStatus.DRAFT)
    row.status = FactorStatus.SUBMITTED.value
    row.submitted_at = utcnow()
    _record(uow.session, principal, row, "factor.submitted")
    return public_version(row)


def start_review(
    uow: UnitOfWork, *, principal: Principal | None, version_id: uuid.UUID
) -> FactorVersionPublic:
    """A reviewer takes a submitted version into review (others then see it is being checked)."""
    row = version_row(uow.session, version_id)
    _require_reviewer_of(principal, row)
    _require_status(row, FactorStatus.SUBMITTED)
    row.status = FactorStatus.IN_REVIEW.value
    _record(uow.session, principal, row, "factor.review_started")
    return public_version(row)


def review(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    version_id: uuid.UUID,
    decision: ReviewDecision,
) -> FactorVersionPublic:
    """A reviewer publishes (every checklist item holds) or rejects (with reasons)."""
    session = uow.session
    row = version_row(session, version_id)
    principal = _require_reviewer_of(principal, row)
    _require_status(row, FactorStatus.SUBMITTED, FactorStatus.IN_REVIEW)
    failed = [item for item in CHECKLIST if not decision.checklist.get(item, False)]
    if decision.publish and failed:
        raise InvalidInputError(
            "checklist: to publish, every item must hold; not confirmed: " + ", ".join(failed)
        )
    if not decision.publish and not decision.reasons.strip():
        raise InvalidInputError("reasons: say why the factor is rejected.")
    if decision.publish:
        _published_before(session, row)  # refuses before anything is written
    review_row = FactorReviewRow(
        version_id=row.id,
        reviewer_organisation_id=principal.organisation_id,
        reviewer_user_id=principal.user_id,
        decision="published" if decision.publish else "rejected",
        checklist={item: bool(decision.checklist.get(item, False)) for item in CHECKLIST},
        reasons=decision.reasons,
    )
    session.add(review_row)
    session.flush()
    ledger.append(
        session,
        actor=principal.actor,
        organisation_id=row.lineage.contributor_id,
        action=f"factor.review.{review_row.decision}",
        object_kind="factor_review",
        object_id=str(review_row.id),
    )
    if decision.publish:
        publish_version(session, principal, row)
    else:
        row.status = FactorStatus.REJECTED.value
        row.ended_at = utcnow()
        _record(session, principal, row, "factor.rejected")
    return public_version(row)


def _published_before(session: Session, row: FactorVersionRow) -> list[FactorVersionRow]:
    """The lineage's published version(s) that publishing ``row`` supersedes; a newer one
    published already is a conflict (an older version never replaces it)."""
    published = session.scalars(
        select(FactorVersionRow).where(
            FactorVersionRow.lineage_id == row.lineage_id,
            FactorVersionRow.status == FactorStatus.PUBLISHED.value,
            FactorVersionRow.id != row.id,
        )
    ).all()
    newer = [previous.version for previous in published if previous.version > row.version]
    if newer:
        raise ConflictError(
            f"version: {row.lineage.lineage_key} version {max(newer)} is published, newer than "
            f"version {row.version}; reject this one, or submit a new version."
        )
    return list(published)


def publish_version(session: Session, principal: Principal | None, row: FactorVersionRow) -> None:
    """Publish ``row``; it supersedes the lineage's published version, which must be older."""
    now = utcnow()
    for previous in _published_before(session, row):
        previous.status = FactorStatus.SUPERSEDED.value
        previous.ended_at = now
        _record(session, principal, previous, "factor.superseded")
    row.status = FactorStatus.PUBLISHED.value
    row.published_at = now
    _record(session, principal, row, "factor.published")


def withdraw(
    uow: UnitOfWork, *, principal: Principal | None, version_id: uuid.UUID
) -> FactorVersionPublic:
    """The contributor (or a reviewer) takes a version back; results that used it keep it."""
    session = uow.session
    row = version_row(session, version_id)
    if not is_reviewer(principal):
        authorize_contributor(session, principal, row, Action.WRITE)
    _require_status(row, *WITHDRAWABLE)
    row.status = FactorStatus.WITHDRAWN.value
    row.ended_at = utcnow()
    _record(session, principal, row, "factor.withdrawn")
    return public_version(row)


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
