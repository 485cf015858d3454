"""A product model with an LCI release as its background: one system, one set of matrices.

A foreground process may take any product of an imported release as an input. The combined
technosphere matrix holds the foreground block, the whole release's block below it and the
links between them; the release's greenhouse-gas inventories become extra biosphere rows (one
per gas). So the footprint, contribution analysis and supply-chain paths reach into the
background's processes, not only its aggregated factors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pcfhub.calc import ProductSystem
from pcfhub.errors import InvalidInputError
from pcfhub.factors import gwp
from pcfhub.lci.matrices import ReleaseMatrices

BACKGROUND_GROUP = "background"
BIOGENIC_GASES = frozenset({"co2_biogenic_emission", "co2_biogenic_removal", "ch4_non_fossil"})


@dataclass(frozen=True)
class Background:
    """A release's matrices with what a model needs to name and convert its products."""

    name: str  # "USLCI FY17"
    matrices: ReleaseMatrices
    labels: tuple[str, ...]  # per product: "process [product]"
    units: tuple[str, ...]  # per product: its reference unit

    def product(self, process_id: str, flow_id: str | None = None) -> int:
        """The column of a process's product (its only one, or the one named by ``flow_id``)."""
        found = [
            i for i, (process, flow) in enumerate(self.matrices.products)
            if process == process_id and (flow_id is None or flow == flow_id)
        ]  # fmt: skip
        if len(found) != 1:
            what = "no product" if not found else f"{len(found)} products; name one with product"
            raise InvalidInputError(f"lci: {self.name} process {process_id!r} has {what}.")
        return found[0]


@dataclass(frozen=True)
class BackgroundInput:
    """A foreground process (column) takes ``amount`` of a background product (column)."""

    process: int
    product: int
    amount: float


def attach(
    foreground: ProductSystem,
    background: Background,
    inputs: Sequence[BackgroundInput],
    *,
    gwp_set: str = "AR6",
) -> ProductSystem:
    """The foreground and the whole background release as one `ProductSystem`."""
    n_fg, n_flows = foreground.n_processes, foreground.n_flows
    tech, bio = foreground.technosphere_entries, foreground.biosphere_entries
    t_rows, t_cols, t_vals = (np.asarray(a) for a in background.matrices.technosphere)
    g_rows, g_cols, g_vals = (np.asarray(a) for a in background.matrices.gas_inventories)
    link_rows = np.array([n_fg + i.product for i in inputs], dtype=np.int64)
    link_cols = np.array([i.process for i in inputs], dtype=np.int64)
    link_vals = np.array([-i.amount for i in inputs], dtype=np.float64)
    weights = gwp.gwp100(gwp_set)
    gases = background.matrices.gases
    gas_weight = [-weights[g] if g in gwp.REMOVALS else weights[g] for g in gases]
    fg_labels = foreground.process_labels or tuple(f"process {j}" for j in range(n_fg))
    fg_flows = foreground.flow_labels or tuple(f"flow {i}" for i in range(n_flows))
    fg_origins = foreground.flow_origins or (None,) * n_flows
    fg_groups = foreground.process_groups or ("unspecified",) * n_fg
    return ProductSystem.from_arrays(
        technosphere=(
            np.concatenate([tech.rows, t_rows + n_fg, link_rows]),
            np.concatenate([tech.cols, t_cols + n_fg, link_cols]),
            np.concatenate([tech.values, t_vals, link_vals]),
        ),
        biosphere=(
            np.concatenate([bio.rows, g_rows + n_flows]),
            np.concatenate([bio.cols, g_cols + n_fg]),
            np.concatenate([bio.values, g_vals]),
        ),
        characterization=np.concatenate([foreground.characterization, gas_weight]),
        n_processes=n_fg + background.matrices.size,
        n_flows=n_flows + len(gases),
        process_labels=[*fg_labels, *background.labels],
        flow_labels=[*fg_flows, *(f"{gas} ({background.name})" for gas in gases)],
        flow_origins=[*fg_origins,
                      *("biogenic" if g in BIOGENIC_GASES else "fossil" for g in gases)],
        process_groups=[*fg_groups, *(BACKGROUND_GROUP,) * background.matrices.size],
    )  # fmt: skip
