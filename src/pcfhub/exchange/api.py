"""The exchange API (under /api/v1/exchange): publish results as PACT footprints, share them,
manage connections with other host systems, send and answer requests, and use what partners
sent. The PACT host endpoints themselves are in `pcfhub.exchange.host_api`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from pcfhub.exchange import connections, received, requests, service
from pcfhub.exchange.schemas import (
    ConnectionCreate,
    ConnectionCreated,
    ConnectionPublic,
    ConnectionUpdate,
    FootprintPublic,
    ImportRequest,
    PublishRequest,
    ReceivedPublic,
    RequestAnswer,
    RequestCreate,
    RequestPublic,
    ShareCreate,
)
from pcfhub.platform.deps import PlatformDep, PrincipalDep, UowDep

router = APIRouter(prefix="/exchange", tags=["exchange"])


def wake_outbox(request: Request) -> None:
    worker = getattr(request.app.state, "pact_outbox", None)
    if worker is not None:
        worker.wake()


@router.get("/footprints")
def list_footprints(uow: UowDep, principal: PrincipalDep) -> list[FootprintPublic]:
    """The organisation's published footprints, newest first."""
    return service.list_footprints(uow, principal=principal)


@router.post("/footprints", status_code=201)
def publish(
    body: PublishRequest,
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    principal: PrincipalDep,
) -> FootprintPublic:
    """Publish a stored result as a PACT footprint (earlier ones of the model are deprecated;
    connected partners that read them are notified)."""
    published = requests.publish(
        uow, principal=principal, data=body, base_url=platform.settings.base_url
    )
    uow.commit()
    wake_outbox(request)
    return published


@router.get("/footprints/{footprint_id}")
def get_footprint(footprint_id: uuid.UUID, uow: UowDep, principal: PrincipalDep) -> FootprintPublic:
    return service.get_footprint(uow, principal=principal, footprint_id=footprint_id)


@router.get("/footprints/{footprint_id}/pact")
def footprint_document(
    footprint_id: uuid.UUID,
    uow: UowDep,
    principal: PrincipalDep,
    version: Annotated[Literal[2, 3], Query()] = 3,
) -> Response:
    """The ProductFootprint as a JSON file (v3, or v2 where it has one)."""
    found = service.get_footprint(uow, principal=principal, footprint_id=footprint_id)
    document = service.document_of(uow, footprint_id=found.id, version=version)
    return Response(
        service.pretty(document),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="pact-v{version}-{found.id}.json"'},
    )


@router.post("/footprints/{footprint_id}/deprecate")
def deprecate(
    footprint_id: uuid.UUID,
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    principal: PrincipalDep,
) -> FootprintPublic:
    """Mark the footprint Deprecated; connected partners that read it are notified."""
    done = requests.deprecate(
        uow, principal=principal, footprint_id=footprint_id, base_url=platform.settings.base_url
    )
    uow.commit()
    wake_outbox(request)
    return done


@router.post("/footprints/{footprint_id}/shares", status_code=201)
def share(
    footprint_id: uuid.UUID,
    body: ShareCreate,
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    principal: PrincipalDep,
) -> FootprintPublic:
    """Let an organisation read the footprint; a connected partner is notified (Published)."""
    shared = requests.share(
        uow,
        principal=principal,
        footprint_id=footprint_id,
        recipient=body.recipient,
        base_url=platform.settings.base_url,
    )
    uow.commit()
    wake_outbox(request)
    return shared


@router.delete("/footprints/{footprint_id}/shares/{recipient}")
def unshare(
    footprint_id: uuid.UUID, recipient: uuid.UUID, uow: UowDep, principal: PrincipalDep
) -> FootprintPublic:
    done = service.unshare(uow, principal=principal, footprint_id=footprint_id, recipient=recipient)
    uow.commit()
    return done


@router.get("/connections")
def list_connections(uow: UowDep, principal: PrincipalDep) -> list[ConnectionPublic]:
    return connections.list_connections(uow, principal=principal)


@router.post("/connections", status_code=201)
def add_connection(
    body: ConnectionCreate, platform: PlatformDep, uow: UowDep, principal: PrincipalDep
) -> ConnectionCreated:
    """A partner host system; the answer holds the credentials to hand over (shown once)."""
    created = connections.add_connection(
        uow, principal=principal, data=body, secret=platform.secret
    )
    uow.commit()
    return created


