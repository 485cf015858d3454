"""The GWP100 sets shipped with pcfhub (src/pcfhub/data/gwp.toml), keyed by a factor's gases.

Keys are the values of `pcfhub.factors.model.Gas` (``"co2_fossil"``…); this module imports no
model so that the model can use it. Biogenic CO2 is reported apart from fossil CO2 (GB/T 24067,
ISO 14067) but counts in the CO2e total: an emission at +GWP(CO2) = 1, a removal (a positive
amount taken up) at −1.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType

from pcfhub.errors import DataFileError

#: gwp.toml key of each gas of `Gas`.
GAS_KEYS: Mapping[str, str] = MappingProxyType({
    "co2_fossil": "CO2",
    "co2_biogenic_emission": "CO2",
    "co2_biogenic_removal": "CO2",
    "ch4_fossil": "CH4_fossil",
    "ch4_non_fossil": "CH4_non_fossil",
    "n2o": "N2O",
    "sf6": "SF6",
    "nf3": "NF3",
    "hfc_134a": "HFC_134a",
    "cf4": "CF4",
    "hfc_23": "HFC_23",
    "hfc_32": "HFC_32",
    "hfc_41": "HFC_41",
    "hfc_125": "HFC_125",
    "hfc_134": "HFC_134",
    "hfc_143": "HFC_143",
    "hfc_143a": "HFC_143a",
    "hfc_152a": "HFC_152a",
    "hfc_227ea": "HFC_227ea",
    "hfc_236fa": "HFC_236fa",
    "hfc_245fa": "HFC_245fa",
    "hfc_365mfc": "HFC_365mfc",
    "hfc_43_10mee": "HFC_43_10mee",
    "c2f6": "C2F6",
    "c3f8": "C3F8",
    "c_c4f8": "c_C4F8",
    "c4f10": "C4F10",
    "c5f12": "C5F12",
    "c6f14": "C6F14",
})  # fmt: skip
#: Gases taken up rather than emitted: they lower the CO2e total.
REMOVALS = frozenset({"co2_biogenic_removal"})


@cache
def _sets() -> Mapping[str, Mapping[str, float]]:
    """Every set of gwp.toml as gas → GWP100, read once; a gas missing from a set is an error."""
    path = resources.files("pcfhub") / "data" / "gwp.toml"
    sets = tomllib.loads(path.read_text(encoding="utf-8"))["sets"]
    loaded = {}
    for name, chosen in sets.items():
        values = chosen["gwp100"]
        missing = sorted({key for key in GAS_KEYS.values() if key not in values})
        if missing:
            raise DataFileError(f"gwp.toml, set {name}: no GWP100 for {', '.join(missing)}.")
        loaded[name] = MappingProxyType({gas: float(values[key]) for gas, key in GAS_KEYS.items()})
    return MappingProxyType(loaded)


def set_names() -> frozenset[str]:
    """The GWP sets shipped (AR5, AR6)."""
    return frozenset(_sets())


def gwp100(set_name: str) -> Mapping[str, float]:
    """kg CO2e per kg of each gas in one set (biogenic CO2 emission and removal both at 1)."""
    try:
        return _sets()[set_name]
    except KeyError:
        raise DataFileError(
            f"gwp.toml: no GWP set {set_name!r}; available: {', '.join(sorted(_sets()))}."
        ) from None


def co2e(gases: Mapping[str, float], set_name: str) -> float:
    """Σ amount × GWP100 in kg CO2e; a removal counts negative."""
    gwp = gwp100(set_name)
    return sum((-amount if gas in REMOVALS else amount) * gwp[gas] for gas, amount in gases.items())


def terms(gases: Mapping[str, float], set_name: str) -> str:
    """The sum `co2e` computes, written out: ``co2_fossil 1.5×1 + ch4_fossil 0.01×29.8``."""
    gwp = gwp100(set_name)
    parts = [
        f"{'−' if gas in REMOVALS else '+'} {gas} {amount:g}×{gwp[gas]:g}"
        for gas, amount in gases.items()
    ]
    return " ".join(parts).removeprefix("+ ")


def citation(set_name: str) -> str:
    """One line naming a set's publisher, document, table and year."""
    path = resources.files("pcfhub") / "data" / "gwp.toml"
    sets = tomllib.loads(path.read_text(encoding="utf-8"))["sets"]
    if set_name not in sets:
        raise DataFileError(f"gwp.toml: no GWP set {set_name!r}.")
    chosen = sets[set_name]
    return f"{chosen['publisher']}, {chosen['document']}, {chosen['table']} ({chosen['year']})"
