"""Who may act on factor versions and see their values, and a version as its viewer sees it.

Reviewers are the editors and admins of the platform operator. A version's values are open
unless its licence forbids redistribution; then only its contributor, the reviewers and holders
of the contributor's licence (`factors.licences`) see them: the others get its metadata.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from pcfhub.errors import PermissionDeniedError
from pcfhub.factors.licences import Licences, holds_licence, is_proprietary
from pcfhub.factors.model import FactorData, FactorStatus
from pcfhub.factors.schemas import WITHHELD_FIELDS, FactorMetadata, FactorVersionPublic
from pcfhub.factors.store import FactorVersionRow
from pcfhub.platform.authz import authorize, require_principal
from pcfhub.platform.model import Action, OrganisationKind, Principal, Role
from pcfhub.platform.uow import UnitOfWork


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
