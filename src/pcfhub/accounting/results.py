"""A solved inventory as the breakdowns a footprint study reports (no I/O).

Everything is per declared unit, in kg CO2e: the total with fossil, biogenic emissions,
biogenic removals and land-use change apart; per gas, stage, process and input (the leaves of
`pcfhub.accounting.inventory`, which sum to the total); the primary data share and the data
quality rating (both weighted by the magnitude of each leaf's contribution); hot spots; and
from the Monte Carlo samples, which uncertain inputs drive the spread (sensitivity).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from pcfhub.accounting.columns import UNRATED
from pcfhub.accounting.inventory import Inventory
from pcfhub.calc import Lca
from pcfhub.calc.montecarlo import monte_carlo
from pcfhub.catalogue.model import Stage

HOT_SPOTS = 10
SENSITIVITY_INPUTS = 10


class GasLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    flow: str
    origin: str | None
    kg: float
    co2e_kg: float


class InputLine(BaseModel):
    """One leaf exchange's contribution."""

    model_config = ConfigDict(frozen=True)

    process: str
    exchange: int
    kind: str
    label: str
    stage: str
    data_type: str
    rating: float | None
    co2e_kg: float
    share: float


class ProcessLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    process: str
    name: str
    stage: str
    supply: float
    co2e_kg: float
    share: float


class Breakdown(BaseModel):
    """The footprint of one declared unit under one electricity variant."""

    model_config = ConfigDict(frozen=True)

    variant: str
    total: float
    fossil: float
    biogenic_emissions: float
    biogenic_removals: float  # negative: CO2 taken up
    land_use_change: float
    not_split: float  # CO2e whose origin the data does not state
    by_gas: list[GasLine]
    by_stage: dict[str, float]
    by_process: list[ProcessLine]
    by_input: list[InputLine]
    primary_data_share: float
    data_quality_rating: float
    unrated_share: float  # share of the footprint (by magnitude) nobody rated


class SensitivityLine(BaseModel):
    """One uncertain input: its Spearman rank correlation with the footprint over the Monte
    Carlo samples, and its share of the output variance (squared correlations normalised)."""

    model_config = ConfigDict(frozen=True)

    name: str
    spearman: float
    share: float


class Uncertainty(BaseModel):
    model_config = ConfigDict(frozen=True)

    iterations: int
    seed: int
    mean: float
    std: float
    percentiles: dict[str, float]  # "2.5", "50", "97.5"…
    histogram: list[tuple[float, int]]  # (bin left edge, count), for the chart
    # The top inputs by variance share; empty in results stored before it was computed.
    sensitivity: list[SensitivityLine] = []


