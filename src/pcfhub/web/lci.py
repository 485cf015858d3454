"""LCI database pages: the releases, an import form for the operator's reviewers, a job's
progress (refreshing itself while it runs, with a cancel button), and a release's report with
its products' footprints.

Pages use the same services as the API; the import runs as a job of this process.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import ValidationError

from pcfhub.errors import PcfhubError
from pcfhub.factors import access as factor_access
from pcfhub.lci import service
from pcfhub.lci.api import start_import
from pcfhub.lci.model import AllocationMethod
from pcfhub.lci.service import ImportOptions, LciFormat
from pcfhub.platform import jobs
from pcfhub.platform.deps import PlatformDep, SignedInUserDep, UowDep
from pcfhub.platform.model import Principal, SignedInUser
from pcfhub.platform.uow import UnitOfWork
from pcfhub.web.rendering import (
    check_csrf,
    form_problems,
    page_offset,
    redirect,
    render,
    signed_in,
)

router = APIRouter(prefix="/lci", include_in_schema=False)
OptionalFormStr = Annotated[str | None, Form()]
PAGE = 25


def _signed_in(user: SignedInUser | None) -> tuple[SignedInUser, Principal]:
    return signed_in(user, "see the LCI databases")


def _releases_page(
    request: Request,
    uow: UnitOfWork,
    user: SignedInUser,
    principal: Principal,
    *,
    status_code: int = 200,
    problems: list[str] | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    reviewer = factor_access.is_reviewer(principal)
    return render(
        request,
        "lci.html",
        user=user,
        status_code=status_code,
        releases=service.list_releases(uow, principal=principal, limit=100),
        recent=jobs.list_jobs(uow, principal=principal, limit=5) if reviewer else None,
        reviewer=reviewer,
        problems=problems or [],
        form=form or {"gwp_set": "AR6", "allocation": "physical", "format": "auto",
                      "redistribution": "attribution"},
        formats=[f.value for f in LciFormat],
        allocations=[a.value for a in AllocationMethod],
    )  # fmt: skip


@router.get("")
def releases_page(request: Request, uow: UowDep, user: SignedInUserDep) -> Response:
    """The imported releases; the reviewers also see the import form and recent jobs."""
    if user is None:
        return redirect("/sign-in")
    signed_in, principal = _signed_in(user)
    return _releases_page(request, uow, signed_in, principal)


@router.post("/imports")
def start_import_page(
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    user: SignedInUserDep,
    file: Annotated[UploadFile, File()],
    database: OptionalFormStr = None,
    release: OptionalFormStr = None,
    publisher: OptionalFormStr = None,
    document: OptionalFormStr = None,
    year: OptionalFormStr = None,
    url: OptionalFormStr = None,
    licence: OptionalFormStr = None,
    redistribution: OptionalFormStr = None,
    attribution: OptionalFormStr = None,
    format: OptionalFormStr = None,
    allocation: OptionalFormStr = None,
    gwp_set: OptionalFormStr = None,
    csrf_token: OptionalFormStr = None,
) -> Response:
    """Start an import job and follow it on its page; a bad form is shown again, as typed."""
    signed_in, principal = _signed_in(user)
    check_csrf(request, signed_in, csrf_token)
    given = {
        "database": database, "release": release, "publisher": publisher, "document": document,
        "year": year, "url": url, "licence": licence, "redistribution": redistribution,
        "attribution": attribution, "format": format, "allocation": allocation,
        "gwp_set": gwp_set,
    }  # fmt: skip
    form = {name: (value or "").strip()[:2000] for name, value in given.items()}
    return _start(request, platform, uow, signed_in, principal, file, form)


def _start(
    request: Request,
    platform: PlatformDep,
    uow: UnitOfWork,
    user: SignedInUser,
    principal: Principal,
    file: UploadFile,
    form: dict[str, str],
) -> Response:
    try:
        options = ImportOptions.model_validate({
            **{k: v for k, v in form.items() if v},
            "document": form.get("document") or f"{form.get('database')} {form.get('release')}",
        })  # fmt: skip
        job = start_import(platform, uow, principal=principal, filename=file.filename,
                           content=file.file.read(), options=options)  # fmt: skip
    except (PcfhubError, ValidationError) as error:
        uow.rollback()
        problems, status = form_problems(error)
        return _releases_page(request, uow, user, principal, status_code=status,
                              problems=problems, form=form)  # fmt: skip
    return redirect(f"/lci/jobs/{job.id}")


@router.get("/jobs/{job_id}")
def job_page(request: Request, uow: UowDep, user: SignedInUserDep, job_id: uuid.UUID) -> Response:
    """A job's progress; the page refreshes itself until the job ends."""
    if user is None:
        return redirect("/sign-in")
    signed_in, principal = _signed_in(user)
    job = jobs.get_job(uow, principal=principal, job_id=job_id)
    return render(request, "lci_job.html", user=signed_in, job=job,
                  running=job.status not in jobs.FINISHED)  # fmt: skip


@router.post("/jobs/{job_id}/cancel")
def cancel_job_page(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    job_id: uuid.UUID,
    csrf_token: OptionalFormStr = None,
    back: OptionalFormStr = None,
) -> Response:
    """Ask a job to stop; back to the job's page (an import's, or a recomputation's)."""
    signed_in, principal = _signed_in(user)
    check_csrf(request, signed_in, csrf_token)
    jobs.cancel_job(uow, principal=principal, job_id=job_id)
    uow.commit()
    pages = (f"/lci/jobs/{job_id}", f"/models/jobs/{job_id}")
    return redirect(back if back in pages else pages[0])


@router.get("/releases/{release_id}")
def release_page(
    request: Request, uow: UowDep, user: SignedInUserDep, release_id: uuid.UUID
) -> Response:
    """What an import read and did, and the release's products by footprint."""
    if user is None:
        return redirect("/sign-in")
    signed_in, principal = _signed_in(user)
    report = service.release_report(uow, principal=principal, release_id=release_id)
    q = request.query_params.get("q", "").strip()[:200]
    offset = page_offset(request)
    products = service.list_products(uow, principal=principal, release_id=release_id,
                                     q=q or None, offset=offset, limit=PAGE)  # fmt: skip
    methods: dict[str, int] = {}
    for allocation in report.allocations:
        methods[str(allocation["method"])] = methods.get(str(allocation["method"]), 0) + 1
    return render(
        request, "lci_release.html", user=signed_in, report=report, products=products, q=q,
        offset=offset, page=PAGE, methods=methods, warnings=report.warnings[:200],
        unmapped=report.unmapped[:12],
    )  # fmt: skip
