"""What every export declaration shares: the stored result it was mapped from. No I/O.

A declaration (EU battery carbon footprint, CBAM embedded emissions) is a pure mapping of one
stored accounting result, the product model version it accounted, and the fields the declarant
adds. `Basis` names that result precisely enough to find it and check it was not changed.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from pcfhub.accounting.model import ProductModel
from pcfhub.accounting.results import Breakdown
from pcfhub.accounting.schemas import ResultPublic
from pcfhub.errors import InvalidInputError

NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]*$"  # one line of text: no tabs, breaks or controls
Text = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=300, strip_whitespace=True, pattern=NO_CONTROL_CHARACTERS
    ),
]
OptionalText = (
    Annotated[
        str,
        StringConstraints(max_length=300, strip_whitespace=True, pattern=NO_CONTROL_CHARACTERS),
    ]
    | None
)
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://[^\s<>\"]{3,500}$")]
ElectricityVariant = Literal["headline", "location", "market"]


class DeclarationError(InvalidInputError):
    """A declaration the stored result cannot support as asked; the message names the field."""

    title = "Declaration not possible"


class Basis(BaseModel):
    """The stored result a declaration was mapped from, and how it was computed."""

    model_config = ConfigDict(frozen=True)

    result_id: uuid.UUID
    result_content_hash: str
    model_code: str
    model_version: int
    product_name_en: str
    product_name_zh: str
    declared_unit: str
    reference_period: tuple[date, date]
    electricity_variant: Literal["location", "market"]
    gwp_set: str
    gwp_source: str
    rule_code: str | None
    rule_version: int | None
    software: str
    illustrative: bool


def variant_of(stored: ResultPublic, wanted: ElectricityVariant) -> Breakdown:
    """The breakdown of the variant asked for (the result's own headline by default)."""
    result = stored.result
    if wanted == "headline":
        return result.result
    return result.location_based if wanted == "location" else result.market_based


def basis_of(stored: ResultPublic, model: ProductModel, breakdown: Breakdown) -> Basis:
    result = stored.result
    return Basis(
        result_id=stored.id,
        result_content_hash=stored.content_hash,
        model_code=stored.code,
        model_version=stored.model_version,
        product_name_en=model.product.name_en,
        product_name_zh=model.product.name_zh,
        declared_unit=result.declared_unit,
        reference_period=model.product.reference_period,
        electricity_variant="market" if breakdown.variant == "market" else "location",
        gwp_set=result.provenance.gwp_set,
        gwp_source=result.provenance.gwp_source,
        rule_code=result.provenance.rule_code,
        rule_version=result.provenance.rule_version,
        software=result.provenance.software,
        illustrative=model.product.illustrative,
    )


class Issued(BaseModel):
    """A declaration document recorded in the ledger: its bytes' SHA-256 is the object id."""

    kind: Literal["battery", "cbam"]
    format: str
    sha256: str
    ledger_index: int
    result_id: uuid.UUID
