"""A received footprint becomes a supplier exchange of the customer's model: per unit of the
footprint's declared unit, with its split, data quality and primary data share."""

from __future__ import annotations

import copy
import json
import uuid

import pytest

from pcfhub.accounting import service as accounting
from pcfhub.accounting.model import SupplierExchange
from pcfhub.errors import InvalidInputError
from pcfhub.exchange import connections, received
from pcfhub.exchange.schemas import ConnectionCreate, ImportRequest
from pcfhub.exchange.store import PactConnectionRow
from pcfhub.platform.context import Platform
from pcfhub.platform.model import Principal
from tests.accounting.builders import model
from tests.exchange.test_pact import reference


def example(version: str, name: str) -> dict:
    return json.loads(reference(version, "examples", name).read_text(encoding="utf-8"))


def test_v3_example_as_a_supplier_footprint() -> None:
    document = example("v3", "example-1.json")
    unit, footprint = received.supplier_footprint(document, 3)
    # example-1: per 1 kilogram; excluding uptake 0.384, fossil 0.35, LUC 0, uptake -1.61,
    # biogenic non-CO2 0.002, primary data share 12.9 %, DQRs 1.5, 3.2, 2.4 (mean 2.3667).
    assert unit == "kilogram"
    assert footprint.total == pytest.approx(0.384)
    assert footprint.fossil == pytest.approx(0.35)
    assert footprint.biogenic_removal == pytest.approx(1.61)
    assert footprint.biogenic_emission == pytest.approx(0.002)
    assert footprint.primary_data_share == pytest.approx(0.129)
    assert footprint.data_quality_rating == pytest.approx((1.5 + 3.2 + 2.4) / 3)
    assert document["id"] in (footprint.source or "")


def test_values_are_per_one_declared_unit() -> None:
    document = copy.deepcopy(example("v3", "example-1.json"))
    document["pcf"]["declaredUnitAmount"] = "4"
    _unit, footprint = received.supplier_footprint(document, 3)
    assert footprint.total == pytest.approx(0.384 / 4)


def test_a_document_that_is_not_a_footprint_is_refused() -> None:
    document = copy.deepcopy(example("v3", "example-1.json"))
    document["pcf"]["declaredUnitOfMeasurement"] = "bushel"
    with pytest.raises(InvalidInputError, match="declaredUnit"):
        received.supplier_footprint(document, 3)


def test_import_adds_a_supplier_exchange_as_a_new_model_version(
    platform: Platform, enterprise: Principal
) -> None:
    document = example("v3", "example-1.json")
    with platform.unit_of_work() as uow:
        saved = accounting.save_model(uow, principal=enterprise, model=model())
        created = connections.add_connection(
            uow, principal=enterprise, secret=platform.secret,
            data=ConnectionCreate(name="Ethanol Co."),
        )  # fmt: skip
        link = uow.session.get(PactConnectionRow, created.id)
        assert link is not None
        row = received.store_received(uow, link, document, version=3)
        again = received.store_received(uow, link, document, version=3)
        assert again.id == row.id
        process = saved.model.processes[0].id
        request = ImportRequest(model_code=saved.code, process=process, amount=0.5)
        version_id = received.import_into_model(
            uow, principal=enterprise, received_id=row.id, data=request
        )
        twice = received.import_into_model(
            uow, principal=enterprise, received_id=row.id, data=request
        )
        uow.commit()
    with platform.unit_of_work(read_only=True) as uow:
        latest = accounting.get_model(uow, principal=enterprise, model_id=saved.model_id)
    assert latest.version == saved.version + 2
    assert latest.id == twice != version_id
    exchanges = [
        e for e in latest.model.process(process).exchanges if isinstance(e, SupplierExchange)
    ]
    assert len(exchanges) == 1  # the second import replaced the first
    assert exchanges[0].amount == 0.5
    assert exchanges[0].unit == "kilogram"
    assert exchanges[0].supplier == "Company 1"
    assert exchanges[0].footprint.total == pytest.approx(0.384)
    with platform.unit_of_work() as uow, pytest.raises(InvalidInputError, match="process"):
        received.import_into_model(
            uow, principal=enterprise, received_id=row.id,
            data=ImportRequest(model_code=saved.code, process="nowhere", amount=1),
        )  # fmt: skip
    assert uuid.UUID(str(version_id))


def test_a_footprint_id_belongs_to_the_partner_that_sent_it_first(
    platform: Platform, enterprise: Principal
) -> None:
    """Another partner sending a footprint with the same PACT id cannot replace it."""
    document = example("v3", "example-1.json")
    with platform.unit_of_work() as uow:
        links = []
        for name in ("Real supplier", "Impostor"):
            created = connections.add_connection(
                uow, principal=enterprise, secret=platform.secret,
                data=ConnectionCreate(name=name, base_url=f"https://{name[:4].lower()}.example.com"),
            )  # fmt: skip
            links.append(uow.session.get(PactConnectionRow, created.id))
        real, impostor = links
        assert real is not None
        assert impostor is not None
        kept = received.store_received(uow, real, document, version=3)
        forged = copy.deepcopy(document) | {"companyName": "Impostor"}
        with pytest.raises(InvalidInputError, match="another partner"):
            received.store_received(uow, impostor, forged, version=3)
        assert kept.document["companyName"] == document["companyName"]
        assert kept.connection_id == real.id


def test_a_revoked_partners_footprints_pass_to_its_new_connection(
    platform: Platform, enterprise: Principal
) -> None:
    """Revoking a partner and connecting it again must not lock its footprints out."""
    document = example("v3", "example-1.json")
    with platform.unit_of_work() as uow:
        links = []
        for _ in range(2):
            created = connections.add_connection(
                uow, principal=enterprise, secret=platform.secret,
                data=ConnectionCreate(name="Supplier", base_url="https://supplier.example.com"),
            )  # fmt: skip
            links.append(uow.session.get(PactConnectionRow, created.id))
            if len(links) == 1:
                assert links[0] is not None
                received.store_received(uow, links[0], document, version=3)
                connections.revoke_connection(uow, principal=enterprise, connection_id=created.id)
        again = links[1]
        assert again is not None
        kept = received.store_received(uow, again, document, version=3)
        assert kept.connection_id == again.id
