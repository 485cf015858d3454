"""Platform use cases: organisations, members, API clients and grants.

Each function takes a unit of work and the acting principal (keyword-only), asks `authz`, makes
its change, and writes the ledger entry in the same transaction. The caller commits.
``principal=None`` with ``system=True`` is the command line acting as the platform itself.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pcfhub.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from pcfhub.ledger import service as ledger
from pcfhub.platform.authz import (
    authorize,
    authorize_platform,
    is_platform_admin,
    require_principal,
)
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import SYSTEM_ACTOR, Action, OrganisationKind, Principal, Role
from pcfhub.platform.schemas import (
    ApiClientCreate,
    ApiClientCreated,
    ApiClientPublic,
    GrantCreate,
    GrantPublic,
    MemberCreate,
    MemberPublic,
    OrganisationCreate,
    OrganisationPublic,
    Page,
)
from pcfhub.platform.security import hash_password, new_token
from pcfhub.platform.store import (
    ApiClientRow,
    GrantRow,
    MembershipRow,
    OrganisationRow,
    UserRow,
)
from pcfhub.platform.uow import UnitOfWork

MAX_PAGE = 200


def _actor(principal: Principal | None) -> dict[str, str]:
    return principal.actor if principal is not None else SYSTEM_ACTOR


def _page_bounds(offset: int, limit: int) -> tuple[int, int]:
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise InvalidInputError(f"offset must be ≥ 0 and limit between 1 and {MAX_PAGE}.")
    return offset, limit


# Organisations


def _organisation_public(row: OrganisationRow) -> OrganisationPublic:
    return OrganisationPublic.model_validate(row, from_attributes=True)


def create_organisation(
    uow: UnitOfWork, *, principal: Principal | None, data: OrganisationCreate, system: bool = False
) -> OrganisationPublic:
    """A new tenant; only the platform operator's admins (or the CLI) may create one."""
    if not system:
        authorize_platform(principal, "create organisations")
    session = uow.session
    if session.scalar(select(OrganisationRow.id).where(OrganisationRow.slug == data.slug)):
        raise ConflictError(f"slug: an organisation called {data.slug!r} exists already.")
    row = OrganisationRow(slug=data.slug, name=data.name, kind=data.kind.value)
    session.add(row)
    session.flush()
    ledger.append(
        session,
        actor=_actor(principal),
        organisation_id=row.id,
        action="organisation.created",
        object_kind="organisation",
        object_id=str(row.id),
    )
    return _organisation_public(row)


def get_organisation(
    uow: UnitOfWork, *, principal: Principal | None, organisation_id: uuid.UUID
) -> OrganisationPublic:
    if not is_platform_admin(principal):  # the operator keeps the directory
        authorize(
            uow.session,
            principal,
            Action.READ,
            owner_id=organisation_id,
            object_kind="organisation",
            object_id=str(organisation_id),
        )
    row = uow.session.get(OrganisationRow, organisation_id)
    if row is None:
        raise NotFoundError(f"No organisation {organisation_id} here.")
    return _organisation_public(row)


def organisation_by_slug(session: Session, slug: str) -> OrganisationRow:
    row = session.scalar(select(OrganisationRow).where(OrganisationRow.slug == slug))
    if row is None:
        raise NotFoundError(f"No organisation with slug {slug!r}.")
    return row


def list_organisations(
    uow: UnitOfWork, *, principal: Principal | None, offset: int = 0, limit: int = 50
) -> Page[OrganisationPublic]:
    """All organisations (operator) or the ones the principal belongs to."""
    principal = require_principal(principal)
    offset, limit = _page_bounds(offset, limit)
    stmt = select(OrganisationRow)
    if not is_platform_admin(principal):
        if principal.user_id is not None:
            stmt = stmt.join(MembershipRow).where(MembershipRow.user_id == principal.user_id)
        else:
            stmt = stmt.where(OrganisationRow.id == principal.organisation_id)
    count = uow.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = uow.session.scalars(stmt.order_by(OrganisationRow.name).offset(offset).limit(limit))
    return Page(data=[_organisation_public(r) for r in rows], count=count)


# Members


