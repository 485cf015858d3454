"""Rendering pages: the page context (language, CSRF token, user), errors, CSRF checks.

Every form carries a CSRF token: bound to the session when signed in, and to a random
``pcfhub_csrf`` cookie before sign-in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from pcfhub.errors import AuthenticationError, CsrfError, PcfhubError
from pcfhub.platform import auth
from pcfhub.platform.db import utcnow
from pcfhub.platform.deps import SESSION_COOKIE
from pcfhub.platform.model import Principal, SignedInUser
from pcfhub.platform.security import csrf_matches, csrf_token, new_token
from pcfhub.platform.uow import UnitOfWork
from pcfhub.web.i18n import LANGUAGE_NAMES, LANGUAGES, Translator

LANGUAGE_COOKIE = "pcfhub_lang"
ANON_CSRF_COOKIE = "pcfhub_csrf"


def when(value: datetime | str | int | None) -> str:
    """A time as people read it: 2026-11-26 13:40:05 UTC (ints are ms since 1970)."""
    if value is None:
        return ""
    if isinstance(value, int):
        moment = datetime.fromtimestamp(value / 1000, UTC)
    elif isinstance(value, str):
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    else:
        moment = value
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def page_language(request: Request, user: SignedInUser | None, default: str) -> str:
    if user is not None:
        return user.language
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else default


def secure_request(request: Request) -> bool:
    return request.url.scheme == "https" or request.app.state.platform.settings.tls


def _anon_key(request: Request) -> tuple[str, bool]:
    """The pre-sign-in CSRF cookie value, and whether it must be set now."""
    value = request.cookies.get(ANON_CSRF_COOKIE)
    if value and 20 <= len(value) <= 100:
        return value, False
    return new_token(24), True


def _reloadable(request: Request) -> str:
    """Where a language switch returns to: this page if a GET can load it again."""
    if request.method == "GET":
        query = request.url.query
        return request.url.path + (f"?{query}" if query else "")
    return "/ledger" if request.url.path.startswith("/ledger") else "/"


def render(
    request: Request,
    template: str,
    *,
    user: SignedInUser | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    platform = request.app.state.platform
    language = page_language(request, user, platform.settings.default_language)
    anon, set_anon = _anon_key(request)
    csrf = user.csrf_token if user else csrf_token(platform.secret, "anon:" + anon)
    response = request.app.state.templates.TemplateResponse(
        request,
        template,
        {
            "t": Translator(language),
            "language": language,
            "languages": LANGUAGES,
            "language_names": LANGUAGE_NAMES,
            "now": utcnow(),
            "user": user,
            "csrf_token": csrf,
            "path": request.url.path,
            "next_path": _reloadable(request),
            **context,
        },
        status_code=status_code,
    )
    if set_anon and user is None:
        response.set_cookie(
            ANON_CSRF_COOKIE, anon, httponly=True, samesite="lax", secure=secure_request(request)
        )
    response.headers["Cache-Control"] = "no-store"
    return response


def render_error(request: Request, error: PcfhubError) -> Response:
    """The HTML error page, with the header of whoever is signed in."""
    platform = request.app.state.platform
    try:
        with platform.unit_of_work() as uow:
            user = auth.session_user(
                uow, token=request.cookies.get(SESSION_COOKIE), secret=platform.secret
            )
    except Exception:  # the database itself may be what failed
        user = None
    return render(
        request,
        "error.html",
        user=user,
        status_code=error.status,
        error_title=error.title,
        error_detail=str(error),
        error_status=error.status,
    )


def check_csrf(request: Request, user: SignedInUser | None, token: str | None) -> None:
    secret = request.app.state.platform.secret
    if user is not None:
        ok = csrf_matches(secret, user.session_id, token)
    else:
        anon = request.cookies.get(ANON_CSRF_COOKIE)
        ok = anon is not None and csrf_matches(secret, "anon:" + anon, token)
    if not ok:
        raise CsrfError("The form's security token is missing or stale; reload the page and retry.")


def safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def redirect(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303)


def signed_in(user: SignedInUser | None, what: str) -> tuple[SignedInUser, Principal]:
    """The signed-in user and the principal they act as; ``what`` says what needs signing in."""
    if user is None:
        raise AuthenticationError(f"Sign in to {what}.")
    principal = user.principal()
    if principal is None:
        raise AuthenticationError("You are not a member of any organisation.")
    return user, principal


def form_problems(error: PcfhubError | ValueError) -> tuple[list[str], int]:
    """What was wrong with a form, one line per field; and the status to answer with (a plain
    ``ValueError``, such as a number that does not parse, is one problem with 422)."""
    if isinstance(error, ValidationError):
        return [
            f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in error.errors()
        ], 422
    if isinstance(error, PcfhubError):
        return str(error).splitlines(), error.status
    return [str(error)], 422


def act_on_form(
    request: Request,
    uow: UnitOfWork,
    user: SignedInUser | None,
    csrf_token: str | None,
    change: Callable[[Principal], Any],
    *,
    what: str,
    page: Callable[..., Response],
    target: str,
    after: Callable[[], None] | None = None,
    created: str | None = None,
    errors: tuple[type[PcfhubError | ValueError], ...] = (PcfhubError, ValidationError),
) -> Response:
    """Check the form's token, make one change as the signed-in user and commit it, run
    ``after``, and redirect to ``target``; or roll back and show the page again with its
    ``problems`` (nothing is saved).

    ``what`` says what needs signing in; ``page(request, uow, user, principal, status_code=...,
    **context)`` draws the page. With ``created``, the page is shown instead of redirecting,
    with status 201 and the change's outcome under that name (what is shown only once, such as
    a secret). ``errors`` are the exceptions that mean a bad form.
    """
    who, principal = signed_in(user, what)
    check_csrf(request, who, csrf_token)
    try:
        outcome = change(principal)
    except errors as error:
        uow.rollback()
        problems, status = form_problems(error)
        return page(request, uow, who, principal, status_code=status, problems=problems)
    uow.commit()
    if after is not None:
        after()
    if created is not None:
        return page(request, uow, who, principal, status_code=201, **{created: outcome})
    return redirect(target)


def page_offset(request: Request) -> int:
    """The ``offset`` query parameter of a paged list (0 when absent or not a small number)."""
    raw = request.query_params.get("offset", "0")
    return int(raw) if raw.isdigit() and len(raw) < 10 else 0
