"""Fixtures of the accounting tests: demo organisations and the test factors, published."""

from __future__ import annotations

import uuid

import pytest

from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn, seed_demo
from pcfhub.platform.model import Principal
from tests.accounting.builders import FACTORS
from tests.factors.builders import acting, publish


@pytest.fixture
def demo(platform: Platform) -> dict[str, DemoSignIn]:
    return {sign_in.organisation: sign_in for sign_in in seed_demo(platform)}


@pytest.fixture
def enterprise(demo: dict[str, DemoSignIn]) -> Principal:
    return acting(demo["cq-laptop"])


@pytest.fixture
def published(platform: Platform, demo: dict[str, DemoSignIn]) -> dict[str, uuid.UUID]:
    """Every test factor published by cq-battery and reviewed by the operator: key → version."""
    contributor, reviewer = acting(demo["cq-battery"]), acting(demo["operator"])
    with platform.unit_of_work() as uow:
        ids = {key: publish(uow, contributor, reviewer, data) for key, data in FACTORS.items()}
        uow.commit()
    return ids
