"""The running platform: settings, engine, sessions and the ledger key, built on request.

Nothing here is built at import time; `Platform.from_settings` is called by the app factory,
the CLI and the tests.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from pcfhub.config import Settings
from pcfhub.errors import ConfigurationError
from pcfhub.ledger import signing
from pcfhub.platform import migrate, tables  # noqa: F401  (all tables and ledger objects)
from pcfhub.platform.db import make_engine, make_session_factory
from pcfhub.platform.jobs import JobRunner, UnitOfWorkFactory
from pcfhub.platform.runners import DatabaseUnits, make_runner
from pcfhub.platform.uow import UnitOfWork


@dataclass
class Platform:
    """Everything a request, a command or a test needs to reach the platform's state."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    ledger_key: Ed25519PrivateKey | None
    read_sessions: sessionmaker[Session] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Platform:
        engine = make_engine(settings.resolved_database_url)
        key_file = settings.resolved_ledger_key_file
        key = signing.load_private_key(key_file.read_bytes()) if key_file.exists() else None
        return cls(
            settings,
            engine,
            make_session_factory(engine),
            key,
            make_session_factory(engine, read_only=True),
        )

    def unit_of_work(self, *, read_only: bool = False) -> UnitOfWork:
        """A unit of work; ``read_only`` ones (GET requests) never wait for SQLite writers."""
        sessions = self.read_sessions if read_only and self.read_sessions else self.sessions
        return UnitOfWork(sessions, self.ledger_key)

    @cached_property
    def secret(self) -> bytes:
        """The signing secret, read once."""
        return self.settings.secret()

    def init(self) -> InitReport:
        """Create or migrate the database and create the ledger key if there is none."""
        before = migrate.current_revision(self.engine)
        migrate.upgrade(self.engine)
        key_file = self.settings.resolved_ledger_key_file
        created_key = False
        if self.ledger_key is None:
            self.ledger_key = create_key_file(key_file)
            created_key = True
        with self.unit_of_work() as uow:
            from pcfhub.ledger.service import publish_key

            kid = publish_key(uow.session, self.ledger_key)
            uow.commit()
        return InitReport(
            database=self.engine.url.render_as_string(hide_password=True),
            revision_before=before,
            revision=migrate.current_revision(self.engine),
            key_file=key_file,
            key_id=kid,
            created_key=created_key,
        )

    def check_ready(self) -> None:
        """Raise ConfigurationError unless the database answers and is fully migrated."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current, head = migrate.current_revision(self.engine), migrate.head_revision()
        if current != head:
            raise ConfigurationError(
                f"The database is at revision {current}, not {head}; run pcfhub init."
            )
        if self.ledger_key is None:
            raise ConfigurationError("No ledger key is loaded; run pcfhub init.")

    @cached_property
    def jobs(self) -> JobRunner:
        """What runs this process's jobs (``PCFHUB_JOB_BACKEND``), made on first use."""
        return make_runner(self.settings)

    @property
    def job_units(self) -> UnitOfWorkFactory:
        """The unit-of-work factory to submit jobs with: this platform's own in process; for
        Dask a picklable one that opens the same database and ledger key on the worker."""
        if self.settings.job_backend != "dask":
            return self.unit_of_work
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            url = url.set(database=str(Path(url.database).resolve()))  # the worker's cwd differs
        key_file = self.settings.resolved_ledger_key_file.resolve() if self.ledger_key else None
        return DatabaseUnits(url.render_as_string(hide_password=False), key_file)

    def dispose(self) -> None:
        if "jobs" in self.__dict__:
            self.__dict__.pop("jobs").shutdown()  # a later job gets a fresh runner
        self.engine.dispose()


@dataclass(frozen=True)
class InitReport:
    database: str
    revision_before: str | None
    revision: str | None
    key_file: Path
    key_id: str
    created_key: bool


def create_key_file(path: Path) -> Ed25519PrivateKey:
    """Generate an Ed25519 key and write it, readable by the owner only."""
    if path.exists():
        raise ConfigurationError(f"{path} exists already; refusing to overwrite a ledger key.")
    path.parent.mkdir(parents=True, exist_ok=True)
    key = signing.generate_private_key()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(signing.private_key_to_pem(key))
    return key
