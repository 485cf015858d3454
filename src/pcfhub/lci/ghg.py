"""Which elementary flows are greenhouse gases: the shipped mapping (data/lci/ghg_flows.csv).

A flow maps to a gas by its name, as LCI databases write it ("Carbon dioxide, fossil",
"Methane, biogenic"), else by its CAS number (124-38-9 alone is fossil CO2). Only emissions to
air count, and CO2 taken from air (a resource "in air") counts as a biogenic removal. A flow
whose compartment is unknown (none given, or a category that names none, like "Elementary
Flows") counts by its direction: an output is an emission to air, an input a resource. The
mapping is data anyone can review; see data/lci/README.md.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

from pcfhub.errors import DataFileError
from pcfhub.factors import gwp
from pcfhub.lci.model import Flow, FlowKind

REMOVAL = "co2_biogenic_removal"
FOSSIL_GASES = frozenset({"co2_fossil", "ch4_fossil"})  # what a bare CAS number counts as
LAND_USE_WORDS = (
    "land transformation", "land use change", "land-use change", "luluc",
    "from soil or biomass stock",  # ecoinvent's land-use-change CO2 and CH4
)  # fmt: skip
_BRACKETED = re.compile(r"\s*\[[^\]]*\]\s*$")  # "Methane [Organic emissions to air]"
# Compartments of emissions to air and of resources, as category path segments say them.
_AIR = re.compile(r"(^|/)\s*(air|emission to air|emissions to air)\b", re.IGNORECASE)
_RESOURCE = re.compile(r"(^|/)\s*(natural )?resources?\b", re.IGNORECASE)
_FROM_AIR = re.compile(r"\bin air\b|\bbiotic\b|\brenewable\b|(^|/)\s*air\b", re.IGNORECASE)
# A category that names no compartment at all ("Elementary Flows") says nothing.
_COMPARTMENT = re.compile(
    r"\b(air|water|soil|ground|resources?|ocean|sea|river|lake|groundwater)\b", re.IGNORECASE
)


def normalise_name(name: str) -> str:
    return _BRACKETED.sub("", name).strip().strip(",").strip().lower()


@dataclass(frozen=True)
class GhgMapping:
    by_name: Mapping[str, str]  # normalised flow name → gas
    by_cas: Mapping[str, str]  # CAS number → the gas the bare substance counts as


@cache
def shipped_mapping() -> GhgMapping:
    """data/lci/ghg_flows.csv, checked: every gas has a GWP in every shipped set."""
    path = resources.files("pcfhub") / "data" / "lci" / "ghg_flows.csv"
    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    known = set(gwp.GAS_KEYS)
    by_name: dict[str, str] = {}
    by_cas: dict[str, str] = {}
    for number, row in enumerate(rows, start=2):
        gas = (row.get("gas") or "").strip()
        if gas not in known:
            raise DataFileError(f"ghg_flows.csv, row {number}, column gas: {gas!r} has no GWP.")
        name = normalise_name(row.get("name") or "")
        cas = (row.get("cas") or "").strip()
        if name:
            by_name[name] = gas
        # A bare CAS number means the substance, fossil unless its name says otherwise.
        if cas and (cas not in by_cas or gas in FOSSIL_GASES):
            by_cas[cas] = gas
    return GhgMapping(MappingProxyType(by_name), MappingProxyType(by_cas))


@dataclass(frozen=True)
class GasMatch:
    gas: str
    origin: str  # "fossil", "biogenic" or "land_use_change" (GB/T 24067 reports them apart)
    sign: float  # +1: the amount emitted counts; −1: an input taken up (a removal)


def classify(flow: Flow, *, taken_from_nature: bool, mapping: GhgMapping) -> GasMatch | None:
    """The gas an elementary flow is, if it is one (see the module's rules)."""
    if flow.kind is not FlowKind.ELEMENTARY:
        return None
    name = normalise_name(flow.name)
    gas = mapping.by_name.get(name) or (mapping.by_cas.get(flow.cas) if flow.cas else None)
    if gas is None:
        return None
    category = flow.category if _COMPARTMENT.search(flow.category) else ""
    to_air = bool(_AIR.search(category)) if category else not taken_from_nature
    resource = bool(_RESOURCE.search(category)) if category else taken_from_nature
    if resource:
        from_air = _FROM_AIR.search(category) or "in air" in name or not category
        if gas.startswith("co2") and from_air:
            return GasMatch(REMOVAL, "biogenic", -1.0)
        return None
    if not to_air or gas == REMOVAL:
        return None
    if any(word in name for word in LAND_USE_WORDS):
        origin = "land_use_change"
    elif gas in ("co2_biogenic_emission", "ch4_non_fossil"):
        origin = "biogenic"
    else:
        origin = "fossil"
    return GasMatch(gas, origin, 1.0)
