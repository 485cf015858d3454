import pytest

from pcfhub.calc import ProductSystem
from pcfhub.calc.paths import supply_chain_paths


def test_chain_paths_with_hand_values(chain: ProductSystem) -> None:
    lca = chain.factorize()
    paths = supply_chain_paths(lca, {2: 1.0}, cutoff=0.0)
    by_route = {p.labels: p for p in paths}
    assert paths[0].labels == ("bike",)
    assert paths[0].cumulative_score == pytest.approx(30.48)
    steel = by_route[("bike", "steel")]
    assert steel.amount == pytest.approx(10.0)
    assert steel.cumulative_score == pytest.approx(10 * (2 * 0.5 + 1.5 + 0.298))
    assert steel.direct_score == pytest.approx(17.98)
    upstream = by_route[("bike", "steel", "electricity")]
    assert upstream.amount == pytest.approx(20.0)
    assert upstream.cumulative_score == pytest.approx(10.0)
    assert by_route[("bike", "electricity")].cumulative_score == pytest.approx(2.5)
    shares = [p.cumulative_score for p in paths]
    assert shares == sorted(shares, reverse=True)


def test_cutoff_prunes_small_paths(chain: ProductSystem) -> None:
    lca = chain.factorize()
    paths = supply_chain_paths(lca, {2: 1.0}, cutoff=0.2)
    assert {p.labels for p in paths} == {
        ("bike",),
        ("bike", "steel"),
        ("bike", "steel", "electricity"),
    }


def test_loops_end_instead_of_cycling(loop: ProductSystem) -> None:
    lca = loop.factorize()
    paths = supply_chain_paths(lca, {1: 1.0}, cutoff=0.0, max_paths=100)
    assert {p.labels for p in paths} == {("electricity",), ("electricity", "coal")}
    coal = next(p for p in paths if p.labels == ("electricity", "coal"))
    # 0.4 kg coal per kWh carries the whole loop's footprint through λ(coal).
    assert coal.cumulative_score == pytest.approx(0.4 * lca.process_footprints.scores[0])


def test_max_paths_limits_the_answer(chain: ProductSystem) -> None:
    assert len(supply_chain_paths(chain.factorize(), {2: 1.0}, cutoff=0.0, max_paths=2)) == 2
