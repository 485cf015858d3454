import numpy as np
import pytest

from pcfhub.calc import ProductSystem
from pcfhub.errors import InvalidDemandError


def test_chain_footprint_matches_hand_calculation(chain: ProductSystem) -> None:
    result = chain.factorize().footprint({2: 1.0})
    np.testing.assert_allclose(result.supply_array, [25.0, 10.0, 1.0])
    np.testing.assert_allclose(result.inventory, [12.5 + 15.0, 0.1])
    assert result.score == pytest.approx(12.5 + 10 * (1.5 + 0.01 * 29.8), rel=1e-12)
    assert result.score_by_origin == pytest.approx({"fossil": result.score})


def test_loop_is_solved_exactly(loop: ProductSystem) -> None:
    result = loop.factorize().footprint({1: 1.0})
    electricity, coal = 1 / 0.9, 0.4 / 0.9
    np.testing.assert_allclose(result.supply_array, [coal, electricity], rtol=1e-14)
    fossil = electricity * 1.0 + coal * 0.1 * 29.8
    biogenic = -0.2 * coal
    assert result.score_by_origin["fossil"] == pytest.approx(fossil, rel=1e-13)
    assert result.score_by_origin["biogenic"] == pytest.approx(biogenic, rel=1e-13)
    assert result.score == pytest.approx(fossil + biogenic, rel=1e-13)


def test_demand_scales_linearly_and_adds(chain: ProductSystem) -> None:
    lca = chain.factorize()
    bike = lca.footprint({2: 1.0}).score
    steel = lca.footprint({1: 1.0}).score
    assert lca.footprint({2: 3.0, 1: 2.0}).score == pytest.approx(3 * bike + 2 * steel)


def test_many_demands_at_once_match_single_solves(loop: ProductSystem) -> None:
    lca = loop.factorize()
    demands = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 3.0]])
    supplies = lca.supply_arrays(demands)
    for k in range(3):
        np.testing.assert_allclose(supplies[:, k], lca.supply_array(demands[:, k]), rtol=1e-14)
    expected = [lca.footprint(demands[:, k]).score for k in range(3)]
    np.testing.assert_allclose(lca.scores(demands), expected, rtol=1e-13)


def test_every_process_footprint_by_one_transposed_solve(chain: ProductSystem) -> None:
    lca = chain.factorize()
    every = lca.process_footprints
    for process in range(3):
        assert every.scores[process] == pytest.approx(lca.footprint({process: 1.0}).score)
    assert every.scores_by_origin["fossil"] == pytest.approx(every.scores)
    assert every.top(1)[0].label == "bike"


def test_production_amount_other_than_one() -> None:
    # A process making 4 kWh per run: 1 kWh needs a quarter run.
    system = ProductSystem.from_arrays(
        technosphere=([0], [0], [4.0]), biosphere=([0], [0], [2.0]), characterization=[1.0]
    )
    assert system.factorize().footprint({0: 1.0}).score == pytest.approx(0.5)


def test_duplicate_entries_are_summed() -> None:
    system = ProductSystem.from_arrays(
        technosphere=([0, 1, 1, 0, 0], [0, 1, 1, 1, 1], [1.0, 0.5, 0.5, -1.0, -1.0]),
        biosphere=([0, 0], [0, 0], [1.0, 2.0]),
        characterization=[1.0],
    )
    assert system.technosphere_matrix.toarray().tolist() == [[1.0, -2.0], [0.0, 1.0]]
    assert system.factorize().footprint({1: 1.0}).score == pytest.approx(6.0)


@pytest.mark.parametrize(
    ("demand", "message"),
    [({}, "empty"), ({5: 1.0}, "#5"), ({0: float("nan")}, "NaN"), (np.ones(2), "shape")],
)
def test_bad_demand_is_refused(chain: ProductSystem, demand, message: str) -> None:
    with pytest.raises(InvalidDemandError, match=message):
        chain.factorize().footprint(demand)


def test_groups_and_top_contributions(chain: ProductSystem) -> None:
    result = chain.factorize().footprint({2: 1.0})
    assert result.by_group() == pytest.approx({"raw_materials": result.score, "production": 0.0})
    top = result.top_processes(2)
    assert [c.label for c in top] == ["steel", "electricity"]
    assert top[0].amount == pytest.approx(17.98)
    assert top[0].share == pytest.approx(17.98 / 30.48)
    flows = result.top_flows()
    assert [f.label for f in flows] == ["CO2", "CH4"]
    assert flows[1].amount == pytest.approx(0.1 * 29.8)
    stages = result.by_group(["a", "b", "a"])
    assert stages == pytest.approx({"a": 12.5, "b": 17.98})


def test_characterization_as_a_tuple_of_factors_or_as_index_pairs() -> None:
    tech, bio = ([0], [0], [1.0]), ([0, 1], [0, 0], [1.0, 1.0])
    per_flow = ProductSystem.from_arrays(
        technosphere=tech, biosphere=bio, characterization=(1.0, 29.8)
    )
    pairs = ProductSystem.from_arrays(
        technosphere=tech, biosphere=bio, characterization=([1], [29.8]), n_flows=2
    )
    assert per_flow.characterization.tolist() == [1.0, 29.8]
    assert pairs.characterization.tolist() == [0.0, 29.8]


def test_many_demands_need_one_row_per_process(chain: ProductSystem) -> None:
    with pytest.raises(InvalidDemandError, match=r"shape \(3, k\)"):
        chain.factorize().scores(np.ones((2, 2)))
