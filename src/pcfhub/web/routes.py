"""Web pages: sign-in and sign-out, language and organisation switches, home, ledger.

Every form carries a CSRF token: bound to the session when signed in, and to a random
``pcfhub_csrf`` cookie before sign-in. Views parse, call one service, and render.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from pcfhub import __version__
from pcfhub.errors import (
    AccountLockedError,
    AuthenticationError,
    CsrfError,
    InvalidInputError,
    NotFoundError,
    PcfhubError,
)
from pcfhub.ledger import service as ledger
from pcfhub.ledger.canonical import canonical_json
from pcfhub.ledger.merkle import leaf_hash
from pcfhub.platform import auth
from pcfhub.platform.db import utcnow
from pcfhub.platform.deps import SESSION_COOKIE, PlatformDep, SignedInUserDep, UowDep
from pcfhub.platform.model import SignedInUser
from pcfhub.platform.security import csrf_matches, csrf_token, new_token
from pcfhub.web.home import home_sections
from pcfhub.web.i18n import LANGUAGE_NAMES, LANGUAGES, Translator

HERE = Path(__file__).parent
LANGUAGE_COOKIE = "pcfhub_lang"
ANON_CSRF_COOKIE = "pcfhub_csrf"

router = APIRouter(include_in_schema=False)
FormStr = Annotated[str, Form()]
OptionalFormStr = Annotated[str | None, Form()]


def install_web(app: FastAPI) -> None:
    """Mount the pages, the static assets and the HTML error renderer on ``app``."""
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals["version"] = __version__
    templates.env.filters["when"] = when
    app.state.templates = templates
    app.state.render_error = render_error
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(router)


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


def _language(request: Request, user: SignedInUser | None, default: str) -> str:
    if user is not None:
        return user.language
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else default


def _secure(request: Request) -> bool:
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
    language = _language(request, user, platform.settings.default_language)
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
            ANON_CSRF_COOKIE, anon, httponly=True, samesite="lax", secure=_secure(request)
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


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def _redirect(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303)


@router.get("/sign-in")
def sign_in_page(request: Request, user: SignedInUserDep) -> Response:
    if user is not None:
        return _redirect("/")
    return render(request, "sign_in.html", user=None)


@router.post("/sign-in")
def sign_in(
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    email: FormStr,
    password: FormStr,
    csrf_token: OptionalFormStr = None,
) -> Response:
    check_csrf(request, None, csrf_token)
    settings = platform.settings
    language = _language(request, None, settings.default_language)
    policy = auth.SignInPolicy(
        max_failures=settings.sign_in_max_failures,
        lockout=timedelta(seconds=settings.sign_in_lockout_s),
        session_max_age=timedelta(seconds=settings.session_max_age_s),
    )
    try:
        token = auth.sign_in(uow, email=email, password=password, language=language, policy=policy)
    except AuthenticationError as error:
        uow.commit()  # count the failure
        key = "sign_in.locked" if isinstance(error, AccountLockedError) else "sign_in.failed"
        return render(
            request, "sign_in.html", user=None, status_code=error.status, error=key, email=email
        )
    uow.commit()
    response = _redirect("/")
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_max_age_s,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    return response


@router.post("/sign-out")
def sign_out(
    request: Request, uow: UowDep, user: SignedInUserDep, csrf_token: OptionalFormStr = None
) -> Response:
    check_csrf(request, user, csrf_token)
    auth.sign_out(uow, token=request.cookies.get(SESSION_COOKIE))
    uow.commit()
    response = _redirect("/sign-in")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/language")
def switch_language(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    language: FormStr,
    next: OptionalFormStr = None,
    csrf_token: OptionalFormStr = None,
) -> Response:
    check_csrf(request, user, csrf_token)
    if language not in LANGUAGES:
        raise InvalidInputError(f"language: choose one of {', '.join(LANGUAGES)}.")
    if user is not None:
        auth.set_language(uow, token=request.cookies.get(SESSION_COOKIE, ""), language=language)
        uow.commit()
    response = _redirect(_safe_next(next))
    response.set_cookie(
        LANGUAGE_COOKIE, language, max_age=365 * 86400, samesite="lax", secure=_secure(request)
    )
    return response


@router.post("/organisation")
def switch_organisation(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    organisation_id: FormStr,
    csrf_token: OptionalFormStr = None,
) -> Response:
    if user is None:
        return _redirect("/sign-in")
    check_csrf(request, user, csrf_token)
    try:
        chosen = uuid.UUID(organisation_id)
    except ValueError:
        raise InvalidInputError("organisation_id: not an organisation id.") from None
    auth.switch_organisation(
        uow, token=request.cookies.get(SESSION_COOKIE, ""), organisation_id=chosen
    )
    uow.commit()
    return _redirect("/")


@router.get("/")
def home(request: Request, uow: UowDep, user: SignedInUserDep) -> Response:
    if user is None:
        return _redirect("/sign-in")
    principal = user.principal()
    sections = home_sections(uow, principal) if principal is not None else {}
    return render(request, "home.html", user=user, sections=sections)


@router.get("/ledger")
def ledger_page(
    request: Request, uow: UowDep, user: SignedInUserDep, index: int | None = None
) -> Response:
    """The latest signed tree head and its key; check an entry by index (anyone may)."""
    return _ledger_view(request, uow, user, index=index)


@router.post("/ledger/verify")
def verify_entry(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    entry: FormStr,
    csrf_token: OptionalFormStr = None,
) -> Response:
    """Check a pasted entry (its canonical JSON) against the latest signed tree head."""
    check_csrf(request, user, csrf_token)
    try:
        hashed = leaf_hash(canonical_json(json.loads(entry)))
    except ValueError:
        raise InvalidInputError("entry: paste the entry's JSON text.") from None
    try:
        index = ledger.find_index(uow.session, hashed)
    except NotFoundError:
        return _ledger_view(request, uow, user, index=None, not_found=hashed.hex())
    return _ledger_view(request, uow, user, index=index, pasted=entry)


def _ledger_view(
    request: Request,
    uow: UowDep,
    user: SignedInUser | None,
    *,
    index: int | None,
    not_found: str | None = None,
    pasted: str | None = None,
) -> Response:
    session = uow.session
    head = ledger.latest_tree_head(session)
    check = None
    shown_entry = None
    problem = None
    if index is not None:
        try:
            check = ledger.check_entry(session, index=index)
            stored = ledger.get_entry(session, index)
            principal = user.principal() if user else None
            if principal is not None and stored.organisation_id == principal.organisation_id:
                shown_entry = json.dumps(stored.event, ensure_ascii=False, indent=2)
        except PcfhubError as error:
            problem = str(error)
    return render(
        request,
        "ledger.html",
        user=user,
        head=head,
        keys=ledger.public_keys(session),
        check=check,
        shown_entry=shown_entry,
        problem=problem,
        not_found=not_found,
        pasted=pasted,
        index=index,
    )
