"""Connections with other PACT host systems, and the secrets they hold.

Adding a connection makes the partner an external organisation of this platform with one API
client: its id and secret (shown once) are what the tenant hands to the partner, who calls our
PACT API with them. The partner's own base URL and the credentials it issued to us are kept for
calling it; that secret is encrypted (AES-256-GCM, key derived from the platform's secret with
HKDF), so a copy of the database alone does not reveal it.
"""

from __future__ import annotations

import os
import uuid

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select

from pcfhub.errors import InvalidInputError, NotFoundError
from pcfhub.exchange.schemas import (
    ConnectionCreate,
    ConnectionCreated,
    ConnectionPublic,
    ConnectionUpdate,
)
from pcfhub.exchange.store import PactConnectionRow
from pcfhub.ledger import service as ledger
from pcfhub.platform.authz import authorize, require_principal
from pcfhub.platform.clients import create_api_client
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import Action, OrganisationKind, Principal, Role, actor_of
from pcfhub.platform.schemas import ApiClientCreate
from pcfhub.platform.security import new_token
from pcfhub.platform.store import ApiClientRow, OrganisationRow
from pcfhub.platform.uow import UnitOfWork

CONNECTION = "pact_connection"
PARTNER_SCOPES = ["pact_footprint:read", "pact_event:write"]
_INFO = b"pcfhub pact connection secret v1"


def _key(secret: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret)


def seal(secret: bytes, plaintext: str, *, context: str) -> bytes:
    """Encrypt ``plaintext``; ``context`` (the connection id) is bound as associated data."""
    nonce = os.urandom(12)
    return nonce + AESGCM(_key(secret)).encrypt(nonce, plaintext.encode(), context.encode())


def unseal(secret: bytes, sealed: bytes, *, context: str) -> str:
    return AESGCM(_key(secret)).decrypt(sealed[:12], sealed[12:], context.encode()).decode()


def _public(uow: UnitOfWork, row: PactConnectionRow) -> ConnectionPublic:
    client = uow.session.scalar(
        select(ApiClientRow.client_id).where(
            ApiClientRow.organisation_id == row.partner_id, ApiClientRow.revoked_at.is_(None)
        )
    )
    return ConnectionPublic(
        id=row.id,
        organisation_id=row.organisation_id,
        partner_id=row.partner_id,
        name=row.name,
        base_url=row.base_url,
        auth_base_url=row.auth_base_url,
        spec_version=row.spec_version,
        remote_client_id=row.remote_client_id,
        has_remote_secret=row.remote_secret is not None,
        inbound_client_id=client,
        created_at=row.created_at,
    )


def _url(value: object | None) -> str | None:
    return str(value).rstrip("/") if value is not None else None


def add_connection(
    uow: UnitOfWork, *, principal: Principal | None, data: ConnectionCreate, secret: bytes
) -> ConnectionCreated:
    """A new partner: an external organisation, its API client, and our outbound settings."""
    principal = require_principal(principal)
    owner = principal.organisation_id
    authorize(uow.session, principal, Action.ADMIN, owner_id=owner, object_kind=CONNECTION)
    session = uow.session
    partner = OrganisationRow(
        slug=f"pact-{new_token(9).lower().replace('_', '-')}"[:64],
        name=data.name,
        kind=OrganisationKind.EXTERNAL.value,
    )
    session.add(partner)
    session.flush()
    actor = actor_of(principal)
    ledger.append(
        session,
        actor=actor,
        organisation_id=owner,
        action="organisation.created",
        object_kind="organisation",
        object_id=str(partner.id),
    )
    client = create_api_client(
        uow,
        principal=principal,
        organisation_id=partner.id,
        data=ApiClientCreate(name=f"PACT: {data.name}", role=Role.VIEWER, scopes=PARTNER_SCOPES),
        system=True,
    )
    row = PactConnectionRow(
        organisation_id=owner,
        partner_id=partner.id,
        name=data.name,
        base_url=_url(data.base_url),
        auth_base_url=_url(data.auth_base_url),
        spec_version=data.spec_version,
        remote_client_id=data.remote_client_id,
        created_by=principal.user_id,
    )
    session.add(row)
    session.flush()
    if data.remote_client_secret:
        row.remote_secret = seal(secret, data.remote_client_secret, context=str(row.id))
    ledger.append(
        session,
        actor=actor,
        organisation_id=owner,
        action="pact.connection_added",
        object_kind="organisation",
        object_id=str(partner.id),
    )
    return ConnectionCreated(
        **_public(uow, row).model_dump(), inbound_client_secret=client.client_secret
    )


