"""Small, hand-worked product systems shared by the tests."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pydantic import SecretStr

from pcfhub.calc import ProductSystem
from pcfhub.config import Settings
from pcfhub.platform.context import Platform
from pcfhub.platform.db import make_engine
from pcfhub.platform.migrate import upgrade
from tests.support.browser import chromium_executable, launch_browser
from tests.support.passwords import use_cheap_password_hashes
from tests.support.postgres import (
    PostgresServer,
    clone_database,
    create_database,
    drop_database,
    find_pg_bin,
)
from tests.support.postgres import database_url as database_url_of
from tests.support.skips import skip_or_fail

PG_TEMPLATE = "pcfhub_template"

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright


@pytest.fixture
def chain() -> ProductSystem:
    """Electricity (0) → steel (1) → bike (2), no loop.

    1 kWh emits 0.5 kg CO2; 1 kg steel uses 2 kWh and emits 1.5 kg CO2 and 0.01 kg CH4;
    a bike uses 10 kg steel and 5 kWh. Bike footprint (AR6, CH4 fossil 29.8):
    electricity 25 kWh · 0.5 = 12.5; steel 10 · (1.5 + 0.01 · 29.8) = 17.98; total 30.48.
    """
    return ProductSystem.from_arrays(
        technosphere=([0, 1, 2, 0, 1, 0], [0, 1, 2, 1, 2, 2], [1, 1, 1, -2, -10, -5]),
        biosphere=([0, 0, 1], [0, 1, 1], [0.5, 1.5, 0.01]),
        characterization=[1.0, 29.8],
        process_labels=["electricity", "steel", "bike"],
        flow_labels=["CO2", "CH4"],
        flow_origins=["fossil", "fossil"],
        process_groups=["raw_materials", "raw_materials", "production"],
    )


@pytest.fixture
def loop() -> ProductSystem:
    """Coal (0) and electricity (1) supply each other.

    1 kWh needs 0.4 kg coal and emits 1 kg CO2; 1 kg coal needs 0.25 kWh and emits 0.1 kg
    CH4 (fossil) and takes up 0.2 kg biogenic CO2 (tagged biogenic, factor 1).
    Supply for 1 kWh: e − 0.25 c = 1 and c − 0.4 e = 0 → e = 1/0.9, c = 0.4/0.9.
    """
    return ProductSystem.from_arrays(
        technosphere=([0, 1, 0, 1], [0, 1, 1, 0], [1.0, 1.0, -0.4, -0.25]),
        biosphere=([0, 1, 2], [1, 0, 0], [1.0, 0.1, -0.2]),
        characterization=[1.0, 29.8, 1.0],
        process_labels=["coal", "electricity"],
        flow_labels=["CO2 fossil", "CH4 fossil", "CO2 biogenic"],
        flow_origins=["fossil", "fossil", "biogenic"],
        process_groups=["mining", "power"],
    )


@pytest.fixture
def real_password_hashing() -> None:
    """Ask for it to keep argon2's production parameters in a test."""


@pytest.fixture(autouse=True)
def cheap_password_hashes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test hashes passwords cheaply unless it asks for ``real_password_hashing``."""
    if "real_password_hashing" not in request.fixturenames:
        use_cheap_password_hashes(monkeypatch)


# The platform's database, on SQLite and on a real PostgreSQL server.
# Each test gets a fresh, migrated database cloned from a template made once per run.


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    if find_pg_bin() is None:
        skip_or_fail("PostgreSQL server binaries are not installed")
    server = PostgresServer.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection to close writes the WAL back into the file
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    create_database(postgres_server.url, PG_TEMPLATE)
    engine = make_engine(database_url_of(postgres_server.url, PG_TEMPLATE))
    upgrade(engine)
    engine.dispose()
    return PG_TEMPLATE


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database of each kind for one test."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "pcfhub.sqlite3"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    template_name: str = request.getfixturevalue("postgres_template")
    name = f"t_{uuid.uuid4().hex[:16]}"
    clone_database(server.url, template_name, name)
    yield database_url_of(server.url, name)
    drop_database(server.url, name)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path / "data",
        database_url=database_url,
        secret_key=SecretStr("test-secret-" + "x" * 40),
    )


@pytest.fixture
def platform(settings: Settings) -> Iterator[Platform]:
    """A platform on a fresh database, initialised (ledger key made and published)."""
    built = Platform.from_settings(settings)
    built.init()
    yield built
    built.dispose()


# One Playwright and one Debian Chromium for the whole run (two sync Playwrights cannot coexist).


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if chromium_executable() is None:
        skip_or_fail("Chromium is not installed at /usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = launch_browser(playwright)
    yield launched
    launched.close()
