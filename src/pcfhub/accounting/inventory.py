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

import uuid
from dataclasses import dataclass

import numpy as np

from pcfhub.accounting.columns import (
    VARIANTS,
    Builder,
    Flow,
    Leaf,
    ResolvedFactor,
    Variant,
    convert,
    sigma_of,
)
from pcfhub.accounting.leaves import add_leaf
from pcfhub.accounting.model import ModelInput, Process, ProcessInput, ProductModel
from pcfhub.calc import ProductSystem
from pcfhub.calc.uncertainty import UncertaintyArrays
from pcfhub.catalogue.model import ISO_ALLOCATION_ORDER, AllocationMethod
from pcfhub.errors import InvalidInputError, PcfhubError

__all__ = ["VARIANTS", "Flow", "Inventory", "Leaf", "ResolvedFactor", "Variant", "build_inventory"]


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
    builder = Builder(model.product.gwp_set, factors, variant, allocation_order)
    submodels = submodels or {}
    try:
        reference = _add_model(builder, model, "", submodels, (model.code,))
        reference_process = model.process(model.product.reference_process)
        demand = model.product.declared_unit.amount * convert(
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


def _add_model(
    builder: Builder,
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
    by_id = {p.id: p for p in model.processes}
    for position, process in enumerate(model.processes):
        where = f"processes[{position}] ({prefix}{process.id})"
        share = _allocation_share(builder, process, f"{prefix}{process.id}", where)
        column = index[process.id]
        for k, exchange in enumerate(process.exchanges):
            spot = f"{where}.exchanges[{k}]"
            if isinstance(exchange, ProcessInput):
                supplier = by_id[exchange.process]
                amount = exchange.amount * convert(exchange.unit, supplier.output.unit, spot)
                builder.a.append(
                    (
                        index[exchange.process],
                        column,
                        -amount * share,
                        sigma_of(exchange.pedigree, exchange.gsd, spot),
                    )
                )
            elif isinstance(exchange, ModelInput):
                _add_model_input(builder, exchange, column, share, submodels, path, spot)
            else:
                add_leaf(builder, process, prefix, k, exchange, column, share, spot)
    return index[model.product.reference_process]


def _add_model_input(
    builder: Builder,
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
    amount = exchange.amount * convert(exchange.unit, unit, spot)
    builder.a.append(
        (reference, column, -amount * share, sigma_of(exchange.pedigree, exchange.gsd, spot))
    )


def _allocation_share(builder: Builder, process: Process, key: str, where: str) -> float:
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
