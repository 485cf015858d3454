"""The PACT exchange page: publish results as footprints and choose who sees them, connect with
partners' host systems, answer and send requests, and import a partner's footprint into a model.

Every form goes through the same services (authorisation, ledger entries) as the API; a form
with a problem saves nothing and the page shows what was wrong.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from pcfhub.accounting import service as accounting
from pcfhub.errors import PcfhubError
from pcfhub.exchange import connections, received, requests, service
from pcfhub.exchange.api import wake_outbox
from pcfhub.exchange.schemas import (
    ConnectionCreate,
    ConnectionUpdate,
    ImportRequest,
    PublishRequest,
    RequestAnswer,
    RequestCreate,
)
from pcfhub.platform import service as platform_service
from pcfhub.platform.deps import PlatformDep, SignedInUserDep, UowDep
from pcfhub.platform.model import Principal, SignedInUser
from pcfhub.platform.uow import UnitOfWork
from pcfhub.web.rendering import act_on_form, check_csrf, redirect, render, signed_in

router = APIRouter(prefix="/exchange", include_in_schema=False)
FormStr = Annotated[str, Form()]
OptionalFormStr = Annotated[str | None, Form()]
DONE = (
    "published", "shared", "unshared", "deprecated", "connection_updated", "connection_revoked",
    "request_sent", "answered", "pulled", "imported",
)  # fmt: skip
WHAT = "exchange footprints"  # "Sign in to ..."


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


def _number(text: str | None) -> float | None:
    return float(text) if text and text.strip() else None


def _page(
    request: Request,
    uow: UnitOfWork,
    user: SignedInUser,
    principal: Principal,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    links = connections.list_connections(uow, principal=principal)
    inbox = requests.list_requests(uow, principal=principal)
    pending = {
        r.id: requests.candidates(uow, principal=principal, request_id=r.id)
        for r in inbox
        if r.direction == "inbound" and r.status == "pending"
    }
    mine = service.list_footprints(uow, principal=principal)
    names = service.recipient_names(uow, (r for f in mine for r in f.shared_with))
    return render(
        request,
        "exchange.html",
        user=user,
        status_code=status_code,
        footprints=mine,
        results=accounting.list_results(uow, principal=principal, limit=100).data,
        models=accounting.list_models(uow, principal=principal, limit=200).data,
        connections=links,
        partner_names=names,
        requests=inbox,
        candidates=pending,
        received=received.list_received(uow, principal=principal),
        shared_with_me=service.shared_with_me(uow, principal=principal),
        base_url=request.app.state.platform.settings.base_url,
        **context,
    )


def _act(
    request: Request,
    uow: UnitOfWork,
    user: SignedInUser | None,
    csrf_token: str | None,
    change: Callable[[Principal], Any],
    *,
    done: str,
    wake: bool = False,
) -> Response:
    """Make one change and commit it (then ``wake`` the outbox worker if the change queued
    messages to partners); or show the page again with what was wrong (nothing is saved).
    A new connection's credentials are shown once, on this very page."""
    return act_on_form(
        request, uow, user, csrf_token, change,
        what=WHAT, page=_page, target=f"/exchange?done={done}",
        after=partial(wake_outbox, request) if wake else None,
        created="created_connection" if done == "connection_added" else None,
        errors=(PcfhubError, ValueError),  # a ValidationError is a ValueError
    )  # fmt: skip


@router.get("")
def exchange_page(request: Request, uow: UowDep, user: SignedInUserDep) -> Response:
    if user is None:
        return redirect("/sign-in?next=/exchange")
    who, principal = signed_in(user, WHAT)
    done = request.query_params.get("done")
    return _page(
        request, uow, who, principal, done=done if done in DONE else None,
        chosen_result=request.query_params.get("result_id"),
    )  # fmt: skip


