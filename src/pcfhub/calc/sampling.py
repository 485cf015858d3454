"""Monte Carlo draws of a product system's matrices, in their storage order.

Samples are drawn straight into the storage order of A (CSC) and B (CSR), so they are matrix
data with no scatter, and forward and adjoint runs with one seed see the same samples.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pcfhub.calc.matrices import entry_slots
from pcfhub.calc.system import ProductSystem
from pcfhub.calc.uncertainty import Distribution, UncertaintyArrays
from pcfhub.errors import InvalidUncertaintyError


class _MatrixSampler:
    """Draws the data array of one sparse matrix per iteration, in its storage order.

    Each storage slot has a primary entry (its first); the distributions of the primaries are
    put in slot order once, so their samples are the matrix data with no scatter. Duplicate
    entries (a second input of the same product) are drawn apart and added, in groups whose
    slots are distinct.
    """

    def __init__(
        self,
        values: NDArray[np.float64],
        slots: NDArray[np.int64],
        nnz: int,
        uncertainty: UncertaintyArrays | None,
    ) -> None:
        order = np.argsort(slots, kind="stable")
        ordered = slots[order]
        first = np.ones(ordered.size, dtype=bool)
        first[1:] = ordered[1:] != ordered[:-1]
        positions = np.arange(ordered.size)
        rank = positions - np.maximum.accumulate(np.where(first, positions, 0))
        self.primary = order[first]
        self.rest = order[~first]
        self.groups = [
            (np.flatnonzero(rank[~first] == r), ordered[~first][rank[~first] == r])
            for r in range(1, int(rank.max(initial=0)) + 1)
        ]
        self.values = values
        self.static = np.bincount(slots, weights=values, minlength=nnz)
        self.uncertainty = uncertainty
        self.entries = slots.size
        self.uncertain = (
            np.zeros(0, dtype=np.int64)
            if uncertainty is None
            else np.flatnonzero(uncertainty.uncertainty_type >= Distribution.LOGNORMAL)
        )
        self.joint = uncertainty is not None and uncertainty.shared_key is not None
        if uncertainty is not None and not self.joint:
            self.primary_uncertainty = uncertainty.take(self.primary)
            self.rest_uncertainty = uncertainty.take(self.rest) if self.rest.size else None

    def draw(
        self, rng: np.random.Generator, count: int, *, keep: bool
    ) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
        """Matrix data (count × nnz), and the drawn values of the uncertain entries if kept."""
        if self.uncertainty is None:
            nothing = np.zeros((count, 0)) if keep else None
            return np.broadcast_to(self.static, (count, self.static.size)), nothing
        if self.joint:
            # Shared keys tie entries across primaries and duplicates: draw them together.
            values = self.uncertainty.sample(self.values, rng, count)
            data, rest = values[:, self.primary], values[:, self.rest]
        else:
            data = self.primary_uncertainty.sample(self.values[self.primary], rng, count)
            rest = (
                self.rest_uncertainty.sample(self.values[self.rest], rng, count)
                if self.rest_uncertainty is not None
                else np.zeros((count, 0))
            )
        drawn = None
        if keep:
            by_entry = np.empty((count, self.entries))
            by_entry[:, self.primary] = data
            by_entry[:, self.rest] = rest
            drawn = by_entry[:, self.uncertain]
        for members, slots in self.groups:
            data[:, slots] += rest[:, members]
        return data, drawn


@dataclass(frozen=True)
class SampledChunk:
    """One chunk of Monte Carlo draws, in matrix storage order.

    ``technosphere``: (count × nnz) data of A in its CSC order; ``biosphere``: (count × nnz)
    data of B in its CSR order; ``characterization``: (count × flows). ``drawn``: the values
    of the uncertain entries (A, B, c), in entry order, when kept for sensitivity.
    """

    technosphere: NDArray[np.float64]
    biosphere: NDArray[np.float64]
    characterization: NDArray[np.float64]
    drawn: tuple[NDArray[np.float64] | None, ...] | None


def check_alignment(
    system: ProductSystem,
    technosphere: UncertaintyArrays | None,
    biosphere: UncertaintyArrays | None,
    characterization: UncertaintyArrays | None,
) -> None:
    for name, arrays, expected in (
        ("technosphere", technosphere, len(system.technosphere_entries)),
        ("biosphere", biosphere, len(system.biosphere_entries)),
        ("characterization", characterization, system.n_flows),
    ):
        if arrays is not None and len(arrays) != expected:
            raise InvalidUncertaintyError(
                f"The {name} uncertainty has {len(arrays)} entries; the system has {expected}."
            )


def sampled_chunks(
    system: ProductSystem,
    *,
    technosphere: UncertaintyArrays | None = None,
    biosphere: UncertaintyArrays | None = None,
    characterization: UncertaintyArrays | None = None,
    iterations: int,
    seed: int | None = 0,
    chunk_size: int = 50,
    keep: bool = False,
) -> Iterator[SampledChunk]:
    """The draws of a Monte Carlo run, chunk by chunk: for the same seed and chunk size,
    exactly those :func:`monte_carlo` uses (so other tools can be run on the same samples)."""
    check_alignment(system, technosphere, biosphere, characterization)
    rng = np.random.default_rng(seed)
    a = system.technosphere_matrix
    a_sampler = _MatrixSampler(
        system.technosphere_entries.values,
        entry_slots(a, system.technosphere_entries),
        a.nnz,
        technosphere,
    )
    b = system.biosphere_matrix
    b_sampler = _MatrixSampler(
        system.biosphere_entries.values, entry_slots(b, system.biosphere_entries), b.nnz, biosphere
    )
    done = 0
    while done < iterations:
        count = min(chunk_size, iterations - done)
        a_data, a_drawn = a_sampler.draw(rng, count, keep=keep)
        b_data, b_drawn = b_sampler.draw(rng, count, keep=keep)
        if characterization is not None:
            c_values = characterization.sample(system.characterization, rng, count)
            c_drawn = c_values[:, characterization.uncertainty_type >= Distribution.LOGNORMAL]
        else:
            c_values = np.broadcast_to(system.characterization, (count, system.n_flows))
            c_drawn = np.zeros((count, 0))
        drawn = (a_drawn, b_drawn, c_drawn) if keep else None
        yield SampledChunk(a_data, b_data, c_values, drawn)
        done += count
