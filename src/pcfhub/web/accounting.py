"""Accounting pages: the organisation's models and results, a model (calculate, export), a
result with its charts (location- and market-based side by side, stages, hot spots, gases,
uncertainty, compliance, provenance), comparing results, and the recompute job.

The model editor is in `pcfhub.web.model_editor`. Pages use the same services as the API.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import ValidationError

from pcfhub.accounting import recompute, service
from pcfhub.accounting.formats import MEDIA_TYPES, read_model
from pcfhub.accounting.schemas import ResultPublic
from pcfhub.errors import InvalidInputError, PcfhubError
from pcfhub.platform import jobs
from pcfhub.platform.deps import PlatformDep, SignedInUserDep, UowDep
from pcfhub.platform.model import Principal, SignedInUser
from pcfhub.platform.uow import UnitOfWork
from pcfhub.web.rendering import check_csrf, form_problems, redirect, render, signed_in

router = APIRouter(include_in_schema=False)
OptionalFormStr = Annotated[str | None, Form()]


def _signed_in(user: SignedInUser | None) -> tuple[SignedInUser, Principal]:
    return signed_in(user, "see your product models")


def _models_page(
    request: Request,
    uow: UnitOfWork,
    user: SignedInUser,
    principal: Principal,
    *,
    status_code: int = 200,
    problems: list[str] | None = None,
) -> Response:
    return render(
        request,
        "models.html",
        user=user,
        status_code=status_code,
        models=service.list_models(uow, principal=principal, limit=100),
        results=service.list_results(uow, principal=principal, limit=20),
        stale=len(recompute.candidates(uow, principal.organisation_id)),
        problems=problems or [],
    )


@router.get("/models")
def models_page(request: Request, uow: UowDep, user: SignedInUserDep) -> Response:
    """The organisation's models and latest results, with import and recompute."""
    if user is None:
        return redirect("/sign-in")
    signed, principal = _signed_in(user)
    return _models_page(request, uow, signed, principal)


@router.post("/models/import")
def import_model_page(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    file: Annotated[UploadFile, File()],
    csrf_token: OptionalFormStr = None,
) -> Response:
    """Save an uploaded model file as a new version; a file with problems saves nothing and
    the page lists them."""
    signed, principal = _signed_in(user)
    check_csrf(request, signed, csrf_token)
    try:
        model = read_model(file.filename or "upload", file.file.read())
        saved = service.save_model(
            uow, principal=principal, model=model, note=f"imported {file.filename}"
        )
        uow.commit()
    except (PcfhubError, ValidationError) as error:
        uow.rollback()
        problems, status = form_problems(error)
        return _models_page(
            request,
            uow,
            signed,
            principal,
            status_code=status,
            problems=[line for p in problems for line in p.splitlines()],
        )
    return redirect(f"/models/{saved.model_id}")


@router.get("/models/template.xlsx")
def blank_template() -> Response:
    """The empty xlsx template, with instructions in Chinese and English."""
    from pcfhub.accounting.workbook import blank_template as template

    return Response(
        content=template(),
        media_type=MEDIA_TYPES["xlsx"],
        headers={"Content-Disposition": 'attachment; filename="pcfhub-model-template.xlsx"'},
    )


@router.post("/models/recompute")
def recompute_page(
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    user: SignedInUserDep,
    csrf_token: OptionalFormStr = None,
) -> Response:
    """Start recomputing the stale results and follow the job."""
    signed, principal = _signed_in(user)
    check_csrf(request, signed, csrf_token)
    job = recompute.start_sweep(uow, platform.jobs, platform.job_units, principal=principal)
    return redirect(f"/models/jobs/{job.id}")


