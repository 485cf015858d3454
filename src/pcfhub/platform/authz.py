"""Authorisation: who may do what to which organisation's data. Deny by default.

Every service call asks `authorize` before it reads or changes an object. A principal acts for
one organisation: inside it, its role (and, for API clients, the token's scopes) decides;
across organisations, only an explicit, unexpired, unrevoked grant from the owner does. An
object another organisation may not read is reported as not found, so its existence leaks
neither.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pcfhub.errors import AuthenticationError, NotFoundError, PermissionDeniedError
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import (
    ROLE_ACTIONS,
    Action,
    Grant,
    OrganisationKind,
    Principal,
    Role,
)
from pcfhub.platform.store import GrantRow


def scope_allows(scopes: frozenset[str] | None, object_kind: str, action: Action) -> bool:
    """Users (no scopes) are limited by role only; tokens need ``kind:action`` or a wildcard."""
    if scopes is None:
        return True
    wanted = {f"{object_kind}:{action}", f"*:{action}", f"{object_kind}:*", "*:*"}
    return not scopes.isdisjoint(wanted)


ROLE_RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}


def _covers(held: str, wanted: str) -> bool:
    held_kind, _, held_action = held.partition(":")
    wanted_kind, _, wanted_action = wanted.partition(":")
    return held_kind in ("*", wanted_kind) and held_action in ("*", wanted_action)


def require_no_escalation(
    principal: Principal | None, *, role: Role, scopes: Iterable[str] | None = None
) -> None:
    """Nobody hands out more than they hold: a role above their own, or scopes they lack."""
    if principal is None:  # the platform itself (CLI)
        return
    if ROLE_RANK[role] > ROLE_RANK[principal.role]:
        raise PermissionDeniedError(
            f"role: you cannot give the role {role}, which is above your own ({principal.role})."
        )
    if principal.scopes is not None and scopes is not None:
        missing = sorted(
            scope for scope in scopes if not any(_covers(h, scope) for h in principal.scopes)
        )
        if missing:
            raise PermissionDeniedError(
                "scopes: your token cannot give scopes it does not hold: " + ", ".join(missing)
            )


def require_principal(principal: Principal | None) -> Principal:
    if principal is None:
        raise AuthenticationError("Sign in, or send an access token, to do this.")
    return principal


def authorize(
    session: Session,
    principal: Principal | None,
    action: Action,
    *,
    owner_id: uuid.UUID,
    object_kind: str,
    object_id: str | None = None,
    now: datetime | None = None,
) -> None:
    """Return if ``principal`` may do ``action``; raise NotFoundError or PermissionDeniedError."""
    principal = require_principal(principal)
    what = f"{object_kind} {object_id}" if object_id else object_kind
    if not scope_allows(principal.scopes, object_kind, action):
        raise PermissionDeniedError(
            f"The access token lacks the scope {object_kind}:{action} needed for {what}."
        )
    if principal.organisation_id == owner_id:
        if action in ROLE_ACTIONS[principal.role]:
            return
        raise PermissionDeniedError(
            f"Your role {principal.role} in this organisation does not allow {action} on {what}."
        )
    granted = granted_actions(
        session,
        grantee_id=principal.organisation_id,
        owner_id=owner_id,
        object_kind=object_kind,
        object_id=object_id,
        now=now or utcnow(),
    )
    if action in granted and action in ROLE_ACTIONS[principal.role]:
        return  # the grant opens the door; the member's own role still limits what they do
    if Action.READ in granted:
        if action in granted:
            raise PermissionDeniedError(
                f"Your role {principal.role} does not allow {action} on {what}."
            )
        raise PermissionDeniedError(f"Your organisation's grant does not allow {action} on {what}.")
    raise NotFoundError(f"No {what} here.")


def is_platform_admin(principal: Principal | None) -> bool:
    return (
        principal is not None
        and principal.organisation_kind == OrganisationKind.PLATFORM_OPERATOR
        and principal.role == Role.ADMIN
        and scope_allows(principal.scopes, "organisation", Action.ADMIN)
    )


def authorize_platform(principal: Principal | None, action: str) -> None:
    """Platform-wide operations (creating organisations) belong to the operator's admins."""
    principal = require_principal(principal)
    if principal.organisation_kind != OrganisationKind.PLATFORM_OPERATOR or (
        principal.role != Role.ADMIN
    ):
        raise PermissionDeniedError(f"Only the platform operator's admins may {action}.")
    if principal.scopes is not None and not scope_allows(
        principal.scopes, "organisation", Action.ADMIN
    ):
        raise PermissionDeniedError(f"The access token lacks the scope to {action}.")


def active_grants(
    session: Session,
    *,
    grantee_id: uuid.UUID,
    owner_id: uuid.UUID | None = None,
    object_kind: str | None = None,
    now: datetime,
) -> list[Grant]:
    """Grants ``grantee_id`` holds now, optionally from one owner and for one kind."""
    stmt = select(GrantRow).where(
        GrantRow.grantee_id == grantee_id,
        GrantRow.revoked_at.is_(None),
        GrantRow.expires_at > now,
    )
    if owner_id is not None:
        stmt = stmt.where(GrantRow.grantor_id == owner_id)
    if object_kind is not None:
        stmt = stmt.where(GrantRow.object_kind == object_kind)
    return [to_grant(row) for row in session.scalars(stmt)]


def granted_actions(
    session: Session,
    *,
    grantee_id: uuid.UUID,
    owner_id: uuid.UUID,
    object_kind: str,
    object_id: str | None,
    now: datetime,
) -> frozenset[Action]:
    found: set[Action] = set()
    for grant in active_grants(
        session, grantee_id=grantee_id, owner_id=owner_id, object_kind=object_kind, now=now
    ):
        for action in Action:
            if grant.covers(
                grantee_id=grantee_id,
                owner_id=owner_id,
                object_kind=object_kind,
                object_id=object_id,
                action=action,
                now=now,
            ):
                found.add(action)
    return frozenset(found)


def to_grant(row: GrantRow) -> Grant:
    return Grant(
        id=row.id,
        grantor_id=row.grantor_id,
        grantee_id=row.grantee_id,
        object_kind=row.object_kind,
        object_id=row.object_id,
        actions=frozenset(Action(a) for a in row.actions),
        purpose=row.purpose,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )
