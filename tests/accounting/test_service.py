"""Saving, accounting and reading models and results in a real database (both kinds)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from pcfhub.accounting import service
from pcfhub.accounting.model import ProductModel
from pcfhub.accounting.store import AccountingResultFactorRow, AccountingResultRow
from pcfhub.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from pcfhub.factors.store import FactorUsageRow
from pcfhub.ledger.audit import audit_log
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from pcfhub.platform.model import Principal, Role
from tests.accounting.builders import model, widget
from tests.accounting.test_calculate import LOCATION, MARKET
from tests.factors.builders import PROPRIETARY, acting, publish, record


def save(platform: Platform, principal: Principal, data: ProductModel | None = None) -> uuid.UUID:
    with platform.unit_of_work() as uow:
        saved = service.save_model(uow, principal=principal, model=data or model())
        uow.commit()
    return saved.model_id


def test_a_stored_result_pins_its_inputs_and_records_factor_usage(
    platform: Platform, enterprise: Principal, published: dict[str, uuid.UUID]
) -> None:
    model_id = save(platform, enterprise)
    with platform.unit_of_work() as uow:
        stored = service.calculate(uow, principal=enterprise, model_id=model_id, iterations=50)
        uow.commit()
    assert stored.location_total == pytest.approx(LOCATION)
    assert stored.market_total == pytest.approx(MARKET)
    assert stored.total == pytest.approx(MARKET)  # market-based headline: certificates claimed
    assert stored.model_version == 1
    assert stored.organisation_id == enterprise.organisation_id
    provenance = stored.result.provenance
    used = {f.key: f.version_id for f in provenance.factors}
    assert used == {k: published[k] for k in ("test.grid", "test.wind", "test.steel", "test.truck")}
    assert provenance.model_version == 1
    assert provenance.model_hash.startswith("sha256:")
    assert provenance.gwp_source.startswith("IPCC")
    with platform.unit_of_work() as uow:
        indexed = uow.session.scalars(
            select(AccountingResultFactorRow.factor_version_id).where(
                AccountingResultFactorRow.result_id == stored.id
            )
        ).all()
        uses = uow.session.scalars(
            select(FactorUsageRow.version_id).where(FactorUsageRow.result_id == str(stored.id))
        ).all()
        assert sorted(indexed) == sorted(used.values()) == sorted(uses)
        again = service.get_result(uow, principal=enterprise, result_id=stored.id)
        assert (again.result, again.organisation_id) == (stored.result, stored.organisation_id)
        listed = service.list_results(uow, principal=enterprise)
        assert [r.id for r in listed.data] == [stored.id]
        assert listed.count == 1
        assert audit_log(uow.session).ok


def test_models_are_versioned_and_results_name_their_version(
    platform: Platform, enterprise: Principal, published: dict[str, uuid.UUID]
) -> None:
    model_id = save(platform, enterprise)
    data = widget()
    data["processes"][1]["exchanges"][0]["amount"] = 1.0
    assert save(platform, enterprise, ProductModel.model_validate(data)) == model_id
    with platform.unit_of_work() as uow:
        first = service.get_model(uow, principal=enterprise, model_id=model_id, version=1)
        assert first.model.processes[1].exchanges[0].amount == 1.1
        newest = service.calculate(uow, principal=enterprise, model_id=model_id, iterations=0)
        older = service.calculate(
            uow, principal=enterprise, model_id=model_id, version=1, iterations=0
        )
        uow.commit()
    assert newest.model_version == 2
    assert older.model_version == 1
    assert older.location_total - newest.location_total == pytest.approx(2 * 0.1 * 2.0)


def test_other_organisations_neither_read_nor_account_a_model(
    platform: Platform,
    demo: dict[str, DemoSignIn],
    enterprise: Principal,
    published: dict[str, uuid.UUID],
) -> None:
    model_id = save(platform, enterprise)
    other = acting(demo["cq-battery"])
    with platform.unit_of_work() as uow:
        stored = service.calculate(uow, principal=enterprise, model_id=model_id, iterations=0)
        uow.commit()
    with platform.unit_of_work() as uow:
        with pytest.raises((NotFoundError, PermissionDeniedError)):
            service.get_model(uow, principal=other, model_id=model_id)
        with pytest.raises((NotFoundError, PermissionDeniedError)):
            service.calculate(uow, principal=other, model_id=model_id)
        with pytest.raises((NotFoundError, PermissionDeniedError)):
            service.get_result(uow, principal=other, result_id=stored.id)
        assert service.list_results(uow, principal=other).count == 0
        viewer = acting(demo["cq-laptop"], Role.VIEWER)
        read = service.get_result(uow, principal=viewer, result_id=stored.id)
        assert (read.id, read.organisation_id) == (stored.id, enterprise.organisation_id)
        with pytest.raises(PermissionDeniedError):
            service.calculate(uow, principal=viewer, model_id=model_id)


def test_a_failed_calculation_stores_nothing(
    platform: Platform, enterprise: Principal, published: dict[str, uuid.UUID]
) -> None:
    data = widget()
    data["processes"][1]["exchanges"][0]["factor"] = {"key": "test.unknown"}
    model_id = save(platform, enterprise, ProductModel.model_validate(data))
    with (
        platform.unit_of_work() as uow,
        pytest.raises(InvalidInputError, match="'test.unknown': no published version"),
    ):
        service.calculate(uow, principal=enterprise, model_id=model_id)
    with platform.unit_of_work() as uow:
        count = uow.session.scalar(select(func.count()).select_from(AccountingResultRow))
        assert count == 0


def test_a_proprietary_factor_needs_a_licence(
    platform: Platform,
    demo: dict[str, DemoSignIn],
    enterprise: Principal,
    published: dict[str, uuid.UUID],
) -> None:
    with platform.unit_of_work() as uow:
        publish(
            uow,
            acting(demo["cq-battery"]),
            acting(demo["operator"]),
            record("acme.secret-steel", value=1.5, licence=PROPRIETARY),
        )
        uow.commit()
    data = widget()
    data["processes"][1]["exchanges"][0]["factor"] = {"key": "acme.secret-steel"}
    model_id = save(platform, enterprise, ProductModel.model_validate(data))
    with (
        platform.unit_of_work() as uow,
        pytest.raises(PermissionDeniedError, match="holds no licence"),
    ):
        service.calculate(uow, principal=enterprise, model_id=model_id)
