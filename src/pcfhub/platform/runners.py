"""Job runners: the choice by settings, and the Dask distributed backend.

`DaskRunner` sends ``run_job(units, job_id, work)`` to a Dask cluster, where a worker process
runs it: so ``units`` is a `DatabaseUnits` (a database URL and a key file, opened once per
worker process) and the work is picklable (see `pcfhub.platform.jobs`). Progress, cancelling
and the job's end go through the database exactly as in-process. Each job is a task keyed
``pcfhub-job-<id>`` and fired and forgotten: the cluster runs it to its end even if the
serving process stops, and a new serving process asks the scheduler which jobs it still holds
before failing the others as interrupted.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session, sessionmaker

from pcfhub.config import Settings
from pcfhub.errors import ConfigurationError
from pcfhub.ledger import signing
from pcfhub.platform.db import make_engine, make_session_factory
from pcfhub.platform.jobs import (
    InProcessRunner,
    JobPublic,
    JobRunner,
    UnitOfWorkFactory,
    Work,
    run_job,
)
from pcfhub.platform.uow import UnitOfWork

if TYPE_CHECKING:
    from distributed import Client, Future

log = logging.getLogger("pcfhub")

# Scheduler task states of a job the cluster will still run (or has just run).
HELD_STATES = frozenset({"released", "waiting", "no-worker", "queued", "processing", "memory"})
CONNECT_TIMEOUT_S = 10


def make_runner(settings: Settings) -> JobRunner:
    """The runner ``PCFHUB_JOB_BACKEND`` asks for."""
    if settings.job_backend == "dask":
        assert settings.dask_scheduler is not None  # Settings refuse dask without one
        return DaskRunner(settings.dask_scheduler)
    return InProcessRunner()


@dataclass(frozen=True)
class _Opened:
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]
    ledger_key: Ed25519PrivateKey | None


_opened: dict[tuple[str, Path | None], _Opened] = {}
_opening = threading.Lock()


@dataclass(frozen=True)
class DatabaseUnits:
    """A picklable unit-of-work factory: where it is called (a Dask worker), it opens the
    database at ``database_url`` and loads the ledger key from ``ledger_key_file``, once per
    process, and returns a new `UnitOfWork` on them."""

    database_url: str = field(repr=False)  # it may hold a password
    ledger_key_file: Path | None = None

    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        opened = self._open()
        return UnitOfWork(opened.read_sessions if read_only else opened.sessions, opened.ledger_key)

    def _open(self) -> _Opened:
        key = (self.database_url, self.ledger_key_file)
        with _opening:
            if key not in _opened:
                _opened[key] = _Opened(*self._sessions(), self._ledger_key())
            return _opened[key]

    def _sessions(self) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
        engine = make_engine(self.database_url)
        return make_session_factory(engine), make_session_factory(engine, read_only=True)

    def _ledger_key(self) -> Ed25519PrivateKey | None:
        if self.ledger_key_file is None:
            return None
        try:
            return signing.load_private_key(self.ledger_key_file.read_bytes())
        except FileNotFoundError as error:
            raise ConfigurationError(
                f"The ledger key file {self.ledger_key_file} is missing where the job runs; "
                "every Dask worker needs the serving process's key file at the same path."
            ) from error


def job_key(job_id: uuid.UUID) -> str:
    """The Dask task key of a job."""
    return f"pcfhub-job-{job_id}"


class DaskRunner:
    """Runs jobs on the workers of the Dask distributed cluster at ``address``; connects on
    first use."""

    def __init__(self, address: str, *, timeout: float = CONNECT_TIMEOUT_S) -> None:
        self.address = address
        self.timeout = timeout
        self.futures: dict[uuid.UUID, Future] = {}
        self._client: Client | None = None
        self._connecting = threading.Lock()

    def client(self) -> Client:
        """The connected client, connecting on first call."""
        with self._connecting:
            if self._client is None:
                try:
                    from distributed import Client
                except ImportError as error:
                    raise ConfigurationError(
                        "PCFHUB_JOB_BACKEND is dask but the distributed package is not "
                        "installed; pip install 'pcfhub[dask]'."
                    ) from error
                try:
                    self._client = Client(self.address, timeout=self.timeout, set_as_default=False)
                except (OSError, TimeoutError) as error:
                    raise ConfigurationError(
                        f"No Dask scheduler answers at {self.address} (PCFHUB_DASK_SCHEDULER): "
                        f"{error}. Start one with `dask scheduler`, or set PCFHUB_JOB_BACKEND="
                        "in_process."
                    ) from error
            return self._client

    def submit(self, units: UnitOfWorkFactory, job_id: uuid.UUID, work: Work) -> None:
        from distributed import fire_and_forget

        future = self.client().submit(run_job, units, job_id, work, key=job_key(job_id))
        fire_and_forget(future)  # run to its end even if this process stops
        self.futures[job_id] = future

    def wait(self, job_id: uuid.UUID, timeout: float | None = None) -> JobPublic:
        result: JobPublic = self.futures[job_id].result(timeout=timeout)
        return result

    def still_running(self, job_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """The jobs the scheduler still holds; all of them if it cannot be asked (better a job
        left running than one failed that a worker still runs)."""
        try:
            client = self.client()
            states: dict[Any, str | None] = client.sync(
                client.scheduler.get_task_status, keys=[job_key(job_id) for job_id in job_ids]
            )
        except (ConfigurationError, OSError, TimeoutError) as error:
            log.warning("could not ask the Dask scheduler which jobs it runs: %s", error)
            return set(job_ids)
        return {job_id for job_id in job_ids if states.get(job_key(job_id)) in HELD_STATES}

    def shutdown(self) -> None:
        with self._connecting:
            if self._client is not None:
                self._client.close()
                self._client = None
