"""Monte Carlo on a product system, many iterations solved together.

Each iteration draws every uncertain entry of A, B and c. Instead of a fresh LU per
iteration, the iterations of a chunk are solved together by a preconditioned fixed-point
iteration that reuses the deterministic factorization of A:

    X ← X + D₀ D_s⁻¹ A₀⁻¹ (F − A_s X)

where D is the diagonal (production amounts). Scaling by the sampled production amounts makes
the preconditioner exact for changes of production, so what is left to converge are the
changes of input amounts. Draws come from :mod:`pcfhub.calc.sampling`, the chunk solver from
:mod:`pcfhub.calc.batched`. An iteration whose update does not shrink is solved again with its
own factorization, so every result is an exact solve to the tolerance (``rtol`` on the update,
max-norm).

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

from pcfhub.calc.batched import ChunkSolver, Summation, slots_of_diagonal
from pcfhub.calc.matrices import MatrixEntries
from pcfhub.calc.sampling import SampledChunk, check_alignment, sampled_chunks
from pcfhub.calc.sensitivity import SensitivityResult, spearman_shares
from pcfhub.calc.system import Demand, Lca, ProductSystem
from pcfhub.calc.uncertainty import UncertaintyArrays
from pcfhub.errors import InvalidUncertaintyError

__all__ = [
    "PERCENTILES",
    "MonteCarloResult",
    "SampledChunk",
    "Statistics",
    "monte_carlo",
    "sampled_chunks",
]

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
    check_alignment(system, technosphere, biosphere, characterization)
    f = system.demand_array(demand)
    n = system.n_processes
    # Samples are drawn in the storage order of A (CSC), so forward and adjoint runs with the
    # same seed see the same samples; the CSC arrays of A are also the CSR arrays of Aᵀ.
    layout = system.technosphere_matrix
    b = system.biosphere_matrix
    b_rows = np.repeat(np.arange(b.shape[0]), np.diff(b.indptr))
    b_cols = b.indices.astype(np.int64)
    to_flows, to_processes = Summation(b_rows, system.n_flows), Summation(b_cols, n)
    diagonal = slots_of_diagonal(layout)
    d0 = layout.data[diagonal]
    solver = ChunkSolver(lca, layout, all_processes, rtol, max_sweeps, method)
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
    drawing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pcfhub-draws")
    try:
        done = 0
        for sample in _ahead(chunks, drawing):
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
        drawing.shutdown(cancel_futures=True)

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


def _ahead(chunks: Iterator[SampledChunk], executor: ThreadPoolExecutor) -> Iterator[SampledChunk]:
    """Draw the next chunk in another thread while this one is solved (numpy's generators
    release the GIL); the draws and their order are exactly those of ``chunks``."""
    pending = executor.submit(next, chunks, None)
    while (chunk := pending.result()) is not None:
        pending = executor.submit(next, chunks, None)
        yield chunk


def _sensitivity(
    system: ProductSystem,
    kept: list[list[NDArray[np.float32]]],
    arrays: tuple[UncertaintyArrays | None, ...],
    scores: NDArray[np.float64],
) -> SensitivityResult:
    """Variance shares of every uncertain entry, named by process and flow."""
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


def _entry_name(system: ProductSystem, kind: str, entries: MatrixEntries, i: int) -> str:
    row, col = int(entries.rows[i]), int(entries.cols[i])
    process = system.process_labels[col] if system.process_labels else f"#{col}"
    if kind == "technosphere":
        source = system.process_labels[row] if system.process_labels else f"#{row}"
        return f"{source} → {process}" if row != col else f"production of {process}"
    flow = system.flow_labels[row] if system.flow_labels else f"#{row}"
    return f"{flow} from {process}"
