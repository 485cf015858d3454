"""The declarations API: a stored result as an EU battery carbon footprint declaration (JSON,
PDF) or as CBAM embedded emissions (JSON, xlsx); ``issue=true`` records it in the ledger.

The JSON document is canonical JSON (RFC 8785), so its SHA-256 (header ``X-Content-SHA256``)
is stable; the schemas of both JSON documents are served under ``/declarations/*/schema``.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import APIRouter, Response

from pcfhub.platform.deps import PrincipalDep, UowDep
from pcfhub.platform.model import Principal
from pcfhub.platform.uow import UnitOfWork
from pcfhub.reports import declarations_service as service
from pcfhub.reports.battery import BatteryDeclaration, BatteryRequest
from pcfhub.reports.cbam import CbamDeclaration, CbamRequest

router = APIRouter(tags=["declarations"])
SHA_HEADER = "X-Content-SHA256"
LEDGER_HEADER = "X-Ledger-Index"


def _respond(
    uow: UnitOfWork,
    principal: Principal | None,
    kind: service.Kind,
    result_id: uuid.UUID,
    document: service.Document,
    *,
    issue: bool,
) -> Response:
    headers = {SHA_HEADER: document.sha256}
    if issue:
        document = service.issue(
            uow, principal=principal, kind=kind, result_id=result_id, document=document
        )
        uow.commit()
        assert document.issued is not None
        headers[LEDGER_HEADER] = str(document.issued.ledger_index)
    disposition = "inline" if document.media_type == "application/json" else "attachment"
    headers["Content-Disposition"] = f'{disposition}; filename="{document.filename}"'
    return Response(content=document.content, media_type=document.media_type, headers=headers)


@router.get("/declarations/battery/schema")
def battery_schema() -> dict[str, Any]:
    """The JSON Schema of the battery carbon footprint declaration document."""
    return BatteryDeclaration.model_json_schema()


@router.get("/declarations/cbam/schema")
def cbam_schema() -> dict[str, Any]:
    """The JSON Schema of the CBAM embedded emissions document."""
    return CbamDeclaration.model_json_schema()


@router.post(
    "/results/{result_id}/declarations/battery",
    response_class=Response,
    responses={200: {"model": BatteryDeclaration, "content": {"application/pdf": {}}}},
)
def battery_declaration(
    result_id: uuid.UUID,
    body: BatteryRequest,
    uow: UowDep,
    principal: PrincipalDep,
    format: Literal["json", "pdf"] = "json",
    issue: bool = False,
) -> Response:
    """The EU Battery Regulation Article 7 declaration of a stored result (per kWh delivered);
    ``issue=true`` records the document's SHA-256 in the ledger (owners with write rights)."""
    declaration = service.battery(uow, principal=principal, result_id=result_id, request=body)
    document = service.render("battery", declaration, format)
    return _respond(uow, principal, "battery", result_id, document, issue=issue)


@router.post(
    "/results/{result_id}/declarations/cbam",
    response_class=Response,
    responses={
        200: {
            "model": CbamDeclaration,
            "content": {service.MEDIA_TYPES["xlsx"]: {}},
        }
    },
)
def cbam_declaration(
    result_id: uuid.UUID,
    body: CbamRequest,
    uow: UowDep,
    principal: PrincipalDep,
    format: Literal["json", "xlsx"] = "json",
    issue: bool = False,
) -> Response:
    """The CBAM embedded emissions (per tonne of good) of a stored result; ``issue=true``
    records the document's SHA-256 in the ledger (owners with write rights)."""
    declaration = service.cbam(uow, principal=principal, result_id=result_id, request=body)
    document = service.render("cbam", declaration, format)
    return _respond(uow, principal, "cbam", result_id, document, issue=issue)
