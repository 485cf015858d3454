"""Platform domain types: organisation kinds, roles, principals and grants. No I/O."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class OrganisationKind(StrEnum):
    """The kinds of organisation that share the platform (DESIGN.md, "Who uses it")."""

    ENTERPRISE = "enterprise"
    VERIFIER = "verifier"
    CERTIFICATION_BODY = "certification_body"
    BANK = "bank"
    PUBLIC_BUYER = "public_buyer"
    REGULATOR = "regulator"
    PLATFORM_OPERATOR = "platform_operator"
    EXTERNAL = "external"  # another PACT host's company, known here by its connection only


class Role(StrEnum):
    """A member's role inside one organisation."""

    ADMIN = "admin"  # manages members, API clients and grants, and may write
    EDITOR = "editor"  # reads and writes the organisation's data
    VIEWER = "viewer"  # reads only


class Action(StrEnum):
    """What a principal wants to do with an object."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset({Action.READ, Action.WRITE, Action.ADMIN}),
    Role.EDITOR: frozenset({Action.READ, Action.WRITE}),
    Role.VIEWER: frozenset({Action.READ}),
}


@dataclass(frozen=True)
class Principal:
    """Who is acting: a user in one of their organisations, or an organisation's API client.

    ``scopes`` is None for users (their role decides) and the token's scopes for API clients.
    """

    organisation_id: uuid.UUID
    organisation_kind: OrganisationKind
    role: Role
    user_id: uuid.UUID | None = None
    client_id: str | None = None
    scopes: frozenset[str] | None = None

    @property
    def actor(self) -> dict[str, str]:
        """How the ledger names this principal."""
        if self.user_id is not None:
            return {"user": str(self.user_id)}
        return {"client": str(self.client_id)}


SYSTEM_ACTOR = {"system": "pcfhub"}


def actor_of(principal: Principal | None) -> dict[str, str]:
    """How the ledger names whoever acts; None is the platform itself (the CLI)."""
    return principal.actor if principal is not None else SYSTEM_ACTOR


@dataclass(frozen=True)
class Grant:
    """An organisation's explicit, expiring permission for another organisation.

    ``object_id`` None covers every object of ``object_kind`` that the grantor owns.
    """

    id: uuid.UUID
    grantor_id: uuid.UUID
    grantee_id: uuid.UUID
    object_kind: str
    object_id: str | None
    actions: frozenset[Action]
    purpose: str
    expires_at: datetime
    revoked_at: datetime | None = None

    def covers(
        self,
        *,
        grantee_id: uuid.UUID,
        owner_id: uuid.UUID,
        object_kind: str,
        object_id: str | None,
        action: Action,
        now: datetime,
    ) -> bool:
        return (
            self.revoked_at is None
            and now < self.expires_at
            and self.grantee_id == grantee_id
            and self.grantor_id == owner_id
            and self.object_kind == object_kind
            and (self.object_id is None or self.object_id == object_id)
            and action in self.actions
        )


@dataclass(frozen=True)
class Membership:
    organisation_id: uuid.UUID
    organisation_name: str
    organisation_kind: OrganisationKind
    role: Role


@dataclass(frozen=True)
class SignedInUser:
    """A user with a live web session, and the organisation they act for."""

    user_id: uuid.UUID
    email: str
    display_name: str
    memberships: tuple[Membership, ...]
    active: Membership | None
    session_id: str
    language: str
    csrf_token: str = field(repr=False)

    def principal(self) -> Principal | None:
        if self.active is None:
            return None
        return Principal(
            organisation_id=self.active.organisation_id,
            organisation_kind=self.active.organisation_kind,
            role=self.active.role,
            user_id=self.user_id,
        )
