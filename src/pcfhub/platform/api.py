"""Platform API: organisations, members, API clients, grants, the token endpoint, health."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import JSONResponse

from pcfhub.errors import AuthenticationError, InvalidInputError, PcfhubError
from pcfhub.platform import auth, clients, grants, service
from pcfhub.platform.authz import require_principal
from pcfhub.platform.deps import PlatformDep, PrincipalDep, UowDep
from pcfhub.platform.pages import MAX_PAGE
from pcfhub.platform.schemas import (
    MAX_INT64,
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

Offset = Annotated[int, Query(ge=0, le=MAX_INT64)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]

router = APIRouter()


@router.get("/me", tags=["platform"])
def me(principal: PrincipalDep) -> dict[str, Any]:
    """Who the call is made as."""
    who = require_principal(principal)
    return {
        "organisation_id": str(who.organisation_id),
        "organisation_kind": who.organisation_kind,
        "role": who.role,
        "user_id": str(who.user_id) if who.user_id else None,
        "client_id": who.client_id,
        "scopes": sorted(who.scopes) if who.scopes is not None else None,
    }


@router.get("/organisations", tags=["organisations"])
def list_organisations(
    uow: UowDep, principal: PrincipalDep, offset: Offset = 0, limit: Limit = 50
) -> Page[OrganisationPublic]:
    return service.list_organisations(uow, principal=principal, offset=offset, limit=limit)


@router.post("/organisations", status_code=201, tags=["organisations"])
def create_organisation(
    data: OrganisationCreate, uow: UowDep, principal: PrincipalDep
) -> OrganisationPublic:
    created = service.create_organisation(uow, principal=principal, data=data)
    uow.commit()
    return created


@router.get("/organisations/{organisation_id}", tags=["organisations"])
def get_organisation(
    organisation_id: uuid.UUID, uow: UowDep, principal: PrincipalDep
) -> OrganisationPublic:
    return service.get_organisation(uow, principal=principal, organisation_id=organisation_id)


@router.get("/organisations/{organisation_id}/members", tags=["organisations"])
def list_members(
    organisation_id: uuid.UUID,
    uow: UowDep,
    principal: PrincipalDep,
    offset: Offset = 0,
    limit: Limit = 50,
) -> Page[MemberPublic]:
    return service.list_members(
        uow, principal=principal, organisation_id=organisation_id, offset=offset, limit=limit
    )


@router.post("/organisations/{organisation_id}/members", status_code=201, tags=["organisations"])
def add_member(
    organisation_id: uuid.UUID, data: MemberCreate, uow: UowDep, principal: PrincipalDep
) -> MemberPublic:
    created = service.add_member(
        uow, principal=principal, organisation_id=organisation_id, data=data
    )
    uow.commit()
    return created


@router.delete("/memberships/{membership_id}", status_code=204, tags=["organisations"])
def remove_member(membership_id: uuid.UUID, uow: UowDep, principal: PrincipalDep) -> None:
    service.remove_member(uow, principal=principal, membership_id=membership_id)
    uow.commit()


@router.get("/organisations/{organisation_id}/api-clients", tags=["api clients"])
def list_api_clients(
    organisation_id: uuid.UUID,
    uow: UowDep,
    principal: PrincipalDep,
    offset: Offset = 0,
    limit: Limit = 50,
) -> Page[ApiClientPublic]:
    return clients.list_api_clients(
        uow, principal=principal, organisation_id=organisation_id, offset=offset, limit=limit
    )


@router.post("/organisations/{organisation_id}/api-clients", status_code=201, tags=["api clients"])
def create_api_client(
    organisation_id: uuid.UUID, data: ApiClientCreate, uow: UowDep, principal: PrincipalDep
) -> ApiClientCreated:
    created = clients.create_api_client(
        uow, principal=principal, organisation_id=organisation_id, data=data
    )
    uow.commit()
    return created


@router.post("/api-clients/{api_client_id}/revoke", tags=["api clients"])
def revoke_api_client(
    api_client_id: uuid.UUID, uow: UowDep, principal: PrincipalDep
) -> ApiClientPublic:
    revoked = clients.revoke_api_client(uow, principal=principal, api_client_id=api_client_id)
    uow.commit()
    return revoked


@router.get("/grants", tags=["grants"])
def list_grants(
    uow: UowDep,
    principal: PrincipalDep,
    received: bool = False,
    offset: Offset = 0,
    limit: Limit = 50,
) -> Page[GrantPublic]:
    return grants.list_grants(
        uow, principal=principal, received=received, offset=offset, limit=limit
    )


@router.post("/grants", status_code=201, tags=["grants"])
def create_grant(data: GrantCreate, uow: UowDep, principal: PrincipalDep) -> GrantPublic:
    created = grants.create_grant(uow, principal=principal, data=data)
    uow.commit()
    return created


@router.get("/grants/{grant_id}", tags=["grants"])
def get_grant(grant_id: uuid.UUID, uow: UowDep, principal: PrincipalDep) -> GrantPublic:
    return grants.get_grant(uow, principal=principal, grant_id=grant_id)


@router.post("/grants/{grant_id}/revoke", tags=["grants"])
def revoke_grant(grant_id: uuid.UUID, uow: UowDep, principal: PrincipalDep) -> GrantPublic:
    revoked = grants.revoke_grant(uow, principal=principal, grant_id=grant_id)
    uow.commit()
    return revoked


# OAuth2 token endpoint (RFC 6749 §4.4), outside /api/v1: the PACT exchange uses /auth/token.

token_router = APIRouter()


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="pcfhub"'
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=headers
    )


def _basic_credentials(request: Request) -> tuple[str, str]:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise AuthenticationError("Send the client id and secret with HTTP Basic authentication.")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise AuthenticationError("The Basic credentials are not valid base64.") from None
    client_id, sep, client_secret = decoded.partition(":")
    if not sep:
        raise AuthenticationError("The Basic credentials lack the ':' separator.")
    # RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
    return unquote(client_id.replace("+", " ")), unquote(client_secret.replace("+", " "))


@token_router.post("/auth/token", tags=["auth"])
def token(
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    grant_type: Annotated[str | None, Form()] = None,
    scope: Annotated[str | None, Form()] = None,
) -> JSONResponse:
    """OAuth2 client credentials: HTTP Basic client authentication, ``grant_type``."""
    if grant_type is None:
        return _oauth_error(400, "invalid_request", "grant_type is missing.")
    if grant_type != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "Only client_credentials is supported.")
    try:
        client_id, client_secret = _basic_credentials(request)
        issued = auth.issue_client_token(
            uow,
            client_id=client_id,
            client_secret=client_secret,
            requested_scopes=frozenset(scope.split()) if scope else None,
            secret=platform.secret,
            issuer=platform.settings.base_url,
            ttl_s=platform.settings.access_token_ttl_s,
        )
    except AuthenticationError as error:
        return _oauth_error(401, "invalid_client", str(error).removeprefix("invalid_client: "))
    except InvalidInputError as error:
        return _oauth_error(400, "invalid_scope", str(error).removeprefix("invalid_scope: "))
    return JSONResponse(
        {
            "access_token": issued.access_token,
            "token_type": issued.token_type,
            "expires_in": issued.expires_in,
            "scope": issued.scope,
        },
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


health_router = APIRouter()


@health_router.get("/healthz", tags=["health"])
def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@health_router.get("/readyz", tags=["health"])
def readyz(platform: PlatformDep) -> JSONResponse:
    """The database answers, is migrated, and the ledger key is loaded."""
    try:
        platform.check_ready()
    except PcfhubError as error:
        return JSONResponse({"status": "not ready", "detail": str(error)}, status_code=503)
    except Exception as error:  # the database is down or unreachable
        return JSONResponse(
            {"status": "not ready", "detail": f"database: {type(error).__name__}"},
            status_code=503,
        )
    return JSONResponse({"status": "ready"})
