"""Delivering events to partners, with retries (PACT v2 §Action Events, v3 RequestFulfilledEvent:
SHOULD retry with exponential backoff, SHOULD abandon after 72 hours).

An outbox row is written in the transaction that decides to send (an answer, a share), so an
event is never lost nor sent for a change that rolled back. `deliver_due` sends what is due
with no write transaction open during the network call (SQLite has one writer); a
`OutboxWorker` thread runs it every few seconds while the server runs.
"""

from __future__ import annotations

import ipaddress
import logging
import random
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select, update

from pcfhub.errors import InvalidInputError, PcfhubError
from pcfhub.exchange.client import PactClient
from pcfhub.exchange.connections import remote_credentials
from pcfhub.exchange.store import PactConnectionRow, PactOutboxRow
from pcfhub.platform.context import Platform
from pcfhub.platform.db import utcnow
from pcfhub.platform.uow import UnitOfWork

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(seconds=10)
LONGEST_WAIT = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=72)
BATCH = 50
LEASE = timedelta(minutes=5)  # how long a claimed row waits before another worker retries it

ClientFactory = Callable[[PactConnectionRow], PactClient]
#: What to do with an outbox payload: post it as an event, or fetch footprints ("fetch" key).
Handler = Callable[[Platform, PactClient, PactConnectionRow, dict[str, Any]], None]


def backoff(attempts: int, *, jitter: float | None = None) -> timedelta:
    """Wait before attempt ``attempts + 1``: 10 s doubling to at most an hour, ±20 % jitter."""
    base = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)
    factor = 1 + (random.uniform(-0.2, 0.2) if jitter is None else jitter)
    return base * factor


def queue(uow: UnitOfWork, connection: PactConnectionRow, payload: dict[str, Any]) -> uuid.UUID:
    """Send ``payload`` (an event, or ``{"fetch": [ids]}``) to the partner once committed."""
    row = PactOutboxRow(connection_id=connection.id, event=payload, next_attempt_at=utcnow())
    uow.session.add(row)
    uow.session.flush()
    return row.id


def internal_address(url: str) -> str | None:
    """The loopback, private, link-local or reserved address ``url``'s host resolves to, if
    any: a tenant must not make the server call its own network (server-side request forgery).
    A name that does not resolve is left to fail when called."""
    host = urlsplit(url).hostname or ""
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError):
        return None
    for address in sorted(found):
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            return address
    return None


def client_for(platform: Platform, connection: PactConnectionRow) -> PactClient:
    """A client for the partner; in production only over HTTPS (PACT requires it, and a plain
    URL would send the credentials in clear)."""
    client_id, client_secret = remote_credentials(connection, platform.secret)
    assert connection.base_url is not None
    urls = [connection.base_url, connection.auth_base_url or connection.base_url]
    production = platform.settings.environment == "production"
    if production and any(not url.startswith("https://") for url in urls):
        raise InvalidInputError(
            f"connection {connection.name}: PACT partners are called over https only"
        )
    if production and not platform.settings.pact_private_hosts:
        for url in urls:
            if inner := internal_address(url):
                raise InvalidInputError(
                    f"connection {connection.name}: {url} is an internal address ({inner}); "
                    "set PCFHUB_PACT_PRIVATE_HOSTS to call partners in a private network"
                )
    return PactClient(
        connection.base_url,
        client_id=client_id,
        client_secret=client_secret,
        version=connection.spec_version,
        auth_base_url=connection.auth_base_url,
        ca_bundle=platform.settings.pact_ca_bundle,
        https_only=production,
    )


@dataclass(frozen=True)
class Delivery:
    delivered: int
    failed: int
    abandoned: int


