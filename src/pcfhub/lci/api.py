"""The LCI API: start an import (a job), follow it under /jobs, read releases and products."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from functools import partial
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile, status

from pcfhub.errors import InvalidInputError
from pcfhub.lci import service
from pcfhub.lci.model import AllocationMethod
from pcfhub.lci.service import ImportOptions, LciFormat, ProductPublic, ReleasePublic, ReleaseReport
from pcfhub.platform import jobs
from pcfhub.platform.api import Limit, Offset
from pcfhub.platform.context import Platform
from pcfhub.platform.deps import PlatformDep, PrincipalDep, UowDep
from pcfhub.platform.model import Principal
from pcfhub.platform.schemas import Page
from pcfhub.platform.uow import UnitOfWork

router = APIRouter(prefix="/lci", tags=["lci"])
UPLOAD_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"


def _safe_name(filename: str | None) -> str:
    name = Path(filename or "upload.zip").name
    cleaned = "".join(c if c in UPLOAD_NAME_CHARS else "_" for c in name)[-100:]
    return cleaned or "upload.zip"


def start_import(
    platform: Platform,
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    filename: str | None,
    content: bytes,
    options: ImportOptions,
) -> jobs.JobPublic:
    """Write the import's job row in ``uow`` (committed) and submit `import_work` with the
    upload to the platform's job runner."""
    service.require_importer(principal)
    if not content:
        raise InvalidInputError("file: the upload is empty.")
    name = _safe_name(filename)
    job = jobs.create_job(
        uow, principal=principal, kind="lci.import",
        title=f"Import {options.database} {options.release} from {name}",
    )  # fmt: skip
    uow.commit()  # the request's own transaction: SQLite allows one writer at a time
    work = partial(import_work, principal=principal, name=name, content=content, options=options)
    platform.jobs.submit(platform.job_units, job.id, work)
    return job


def import_work(
    context: jobs.JobContext,
    *,
    principal: Principal | None,
    name: str,
    content: bytes,
    options: ImportOptions,
) -> dict[str, Any]:
    """The work of an import job, wherever it runs (a thread, a Dask worker): keep the upload in
    a private folder there, removed when the work ends, however it ends; import it in one unit
    of work. Picklable as a `functools.partial` over plain values."""

    def report(done: int, total: int, message: str) -> None:
        if done < total - 1:  # the last step writes; SQLite has one writer at a time
            context.progress(done, total, message)

    folder = Path(tempfile.mkdtemp(prefix="pcfhub-lci-"))
    try:
        path = folder / name
        path.write_bytes(content)
        with context.units() as uow:
            saved = service.import_release(
                uow, principal=principal, path=path, options=options, progress=report
            )
            context.check_cancelled()
            uow.commit()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"release_id": str(saved.id), **saved.counts}


@router.post("/imports", status_code=status.HTTP_202_ACCEPTED)
def import_release(
    platform: PlatformDep,
    uow: UowDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="a zip of JSON-LD, .spold or EcoSpold 1 XML")],
    database: Annotated[str, Form()],
    release: Annotated[str, Form()],
    publisher: Annotated[str, Form()],
    licence: Annotated[str, Form()],
    year: Annotated[int, Form()],
    document: Annotated[str | None, Form()] = None,
    url: Annotated[str | None, Form()] = None,
    attribution: Annotated[str | None, Form()] = None,
    redistribution: Annotated[str, Form()] = "attribution",
    format: Annotated[LciFormat, Form()] = LciFormat.AUTO,
    allocation: Annotated[AllocationMethod, Form()] = AllocationMethod.PHYSICAL,
    gwp_set: Annotated[str, Form()] = "AR6",
) -> jobs.JobPublic:
    """Start an import; follow it at ``GET /api/v1/jobs/{id}`` (the result names the release).
    Only the platform operator's reviewers import."""
    options = ImportOptions.model_validate({
        "database": database, "release": release, "format": format, "allocation": allocation,
        "gwp_set": gwp_set, "publisher": publisher, "document": document or f"{database} {release}",
        "year": year, "url": url, "licence": licence, "redistribution": redistribution,
        "attribution": attribution,
    })  # fmt: skip
    return start_import(platform, uow, principal=principal, filename=file.filename,
                        content=file.file.read(), options=options)  # fmt: skip


@router.get("/releases")
def list_releases(
    uow: UowDep, principal: PrincipalDep, offset: Offset = 0, limit: Limit = 50
) -> Page[ReleasePublic]:
    return service.list_releases(uow, principal=principal, offset=offset, limit=limit)


@router.get("/releases/{release_id}")
def release_report(release_id: uuid.UUID, uow: UowDep, principal: PrincipalDep) -> ReleaseReport:
    """A release with its import report: warnings, allocations applied, unmapped flows."""
    return service.release_report(uow, principal=principal, release_id=release_id)


@router.get("/releases/{release_id}/products")
def list_products(
    release_id: uuid.UUID,
    uow: UowDep,
    principal: PrincipalDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> Page[ProductPublic]:
    """Products of a release with their footprints (kg CO2e per unit), largest first."""
    return service.list_products(
        uow, principal=principal, release_id=release_id, q=q, offset=offset, limit=limit
    )
