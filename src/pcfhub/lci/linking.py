"""From an inventory to matrix entries: providers, links, allocation.

A *provider* is one product of one process (or one waste a process treats): a column of the
technosphere matrix A. A single-output process is one provider. A multi-output process is one
provider per co-product, each carrying its allocated share of the inputs and emissions:
- the method the data defines for the process (its default allocation method), else
- the method the importer chooses; factors of that method from the data (one co-product
  without a factor takes the rest of 1), else, for physical allocation of co-products all
  measured in mass, their mass shares; else
- everything to the process's reference product (the other co-products get no column).
What was applied is reported per process.

A product whose name marks it as cut off by the database (USLCI's ``CUTOFF …`` and
``Dummy …`` flows) is never a provider, not even where a process outputs it: its inputs stay
cut off, and it takes no share in allocation.

An input is linked to the provider the exchange names; else to the only provider of its flow;
else, among several, to the one in the location the exchange names (or else the process's),
else the first by name (a warning names the others). An input nobody provides is cut off (a
warning per flow says how often).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from pcfhub.lci.model import (
    AllocationMethod,
    Exchange,
    FlowKind,
    ImportWarning,
    Inventory,
    Process,
)

MASS_UNITS = frozenset({"kg", "t", "g", "lb", "Mg", "kt"})
#: Name prefixes (lower case) of product flows a database leaves cut off on purpose.
CUT_OFF_PREFIXES = ("cutoff", "dummy")


def is_cut_off(name: str) -> bool:
    """Whether a product flow's name marks it as cut off (``CUTOFF Disposal …``, ``Dummy …``)."""
    return name.strip().lower().startswith(CUT_OFF_PREFIXES)


@dataclass(frozen=True)
class Provider:
    process_id: str
    flow_id: str
    amount: float  # output of the product per unit of the column (its own amount)


@dataclass(frozen=True)
class Allocation:
    """What was applied to one multi-output process."""

    process_id: str
    method: str  # "physical (data)", "physical (mass shares)", "economic (data)", "causal (data)",
    # "reference product only"
    products: int


@dataclass
class LinkedInventory:
    """Matrix entries over providers (columns) and elementary flows (rows of B)."""

    providers: list[Provider]
    elementary_flows: list[str]
    technosphere: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]
    biosphere: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]
    allocations: list[Allocation] = field(default_factory=list)
    cut_off: dict[str, int] = field(default_factory=dict)  # flow id → inputs left unlinked
    warnings: list[ImportWarning] = field(default_factory=list)

    def provider_index(self) -> dict[tuple[str, str], int]:
        return {(p.process_id, p.flow_id): i for i, p in enumerate(self.providers)}


def _provided(process: Process, inventory: Inventory) -> dict[str, float]:
    """What a process provides, flow id → amount: product outputs and treated waste inputs
    (a product listed twice counts once, with the amounts added)."""
    provided: dict[str, float] = {}
    for exchange in process.exchanges:
        flow = inventory.flows[exchange.flow_id]
        kind = flow.kind
        if exchange.avoided or is_cut_off(flow.name):
            continue
        if (kind is FlowKind.PRODUCT and not exchange.is_input) or (
            kind is FlowKind.WASTE and exchange.is_input
        ):
            provided[exchange.flow_id] = provided.get(exchange.flow_id, 0.0) + exchange.amount
    return provided


