"""From a product model and its resolved factors to the matrices the calc core solves.

Columns of A: the model's processes (and those of the product models it takes as inputs,
prefixed ``<code>/``), then one column per factor version used and one per supplier
footprint. Rows of B: greenhouse gases by origin; c: their GWP100 in the model's set. Every
exchange that brings emissions (a direct emission, an activity, a transport, electricity, a
supplier PCF) is a *leaf*: its contribution is supply × amount × the leaf column's footprint,
and the leaves sum to the total. Inputs from other processes only scale their suppliers.

Electricity is built in one of two variants: ``location`` (all kWh at the grid factor) or
``market`` (each contractual instrument at its own factor, the rest at the residual factor,
else the grid factor). A process with co-products carries only its reference product's
share of its exchanges (allocation), by the method it names or the rule's order.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from pcfhub.accounting.model import (
    ActivityExchange,
    DataType,
    ElectricityExchange,
    EmissionExchange,
    FactorRef,
    ModelInput,
    Origin,
    Process,
    ProcessInput,
    ProductModel,
    SupplierExchange,
    TransportExchange,
)
from pcfhub.calc import ProductSystem
from pcfhub.calc.uncertainty import UncertaintyArrays, pedigree_sigma
from pcfhub.catalogue.model import ISO_ALLOCATION_ORDER, AllocationMethod
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
class _Builder:
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


@dataclass(frozen=True)
class Inventory:
    """A model as matrices, ready for the calc core, and what the results need to name."""

    system: ProductSystem
    technosphere_uncertainty: UncertaintyArrays
    biosphere_uncertainty: UncertaintyArrays
    reference: int  # column of the reference process
    demand: float  # amount of the reference process's output per declared unit
    columns: tuple[str, ...]
    column_units: tuple[str, ...]
    flows: tuple[Flow, ...]
    leaves: tuple[Leaf, ...]
    allocations: dict[str, tuple[str, float]]  # process → (method, reference product share)
    variant: Variant
    gwp_set: str
    factor_columns: dict[uuid.UUID, int]
    notes: tuple[str, ...]


def build_inventory(
    model: ProductModel,
    factors: dict[tuple[str, int | None], ResolvedFactor],
    *,
    submodels: dict[str, ProductModel] | None = None,
    variant: Variant = "location",
    allocation_order: tuple[AllocationMethod, ...] = ISO_ALLOCATION_ORDER,
) -> Inventory:
    """Build the matrices of ``model`` for one electricity variant.

    ``factors`` maps each (key, pinned version or None) the model names — and its sub-models
    name — to the version used; ``submodels`` holds every product model reached by a
    ``model`` exchange, by code.
    """
    builder = _Builder(model.product.gwp_set, factors, variant, allocation_order)
    submodels = submodels or {}
    try:
        reference = _add_model(builder, model, "", submodels, (model.code,))
        reference_process = model.process(model.product.reference_process)
        demand = model.product.declared_unit.amount * _convert(
            model.product.declared_unit.unit,
            reference_process.output.unit,
            "product.declared_unit",
        )
    except PcfhubError as error:
        raise InvalidInputError(str(error)) from error
    flows = tuple(builder.flows.values())
    rows, cols, values, sigma = (list(x) for x in zip(*builder.a, strict=True))
    b_rows, b_cols, b_values, b_sigma = (
        (list(x) for x in zip(*builder.b, strict=True)) if builder.b else ([], [], [], [])
    )
    system = ProductSystem.from_arrays(
        technosphere=(rows, cols, values),
        biosphere=(b_rows, b_cols, b_values),
        characterization=np.array([f.gwp for f in flows] or [1.0]),
        n_processes=len(builder.columns),
        n_flows=max(len(flows), 1),
        process_labels=builder.column_labels,
        flow_labels=[f.label for f in flows] or ["(no emissions)"],
        flow_origins=[f.origin for f in flows] or [None],
        process_groups=builder.column_stages,
    )
    return Inventory(
        system=system,
        technosphere_uncertainty=UncertaintyArrays.lognormal(values, sigma),
        biosphere_uncertainty=UncertaintyArrays.lognormal(b_values, b_sigma),
        reference=reference,
        demand=demand,
        columns=tuple(builder.columns),
        column_units=tuple(builder.column_units),
        flows=flows,
        leaves=tuple(builder.leaves),
        allocations=builder.allocations,
        variant=variant,
        gwp_set=builder.gwp_set,
        factor_columns=builder.factor_columns,
        notes=tuple(dict.fromkeys(builder.notes)),
    )


def _convert(from_unit: str, to_unit: str, where: str) -> float:
    try:
        return conversion_factor(from_unit, to_unit)
    except PcfhubError as error:
        raise InvalidInputError(f"{where}: {error}") from error


def _add_model(
    builder: _Builder,
    model: ProductModel,
    prefix: str,
    submodels: dict[str, ProductModel],
    path: tuple[str, ...],
) -> int:
    """Add the processes of a model (prefixed) and return its reference process's column."""
    index = {
        p.id: builder.column(
            f"{prefix}{p.id}", f"{prefix}{p.name}", p.output.unit, p.stage.value, p.output.amount
        )
        for p in model.processes
    }
    for process in model.processes:
        where = f"processes[{model.processes.index(process)}] ({prefix}{process.id})"
        share = _allocation_share(builder, process, f"{prefix}{process.id}", where)
        column = index[process.id]
        for k, exchange in enumerate(process.exchanges):
            spot = f"{where}.exchanges[{k}]"
            if isinstance(exchange, ProcessInput):
                supplier = model.process(exchange.process)
                amount = exchange.amount * _convert(exchange.unit, supplier.output.unit, spot)
                builder.a.append(
                    (
                        index[exchange.process],
                        column,
                        -amount * share,
                        _sigma(exchange.pedigree, exchange.gsd, spot),
                    )
                )
            elif isinstance(exchange, ModelInput):
                _add_model_input(builder, exchange, column, share, submodels, path, spot)
            else:
                _add_leaf(builder, process, prefix, k, exchange, column, share, spot)
    return index[model.product.reference_process]


