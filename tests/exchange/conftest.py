"""Fixtures of the exchange tests: a supplier's stored result of the widget, and helpers."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from pcfhub.accounting import service as accounting
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from pcfhub.platform.model import Principal
from tests.accounting.builders import model, widget
from tests.accounting.conftest import demo, enterprise, published  # noqa: F401 - fixtures

PUBLISH: dict[str, Any] = {
    "company_ids": ["urn:pact:widgets.example.com:supplier-id:cq-laptop"],
    "product_ids": ["urn:pact:widgets.example.com:product-id:W-1"],
    "cpc_code": "45220",
    "product_mass_kg": 2.2,
    "fossil_carbon_content_kg": 0.0,
    "biogenic_carbon_content_kg": 0.0,
}


def stored_result(platform: Platform, principal: Principal, **changes: Any) -> uuid.UUID:
    """Save the widget model (with ``changes``) and store its result; the result's id."""
    with platform.unit_of_work() as uow:
        saved = accounting.save_model(uow, principal=principal, model=model(widget(**changes)))
        result = accounting.calculate(
            uow, principal=principal, model_id=saved.model_id, iterations=0
        )
        uow.commit()
    return result.id


@pytest.fixture
def result_id(
    platform: Platform,
    enterprise: Principal,  # noqa: F811 - the fixture imported above
    published: dict[str, uuid.UUID],  # noqa: F811
) -> uuid.UUID:
    return stored_result(platform, enterprise)


@pytest.fixture
def supplier(demo: dict[str, DemoSignIn]) -> DemoSignIn:  # noqa: F811
    return demo["cq-laptop"]
