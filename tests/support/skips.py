"""Missing system software: a skip on a developer's machine, a failure in CI."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    """True in CI, which runs `.ci/run` with CI=true."""
    return os.environ.get("CI") == "true"


def skip_or_fail(reason: str) -> NoReturn:
    """`pytest.skip(reason)`, or `pytest.fail(reason)` in CI, where nothing may be missing."""
    hint = f"{reason} (run scripts/install-system-deps)"
    if in_ci():
        pytest.fail(hint, pytrace=False)
    pytest.skip(hint)
