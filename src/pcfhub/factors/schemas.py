"""Wire types of the factor API: a version as served, and a reviewer's decision."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model

from pcfhub.factors.model import FactorData, FactorStatus

# What a proprietary factor withholds from organisations without a licence.
WITHHELD_FIELDS = frozenset({"value", "gases", "uncertainty"})

FactorMetadata = create_model(
    "FactorMetadata",
    __config__=ConfigDict(extra="forbid", frozen=True),
    __doc__="A factor version without its values: what everyone sees of a proprietary factor.",
    **{
        name: (field.annotation, field)
        for name, field in FactorData.model_fields.items()
        if name not in WITHHELD_FIELDS
    },
)


class FactorVersionPublic(BaseModel):
    id: uuid.UUID
    lineage_id: uuid.UUID = Field(description="the licence grants' object_id")
    lineage_key: str
    version: int
    status: FactorStatus
    contributor_id: uuid.UUID | None = Field(description="None: reference data of the platform")
    values_withheld: bool = Field(
        description="true: a proprietary factor without a licence; ``data`` lacks value, gases "
        "and uncertainty"
    )
    data: FactorData | FactorMetadata
    content_hash: str | None = Field(description="None while the values are withheld")
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


class UsageRecord(BaseModel):
    """The factor versions one published result used."""

    model_config = ConfigDict(extra="forbid")

    result_kind: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
    result_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    version_ids: list[uuid.UUID] = Field(min_length=1, max_length=10_000)


class UsageLine(BaseModel):
    """How often one factor version was used in the period, and by how many organisations."""

    version_id: uuid.UUID
    lineage_key: str
    version: int
    name_zh: str
    name_en: str
    uses: int = Field(description="published results that used the version")
    organisations: int = Field(description="distinct organisations among those results")
    own_uses: int = Field(description="uses by the contributor itself")


class UsageStatement(BaseModel):
    """A contributor's usage statement for a period (both days included): the basis for
    paying or crediting contributors."""

    contributor_id: uuid.UUID
    start: date
    end: date
    lines: list[UsageLine]
    uses: int
    organisations: int = Field(description="distinct organisations that used any version")
    generated_at: datetime


class FactorReviewPublic(BaseModel):
    """A reviewer's decision as the contributor and the reviewers see it."""

    id: uuid.UUID
    version_id: uuid.UUID
    decision: str
    checklist: dict[str, bool]
    reasons: str
    created_at: datetime


class EvidencePublic(BaseModel):
    """A file given as evidence for a factor version (its bytes are served apart)."""

    id: uuid.UUID
    version_id: uuid.UUID
    filename: str
    media_type: str
    size: int
    sha256: str
    created_at: datetime
