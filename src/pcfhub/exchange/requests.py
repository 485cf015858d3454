"""The asynchronous flow: requests for footprints, their answers, and published notices.

Inbound events come from connected partners only (their API client's organisation is the
connection's partner). A RequestCreated becomes a pending request that the data owner answers
on its pages or API; the answer (Fulfilled with the chosen footprints, which are then shared
with the partner, or Rejected) goes to the partner's events endpoint through the outbox. pcfhub
never sends to an event's ``source``: answers go to the base URL the tenant configured for
the connection, which is how it validates where a response may go.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from pcfhub.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from pcfhub.exchange import events, outbox
from pcfhub.exchange import service as footprints
from pcfhub.exchange.client import PactClient
from pcfhub.exchange.connections import CONNECTION, connection, connection_of_partner
from pcfhub.exchange.events import Incoming
from pcfhub.exchange.filters import criteria_from, matches
from pcfhub.exchange.received import store_received
from pcfhub.exchange.schemas import (
    FootprintPublic,
    PublishRequest,
    RequestAnswer,
    RequestCreate,
    RequestPublic,
)
from pcfhub.exchange.store import (
    PactConnectionRow,
    PactFootprintRow,
    PactOutboxRow,
    PactRequestRow,
)
from pcfhub.platform.authz import authorize, require_principal
from pcfhub.platform.context import Platform
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import Action, Principal
from pcfhub.platform.uow import UnitOfWork

FETCH_PER_ROW = 10  # footprints fetched by one outbox row (GetFootprint each)


def event_source(base_url: str, version: int) -> str:
    """``//host/…/{version}/events`` (CloudEvents source: where the event comes from)."""
    parts = urlsplit(base_url)
    return f"//{parts.netloc}{parts.path.rstrip('/')}/{version}/events"


def _public(uow: UnitOfWork, row: PactRequestRow) -> RequestPublic:
    link = uow.session.get(PactConnectionRow, row.connection_id)
    return RequestPublic(
        id=row.id,
        organisation_id=row.organisation_id,
        connection_id=row.connection_id,
        partner_name=link.name if link else "",
        direction=row.direction,  # type: ignore[arg-type]
        event_id=row.event_id,
        spec_version=row.spec_version,
        criteria=row.criteria,
        comment=row.comment,
        status=row.status,
        answer=row.answer,
        created_at=row.created_at,
        answered_at=row.answered_at,
    )


# --- events received ---------------------------------------------------------------------------


def partner_link(uow: UnitOfWork, principal: Principal) -> PactConnectionRow:
    """The connection whose partner is calling, or PermissionDeniedError."""
    link = connection_of_partner(uow, principal.organisation_id)
    if link is None:
        raise PermissionDeniedError(
            "Events are accepted from connected PACT partners only; ask the data owner for "
            "the credentials of a connection."
        )
    return link


def receive(uow: UnitOfWork, *, principal: Principal, incoming: Incoming) -> None:
    """Accept an event from a connected partner, or raise PermissionDeniedError."""
    link = partner_link(uow, principal)
    if incoming.kind == "request_created":
        _request_created(uow, link, incoming)
    elif incoming.kind in ("request_fulfilled", "request_rejected"):
        _answered(uow, link, incoming)
    else:
        _published(uow, link, incoming)


def _published(uow: UnitOfWork, link: PactConnectionRow, incoming: Incoming) -> None:
    """Queue fetches of the announced footprints, ten per outbox row (each row's work fits in
    its lease); a notice the partner retries while its fetches still wait is taken once."""
    waiting = uow.session.scalars(
        select(PactOutboxRow.event).where(
            PactOutboxRow.connection_id == link.id,
            PactOutboxRow.delivered_at.is_(None),
            PactOutboxRow.abandoned_at.is_(None),
        )
    )
    if any(payload.get("notice") == incoming.id for payload in waiting):
        return
    ids = [str(i) for i in incoming.data["pfIds"]]
    for start in range(0, len(ids), FETCH_PER_ROW):
        payload = {"fetch": ids[start : start + FETCH_PER_ROW], "notice": incoming.id}
        outbox.queue(uow, link, payload)