def _add_model_input(
    builder: _Builder,
    exchange: ModelInput,
    column: int,
    share: float,
    submodels: dict[str, ProductModel],
    path: tuple[str, ...],
    spot: str,
) -> None:
    if exchange.model in path:
        cycle = " → ".join((*path, exchange.model))
        raise InvalidInputError(f"{spot}.model: the models take each other as inputs ({cycle}).")
    sub = submodels.get(exchange.model)
    if sub is None:
        raise InvalidInputError(f"{spot}.model: no product model {exchange.model!r} here.")
    prefix = "/".join((*path[1:], exchange.model)) + "/"
    reference = _add_model(builder, sub, prefix, submodels, (*path, exchange.model))
    unit = sub.process(sub.product.reference_process).output.unit
    amount = exchange.amount * _convert(exchange.unit, unit, spot)
    builder.a.append(
        (reference, column, -amount * share, _sigma(exchange.pedigree, exchange.gsd, spot))
    )


def _allocation_share(builder: _Builder, process: Process, key: str, where: str) -> float:
    """The reference product's share of the process's burdens (1 without co-products)."""
    if not process.coproducts:
        return 1.0
    allowed = [
        m
        for m in builder.allocation_order
        if m in (AllocationMethod.PHYSICAL, AllocationMethod.ECONOMIC)
    ]
    candidates = [process.allocation] if process.allocation else allowed
    for method in candidates:
        if method not in allowed:
            raise InvalidInputError(
                f"{where}.allocation: the rule allows {[m.value for m in allowed]}, not "
                f"{method.value!r}."
            )
        if method == AllocationMethod.PHYSICAL:
            own, others = process.output_mass_kg, [c.mass_kg for c in process.coproducts]
        else:
            own, others = process.output_price, [c.price for c in process.coproducts]
        if own is not None and all(o is not None for o in others):
            share = own / (own + sum(o for o in others if o is not None))
            builder.allocations[key] = (method.value, share)
            return share
        if process.allocation:
            basis = (
                "output_mass_kg and every co-product's mass_kg"
                if (method == AllocationMethod.PHYSICAL)
                else "output_price and every co-product's price"
            )
            raise InvalidInputError(f"{where}: {method.value} allocation needs {basis}.")
    raise InvalidInputError(
        f"{where}: the process has co-products but neither masses (physical allocation) nor "
        "prices (economic allocation) for all its products."
    )


