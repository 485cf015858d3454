"""Delivery with retries: a refused event waits longer each time and is abandoned after 72 h;
a delivered one is sent once. The partner is an httpx MockTransport (a system we do not run)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest

from pcfhub.exchange import connections, outbox, requests
from pcfhub.exchange.client import PactClient
from pcfhub.exchange.schemas import ConnectionCreate
from pcfhub.exchange.store import PactConnectionRow, PactOutboxRow
from pcfhub.platform.context import Platform
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import Principal


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
    with platform.unit_of_work() as uow:
        created = connections.add_connection(
            uow, principal=enterprise, secret=platform.secret,
            data=ConnectionCreate(
                name="Partner", base_url="https://partner.example.com",
                remote_client_id="us", remote_client_secret="s3cret",
            ),
        )  # fmt: skip
        link = uow.session.get(PactConnectionRow, created.id)
        assert link is not None
        assert connections.remote_credentials(link, platform.secret) == ("us", "s3cret")
        assert b"s3cret" not in (link.remote_secret or b"")
        outbox.queue(uow, link, {"type": "t", "id": "e-1"})
        uow.commit()

    def make_client(row: PactConnectionRow) -> PactClient:
        return PactClient(
            row.base_url or "", client_id="us", client_secret="s3cret",
            transport=httpx.MockTransport(partner),
        )  # fmt: skip

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
    with platform.unit_of_work() as uow:
        created = connections.add_connection(
            uow, principal=enterprise, secret=platform.secret,
            data=ConnectionCreate(
                name="Gone", base_url="https://gone.example.com",
                remote_client_id="us", remote_client_secret="x",
            ),
        )  # fmt: skip
        link = uow.session.get(PactConnectionRow, created.id)
        assert link is not None
        outbox.queue(uow, link, {"type": "t", "id": "e-2"})
        uow.commit()

    def make_client(row: PactConnectionRow) -> PactClient:
        return PactClient(
            "https://gone.example.com", client_id="us", client_secret="x",
            transport=httpx.MockTransport(partner),
        )  # fmt: skip

    late = utcnow() + timedelta(hours=72, minutes=1)
    result = outbox.deliver_due(platform, requests.deliver, now=late, make_client=make_client)
    assert result.abandoned == 1
    with platform.unit_of_work(read_only=True) as uow:
        row = uow.session.query(PactOutboxRow).one()
        assert row.abandoned_at is not None
        assert row.delivered_at is None
