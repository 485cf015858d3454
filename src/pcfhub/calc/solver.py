"""Sparse LU of the technosphere matrix in block-triangular order, factorized once.

Supply chains are mostly acyclic: a loop (electricity needs coal, coal needs electricity)
ties a few hundred processes into one strongly connected core, and everything else hangs
off it. Ordering the processes by strongly connected components (consumers before their
suppliers) makes A block lower-triangular; SuperLU with that ordering fills in only inside
the loops. General orderings (COLAMD, or PARDISO's nested dissection of A + Aᵀ) scatter the
core's fill over every column that uses a hub, which made them 30x slower on the benchmark
systems (docs/performance.md).

Solver choice, made once here: SuperLU with block-triangular ordering; if the components do
not come out in topological order (which scipy's algorithm guarantees today), SuperLU with
its own COLAMD ordering. UMFPACK (scikit-umfpack) has no wheel for this platform, and
pypardiso was slower on every benchmark system, so neither is used by the core.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse import csgraph
from scipy.sparse.linalg import SuperLU, splu

from pcfhub.calc.matrices import name_items
from pcfhub.errors import SingularSystemError

SOLVER = "superlu-btf"
FALLBACK_SOLVER = "superlu-colamd"
# Prefer the production amount (the diagonal) as pivot unless it is a thousandth of the
# largest entry in its column: keeps the block-triangular structure free of fill-in.
_DIAGONAL_PIVOT_THRESHOLD = 1e-3
# Largest loop block tested for singularity with a dense rank computation.
_DENSE_CHECK_LIMIT = 3000


@dataclass(frozen=True)
class Factorization:
    """LU factors of the technosphere matrix A, reusable for any number of solves.

    ``order[k]`` is the process at position ``k`` of the permuted matrix; ``lu`` factorizes
    ``A[order][:, order]``.
    """

    order: NDArray[np.int64]
    lu: SuperLU
    solver: str
    loop_sizes: NDArray[np.int64]

    @property
    def size(self) -> int:
        return int(self.order.size)

    def solve(self, rhs: NDArray[np.float64]) -> NDArray[np.float64]:
        """Solve ``A x = rhs``; ``rhs`` is one vector or a matrix with one demand per column."""
        solution = np.empty_like(rhs, dtype=np.float64)
        solution[self.order] = self.lu.solve(np.ascontiguousarray(rhs[self.order]))
        return solution

    def solve_transposed(self, rhs: NDArray[np.float64]) -> NDArray[np.float64]:
        """Solve ``Aᵀ y = rhs`` with the same factors (the adjoint, for all processes)."""
        solution = np.empty_like(rhs, dtype=np.float64)
        solution[self.order] = self.lu.solve(np.ascontiguousarray(rhs[self.order]), trans="T")
        return solution

    @property
    def fill(self) -> int:
        """Stored entries of L and U: a measure of the work per solve."""
        return int(self.lu.L.nnz + self.lu.U.nnz)


def block_triangular_order(
    technosphere: sparse.csc_array,
) -> tuple[NDArray[np.int64], NDArray[np.int64]] | None:
    """Processes ordered so that A is block lower-triangular, and the sizes of the loops.

    Returns None if the strongly connected components are not in topological order.
    """
    n_components, labels = csgraph.connected_components(
        technosphere, directed=True, connection="strong"
    )
    coo = technosphere.tocoo()
    between = labels[coo.row] != labels[coo.col]
    # An input (supplier row r, consumer column c) must come after its consumer.
    if np.any(labels[coo.row[between]] < labels[coo.col[between]]):
        return None
    order = np.argsort(labels, kind="stable").astype(np.int64)
    sizes = np.bincount(labels, minlength=n_components)
    return order, np.sort(sizes[sizes > 1])[::-1].astype(np.int64)


def factorize(
    technosphere: sparse.csc_array, *, labels: Sequence[str] | None = None
) -> Factorization:
    """Factorize A once. Raises :class:`SingularSystemError` naming the processes at fault."""
    ordering = block_triangular_order(technosphere)
    try:
        if ordering is not None:
            order, loop_sizes = ordering
            permuted = sparse.csc_matrix(technosphere[order][:, order])
            lu = splu(
                permuted,
                permc_spec="NATURAL",
                diag_pivot_thresh=_DIAGONAL_PIVOT_THRESHOLD,
            )
            return Factorization(order=order, lu=lu, solver=SOLVER, loop_sizes=loop_sizes)
        order = np.arange(technosphere.shape[0], dtype=np.int64)
        lu = splu(sparse.csc_matrix(technosphere), permc_spec="COLAMD")
        return Factorization(
            order=order, lu=lu, solver=FALLBACK_SOLVER, loop_sizes=np.zeros(0, dtype=np.int64)
        )
    except RuntimeError as error:
        raise SingularSystemError(_singular_message(technosphere, labels)) from error


def _singular_message(technosphere: sparse.csc_array, labels: Sequence[str] | None) -> str:
    """Name the loops whose block of A is singular (they only consume each other)."""
    n_components, component = csgraph.connected_components(
        technosphere, directed=True, connection="strong"
    )
    culprits: list[int] = []
    for label in np.flatnonzero(np.bincount(component, minlength=n_components) > 1):
        members = np.flatnonzero(component == label)
        if members.size > _DENSE_CHECK_LIMIT:
            culprits.extend(members.tolist())
            continue
        block = technosphere[members][:, members].toarray()
        if np.linalg.matrix_rank(block) < members.size:
            culprits.extend(members.tolist())
    where = (
        f"the loop of {name_items(np.array(culprits), labels, 'process')}"
        if culprits
        else "the technosphere matrix"
    )
    return (
        f"The product system cannot be solved: {where} is singular, so no finite amount of "
        "these processes meets the demand. Usually a loop consumes at least as much of a "
        "product as it makes; check the input amounts and units around these processes."
    )
