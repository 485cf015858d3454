"""Seeded synthetic product systems for tests and benchmarks (not real data).

The shape follows real LCA databases: a strongly connected core (energy, transport, basic
materials that supply each other), tiered supply chains drawing on the core's hubs (a Zipf
popularity) and on upstream suppliers, and small recycling loops between neighbours.
Input amounts per unit of output sum to 0.2–0.7 per process, so every system is solvable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pcfhub.calc.system import ProductSystem

#: AR6 WG1 Table 7.15 GWP100 of CO2, CH4 (fossil) and N2O, for the synthetic gases.
SYNTHETIC_GWP = (1.0, 29.8, 273.0)
SYNTHETIC_GASES = ("CO2", "CH4", "N2O")


@dataclass(frozen=True)
class SyntheticSystem:
    """Index arrays of A and B, and c, ready for ``ProductSystem.from_arrays``."""

    n_processes: int
    technosphere: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]
    biosphere: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]
    characterization: NDArray[np.float64]
    core_size: int

    def product_system(self, **options: Any) -> ProductSystem:
        """The checked ``ProductSystem``; ``options`` go to ``from_arrays`` (labels, origins)."""
        return ProductSystem.from_arrays(
            technosphere=self.technosphere,
            biosphere=self.biosphere,
            characterization=self.characterization,
            n_processes=self.n_processes,
            **options,
        )


def synthetic_system(
    n_processes: int,
    *,
    seed: int = 0,
    inputs_per_process: tuple[int, int] = (10, 12),
    core_fraction: float = 0.05,
    hub_share: float = 0.3,
    loop_fraction: float = 0.05,
) -> SyntheticSystem:
    """A random but reproducible system of ``n_processes`` processes and 3 gases."""
    rng = np.random.default_rng(seed)
    n = n_processes
    core = max(2, int(n * core_fraction))
    per_process = rng.integers(inputs_per_process[0], inputs_per_process[1] + 1, size=n)
    cols = np.repeat(np.arange(n), per_process)
    m = cols.size
    popularity = 1.0 / np.arange(1, core + 1)
    hub = rng.choice(core, size=m, p=popularity / popularity.sum())
    draw = rng.random(m)
    upstream = cols - rng.geometric(0.01, size=m)
    span = np.maximum(cols - core, 1)
    upstream = np.where(upstream < core, core + rng.integers(0, 1 << 30, size=m) % span, upstream)
    in_core = cols < core
    rows = np.where(
        in_core,
        np.where(draw < 0.8, hub, rng.integers(0, core, size=m)),
        np.where((draw < hub_share) | (cols == core), hub, upstream),
    )
    # Recycling loops: a process returns a little of its output to a nearby supplier.
    n_loops = int(n * loop_fraction)
    consumer = rng.integers(core + 1, max(core + 2, n), size=n_loops) % n
    supplier = consumer - rng.integers(1, 20, size=n_loops)
    ok = supplier >= core
    rows = np.concatenate([rows, consumer[ok], supplier[ok]])
    cols = np.concatenate([cols, supplier[ok], consumer[ok]])
    keep = rows != cols
    rows, cols = rows[keep], cols[keep]
    weight = rng.lognormal(0.0, 1.0, size=rows.size)
    column_sum = np.bincount(cols, weights=weight, minlength=n)
    input_share = rng.uniform(0.2, 0.7, size=n)
    production = rng.lognormal(0.0, 0.3, size=n)
    amounts = -weight / column_sum[cols] * input_share[cols] * production[cols]
    diagonal = np.arange(n)
    technosphere = (
        np.concatenate([diagonal, rows]).astype(np.int64),
        np.concatenate([diagonal, cols]).astype(np.int64),
        np.concatenate([production, amounts]),
    )
    bio_rows, bio_cols, bio_values = [], [], []
    for gas, (probability, magnitude) in enumerate(((0.85, 1.0), (0.3, 0.01), (0.2, 0.001))):
        emitters = np.flatnonzero(rng.random(n) < probability)
        bio_rows.append(np.full(emitters.size, gas))
        bio_cols.append(emitters)
        bio_values.append(rng.lognormal(0.0, 1.5, size=emitters.size) * magnitude)
    biosphere = (
        np.concatenate(bio_rows).astype(np.int64),
        np.concatenate(bio_cols).astype(np.int64),
        np.concatenate(bio_values),
    )
    return SyntheticSystem(
        n_processes=n,
        technosphere=technosphere,
        biosphere=biosphere,
        characterization=np.array(SYNTHETIC_GWP),
        core_size=core,
    )
