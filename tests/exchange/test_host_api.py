"""The PACT host API on both databases: a supplier publishes and shares; a partner's client
authenticates, lists with pagination and filters, fetches, and posts events. Every footprint,
list and error served validates against the official OpenAPI schemas."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

import anyio
import httpx
import jsonschema
import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import text

from pcfhub.exchange.events import EVENT_TYPES
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from pcfhub.platform.model import Principal
from tests.exchange.conftest import PUBLISH, stored_result
from tests.exchange.test_pact import errors, reference
from tests.platform.conftest import API, make_client, token_headers


@cache
def _schema_validator(version: str, name: str) -> jsonschema.protocols.Validator:
    spec = yaml.safe_load(reference(version, "openapi.yaml").read_text(encoding="utf-8"))
    schema = {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def schema_errors(version: str, name: str, value: Any) -> list[str]:
    return [e.message for e in _schema_validator(version, name).iter_errors(value)]


def partner_token(client: TestClient, created: dict[str, Any]) -> dict[str, str]:
    basic = base64.b64encode(
        f"{created['inbound_client_id']}:{created['inbound_client_secret']}".encode()
    ).decode()
    answer = client.post(
        "/auth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def publish(
    client: TestClient, owner: dict[str, str], result_id: uuid.UUID, **changes: Any
) -> dict:
    answer = client.post(
        f"{API}/exchange/footprints", json={"result_id": str(result_id), **PUBLISH, **changes},
        headers=owner,
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    return answer.json()


@pytest.fixture
def client(platform: Platform) -> TestClient:
    return make_client(platform)


@pytest.fixture
def owner(platform: Platform, client: TestClient, supplier: DemoSignIn) -> dict[str, str]:
    return token_headers(platform, client, supplier.organisation_id)


@pytest.fixture
def partner(client: TestClient, owner: dict[str, str]) -> dict[str, Any]:
    answer = client.post(
        f"{API}/exchange/connections",
        json={"name": "Customer GmbH", "base_url": "https://customer.example.com/pact"},
        headers=owner,
    )
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert created["inbound_client_secret"]
    assert created["has_remote_secret"] is False
    return created | {"headers": partner_token(client, created)}


def test_discovery_points_to_the_token_endpoint(client: TestClient) -> None:
    document = client.get("/.well-known/openid-configuration").json()
    assert document["token_endpoint"].endswith("/auth/token")
    assert "client_credentials" in document["grant_types_supported"]


def test_a_partner_sees_only_what_was_shared_with_it(
    client: TestClient, owner: dict[str, str], partner: dict[str, Any], result_id: uuid.UUID
) -> None:
    headers = partner["headers"]
    footprint = publish(client, owner, result_id)
    assert footprint["v2_available"] is True
    listed = client.get("/3/footprints", headers=headers)
    assert listed.status_code == 200
    assert listed.json() == {"data": []}
    hidden = client.get(f"/3/footprints/{footprint['id']}", headers=headers)
    assert hidden.status_code == 403
    assert hidden.json()["code"] == "AccessDenied"
    assert schema_errors("v3", "Error", hidden.json()) == []
    missing = client.get(f"/3/footprints/{uuid.uuid4()}", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["code"] == "NotFound"
    missing_v2 = client.get(f"/2/footprints/{uuid.uuid4()}", headers=headers)
    assert missing_v2.status_code == 404
    assert missing_v2.json()["code"] == "NoSuchFootprint"
    # An id that is no UUID names no footprint (the PACT conformance tests' case 8).
    for version, code in ((2, "NoSuchFootprint"), (3, "NotFound")):
        odd = client.get(f"/{version}/footprints/random-string-as-id", headers=headers)
        assert (odd.status_code, odd.json()["code"]) == (404, code)

    shared = client.post(
        f"{API}/exchange/footprints/{footprint['id']}/shares",
        json={"recipient": partner["partner_id"]},
        headers=owner,
    )
    assert shared.status_code == 201, shared.text
    assert shared.json()["shared_with"] == [partner["partner_id"]]
    v3 = client.get("/3/footprints", headers=headers).json()["data"]
    assert [d["id"] for d in v3] == [footprint["id"]]
    assert errors("v3", v3[0]) == []
    one = client.get(f"/3/footprints/{footprint['id']}", headers=headers).json()["data"]
    assert one == v3[0]
    v2 = client.get(f"/2/footprints/{footprint['id']}", headers=headers).json()["data"]
    assert errors("v2", v2) == []
    assert v2["pcf"]["declaredUnit"] == "kilogram"
    # Only results are shared: nothing of the model, inventory or bill of materials.
    text = str(v3[0]) + str(v2)
    assert "frame" not in text
    assert "steel" not in text

    revoked = client.delete(
        f"{API}/exchange/footprints/{footprint['id']}/shares/{partner['partner_id']}",
        headers=owner,
    )
    assert revoked.status_code == 200
    assert revoked.json()["shared_with"] == []
    assert client.get("/3/footprints", headers=headers).json() == {"data": []}


def test_pagination_links_and_filters(
    platform: Platform,
    client: TestClient,
    owner: dict[str, str],
    partner: dict[str, Any],
    enterprise: Principal,
    published: dict[str, uuid.UUID],
) -> None:
    late = publish(client, owner, stored_result(platform, enterprise, code="widget-late"))
    ids = []
    for index in range(5):
        result = stored_result(platform, enterprise, code=f"widget-{index}")
        product = f"urn:pact:widgets.example.com:product-id:W-{index}"
        footprint = publish(client, owner, result, product_ids=[product])
        client.post(
            f"{API}/exchange/footprints/{footprint['id']}/shares",
            json={"recipient": partner["partner_id"]}, headers=owner,
        )  # fmt: skip
        ids.append(footprint["id"])
    headers = partner["headers"]
    first = client.get("/3/footprints?limit=2", headers=headers)
    assert len(first.json()["data"]) == 2
    link = first.headers["link"]
    assert link.startswith("<http://testserver/3/footprints?")
    assert link.endswith('>; rel="next"')
    seen = [d["id"] for d in first.json()["data"]]
    # Shared after the first page, the oldest footprint stays out of this walk's pages.
    client.post(
        f"{API}/exchange/footprints/{late['id']}/shares",
        json={"recipient": partner["partner_id"]}, headers=owner,
    )  # fmt: skip
    url = link[1 : link.index(">")]
    while url:
        page = client.get(url, headers=headers)
        assert len(page.json()["data"]) <= 2
        seen += [d["id"] for d in page.json()["data"]]
        again = client.get(url, headers=headers)  # a pagination link may be called again
        assert again.json() == page.json()
        header = page.headers.get("link")
        url = header[1 : header.index(">")] if header else ""
    assert seen == ids
    empty = client.get("/3/footprints?limit=0", headers=headers)  # v3: limit minimum 0
    assert empty.json() == {"data": []}
    assert "limit=100&offset=0" in empty.headers["link"]
    fresh = client.get("/3/footprints", headers=headers).json()["data"]
    assert [d["id"] for d in fresh] == [late["id"], *ids]  # a new walk includes it
    client.delete(
        f"{API}/exchange/footprints/{late['id']}/shares/{partner['partner_id']}", headers=owner
    )

    wanted = "urn:pact:widgets.example.com:product-id:W-3"
    by_product = client.get(f"/3/footprints?productId={wanted.upper()}", headers=headers)
    assert [d["id"] for d in by_product.json()["data"]] == [ids[3]]
    two = client.get(
        "/3/footprints?productId=urn:pact:widgets.example.com:product-id:W-1"
        "&productid=urn:pact:widgets.example.com:product-id:W-2&geography=CN-CQ",
        headers=headers,
    )
    assert [d["id"] for d in two.json()["data"]] == ids[1:3]
    nowhere = client.get("/3/footprints?geography=DE", headers=headers)
    assert nowhere.json() == {"data": []}
    valid = client.get("/3/footprints?validOn=2027-06-01T00:00:00Z", headers=headers)
    assert len(valid.json()["data"]) == 5  # reference period ends 2026-01-01, valid 3 years
    expired = client.get("/3/footprints?validOn=2030-06-01T00:00:00Z", headers=headers)
    assert expired.json() == {"data": []}
    bad = client.get("/3/footprints?colour=red", headers=headers)
    assert bad.status_code == 400
    assert bad.json()["code"] == "BadRequest"
    extra = client.get("/3/footprints?x-acme-invoice=1", headers=headers)
    assert extra.status_code == 200

    odata = f"productIds/any(productId:(productId eq '{wanted}'))"
    v2 = client.get("/2/footprints", params={"$filter": odata}, headers=headers)
    assert [d["id"] for d in v2.json()["data"]] == [ids[3]]
    period = client.get(
        "/2/footprints",
        params={"$filter": "(pcf/referencePeriodStart ge '2025-01-01T00:00:00Z') and "
                "(pcf/referencePeriodEnd le '2026-01-01T00:00:00Z')"},
        headers=headers,
    )  # fmt: skip
    assert len(period.json()["data"]) == 5
    unsupported = client.get(
        "/2/footprints", params={"$filter": "companyName eq 'x'"}, headers=headers
    )
    assert unsupported.status_code == 400
    assert unsupported.json()["code"] == "NotImplemented"


def test_authentication_errors_are_pact_errors(client: TestClient, owner: dict[str, str]) -> None:
    none = client.get("/3/footprints")
    assert none.status_code == 401
    assert none.json()["code"] == "BadRequest"  # AccessDenied is a 403 in v3's Error enum
    forged = client.get("/3/footprints", headers={"Authorization": "Bearer not-a-token"})
    assert (forged.status_code, forged.json()["code"]) == (401, "BadRequest")
    assert schema_errors("v3", "Error", forged.json()) == []
    # v2 answers an invalid or missing token "in all other cases" with 400 BadRequest
    for headers in ({"Authorization": "Bearer not-a-token"}, {}):
        v2 = client.get("/2/footprints", headers=headers)
        assert (v2.status_code, v2.json()["code"]) == (400, "BadRequest")
        assert schema_errors("v2", "Error", v2.json()) == []


def test_a_token_without_the_pact_scope_is_denied(
    platform: Platform, client: TestClient, supplier: DemoSignIn
) -> None:
    headers = token_headers(platform, client, supplier.organisation_id, scopes=["model:read"])
    denied = client.get("/3/footprints", headers=headers)
    assert denied.status_code == 403
    assert denied.json()["code"] == "AccessDenied"


def event(version: int, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": EVENT_TYPES[version][kind],  # type: ignore[index]
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "//customer.example.com/pact/3/events",
        "time": "2026-11-27T08:00:00Z",
        "data": data,
    }


@pytest.mark.parametrize("version", [2, 3])
def test_a_request_is_answered_through_the_outbox(
    version: int,
    client: TestClient,
    owner: dict[str, str],
    partner: dict[str, Any],
    result_id: uuid.UUID,
) -> None:
    footprint = publish(client, owner, result_id)
    product = PUBLISH["product_ids"][0]
    data = {"pf": {"productIds": [product]}} if version == 2 else {"productId": [product]}
    created = event(version, "request_created", data)
    if version == 3:
        assert schema_errors("v3", "RequestCreatedEvent", created) == []
    posted = client.post(
        f"/{version}/events", json=created,
        headers=partner["headers"] | {"Content-Type": "application/cloudevents+json"},
    )  # fmt: skip
    assert posted.status_code == 200
    assert posted.content == b""
    again = client.post(f"/{version}/events", json=created, headers=partner["headers"])
    assert again.status_code == 200  # a retried event is accepted once
    inbox = client.get(f"{API}/exchange/requests", headers=owner).json()
    assert [(r["direction"], r["event_id"]) for r in inbox] == [("inbound", created["id"])]
    request_id = inbox[0]["id"]
    candidates = client.get(f"{API}/exchange/requests/{request_id}/candidates", headers=owner)
    assert candidates.json() == [footprint["id"]]
    answered = client.post(
        f"{API}/exchange/requests/{request_id}/answer",
        json={"footprint_ids": [footprint["id"]]}, headers=owner,
    )  # fmt: skip
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "fulfilled"
    # Fulfilling shares the footprint with the partner, so it can also list it.
    listed = client.get(f"/{version}/footprints", headers=partner["headers"]).json()["data"]
    assert [d["id"] for d in listed] == [footprint["id"]]
    twice = client.post(
        f"{API}/exchange/requests/{request_id}/answer", json={"reject_code": "NotFound"},
        headers=owner,
    )  # fmt: skip
    assert twice.status_code == 409


def test_bad_events_are_refused(client: TestClient, partner: dict[str, Any]) -> None:
    headers = partner["headers"]
    not_json = client.post("/3/events", content=b"{", headers=headers)
    assert not_json.status_code == 400
    assert not_json.json()["code"] == "BadRequest"
    wrong_version = client.post(
        "/2/events", json=event(3, "published", {"pfIds": []}), headers=headers
    )
    assert wrong_version.status_code == 400
    unknown = client.post(
        "/3/events", json=event(3, "published", {}) | {"type": "com.example.Other"}, headers=headers
    )
    # v3 lists only 400 for an invalid event; v2 names unknown functionality NotImplemented
    assert (unknown.status_code, unknown.json()["code"]) == (400, "BadRequest")
    unknown_v2 = client.post(
        "/2/events", json=event(2, "published", {}) | {"type": "com.example.Other"}, headers=headers
    )
    assert (unknown_v2.status_code, unknown_v2.json()["code"]) == (400, "NotImplemented")
    not_objects = client.post(
        "/3/events",
        json=event(3, "request_fulfilled", {"requestEventId": "x", "pfs": ["not an object"]}),
        headers=headers,
    )
    assert (not_objects.status_code, not_objects.json()["code"]) == (400, "BadRequest")
    no_criteria = client.post("/3/events", json=event(3, "request_created", {}), headers=headers)
    assert no_criteria.status_code == 400
    for data in ({"productId": 5}, {"productId": None}, {"productId": {"a": 1}}):
        typed = client.post("/3/events", json=event(3, "request_created", data), headers=headers)
        assert (typed.status_code, typed.json()["code"]) == (400, "BadRequest"), data
    v2_typed = client.post(
        "/2/events", json=event(2, "request_created", {"pf": {"productIds": 7}}), headers=headers
    )
    assert v2_typed.status_code == 400
    too_many = event(3, "published", {"pfIds": [str(uuid.uuid4()) for _ in range(1001)]})
    assert client.post("/3/events", json=too_many, headers=headers).status_code == 400
    answer_to_nothing = client.post(
        "/3/events",
        json=event(
            3,
            "request_rejected",
            {"requestEventId": "nope", "error": {"code": "NotFound", "message": "x"}},
        ),
        headers=headers,
    )
    assert answer_to_nothing.status_code == 400


def test_an_event_still_arriving_holds_no_write_lock(
    platform: Platform, client: TestClient, partner: dict[str, Any]
) -> None:
    """The events endpoints read the body before they open a write transaction: a partner
    sending slowly must not stop everyone else's writes (SQLite has one writer)."""
    body = json.dumps(event(3, "published", {"pfIds": [str(uuid.uuid4())]})).encode()

    def write_meanwhile() -> None:
        with platform.unit_of_work() as uow:
            uow.session.execute(text("DELETE FROM pact_outbox WHERE 1 = 0"))
            uow.commit()

    async def scenario() -> httpx.Response:
        started, release = anyio.Event(), anyio.Event()

        async def slow_body() -> AsyncIterator[bytes]:
            yield body[:10]
            started.set()
            await release.wait()
            yield body[10:]

        answers: list[httpx.Response] = []
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:

            async def post() -> None:
                headers = partner["headers"] | {"Content-Length": str(len(body))}
                answers.append(await http.post("/3/events", content=slow_body(), headers=headers))

            async with anyio.create_task_group() as tasks:
                tasks.start_soon(post)
                await started.wait()
                await anyio.sleep(0.3)  # time for the endpoint to take a lock, were it to
                with anyio.fail_after(5):
                    await anyio.to_thread.run_sync(write_meanwhile)
                release.set()
        return answers[0]

    # Its own thread: a browser test of the same session may own this thread's event loop.
    with ThreadPoolExecutor(1) as thread:
        answer = thread.submit(anyio.run, scenario).result()
    assert answer.status_code == 200, answer.text


def test_events_come_only_from_connected_partners(
    platform: Platform, client: TestClient, supplier: DemoSignIn
) -> None:
    tenant = token_headers(platform, client, supplier.organisation_id)
    posted = client.post(
        "/3/events", json=event(3, "request_created", {"productId": ["urn:x:y"]}), headers=tenant
    )
    assert posted.status_code == 403
    assert posted.json()["code"] == "AccessDenied"
