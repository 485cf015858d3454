"""The public U.S. LCI database in its three formats, read in place from the shared folder.

Under CI the data must be there (the tests fail, never skip). Each release is read, linked and
solved once per test session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order

from pcfhub.factors import gwp
from pcfhub.lci.ecospold1 import read_ecospold1
from pcfhub.lci.ecospold2 import read_ecospold2
from pcfhub.lci.footprints import Footprints, compute_footprints
from pcfhub.lci.jsonld import read_jsonld
from pcfhub.lci.linking import LinkedInventory, link
from pcfhub.lci.model import Inventory
from pcfhub.lci.units import lci_conversion, pint_unit
from pcfhub.units import UnitError, get_registry, parse_unit
from tests.lci.mapping import TEST_MAPPING
from tests.support.shared import uslci_archive

RELEASES: dict[str, tuple[str, Callable[[Path], Inventory]]] = {
    "json-ld": ("uslci_fy17_olca1_5_json_ld.zip", read_jsonld),
    "ecospold2": ("uslci_fy18_q1_ecospold2.zip", read_ecospold2),
    "ecospold1": ("uslci_fy20_q3_ecospold1.zip", read_ecospold1),
}


@dataclass(frozen=True)
class Release:
    inventory: Inventory
    linked: LinkedInventory
    footprints: Footprints


_cache: dict[str, Release] = {}


def release(kind: str) -> Release:
    if kind not in _cache:
        name, reader = RELEASES[kind]
        path = uslci_archive(name)
        inventory = reader(path)
        linked = link(inventory, file=name)
        _cache[kind] = Release(
            inventory, linked, compute_footprints(inventory, linked, mapping=TEST_MAPPING)
        )
    return _cache[kind]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "processes", "flows", "exchanges"),
    [("json-ld", 766, 4601, 32526), ("ecospold2", 767, 4643, 32489),
     ("ecospold1", 631, 3853, 37349)],
)  # fmt: skip
def test_each_release_reads_whole(kind: str, processes: int, flows: int, exchanges: int) -> None:
    inventory = release(kind).inventory
    assert (len(inventory.processes), len(inventory.flows), inventory.exchange_count) == (
        processes, flows, exchanges,
    )  # fmt: skip


def test_the_known_traps_are_warnings_not_failures() -> None:
    """openLCA 1.5: allocation factors without product; EcoSpold 1: CASNumber NaN and repeated
    exchange numbers; no process has a default allocation method."""
    json_ld = {w.field for w in release("json-ld").inventory.warnings}
    ecospold1 = {w.field.split("[")[0] for w in release("ecospold1").inventory.warnings}
    assert "allocationFactors" in json_ld
    assert {"exchange.CASNumber", "exchange"} <= ecospold1
    assert not any(p.default_allocation for p in release("json-ld").inventory.processes.values())
    allocations = release("json-ld").linked.allocations
    assert {a.method for a in allocations} >= {"physical (mass shares)", "reference product only"}


def _emission_scores(item: Release) -> np.ndarray:
    """CO2e of the emissions alone (removals left out)."""
    weights = gwp.gwp100("AR6")
    emitted = [i for i, gas in enumerate(item.footprints.gases) if gas not in gwp.REMOVALS]
    per_gas = item.footprints.per_gas[:, emitted]
    return per_gas @ np.array([weights[item.footprints.gases[i]] for i in emitted])


@pytest.mark.parametrize("kind", list(RELEASES))
def test_every_process_with_greenhouse_gases_upstream_has_a_positive_footprint(kind: str) -> None:
    item = release(kind)
    system = item.footprints.lca.system
    technosphere = sparse.csr_array(system.technosphere_matrix)
    # Processes with a direct greenhouse-gas emission (removals aside); reachability over the
    # graph of inputs, independent of the solve.
    emitted = np.array([
        flow_id in item.footprints.matches and item.footprints.matches[flow_id].sign > 0
        for flow_id in item.linked.elementary_flows
    ])  # fmt: skip
    direct = np.asarray(abs(system.biosphere_matrix).T @ emitted.astype(float)) > 0
    graph = sparse.csr_array(technosphere.T != 0)  # column j → the providers it uses
    scores = _emission_scores(item)
    reached = 0
    for provider in range(system.n_processes):
        upstream = breadth_first_order(graph, provider, return_predecessors=False)
        if direct[upstream].any():
            reached += 1
            assert scores[provider] > 0, system.process_labels[provider]
        else:  # nothing emitted upstream: zero, up to the solver's rounding
            assert abs(scores[provider]) < 1e-9, system.process_labels[provider]
    assert reached > 0.8 * system.n_processes


def test_a_hand_picked_process_equals_a_dense_solve_of_its_upstream() -> None:
    item = release("json-ld")
    system = item.footprints.lca.system
    labels = system.process_labels
    target = labels.index("Electricity, at Grid, US, 2008 [Electricity, at grid, US, 2008]")
    technosphere = sparse.csr_array(system.technosphere_matrix)
    graph = sparse.csr_array(technosphere.T != 0)
    upstream = np.sort(breadth_first_order(graph, target, return_predecessors=False))
    assert upstream.size > 10  # a real supply chain, not the process alone
    dense = technosphere[upstream][:, upstream].toarray()
    demand = (upstream == target).astype(float)
    supply = np.linalg.solve(dense, demand)
    inventory = system.biosphere_matrix[:, upstream].toarray() @ supply
    expected = float(system.characterization @ inventory)
    assert item.footprints.co2e[target] == pytest.approx(expected, rel=1e-10)
    assert 0.1 < expected < 0.4  # kg CO2e per MJ of US grid electricity (0.36–1.4 per kWh)


@cache
def _to_base(unit: str) -> tuple[float, str]:
    try:
        parsed = parse_unit(pint_unit(unit))
    except UnitError:  # a unit pint lacks (USD): compared as written
        return 1.0, unit
    quantity = get_registry().Quantity(1.0, parsed).to_base_units()
    return float(quantity.magnitude), str(quantity.units)


def _footprint_data(item: Release) -> dict[tuple[str, str | None], tuple]:
    """What decides a process's footprint, comparable across formats: its technosphere
    exchanges (product name, direction, amount in base units) and its greenhouse-gas
    exchanges (gas, direction, kg), and the allocation applied. Other elementary flows,
    renamed between releases, do not count."""
    matches = item.footprints.matches
    allocation = {a.process_id: a.method for a in item.linked.allocations}
    by_process = {}
    for process in item.inventory.processes.values():
        rows: list[tuple] = [("allocation", allocation.get(process.id))]
        for exchange in process.exchanges:
            flow = item.inventory.flows[exchange.flow_id]
            if flow.kind.value == "elementary" and flow.id not in matches:
                continue
            name = matches[flow.id].gas if flow.id in matches else flow.name.lower()
            factor, unit = _to_base(flow.unit)
            rows.append((name, exchange.is_input, float(f"{exchange.amount * factor:.9g}"), unit))
        by_process[(process.name, process.location)] = tuple(sorted(rows, key=repr))
    return by_process


def _upstream(item: Release, provider: int) -> set[tuple[str, str | None]]:
    """(name, location) of every process the provider's supply chain reaches."""
    graph = sparse.csr_array(sparse.csr_array(item.footprints.lca.system.technosphere_matrix).T)
    reached = breadth_first_order(graph != 0, provider, return_predecessors=False)
    processes = [item.inventory.processes[item.linked.providers[j].process_id] for j in reached]
    return {(process.name, process.location) for process in processes}


