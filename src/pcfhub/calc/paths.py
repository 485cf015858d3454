"""The largest supply-chain paths of a footprint, by best-first graph traversal.

A path is a chain of suppliers from the demanded product upstream. Its cumulative score is
the footprint of the product amount flowing along it (amount × λ of the last process, so
loops further upstream are fully counted), its direct score the emissions of the last process
alone. Paths below ``cutoff`` × total are not expanded, and a path never enters a process it
already passed through: a loop's effect is in λ, not in an endless path.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pcfhub.calc.system import Demand, Lca


@dataclass(frozen=True)
class SupplyPath:
    """One chain of processes, demanded product first."""

    processes: tuple[int, ...]
    labels: tuple[str, ...]
    amount: float
    cumulative_score: float
    direct_score: float
    share: float


def supply_chain_paths(
    lca: Lca,
    demand: Demand,
    *,
    cutoff: float = 0.01,
    max_paths: int = 50,
    max_depth: int = 25,
    max_expansions: int = 100_000,
) -> list[SupplyPath]:
    """Paths whose cumulative score is at least ``cutoff`` of the total, largest first."""
    system = lca.system
    technosphere = system.technosphere_matrix
    production = technosphere.diagonal()
    footprint = lca.process_footprints.scores
    direct = system.direct_scores
    demand_array = system.demand_array(demand)
    total = float(footprint @ demand_array)
    threshold = abs(total) * cutoff
    labels = system.process_labels

    # Heap of (-|cumulative|, tie-breaker, path, product amount).
    heap: list[tuple[float, int, tuple[int, ...], float]] = []
    counter = 0
    for process in np.flatnonzero(demand_array):
        amount = float(demand_array[process])
        heapq.heappush(heap, (-abs(amount * footprint[process]), counter, (int(process),), amount))
        counter += 1

    found: list[SupplyPath] = []
    expansions = 0
    while heap and len(found) < max_paths and expansions < max_expansions:
        _, _, path, amount = heapq.heappop(heap)
        expansions += 1
        last = path[-1]
        activity = amount / production[last]
        cumulative = amount * float(footprint[last])
        found.append(
            SupplyPath(
                processes=path,
                labels=tuple(labels[p] if labels else f"#{p}" for p in path),
                amount=amount,
                cumulative_score=cumulative,
                direct_score=float(direct[last] * activity),
                share=cumulative / total if total else 0.0,
            )
        )
        if len(path) >= max_depth:
            continue
        suppliers, coefficients = _inputs(technosphere, last)
        for supplier, coefficient in zip(suppliers, coefficients, strict=True):
            if supplier in path:
                continue
            flow = -coefficient * activity
            score = flow * float(footprint[supplier])
            if abs(score) >= threshold and score != 0.0:
                heapq.heappush(heap, (-abs(score), counter, (*path, int(supplier)), flow))
                counter += 1
    return found


def _inputs(technosphere, process: int) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Off-diagonal entries of a process's column: its suppliers and their amounts."""
    start, end = technosphere.indptr[process], technosphere.indptr[process + 1]
    rows = technosphere.indices[start:end]
    values = technosphere.data[start:end]
    keep = rows != process
    return rows[keep], values[keep]