def _claim(platform: Platform, row: PactOutboxRow, now: datetime) -> bool:
    """Take a due row for one attempt: counts the attempt and leases the row from ``now`` (the
    attempt's start), so a second worker (another process on the same database) never sends
    it while this one does."""
    with platform.unit_of_work() as uow:
        taken = uow.session.execute(
            update(PactOutboxRow)
            .where(
                PactOutboxRow.id == row.id,
                PactOutboxRow.attempts == row.attempts,
                PactOutboxRow.delivered_at.is_(None),
                PactOutboxRow.abandoned_at.is_(None),
            )
            .values(attempts=row.attempts + 1, next_attempt_at=now + LEASE)
        )
        uow.commit()
    return getattr(taken, "rowcount", 0) == 1


def _attempt(
    platform: Platform,
    handler: Handler,
    make_client: ClientFactory,
    row: PactOutboxRow,
    connection: PactConnectionRow,
) -> str | None:
    """Send one row; the error in words, or None when delivered."""
    try:
        with make_client(connection) as client:
            handler(platform, client, connection, row.event)
    except (PcfhubError, ValueError, OSError) as problem:
        return str(problem) or type(problem).__name__
    except Exception as problem:  # a partner's odd answer must not stop the rows behind it
        log.exception("PACT delivery %s to %s failed unexpectedly", row.id, connection.name)
        return f"{type(problem).__name__}: {problem}"
    return None


def deliver_due(
    platform: Platform,
    handler: Handler,
    *,
    now: datetime | None = None,
    make_client: ClientFactory | None = None,
) -> Delivery:
    """Try every due outbox row once; record success, the next attempt, or abandonment.
    Rows of a revoked connection are abandoned unsent. ``now`` fixes the clock (tests);
    otherwise each claim and each outcome reads the time afresh."""
    clock = (lambda: now) if now is not None else utcnow
    with platform.unit_of_work(read_only=True) as uow:
        due = [
            (row, link)
            for row, link in uow.session.execute(
                select(PactOutboxRow, PactConnectionRow)
                .join(PactConnectionRow, PactConnectionRow.id == PactOutboxRow.connection_id)
                .where(
                    PactOutboxRow.delivered_at.is_(None),
                    PactOutboxRow.abandoned_at.is_(None),
                    PactOutboxRow.next_attempt_at <= clock(),
                )
                .order_by(PactOutboxRow.next_attempt_at, PactOutboxRow.id)
                .limit(BATCH)
            )
        ]
        uow.session.expunge_all()  # a connection with several rows appears more than once
    factory = make_client or (lambda c: client_for(platform, c))
    delivered = failed = abandoned = 0
    for row, connection in due:
        if not _claim(platform, row, clock()):
            continue  # another worker has it
        revoked = connection.revoked_at is not None
        if revoked:
            error: str | None = f"the connection with {connection.name} was revoked; not sent"
        else:
            error = _attempt(platform, handler, factory, row, connection)
        with platform.unit_of_work() as uow:
            stored = uow.session.get(PactOutboxRow, row.id)
            assert stored is not None
            if stored.attempts != row.attempts + 1:
                continue  # the lease ran out and another worker took the row over
            finished = clock()
            if error is None:
                stored.delivered_at, stored.last_error = utcnow(), None
                delivered += 1
            elif revoked or finished - stored.created_at >= GIVE_UP_AFTER:
                stored.abandoned_at, stored.last_error = finished, error
                abandoned += 1
            else:
                stored.next_attempt_at = finished + backoff(stored.attempts)
                stored.last_error = error
                failed += 1
                log.info("PACT delivery to %s failed (%s); retry", connection.name, error)
            uow.commit()
    return Delivery(delivered, failed, abandoned)


class OutboxWorker:
    """Runs `deliver_due` every ``interval_s`` seconds in a daemon thread; `wake` runs it now."""

    def __init__(self, platform: Platform, handler: Handler, *, interval_s: float) -> None:
        self._platform = platform
        self._handler = handler
        self._interval = interval_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pact-outbox", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                deliver_due(self._platform, self._handler)
            except Exception:
                log.exception("PACT outbox delivery failed")
            self._wake.wait(self._interval)
            self._wake.clear()
