"""Fixtures of the report tests: the accounting tests' demo organisations and published
factors, and a stored result of the study model."""

from __future__ import annotations

import uuid

import pytest

from pcfhub.accounting import service as accounting
from pcfhub.accounting.model import ProductModel
from pcfhub.platform.context import Platform
from pcfhub.platform.model import Principal
from tests.accounting.conftest import demo, enterprise, published  # noqa: F401
from tests.reports.builders import study_model


@pytest.fixture
def stored_result(
    platform: Platform,
    enterprise: Principal,  # noqa: F811
    published: dict[str, uuid.UUID],  # noqa: F811
) -> uuid.UUID:
    """The study model saved and accounted (200 Monte Carlo iterations) by cq-laptop."""
    with platform.unit_of_work() as uow:
        saved = accounting.save_model(
            uow, principal=enterprise, model=ProductModel.model_validate(study_model())
        )
        stored = accounting.calculate(
            uow, principal=enterprise, model_id=saved.model_id, iterations=200
        )
        uow.commit()
    return stored.id
