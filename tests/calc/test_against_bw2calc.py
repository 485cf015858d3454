"""Cross-check against Brightway's bw2calc on seeded random systems."""

import warnings

import numpy as np
import pytest

from pcfhub.calc import ProductSystem
from pcfhub.calc.montecarlo import monte_carlo
from pcfhub.calc.synthetic import synthetic_system
from pcfhub.calc.uncertainty import UncertaintyArrays
from pcfhub.formats.brightway import IMPACT_CATEGORY, process_id, to_datapackage

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    bw2calc = pytest.importorskip("bw2calc")


def build(n: int, seed: int) -> tuple[ProductSystem, object]:
    syn = synthetic_system(n, seed=seed)
    system = syn.product_system()
    return system, syn


# 2,000 processes give a 100-process loop: the dense-core path of the solver.
@pytest.mark.parametrize(("n", "seed"), [(200, 1), (300, 2), (500, 3), (2000, 7)])
def test_scores_agree_to_1e9(n: int, seed: int) -> None:
    system, _ = build(n, seed)
    lca = system.factorize()
    package = to_datapackage(system)
    for process in (0, n // 2, n - 1):
        brightway = bw2calc.LCA({process_id(process): 1.0}, data_objs=[package])
        brightway.lci()
        brightway.lcia()
        ours = lca.footprint({process: 1.0})
        assert ours.score == pytest.approx(brightway.score, rel=1e-9)
        np.testing.assert_allclose(ours.supply_array, brightway.supply_array, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("n", [300, 1500])
def test_every_process_agrees_with_bw2calc(n: int) -> None:
    system, _ = build(n, 4)
    package = to_datapackage(system)
    ours = system.factorize().process_footprints.scores
    if bw2calc.PYPARDISO or bw2calc.UMFPACK:
        # bw2calc's adjoint solve needs PARDISO or UMFPACK (dev extras install it on x86-64).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            multi = bw2calc.FastScoresOnlyMultiLCA(
                demands={str(i): {process_id(i): 1.0} for i in range(n)},
                method_config={"impact_categories": [IMPACT_CATEGORY]},
                data_objs=[package],
                direction="adjoint",
            )
            theirs = np.asarray(multi.calculate()).ravel()
        np.testing.assert_allclose(ours, theirs, rtol=1e-9)
        return
    # Elsewhere: one bw2calc LCA per process, for every 25th process.
    for process in range(0, n, 25):
        single = bw2calc.LCA({process_id(process): 1.0}, data_objs=[package])
        single.lci()
        single.lcia()
        assert ours[process] == pytest.approx(single.score, rel=1e-9)


def test_monte_carlo_medians_agree_within_sampling_error() -> None:
    system, syn = build(300, 5)
    tech = UncertaintyArrays.lognormal(syn.technosphere[2], 0.2)
    bio = UncertaintyArrays.lognormal(syn.biosphere[2], 0.2)
    iterations = 400
    ours = monte_carlo(
        system.factorize(),
        {299: 1.0},
        technosphere=tech,
        biosphere=bio,
        iterations=iterations,
        seed=1,
    )
    package = to_datapackage(system, technosphere=tech, biosphere=bio)
    brightway = bw2calc.LCA(
        {process_id(299): 1.0}, data_objs=[package], use_distributions=True, seed_override=2
    )
    brightway.lci()
    brightway.lcia()
    theirs = [brightway.score]
    for _ in range(iterations - 1):
        next(brightway)
        theirs.append(brightway.score)
    theirs = np.array(theirs)
    # Standard error of a median ≈ 1.2533 σ / √n; allow 4 combined standard errors.
    error = 1.2533 * np.hypot(ours.scores.std(), theirs.std()) / np.sqrt(iterations)
    assert abs(np.median(ours.scores) - np.median(theirs)) < 4 * error
    assert ours.scores.std() == pytest.approx(theirs.std(), rel=0.2)
