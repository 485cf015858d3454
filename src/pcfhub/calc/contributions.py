"""Contribution analysis: who and what makes up a footprint."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Contribution:
    """One item's part of a score, with its share of the total (negative for credits)."""

    index: int
    label: str
    amount: float
    share: float


def top_contributions(
    values: NDArray[np.float64], labels: Sequence[str] | None, total: float, limit: int
) -> list[Contribution]:
    """The ``limit`` largest items by magnitude, largest first; zeros are left out."""
    if limit <= 0:
        return []
    magnitude = np.abs(values)
    count = min(limit, int(np.count_nonzero(magnitude)))
    if count == 0:
        return []
    chosen = np.argpartition(-magnitude, count - 1)[:count]
    chosen = chosen[np.argsort(-magnitude[chosen], kind="stable")]
    denominator = total if total != 0 else float(magnitude.sum()) or 1.0
    return [
        Contribution(
            index=int(i),
            label=labels[i] if labels is not None else f"#{i}",
            amount=float(values[i]),
            share=float(values[i] / denominator),
        )
        for i in chosen
    ]


def group_totals(values: NDArray[np.float64], labels: Sequence[str]) -> dict[str, float]:
    """Sum ``values`` by label (e.g. life-cycle stage), in first-seen order of the labels."""
    if len(labels) != values.size:
        raise ValueError(f"Need one label per item: {len(labels)} labels for {values.size} items.")
    names, inverse = np.unique(np.asarray(labels, dtype=object).astype(str), return_inverse=True)
    sums = np.bincount(inverse, weights=values, minlength=names.size)
    first_seen = {}
    for label in labels:
        first_seen.setdefault(str(label), None)
    lookup = dict(zip(names.tolist(), sums.tolist(), strict=True))
    return {label: float(lookup[label]) for label in first_seen}
