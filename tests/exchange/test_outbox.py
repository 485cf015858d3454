"""Delivery with retries: a refused event waits longer each time and is abandoned after 72 h;
a delivered one is sent once. The partner is an httpx MockTransport (a system we do not run)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from pcfhub.errors import InvalidInputError
from pcfhub.exchange import connections, outbox, requests
from pcfhub.exchange.client import PactClient
from pcfhub.exchange.events import Incoming
from pcfhub.exchange.schemas import ConnectionCreate, ConnectionUpdate
from pcfhub.exchange.store import PactConnectionRow, PactOutboxRow
from pcfhub.platform.context import Platform
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import OrganisationKind, Principal, Role


def test_backoff_doubles_from_ten_seconds_to_an_hour() -> None:
    waits = [outbox.backoff(n, jitter=0).total_seconds() for n in (1, 2, 3, 4, 12, 30)]
    assert waits == [10, 20, 40, 80, 3600, 3600]
    assert outbox.backoff(1, jitter=0.2).total_seconds() == pytest.approx(12)


class Partner:
    """A partner host: token endpoint and events endpoint; fails until told otherwise."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.up = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/openid-configuration"):
            return httpx.Response(404)
        if request.url.path == "/auth/token":
            return httpx.Response(200, json={"access_token": "t", "token_type": "Bearer"})
        if not self.up:
            return httpx.Response(503, json={"code": "InternalError", "message": "down"})
        assert request.headers["authorization"] == "Bearer t"
        assert request.headers["content-type"].startswith("application/cloudevents+json")
        self.events.append(json.loads(request.content))
        return httpx.Response(200)


def test_an_event_is_retried_then_delivered_once(platform: Platform, enterprise: Principal) -> None:
    partner = Partner()
    connection_id = _linked(platform, enterprise, [{"type": "t", "id": "e-1"}])
    with platform.unit_of_work(read_only=True) as uow:
        link = uow.session.get(PactConnectionRow, connection_id)
        assert link is not None
        assert connections.remote_credentials(link, platform.secret) == ("us", "s3cret")
        assert b"s3cret" not in (link.remote_secret or b"")
    make_client = _client(partner)

    start = utcnow()
    first = outbox.deliver_due(platform, requests.deliver, now=start, make_client=make_client)
    assert (first.delivered, first.failed) == (0, 1)
    with platform.unit_of_work(read_only=True) as uow:
        row = uow.session.query(PactOutboxRow).one()
        assert row.attempts == 1
        assert "503" in (row.last_error or "")
        wait = row.next_attempt_at - start
    assert timedelta(seconds=8) <= wait <= timedelta(seconds=12)
    # Not due yet: nothing is sent.
    early = outbox.deliver_due(platform, requests.deliver, now=start, make_client=make_client)
    assert early == outbox.Delivery(0, 0, 0)
    partner.up = True
    later = start + timedelta(seconds=13)
    done = outbox.deliver_due(platform, requests.deliver, now=later, make_client=make_client)
    assert done.delivered == 1
    assert partner.events == [{"type": "t", "id": "e-1"}]
    again = outbox.deliver_due(
        platform, requests.deliver, now=later + timedelta(hours=1), make_client=make_client
    )
    assert again == outbox.Delivery(0, 0, 0)
    assert len(partner.events) == 1


def test_an_event_nobody_takes_is_abandoned_after_72_hours(
    platform: Platform, enterprise: Principal
) -> None:
    partner = Partner()
    _linked(platform, enterprise, [{"type": "t", "id": "e-2"}])
    make_client = _client(partner)

    late = utcnow() + timedelta(hours=72, minutes=1)
    result = outbox.deliver_due(platform, requests.deliver, now=late, make_client=make_client)
    assert result.abandoned == 1
    with platform.unit_of_work(read_only=True) as uow:
        row = uow.session.query(PactOutboxRow).one()
        assert row.abandoned_at is not None
        assert row.delivered_at is None


