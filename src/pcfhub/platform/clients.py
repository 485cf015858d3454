"""API clients: an organisation's machine access (OAuth2 client credentials).

Functions take a unit of work and the acting principal (keyword-only), ask `authz`, change
rows and write the ledger entry in the same transaction; the caller commits.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from pcfhub.errors import NotFoundError
from pcfhub.ledger import service as ledger
from pcfhub.platform.authz import authorize, require_no_escalation
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import Action, Principal, Role, actor_of
from pcfhub.platform.pages import page_of
from pcfhub.platform.schemas import ApiClientCreate, ApiClientCreated, ApiClientPublic, Page
from pcfhub.platform.security import hash_client_secret, new_token
from pcfhub.platform.store import ApiClientRow, OrganisationRow
from pcfhub.platform.uow import UnitOfWork


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
    """A machine client of the organisation; the secret is returned once, stored hashed.

    A client's token may only create clients with no more role and scopes than it holds.
    """
    session = uow.session
    if not system:
        authorize(
            session, principal, Action.ADMIN, owner_id=organisation_id, object_kind="api_client"
        )
        require_no_escalation(principal, role=data.role, scopes=data.scopes)
    if session.get(OrganisationRow, organisation_id) is None:
        raise NotFoundError(f"No organisation {organisation_id} here.")
    secret = new_token(32)
    row = ApiClientRow(
        client_id=f"pcfhub-{new_token(12)}",
        organisation_id=organisation_id,
        name=data.name,
        secret_hash=hash_client_secret(secret),
        scopes=sorted(set(data.scopes)),
        role=data.role.value,
    )
    session.add(row)
    session.flush()
    ledger.append(
        session,
        actor=actor_of(principal),
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
    return page_of(
        uow.session,
        select(ApiClientRow).where(ApiClientRow.organisation_id == organisation_id),
        order_by=(ApiClientRow.created_at, ApiClientRow.id),
        offset=offset,
        limit=limit,
        public=_client_public,
    )


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
            actor=actor_of(principal),
            organisation_id=row.organisation_id,
            action="api_client.revoked",
            object_kind="api_client",
            object_id=str(row.id),
        )
    return _client_public(row)
