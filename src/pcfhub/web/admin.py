"""Administration pages of an organisation: members, API clients and grants.

Admins add and remove members, issue and revoke API clients (the secret is shown once), and
grant or revoke other organisations' access. Every form goes through the same services (and so
the same authorisation and ledger entries) as the API.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from pcfhub.errors import InvalidInputError
from pcfhub.platform import clients, grants, service
from pcfhub.platform.deps import SignedInUserDep, UowDep
from pcfhub.platform.model import Action, Principal, Role, SignedInUser
from pcfhub.platform.schemas import ApiClientCreate, GrantCreate, MemberCreate
from pcfhub.platform.uow import UnitOfWork
from pcfhub.web.rendering import act_on_form, redirect, render, signed_in

router = APIRouter(prefix="/admin", include_in_schema=False)
FormStr = Annotated[str, Form()]
OptionalFormStr = Annotated[str | None, Form()]
GRANTABLE_KINDS = tuple(sorted(grants.SHAREABLE_KINDS))
DONE = ("member_added", "member_removed", "client_revoked", "grant_created", "grant_revoked")
WHAT = "administer your organisation"  # "Sign in to ..."


def _page(
    request: Request,
    uow: UnitOfWork,
    user: SignedInUser,
    principal: Principal,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    org = principal.organisation_id
    data = {
        "organisation": service.get_organisation(uow, principal=principal, organisation_id=org),
        "members": service.list_members(uow, principal=principal, organisation_id=org, limit=200),
        "api_clients": clients.list_api_clients(
            uow, principal=principal, organisation_id=org, limit=200
        ),
        "grants_given": grants.list_grants(uow, principal=principal, limit=200),
    }
    return render(
        request,
        "admin.html",
        user=user,
        status_code=status_code,
        roles=[role.value for role in Role],
        grantable_kinds=GRANTABLE_KINDS,
        actions=[action.value for action in Action],
        **data,
        **context,
    )


def _act(
    request: Request,
    uow: UnitOfWork,
    user: SignedInUser | None,
    csrf_token: str | None,
    change: Callable[[Principal], Any],
    *,
    done: str,
) -> Response:
    """Make one change as the signed-in admin and commit it; or show the page again with what
    was wrong (nothing is saved). A new client's secret is shown once, on this very page."""
    created = "created_client" if done == "client_created" else None
    return act_on_form(
        request, uow, user, csrf_token, change,
        what=WHAT, page=_page, target=f"/admin?done={done}", created=created,
    )  # fmt: skip


@router.get("")
def admin_page(request: Request, uow: UowDep, user: SignedInUserDep) -> Response:
    if user is None:
        return redirect("/sign-in")
    who, principal = signed_in(user, WHAT)
    done = request.query_params.get("done")
    return _page(request, uow, who, principal, done=done if done in DONE else None)


@router.post("/members")
def add_member(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    email: FormStr,
    display_name: FormStr,
    role: FormStr,
    password: OptionalFormStr = None,
    csrf_token: OptionalFormStr = None,
) -> Response:
    def change(principal: Principal) -> Any:
        data = MemberCreate(
            email=email, display_name=display_name, role=role, password=password or None
        )
        return service.add_member(
            uow, principal=principal, organisation_id=principal.organisation_id, data=data
        )

    return _act(request, uow, user, csrf_token, change, done="member_added")


@router.post("/members/{membership_id}/remove")
def remove_member(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    membership_id: uuid.UUID,
    csrf_token: OptionalFormStr = None,
) -> Response:
    return _act(
        request,
        uow,
        user,
        csrf_token,
        lambda principal: service.remove_member(
            uow, principal=principal, membership_id=membership_id
        ),
        done="member_removed",
    )


@router.post("/api-clients")
def create_api_client(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    name: FormStr,
    role: FormStr,
    scopes: FormStr,
    csrf_token: OptionalFormStr = None,
) -> Response:
    def change(principal: Principal) -> Any:
        data = ApiClientCreate(name=name, role=role, scopes=scopes.split())
        return clients.create_api_client(
            uow, principal=principal, organisation_id=principal.organisation_id, data=data
        )

    return _act(request, uow, user, csrf_token, change, done="client_created")


@router.post("/api-clients/{api_client_id}/revoke")
def revoke_api_client(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    api_client_id: uuid.UUID,
    csrf_token: OptionalFormStr = None,
) -> Response:
    return _act(
        request,
        uow,
        user,
        csrf_token,
        lambda principal: clients.revoke_api_client(
            uow, principal=principal, api_client_id=api_client_id
        ),
        done="client_revoked",
    )


def _end_of_day(value: str) -> datetime:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(f"expires: {value!r} is not a date (YYYY-MM-DD).") from None
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


@router.post("/grants")
def create_grant(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    grantee: FormStr,
    object_kind: FormStr,
    purpose: FormStr,
    expires: FormStr,
    actions: Annotated[list[str] | None, Form()] = None,
    object_id: OptionalFormStr = None,
    csrf_token: OptionalFormStr = None,
) -> Response:
    def change(principal: Principal) -> Any:
        data = GrantCreate(
            grantee=grantee,
            object_kind=object_kind,
            object_id=object_id or None,
            actions=actions or [],
            purpose=purpose,
            expires_at=_end_of_day(expires),
        )
        return grants.create_grant(uow, principal=principal, data=data)

    return _act(request, uow, user, csrf_token, change, done="grant_created")


@router.post("/grants/{grant_id}/revoke")
def revoke_grant(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    grant_id: uuid.UUID,
    csrf_token: OptionalFormStr = None,
) -> Response:
    return _act(
        request,
        uow,
        user,
        csrf_token,
        lambda principal: grants.revoke_grant(uow, principal=principal, grant_id=grant_id),
        done="grant_revoked",
    )
