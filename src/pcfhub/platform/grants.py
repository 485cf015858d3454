"""Grants: an organisation's explicit, expiring permission for another organisation.

Functions take a unit of work and the acting principal (keyword-only), ask `authz`, change
rows and write the ledger entry in the same transaction; the caller commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from pcfhub.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from pcfhub.ledger import service as ledger
from pcfhub.platform.authz import authorize, require_principal
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import Action, Principal
from pcfhub.platform.pages import page_of
from pcfhub.platform.schemas import GrantCreate, GrantPublic, Page
from pcfhub.platform.service import organisation_by_slug
from pcfhub.platform.store import GrantRow
from pcfhub.platform.uow import UnitOfWork

# What one organisation may open to another: its footprint studies (to a verifier) and its
# results (to a bank, a buyer, a certification body). Later capabilities add their kinds here;
# platform objects (members, API clients, grants, the organisation itself) are never shared.
SHAREABLE_KINDS = frozenset({"study", "result", "factor"})  # factor: a licence on one lineage

# The capability that owns a kind tells who owns one of its objects (None: it does not exist),
# so that an organisation can grant only what is its own.
ObjectOwner = Callable[[Session, str], uuid.UUID | None]
_OBJECT_OWNERS: dict[str, ObjectOwner] = {}


def register_object_owner(object_kind: str, owner_of: ObjectOwner) -> None:
    """Let ``create_grant`` check that a grant's object belongs to the grantor."""
    _OBJECT_OWNERS[object_kind] = owner_of


def _check_own_object(session: Session, principal: Principal, data: GrantCreate) -> None:
    owner_of = _OBJECT_OWNERS.get(data.object_kind)
    if owner_of is None or data.object_id is None:
        return
    if owner_of(session, data.object_id) != principal.organisation_id:
        raise InvalidInputError(
            f"object_id: {data.object_kind} {data.object_id!r} is not your organisation's; "
            "an organisation grants access only to its own objects."
        )


def _grant_public(row: GrantRow) -> GrantPublic:
    return GrantPublic.model_validate(row, from_attributes=True)


def create_grant(
    uow: UnitOfWork, *, principal: Principal | None, data: GrantCreate, now: datetime | None = None
) -> GrantPublic:
    """The principal's organisation lets another one act on some of its objects until a date."""
    principal = require_principal(principal)
    session = uow.session
    authorize(
        session,
        principal,
        Action.ADMIN,
        owner_id=principal.organisation_id,
        object_kind="grant",
    )
    if data.object_kind not in SHAREABLE_KINDS:
        raise InvalidInputError(
            f"object_kind: {data.object_kind!r} cannot be shared; shareable kinds are "
            + ", ".join(sorted(SHAREABLE_KINDS))
            + ". An organisation's members, clients and grants are never shared."
        )
    if data.expires_at.tzinfo is None:
        raise InvalidInputError("expires_at: give a time zone (e.g. 2027-01-31T00:00:00Z).")
    if data.expires_at <= (now or utcnow()):
        raise InvalidInputError("expires_at: a grant must expire in the future.")
    _check_own_object(session, principal, data)
    grantee = organisation_by_slug(session, data.grantee)
    if grantee.id == principal.organisation_id:
        raise InvalidInputError("grantee: an organisation cannot grant access to itself.")
    row = GrantRow(
        grantor_id=principal.organisation_id,
        grantee_id=grantee.id,
        object_kind=data.object_kind,
        object_id=data.object_id,
        actions=sorted({a.value for a in data.actions}),
        purpose=data.purpose,
        created_by=principal.user_id,
        expires_at=data.expires_at,
    )
    session.add(row)
    session.flush()
    ledger.append(
        session,
        actor=principal.actor,
        organisation_id=principal.organisation_id,
        action="grant.created",
        object_kind="grant",
        object_id=str(row.id),
    )
    return _grant_public(row)


def _visible_grant(session: Session, principal: Principal | None, grant_id: uuid.UUID) -> GrantRow:
    """A grant is visible to both its grantor and its grantee."""
    principal = require_principal(principal)
    row = session.get(GrantRow, grant_id)
    if row is None or principal.organisation_id not in (row.grantor_id, row.grantee_id):
        raise NotFoundError(f"No grant {grant_id} here.")
    authorize(
        session,
        principal,
        Action.READ,
        owner_id=principal.organisation_id,
        object_kind="grant",
        object_id=str(grant_id),
    )
    return row


def get_grant(uow: UnitOfWork, *, principal: Principal | None, grant_id: uuid.UUID) -> GrantPublic:
    return _grant_public(_visible_grant(uow.session, principal, grant_id))


def list_grants(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    received: bool = False,
    object_kind: str | None = None,
    object_id: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[GrantPublic]:
    """Grants the principal's organisation gave (or, with ``received``, was given), optionally
    only those of one object kind and object id."""
    principal = require_principal(principal)
    authorize(
        uow.session,
        principal,
        Action.READ,
        owner_id=principal.organisation_id,
        object_kind="grant",
    )
    column = GrantRow.grantee_id if received else GrantRow.grantor_id
    stmt = select(GrantRow).where(column == principal.organisation_id)
    if object_kind is not None:
        stmt = stmt.where(GrantRow.object_kind == object_kind)
    if object_id is not None:
        stmt = stmt.where(GrantRow.object_id == object_id)
    return page_of(
        uow.session,
        stmt.options(joinedload(GrantRow.grantor), joinedload(GrantRow.grantee)),
        order_by=(GrantRow.created_at.desc(), GrantRow.id),
        offset=offset,
        limit=limit,
        public=_grant_public,
    )


def revoke_grant(
    uow: UnitOfWork, *, principal: Principal | None, grant_id: uuid.UUID
) -> GrantPublic:
    """Only the grantor's admins may revoke; revoking twice changes nothing."""
    session = uow.session
    row = _visible_grant(session, principal, grant_id)
    if require_principal(principal).organisation_id != row.grantor_id:
        raise PermissionDeniedError("Only the grantor's admins may revoke a grant.")
    authorize(
        session,
        principal,
        Action.ADMIN,
        owner_id=row.grantor_id,
        object_kind="grant",
        object_id=str(grant_id),
    )
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        ledger.append(
            session,
            actor=require_principal(principal).actor,
            organisation_id=row.grantor_id,
            action="grant.revoked",
            object_kind="grant",
            object_id=str(row.id),
        )
    return _grant_public(row)
