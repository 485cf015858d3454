import numpy as np
import pytest
import stats_arrays as sa

from pcfhub.calc.uncertainty import (
    PEDIGREE_VARIANCES,
    Distribution,
    UncertaintyArrays,
    pedigree_gsd,
    pedigree_sigma,
)
from pcfhub.errors import InvalidUncertaintyError


def test_stats_arrays_ids_are_the_same() -> None:
    assert sa.NoUncertainty.id == Distribution.NONE
    assert sa.LognormalUncertainty.id == Distribution.LOGNORMAL
    assert sa.NormalUncertainty.id == Distribution.NORMAL
    assert sa.UniformUncertainty.id == Distribution.UNIFORM
    assert sa.TriangularUncertainty.id == Distribution.TRIANGULAR


def test_pedigree_best_scores_add_nothing() -> None:
    assert pedigree_sigma([1, 1, 1, 1, 1], 0.1)[0] == pytest.approx(0.1)


def test_pedigree_worst_scores_sum_the_guideline_variances() -> None:
    expected = np.sqrt(0.05**2 + 0.04 + 0.008 + 0.04 + 0.002 + 0.12)
    assert pedigree_sigma([5, 5, 5, 5, 5], 0.05)[0] == pytest.approx(expected)
    assert pedigree_gsd([5, 5, 5, 5, 5], 0.05)[0] == pytest.approx(np.exp(expected))
    # Table rows increase with the score.
    assert np.all(np.diff(PEDIGREE_VARIANCES, axis=1) > 0)


def test_pedigree_many_rows_at_once() -> None:
    sigmas = pedigree_sigma([[1, 1, 1, 1, 1], [2, 3, 1, 1, 4]])
    assert sigmas[0] == 0.0
    assert sigmas[1] == pytest.approx(np.sqrt(0.0006 + 0.0006 + 0.04))


@pytest.mark.parametrize("scores", [[1, 2, 3, 4], [0, 1, 1, 1, 1], [1, 1, 1, 1, 6]])
def test_bad_pedigree_is_refused(scores) -> None:
    with pytest.raises(InvalidUncertaintyError):
        pedigree_sigma(scores)


def moments(arrays: UncertaintyArrays, static: np.ndarray, count: int = 200_000):
    samples = arrays.sample(static, np.random.default_rng(7), count)
    return samples.mean(axis=0), samples.std(axis=0), samples


def test_sampled_moments_match_the_distributions() -> None:
    arrays = UncertaintyArrays.build(
        [2, 2, 3, 4, 5, 1],
        loc=[np.log(2.0), np.log(3.0), 10.0, np.nan, 2.0, 7.0],
        scale=[0.2, 0.1, 0.5, np.nan, np.nan, np.nan],
        minimum=[np.nan, np.nan, np.nan, 1.0, 1.0, np.nan],
        maximum=[np.nan, np.nan, np.nan, 3.0, 4.0, np.nan],
        negative=[False, True, False, False, False, False],
    )
    static = np.array([2.0, -3.0, 10.0, 2.0, 2.0, 7.0])
    mean, std, samples = moments(arrays, static)
    lognormal_mean = 2.0 * np.exp(0.2**2 / 2)
    assert mean[0] == pytest.approx(lognormal_mean, rel=2e-3)
    assert np.median(samples[:, 0]) == pytest.approx(2.0, rel=3e-3)
    assert np.all(samples[:, 1] < 0)
    assert np.median(samples[:, 1]) == pytest.approx(-3.0, rel=3e-3)
    assert mean[2] == pytest.approx(10.0, rel=1e-3)
    assert std[2] == pytest.approx(0.5, rel=1e-2)
    assert samples[:, 3].min() >= 1.0
    assert samples[:, 3].max() <= 3.0
    assert mean[3] == pytest.approx(2.0, rel=2e-3)
    assert samples[:, 4].min() >= 1.0
    assert samples[:, 4].max() <= 4.0
    assert mean[4] == pytest.approx((1 + 2 + 4) / 3, rel=2e-3)
    assert np.all(samples[:, 5] == 7.0)


def test_same_seed_same_samples_other_seed_other_samples() -> None:
    arrays = UncertaintyArrays.lognormal([1.0, -2.0, 0.0], 0.3)
    static = np.array([1.0, -2.0, 0.0])
    first = arrays.sample(static, np.random.default_rng(1), 5)
    again = arrays.sample(static, np.random.default_rng(1), 5)
    other = arrays.sample(static, np.random.default_rng(2), 5)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert np.all(first[:, 2] == 0.0)


def test_shared_key_draws_once_per_iteration() -> None:
    arrays = UncertaintyArrays.lognormal([1.0, 2.0, 5.0, 1.0], 0.2, shared_key=[7, 7, -1, -1])
    samples = arrays.sample(np.array([1.0, 2.0, 5.0, 1.0]), np.random.default_rng(3), 1000)
    # Entries 0 and 1 move together (same factor); 2 and 3 are independent.
    np.testing.assert_allclose(samples[:, 1], 2.0 * samples[:, 0])
    assert abs(np.corrcoef(samples[:, 2], samples[:, 3])[0, 1]) < 0.1


def test_from_stats_arrays_structured_array() -> None:
    params = sa.UncertaintyBase.from_dicts(
        {"loc": np.log(2.0), "scale": 0.1, "uncertainty_type": 2},
        {"loc": 1.0, "scale": 0.2, "uncertainty_type": 3},
        {"minimum": 0.0, "maximum": 1.0, "uncertainty_type": 4},
    )
    arrays = UncertaintyArrays.from_stats_arrays(params)
    assert arrays.uncertainty_type.tolist() == [2, 3, 4]
    samples = arrays.sample(np.array([2.0, 1.0, 0.5]), np.random.default_rng(0), 50_000)
    reference = sa.MCRandomNumberGenerator(params, seed=0).generate(50_000)
    np.testing.assert_allclose(samples.mean(axis=0), reference.mean(axis=1), rtol=0.01)
    np.testing.assert_allclose(samples.std(axis=0), reference.std(axis=1), rtol=0.03)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"uncertainty_type": [9]}, "distribution id 9"),
        ({"uncertainty_type": [2], "loc": [np.nan], "scale": [0.1]}, "finite loc"),
        ({"uncertainty_type": [4], "minimum": [2.0], "maximum": [1.0]}, "minimum <= maximum"),
        (
            {"uncertainty_type": [5], "loc": [5.0], "minimum": [1.0], "maximum": [2.0]},
            "mode",
        ),
    ],
)
def test_invalid_parameters_are_refused(kwargs, message: str) -> None:
    kinds = kwargs.pop("uncertainty_type")
    with pytest.raises(InvalidUncertaintyError, match=message):
        UncertaintyArrays.build(kinds, **kwargs)


def test_sample_checks_the_static_length() -> None:
    with pytest.raises(InvalidUncertaintyError, match="2 entries"):
        UncertaintyArrays.lognormal([1.0, 2.0], 0.1).sample(np.ones(3), np.random.default_rng(), 2)
