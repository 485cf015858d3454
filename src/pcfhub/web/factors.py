"""Factor database pages: search, a factor's detail (with a calculator), the reviewers' queue
with the checklist, and the contributor's usage statement. The forms that write factors (one
factor, or a file of them) are in `pcfhub.web.factor_forms`.

Every page and form goes through the same services (authorisation, ledger entries) as the API.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import ValidationError

from pcfhub.accounting.recompute import factor_changed
from pcfhub.errors import InvalidInputError, PcfhubError
from pcfhub.factors import evidence, licences, queries, service, usage
from pcfhub.factors.api import evidence_download
from pcfhub.factors.model import Boundary, FactorStatus, Redistribution
from pcfhub.factors.schemas import ReviewDecision, UsageStatement
from pcfhub.factors.search import FactorQuery, ListedStatus
from pcfhub.factors.use import Activity
from pcfhub.platform import grants
from pcfhub.platform.deps import PlatformDep, SignedInUserDep, UowDep
from pcfhub.platform.model import Principal, Role, SignedInUser
from pcfhub.platform.uow import UnitOfWork
from pcfhub.web.rendering import (
    check_csrf,
    form_problems,
    page_offset,
    redirect,
    render,
    signed_in,
)

router = APIRouter(prefix="/factors", include_in_schema=False)
OptionalFormStr = Annotated[str | None, Form()]
PAGE = 25
DONE = (
    "submitted", "withdrawn", "published", "rejected", "imported", "evidence_added",
    "review_started", "licence_granted", "drafted",
)  # fmt: skip
ENDED = (FactorStatus.SUPERSEDED, FactorStatus.WITHDRAWN, FactorStatus.REJECTED)


def _signed_in(user: SignedInUser | None) -> tuple[SignedInUser, Principal]:
    return signed_in(user, "use the factor database")


def _done(request: Request) -> str | None:
    done = request.query_params.get("done")
    return done if done in DONE else None


# Search

SEARCH_FIELDS = (
    "q", "geography", "year", "unit", "boundary", "publisher", "redistribution", "status",
    "offset",
)  # fmt: skip


@router.get("")
def search_page(request: Request, uow: UowDep, user: SignedInUserDep) -> Response:
    """Search factors by words and filters (published ones unless another listed status is
    chosen), nearest geography first, then the best match, then the newest."""
    if user is None:
        return redirect("/sign-in")
    signed_in, principal = _signed_in(user)
    form = {name: request.query_params.get(name, "").strip() for name in SEARCH_FIELDS}
    problems: list[str] = []
    results = None
    status_code = 200
    try:
        _check_listed_status(form["status"])
        query = FactorQuery(**{name: value for name, value in form.items() if value}, limit=PAGE)
        results = queries.search_factors(uow, principal=principal, query=query)
    except (PcfhubError, ValidationError) as error:
        problems, status_code = form_problems(error)
        query = FactorQuery(limit=PAGE)
    pages = {
        "previous": query.offset - PAGE if query.offset >= PAGE else None,
        "next": query.offset + PAGE if results and query.offset + PAGE < results.count else None,
    }
    links = {
        direction: f"/factors?{_query_string(form, offset)}"
        for direction, offset in pages.items()
        if offset is not None
    }
    return render(
        request,
        "factors.html",
        user=signed_in,
        status_code=status_code,
        form=form,
        results=results,
        offset=query.offset,
        links=links,
        problems=problems,
        boundaries=[b.value for b in Boundary],
        redistributions=[r.value for r in Redistribution],
        statuses=[s.value for s in ListedStatus],
        reviewer=service.is_reviewer(principal),
    )


def _check_listed_status(status: str) -> None:
    """The search page lists versions open to everyone; one's drafts are on Contribute."""
    if status and status not in {listed.value for listed in ListedStatus}:
        raise InvalidInputError(
            f"status: {status!r} is not searchable here; choose one of "
            f"{', '.join(ListedStatus)} (your own drafts and submissions are under Contribute)."
        )


def _query_string(form: dict[str, str], offset: int) -> str:
    kept = {name: value for name, value in form.items() if value and name != "offset"}
    return urlencode(kept | {"offset": offset})


# One factor version


