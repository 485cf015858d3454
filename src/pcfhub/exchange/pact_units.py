"""PACT declared units and decimal strings (no I/O).

PACT v2 §DeclaredUnit allows liter, kilogram, cubic meter, kilowatt hour, megajoule, ton
kilometer and square meter; v3 (OpenAPI ``declaredUnitOfMeasurement``) adds piece, hour and
megabit second. A pcfhub declared unit (``{amount, unit}``) maps to the PACT unit of the same
dimension; the amount is converted with `pcfhub.units`.
"""

from __future__ import annotations

import math
from decimal import Decimal

from pcfhub.errors import InvalidInputError, UnitError
from pcfhub.units import conversion_factor, same_dimension

#: PACT unit → the pint unit pcfhub converts to, in the order tried.
PACT_UNITS: dict[str, str] = {
    "kilogram": "kilogram",
    "liter": "liter",
    "cubic meter": "meter**3",
    "square meter": "meter**2",
    "kilowatt hour": "kilowatt_hour",
    "megajoule": "megajoule",
    "ton kilometer": "tonne_kilometer",
    "piece": "piece",
    "hour": "hour",
    "megabit second": "megabit * second",
}
V2_UNITS = frozenset(list(PACT_UNITS)[:7])
#: Units whose product mass is not relevant: productMassPerDeclaredUnit is 0 (v2 and v3 spec).
MASSLESS = frozenset({"kilowatt hour", "megajoule", "ton kilometer", "hour", "megabit second"})


class PactMappingError(InvalidInputError):
    """A result that cannot be written as a PACT footprint as it stands."""

    title = "PACT mapping error"


def pact_unit(unit: str, *, allowed: frozenset[str] = frozenset(PACT_UNITS)) -> tuple[str, float]:
    """(PACT unit, factor turning an amount in ``unit`` into one in the PACT unit)."""
    for name, pint_unit in PACT_UNITS.items():
        if name not in allowed:
            continue
        try:
            if not same_dimension(unit, pint_unit):
                continue
        except UnitError as error:
            raise PactMappingError(f"declared unit {unit!r}: {error}") from error
        if name == "liter" and conversion_factor(unit, "meter**3") >= 1:
            continue  # a cubic metre or more is declared in cubic meters
        if name == "kilowatt hour" and "J" in unit:
            continue  # an energy in joules is declared in megajoules, in watt hours in kWh
        if name == "hour" and "bit" in unit:
            continue  # pint counts bits as dimensionless: a megabit second looks like a time
        return name, conversion_factor(unit, pint_unit)
    raise PactMappingError(
        f"declared unit {unit!r} has no PACT equivalent; PACT accepts {', '.join(sorted(allowed))}"
        ": declare the product per one of them (per kilogram for a mass)."
    )


def decimal(value: float, *, digits: int = 12) -> str:
    """A float as a PACT decimal string: fixed point, no exponent, ``digits`` significant."""
    if not math.isfinite(value):
        raise PactMappingError(f"{value!r} is not a finite number")
    text = format(Decimal(f"{value:.{digits}g}"), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