@router.patch("/connections/{connection_id}")
def update_connection(
    connection_id: uuid.UUID,
    body: ConnectionUpdate,
    platform: PlatformDep,
    uow: UowDep,
    principal: PrincipalDep,
) -> ConnectionPublic:
    updated = connections.update_connection(
        uow, principal=principal, connection_id=connection_id, data=body, secret=platform.secret
    )
    uow.commit()
    return updated


@router.delete("/connections/{connection_id}", status_code=204)
def revoke_connection(connection_id: uuid.UUID, uow: UowDep, principal: PrincipalDep) -> Response:
    connections.revoke_connection(uow, principal=principal, connection_id=connection_id)
    uow.commit()
    return Response(status_code=204)


@router.post("/connections/{connection_id}/pull")
def pull(
    connection_id: uuid.UUID, platform: PlatformDep, uow: UowDep, principal: PrincipalDep
) -> list[uuid.UUID]:
    """Fetch every footprint the partner shares with us (ListFootprints) and keep them."""
    uow.session.rollback()  # no write transaction stays open while the partner answers
    return requests.pull(platform, principal=principal, connection_id=connection_id)


@router.get("/requests")
def list_requests(uow: UowDep, principal: PrincipalDep) -> list[RequestPublic]:
    """Requests received from partners and sent to them, newest first."""
    return requests.list_requests(uow, principal=principal)


@router.post("/requests", status_code=201)
def send_request(
    body: RequestCreate,
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    principal: PrincipalDep,
) -> RequestPublic:
    """Ask a partner for footprints (RequestCreated); its answer arrives at our events endpoint."""
    sent = requests.send_request(
        uow, principal=principal, data=body, base_url=platform.settings.base_url
    )
    uow.commit()
    wake_outbox(request)
    return sent


@router.get("/requests/{request_id}")
def get_request(request_id: uuid.UUID, uow: UowDep, principal: PrincipalDep) -> RequestPublic:
    return requests.get_request(uow, principal=principal, request_id=request_id)


@router.get("/requests/{request_id}/candidates")
def candidates(request_id: uuid.UUID, uow: UowDep, principal: PrincipalDep) -> list[uuid.UUID]:
    """Your active footprints that meet the request's criteria."""
    return requests.candidates(uow, principal=principal, request_id=request_id)


@router.post("/requests/{request_id}/answer")
def answer(
    request_id: uuid.UUID,
    body: RequestAnswer,
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    principal: PrincipalDep,
) -> RequestPublic:
    """Fulfil a received request with footprints (shared with the partner) or reject it."""
    answered = requests.answer(
        uow, principal=principal, request_id=request_id, data=body,
        base_url=platform.settings.base_url,
    )  # fmt: skip
    uow.commit()
    wake_outbox(request)
    return answered


@router.get("/shared")
def shared_with_me(uow: UowDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """v3 footprints other organisations of this platform shared with yours."""
    return service.shared_with_me(uow, principal=principal)


@router.post("/shared/{footprint_id}/import", status_code=201)
def import_shared(
    footprint_id: uuid.UUID, body: ImportRequest, uow: UowDep, principal: PrincipalDep
) -> dict[str, uuid.UUID]:
    """Add a footprint shared with you to a process of one of your models."""
    version_id = received.import_shared(
        uow, principal=principal, footprint_id=footprint_id, data=body
    )
    uow.commit()
    return {"model_version_id": version_id}


@router.get("/received")
def list_received(uow: UowDep, principal: PrincipalDep) -> list[ReceivedPublic]:
    """Footprints partners sent you, newest first."""
    return received.list_received(uow, principal=principal)


@router.get("/received/{received_id}")
def get_received(received_id: uuid.UUID, uow: UowDep, principal: PrincipalDep) -> ReceivedPublic:
    return received.get_received(uow, principal=principal, received_id=received_id)


@router.post("/received/{received_id}/import", status_code=201)
def import_received(
    received_id: uuid.UUID, body: ImportRequest, uow: UowDep, principal: PrincipalDep
) -> dict[str, uuid.UUID]:
    """Add the footprint to a process of one of your models as a supplier exchange."""
    version_id = received.import_into_model(
        uow, principal=principal, received_id=received_id, data=body
    )
    uow.commit()
    return {"model_version_id": version_id}
