"""Build and check the technosphere, biosphere and characterization arrays.

Inputs are (row, col, value) index arrays, as bw2calc and bw_processing use them; duplicate
entries are summed. Every check names the processes or flows at fault, by label when labels
are given, so that a modeller can find them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from pcfhub.errors import InvalidMatrixError, NoProductionError

_MAX_NAMED = 10


@dataclass(frozen=True)
class MatrixEntries:
    """Coordinates and values of a sparse matrix, in the order the caller gave them."""

    rows: NDArray[np.int64]
    cols: NDArray[np.int64]
    values: NDArray[np.float64]

    @classmethod
    def of(cls, rows: ArrayLike, cols: ArrayLike, values: ArrayLike, *, name: str) -> MatrixEntries:
        """Check shapes and types, and return the entries as contiguous arrays."""
        arrays = []
        for label, raw in (("rows", rows), ("cols", cols), ("values", values)):
            array = np.asarray(raw)
            if array.ndim != 1:
                raise InvalidMatrixError(
                    f"{name} {label} must be a one-dimensional array; got shape {array.shape}."
                )
            arrays.append(array)
        r, c, v = arrays
        if not (len(r) == len(c) == len(v)):
            raise InvalidMatrixError(
                f"{name} rows, cols and values must have the same length; got {len(r)}, "
                f"{len(c)} and {len(v)}."
            )
        for label, array in (("rows", r), ("cols", c)):
            if array.size and not _whole_numbers(array):
                raise InvalidMatrixError(f"{name} {label} must hold whole-number indices.")
        if v.size and not np.issubdtype(v.dtype, np.number):
            raise InvalidMatrixError(f"{name} values must be numbers; got dtype {v.dtype}.")
        return cls(
            rows=np.ascontiguousarray(r, dtype=np.int64),
            cols=np.ascontiguousarray(c, dtype=np.int64),
            values=np.ascontiguousarray(v, dtype=np.float64),
        )

    def __len__(self) -> int:
        return int(self.values.size)


def _whole_numbers(array: np.ndarray) -> bool:
    if np.issubdtype(array.dtype, np.integer):
        return True
    if not np.issubdtype(array.dtype, np.floating):
        return False
    return bool(np.all(np.isfinite(array)) and np.all(np.mod(array, 1) == 0))


def name_items(indices: ArrayLike, labels: Sequence[str] | None, kind: str) -> str:
    """A readable list of items: their labels (or indices), at most ten and a count of the rest."""
    unique = [int(i) for i in np.unique(np.asarray(indices, dtype=np.int64))]
    shown = [
        f"{labels[i]!r} (#{i})" if labels is not None and 0 <= i < len(labels) else f"#{i}"
        for i in unique[:_MAX_NAMED]
    ]
    rest = f" and {len(unique) - _MAX_NAMED} more" if len(unique) > _MAX_NAMED else ""
    noun = kind if len(unique) == 1 else f"{kind}es" if kind.endswith("s") else f"{kind}s"
    return f"{noun} {', '.join(shown)}{rest}"


def _check_entries(
    entries: MatrixEntries,
    shape: tuple[int, int],
    *,
    name: str,
    col_labels: Sequence[str] | None,
    row_kind: str,
) -> None:
    n_rows, n_cols = shape
    for axis, indices, size, kind in (
        ("row", entries.rows, n_rows, row_kind),
        ("column", entries.cols, n_cols, "process"),
    ):
        bad = np.flatnonzero((indices < 0) | (indices >= size))
        if bad.size:
            raise InvalidMatrixError(
                f"{name} has {bad.size} entries whose {axis} index is outside 0..{size - 1} "
                f"(the number of {kind}es is {size}); first at entry {int(bad[0])} with index "
                f"{int(indices[bad[0]])}. Check the index arrays against the {kind} list."
            )
    bad = np.flatnonzero(~np.isfinite(entries.values))
    if bad.size:
        raise InvalidMatrixError(
            f"{name} holds {bad.size} values that are NaN or infinite, in "
            f"{name_items(entries.cols[bad], col_labels, 'process')}; first at entry "
            f"{int(bad[0])}. Replace them with measured or estimated amounts."
        )


def build_technosphere(
    entries: MatrixEntries, n_processes: int, *, labels: Sequence[str] | None = None
) -> sparse.csc_array:
    """The square technosphere matrix A: production on the diagonal, inputs negative.

    Raises :class:`NoProductionError` when a process's diagonal sums to zero or is missing.
    """
    if n_processes <= 0:
        raise InvalidMatrixError("A product system needs at least one process.")
    _check_entries(
        entries,
        (n_processes, n_processes),
        name="Technosphere",
        col_labels=labels,
        row_kind="process",
    )
    matrix = sparse.csc_array(
        (entries.values, (entries.rows, entries.cols)), shape=(n_processes, n_processes)
    )
    matrix.sum_duplicates()
    diagonal = matrix.diagonal()
    missing = np.flatnonzero(diagonal == 0)
    if missing.size:
        raise NoProductionError(
            f"The technosphere matrix has no production on the diagonal for "
            f"{name_items(missing, labels, 'process')}. Every process must produce a non-zero "
            "amount of its reference product; add the reference exchange or remove the process."
        )
    return matrix


def build_biosphere(
    entries: MatrixEntries,
    n_flows: int,
    n_processes: int,
    *,
    flow_labels: Sequence[str] | None = None,
    process_labels: Sequence[str] | None = None,
) -> sparse.csr_array:
    """The biosphere matrix B (flows × processes): emissions positive, uptakes negative."""
    if n_flows <= 0:
        raise InvalidMatrixError("A product system needs at least one elementary flow (gas).")
    _check_entries(
        entries,
        (n_flows, n_processes),
        name="Biosphere",
        col_labels=process_labels,
        row_kind="flow",
    )
    matrix = sparse.csr_array(
        (entries.values, (entries.rows, entries.cols)), shape=(n_flows, n_processes)
    )
    matrix.sum_duplicates()
    return matrix


def build_characterization(
    flow_indices: ArrayLike,
    values: ArrayLike,
    n_flows: int,
    *,
    flow_labels: Sequence[str] | None = None,
) -> NDArray[np.float64]:
    """The characterization vector c (one factor per flow, e.g. GWP100); unlisted flows are 0."""
    indices = np.asarray(flow_indices)
    factors = np.asarray(values, dtype=np.float64)
    if indices.ndim != 1 or factors.ndim != 1 or indices.size != factors.size:
        raise InvalidMatrixError(
            "Characterization needs two one-dimensional arrays of equal length (flow indices "
            f"and factors); got shapes {indices.shape} and {factors.shape}."
        )
    indices = indices.astype(np.int64)
    bad = np.flatnonzero((indices < 0) | (indices >= n_flows))
    if bad.size:
        raise InvalidMatrixError(
            f"Characterization refers to flow index {int(indices[bad[0]])}, "
            f"outside 0..{n_flows - 1}."
        )
    bad = np.flatnonzero(~np.isfinite(factors))
    if bad.size:
        raise InvalidMatrixError(
            f"Characterization factors for {name_items(indices[bad], flow_labels, 'flow')} are "
            "NaN or infinite."
        )
    vector = np.zeros(n_flows)
    np.add.at(vector, indices, factors)
    return vector


def entry_slots(
    matrix: sparse.csc_array | sparse.csr_array, entries: MatrixEntries
) -> NDArray[np.int64]:
    """For each input entry, the position in ``matrix.data`` that it was summed into.

    Monte Carlo draws new values per input entry; ``np.bincount(slots, sampled)`` then gives
    the matrix data without rebuilding the sparse structure.
    """
    by_column = isinstance(matrix, sparse.csc_array)
    n_major, n_minor = (matrix.shape[1], matrix.shape[0]) if by_column else matrix.shape
    major, minor = (entries.cols, entries.rows) if by_column else (entries.rows, entries.cols)
    # sum_duplicates() sorted the indices, so these keys increase along matrix.data.
    keys = np.repeat(np.arange(n_major, dtype=np.int64), np.diff(matrix.indptr)) * n_minor
    keys += matrix.indices
    return np.searchsorted(keys, major * n_minor + minor)
