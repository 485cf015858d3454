"""Uncertainty of matrix entries: distributions, the pedigree matrix, reproducible sampling.

Distribution ids and parameter meanings are those of stats_arrays, so Brightway data maps one
to one: 0 undefined and 1 none (the static amount), 2 lognormal (``loc`` = ln|amount|,
``scale`` = σ of ln, ``negative`` flips the sign), 3 normal (``loc`` mean, ``scale`` σ),
4 uniform (``minimum``, ``maximum``), 5 triangular (``loc`` mode, ``minimum``, ``maximum``).

Entries that share a ``shared_key`` draw one random number per iteration: the same emission
factor used by many processes moves as one (full correlation), as it should.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from pcfhub.errors import InvalidUncertaintyError


class Distribution(IntEnum):
    """stats_arrays uncertainty type ids."""

    UNDEFINED = 0
    NONE = 1
    LOGNORMAL = 2
    NORMAL = 3
    UNIFORM = 4
    TRIANGULAR = 5


_SUPPORTED = frozenset(int(d) for d in Distribution)

#: Variances of ln-transformed data added per pedigree score 1..5, from the ecoinvent v3 data
#: quality guideline (Weidema et al. 2013, "Overview and methodology. Data quality guideline
#: for the ecoinvent database version 3", Table 10.5). Rows: reliability, completeness,
#: temporal, geographical and further technological correlation.
PEDIGREE_VARIANCES: NDArray[np.float64] = np.array(
    [
        [0.0, 0.0006, 0.002, 0.008, 0.04],
        [0.0, 0.0001, 0.0006, 0.002, 0.008],
        [0.0, 0.0002, 0.002, 0.008, 0.04],
        [0.0, 0.000025, 0.0001, 0.0006, 0.002],
        [0.0, 0.0006, 0.008, 0.04, 0.12],
    ]
)
PEDIGREE_INDICATORS = (
    "reliability",
    "completeness",
    "temporal_correlation",
    "geographical_correlation",
    "further_technological_correlation",
)


def pedigree_sigma(scores: ArrayLike, basic_sigma: ArrayLike = 0.0) -> NDArray[np.float64]:
    """σ of ln for pedigree scores (k × 5, or one row of 5) and a basic σ.

    σ² = σ_basic² + Σᵢ variance(indicator i, score i), as in the ecoinvent v3 guideline.
    """
    matrix = np.atleast_2d(np.asarray(scores))
    if matrix.shape[-1] != 5:
        raise InvalidUncertaintyError(
            f"A pedigree needs 5 scores ({', '.join(PEDIGREE_INDICATORS)}); got {matrix.shape[-1]}."
        )
    if not np.all(np.isin(matrix, [1, 2, 3, 4, 5])):
        raise InvalidUncertaintyError("Pedigree scores must be whole numbers from 1 to 5.")
    indices = matrix.astype(np.int64) - 1
    added = PEDIGREE_VARIANCES[np.arange(5), indices].sum(axis=-1)
    basic = np.asarray(basic_sigma, dtype=np.float64)
    if np.any(basic < 0):
        raise InvalidUncertaintyError("The basic σ must not be negative.")
    return np.sqrt(basic**2 + added)


def pedigree_gsd(scores: ArrayLike, basic_sigma: ArrayLike = 0.0) -> NDArray[np.float64]:
    """Geometric standard deviation exp(σ); the 95% range is [median/GSD², median·GSD²]."""
    return np.exp(pedigree_sigma(scores, basic_sigma))


@dataclass(frozen=True)
class UncertaintyArrays:
    """One distribution per matrix entry, aligned with the entries as given."""

    uncertainty_type: NDArray[np.int8]
    loc: NDArray[np.float64]
    scale: NDArray[np.float64]
    minimum: NDArray[np.float64]
    maximum: NDArray[np.float64]
    negative: NDArray[np.bool_]
    shared_key: NDArray[np.int64] | None = None

    def __post_init__(self) -> None:
        size = self.uncertainty_type.size
        for name in ("loc", "scale", "minimum", "maximum", "negative"):
            if getattr(self, name).shape != (size,):
                raise InvalidUncertaintyError(f"Uncertainty field {name!r} must have {size} items.")
        if self.shared_key is not None and self.shared_key.shape != (size,):
            raise InvalidUncertaintyError(f"shared_key must have {size} items.")
        self._check()

    def __len__(self) -> int:
        return int(self.uncertainty_type.size)

    @classmethod
    def build(
        cls,
        uncertainty_type: ArrayLike,
        *,
        loc: ArrayLike | None = None,
        scale: ArrayLike | None = None,
        minimum: ArrayLike | None = None,
        maximum: ArrayLike | None = None,
        negative: ArrayLike | None = None,
        shared_key: ArrayLike | None = None,
    ) -> UncertaintyArrays:
        """Arrays of equal length; omitted fields are NaN (or False for ``negative``)."""
        kinds = np.asarray(uncertainty_type, dtype=np.int8)
        size = kinds.size

        def field(values: ArrayLike | None) -> NDArray[np.float64]:
            if values is None:
                return np.full(size, np.nan)
            return np.broadcast_to(np.asarray(values, dtype=np.float64), (size,)).copy()

        return cls(
            uncertainty_type=kinds,
            loc=field(loc),
            scale=field(scale),
            minimum=field(minimum),
            maximum=field(maximum),
            negative=(
                np.zeros(size, dtype=bool)
                if negative is None
                else np.broadcast_to(np.asarray(negative, dtype=bool), (size,)).copy()
            ),
            shared_key=None if shared_key is None else np.asarray(shared_key, dtype=np.int64),
        )

    @classmethod
    def lognormal(
        cls, amounts: ArrayLike, sigma: ArrayLike, *, shared_key: ArrayLike | None = None
    ) -> UncertaintyArrays:
        """Lognormal around each amount (its median), σ of ln given; zeros stay fixed."""
        values = np.asarray(amounts, dtype=np.float64)
        sigmas = np.broadcast_to(np.asarray(sigma, dtype=np.float64), values.shape)
        fixed = (values == 0) | (sigmas == 0)
        with np.errstate(divide="ignore"):
            loc = np.where(fixed, values, np.log(np.abs(values)))
        return cls.build(
            np.where(fixed, Distribution.NONE, Distribution.LOGNORMAL),
            loc=loc,
            scale=np.where(fixed, np.nan, sigmas),
            negative=values < 0,
            shared_key=shared_key,
        )

    @classmethod
    def from_stats_arrays(cls, params: NDArray) -> UncertaintyArrays:
        """From a stats_arrays / bw_processing structured array (same field names)."""
        names = params.dtype.names or ()
        missing = {"uncertainty_type", "loc", "scale", "minimum", "maximum"} - set(names)
        if missing:
            raise InvalidUncertaintyError(f"Structured array lacks fields {sorted(missing)}.")
        return cls.build(
            params["uncertainty_type"],
            loc=params["loc"],
            scale=params["scale"],
            minimum=params["minimum"],
            maximum=params["maximum"],
            negative=params["negative"] if "negative" in names else None,
        )

    def _check(self) -> None:
        kinds = self.uncertainty_type
        unknown = np.flatnonzero(~np.isin(kinds, list(_SUPPORTED)))
        if unknown.size:
            raise InvalidUncertaintyError(
                f"Entry {int(unknown[0])} has distribution id {int(kinds[unknown[0]])}; "
                "supported are 0 undefined, 1 none, 2 lognormal, 3 normal, 4 uniform, 5 triangular."
            )
        problems: list[tuple[NDArray[np.bool_], str]] = [
            (
                np.isin(kinds, [2, 3]) & ~(np.isfinite(self.loc) & (self.scale >= 0)),
                "lognormal and normal need a finite loc and a scale >= 0",
            ),
            (
                np.isin(kinds, [4, 5]) & ~(self.minimum <= self.maximum),
                "uniform and triangular need minimum <= maximum",
            ),
            (
                (kinds == 5) & ~((self.minimum <= self.loc) & (self.loc <= self.maximum)),
                "triangular needs minimum <= loc (mode) <= maximum",
            ),
        ]
        for bad, rule in problems:
            where = np.flatnonzero(bad)
            if where.size:
                raise InvalidUncertaintyError(
                    f"{where.size} entries break the rule that {rule}; first at entry "
                    f"{int(where[0])}."
                )

    def sample(
        self, static: NDArray[np.float64], rng: np.random.Generator, count: int
    ) -> NDArray[np.float64]:
        """``count`` draws of every entry, shape (count, entries); fixed entries keep ``static``."""
        size = len(self)
        if static.shape != (size,):
            raise InvalidUncertaintyError(
                f"Uncertainty has {size} entries but the matrix has {static.size}."
            )
        kinds = self.uncertainty_type
        if size and np.all(kinds == Distribution.LOGNORMAL):
            # The common case: every entry lognormal. Work in place on the draws.
            out = self._draws(np.arange(size), rng, count, normal=True)
            out *= self.scale
            out += self.loc
            np.exp(out, out=out)
            if self.negative.any():
                out *= np.where(self.negative, -1.0, 1.0)
            return out
        out = np.broadcast_to(static, (count, size)).copy()
        normal_like = np.flatnonzero(
            (kinds == Distribution.LOGNORMAL) | (kinds == Distribution.NORMAL)
        )
        uniform_like = np.flatnonzero(
            (kinds == Distribution.UNIFORM) | (kinds == Distribution.TRIANGULAR)
        )
        if normal_like.size:
            z = self._draws(normal_like, rng, count, normal=True)
            z *= self.scale[normal_like]
            z += self.loc[normal_like]
            lognormal = kinds[normal_like] == Distribution.LOGNORMAL
            if lognormal.all():
                np.exp(z, out=z)
            else:
                z[:, lognormal] = np.exp(z[:, lognormal])
            sign = np.where(self.negative[normal_like] & lognormal, -1.0, 1.0)
            if np.any(sign < 0):
                z *= sign
            out[:, normal_like] = z
        if uniform_like.size:
            u = self._draws(uniform_like, rng, count, normal=False)
            low, high = self.minimum[uniform_like], self.maximum[uniform_like]
            width = high - low
            values = low + width * u
            triangular = kinds[uniform_like] == Distribution.TRIANGULAR
            if triangular.any():
                mode = self.loc[uniform_like]
                with np.errstate(divide="ignore", invalid="ignore"):
                    split = np.where(width > 0, (mode - low) / width, 0.5)
                    left = low + np.sqrt(u * width * (mode - low))
                    right = high - np.sqrt((1 - u) * width * (high - mode))
                values = np.where(triangular, np.where(u < split, left, right), values)
            out[:, uniform_like] = values
        return out

    def take(self, indices: NDArray[np.int64]) -> UncertaintyArrays:
        """The distributions of the entries at ``indices``, in that order."""
        return UncertaintyArrays(
            uncertainty_type=self.uncertainty_type[indices],
            loc=self.loc[indices],
            scale=self.scale[indices],
            minimum=self.minimum[indices],
            maximum=self.maximum[indices],
            negative=self.negative[indices],
            shared_key=None if self.shared_key is None else self.shared_key[indices],
        )

    def _draws(
        self, members: NDArray[np.int64], rng: np.random.Generator, count: int, *, normal: bool
    ) -> NDArray[np.float64]:
        """Standard normal or uniform draws, one per shared key (or per entry)."""
        if self.shared_key is None:
            shape = (count, members.size)
            return rng.standard_normal(shape) if normal else rng.random(shape)
        keys = self.shared_key[members].copy()
        own = keys < 0
        keys[own] = keys.max(initial=0) + 1 + np.arange(int(own.sum()))
        unique, inverse = np.unique(keys, return_inverse=True)
        shape = (count, unique.size)
        draws = rng.standard_normal(shape) if normal else rng.random(shape)
        return draws[:, inverse]
