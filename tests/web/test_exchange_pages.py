"""The exchange page in process: publish a result, share it with a tenant (who then reads it
over PACT), connect a partner (credentials shown once), answer a request, import a received
footprint; a bad form saves nothing and says why; other organisations see none of it."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, select

from pcfhub.accounting import service as accounting
from pcfhub.exchange.store import PactFootprintRow, PactRequestRow
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from tests.accounting.builders import model, widget
from tests.exchange.conftest import PUBLISH, stored_result
from tests.factors.builders import acting
from tests.platform.conftest import csrf_from, token_headers
from tests.web.conftest import BrowserOf

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # pages: one kind


@pytest.fixture
def result_id(platform: Platform, demo: dict[str, DemoSignIn]) -> uuid.UUID:
    from tests.accounting.builders import FACTORS
    from tests.factors.builders import publish

    contributor, reviewer = acting(demo["cq-battery"]), acting(demo["operator"])
    with platform.unit_of_work() as uow:
        for data in FACTORS.values():
            publish(uow, contributor, reviewer, data)
        uow.commit()
    return stored_result(platform, acting(demo["cq-laptop"]))


def _publish_form(csrf: str, result_id: uuid.UUID, **changes: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "result_id": str(result_id),
        "company_ids": PUBLISH["company_ids"][0],
        "product_ids": PUBLISH["product_ids"][0],
        "cpc_code": PUBLISH["cpc_code"],
        "product_mass_kg": "2.2",
        "fossil_carbon_content_kg": "0",
        "biogenic_carbon_content_kg": "0",
    } | changes


@SQLITE
def test_publish_share_and_read_over_pact(
    platform: Platform, browser_of: BrowserOf, demo: dict[str, DemoSignIn], result_id: uuid.UUID
) -> None:
    owner = browser_of("cq-laptop")
    page = owner.get("/exchange")
    assert page.status_code == 200
    assert "widget" in page.text  # the result to publish is offered
    csrf = csrf_from(page.text)
    bad = owner.post("/exchange/footprints", data=_publish_form(csrf, result_id, product_ids="x"))
    assert bad.status_code == 422
    assert "product_ids" in bad.text
    with platform.unit_of_work(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(PactFootprintRow)) == 0
    done = owner.post(
        "/exchange/footprints", data=_publish_form(csrf, result_id), follow_redirects=False
    )
    assert done.status_code == 303
    page = owner.get(done.headers["location"])
    assert 'id="done"' in page.text
    footprint_id = re.search(r'id="footprint-([0-9a-f-]{36})"', page.text)
    assert footprint_id
    shared = owner.post(
        f"/exchange/footprints/{footprint_id[1]}/shares",
        data={"csrf_token": csrf, "recipient": "cq-industry"},
        follow_redirects=False,
    )
    assert shared.status_code == 303
    # The tenant reads it over PACT with its own API client.
    industry = demo["cq-industry"].organisation_id
    headers = token_headers(platform, owner, industry, scopes=["pact_footprint:read"])
    listed = owner.get("/3/footprints", headers=headers).json()["data"]
    assert [d["id"] for d in listed] == [footprint_id[1]]
    # The customer sees it on its page and imports it into a process of its own model.
    buyer = browser_of("cq-industry")
    with platform.unit_of_work() as uow:
        own = accounting.save_model(
            uow, principal=acting(demo["cq-industry"]), model=model(widget(code="bike"))
        )
        uow.commit()
    page = buyer.get("/exchange")
    assert f'id="shared-{footprint_id[1]}"' in page.text
    assert f'action="/exchange/shared/{footprint_id[1]}/import"' in page.text
    imported = buyer.post(
        f"/exchange/shared/{footprint_id[1]}/import",
        data={"csrf_token": csrf_from(page.text), "model_code": "bike", "process": "assembly",
              "amount": "2"},
        follow_redirects=False,
    )  # fmt: skip
    assert imported.status_code == 303
    with platform.unit_of_work(read_only=True) as uow:
        latest = accounting.get_model(
            uow, principal=acting(demo["cq-industry"]), model_id=own.model_id
        )
    supplier = [e for e in latest.model.process("assembly").exchanges if e.kind == "supplier"]
    assert [(e.amount, e.unit, e.footprint.total) for e in supplier] == [(2, "piece", 7.6642)]
    # Another enterprise sees nothing of it on its own page.
    other = browser_of("cq-battery").get("/exchange")
    assert footprint_id[1] not in other.text
    assert "widget" not in other.text


@SQLITE
def test_connection_credentials_are_shown_once_and_requests_are_answered(
    platform: Platform, browser_of: BrowserOf, result_id: uuid.UUID
) -> None:
    owner = browser_of("cq-laptop")
    csrf = csrf_from(owner.get("/exchange").text)
    owner.post("/exchange/footprints", data=_publish_form(csrf, result_id))
    created = owner.post(
        "/exchange/connections",
        data={"csrf_token": csrf, "name": "Customer GmbH", "base_url": "https://c.example.com"},
    )
    assert created.status_code == 201
    client_id = re.search(r'id="inbound-client-id">([^<]+)<', created.text)
    secret = re.search(r'id="inbound-client-secret">([^<]+)<', created.text)
    assert client_id
    assert secret
    again = owner.get("/exchange")
    assert secret[1] not in again.text  # shown once
    token = owner.post(
        "/auth/token", data={"grant_type": "client_credentials"}, auth=(client_id[1], secret[1])
    )
    partner = {"Authorization": f"Bearer {token.json()['access_token']}"}
    event = {
        "type": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
        "specversion": "1.0",
        "id": "req-1",
        "source": "//c.example.com/3/events",
        "time": "2026-11-27T08:00:00Z",
        "data": {"productId": PUBLISH["product_ids"], "comment": "for the Q4 audit"},
    }
    assert owner.post("/3/events", json=event, headers=partner).status_code == 200
    page = owner.get("/exchange")
    assert "for the Q4 audit" in page.text
    request_id = re.search(r'id="request-([0-9a-f-]{36})"', page.text)
    assert request_id
    chosen = re.findall(r'name="footprint_ids" value="([0-9a-f-]{36})"', page.text)
    assert len(chosen) == 1
    nothing = owner.post(f"/exchange/requests/{request_id[1]}/answer", data={"csrf_token": csrf})
    assert nothing.status_code == 422
    answered = owner.post(
        f"/exchange/requests/{request_id[1]}/answer",
        data={"csrf_token": csrf, "footprint_ids": chosen},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    with platform.unit_of_work(read_only=True) as uow:
        row = uow.session.scalar(select(PactRequestRow))
        assert row is not None
        assert row.status == "fulfilled"
    listed = owner.get("/3/footprints", headers=partner).json()["data"]
    assert [d["id"] for d in listed] == chosen


@SQLITE
def test_the_page_needs_a_sign_in(browser_of: BrowserOf, platform: Platform) -> None:
    from fastapi.testclient import TestClient

    from pcfhub.platform.app import create_app

    anonymous = TestClient(create_app(platform=platform))
    answer = anonymous.get("/exchange", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/sign-in")