def _linked(platform: Platform, principal: Principal, payloads: list[dict[str, Any]]) -> Any:
    """A connection with ``payloads`` queued; the connection's id."""
    with platform.unit_of_work() as uow:
        created = connections.add_connection(
            uow, principal=principal, secret=platform.secret,
            data=ConnectionCreate(
                name="Partner", base_url="https://partner.example.com",
                remote_client_id="us", remote_client_secret="s3cret",
            ),
        )  # fmt: skip
        link = uow.session.get(PactConnectionRow, created.id)
        assert link is not None
        for payload in payloads:
            outbox.queue(uow, link, payload)
        uow.commit()
    return created.id


def _client(partner: Callable[[httpx.Request], httpx.Response]) -> outbox.ClientFactory:
    return lambda row: PactClient(
        row.base_url or "", client_id="us", client_secret="s3cret",
        transport=httpx.MockTransport(partner),
    )  # fmt: skip


def test_an_unexpected_failure_does_not_stop_the_rows_behind_it(
    platform: Platform, enterprise: Principal
) -> None:
    partner = Partner()
    partner.up = True
    _linked(platform, enterprise, [{"odd": True}, {"type": "t", "id": "e-3"}])

    def handler(p: Platform, client: PactClient, link: PactConnectionRow, payload: dict) -> None:
        if payload.get("odd"):
            raise KeyError("pfs")  # say, a partner's answer of an unforeseen shape
        requests.deliver(p, client, link, payload)

    done = outbox.deliver_due(platform, handler, make_client=_client(partner))
    assert (done.delivered, done.failed) == (1, 1)
    assert partner.events == [{"type": "t", "id": "e-3"}]
    with platform.unit_of_work(read_only=True) as uow:
        odd = next(r for r in uow.session.query(PactOutboxRow) if r.event.get("odd"))
        assert odd.attempts == 1
        assert "KeyError" in (odd.last_error or "")
        assert odd.next_attempt_at > utcnow()


