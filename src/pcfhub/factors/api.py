"""Factor API: contributors draft and submit, reviewers publish or reject, anyone signed in reads
what is published."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from pcfhub.factors import service
from pcfhub.factors.model import FactorData
from pcfhub.factors.schemas import FactorVersionPublic, ReviewDecision
from pcfhub.factors.search import FactorQuery
from pcfhub.platform.deps import PrincipalDep, UowDep
from pcfhub.platform.schemas import Page

router = APIRouter(prefix="/factors", tags=["factors"])


@router.get("")
def search(
    query: Annotated[FactorQuery, Query()], uow: UowDep, principal: PrincipalDep
) -> Page[FactorVersionPublic]:
    """Search by words (Chinese or English) and filters; nearest geography first, then newest."""
    return service.search_factors(uow, principal=principal, query=query)


@router.post("", status_code=201)
def create_draft(data: FactorData, uow: UowDep, principal: PrincipalDep) -> FactorVersionPublic:
    """A draft of a new factor, or the next version of one of your organisation's factors."""
    created = service.create_draft(uow, principal=principal, data=data)
    uow.commit()
    return created


@router.get("/versions/{factor_version_id}")
def get_version(
    factor_version_id: uuid.UUID, uow: UowDep, principal: PrincipalDep
) -> FactorVersionPublic:
    return service.get_version(uow, principal=principal, version_id=factor_version_id)


@router.post("/versions/{factor_version_id}/submit")
def submit(
    factor_version_id: uuid.UUID, uow: UowDep, principal: PrincipalDep
) -> FactorVersionPublic:
    """Send a draft to the reviewers."""
    submitted = service.submit(uow, principal=principal, version_id=factor_version_id)
    uow.commit()
    return submitted


@router.post("/versions/{factor_version_id}/review")
def review(
    factor_version_id: uuid.UUID,
    decision: ReviewDecision,
    uow: UowDep,
    principal: PrincipalDep,
) -> FactorVersionPublic:
    """Publish (every checklist item confirmed) or reject (with reasons); reviewers only."""
    reviewed = service.review(
        uow, principal=principal, version_id=factor_version_id, decision=decision
    )
    uow.commit()
    return reviewed


@router.post("/versions/{factor_version_id}/withdraw")
def withdraw(
    factor_version_id: uuid.UUID, uow: UowDep, principal: PrincipalDep
) -> FactorVersionPublic:
    withdrawn = service.withdraw(uow, principal=principal, version_id=factor_version_id)
    uow.commit()
    return withdrawn
