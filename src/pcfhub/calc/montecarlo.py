"""Monte Carlo on a product system, many iterations solved together.

Each iteration draws every uncertain entry of A, B and c. Instead of a fresh LU per
iteration, the iterations of a chunk are solved together by a preconditioned fixed-point
iteration that reuses the deterministic factorization of A:

    X ← X + D₀ D_s⁻¹ A₀⁻¹ (F − A_s X)

where D is the diagonal (production amounts). Scaling by the sampled production amounts makes
the preconditioner exact for changes of production, so what is left to converge are the
changes of input amounts. The residual of all iterations is one sparse product with a
block-diagonal matrix; A₀⁻¹ is applied to all iterations at once (many right-hand sides). An
iteration whose update does not shrink is solved again with its own factorization, so every
result is an exact solve to the tolerance (``rtol`` on the update, max-norm).

``all_processes=True`` does the same for the adjoint Aᵀλ = Bᵀc and returns the footprint
distribution of every process's product at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from pcfhub.calc.matrices import MatrixEntries, entry_slots
from pcfhub.calc.sensitivity import SensitivityResult, spearman_shares
from pcfhub.calc.solver import factorize
from pcfhub.calc.system import Demand, Lca, ProductSystem
from pcfhub.calc.uncertainty import Distribution, UncertaintyArrays
from pcfhub.errors import ConvergenceError, InvalidUncertaintyError

PERCENTILES: tuple[float, ...] = (2.5, 5.0, 50.0, 95.0, 97.5)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Statistics:
    """Mean, standard deviation and percentiles (2.5, 5, 50, 95, 97.5) of samples."""

    mean: NDArray[np.float64] | float
    std: NDArray[np.float64] | float
    percentiles: dict[float, NDArray[np.float64] | float]

    @classmethod
    def of(cls, samples: NDArray[np.float64]) -> Statistics:
        """Statistics along the first axis (iterations)."""
        values = np.percentile(samples, PERCENTILES, axis=0)
        scalar = samples.ndim == 1
        return cls(
            mean=float(samples.mean()) if scalar else samples.mean(axis=0),
            std=float(samples.std(ddof=1)) if scalar else samples.std(axis=0, ddof=1),
            percentiles={
                q: float(v) if scalar else v for q, v in zip(PERCENTILES, values, strict=True)
            },
        )


@dataclass(frozen=True)
class MonteCarloResult:
    """Per-iteration scores and their statistics; per-process ones when asked for."""

    scores: NDArray[np.float64] = field(repr=False)
    score: Statistics
    scores_by_origin: dict[str, NDArray[np.float64]] = field(repr=False)
    process_scores: NDArray[np.float64] | None = field(repr=False)
    processes: Statistics | None = field(repr=False)
    sensitivity: SensitivityResult | None
    sweeps: int
    refactorized: int
    method: str

    @property
    def iterations(self) -> int:
        return int(self.scores.size)


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


def _slots_of_diagonal(matrix: sparse.csr_array | sparse.csc_array) -> NDArray[np.int64]:
    n = matrix.shape[0]
    every = np.arange(n)
    return entry_slots(matrix, MatrixEntries.of(every, every, np.ones(n), name="diagonal"))


class _Summation:
    """Sums the columns of (count × entries) arrays into targets (flows or processes)."""

    def __init__(self, targets: NDArray[np.int64], size: int) -> None:
        self.order = np.argsort(targets, kind="stable")
        counts = np.bincount(targets, minlength=size)
        self.present = np.flatnonzero(counts)
        self.starts = (np.cumsum(counts) - counts)[self.present]
        self.size = size

    def __call__(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        out = np.zeros((values.shape[0], self.size))
        if self.present.size:
            out[:, self.present] = np.add.reduceat(values[:, self.order], self.starts, axis=1)
        return out


class _BlockDiagonal:
    """Many sampled copies of one compressed structure as one block-diagonal matrix."""

    def __init__(self, indptr: NDArray, indices: NDArray, n: int) -> None:
        self.indptr, self.indices, self.n = indptr, indices, n
        self._cache: dict[int, tuple[NDArray[np.int32], NDArray[np.int32]]] = {}

    def matrix(
        self, data: NDArray[np.float64], *, transposed: bool
    ) -> sparse.csc_array | sparse.csr_array:
        """The block-diagonal A (CSC), or Aᵀ (CSR over the same arrays) when ``transposed``."""
        count, nnz = data.shape
        if count not in self._cache:
            offsets = np.arange(count, dtype=np.int64)
            kind = np.int32 if count * max(nnz, self.n) < np.iinfo(np.int32).max else np.int64
            indices = (self.indices[None, :] + self.n * offsets[:, None]).ravel().astype(kind)
            indptr = np.append(
                (self.indptr[:-1][None, :] + nnz * offsets[:, None]).ravel(), count * nnz
            ).astype(kind)
            self._cache[count] = (indices, indptr)
        indices, indptr = self._cache[count]
        shape = (count * self.n, count * self.n)
        kind = sparse.csr_array if transposed else sparse.csc_array
        return kind((np.ascontiguousarray(data).ravel(), indices, indptr), shape=shape)


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


def _check_alignment(
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
    _check_alignment(system, technosphere, biosphere, characterization)
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


def monte_carlo(
    lca: Lca,
    demand: Demand,
    *,
    technosphere: UncertaintyArrays | None = None,
    biosphere: UncertaintyArrays | None = None,
    characterization: UncertaintyArrays | None = None,
    iterations: int = 1000,
    seed: int | None = 0,
    all_processes: bool = False,
    chunk_size: int = 50,
    rtol: float = 1e-7,
    max_sweeps: int = 60,
    method: Literal["iterative", "exact"] = "iterative",
    sensitivity: bool = False,
    progress: Progress | None = None,
) -> MonteCarloResult:
    """Sample the footprint of ``demand`` ``iterations`` times, reproducibly for a ``seed``.

    Uncertainty arrays align with the entries the system was built from (and c with flows).
    ``method="exact"`` factorizes every sampled matrix anew: the reference the iterative
    method is tested against.
    """
    system = lca.system
    if iterations < 2:
        raise InvalidUncertaintyError("Monte Carlo needs at least 2 iterations.")
    _check_alignment(system, technosphere, biosphere, characterization)
    f = system.demand_array(demand)
    n = system.n_processes
    # Samples are drawn in the storage order of A (CSC), so forward and adjoint runs with the
    # same seed see the same samples; the CSC arrays of A are also the CSR arrays of Aᵀ.
    layout = system.technosphere_matrix
    b = system.biosphere_matrix
    b_rows = np.repeat(np.arange(b.shape[0]), np.diff(b.indptr))
    b_cols = b.indices.astype(np.int64)
    to_flows, to_processes = _Summation(b_rows, system.n_flows), _Summation(b_cols, n)
    diagonal = _slots_of_diagonal(layout)
    d0 = layout.data[diagonal]
    solver = _ChunkSolver(lca, layout, all_processes, rtol, max_sweeps, method)
    origins = system.origin_masks()
    x0 = lca.factorization.solve(f)

    scores = np.empty(iterations)
    by_origin = {o: np.empty(iterations) for o in origins}
    process_scores = np.empty((iterations, n)) if all_processes else None
    kept: list[list[NDArray[np.float32]]] = [[], [], []]
    chunks = sampled_chunks(
        system,
        technosphere=technosphere,
        biosphere=biosphere,
        characterization=characterization,
        iterations=iterations,
        seed=seed,
        chunk_size=chunk_size,
        keep=sensitivity,
    )
    try:
        done = 0
        for sample in chunks:
            a_data, b_data, c_values = (
                sample.technosphere,
                sample.biosphere,
                sample.characterization,
            )
            count = a_data.shape[0]
            if sample.drawn is not None:
                for store, drawn in zip(kept, sample.drawn, strict=True):
                    store.append(drawn.astype(np.float32))
            ratio = d0 / a_data[:, diagonal]
            chunk = slice(done, done + count)
            if all_processes:
                # Bᵀc per iteration: each B entry (flow r, process j) adds B·c[r] to process j.
                rhs = to_processes(b_data * c_values[:, b_rows])
                lam = solver.solve(a_data, ratio, rhs, start=None)
                process_scores[chunk] = lam
                scores[chunk] = lam @ f
            else:
                rhs = np.broadcast_to(f, (count, n))
                x = solver.solve(a_data, ratio, rhs, start=ratio * x0)
                by_flow = to_flows(b_data * x[:, b_cols]) * c_values
                scores[chunk] = by_flow.sum(axis=1)
                for origin, mask in origins.items():
                    by_origin[origin][chunk] = by_flow @ mask
            done += count
            if progress is not None:
                progress(done, iterations)
    finally:
        solver.close()

    result_sensitivity = None
    if sensitivity:
        result_sensitivity = _sensitivity(
            system, kept, (technosphere, biosphere, characterization), scores
        )
    return MonteCarloResult(
        scores=scores,
        score=Statistics.of(scores),
        scores_by_origin={} if all_processes else by_origin,
        process_scores=process_scores,
        processes=Statistics.of(process_scores) if process_scores is not None else None,
        sensitivity=result_sensitivity,
        sweeps=solver.sweeps,
        refactorized=solver.refactorized,
        method=method,
    )


class _ChunkSolver:
    """Solves the sampled systems of a chunk: A_s x_s = rhs_s, or A_sᵀ λ_s = rhs_s.

    Sampled data are in the storage order of ``layout`` (CSC of A, which is CSR of Aᵀ), so
    that the residual of every iteration is one product with a block-diagonal matrix.
    """

    def __init__(
        self,
        lca: Lca,
        layout: sparse.csr_array | sparse.csc_array,
        transposed: bool,
        rtol: float,
        max_sweeps: int,
        method: str,
    ) -> None:
        self.factorization = lca.factorization
        self.layout = layout
        self.transposed = transposed
        self.rtol, self.max_sweeps, self.method = rtol, max_sweeps, method
        self.blocks = _BlockDiagonal(layout.indptr, layout.indices, layout.shape[0])
        self.sweeps = 0
        self.refactorized = 0
        self.threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pcfhub-mc")

    def close(self) -> None:
        self.threads.shutdown()

    def solve(
        self,
        data: NDArray[np.float64],
        ratio: NDArray[np.float64],
        rhs: NDArray[np.float64],
        *,
        start: NDArray[np.float64] | None,
    ) -> NDArray[np.float64]:
        count, n = rhs.shape
        if self.method == "exact":
            return np.array([self._exact(data[s], rhs[s]) for s in range(count)])
        # Two block-diagonal halves, multiplied in two threads (scipy's sparse products
        # release the GIL); rows of the C-ordered arrays split without copies.
        half = (count + 1) // 2
        parts = [slice(0, half), slice(half, count)] if count > 1 else [slice(0, count)]
        operators = [self.blocks.matrix(data[p], transposed=self.transposed) for p in parts]

        def product(x: NDArray[np.float64]) -> NDArray[np.float64]:
            out = np.empty((count, n))

            def one(index: int) -> None:
                part = parts[index]
                out[part] = (operators[index] @ x[part].ravel()).reshape(-1, n)

            list(self.threads.map(one, range(len(parts))))
            return out

        # Start from the preconditioned right-hand side; for one shared demand that is
        # ratio · x₀, known without a solve.
        x = start if start is not None else self._precondition(ratio, rhs)
        active = np.ones(count, dtype=bool)
        previous = np.full(count, np.inf)
        for _ in range(self.max_sweeps):
            self.sweeps += 1
            residual = product(x)
            np.subtract(rhs, residual, out=residual)
            update = self._precondition(ratio, residual)
            size = np.abs(update).max(axis=1)
            update[~active] = 0.0
            x += update
            scale = np.abs(x).max(axis=1)
            converged = size <= self.rtol * np.where(scale > 0, scale, 1.0)
            # An iteration whose update stops shrinking gets its own factorization.
            stalled = active & ~converged & (size > 0.7 * previous)
            for s in np.flatnonzero(stalled):
                x[s] = self._exact(data[s], rhs[s])
            active &= ~(converged | stalled)
            previous = size
            if not active.any():
                return x
        for s in np.flatnonzero(active):
            x[s] = self._exact(data[s], rhs[s])
        return x

    def _precondition(
        self, ratio: NDArray[np.float64], residual: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """D₀ D_s⁻¹ A₀⁻¹ r (or A₀⁻ᵀ D₀ D_s⁻¹ r), for every iteration of the chunk."""
        if self.transposed:
            return self.factorization.solve_transposed(np.asfortranarray((ratio * residual).T)).T
        return ratio * self.factorization.solve(np.asfortranarray(residual.T)).T

    def _exact(self, data: NDArray[np.float64], rhs: NDArray[np.float64]) -> NDArray[np.float64]:
        """Solve one sampled system with its own factorization."""
        self.refactorized += 1
        layout = self.layout
        matrix = sparse.csc_array((data, layout.indices, layout.indptr), shape=layout.shape)
        factors = factorize(matrix)
        solution = factors.solve_transposed(rhs) if self.transposed else factors.solve(rhs)
        if not np.all(np.isfinite(solution)):
            raise ConvergenceError(
                "A sampled technosphere matrix is singular; check its uncertainty."
            )
        return solution


def _sensitivity(
    system,
    kept: list[list[NDArray[np.float32]]],
    arrays: tuple[UncertaintyArrays | None, ...],
    scores: NDArray[np.float64],
) -> SensitivityResult:
    names: list[str] = []
    blocks: list[NDArray[np.float32]] = []
    sources = (
        ("technosphere", system.technosphere_entries),
        ("biosphere", system.biosphere_entries),
    )
    for index, (store, uncertainty) in enumerate(zip(kept, arrays, strict=True)):
        if uncertainty is None or not store:
            continue
        chosen = np.flatnonzero(uncertainty.uncertainty_type >= 2)
        blocks.append(np.concatenate(store, axis=0))
        for i in chosen:
            if index < 2:
                kind, entries = sources[index]
                names.append(_entry_name(system, kind, entries, int(i)))
            else:
                label = system.flow_labels[i] if system.flow_labels else f"#{i}"
                names.append(f"characterization factor of {label}")
    samples = np.concatenate(blocks, axis=1) if blocks else np.zeros((scores.size, 0), np.float32)
    return spearman_shares(samples, scores, names)


def _entry_name(system, kind: str, entries: MatrixEntries, i: int) -> str:
    row, col = int(entries.rows[i]), int(entries.cols[i])
    process = system.process_labels[col] if system.process_labels else f"#{col}"
    if kind == "technosphere":
        source = system.process_labels[row] if system.process_labels else f"#{row}"
        return f"{source} → {process}" if row != col else f"production of {process}"
    flow = system.flow_labels[row] if system.flow_labels else f"#{row}"
    return f"{flow} from {process}"
