"""Factor contributions and their review: draft, submit, review (publish or reject), withdraw.

Reference data (shipped files, LCI imports) is published by `factors.reference`; reading,
searching and exporting are `factors.queries`; who may act and see values is `factors.access`.

A version's record never changes once written; only its status moves:
draft → submitted → (in review →) published → superseded, or → rejected / withdrawn.
Publishing a version supersedes the lineage's previously published one. Every step is a ledger
entry in the same transaction. Reviewers are the editors and admins of the platform operator.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from pcfhub.errors import ConflictError, InvalidInputError, PermissionDeniedError
from pcfhub.factors.access import (
    authorize_contributor,
    authorize_own,
    is_reviewer,
    public_version,
    values_visible,
)
from pcfhub.factors.model import FactorData, FactorStatus
from pcfhub.factors.queries import (
    apply_version,
    get_version,
    list_contributions,
    review_queue,
    reviews_of,
)
from pcfhub.factors.schemas import FactorVersionPublic, ReviewDecision
from pcfhub.factors.store import FactorReviewRow, FactorVersionRow
from pcfhub.factors.versions import dimension_of, new_version, version_row
from pcfhub.ledger import service as ledger
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import SYSTEM_ACTOR, Action, Principal
from pcfhub.platform.uow import UnitOfWork

# What callers have always imported from here: this module's use cases, and the access rules,
# version rows and reads that now live in `access`, `versions` and `queries`.
__all__ = [
    "CHECKLIST",
    "OPEN_FOR_EVIDENCE",
    "RESERVED_KEY_PREFIXES",
    "WITHDRAWABLE",
    "apply_version",
    "authorize_contributor",
    "authorize_own",
    "create_draft",
    "dimension_of",
    "get_version",
    "import_drafts",
    "is_reviewer",
    "list_contributions",
    "new_version",
    "public_version",
    "publish_version",
    "review",
    "review_queue",
    "reviews_of",
    "start_review",
    "submit",
    "values_visible",
    "version_row",
    "withdraw",
]

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