def _sigma(pedigree: Pedigree | None, gsd: float | None, where: str) -> float:
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


def _resolved(builder: _Builder, ref: FactorRef, where: str) -> ResolvedFactor:
    found = builder.factors.get((ref.key, ref.version))
    if found is None:
        pinned = f" version {ref.version}" if ref.version else ""
        raise InvalidInputError(f"{where}.factor: no published factor {ref.key!r}{pinned}.")
    return found


def _factor_column(builder: _Builder, factor: ResolvedFactor) -> int:
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
                _gas_label(gas),
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


def _gas_label(gas: Gas) -> str:
    return (
        gas.value.replace("_", " ")
        .upper()
        .replace("NON FOSSIL", "non-fossil")
        .replace("FOSSIL", "fossil")
        .replace("BIOGENIC", "biogenic")
        .replace("EMISSION", "emission")
        .replace("REMOVAL", "removal")
    )


def _add_leaf(
    builder: _Builder,
    process: Process,
    prefix: str,
    k: int,
    exchange: EmissionExchange
    | ActivityExchange
    | TransportExchange
    | ElectricityExchange
    | SupplierExchange,
    column: int,
    share: float,
    spot: str,
) -> None:
    sigma = _sigma(exchange.pedigree, exchange.gsd, spot)
    own_rating = rating_of(exchange.pedigree)
    primary = 1.0 if exchange.data_type == DataType.PRIMARY else 0.0
    label = exchange.name

    def leaf(
        kind: str,
        text: str,
        matrix: Literal["technosphere", "biosphere"],
        rating: float | None,
        primary_share: float = primary,
    ) -> None:
        entries = builder.a if matrix == "technosphere" else builder.b
        builder.leaves.append(
            Leaf(
                process=f"{prefix}{process.id}",
                exchange=k,
                kind=kind,
                label=label or text,
                stage=process.stage.value,
                data_type=exchange.data_type,
                rating=own_rating if own_rating is not None else rating,
                primary_share=primary_share,
                matrix=matrix,
                entry=len(entries) - 1,
            )
        )

    def from_factor(ref: FactorRef, amount: float, unit: str, kind: str) -> None:
        factor = _resolved(builder, ref, spot)
        factor_column = _factor_column(builder, factor)
        converted = amount * _convert(unit, factor.data.unit, spot)
        builder.a.append((factor_column, column, -converted * share, sigma))
        leaf(kind, f"{factor.data.name_en}", "technosphere", rating_of(factor.data.pedigree))

    if isinstance(exchange, EmissionExchange):
        origin = (exchange.origin or GAS_ORIGIN.get(exchange.gas, Origin.FOSSIL)).value
        removal = exchange.gas == Gas.CO2_BIOGENIC_REMOVAL
        value = gwp.gwp100(builder.gwp_set)[exchange.gas]
        row = builder.flow(
            f"{exchange.gas.value}:{origin}",
            f"{_gas_label(exchange.gas)} ({origin.replace('_', ' ')})",
            origin,
            -value if removal else value,
            removal,
        )
        kilograms = exchange.amount * _convert(exchange.unit, "kg", spot)
        builder.b.append((row, column, kilograms * share, sigma))
        leaf("emission", _gas_label(exchange.gas), "biosphere", None)
    elif isinstance(exchange, ActivityExchange):
        from_factor(exchange.factor, exchange.amount, exchange.unit, "activity")
    elif isinstance(exchange, TransportExchange):
        tonnes = exchange.mass.amount * _convert(exchange.mass.unit, "t", f"{spot}.mass")
        km = exchange.distance.amount * _convert(exchange.distance.unit, "km", f"{spot}.distance")
        from_factor(exchange.factor, tonnes * km, "t*km", "transport")
    elif isinstance(exchange, ElectricityExchange):
        _add_electricity(builder, exchange, spot, from_factor)
    else:
        _add_supplier(builder, exchange, column, share, sigma, spot)
        footprint = exchange.footprint
        supplier_primary = footprint.primary_data_share
        leaf(
            "supplier",
            f"{exchange.supplier}",
            "technosphere",
            footprint.data_quality_rating,
            supplier_primary if supplier_primary is not None else primary,
        )


