"""The parts an inventory is built from: resolved factors, rows (flows) and columns of the
matrices, the leaves that bring emissions, and the builder that collects them."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from typing import Literal

from pcfhub.accounting.model import DataType, FactorRef, Origin
from pcfhub.calc.uncertainty import pedigree_sigma
from pcfhub.catalogue.model import AllocationMethod
from pcfhub.errors import InvalidInputError, PcfhubError
from pcfhub.factors import gwp
from pcfhub.factors.model import FactorData, Gas, Pedigree
from pcfhub.units import conversion_factor

Variant = Literal["location", "market"]
VARIANTS: tuple[Variant, ...] = ("location", "market")

#: Basic σ of ln for an exchange that has a pedigree but no stated spread.
BASIC_SIGMA = 0.05
#: The rating of a leaf nobody rated: the worst, so a rating is never better than its data.
UNRATED = 5.0

# The origin of each gas when an exchange does not state one. Gases without carbon count
# with fossil (PACT's "fossil" covers process and fugitive emissions of every gas).
GAS_ORIGIN: dict[Gas, Origin] = {
    Gas.CO2_BIOGENIC_EMISSION: Origin.BIOGENIC,
    Gas.CO2_BIOGENIC_REMOVAL: Origin.BIOGENIC,
    Gas.CH4_NON_FOSSIL: Origin.BIOGENIC,
}


@dataclass(frozen=True)
class ResolvedFactor:
    """A factor version the model uses, with the values the caller may see."""

    version_id: uuid.UUID
    key: str
    version: int
    content_hash: str
    data: FactorData


@dataclass(frozen=True)
class Flow:
    """A row of B: a gas (or CO2e given as such) with its origin."""

    key: str
    label: str
    origin: str | None
    gwp: float
    removal: bool = False


@dataclass(frozen=True)
class Leaf:
    """An exchange (or part of one) that brings emissions, and where it sits in A or B."""

    process: str  # the consuming process's id
    exchange: int  # index of the exchange in that process
    kind: str
    label: str
    stage: str
    data_type: DataType
    rating: float | None  # data quality rating 1..5, None when unrated
    primary_share: float  # the share of this leaf that is primary data
    matrix: Literal["technosphere", "biosphere"]
    entry: int  # index of the entry in that matrix's entry list


@dataclass
class Builder:
    gwp_set: str
    factors: dict[tuple[str, int | None], ResolvedFactor]
    variant: Variant
    allocation_order: tuple[AllocationMethod, ...]
    columns: list[str] = field(default_factory=list)
    column_labels: list[str] = field(default_factory=list)
    column_units: list[str] = field(default_factory=list)
    column_stages: list[str] = field(default_factory=list)
    flows: dict[str, Flow] = field(default_factory=dict)
    a: list[tuple[int, int, float, float]] = field(default_factory=list)  # row, col, value, σ
    b: list[tuple[int, int, float, float]] = field(default_factory=list)
    leaves: list[Leaf] = field(default_factory=list)
    allocations: dict[str, tuple[str, float]] = field(default_factory=dict)
    factor_columns: dict[uuid.UUID, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def column(self, key: str, label: str, unit: str, stage: str, output: float = 1.0) -> int:
        self.columns.append(key)
        self.column_labels.append(label)
        self.column_units.append(unit)
        self.column_stages.append(stage)
        index = len(self.columns) - 1
        self.a.append((index, index, output, 0.0))
        return index

    def flow(self, key: str, label: str, origin: str | None, factor: float, removal: bool) -> int:
        if key not in self.flows:
            self.flows[key] = Flow(key, label, origin, factor, removal)
        return list(self.flows).index(key)


def convert(from_unit: str, to_unit: str, where: str) -> float:
    try:
        return conversion_factor(from_unit, to_unit)
    except PcfhubError as error:
        raise InvalidInputError(f"{where}: {error}") from error


def sigma_of(pedigree: Pedigree | None, gsd: float | None, where: str) -> float:
    if gsd is not None:
        return math.log(gsd)
    if pedigree is None:
        return 0.0
    scores = [
        pedigree.reliability,
        pedigree.completeness,
        pedigree.temporal,
        pedigree.geographical,
        pedigree.technological,
    ]
    try:
        return float(pedigree_sigma(scores, BASIC_SIGMA)[0])
    except PcfhubError as error:
        raise InvalidInputError(f"{where}.pedigree: {error}") from error


def rating_of(pedigree: Pedigree | None) -> float | None:
    """A data quality rating 1 (best) to 5 from a pedigree: the mean of its five scores."""
    if pedigree is None:
        return None
    return (
        pedigree.reliability
        + pedigree.completeness
        + pedigree.temporal
        + pedigree.geographical
        + pedigree.technological
    ) / 5


def resolved(builder: Builder, ref: FactorRef, where: str) -> ResolvedFactor:
    found = builder.factors.get((ref.key, ref.version))
    if found is None:
        pinned = f" version {ref.version}" if ref.version else ""
        raise InvalidInputError(f"{where}.factor: no published factor {ref.key!r}{pinned}.")
    return found


def factor_column(builder: Builder, factor: ResolvedFactor) -> int:
    """The column of a factor version: one unit of its reference unit, its gases in B."""
    if factor.version_id in builder.factor_columns:
        return builder.factor_columns[factor.version_id]
    data = factor.data
    column = builder.column(
        f"factor:{factor.key}@{factor.version}",
        f"{data.name_en} [{factor.key} v{factor.version}]",
        data.unit,
        "",
    )
    sigma = 0.0
    if data.uncertainty is not None and data.uncertainty.gsd is not None:
        sigma = math.log(data.uncertainty.gsd)
    if data.gases:
        values = gwp.gwp100(builder.gwp_set)
        for gas, amount in data.gases.items():
            removal = gas == Gas.CO2_BIOGENIC_REMOVAL
            origin = GAS_ORIGIN.get(gas, Origin.FOSSIL).value
            row = builder.flow(
                gas.value,
                gas_label(gas),
                origin,
                -values[gas] if removal else values[gas],
                removal,
            )
            builder.b.append((row, column, amount, sigma))
    else:
        if data.gwp_set != builder.gwp_set:
            # A CO2e total made with another GWP set cannot be recharacterized: it is used as
            # it is, and the result says so.
            builder.notes.append(
                f"Factor {factor.key} v{factor.version} states only a CO2e total made with "
                f"{data.gwp_set}, not {builder.gwp_set}; it is used as published."
            )
        row = builder.flow("co2e", "CO2e (gases not stated)", None, 1.0, False)
        builder.b.append((row, column, data.value, sigma))
    builder.factor_columns[factor.version_id] = column
    return column


def gas_label(gas: Gas) -> str:
    return (
        gas.value.replace("_", " ")
        .upper()
        .replace("NON FOSSIL", "non-fossil")
        .replace("FOSSIL", "fossil")
        .replace("BIOGENIC", "biogenic")
        .replace("EMISSION", "emission")
        .replace("REMOVAL", "removal")
    )
