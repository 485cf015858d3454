"""Cradle-to-gate footprints of every provider of a linked inventory, per gas, in one solve.

The linked entries become a calc-core `ProductSystem` (A over providers, B over elementary
flows, c the GWP100 of each flow's gas). One factorization of A and one transposed solve with
a right-hand side per gas, Aᵀ Y = Gᵀ (G: B summed by gas), give the kg of every gas per unit
of every provider's product; the CO2e is Y × GWP. Elementary flows that are no gas are listed
with their share of the database's elementary mass, so that a reviewer sees what the mapping
leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from pcfhub.calc.system import Lca, ProductSystem
from pcfhub.factors import gwp
from pcfhub.lci.ghg import REMOVAL, GasMatch, GhgMapping, classify, shipped_mapping
from pcfhub.lci.linking import LinkedInventory
from pcfhub.lci.model import Inventory

MASS_UNIT = "kg"
BIOGENIC_EMISSION = "co2_biogenic_emission"


@dataclass(frozen=True)
class UnmappedFlow:
    flow_id: str
    name: str
    category: str
    mass_share: float  # of all elementary mass (kg flows) in the database's exchanges


@dataclass(frozen=True)
class Footprints:
    """Per provider (rows, in `LinkedInventory.providers` order): kg of each gas and CO2e."""

    gases: tuple[str, ...]
    gas_inventories: sparse.csr_array  # gases × providers: direct kg per unit of activity
    per_gas: NDArray[np.float64]  # providers × gases, kg of gas per unit of product
    co2e: NDArray[np.float64]  # kg CO2e per unit of product
    gwp_set: str
    matches: dict[str, GasMatch]  # elementary flow id → its gas
    unmapped: list[UnmappedFlow]
    lca: Lca


def _gas_inventories(
    inventory: Inventory, linked: LinkedInventory, mapping: GhgMapping
) -> tuple[tuple[str, ...], sparse.csr_array, list[str | None], dict[str, GasMatch]]:
    """kg of each gas per unit of each provider's own activity (gases × providers), each
    elementary row's origin, and the matches.

    A negative emission of biogenic CO2 (how some datasets book uptake) is a removal: it is
    moved to ``co2_biogenic_removal`` as a positive amount taken up; the CO2e is unchanged.
    """
    rows, cols, values = linked.biosphere
    taken = np.zeros(len(linked.elementary_flows), dtype=bool)
    np.logical_or.at(taken, rows, values < 0)
    matches: dict[str, GasMatch] = {}
    origins: list[str | None] = []
    row_match: list[GasMatch | None] = []
    for row, flow_id in enumerate(linked.elementary_flows):
        flow = inventory.flows[flow_id]
        match = classify(flow, taken_from_nature=bool(taken[row]), mapping=mapping)
        origins.append(match.origin if match else None)
        row_match.append(match)
        if match:
            matches[flow_id] = match
    gases = {m.gas for m in matches.values()}
    if BIOGENIC_EMISSION in gases:
        gases.add(REMOVAL)
    ordered = tuple(sorted(gases))
    position = {gas: i for i, gas in enumerate(ordered)}
    g_rows: list[int] = []
    g_cols: list[int] = []
    g_vals: list[float] = []
    for row, col, value in zip(rows.tolist(), cols.tolist(), values.tolist(), strict=True):
        match = row_match[row]
        if match is None:
            continue
        if match.gas == BIOGENIC_EMISSION and value < 0:
            g_rows.append(position[REMOVAL])
            g_vals.append(-value)
        else:
            g_rows.append(position[match.gas])
            g_vals.append(match.sign * value)
        g_cols.append(col)
    shape = (len(ordered), len(linked.providers))
    matrix = sparse.csr_array((g_vals, (g_rows, g_cols)), shape=shape)
    return ordered, matrix, origins, matches


def _unmapped(inventory: Inventory, matches: dict[str, GasMatch], limit: int) -> list[UnmappedFlow]:
    mass: dict[str, float] = {}
    for process in inventory.processes.values():
        for exchange in process.exchanges:
            flow = inventory.flows[exchange.flow_id]
            if flow.kind.value == "elementary" and flow.unit == MASS_UNIT:
                mass[flow.id] = mass.get(flow.id, 0.0) + abs(exchange.amount)
    total = sum(mass.values()) or 1.0
    left = sorted(
        ((amount, flow_id) for flow_id, amount in mass.items() if flow_id not in matches),
        reverse=True,
    )
    return [
        UnmappedFlow(flow_id, inventory.flows[flow_id].name, inventory.flows[flow_id].category,
                     amount / total)
        for amount, flow_id in left[:limit]
    ]  # fmt: skip


def compute_footprints(
    inventory: Inventory,
    linked: LinkedInventory,
    *,
    gwp_set: str = "AR6",
    mapping: GhgMapping | None = None,
    unmapped_limit: int = 50,
) -> Footprints:
    """Per-gas and CO2e footprints of every provider (see the module's docstring)."""
    mapping = mapping or shipped_mapping()
    gases, gas_inventories, origins, matches = _gas_inventories(inventory, linked, mapping)
    weights = gwp.gwp100(gwp_set)
    # A removal's amount is taken up: Σ amount × GWP counts it at −1 (factors.gwp.co2e).
    gas_weight = np.array([-weights[gas] if gas in gwp.REMOVALS else weights[gas] for gas in gases])
    characterization = np.zeros(len(linked.elementary_flows))
    for row, flow_id in enumerate(linked.elementary_flows):
        match = matches.get(flow_id)
        if match is not None:  # sign × GWP; a removal's −1 and its input's sign cancel
            removal = match.gas in gwp.REMOVALS
            characterization[row] = match.sign * weights[match.gas] * (-1 if removal else 1)
    names = [
        f"{inventory.processes[p.process_id].name} [{inventory.flows[p.flow_id].name}]"
        for p in linked.providers
    ]
    system = ProductSystem.from_arrays(
        technosphere=linked.technosphere,
        biosphere=linked.biosphere,
        characterization=characterization,
        n_processes=len(linked.providers),
        n_flows=len(linked.elementary_flows),
        process_labels=names,
        flow_origins=origins,
    )
    lca = system.factorize()
    if gases:
        rhs = np.ascontiguousarray(gas_inventories.T.toarray())
        per_gas = lca.factorization.solve_transposed(rhs)
    else:
        per_gas = np.zeros((len(linked.providers), 0))
    per_gas = np.asarray(per_gas).reshape(len(linked.providers), len(gases))
    return Footprints(
        gases=gases,
        gas_inventories=gas_inventories,
        per_gas=per_gas,
        co2e=per_gas @ gas_weight,
        gwp_set=gwp_set,
        matches=matches,
        unmapped=_unmapped(inventory, matches, unmapped_limit),
        lca=lca,
    )
