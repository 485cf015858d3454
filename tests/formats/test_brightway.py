import warnings

import numpy as np
import pytest

from pcfhub.calc import ProductSystem
from pcfhub.calc.uncertainty import UncertaintyArrays
from pcfhub.formats.brightway import FLOW_ID_OFFSET, process_id, to_datapackage

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    bw2calc = pytest.importorskip("bw2calc")


def test_loop_system_round_trips_through_a_datapackage(loop: ProductSystem) -> None:
    package = to_datapackage(loop)
    lca = bw2calc.LCA({process_id(1): 1.0}, data_objs=[package])
    lca.lci()
    lca.lcia()
    assert lca.score == pytest.approx(loop.factorize().footprint({1: 1.0}).score, rel=1e-12)
    np.testing.assert_allclose(
        lca.technosphere_matrix.toarray(), loop.technosphere_matrix.toarray()
    )
    assert sorted(lca.dicts.biosphere) == [FLOW_ID_OFFSET + i for i in range(3)]


def test_uncertainty_is_written_in_stats_arrays_terms(loop: ProductSystem) -> None:
    tech = UncertaintyArrays.lognormal(loop.technosphere_entries.values, 0.1)
    package = to_datapackage(loop, technosphere=tech)
    resource = package.get_resource("pcfhub-technosphere.distributions")[0]
    assert resource["uncertainty_type"].tolist() == [2, 2, 2, 2]
    np.testing.assert_allclose(resource["loc"], np.log(np.abs(loop.technosphere_entries.values)))
    assert resource["negative"].tolist() == [False, False, True, True]


def test_bw2calc_on_pcfhub_draws_gives_pcfhub_scores() -> None:
    from pcfhub.calc.montecarlo import monte_carlo, sampled_chunks
    from pcfhub.calc.synthetic import synthetic_system
    from pcfhub.formats.brightway import samples_to_datapackage

    syn = synthetic_system(150, seed=6)
    system = syn.product_system()
    tech = UncertaintyArrays.lognormal(syn.technosphere[2], 0.2)
    bio = UncertaintyArrays.lognormal(syn.biosphere[2], 0.2)
    common = {"technosphere": tech, "biosphere": bio, "iterations": 12, "seed": 3}
    ours = monte_carlo(system.factorize(), {149: 1.0}, **common).scores
    chunks = list(sampled_chunks(system, **common))
    package = samples_to_datapackage(
        system,
        np.vstack([c.technosphere for c in chunks]).T,
        np.vstack([c.biosphere for c in chunks]).T,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = bw2calc.LCA({process_id(149): 1.0}, data_objs=[package], use_arrays=True)
        lca.lci()
        lca.lcia()
        theirs = [lca.score]
        for _ in range(11):
            next(lca)
            theirs.append(lca.score)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    assert np.std(theirs) > 0.01 * np.mean(theirs)  # the iterations really differ
