"""Catalogue pages: the catalogue in force (or any version) with its sectors, categories and
rules; the diff between two versions; a rule with its versions and what changed; and, for
regulators and the platform operator, a form to publish a catalogue or rules file.

Pages use the same services as the API and the command line.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from pcfhub.catalogue import queries, service
from pcfhub.catalogue.formats import MAX_DOCUMENT_BYTES, read_document
from pcfhub.catalogue.schemas import CatalogueVersionPublic
from pcfhub.errors import InvalidInputError, NotFoundError, PcfhubError
from pcfhub.platform.deps import SignedInUserDep, UowDep
from pcfhub.platform.model import Principal, SignedInUser
from pcfhub.platform.uow import UnitOfWork
from pcfhub.web.rendering import check_csrf, form_problems, redirect, render, signed_in

router = APIRouter(prefix="/catalogue", include_in_schema=False)
OptionalFormStr = Annotated[str | None, Form()]
DONE = ("catalogue_published", "rules_published")
RULE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def _signed_in(user: SignedInUser | None) -> tuple[SignedInUser, Principal]:
    return signed_in(user, "see the catalogue")


def is_maintainer(principal: Principal) -> bool:
    """Whether the page offers the upload form (the service decides on the upload itself)."""
    return principal.organisation_kind in service.MAINTAINERS and principal.role != "viewer"


def shown(value: Any) -> str:
    """A value of a diff as people read it: lists joined, nothing as a dash."""
    if value is None or value == [] or value == {}:
        return "—"
    if isinstance(value, list):
        return ", ".join(shown(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {shown(item)}" for key, item in value.items())
    return str(value)


def _number(request: Request, name: str) -> int | None:
    """A positive version number from the query string; a bad one is a 422 problem."""
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 7 or int(raw) < 1:
        raise InvalidInputError(f"{name}: {raw[:20]!r} is not a version number.")
    return int(raw)


def _day(request: Request) -> date | None:
    raw = request.query_params.get("day", "").strip()
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise InvalidInputError(f"day: {raw[:20]!r} is not a date (YYYY-MM-DD).") from None


def _catalogue_page(
    request: Request,
    uow: UnitOfWork,
    user: SignedInUser,
    principal: Principal,
    *,
    status_code: int = 200,
    problems: list[str] | None = None,
) -> Response:
    versions = queries.list_catalogue_versions(uow, principal=principal, limit=200)
    found: CatalogueVersionPublic | None = None
    day: date | None = None
    try:
        version, day = _number(request, "version"), _day(request)
        if version is not None:
            found = queries.get_catalogue_version(uow, principal=principal, version=version)
        else:
            found = queries.effective_catalogue(uow, principal=principal, day=day or date.today())
    except NotFoundError as error:
        if versions.count or request.query_params:
            problems = [*(problems or []), str(error)]
            status_code = status_code if status_code != 200 else 404
    except InvalidInputError as error:
        problems, status_code = [*(problems or []), str(error)], 422
    done = request.query_params.get("done")
    return render(
        request, "catalogue.html", user=user, status_code=status_code, versions=versions,
        found=found, day=(day or date.today()).isoformat(), problems=problems or [],
        rules=queries.list_rules(uow, principal=principal, day=day), shown=shown,
        maintainer=is_maintainer(principal), done=done if done in DONE else None,
    )  # fmt: skip


@router.get("")
def catalogue_page(request: Request, uow: UowDep, user: SignedInUserDep) -> Response:
    """The catalogue in force today (or on ``day``, or ``version``), and its rules."""
    if user is None:
        return redirect("/sign-in")
    signed_in_user, principal = _signed_in(user)
    return _catalogue_page(request, uow, signed_in_user, principal)


@router.post("/files")
def publish_file(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    file: Annotated[UploadFile, File()],
    csrf_token: OptionalFormStr = None,
) -> Response:
    """Publish an uploaded catalogue or rules file; its problems are shown on the page."""
    signed_in_user, principal = _signed_in(user)
    check_csrf(request, signed_in_user, csrf_token)
    try:
        service.authorize_maintainer(uow, principal)
        name = file.filename or "upload"
        document = read_document(name, file.file.read(MAX_DOCUMENT_BYTES + 1))
        published = service.publish_document(uow, principal=principal, document=document,
                                             file=name)  # fmt: skip
        uow.commit()
    except PcfhubError as error:
        uow.rollback()
        problems, status = form_problems(error)
        return _catalogue_page(request, uow, signed_in_user, principal, status_code=status,
                               problems=problems)  # fmt: skip
    if published.catalogue is not None:
        return redirect(
            f"/catalogue?version={published.catalogue.version}&done=catalogue_published"
        )
    return redirect(f"/catalogue/rules/{published.rules[0].code}?done=rules_published")


@router.get("/diff")
def diff_page(request: Request, uow: UowDep, user: SignedInUserDep) -> Response:
    """What changed between two catalogue versions (``from``, ``to``; default: the last two)."""
    if user is None:
        return redirect("/sign-in")
    signed_in_user, principal = _signed_in(user)
    versions = queries.list_catalogue_versions(uow, principal=principal, limit=200)
    latest = versions.data[0].version if versions.data else 1
    problems: list[str] = []
    found = None
    status_code = 200
    older, newer = max(latest - 1, 1), latest
    try:
        older = _number(request, "from") or older
        newer = _number(request, "to") or newer
        found = queries.catalogue_diff(uow, principal=principal, from_version=older,
                                       to_version=newer)  # fmt: skip
    except PcfhubError as error:
        problems, status_code = form_problems(error)
    return render(
        request, "catalogue_diff.html", user=signed_in_user, status_code=status_code,
        versions=versions, older=older, newer=newer, diff=found, problems=problems, shown=shown,
    )  # fmt: skip


@router.get("/rules/{code}")
def rule_page(request: Request, uow: UowDep, user: SignedInUserDep, code: str) -> Response:
    """A rule: the version chosen (default: in force today, else the latest), every version,
    and what changed from one version to another (``from``, ``to``)."""
    if user is None:
        return redirect("/sign-in")
    signed_in_user, principal = _signed_in(user)
    if not RULE_CODE.fullmatch(code):
        raise NotFoundError(f"No rule {code[:64]!r} here.")
    versions = queries.rule_versions(uow, principal=principal, code=code)
    by_number = {v.version: v for v in versions}
    problems: list[str] = []
    status_code = 200
    try:
        chosen = _number(request, "version")
        if chosen is not None and chosen not in by_number:
            raise NotFoundError(f"version: rule {code} has no version {chosen}.")
        if chosen is None:
            try:
                chosen = service.rule_on(uow, code, date.today()).version
            except NotFoundError:
                chosen = versions[-1].version
        older = _number(request, "from") or max(chosen - 1, 1)
        newer = _number(request, "to") or chosen
        found = queries.rule_diff(uow, principal=principal, code=code, from_version=older,
                                  to_version=newer)  # fmt: skip
    except PcfhubError as error:
        problems, status_code = form_problems(error)
        chosen, found = versions[-1].version, None
        older, newer = chosen, chosen
    done = request.query_params.get("done")
    return render(
        request, "catalogue_rule.html", user=signed_in_user, status_code=status_code,
        code=code, versions=versions, rule=by_number[chosen], diff=found, older=older,
        newer=newer, problems=problems, shown=shown, done=done if done in DONE else None,
    )  # fmt: skip