def _request_created(uow: UnitOfWork, link: PactConnectionRow, incoming: Incoming) -> None:
    exists = uow.session.scalar(
        select(PactRequestRow.id).where(
            PactRequestRow.connection_id == link.id,
            PactRequestRow.direction == "inbound",
            PactRequestRow.event_id == incoming.id,
        )
    )
    if exists is not None:
        return  # the partner retried: accepted once
    assert incoming.criteria is not None
    uow.session.add(
        PactRequestRow(
            organisation_id=link.organisation_id,
            connection_id=link.id,
            direction="inbound",
            event_id=incoming.id,
            spec_version=incoming.version,
            criteria=incoming.criteria.as_json(),
            comment=incoming.comment,
        )
    )
    uow.session.flush()


def _answered(uow: UnitOfWork, link: PactConnectionRow, incoming: Incoming) -> None:
    request_id = str(incoming.data["requestEventId"])
    row = uow.session.scalar(
        select(PactRequestRow).where(
            PactRequestRow.connection_id == link.id,
            PactRequestRow.direction == "outbound",
            PactRequestRow.event_id == request_id,
        )
    )
    if row is None:
        raise InvalidInputError(f"data.requestEventId: no request {request_id} was sent to you.")
    if row.status != "pending":
        return  # a retried answer
    if incoming.kind == "request_fulfilled":
        received = [
            store_received(uow, link, dict(document), version=incoming.version)
            for document in incoming.data["pfs"]
        ]
        row.status = "fulfilled" if received else "rejected"
        row.answer = {"footprints": [r.footprint_id for r in received]}
    else:
        row.status = "rejected"
        row.answer = {"error": dict(incoming.data["error"])}
    row.answered_at = utcnow()


# --- requests sent ----------------------------------------------------------------------------


def send_request(
    uow: UnitOfWork, *, principal: Principal | None, data: RequestCreate, base_url: str
) -> RequestPublic:
    """Ask a partner for footprints: a RequestCreated event through the outbox."""
    link = connection(
        uow, principal=principal, connection_id=data.connection_id, action=Action.WRITE
    )
    if not link.base_url:
        raise InvalidInputError(f"connection_id: set the base URL of {link.name} first.")
    criteria = criteria_from(
        {
            "productId": data.product_ids,
            "companyId": data.company_ids,
            "geography": data.geographies,
        }
    )
    if not (criteria.product_ids or criteria.company_ids):
        raise InvalidInputError("product_ids: name at least one product id or company id.")
    event = events.request_created(
        link.spec_version, event_source(base_url, link.spec_version), criteria, data.comment
    )
    row = PactRequestRow(
        organisation_id=link.organisation_id,
        connection_id=link.id,
        direction="outbound",
        event_id=event["id"],
        spec_version=link.spec_version,
        criteria=criteria.as_json(),
        comment=data.comment,
    )
    uow.session.add(row)
    outbox.queue(uow, link, event)
    return _public(uow, row)


# --- answering ------------------------------------------------------------------------------


def list_requests(uow: UnitOfWork, *, principal: Principal | None) -> list[RequestPublic]:
    principal = require_principal(principal)
    owner = principal.organisation_id
    authorize(uow.session, principal, Action.READ, owner_id=owner, object_kind=CONNECTION)
    rows = uow.session.scalars(
        select(PactRequestRow)
        .where(PactRequestRow.organisation_id == owner)
        .order_by(PactRequestRow.created_at.desc(), PactRequestRow.id)
    )
    return [_public(uow, row) for row in rows]


