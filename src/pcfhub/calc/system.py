"""A product system as matrices, and the solved system that answers footprint questions.

``ProductSystem`` holds A (technosphere), B (biosphere) and c (characterization) built from
index arrays; ``ProductSystem.factorize()`` returns an ``Lca`` that keeps one factorization
and reuses it for one product, many demand vectors, or every process at once (Aᵀλ = Bᵀc).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from pcfhub.calc.matrices import (
    MatrixEntries,
    build_biosphere,
    build_characterization,
    build_technosphere,
)
from pcfhub.calc.results import FootprintResult, ProcessFootprints
from pcfhub.calc.solver import Factorization, factorize
from pcfhub.errors import InvalidDemandError, InvalidMatrixError

#: Origins that the results keep apart (GB/T 24067 and ISO 14067 report them separately).
FLOW_ORIGINS: tuple[str, ...] = ("fossil", "biogenic", "land_use_change")

Triplet = tuple[ArrayLike, ArrayLike, ArrayLike]
Demand = Mapping[int, float] | ArrayLike


@dataclass(frozen=True)
class ProductSystem:
    """Technosphere A (processes × processes), biosphere B (flows × processes), vector c."""

    technosphere_matrix: sparse.csc_array
    biosphere_matrix: sparse.csr_array
    characterization: NDArray[np.float64]
    technosphere_entries: MatrixEntries
    biosphere_entries: MatrixEntries
    process_labels: tuple[str, ...] | None = None
    flow_labels: tuple[str, ...] | None = None
    flow_origins: tuple[str | None, ...] | None = None
    process_groups: tuple[str, ...] | None = None

    @classmethod
    def from_arrays(
        cls,
        *,
        technosphere: Triplet,
        biosphere: Triplet,
        characterization: tuple[ArrayLike, ArrayLike] | ArrayLike,
        n_processes: int | None = None,
        n_flows: int | None = None,
        process_labels: Sequence[str] | None = None,
        flow_labels: Sequence[str] | None = None,
        flow_origins: Sequence[str | None] | None = None,
        process_groups: Sequence[str] | None = None,
    ) -> ProductSystem:
        """Build and check the matrices from (row, col, value) arrays.

        ``characterization`` is either (flow indices, factors) or one factor per flow.
        ``flow_origins`` tags each flow as one of :data:`FLOW_ORIGINS` (or None);
        ``process_groups`` gives each process a label such as its life-cycle stage.
        """
        tech = MatrixEntries.of(*technosphere, name="Technosphere")
        bio = MatrixEntries.of(*biosphere, name="Biosphere")
        n_processes = _count(n_processes, process_labels, tech.cols, "processes")
        n_flows = _count(n_flows, flow_labels, bio.rows, "flows")
        labels = _labels(process_labels, n_processes, "process_labels")
        flows = _labels(flow_labels, n_flows, "flow_labels")
        # (flow indices, factors) is a pair of sequences; (1.0, 29.8) is one factor per flow.
        if (
            isinstance(characterization, tuple)
            and len(characterization) == 2
            and all(np.ndim(part) == 1 for part in characterization)
        ):
            c = build_characterization(*characterization, n_flows, flow_labels=flows)
        else:
            factors = np.asarray(characterization, dtype=np.float64)
            if factors.ndim != 1 or factors.size != n_flows:
                raise InvalidMatrixError(
                    f"Characterization has {factors.size} factors for {n_flows} flows."
                )
            c = build_characterization(np.arange(factors.size), factors, n_flows, flow_labels=flows)
        origins = None
        if flow_origins is not None:
            origins = tuple(flow_origins)
            if len(origins) != n_flows:
                raise InvalidMatrixError(
                    f"flow_origins has {len(origins)} items for {n_flows} flows."
                )
            unknown = sorted({o for o in origins if o is not None and o not in FLOW_ORIGINS})
            if unknown:
                raise InvalidMatrixError(
                    f"Unknown flow origins {unknown}; use one of {list(FLOW_ORIGINS)} or None."
                )
        groups = _labels(process_groups, n_processes, "process_groups")
        return cls(
            technosphere_matrix=build_technosphere(tech, n_processes, labels=labels),
            biosphere_matrix=build_biosphere(
                bio, n_flows, n_processes, flow_labels=flows, process_labels=labels
            ),
            characterization=c,
            technosphere_entries=tech,
            biosphere_entries=bio,
            process_labels=labels,
            flow_labels=flows,
            flow_origins=origins,
            process_groups=groups,
        )

    @property
    def n_processes(self) -> int:
        return int(self.technosphere_matrix.shape[0])

    @property
    def n_flows(self) -> int:
        return int(self.biosphere_matrix.shape[0])

    @cached_property
    def direct_scores(self) -> NDArray[np.float64]:
        """cᵀB: the characterized direct emissions of one unit of each process's activity."""
        return np.asarray(self.biosphere_matrix.T @ self.characterization)

    def origin_masks(self) -> dict[str, NDArray[np.float64]]:
        """For each origin present, a 0/1 vector over flows (only when flows are tagged)."""
        if self.flow_origins is None:
            return {}
        tags = np.array([o or "" for o in self.flow_origins])
        return {o: (tags == o).astype(np.float64) for o in FLOW_ORIGINS if np.any(tags == o)}

    def demand_array(self, demand: Demand) -> NDArray[np.float64]:
        """A dense demand vector from ``{process index: amount}`` or an array of length n."""
        vector = np.zeros(self.n_processes)
        if isinstance(demand, Mapping):
            if not demand:
                raise InvalidDemandError("The demand is empty; name at least one process.")
            for key, amount in demand.items():
                index = int(key)
                if not 0 <= index < self.n_processes:
                    raise InvalidDemandError(
                        f"Demand names process #{index}, but the system has processes "
                        f"0..{self.n_processes - 1}."
                    )
                vector[index] += float(amount)
        else:
            given = np.asarray(demand, dtype=np.float64)
            if given.shape != (self.n_processes,):
                raise InvalidDemandError(
                    f"A demand array must have shape ({self.n_processes},); got {given.shape}."
                )
            vector[:] = given
        if not np.all(np.isfinite(vector)):
            raise InvalidDemandError("The demand holds NaN or infinite amounts.")
        return vector

    def factorize(self) -> Lca:
        """Factorize A once; the returned ``Lca`` answers any number of questions with it."""
        return Lca(self, factorize(self.technosphere_matrix, labels=self.process_labels))