def _add_electricity(
    builder: _Builder, exchange: ElectricityExchange, spot: str, from_factor
) -> None:  # type: ignore[no-untyped-def]
    kwh = exchange.amount * _convert(exchange.unit, "kWh", spot)
    covered = sum(
        i.amount * _convert(i.unit, "kWh", f"{spot}.instruments") for i in exchange.instruments
    )
    if covered > kwh * (1 + 1e-9):
        raise InvalidInputError(
            f"{spot}.instruments: they cover {covered:g} kWh, more than the {kwh:g} kWh used."
        )
    if builder.variant == "location":
        from_factor(exchange.grid, kwh, "kWh", "electricity")
        return
    for instrument in exchange.instruments:
        from_factor(
            instrument.factor,
            instrument.amount,
            instrument.unit,
            f"electricity:{instrument.type.value}",
        )
    rest = kwh - covered
    if rest > 0:
        from_factor(exchange.residual or exchange.grid, rest, "kWh", "electricity:remainder")


def _add_supplier(
    builder: _Builder,
    exchange: SupplierExchange,
    column: int,
    share: float,
    sigma: float,
    spot: str,
) -> None:
    footprint = exchange.footprint
    supplier = builder.column(
        f"supplier:{exchange.supplier}:{len(builder.columns)}",
        f"{exchange.supplier} (supplier PCF)",
        footprint.per_unit,
        "",
    )
    parts = {
        "fossil": footprint.fossil or 0.0,
        "biogenic": footprint.biogenic_emission or 0.0,
        "land_use_change": footprint.land_use_change or 0.0,
    }
    rest = footprint.total - sum(parts.values())
    if rest < -1e-9 * max(abs(footprint.total), 1.0):
        raise InvalidInputError(
            f"{spot}.footprint: fossil, biogenic and land-use-change parts add up to more than "
            f"the total {footprint.total:g}."
        )
    for origin, value in parts.items():
        if value:
            row = builder.flow(
                f"co2e:{origin}", f"CO2e ({origin.replace('_', ' ')})", origin, 1.0, False
            )
            builder.b.append((row, supplier, value, 0.0))
    if abs(rest) > 1e-12:
        row = builder.flow("co2e", "CO2e (gases not stated)", None, 1.0, False)
        builder.b.append((row, supplier, rest, 0.0))
    if footprint.biogenic_removal:
        row = builder.flow(
            Gas.CO2_BIOGENIC_REMOVAL.value,
            _gas_label(Gas.CO2_BIOGENIC_REMOVAL),
            Origin.BIOGENIC.value,
            -1.0,
            True,
        )
        builder.b.append((row, supplier, footprint.biogenic_removal, 0.0))
    amount = exchange.amount * _convert(exchange.unit, footprint.per_unit, spot)
    builder.a.append((supplier, column, -amount * share, sigma))
