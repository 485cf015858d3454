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

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from pcfhub.calc.matrices import MatrixEntries, entry_slots
from pcfhub.calc.sensitivity import SensitivityResult, spearman_shares
from pcfhub.calc.solver import factorize
from pcfhub.calc.system import Demand, Lca
from pcfhub.calc.uncertainty import UncertaintyArrays
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


@dataclass
class _Layout:
    """Where sampled entries land in the data arrays of A and B."""

    tech_slots: NDArray[np.int64]
    tech_is_permutation: bool
    diagonal: NDArray[np.int64]
    bio_slots: NDArray[np.int64]
    bio_is_permutation: bool
    bio_rows: NDArray[np.int64]
    bio_cols: NDArray[np.int64]


def _layout(lca: Lca) -> _Layout:
    system = lca.system
    a, b = system.technosphere_matrix, system.biosphere_matrix
    tech_slots = entry_slots(a, system.technosphere_entries)
    n = system.n_processes
    diagonal = entry_slots(a, MatrixEntries.of(np.arange(n), np.arange(n), np.ones(n), name="d"))
    bio_slots = entry_slots(b, system.biosphere_entries)
    coo_rows = np.repeat(np.arange(b.shape[0]), np.diff(b.indptr))
    return _Layout(
        tech_slots=tech_slots,
        tech_is_permutation=_is_permutation(tech_slots, a.nnz),
        diagonal=diagonal,
        bio_slots=bio_slots,
        bio_is_permutation=_is_permutation(bio_slots, b.nnz),
        bio_rows=coo_rows.astype(np.int64),
        bio_cols=b.indices.astype(np.int64),
    )


def _is_permutation(slots: NDArray[np.int64], size: int) -> bool:
    return slots.size == size and np.array_equal(np.sort(slots), np.arange(size))


def _scatter(
    values: NDArray[np.float64], slots: NDArray[np.int64], size: int, direct: bool
) -> NDArray[np.float64]:
    """Matrix data (count × nnz) from sampled entries (count × entries), summing duplicates."""
    if direct:
        data = np.empty((values.shape[0], size))
        data[:, slots] = values
        return data
    summing = sparse.csr_array(
        (np.ones(slots.size), (np.arange(slots.size), slots)), shape=(slots.size, size)
    )
    return np.asarray((summing.T @ values.T).T)


def _block_diagonal(matrix: sparse.csc_array, data: NDArray[np.float64]) -> sparse.csc_array:
    """One block-diagonal matrix holding a sampled copy of ``matrix`` per row of ``data``."""
    count, nnz = data.shape
    n = matrix.shape[0]
    offsets = np.arange(count, dtype=np.int64)
    indices = (matrix.indices[None, :].astype(np.int64) + n * offsets[:, None]).ravel()
    indptr = np.append((matrix.indptr[:-1][None, :] + nnz * offsets[:, None]).ravel(), count * nnz)
    return sparse.csc_array((data.ravel(), indices, indptr), shape=(count * n, count * n))


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
    rtol: float = 1e-10,
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
    for name, arrays, expected in (
        ("technosphere", technosphere, len(system.technosphere_entries)),
        ("biosphere", biosphere, len(system.biosphere_entries)),
        ("characterization", characterization, system.n_flows),
    ):
        if arrays is not None and len(arrays) != expected:
            raise InvalidUncertaintyError(
                f"The {name} uncertainty has {len(arrays)} entries; the system has {expected}."
            )
    rng = np.random.default_rng(seed)
    layout = _layout(lca)
    f = system.demand_array(demand)
    a0, b0 = system.technosphere_matrix, system.biosphere_matrix
    d0 = a0.diagonal()
    origins = system.origin_masks()
    x0 = lca.factorization.solve(f)

    scores = np.empty(iterations)
    by_origin = {o: np.empty(iterations) for o in origins}
    process_scores = np.empty((iterations, system.n_processes)) if all_processes else None
    kept: list[list[NDArray[np.float32]]] = [[], [], []]
    sweeps_total, refactorized = 0, 0
    done = 0
    while done < iterations:
        count = min(chunk_size, iterations - done)
        tech_values = (
            technosphere.sample(system.technosphere_entries.values, rng, count)
            if technosphere is not None
            else np.broadcast_to(
                system.technosphere_entries.values, (count, len(layout.tech_slots))
            )
        )
        bio_values = (
            biosphere.sample(system.biosphere_entries.values, rng, count)
            if biosphere is not None
            else np.broadcast_to(system.biosphere_entries.values, (count, len(layout.bio_slots)))
        )
        c_values = (
            characterization.sample(system.characterization, rng, count)
            if characterization is not None
            else np.broadcast_to(system.characterization, (count, system.n_flows))
        )
        if sensitivity:
            for store, arrays, values in zip(
                kept,
                (technosphere, biosphere, characterization),
                (tech_values, bio_values, c_values),
                strict=True,
            ):
                if arrays is not None:
                    store.append(values[:, arrays.uncertainty_type >= 2].astype(np.float32))
        a_data = _scatter(tech_values, layout.tech_slots, a0.nnz, layout.tech_is_permutation)
        b_data = _scatter(bio_values, layout.bio_slots, b0.nnz, layout.bio_is_permutation)
        ratio = d0 / a_data[:, layout.diagonal]
        chunk = slice(done, done + count)
        if all_processes:
            # Bᵀc per iteration: each B entry (flow r, process j) adds B·c[r] to process j.
            weighted = b_data * c_values[:, layout.bio_rows]
            rhs = np.zeros((count, system.n_processes))
            np.add.at(rhs.T, layout.bio_cols, weighted.T)
            lam, sweeps, fresh = _solve_chunk(
                lca, a0, a_data, ratio, rhs, None, rtol, max_sweeps, method, transposed=True
            )
            process_scores[chunk] = lam
            scores[chunk] = lam @ f
        else:
            rhs = np.broadcast_to(f, (count, system.n_processes))
            x, sweeps, fresh = _solve_chunk(
                lca, a0, a_data, ratio, rhs, x0, rtol, max_sweeps, method, transposed=False
            )
            inventory = np.zeros((count, system.n_flows))
            np.add.at(inventory.T, layout.bio_rows, (b_data * x[:, layout.bio_cols]).T)
            by_flow = inventory * c_values
            scores[chunk] = by_flow.sum(axis=1)
            for origin, mask in origins.items():
                by_origin[origin][chunk] = by_flow @ mask
        sweeps_total += sweeps
        refactorized += fresh
        done += count
        if progress is not None:
            progress(done, iterations)

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
        sweeps=sweeps_total,
        refactorized=refactorized,
        method=method,
    )


