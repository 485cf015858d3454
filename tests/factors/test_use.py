"""Applying a factor to an activity: unit conversion within a dimension, and clear errors."""

from __future__ import annotations

import pytest

from pcfhub.errors import UnitError
from pcfhub.factors.use import Activity, apply_factor
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from tests.factors.builders import PROPRIETARY, acting, publish, record
from tests.platform.conftest import API, make_client, token_headers

GRID = record(key="test.grid", value=0.5, unit="kWh", gases={"co2_fossil": 0.5})


def test_an_activity_in_another_unit_of_the_same_dimension_is_converted() -> None:
    applied = apply_factor(GRID, Activity(amount=2.0, unit="MWh"))
    assert applied.amount == pytest.approx(2000.0)
    assert applied.co2e_kg == pytest.approx(1000.0)
    assert applied.gases_kg["co2_fossil"] == pytest.approx(1000.0)
    per_tj = record(key="test.gas", value=56100.0, unit="TJ")
    assert apply_factor(per_tj, Activity(amount=1000.0, unit="GJ")).co2e_kg == pytest.approx(
        56100.0
    )
    assert apply_factor(GRID, Activity(amount=3.0, unit="千瓦时")).co2e_kg == pytest.approx(1.5)


def test_another_dimension_is_an_error_naming_both_units() -> None:
    with pytest.raises(UnitError, match=r"'kg'.*'kWh'.*dimensions differ"):
        apply_factor(GRID, Activity(amount=1.0, unit="kg"))


def test_apply_over_http_converts_refuses_other_dimensions_and_unlicensed_values(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    contributor, reviewer = acting(demo["cq-battery"]), acting(demo["operator"])
    with platform.unit_of_work() as uow:
        open_id = publish(uow, contributor, reviewer, GRID)
        secret_id = publish(
            uow, contributor, reviewer, record(key="test.secret", unit="kWh", licence=PROPRIETARY)
        )
        uow.commit()
    client = make_client(platform)
    laptop = token_headers(platform, client, demo["cq-laptop"].organisation_id)
    ok = client.post(
        f"{API}/factors/versions/{open_id}/apply", json={"amount": 4, "unit": "MWh"},
        headers=laptop,
    )  # fmt: skip
    wrong = client.post(
        f"{API}/factors/versions/{open_id}/apply", json={"amount": 4, "unit": "t*km"},
        headers=laptop,
    )  # fmt: skip
    unlicensed = client.post(
        f"{API}/factors/versions/{secret_id}/apply", json={"amount": 4, "unit": "kWh"},
        headers=laptop,
    )  # fmt: skip
    listed = client.get(f"{API}/factors", params={"q": "test.secret"}, headers=laptop)
    huge = client.post(
        f"{API}/factors/versions/{open_id}/apply", json={"amount": 1e308, "unit": "MWh"},
        headers=laptop,
    )  # fmt: skip
    numeric_unit = client.post(
        f"{API}/factors/versions/{open_id}/apply", json={"amount": 1, "unit": "1/0"},
        headers=laptop,
    )  # fmt: skip
    assert ok.status_code == 200, ok.text
    assert ok.json()["co2e_kg"] == pytest.approx(2000.0)
    assert wrong.status_code == 422
    assert wrong.json()["detail"].startswith("unit: ")
    assert unlicensed.status_code == 403
    assert huge.status_code == 422
    assert "too large" in huge.json()["detail"]
    assert numeric_unit.status_code == 422
    assert "'1/0' cannot be parsed" in numeric_unit.json()["detail"]
    assert "licence" in unlicensed.json()["detail"]
    # Search lists the proprietary factor's metadata, not its value.
    found = [v for v in listed.json()["data"] if v["lineage_key"] == "test.secret"]
    assert len(found) == 1
    assert found[0]["values_withheld"] is True
    assert "value" not in found[0]["data"]