def _detail(
    request: Request,
    uow: UnitOfWork,
    user: SignedInUser,
    principal: Principal,
    version_id: uuid.UUID,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    version = service.get_version(uow, principal=principal, version_id=version_id)
    try:
        reviews = service.reviews_of(uow, principal=principal, version_id=version_id)
    except PcfhubError:
        reviews = None  # the record is the contributor's and the reviewers' only
    try:
        files = evidence.list_evidence(uow, principal=principal, version_id=version_id)
    except PcfhubError:
        files = None  # evidence too
    own = version.contributor_id == principal.organisation_id
    writer = principal.role in (Role.EDITOR, Role.ADMIN)
    licensing = (
        own
        and principal.role == Role.ADMIN
        and version.values_withheld is False
        and (version.data.licence.redistribution == Redistribution.NONE)
    )
    licence_grants = (
        grants.list_grants(
            uow, principal=principal, object_kind="factor", object_id=str(version.lineage_id),
            limit=200,
        ).data
        if licensing
        else []
    )  # fmt: skip
    reviewer = service.is_reviewer(principal)
    open_for_evidence = version.status in service.OPEN_FOR_EVIDENCE
    return render(
        request,
        "factor.html",
        user=user,
        status_code=status_code,
        fv=version,  # not "version": the page footer shows the platform's version
        reviews=reviews,
        evidence=files,
        licensing=licensing,
        licences=licence_grants,
        can_add_evidence=own and writer and open_for_evidence,
        can_submit=own and writer and version.status == FactorStatus.DRAFT,
        can_new_version=own and writer,
        can_withdraw=((own and writer) or reviewer) and version.status in service.WITHDRAWABLE,
        can_start_review=reviewer and version.status == FactorStatus.SUBMITTED,
        can_review=reviewer and version.status in (FactorStatus.SUBMITTED, FactorStatus.IN_REVIEW),
        checklist=service.CHECKLIST,
        ended=version.status in ENDED,
        done=_done(request),
        **context,
    )


@router.get("/versions/{factor_version_id}")
def factor_page(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    factor_version_id: uuid.UUID,
    amount: Annotated[str | None, Query(max_length=40)] = None,
    unit: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """A factor version: value, gases, source, quality, licence; and a calculator."""
    if user is None:
        return redirect("/sign-in")
    signed_in, principal = _signed_in(user)
    applied = None
    problems: list[str] = []
    if amount or unit:
        try:
            activity = Activity(amount=amount or "", unit=unit or "")
            applied = service.apply_version(
                uow, principal=principal, version_id=factor_version_id, activity=activity
            )
        except (PcfhubError, ValidationError) as error:
            problems, _ = form_problems(error)
    return _detail(
        request,
        uow,
        signed_in,
        principal,
        factor_version_id,
        status_code=422 if problems else 200,
        applied=applied,
        activity={"amount": amount or "", "unit": unit or ""},
        problems=problems,
    )


def _change(
    request: Request,
    uow: UnitOfWork,
    user: SignedInUser | None,
    csrf_token: str | None,
    version_id: uuid.UUID,
    change: Any,
) -> Response:
    """Check the token, make one change, commit it and show the version; or show what was
    wrong (nothing saved)."""
    signed_in, principal = _signed_in(user)
    check_csrf(request, signed_in, csrf_token)
    try:
        done = change(principal)
    except (PcfhubError, ValidationError) as error:
        uow.rollback()
        problems, status = form_problems(error)
        if status in (401, 404):
            raise
        return _detail(
            request, uow, signed_in, principal, version_id, status_code=status,
            problems=problems, applied=None, activity={"amount": "", "unit": ""},
        )  # fmt: skip
    uow.commit()
    return redirect(f"/factors/versions/{version_id}?done={done}")


@router.post("/versions/{factor_version_id}/review")
def review(
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    user: SignedInUserDep,
    factor_version_id: uuid.UUID,
    decision: Annotated[str, Form(pattern="^(publish|reject)$")],
    checklist: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    reasons: Annotated[str, Form(max_length=5000)] = "",
    csrf_token: OptionalFormStr = None,
) -> Response:
    """A reviewer publishes (every checklist item ticked) or rejects (with reasons)."""
    publish = decision == "publish"

    def change(principal: Principal) -> str:
        confirmed = ReviewDecision(
            publish=publish,
            checklist={item: item in checklist for item in service.CHECKLIST},
            reasons=reasons,
        )
        service.review(uow, principal=principal, version_id=factor_version_id, decision=confirmed)
        return "published" if publish else "rejected"

    response = _change(request, uow, user, csrf_token, factor_version_id, change)
    if publish and response.status_code == 303:
        factor_changed(platform)  # results on the version it superseded are stale now
    return response


@router.post("/versions/{factor_version_id}/evidence")
def add_evidence(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    factor_version_id: uuid.UUID,
    file: Annotated[UploadFile, File()],
    csrf_token: OptionalFormStr = None,
) -> Response:
    def change(principal: Principal) -> str:
        evidence.add_evidence(
            uow,
            principal=principal,
            version_id=factor_version_id,
            filename=file.filename or "",
            content=file.file.read(evidence.MAX_EVIDENCE_BYTES + 1),
        )
        return "evidence_added"

    return _change(request, uow, user, csrf_token, factor_version_id, change)


@router.get("/evidence/{evidence_id}")
def evidence_page(uow: UowDep, user: SignedInUserDep, evidence_id: uuid.UUID) -> Response:
    """Download one evidence file (the contributor's members and the reviewers)."""
    _, principal = _signed_in(user)
    found, content = evidence.evidence_file(uow, principal=principal, evidence_id=evidence_id)
    return evidence_download(found, content)


@router.post("/versions/{factor_version_id}/licences")
def grant_licence(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    factor_version_id: uuid.UUID,
    grantee: Annotated[str, Form(max_length=64)],
    purpose: Annotated[str, Form(max_length=500)],
    expires: Annotated[str, Form(max_length=10)],
    csrf_token: OptionalFormStr = None,
) -> Response:
    """The contributor's admin licenses a proprietary factor (every version of its lineage)
    to another organisation until a date: a grant of kind ``factor``."""

    def change(principal: Principal) -> str:
        version = service.get_version(uow, principal=principal, version_id=factor_version_id)
        try:
            until = datetime.combine(date.fromisoformat(expires), time.min, tzinfo=UTC)
        except ValueError:
            raise InvalidInputError("expires: give a date as YYYY-MM-DD.") from None
        licences.grant_licence(
            uow, principal=principal, lineage_id=version.lineage_id, grantee=grantee,
            purpose=purpose, expires_at=until,
        )  # fmt: skip
        return "licence_granted"

    return _change(request, uow, user, csrf_token, factor_version_id, change)


# One factor typed into a form (a new factor, or the next version of one's own)


@router.get("/review")
def review_queue_page(request: Request, uow: UowDep, user: SignedInUserDep) -> Response:
    """Submitted factors awaiting review, oldest first (reviewers only)."""
    if user is None:
        return redirect("/sign-in")
    signed_in, principal = _signed_in(user)
    offset = page_offset(request)
    queue = service.review_queue(uow, principal=principal, offset=offset, limit=PAGE)
    return render(
        request, "factor_review.html", user=signed_in, queue=queue, offset=offset, page=PAGE
    )


# Usage statement


def _period(request: Request) -> tuple[date, date]:
    today = date.today()
    try:
        start = date.fromisoformat(request.query_params.get("start") or f"{today.year}-01-01")
        end = date.fromisoformat(request.query_params.get("end") or today.isoformat())
    except ValueError as error:
        raise InvalidInputError(f"start/end: give dates as YYYY-MM-DD ({error}).") from None
    return start, end


@router.get("/usage")
def usage_page(request: Request, uow: UowDep, user: SignedInUserDep) -> Response:
    """The organisation's usage statement for a period, with a chart of uses per version."""
    if user is None:
        return redirect("/sign-in")
    signed_in, principal = _signed_in(user)
    start, end = _period(request)
    statement = usage.usage_statement(uow, principal=principal, start=start, end=end)
    most = max((line.uses for line in statement.lines), default=0)
    return render(request, "factor_usage.html", user=signed_in, statement=statement, most=most)


@router.get("/usage.csv")
def usage_csv(request: Request, uow: UowDep, user: SignedInUserDep) -> Response:
    """The same statement as CSV, for accounting."""
    _, principal = _signed_in(user)
    start, end = _period(request)
    statement = usage.usage_statement(uow, principal=principal, start=start, end=end)
    return Response(
        statement_csv(statement),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="factor-usage-{start}-{end}.csv"'},
    )


def statement_csv(statement: UsageStatement) -> str:
    """One row per factor version, then the totals."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["lineage_key", "version", "version_id", "name_zh", "name_en", "uses",
                     "organisations", "own_uses"])  # fmt: skip
    for line in statement.lines:
        writer.writerow([line.lineage_key, line.version, line.version_id, line.name_zh,
                         line.name_en, line.uses, line.organisations, line.own_uses])  # fmt: skip
    writer.writerow(["total", "", "", "", "", statement.uses, statement.organisations, ""])
    return out.getvalue()


# One step of the lifecycle by its name; registered last, after the routes it would shadow.
STEPS: dict[str, tuple[Any, str]] = {
    "submit": (service.submit, "submitted"),
    "withdraw": (service.withdraw, "withdrawn"),
    "start-review": (service.start_review, "review_started"),
}


@router.post("/versions/{factor_version_id}/{step}")
def lifecycle_step(
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    user: SignedInUserDep,
    factor_version_id: uuid.UUID,
    step: Literal["submit", "withdraw", "start-review"],
    csrf_token: OptionalFormStr = None,
) -> Response:
    """Submit a draft, withdraw a version, or take a submission into review."""
    use_case, done = STEPS[step]

    def change(principal: Principal) -> str:
        use_case(uow, principal=principal, version_id=factor_version_id)
        return done

    response = _change(request, uow, user, csrf_token, factor_version_id, change)
    if step == "withdraw" and response.status_code == 303:
        factor_changed(platform)  # results on the withdrawn version are stale now
    return response