def _request(
    uow: UnitOfWork, principal: Principal | None, request_id: uuid.UUID, action: Action
) -> PactRequestRow:
    row = uow.session.get(PactRequestRow, request_id)
    if row is None:
        raise NotFoundError(f"No PACT request {request_id} here.")
    authorize(
        uow.session, principal, action, owner_id=row.organisation_id, object_kind=CONNECTION,
        object_id=str(row.connection_id),
    )  # fmt: skip
    return row


def get_request(
    uow: UnitOfWork, *, principal: Principal | None, request_id: uuid.UUID
) -> RequestPublic:
    return _public(uow, _request(uow, principal, request_id, Action.READ))


def candidates(
    uow: UnitOfWork, *, principal: Principal | None, request_id: uuid.UUID
) -> list[uuid.UUID]:
    """The owner's active footprints that meet an inbound request's criteria."""
    row = _request(uow, principal, request_id, Action.READ)
    wanted = replace(criteria_from(row.criteria), status="Active")
    return [
        f.id
        for f in footprints.owned_rows(uow, row.organisation_id)
        if (row.spec_version == 3 or f.document_v2 is not None)
        and matches(footprints.with_status(f.document_v3, f.status), wanted)
    ]


def answer(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    request_id: uuid.UUID,
    data: RequestAnswer,
    base_url: str,
) -> RequestPublic:
    """Fulfil an inbound request with footprints (sharing them with the partner) or reject it."""
    principal = require_principal(principal)
    row = _request(uow, principal, request_id, Action.WRITE)
    if row.direction != "inbound":
        raise InvalidInputError("request_id: only requests you received can be answered.")
    uow.session.refresh(row, with_for_update=True)  # two answers at once: the second waits
    if row.status != "pending":
        raise ConflictError(f"Request {request_id} was answered already ({row.status}).")
    link = uow.session.get(PactConnectionRow, row.connection_id)
    assert link is not None
    if link.revoked_at is not None:
        raise ConflictError(f"The connection with {link.name} was revoked; nothing can be sent.")
    if not link.base_url:
        raise InvalidInputError(f"Set the base URL of {link.name} before answering.")
    source = event_source(base_url, row.spec_version)
    if data.footprint_ids and data.reject_code:
        raise InvalidInputError("Either fulfil with footprints or reject, not both.")
    if data.footprint_ids:
        documents = []
        for footprint_id in data.footprint_ids:
            found = uow.session.get(PactFootprintRow, footprint_id)
            if found is None or found.organisation_id != row.organisation_id:
                raise InvalidInputError(f"footprint_ids: {footprint_id} is not your footprint.")
            issued = found.document_v3 if row.spec_version == 3 else found.document_v2
            if issued is None:
                raise InvalidInputError(
                    f"footprint_ids: {footprint_id} has no PACT v2 form ({found.v2_refusal})"
                )
            footprints.share(
                uow, principal=principal, footprint_id=found.id, recipient=link.partner_id
            )
            documents.append(footprints.with_status(issued, found.status))
        event = events.fulfilled(row.spec_version, source, row.event_id, documents)
        row.status = "fulfilled"
        row.answer = {"footprints": [str(i) for i in data.footprint_ids]}
    else:
        code = data.reject_code or "NotFound"
        message = data.reject_message or "No footprint meets the request."
        event = events.rejected(row.spec_version, source, row.event_id, code, message)
        row.status = "rejected"
        row.answer = {"error": {"code": code, "message": message}}
    row.answered_at = utcnow()
    outbox.queue(uow, link, event)
    return _public(uow, row)


def deliver(
    platform: Platform, client: PactClient, link: PactConnectionRow, payload: dict[str, Any]
) -> None:
    """The outbox handler: post an event, or fetch announced footprints and keep them."""
    if "fetch" not in payload:
        client.post_event(payload)
        return
    documents = [client.get_footprint(i) for i in payload["fetch"]]
    with platform.unit_of_work() as uow:
        stored = uow.session.get(PactConnectionRow, link.id)
        assert stored is not None
        for document in documents:
            store_received(uow, stored, document, version=link.spec_version)
        uow.commit()


