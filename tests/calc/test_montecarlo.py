import numpy as np
import pytest
from scipy import sparse
from scipy.sparse.linalg import spsolve

from pcfhub.calc import ProductSystem
from pcfhub.calc.montecarlo import PERCENTILES, monte_carlo, sampled_chunks
from pcfhub.calc.synthetic import synthetic_system
from pcfhub.calc.uncertainty import UncertaintyArrays
from pcfhub.errors import InvalidUncertaintyError


@pytest.fixture(scope="module")
def random_system():
    syn = synthetic_system(400, seed=11)
    system = syn.product_system(flow_origins=["fossil", "fossil", "biogenic"])
    return (
        system.factorize(),
        UncertaintyArrays.lognormal(syn.technosphere[2], 0.2),
        UncertaintyArrays.lognormal(syn.biosphere[2], 0.2),
    )


def test_dense_core_iterations_match_exact_solves() -> None:
    syn = synthetic_system(1500, seed=2)
    system = syn.product_system()
    lca = system.factorize()
    assert lca.factorization.core is not None  # a 75-process loop, factorized dense
    common = {
        "technosphere": UncertaintyArrays.lognormal(syn.technosphere[2], 0.2),
        "biosphere": UncertaintyArrays.lognormal(syn.biosphere[2], 0.2),
        "iterations": 20,
        "seed": 8,
    }
    for every in (False, True):
        iterative = monte_carlo(lca, {1499: 1.0}, all_processes=every, **common)
        exact = monte_carlo(lca, {1499: 1.0}, all_processes=every, method="exact", **common)
        np.testing.assert_allclose(iterative.scores, exact.scores, rtol=1e-6)


def test_every_iteration_matches_an_exact_solve(random_system) -> None:
    lca, tech, bio = random_system
    demand = {399: 1.0}
    common = {"technosphere": tech, "biosphere": bio, "iterations": 60, "seed": 5, "chunk_size": 25}
    iterative = monte_carlo(lca, demand, **common)
    exact = monte_carlo(lca, demand, method="exact", **common)
    assert exact.refactorized == 60
    np.testing.assert_allclose(iterative.scores, exact.scores, rtol=1e-6)
    # The scores really vary, so the comparison above is not trivial.
    assert iterative.score.std > 0.05 * iterative.score.mean


def test_all_processes_at_once_match_exact_adjoint_solves(random_system) -> None:
    lca, tech, bio = random_system
    common = {"technosphere": tech, "biosphere": bio, "iterations": 20, "seed": 9}
    every = monte_carlo(lca, {10: 1.0}, all_processes=True, **common)
    exact = monte_carlo(lca, {10: 1.0}, all_processes=True, method="exact", **common)
    np.testing.assert_allclose(every.process_scores, exact.process_scores, rtol=1e-6)
    np.testing.assert_allclose(every.scores, every.process_scores[:, 10])
    assert every.processes.percentiles[50.0].shape == (400,)


def test_forward_and_adjoint_give_the_same_scores(random_system) -> None:
    lca, tech, bio = random_system
    common = {"technosphere": tech, "biosphere": bio, "iterations": 30, "seed": 4, "rtol": 1e-10}
    forward = monte_carlo(lca, {399: 2.0}, **common)
    adjoint = monte_carlo(lca, {399: 2.0}, all_processes=True, **common)
    np.testing.assert_allclose(forward.scores, adjoint.scores, rtol=1e-8)


def test_seed_makes_runs_reproducible(random_system) -> None:
    lca, tech, _ = random_system
    first = monte_carlo(lca, {399: 1.0}, technosphere=tech, iterations=10, seed=3)
    again = monte_carlo(lca, {399: 1.0}, technosphere=tech, iterations=10, seed=3)
    other = monte_carlo(lca, {399: 1.0}, technosphere=tech, iterations=10, seed=4)
    np.testing.assert_array_equal(first.scores, again.scores)
    assert not np.array_equal(first.scores, other.scores)


def test_statistics_and_origin_split(random_system) -> None:
    lca, tech, bio = random_system
    result = monte_carlo(lca, {399: 1.0}, technosphere=tech, biosphere=bio, iterations=200)
    assert tuple(result.score.percentiles) == PERCENTILES
    values = [result.score.percentiles[q] for q in PERCENTILES]
    assert values == sorted(values)
    assert result.score.mean == pytest.approx(result.scores.mean())
    np.testing.assert_allclose(
        result.scores_by_origin["fossil"] + result.scores_by_origin["biogenic"], result.scores
    )
    deterministic = lca.footprint({399: 1.0}).score
    assert result.score.percentiles[2.5] < deterministic < result.score.percentiles[97.5]


