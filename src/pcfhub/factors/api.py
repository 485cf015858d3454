"""Factor API: contributors draft and submit, reviewers publish or reject, anyone signed in reads
what is published and applies it to an activity; contributors read their usage statements."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Response, UploadFile

from pcfhub.accounting.recompute import factor_changed
from pcfhub.factors import evidence, queries, service, usage
from pcfhub.factors.formats import MEDIA_TYPES, export_bytes, read_upload
from pcfhub.factors.model import FactorData
from pcfhub.factors.schemas import (
    EvidencePublic,
    FactorReviewPublic,
    FactorVersionPublic,
    ReviewDecision,
    UsageStatement,
)
from pcfhub.factors.search import FactorQuery
from pcfhub.factors.use import Activity, AppliedFactor
from pcfhub.platform.api import Limit, Offset
from pcfhub.platform.deps import PlatformDep, PrincipalDep, UowDep
from pcfhub.platform.schemas import Page

router = APIRouter(prefix="/factors", tags=["factors"])


class ExportQuery(FactorQuery):
    """A search, and the file format to export its matches in."""

    format: Literal["csv", "xlsx", "json"] = "csv"


@router.get("")
def search(
    query: Annotated[FactorQuery, Query()], uow: UowDep, principal: PrincipalDep
) -> Page[FactorVersionPublic]:
    """Search by words (Chinese or English) and filters; nearest geography first, then newest."""
    return queries.search_factors(uow, principal=principal, query=query)


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {
            "content": {media: {} for media in MEDIA_TYPES.values()},
            "description": "The file; headers X-Total-Count and X-Withheld-Count",
        }
    },
)
def export(
    query: Annotated[ExportQuery, Query()], uow: UowDep, principal: PrincipalDep
) -> Response:
    """The search's matches as a file in the template (up to 10,000 from ``offset``; the
    ``limit`` of a search page does not apply). Proprietary factors without a licence are left
    out and counted in ``X-Withheld-Count``."""
    exported = queries.export_factors(uow, principal=principal, query=query)
    return Response(
        export_bytes(exported.factors, query.format),
        media_type=MEDIA_TYPES[query.format],
        headers={
            "Content-Disposition": f'attachment; filename="factors.{query.format}"',
            "X-Total-Count": str(exported.count),
            "X-Withheld-Count": str(exported.withheld),
        },
    )


@router.post("", status_code=201)
def create_draft(data: FactorData, uow: UowDep, principal: PrincipalDep) -> FactorVersionPublic:
    """A draft of a new factor, or the next version of one of your organisation's factors."""
    created = service.create_draft(uow, principal=principal, data=data)
    uow.commit()
    return created


@router.post("/import", status_code=201)
def import_file(
    file: Annotated[UploadFile, File(description="CSV, xlsx or JSON in the template")],
    uow: UowDep,
    principal: PrincipalDep,
    submit: Annotated[bool, Form(description="submit every draft for review at once")] = False,
) -> list[FactorVersionPublic]:
    """Every factor of the file becomes a draft of your organisation, or none does: the whole
    file is checked first, and the problem names file, row (or factor) and column."""
    factors = read_upload(file.filename, file.file.read())
    created = service.import_drafts(uow, principal=principal, factors=factors, and_submit=submit)
    uow.commit()
    return created


@router.get("/versions/{factor_version_id}")
def get_version(
    factor_version_id: uuid.UUID, uow: UowDep, principal: PrincipalDep
) -> FactorVersionPublic:
    return queries.get_version(uow, principal=principal, version_id=factor_version_id)


@router.post("/versions/{factor_version_id}/submit")
def submit(
    factor_version_id: uuid.UUID, uow: UowDep, principal: PrincipalDep
) -> FactorVersionPublic:
    """Send a draft to the reviewers."""
    submitted = service.submit(uow, principal=principal, version_id=factor_version_id)
    uow.commit()
    return submitted


@router.post("/versions/{factor_version_id}/start-review")
def start_review(
    factor_version_id: uuid.UUID, uow: UowDep, principal: PrincipalDep
) -> FactorVersionPublic:
    """A reviewer takes a submitted version into review; reviewers only."""
    started = service.start_review(uow, principal=principal, version_id=factor_version_id)
    uow.commit()
    return started