@dataclass(frozen=True)
class Lca:
    """A product system with its factorized technosphere matrix."""

    system: ProductSystem
    factorization: Factorization

    def supply_array(self, demand: Demand) -> NDArray[np.float64]:
        """The scaling vector s with A s = f."""
        return self.factorization.solve(self.system.demand_array(demand))

    def supply_arrays(self, demands: ArrayLike) -> NDArray[np.float64]:
        """One supply vector per column of ``demands`` (n × k), solved together."""
        return self.factorization.solve(self._demand_matrix(demands))

    def scores(self, demands: ArrayLike) -> NDArray[np.float64]:
        """The footprint of each demand column; uses λ, so it costs one product per demand."""
        return self.process_footprints.scores @ self._demand_matrix(demands)

    def _demand_matrix(self, demands: ArrayLike) -> NDArray[np.float64]:
        matrix = np.asarray(demands, dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[0] != self.system.n_processes:
            raise InvalidDemandError(
                f"Demands must be an array of shape ({self.system.n_processes}, k); "
                f"got {matrix.shape}."
            )
        return matrix

    def footprint(self, demand: Demand) -> FootprintResult:
        """Supply, inventory, score and its origin split for one demand."""
        system = self.system
        demand_array = system.demand_array(demand)
        supply = self.factorization.solve(demand_array)
        inventory = np.asarray(system.biosphere_matrix @ supply)
        by_flow = system.characterization * inventory
        by_origin = {o: float(mask @ by_flow) for o, mask in system.origin_masks().items()}
        return FootprintResult(
            system=system,
            demand_array=demand_array,
            supply_array=supply,
            inventory=inventory,
            score=float(by_flow.sum()),
            score_by_origin=by_origin,
        )

    @cached_property
    def process_footprints(self) -> ProcessFootprints:
        """Footprint of one unit of every process's product, by one transposed solve."""
        system = self.system
        origins = system.origin_masks()
        weights = np.column_stack(
            [system.characterization] + [system.characterization * m for m in origins.values()]
        )
        rhs = np.asarray(system.biosphere_matrix.T @ weights)
        solved = self.factorization.solve_transposed(np.ascontiguousarray(rhs))
        return ProcessFootprints(
            system=system,
            scores=solved[:, 0].copy(),
            scores_by_origin={o: solved[:, i + 1].copy() for i, o in enumerate(origins)},
        )


def _count(given: int | None, labels: Sequence[str] | None, indices: NDArray, what: str) -> int:
    if given is not None:
        return int(given)
    if labels is not None:
        return len(labels)
    if indices.size == 0:
        raise InvalidMatrixError(f"Give the number of {what}: there are no entries to count.")
    return int(indices.max()) + 1


def _labels(labels: Sequence[str] | None, size: int, name: str) -> tuple[str, ...] | None:
    if labels is None:
        return None
    result = tuple(str(label) for label in labels)
    if len(result) != size:
        raise InvalidMatrixError(f"{name} has {len(result)} items, but there are {size}.")
    return result
