"""Small real factors and principals the factor tests build on."""

from __future__ import annotations

import uuid
from typing import Any

from pcfhub.factors import service
from pcfhub.factors.model import FactorData
from pcfhub.factors.schemas import ReviewDecision
from pcfhub.platform.demo import DemoSignIn
from pcfhub.platform.model import Principal, Role
from pcfhub.platform.uow import UnitOfWork

ALL_CONFIRMED = dict.fromkeys(service.CHECKLIST, True)
PROPRIETARY = {"identifier": "proprietary:cq-battery", "redistribution": "none"}


def record(key: str = "acme.steel.hot-rolled", value: float = 2.1, **changes: Any) -> FactorData:
    """A contributor's factor (illustrative: the value is made up for the test)."""
    data: dict[str, Any] = {
        "lineage_key": key,
        "name_zh": "热轧钢卷（示例）",
        "name_en": "Hot-rolled steel coil (illustrative)",
        "activity": "material.steel.hot_rolled",
        "value": value,
        "unit": "kg",
        "gwp_set": "AR6",
        "boundary": "cradle_to_gate",
        "geography": "CN-CQ",
        "reference_year": 2025,
        "source": {"publisher": "Acme Steel", "document": "EPD 2025-01", "year": 2025},
        "licence": {"identifier": "CC-BY-4.0", "redistribution": "attribution"},
    }
    return FactorData.model_validate(data | changes)


def acting(sign_in: DemoSignIn, role: Role = Role.ADMIN) -> Principal:
    return Principal(
        organisation_id=sign_in.organisation_id,
        organisation_kind=sign_in.kind,
        role=role,
        user_id=sign_in.user_id,
    )


def publish(
    uow: UnitOfWork, contributor: Principal, reviewer: Principal, data: FactorData
) -> uuid.UUID:
    """Draft, submit and publish one factor; its version id."""
    draft = service.create_draft(uow, principal=contributor, data=data)
    service.submit(uow, principal=contributor, version_id=draft.id)
    service.review(
        uow,
        principal=reviewer,
        version_id=draft.id,
        decision=ReviewDecision(publish=True, checklist=ALL_CONFIRMED),
    )
    return draft.id
