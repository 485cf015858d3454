"""Factor database pages: search, a factor's detail (with a calculator), contributing by file,
the reviewers' queue with the checklist, and the contributor's usage statement.

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
from pydantic import Field, ValidationError, create_model

from pcfhub.accounting.recompute import factor_changed
from pcfhub.errors import InvalidInputError, PcfhubError
from pcfhub.factors import evidence, licences, queries, service, usage
from pcfhub.factors.api import evidence_download
from pcfhub.factors.formats import read_upload
from pcfhub.factors.model import Boundary, FactorStatus, Redistribution, Traceability
from pcfhub.factors.schemas import ReviewDecision, UsageStatement
from pcfhub.factors.search import FactorQuery, ListedStatus
from pcfhub.factors.tabular import (
    COLUMNS,
    DERIVED,
    GAS_COLUMNS,
    NUMBER_COLUMNS,
    PEDIGREE,
    REQUIRED,
    UNCERTAINTY,
    data_to_row,
    parse_row,
)
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

MAIN_GASES = 10  # CO2, CH4, N2O, SF6, NF3, HFC-134a, CF4; the other HFCs and PFCs apart
FORM_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("what", ("lineage_key", "name_zh", "name_en", "activity", "classification", "description")),
    ("value", ("value", "unit", "gwp_set", *GAS_COLUMNS[:MAIN_GASES])),
    ("fluorinated", GAS_COLUMNS[MAIN_GASES:]),
    ("scope", ("boundary", "system_model", "geography", "reference_year", "valid_from",
               "valid_to", "technology")),
    ("source", ("source_publisher", "source_document", "source_table", "source_year",
                "source_url", "source_traceability", "source_note")),
    ("quality", (*(f"pedigree_{name}" for name in PEDIGREE),
                 *(f"uncertainty_{name}" for name in UNCERTAINTY))),
    ("licence", ("licence", "licence_redistribution", "licence_attribution")),
    ("derived", tuple(f"derived_{name}" for name in DERIVED)),
)  # fmt: skip
SCORES = ("1", "2", "3", "4", "5")
CHOICES: dict[str, tuple[str, ...]] = {
    "gwp_set": ("AR6", "AR5", "AR4", "unstated"),
    "boundary": tuple(b.value for b in Boundary),
    "source_traceability": tuple(t.value for t in Traceability),
    "licence_redistribution": tuple(r.value for r in Redistribution),
    "uncertainty_distribution": ("lognormal", "normal", "uniform", "triangular"),
    **{f"pedigree_{name}": SCORES for name in PEDIGREE},
}
# Where the names of a choice's codes are in the catalogues.
CODE_SECTIONS = {
    "source_traceability": "traceability",
    "licence_redistribution": "redistribution",
}
LONG_TEXT = frozenset({"description", "technology", "source_note", "licence_attribution"})
DATES = frozenset({"valid_from", "valid_to"})
FactorForm = create_model(  # every template column as a text field of the form
    "FactorForm",
    **{column: (str, Field("", max_length=5000)) for column in COLUMNS},
    **{"submit": (bool, False), "csrf_token": (str | None, None)},
)


def _form_page(
    request: Request,
    user: SignedInUser,
    values: dict[str, str],
    *,
    status_code: int = 200,
    problems: list[str] | None = None,
) -> Response:
    return render(
        request, "factor_new.html", user=user, status_code=status_code, values=values,
        groups=FORM_GROUPS, choices=CHOICES, required=REQUIRED, long_text=LONG_TEXT,
        dates=DATES, numbers=NUMBER_COLUMNS, code_sections=CODE_SECTIONS,
        problems=problems or [],
    )  # fmt: skip


@router.get("/new")
def new_factor_page(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    start_from: Annotated[uuid.UUID | None, Query(alias="from")] = None,
) -> Response:
    """A blank form, or one filled from a version of the caller's own (its next version)."""
    if user is None:
        return redirect("/sign-in")
    signed_in, principal = _signed_in(user)
    values = {"gwp_set": "AR6", "boundary": "cradle_to_gate", "source_traceability": "primary"}
    if start_from is not None:
        version = service.get_version(uow, principal=principal, version_id=start_from)
        if version.contributor_id == principal.organisation_id and not version.values_withheld:
            values = data_to_row(version.data)  # type: ignore[arg-type]
    return _form_page(request, signed_in, values)


@router.post("/new")
def new_factor(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    form: Annotated[FactorForm, Form()],  # type: ignore[valid-type]
) -> Response:
    """Draft the factor (and submit it, if asked); or show the form again with every problem."""
    signed_in, principal = _signed_in(user)
    check_csrf(request, signed_in, form.csrf_token)
    values = {column: getattr(form, column).strip() for column in COLUMNS}
    try:
        data = parse_row(values)
        draft = service.import_drafts(
            uow, principal=principal, factors=[data], and_submit=form.submit
        )[0]
    except (PcfhubError, ValidationError) as error:
        uow.rollback()
        problems, status = form_problems(error)
        return _form_page(request, signed_in, values, status_code=status, problems=problems)
    uow.commit()
    return redirect(f"/factors/versions/{draft.id}?done=drafted")


# Contributing


def _contribute_page(
    request: Request,
    uow: UnitOfWork,
    user: SignedInUser,
    principal: Principal,
    *,
    status_code: int = 200,
    problems: list[str] | None = None,
) -> Response:
    offset = page_offset(request)
    contributions = service.list_contributions(uow, principal=principal, offset=offset, limit=PAGE)
    return render(
        request,
        "factor_contribute.html",
        user=user,
        status_code=status_code,
        contributions=contributions,
        offset=offset,
        page=PAGE,
        problems=problems or [],
        done=_done(request),
        imported=request.query_params.get("count", "") if _done(request) else "",
    )


@router.get("/contribute")
def contribute_page(request: Request, uow: UowDep, user: SignedInUserDep) -> Response:
    """Upload factors (CSV, xlsx, JSON) as drafts; see your contributions and decisions."""
    if user is None:
        return redirect("/sign-in")
    signed_in, principal = _signed_in(user)
    return _contribute_page(request, uow, signed_in, principal)


@router.post("/contribute")
def contribute(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    file: Annotated[UploadFile, File()],
    submit: Annotated[bool, Form()] = False,
    csrf_token: OptionalFormStr = None,
) -> Response:
    """Every factor of the file becomes a draft (and is submitted, if asked), or none does."""
    signed_in, principal = _signed_in(user)
    check_csrf(request, signed_in, csrf_token)
    try:
        records = read_upload(file.filename, file.file.read())  # checked before any write
        service.import_drafts(uow, principal=principal, factors=records, and_submit=submit)
    except (PcfhubError, ValidationError) as error:
        uow.rollback()
        problems, status = form_problems(error)
        return _contribute_page(
            request, uow, signed_in, principal, status_code=status, problems=problems
        )
    uow.commit()
    return redirect(f"/factors/contribute?done=imported&count={len(records)}")


# Reviewing


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
