"""RFC 9457 problem details for every error, and the request size limit.

One handler turns a `PcfhubError` (which carries its status), a validation error (naming each
field) or an HTTP error into ``application/problem+json``. Unexpected errors become a 500
problem without internals.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pcfhub.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PcfhubError,
)

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("pcfhub")


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


def _pointer(loc: tuple[Any, ...]) -> str:
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in loc]
    if parts and parts[0] == "body":
        return "#/" + "/".join(parts[1:])
    return "/".join(parts)


def validation_problem(error: RequestValidationError, instance: str) -> JSONResponse:
    errors = [
        {
            "field": _field(tuple(e.get("loc", ()))),
            "pointer": _pointer(tuple(e.get("loc", ()))),
            "detail": e.get("msg", "invalid"),
        }
        for e in error.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['detail']}" for e in errors)
    return problem(422, "Invalid input", detail, instance=instance, errors=errors)


HTTP_TITLES = {404: "Not found", 405: "Method not allowed", 413: "Request too large"}
MACHINE_PREFIXES = ("/api/", "/auth/", "/healthz", "/readyz")


def wants_html(request: Request) -> bool:
    """Pages get an HTML error page; the API, token endpoint and health checks get JSON."""
    if request.url.path.startswith(MACHINE_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "") or request.method == "POST"


def install_problem_handlers(app: FastAPI) -> None:
    def html_error(request: Request, error: PcfhubError) -> Response | None:
        renderer = getattr(request.app.state, "render_error", None)
        if renderer is None or not wants_html(request):
            return None
        return renderer(request, error)

    @app.exception_handler(PcfhubError)
    async def _pcfhub_error(request: Request, error: PcfhubError) -> Response:
        page = html_error(request, error)
        if page is not None:
            return page
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, AuthenticationError) else None
        if error.status >= 500:
            log.error("%s at %s: %s", type(error).__name__, request.url.path, error)
        return problem(
            error.status, error.title, str(error), instance=request.url.path, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, error: RequestValidationError) -> Response:
        problem_response = validation_problem(error, request.url.path)
        detail = json.loads(problem_response.body)["detail"]
        page = html_error(request, InvalidInputError(detail))
        return page if page is not None else problem_response

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        title = HTTP_TITLES.get(error.status_code, "Error")
        as_error = (
            NotFoundError(f"No page at {request.url.path}.")
            if error.status_code == 404
            else _status_error(error.status_code, title, str(error.detail))
        )
        page = html_error(request, as_error)
        if page is not None:
            return page
        return problem(
            error.status_code,
            title,
            str(error.detail),
            instance=request.url.path,
            headers=getattr(error, "headers", None),
        )

    @app.exception_handler(IntegrityError)
    async def _integrity_error(request: Request, error: IntegrityError) -> Response:
        # Two requests raced to create the same thing; the loser's transaction rolled back.
        conflict = ConflictError(
            "The change clashes with data stored meanwhile (for example the same name, twice); "
            "nothing was saved. Reload and retry."
        )
        page = html_error(request, conflict)
        if page is not None:
            return page
        return problem(409, conflict.title, str(conflict), instance=request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> Response:
        log.exception("unexpected error at %s", request.url.path)
        failure = PcfhubError("An unexpected error occurred; it has been logged.")
        page = html_error(request, failure)
        if page is not None:
            return page
        return problem(500, failure.title, str(failure), instance=request.url.path)


def _status_error(status: int, title: str, detail: str) -> PcfhubError:
    error = PcfhubError(detail)
    error.status = status
    error.title = title
    return error


SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class SecurityHeaders:
    """Pages may not be framed, load only the platform's own assets, and are not sniffed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + self.headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestSizeLimit:
    """Refuse request bodies above ``max_bytes`` with 413, by header and while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLargeError(
                        413, f"The request body is larger than {self.max_bytes} bytes."
                    )
            return message

        try:
            await self.app(scope, limited_receive, send)
        except BodyTooLargeError:  # raised outside FastAPI's body parsing
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(
            413,
            "Request too large",
            f"The request body is larger than {self.max_bytes} bytes.",
            instance=scope.get("path"),
        )
        await response(scope, receive, send)


class BodyTooLargeError(StarletteHTTPException):
    """Raised while a body streams past the limit; an HTTPException so that FastAPI's body
    parsing passes it on (as a 413) instead of turning it into a 400."""