@dataclass
class _Linker:
    inventory: Inventory
    file: str
    choice: AllocationMethod
    warnings: list[ImportWarning] = field(default_factory=list)
    allocations: list[Allocation] = field(default_factory=list)

    def warn(self, process: Process, where: str, message: str) -> None:
        dataset = f"process {process.name!r} ({process.id})"
        self.warnings.append(ImportWarning(self.file, dataset, where, message))

    def shares(
        self, process: Process, provided: dict[str, float]
    ) -> dict[str, dict[str | None, float]]:
        """product flow id → {exchange id or None (every exchange): share}."""
        products = list(provided)
        if len(provided) == 1:
            return {products[0]: {None: 1.0}}
        method = process.default_allocation or self.choice
        factors = [f for f in process.allocation_factors if f.method is method]
        if method is AllocationMethod.CAUSAL and factors:
            even = 1.0 / len(products)
            shares: dict[str, dict[str | None, float]] = {p: {None: even} for p in products}
            for factor in factors:
                if factor.product_id in shares:
                    shares[factor.product_id][factor.exchange_id] = factor.value
            covered = {f.exchange_id for f in factors}
            uncovered = [e for e in process.exchanges
                         if e.id not in covered and e.flow_id not in provided]  # fmt: skip
            if uncovered:
                self.warn(
                    process, "allocationFactors",
                    f"{len(uncovered)} exchange(s) have no causal factor; each co-product "
                    f"takes an equal share (1/{len(products)}) of them",
                )  # fmt: skip
            self.allocations.append(Allocation(process.id, "causal (data)", len(products)))
            return shares
        by_product = {f.product_id: f.value for f in factors if f.exchange_id is None}
        missing = [p for p in products if p not in by_product]
        given = sum(by_product.get(p, 0.0) for p in products)
        if by_product and len(missing) == 1 and 0 <= given < 1:
            by_product[missing[0]] = 1.0 - given
            self.warn(
                process, "allocationFactors",
                f"no {method} factor for {self.inventory.flows[missing[0]].name!r}; it takes "
                f"the rest, {1.0 - given:g}, of the factors given",
            )  # fmt: skip
        if by_product and all(p in by_product for p in products):
            total = sum(by_product[p] for p in products)
            if total <= 0:
                self.warn(process, "allocationFactors", f"{method} factors sum to {total:g}")
            else:
                if abs(total - 1.0) > 1e-6:
                    self.warn(
                        process, "allocationFactors",
                        f"{method} factors sum to {total:g}; each was divided by the sum",
                    )  # fmt: skip
                self.allocations.append(Allocation(process.id, f"{method} (data)", len(products)))
                return {p: {None: by_product[p] / total} for p in products}
        units = {self.inventory.flows[p].unit for p in products}
        amounts = list(provided.values())
        if method is AllocationMethod.PHYSICAL and units <= MASS_UNITS and len(units) == 1:
            total = sum(amounts)
            if total > 0:
                self.warn(
                    process, "allocationFactors",
                    "no physical allocation factors; the co-products' mass shares were used",
                )  # fmt: skip
                self.allocations.append(Allocation(process.id, "physical (mass shares)",
                                                   len(products)))  # fmt: skip
                return {p: {None: a / total} for p, a in zip(products, amounts, strict=True)}
        reference = process.reference
        keep = reference.flow_id if reference and reference.flow_id in products else products[0]
        dropped = [self.inventory.flows[p].name for p in products if p != keep]
        self.warn(
            process, "allocationFactors",
            f"no {method} allocation possible (factors missing, co-products in "
            f"{', '.join(sorted(units))}); all burdens go to the reference product, and "
            f"{len(dropped)} co-product(s) get no column: {'; '.join(dropped[:5])}",
        )  # fmt: skip
        self.allocations.append(Allocation(process.id, "reference product only", len(products)))
        return {keep: {None: 1.0}}