def _member_public(row: MembershipRow) -> MemberPublic:
    return MemberPublic(
        id=row.id,
        user_id=row.user_id,
        organisation_id=row.organisation_id,
        email=row.user.email,
        display_name=row.user.display_name,
        role=Role(row.role),
    )


def add_member(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    organisation_id: uuid.UUID,
    data: MemberCreate,
    system: bool = False,
) -> MemberPublic:
    """Add a user to an organisation, creating the user if the e-mail is new."""
    session = uow.session
    if not system:
        authorize(
            session,
            principal,
            Action.ADMIN,
            owner_id=organisation_id,
            object_kind="membership",
        )
    if session.get(OrganisationRow, organisation_id) is None:
        raise NotFoundError(f"No organisation {organisation_id} here.")
    email = data.email.lower()
    user = session.scalar(select(UserRow).where(UserRow.email == email))
    if user is None:
        if data.password is None:
            raise InvalidInputError("password: a new user needs a password.")
        user = UserRow(
            email=email, display_name=data.display_name, password_hash=hash_password(data.password)
        )
        session.add(user)
        session.flush()
        ledger.append(
            session,
            actor=_actor(principal),
            organisation_id=organisation_id,
            action="user.created",
            object_kind="user",
            object_id=str(user.id),
        )
    elif session.scalar(
        select(MembershipRow.id).where(
            MembershipRow.user_id == user.id, MembershipRow.organisation_id == organisation_id
        )
    ):
        raise ConflictError(f"email: {email} is a member of this organisation already.")
    membership = MembershipRow(user=user, organisation_id=organisation_id, role=data.role.value)
    session.add(membership)
    session.flush()
    ledger.append(
        session,
        actor=_actor(principal),
        organisation_id=organisation_id,
        action="membership.created",
        object_kind="membership",
        object_id=str(membership.id),
    )
    return _member_public(membership)


def list_members(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    organisation_id: uuid.UUID,
    offset: int = 0,
    limit: int = 50,
) -> Page[MemberPublic]:
    authorize(
        uow.session, principal, Action.READ, owner_id=organisation_id, object_kind="membership"
    )
    offset, limit = _page_bounds(offset, limit)
    where = MembershipRow.organisation_id == organisation_id
    count = uow.session.scalar(select(func.count()).select_from(MembershipRow).where(where)) or 0
    rows = uow.session.scalars(
        select(MembershipRow)
        .join(UserRow)
        .where(where)
        .order_by(UserRow.email)
        .offset(offset)
        .limit(limit)
    )
    return Page(data=[_member_public(r) for r in rows], count=count)


def remove_member(
    uow: UnitOfWork, *, principal: Principal | None, membership_id: uuid.UUID
) -> None:
    session = uow.session
    row = session.get(MembershipRow, membership_id)
    owner = row.organisation_id if row else uuid.uuid4()  # unknown id: authorise as a stranger
    authorize(
        session,
        principal,
        Action.ADMIN,
        owner_id=owner,
        object_kind="membership",
        object_id=str(membership_id),
    )
    if row is None:
        raise NotFoundError(f"No membership {membership_id} here.")
    if row.role == Role.ADMIN.value and _admin_count(session, row.organisation_id) <= 1:
        raise ConflictError("The last admin of an organisation cannot be removed.")
    session.delete(row)
    ledger.append(
        session,
        actor=_actor(principal),
        organisation_id=row.organisation_id,
        action="membership.deleted",
        object_kind="membership",
        object_id=str(membership_id),
    )


def _admin_count(session: Session, organisation_id: uuid.UUID) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(MembershipRow)
            .where(
                MembershipRow.organisation_id == organisation_id,
                MembershipRow.role == Role.ADMIN.value,
            )
        )
        or 0
    )


# API clients