def test_a_fetched_footprint_must_be_the_one_asked_for(
    platform: Platform, enterprise: Principal
) -> None:
    asked = "3fa85f64-5717-4562-b3fc-2c963f66afa6"

    def partner(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/token":
            return httpx.Response(200, json={"access_token": "t"})
        if request.url.path.endswith(f"/footprints/{asked}"):
            other = {"id": "0f0f0f0f-5717-4562-b3fc-2c963f66afa6", "pcf": {}}
            return httpx.Response(200, json={"data": other})
        return httpx.Response(404)

    _linked(platform, enterprise, [{"fetch": [asked]}])
    done = outbox.deliver_due(platform, requests.deliver, make_client=_client(partner))
    assert done.failed == 1
    with platform.unit_of_work(read_only=True) as uow:
        row = uow.session.query(PactOutboxRow).one()
        assert f"not the ProductFootprint {asked}" in (row.last_error or "")


def test_rows_of_a_revoked_connection_are_abandoned_unsent(
    platform: Platform, enterprise: Principal
) -> None:
    partner = Partner()
    partner.up = True
    connection_id = _linked(platform, enterprise, [{"type": "t", "id": "e-4"}])
    with platform.unit_of_work() as uow:
        connections.revoke_connection(uow, principal=enterprise, connection_id=connection_id)
        uow.commit()
    done = outbox.deliver_due(platform, requests.deliver, make_client=_client(partner))
    assert done == outbox.Delivery(0, 0, 1)
    assert partner.events == []
    with platform.unit_of_work(read_only=True) as uow:
        assert "revoked" in (uow.session.query(PactOutboxRow).one().last_error or "")


def test_two_workers_send_each_event_once(platform: Platform, enterprise: Principal) -> None:
    """Two processes on one database each run the outbox: a row is claimed by one of them."""
    partner = Partner()
    partner.up = True
    _linked(platform, enterprise, [{"type": "t", "id": f"e-{n}"} for n in range(4)])
    sent: list[str] = []

    def slow(p: Platform, client: PactClient, link: PactConnectionRow, payload: dict) -> None:
        time.sleep(0.05)
        sent.append(payload["id"])
        requests.deliver(p, client, link, payload)

    with ThreadPoolExecutor(2) as pool:
        runs = [
            pool.submit(outbox.deliver_due, platform, slow, make_client=_client(partner))
            for _ in range(2)
        ]
        totals = [run.result() for run in runs]
    assert sorted(sent) == [f"e-{n}" for n in range(4)]
    assert sum(t.delivered for t in totals) == 4
    assert len(partner.events) == 4


@pytest.mark.parametrize(
    ("url", "internal"),
    [
        ("https://127.0.0.1/pact", True),
        ("https://localhost:8443", True),
        ("https://[::1]/pact", True),
        ("https://10.1.2.3", True),
        ("https://192.168.0.10", True),
        ("https://169.254.169.254/latest/meta-data", True),  # a cloud's metadata service
        ("https://8.8.8.8/pact", False),
        ("https://no-such-host.invalid/pact", False),  # fails later, when called
    ],
)
def test_internal_addresses_are_recognised(url: str, internal: bool) -> None:
    assert (outbox.internal_address(url) is not None) is internal


def test_production_calls_no_internal_partner(platform: Platform, enterprise: Principal) -> None:
    connection_id = _linked(platform, enterprise, [])
    with platform.unit_of_work() as uow:
        connections.update_connection(
            uow, principal=enterprise, connection_id=connection_id, secret=platform.secret,
            data=ConnectionUpdate(
                base_url="https://169.254.169.254/pact", remote_client_secret="s3cret"
            ),
        )  # fmt: skip
        uow.commit()
        link = uow.session.get(PactConnectionRow, connection_id)
        assert link is not None
        uow.session.expunge(link)
    production = SimpleNamespace(
        secret=platform.secret,
        settings=platform.settings.model_copy(update={"environment": "production"}),
    )
    with pytest.raises(InvalidInputError, match="internal address"):
        outbox.client_for(production, link)  # type: ignore[arg-type]
    trusting = SimpleNamespace(
        secret=platform.secret,
        settings=production.settings.model_copy(update={"pact_private_hosts": True}),
    )
    outbox.client_for(trusting, link).close()  # type: ignore[arg-type]


def _partner_principal(link: PactConnectionRow) -> Principal:
    """The partner's API client, as the events endpoint sees it."""
    return Principal(
        organisation_id=link.partner_id, organisation_kind=OrganisationKind.EXTERNAL,
        role=Role.VIEWER, client_id="partner", scopes=frozenset(connections.PARTNER_SCOPES),
    )  # fmt: skip


def test_a_long_published_notice_is_fetched_once_in_rows_of_ten(
    platform: Platform, enterprise: Principal
) -> None:
    connection_id = _linked(platform, enterprise, [])
    ids = [str(uuid.uuid4()) for _ in range(23)]
    with platform.unit_of_work() as uow:
        link = uow.session.get(PactConnectionRow, connection_id)
        assert link is not None
        notice = Incoming(3, "published", "n-1", "//partner", {"pfIds": ids})
        requests.receive(uow, principal=_partner_principal(link), incoming=notice)
        requests.receive(uow, principal=_partner_principal(link), incoming=notice)  # a retry
        uow.commit()
    with platform.unit_of_work(read_only=True) as uow:
        rows = uow.session.query(PactOutboxRow).order_by(PactOutboxRow.created_at).all()
        chunks = [r.event["fetch"] for r in rows]
    assert [len(c) for c in sorted(chunks, key=len, reverse=True)] == [10, 10, 3]
    assert sorted(i for c in chunks for i in c) == sorted(ids)