@router.get("/models/jobs/{job_id}")
def job_page(request: Request, uow: UowDep, user: SignedInUserDep, job_id: uuid.UUID) -> Response:
    """A recompute job's progress; the page refreshes itself until the job ends."""
    if user is None:
        return redirect("/sign-in")
    signed, principal = _signed_in(user)
    job = jobs.get_job(uow, principal=principal, job_id=job_id)
    return render(
        request,
        "accounting_job.html",
        user=signed,
        job=job,
        running=job.status not in jobs.FINISHED,
        job_page=f"/models/jobs/{job.id}",
    )


@router.get("/models/{model_id}")
def model_page(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    model_id: uuid.UUID,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """A model version: its product, processes and exchanges; calculate, export, edit."""
    if user is None:
        return redirect("/sign-in")
    signed, principal = _signed_in(user)
    found = service.get_model(uow, principal=principal, model_id=model_id, version=version)
    latest = service.get_model(uow, principal=principal, model_id=model_id).version
    results = service.list_results(uow, principal=principal, model_id=model_id, limit=20)
    return render(request, "model.html", user=signed, found=found, latest=latest, results=results)


@router.post("/models/{model_id}/calculate")
def calculate_page(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    model_id: uuid.UUID,
    version: OptionalFormStr = None,
    iterations: OptionalFormStr = None,
    csrf_token: OptionalFormStr = None,
) -> Response:
    """Account a model version, store the result and show it."""
    signed, principal = _signed_in(user)
    check_csrf(request, signed, csrf_token)
    try:
        count = int(iterations or 1000)
        number = int(version) if version else None
    except ValueError:
        raise InvalidInputError("iterations: give a whole number.") from None
    if not 0 <= count <= 10_000:
        raise InvalidInputError("iterations: give 0 to 10,000 in the browser (the API takes more).")
    stored = service.calculate(
        uow, principal=principal, model_id=model_id, version=number, iterations=count
    )
    uow.commit()
    return redirect(f"/results/{stored.id}")


def _chart_scale(*values: float) -> float:
    """The largest magnitude among the values (for bars as a percentage of it)."""
    return max((abs(v) for v in values), default=0.0) or 1.0


@router.get("/results/compare")
def compare_page(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    ids: Annotated[list[uuid.UUID], Query()],
) -> Response:
    """Results side by side: totals, both electricity variants, and stages."""
    if user is None:
        return redirect("/sign-in")
    signed, principal = _signed_in(user)
    if not 2 <= len(ids) <= service.MAX_COMPARE:
        raise InvalidInputError(f"ids: compare 2 to {service.MAX_COMPARE} results.")
    results = [service.get_result(uow, principal=principal, result_id=i) for i in ids]
    stages = list(results[0].result.location_based.by_stage)
    scale = _chart_scale(*[r.location_total for r in results], *[r.market_total for r in results])
    return render(request, "compare.html", user=signed, results=results, stages=stages, scale=scale)


@router.get("/results/{result_id}")
def result_page(
    request: Request, uow: UowDep, user: SignedInUserDep, result_id: uuid.UUID
) -> Response:
    """A result: totals, location- vs market-based, stages, hot spots, gases, uncertainty,
    compliance and provenance, with charts."""
    if user is None:
        return redirect("/sign-in")
    signed, principal = _signed_in(user)
    stored: ResultPublic = service.get_result(uow, principal=principal, result_id=result_id)
    result = stored.result
    main = result.result
    spread = result.uncertainty
    tallest = max((count for _, count in spread.histogram), default=1) if spread else 1
    return render(
        request,
        "result.html",
        user=signed,
        stored=stored,
        result=result,
        main=main,
        variants=[result.location_based, result.market_based],
        scale=_chart_scale(result.location_based.total, result.market_based.total),
        stage_scale=_chart_scale(*main.by_stage.values()),
        spot_scale=_chart_scale(*[line.co2e_kg for line in result.hot_spots]),
        tallest=tallest,
        spread=spread,
        others=[
            r
            for r in service.list_results(
                uow, principal=principal, model_id=stored.model_id, limit=10
            ).data
            if r.id != stored.id
        ],
    )