def breakdown(inventory: Inventory, supply: NDArray[np.float64]) -> Breakdown:
    """Break down the footprint of one declared unit, given the supply that meets it (from
    the inventory's own solve, or its slice of a batch: `pcfhub.calc.blocks`)."""
    system = inventory.system
    direct = system.direct_scores
    tech, bio = system.technosphere_entries, system.biosphere_entries
    c = system.characterization
    contributions = np.empty(len(inventory.leaves))
    for i, leaf in enumerate(inventory.leaves):
        if leaf.matrix == "technosphere":
            row, col = int(tech.rows[leaf.entry]), int(tech.cols[leaf.entry])
            # A leaf column has no inputs: its footprint per unit is its direct score.
            contributions[i] = -float(tech.values[leaf.entry]) * supply[col] * direct[row]
        else:
            row, col = int(bio.rows[leaf.entry]), int(bio.cols[leaf.entry])
            contributions[i] = float(bio.values[leaf.entry]) * supply[col] * c[row]
    amounts = np.asarray(system.biosphere_matrix @ supply)
    by_flow = c * amounts
    total = float(by_flow.sum())
    scale = abs(total) if total else 1.0
    flows = inventory.flows
    by_gas = [
        GasLine(flow=f.label, origin=f.origin, kg=float(amounts[i]), co2e_kg=float(by_flow[i]))
        for i, f in enumerate(flows)
        if amounts[i] != 0
    ]

    def part(test: Callable[[int], bool]) -> float:
        return float(sum(by_flow[i] for i in range(len(flows)) if test(i)))

    lines = [
        InputLine(
            process=leaf.process,
            exchange=leaf.exchange,
            kind=leaf.kind,
            label=leaf.label,
            stage=leaf.stage,
            data_type=leaf.data_type.value,
            rating=leaf.rating,
            co2e_kg=float(value),
            share=float(value) / scale,
        )
        for leaf, value in zip(inventory.leaves, contributions, strict=True)
    ]
    weights = np.abs(contributions)
    weight = float(weights.sum()) or 1.0
    ratings = np.array(
        [UNRATED if leaf.rating is None else leaf.rating for leaf in inventory.leaves]
    )
    primary = np.array([leaf.primary_share for leaf in inventory.leaves])
    unrated = np.array([leaf.rating is None for leaf in inventory.leaves], dtype=bool)
    by_stage = {stage.value: 0.0 for stage in Stage}
    by_process: dict[str, float] = {}
    for line in lines:
        by_stage[line.stage] = by_stage.get(line.stage, 0.0) + line.co2e_kg
        by_process[line.process] = by_process.get(line.process, 0.0) + line.co2e_kg
    column_of = {key: i for i, key in enumerate(inventory.columns)}
    processes = [
        ProcessLine(
            process=key,
            name=system.process_labels[column_of[key]] if system.process_labels else key,
            stage=system.process_groups[column_of[key]] if system.process_groups else "",
            supply=float(supply[column_of[key]]),
            co2e_kg=value,
            share=value / scale,
        )
        for key, value in by_process.items()
    ]
    processes.sort(key=lambda p: -abs(p.co2e_kg))
    return Breakdown(
        variant=inventory.variant,
        total=total,
        fossil=part(lambda i: flows[i].origin == "fossil"),
        biogenic_emissions=part(lambda i: flows[i].origin == "biogenic" and not flows[i].removal),
        biogenic_removals=part(lambda i: flows[i].removal),
        land_use_change=part(lambda i: flows[i].origin == "land_use_change"),
        not_split=part(lambda i: flows[i].origin is None),
        by_gas=by_gas,
        by_stage=by_stage,
        by_process=processes,
        by_input=lines,
        primary_data_share=float(primary @ weights) / weight if weights.any() else 0.0,
        data_quality_rating=float(ratings @ weights) / weight if weights.any() else UNRATED,
        unrated_share=float(weights[unrated].sum()) / weight if weights.any() else 0.0,
    )


def hot_spots(result: Breakdown, limit: int = HOT_SPOTS) -> list[InputLine]:
    """The inputs with the largest contributions, largest magnitude first."""
    return sorted(result.by_input, key=lambda line: -abs(line.co2e_kg))[:limit]


def uncertainty(
    inventory: Inventory,
    lca: Lca,
    *,
    iterations: int = 1000,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> Uncertainty:
    """Monte Carlo of the footprint over every exchange's stated spread, with the variance
    shares of the top uncertain inputs from the same samples."""
    run = monte_carlo(
        lca,
        {inventory.reference: inventory.demand},
        technosphere=inventory.technosphere_uncertainty,
        biosphere=inventory.biosphere_uncertainty,
        iterations=iterations,
        seed=seed,
        sensitivity=True,
        progress=progress,
    )
    ranked = run.sensitivity.top(SENSITIVITY_INPUTS) if run.sensitivity else ()
    return Uncertainty(
        iterations=run.iterations,
        seed=seed,
        mean=float(run.score.mean),
        std=float(run.score.std),
        percentiles={f"{q:g}": float(v) for q, v in run.score.percentiles.items()},
        histogram=_histogram(run.scores),
        sensitivity=[
            SensitivityLine(name=item.name, spearman=item.spearman, share=item.share)
            for item in ranked
            if item.share > 0
        ],
    )


def _histogram(samples: NDArray[np.float64], bins: int = 30) -> list[tuple[float, int]]:
    counts, edges = np.histogram(samples, bins=bins)
    return [(float(edge), int(count)) for edge, count in zip(edges[:-1], counts, strict=True)]
