"""Declaration pages: fill in an EU battery declaration or CBAM embedded emissions for a
result, preview it, download it (JSON, PDF, xlsx) or issue it into the ledger.

``/results/{id}/declarations/battery`` and ``/results/{id}/declarations/cbam``: GET shows the
form, POST with ``action`` = preview, download or issue. Views use the declarations service.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from pcfhub.accounting import service as accounting
from pcfhub.errors import InvalidInputError, PcfhubError
from pcfhub.platform.deps import SignedInUserDep, UowDep
from pcfhub.platform.model import Principal, SignedInUser
from pcfhub.platform.uow import UnitOfWork
from pcfhub.reports import declarations_service as service
from pcfhub.reports.battery import BatteryCategory, BatteryRequest
from pcfhub.reports.cbam import CbamRequest
from pcfhub.web.rendering import check_csrf, form_problems, redirect, render, signed_in

router = APIRouter(include_in_schema=False)
Kind = Literal["battery", "cbam"]
REQUESTS: dict[Kind, type[BatteryRequest] | type[CbamRequest]] = {
    "battery": BatteryRequest,
    "cbam": CbamRequest,
}
FILE_FORMAT: dict[Kind, str] = {"battery": "pdf", "cbam": "xlsx"}
ACTIONS = ("preview", "json", "file", "issue")
MAX_FIELD = 600


def _fields(kind: Kind, form: dict[str, Any]) -> dict[str, str]:
    """The request's fields from the form: known names only, blanks left out."""
    names = REQUESTS[kind].model_fields
    return {
        name: str(value).strip()[:MAX_FIELD]
        for name, value in form.items()
        if name in names and str(value).strip()
    }


def _page(
    request: Request,
    uow: UnitOfWork,
    user: SignedInUser,
    principal: Principal,
    kind: Kind,
    result_id: uuid.UUID,
    *,
    values: dict[str, str] | None = None,
    declaration: Any = None,
    issued: service.Document | None = None,
    problems: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    stored = accounting.get_result(uow, principal=principal, result_id=result_id)
    return render(
        request,
        "declaration.html",
        user=user,
        status_code=status_code,
        kind=kind,
        stored=stored,
        values=values or {},
        declaration=declaration,
        issued=issued.issued if issued else None,
        problems=problems or [],
        categories=[c.value for c in BatteryCategory],
        file_format=FILE_FORMAT[kind],
    )


def _declare(
    uow: UnitOfWork, principal: Principal, kind: Kind, result_id: uuid.UUID, fields: dict
) -> service.BatteryDeclaration | service.CbamDeclaration:
    if kind == "battery":
        return service.battery(
            uow,
            principal=principal,
            result_id=result_id,
            request=BatteryRequest.model_validate(fields),
        )
    return service.cbam(
        uow, principal=principal, result_id=result_id, request=CbamRequest.model_validate(fields)
    )


@router.get("/results/{result_id}/declarations/{kind}")
def declaration_page(
    request: Request, uow: UowDep, user: SignedInUserDep, result_id: uuid.UUID, kind: Kind
) -> Response:
    """The declaration form of a result."""
    if user is None:
        return redirect("/sign-in")
    signed, principal = signed_in(user, "declare a result")
    return _page(request, uow, signed, principal, kind, result_id)


@router.post("/results/{result_id}/declarations/{kind}")
async def declaration_action(
    request: Request, uow: UowDep, user: SignedInUserDep, result_id: uuid.UUID, kind: Kind
) -> Response:
    """Preview, download or issue the declaration the form describes."""
    signed, principal = signed_in(user, "declare a result")
    form = dict(await request.form())
    check_csrf(request, signed, str(form.get("csrf_token") or ""))
    action = str(form.get("action") or "preview")
    if action not in ACTIONS:
        raise InvalidInputError(f"action: choose one of {', '.join(ACTIONS)}.")
    values = _fields(kind, form)
    try:
        declaration = _declare(uow, principal, kind, result_id, values)
    except (PcfhubError, ValidationError) as error:
        if isinstance(error, PcfhubError) and error.status in (401, 403, 404):
            raise
        problems, status = form_problems(error)
        return _page(request, uow, signed, principal, kind, result_id, values=values,
                     problems=problems, status_code=status)  # fmt: skip
    if action == "preview":
        return _page(request, uow, signed, principal, kind, result_id, values=values,
                     declaration=declaration)  # fmt: skip
    document = service.render(kind, declaration, "json" if action == "json" else FILE_FORMAT[kind])
    if action == "issue":
        document = service.issue(
            uow, principal=principal, kind=kind, result_id=result_id, document=document
        )
        uow.commit()
        return _page(request, uow, signed, principal, kind, result_id, values=values,
                     declaration=declaration, issued=document)  # fmt: skip
    return Response(
        content=document.content,
        media_type=document.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{document.filename}"',
            "X-Content-SHA256": document.sha256,
        },
    )