def _client_public(row: ApiClientRow) -> ApiClientPublic:
    return ApiClientPublic(
        id=row.id,
        client_id=row.client_id,
        organisation_id=row.organisation_id,
        name=row.name,
        role=Role(row.role),
        scopes=sorted(row.scopes),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


def create_api_client(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    organisation_id: uuid.UUID,
    data: ApiClientCreate,
    system: bool = False,
) -> ApiClientCreated:
    """A machine client of the organisation; the secret is returned once, stored hashed."""
    session = uow.session
    if not system:
        authorize(
            session, principal, Action.ADMIN, owner_id=organisation_id, object_kind="api_client"
        )
    if session.get(OrganisationRow, organisation_id) is None:
        raise NotFoundError(f"No organisation {organisation_id} here.")
    secret = new_token(32)
    row = ApiClientRow(
        client_id=f"pcfhub-{new_token(12)}",
        organisation_id=organisation_id,
        name=data.name,
        secret_hash=hash_password(secret),
        scopes=sorted(set(data.scopes)),
        role=data.role.value,
    )
    session.add(row)
    session.flush()
    ledger.append(
        session,
        actor=_actor(principal),
        organisation_id=organisation_id,
        action="api_client.created",
        object_kind="api_client",
        object_id=str(row.id),
    )
    return ApiClientCreated(**_client_public(row).model_dump(), client_secret=secret)


def list_api_clients(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    organisation_id: uuid.UUID,
    offset: int = 0,
    limit: int = 50,
) -> Page[ApiClientPublic]:
    authorize(
        uow.session, principal, Action.ADMIN, owner_id=organisation_id, object_kind="api_client"
    )
    offset, limit = _page_bounds(offset, limit)
    where = ApiClientRow.organisation_id == organisation_id
    count = uow.session.scalar(select(func.count()).select_from(ApiClientRow).where(where)) or 0
    rows = uow.session.scalars(
        select(ApiClientRow)
        .where(where)
        .order_by(ApiClientRow.created_at)
        .offset(offset)
        .limit(limit)
    )
    return Page(data=[_client_public(r) for r in rows], count=count)


def revoke_api_client(
    uow: UnitOfWork, *, principal: Principal | None, api_client_id: uuid.UUID
) -> ApiClientPublic:
    session = uow.session
    row = session.get(ApiClientRow, api_client_id)
    authorize(
        session,
        principal,
        Action.ADMIN,
        owner_id=row.organisation_id if row else uuid.uuid4(),
        object_kind="api_client",
        object_id=str(api_client_id),
    )
    if row is None:
        raise NotFoundError(f"No API client {api_client_id} here.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        ledger.append(
            session,
            actor=_actor(principal),
            organisation_id=row.organisation_id,
            action="api_client.revoked",
            object_kind="api_client",
            object_id=str(row.id),
        )
    return _client_public(row)


# Grants


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
    if data.expires_at.tzinfo is None:
        raise InvalidInputError("expires_at: give a time zone (e.g. 2027-01-31T00:00:00Z).")
    if data.expires_at <= (now or utcnow()):
        raise InvalidInputError("expires_at: a grant must expire in the future.")
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
    offset: int = 0,
    limit: int = 50,
) -> Page[GrantPublic]:
    """Grants the principal's organisation gave (or, with ``received``, was given)."""
    principal = require_principal(principal)
    authorize(
        uow.session,
        principal,
        Action.READ,
        owner_id=principal.organisation_id,
        object_kind="grant",
    )
    offset, limit = _page_bounds(offset, limit)
    column = GrantRow.grantee_id if received else GrantRow.grantor_id
    where = column == principal.organisation_id
    count = uow.session.scalar(select(func.count()).select_from(GrantRow).where(where)) or 0
    rows = uow.session.scalars(
        select(GrantRow)
        .where(where)
        .order_by(GrantRow.created_at.desc())
        .offset(offset)
        .limit(limit)
    )
    return Page(data=[_grant_public(r) for r in rows], count=count)


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


def organisation_counts(uow: UnitOfWork, *, principal: Principal | None) -> dict[str, int]:
    """How many organisations of each kind use the platform: an aggregate for the regulator
    and the operator, which names no organisation."""
    principal = require_principal(principal)
    if principal.organisation_kind not in (
        OrganisationKind.REGULATOR,
        OrganisationKind.PLATFORM_OPERATOR,
    ):
        raise PermissionDeniedError("Only regulators and the platform operator see these counts.")
    rows = uow.session.execute(
        select(OrganisationRow.kind, func.count()).group_by(OrganisationRow.kind)
    )
    counts = {kind.value: 0 for kind in OrganisationKind}
    counts.update({kind: count for kind, count in rows})
    return counts