def _v2_form(uow: UnitOfWork, footprint_id: uuid.UUID) -> bool:
    row = uow.session.get(PactFootprintRow, footprint_id)
    return row is not None and row.document_v2 is not None


def announce(
    uow: UnitOfWork,
    *,
    owner_id: uuid.UUID,
    footprint_ids: list[uuid.UUID],
    base_url: str,
    recipients: list[uuid.UUID] | None = None,
) -> int:
    """Tell the owner's connected partners that footprints they may read were published,
    shared, deprecated or superseded: one PublishedEvent per partner, through the outbox.
    ``recipients`` narrows it to those organisations. Returns how many events were queued;
    a tenant of this platform reads its shares here and needs none."""
    ids_by_partner: dict[uuid.UUID, list[uuid.UUID]] = {}
    for footprint_id in footprint_ids:
        readers = footprints.recipients(uow, footprint_id) if recipients is None else recipients
        for reader in readers:
            ids_by_partner.setdefault(reader, []).append(footprint_id)
    queued = 0
    for partner, ids in ids_by_partner.items():
        link = connection_of_partner(uow, partner, owner_id=owner_id)
        if link is None or not link.base_url:
            continue
        if link.spec_version == 2:  # a v2 partner can fetch only footprints with a v2 form
            ids = [i for i in ids if _v2_form(uow, i)]
        if ids:
            source = event_source(base_url, link.spec_version)
            event = events.published(link.spec_version, source, [str(i) for i in ids])
            outbox.queue(uow, link, event)
            queued += 1
    return queued


# --- changes that partners hear of -------------------------------------------------------------


def publish(
    uow: UnitOfWork, *, principal: Principal | None, data: PublishRequest, base_url: str
) -> FootprintPublic:
    """Publish a result (`service.publish`) and tell partners of what it changed."""
    published = footprints.publish(uow, principal=principal, data=data)
    announce(
        uow,
        owner_id=published.organisation_id,
        footprint_ids=footprints.changed_by(published),
        base_url=base_url,
    )
    return published


def share(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    footprint_id: uuid.UUID,
    recipient: uuid.UUID,
    base_url: str,
) -> FootprintPublic:
    """Share a footprint (`service.share`); a connected partner gets a PublishedEvent."""
    shared = footprints.share(
        uow, principal=principal, footprint_id=footprint_id, recipient=recipient
    )
    announce(
        uow,
        owner_id=shared.organisation_id,
        footprint_ids=[footprint_id],
        recipients=[recipient],
        base_url=base_url,
    )
    return shared


def deprecate(
    uow: UnitOfWork, *, principal: Principal | None, footprint_id: uuid.UUID, base_url: str
) -> FootprintPublic:
    """Deprecate a footprint; partners that read it get a PublishedEvent (once)."""
    before = footprints.get_footprint(uow, principal=principal, footprint_id=footprint_id)
    done = footprints.deprecate(uow, principal=principal, footprint_id=footprint_id)
    if before.status != done.status:
        announce(uow, owner_id=done.organisation_id, footprint_ids=[done.id], base_url=base_url)
    return done


def pull(
    platform: Platform, *, principal: Principal | None, connection_id: uuid.UUID
) -> list[uuid.UUID]:
    """List every footprint the partner shares with us and keep them (ListFootprints with
    pagination). No write transaction is open while the partner answers."""
    with platform.unit_of_work(read_only=True) as uow:
        link = connection(
            uow, principal=principal, connection_id=connection_id, action=Action.WRITE
        )
        uow.session.expunge(link)
    with outbox.client_for(platform, link) as client:
        documents = client.list_footprints()
    with platform.unit_of_work() as uow:
        stored = uow.session.get(PactConnectionRow, link.id)
        assert stored is not None
        ids = [store_received(uow, stored, doc, version=link.spec_version).id for doc in documents]
        uow.commit()
    return ids
