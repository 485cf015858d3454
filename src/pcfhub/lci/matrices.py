"""A release's linked matrices as bytes (numpy .npz), so that models can link into them later."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pcfhub.lci.footprints import Footprints
from pcfhub.lci.linking import LinkedInventory


@dataclass(frozen=True)
class ReleaseMatrices:
    """A over products (rows, cols, values), the gas inventories per product activity
    (gas rows, product cols, kg), the gases, and each product's (process id, flow id)."""

    technosphere: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]
    gas_inventories: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]
    gases: tuple[str, ...]
    products: tuple[tuple[str, str], ...]

    @property
    def size(self) -> int:
        return len(self.products)


def pack(linked: LinkedInventory, footprints: Footprints) -> bytes:
    """The matrices of a solved release, compressed."""
    gas = footprints.gas_inventories.tocoo()
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        t_rows=linked.technosphere[0], t_cols=linked.technosphere[1],
        t_vals=linked.technosphere[2],
        g_rows=gas.row.astype(np.int64), g_cols=gas.col.astype(np.int64),
        g_vals=gas.data.astype(np.float64),
        gases=np.array(footprints.gases, dtype=str),
        processes=np.array([p.process_id for p in linked.providers], dtype=str),
        flows=np.array([p.flow_id for p in linked.providers], dtype=str),
    )  # fmt: skip
    return buffer.getvalue()


def unpack(data: bytes) -> ReleaseMatrices:
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        return ReleaseMatrices(
            technosphere=(arrays["t_rows"], arrays["t_cols"], arrays["t_vals"]),
            gas_inventories=(arrays["g_rows"], arrays["g_cols"], arrays["g_vals"]),
            gases=tuple(str(g) for g in arrays["gases"]),
            products=tuple(zip((str(p) for p in arrays["processes"]),
                               (str(f) for f in arrays["flows"]), strict=True)),
        )  # fmt: skip


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
