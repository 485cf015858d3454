"""Web pages: sign-in and sign-out, language and organisation switches, home, ledger.

Views parse the form, check its CSRF token, call one service, and render.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from pcfhub import __version__
from pcfhub.errors import (
    AccountLockedError,
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    PcfhubError,
    PermissionDeniedError,
)
from pcfhub.ledger import service as ledger
from pcfhub.ledger.access import entry_for
from pcfhub.ledger.canonical import canonical_json
from pcfhub.ledger.merkle import leaf_hash
from pcfhub.platform import auth
from pcfhub.platform.deps import SESSION_COOKIE, PlatformDep, SignedInUserDep, UowDep
from pcfhub.platform.model import SignedInUser
from pcfhub.platform.schemas import MAX_INT64
from pcfhub.web.accounting import router as accounting_router
from pcfhub.web.admin import router as admin_router
from pcfhub.web.catalogue import router as catalogue_router
from pcfhub.web.declarations import router as declarations_router
from pcfhub.web.exchange import router as exchange_router
from pcfhub.web.factor_forms import router as factor_forms_router
from pcfhub.web.factors import router as factors_router
from pcfhub.web.home import home_sections
from pcfhub.web.i18n import LANGUAGES
from pcfhub.web.lci import router as lci_router
from pcfhub.web.model_editor import router as model_editor_router
from pcfhub.web.rendering import (
    LANGUAGE_COOKIE,
    check_csrf,
    page_language,
    redirect,
    render,
    render_error,
    safe_next,
    secure_request,
    when,
)
from pcfhub.web.reports import router as reports_router

HERE = Path(__file__).parent
MAX_PASTED_ENTRY = 16_384  # characters; real entries are a few hundred

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
    app.include_router(admin_router)
    app.include_router(factor_forms_router)
    app.include_router(factors_router)
    app.include_router(lci_router)
    app.include_router(catalogue_router)
    app.include_router(model_editor_router)  # before /models/{model_id}: /models/new
    app.include_router(accounting_router)
    app.include_router(declarations_router)
    app.include_router(reports_router)
    app.include_router(exchange_router)


@router.get("/sign-in")
def sign_in_page(request: Request, user: SignedInUserDep) -> Response:
    if user is not None:
        return redirect("/")
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
    language = page_language(request, None, settings.default_language)
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
    auth.sign_out(uow, token=request.cookies.get(SESSION_COOKIE))  # no second live session
    uow.commit()
    response = redirect("/")
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_max_age_s,
        httponly=True,
        samesite="lax",
        secure=secure_request(request),
    )
    return response


@router.post("/sign-out")
def sign_out(
    request: Request, uow: UowDep, user: SignedInUserDep, csrf_token: OptionalFormStr = None
) -> Response:
    check_csrf(request, user, csrf_token)
    auth.sign_out(uow, token=request.cookies.get(SESSION_COOKIE))
    uow.commit()
    response = redirect("/sign-in")
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
    response = redirect(safe_next(next))
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=365 * 86400,
        samesite="lax",
        secure=secure_request(request),
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
        return redirect("/sign-in")
    check_csrf(request, user, csrf_token)
    try:
        chosen = uuid.UUID(organisation_id)
    except ValueError:
        raise InvalidInputError("organisation_id: not an organisation id.") from None
    auth.switch_organisation(
        uow, token=request.cookies.get(SESSION_COOKIE, ""), organisation_id=chosen
    )
    uow.commit()
    return redirect("/")


@router.get("/")
def home(request: Request, uow: UowDep, user: SignedInUserDep) -> Response:
    if user is None:
        return redirect("/sign-in")
    principal = user.principal()
    sections = home_sections(uow, principal) if principal is not None else {}
    return render(request, "home.html", user=user, sections=sections)


@router.get("/ledger")
def ledger_page(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    index: Annotated[int | None, Query(ge=0, le=MAX_INT64)] = None,
) -> Response:
    """The latest signed tree head and its key; check an entry by index (anyone may)."""
    return _ledger_view(request, uow, user, index=index)


@router.post("/ledger/verify")
def verify_entry(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    entry: Annotated[str, Form(max_length=MAX_PASTED_ENTRY)],
    csrf_token: OptionalFormStr = None,
) -> Response:
    """Check a pasted entry (its canonical JSON) against the latest signed tree head."""
    check_csrf(request, user, csrf_token)
    try:
        hashed = leaf_hash(canonical_json(json.loads(entry)))
    except (ValueError, RecursionError):
        raise InvalidInputError("entry: paste the entry's JSON text.") from None
    try:
        index = ledger.find_index(uow.session, hashed)
    except NotFoundError:
        return _ledger_view(request, uow, user, index=None, not_found=hashed.hex())
    return _ledger_view(request, uow, user, index=index, pasted=entry)


def _own_entry_text(session: Session, user: SignedInUser | None, index: int) -> str | None:
    """The entry's event as JSON, if it is about the user's organisation (else None)."""
    principal = user.principal() if user else None
    if principal is None:
        return None
    try:
        entry = entry_for(session, principal, index)
    except (NotFoundError, PermissionDeniedError):
        return None
    return json.dumps(entry.event, ensure_ascii=False, indent=2)


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
            shown_entry = _own_entry_text(session, user, index)
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
