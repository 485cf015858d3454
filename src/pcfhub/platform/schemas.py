"""Wire types of the platform API: ``XCreate`` in, ``XPublic`` out, ``Page`` for lists."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
)

from pcfhub.platform.model import Action, OrganisationKind, Role

T = TypeVar("T")
MAX_INT64 = 2**63 - 1  # the largest offset or index a database integer column holds

Slug = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$", strip_whitespace=True)
]
LATEST_EXPIRY = datetime(2100, 1, 1, tzinfo=UTC)


def _no_control_characters(value: str) -> str:
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise ValueError("must not contain control characters such as NUL")
    return value


def _before_2100(value: datetime) -> datetime:
    if value.tzinfo is not None and value >= LATEST_EXPIRY:
        raise ValueError("must be before 2100-01-01")
    return value


Text = AfterValidator(_no_control_characters)
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True), Text]
Scope = Annotated[str, StringConstraints(pattern=r"^[a-z_*]{1,32}:(read|write|admin|\*)$")]


class Page(BaseModel, Generic[T]):
    """A page of a list: the items and how many there are in all."""

    data: list[T]
    count: int


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Slug
    name: Name
    kind: OrganisationKind


class OrganisationPublic(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    kind: OrganisationKind
    created_at: datetime


class MemberCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    display_name: Name
    password: Annotated[str, Field(min_length=10, max_length=200)] | None = Field(
        None, description="Needed when the user is new; ignored for an existing user."
    )
    role: Role = Role.VIEWER


class MemberPublic(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    organisation_id: uuid.UUID
    email: str
    display_name: str
    role: Role


class ApiClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    role: Role = Role.VIEWER
    scopes: list[Scope] = Field(default_factory=lambda: ["*:read"], max_length=50)


class ApiClientPublic(BaseModel):
    id: uuid.UUID
    client_id: str
    organisation_id: uuid.UUID
    name: str
    role: Role
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None


class ApiClientCreated(ApiClientPublic):
    client_secret: str = Field(description="Shown once; only its hash is stored.")


class GrantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grantee: Slug = Field(description="Slug of the organisation that receives the grant.")
    object_kind: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,64}$")]
    object_id: Annotated[str, StringConstraints(min_length=1, max_length=64), Text] | None = None
    actions: list[Action] = Field(default_factory=lambda: [Action.READ], min_length=1)
    purpose: Annotated[str, StringConstraints(min_length=1, max_length=500), Text]
    expires_at: Annotated[datetime, AfterValidator(_before_2100)]


class GrantPublic(BaseModel):
    id: uuid.UUID
    grantor_id: uuid.UUID
    grantor_name: str
    grantee_id: uuid.UUID
    grantee_name: str
    object_kind: str
    object_id: str | None
    actions: list[Action]
    purpose: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
