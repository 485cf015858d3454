import numpy as np
import pytest

from pcfhub.calc.sensitivity import spearman_shares


def test_monotonic_input_gets_the_whole_share() -> None:
    rng = np.random.default_rng(0)
    driver = rng.random(300)
    noise = rng.random(300)
    output = np.exp(3 * driver)  # monotonic, not linear
    result = spearman_shares(np.column_stack([noise, driver]), output, ["noise", "driver"])
    assert result.inputs[0].name == "driver"
    assert result.inputs[0].spearman == pytest.approx(1.0)
    assert result.inputs[0].share > 0.98
    assert sum(i.share for i in result.inputs) == pytest.approx(1.0)


def test_negative_correlation_counts_as_influence() -> None:
    x = np.linspace(0, 1, 50)
    result = spearman_shares(x[:, None], -x, ["credit"])
    assert result.inputs[0].spearman == pytest.approx(-1.0)
    assert result.inputs[0].share == pytest.approx(1.0)


def test_constant_input_and_empty_inputs() -> None:
    result = spearman_shares(np.ones((10, 1)), np.arange(10.0), ["fixed"])
    assert result.inputs[0].share == 0.0
    assert spearman_shares(np.zeros((10, 0)), np.arange(10.0), []).inputs == ()
    with pytest.raises(ValueError, match="2 input columns but 1 names"):
        spearman_shares(np.zeros((10, 2)), np.arange(10.0), ["a"])
