"""Platform API: organisations, members, API clients, grants and jobs under /api/v1."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from pcfhub.platform import clients, grants, jobs, service
from pcfhub.platform.authz import require_principal
from pcfhub.platform.deps import PrincipalDep, UowDep
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


@router.get("/jobs", tags=["jobs"])
def list_jobs(
    uow: UowDep, principal: PrincipalDep, offset: Offset = 0, limit: Limit = 20
) -> Page[jobs.JobPublic]:
    """Your organisation's jobs (imports, recalculations), newest first."""
    return jobs.list_jobs(uow, principal=principal, offset=offset, limit=limit)


@router.get("/jobs/{job_id}", tags=["jobs"])
def get_job(job_id: uuid.UUID, uow: UowDep, principal: PrincipalDep) -> jobs.JobPublic:
    """A job's status and progress (``done`` of ``total`` steps) and, once done, its result."""
    return jobs.get_job(uow, principal=principal, job_id=job_id)


@router.post("/jobs/{job_id}/cancel", tags=["jobs"])
def cancel_job(job_id: uuid.UUID, uow: UowDep, principal: PrincipalDep) -> jobs.JobPublic:
    """Ask a queued or running job to stop; nothing it would have written is kept."""
    cancelled = jobs.cancel_job(uow, principal=principal, job_id=job_id)
    uow.commit()
    return cancelled
