"""A :class:`~pcfhub.calc.ProductSystem` as a Brightway (bw_processing) datapackage.

Used to cross-check pcfhub against bw2calc and to hand a system to Brightway users. Needs the
optional packages ``bw_processing`` (and ``bw2calc`` to calculate): ``pip install pcfhub[dev]``.
Processes get Brightway ids ``PROCESS_ID_OFFSET + index`` and flows ``FLOW_ID_OFFSET + index``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pcfhub.calc import ProductSystem
from pcfhub.calc.uncertainty import UncertaintyArrays

PROCESS_ID_OFFSET = 1
FLOW_ID_OFFSET = 10_000_000
IMPACT_CATEGORY = ("pcfhub", "GWP100")


def _indices(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    import bw_processing as bwp

    array = np.empty(rows.size, dtype=bwp.INDICES_DTYPE)
    array["row"] = rows
    array["col"] = cols
    return array


def _distributions(values: np.ndarray, uncertainty: UncertaintyArrays | None) -> np.ndarray:
    import bw_processing as bwp

    array = np.zeros(values.size, dtype=bwp.UNCERTAINTY_DTYPE)
    array["loc"] = values
    array["scale"] = np.nan
    array["shape"] = np.nan
    array["minimum"] = np.nan
    array["maximum"] = np.nan
    if uncertainty is not None:
        array["uncertainty_type"] = uncertainty.uncertainty_type
        uncertain = uncertainty.uncertainty_type >= 2
        for name in ("loc", "scale", "minimum", "maximum"):
            array[name] = np.where(uncertain, getattr(uncertainty, name), array[name])
        array["negative"] = uncertainty.negative
    return array


def to_datapackage(
    system: ProductSystem,
    *,
    technosphere: UncertaintyArrays | None = None,
    biosphere: UncertaintyArrays | None = None,
) -> Any:
    """One in-memory datapackage with technosphere, biosphere and characterization vectors."""
    import bw_processing as bwp

    package = bwp.create_datapackage(sum_intra_duplicates=True, sum_inter_duplicates=False)
    tech, bio = system.technosphere_entries, system.biosphere_entries
    package.add_persistent_vector(
        matrix="technosphere_matrix",
        name="pcfhub-technosphere",
        indices_array=_indices(tech.rows + PROCESS_ID_OFFSET, tech.cols + PROCESS_ID_OFFSET),
        data_array=tech.values,
        flip_array=np.zeros(len(tech), dtype=bool),
        distributions_array=_distributions(tech.values, technosphere),
    )
    package.add_persistent_vector(
        matrix="biosphere_matrix",
        name="pcfhub-biosphere",
        indices_array=_indices(bio.rows + FLOW_ID_OFFSET, bio.cols + PROCESS_ID_OFFSET),
        data_array=bio.values,
        distributions_array=_distributions(bio.values, biosphere),
    )
    _add_characterization(package, system)
    return package


def samples_to_datapackage(
    system: ProductSystem,
    technosphere_samples: np.ndarray,
    biosphere_samples: np.ndarray,
) -> Any:
    """A sequential datapackage of Monte Carlo draws: one column per iteration.

    ``technosphere_samples`` is (nnz of A × iterations) in the storage order of
    ``system.technosphere_matrix`` (CSC), ``biosphere_samples`` (nnz of B × iterations) in that
    of ``system.biosphere_matrix`` (CSR), as :func:`pcfhub.calc.montecarlo.sampled_chunks`
    draws them (transposed). bw2calc with ``use_arrays=True`` then reads column k at iteration
    k (and silently wraps around past the last column; it ignores ``sequential`` when a
    ``seed_override`` is given).
    """
    import bw_processing as bwp

    a, b = system.technosphere_matrix, system.biosphere_matrix
    package = bwp.create_datapackage(
        sequential=True, sum_intra_duplicates=False, sum_inter_duplicates=False
    )
    a_cols = np.repeat(np.arange(a.shape[1]), np.diff(a.indptr))
    package.add_persistent_array(
        matrix="technosphere_matrix",
        name="pcfhub-technosphere-draws",
        indices_array=_indices(a.indices + PROCESS_ID_OFFSET, a_cols + PROCESS_ID_OFFSET),
        data_array=np.ascontiguousarray(technosphere_samples),
        flip_array=np.zeros(a.nnz, dtype=bool),  # the draws carry their signs
    )
    b_rows = np.repeat(np.arange(b.shape[0]), np.diff(b.indptr))
    package.add_persistent_array(
        matrix="biosphere_matrix",
        name="pcfhub-biosphere-draws",
        indices_array=_indices(b_rows + FLOW_ID_OFFSET, b.indices + PROCESS_ID_OFFSET),
        data_array=np.ascontiguousarray(biosphere_samples),
        flip_array=np.zeros(b.nnz, dtype=bool),
    )
    _add_characterization(package, system)
    return package


def _add_characterization(package: Any, system: ProductSystem) -> None:
    flows = np.arange(system.n_flows)
    package.add_persistent_vector(
        matrix="characterization_matrix",
        name="pcfhub-characterization",
        identifier=list(IMPACT_CATEGORY),
        indices_array=_indices(flows + FLOW_ID_OFFSET, np.zeros(flows.size, dtype=np.int64)),
        data_array=system.characterization.copy(),
    )


def process_id(index: int) -> int:
    """The Brightway id of process ``index``."""
    return PROCESS_ID_OFFSET + int(index)
