"""The accounting API: product models (save, import, export), calculations and results."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, Response, UploadFile

from pcfhub.accounting import recompute, service
from pcfhub.accounting.calculate import AccountingResult
from pcfhub.accounting.formats import MEDIA_TYPES, read_model, write_model
from pcfhub.accounting.schemas import (
    CalculationRequest,
    ModelPublic,
    ModelSave,
    ModelVersionPublic,
    ResultPublic,
    ResultSummary,
)
from pcfhub.errors import InvalidInputError
from pcfhub.platform import jobs
from pcfhub.platform.api import Limit, Offset
from pcfhub.platform.deps import PlatformDep, PrincipalDep, UowDep
from pcfhub.platform.schemas import Page

router = APIRouter(tags=["accounting"])


@router.get("/models")
def list_models(
    uow: UowDep, principal: PrincipalDep, offset: Offset = 0, limit: Limit = 50
) -> Page[ModelPublic]:
    """The organisation's product models."""
    return service.list_models(uow, principal=principal, offset=offset, limit=limit)


@router.post("/models", status_code=201)
def save_model(body: ModelSave, uow: UowDep, principal: PrincipalDep) -> ModelVersionPublic:
    """Save a model as the next version of its code (the first version creates it)."""
    saved = service.save_model(uow, principal=principal, model=body.model, note=body.note)
    uow.commit()
    return saved


@router.post("/models/import", status_code=201)
def import_model(
    file: Annotated[UploadFile, File(description="a model as .yaml, .json or .xlsx")],
    uow: UowDep,
    principal: PrincipalDep,
) -> ModelVersionPublic:
    """Save a model file as the next version of its code; a file with a problem saves
    nothing, and the problem names the file, the place in it and why."""
    model = read_model(file.filename or "upload", file.file.read())
    saved = service.save_model(
        uow, principal=principal, model=model, note=f"imported {file.filename}"
    )
    uow.commit()
    return saved


@router.post("/models/evaluate")
def evaluate_model(
    body: ModelSave,
    uow: UowDep,
    principal: PrincipalDep,
    iterations: Annotated[int, Query(ge=0, le=10_000)] = 0,
    seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> AccountingResult:
    """Account a model without saving it or its result (a preview while editing)."""
    return service.evaluate(uow, principal, body.model, iterations=iterations, seed=seed)


@router.get("/models/{model_id}")
def get_model(
    model_id: uuid.UUID,
    uow: UowDep,
    principal: PrincipalDep,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> ModelVersionPublic:
    """A version of a model (the newest unless ``version`` is given)."""
    return service.get_model(uow, principal=principal, model_id=model_id, version=version)


@router.get("/models/{model_id}/export", response_class=Response)
def export_model(
    model_id: uuid.UUID,
    uow: UowDep,
    principal: PrincipalDep,
    format: Literal["yaml", "json", "xlsx"] = "yaml",
    version: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """A model version as a file that imports back to the same model."""
    found = service.get_model(uow, principal=principal, model_id=model_id, version=version)
    name = f"{found.code}-v{found.version}.{format}"
    return Response(
        content=write_model(found.model, format),
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/models/{model_id}/calculations", status_code=201)
def calculate(
    model_id: uuid.UUID, body: CalculationRequest, uow: UowDep, principal: PrincipalDep
) -> ResultPublic:
    """Account a model version and store the result (a ledger entry; factor uses recorded)."""
    stored = service.calculate(
        uow,
        principal=principal,
        model_id=model_id,
        version=body.version,
        iterations=body.iterations,
        seed=body.seed,
    )
    uow.commit()
    return stored


@router.get("/results")
def list_results(
    uow: UowDep,
    principal: PrincipalDep,
    model_id: uuid.UUID | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> Page[ResultSummary]:
    """The organisation's results, newest first (of one model with ``model_id``)."""
    return service.list_results(
        uow, principal=principal, model_id=model_id, offset=offset, limit=limit
    )


@router.get("/results/compare")
def compare_results(
    uow: UowDep,
    principal: PrincipalDep,
    ids: Annotated[
        list[uuid.UUID],
        Query(min_length=2, description=f"2 to {service.MAX_COMPARE} result ids"),
    ],
) -> list[ResultPublic]:
    """Several results side by side, in the order asked."""
    if len(ids) > service.MAX_COMPARE:
        raise InvalidInputError(f"ids: compare at most {service.MAX_COMPARE} results.")
    return [service.get_result(uow, principal=principal, result_id=i) for i in ids]


@router.get("/results/{result_id}")
def get_result(result_id: uuid.UUID, uow: UowDep, principal: PrincipalDep) -> ResultPublic:
    """A stored result with its breakdowns, uncertainty, compliance and provenance."""
    return service.get_result(uow, principal=principal, result_id=result_id)


@router.post("/recomputations", status_code=202)
def start_recomputation(
    platform: PlatformDep, uow: UowDep, principal: PrincipalDep
) -> jobs.JobPublic:
    """Recompute the organisation's results whose factors have newer versions, as a job:
    follow it at ``GET /api/v1/jobs/{id}``; its result lists old and new result ids."""
    return recompute.start_sweep(uow, platform.jobs, platform.job_units, principal=principal)