def _keyed(item: Release) -> dict[tuple[str, str | None, str], int]:
    """Provider index by (process name, location, product name): the same across releases."""
    keyed = {}
    for i, provider in enumerate(item.linked.providers):
        process = item.inventory.processes[provider.process_id]
        keyed[(process.name, process.location, item.inventory.flows[provider.flow_id].name)] = i
    return keyed


# How many products have identical data (own and upstream) in two releases: fy17 and fy18 are
# close; the fy20 EcoSpold 1 release revised most datasets.
@pytest.mark.parametrize(
    ("first", "second", "at_least"),
    [("json-ld", "ecospold2", 40), ("json-ld", "ecospold1", 10), ("ecospold2", "ecospold1", 3)],
)
def test_the_formats_agree_where_the_data_is_the_same(
    first: str, second: str, at_least: int
) -> None:
    """Processes whose own data and whose whole upstream's data are identical in two releases
    get the same footprint (per unit of the same product, in the same unit)."""
    one, other = release(first), release(second)
    data_one, data_other = _footprint_data(one), _footprint_data(other)
    same_data = {key for key, rows in data_one.items() if data_other.get(key) == rows}
    other_index = _keyed(other)
    compared, disagreeing = 0, []
    for key, i in _keyed(one).items():
        if key not in other_index or (key[0], key[1]) not in same_data:
            continue
        j = other_index[key]
        # The same processes upstream, linked the same way, on both sides.
        upstream_one, upstream_other = _upstream(one, i), _upstream(other, j)
        if upstream_one != upstream_other or not upstream_one <= same_data:
            continue
        unit_one = one.inventory.flows[one.linked.providers[i].flow_id].unit
        unit_other = other.inventory.flows[other.linked.providers[j].flow_id].unit
        value_other = other.footprints.co2e[j] / lci_conversion(unit_other, unit_one)
        compared += 1
        if not np.isclose(one.footprints.co2e[i], value_other, rtol=1e-9, atol=1e-9):
            disagreeing.append((key, one.footprints.co2e[i], value_other))
    assert compared >= at_least
    assert disagreeing == []