@router.post("/footprints")
def publish(
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    user: SignedInUserDep,
    result_id: FormStr,
    company_ids: FormStr,
    product_ids: FormStr,
    cpc_code: OptionalFormStr = None,
    product_mass_kg: OptionalFormStr = None,
    fossil_carbon_content_kg: OptionalFormStr = None,
    biogenic_carbon_content_kg: OptionalFormStr = None,
    exempted_emissions_percent: OptionalFormStr = None,
    count_unsplit_as_fossil: OptionalFormStr = None,
    csrf_token: OptionalFormStr = None,
) -> Response:
    def change(principal: Principal) -> Any:
        data = PublishRequest(
            result_id=uuid.UUID(result_id),
            company_ids=_lines(company_ids),
            product_ids=_lines(product_ids),
            cpc_code=cpc_code or None,
            product_mass_kg=_number(product_mass_kg),
            fossil_carbon_content_kg=_number(fossil_carbon_content_kg),
            biogenic_carbon_content_kg=_number(biogenic_carbon_content_kg),
            exempted_emissions_percent=_number(exempted_emissions_percent),
            count_unsplit_as_fossil=bool(count_unsplit_as_fossil),
        )
        return requests.publish(
            uow, principal=principal, data=data, base_url=platform.settings.base_url
        )

    return _act(request, uow, user, csrf_token, change, done="published", wake=True)


@router.post("/footprints/{footprint_id}/shares")
def share(
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    user: SignedInUserDep,
    footprint_id: uuid.UUID,
    recipient: FormStr,
    csrf_token: OptionalFormStr = None,
) -> Response:
    """Share with a connected partner (its id) or a tenant of this platform (its short name)."""

    def change(principal: Principal) -> Any:
        try:
            target = uuid.UUID(recipient)
        except ValueError:
            target = platform_service.organisation_by_slug(uow.session, recipient.strip()).id
        return requests.share(
            uow,
            principal=principal,
            footprint_id=footprint_id,
            recipient=target,
            base_url=platform.settings.base_url,
        )

    return _act(request, uow, user, csrf_token, change, done="shared", wake=True)


@router.post("/footprints/{footprint_id}/shares/{recipient}/revoke")
def unshare(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    footprint_id: uuid.UUID,
    recipient: uuid.UUID,
    csrf_token: OptionalFormStr = None,
) -> Response:
    def change(principal: Principal) -> Any:
        return service.unshare(
            uow, principal=principal, footprint_id=footprint_id, recipient=recipient
        )

    return _act(request, uow, user, csrf_token, change, done="unshared")


@router.post("/footprints/{footprint_id}/deprecate")
def deprecate(
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    user: SignedInUserDep,
    footprint_id: uuid.UUID,
    csrf_token: OptionalFormStr = None,
) -> Response:
    def change(principal: Principal) -> Any:
        return requests.deprecate(
            uow, principal=principal, footprint_id=footprint_id, base_url=platform.settings.base_url
        )

    return _act(request, uow, user, csrf_token, change, done="deprecated", wake=True)


@router.post("/connections")
def add_connection(
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    user: SignedInUserDep,
    name: FormStr,
    base_url: OptionalFormStr = None,
    spec_version: OptionalFormStr = None,
    remote_client_id: OptionalFormStr = None,
    remote_client_secret: OptionalFormStr = None,
    csrf_token: OptionalFormStr = None,
) -> Response:
    def change(principal: Principal) -> Any:
        data = ConnectionCreate(
            name=name,
            base_url=base_url or None,
            spec_version=int(spec_version or 3),
            remote_client_id=remote_client_id or None,
            remote_client_secret=remote_client_secret or None,
        )
        return connections.add_connection(
            uow, principal=principal, data=data, secret=platform.secret
        )

    return _act(request, uow, user, csrf_token, change, done="connection_added")


@router.post("/connections/{connection_id}")
def update_connection(
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    user: SignedInUserDep,
    connection_id: uuid.UUID,
    base_url: OptionalFormStr = None,
    remote_client_id: OptionalFormStr = None,
    remote_client_secret: OptionalFormStr = None,
    csrf_token: OptionalFormStr = None,
) -> Response:
    def change(principal: Principal) -> Any:
        data = ConnectionUpdate(
            base_url=base_url or None,
            remote_client_id=remote_client_id or None,
            remote_client_secret=remote_client_secret or None,
        )
        return connections.update_connection(
            uow, principal=principal, connection_id=connection_id, data=data,
            secret=platform.secret,
        )  # fmt: skip

    return _act(request, uow, user, csrf_token, change, done="connection_updated")


