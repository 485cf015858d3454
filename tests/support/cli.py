"""A platform for in-process CLI tests: settings from the environment, as `pcfhub` reads them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pcfhub.config import Settings, get_settings
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import seed_demo


@contextmanager
def cli_platform(
    database_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch, *, demo: bool = False
) -> Iterator[Platform]:
    """Point the CLI's settings at ``database_url``, initialise it (and seed the demo)."""
    for name, value in {
        "PCFHUB_ENVIRONMENT": "test",
        "PCFHUB_DATA_DIR": str(data_dir),
        "PCFHUB_DATABASE_URL": database_url,
        "PCFHUB_SECRET_KEY": "cli-test-secret-" + "z" * 40,
        "COLUMNS": "200",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    platform = Platform.from_settings(Settings())
    platform.init()
    if demo:
        seed_demo(platform)
    try:
        yield platform
    finally:
        platform.dispose()
        get_settings.cache_clear()
