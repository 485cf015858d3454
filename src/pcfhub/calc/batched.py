"""Solving the sampled systems of a Monte Carlo chunk together.

The iterations of a chunk are solved by a fixed-point iteration preconditioned with the
deterministic factors of A₀, scaled by the sampled production amounts D:

    X ← X + D₀ D_s⁻¹ A₀⁻¹ (F − A_s X)

The residuals of all iterations are one product with a block-diagonal matrix (in two
threads; scipy's sparse products release the GIL), and A₀⁻¹ is applied to all right-hand
sides at once. An iteration whose update stops shrinking is solved with its own factors.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from pcfhub.calc.matrices import MatrixEntries, entry_slots
from pcfhub.calc.solver import factorize
from pcfhub.calc.system import Lca
from pcfhub.errors import ConvergenceError


def slots_of_diagonal(matrix: sparse.csr_array | sparse.csc_array) -> NDArray[np.int64]:
    n = matrix.shape[0]
    every = np.arange(n)
    return entry_slots(matrix, MatrixEntries.of(every, every, np.ones(n), name="diagonal"))


class Summation:
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


class BlockDiagonal:
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


class ChunkSolver:
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
        self.blocks = BlockDiagonal(layout.indptr, layout.indices, layout.shape[0])
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
