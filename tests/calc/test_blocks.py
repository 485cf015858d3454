"""Stacked systems solve to the same supplies as each system alone."""

from __future__ import annotations

import numpy as np
import pytest

from pcfhub.calc import ProductSystem
from pcfhub.calc.blocks import stack
from pcfhub.calc.synthetic import synthetic_system
from pcfhub.errors import InvalidMatrixError


def test_each_block_solves_as_its_own_system(chain: ProductSystem, loop: ProductSystem) -> None:
    systems = [chain, loop, chain]
    demands = [np.eye(s.n_processes)[0] * (i + 1) for i, s in enumerate(systems)]
    stacked = stack(systems)
    assert stacked.system.n_processes == sum(s.n_processes for s in systems)
    for system, demand, supply in zip(systems, demands, stacked.supplies(demands), strict=True):
        alone = system.factorize().supply_array(demand)
        np.testing.assert_allclose(supply, alone, rtol=1e-12, atol=1e-15)
        assert supply is not alone


def test_scores_of_stacked_blocks_add_up() -> None:
    systems = [synthetic_system(300, seed=seed).product_system() for seed in range(4)]
    stacked = stack(systems)
    demands = [np.eye(s.n_processes)[5] for s in systems]
    supplies = stacked.supplies(demands)
    for system, supply in zip(systems, supplies, strict=True):
        expected = system.factorize().footprint({5: 1.0}).score
        assert float(system.direct_scores @ supply) == pytest.approx(expected, rel=1e-10)


def test_one_demand_per_system_is_required(chain: ProductSystem) -> None:
    with pytest.raises(InvalidMatrixError, match="one demand per stacked system"):
        stack([chain, chain]).supplies([np.ones(chain.n_processes)])
    with pytest.raises(InvalidMatrixError, match="at least one"):
        stack([])
