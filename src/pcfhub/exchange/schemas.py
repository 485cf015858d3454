"""API shapes of the PACT exchange (publishing, sharing, connections, requests, received)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StringConstraints

from pcfhub.exchange.pact_context import DataQuality, Urn

Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class PublishRequest(BaseModel):
    """What a footprint states besides the result (see `FootprintContext`)."""

    model_config = ConfigDict(extra="forbid")

    result_id: uuid.UUID
    company_ids: list[Urn] = Field(min_length=1, max_length=20)
    product_ids: list[Urn] = Field(min_length=1, max_length=50)
    cpc_code: str | None = Field(default=None, pattern=r"^\d{1,5}$")
    product_mass_kg: float | None = Field(default=None, gt=0)
    fossil_carbon_content_kg: float | None = Field(default=None, ge=0)
    biogenic_carbon_content_kg: float | None = Field(default=None, ge=0)
    exempted_emissions_percent: float | None = Field(default=None, ge=0, le=100)
    exempted_emissions_description: str | None = Field(default=None, max_length=2000)
    geography: str | None = Field(default=None, max_length=64)
    data_quality: DataQuality | None = None
    count_unsplit_as_fossil: bool = False
    comment: str | None = Field(default=None, max_length=2000)


class FootprintPublic(BaseModel):
    id: uuid.UUID
    organisation_id: uuid.UUID
    result_id: uuid.UUID
    model_code: str
    status: Literal["Active", "Deprecated"]
    content_hash: str
    created_at: datetime
    deprecated_at: datetime | None
    v2_available: bool
    v2_refusal: str | None
    shared_with: list[uuid.UUID]
    document: dict[str, Any] = Field(description="The v3 ProductFootprint, current status.")


class ShareCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recipient: uuid.UUID = Field(description="The organisation (tenant or external partner).")


class ConnectionCreate(BaseModel):
    """A partner host system: credentials we hand out, and optionally those it gave us."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    base_url: AnyHttpUrl | None = Field(default=None, description="The partner's PACT base URL.")
    auth_base_url: AnyHttpUrl | None = None
    spec_version: Literal[2, 3] = 3
    remote_client_id: str | None = Field(default=None, max_length=200)
    remote_client_secret: str | None = Field(default=None, max_length=500)


class ConnectionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    base_url: AnyHttpUrl | None = None
    auth_base_url: AnyHttpUrl | None = None
    spec_version: Literal[2, 3] | None = None
    remote_client_id: str | None = Field(default=None, max_length=200)
    remote_client_secret: str | None = Field(default=None, max_length=500)


class ConnectionPublic(BaseModel):
    id: uuid.UUID
    organisation_id: uuid.UUID
    partner_id: uuid.UUID
    name: str
    base_url: str | None
    auth_base_url: str | None
    spec_version: int
    remote_client_id: str | None
    has_remote_secret: bool
    inbound_client_id: str | None
    created_at: datetime


class ConnectionCreated(ConnectionPublic):
    inbound_client_secret: str = Field(description="Shown once: give it to the partner.")


class RequestCreate(BaseModel):
    """Ask a partner for footprints (sends a RequestCreated event)."""

    model_config = ConfigDict(extra="forbid")

    connection_id: uuid.UUID
    product_ids: list[Urn] = Field(default_factory=list, max_length=50)
    company_ids: list[Urn] = Field(default_factory=list, max_length=20)
    geographies: list[str] = Field(default_factory=list, max_length=20)
    comment: str = Field(default="", max_length=2000)


class RequestAnswer(BaseModel):
    """Fulfil an inbound request with footprints, or reject it."""

    model_config = ConfigDict(extra="forbid")

    footprint_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    reject_code: Literal["NotFound", "BadRequest", "AccessDenied", "NotImplemented"] | None = None
    reject_message: str = Field(default="", max_length=2000)


class RequestPublic(BaseModel):
    id: uuid.UUID
    organisation_id: uuid.UUID
    connection_id: uuid.UUID
    partner_name: str
    direction: Literal["inbound", "outbound"]
    event_id: str
    spec_version: int
    criteria: dict[str, Any]
    comment: str
    status: str
    answer: dict[str, Any] | None
    created_at: datetime
    answered_at: datetime | None


class ReceivedPublic(BaseModel):
    id: uuid.UUID
    connection_id: uuid.UUID
    partner_name: str
    footprint_id: str
    spec_version: int
    company_name: str
    product_name: str
    declared_unit: str
    pcf_excluding_biogenic: float | None
    status: str
    received_at: datetime
    document: dict[str, Any]


class ImportRequest(BaseModel):
    """Put a received footprint into a model as a supplier exchange (a new model version)."""

    model_config = ConfigDict(extra="forbid")

    model_code: str = Field(min_length=1, max_length=64)
    process: str = Field(min_length=1, max_length=64, description="The process's id.")
    amount: float = Field(gt=0, allow_inf_nan=False)
    unit: str | None = Field(default=None, max_length=32)
    replace: bool = Field(default=True, description="Replace an exchange of the same supplier.")