def _solve_chunk(
    lca: Lca,
    a0: sparse.csc_array,
    a_data: NDArray[np.float64],
    ratio: NDArray[np.float64],
    rhs: NDArray[np.float64],
    start: NDArray[np.float64] | None,
    rtol: float,
    max_sweeps: int,
    method: str,
    *,
    transposed: bool,
) -> tuple[NDArray[np.float64], int, int]:
    """Solve A_s x_s = rhs_s (or A_sᵀ) for every iteration s of a chunk (rows of the arrays).

    Returns the solutions, the number of sweeps, and how many iterations needed their own LU.
    """
    count, n = rhs.shape
    if method == "exact":
        solutions = np.empty((count, n))
        for s in range(count):
            solutions[s] = _exact(a0, a_data[s], rhs[s], transposed=transposed)
        return solutions, 0, count

    factorization = lca.factorization
    big = _block_diagonal(a0, a_data)
    operator = big.T if transposed else big

    def precondition(residual: NDArray[np.float64]) -> NDArray[np.float64]:
        if transposed:
            return factorization.solve_transposed(np.ascontiguousarray((ratio * residual).T)).T
        return ratio * factorization.solve(np.ascontiguousarray(residual.T)).T

    # The preconditioned demand; for one shared demand that is ratio · x₀, with no solve.
    x = ratio * start if start is not None else precondition(rhs)
    active = np.ones(count, dtype=bool)
    previous = np.full(count, np.inf)
    sweeps = 0
    for sweeps in range(1, max_sweeps + 1):
        residual = rhs - (operator @ x.ravel()).reshape(count, n)
        update = precondition(residual)
        size = np.abs(update).max(axis=1)
        update[~active] = 0.0
        x += update
        scale = np.abs(x).max(axis=1)
        converged = size <= rtol * np.where(scale > 0, scale, 1.0)
        stalled = active & ~converged & (size > 0.7 * previous)
        for s in np.flatnonzero(stalled):
            x[s] = _exact(a0, a_data[s], rhs[s], transposed=transposed)
        active &= ~(converged | stalled)
        previous = size
        if not active.any():
            return x, sweeps, int(stalled.sum())
    stuck = np.flatnonzero(active)
    for s in stuck:
        x[s] = _exact(a0, a_data[s], rhs[s], transposed=transposed)
    return x, sweeps, int(stuck.size)


def _exact(
    a0: sparse.csc_array, data: NDArray[np.float64], rhs: NDArray[np.float64], *, transposed: bool
) -> NDArray[np.float64]:
    """Solve one sampled system with its own factorization."""
    matrix = sparse.csc_array((data, a0.indices, a0.indptr), shape=a0.shape)
    factors = factorize(matrix)
    solution = factors.solve_transposed(rhs) if transposed else factors.solve(rhs)
    if not np.all(np.isfinite(solution)):
        raise ConvergenceError("A sampled technosphere matrix is singular; check its uncertainty.")
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
