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
    flows = np.arange(system.n_flows)
    package.add_persistent_vector(
        matrix="characterization_matrix",
        name="pcfhub-characterization",
        identifier=list(IMPACT_CATEGORY),
        indices_array=_indices(flows + FLOW_ID_OFFSET, np.zeros(flows.size, dtype=np.int64)),
        data_array=system.characterization.copy(),
    )
    return package


def process_id(index: int) -> int:
    """The Brightway id of process ``index``."""
    return PROCESS_ID_OFFSET + int(index)
