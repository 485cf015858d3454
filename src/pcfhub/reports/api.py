"""The reports API: issue a study report from a result, list, read and download issued
reports, preview one without issuing, and verify a document (public)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile

from pcfhub.platform.api import Limit, Offset
from pcfhub.platform.deps import PlatformDep, PrincipalDep, UowDep
from pcfhub.platform.schemas import Page
from pcfhub.reports import service
from pcfhub.reports.schemas import (
    Format,
    HashVerify,
    Language,
    ReportCreate,
    ReportPublic,
    ReportVerification,
)

router = APIRouter(prefix="/reports", tags=["reports"])
MAX_DOCUMENT = 50 * 1024 * 1024


def _send(found: service.Document, *, attachment: bool = True) -> Response:
    disposition = "attachment" if attachment else "inline"
    return Response(
        content=found.content,
        media_type=found.media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{found.filename}"'},
    )


@router.get("")
def list_reports(
    uow: UowDep,
    principal: PrincipalDep,
    result_id: uuid.UUID | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> Page[ReportPublic]:
    """The organisation's issued reports, newest first (of one result with ``result_id``)."""
    return service.list_reports(
        uow, principal=principal, result_id=result_id, offset=offset, limit=limit
    )


@router.post("", status_code=201)
def issue_report(
    body: ReportCreate, platform: PlatformDep, uow: UowDep, principal: PrincipalDep
) -> ReportPublic:
    """Issue the GB/T 24067 / ISO 14067 report of a stored result (HTML and PDF, stored
    as issued, one ledger entry). Only the result's organisation may issue."""
    issued = service.issue(uow, principal=principal, data=body, base_url=platform.settings.base_url)
    uow.commit()
    return issued


@router.get("/preview", response_class=Response)
def preview_report(
    platform: PlatformDep,
    uow: UowDep,
    principal: PrincipalDep,
    result_id: uuid.UUID,
    language: Language = "zh",
    format: Format = "html",
) -> Response:
    """The report of a result as it would be issued, marked as a preview; nothing is stored."""
    found = service.preview(
        uow,
        principal=principal,
        result_id=result_id,
        language=language,
        format=format,
        base_url=platform.settings.base_url,
    )
    return _send(found, attachment=False)


@router.post("/verify")
def verify_upload(
    uow: UowDep,
    file: Annotated[UploadFile, File(description="an issued report, HTML or PDF")],
) -> ReportVerification:
    """Public: is this document an issued report? Its ledger entry, inclusion proof, the
    signed tree head and the public key to check them with."""
    return service.verify_document(uow, content=file.file.read(MAX_DOCUMENT))


@router.post("/verify/hash")
def verify_hash(body: HashVerify, uow: UowDep) -> ReportVerification:
    """Public: the same check by the document's SHA-256 alone."""
    return service.verify(uow, sha256=body.sha256)


@router.get("/{report_id}")
def get_report(report_id: uuid.UUID, uow: UowDep, principal: PrincipalDep) -> ReportPublic:
    return service.get_report(uow, principal=principal, report_id=report_id)


@router.get("/{report_id}/html", response_class=Response)
def download_html(report_id: uuid.UUID, uow: UowDep, principal: PrincipalDep) -> Response:
    """The issued HTML document, byte for byte."""
    return _send(service.document(uow, principal=principal, report_id=report_id, format="html"))


@router.get("/{report_id}/pdf", response_class=Response)
def download_pdf(
    report_id: uuid.UUID,
    uow: UowDep,
    principal: PrincipalDep,
    inline: Annotated[bool, Query()] = False,
) -> Response:
    """The issued PDF document, byte for byte."""
    found = service.document(uow, principal=principal, report_id=report_id, format="pdf")
    return _send(found, attachment=not inline)
