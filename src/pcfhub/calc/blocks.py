"""Many product systems as one block-diagonal system, solved together.

Systems that share nothing (the stored results a factor change affects, each of its own
model) are stacked: their A, B and c side by side on the diagonal. One factorization then
serves them all, and one solve with the stacked demands gives every system's supply, since a
block's solution depends only on its own demand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pcfhub.calc.system import ProductSystem
from pcfhub.errors import InvalidMatrixError


@dataclass(frozen=True)
class StackedSystems:
    """The stacked system and where each original system's processes and flows start."""

    system: ProductSystem
    process_offsets: NDArray[np.int64]  # k + 1 offsets: block i is offsets[i]:offsets[i+1]
    flow_offsets: NDArray[np.int64]

    def supplies(self, demands: Sequence[NDArray[np.float64]]) -> list[NDArray[np.float64]]:
        """The supply vector of each system for its own demand, by one factorization and one
        solve of the stacked system."""
        if len(demands) != len(self.process_offsets) - 1:
            raise InvalidMatrixError(
                f"Give one demand per stacked system: {len(self.process_offsets) - 1}, got "
                f"{len(demands)}."
            )
        stacked = np.concatenate([np.asarray(d, dtype=np.float64) for d in demands])
        supply = self.system.factorize().supply_array(stacked)
        offsets = self.process_offsets
        return [supply[offsets[i] : offsets[i + 1]] for i in range(len(demands))]


def stack(systems: Sequence[ProductSystem]) -> StackedSystems:
    """One block-diagonal system of ``systems`` (labels and origins kept)."""
    if not systems:
        raise InvalidMatrixError("Stack at least one system.")
    process_offsets = np.cumsum([0] + [s.n_processes for s in systems])
    flow_offsets = np.cumsum([0] + [s.n_flows for s in systems])
    tech = [s.technosphere_entries for s in systems]
    bio = [s.biosphere_entries for s in systems]
    p, f = process_offsets[:-1], flow_offsets[:-1]

    def labels(values: list[Sequence[str] | None], sizes: list[int], fill: str) -> list[str]:
        return [str(x) for v, n in zip(values, sizes, strict=True) for x in (v or [fill] * n)]

    sizes = [s.n_processes for s in systems]
    flow_sizes = [s.n_flows for s in systems]
    system = ProductSystem.from_arrays(
        technosphere=(
            np.concatenate([t.rows + o for t, o in zip(tech, p, strict=True)]),
            np.concatenate([t.cols + o for t, o in zip(tech, p, strict=True)]),
            np.concatenate([t.values for t in tech]),
        ),
        biosphere=(
            np.concatenate([b.rows + o for b, o in zip(bio, f, strict=True)]),
            np.concatenate([b.cols + o for b, o in zip(bio, p, strict=True)]),
            np.concatenate([b.values for b in bio]),
        ),
        characterization=np.concatenate([s.characterization for s in systems]),
        n_processes=int(process_offsets[-1]),
        n_flows=int(flow_offsets[-1]),
        process_labels=labels([s.process_labels for s in systems], sizes, ""),
        flow_labels=labels([s.flow_labels for s in systems], flow_sizes, ""),
        flow_origins=[o for s in systems for o in (s.flow_origins or [None] * s.n_flows)],
        process_groups=labels([s.process_groups for s in systems], sizes, ""),
    )
    return StackedSystems(system, process_offsets, flow_offsets)
