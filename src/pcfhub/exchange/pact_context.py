"""What a PACT footprint states besides the accounting result (see `pcfhub.exchange.pact`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Urn = Annotated[str, StringConstraints(pattern=r"^[uU][rR][nN]:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+$")]
KgPerUnit = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class DataQuality(BaseModel):
    """PACT data quality ratings (v2 §DataQualityIndicators: 1–3 and coverage; v3: 1–5)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    technological: float = Field(ge=1, le=5)
    temporal: float = Field(ge=1, le=5)
    geographical: float = Field(ge=1, le=5)
    completeness: float | None = Field(default=None, ge=1, le=3)  # v2 only
    reliability: float | None = Field(default=None, ge=1, le=3)  # v2 only
    coverage_percent: float | None = Field(default=None, ge=0, le=100)  # v2 only


class FootprintContext(BaseModel):
    """What a PACT footprint states besides the accounting result.

    Masses and carbon contents are per declared unit of the pcfhub model (as the result is).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: uuid.UUID
    company_name: str = Field(min_length=1)
    company_ids: tuple[Urn, ...] = Field(min_length=1)
    product_ids: tuple[Urn, ...] = Field(min_length=1)
    created: datetime
    updated: datetime | None = None  # v2 only; absent if never updated (v2 §ProductFootprint)
    status: Literal["Active", "Deprecated"] = "Active"
    version: int = Field(default=1, ge=0, le=2**31 - 1)  # v2 only
    preceding_ids: tuple[uuid.UUID, ...] = ()
    spec_version: str | None = Field(default=None, pattern=r"^\d+\.\d+\.\d+(-\d{8})?$")
    cpc_code: str | None = Field(default=None, pattern=r"^\d{1,5}$")
    product_mass_kg: float | None = Field(default=None, gt=0)  # excluding packaging
    fossil_carbon_content_kg: KgPerUnit | None = None  # kg C
    biogenic_carbon_content_kg: KgPerUnit | None = None  # kg C
    exempted_emissions_percent: float | None = Field(default=None, ge=0, le=100)
    exempted_emissions_description: str | None = None
    cross_sectoral_standards: tuple[str, ...] = Field(default=("ISO14067",), min_length=1)
    boundary_processes_description: str | None = None
    geography: str | None = None  # CN-CQ, CN, a UN region; else the reference process's
    packaging_emissions_included: bool | None = None  # else: whether any exchange is packaging
    data_quality: DataQuality | None = None
    count_unsplit_as_fossil: bool = False  # CO2e of no stated origin reported as fossil
    comment: str | None = None

    @field_validator("created", "updated")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.utcoffset() is None:
            raise ValueError("timestamps must carry a time zone (PACT DateTime is UTC)")
        return value
