"""LU factors of the technosphere matrix in block-triangular order, computed once.

Supply chains are mostly acyclic: loops (electricity needs coal, coal needs electricity) tie a
few hundred processes into one strongly connected core, and everything else hangs off it.
Ordering the processes by strongly connected components (consumers before their suppliers)
makes A block lower-triangular:

    A = [[A₁₁, 0, 0], [A₂₁, K, 0], [A₃₁, A₃₂, A₃₃]]

where K is the largest loop and A₁₁, A₃₃ hold only small loops. A₁₁ and A₃₃ are factorized
by SuperLU in that order, which leaves them free of fill-in; K, dense by nature, by LAPACK,
whose blocked kernels solve many right-hand sides at once at full speed. Solving is block
forward substitution (backward for Aᵀ). General orderings (COLAMD, or PARDISO's nested
dissection of A + Aᵀ) spread the core's fill over every column that uses a hub, which made
them 30× slower on the benchmark systems (docs/performance.md).

Solver choice, made once here: this block-triangular LU (``SOLVER``). When the loop is small
(or too large to hold dense) the whole matrix goes to SuperLU in block-triangular order; when
the components do not come out in topological order (scipy's algorithm guarantees that they
do) SuperLU with its own COLAMD ordering (``FALLBACK_SOLVER``). UMFPACK (scikit-umfpack) has
no wheel for this platform and PARDISO (pypardiso) was slower on every benchmark system, so
the core uses neither.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.linalg
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse import csgraph
from scipy.sparse.linalg import SuperLU, splu

from pcfhub.calc.matrices import name_items
from pcfhub.errors import SingularSystemError

SOLVER = "block-triangular LU (SuperLU + LAPACK dense core)"
FALLBACK_SOLVER = "SuperLU (COLAMD)"
# Prefer the production amount (the diagonal) as pivot unless it is a thousandth of the
# largest entry in its column: keeps the block-triangular structure free of fill-in.
_DIAGONAL_PIVOT_THRESHOLD = 1e-3
# A loop of this many processes or more is factorized as a dense block ...
_DENSE_CORE_MIN = 64
# ... unless it is this large (8 bytes × 5000² = 200 MB).
_DENSE_CORE_MAX = 5000
# Largest loop tested for singularity with a dense rank computation.
_DENSE_CHECK_LIMIT = 3000


def _sparse_lu(matrix: sparse.csc_array | sparse.csc_matrix, natural: bool = True) -> SuperLU:
    if natural:
        return splu(
            sparse.csc_matrix(matrix),
            permc_spec="NATURAL",
            diag_pivot_thresh=_DIAGONAL_PIVOT_THRESHOLD,
        )
    return splu(sparse.csc_matrix(matrix), permc_spec="COLAMD")


@dataclass(frozen=True)
class Factorization:
    """Factors of A, reusable for any number of solves of A x = b and Aᵀ y = c.

    ``order[k]`` is the process at position k of the permuted matrix. Positions ``[0, a)``
    and ``[b, n)`` are factorized sparse (``head``, ``tail``), ``[a, b)`` dense (``core``);
    without a dense core, ``a == b == n`` and ``head`` covers the whole matrix.
    """

    order: NDArray[np.int64]
    head: SuperLU | None
    core: tuple[NDArray[np.float64], NDArray[np.int32]] | None
    tail: SuperLU | None
    couplings: tuple[sparse.csr_array, sparse.csr_array, sparse.csr_array] | None
    bounds: tuple[int, int]
    solver: str
    loop_sizes: NDArray[np.int64]

    @property
    def size(self) -> int:
        return int(self.order.size)

    @property
    def fill(self) -> int:
        """Stored entries of the factors: a measure of the work per solve."""
        total = sum(int(lu.L.nnz + lu.U.nnz) for lu in (self.head, self.tail) if lu is not None)
        if self.core is not None:
            total += int(self.core[0].size)
        return total

    def solve(self, rhs: NDArray[np.float64]) -> NDArray[np.float64]:
        """Solve ``A x = rhs``; ``rhs`` is one vector or a matrix with one demand per column."""
        head, core, tail = self._gather(rhs)
        x1 = _lu_solve(self.head, head, transposed=False)
        if self.core is None or self.couplings is None:
            return self._scatter(rhs, x1)
        a21, a31, a32 = self.couplings
        x2 = scipy.linalg.lu_solve(self.core, _minus(core, a21, x1), check_finite=False)
        x3 = _lu_solve(self.tail, _minus(_minus(tail, a31, x1), a32, x2), transposed=False)
        return self._scatter(rhs, x1, x2, x3)

    def solve_transposed(self, rhs: NDArray[np.float64]) -> NDArray[np.float64]:
        """Solve ``Aᵀ y = rhs`` with the same factors (the adjoint, for all processes)."""
        head, core, tail = self._gather(rhs)
        if self.core is None or self.couplings is None:
            return self._scatter(rhs, _lu_solve(self.head, head, transposed=True))
        a21, a31, a32 = self.couplings
        y3 = _lu_solve(self.tail, tail, transposed=True)
        y2 = scipy.linalg.lu_solve(self.core, _minus(core, a32.T, y3), trans=1, check_finite=False)
        y1 = _lu_solve(self.head, _minus(_minus(head, a21.T, y2), a31.T, y3), transposed=True)
        return self._scatter(rhs, y1, y2, y3)

    def _gather(self, rhs: NDArray[np.float64]) -> list[NDArray[np.float64]]:
        """The right-hand side split by segment in permuted order, each Fortran-contiguous
        (what SuperLU and LAPACK solve in place)."""
        a, b = self.bounds
        values = np.asarray(rhs, dtype=np.float64)
        parts = (self.order[:a], self.order[a:b], self.order[b:])
        if values.ndim == 1:
            return [values[part] for part in parts]
        # values.T[:, part] is C-ordered (columns × part); its transpose is Fortran-ordered.
        return [values.T[:, part].T for part in parts]

    def _scatter(self, rhs: NDArray[np.float64], *solutions: NDArray[np.float64]) -> NDArray:
        """Put segment solutions back in process order."""
        # Fortran order, so that the transpose callers often take is C-contiguous.
        out = np.empty(np.shape(rhs), dtype=np.float64, order="F")
        a, b = self.bounds
        bounds = ((0, a), (a, b), (b, self.size))
        for (start, end), part in zip(bounds, solutions, strict=False):
            if out.ndim == 1:
                out[self.order[start:end]] = part
            else:
                out.T[:, self.order[start:end]] = part.T
        return out


def _minus(
    values: NDArray[np.float64], coupling: sparse.csr_array, solved: NDArray[np.float64]
) -> NDArray[np.float64]:
    """values − coupling @ solved, skipping empty couplings."""
    if coupling.nnz == 0 or values.shape[0] == 0:
        return values
    return values - coupling @ solved


def _lu_solve(lu: SuperLU | None, rhs: NDArray[np.float64], transposed: bool) -> NDArray:
    if lu is None or rhs.shape[0] == 0:
        return rhs
    return lu.solve(np.asfortranarray(rhs), trans="T" if transposed else "N")


def block_triangular_order(
    technosphere: sparse.csc_array,
) -> tuple[NDArray[np.int64], NDArray[np.int64]] | None:
    """Processes ordered so that A is block lower-triangular, and each one's component.

    Returns None if the strongly connected components are not in topological order.
    """
    _, labels = csgraph.connected_components(technosphere, directed=True, connection="strong")
    coo = technosphere.tocoo()
    between = labels[coo.row] != labels[coo.col]
    # An input (supplier row r, consumer column c) must come after its consumer.
    if np.any(labels[coo.row[between]] < labels[coo.col[between]]):
        return None
    return np.argsort(labels, kind="stable").astype(np.int64), labels.astype(np.int64)


def factorize(
    technosphere: sparse.csc_array, *, labels: Sequence[str] | None = None
) -> Factorization:
    """Factorize A once. Raises :class:`SingularSystemError` naming the processes at fault."""
    n = technosphere.shape[0]
    ordering = block_triangular_order(technosphere)
    try:
        if ordering is None:
            return Factorization(
                order=np.arange(n, dtype=np.int64),
                head=_sparse_lu(technosphere, natural=False),
                core=None,
                tail=None,
                couplings=None,
                bounds=(n, n),
                solver=FALLBACK_SOLVER,
                loop_sizes=np.zeros(0, dtype=np.int64),
            )
        order, component = ordering
        sizes = np.bincount(component)
        loop_sizes = np.sort(sizes[sizes > 1])[::-1].astype(np.int64)
        permuted = sparse.csc_array(technosphere[order][:, order])
        largest = int(np.argmax(sizes))
        if not _DENSE_CORE_MIN <= sizes[largest] <= _DENSE_CORE_MAX:
            return Factorization(
                order=order,
                head=_sparse_lu(permuted),
                core=None,
                tail=None,
                couplings=None,
                bounds=(n, n),
                solver=SOLVER,
                loop_sizes=loop_sizes,
            )
        positions = np.flatnonzero(component[order] == largest)
        a, b = int(positions[0]), int(positions[-1]) + 1
        core = permuted[a:b, a:b].toarray()
        with warnings.catch_warnings():  # a singular core is reported below, by name
            warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
            lu, pivots = scipy.linalg.lu_factor(core, check_finite=False)
        if np.any(np.diag(lu) == 0):
            raise RuntimeError("Factor is exactly singular")
        return Factorization(
            order=order,
            head=_sparse_lu(permuted[:a, :a]) if a > 0 else None,
            core=(lu, pivots),
            tail=_sparse_lu(permuted[b:, b:]) if b < n else None,
            couplings=(
                sparse.csr_array(permuted[a:b, :a]),
                sparse.csr_array(permuted[b:, :a]),
                sparse.csr_array(permuted[b:, a:b]),
            ),
            bounds=(a, b),
            solver=SOLVER,
            loop_sizes=loop_sizes,
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
