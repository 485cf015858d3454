"""Using a factor: an activity amount in any unit of the factor's dimension times the factor.

An amount in another unit of the same dimension (MWh for a per-kWh factor, t for per-kg) is
converted first; another dimension (kg against per-kWh) is a `UnitError` naming both units.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, Field

from pcfhub.errors import InvalidInputError
from pcfhub.factors.model import FactorData, Gas
from pcfhub.units import conversion_factor


class Activity(BaseModel):
    """An activity amount, e.g. 12.5 MWh of grid electricity."""

    amount: float = Field(allow_inf_nan=False)
    unit: str = Field(min_length=1, max_length=100)


class AppliedFactor(BaseModel):
    """The emissions of an activity under one factor."""

    amount: float = Field(description="the activity in the factor's reference unit")
    unit: str = Field(description="the factor's reference unit")
    conversion: float = Field(description="activity unit → reference unit multiplier")
    co2e_kg: float
    gwp_set: str
    gases_kg: dict[Gas, float] = Field(description="kg of each gas the factor states")


def apply_factor(factor: FactorData, activity: Activity) -> AppliedFactor:
    """kg CO2e (and kg of each stated gas) of ``activity`` under ``factor``."""
    conversion = conversion_factor(activity.unit, factor.unit)
    amount = activity.amount * conversion
    applied = AppliedFactor(
        amount=amount,
        unit=factor.unit,
        conversion=conversion,
        co2e_kg=amount * factor.value,
        gwp_set=factor.gwp_set,
        gases_kg={gas: amount * value for gas, value in factor.gases.items()},
    )
    numbers = (applied.amount, applied.co2e_kg, *applied.gases_kg.values())
    if not all(math.isfinite(number) for number in numbers):
        raise InvalidInputError(
            f"amount: {activity.amount:g} {activity.unit} is too large to compute with."
        )
    return applied
