"""A superseded factor makes its results stale; the sweep recomputes them as new results."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from pcfhub.accounting import recompute, service
from pcfhub.accounting.model import ProductModel
from pcfhub.accounting.store import AccountingResultRow
from pcfhub.factors.model import FactorData
from pcfhub.platform import jobs
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from pcfhub.platform.model import Principal
from tests.accounting.builders import FACTORS, widget
from tests.accounting.test_calculate import LOCATION, MARKET
from tests.factors.builders import acting, publish


def _stored(platform: Platform, principal: Principal, data: dict, iterations: int = 0) -> uuid.UUID:
    with platform.unit_of_work() as uow:
        saved = service.save_model(
            uow, principal=principal, model=ProductModel.model_validate(data)
        )
        result = service.calculate(
            uow, principal=principal, model_id=saved.model_id, iterations=iterations, seed=3
        )
        uow.commit()
    return result.id


def _new_steel(platform: Platform, demo: dict[str, DemoSignIn], value: float = 3.0) -> None:
    gases = {"co2_fossil": value - 0.298, "ch4_fossil": 0.01}
    data = FactorData.model_validate(
        FACTORS["test.steel"].model_dump() | {"value": value, "gases": gases}
    )
    with platform.unit_of_work() as uow:
        publish(uow, acting(demo["cq-battery"]), acting(demo["operator"]), data)
        uow.commit()


def test_a_superseded_factor_recomputes_unpinned_results_and_keeps_the_old(
    platform: Platform,
    demo: dict[str, DemoSignIn],
    enterprise: Principal,
    published: dict[str, uuid.UUID],
) -> None:
    floating = _stored(platform, enterprise, widget(), iterations=40)
    pinned_data = widget(code="pinned")
    pinned_data["processes"][1]["exchanges"][0]["factor"]["version"] = 1
    pinned = _stored(platform, enterprise, pinned_data)
    other = _stored(platform, acting(demo["cq-battery"]), widget())
    with platform.unit_of_work(read_only=True) as uow:
        assert recompute.candidates(uow) == []
    _new_steel(platform, demo)
    with platform.unit_of_work(read_only=True) as uow:
        assert set(recompute.candidates(uow)) == {floating, pinned, other}
        assert set(recompute.affected_organisations(uow)) == {
            enterprise.organisation_id,
            demo["cq-battery"].organisation_id,
        }
    with platform.unit_of_work() as uow:
        report = recompute.recompute(uow, organisation_id=enterprise.organisation_id)
        uow.commit()
    assert report.unchanged == 1  # the pinned one still resolves to version 1
    assert report.failed == []
    [(old, new)] = report.recomputed
    assert old == floating
    with platform.unit_of_work(read_only=True) as uow:
        fresh = service.get_result(uow, principal=enterprise, result_id=new)
        kept = service.get_result(uow, principal=enterprise, result_id=floating)
        assert fresh.replaces_id == floating
        assert "test.steel v2" in fresh.reason
        assert kept.location_total == pytest.approx(LOCATION)
        assert fresh.location_total == pytest.approx(LOCATION + 2.2 * 1.0)
        assert fresh.market_total == pytest.approx(MARKET + 2.2 * 1.0)
        assert fresh.result.uncertainty is not None
        assert fresh.result.uncertainty.iterations == 40
        steel = [f for f in fresh.result.provenance.factors if f.key == "test.steel"]
        assert [f.version for f in steel] == [2]
        # The recomputed one is current now; the pinned one stays a candidate that resolves
        # as before, and the other organisation's waits for its own sweep.
        assert set(recompute.candidates(uow)) == {pinned, other}


def test_the_sweep_runs_as_a_job_per_organisation(
    platform: Platform,
    demo: dict[str, DemoSignIn],
    enterprise: Principal,
    published: dict[str, uuid.UUID],
) -> None:
    first = _stored(platform, enterprise, widget())
    second = _stored(platform, enterprise, widget(code="second"))
    _new_steel(platform, demo, 2.5)
    started = recompute.start_sweeps(platform.unit_of_work, platform.jobs, platform.job_units)
    assert [job.organisation_id for job in started] == [enterprise.organisation_id]
    finished = platform.jobs.wait(started[0].id, timeout=60)
    assert finished.status == jobs.JobStatus.SUCCEEDED, finished.error
    assert finished.result is not None
    assert finished.result["recomputed"] == 2
    with platform.unit_of_work(read_only=True) as uow:
        replaced = uow.session.scalars(
            select(AccountingResultRow.replaces_id).where(
                AccountingResultRow.replaces_id.is_not(None)
            )
        ).all()
        assert sorted(replaced) == sorted([first, second])
        assert recompute.candidates(uow) == []
