"""ASGI middleware: security headers on every response, the request size limit, and
plain-HTTP requests refused when the platform is served over HTTPS."""

from __future__ import annotations

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pcfhub.platform.problems import problem

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
    """Pages may not be framed, load only the platform's own assets, and are not sniffed;
    over HTTPS browsers are told to stay on HTTPS; API answers are not cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(self.headers)
        if scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", b"max-age=31536000"))
        api = scope.get("path", "").startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if api and not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers + extra
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


#: Paths where credentials or PACT data travel: refused over plain HTTP with a PACT Error and
#: an OAuth error in one body (v2 §Authentication, v3 §api-auth: HTTPS only).
PACT_PATHS = ("/auth/", "/2/", "/3/", "/.well-known/")
PROBES = ("/healthz", "/readyz")  # a load balancer's checks may stay on plain HTTP


class HttpsOnly:
    """When the platform's public URL is https, nothing arriving over plain HTTP is served:
    pages (GET) are redirected to https, everything else is refused with 400, so a token or a
    password never works in clear. Behind a proxy that terminates TLS, run uvicorn with
    forwarded headers so the scheme is the client's."""

    def __init__(self, app: ASGIApp, *, enabled: bool) -> None:
        self.app = app
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            not self.enabled
            or scope["type"] != "http"
            or scope.get("scheme") != "http"
            or path in PROBES
        ):
            await self.app(scope, receive, send)
            return
        message = "Use https: this platform does not answer over plain HTTP."
        if path.startswith(PACT_PATHS):
            body = {"code": "BadRequest", "message": message}
            body |= {"error": "invalid_request", "error_description": message}
            response: JSONResponse | RedirectResponse = JSONResponse(body, status_code=400)
        elif scope.get("method") in ("GET", "HEAD") and not path.startswith("/api/"):
            host = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1")
            query = scope.get("query_string", b"").decode("latin-1")
            response = RedirectResponse(
                f"https://{host}{path}" + (f"?{query}" if query else ""), status_code=308
            )
        else:
            response = problem(400, "HTTPS required", message, instance=path)
        await response(scope, receive, send)
