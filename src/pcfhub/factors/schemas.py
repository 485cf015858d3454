"""Wire types of the factor API: a version as served, and a reviewer's decision."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from pcfhub.factors.model import FactorData, FactorStatus


class FactorVersionPublic(BaseModel):
    id: uuid.UUID
    lineage_key: str
    version: int
    status: FactorStatus
    contributor_id: uuid.UUID | None = Field(description="None: reference data of the platform")
    data: FactorData
    content_hash: str
    created_at: datetime
    submitted_at: datetime | None
    published_at: datetime | None
    ended_at: datetime | None


class ReviewDecision(BaseModel):
    """Publish (every checklist item confirmed) or reject (with reasons)."""

    model_config = ConfigDict(extra="forbid")

    publish: bool
    checklist: dict[str, bool] = Field(default_factory=dict)
    reasons: Annotated[str, StringConstraints(max_length=5000)] = ""
