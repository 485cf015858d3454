"""Jobs: long work run in the background, with progress its organisation can follow and cancel.

`create_job` writes the job row; once it is committed, the caller hands the work to a runner
(`JobRunner`): a thread of this process by default (`InProcessRunner`), the workers of a Dask
distributed cluster (`pcfhub.platform.runners.DaskRunner`, ``PCFHUB_JOB_BACKEND=dask``), or
the caller itself (`run_job`, for the CLI, which shows the progress as it goes). The work gets
a `JobContext`: ``progress(done, total, message)`` records how far it is in a short transaction
of its own and raises `JobCancelledError` once a member asked to cancel; the work's own changes
stay in the unit of work it opens with ``context.units()`` and commits at its end, so a
cancelled or failed job leaves nothing behind.

Work must be picklable, and so must the unit-of-work factory it is submitted with: on Dask
both travel to another process. Write the work as a module-level function, bound to plain
values with `functools.partial` (ids, options, the upload's bytes), that reaches the database
only through ``context.units()``; never a closure over the platform, an engine or a session.
`Platform.job_units` is the factory to submit with: on Dask a picklable
`~pcfhub.platform.runners.DatabaseUnits` that opens the database where the work runs.
"""

from __future__ import annotations

import traceback
import uuid
from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy import select, update

from pcfhub.errors import ConflictError, NotFoundError, PcfhubError
from pcfhub.platform.authz import authorize, require_principal
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import Action, OrganisationKind, Principal, Role
from pcfhub.platform.pages import page_of
from pcfhub.platform.schemas import Page
from pcfhub.platform.store import JobRow
from pcfhub.platform.uow import UnitOfWork


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class JobCancelledError(Exception):
    """Raised inside the work when a member asked to cancel it."""


class JobPublic(BaseModel):
    id: uuid.UUID
    kind: str
    title: str
    organisation_id: uuid.UUID
    status: JobStatus
    done: int
    total: int
    message: str
    result: dict[str, Any] | None
    error: str | None
    cancel_requested: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def _public(row: JobRow) -> JobPublic:
    return JobPublic.model_validate(row, from_attributes=True)


# ``Platform.unit_of_work``: called with ``read_only=True`` for reads that must not wait for
# (or block) a writer; SQLite has one writer at a time.
UnitOfWorkFactory = Callable[..., UnitOfWork]


@dataclass
class JobContext:
    """What the work sees of its job."""

    job_id: uuid.UUID
    units: UnitOfWorkFactory

    def progress(self, done: int, total: int, message: str = "") -> None:
        """Record how far the work is; raise `JobCancelledError` if a cancel was asked for."""
        with self.units() as uow:
            row = uow.session.get(JobRow, self.job_id)
            if row is None:
                raise JobCancelledError("the job is gone")
            row.done, row.total, row.message = done, total, message[:500]
            cancelled = row.cancel_requested
            uow.commit()
        if cancelled:
            raise JobCancelledError("cancelled by a member")

    def check_cancelled(self) -> None:
        """Raise `JobCancelledError` if a cancel was asked for; only reads, so the work may
        call it while its own unit of work holds the write lock."""
        with self.units(read_only=True) as uow:
            row = uow.session.get(JobRow, self.job_id)
            if row is None or row.cancel_requested:
                raise JobCancelledError("cancelled by a member")


Work = Callable[[JobContext], dict[str, Any]]


def _finish(units: UnitOfWorkFactory, job_id: uuid.UUID, status: JobStatus, **values: Any) -> None:
    with units() as uow:
        row = uow.session.get(JobRow, job_id)
        if row is not None:
            row.status = status.value
            row.finished_at = utcnow()
            for key, value in values.items():
                setattr(row, key, value)
            uow.commit()


def run_job(units: UnitOfWorkFactory, job_id: uuid.UUID, work: Work) -> JobPublic:
    """Run the work of a queued job here and now, recording how it ends."""
    with units() as uow:
        row = uow.session.get(JobRow, job_id)
        if row is None:
            raise NotFoundError(f"No job {job_id} here.")
        if JobStatus(row.status) in FINISHED:  # e.g. failed as interrupted before it started
            return _public(row)
        if row.cancel_requested:
            row.status, row.finished_at = JobStatus.CANCELLED.value, utcnow()
            uow.commit()
            return _public(row)
        row.status, row.started_at = JobStatus.RUNNING.value, utcnow()
        uow.commit()
    context = JobContext(job_id, units)
    try:
        result = work(context)
    except JobCancelledError:
        _finish(units, job_id, JobStatus.CANCELLED, message="cancelled; nothing was written")
    except PcfhubError as error:
        _finish(units, job_id, JobStatus.FAILED, error=str(error))
    except Exception as error:
        trace = traceback.format_exc(limit=5)
        _finish(units, job_id, JobStatus.FAILED, error=f"internal error: {error!r}\n{trace}")
    else:
        _finish(units, job_id, JobStatus.SUCCEEDED, result=result, message="done")
    with units() as uow:
        return _public(_row(uow, job_id))


