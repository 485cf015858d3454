"""Which uncertain inputs drive the spread of a footprint.

Each input's share of the output variance is approximated by its squared Spearman rank
correlation with the score, normalised so that the shares sum to one (a standard screening
measure for Monte Carlo output; it reads monotonic, not only linear, influence).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import rankdata


@dataclass(frozen=True)
class InputShare:
    """One uncertain input: its rank correlation with the score and its variance share."""

    name: str
    spearman: float
    share: float


@dataclass(frozen=True)
class SensitivityResult:
    """Inputs sorted by share of the output variance, largest first."""

    inputs: tuple[InputShare, ...]

    def top(self, limit: int = 10) -> tuple[InputShare, ...]:
        return self.inputs[:limit]


def _ranks(values: NDArray) -> NDArray[np.float64]:
    """Ranks along axis 0; ties share their average rank (a constant input has no influence)."""
    return np.asarray(rankdata(values, axis=0, method="average"), dtype=np.float64)


def spearman_shares(
    samples: NDArray, output: NDArray[np.float64], names: Sequence[str]
) -> SensitivityResult:
    """Shares of variance for inputs (iterations × inputs) against an output (iterations)."""
    if samples.shape[1] != len(names):
        raise ValueError(f"{samples.shape[1]} input columns but {len(names)} names.")
    if samples.shape[1] == 0:
        return SensitivityResult(inputs=())
    input_ranks = _ranks(samples)
    output_ranks = _ranks(output)
    input_ranks -= input_ranks.mean(axis=0)
    output_ranks -= output_ranks.mean()
    denominator = np.sqrt((input_ranks**2).sum(axis=0) * (output_ranks**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(denominator > 0, output_ranks @ input_ranks / denominator, 0.0)
    squared = rho**2
    total = squared.sum()
    shares = squared / total if total > 0 else squared
    order = np.argsort(-squared, kind="stable")
    return SensitivityResult(
        inputs=tuple(
            InputShare(name=names[i], spearman=float(rho[i]), share=float(shares[i])) for i in order
        )
    )