@router.post("/connections/{connection_id}/revoke")
def revoke_connection(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    connection_id: uuid.UUID,
    csrf_token: OptionalFormStr = None,
) -> Response:
    def change(principal: Principal) -> Any:
        return connections.revoke_connection(uow, principal=principal, connection_id=connection_id)

    return _act(request, uow, user, csrf_token, change, done="connection_revoked")


@router.post("/connections/{connection_id}/pull")
def pull(
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    user: SignedInUserDep,
    connection_id: uuid.UUID,
    csrf_token: OptionalFormStr = None,
) -> Response:
    """List the partner's footprints over PACT and keep them (no write transaction open
    while the partner answers)."""
    who, principal = signed_in(user, WHAT)
    check_csrf(request, who, csrf_token)
    uow.session.rollback()
    try:
        requests.pull(platform, principal=principal, connection_id=connection_id)
    except (PcfhubError, ValueError, OSError) as error:
        with platform.unit_of_work(read_only=True) as reader:
            return _page(request, reader, who, principal, status_code=502, problems=[str(error)])
    return redirect("/exchange?done=pulled")


@router.post("/requests")
def send_request(
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    user: SignedInUserDep,
    connection_id: FormStr,
    product_ids: FormStr,
    comment: OptionalFormStr = None,
    csrf_token: OptionalFormStr = None,
) -> Response:
    def change(principal: Principal) -> Any:
        data = RequestCreate(
            connection_id=uuid.UUID(connection_id),
            product_ids=_lines(product_ids),
            comment=comment or "",
        )
        return requests.send_request(
            uow, principal=principal, data=data, base_url=platform.settings.base_url
        )

    return _act(request, uow, user, csrf_token, change, done="request_sent", wake=True)


@router.post("/requests/{request_id}/answer")
def answer(
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    user: SignedInUserDep,
    request_id: uuid.UUID,
    footprint_ids: Annotated[list[str] | None, Form()] = None,
    reject: OptionalFormStr = None,
    reject_message: OptionalFormStr = None,
    csrf_token: OptionalFormStr = None,
) -> Response:
    def change(principal: Principal) -> Any:
        if reject:
            data = RequestAnswer(reject_code="NotFound", reject_message=reject_message or "")
        else:
            data = RequestAnswer(footprint_ids=[uuid.UUID(i) for i in footprint_ids or []])
            if not data.footprint_ids:
                raise ValueError("footprint_ids: choose at least one footprint, or reject.")
        return requests.answer(
            uow, principal=principal, request_id=request_id, data=data,
            base_url=platform.settings.base_url,
        )  # fmt: skip

    return _act(request, uow, user, csrf_token, change, done="answered", wake=True)


def _import(
    request: Request,
    uow: UnitOfWork,
    user: SignedInUser | None,
    csrf_token: str | None,
    import_into_model: Callable[..., Any],
    *,
    model_code: str,
    process: str,
    amount: str,
) -> Response:
    """Import a partner's footprint into a model as a supplier exchange with the service call
    ``import_into_model(principal=..., data=...)``."""

    def change(principal: Principal) -> Any:
        data = ImportRequest(model_code=model_code, process=process, amount=float(amount))
        return import_into_model(principal=principal, data=data)

    return _act(request, uow, user, csrf_token, change, done="imported")


@router.post("/received/{received_id}/import")
def import_received(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    received_id: uuid.UUID,
    model_code: FormStr,
    process: FormStr,
    amount: FormStr,
    csrf_token: OptionalFormStr = None,
) -> Response:
    """Import a footprint received from a connected partner."""
    service_call = partial(received.import_into_model, uow, received_id=received_id)
    return _import(
        request, uow, user, csrf_token, service_call,
        model_code=model_code, process=process, amount=amount,
    )  # fmt: skip


@router.post("/shared/{footprint_id}/import")
def import_shared(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    footprint_id: uuid.UUID,
    model_code: FormStr,
    process: FormStr,
    amount: FormStr,
    csrf_token: OptionalFormStr = None,
) -> Response:
    """Import a footprint another tenant of this platform shared with the organisation."""
    service_call = partial(received.import_shared, uow, footprint_id=footprint_id)
    return _import(
        request, uow, user, csrf_token, service_call,
        model_code=model_code, process=process, amount=amount,
    )  # fmt: skip
