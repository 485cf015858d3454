"""Unit names as LCI databases write them, in terms the project's pint registry knows."""

from __future__ import annotations

import re

from pcfhub.units import UnitError, conversion_factor

# openLCA / EcoSpold spellings → pint expressions (pcfhub.units defines piece and t·km).
ALIASES = {
    "Item(s)": "piece", "item(s)": "piece", "Items": "piece", "p": "piece", "unit": "piece",
    "p*km": "pkm", "person*km": "pkm", "personkm": "pkm", "tkm": "t*km",
    "m2*a": "m**2*year", "m2a": "m**2*year", "m3*a": "m**3*year", "m*a": "m*year",
    "l": "liter", "Nm3": "m**3", "sh tn": "short_ton", "cu ft": "cubic_foot",
    "btu": "Btu", "gal": "gallon", "kBq": "kilobecquerel", "Bq": "becquerel",
    "MJ-Eq": "MJ", "kWh-Eq": "kWh",
}  # fmt: skip
SPELLED_OUT = (("metric ton", "t"), ("short ton", "short_ton"), ("long ton", "long_ton"))
_POWER = re.compile(r"(?<=[A-Za-z])([23])(?![\d.])")  # m2 → m**2, km3 → km**3


def pint_unit(name: str) -> str:
    """``name`` as a unit expression of the project's registry (m3 → m**3, Item(s) → piece)."""
    stripped = name.strip()
    if stripped in ALIASES:
        return ALIASES[stripped]
    for spelled, short in SPELLED_OUT:
        stripped = stripped.replace(spelled, short)
    return _POWER.sub(r"**\1", stripped)


def lci_conversion(from_unit: str, to_unit: str) -> float:
    """The factor from one LCI unit name to another; a `UnitError` names both."""
    if from_unit.strip() == to_unit.strip():
        return 1.0
    try:
        return conversion_factor(pint_unit(from_unit), pint_unit(to_unit))
    except UnitError as error:
        raise UnitError(f"{from_unit!r} → {to_unit!r}: {error}") from None