def link(
    inventory: Inventory, *, file: str, allocation: AllocationMethod = AllocationMethod.PHYSICAL
) -> LinkedInventory:
    """Providers, links and matrix entries of ``inventory`` (see the module's rules)."""
    linker = _Linker(inventory, file, allocation)
    processes = sorted(inventory.processes.values(), key=lambda p: (p.name, p.id))
    providers: list[Provider] = []
    shares_of: dict[str, dict[str, dict[str | None, float]]] = {}
    for process in processes:
        provided = _provided(process, inventory)
        if not provided:
            linker.warn(process, "exchanges", "no product output: the process provides nothing")
            continue
        shares = linker.shares(process, provided)
        shares_of[process.id] = shares
        for flow_id, amount in provided.items():
            if flow_id not in shares:
                continue
            if amount <= 0:
                linker.warn(
                    process, "exchanges",
                    f"product {inventory.flows[flow_id].name!r} has amount {amount:g}; "
                    "it cannot be provided",
                )  # fmt: skip
                continue
            providers.append(Provider(process.id, flow_id, amount))
    index = {(p.process_id, p.flow_id): i for i, p in enumerate(providers)}
    by_flow: dict[str, list[int]] = defaultdict(list)
    for i, provider in enumerate(providers):
        by_flow[provider.flow_id].append(i)

    elementary: dict[str, int] = {}
    t_rows: list[int] = []
    t_cols: list[int] = []
    t_vals: list[float] = []
    b_rows: list[int] = []
    b_cols: list[int] = []
    b_vals: list[float] = []
    cut_off: dict[str, int] = defaultdict(int)
    ambiguous: set[tuple[str, str]] = set()

    def choose(process: Process, exchange: Exchange) -> int | None:
        if exchange.provider_id and (exchange.provider_id, exchange.flow_id) in index:
            return index[(exchange.provider_id, exchange.flow_id)]
        candidates = by_flow.get(exchange.flow_id, [])
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        wanted = exchange.provider_location or process.location
        local = [
            i for i in candidates
            if inventory.processes[providers[i].process_id].location == wanted
        ]  # fmt: skip
        chosen = (local or candidates)[0]
        if len(local) != 1 and (process.id, exchange.flow_id) not in ambiguous:
            ambiguous.add((process.id, exchange.flow_id))
            names = [inventory.processes[providers[i].process_id].name for i in candidates]
            linker.warn(
                process, f"exchange {exchange.id}",
                f"{len(candidates)} processes provide {inventory.flows[exchange.flow_id].name!r}"
                f"; linked to {names[candidates.index(chosen)]!r}",
            )  # fmt: skip
        return chosen

    for process in processes:
        shares = shares_of.get(process.id)
        if not shares:
            continue
        for product, per_exchange in shares.items():
            column = index.get((process.id, product))
            if column is None:
                continue
            t_rows.append(column)
            t_cols.append(column)
            t_vals.append(providers[column].amount)
            default_share = per_exchange.get(None, 1.0)
            for exchange in process.exchanges:
                flow = inventory.flows[exchange.flow_id]
                if exchange.flow_id in shares and not exchange.is_input and not exchange.avoided:
                    continue  # a co-product: its own column
                if flow.kind is FlowKind.WASTE and exchange.is_input and exchange.flow_id in shares:
                    continue  # the waste this process treats
                share = per_exchange.get(exchange.id, default_share)
                amount = exchange.amount * share
                if amount == 0:
                    continue
                if flow.kind is FlowKind.ELEMENTARY:
                    row = elementary.setdefault(exchange.flow_id, len(elementary))
                    b_rows.append(row)
                    b_cols.append(column)
                    b_vals.append(-amount if exchange.is_input else amount)
                    continue
                needs_provider = (
                    (flow.kind is FlowKind.PRODUCT and (exchange.is_input or exchange.avoided))
                    or (flow.kind is FlowKind.WASTE and not exchange.is_input)
                )  # fmt: skip
                if not needs_provider:
                    continue  # an unallocated co-product output or an odd waste input
                row = choose(process, exchange)
                if row is None:
                    cut_off[exchange.flow_id] += 1
                    continue
                t_rows.append(row)
                t_cols.append(column)
                t_vals.append(amount if exchange.avoided else -amount)
    for flow_id, count in sorted(cut_off.items()):
        flow = inventory.flows[flow_id]
        linker.warnings.append(
            ImportWarning(
                file,
                f"flow {flow.name!r} ({flow_id})",
                "provider",
                f"no process provides it; {count} input(s) cut off",
            )
        )
    return LinkedInventory(
        providers=providers,
        elementary_flows=list(elementary),
        technosphere=(np.array(t_rows), np.array(t_cols), np.array(t_vals, dtype=np.float64)),
        biosphere=(np.array(b_rows), np.array(b_cols), np.array(b_vals, dtype=np.float64)),
        allocations=linker.allocations,
        cut_off=dict(cut_off),
        warnings=linker.warnings,
    )
