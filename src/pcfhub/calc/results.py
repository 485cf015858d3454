"""Frozen results of a footprint calculation, with their contribution breakdowns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from pcfhub.calc.contributions import Contribution, group_totals, top_contributions

if TYPE_CHECKING:
    from pcfhub.calc.system import ProductSystem


@dataclass(frozen=True)
class FootprintResult:
    """The footprint of one demand: supply s, inventory g = B s, score h = cᵀ g."""

    system: ProductSystem = field(repr=False)
    demand_array: NDArray[np.float64] = field(repr=False)
    supply_array: NDArray[np.float64] = field(repr=False)
    inventory: NDArray[np.float64] = field(repr=False)
    score: float
    score_by_origin: dict[str, float]

    @property
    def process_contributions(self) -> NDArray[np.float64]:
        """Direct (characterized) emissions of each process at its supply level."""
        return self.system.direct_scores * self.supply_array

    @property
    def flow_contributions(self) -> NDArray[np.float64]:
        """Characterized amount of each flow (gas) in the inventory."""
        return self.system.characterization * self.inventory

    def top_processes(self, limit: int = 10) -> list[Contribution]:
        """The processes with the largest direct contributions, largest magnitude first."""
        return top_contributions(
            self.process_contributions, self.system.process_labels, self.score, limit
        )

    def top_flows(self, limit: int = 10) -> list[Contribution]:
        """The flows (gases) with the largest characterized amounts."""
        return top_contributions(
            self.flow_contributions, self.system.flow_labels, self.score, limit
        )

    def by_group(self, groups: Sequence[str] | None = None) -> dict[str, float]:
        """Direct contributions summed by a label per process (default: the process groups,
        e.g. life-cycle stage)."""
        labels = groups if groups is not None else self.system.process_groups
        if labels is None:
            raise ValueError("The system has no process groups; pass one label per process.")
        return group_totals(self.process_contributions, labels)


@dataclass(frozen=True)
class ProcessFootprints:
    """λ = A⁻ᵀ Bᵀ c: the footprint of one unit of every process's reference product."""

    system: ProductSystem = field(repr=False)
    scores: NDArray[np.float64] = field(repr=False)
    scores_by_origin: dict[str, NDArray[np.float64]] = field(repr=False)

    def top(self, limit: int = 10) -> list[Contribution]:
        """The processes whose product has the largest footprint per unit."""
        total = float(np.abs(self.scores).sum()) or 1.0
        return top_contributions(self.scores, self.system.process_labels, total, limit)