def update_connection(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    connection_id: uuid.UUID,
    data: ConnectionUpdate,
    secret: bytes,
) -> ConnectionPublic:
    """Change where and how we call the partner. Pointing the connection at another address
    needs the secret again, so a stored secret is never sent to a host it was not given for."""
    row = connection(uow, principal=principal, connection_id=connection_id, action=Action.ADMIN)
    moved = any(
        given is not None and _url(given) != held
        for given, held in ((data.base_url, row.base_url), (data.auth_base_url, row.auth_base_url))
    )
    if moved and row.remote_secret is not None and data.remote_client_secret is None:
        raise InvalidInputError(
            "remote_client_secret: give the partner's secret again when you change its address."
        )
    if data.base_url is not None:
        row.base_url = _url(data.base_url)
    if data.auth_base_url is not None:
        row.auth_base_url = _url(data.auth_base_url)
    if data.spec_version is not None:
        row.spec_version = data.spec_version
    if data.remote_client_id is not None:
        row.remote_client_id = data.remote_client_id
    if data.remote_client_secret is not None:
        row.remote_secret = seal(secret, data.remote_client_secret, context=str(row.id))
    ledger.append(
        uow.session,
        actor=actor_of(principal),
        organisation_id=row.organisation_id,
        action="pact.connection_updated",
        object_kind="organisation",
        object_id=str(row.partner_id),
    )
    return _public(uow, row)


def connection(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    connection_id: uuid.UUID,
    action: Action = Action.READ,
) -> PactConnectionRow:
    row = uow.session.get(PactConnectionRow, connection_id)
    if row is None or row.revoked_at is not None:
        raise NotFoundError(f"No PACT connection {connection_id} here.")
    authorize(
        uow.session, principal, action, owner_id=row.organisation_id, object_kind=CONNECTION,
        object_id=str(row.id),
    )  # fmt: skip
    return row


def list_connections(uow: UnitOfWork, *, principal: Principal | None) -> list[ConnectionPublic]:
    principal = require_principal(principal)
    owner = principal.organisation_id
    authorize(uow.session, principal, Action.READ, owner_id=owner, object_kind=CONNECTION)
    rows = uow.session.scalars(
        select(PactConnectionRow)
        .where(PactConnectionRow.organisation_id == owner, PactConnectionRow.revoked_at.is_(None))
        .order_by(PactConnectionRow.name)
    )
    return [_public(uow, row) for row in rows]


def revoke_connection(
    uow: UnitOfWork, *, principal: Principal | None, connection_id: uuid.UUID
) -> None:
    """End a connection: the partner's API client stops working at once."""
    row = connection(uow, principal=principal, connection_id=connection_id, action=Action.ADMIN)
    now = utcnow()
    row.revoked_at = now
    for client in uow.session.scalars(
        select(ApiClientRow).where(
            ApiClientRow.organisation_id == row.partner_id, ApiClientRow.revoked_at.is_(None)
        )
    ):
        client.revoked_at = now
    ledger.append(
        uow.session,
        actor=actor_of(principal),
        organisation_id=row.organisation_id,
        action="pact.connection_revoked",
        object_kind="organisation",
        object_id=str(row.partner_id),
    )


def connection_of_partner(
    uow: UnitOfWork, partner_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> PactConnectionRow | None:
    """The live connection whose partner organisation is ``partner_id`` (an inbound caller);
    with ``owner_id``, only a connection of that organisation."""
    query = select(PactConnectionRow).where(
        PactConnectionRow.partner_id == partner_id, PactConnectionRow.revoked_at.is_(None)
    )
    if owner_id is not None:
        query = query.where(PactConnectionRow.organisation_id == owner_id)
    return uow.session.scalar(query)


def remote_credentials(row: PactConnectionRow, secret: bytes) -> tuple[str, str]:
    """The id and secret the partner issued to us, or InvalidInputError naming what is missing."""
    if not row.base_url:
        raise InvalidInputError(f"connection {row.name}: base_url of the partner is not set.")
    if not row.remote_client_id or row.remote_secret is None:
        raise InvalidInputError(
            f"connection {row.name}: the client id and secret the partner gave you are not set."
        )
    return row.remote_client_id, unseal(secret, row.remote_secret, context=str(row.id))
