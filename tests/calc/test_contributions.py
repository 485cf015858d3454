import numpy as np
import pytest

from pcfhub.calc.contributions import group_totals, top_contributions


def test_top_contributions_sorts_by_magnitude_and_keeps_credits() -> None:
    values = np.array([1.0, -5.0, 3.0, 0.0])
    top = top_contributions(values, ["a", "b", "c", "d"], total=-1.0, limit=10)
    assert [c.label for c in top] == ["b", "c", "a"]
    assert top[0].share == pytest.approx(5.0)
    assert top_contributions(values, None, 1.0, 1)[0].label == "#1"
    assert top_contributions(values, None, 1.0, 0) == []


def test_group_totals_in_first_seen_order() -> None:
    totals = group_totals(np.array([1.0, 2.0, 3.0]), ["use", "raw", "use"])
    assert list(totals) == ["use", "raw"]
    assert totals == {"use": 4.0, "raw": 2.0}
    with pytest.raises(ValueError, match="one label per item"):
        group_totals(np.ones(2), ["x"])
