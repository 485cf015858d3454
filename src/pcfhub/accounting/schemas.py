"""What the accounting API and pages show: models, model versions and results."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from pcfhub.accounting.calculate import AccountingResult
from pcfhub.accounting.model import ProductModel


class ModelPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name_en: str
    name_zh: str
    category: str | None
    latest_version: int
    updated_at: datetime


class ModelVersionPublic(BaseModel):
    id: uuid.UUID
    model_id: uuid.UUID
    code: str
    version: int
    content_hash: str
    note: str
    created_at: datetime
    model: ProductModel


class ModelSave(BaseModel):
    """A new version of a model (its code says which)."""

    model_config = ConfigDict(extra="forbid")

    model: ProductModel
    note: str = Field(default="", max_length=500)


class CalculationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1)
    iterations: int = Field(default=1000, ge=0, le=100_000)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class ResultSummary(BaseModel):
    id: uuid.UUID
    model_id: uuid.UUID
    code: str
    name_en: str
    name_zh: str
    model_version: int
    replaces_id: uuid.UUID | None
    reason: str
    headline: str
    total: float
    location_total: float
    market_total: float
    declared_unit: str
    complies: bool
    rule_code: str | None
    rule_version: int | None
    content_hash: str
    created_at: datetime


class ResultPublic(ResultSummary):
    organisation_id: uuid.UUID  # the result's owner (its model's organisation)
    result: AccountingResult
