"""The PACT host system API: ``/2/…`` (Technical Specification 2.3) and ``/3/…`` (3.0), with
the OpenID Provider Configuration Document that points to ``/auth/token``.

Errors are PACT Error objects (``{"code", "message"}``) with the statuses each version lists
(v2 §Error responses; v3 ``components.schemas.Error``), not problem+json. A data recipient sees
only the footprints shared with its organisation (`pcfhub.exchange.service`).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from pcfhub.errors import (
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from pcfhub.exchange import events, requests
from pcfhub.exchange import service as footprints
from pcfhub.exchange.events import EventError
from pcfhub.exchange.filters import FilterError, criteria_from, matches, parse_time, v2_filter
from pcfhub.platform import auth
from pcfhub.platform.authz import scope_allows
from pcfhub.platform.context import Platform
from pcfhub.platform.deps import PlatformDep, UowDep
from pcfhub.platform.model import Action, Principal
from pcfhub.platform.uow import UnitOfWork

log = logging.getLogger(__name__)
host_router = APIRouter(tags=["PACT"])

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
AS_OF = "x-pcfhub-asof"  # the pagination snapshot (v3: extra parameters are x- prefixed)
#: Error code → HTTP status, per version (v2 table "Error Codes"; v3 Error enum comments).
STATUS = {
    2: {"AccessDenied": 403, "BadRequest": 400, "NoSuchFootprint": 404, "NotImplemented": 400,
        "TokenExpired": 401, "InternalError": 500},
    3: {"AccessDenied": 403, "BadRequest": 400, "NotFound": 404, "NotImplemented": 501,
        "TokenExpired": 401, "InternalError": 500},
}  # fmt: skip


class PactError(Exception):
    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _error(version: int, error: PactError) -> JSONResponse:
    code, status = error.code, error.status
    if version == 2 and code == "NotFound":
        code = "NoSuchFootprint"
    if version == 3 and code == "NoSuchFootprint":
        code = "NotFound"
    if version == 2 and status == 401 and code != "TokenExpired":
        # v2 answers a missing or invalid token "in all other cases" with BadRequest (§Actions).
        code, status = "BadRequest", None
    status = status or STATUS[version].get(code, 400)
    headers = {"WWW-Authenticate": 'Bearer realm="pcfhub"'} if status == 401 else None
    return JSONResponse(
        {"code": code, "message": error.message}, status_code=status, headers=headers
    )


def _guarded(version: int, work: Callable[[], Response]) -> Response:
    """Run an action, answering every failure with a PACT Error object."""
    try:
        return work()
    except PactError as error:
        return _error(version, error)
    except (FilterError, EventError) as error:
        return _error(version, PactError(error.code, str(error)))
    except NotFoundError as error:
        return _error(version, PactError("NotFound", str(error)))
    except PermissionDeniedError as error:
        return _error(version, PactError("AccessDenied", str(error)))
    except InvalidInputError as error:
        return _error(version, PactError("BadRequest", str(error)))
    except Exception:  # PACT asks for an Error object even then
        log.exception("PACT action failed")
        return _error(version, PactError("InternalError", "An internal error has occurred."))


def _principal(request: Request, platform: PlatformDep, uow: UowDep) -> Principal | PactError:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return PactError("BadRequest", "Send an access token: Authorization: Bearer …", 401)
    try:
        return auth.token_principal(
            uow, token=token.strip(), secret=platform.secret, issuer=platform.settings.base_url
        )
    except AuthenticationError as error:
        expired = "expired" in str(error).lower()
        code = "TokenExpired" if expired else "BadRequest"  # 401 either way (v3 §Authentication)
        return PactError(code, str(error) or "The access token is not valid.", 401)


PrincipalOrError = Annotated[Principal | PactError, Depends(_principal)]


def _require(principal: Principal | PactError, kind: str, action: Action) -> Principal:
    if isinstance(principal, PactError):
        raise principal
    if not scope_allows(principal.scopes, kind, action):
        raise PactError("AccessDenied", f"The access token lacks the scope {kind}:{action}.")
    return principal


# --- discovery --------------------------------------------------------------------------------


@host_router.get("/.well-known/openid-configuration", include_in_schema=False)
def openid_configuration(platform: PlatformDep) -> JSONResponse:
    """Where to get a token (OpenID Connect Discovery 1.0 §3; PACT uses token_endpoint)."""
    base = platform.settings.base_url.rstrip("/")
    return JSONResponse(
        {
            "issuer": base,
            "token_endpoint": f"{base}/auth/token",
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
            "scopes_supported": ["pact_footprint:read", "pact_event:write"],
        }
    )


# --- ListFootprints ---------------------------------------------------------------------------


def _window(request: Request) -> tuple[int, int, datetime]:
    query = request.query_params
    try:
        limit = int(query.get("limit", DEFAULT_LIMIT))
        offset = int(query.get("offset", 0))
    except ValueError:
        raise PactError("BadRequest", "limit and offset must be whole numbers") from None
    if limit < 0 or offset < 0:
        raise PactError("BadRequest", "limit and offset must not be negative")
    as_of = query.get(AS_OF)
    moment = parse_time(as_of, AS_OF) if as_of else datetime.now(UTC)
    return min(limit, MAX_LIMIT), offset, moment


def _page(request: Request, documents: list[dict[str, Any]], version: int) -> JSONResponse:
    limit, offset, as_of = _window(request)
    page = documents[offset : offset + limit]
    headers = {}
    if offset + limit < len(documents):
        kept = [
            (k, v)
            for k, v in request.query_params.multi_items()
            if k not in ("limit", "offset", AS_OF)
        ]
        stamp = as_of.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        # limit=0 (v3 allows it) gets an empty page; its next link asks for a real one.
        following = [("limit", limit or DEFAULT_LIMIT), ("offset", offset + limit)]
        query = urlencode([*kept, *following, (AS_OF, stamp)])
        # Absolute, on the host the request named (v2 §Pagination, v3 ListFootprints).
        url = request.url.replace(query=query)
        headers["link"] = f'<{url}>; rel="next"'
    return JSONResponse({"data": page}, headers=headers)


@host_router.get("/3/footprints", summary="Action ListFootprints (PACT 3.0)")
def list_v3(request: Request, uow: UowDep, principal: PrincipalOrError) -> Response:
    def work() -> Response:
        who = _require(principal, footprints.READ_SCOPE_KIND, Action.READ)
        params: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            if key not in ("limit", "offset", AS_OF):
                params.setdefault(key, []).append(value)
        criteria = criteria_from(params, any_status=True)
        _limit, _offset, as_of = _window(request)
        found = footprints.shared_documents(
            uow, principal=who, version=3, keep=lambda d: matches(d, criteria), created_before=as_of
        )
        return _page(request, found, 3)

    return _guarded(3, work)


@host_router.get("/2/footprints", summary="Action ListFootprints (PACT 2.3)")
def list_v2(request: Request, uow: UowDep, principal: PrincipalOrError) -> Response:
    def work() -> Response:
        who = _require(principal, footprints.READ_SCOPE_KIND, Action.READ)
        keep = v2_filter(request.query_params.get("$filter", ""))
        _limit, _offset, as_of = _window(request)
        found = footprints.shared_documents(
            uow, principal=who, version=2, keep=keep, created_before=as_of
        )
        return _page(request, found, 2)

    return _guarded(2, work)


# --- GetFootprint -----------------------------------------------------------------------------


def _get(version: int, footprint_id: str, uow: UnitOfWork, principal: PrincipalOrError) -> Response:
    def work() -> Response:
        who = _require(principal, footprints.READ_SCOPE_KIND, Action.READ)
        try:
            wanted = uuid.UUID(footprint_id)
        except ValueError:
            # No footprint has such an id: NotFound (the PACT conformance tests ask for it).
            raise PactError("NotFound", f"No footprint has the id {footprint_id!r}.") from None
        document = footprints.shared_document(
            uow, principal=who, footprint_id=wanted, version=version
        )
        return JSONResponse({"data": document})

    return _guarded(version, work)


@host_router.get("/3/footprints/{footprint_id}", summary="Action GetFootprint (PACT 3.0)")
def get_v3(footprint_id: str, uow: UowDep, principal: PrincipalOrError) -> Response:
    return _get(3, footprint_id, uow, principal)


@host_router.get("/2/footprints/{footprint_id}", summary="Action GetFootprint (PACT 2.3)")
def get_v2(footprint_id: str, uow: UowDep, principal: PrincipalOrError) -> Response:
    return _get(2, footprint_id, uow, principal)


# --- Events -----------------------------------------------------------------------------------


async def _body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


def _events(
    version: int, request: Request, platform: Platform, body: Any, wake: Callable[[], None]
) -> Response:
    """Authenticate and record an event; the body is read before the write transaction opens."""
    with platform.unit_of_work() as uow:
        principal = _principal(request, platform, uow)
        return _guarded(version, lambda: _record_event(version, body, uow, principal, wake))


def _record_event(
    version: int,
    body: Any,
    uow: UnitOfWork,
    principal: Principal | PactError,
    wake: Callable[[], None],
) -> Response:
    who = _require(principal, footprints.EVENT_SCOPE_KIND, Action.WRITE)
    requests.partner_link(uow, who)
    if body is None:
        raise PactError("BadRequest", "The body is not JSON (a CloudEvent in structured mode).")
    incoming = events.read(body, version=version)
    requests.receive(uow, principal=who, incoming=incoming)
    uow.commit()
    wake()
    return Response(status_code=200)


def _waker(request: Request) -> Callable[[], None]:
    worker = getattr(request.app.state, "pact_outbox", None)
    return worker.wake if worker is not None else (lambda: None)


@host_router.post("/3/events", summary="Action Events (PACT 3.0)")
async def events_v3(request: Request, platform: PlatformDep) -> Response:
    body = await _body(request)
    return await run_in_threadpool(_events, 3, request, platform, body, _waker(request))


@host_router.post("/2/events", summary="Action Events (PACT 2.3)")
async def events_v2(request: Request, platform: PlatformDep) -> Response:
    body = await _body(request)
    return await run_in_threadpool(_events, 2, request, platform, body, _waker(request))