class JobRunner(Protocol):
    """Where submitted jobs run: `InProcessRunner` or `pcfhub.platform.runners.DaskRunner`."""

    def submit(self, units: UnitOfWorkFactory, job_id: uuid.UUID, work: Work) -> None:
        """Run ``run_job(units, job_id, work)`` in the background."""
        ...

    def wait(self, job_id: uuid.UUID, timeout: float | None = None) -> JobPublic:
        """Block until a job submitted here ends; its final state."""
        ...

    def still_running(self, job_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """Those of ``job_ids`` this runner still holds, queued or running."""
        ...

    def shutdown(self) -> None: ...


class InProcessRunner:
    """Runs jobs on a small pool of threads of this process."""

    def __init__(self, workers: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pcfhub-job")
        self.futures: dict[uuid.UUID, Future[JobPublic]] = {}

    def submit(self, units: UnitOfWorkFactory, job_id: uuid.UUID, work: Work) -> None:
        self.futures[job_id] = self._pool.submit(run_job, units, job_id, work)

    def wait(self, job_id: uuid.UUID, timeout: float | None = None) -> JobPublic:
        return self.futures[job_id].result(timeout=timeout)

    def still_running(self, job_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        futures = self.futures
        return {job_id for job_id in job_ids if job_id in futures and not futures[job_id].done()}

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)


def fail_interrupted(
    units: UnitOfWorkFactory,
    still_running: Callable[[Collection[uuid.UUID]], Collection[uuid.UUID]] | None = None,
) -> int:
    """Mark as failed every job still queued or running when the serving process starts, except
    those ``still_running`` (the runner's) says it still holds: an earlier process's threads are
    gone, while a Dask cluster keeps running what it was given. (Not by time: a VM's clock may
    step back.) The number marked."""
    unfinished = [JobStatus.QUEUED.value, JobStatus.RUNNING.value]
    with units(read_only=True) as uow:
        ids = list(uow.session.scalars(select(JobRow.id).where(JobRow.status.in_(unfinished))))
    kept = set(still_running(ids)) if still_running is not None and ids else set()
    interrupted = [job_id for job_id in ids if job_id not in kept]
    if not interrupted:
        return 0
    with units() as uow:
        # Only those still unfinished now: one may have ended since the runner was asked.
        marked = uow.session.execute(
            update(JobRow)
            .where(JobRow.id.in_(interrupted), JobRow.status.in_(unfinished))
            .values(
                status=JobStatus.FAILED.value,
                finished_at=utcnow(),
                error="interrupted: the server stopped while the job ran; start it again",
            )
            .execution_options(synchronize_session=False)
        )
        uow.commit()
    return marked.rowcount


def create_job(uow: UnitOfWork, *, principal: Principal | None, kind: str, title: str) -> JobPublic:
    """A queued job of the principal's organisation (the caller commits, then runs it)."""
    principal = require_principal(principal)
    authorize(
        uow.session, principal, Action.WRITE, owner_id=principal.organisation_id, object_kind="job"
    )
    row = JobRow(
        kind=kind,
        title=title[:300],
        organisation_id=principal.organisation_id,
        created_by=principal.user_id,
        status=JobStatus.QUEUED.value,
    )
    uow.session.add(row)
    uow.session.flush()
    return _public(row)


def _row(uow: UnitOfWork, job_id: uuid.UUID) -> JobRow:
    row = uow.session.get(JobRow, job_id)
    if row is None:
        raise NotFoundError(f"No job {job_id} here.")
    return row


def _is_operator_admin(principal: Principal) -> bool:
    return (
        principal.organisation_kind == OrganisationKind.PLATFORM_OPERATOR
        and principal.role == Role.ADMIN
    )


def get_job(uow: UnitOfWork, *, principal: Principal | None, job_id: uuid.UUID) -> JobPublic:
    """A job, for its organisation's members (and the operator's admins)."""
    principal = require_principal(principal)
    row = _row(uow, job_id)
    if not _is_operator_admin(principal):
        authorize(
            uow.session, principal, Action.READ, owner_id=row.organisation_id, object_kind="job",
            object_id=str(job_id),
        )  # fmt: skip
    return _public(row)


def list_jobs(
    uow: UnitOfWork, *, principal: Principal | None, offset: int = 0, limit: int = 20
) -> Page[JobPublic]:
    """The principal's organisation's jobs, newest first."""
    principal = require_principal(principal)
    authorize(
        uow.session, principal, Action.READ, owner_id=principal.organisation_id, object_kind="job"
    )
    return page_of(
        uow.session,
        select(JobRow).where(JobRow.organisation_id == principal.organisation_id),
        order_by=(JobRow.created_at.desc(), JobRow.id),
        offset=offset,
        limit=limit,
        public=_public,
    )


def cancel_job(uow: UnitOfWork, *, principal: Principal | None, job_id: uuid.UUID) -> JobPublic:
    """Ask a queued or running job to stop; it stops at its next progress report."""
    principal = require_principal(principal)
    row = _row(uow, job_id)
    authorize(
        uow.session, principal, Action.WRITE, owner_id=row.organisation_id, object_kind="job",
        object_id=str(job_id),
    )  # fmt: skip
    if JobStatus(row.status) in FINISHED:
        raise ConflictError(f"status: job {job_id} has already {row.status}.")
    row.cancel_requested = True
    return _public(row)