def test_without_uncertainty_every_iteration_is_the_static_score(random_system) -> None:
    lca, _, _ = random_system
    result = monte_carlo(lca, {399: 1.0}, iterations=5)
    np.testing.assert_allclose(result.scores, lca.footprint({399: 1.0}).score, rtol=1e-9)


def test_progress_is_reported_per_chunk(random_system) -> None:
    lca, tech, _ = random_system
    seen: list[tuple[int, int]] = []
    monte_carlo(
        lca,
        {0: 1.0},
        technosphere=tech,
        iterations=45,
        chunk_size=20,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(20, 45), (40, 45), (45, 45)]


def test_misaligned_uncertainty_is_refused(random_system) -> None:
    lca, _, _ = random_system
    with pytest.raises(InvalidUncertaintyError, match="technosphere uncertainty has 2 entries"):
        monte_carlo(lca, {0: 1.0}, technosphere=UncertaintyArrays.lognormal([1.0, 1.0], 0.1))
    with pytest.raises(InvalidUncertaintyError, match="at least 2"):
        monte_carlo(lca, {0: 1.0}, iterations=1)


def test_shared_factor_correlates_the_processes_that_use_it() -> None:
    # Two processes use the same grid factor: shared, their emissions move together and the
    # spread of their sum is wider than when drawn independently.
    system = ProductSystem.from_arrays(
        technosphere=([0, 1, 2, 0, 1], [0, 1, 2, 2, 2], [1.0, 1.0, 1.0, -1.0, -1.0]),
        biosphere=([0, 0], [0, 1], [1.0, 1.0]),
        characterization=[1.0],
    )
    lca = system.factorize()
    shared = UncertaintyArrays.lognormal([1.0, 1.0], 0.3, shared_key=[0, 0])
    independent = UncertaintyArrays.lognormal([1.0, 1.0], 0.3)
    together = monte_carlo(lca, {2: 1.0}, biosphere=shared, iterations=4000, seed=1)
    apart = monte_carlo(lca, {2: 1.0}, biosphere=independent, iterations=4000, seed=1)
    ratio = together.score.std / apart.score.std
    assert ratio == pytest.approx(np.sqrt(2), rel=0.08)


def test_sensitivity_ranks_the_dominant_input_first() -> None:
    # Electricity (CO2 1.0 ± 40%) dominates; the steel emission (0.05 ± 10%) hardly matters.
    system = ProductSystem.from_arrays(
        technosphere=([0, 1, 0], [0, 1, 1], [1.0, 1.0, -2.0]),
        biosphere=([0, 0], [0, 1], [1.0, 0.05]),
        characterization=[1.0],
        process_labels=["electricity", "steel"],
        flow_labels=["CO2"],
    )
    bio = UncertaintyArrays.lognormal([1.0, 0.05], [0.4, 0.1])
    result = monte_carlo(
        system.factorize(), {1: 1.0}, biosphere=bio, iterations=500, sensitivity=True
    )
    top = result.sensitivity.top(2)
    assert top[0].name == "CO2 from electricity"
    assert top[0].share > 0.95
    assert sum(item.share for item in result.sensitivity.inputs) == pytest.approx(1.0)


def test_sampled_chunks_are_the_samples_monte_carlo_uses(random_system) -> None:
    lca, tech, bio = random_system
    system = lca.system
    a, b = system.technosphere_matrix, system.biosphere_matrix
    result = monte_carlo(lca, {399: 1.0}, technosphere=tech, biosphere=bio, iterations=30, seed=2)
    scores = []
    for chunk in sampled_chunks(system, technosphere=tech, biosphere=bio, iterations=30, seed=2):
        for s in range(chunk.technosphere.shape[0]):
            sampled_a = sparse.csc_array((chunk.technosphere[s], a.indices, a.indptr), a.shape)
            sampled_b = sparse.csr_array((chunk.biosphere[s], b.indices, b.indptr), b.shape)
            supply = spsolve(sampled_a, system.demand_array({399: 1.0}))
            scores.append(chunk.characterization[s] @ (sampled_b @ supply))
    np.testing.assert_allclose(result.scores, scores, rtol=1e-6)
