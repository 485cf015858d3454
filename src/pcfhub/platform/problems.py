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
            "field": "body" if e.get("type") == "json_invalid" else _field(tuple(e.get("loc", ()))),
            "pointer": _pointer(tuple(e.get("loc", ()))),
            "detail": e.get("msg", "invalid"),
        }
        for e in error.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['detail']}" for e in errors)
    return problem(422, "Invalid input", detail, instance=instance, errors=errors)


HTTP_TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    413: "Request too large",
}
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