@router.post("/versions/{factor_version_id}/review")
def review(
    factor_version_id: uuid.UUID,
    decision: ReviewDecision,
    platform: PlatformDep,
    uow: UowDep,
    principal: PrincipalDep,
) -> FactorVersionPublic:
    """Publish (every checklist item confirmed) or reject (with reasons); reviewers only.
    Publishing starts the recompute jobs of results on the version it superseded."""
    reviewed = service.review(
        uow, principal=principal, version_id=factor_version_id, decision=decision
    )
    uow.commit()
    if decision.publish:
        factor_changed(platform)
    return reviewed


@router.post("/versions/{factor_version_id}/withdraw")
def withdraw(
    factor_version_id: uuid.UUID, platform: PlatformDep, uow: UowDep, principal: PrincipalDep
) -> FactorVersionPublic:
    withdrawn = service.withdraw(uow, principal=principal, version_id=factor_version_id)
    uow.commit()
    factor_changed(platform)
    return withdrawn


@router.post("/versions/{factor_version_id}/apply")
def apply(
    factor_version_id: uuid.UUID, activity: Activity, uow: UowDep, principal: PrincipalDep
) -> AppliedFactor:
    """kg CO2e of an activity under this factor; another unit of the same dimension converts."""
    return queries.apply_version(
        uow, principal=principal, version_id=factor_version_id, activity=activity
    )


@router.get("/usage")
def usage_statement(
    start: date,
    end: date,
    uow: UowDep,
    principal: PrincipalDep,
    contributor: Annotated[
        uuid.UUID | None, Query(description="reviewers and platform admins: another contributor")
    ] = None,
) -> UsageStatement:
    """Your organisation's factor usage statement for the days ``start`` to ``end``."""
    return usage.usage_statement(
        uow, principal=principal, start=start, end=end, contributor_id=contributor
    )


@router.get("/contributions")
def contributions(
    uow: UowDep, principal: PrincipalDep, offset: Offset = 0, limit: Limit = 50
) -> Page[FactorVersionPublic]:
    """Every version your organisation contributed, in any status, newest first."""
    return queries.list_contributions(uow, principal=principal, offset=offset, limit=limit)


@router.get("/review-queue")
def review_queue(
    uow: UowDep, principal: PrincipalDep, offset: Offset = 0, limit: Limit = 50
) -> Page[FactorVersionPublic]:
    """Submitted versions awaiting review, oldest first; reviewers only."""
    return queries.review_queue(uow, principal=principal, offset=offset, limit=limit)


@router.get("/versions/{factor_version_id}/reviews")
def reviews(
    factor_version_id: uuid.UUID, uow: UowDep, principal: PrincipalDep
) -> list[FactorReviewPublic]:
    """The review record of a version, for its contributor and the reviewers."""
    return queries.reviews_of(uow, principal=principal, version_id=factor_version_id)


@router.post("/versions/{factor_version_id}/evidence", status_code=201)
def add_evidence(
    factor_version_id: uuid.UUID,
    file: Annotated[UploadFile, File(description="PDF, image, xlsx, docx, CSV, text or JSON")],
    uow: UowDep,
    principal: PrincipalDep,
) -> EvidencePublic:
    """Attach an evidence file to your draft or submitted version (at most 8 MiB)."""
    content = file.file.read(evidence.MAX_EVIDENCE_BYTES + 1)
    added = evidence.add_evidence(
        uow,
        principal=principal,
        version_id=factor_version_id,
        filename=file.filename or "",
        content=content,
    )
    uow.commit()
    return added


@router.get("/versions/{factor_version_id}/evidence")
def list_evidence(
    factor_version_id: uuid.UUID, uow: UowDep, principal: PrincipalDep
) -> list[EvidencePublic]:
    """The evidence files of a version: for its contributor and the reviewers."""
    return evidence.list_evidence(uow, principal=principal, version_id=factor_version_id)


@router.get(
    "/evidence/{evidence_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The file"}},
)
def evidence_file(evidence_id: uuid.UUID, uow: UowDep, principal: PrincipalDep) -> Response:
    """One evidence file, as a download."""
    found, content = evidence.evidence_file(uow, principal=principal, evidence_id=evidence_id)
    return evidence_download(found, content)


def evidence_download(found: EvidencePublic, content: bytes) -> Response:
    """A file served as an attachment that no browser renders in the platform's origin."""
    return Response(
        content,
        media_type=found.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.filename)}",
            "Content-Security-Policy": "sandbox",
            "X-Content-SHA256": found.sha256,
        },
    )
