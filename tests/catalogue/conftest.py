"""Fixtures of the catalogue tests: the demo organisations (their admins), by slug."""

from __future__ import annotations

import pytest

from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn, seed_demo


@pytest.fixture
def demo(platform: Platform) -> dict[str, DemoSignIn]:
    return {sign_in.organisation: sign_in for sign_in in seed_demo(platform)}
