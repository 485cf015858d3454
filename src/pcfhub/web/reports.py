"""Report pages: the organisation's issued reports, a result's report (preview in either
language, issue), an issued report (hashes, ledger entry, downloads) and verifying a document
anyone holds (public). Pages use the same services as the API; documents download through it.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from markupsafe import Markup

from pcfhub.errors import InvalidInputError, NotFoundError
from pcfhub.platform.deps import PlatformDep, SignedInUserDep, UowDep
from pcfhub.reports import service
from pcfhub.reports.api import MAX_DOCUMENT
from pcfhub.reports.schemas import Language, ReportCreate
from pcfhub.web.rendering import check_csrf, redirect, render, signed_in

router = APIRouter(include_in_schema=False)
OptionalFormStr = Annotated[str | None, Form()]
BODY = re.compile(r"<body>(.*)</body>", re.S)


def _language(value: str | None, default: str) -> Language:
    chosen = value or default
    if chosen not in ("zh", "en"):
        raise InvalidInputError("language: choose zh or en.")
    return "zh" if chosen == "zh" else "en"


@router.get("/reports")
def reports_page(request: Request, uow: UowDep, user: SignedInUserDep) -> Response:
    """The organisation's issued reports, and a form to verify any document."""
    if user is None:
        return redirect("/sign-in")
    signed, principal = signed_in(user, "see your reports")
    found = service.list_reports(uow, principal=principal, limit=100)
    return render(request, "reports.html", user=signed, reports=found)


@router.get("/results/{result_id}/report")
def report_preview_page(
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    user: SignedInUserDep,
    result_id: uuid.UUID,
    language: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    """A result's report as it would be issued, with the form to issue it."""
    if user is None:
        return redirect("/sign-in")
    signed, principal = signed_in(user, "see reports")
    chosen = _language(language, signed.language)
    preview = service.preview(
        uow,
        principal=principal,
        result_id=result_id,
        language=chosen,
        format="html",
        base_url=platform.settings.base_url,
    )
    body = BODY.search(preview.content.decode())
    issued = service.list_reports(uow, principal=principal, result_id=result_id, limit=50)
    return render(
        request,
        "report.html",
        user=signed,
        result_id=result_id,
        report_language=chosen,
        preview=Markup(body.group(1) if body else ""),  # rendered by our own template
        issued=issued,
    )


@router.post("/results/{result_id}/report")
def issue_report_page(
    request: Request,
    platform: PlatformDep,
    uow: UowDep,
    user: SignedInUserDep,
    result_id: uuid.UUID,
    language: OptionalFormStr = None,
    purpose: Annotated[str | None, Form(max_length=2000)] = None,
    audience: Annotated[str | None, Form(max_length=2000)] = None,
    csrf_token: OptionalFormStr = None,
) -> Response:
    """Issue the result's report and show it."""
    signed, principal = signed_in(user, "issue reports")
    check_csrf(request, signed, csrf_token)
    data = ReportCreate(
        result_id=result_id,
        language=_language(language, signed.language),
        purpose=purpose,
        audience=audience,
    )
    issued = service.issue(uow, principal=principal, data=data, base_url=platform.settings.base_url)
    uow.commit()
    return redirect(f"/reports/{issued.id}")


@router.get("/reports/verify")
def verify_form(request: Request, user: SignedInUserDep) -> Response:
    """Anyone may check a report document they hold."""
    return render(request, "reports_verify.html", user=user, proof=None, problem=None)


@router.post("/reports/verify")
def verify_page(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    file: Annotated[UploadFile, File()],
    csrf_token: OptionalFormStr = None,
) -> Response:
    check_csrf(request, user, csrf_token)
    content = file.file.read(MAX_DOCUMENT)
    try:
        proof = service.verify_document(uow, content=content)
    except NotFoundError as error:
        return render(
            request,
            "reports_verify.html",
            user=user,
            proof=None,
            problem=str(error),
            status_code=404,
        )
    return render(request, "reports_verify.html", user=user, proof=proof, problem=None)


@router.get("/reports/{report_id}")
def report_page(
    request: Request, uow: UowDep, user: SignedInUserDep, report_id: uuid.UUID
) -> Response:
    """An issued report: its hashes, ledger entry and downloads."""
    if user is None:
        return redirect("/sign-in")
    signed, principal = signed_in(user, "see reports")
    found = service.get_report(uow, principal=principal, report_id=report_id)
    return render(request, "report_issued.html", user=signed, report=found)
