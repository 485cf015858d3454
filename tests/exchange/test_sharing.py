"""Who may be shared with, and what partners hear of: a tenant shares only with its own
partners; sharing, deprecating and superseding a footprint queue PublishedEvents to the
partners that read it; a connection's address changes only with its secret, in the ledger."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from pcfhub.exchange.events import EVENT_TYPES
from pcfhub.exchange.store import PactOutboxRow
from pcfhub.ledger.store import LedgerEntryRow
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from tests.exchange.test_host_api import client, owner, partner, publish  # noqa: F401
from tests.platform.conftest import API, token_headers

PUBLISHED = EVENT_TYPES[3]["published"]


def announced(platform: Platform) -> list[list[str]]:
    """The pfIds of every PublishedEvent waiting in the outbox, oldest first."""
    with platform.unit_of_work(read_only=True) as uow:
        rows = uow.session.scalars(select(PactOutboxRow).order_by(PactOutboxRow.created_at))
        return [r.event["data"]["pfIds"] for r in rows if r.event.get("type") == PUBLISHED]


def share(client: TestClient, owner: dict[str, str], footprint_id: str, recipient: str) -> Any:  # noqa: F811
    return client.post(
        f"{API}/exchange/footprints/{footprint_id}/shares",
        json={"recipient": recipient},
        headers=owner,
    )


def test_another_tenants_partner_cannot_be_shared_with(
    platform: Platform,
    client: TestClient,  # noqa: F811
    owner: dict[str, str],  # noqa: F811
    demo: dict[str, DemoSignIn],
    result_id: uuid.UUID,
) -> None:
    battery = token_headers(platform, client, demo["cq-battery"].organisation_id)
    theirs = client.post(
        f"{API}/exchange/connections",
        json={"name": "Battery's customer", "base_url": "https://buyer.example.com/pact"},
        headers=battery,
    ).json()
    footprint = publish(client, owner, result_id)
    refused = share(client, owner, footprint["id"], theirs["partner_id"])
    assert refused.status_code == 422
    assert "not one of your PACT partners" in refused.text
    assert announced(platform) == []
    # A tenant of the platform is fine: it reads the footprint here, no event is sent.
    tenant = share(client, owner, footprint["id"], str(demo["cq-battery"].organisation_id))
    assert tenant.status_code == 201
    assert announced(platform) == []


def test_partners_hear_of_shares_deprecations_and_new_versions(
    platform: Platform,
    client: TestClient,  # noqa: F811
    owner: dict[str, str],  # noqa: F811
    partner: dict[str, Any],  # noqa: F811
    result_id: uuid.UUID,
) -> None:
    first = publish(client, owner, result_id)
    assert announced(platform) == []  # nobody reads it yet
    assert share(client, owner, first["id"], partner["partner_id"]).status_code == 201
    assert announced(platform) == [[first["id"]]]
    second = publish(client, owner, result_id)  # supersedes the first
    assert second["document"]["precedingPfIds"] == [first["id"]]
    assert announced(platform)[-1] == [second["id"], first["id"]]
    deprecated = client.post(f"{API}/exchange/footprints/{second['id']}/deprecate", headers=owner)
    assert deprecated.status_code == 200
    assert announced(platform)[-1] == [second["id"]]
    again = client.post(f"{API}/exchange/footprints/{second['id']}/deprecate", headers=owner)
    assert again.status_code == 200
    assert len(announced(platform)) == 3  # nothing changed the second time: no event


def test_moving_a_connection_needs_its_secret_again(
    platform: Platform,
    client: TestClient,  # noqa: F811
    owner: dict[str, str],  # noqa: F811
    partner: dict[str, Any],  # noqa: F811
) -> None:
    url = f"{API}/exchange/connections/{partner['id']}"
    given = client.patch(
        url, json={"remote_client_id": "us", "remote_client_secret": "s3cret"}, headers=owner
    )
    assert given.status_code == 200, given.text
    moved = client.patch(
        url, json={"base_url": "https://elsewhere.example.net/pact"}, headers=owner
    )
    assert moved.status_code == 422
    assert "remote_client_secret" in moved.text
    same = client.patch(url, json={"base_url": "https://customer.example.com/pact"}, headers=owner)
    assert same.status_code == 200  # the same address: nothing to re-enter
    with_secret = client.patch(
        url,
        json={"base_url": "https://elsewhere.example.net/pact", "remote_client_secret": "n3w"},
        headers=owner,
    )
    assert with_secret.status_code == 200
    assert with_secret.json()["base_url"] == "https://elsewhere.example.net/pact"
    with platform.unit_of_work(read_only=True) as uow:
        updates = uow.session.scalars(
            select(LedgerEntryRow).where(
                LedgerEntryRow.action == "pact.connection_updated",
                LedgerEntryRow.object_id == partner["partner_id"],
            )
        ).all()
    assert len(updates) == 3


def test_a_request_of_a_revoked_connection_cannot_be_answered(
    client: TestClient,  # noqa: F811
    owner: dict[str, str],  # noqa: F811
    partner: dict[str, Any],  # noqa: F811
) -> None:
    created = {
        "type": EVENT_TYPES[3]["request_created"], "specversion": "1.0", "id": "r-1",
        "source": "//customer.example.com/pact/3/events", "time": "2026-11-27T08:00:00Z",
        "data": {"productId": ["urn:pact:widgets.example.com:product-id:W-1"]},
    }  # fmt: skip
    assert client.post("/3/events", json=created, headers=partner["headers"]).status_code == 200
    request_id = client.get(f"{API}/exchange/requests", headers=owner).json()[0]["id"]
    revoked = client.delete(f"{API}/exchange/connections/{partner['id']}", headers=owner)
    assert revoked.status_code in (200, 204)
    answer = client.post(
        f"{API}/exchange/requests/{request_id}/answer", json={"reject_code": "NotFound"},
        headers=owner,
    )  # fmt: skip
    assert answer.status_code == 409
    assert "revoked" in answer.text
